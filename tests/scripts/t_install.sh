#!/usr/bin/env bash
# t_install.sh BUILD: `make install PREFIX=DIR` lays out every file the
# foundation promises, and a CPG program builds against the installed tree
# through pkg-config alone; the systemd unit and its options file go to
# UNITDIR and DEFAULTDIR (and under DESTDIR), name the installed programs,
# keep an options file already there, and pass `systemd-analyze verify`
# (that part skipped without systemd-analyze). No unit is ever started.
# run-suite: beside-batch
set -euo pipefail
B=${1:-build}
[ -n "${COHORT_SAN:-}" ] && { echo "install layout is checked in the normal build"; exit 77; }
DIR=$(mktemp -d /tmp/cohort-install.XXXXXX)
trap 'rm -rf "$DIR"' EXIT

make --no-print-directory -s B="$B" install PREFIX="$DIR/usr" \
    DEFAULTDIR="$DIR/etc/default" >/dev/null
for f in sbin/cohortd bin/cohortctl lib/libcpg.so.4 lib/libcpg.so \
    lib/libcorosync_common.so.4 lib/pkgconfig/libcpg.pc lib/pkgconfig/libcorosync_common.pc \
    include/corosync/cpg.h include/corosync/corotypes.h \
    share/man/man3/cpg_initialize.3 share/man/man3/cpg_overview.3 \
    share/man/man8/cohortd.8 share/man/man8/cohortctl.8 \
    share/man/man5/cohort.conf.5 lib/systemd/system/cohort.service; do
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

# libquorum and libvotequorum, their headers, pkg-config files and tool.
for f in lib/libquorum.so.5 lib/libvotequorum.so.8 lib/pkgconfig/libquorum.pc \
    lib/pkgconfig/libvotequorum.pc include/corosync/quorum.h \
    include/corosync/votequorum.h share/man/man3/quorum_overview.3 \
    share/man/man3/votequorum_overview.3 share/man/man8/corosync-quorumtool.8; do
	[ -e "$DIR/usr/$f" ] || { echo "missing after install: $f"; exit 1; }
done
ls "$DIR"/usr/*bin/corosync-quorumtool >/dev/null 2>&1 || { echo "corosync-quorumtool not installed"; exit 1; }
cat >"$DIR/qapp.c" <<'C'
#include <corosync/quorum.h>
#include <corosync/votequorum.h>
int main(void)
{
	quorum_handle_t q;
	votequorum_handle_t v;

	/* No daemon at this socket: both libraries must say so. */
	return quorum_initialize(&q, NULL, NULL) == CS_ERR_LIBRARY &&
	    votequorum_initialize(&v, NULL) == CS_ERR_LIBRARY ? 0 : 1;
}
C
cc -o "$DIR/qapp" "$DIR/qapp.c" $(pkg-config --cflags --libs libquorum libvotequorum libcorosync_common) \
    -Wl,-rpath,"$DIR/usr/lib"
COHORT_SOCKET="$DIR/nothing.sock" "$DIR/qapp" || { echo "quorum program built from the install failed"; exit 1; }
echo "install layout and pkg-config build: ok"

# The unit names the installed programs and the options file.
unit=$DIR/usr/lib/systemd/system/cohort.service
[ -f "$DIR/etc/default/cohort" ] || { echo "no options file in DEFAULTDIR"; exit 1; }
for want in "ExecStart=$DIR/usr/sbin/cohortd -f \$COHORT_OPTIONS" \
    "ExecStop=$DIR/usr/sbin/corosync-cfgtool -H --force" \
    "EnvironmentFile=-$DIR/etc/default/cohort" "Type=notify"; do
	grep -qxF "$want" "$unit" || { echo "unit has no line '$want'"; exit 1; }
done
! grep -q @ "$unit" || { echo "unsubstituted name in the unit: $(grep @ "$unit")"; exit 1; }
grep -q '^COHORT_OPTIONS=""$' "$DIR/etc/default/cohort" || { echo "options file"; exit 1; }

# DESTDIR: the same files under it, for the final paths.
make --no-print-directory -s B="$B" install DESTDIR="$DIR/dest" PREFIX=/usr >/dev/null
grep -qxF 'ExecStart=/usr/sbin/cohortd -f $COHORT_OPTIONS' \
    "$DIR/dest/usr/lib/systemd/system/cohort.service" || { echo "DESTDIR unit"; exit 1; }
grep -qxF 'EnvironmentFile=-/etc/default/cohort' \
    "$DIR/dest/usr/lib/systemd/system/cohort.service" || { echo "DESTDIR unit's options file"; exit 1; }
[ -f "$DIR/dest/etc/default/cohort" ] || { echo "no DESTDIR/etc/default/cohort"; exit 1; }
# An options file the administrator edited survives a new install.
echo 'COHORT_OPTIONS="-n 7"' >"$DIR/dest/etc/default/cohort"
make --no-print-directory -s B="$B" install DESTDIR="$DIR/dest" PREFIX=/usr >/dev/null
grep -qxF 'COHORT_OPTIONS="-n 7"' "$DIR/dest/etc/default/cohort" || { echo "install replaced an edited options file"; exit 1; }
echo "unit and options file, with and without DESTDIR: ok"

if ! command -v systemd-analyze >/dev/null; then
	echo "systemd-analyze verify skipped: no systemd-analyze"
	exit 0
fi
# Verified where it names existing programs (the PREFIX install). The
# ExecStop tool comes with the cfg service; until it is built, its
# absence is the one complaint allowed.
set +e
out=$(systemd-analyze verify --man=no "$unit" 2>&1)
rc=$?
set -e
if [ ! -x "$DIR/usr/sbin/corosync-cfgtool" ]; then
	out=$(grep -vxF "cohort.service: Command $DIR/usr/sbin/corosync-cfgtool is not executable: No such file or directory" <<<"$out" || true)
	[ -z "$out" ] && rc=0
	echo "(corosync-cfgtool is not built yet: its absence ignored)"
fi
[ $rc -eq 0 ] && [ -z "$out" ] || { echo "systemd-analyze verify: rc $rc: $out"; exit 1; }
echo "systemd-analyze verify: ok"
