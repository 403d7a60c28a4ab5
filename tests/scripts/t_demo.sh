#!/usr/bin/env bash
# t_demo.sh BUILD: `make demo` works: three nodes on loopback, listeners
# on every node print the same order, a killed node's member leaves with
# NODEDOWN, a paused node's member comes back with NODEUP, and nothing is
# left running.
set -euo pipefail
B=${1:-build}
out=$(bash tests/scripts/demo.sh "$B" 2>&1) || { echo "$out"; echo "demo failed"; exit 1; }
for want in "carol on node 3: hello both" "same order on all three nodes" \
    "nodedown" "nodeup" "I am back" "done: nothing left running"; do
	grep -q "$want" <<<"$out" || { echo "$out"; echo "demo output lacks: $want"; exit 1; }
done
echo "demo ran to completion"
