#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Prometheus metrics: the textfile (--prom-file) and the server (--listen),
# checked by promtool and compared with the demos' records and ipctrace's
# own JSON (tests/lib/check_prom.py).
load helpers

CHECK_PROM="$ROOT/tests/lib/check_prom.py"
CHECK_SETS="$ROOT/tests/lib/check_prom_sets.py"

# free_port: a TCP port nothing listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

promtool_ok() {
	promtool check metrics <"$1" || { echo "promtool rejects $1"; return 1; }
}

inode_changed() {
	[ "$(stat -c %i "$1")" != "$2" ]
}

@test "--prom-detail --prom-file: promtool accepts it; the summary's series per PID are the demos' bytes and ops" {
	start_tracer --json -i 0.3 --prom-file "$TMP/ipctrace.prom" --prom-rows 1000000 --prom-detail
	# There from the start, and replaced by rename each interval.
	promtool_ok "$TMP/ipctrace.prom"
	grep -qx 'ipctrace_up 1' "$TMP/ipctrace.prom"
	# Held open, the first file keeps its inode number from the next file
	# (ext4 reuses a freed number at once), and shows it was not written
	# into after.
	exec {first}<"$TMP/ipctrace.prom"
	first_inode=$(stat -L -c %i "/dev/fd/$first")
	cp "/dev/fd/$first" "$TMP/first.prom"
	for demo in pipe fifo mq msg unix tcp udp; do
		"$DEMO" "$demo" -n 40 -s 700 --json >>"$TMP/demo"
	done
	wait_until 10 inode_changed "$TMP/ipctrace.prom" "$first_inode"
	cmp "/dev/fd/$first" "$TMP/first.prom"
	exec {first}<&-
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
	promtool_ok "$TMP/ipctrace.prom"
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	python3 "$CHECK_PROM" "$TMP/ipctrace.prom" "$TMP/out" "$TMP/demo" --rows=1000000
	# What node_exporter's textfile collector wants: a file ending in .prom,
	# readable by its user, and no temporary file left beside it.
	[ "$(stat -c %a "$TMP/ipctrace.prom")" = 644 ]
	[ "$(find "$TMP" -maxdepth 1 -name '.ipctrace.prom.*' | wc -l)" -eq 0 ]
}

@test "--prom-detail --prom-rows: the busiest rows have series, the rest add up per type and dir, within the bound" {
	start_tracer --json -i 0.3 --prom-file "$TMP/ipctrace.prom" --prom-rows 3 --prom-detail
	for demo in pipe fifo mq unix tcp; do
		"$DEMO" "$demo" -n 40 -s 700 --json >>"$TMP/demo"
	done
	stop_tracer
	promtool_ok "$TMP/ipctrace.prom"
	# More rows than 3, so that some add up.
	[ "$(final | jq '.rows | length')" -gt 3 ]
	run python3 "$CHECK_PROM" "$TMP/ipctrace.prom" "$TMP/out" --rows=3
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == "compared 3 series ("* ]]
	grep -q 'object="(other)"' "$TMP/ipctrace.prom"
}

# metrics_show READER WRITER BYTES: a scrape now is what promtool accepts,
# has the live reader's series at the bytes it read, and none of the writer
# that exited.
metrics_show() {
	local reader=$1 writer=$2 bytes=$3
	curl -sf --max-time 5 -o "$TMP/scrape" "http://127.0.0.1:$PORT/metrics" || return 1
	promtool check metrics <"$TMP/scrape" || return 1
	grep -qE "^ipctrace_bytes_total\{type=\"fifo\",object=\"$TMP/chan\",dir=\"rx\",pid=\"$reader\",comm=\"fifo-reader\"\} $bytes$" "$TMP/scrape" || return 1
	if grep -q "pid=\"$writer\"" "$TMP/scrape"; then
		return 1
	fi
}

frames() {
	wc -l <"$TMP/out"
}

more_frames_than() {
	[ "$(frames)" -gt "$1" ]
}

