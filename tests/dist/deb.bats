#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# make deb's package, installed on this machine with dpkg (make test-dist runs
# this after make deb): its files where Debian puts them, the installed
# ipctrace tracing exactly, the unit valid for systemd, and a purge that
# leaves nothing behind.
load ../integration/helpers
load package

VERSION=$(cat "$ROOT/VERSION")
DEB=$ROOT/dist/ipctrace_${VERSION}_amd64.deb

# The package's files that must be there once installed.
FILES=(
	/usr/sbin/ipctrace /usr/bin/ipc-demo
	/usr/share/man/man8/ipctrace.8.gz /usr/share/man/man5/ipctrace-output.5.gz
	/usr/share/man/man7/ipctrace-mechanisms.7.gz /usr/share/man/man1/ipc-demo.1.gz
	/usr/share/bash-completion/completions/ipctrace
	/usr/share/bash-completion/completions/ipc-demo
	/lib/systemd/system/ipctrace.service /etc/default/ipctrace
)

# scraped PORT: the metrics at PORT have the pipe demo's parent's bytes.
scraped() {
	curl -sf "http://127.0.0.1:$1/metrics" | grep -q '^ipctrace_bytes_total{.*"pipe-parent"'
}

teardown() {
	dpkg --purge ipctrace >/dev/null 2>&1 || true
	kill -9 "$TRACER_PID" 2>/dev/null || true
	rm -rf "$TMP"
}

@test "deb: installed, it puts every file in place and the installed ipctrace traces exactly" {
	run -0 dpkg -i "$DEB"
	for f in "${FILES[@]}"; do
		echo "checking $f"
		[ -f "$f" ]
	done
	grep -qx /etc/default/ipctrace /var/lib/dpkg/info/ipctrace.conffiles
	run -0 man -w ipctrace
	[ "$output" = /usr/share/man/man8/ipctrace.8.gz ]
	IPCTRACE=/usr/sbin/ipctrace start_tracer --json -i 0.5
	/usr/bin/ipc-demo pipe -n 100 -s 3000 --json >"$TMP/demo"
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "deb: the unit passes systemd-analyze verify and starts ipctrace with the defaults file's options" {
	run -0 dpkg -i "$DEB"
	run systemd-analyze verify /lib/systemd/system/ipctrace.service
	echo "$output"
	[ "$status" -eq 0 ]
	# The unit's command with the defaults file's options, as systemd would
	# expand them, serves the metrics: scraped once, its rows are there.
	# shellcheck source=/dev/null
	source /etc/default/ipctrace
	port=${IPCTRACE_OPTS#--listen }
	port=${port%% *}
	cmd=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/ipctrace.service)
	[ "$cmd" = '/usr/sbin/ipctrace $IPCTRACE_OPTS' ]
	# shellcheck disable=SC2086  # split as systemd splits $VAR
	IPCTRACE=/usr/sbin/ipctrace start_tracer $IPCTRACE_OPTS
	/usr/bin/ipc-demo pipe -n 10 -s 100 --json >"$TMP/demo"
	wait_until 20 scraped "$port"
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
}

@test "deb: dpkg --purge removes every file it installed" {
	run -0 dpkg -i "$DEB"
	purge_leaves_nothing
}
