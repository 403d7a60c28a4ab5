#!/usr/bin/env bash
# t_api_coverage.sh BUILD: every exported function has an API test and a
# man page; libcpg exports exactly the 20 cpg_* functions, all at version
# COROSYNC_CPG_1.0, with soname libcpg.so.4. Each service library built
# from src/lib/NAME/ (libcmap, libquorum, libvotequorum, libcfg) exports
# exactly the functions its version script lists, all at its version
# node, under its soname, each with tests/api/api_FUNCTION.c and
# man/FUNCTION.3.
# run-suite: beside-batch
set -euo pipefail
B=${1:-build}
fail=0
cpg=$(nm -D --defined-only "$B/lib/libcpg.so.4" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort -u)
common=$(nm -D --defined-only "$B/lib/libcorosync_common.so.4" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort -u)
n=$(echo "$cpg" | wc -l)
dyn=$(objdump -T "$B/lib/libcpg.so.4")
rd_cpg=$(readelf -d "$B/lib/libcpg.so.4")
rd_common=$(readelf -d "$B/lib/libcorosync_common.so.4")
[ "$n" -eq 20 ] || { echo "libcpg exports $n functions, want 20:"; echo "$cpg"; fail=1; }
for f in $cpg; do
	case $f in cpg_*) ;; *) echo "libcpg exports $f"; fail=1 ;; esac
	grep -q "COROSYNC_CPG_1.0 *$f\$" <<<"$dyn" ||
	    { echo "$f is not at version COROSYNC_CPG_1.0"; fail=1; }
done
grep -q 'SONAME.*\[libcpg.so.4\]' <<<"$rd_cpg" || { echo "soname is not libcpg.so.4"; fail=1; }
grep -q 'SONAME.*\[libcorosync_common.so.4\]' <<<"$rd_common" || { echo "bad libcorosync_common soname"; fail=1; }
for f in $cpg; do
	[ -f "tests/api/api_$f.c" ] || { echo "no API test tests/api/api_$f.c"; fail=1; }
	[ -f "man/$f.3" ] || { echo "no man page man/$f.3"; fail=1; }
done
for f in $common; do
	grep -q "$f" tests/api/api_cs_strerror.c || { echo "$f not tested in api_cs_strerror.c"; fail=1; }
	[ -f "man/$f.3" ] || { echo "no man page man/$f.3"; fail=1; }
done
for p in cpg_overview.3 cohortd.8 cohortctl.8 cohort.conf.5; do
	[ -f "man/$p" ] || { echo "no man page man/$p"; fail=1; }
done
svc_libs=0
for vs in src/lib/*/lib*.versions; do
	[ -f "$vs" ] || continue
	name=$(basename "$vs" .versions)
	so=$(ls "$B/lib/$name".so.[0-9]* 2>/dev/null | head -n 1)
	[ -n "$so" ] || { echo "$name is not built ($vs exists)"; fail=1; continue; }
	node=$(awk '/^[A-Z_0-9.]+ *\{/ {print $1; exit}' "$vs")
	listed=$(sed -n 's/^[[:space:]]*\([a-z_0-9]*\);$/\1/p' "$vs" | sort -u)
	exported=$(nm -D --defined-only "$so" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort -u)
	[ "$listed" = "$exported" ] || { echo "$name exports other functions than $vs lists:";
	    diff <(echo "$listed") <(echo "$exported") || true; fail=1; }
	dyn=$(objdump -T "$so")
	grep -q "SONAME.*\[$(basename "$so")\]" <<<"$(readelf -d "$so")" ||
	    { echo "$so: soname is not $(basename "$so")"; fail=1; }
	for f in $exported; do
		grep -q "$node *$f\$" <<<"$dyn" || { echo "$f is not at version $node"; fail=1; }
		[ -f "tests/api/api_$f.c" ] || { echo "no API test tests/api/api_$f.c"; fail=1; }
		[ -f "man/$f.3" ] || { echo "no man page man/$f.3"; fail=1; }
	done
	svc_libs=$((svc_libs + 1))
done
[ $fail -eq 0 ] && echo "$svc_libs service libraries: every function versioned, tested, documented"
[ $fail -eq 0 ] && echo "20 cpg functions and $(echo "$common" | wc -l) helpers: versioned, tested, documented"
exit $fail