@test "--prom-detail --listen: /metrics live; an exited writer's series goes; a stalled client holds nothing up" {
	PORT=$(free_port)
	mkfifo "$TMP/chan"
	start_tracer --json -i 0.2 -t fifo --listen "127.0.0.1:$PORT" --prom-detail
	run curl -sf -D "$TMP/headers" -o "$TMP/scrape" "http://127.0.0.1:$PORT/metrics"
	[ "$status" -eq 0 ]
	grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$TMP/headers"
	promtool_ok "$TMP/scrape"
	# Clients that send half a request and wait: the server's thread keeps
	# them, the tracer goes on.
	python3 -c '
import socket, sys, time
held = []
for _ in range(20):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
    held.append(s)
print("holding", flush=True)
time.sleep(60)' "$PORT" >"$TMP/slow" 3>&- &
	wait_for "$TMP/slow" '^holding'
	"$DEMO" fifo --role reader --path "$TMP/chan" -s 100 --json >>"$TMP/demo" 3>&- &
	reader=$!
	sleep 600 >"$TMP/chan" 3>&- &
	holder=$!
	"$DEMO" fifo --role writer --path "$TMP/chan" -n 30 -s 100 --json >>"$TMP/demo"
	writer=$(jq -r 'select(.dir == "tx") | .pid' "$TMP/demo")
	bytes=$(jq -r 'select(.dir == "tx") | .bytes' "$TMP/demo")
	seen=$(frames)
	wait_until 20 metrics_show "$reader" "$writer" "$bytes"
	wait_until 20 more_frames_than $((seen + 3))
	# Only GET and HEAD, only /metrics.
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/metrics")" = 405 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" = 404 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -I "http://127.0.0.1:$PORT/metrics")" = 200 ]
	kill "$holder"
	wait_gone "$reader"
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
	# The reader's own count, once it saw the end, is what /metrics said.
	[ "$(jq -r 'select(.dir == "rx") | .bytes' "$TMP/demo")" = "$bytes" ]
	run curl -s --max-time 5 "http://127.0.0.1:$PORT/metrics"
	[ "$status" -ne 0 ]
}

@test "--listen: a port alone is loopback; a port in use, an address not of this host: exit 1" {
	PORT=$(free_port)
	start_tracer -i 0.5 --listen "$PORT"
	run ss -Hltn "sport = :$PORT"
	echo "$output"
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == *" 127.0.0.1:$PORT "* ]]
	run --separate-stderr timeout 20 "$IPCTRACE" --listen ":$PORT" -d 1
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipctrace: cannot listen on 127.0.0.1:$PORT: Address already in use: stop what uses it (ss -ltnp) or choose another port with --listen" ]
	stop_tracer
	run --separate-stderr timeout 20 "$IPCTRACE" --listen "192.0.2.1:$PORT" -d 1
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipctrace: cannot listen on 192.0.2.1:$PORT: Cannot assign requested address: give an address of this host, or a port alone for 127.0.0.1" ]
	run --separate-stderr "$IPCTRACE" --listen "localhost:http"
	[ "$status" -eq 2 ]
	[ "$stderr" = "ipctrace: invalid --listen address 'localhost:http': expected PORT, :PORT, IP:PORT or [IPv6]:PORT" ]
}

@test "--prom-file into a directory that does not exist: one line before tracing, exit 1" {
	run --separate-stderr timeout 20 "$IPCTRACE" --prom-file "$TMP/none/x.prom" -d 1
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipctrace: cannot write --prom-file $TMP/none/x.prom: No such file or directory: check that its directory exists and is writable" ]
	mkdir "$TMP/dir.prom"
	run --separate-stderr timeout 20 "$IPCTRACE" --prom-file "$TMP/dir.prom" -d 1
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipctrace: --prom-file $TMP/dir.prom is a directory: give a file name" ]
}

