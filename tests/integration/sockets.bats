#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Sockets, unix, TCP and UDP: exact bytes and messages in both directions,
# the peer process at the other end, accepts, connects, passed descriptors.
load helpers

run_socket_demos() {
	"$DEMO" unix -n 150 -s 700 --json >"$TMP/demo"
	"$DEMO" tcp -n 120 -s 3000 --json >>"$TMP/demo"
	"$DEMO" udp -n 90 -s 1200 --json >>"$TMP/demo"
}

@test "unix demo: stream, datagrams from two senders, socketpair with SCM_RIGHTS" {
	start_tracer --json -i 0.3
	"$DEMO" unix -n 150 -s 700 --json >"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	final >"$TMP/final"
	# Readable names, and the receiving datagram socket lists both senders.
	jq -e '[.rows[] | select(.comm == "unix-dgram-recv")][0] | (.object | test("^unix:/tmp/ipc-demo.*/dgram.sock$")) and (.peers | length) == 2' "$TMP/final" >/dev/null
	jq -e '[.rows[] | select(.comm == "unix-client")][0].object | test("^unix:->/tmp/ipc-demo.*/stream.sock$")' "$TMP/final" >/dev/null
	jq -e '[.rows[] | select(.comm == "unix-pair-paren" and .dir == "tx")][0] | .object == "unix:socketpair" and .scm_rights == 1 and .fds_passed == 1' "$TMP/final" >/dev/null
	jq -e '[.rows[] | select(.comm == "unix-server" and .accepts == 1)][0].object | endswith("stream.sock (listen)")' "$TMP/final" >/dev/null
}

@test "tcp demo: IPv4 and IPv6 loopback, accepts and connects, peers by address tuple" {
	start_tracer --json -i 0.3
	"$DEMO" tcp -n 120 -s 3000 --json >"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	final | jq -e '[.rows[] | select(.type == "tcp") | .object] | any(test("^tcp \\[::1\\]:[0-9]+->\\[::1\\]:[0-9]+$")) and any(test("^tcp 127.0.0.1:[0-9]+->127.0.0.1:[0-9]+$"))' >/dev/null
}

@test "udp demo: IPv4 and IPv6 datagrams, peers from where each socket sent" {
	start_tracer --json -i 0.3
	"$DEMO" udp -n 90 -s 1200 --json >"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "the two counting paths agree: sock tracepoints and syscalls, side by side" {
	start_tracer --json -i 0.3
	IPCTRACE_HIDE=sock_tp start_second_tracer --json -i 0.3
	run_socket_demos
	stop_both_tracers
	# Each path is exact against the demos...
	python3 "$CHECK" "$TMP/demo" "$TMP/out1"
	python3 "$CHECK" "$TMP/demo" "$TMP/out2"
	# ...and they agree with each other row by row for the demos' sockets.
	pids=$(jq -s '[.[].pid] | unique' "$TMP/demo")
	for f in out1 out2; do
		jq -c --argjson p "$pids" '[.rows[] | select((.pid as $x | $p | index($x)) and (.type | IN("unix","tcp","udp"))) | [.pid, .ino, .dir, .bytes, .ops]] | sort' "$TMP/$f.final" >"$TMP/$f.rows"
	done
	diff "$TMP/out1.rows" "$TMP/out2.rows"
	[ "$(jq length "$TMP/out2.rows")" -gt 0 ]
}

@test "sendfile and splice into a socket: one operation per call, as strace counts them, on both counting paths" {
	start_tracer --json -i 0.3 -t unix,tcp
	IPCTRACE_HIDE=sock_tp start_second_tracer --json -i 0.3 -t unix,tcp
	# 100 KiB: more than one piece of a pipe's worth (64 KiB) per call.
	for kind in unix tcp; do
		python3 "$ROOT/tests/lib/sendfile_once.py" "$kind" 102400 >>"$TMP/work"
	done
	stop_both_tracers
	for f in out1 out2; do
		python3 - "$TMP/$f.final" "$TMP/work" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
for line in open(sys.argv[2]):
    w = json.loads(line)
    mine = [r for r in rows if r["pid"] == w["pid"] and r["type"] in ("unix", "tcp")]
    tx = [(r["bytes"], r["ops"]) for r in mine if r["dir"] == "tx"]
    # One socket sent twice the bytes, in as many operations as calls.
    assert tx == [(2 * w["bytes"], w["sendfile_calls"] + w["splice_calls"])], (sys.argv[1], w, tx)
    rx = [r["bytes"] for r in mine if r["dir"] == "rx" and r["bytes"]]
    assert rx == [2 * w["bytes"]], (sys.argv[1], w, rx)
PY
	done
}

