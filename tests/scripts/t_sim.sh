#!/usr/bin/env bash
# t_sim.sh BUILD: the deterministic simulator over many seeded scenarios
# (2 to 16 nodes, loss, duplication, reordering, partitions, crashes,
# pauses), every history checked against the EVS invariants, and a few
# rings of 32 and 64 nodes (SIM_LARGE_SEEDS each; more in the long
# mode). The seeds are split over two processes (two cores). Under the
# sanitizers fewer seeds run, and the large rings at 32 nodes only (one
# 64-node scenario takes about 25 s there; the normal pass runs them).
# The long mode is `make sim-long` (100000 seeds, and
# SIM_LARGE_SEEDS=200).
# run-suite: beside-batch
set -euo pipefail
B=${1:-build}
N=${SIM_SEEDS:-1000}
L=${SIM_LARGE_SEEDS:-3}
L64=$L
[ -n "${COHORT_SAN:-}" ] && N=${SIM_SEEDS_SAN:-24} L=${SIM_LARGE_SEEDS_SAN:-1} L64=0
half=$((N / 2))
out=$(mktemp -d /tmp/cohort-sim.XXXXXX)
trap 'rm -rf "$out"' EXIT
# One process: the first half of the seeds, then the 32-node rings; the
# other: the second half, then the 64-node rings.
{ "$B/tests/sim/sim" -q --seeds "1-$half" &&
    "$B/tests/sim/sim" -q --nodes 32 --seeds "1-$L"; } >"$out/a" 2>&1 & pa=$!
{ "$B/tests/sim/sim" -q --seeds "$((half + 1))-$N" &&
    { [ "$L64" -eq 0 ] || "$B/tests/sim/sim" -q --nodes 64 --seeds "1-$L64"; }; } >"$out/b" 2>&1 & pb=$!
rc=0
wait $pa || rc=1
wait $pb || rc=1
cat "$out/a" "$out/b"
exit $rc
