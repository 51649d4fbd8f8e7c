#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# make deb's package under a real systemd: run by `make test-qemu
# QEMU_TARGET=deb`, in a guest whose PID 1 is systemd (tools/qemu/target-deb.sh),
# with the package's dependencies installed and ipctrace not. Installed,
# ipctrace.service is started by systemd with the hardening it ships, serves
# exact metrics, stops with its programs unloaded, and the purge leaves
# nothing. The tests run in order, each on the previous one's state.
load ../integration/helpers
load package

VERSION=$(cat "$ROOT/VERSION")
DEB=$ROOT/dist/ipctrace_${VERSION}_amd64.deb
UNIT=ipctrace.service
# Where the main process's BPF program IDs are kept from one test to the next.
STATE=/run/ipctrace-service-test

# port: the metrics' port in the defaults file the package installs
# (IPCTRACE_OPTS="--listen PORT ...").
port() {
	sed -nE 's/^IPCTRACE_OPTS=".*--listen ([0-9]+).*"/\1/p' /etc/default/ipctrace
}

# bytes_sum FILE COMM DIR: the sum of the scrape FILE's pipe byte counters
# for processes named COMM in direction DIR (every peer and cgroup).
bytes_sum() {
	awk -v comm="$2" -v dir="$3" '
		/^ipctrace_bytes_total\{/ && $0 ~ "[{,]comm=\"" comm "\"" &&
		$0 ~ "[{,]type=\"pipe\"" && $0 ~ "[{,]dir=\"" dir "\"" { s += $NF }
		END { printf "%d\n", s }' "$1"
}

# demo_sum COMM DIR: the bytes the pipe demo's records say COMM moved in DIR.
demo_sum() {
	jq -s --arg c "$1" --arg d "$2" '[.[] | select(.comm == $c and .dir == $d) | .bytes] | add' "$TMP/demo"
}

# scraped_exact: a scrape has the demo's bytes, exactly, on both ends.
scraped_exact() {
	curl -sf "http://127.0.0.1:$(port)/metrics" >"$TMP/metrics" &&
		[ "$(bytes_sum "$TMP/metrics" pipe-parent tx)" -eq "$(demo_sum pipe-parent tx)" ] &&
		[ "$(bytes_sum "$TMP/metrics" pipe-child rx)" -eq "$(demo_sum pipe-child rx)" ]
}

# scrape_up: the exporter answers, so its programs are attached (ipctrace
# serves only once they are).
scrape_up() {
	curl -sf "http://127.0.0.1:$(port)/metrics" >"$TMP/metrics" &&
		grep -qx 'ipctrace_up 1' "$TMP/metrics"
}

# unit_active: systemd says the unit is running.
unit_active() {
	[ "$(systemctl show -p ActiveState --value "$UNIT")" = active ]
}

@test "service: the guest runs systemd as PID 1 and has no ipctrace yet" {
	[ -d /run/systemd/system ]
	[ "$(cat /proc/1/comm)" = systemd ]
	run dpkg-query -W ipctrace
	[ "$status" -ne 0 ]
	[ ! -e /usr/sbin/ipctrace ]
}

@test "service: installed, the unit is known to systemd, neither enabled nor started" {
	run -0 dpkg -i "$DEB"
	[ "$(systemctl show -p LoadState --value "$UNIT")" = loaded ]
	run systemctl is-enabled "$UNIT"
	[ "$output" = disabled ]
	run systemctl is-active "$UNIT"
	[ "$output" = inactive ]
}

@test "service: started by systemd with its hardening, it attaches and serves the pipe demo's bytes exactly" {
	run -0 systemctl start "$UNIT"
	wait_until 120 unit_active
	pid=$(systemctl show -p MainPID --value "$UNIT")
	[ "$pid" -gt 0 ]
	# Loading takes long under emulation on a busy host: what the unit said
	# is shown if it never serves.
	if ! wait_until 600 scrape_up; then
		systemctl status --no-pager "$UNIT" || true
		# ipctrace's own lines, not systemd's restarts
		journalctl --no-pager -u "$UNIT" | grep -v ' systemd\[1\]: ' | tail -n 20
		return 1
	fi
	grep -qx "ipctrace_build_info{version=\"$VERSION\"} 1" "$TMP/metrics"
	# The unit's sandbox is in force: no new privileges, and a bounding set
	# within the one the unit names (ipctrace's own drop narrows it further).
	grep -qx $'NoNewPrivs:\t1' "/proc/$pid/status"
	allowed=$(sed -n 's/^CapabilityBoundingSet=//p' "/lib/systemd/system/$UNIT" | tr 'A-Z ' 'a-z\n')
	[ -n "$allowed" ]
	run -0 capsh --decode="$(awk '/^CapBnd:/ { print $2 }' "/proc/$pid/status")"
	echo "bounding set: $output; the unit's: $allowed"
	IFS=, read -ra caps <<<"${output#*=}"
	[ "${#caps[@]}" -gt 0 ]
	for cap in "${caps[@]}"; do
		grep -qx "$cap" <<<"$allowed"
	done
	/usr/bin/ipc-demo pipe -n 150 -s 2000 --json >"$TMP/demo"
	wait_until 300 scraped_exact
	TRACER_PID=$pid tracer_programs >"$STATE"
	TRACER_PID=
	echo "programs: $(paste -sd ' ' "$STATE")"
	[ -s "$STATE" ]
}

@test "service: systemctl stop ends it and its programs are unloaded" {
	[ -s "$STATE" ]
	mapfile -t progs <"$STATE"
	run -0 systemctl stop "$UNIT"
	run systemctl is-active "$UNIT"
	[ "$output" = inactive ]
	# Stopped by SIGTERM, ipctrace exits 0: not a failure for systemd.
	[ "$(systemctl show -p Result --value "$UNIT")" = success ]
	wait_until 30 programs_gone "${progs[@]}"
}

@test "service: dpkg --purge removes every file and the unit" {
	purge_leaves_nothing
	[ "$(systemctl show -p LoadState --value "$UNIT")" = not-found ]
}