@test "connections made before ipctrace started resolve, with their peers" {
	"$DEMO" tcp -n 60 -s 500 --json --wait >>"$TMP/demo" 2>"$TMP/demo.err" 3>&- &
	wait_for "$TMP/demo.err" ready
	read -r tcp_parent _ < <(demo_pids "$TMP/demo.err")
	"$DEMO" unix -n 60 -s 500 --json --wait >>"$TMP/demo" 2>"$TMP/demo2.err" 3>&- &
	wait_for "$TMP/demo2.err" ready
	read -r unix_parent _ < <(demo_pids "$TMP/demo2.err")
	start_tracer --json -i 0.3
	kill -USR1 "$tcp_parent" "$unix_parent"
	wait_gone "$tcp_parent"
	wait_gone "$unix_parent"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "a peer that exits mid-stream: the counts stand and it shows as exited" {
	start_tracer --json -i 0.3
	"$DEMO" tcp -n 50 -s 2000 --peer-exits 7 --json >"$TMP/demo"
	"$DEMO" unix -n 50 -s 2000 --peer-exits 7 --json >>"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	# Over TCP the client wrote one request more than the server read (it sat in
	# the dead socket's buffer); over unix that write fails with EPIPE once the
	# server has gone, and lands if it is still going.
	jq -e -s '[.[] | select(.role == "client" and .dir == "tx" and .type == "tcp") | .ops] | length == 2 and all(. == 8)' "$TMP/demo" >/dev/null
	jq -e -s '[.[] | select(.role == "client" and .dir == "tx" and .type == "unix") | .ops] | length == 1 and all(. == 7 or . == 8)' "$TMP/demo" >/dev/null
	final | jq -e '[.rows[] | select(.comm == "tcp-client" and .type == "tcp")] | all(.peers[0].exited)' >/dev/null
}

@test "a socket inherited across fork, used by both processes" {
	start_tracer --json -i 0.3
	python3 "$ROOT/tests/lib/shared_socket.py" "$TMP" 40 3000 >"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	# Both writers share one socket; the server's peers are both of them.
	[ "$(jq -s '[.[] | select(.dir == "tx") | .ino] | unique | length' "$TMP/demo")" = 1 ]
}

@test "python http.server and curl: exact bytes both ways, as curl counts them" {
	mkdir "$TMP/www"
	head -c 1234567 /dev/urandom >"$TMP/www/blob"
	python3 -u -m http.server --bind 127.0.0.1 0 --directory "$TMP/www" >"$TMP/http.log" 2>&1 3>&- &
	server=$!
	wait_for "$TMP/http.log" 'Serving HTTP'
	port=$(sed -nE 's/.*port ([0-9]+).*/\1/p' "$TMP/http.log" | head -n 1)
	start_tracer -t tcp --json -i 0.3
	sh -c 'echo $$ >"$1/curl.pid"; exec curl -s -o /dev/null -w "%{size_request} %{size_header} %{size_download}\n" "$2"' \
		sh "$TMP" "http://127.0.0.1:$port/blob" >"$TMP/curl.out"
	curl_pid=$(cat "$TMP/curl.pid")
	read -r sent header body <"$TMP/curl.out"
	[ "$body" -eq 1234567 ]
	stop_tracer
	final >"$TMP/final"
	run jq -r --argjson p "$curl_pid" '[.rows[] | select(.pid == $p and .type == "tcp")] | map("\(.dir) \(.bytes) \([.peers[].pid] | join(","))") | sort | join(";")' "$TMP/final"
	[ "$output" = "rx $((header + body)) $server;tx $sent $server" ]
	run jq -r --argjson p "$server" '[.rows[] | select(.pid == $p and .type == "tcp" and (.object | contains("->")))] | map("\(.dir) \(.bytes)") | sort | join(";")' "$TMP/final"
	[ "$output" = "rx $sent;tx $((header + body))" ]
	kill "$server"
}

@test "a kept-alive HTTP connection: ipctrace's bytes equal the kernel's (TCP_INFO, as ss -ti)" {
	mkdir "$TMP/www"
	head -c 300000 /dev/urandom >"$TMP/www/blob"
	python3 -u -m http.server --protocol HTTP/1.1 --bind 127.0.0.1 0 --directory "$TMP/www" >"$TMP/http.log" 2>&1 3>&- &
	server=$!
	wait_for "$TMP/http.log" 'Serving HTTP'
	port=$(sed -nE 's/.*port ([0-9]+).*/\1/p' "$TMP/http.log" | head -n 1)
	start_tracer -t tcp --json -i 0.3
	python3 "$ROOT/tests/lib/http_keepalive.py" 127.0.0.1 "$port" /blob 5 >"$TMP/client.out" 3>&- &
	client=$!
	wait_for "$TMP/client.out" '^[0-9]+$'
	sleep 0.5	# every byte acknowledged
	kill -USR1 "$client"
	wait_for "$TMP/client.out" '^acked '
	read -r _ acked _ received < <(grep '^acked ' "$TMP/client.out")
	[ "$received" -gt 1500000 ]
	stop_tracer
	run jq -r --argjson p "$client" '[.rows[] | select(.pid == $p and .type == "tcp")] | map("\(.dir) \(.bytes)") | sort | join(";")' <(final)
	# bytes_acked counts the SYN's sequence number as one.
	[ "$output" = "rx $received;tx $((acked - 1))" ]
	kill "$client" "$server"
}

@test "socat: a unix listener and client, and socat's socketpair to an EXEC child" {
	head -c 200000 /dev/urandom >"$TMP/in"
	start_tracer -t unix --json -i 0.3
	socat -u UNIX-LISTEN:"$TMP/s.sock" CREATE:"$TMP/out.bin" 3>&- &
	listener=$!
	wait_until 20 test -S "$TMP/s.sock"
	socat -u OPEN:"$TMP/in" UNIX-CONNECT:"$TMP/s.sock" &
	sender=$!
	wait "$sender"
	wait_gone "$listener"
	# socat's EXEC address talks to its child over a socketpair.
	socat -u OPEN:"$TMP/in" EXEC:"dd of=$TMP/out2.bin bs=4096 status=none" &
	piper=$!
	wait "$piper"
	stop_tracer
	cmp "$TMP/in" "$TMP/out.bin"
	cmp "$TMP/in" "$TMP/out2.bin"
	final >"$TMP/final"
	run jq -r --argjson s "$sender" --argjson l "$listener" '[.rows[] | select((.pid == $s or .pid == $l) and .bytes > 0)] | map("\(.pid == $s) \(.dir) \(.bytes) \([.peers[].pid] | join(","))") | sort | join(";")' "$TMP/final"
	[ "$output" = "false rx 200000 $sender;true tx 200000 $listener" ]
	run jq -r --argjson s "$piper" '[.rows[] | select(.pid == $s and .type == "unix")] | map("\(.dir) \(.bytes) \(.object) \(.peers[0].comm)") | join(";")' "$TMP/final"
	[ "$output" = "tx 200000 unix:socketpair dd" ]
}

@test "-t unix,udp: sockets of those types only" {
	start_tracer -t unix,udp --json -i 0.3
	run_socket_demos
	stop_tracer
	run jq -r '[.rows[].type] | unique | join(",")' <(final)
	[ "$output" = "udp,unix" ]
}

@test "-p a TCP server with connections made before ipctrace: the client counts from its first byte" {
	"$DEMO" tcp -n 80 -s 900 --json --wait >"$TMP/demo" 2>"$TMP/demo.err" 3>&- &
	wait_for "$TMP/demo.err" ready
	read -r parent server4 client4 server6 client6 < <(demo_pids "$TMP/demo.err")
	start_tracer -p "$server4" --json -i 0.3
	"$DEMO" udp -n 20 -s 100 >/dev/null	# unrelated traffic: must not show
	kill -USR1 "$parent"
	wait_gone "$parent"
	stop_tracer
	# The IPv4 pair only: the listener's accept happened before ipctrace.
	jq -c --argjson s "$server4" --argjson c "$client4" 'select(.pid == $s or .pid == $c)' "$TMP/demo" >"$TMP/expected"
	python3 "$CHECK" --only "$TMP/expected" "$TMP/out"
}

@test "-p a server whose clients connect after ipctrace started: TCP and unix, via socat" {
	head -c 150000 /dev/urandom >"$TMP/in"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	socat -u TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr CREATE:"$TMP/tcp.bin" 3>&- &
	tcp_server=$!
	socat -u UNIX-LISTEN:"$TMP/u.sock" CREATE:"$TMP/unix.bin" 3>&- &
	unix_server=$!
	wait_until 20 test -S "$TMP/u.sock"
	wait_until 20 tcp_listening "$port"
	start_tracer -p "$tcp_server" -p "$unix_server" --json -i 0.3
	socat -u OPEN:"$TMP/in" TCP:127.0.0.1:"$port" &
	tcp_client=$!
	socat -u OPEN:"$TMP/in" UNIX-CONNECT:"$TMP/u.sock" &
	unix_client=$!
	"$DEMO" tcp -n 20 -s 100 >/dev/null	# unrelated traffic: must not show
	wait "$tcp_client" "$unix_client"
	wait_gone "$tcp_server"
	wait_gone "$unix_server"
	stop_tracer
	cmp "$TMP/in" "$TMP/tcp.bin"
	cmp "$TMP/in" "$TMP/unix.bin"
	run jq -r '[.rows[] | select(.bytes > 0) | "\(.pid) \(.type) \(.dir) \(.bytes) \([.peers[].pid] | join(","))"] | sort | join(";")' <(final)
	expected=$(printf '%s\n' "$tcp_server tcp rx 150000 $tcp_client" "$tcp_client tcp tx 150000 $tcp_server" \
		"$unix_server unix rx 150000 $unix_client" "$unix_client unix tx 150000 $unix_server" | sort | paste -sd';')
	[ "$output" = "$expected" ]
}

@test "-p a unix client with a connection made before ipctrace: its server counts from its first byte" {
	"$DEMO" unix -n 70 -s 600 --json --wait >"$TMP/demo" 2>"$TMP/demo.err" 3>&- &
	wait_for "$TMP/demo.err" ready
	read -r parent server client _ < <(demo_pids "$TMP/demo.err")
	start_tracer -p "$client" --json -i 0.3
	kill -USR1 "$parent"
	wait_gone "$parent"
	stop_tracer
	jq -c --argjson s "$server" --argjson c "$client" 'select(.pid == $s or .pid == $c)' "$TMP/demo" >"$TMP/expected"
	python3 "$CHECK" --only "$TMP/expected" "$TMP/out"
}

# Network namespaces: one exchange of tests/lib/netns_pair.py in ipctrace's
# namespace and the same one, on the same addresses, in a new namespace
# (unshare -n, its loopback up), with other byte counts. The host's runs
# first and both stay connected until both are done.
NETNS_PAIR="$ROOT/tests/lib/netns_pair.py"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_pairs MODE ADDRESS [CLIENT_PORT]: both ready, the records to come in
# $TMP/host.MODE and $TMP/ns.MODE; the host's server's PID in HOST_SERVER.
start_pairs() {
	local mode=$1 addr=$2 cport=${3:-} own_net down_host=22222 down_ns=44444
	own_net=$(stat -L -c %i /proc/self/ns/net)
	if [ "$mode" = unix-dgram ]; then
		down_host=0
		down_ns=0
	fi
	python3 "$NETNS_PAIR" "$mode" "$TMP" "host.$mode" "$addr" 11111 "$down_host" "$own_net" $cport \
		</dev/null >"$TMP/host.$mode" 2>"$TMP/host.$mode.err" &
	unshare -n sh -c 'ip link set lo up && exec "$@"' sh python3 "$NETNS_PAIR" "$mode" "$TMP" \
		"ns.$mode" "$addr" 33333 "$down_ns" "$own_net" $cport </dev/null >"$TMP/ns.$mode" 2>"$TMP/ns.$mode.err" &
	wait_for "$TMP/host.$mode.err" ready
	wait_for "$TMP/ns.$mode.err" ready
	read -r HOST_SERVER _ < <(demo_pids "$TMP/host.$mode.err")
	read -r ns_server _ < <(demo_pids "$TMP/ns.$mode.err")
	# Two namespaces indeed, and the other one's names say which.
	[ "$(stat -L -c %i "/proc/$ns_server/ns/net")" != "$own_net" ]
}

# run_pairs MODE [CHECK]: the host's exchange, then the other namespace's;
# CHECK HOST_CLIENT NS_CLIENT runs while both are still connected; both end.
run_pairs() {
	local mode=$1 host_server host_client ns_server ns_client
	read -r host_server host_client < <(demo_pids "$TMP/host.$mode.err")
	read -r ns_server ns_client < <(demo_pids "$TMP/ns.$mode.err")
	touch "$TMP/go.host.$mode"
	wait_until 30 test -e "$TMP/done.host.$mode"
	touch "$TMP/go.ns.$mode"
	wait_until 30 test -e "$TMP/done.ns.$mode"
	if [ -n "${2:-}" ]; then
		"$2" "$host_client" "$ns_client"
	fi
	touch "$TMP/end.host.$mode" "$TMP/end.ns.$mode"
	wait_gone "$host_server"
	wait_gone "$ns_server"
	# Both said what they moved: the server's lines and the client's.
	[ "$(grep -c . "$TMP/host.$mode")" = "$(grep -c . "$TMP/ns.$mode")" ]
	[ "$(grep -c . "$TMP/host.$mode")" -ge 2 ]
}

# -p: a client that connects to a target is made a peer by its connect,
# which is not counted itself.
without_connects() {
	jq -c 'del(.events.connects)' "$@"
}

# in_filter PID: the running tracer's -p filter map (its own, found through
# its descriptors) holds PID: the kernel counts it.
in_filter() {
	local id
	for id in $(grep -h '^map_id:' /proc/"$TRACER_PID"/fdinfo/* | awk '{ print $2 }' | sort -u); do
		if [ "$(bpftool map show id "$id" -j | jq -r .name)" = filter_pids ]; then
			bpftool map dump id "$id" -j | jq -e --argjson p "$1" 'any(.[]; .formatted.key == $p)' >/dev/null
			return
		fi
	done
	return 1
}

# A peer in the kernel's filter: the host's client, not the other one's,
# which a user-space filter would hide from the outputs.
host_client_only() {
	in_filter "$1"
	run ! in_filter "$2"
}

@test "the same loopback ports in two network namespaces: each TCP connection's bytes and peers its own, the other namespace's named" {
	port=$(free_port)
	cport=$(free_port)
	[ "$port" != "$cport" ]
	start_pairs tcp "$port" "$cport"
	start_tracer --json -i 0.3
	run_pairs tcp
	stop_tracer
	cat "$TMP/host.tcp" "$TMP/ns.tcp" >"$TMP/demo"
	# The same four ports on both sides.
	[ "$(jq -r -s '[.[] | .object | sub(" \\[net:[0-9]+\\]$"; "")] | unique | length' "$TMP/demo")" = 3 ]
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "-p a TCP server: a connection on the same ports in another network namespace is not its peer" {
	port=$(free_port)
	cport=$(free_port)
	[ "$port" != "$cport" ]
	start_pairs tcp "$port" "$cport"
	start_tracer -p "$HOST_SERVER" --json -i 0.3
	run_pairs tcp host_client_only
	stop_tracer
	without_connects "$TMP/host.tcp" >"$TMP/expected"
	python3 "$CHECK" --only "$TMP/expected" "$TMP/out"
}

@test "an abstract unix name in two network namespaces: streams and datagrams, each with its own peers" {
	name=$(basename "$TMP")
	start_pairs unix "$name"
	start_pairs unix-dgram "$name-dgram"
	start_tracer --json -i 0.3
	run_pairs unix
	run_pairs unix-dgram
	stop_tracer
	cat "$TMP/host.unix" "$TMP/host.unix-dgram" "$TMP/ns.unix" "$TMP/ns.unix-dgram" >"$TMP/demo"
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "-p a unix server on an abstract name: a connection to the same name in another network namespace is not its peer" {
	name=$(basename "$TMP")
	start_pairs unix "$name"
	start_tracer -p "$HOST_SERVER" --json -i 0.3
	run_pairs unix host_client_only
	stop_tracer
	without_connects "$TMP/host.unix" >"$TMP/expected"
	python3 "$CHECK" --only "$TMP/expected" "$TMP/out"
}

@test "splice out of a unix and a TCP stream socket: the receiver's bytes exact, an op per call, the sender its peer" {
	for kind in unix tcp; do
		start_tracer --json -i 0.3 -t "$kind"
		python3 "$ROOT/tests/lib/splice_out.py" "$kind" 123457 >"$TMP/truth"
		stop_tracer
		final | jq -e --slurpfile t "$TMP/truth" --arg k "$kind" '$t[0] as $t
			| [.rows[] | select(.pid == $t.receiver and .type == $k and .ino == $t.ino)] as $r
			| ($r | length) == 1 and $r[0].dir == "rx" and $r[0].bytes == $t.bytes
			and $r[0].ops == $t.splices
			and ([$r[0].peers[].pid] | index($t.sender) != null)' >/dev/null
	done
}

@test "splice out of a socket on the syscall path (IPCTRACE_HIDE=sock_tp): the same figures" {
	for kind in unix tcp; do
		IPCTRACE_HIDE=sock_tp start_tracer --json -i 0.3 -t "$kind"
		python3 "$ROOT/tests/lib/splice_out.py" "$kind" 65537 >"$TMP/truth"
		stop_tracer
		final | jq -e --slurpfile t "$TMP/truth" --arg k "$kind" '$t[0] as $t
			| [.rows[] | select(.pid == $t.receiver and .type == $k and .ino == $t.ino)] as $r
			| ($r | length) == 1 and $r[0].bytes == $t.bytes and $r[0].ops == $t.splices' >/dev/null
	done
}

@test "UDP-Lite counts as UDP, named udplite: exact datagrams and bytes both ways, IPv4 and IPv6, peers named" {
	for hide in "" sock_tp; do
		IPCTRACE_HIDE=$hide start_tracer --json -i 0.3 -t udp
		python3 "$ROOT/tests/lib/udplite.py" 30 1111 >"$TMP/truth"
		stop_tracer
		# Each end's rows: both directions, every datagram and byte, the
		# other end its one peer.
		final | jq -r '[.rows[] | select(.object | startswith("udplite ")) | "\(.pid) \(.dir) \(.bytes) \(.ops) \([.peers[].pid] | join(","))"] | sort | .[]' >"$TMP/rows"
		jq -r '"\(.client) tx \(.bytes) \(.datagrams) \(.server)", "\(.client) rx \(.bytes) \(.datagrams) \(.server)", "\(.server) tx \(.bytes) \(.datagrams) \(.client)", "\(.server) rx \(.bytes) \(.datagrams) \(.client)"' "$TMP/truth" | sort >"$TMP/expected"
		diff "$TMP/expected" "$TMP/rows"
	done
}

@test "netlink without connect(): two senders' sendto() to one port id, and the replies, exact and named on every path" {
	for hide in "" sock_tp direct; do
		IPCTRACE_HIDE=$hide start_tracer --json -i 0.3 -t netlink
		python3 "$ROOT/tests/lib/netlink_sendto.py" 30 300 >"$TMP/truth"
		stop_tracer
		final >"$TMP/final"
		# Each sender: its messages both ways, the receiver its one peer;
		# the receiver: all of them, both senders its peers.
		jq -e --slurpfile t "$TMP/truth" '
			$t[0] as $t | [.rows[] | select(.type == "netlink")] as $rows
			| def row($p; $d): [$rows[] | select(.pid == $p and .dir == $d)];
			($t.senders | all(. as $s | [row($s.pid; "tx"), row($s.pid; "rx")]
				| all(length == 1 and .[0].bytes == $s.bytes and .[0].ops == $s.messages
					and [.[0].peers[].pid] == [$t.receiver])))
			and ([row($t.receiver; "rx"), row($t.receiver; "tx")]
				| all(length == 1 and .[0].bytes == ($t.senders | map(.bytes) | add)
					and ([.[0].peers[].pid] | sort) == ($t.senders | map(.pid) | sort)))' \
			"$TMP/final" >/dev/null
		rm "$TMP/truth"
	done
}

@test "netlink demo (NETLINK_USERSOCK): exact messages and bytes both ways, each end's port id and peer, on every path" {
	for hide in "" sock_tp direct; do
		IPCTRACE_HIDE=$hide start_tracer --json -i 0.3 -t netlink
		"$DEMO" netlink -n 25 -s 777 --json >"$TMP/demo"
		stop_tracer
		# check.py: each row's bytes, ops, object (netlink:PORT, and
		# netlink:PORT->PORT for the connected client) and peers.
		python3 "$CHECK" "$TMP/demo" "$TMP/out"
		run jq -s 'length' "$TMP/demo"
		[ "$output" -eq 4 ]
	done
}

# Many TCP connections on loopback made before ipctrace started (by
# tests/lib/scale_load.py, its servers in four processes), whose servers then
# read nothing: each client's other end is found only by asking the kernel's
# tables. PREFIX runs the workload (in another namespace, say).
# many_tcp N PREFIX...: connected; their records to come in $TMP/tcp.json.
many_tcp() {
	local n=$1
	shift
	"$@" /usr/bin/python3 "$ROOT/tests/lib/scale_load.py" tcp "$n" 300 "$TMP/go" \
		</dev/null >"$TMP/tcp.json" 2>"$TMP/tcp.err" 3>&- &
	wait_for "$TMP/tcp.json" '"ready"' 60
}

# tcp_go: the clients send, and have said what (the line's end written).
tcp_go() {
	touch "$TMP/go"
	wait_for "$TMP/tcp.json" '"conns".*\]\}$' 60
}

# expect_tcp_pairs SUFFIX: in the final summary, each client's row holds its
# bytes in one call, its peer the server process holding the other end (each
# of four), and no server has a row; every object named with SUFFIX.
expect_tcp_pairs() {
	local conns expected
	conns=$(grep conns "$TMP/tcp.json")
	expected=$(jq -r --arg s "$1" '.conns[] | "\(.pid) \(.ino) tx \(.bytes) 1 \(.server) \($s)"' <<<"$conns" | sort)
	[ "$(wc -l <<<"$expected")" = "$(jq '.conns | length' <<<"$conns")" ]
	run jq -r --argjson w "$conns" '.rows[] | select(.type == "tcp" and (.pid as $p | $w.pids | index($p)))
		| "\(.pid) \(.ino) \(.dir) \(.bytes) \(.ops) \([.peers[].pid] | join(",")) \(.object | sub("^tcp [^ ]+"; ""))"' <(final)
	[ "$status" -eq 0 ]
	[ "$(sort <<<"$output")" = "$expected" ]
}

# strace_tracer: the running tracer's openat and sendto calls, into
# $TMP/strace until it ends; then tcp_asked says how many exact sock_diag
# requests for a TCP socket it made, and text_read how many /proc/net tables
# of TCP or UDP sockets it opened.
strace_tracer() {
	strace -f -p "$TRACER_PID" -e trace=openat,sendto -o "$TMP/strace" 2>"$TMP/strace.err" 3>&- &
	STRACE_PID=$!
	wait_for "$TMP/strace.err" attached
}

tcp_asked() {
	grep -c 'nlmsg_type=SOCK_DIAG_BY_FAMILY, nlmsg_flags=NLM_F_REQUEST, .*sdiag_protocol=IPPROTO_TCP' "$TMP/strace" || true
}

text_read() {
	grep -cE "openat\(.*\"/proc/$1/net/(tcp|udp)" "$TMP/strace" || true
}

@test "400 TCP connections made before ipctrace, their servers idle: each client's bytes exact, its peer the server holding the other end, found by sock_diag (one request each, no /proc/net text)" {
	many_tcp 800
	start_tracer --json -i 0.5 -t tcp
	strace_tracer
	tcp_go
	stop_tracer
	wait "$STRACE_PID" || true
	expect_tcp_pairs ""
	[ "$(tcp_asked)" -ge 400 ]
	[ "$(text_read '[^"]+')" = 0 ]
}

@test "the same without sock_diag (IPCTRACE_HIDE=sock_diag): /proc/net's text finds the same peers" {
	many_tcp 200
	IPCTRACE_HIDE=sock_diag start_tracer --json -i 0.5 -t tcp
	strace_tracer
	tcp_go
	stop_tracer
	wait "$STRACE_PID" || true
	expect_tcp_pairs ""
	[ "$(tcp_asked)" = 0 ]
	[ "$(text_read self)" -ge 1 ]
}

@test "the same in another network namespace: /proc/PID/net's text of a process there finds the peers, named with the namespace" {
	many_tcp 200 unshare -n sh -c 'ip link set lo up && exec "$@"' sh
	start_tracer --json -i 0.5 -t tcp
	strace_tracer
	tcp_go
	stop_tracer
	wait "$STRACE_PID" || true
	server=$(grep conns "$TMP/tcp.json" | jq '.servers[0]')
	expect_tcp_pairs " [net:$(stat -L -c %i "/proc/$server/ns/net")]"
	[ "$(tcp_asked)" = 0 ]
	[ "$(text_read '[0-9]+')" -ge 1 ]
}

# short_connections_exact N HOLD [ENV...]: N TCP connections from eight
# threads, each sending 3000 bytes in two halves with its close right after
# the second, the pauses between spread over more than an interval, beside
# HOLD connections open throughout (a byte each): every connection's bytes
# exact at both ends, its peer the process at the other, nothing lost. A
# connection read between its two sends and found closed before the next
# read has bytes only a last read before its row is deleted can see. The
# workload is ipctrace's command, so that other TCP traffic on the machine
# neither counts nor fills the summary.
short_connections_exact() {
	local n=$1 hold=$2 size=3000
	shift 2
	env "$@" "$IPCTRACE" --json -i 0.2 -t tcp -o "$TMP/out" -- \
		python3 "$ROOT/tests/lib/short_connections.py" run "$n" "$size" 0.3 8 "$hold" \
		>"$TMP/records" 2>"$TMP/err" 3>&-
	grep '"role": "client"' "$TMP/records" >"$TMP/client"
	grep '"role": "server"' "$TMP/records" >"$TMP/server"
	client=$(jq .pid "$TMP/client")
	server=$(jq .pid "$TMP/server")
	[ "$(jq .bytes "$TMP/client")" -eq $((n * size + hold)) ]
	[ "$(jq .bytes "$TMP/server")" -eq $((n * size + hold)) ]
	final >"$TMP/final"
	# Shown if a check below fails: the rows short of their bytes.
	jq -c --argjson c "$client" --argjson s "$server" --argjson size "$size" '{lost, folded: .folded.rows, short: [.rows[] | select((.pid == $c or .pid == $s) and .bytes != $size and .bytes != 1 and .bytes != 0) | {pid, dir, bytes}] | .[0:5]}' "$TMP/final"
	[ "$(jq '.folded.rows' "$TMP/final")" -eq 0 ]
	[ "$(jq '[.lost[]] | add' "$TMP/final")" -eq 0 ]
	for side in "$client tx $server" "$server rx $client"; do
		set -- $side
		rows=$(jq -c --argjson p "$1" --arg d "$2" '[.rows[] | select(.pid == $p and .dir == $d)]' "$TMP/final")
		[ "$(jq '[.[].bytes] | add' <<<"$rows")" -eq $((n * size + hold)) ]
		[ "$(jq --argjson size "$size" --argjson peer "$3" '[.[] | select(.bytes == $size and [.peers[].pid] == [$peer])] | length' <<<"$rows")" -eq "$n" ]
		[ "$(jq --argjson peer "$3" '[.[] | select(.bytes == 1 and [.peers[].pid] == [$peer])] | length' <<<"$rows")" -eq "$hold" ]
	done
}

@test "1,500 short connections whose last bytes come just before their close: every one exact at both ends, with its peer (the closed rows read whole)" {
	short_connections_exact 1500 0
}

@test "the same beside 1,500 connections that stay open: the closed rows read one by one" {
	short_connections_exact 1500 1500
}

@test "the same with maps read a key at a time (IPCTRACE_HIDE=batch)" {
	IPCTRACE_HIDE=batch "$IPCTRACE" --features | grep -q 'maps read one key at a time'
	short_connections_exact 1000 0 IPCTRACE_HIDE=batch
}
