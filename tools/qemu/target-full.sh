# shellcheck shell=bash disable=SC2034  # read by the scripts that source lib.sh
# QEMU_TARGET=full (the default): Debian 12's amd64 kernel on a root
# filesystem with ipctrace's runtime and test packages (build-image.sh's
# list), running build/ipctrace and build/ipc-demo as make builds them, with
# every integration test.

QEMU_OUT=$ROOT/build/qemu
GUEST_ARCH=amd64
GUEST_KERNEL=${GUEST_KERNEL:-linux-image-amd64}
# Empty: build-image.sh's own list.
GUEST_PACKAGES=()
GUEST_INIT=/sbin/ipctrace-init
GUEST_ROOT_MODE=ro
GUEST_TESTS=all

# lib.sh's x86-64 machine, with the two CPUs this run always had.
QEMU_SMP=2

# stage_binaries DIR: what the guest runs, into the tests disk's DIR; one
# line saying what to build if it is not there.
stage_binaries() {
	local f
	for f in build/ipctrace build/ipc-demo; do
		if [[ ! -x $ROOT/$f ]]; then
			say "$f is missing: build it first (make test-qemu does)"
			return 1
		fi
		cp "$ROOT/$f" "$1/build/"
	done
	stage_compat_bins "$1"
}
