# shellcheck shell=bash disable=SC2034  # ROOT and QEMU_OUT are for the scripts that source this
# Sourced by the tools/qemu scripts: where things live, and the host packages
# they need. Not run on its own.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
QEMU_OUT=$ROOT/build/qemu

# need_packages: install the host packages these scripts use (debootstrap,
# the emulators), and nothing when they are there; only `make test-qemu`
# needs them, so they are install-deps.sh's qemu purpose, not the tests'.
need_packages() {
	"$ROOT/tools/install-deps.sh" qemu
}

say() {
	printf 'test-qemu: %s\n' "$*" >&2
}
