#!/usr/bin/env python3
"""bench/report.py OUT RESULTS DATE ROUNDS SECONDS: the benchmark's report.
bench/report.py --contention OUT RESULTS DATE RUNS SECONDS: the report of
`make bench-contention` (DATE-contention.md).

Reads what bench/run.sh (one node) and bench/cluster.sh (three nodes) left
in OUT, prints one markdown table (corosync with knet, corosync with
udpu, Cohort, the median and range of the rounds of each, Cohort against
the better corosync of the two for that figure, and the target of that
figure, met or not) and writes, under RESULTS: DATE-one-node.md and
DATE-3-nodes.md (the table's part, the daemons' peak RSS and CPU seconds,
the machine and its load average at the start and end, failures and the
raw CSV), DATE-throughput.png and DATE-latency.png (gnuplot).

CSV lines of the runs: nodes,round,impl,scenario,size,node, then
cohort-bench's mode,size,count,seconds,msgs_per_s,mb_per_s,p50_us,p90_us,
p99_us,max_us. Throughput of a run is that of its slowest member (what
every member delivered); a latency percentile of a run is that of its
worst member.
"""
import glob
import os
import statistics
import subprocess
import sys

COROS = ('corosync-knet', 'corosync-udpu')
IMPLS = COROS + ('cohort',)
NAMES = {'corosync-knet': 'corosync (knet)', 'corosync-udpu': 'corosync (udpu)',
         'cohort': 'Cohort'}
SIZE_NAMES = {64: '64 B', 1024: '1 KiB', 16384: '16 KiB', 65536: '64 KiB',
              1048576: '1 MiB'}
COLOR = {'corosync-knet': '#c0392b', 'corosync-udpu': '#d68910', 'cohort': '#2471a3'}
# The targets (Cohort against the better corosync): throughput at least
# this many times by message size; send-to-delivery latency (p50, p99) at
# most LAT_TARGET times, for both client shapes.
TPUT_TARGET = {64: 4, 1024: 4, 65536: 2, 1048576: 2}
LAT_TARGET = 0.5
LAT_SCENS = ('lat1000', 'loop')
# A run is marked as made on a loaded machine when the 1-minute load
# average before it started was above this much per core (other jobs;
# the figure at the end includes the benchmark's own processes).
LOADED_PER_CORE = 0.25
COL = {'count': 8, 'msgs': 10, 'mbs': 11, 'p50': 12, 'p90': 13, 'p99': 14,
       'max': 15}


def size_name(s):
    return SIZE_NAMES.get(s, '%d B' % s)


def read_csv(path):
    if not os.path.exists(path):
        return []
    return [l.strip().split(',') for l in open(path) if l.strip()]


def per_run(rows, nodes, scen, size, col, worst):
    """{impl: [value per round]} with the slowest (min) or worst (max)
    member of each run."""
    runs = {}
    for r in rows:
        if int(r[0]) == nodes and r[3] == scen and int(r[4]) == size:
            runs.setdefault((r[2], int(r[1])), []).append(float(r[COL[col]]))
    out = {}
    for (impl, rnd), v in sorted(runs.items(), key=lambda x: x[0][1]):
        out.setdefault(impl, []).append(max(v) if worst else min(v))
    return out


def num(v):
    if v >= 10000:
        return '{:,.0f}'.format(v).replace(',', ' ')
    if v >= 100:
        return '%.0f' % v
    return '%.1f' % v if v >= 10 else '%.2f' % v


def cell(v):
    if not v:
        return '-'
    m = statistics.median(v)
    if len(v) == 1:
        return num(m)
    return '%s (%s–%s)' % (num(m), num(min(v)), num(max(v)))


def better(d, higher):
    """The corosync with the better median for this figure, or None."""
    have = [c for c in COROS if d.get(c)]
    if not have:
        return None
    pick = max if higher else min
    return pick(have, key=lambda c: statistics.median(d[c]))


