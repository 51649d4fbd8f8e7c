#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs the Debian packages one purpose needs, and nothing when they are
# all there already. Each make target asks for its own purpose only, so
# `make run` never installs a test tool, a fuzzer runtime or a server.
#
#   tools/install-deps.sh PURPOSE...     install what is missing (as root)
#   tools/install-deps.sh --list PURPOSE...   print the packages, one a line
#
# Purposes (build is part of every other one):
#   build, run  compile ipctrace and run it            make, make run, make deps
#   test        the unit and integration tests         make test
#   fuzz        libFuzzer under clang                  make fuzz
#   bench       the tracers ipctrace is compared with, make bench
#               the servers of its real applications
#   qemu        a second kernel under qemu             make test-qemu
#   dist        static binaries and the .deb           make dist, make deb
#   cross-arm64 the aarch64 static build               make dist
set -euo pipefail

usage="usage: tools/install-deps.sh [--list] build|run|test|fuzz|bench|qemu|dist|cross-arm64..."

# purpose_packages PURPOSE: the packages PURPOSE adds to the build's.
purpose_packages() {
	case $1 in
	build | run)
		echo make gcc clang llvm pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev
		echo libglib2.0-dev libjson-c-dev libcap-dev libmicrohttpd-dev libncurses-dev
		# --web-config: its YAML, and bcrypt for its users' passwords (libxcrypt)
		echo libyaml-dev libcrypt-dev
		# the seccomp filter of the privilege drop
		echo libseccomp-dev
		# ipc-demo's io_uring demo submits through liburing
		echo liburing-dev
		;;
	test)
		# tmux gives the interactive table a terminal of a known size
		echo bats libcmocka-dev jq python3 procps util-linux perl socat curl iproute2 libcap2-bin tmux
		# make install's tests: groff renders the man pages, man-db's man finds them
		echo groff-base man-db
		# --graph's tests render what it writes with dot; the metrics' tests
		# check them with promtool, and fleet.bats runs a Prometheus server
		# of its own (never the system's service) on them: both are in the
		# prometheus package
		echo graphviz prometheus
		# --web-config's tests: a self-signed certificate (openssl), bcrypt
		# hashes of passwords (mkpasswd, from whois)
		echo openssl whois
		# the JSON outputs checked against docs/ipctrace-json.schema.json
		echo python3-jsonschema
		# -p on a real prefork server (a master and its workers)
		echo nginx-light
		# -w's pcapng read back as Wireshark reads it (wireshark-common's
		# debconf question is answered by DEBIAN_FRONTEND=noninteractive)
		echo tshark
		# PostgreSQL under -p (its server and pgbench), and strace, which says
		# what pgbench itself moved
		echo postgresql strace
		# the row model's unit tests again under valgrind: the store keeps
		# pointers to rows between frames, the interactive table copies them
		echo valgrind
		;;
	fuzz)
		# libFuzzer's runtime for clang 14
		echo libclang-rt-14-dev
		;;
	bench)
		echo bpftrace strace python3
		# the real applications, started by the bench itself (never the
		# system's services): PostgreSQL and pgbench, redis and
		# redis-benchmark, nginx and ab
		echo postgresql redis-server redis-tools nginx-light apache2-utils
		;;
	qemu)
		# the guest image (debootstrap, mkfs.ext4) and the two emulators
		echo debootstrap e2fsprogs qemu-system-x86 qemu-system-arm
		# an arm64 root filesystem is made by running its programs (binfmt_misc)
		echo qemu-user-static
		# the 32-bit syscall test's -m32 workload (tests/compat): gcc 12's
		# 32-bit libraries, not the gcc-multilib metapackage, which
		# conflicts with the aarch64 cross compiler (cross-arm64) and so
		# took it away at every make test-qemu, and back at every make dist
		echo gcc-12-multilib
		;;
	cross-arm64)
		# make dist's aarch64 build: the cross compiler and the static
		# libraries for arm64 (multiarch: dpkg learns the architecture first)
		echo gcc-aarch64-linux-gnu libc6-dev-arm64-cross
		echo libelf-dev:arm64 zlib1g-dev:arm64 libglib2.0-dev:arm64 libpcre2-dev:arm64
		echo libjson-c-dev:arm64 libcap-dev:arm64 libncurses-dev:arm64
		echo libyaml-dev:arm64 libcrypt-dev:arm64 libseccomp-dev:arm64 liburing-dev:arm64
		;;
	dist)
		# apt-get source unpacks the pinned libbpf with dpkg-source; the
		# .deb is built with dpkg-buildpackage and debhelper, then linted
		echo dpkg-dev debhelper lintian
		;;
	*)
		return 1
		;;
	esac
}

list=0
if [[ ${1:-} == --list ]]; then
	list=1
	shift
fi
if [[ $# -eq 0 ]]; then
	echo "$usage" >&2
	exit 2
fi
packages=()
for purpose in build "$@"; do
	if ! words=$(purpose_packages "$purpose"); then
		echo "install-deps: unknown purpose '$purpose'; $usage" >&2
		exit 2
	fi
	read -r -d '' -a more <<<"$words" || true
	packages+=("${more[@]}")
done
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
if [[ $list -eq 1 ]]; then
	printf '%s\n' "${packages[@]}"
	exit 0
fi

# With a second architecture, an unqualified name can match two packages:
# this machine's is the one meant (an Architecture: all one has no suffix).
native=$(dpkg --print-architecture)
missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p:$native" 2>/dev/null ||
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "ipctrace: missing packages: ${missing[*]}; run as root, or: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi
echo "ipctrace: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if [[ " ${missing[*]}" == *:arm64* ]] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
