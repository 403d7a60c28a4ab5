#!/usr/bin/env bash
# t_install.sh BUILD: `make install PREFIX=DIR` lays out every file the
# foundation promises, and a CPG program builds against the installed tree
# through pkg-config alone.
set -euo pipefail
B=${1:-build}
[ -n "${COHORT_SAN:-}" ] && { echo "install layout is checked in the normal build"; exit 77; }
DIR=$(mktemp -d /tmp/cohort-install.XXXXXX)
trap 'rm -rf "$DIR"' EXIT

make --no-print-directory -s B="$B" install PREFIX="$DIR/usr" >/dev/null
for f in sbin/cohortd bin/cohortctl lib/libcpg.so.4 lib/libcpg.so \
    lib/libcorosync_common.so.4 lib/pkgconfig/libcpg.pc lib/pkgconfig/libcorosync_common.pc \
    include/corosync/cpg.h include/corosync/corotypes.h \
    share/man/man3/cpg_initialize.3 share/man/man3/cpg_overview.3 \
    share/man/man8/cohortd.8 share/man/man8/cohortctl.8 \
    share/man/man5/cohort.conf.5; do
	[ -e "$DIR/usr/$f" ] || { echo "missing after install: $f"; exit 1; }
done
[ "$(readlink "$DIR/usr/lib/libcpg.so")" = libcpg.so.4 ] || { echo "libcpg.so is not a link to libcpg.so.4"; exit 1; }
grep -q 'SONAME.*\[libcpg.so.4\]' <<<"$(readelf -d "$DIR/usr/lib/libcpg.so.4")" || { echo "wrong soname"; exit 1; }

cat >"$DIR/app.c" <<'C'
#include <corosync/cpg.h>
#include <stdio.h>
int main(void)
{
	cpg_handle_t h;
	cs_error_t e = cpg_initialize(&h, NULL);

	/* No daemon at this socket: the library must say so, not crash. */
	printf("%s\n", cs_strerror(e));
	return e == CS_ERR_LIBRARY ? 0 : 1;
}
C
export PKG_CONFIG_PATH="$DIR/usr/lib/pkgconfig"
# The installed .pc names the install prefix.
grep -q "prefix=$DIR/usr" "$DIR/usr/lib/pkgconfig/libcpg.pc" || { echo "libcpg.pc does not name the prefix"; exit 1; }
cc -o "$DIR/app" "$DIR/app.c" $(pkg-config --cflags --libs libcpg libcorosync_common) \
    -Wl,-rpath,"$DIR/usr/lib"
COHORT_SOCKET="$DIR/nothing.sock" "$DIR/app"
echo "install layout and pkg-config build: ok"
