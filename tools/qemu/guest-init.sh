#!/bin/bash
# PID 1 of the test guest: build-image.sh installs it as /sbin/ipctrace-init
# and run-tests.sh boots with init=/sbin/ipctrace-init. No systemd: under
# software emulation every service costs seconds, and the tests need only a
# few filesystems, then the disk with ipctrace on it. (The deb target's guest
# boots systemd, which runs this as a service: what systemd mounted stays.)
#
# No `set -e`: if PID 1 exits, the kernel panics instead of reporting, so
# every path ends in a power-off, and the host tells "no results" apart
# from "tests failed" by what the tests disk holds.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH HOME=/root LANG=C.UTF-8 TERM=dumb

echo "ipctrace-guest: init started on $(uname -r)"

# initramfs-tools moves /proc, /sys, /dev and /run over; mount only what is
# missing, so this also works without an initrd.
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mountpoint -q /run || mount -t tmpfs -o mode=0755 tmpfs /run
# script(1) in the terminal tests needs ptys; bash's <(...) needs /dev/fd,
# which udev would have made.
mkdir -p /dev/pts /dev/shm
mountpoint -q /dev/pts || mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts /dev/pts
mountpoint -q /dev/shm || mount -t tmpfs -o mode=1777 tmpfs /dev/shm
[[ -e /dev/fd ]] || ln -s /proc/self/fd /dev/fd
# The root filesystem stays read-only; the tests write under /tmp.
mount -t tmpfs -o mode=1777 tmpfs /tmp
# As systemd would on the developers' machines (tracefs stays unmounted, as
# there).
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
# And the unified cgroup hierarchy, which --cgroup and the CGROUP column read.
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
hostname ipctrace-guest
# The socket tests talk over loopback, which nothing else brings up here.
ip link set lo up

# By label: the disk order is qemu's business, not the guest's.
if mount -o rw LABEL=ipctrace-tests /ipctrace; then
	/ipctrace/guest-tests.sh
	echo "ipctrace-guest: tests finished with status $?"
	umount /ipctrace
else
	echo "ipctrace-guest: the disk labelled ipctrace-tests did not mount: no tests run"
fi
sync

echo "ipctrace-guest: powering off"
# No init system to ask: the kernel's own power-off, which does not need
# kernel.sysrq enabled when written here.
echo o >/proc/sysrq-trigger
while :; do sleep 60; done