@test "--prom-file: the time of the last refresh, so that a killed ipctrace's file shows it is stale" {
	start_tracer --json -i 0.3 --prom-file "$TMP/ipctrace.prom"
	stamp() { sed -nE 's/^ipctrace_last_refresh_timestamp_seconds ([0-9]+)$/\1/p' "$TMP/ipctrace.prom"; }
	first=$(stamp)
	[ -n "$first" ]
	[ $((first - $(date +%s))) -le 1 ] && [ $(($(date +%s) - first)) -le 2 ]
	# It moves on while ipctrace runs...
	wait_until 10 sh -c "[ \"\$(sed -nE 's/^ipctrace_last_refresh_timestamp_seconds ([0-9]+)$/\1/p' '$TMP/ipctrace.prom')\" -gt $first ]"
	# ...and stops when it is killed, with ipctrace_up still 1: the age tells.
	kill -9 "$TRACER_PID"
	wait_gone "$TRACER_PID"
	TRACER_PID=
	grep -qx 'ipctrace_up 1' "$TMP/ipctrace.prom"
	last=$(stamp)
	sleep 2.2
	[ "$(stamp)" -eq "$last" ]
	[ $(($(date +%s) - last)) -ge 2 ]
}

@test "--listen unix:PATH: mode 0600, scraped through the socket, gone at exit; the server's thread holds no capability" {
	chmod 0755 "$TMP"	# so that only the socket's own mode keeps others out
	start_tracer --json -i 0.3 --listen "unix:$TMP/metrics.sock"
	[ "$(stat -c %a "$TMP/metrics.sock")" = 600 ]
	wait_until 10 sh -c "curl -sf --unix-socket '$TMP/metrics.sock' http://localhost/metrics >'$TMP/scrape'"
	grep -qx 'ipctrace_up 1' "$TMP/scrape"
	promtool_ok "$TMP/scrape"
	# Another user cannot connect.
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		curl -sf --unix-socket "$TMP/metrics.sock" http://localhost/metrics
	[ "$status" -ne 0 ]
	# The HTTP server's thread has no capability; the main thread keeps
	# what reading other users' /proc entries needs.
	server=0
	for task in /proc/"$TRACER_PID"/task/*; do
		caps=$(sed -n 's/^CapEff:[[:space:]]*//p' "$task/status")
		if [[ $(cat "$task/comm") == ipctrace-http ]]; then
			[ "$caps" = 0000000000000000 ]
			server=$((server + 1))
		fi
	done
	[ "$server" -ge 1 ]
	[ "$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/"$TRACER_PID"/status)" != 0000000000000000 ]
	stop_tracer
	[ ! -e "$TMP/metrics.sock" ]
}

@test "--listen unix: with no path, or one too long: one line, exit 2" {
	run --separate-stderr "$IPCTRACE" --listen unix:
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "ipctrace: invalid --listen socket path in 'unix:'"* ]]
	run --separate-stderr "$IPCTRACE" --listen "unix:/tmp/$(printf 'x%.0s' {1..120})"
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

# scrape_while_running FILE...: scrape /metrics into $TMP/scrape.N until FILE
# exists, at least three times; the names of the scrapes in $SCRAPES.
scrape_until() {
	local n=0
	SCRAPES=()
	while [ ! -e "$1" ] || [ "$n" -lt 3 ]; do
		n=$((n + 1))
		curl -sf --max-time 10 -o "$TMP/scrape.$n" "http://127.0.0.1:$PORT/metrics"
		promtool_ok "$TMP/scrape.$n"
		SCRAPES+=("$TMP/scrape.$n")
		sleep 0.4
	done
}

