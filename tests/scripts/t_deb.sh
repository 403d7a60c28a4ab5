#!/usr/bin/env bash
# t_deb.sh BUILD: `make deb` builds a package that replaces corosync's.
#
# The package is installed with apt-get into a container-like root: an
# overlay of this machine's own root (corosync's packages are installed
# here: tests/scripts/deps.sh pulls their -dev packages) in a private
# mount namespace, so the host is never changed. There apt must remove
# corosync's packages for it (Conflicts/Replaces), and then:
#   - the daemon from the package checks a corosync.conf and starts;
#   - a CPG program built against corosync's own libcpg (outside the
#     root) runs there on the package's libcpg.so.4, found by the dynamic
#     linker without help;
#   - Pacemaker is satisfied by the package: when it is installed here it
#     stays installed and apt finds no broken dependency; otherwise
#     `apt-get install pacemaker` (simulated: nothing is downloaded) pulls
#     in none of corosync's packages.
# run-suite: beside-batch
set -euo pipefail
B=$(cd "${1:-build}" && pwd)
[ -n "${COHORT_SAN:-}" ] && { echo "the package is built and checked in the normal pass"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (a mount namespace and an overlay root)"; exit 77; }
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
grep -qw overlay /proc/filesystems || { echo "no overlay file system in this kernel"; exit 77; }
[ -f /usr/include/corosync/cpg.h ] && pkg-config --exists libcpg ||
    { echo "Debian's libcpg-dev is not installed (tests/scripts/deps.sh installs it)"; exit 77; }

DIR=$(mktemp -d /var/tmp/cohort-deb-test.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
# apt reads the package as its unprivileged _apt user.
chmod 755 "$DIR"
deb=$(make --no-print-directory -s B="$B" deb | tail -n 1)
[ -f "$deb" ] || { echo "make deb did not print a package: $deb"; exit 1; }
f=$(dpkg-deb -f "$deb" Provides)
for p in corosync libcpg4 libcorosync-common4; do
	grep -q "$p (= 3.1.7)" <<<"$f" || { echo "the package does not provide $p: $f"; exit 1; }
done
cp "$deb" "$DIR/"
chmod 644 "$DIR/$(basename "$deb")"
debname=$(basename "$deb")
# Built against corosync's header and library, outside the root.
cc -o "$DIR/with-corosync" tests/compat/compat_client.c $(pkg-config --cflags --libs libcpg) -lcorosync_common

cat >"$DIR/inside.sh" <<'INSIDE'
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
# No service starts inside the root, whatever a package's scripts ask.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
(cd /work && apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "./$1") >/work/apt.log 2>&1 ||
    { echo "apt-get install of the package failed:"; tail -n 30 /work/apt.log; exit 1; }
# What depends on corosync's packages stays (it is satisfied by this one).
if sed -n '/will be REMOVED/,/^[^ ]/p' /work/apt.log | grep -Eqw 'pacemaker|dlm-controld|libcrmcluster29'; then
	echo "installing the package removed programs that use corosync's libraries:"
	sed -n '/will be REMOVED/,/^[^ ]/p' /work/apt.log; exit 1
fi
for p in corosync libcpg4 libcorosync-common4; do
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ]; then
		echo "$p is still installed beside the package"; exit 1
	fi
done
owner=$(dpkg -S "$(readlink -f /usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)/libcpg.so.4)")
case $owner in cohort:*) ;; *) echo "libcpg.so.4 belongs to $owner"; exit 1 ;; esac
mkdir -p /etc/corosync /run/cohort
cat >/etc/corosync/corosync.conf <<CONF
totem {
	version: 2
	cluster_name: debtest
	transport: udpu
	crypto_cipher: none
	crypto_hash: none
}
nodelist {
	node {
		ring0_addr: 127.0.0.1
		nodeid: 1
		name: node1
	}
}
CONF
cohortd -t >/work/check.txt 2>&1 || { echo "cohortd -t failed:"; cat /work/check.txt; exit 1; }
export COHORT_STATE_DIR=/work/state
mkdir -p "$COHORT_STATE_DIR"
mkfifo /work/ready
COHORT_READY_FD=3 cohortd -f 3>/work/ready 2>/work/cohortd.log &
dpid=$!
# Whatever fails below, the packaged daemon does not outlive the test.
trap 'kill $dpid 2>/dev/null || true' EXIT
read -r line </work/ready || line=
[ "$line" = READY ] || { echo "the packaged daemon did not get ready"; cat /work/cohortd.log; exit 1; }
/work/with-corosync >/work/client.log 2>&1 || { echo "corosync-built client failed on the package:"; cat /work/client.log; kill $dpid; exit 1; }
ldd /work/with-corosync | grep -q "libcpg.so.4 => /.*lib/" || { echo "client did not load the system libcpg:"; ldd /work/with-corosync; exit 1; }
kill $dpid; wait $dpid || true
if [ "$(dpkg-query -W -f='${Status}' pacemaker 2>/dev/null)" = "install ok installed" ]; then
	# Installed here already: the package must have kept it, consistent.
	apt-get check -q >/work/check-apt.txt 2>&1 ||
	    { echo "apt-get check fails after installing the package:"; cat /work/check-apt.txt; exit 1; }
else
	apt-get install -s -q pacemaker >/work/pacemaker.txt 2>&1 ||
	    { echo "apt-get cannot plan pacemaker on the package:"; tail -n 20 /work/pacemaker.txt; exit 1; }
	if grep -E '^(Inst|Remv) (corosync|libcpg4|libcmap4|libquorum5|libvotequorum8|libcfg7|libcorosync-common4|cohort) ' /work/pacemaker.txt; then
		echo "installing pacemaker would bring corosync's packages back or remove the package"
		exit 1
	fi
fi
echo "inside: installed over corosync's packages, daemon ready, corosync-built client ran, pacemaker installable"
INSIDE

mkdir -p "$DIR/upper" "$DIR/work" "$DIR/root"
# A network namespace of its own too: the packaged daemon does not share
# the host's loopback with the daemons of the tests running beside this
# script (it runs beside the unit and API batch).
unshare -m -n --propagation private bash -c '
	set -euo pipefail
	D=$1
	ip link set lo up
	mount -t overlay overlay -o "lowerdir=/,upperdir=$D/upper,workdir=$D/work" "$D/root"
	mount -t proc proc "$D/root/proc"
	mount --rbind /dev "$D/root/dev"
	mount -t tmpfs tmpfs "$D/root/run"
	mount -t tmpfs tmpfs "$D/root/tmp"
	mkdir -p "$D/root/work"
	mount --bind "$D" "$D/root/work"
	chroot "$D/root" bash /work/inside.sh "$2"
' _ "$DIR" "$debname"
echo "make deb: a package that replaces corosync's, checked in an overlay root"
