#!/usr/bin/env bash
# t_fuzz.sh [BUILD] [SECONDS]: builds every tests/fuzz/fuzz_*.c that names
# its sources in a "FUZZ_SOURCES:" line with libFuzzer (clang, ASan, UBSan)
# and runs each for SECONDS (default 5; `make fuzz FUZZ_SECONDS=600` runs
# longer) from its seed corpus in tests/fuzz/corpus/<name>. A crash fails.
set -euo pipefail
B=${1:-build}
SECS=${2:-${FUZZ_SECONDS:-5}}
[ -n "${COHORT_SAN:-}" ] && { echo "fuzz targets run once, in the normal pass (they are sanitized builds already)"; exit 77; }
command -v clang >/dev/null || { echo "clang is not installed (tests/scripts/deps.sh installs it)"; exit 77; }
OUT=$(mktemp -d /tmp/cohort-fuzz.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
ran=0
for src in tests/fuzz/fuzz_*.c; do
	srcs=$(sed -n 's/^ \* FUZZ_SOURCES: //p' "$src")
	libs=$(sed -n 's/^ \* FUZZ_LIBS: //p' "$src")
	[ -n "$srcs" ] || continue
	name=$(basename "$src" .c); name=${name#fuzz_}
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -Iinclude -Isrc -o "$OUT/$name" "$src" $srcs $libs
	corpus="$OUT/corpus-$name"
	mkdir -p "$corpus"
	[ -d "tests/fuzz/corpus/$name" ] && cp tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
	echo "fuzzing $name for ${SECS}s"
	"$OUT/$name" -max_total_time="$SECS" -print_final_stats=1 "$corpus" 2>"$OUT/$name.log" || {
		tail -n 60 "$OUT/$name.log"; echo "fuzz target $name failed"; exit 1; }
	grep -E "stat::number_of_executed_units" "$OUT/$name.log" | sed "s/^/$name: /"
	ran=$((ran + 1))
done
echo "$ran fuzz targets ran clean"
