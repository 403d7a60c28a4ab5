#!/usr/bin/env python3
"""bench/linkreport.py OUT RESULTS DATE ROUNDS RATE SECS CUT_AT HOLD: the
report of bench/linkfail.sh.

Reads OUT/linkfail.csv (config,impl,round,gap_cut_ms,route_ms,down_ms,
gap_back_ms,back_ms,new_ring,confchg,check), OUT/linkfail-machine and
OUT/failures, prints one markdown table (median and range of the rounds
per configuration and system) and writes RESULTS/DATE-link-failover.md
with the command, the machine, the table, the configurations and the raw
data (linkfail.csv, linkfail-timing, linkfail.raw). A time of "-" (the
state was not reached) is left out of the median and counted in the
table.
"""
import os
import statistics
import sys

IMPLS = ('corosync', 'cohort')
NAMES = {'corosync': 'corosync 3.1.7 (knet)', 'cohort': 'Cohort'}
CONFIGS = {'default': 'each system\'s default timing',
           'token1000': 'token 1000 ms, token_coefficient 0 for both'}
METRICS = (('gap_cut_ms', 'longest gap at a member, cut'),
           ('route_ms', 'cut to traffic on link 1'),
           ('down_ms', 'cut to link 0 shown down'),
           ('gap_back_ms', 'longest gap at a member, restore'),
           ('back_ms', 'restore to traffic on link 0'))


def cell(vals):
    nums = [float(v) for v in vals if v != '-']
    missing = len(vals) - len(nums)
    if not nums:
        return 'not reached (%d)' % missing
    s = '%.0f (%.0f–%.0f)' % (statistics.median(nums), min(nums), max(nums))
    if missing:
        s += ', %d not reached' % missing
    return s


def main():
    out, results, date, rounds, rate, secs, cut_at, hold = sys.argv[1:9]
    lines = [l.strip() for l in open(os.path.join(out, 'linkfail.csv')) if l.strip()]
    head = lines[0].split(',')
    rows = [dict(zip(head, l.split(','))) for l in lines[1:]]
    table = ['| configuration | system | runs | ' +
             ' | '.join(m[1] + ' (ms)' for m in METRICS) +
             ' | runs with a new ring | runs with a confchg | runs with a failed check |',
             '|' + '---|' * (len(METRICS) + 6)]
    for cfg in CONFIGS:
        for impl in IMPLS:
            rs = [r for r in rows if r['config'] == cfg and r['impl'] == impl]
            if not rs:
                continue
            table.append('| %s | %s | %d | %s | %d | %d | %d |' % (
                cfg, NAMES[impl], len(rs),
                ' | '.join(cell([r[m[0]] for r in rs]) for m in METRICS),
                sum(r['new_ring'] == 'yes' for r in rs),
                sum(r['confchg'] == 'yes' for r in rs),
                sum(r['check'] != 'ok' for r in rs)))
    table = '\n'.join(table)
    print(table)
    machine = open(os.path.join(out, 'linkfail-machine')).read().strip()
    fpath = os.path.join(out, 'failures')
    failures = open(fpath).read().strip() if os.path.exists(fpath) else ''
    confs = []
    for cfg in CONFIGS:
        for impl in IMPLS:
            p = os.path.join(out, 'linkfail-%s-%s.conf' % (cfg, 'cohort' if impl == 'cohort' else 'corosync'))
            if os.path.exists(p):
                confs.append('%s, %s:\n\n```\n%s```\n' % (cfg, NAMES[impl], open(p).read()))
    with open(os.path.join(results, '%s-link-failover.md' % date), 'w') as f:
        f.write('# Link failover, 3 nodes on two networks: Cohort and corosync 3.1.7 with knet (%s)\n\n' % date)
        f.write('Command: `ROUNDS=%s make bench-links` (as root),\n'
                'LF_RATE=%s, LF_SECS=%s, LF_CUT_AT=%s, LF_HOLD=%s.\n\n' % (rounds, rate, secs, cut_at, hold))
        f.write('Machine: %s.\n\n' % machine)
        f.write(
            'Method (bench/linkfail.sh): three nodes of each system, each node in\n'
            'its own network namespace with two veths, eth0 on the link 0 bridge and\n'
            'eth1 on the link 1 bridge; transport knet, link_mode passive, no\n'
            'encryption. Every node runs one cohort-bench member sending %s\n'
            'messages of 64 B per second for %s s; every member checks every\n'
            'message (nothing lost, duplicated or reordered) and reports every\n'
            'gap in its deliveries over 20 ms. %s s into the traffic, node 3\'s\n'
            'port on the link 0 bridge is set down (nothing passes either way,\n'
            'the same for both systems); %s s after the cut it is set up again.\n'
            'The two systems alternate in each round (A B, then B A).\n\n'
            '- longest gap, cut / restore: the longest time between two\n'
            '  deliveries at any member, between the cut and the restore / after\n'
            '  the restore (20: no gap over the report threshold of 20 ms).\n'
            '- cut to traffic on link 1: until node 3\'s traffic to both peers\n'
            '  takes link 1. Cohort: `cohortctl status` node.N.links_in_use; corosync:\n'
            '  knet in passive mode moves traffic off a link only once it is down,\n'
            '  so this is link 0 shown disconnected from both peers by\n'
            '  `corosync-cfgtool -s` on node 3.\n'
            '- cut to link 0 shown down: link 0 disconnected from both peers in\n'
            '  node 3\'s link view (`cohortctl links`, `corosync-cfgtool -s`).\n'
            '- restore to traffic on link 0: the same tools, back on link 0.\n'
            '- new ring: the ring was re-formed at a node during the run (Cohort:\n'
            '  `cohortctl status` ring_id or stat.configurations changed;\n'
            '  corosync: a new "A new membership" line in a daemon\'s log): the\n'
            '  token was lost, even if the same three nodes came back.\n'
            '- confchg: a member saw a configuration change during its run (a\n'
            '  failure of the link failover). Check: a member\'s check failed.\n'
            'The times are those of polling the tools every 10 ms or so (each poll\n'
            'starts a process in a namespace): a few tens of ms of resolution.\n\n'
            % (rate, secs, cut_at, hold))
        f.write('Median (range) of the rounds:\n\n%s\n\n' % table)
        tpath = os.path.join(out, 'linkfail-timing')
        if os.path.exists(tpath):
            f.write('Effective timing (corosync-cmapctl runtime values, cohortd -t; ms):\n\n```\n%s```\n\n'
                    % open(tpath).read())
        if failures:
            f.write('Failures noted by the run:\n\n```\n%s\n```\n\n' % failures)
        f.write('Configurations:\n\n%s\n' % '\n'.join(confs))
        f.write('Raw data (bench/results/tmp/linkfail.csv):\n\n```\n%s\n```\n' % '\n'.join(lines))
        rpath = os.path.join(out, 'linkfail.raw')
        if os.path.exists(rpath):
            f.write('\nWhat each member reported (linkfail.raw: its gaps over 20 ms with the\n'
                    'CLOCK_REALTIME stamp of the delivery that ended each, its longest gap):\n\n'
                    '```\n%s```\n' % open(rpath).read())


if __name__ == '__main__':
    main()
