#!/usr/bin/env bash
# deps.sh: makes sure the Debian packages the build and the tests need are
# installed. As root it installs what is missing with apt-get; otherwise it
# names the packages and the command, and fails.
set -euo pipefail

# Build: a C compiler and make are assumed (README); libsodium (the
# cluster transport's authenticated encryption). Tests: cmocka (unit
# tests), corosync's libcpg-dev, libcmap-dev, libquorum-dev,
# libvotequorum-dev and libcfg-dev (binary-compatibility tests only; the
# product never links them), clang with its runtimes (fuzzing), man-db and
# groff (man page checks), iproute2 and nftables (network tests),
# python3 (JSON checks in tests), procps (ps, used by tests), dpkg-dev
# (make deb: dpkg-shlibdeps, dpkg-architecture).
PKGS=(libsodium-dev libcmocka-dev libcpg-dev libcorosync-common-dev
      libcmap-dev libquorum-dev libvotequorum-dev libcfg-dev dpkg-dev clang libclang-rt-14-dev
      pkg-config man-db groff-base iproute2 nftables python3 procps)

# Pacemaker on Cohort (tests/pacemaker/pcmk.sh, t_pacemaker.sh) and
# dlm_controld on Cohort (tests/pacemaker/dlm.sh): Debian's own
# pacemaker, pacemaker-cli-utils (crm_mon, crm_node, crm_attribute,
# cibadmin) and dlm-controld (dlm_controld, dlm_tool), run unmodified in
# the tests' namespaces and never as services. Their maintainer scripts
# (and corosync's, which pacemaker depends on) start corosync, pacemaker
# and dlm through invoke-rc.d or deb-systemd-invoke, both of which ask
# /usr/sbin/policy-rc.d first: they are installed here only when that
# helper refuses to start services (exit 101, as in containers), so that
# installing them starts nothing; otherwise they are named and the tests
# that need them skip.
PCMK_PKGS=(pacemaker pacemaker-cli-utils dlm-controld)
if [ -x /usr/sbin/policy-rc.d ] && { /usr/sbin/policy-rc.d corosync start >/dev/null 2>&1; [ $? -eq 101 ]; }; then
	PKGS+=("${PCMK_PKGS[@]}")
else
	for p in "${PCMK_PKGS[@]}"; do
		[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] && continue
		echo "deps: not installing $p: its installation would start corosync and pacemaker (no policy-rc.d refusing it); the Pacemaker tests skip without it" >&2
	done
fi

missing=()
for p in "${PKGS[@]}"; do
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: install them with: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || true
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
