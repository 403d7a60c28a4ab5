#!/usr/bin/env bash
# t_cluster_chaos.sh BUILD: the chaos soak (tests/cluster/chaos.sh) for
# 45 s: five nodes on two networks, a seeded random mix of kills,
# restarts, pauses, partitions, one-way and random loss, faults of one
# link (down, one-way, lossy), clients joining, leaving and
# sending, every history checked at the end, in the normal pass. The
# schedule is seed 670737370's unless CHAOS_SEED names another (or
# "random"). `make soak` runs it longer, with a seed drawn each time.
set -uo pipefail
B=${1:-build}
# The sanitizer pass runs every other cluster test; a 60 s chaos run took
# 300 s there, more than make check's budget allows.
[ "${COHORT_SAN:-}" = 1 ] && { echo "the chaos soak runs in the normal pass only (under ASan 60 s of it took 300 s)"; exit 77; }
# A fixed schedule by default (one that passed, docs/reliability.md), so
# that make check is the same run every time; CHAOS_SEED=random draws one.
seed=${CHAOS_SEED:-670737370}
[ "$seed" = random ] && seed=
exec bash tests/cluster/chaos.sh "$B" "${CHAOS_SECONDS:-45}" ${seed:+"$seed"}