@test "default metrics: 200 short-lived processes add up exactly, in a few series that never go back" {
	PORT=$(free_port)
	# The workload is ipctrace's command, so that only its processes count:
	# other runs of the demos on this machine share their names.
	cat >"$TMP/churn.sh" <<-EOF
		for i in \$(seq 100); do "$DEMO" pipe -n 5 -s 300 --json >>"$TMP/demo"; done
		touch "$TMP/done"
		while [ ! -e "$TMP/stop" ]; do sleep 0.1; done
	EOF
	# Its input is no pipe whose other end (this test's shell) would count.
	start_tracer -i 0.3 --listen "127.0.0.1:$PORT" --prom-file "$TMP/final.prom" \
		-- bash "$TMP/churn.sh" </dev/null
	scrape_until "$TMP/done"
	# The live metrics reach every byte while the command still runs, before
	# any exit: scraped until they add up (a refresh or two after the last
	# demo's rows were read; more on a slow machine), for 20 s at most.
	deadline=$((SECONDS + 20))
	while :; do
		curl -sf --max-time 10 -o "$TMP/scrape.last" "http://127.0.0.1:$PORT/metrics"
		run python3 "$CHECK_SETS" --churn "$TMP/demo" "$TMP/scrape.last"
		[ "$status" -eq 0 ] || [ "$SECONDS" -ge "$deadline" ] || { sleep 0.5; continue; }
		break
	done
	echo "$output"
	[ "$status" -eq 0 ]
	touch "$TMP/stop"
	wait_gone "$TRACER_PID" 30
	TRACER_PID=
	promtool_ok "$TMP/final.prom"
	grep -qx 'ipctrace_up 0' "$TMP/final.prom"
	[ "$(jq -s 'map(.pid) | unique | length' "$TMP/demo")" -eq 200 ]
	run python3 "$CHECK_SETS" --churn "$TMP/demo" "${SCRAPES[@]}" "$TMP/scrape.last" \
		"$TMP/final.prom"
	echo "$output"
	[ "$status" -eq 0 ]
	# No label names a process or an object.
	run grep -cE '^ipctrace_(bytes|operations)_total\{.*(pid|object|ino)=' "$TMP/final.prom"
	[ "$output" = 0 ]
}

# tcp_service_series: the demo's TCP clients and servers (run under
# ipctrace, whose final metrics are $TMP/final.prom) in their series.
tcp_service_series() {
	promtool_ok "$TMP/final.prom"
	[ "$(jq -s '[.[] | select(.role == "client" or .role == "server")] | length' "$TMP/demo")" -eq 8 ]
	run python3 "$CHECK_SETS" "$TMP/demo" "$TMP/final.prom"
	echo "$output"
	[ "$status" -eq 0 ]
	# The demo's servers bind port 0: a port the kernel chose is no label.
	grep -qE '^ipctrace_bytes_total\{type="tcp",dir="tx",comm="tcp-client",.*service="127\.0\.0\.1:ephemeral",role="client"\} 21000$' "$TMP/final.prom"
	grep -qE '^ipctrace_bytes_total\{type="tcp",dir="tx",comm="tcp6-server",.*service="\[::1\]:ephemeral",role="server"\} 21000$' "$TMP/final.prom"
}

@test "default metrics: a TCP client and its server share the server's address as service, each with its role and exact bytes" {
	start_tracer -i 0.3 --prom-file "$TMP/final.prom" \
		-- sh -c "'$DEMO' tcp -n 30 -s 700 --json >'$TMP/demo'" </dev/null
	wait_gone "$TRACER_PID" 60
	TRACER_PID=
	tcp_service_series
}

@test "standard output on /dev/null, as the service runs (no table made): the metrics still get every frame, exact" {
	# As debian/ipctrace.service (StandardOutput=null): the frames' text
	# would go nowhere, so it is not made; the metrics still get each frame.
	timeout 120 "$IPCTRACE" -i 0.3 --prom-file "$TMP/final.prom" \
		-- sh -c "'$DEMO' tcp -n 30 -s 700 --json >'$TMP/demo'" </dev/null >/dev/null 2>"$TMP/err"
	tcp_service_series
	grep -q 'ipctrace_rows [1-9]' "$TMP/final.prom"
}

