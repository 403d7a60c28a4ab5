#!/usr/bin/env bash
# t_pacemaker.sh BUILD: Debian's Pacemaker, unmodified, on three Cohort
# nodes (tests/pacemaker/pcmk.sh with IMPL=cohort: start, a Dummy
# resource, failover after kill -9 of cohortd, rejoin, partition and
# heal, node names and ids). Skips (77) when not root or when Debian's
# pacemaker and pacemaker-cli-utils are not installed (the harness says
# which). The harness's time is mostly Pacemaker's own (its DC election
# waits dc-deadtime, 20 s); under the sanitizers it is not run: the
# daemon and libraries it drives run sanitized in the API and cluster
# tests, and Pacemaker's timers would not scale down with them.
set -uo pipefail
B=${1:-build}
[ "${COHORT_SAN:-}" = 1 ] && { echo "Pacemaker runs in the normal pass only (its timers do not scale down under the sanitizers)"; exit 77; }
exec bash tests/pacemaker/pcmk.sh "$B" cohort
