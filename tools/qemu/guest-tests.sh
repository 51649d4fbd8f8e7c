#!/bin/bash
# Runs inside the test guest, as root, started by its init
# (guest-init.sh). run-tests.sh copies it onto the tests disk, mounted at
# /ipctrace next to build/ and tests/, the layout the bats helpers expect.
# Everything goes to the serial console, which the host shows and keeps,
# and to results/ on this disk, which the host reads back after power-off.
# results/rc is written last: without it, the host knows the run did not
# finish.
set -uo pipefail
cd "$(dirname "$0")" || exit 1
mkdir -p results
# The root filesystem is read-only: caches (fontconfig's, which dot would
# otherwise try to write on every call, slowly) go under /tmp.
export HOME=/tmp XDG_CACHE_HOME=/tmp/.cache
# Debian's PATH for root: the bare and arm64 guests have busybox's ip in
# /usr/local/sbin (target-bare.sh), off the PATH of the init baked into
# their images, which so left the loopback down. The socket tests talk
# over it: it is brought up here. (The deb guest's systemd has done it.)
export PATH=/usr/local/sbin:/usr/local/bin:$PATH
if command -v ip >/dev/null; then
	ip link set lo up
fi

# The host's limit for the whole boot, minus room to boot and power off, so
# a hung test still leaves the results of the others.
budget=$(sed -nE 's/.*ipctrace\.timeout=([0-9]+).*/\1/p' /proc/cmdline)
budget=${budget:-1800}

section() {
	printf '\n=== %s\n' "$*"
}

section "uname -rm"
uname -rm | tee results/uname

section "ls /sys/kernel/btf/vmlinux"
ls -l /sys/kernel/btf/vmlinux

# The libbpf debug log (verifier output, CO-RE relocations) of one short
# run, kept whatever happens: the first thing to read when a test fails here
# and not on the developers' kernel. (A guest that installs ipctrace from
# its package in a test has no build/ipctrace.)
status=0
if [[ -x build/ipctrace ]]; then
	section "ipctrace --features"
	timeout 60 build/ipctrace --features | tee results/features
	section "ipctrace -v -d 1 (log: results/ipctrace-v.log on the host)"
	timeout 60 build/ipctrace -v -d 1 >results/ipctrace-v.log 2>&1
	status=$?
	echo "exit status $status"
	if [[ $status -eq 0 ]]; then
		grep -E '^ipctrace: attached' results/ipctrace-v.log
	else
		tail -n 40 results/ipctrace-v.log
	fi
	# -x's programs are the ones older verifiers have refused: their log too.
	timeout 60 build/ipctrace -v -x --hex-bytes 16 -d 1 >results/ipctrace-x-v.log 2>&1
	echo "ipctrace -v -x --hex-bytes 16 -d 1: exit status $? (log: results/ipctrace-x-v.log)"
fi

# QEMU_TESTS on the host: all, none, or files' names, comma-separated here
# (NAME for tests/integration/NAME.bats, DIR/NAME for tests/DIR/NAME.bats).
tests=$(sed -nE 's/.*ipctrace\.tests=([a-z0-9_,/-]+).*/\1/p' /proc/cmdline)
suite=()
case ${tests:-all} in
# The 32-bit syscall tests where IA32 emulation runs their workload.
all)
	suite=(tests/integration)
	[[ $(uname -m) == x86_64 && -x build/compat-int80 ]] && suite+=(tests/compat)
	;;
none) ;;
*)
	IFS=, read -ra names <<<"$tests"
	for name in "${names[@]}"; do
		if [[ $name == */* ]]; then
			suite+=("tests/$name.bats")
		else
			suite+=("tests/integration/$name.bats")
		fi
	done
	;;
esac
section "bats --tap ${suite[*]:-(none)}"
start=$SECONDS
if [[ ${#suite[@]} -gt 0 ]]; then
	timeout "$budget" bats --tap "${suite[@]}" 2>&1 | tee results/tap
	rc=${PIPESTATUS[0]}
else
	: >results/tap
	rc=$status
fi
passed=$(grep -c '^ok ' results/tap)
failed=$(grep -c '^not ok ' results/tap)
section "result on $(uname -r): $passed passed, $failed failed, bats exit status $rc, $((SECONDS - start)) s"
grep '^not ok ' results/tap

dmesg >results/dmesg.log
echo "$rc" >results/rc
sync
exit "$rc"