@test "default metrics: a process renaming itself through 1000 names makes at most --prom-rows label sets, plus comm=\"(other)\"" {
	PORT=$(free_port)
	names=1000 size=100 cap=20
	# The interpreter itself: a version manager's python3 (pyenv's shim) is a
	# shell script whose own pipes would count as the command's.
	start_tracer -i 0.3 --prom-rows "$cap" --listen "127.0.0.1:$PORT" \
		--prom-file "$TMP/final.prom" -- \
		sh -c "/usr/bin/python3 '$ROOT/tests/lib/rename_churn.py' $names $size >'$TMP/wrote'; touch '$TMP/done'; while [ ! -e '$TMP/stop' ]; do sleep 0.1; done" </dev/null
	scrape_until "$TMP/done"
	touch "$TMP/stop"
	wait_gone "$TRACER_PID" 60
	TRACER_PID=
	[ "$(cat "$TMP/wrote")" = "wrote $((names * size))" ]
	promtool_ok "$TMP/final.prom"
	run python3 "$CHECK_SETS" --renames="$names" --bytes="$size" --cap="$cap" \
		"${SCRAPES[@]}" "$TMP/final.prom"
	echo "$output"
	[ "$status" -eq 0 ]
	sets=$(sed -n 's/^ipctrace_label_sets //p' "$TMP/final.prom")
	[ "$sets" -le $((cap + 2 * 11)) ]
	[ "$sets" -eq "$(grep -c '^ipctrace_bytes_total{' "$TMP/final.prom")" ]
	# Said once on stderr, as a full kernel map is.
	[ "$(grep -c "label sets (--prom-rows) are full" "$TMP/err")" -eq 1 ]
	grep -qx "ipctrace: the metrics' $cap label sets (--prom-rows) are full: later ones add up in comm=\"(other)\", counted in ipctrace_lost_total{map=\"label_sets\"}; raise --prom-rows" "$TMP/err"
}

@test "--listen: gzip when the scraper asks, the same text decompressed; plain otherwise" {
	PORT=$(free_port)
	# One frame for the whole test: the text cannot change between scrapes.
	start_tracer -i 3600 --listen "127.0.0.1:$PORT"
	curl -sf -D "$TMP/plain.h" -o "$TMP/plain" "http://127.0.0.1:$PORT/metrics"
	curl -sf -D "$TMP/gz.h" -H 'Accept-Encoding: gzip' -o "$TMP/gz" "http://127.0.0.1:$PORT/metrics"
	curl -sf --compressed -o "$TMP/compressed" "http://127.0.0.1:$PORT/metrics"
	run grep -ci '^content-encoding:' "$TMP/plain.h"
	[ "$output" = 0 ]
	grep -qi '^content-encoding: gzip' "$TMP/gz.h"
	grep -qi '^vary: accept-encoding' "$TMP/gz.h"
	# Really compressed, and the same text.
	[ "$(stat -c %s "$TMP/gz")" -lt "$(stat -c %s "$TMP/plain")" ]
	gzip -dc "$TMP/gz" | cmp - "$TMP/plain"
	cmp "$TMP/compressed" "$TMP/plain"
	promtool_ok "$TMP/plain"
	# gzip refused (q=0): plain text.
	curl -sf -D "$TMP/refused.h" -H 'Accept-Encoding: gzip;q=0, identity' -o "$TMP/refused" \
		"http://127.0.0.1:$PORT/metrics"
	cmp "$TMP/refused" "$TMP/plain"
	stop_tracer
}

