#!/usr/bin/env bash
# pacemaker.sh [BUILD] [ROUNDS]: Debian's Pacemaker on three nodes of
# Cohort and of Debian's corosync 3.1.7, in the same harness
# (tests/pacemaker/pcmk.sh), ROUNDS times each (default 3), alternating
# (corosync, cohort, corosync, ...), so that a change in the machine's
# load falls on both. Writes bench/results/<date>-pacemaker.md: per step,
# the median and the range of each implementation, with the command and
# every run's figures. Needs root (namespaces), Debian's pacemaker,
# pacemaker-cli-utils and corosync. A run that fails stops the bench.
set -euo pipefail
B=${1:-build}
ROUNDS=${2:-3}
cd "$(dirname "$0")/.."
OUT=bench/results/$(date -u +%Y-%m-%d)-pacemaker.md
CSV=$(mktemp /tmp/cohort-pcmk-bench.XXXXXX)
trap 'rm -f "$CSV"' EXIT

for r in $(seq 1 "$ROUNDS"); do
	for impl in corosync cohort; do
		echo "[$(date +%H:%M:%S)] round $r: $impl" >&2
		rc=0
		bash tests/pacemaker/pcmk.sh "$B" "$impl" "$CSV" >&2 || rc=$?
		[ "$rc" -eq 0 ] || { echo "pacemaker.sh: the $impl run failed (exit $rc)" >&2; exit 1; }
	done
done

python3 - "$CSV" "$ROUNDS" "$B" >"$OUT" <<'PY'
import sys, statistics, platform, subprocess
csv, rounds, build = sys.argv[1], sys.argv[2], sys.argv[3]
runs = {}
order = []
for line in open(csv):
    impl, step, secs = line.strip().split(",")
    if step not in order:
        order.append(step)
    runs.setdefault((impl, step), []).append(float(secs))
def cell(v):
    return "%.1f (%.1f-%.1f)" % (statistics.median(v), min(v), max(v)) if v else "-"
pkg = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "pacemaker"], capture_output=True, text=True).stdout
coro = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "corosync"], capture_output=True, text=True).stdout
print("# Pacemaker on three nodes: Cohort and corosync 3.1.7\n")
print("Command: `bash bench/pacemaker.sh %s %s` (as root), %s rounds, each" % (build, rounds, rounds))
print("round a corosync run then a Cohort run of `tests/pacemaker/pcmk.sh`")
print("(Debian's pacemaker %s; corosync %s with its default token;" % (pkg, coro))
print("Cohort with its defaults), on this %d-core machine (%s), with the other" % (len(__import__("os").sched_getaffinity(0)), platform.release()))
print("sessions' work running beside it. The harness's corosync.conf is the same")
print("for both (transport knet, crypto off). Seconds, median (min-max). Steps:")
print("start: the daemons started to 3 nodes online with a DC in every")
print("node's crm_mon (mostly Pacemaker's dc-deadtime); resource: a Dummy")
print("created to started; failover: kill -9 of the cluster daemon on the")
print("Dummy's node to the Dummy started on a survivor; rejoin: that node's")
print("stack restarted to 3 online; partition: one node cut off to the two")
print("keeping quorum and the Dummy and the one losing quorum; heal: the")
print("link back to 3 online with one DC everywhere.\n")
print("| step | corosync 3.1.7 | Cohort |")
print("|---|---|---|")
for step in order:
    print("| %s | %s | %s |" % (step, cell(runs.get(("corosync", step), [])), cell(runs.get(("cohort", step), []))))
print("\nEvery run:\n")
print("| step | corosync | Cohort |")
print("|---|---|---|")
for step in order:
    print("| %s | %s | %s |" % (step, ", ".join("%.1f" % x for x in runs.get(("corosync", step), [])),
                               ", ".join("%.1f" % x for x in runs.get(("cohort", step), []))))
PY
echo "wrote $OUT" >&2
