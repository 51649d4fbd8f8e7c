#!/usr/bin/env bash
# Installs the Debian packages ipctrace needs to build, run and test, and
# nothing when they are all there already. Used by `make run` and `make test`.
set -euo pipefail

packages=(
	# build
	make gcc clang llvm pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev
	libglib2.0-dev libjson-c-dev libcap-dev libmicrohttpd-dev libncurses-dev
	# --web-config: its YAML, and bcrypt for its users' passwords (libxcrypt)
	libyaml-dev libcrypt-dev
	# tests; tmux gives the interactive table a terminal of a known size
	bats libcmocka-dev jq python3 procps util-linux perl socat curl iproute2 libcap2-bin tmux
	# tests of make install: groff renders the man pages, man-db's man finds them
	groff-base man-db
	# make fuzz: libFuzzer's runtime for clang
	libclang-rt-14-dev
	# tests of --graph (dot renders what it writes) and of the metrics (promtool)
	graphviz prometheus
	# tests of --web-config: a self-signed certificate (openssl), bcrypt
	# hashes of passwords (mkpasswd, from whois)
	openssl whois
	# tests of the JSON outputs against docs/ipctrace-json.schema.json
	python3-jsonschema
	# tests of -p on a real prefork server (a master and its workers)
	nginx-light
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "ipctrace: missing packages: ${missing[*]}; run as root, or: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "ipctrace: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
