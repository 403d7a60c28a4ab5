#!/usr/bin/env bash
# pkg/deb.sh BUILD VERSION: `make deb`. Builds build/cohort_VERSION_ARCH.deb
# from what `make install` installs (PREFIX=/usr, libraries in the
# multiarch directory, as Debian's corosync packages place theirs).
#
# The package stands in for corosync 3.1.7's packages: it Provides them
# (versioned, so that `corosync (>= 1.99)`, `libcpg4 (>= 1.99)`,
# `libcfg7 (>= 3.1.1)` and the like are satisfied, as Pacemaker and
# dlm-controld require), and Conflicts with and Replaces them, since it
# ships the same sonames, headers and tool names. It provides a library's
# package only when that library is built. Depends is computed from the
# shared libraries the installed programs and libraries need
# (dpkg-shlibdeps where it works, else the packages that own them).
set -euo pipefail
B=${1:-build}
VERSION=${2:?version}
cd "$(dirname "$0")/.."
COROSYNC_API=3.1.7
ARCH=$(dpkg --print-architecture)
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
STAGE=$(mktemp -d /tmp/cohort-deb.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
ROOT=$STAGE/root
OUT=$B/cohort_${VERSION}_${ARCH}.deb

make --no-print-directory -s B="$B" install DESTDIR="$ROOT" PREFIX=/usr \
    LIBDIR="/usr/lib/$MULTIARCH" UNITDIR=/lib/systemd/system \
    DEFAULTDIR=/etc/default >/dev/null
# The package replaces corosync: the daemon reads corosync's file.
sed -i 's|^COHORT_OPTIONS=.*|COHORT_OPTIONS="-c /etc/corosync/corosync.conf"|' \
    "$ROOT/etc/default/cohort"
# Man pages compressed, as Debian policy wants.
find "$ROOT/usr/share/man" -type f -name '*.[0-9]' -exec gzip -9n {} +

# The corosync packages this one stands in for: the daemon and the
# libraries it ships (libNAME.so.MAJOR -> package libNAMEMAJOR), and their
# -dev packages (same headers and pkg-config names).
provides=(corosync libcorosync-common4)
devs=(libcorosync-common-dev)
for so in "$ROOT/usr/lib/$MULTIARCH"/lib*.so.[0-9]*; do
	n=$(basename "$so")
	name=${n%%.so.*}; major=${n##*.so.}
	case $name in libcorosync_common) continue ;; esac
	provides+=("${name}${major}")
	devs+=("${name}-dev")
done
list() {  # ITEMS... -> "a (= V), b (= V)" or "a, b" without a version
	local v=$1 out="" p; shift
	for p in "$@"; do out+="${out:+, }$p${v:+ (= $v)}"; done
	echo "$out"
}

# Depends: what the ELF files need from outside the package.
elfs=$(find "$ROOT" -type f \( -perm -u+x -o -name '*.so.*' \) -exec sh -c \
    'for f; do head -c 4 "$f" | grep -q ELF && echo "$f"; done' sh {} +)
depends=""
mkdir -p "$STAGE/debian"
printf 'Source: cohort\n\nPackage: cohort\nArchitecture: any\n' >"$STAGE/debian/control"
if (cd "$STAGE" && dpkg-shlibdeps -O -l"$ROOT/usr/lib/$MULTIARCH" \
    --ignore-missing-info $(echo "$elfs" | sed "s|^$STAGE/||") \
    >"$STAGE/shlibs" 2>"$STAGE/shlibs.err"); then
	depends=$(sed -n 's/^shlibs:Depends=//p' "$STAGE/shlibs")
else
	for lib in $(for f in $elfs; do objdump -p "$f" | awk '/NEEDED/ {print $2}'; done | sort -u); do
		[ -e "$ROOT/usr/lib/$MULTIARCH/$lib" ] && continue
		path=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}')
		[ -n "$path" ] || { echo "deb: no library $lib on this machine" >&2; exit 1; }
		pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n 1 | cut -d: -f1)
		[ -n "$pkg" ] || pkg=$(dpkg -S "$path" | head -n 1 | cut -d: -f1)
		depends+="${depends:+, }$pkg"
	done
fi

# Never a dependency on a package this one stands in for (the libraries
# link each other, and dpkg-shlibdeps names the corosync package that
# ships the same soname).
ours=" ${provides[*]} ${devs[*]} "
depends=$(echo "$depends" | tr ',' '\n' | sed 's/^ *//' | while read -r d; do
	[ -n "$d" ] || continue
	case $ours in *" ${d%% *} "*) ;; *) echo "$d" ;; esac
done | paste -sd, - | sed 's/,/, /g')

mkdir -p "$ROOT/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
cat >"$ROOT/DEBIAN/control" <<EOF
Package: cohort
Version: $VERSION
Architecture: $ARCH
Maintainer: Cohort developers <cohort@localhost>
Section: admin
Priority: optional
Installed-Size: $size
Depends: $depends
Provides: $(list "$COROSYNC_API" "${provides[@]}" "${devs[@]}")
Conflicts: $(list "" "${provides[@]}" "${devs[@]}")
Replaces: $(list "" "${provides[@]}" "${devs[@]}")
Description: cluster group communication, a drop-in for corosync
 Cohort runs corosync's Closed Process Group service and its client
 libraries (libcpg, libcmap, libquorum, libvotequorum, libcfg with
 corosync 3.1.7's sonames, symbol versions and headers), its tools under
 their corosync names, and the cohortd daemon, which reads corosync.conf.
 Programs built against corosync's libraries run unchanged on it.
EOF
# The dynamic linker's cache is refreshed after the libraries land.
echo "activate-noawait ldconfig" >"$ROOT/DEBIAN/triggers"
# The administrator's options survive upgrades.
(cd "$ROOT" && find etc -type f | sed 's|^|/|') >"$ROOT/DEBIAN/conffiles"
dpkg-deb --root-owner-group --build "$ROOT" "$OUT" >/dev/null
echo "$OUT"
