#!/usr/bin/env bash
# t_evs.sh BUILD: the history checker catches each invariant's violation.
# run-suite: beside-batch
set -euo pipefail
B=${1:-build}
"$B/tests/evs/evscheck" --selftest
