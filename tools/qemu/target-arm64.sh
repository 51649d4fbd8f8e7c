# shellcheck shell=bash disable=SC2034  # read by the scripts that source lib.sh
# QEMU_TARGET=arm64: the bare guest (target-bare.sh) for arm64: make dist's
# static aarch64 pair on Debian 12's arm64 kernel under qemu-system-aarch64.
# No KVM for another architecture: software emulation (TCG), slowly. The
# root filesystem is built with debootstrap through qemu-user-static.

DIST_ARCH=aarch64
GUEST_ARCH=arm64
# shellcheck source=tools/qemu/target-bare.sh
source "$ROOT/tools/qemu/target-bare.sh"

QEMU_SYSTEM=qemu-system-aarch64
QEMU_MACHINE=(-machine virt)
QEMU_CONSOLE=ttyAMA0
# A real core's features; `max` adds pointer authentication, which TCG
# emulates at a high price on every call and return.
QEMU_TCG_CPU=cortex-a72
QEMU_KVM=no

# prepare_host: debootstrap and apt run arm64 programs in the chroot; the
# kernel runs them through qemu-user-static once binfmt_misc knows it (what
# systemd-binfmt does at boot, which these machines do not run).
prepare_host() {
	local conf=/usr/lib/binfmt.d/qemu-aarch64.conf
	mountpoint -q /proc/sys/fs/binfmt_misc ||
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || return 1
	[[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] && return 0
	if [[ ! -r $conf ]]; then
		say "$conf is missing: install qemu-user-static (tools/install-deps.sh qemu)"
		return 1
	fi
	cat "$conf" >/proc/sys/fs/binfmt_misc/register
}