def row(scen, metric, d, higher=False, target=None):
    """higher: a larger figure is better (throughput). target: the ratio
    Cohort/better corosync must reach (higher) or stay under."""
    h = d.get('cohort', [])
    b = better(d, higher)
    ratio, goal = '-', '-'
    if b and h and statistics.median(d[b]):
        r = statistics.median(h) / statistics.median(d[b])
        ratio = '%.2f (vs %s)' % (r, b.split('-')[1])
        if target is not None:
            met = r >= target if higher else r <= target
            goal = '%s %gx: %s' % ('≥' if higher else '≤', target,
                                    'met' if met else '**not met**')
    elif target is not None:
        goal = '%s %gx' % ('≥' if higher else '≤', target)
    return '| %s | %s | %s | %s | %s | %s | %s |' % (
        scen, metric, cell(d.get(COROS[0], [])), cell(d.get(COROS[1], [])),
        cell(h), ratio, goal)


def table_rows(rows, fo, daemons, nodes):
    out = []
    where = '1 node' if nodes == 1 else '%d nodes' % nodes
    sizes = sorted({int(r[4]) for r in rows if int(r[0]) == nodes and r[3] == 'tput1'})
    for scen, who in (('tput1', 'one sender'), ('tputall', 'all nodes sending')):
        for s in sizes:
            small = s <= 1024
            d = per_run(rows, nodes, scen, s, 'msgs' if small else 'mbs', False)
            if d:
                out.append(row('%s, throughput %s, %s' % (where, size_name(s), who),
                               'msg/s' if small else 'MB/s', d, True,
                               TPUT_TARGET.get(s)))
    every = '' if nodes == 1 else ', at every member'
    for scen, shape in (('lat1000', 'a sender thread and a dispatching thread, '
                         '1000 msg/s'),
                        ('loop', 'one thread: send, poll, dispatch, repeat')):
        for p in ('p50', 'p90', 'p99', 'max'):
            d = per_run(rows, nodes, scen, 64, p, True)
            if d:
                out.append(row('%s, latency 64 B, %s%s' % (where, shape, every),
                               p + ' µs', d, False,
                               LAT_TARGET if p in ('p50', 'p99') else None))
    for p in ('p50', 'p99'):
        d = per_run(rows, nodes, 'tput1', 64, p, True)
        if d:
            out.append(row('%s, latency 64 B at saturation (one sender)' % where,
                           p + ' µs', d))
    d = per_run(rows, nodes, 'join', 0, 'p50', True)
    if d:
        out.append(row('%s, cpg_join to own JOIN confchg' % where, 'p50 µs', d))
    for col, name in ((3, 'kill -9 to NODEDOWN at the survivors'),
                      (4, 'restart to JOIN at the survivors')):
        d = {}
        for f in fo:
            d.setdefault(f[0], []).append(float(f[col]))
        if d:
            out.append(row('%s, failover: %s' % (where, name), 'ms', d))
    rss, cpu = {}, {}
    for dm in daemons:
        if int(dm[0]) == nodes:
            rss.setdefault(dm[1], []).append(int(dm[3]) / 1024)
            cpu.setdefault(dm[1], []).append(float(dm[4]))
    if rss:
        out.append(row('%s, daemon peak RSS (largest daemon)' % where, 'MiB',
                       {k: [max(v)] for k, v in rss.items()}))
        out.append(row('%s, daemon CPU over the whole run (all daemons)' % where,
                       's', {k: [sum(v)] for k, v in cpu.items()}))
    return out


HEAD = ['| scenario | metric | corosync knet median (range) | corosync udpu median (range) '
        '| Cohort median (range) | Cohort / better corosync | target |',
        '|---|---|---|---|---|---|---|']


def daemon_table(daemons, nodes):
    out = ['| daemon | node | peak RSS (kB) | CPU seconds over the run |', '|---|---|---|---|']
    for d in daemons:
        if int(d[0]) == nodes:
            out.append('| %s | %s | %s | %s |' % (NAMES[d[1]] if d[1] in NAMES else d[1],
                                                 d[2], d[3], d[4]))
    return out


def samples(out, pattern):
    v = []
    for f in sorted(glob.glob(os.path.join(out, 'lat', pattern))):
        v.extend(float(x) for x in open(f) if x.strip())
    v.sort()
    return v