@test "self-metrics: losses, map fill, refresh and render times, rows, build info, and the last refresh" {
	start_tracer --json -i 0.3 --prom-file "$TMP/ipctrace.prom"
	"$DEMO" pipe -n 10 -s 100 --json >>"$TMP/demo"
	stop_tracer
	promtool_ok "$TMP/ipctrace.prom"
	# Every kind of loss the JSON names, with its figure.
	final | jq -r '.lost | to_entries[] | "ipctrace_lost_total{map=\"\(.key)\"} \(.value)"' \
		>"$TMP/lost"
	[ -s "$TMP/lost" ]
	grep -cxFf "$TMP/lost" "$TMP/ipctrace.prom" >"$TMP/n"
	[ "$(cat "$TMP/n")" -eq "$(wc -l <"$TMP/lost")" ]
	# The rows map: entries within its size, the size the one --max-rows gives.
	rows=$(sed -n 's/^ipctrace_map_entries{map="rows"} //p' "$TMP/ipctrace.prom")
	size=$(sed -n 's/^ipctrace_map_max_entries{map="rows"} //p' "$TMP/ipctrace.prom")
	[ -n "$rows" ] && [ "$size" -ge 65536 ] && [ "$rows" -le "$size" ]
	for m in ipctrace_refresh_duration_seconds ipctrace_render_duration_seconds ipctrace_rows \
		ipctrace_label_sets ipctrace_other_rows_total ipctrace_last_refresh_timestamp_seconds; do
		grep -qE "^$m [0-9.]+$" "$TMP/ipctrace.prom"
	done
	grep -qx "ipctrace_build_info{version=\"$("$IPCTRACE" --version | awk '{print $2}')\"} 1" \
		"$TMP/ipctrace.prom"
	[ "$(sed -n 's/^ipctrace_rows //p' "$TMP/ipctrace.prom")" -eq "$(final | jq '.rows | length')" ]
}

@test "docs/prometheus: promtool accepts the recording rules; their unit test of the edge rule passes; the dashboard is JSON" {
	promtool check rules "$ROOT/docs/prometheus/ipctrace-rules.yml"
	( cd "$ROOT/docs/prometheus" && promtool test rules ipctrace-rules.test.yml )
	# Every panel's query is PromQL promtool accepts, once Grafana's
	# variables are given values: each becomes a rule of a group.
	jq -r '"groups:\n  - name: dashboard\n    rules:",
		(.panels[].targets[].expr | gsub("\\$__rate_interval"; "5m")
			| gsub("\\$instance"; ".*")
			| "      - record: panel\n        expr: \(tojson)")' \
		"$ROOT/docs/prometheus/ipctrace-dashboard.json" >"$TMP/panels.yml"
	run promtool check rules --lint=none "$TMP/panels.yml"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"SUCCESS: $(jq '[.panels[].targets[]] | length' \
		"$ROOT/docs/prometheus/ipctrace-dashboard.json") rules found"* ]]
}

# The deadline the man page gives a connection, in seconds.
man_deadline() {
	sed -nE 's/.* has ([0-9]+) seconds from its accept to its response sent.*/\1/p' "$ROOT/man/ipctrace.8"
}

@test "--listen: 48 clients trickling their headers keep no scrape out; each is closed at its deadline" {
	deadline=$(man_deadline)
	[ -n "$deadline" ]
	PORT=$(free_port)
	start_tracer --json -i 0.5 --listen "127.0.0.1:$PORT"
	wait_until 10 curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$PORT/metrics"
	# More clients than the 32 slots the server once had, for long enough
	# that each is cut at least once and opens again.
	python3 "$ROOT/tests/lib/slow_clients.py" "$PORT" 48 $((2 * deadline + 3)) >"$TMP/slow" 3>&- &
	slow=$!
	wait_for "$TMP/slow" '^holding 48$'
	scrapes=0
	while kill -0 "$slow" 2>/dev/null; do
		run curl -s --max-time 2 -o "$TMP/scrape" -w '%{http_code}' "http://127.0.0.1:$PORT/metrics"
		echo "scrape $scrapes: curl $status, HTTP $output"
		[ "$status" -eq 0 ]
		[ "$output" = 200 ]
		grep -qx 'ipctrace_up 1' "$TMP/scrape"
		scrapes=$((scrapes + 1))
		sleep 0.5
	done
	wait "$slow"
	cat "$TMP/slow"
	[ "$scrapes" -ge 5 ]
	summary=$(tail -n 1 "$TMP/slow")
	# Every first connection was cut, none before its deadline nor long after.
	[ "$(jq '.lifetimes | length' <<<"$summary")" -ge 48 ]
	[ "$(jq .refused <<<"$summary")" -eq 0 ]
	[ "$(jq --argjson d "$deadline" '[.lifetimes[] | select(. < $d - 0.5 or . > $d + 3)] | length' <<<"$summary")" -eq 0 ]
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
}
