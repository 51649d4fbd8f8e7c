#!/usr/bin/env bash
# Builds, once, the Debian 12 guest that `make test-qemu` boots: a minimal
# root filesystem with Debian's own Linux 6.1 kernel and ipctrace's runtime
# and test dependencies, as an ext4 image, plus the kernel and initrd taken
# out of its /boot so qemu can boot them directly. QEMU_TARGET's file
# (tools/qemu/target-*.sh) may choose another architecture and another list
# of packages, into its own directory.
#
#   tools/qemu/build-image.sh    -> build/qemu/{rootfs.img,vmlinuz,initrd.img}
#
# The image is kept between runs: it is rebuilt only when missing, older
# than this script, the target's file or the guest init it installs, or made
# with another GUEST_KERNEL or list of packages. `rm -rf build/qemu` forces a rebuild (about 1.5 minutes).
# Needs root (debootstrap, chroot).
#
# GUEST_KERNEL picks the kernel package; the default metapackage follows the
# mirror's current 6.1 ABI, where a pinned linux-image-6.1.0-NN-amd64 would
# stop resolving once the mirror moves past it.
set -euo pipefail
# shellcheck source=tools/qemu/lib.sh
source "$(dirname "$0")/lib.sh"

GUEST_KERNEL=${GUEST_KERNEL:-linux-image-amd64}
GUEST_ARCH=${GUEST_ARCH:-amd64}
SUITE=bookworm
IMAGE_SIZE=${IMAGE_SIZE:-2G}

img=$QEMU_OUT/rootfs.img
init_src=$ROOT/tools/qemu/guest-init.sh

# What the image is made of: rebuilt when it changes.
# shellcheck disable=SC2153  # GUEST_PACKAGES is the target file's
recipe="$GUEST_ARCH $GUEST_KERNEL ${GUEST_PACKAGES[*]}"
if [[ -s $img && -s $QEMU_OUT/vmlinuz && -s $QEMU_OUT/initrd.img && -s $QEMU_OUT/kernel-release &&
	$(cat "$QEMU_OUT/kernel-package" 2>/dev/null) == "$recipe" &&
	$img -nt ${BASH_SOURCE[0]} && $img -nt $init_src && $img -nt $ROOT/tools/qemu/lib.sh &&
	$img -nt $TARGET_FILE ]]; then
	say "guest image up to date: $img"
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	say "building the guest image needs root (debootstrap, chroot): run sudo make test-qemu"
	exit 1
fi
need_packages
prepare_host

# The guest uses the same Debian mirror as this host, so it works wherever
# the host's apt works (here: only Debian's mirror is reachable). apt itself
# reads both sources.list formats; ask it rather than parse them.
# shellcheck disable=SC2016  # $(SITE) is apt's field syntax, not the shell's
mapfile -t sources < <(apt-get indextargets --format '$(SITE) $(RELEASE)' \
	'Origin: Debian' 'Identifier: Packages' 'Architecture: amd64' |
	awk -v s="$SUITE" '$2 == s || index($2, s "-") == 1' | sort -u)
