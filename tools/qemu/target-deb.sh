# shellcheck shell=bash disable=SC2034  # read by the scripts that source lib.sh
# QEMU_TARGET=deb: make deb's package on Debian 12's amd64 kernel, in a guest
# whose PID 1 is systemd, so that ipctrace.service runs as it would on a
# server: tests/dist/service.bats installs the package, starts the unit,
# scrapes it, stops it and purges the package. The image has the package's
# dependencies (read from the .deb) and the test's tools, not ipctrace.

QEMU_OUT=$ROOT/build/qemu-deb
GUEST_ARCH=amd64
GUEST_KERNEL=${GUEST_KERNEL:-linux-image-amd64}
DEB_FILE=$ROOT/dist/ipctrace_$(cat "$ROOT/VERSION")_amd64.deb
# The package's Depends, without versions or alternatives: dpkg -i in the
# guest has no network to fetch them.
deb_depends() {
	dpkg-deb -f "$DEB_FILE" Depends | sed -E 's/\([^)]*\)//g; s/\|[^,]*//g; s/,/ /g'
}
GUEST_PACKAGES=(
	"$GUEST_KERNEL" initramfs-tools zstd systemd
	bats jq curl procps bpftool libcap2-bin
)
if [[ -r $DEB_FILE ]]; then
	read -ra depends <<<"$(deb_depends)"
	GUEST_PACKAGES+=("${depends[@]}")
fi
GUEST_INIT=/lib/systemd/systemd
# dpkg writes to the root filesystem; the image itself is never written
# (snapshot=on).
GUEST_ROOT_MODE=rw
GUEST_TESTS=dist/service


# Built on every image change, the initrd is kept to what boots this guest.
prepare_rootfs() {
	small_initrd "$1"
}

# customize_rootfs: systemd runs the tests as a service of the booted
# system (guest-init.sh, which mounts what systemd has not and powers off).
customize_rootfs() {
	cat >"$1/etc/systemd/system/ipctrace-guest.service" <<-'UNIT'
		[Unit]
		Description=ipctrace's tests in the qemu guest
		After=multi-user.target

		[Service]
		Type=simple
		ExecStart=/sbin/ipctrace-init
		StandardOutput=journal+console
		StandardError=journal+console

		[Install]
		WantedBy=multi-user.target
	UNIT
	mkdir -p "$1/etc/systemd/system/multi-user.target.wants"
	ln -sf /etc/systemd/system/ipctrace-guest.service \
		"$1/etc/systemd/system/multi-user.target.wants/ipctrace-guest.service"
	ln -sf /lib/systemd/system/multi-user.target "$1/etc/systemd/system/default.target"
}

stage_binaries() {
	if [[ ! -r $DEB_FILE ]]; then
		say "${DEB_FILE#"$ROOT"/} is missing: build it first (make test-qemu QEMU_TARGET=deb does)"
		return 1
	fi
	mkdir -p "$1/dist"
	cp "$DEB_FILE" "$1/dist/"
}
