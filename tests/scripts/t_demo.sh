#!/usr/bin/env bash
# t_demo.sh BUILD: `make demo` works: two clients see the same joins,
# messages in the same order, and the killed one's PROCDOWN; nothing is
# left running.
set -euo pipefail
B=${1:-build}
out=$(bash tests/scripts/demo.sh "$B" 2>&1) || { echo "$out"; echo "demo failed"; exit 1; }
for want in "hello from carol" "second message" "procdown" "done: nothing left running"; do
	grep -q "$want" <<<"$out" || { echo "$out"; echo "demo output lacks: $want"; exit 1; }
done
echo "demo ran to completion"
