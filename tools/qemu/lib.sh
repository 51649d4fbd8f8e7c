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

# stage_compat_bins DIR: the 32-bit syscall tests' workloads (make
# compat-bins), for an x86-64 guest, into DIR/build; nothing elsewhere.
stage_compat_bins() {
	local f
	[[ ${GUEST_ARCH:-amd64} == amd64 ]] || return 0
	for f in compat-int80 compat-int80-m32; do
		if [[ ! -x $ROOT/build/$f ]]; then
			say "build/$f is missing: build it first (make test-qemu does)"
			return 1
		fi
		cp "$ROOT/build/$f" "$1/build/"
	done
}

# Hooks a target may redefine, each given the root filesystem's directory
# but the first: the host's preparation before debootstrap, the root
# filesystem's before its packages are installed, and its last changes
# before it becomes the image.
prepare_host() { :; }
prepare_rootfs() { :; }
customize_rootfs() { :; }

# small_initrd ROOTFS (for prepare_rootfs): an initrd with only what mounts
# the root disk. initramfs-tools' default, MODULES=most, runs modinfo on
# every module: many minutes on a busy machine, most of an hour under
# qemu-user.
small_initrd() {
	mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/etc/initramfs-tools/hooks"
	echo MODULES=list >"$1/etc/initramfs-tools/conf.d/ipctrace-guest"
	cat >"$1/etc/initramfs-tools/hooks/ipctrace-guest" <<-'HOOK'
		#!/bin/sh
		[ "$1" = prereqs ] && exit 0
		. /usr/share/initramfs-tools/hook-functions
		for m in virtio_mmio virtio_pci virtio_blk ext4; do
			force_load "$m"
		done
	HOOK
	chmod 0755 "$1/etc/initramfs-tools/hooks/ipctrace-guest"
}

# The machine, unless the target says otherwise: an x86-64 PC, one CPU (the
# developers' machines are shared), every feature TCG emulates (closer to
# real hardware than qemu64), KVM when it works.
QEMU_SYSTEM=qemu-system-x86_64
QEMU_MACHINE=(-machine q35)
QEMU_CONSOLE=ttyS0
QEMU_TCG_CPU=max
QEMU_KVM=yes
QEMU_SMP=1

# QEMU_TARGET picks the guest: tools/qemu/target-NAME.sh says which kernel,
# root filesystem, binaries and tests (full, the default, is the one above).
QEMU_TARGET=${QEMU_TARGET:-full}
export QEMU_TARGET
TARGET_FILE=$ROOT/tools/qemu/target-$QEMU_TARGET.sh
if [[ ! $QEMU_TARGET =~ ^[a-z0-9]+$ || ! -r $TARGET_FILE ]]; then
	targets=("$ROOT"/tools/qemu/target-*.sh)
	targets=("${targets[@]##*/target-}")
	say "QEMU_TARGET='$QEMU_TARGET': expected one of ${targets[*]%.sh}"
	exit 2
fi
# shellcheck source=/dev/null
source "$TARGET_FILE"
