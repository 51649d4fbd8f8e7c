#!/usr/bin/env bash
# `make test-qemu`: ipctrace's integration tests on a second kernel, Debian
# 12's own Linux 6.1, booted under qemu with the freshly built build/ipctrace
# and build/ipc-demo. The developers' machines run 6.18; this is where CO-RE
# relocations, the verifier and the tracepoints meet an older kernel.
#
#   tools/qemu/run-tests.sh          (after make; as root)
#   QEMU_ACCEL=auto|kvm|tcg          auto (default): KVM when /dev/kvm boots
#                                    the guest, otherwise software emulation
#   QEMU_TIMEOUT=SEC                 limit for the whole boot (default 900
#                                    with KVM, 3600 with TCG)
#   QEMU_TESTS=all|none|NAME...      the bats files to run (default: the
#                                    target's); NAME is
#                                    tests/integration/NAME.bats, DIR/NAME
#                                    tests/DIR/NAME.bats; none: only
#                                    ipctrace -v, to see it load
#   QEMU_TARGET=full|bare|arm64|deb  the guest (tools/qemu/target-*.sh;
#                                    default full, the one described above)
#
# Output: the guest's serial console, live; after it, build/qemu/results/
# (tap, ipctrace-v.log, dmesg.log, uname) and build/qemu/console.log.
# Exits 0 only when the guest ran the whole suite and every test passed.
set -euo pipefail
# shellcheck source=tools/qemu/lib.sh
source "$(dirname "$0")/lib.sh"

QEMU_ACCEL=${QEMU_ACCEL:-auto}
# KVM reaches the guest's init in seconds; past this, it is not working.
KVM_BOOT_DEADLINE=${KVM_BOOT_DEADLINE:-60}

case $QEMU_ACCEL in
auto | kvm | tcg) ;;
*)
	say "QEMU_ACCEL='$QEMU_ACCEL': expected auto, kvm or tcg"
	exit 2
	;;
esac
# The target's binaries, checked before minutes go into an image.
stage=$QEMU_OUT/tests-disk
rm -rf "$stage" "$QEMU_OUT/results"
mkdir -p "$stage/build" "$stage/results"
stage_binaries "$stage" || exit 1

need_packages
"$ROOT/tools/qemu/build-image.sh"

# The tests disk: rebuilt every run from the current build, mounted by the
# guest at /ipctrace, so build/ and tests/ keep the layout the bats helpers
# expect (ROOT = tests/..). The guest writes its results back onto it.
disk=$QEMU_OUT/tests.img
# include/ and user/ too: tests read limits and tables from the sources
# (MAX_WATCHED, MAX_RETIRED, the tracepoints feature_probe.c knows) rather
# than repeat them; cli.bats reads README.md.
cp -r "$ROOT/tests" "$ROOT/VERSION" "$ROOT/README.md" "$ROOT/include" "$ROOT/user" "$stage/"
# The packaging tests (make install, man pages, bash completion) need the
# source tree, make and groff, and test nothing of the kernel's: they run on
# the host with make test.
rm -f "$stage/tests/integration/install.bats" "$stage/tests/integration/completion.bats"
install -m 0755 "$ROOT/tools/qemu/guest-tests.sh" "$stage/"
# Tests run ipctrace as user 65534 too: it must reach the binary.
chmod -R go+rX,go-w "$stage"
rm -f "$disk"
truncate -s 256M "$disk"
mkfs.ext4 -q -F -L ipctrace-tests -d "$stage" "$disk"

# kvm_works: /dev/kvm opens. Whether it can run this guest is only known by
# booting it (a nested or paravirtual KVM may start and never reach init).
kvm_works() {
	[[ $QEMU_KVM == yes && -r /dev/kvm && -w /dev/kvm ]]
}

# A script's background jobs ignore Ctrl-C, and timeout(1) runs in a process
# group of its own: without this, an interrupted run leaves qemu behind.
qpid='' tpid=''
stop_guest() {
	[[ -n $qpid ]] && kill "$qpid" 2>/dev/null
	[[ -n $tpid ]] && kill "$tpid" 2>/dev/null
	qpid='' tpid=''
}
trap stop_guest EXIT
trap 'say "interrupted"; exit 130' INT TERM

