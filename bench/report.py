#!/usr/bin/env python3
"""bench/report.py OUT RESULTS DATE ROUNDS SECONDS: the benchmark's report.

Reads what bench/run.sh (one node) and bench/cluster.sh (three nodes) left
in OUT, prints one markdown table (corosync, Cohort, Cohort/corosync, the
median and range of the rounds) and writes, under RESULTS:
DATE-one-node.md and DATE-3-nodes.md (the table's part, the daemons'
peak RSS and CPU seconds, the machine, failures and the raw CSV),
DATE-throughput.png and DATE-latency.png (gnuplot).

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

IMPLS = ('corosync', 'cohort')
NAMES = {'corosync': 'corosync', 'cohort': 'Cohort'}
SIZE_NAMES = {64: '64 B', 1024: '1 KiB', 16384: '16 KiB', 65536: '64 KiB',
              1048576: '1 MiB'}
COLOR = {'corosync': '#c0392b', 'cohort': '#2471a3'}
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


def row(scen, metric, d):
    c, h = d.get('corosync', []), d.get('cohort', [])
    ratio = '-'
    if c and h and statistics.median(c):
        ratio = '%.2f' % (statistics.median(h) / statistics.median(c))
    return '| %s | %s | %s | %s | %s |' % (scen, metric, cell(c), cell(h), ratio)


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
                               'msg/s' if small else 'MB/s', d))
    for p in ('p50', 'p90', 'p99', 'max'):
        d = per_run(rows, nodes, 'lat1000', 64, p, True)
        if d:
            out.append(row('%s, latency 64 B at 1000 msg/s%s' % (
                where, '' if nodes == 1 else ', at every member'), p + ' µs', d))
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


HEAD = ['| scenario | metric | corosync median (range) | Cohort median (range) | Cohort/corosync |',
        '|---|---|---|---|---|']


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


def main():
    out, results, date, rounds, secs = sys.argv[1:6]
    rows = read_csv(os.path.join(out, '1-node.csv')) + read_csv(os.path.join(out, '3-nodes.csv'))
    fo = read_csv(os.path.join(out, '3-failover.csv'))
    daemons = read_csv(os.path.join(out, '1-daemons.csv')) + read_csv(os.path.join(out, '3-daemons.csv'))
    fails = read(out, 'failures')
    pngs = plots(out, results, date, rows)
    parts = []
    for nodes, fname, csvname, title in (
            (1, 'one-node', '1-node.csv', 'one node'),
            (3, '3-nodes', '3-nodes.csv', 'three nodes in network namespaces')):
        body = table_rows(rows, fo if nodes == 3 else [], daemons, nodes)
        if not body:
            continue
        parts.append(body)
        md = ['# Cohort vs corosync 3.1.7, %s (%s)\n' % (title, date)]
        md.append('Machine: %s. Command: `make bench` (`BENCH_NODES=%d` for this part '
                  'alone), %s rounds of %s s per run, the two systems alternating '
                  '(A B in odd rounds, B A in even ones) scenario by scenario.\n'
                  % (read(out, '%d-machine' % nodes), nodes, rounds, secs))
        md.append(NOTES[nodes])
        md.append('With a load average above the core count (other jobs on the '
                  'machine) the figures are noisy: the ranges matter, not only the '
                  'medians, and a run on a quiet machine is the one to quote.\n')
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
        md += ['Raw results (nodes,round,impl,scenario,size,node,mode,size,count,seconds,'
               'msgs_per_s,mb_per_s,p50_us,p90_us,p99_us,max_us):', '', '```']
        md += [','.join(r) for r in rows if int(r[0]) == nodes] + ['```', '']
        if nodes == 3:
            for c in ('corosync.conf', 'cohort.conf'):
                md += ['%s:' % c, '', '```', read(out, c), '```', '']
        with open(os.path.join(results, '%s-%s.md' % (date, fname)), 'w') as f:
            f.write('\n'.join(md))
    print('\n'.join(HEAD + [r for p in parts for r in p]))
    if fails:
        print('\nFAILED runs:\n' + fails)


NOTES = {
    1: ('One `cohortd` and one `corosync` (knet, crypto off, Debian\'s defaults); '
        'throughput: one process sends flat out and delivers its own messages; '
        'latency: send to own delivery. Every message is checked.\n'),
    3: ('Three `cohortd` and three `corosync`, each node in its own network '
        'namespace, all on one bridge; both clusters up for the whole run. Both: '
        '`token: 1000`, `token_coefficient: 0` (consensus 1200 ms), no encryption '
        '(`crypto_cipher: none`, `crypto_hash: none`), transport knet for both (the '
        'default of both: 64 KiB totem datagrams cut into frames of the 1500-byte '
        'MTU, by kronosnet for corosync, by Cohort\'s own transport for Cohort). '
        'Throughput is what the slowest member '
        'delivered (msg/s or MB/s from the moment the group was complete to its last '
        'delivery); latency is send (CLOCK_REALTIME in the payload) to delivery at each '
        'member, the worst member\'s percentile per run. Every member checks every '
        'message (per-sender sequence, length, content). All six daemons and all '
        'clients share the machine\'s cores, so this measures CPU cost per message as '
        'much as protocol behaviour.\n'),
}

if __name__ == '__main__':
    main()
