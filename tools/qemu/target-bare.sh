# shellcheck shell=bash disable=SC2034  # read by the scripts that source lib.sh
# QEMU_TARGET=bare: make dist's static x86-64 pair on Debian 12's amd64
# kernel, in a root filesystem with none of the libraries ipctrace links
# (no libbpf, libmicrohttpd, json-c, glib, libyaml: customize_rootfs checks),
# only what the tests themselves call. The proof that the one file needs
# nothing of the box but its kernel. Runs the integration tests that need no
# server (tests/dist/no-server-tests, as make test-dist).

# The architecture: target-arm64.sh sets these two, then reuses the rest.
DIST_ARCH=${DIST_ARCH:-x86_64}
QEMU_OUT=$ROOT/build/qemu-$QEMU_TARGET
GUEST_ARCH=${GUEST_ARCH:-amd64}
GUEST_KERNEL=${GUEST_KERNEL:-linux-image-$GUEST_ARCH}
GUEST_PACKAGES=(
	"$GUEST_KERNEL" initramfs-tools zstd
	# what the tests call; iproute2 would bring libbpf, so busybox's ip
	# (customize_rootfs) brings the loopback up instead
	bats jq python3 procps util-linux perl socat curl libcap2-bin bpftool busybox-static
)
GUEST_INIT=/sbin/ipctrace-init
GUEST_ROOT_MODE=ro
GUEST_TESTS=$(cat "$ROOT/tests/dist/no-server-tests")
# Debian's amd64 kernel has IA32 emulation: the 32-bit syscall tests too.
if [[ $DIST_ARCH == x86_64 ]]; then
	GUEST_TESTS+=" compat/compat"
fi


# The libraries of ipctrace's own (the dynamic build's) that must not be in
# the guest: were one there, a static binary could not be told from one that
# found it.
IPCTRACE_LIBS='libbpf\.so|libmicrohttpd\.so|libjson-c\.so|libglib-2\.0\.so|libyaml-0\.so'

# Built on every image change, the initrd is kept to what boots this guest.
prepare_rootfs() {
	small_initrd "$1"
}

customize_rootfs() {
	local found
	found=$(find "$1/lib" "$1/usr/lib" -regextype egrep -regex ".*/($IPCTRACE_LIBS)[^/]*" 2>/dev/null)
	if [[ -n $found ]]; then
		say "the bare guest must not have ipctrace's libraries, but has: $found"
		return 1
	fi
	mkdir -p "$1/usr/local/sbin"
	ln -sf /bin/busybox "$1/usr/local/sbin/ip"
}

stage_binaries() {
	local version name
	version=$(cat "$ROOT/VERSION")
	for name in ipctrace ipc-demo; do
		if [[ ! -x $ROOT/dist/$name-$version-$DIST_ARCH ]]; then
			say "dist/$name-$version-$DIST_ARCH is missing: build it first (make test-qemu QEMU_TARGET=$QEMU_TARGET does)"
			return 1
		fi
		cp "$ROOT/dist/$name-$version-$DIST_ARCH" "$1/build/$name"
	done
	stage_compat_bins "$1"
}