# boot ACCEL: boots the guest once, console to stdout and to console.log.
# Returns qemu's status (124: the timeout), or 125 if ACCEL is kvm and the
# guest's init did not start within KVM_BOOT_DEADLINE.
boot() {
	local accel=$1 limit cpu console=$QEMU_OUT/console.log i status
	if [[ $accel == kvm ]]; then
		limit=${QEMU_TIMEOUT:-900}
		cpu=host
	else
		limit=${QEMU_TIMEOUT:-3600}
		cpu=$QEMU_TCG_CPU
	fi
	local tests=${QEMU_TESTS:-$GUEST_TESTS}
	local args=(
		"${QEMU_MACHINE[@]}" -accel "$accel" -cpu "$cpu" -m 2G -smp "$QEMU_SMP"
		-nographic -no-reboot -nic none
		-kernel "$QEMU_OUT/vmlinuz" -initrd "$QEMU_OUT/initrd.img"
		# panic=-1 with -no-reboot: a panic ends qemu at once rather than
		# at the timeout. The guest gets the limit minus time to boot and
		# power off, so a hung test still leaves the others' results.
		-append "root=/dev/vda $GUEST_ROOT_MODE rootfstype=ext4 console=$QEMU_CONSOLE quiet panic=-1 init=$GUEST_INIT ipctrace.timeout=$((limit > 600 ? limit - 240 : limit / 2)) ipctrace.tests=${tests// /,}"
		# snapshot=on: the cached image is never written, so every run
		# starts from the same guest.
		-drive "file=$QEMU_OUT/rootfs.img,format=raw,if=virtio,snapshot=on"
		-drive "file=$disk,format=raw,if=virtio"
	)
	say "booting Linux $(cat "$QEMU_OUT/kernel-release") ($QEMU_TARGET) with $accel, limit ${limit}s"
	: >"$console"
	# stdin from /dev/null: qemu leaves the terminal alone, and Ctrl-C
	# still reaches it.
	timeout -k 10 "$limit" "$QEMU_SYSTEM" "${args[@]}" </dev/null >"$console" 2>&1 &
	qpid=$!
	tail -n +1 -f --pid="$qpid" "$console" &
	tpid=$!
	if [[ $accel == kvm ]]; then
		for ((i = 0; i < KVM_BOOT_DEADLINE; i++)); do
			grep -q 'ipctrace-guest: init started' "$console" && break
			kill -0 "$qpid" 2>/dev/null || break
			sleep 1
		done
		if ! grep -q 'ipctrace-guest: init started' "$console"; then
			kill "$qpid" 2>/dev/null || true
			wait "$qpid" || true
			wait "$tpid" || true
			qpid='' tpid=''
			cp "$console" "$QEMU_OUT/console-kvm.log"
			return 125
		fi
	fi
	status=0
	wait "$qpid" || status=$?
	wait "$tpid" || true
	qpid='' tpid=''
	return "$status"
}

accel=$QEMU_ACCEL
if [[ $accel == auto ]]; then
	accel=tcg
	kvm_works && accel=kvm
fi
if [[ $accel == kvm ]] && ! kvm_works; then
	say "QEMU_ACCEL=kvm, but /dev/kvm cannot be opened read-write"
	exit 1
fi

started=$SECONDS
status=0
boot "$accel" || status=$?
if [[ $status -eq 125 ]]; then
	if [[ $QEMU_ACCEL == kvm ]]; then
		say "KVM did not start the guest within ${KVM_BOOT_DEADLINE}s (console: $QEMU_OUT/console-kvm.log)"
		exit 1
	fi
	say "KVM did not start the guest within ${KVM_BOOT_DEADLINE}s (console: $QEMU_OUT/console-kvm.log); falling back to software emulation (TCG)"
	accel=tcg
	status=0
	boot tcg || status=$?
fi
elapsed=$((SECONDS - started))

# The guest's results, read straight from the image: no mount, no loop device.
debugfs -R "rdump /results $QEMU_OUT" "$disk" >/dev/null 2>&1 || true
results=$QEMU_OUT/results
if [[ $status -eq 124 ]]; then
	say "qemu timed out after ${elapsed}s ($accel); console: $QEMU_OUT/console.log"
	exit 1
fi
if [[ ! -s $results/rc ]]; then
	say "the guest did not finish the tests (qemu status $status, ${elapsed}s, $accel); console: $QEMU_OUT/console.log"
	exit 1
fi

passed=$(grep -c '^ok ' "$results/tap" || true)
failed=$(grep -c '^not ok ' "$results/tap" || true)
rc=$(cat "$results/rc")
say "results in $results (tap, ipctrace-v.log, dmesg.log), console in $QEMU_OUT/console.log"
grep '^not ok ' "$results/tap" >&2 || true
# Last, like make test's summary.
say "Linux $(cat "$results/uname") under qemu ($QEMU_TARGET, $accel, ${elapsed}s): $passed passed, $failed failed"
if [[ $rc -ne 0 || $failed -ne 0 || $passed -eq 0 ]]; then
	exit 1
fi
