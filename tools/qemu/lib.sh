# shellcheck shell=bash disable=SC2034  # ROOT and QEMU_OUT are for the scripts that source this
# Sourced by the tools/qemu scripts: where things live, and the host packages
# they need. Not run on its own.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
QEMU_OUT=$ROOT/build/qemu

# need_packages PKG...: install the Debian packages these scripts use on the
# host, and nothing when they are there. They are not in tools/install-deps.sh
# because only `make test-qemu` needs them; `make test` stays lean.
need_packages() {
	local p status missing=()
	for p in "$@"; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[[ $status == "install ok installed" ]] || missing+=("$p")
	done
	[[ ${#missing[@]} -eq 0 ]] && return 0
	if [[ $(id -u) -ne 0 ]]; then
		echo "test-qemu: missing host packages: ${missing[*]}; run as root, or: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
		exit 1
	fi
	echo "test-qemu: installing host packages ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

say() {
	printf 'test-qemu: %s\n' "$*" >&2
}