def plots(out, results, date, rows):
    """gnuplot PNGs; returns their file names (empty without gnuplot)."""
    tp = os.path.join(out, 'throughput.dat')
    series = [(1, 'tput1', '1 node'), (3, 'tput1', '3 nodes, one sender'),
              (3, 'tputall', '3 nodes, all sending')]
    cols, n = [], 1
    sizes = sorted({int(r[4]) for r in rows if r[3] == 'tput1'})
    with open(tp, 'w') as f:
        for s in sizes:
            line = [str(s)]
            for nodes, scen, _ in series:
                for impl in IMPLS:
                    v = per_run(rows, nodes, scen, s, 'mbs', False).get(impl)
                    line.append('%.3f' % statistics.median(v) if v else 'NaN')
            f.write(' '.join(line) + '\n')
    for k, (nodes, scen, title) in enumerate(series):
        for impl in IMPLS:
            n += 1
            if any(int(r[0]) == nodes and r[3] == scen and r[2] == impl for r in rows):
                cols.append("'%s' using 1:%d with linespoints lw 2 lc rgb '%s' dt %d pt %d "
                            "title '%s, %s'" % (tp, n, COLOR[impl], k + 1, 5 + 2 * k,
                                                NAMES[impl], title))
    lat_series = [('1-%s-lat1000-*', '1 node, 1000 msg/s'),
                  ('3-%s-lat1000-*', '3 nodes, 1000 msg/s, every member'),
                  ('1-%s-loop-*', '1 node, one-thread loop'),
                  ('3-%s-loop-*', '3 nodes, one-thread loop, every member'),
                  ('3-%s-tput1-64-*', '3 nodes, saturation, every member'),
                  ('1-%s-tput1-64-*', '1 node, saturation')]
    lcols = []
    for k, (pat, title) in enumerate(lat_series):
        for impl in IMPLS:
            v = samples(out, pat % impl)
            if not v:
                continue
            path = os.path.join(out, 'lat-%s-%d.dat' % (impl, k))
            step = max(1, len(v) // 4000)
            with open(path, 'w') as f:
                for i in range(0, len(v), step):
                    f.write('%.1f %.5f\n' % (v[i], (i + 1) / len(v)))
                f.write('%.1f 1\n' % v[-1])
            lcols.append("'%s' using 1:2 with lines lw 2 lc rgb '%s' dt %d title '%s, %s'"
                         % (path, COLOR[impl], k + 1, NAMES[impl], title))
    made = []
    script = []
    tpng = '%s-throughput.png' % date
    lpng = '%s-latency.png' % date
    if cols:
        script += ["set terminal pngcairo size 1000,650 font ',10'",
                   "set output '%s'" % os.path.join(results, tpng),
                   "set title 'CPG throughput delivered at every member, by message size (median of the rounds)'",
                   "set logscale xy", "set xlabel 'message size (bytes)'",
                   "set ylabel 'MB/s delivered (slowest member)'", "set grid",
                   "set key left top",
                   "set xtics ('64' 64, '1K' 1024, '16K' 16384, '64K' 65536, '1M' 1048576)",
                   'plot ' + ', '.join(cols), 'unset output']
        made.append(tpng)
    if lcols:
        script += ["reset", "set terminal pngcairo size 1000,650 font ',10'",
                   "set output '%s'" % os.path.join(results, lpng),
                   "set title 'send-to-deliver latency, 64 B messages: cumulative distribution (all rounds, all members)'",
                   "set logscale x", "set xlabel 'latency (µs)'",
                   "set ylabel 'fraction of deliveries'", "set grid", "set key right bottom",
                   "set yrange [0:1]", 'plot ' + ', '.join(lcols), 'unset output']
        made.append(lpng)
    if not script:
        return []
    try:
        subprocess.run(['gnuplot'], input='\n'.join(script) + '\n', text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print('report: gnuplot failed: %s' % e, file=sys.stderr)
        return []
    return made


def read(out, name):
    p = os.path.join(out, name)
    return open(p).read().strip() if os.path.exists(p) else ''


def failed_rows(out, name):
    """The result lines of the failed runs: shown, never in a figure."""
    rows = read_csv(os.path.join(out, name))
    if not rows:
        return []
    return (['Result lines of the failed runs (a member found a message lost or '
             'damaged, or stopped on an error; not in the figures above):', '', '```']
            + [','.join(r) for r in rows] + ['```', ''])


def load_note(out, part):
    """(sentence on the load averages at the start and end, loaded?)"""
    seen = {}
    for l in read(out, '%s-load' % part).split('\n'):
        f = l.split()
        if len(f) == 5:
            seen[f[0]] = (int(f[1]), f[2:])
    if 'start' not in seen:
        return 'Load average: not recorded.', False
    cores, start = seen['start']
    loaded = float(start[0]) > LOADED_PER_CORE * cores
    text = 'Load average (1, 5, 15 min) at the start: %s' % ' '.join(start)
    if 'end' in seen:
        text += '; at the end: %s (with the benchmark\'s own processes)' % ' '.join(seen['end'][1])
    if loaded:
        return ('**Loaded machine**: the 1-minute load average before the run was '
                'above %g per core (%d cores): other jobs shared the cores, so '
                'these figures are noisy and not those of a quiet machine. %s.'
                % (LOADED_PER_CORE, cores, text), True)
    return '%s: a quiet machine (at most %g per core before the run).' % (
        text, LOADED_PER_CORE), False


def contention(out, results, date, runs, secs):
    """`make bench-contention`: the one-thread 1 KiB flood, RUNS runs per
    system beside two CPU-bound processes."""
    rows = read_csv(os.path.join(out, 'contention.csv'))
    v = {}
    for r in rows:
        v.setdefault(r[2], []).append(float(r[COL['msgs']]))
    note, loaded = load_note(out, 'c')
    med = {k: statistics.median(x) for k, x in v.items()}
    b = better({k: x for k, x in v.items()}, True)
    md = ['# Cohort vs corosync 3.1.7: the one-thread 1 KiB flood under CPU '
          'contention (%s)%s\n' % (date, ' — loaded machine' if loaded else ''),
          'Machine: %s. %s\n' % (read(out, 'c-machine'), note),
          'Command: `make bench-contention` (`BENCH_MODE=contention bench/run.sh`): '
          'one node, each system\'s default configuration; a client of one thread '
          'sends a 1 KiB message, calls `cpg_dispatch(CS_DISPATCH_ALL)` and repeats '
          '(on `CS_ERR_TRY_AGAIN` it dispatches and sends again), %s runs of %s s '
          'per system, the systems alternating, while %s run beside it. Every '
          'message is checked (sender, sequence, length, content); msg/s is what '
          'the client delivered of its own messages.\n' % (runs, secs, read(out, 'c-background')),
          '| system | best msg/s | median msg/s | worst msg/s | worst / best |',
          '|---|---|---|---|---|']
    for k in IMPLS:
        if k in v:
            md.append('| %s | %s | %s | %s | %.2f |' % (
                NAMES[k], num(max(v[k])), num(med[k]), num(min(v[k])),
                min(v[k]) / max(v[k]) if max(v[k]) else 0))
    md.append('')
    if b and 'cohort' in v:
        md += ['Against the better corosync, %s (by median): Cohort\'s median / '
               'its median %.2f; Cohort\'s worst run / its median %.2f.\n'
               % (NAMES[b], med['cohort'] / med[b], min(v['cohort']) / med[b])]
    fails = read(out, 'c-failures')
    if fails:
        md += ['Runs that failed:', ''] + ['- ' + l for l in fails.split('\n')] + ['']
    md += failed_rows(out, 'c-failed.csv')
    md += ['Raw results (nodes,run,impl,scenario,size,node,mode,size,count,seconds,'
           'msgs_per_s,mb_per_s,p50_us,p90_us,p99_us,max_us):', '', '```']
    md += [','.join(r) for r in rows] + ['```', '']
    with open(os.path.join(results, '%s-contention.md' % date), 'w') as f:
        f.write('\n'.join(md))
    print('\n'.join(md[3:]))


def main():
    if sys.argv[1] == '--contention':
        contention(*sys.argv[2:7])
        return
    out, results, date, rounds, secs = sys.argv[1:6]
    rows = read_csv(os.path.join(out, '1-node.csv')) + read_csv(os.path.join(out, '3-nodes.csv'))
    fo = read_csv(os.path.join(out, '3-failover.csv'))
    daemons = read_csv(os.path.join(out, '1-daemons.csv')) + read_csv(os.path.join(out, '3-daemons.csv'))
    fails = read(out, 'failures')
    pngs = plots(out, results, date, rows)
    parts = []
    loaded_any = False
    for nodes, fname, csvname, title in (
            (1, 'one-node', '1-node.csv', 'one node'),
            (3, '3-nodes', '3-nodes.csv', 'three nodes in network namespaces')):
        body = table_rows(rows, fo if nodes == 3 else [], daemons, nodes)
        if not body:
            continue
        parts.append(body)
        note, loaded = load_note(out, str(nodes))
        loaded_any = loaded_any or loaded
        md = ['# Cohort vs corosync 3.1.7, %s (%s)%s\n' % (
            title, date, ' — loaded machine' if loaded else '')]
        md.append('Machine: %s. %s\n' % (read(out, '%d-machine' % nodes), note))
        md.append('Command: `make bench` (`BENCH_NODES=%d` for this part alone), '
                  '%s rounds of %s s per run, the three systems alternating (A B C '
                  'in odd rounds, C B A in even ones) scenario by scenario.\n'
                  % (nodes, rounds, secs))
        md.append(NOTES[nodes])
        md.append(TARGETS)
        md += HEAD + body + ['']
        md += daemon_table(daemons, nodes) + ['']
        if nodes == 3 and fo:
            md += ['Failover rounds (impl,round,victim,detect_ms,rejoin_ms,CPG reason '
                   'of the leave):', '', '```'] + [','.join(f) for f in fo] + ['```', '']
        if pngs:
            md += ['Plots (both parts): ' + ', '.join('`%s`' % p for p in pngs), '']
        if fails:
            md += ['Runs that failed (command, what was seen):', '']
            md += ['- ' + l for l in fails.split('\n')] + ['']
        md += failed_rows(out, '%d-failed.csv' % nodes)
        md += ['Raw results (nodes,round,impl,scenario,size,node,mode,size,count,seconds,'
               'msgs_per_s,mb_per_s,p50_us,p90_us,p99_us,max_us):', '', '```']
        md += [','.join(r) for r in rows if int(r[0]) == nodes] + ['```', '']
        if nodes == 3:
            for c in ['%s.conf' % i for i in IMPLS]:
                md += ['%s:' % c, '', '```', read(out, c), '```', '']
        with open(os.path.join(results, '%s-%s.md' % (date, fname)), 'w') as f:
            f.write('\n'.join(md))
    if loaded_any:
        print('LOADED MACHINE: see the load averages in the results files.')
    print('\n'.join(HEAD + [r for p in parts for r in p]))
    if fails:
        print('\nFAILED runs:\n' + fails)


NOTES = {
    1: ('One `cohortd` and two `corosync`, one with transport knet and one with '
        'udpu, each with its default configuration (corosync: a nodelist of '
        '127.0.0.1, crypto off; Cohort: no configuration file), no timing key '
        'set; each corosync in its own network namespace. Throughput: one '
        'process sends flat out from one thread and delivers its own messages '
        'in a second one; latency: send to own delivery, with that client at '
        '1000 msg/s and with the one-thread loop (send one message, poll, '
        '`cpg_dispatch`, until it came back). Every message is checked '
        '(sender, sequence, length, content); a run that finds one lost or '
        'damaged is listed under the failed runs, not averaged in.\n'),
    3: ('Three `cohortd` and twice three `corosync` (transport knet; transport '
        'udpu), each node in its own network namespace, all on one bridge; all '
        'clusters up for the whole run. The shared timing knobs, in every '
        'configuration: `token: 1000`, `token_coefficient: 0` (consensus 1200 ms); '
        'no encryption (`crypto_cipher: none`, `crypto_hash: none`); everything '
        'else at each system\'s default (the files are below). '
        'Throughput is what the slowest member '
        'delivered (msg/s or MB/s from the moment the group was complete to its last '
        'delivery); latency is send (CLOCK_REALTIME in the payload) to delivery at each '
        'member, the worst member\'s percentile per run. Every member checks every '
        'message (sender, per-sender sequence, length, content). All nine daemons and '
        'all clients share the machine\'s cores, so this measures CPU cost per '
        'message as much as protocol behaviour.\n'),
}

TARGETS = ('Cohort is compared per figure with the better of the two corosync '
           'runs (the higher median throughput, the lower median of the rest). '
           'Targets: throughput at least %s; send-to-delivery latency p50 and '
           'p99 at most %gx, for both client shapes.\n'
           % (', '.join('%dx at %s' % (v, size_name(k)) for k, v in sorted(TPUT_TARGET.items())),
              LAT_TARGET))

if __name__ == '__main__':
    main()
