#!/usr/bin/env bash
# t_fuzz.sh [BUILD] [SECONDS]: builds every tests/fuzz/fuzz_*.c that names
# its sources in a "FUZZ_SOURCES:" line (and its libraries in an optional
# "FUZZ_LIBS:" line) with libFuzzer (clang, ASan, UBSan)
# and runs each for SECONDS (default 3; `make fuzz FUZZ_SECONDS=600` runs
# longer) from its seed corpus in tests/fuzz/corpus/<name>. A crash fails.
# run-suite: beside-batch
set -euo pipefail
B=${1:-build}
SECS=${2:-${FUZZ_SECONDS:-3}}
[ -n "${COHORT_SAN:-}" ] && { echo "fuzz targets run once, in the normal pass (they are sanitized builds already)"; exit 77; }
command -v clang >/dev/null || { echo "clang is not installed (tests/scripts/deps.sh installs it)"; exit 77; }
OUT=$(mktemp -d /tmp/cohort-fuzz.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
SAN=(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
CFLAGS=(-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer-no-link "${SAN[@]}" -Iinclude -Isrc)

# The targets, and every source file they name: each file is compiled
# once, two at a time, whatever number of targets share it; compiling is
# most of this script's cost. obj FILE: where its object goes.
obj() { echo "$OUT/obj/${1%.c}.o"; }
targets=()
declare -A files=() sources=()   # sources[TARGET]: the files it names
for src in tests/fuzz/fuzz_*.c; do
	grep -q '^ \* FUZZ_SOURCES: ' "$src" || continue
	targets+=("$src")
	sources[$src]=$(sed -n 's/^ \* FUZZ_SOURCES: //p' "$src")
	for f in "$src" ${sources[$src]}; do files[$f]=1; done
done
for f in "${!files[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || true; done
	o=$(obj "$f")
	mkdir -p "$(dirname "$o")"
	clang "${CFLAGS[@]}" -c "$f" -o "$o" 2>"$o.err" &
done
wait

# One target: linked from its objects, then run from its seed corpus;
# its verdict in $OUT/NAME.rc, what it printed in $OUT/NAME.out.
one() {  # source file
	local src=$1 f objs=() libs name corpus
	libs=$(sed -n 's/^ \* FUZZ_LIBS: //p' "$src")
	name=$(basename "$src" .c); name=${name#fuzz_}
	{
		for f in "$src" ${sources[$src]}; do
			[ -e "$(obj "$f")" ] || { cat "$(obj "$f").err"; echo "$f does not compile"; }
			objs+=("$(obj "$f")")
		done
		clang -fsanitize=fuzzer "${SAN[@]}" -o "$OUT/$name" "${objs[@]}" $libs ||
		    { echo "fuzz target $name does not build"; echo 1 >"$OUT/$name.rc"; return; }
		corpus="$OUT/corpus-$name"
		mkdir -p "$corpus"
		[ -d "tests/fuzz/corpus/$name" ] && cp tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
		echo "fuzzing $name for ${SECS}s"
		if "$OUT/$name" -max_total_time="$SECS" -print_final_stats=1 "$corpus" 2>"$OUT/$name.log"; then
			grep -E "stat::number_of_executed_units" "$OUT/$name.log" | sed "s/^/$name: /"
			echo 0 >"$OUT/$name.rc"
		else
			tail -n 60 "$OUT/$name.log"; echo "fuzz target $name failed"
			echo 1 >"$OUT/$name.rc"
		fi
	} >"$OUT/$name.out" 2>&1
}

# Two targets at a time.
names=()
for src in "${targets[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || true; done
	one "$src" &
	n=$(basename "$src" .c); names+=("${n#fuzz_}")
done
wait
ran=0 failed=0
for name in "${names[@]}"; do
	cat "$OUT/$name.out"
	if [ "$(cat "$OUT/$name.rc" 2>/dev/null)" = 0 ]; then
		ran=$((ran + 1))
	else
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ] || { echo "$failed fuzz target(s) failed"; exit 1; }
echo "$ran fuzz targets ran clean"
