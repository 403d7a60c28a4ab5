#!/usr/bin/env bash
# t_api_coverage.sh BUILD: every exported function has an API test and a
# man page; libcpg exports exactly the 20 cpg_* functions, all at version
# COROSYNC_CPG_1.0, with soname libcpg.so.4.
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
[ $fail -eq 0 ] && echo "20 cpg functions and $(echo "$common" | wc -l) helpers: versioned, tested, documented"
exit $fail
