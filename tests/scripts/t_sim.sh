#!/usr/bin/env bash
# t_sim.sh BUILD: the deterministic simulator over many seeded scenarios
# (2 to 16 nodes, loss, duplication, reordering, partitions, crashes,
# pauses), every history checked against the EVS invariants. The seeds
# are split over two processes (two cores). Under the sanitizers fewer
# seeds run. The long mode is `make sim-long` (100000 seeds).
set -euo pipefail
B=${1:-build}
N=${SIM_SEEDS:-1500}
[ -n "${COHORT_SAN:-}" ] && N=${SIM_SEEDS_SAN:-50}
half=$((N / 2))
out=$(mktemp -d /tmp/cohort-sim.XXXXXX)
trap 'rm -rf "$out"' EXIT
"$B/tests/sim/sim" -q --seeds "1-$half" >"$out/a" 2>&1 & pa=$!
"$B/tests/sim/sim" -q --seeds "$((half + 1))-$N" >"$out/b" 2>&1 & pb=$!
rc=0
wait $pa || rc=1
wait $pb || rc=1
cat "$out/a" "$out/b"
exit $rc
