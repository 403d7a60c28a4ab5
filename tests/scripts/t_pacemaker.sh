#!/usr/bin/env bash
# t_pacemaker.sh BUILD: Debian's Pacemaker, unmodified, on three Cohort
# nodes (tests/pacemaker/pcmk.sh with IMPL=cohort: start, a Dummy
# resource, failover after kill -9 of cohortd, rejoin, partition and
# heal, node names and ids). Skips (77) when not root or when Debian's
# pacemaker and pacemaker-cli-utils are not installed (the harness says
# which). The harness's time is mostly Pacemaker's own: its first DC
# election waits dc-deadtime, set to 2 s here (PCMK_DC_DEADTIME, a CIB
# seeded on every node) rather than Pacemaker's default 20 s, a wait that
# would only idle. Under the sanitizers it is not run: the daemon and
# libraries it drives run sanitized in the API and cluster tests, and
# Pacemaker's timers would not scale down with them.
set -uo pipefail
B=${1:-build}
[ "${COHORT_SAN:-}" = 1 ] && { echo "Pacemaker runs in the normal pass only (its timers do not scale down under the sanitizers)"; exit 77; }
PCMK_DC_DEADTIME=${PCMK_DC_DEADTIME:-2s} exec bash tests/pacemaker/pcmk.sh "$B" cohort