mirror=${MIRROR:-}
for line in "${sources[@]}"; do
	[[ -z $mirror && ${line#* } == "$SUITE" ]] && mirror=${line% *}
done
mirror=${mirror:-http://deb.debian.org/debian}
say "building the guest image from $mirror ($SUITE, $GUEST_ARCH, $GUEST_KERNEL); takes a few minutes"

mkdir -p "$QEMU_OUT"
rootfs=$QEMU_OUT/rootfs
cleanup() {
	mountpoint -q "$rootfs/proc" && umount "$rootfs/proc"
	mountpoint -q "$rootfs/sys" && umount "$rootfs/sys"
	rm -rf "$rootfs" "$img.tmp"
}
trap cleanup EXIT
cleanup

# minbase: no init system, no daemons. The guest's PID 1 is our own script,
# so the boot is short under software emulation and nothing else runs
# beside the tests.
debootstrap --variant=minbase --arch="$GUEST_ARCH" "$SUITE" "$rootfs" "$mirror" >"$QEMU_OUT/debootstrap.log" 2>&1 || {
	tail -n 20 "$QEMU_OUT/debootstrap.log" >&2
	say "debootstrap failed; full log in $QEMU_OUT/debootstrap.log"
	exit 1
}

# The point releases and security fixes the host has, so the guest's
# libraries match the ones build/ipctrace was linked against on the host.
: >"$rootfs/etc/apt/sources.list"
for line in "${sources[@]:-$mirror $SUITE}"; do
	echo "deb ${line% *} ${line#* } main" >>"$rootfs/etc/apt/sources.list"
done
echo ipctrace-guest >"$rootfs/etc/hostname"

prepare_rootfs "$rootfs"
# The kernel's postinst builds the initrd (update-initramfs), which wants /proc
# and /sys.
mount -t proc proc "$rootfs/proc"
mount -t sysfs sysfs "$rootfs/sys"
guest_packages=(
	# zstd: the compressor initramfs-tools is configured for; without it,
	# it falls back to gzip with a warning.
	"$GUEST_KERNEL" initramfs-tools zstd
	# ipctrace's and ipc-demo's shared libraries
	libbpf1 libelf1 zlib1g libglib2.0-0 libjson-c5 libcap2 libseccomp2 libmicrohttpd12
	libncursesw6 libyaml-0-2 libcrypt1
	# what tests/integration calls (capsh: the capability sets by name)
	bats jq python3 bpftool util-linux procps iproute2 socat curl perl graphviz prometheus tmux
	openssl whois nginx-light libcap2-bin
)
# A target's own list replaces this one.
if [[ ${#GUEST_PACKAGES[@]} -gt 0 ]]; then
	guest_packages=("${GUEST_PACKAGES[@]}")
fi
# A server's package would start its service in the chroot, on the host.
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
chroot "$rootfs" /bin/sh -ec '
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get -y -qq upgrade
	apt-get -y -qq install --no-install-recommends "$@"
	apt-get clean
	rm -rf /var/lib/apt/lists/*
' sh "${guest_packages[@]}" >"$QEMU_OUT/guest-apt.log" 2>&1 || {
	tail -n 20 "$QEMU_OUT/guest-apt.log" >&2
	say "installing the guest packages failed; full log in $QEMU_OUT/guest-apt.log"
	exit 1
}
rm -f "$rootfs/usr/sbin/policy-rc.d"
umount "$rootfs/sys" "$rootfs/proc"

install -m 0755 "$init_src" "$rootfs/sbin/ipctrace-init"
customize_rootfs "$rootfs"
# Mount point of the per-run disk with ipctrace and its tests (run-tests.sh).
mkdir -p "$rootfs/ipctrace"

# The kernel and initrd boot from outside the image (-kernel/-initrd): no
# boot loader to install. Exactly one kernel was installed.
cp "$rootfs"/boot/vmlinuz-* "$QEMU_OUT/vmlinuz.tmp"
cp "$rootfs"/boot/initrd.img-* "$QEMU_OUT/initrd.img.tmp"

# A sparse file: IMAGE_SIZE is room to spare, the data is about 700 MB.
rm -f "$img.tmp"
truncate -s "$IMAGE_SIZE" "$img.tmp"
mkfs.ext4 -q -F -L ipctrace-root -d "$rootfs" "$img.tmp"
mv "$QEMU_OUT/vmlinuz.tmp" "$QEMU_OUT/vmlinuz"
mv "$QEMU_OUT/initrd.img.tmp" "$QEMU_OUT/initrd.img"
release=$(basename "$rootfs"/boot/vmlinuz-*)
echo "${release#vmlinuz-}" >"$QEMU_OUT/kernel-release"
echo "$recipe" >"$QEMU_OUT/kernel-package"
mv "$img.tmp" "$img"
say "guest image built: $img (Linux $(cat "$QEMU_OUT/kernel-release"))"
