# SPDX-License-Identifier: GPL-2.0
# Shared by the package's tests: deb.bats on this machine, service.bats under
# systemd in the qemu guest.

# purge_leaves_nothing: dpkg --purge ipctrace succeeds and every file the
# package had installed is gone, its defaults file (a conffile) too, and
# dpkg no longer knows it.
purge_leaves_nothing() {
	local listed f
	listed=$(dpkg -L ipctrace)
	dpkg --purge ipctrace
	while read -r f; do
		# the directories are shared with other packages
		[[ -d $f ]] && continue
		echo "checking $f"
		[ ! -e "$f" ] || return 1
	done <<<"$listed"
	[ ! -e /etc/default/ipctrace ] || return 1
	if dpkg-query -W ipctrace 2>/dev/null; then
		echo "dpkg still knows ipctrace"
		return 1
	fi
}
