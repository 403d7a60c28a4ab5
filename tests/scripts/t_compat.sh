#!/usr/bin/env bash
# t_compat.sh BUILD: the drop-in promise.
#  1. A CPG program compiled and linked against corosync's headers and
#     libcpg (Debian's libcpg-dev) runs unchanged on Cohort's libcpg.so.4.
#  2. The same source builds against Cohort's headers and library.
#  3. Every size, offset, enum value and constant of the public headers is
#     the same in corosync's headers and in Cohort's.
#  4. The same for the other libraries with a tests/compat/compat_NAME.c
#     (libcmap: compat_cmap.c): built against Debian's libNAME-dev, the
#     binary runs on Cohort's library; the source builds against ours.
# run-suite: beside-batch
set -euo pipefail
B=$(cd "${1:-build}" && pwd)
[ -f /usr/include/corosync/cpg.h ] && pkg-config --exists libcpg ||
    { echo "Debian's libcpg-dev is not installed (tests/scripts/deps.sh installs it)"; exit 77; }
[ -n "${COHORT_SAN:-}" ] &&
    { echo "a binary built without sanitizers cannot load the ASan build of libcpg; checked in the normal pass"; exit 77; }
DIR=$(mktemp -d /tmp/cohort-compat.XXXXXX)
dpid=
cleanup() { [ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT

# 1: against corosync's headers and library (no -I of ours anywhere).
cc -o "$DIR/with-corosync" tests/compat/compat_client.c $(pkg-config --cflags --libs libcpg) -lcorosync_common
grep -q 'NEEDED.*\[libcpg.so.4\]' <<<"$(readelf -d "$DIR/with-corosync")" || { echo "not linked against libcpg.so.4"; exit 1; }
# 2: against ours.
cc -Iinclude -o "$DIR/with-cohort" tests/compat/compat_client.c -L"$B/lib" -lcpg -lcorosync_common \
    -Wl,-rpath,"$B/lib"
# 3: the layouts.
cc -o "$DIR/layout-corosync" tests/compat/layout.c $(pkg-config --cflags libcpg)
cc -Iinclude -o "$DIR/layout-cohort" tests/compat/layout.c
"$DIR/layout-corosync" >"$DIR/corosync.txt"
"$DIR/layout-cohort" >"$DIR/cohort.txt"
diff -u "$DIR/corosync.txt" "$DIR/cohort.txt" || { echo "header layouts differ"; exit 1; }
echo "headers: $(wc -l <"$DIR/cohort.txt") sizes, offsets and values identical"
# The other libraries' headers: tests/compat/layout_NAME.c against
# corosync's libNAME-dev and against ours.
for src in tests/compat/layout_*.c; do
	[ -f "$src" ] || continue
	mod=lib$(basename "$src" .c | sed 's/^layout_//')
	pkg-config --exists "$mod" || { echo "Debian's $mod-dev is not installed (tests/scripts/deps.sh installs it)"; exit 1; }
	cc -o "$DIR/$mod-corosync" "$src" $(pkg-config --cflags "$mod")
	cc -Iinclude -o "$DIR/$mod-cohort" "$src"
	"$DIR/$mod-corosync" >"$DIR/$mod-corosync.txt"
	"$DIR/$mod-cohort" >"$DIR/$mod-cohort.txt"
	diff -u "$DIR/$mod-corosync.txt" "$DIR/$mod-cohort.txt" || { echo "$mod: header layouts differ"; exit 1; }
	echo "$mod headers: $(wc -l <"$DIR/$mod-cohort.txt") sizes, offsets and values identical"
done

export COHORT_SOCKET=$DIR/cohort.sock COHORT_STATE_DIR=$DIR
mkfifo "$DIR/ready"
COHORT_READY_FD=3 "$B/sbin/cohortd" -f 3>"$DIR/ready" 2>"$DIR/cohortd.log" &
dpid=$!
read -r line <"$DIR/ready"
[ "$line" = READY ] || { echo "daemon not ready"; exit 1; }
# The corosync-built binary, with Cohort's library found first.
LD_LIBRARY_PATH="$B/lib" "$DIR/with-corosync"
libs=$(LD_LIBRARY_PATH="$B/lib" ldd "$DIR/with-corosync")
grep -q "$B/lib/libcpg.so.4" <<<"$libs" ||
    { echo "the corosync-built binary did not load Cohort's libcpg:"; echo "$libs"; exit 1; }
"$DIR/with-cohort"
# The other libraries: tests/compat/compat_NAME.c, built against
# corosync's headers and libNAME (Debian's libNAME-dev), run on Cohort's
# libNAME and daemon; and built against Cohort's headers.
for src in tests/compat/compat_*.c; do
	[ "$src" = tests/compat/compat_client.c ] && continue
	name=$(basename "$src" .c | sed 's/^compat_//')
	mod=lib$name
	pkg-config --exists "$mod" || { echo "Debian's $mod-dev is not installed (tests/scripts/deps.sh installs it)"; exit 1; }
	cc -o "$DIR/$name-corosync" "$src" $(pkg-config --cflags --libs "$mod")
	cc -Iinclude -o "$DIR/$name-cohort" "$src" -L"$B/lib" -l"$name" -Wl,-rpath,"$B/lib"
	libs=$(LD_LIBRARY_PATH="$B/lib" ldd "$DIR/$name-corosync")
	grep -q "$B/lib/$mod.so" <<<"$libs" ||
	    { echo "the corosync-built $name client did not load Cohort's $mod:"; echo "$libs"; exit 1; }
	LD_LIBRARY_PATH="$B/lib" "$DIR/$name-corosync"
	"$DIR/$name-cohort"
done
kill "$dpid"; wait "$dpid"; dpid=
echo "binary and source compatibility: ok"
