#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# -p on a service as sysadmins run it: real servers (nginx, PostgreSQL) and a
# process tree started before ipctrace, whose existing descendants -f takes.
load helpers

# start_nginx: Debian's nginx, a master and two workers on a free loopback
# port, serving $TMP/www/file; sets master, workers (JSON array) and port.
start_nginx() {
	chmod 755 "$TMP"	# the workers run as nobody
	mkdir "$TMP/www"
	head -c 102400 /dev/urandom >"$TMP/www/file"
	chmod -R a+rX "$TMP/www"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$TMP/nginx.conf" <<-EOF
		daemon off;
		worker_processes 2;
		pid $TMP/nginx.pid;
		error_log $TMP/nginx.err;
		events { worker_connections 64; }
		http {
			access_log off;
			client_body_temp_path $TMP/body;
			proxy_temp_path $TMP/proxy;
			fastcgi_temp_path $TMP/fastcgi;
			uwsgi_temp_path $TMP/uwsgi;
			scgi_temp_path $TMP/scgi;
			server { listen 127.0.0.1:$port; root $TMP/www; }
		}
	EOF
	nginx -e "$TMP/nginx.err" -p "$TMP" -c "$TMP/nginx.conf" 3>&- &
	master=$!
	wait_until 20 nginx_serving
	workers=$(ps -o pid= --ppid "$master" | jq -s -c 'sort')
	[ "$(jq length <<<"$workers")" -eq 2 ]
}

nginx_serving() {
	[ "$(ps -o pid= --ppid "$master" | wc -l)" -eq 2 ] &&
		curl -sf -o /dev/null "http://127.0.0.1:$port/file"
}

# stop_servers: nginx's quick shutdown (TERM) and PostgreSQL's fast one
# (INT), which stop their workers (a SIGKILL to the master would leave them
# running); called by teardown too.
stop_servers() {
	if [[ -n ${master:-} ]]; then
		kill -TERM "$master" 2>/dev/null || true
		wait_gone "$master"
		master=
	fi
	if [[ -n ${postmaster:-} ]]; then
		kill -INT "$postmaster" 2>/dev/null || true
		wait_gone "$postmaster" 30
		postmaster=
	fi
}

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

# start_postgres: a private cluster of Debian's PostgreSQL in $TMP/pg, run
# as the postgres user, listening on a unix socket there only (never the
# system's service); sets postmaster and PGHOST, PGUSER, PGPORT.
start_postgres() {
	chmod 755 "$TMP"
	mkdir "$TMP/pg"
	chown postgres: "$TMP/pg"
	export PGHOST="$TMP/pg" PGUSER=bench PGPORT=$((20000 + $$ % 10000))
	setpriv --reuid=postgres --regid=postgres --init-groups "$PG_BIN/initdb" \
		-D "$TMP/pg/data" -U "$PGUSER" -A trust --no-sync >"$TMP/initdb.log" 2>&1
	# A worker per second: the autovacuum launcher, there before ipctrace,
	# asks the postmaster for it and its workers answer the launcher.
	setpriv --reuid=postgres --regid=postgres --init-groups "$PG_BIN/postgres" \
		-D "$TMP/pg/data" -k "$PGHOST" -p "$PGPORT" -c listen_addresses= \
		-c fsync=off -c autovacuum_naptime=1 >"$TMP/pg.log" 2>&1 3>&- &
	postmaster=$!
	wait_until 30 "$PG_BIN/pg_isready" -q -d postgres
}

# pg_signal_seen: the last frame has a signal sent between two processes of
# the server that existed before ipctrace (both in $TMP/before).
pg_signal_seen() {
	local frame
	frame=$(grep -a '"rows"' "$TMP/out" | tail -n 1) || return 1
	jq -e --slurpfile pre "$TMP/before" '
		any(.rows[]; .type == "signal" and .dir == "tx" and .ops > 0
			and (.pid as $p | $pre[0] | index($p)) and (.ino as $o | $pre[0] | index($o)))' \
		<<<"$frame" >/dev/null
}

@test "-p MASTER -f: nginx's workers, started before ipctrace, sent exactly what curl received, to curl" {
	start_nginx
	start_tracer -p "$master" -f -t tcp --json -i 0.5
	local n=12 want=0 got
	for ((i = 0; i < n; i++)); do
		got=$(curl -sf -o /dev/null -w '%{size_download} %{size_header}' "http://127.0.0.1:$port/file")
		want=$((want + ${got% *} + ${got#* }))
	done
	stop_tracer
	stop_servers
	final >"$TMP/final"
	[ "$want" -gt $((n * 102400)) ]
	# The workers' sending rows: exactly curl's bytes, each connection's to one curl.
	jq -e --argjson w "$workers" --argjson want "$want" --argjson n "$n" '
		[.rows[] | select(.type == "tcp" and .dir == "tx" and (.pid as $p | $w | index($p)))
		 | select(.bytes > 0)] as $sent
		| ($sent | map(.bytes) | add) == $want
		and ($sent | length) == $n
		and ($sent | all(.comm == "nginx" and (.peers | length) == 1 and .peers[0].comm == "curl"))
		and ($sent | map(.peers[0].pid) | unique | length) == $n' "$TMP/final" >/dev/null
	# And curl's side, the other end of each: the same bytes, from a worker.
	jq -e --argjson w "$workers" --argjson want "$want" '
		[.rows[] | select(.comm == "curl" and .type == "tcp" and .dir == "rx")] as $got
		| ($got | map(.bytes) | add) == $want
		and ($got | all(.peers | length == 1 and (.[0].pid as $p | $w | index($p)) != null))' \
		"$TMP/final" >/dev/null
}

@test "-p PARENT -f: signals between two children that existed before ipctrace, exact, each side named" {
	local k=30
	python3 "$ROOT/tests/lib/signal_family.py" "$k" "$TMP/go" 2>"$TMP/family.err" 3>&- &
	wait_for "$TMP/family.err" ready
	read -r parent a b < <(demo_pids "$TMP/family.err")
	start_tracer -p "$parent" -f -t signal --json -i 0.3
	touch "$TMP/go"
	wait_gone "$parent"
	stop_tracer
	final >"$TMP/final"
	# row(PID; OBJECT; DIR): a signal's object is its receiver.
	jq -e --argjson a "$a" --argjson b "$b" --argjson k "$k" '
		def row(p; o; d): [.rows[] | select(.pid == p and .ino == o and .dir == d)]
			| if length == 1 then .[0] else error("rows: \(length)") end;
		def named(p; c): [.peers[] | {pid, comm}] == [{pid: p, comm: c}];
		(row($a; $b; "tx") | .comm == "sig-a" and .sig == {SIGUSR1: $k} and named($b; "sig-b"))
		and (row($b; $b; "rx") | .comm == "sig-b" and .sig == {SIGUSR1: $k} and .delivered == $k
			and named($a; "sig-a"))
		and (row($b; $a; "tx") | .sig == {SIGUSR2: $k} and named($a; "sig-a"))
		and (row($a; $a; "rx") | .sig == {SIGUSR2: $k} and .delivered == $k and named($b; "sig-b"))' \
		"$TMP/final" >/dev/null
}

DGRAM_SERVER="$ROOT/tests/lib/dgram_server.py"

# dgram_senders SENDTO CONNECT: 20 short-lived senders (socat) of one
# datagram each, each its own size: every other one connects first (as
# logger and resolvers do) with the socat address CONNECT, the others send
# with SENDTO; each one's record in $TMP/senders.
dgram_senders() {
	local pid
	for ((i = 1; i <= 20; i++)); do
		head -c $((i * 37)) /dev/zero >"$TMP/msg"
		if ((i % 2)); then
			socat -u "OPEN:$TMP/msg" "$2" &
		else
			socat -u "OPEN:$TMP/msg" "$1" &
		fi
		pid=$!
		wait "$pid"
		echo "{\"pid\": $pid, \"comm\": \"socat\", \"bytes\": $((i * 37)), \"messages\": 1}" \
			>>"$TMP/senders"
	done
}

# mmsg_senders ADDR: 4 short-lived senders of 5 datagrams each, in one
# sendmmsg call without connecting, each its own sizes; their records in
# $TMP/senders.
mmsg_senders() {
	for ((i = 1; i <= 4; i++)); do
		/usr/bin/python3 "$ROOT/tests/lib/mmsg_sender.py" "$1" $((i * 11)) $((i * 13)) \
			$((i * 17)) $((i * 19)) $((i * 23)) >>"$TMP/senders"
	done
}

# check_dgram SERVER [SENDERS]: the server's row names every sender (20
# unless said) and received what they sent; each sender's row has its own
# bytes, and names the server.
check_dgram() {
	final >"$TMP/final"
	[ "$(jq -s length "$TMP/senders")" -eq "${2:-20}" ]
	jq -e --argjson srv "$1" --slurpfile senders "$TMP/senders" --slurpfile server "$TMP/server" '
		. as $all
		| [.rows[] | select(.pid == $srv and .dir == "rx" and (.type == "unix" or .type == "udp"))]
		as $rx
		| ($rx | length) == 1
		and $rx[0].bytes == ($senders | map(.bytes) | add) and $rx[0].bytes == $server[0].bytes
		and $rx[0].ops == ($senders | map(.messages) | add)
		and ([$rx[0].peers[] | {pid, comm}] | sort_by(.pid))
			== ($senders | map({pid, comm}) | sort_by(.pid))
		and ($senders | all(. as $s | [$all.rows[] | select(.pid == $s.pid and .dir == "tx")]
			| length == 1 and .[0].bytes == $s.bytes and .[0].ops == $s.messages
			and [.[0].peers[].pid] == [$srv]))' "$TMP/final" >/dev/null
}

# start_dgram_server ADDR COUNT: in the background; sets server (and port).
start_dgram_server() {
	: >"$TMP/server.err"	# not the last server's line (start_tracer says why)
	python3 "$DGRAM_SERVER" "$1" "$2" >"$TMP/server" 2>"$TMP/server.err" 3>&- &
	wait_for "$TMP/server.err" ready
	read -r server port < <(sed -nE 's/ready pid ([0-9]+) port ([0-9]+);/\1 \2/p' "$TMP/server.err")
}

@test "-p on a unix datagram server started before ipctrace: every sender named, each one's bytes exact" {
	start_dgram_server "$TMP/dgram.sock" 20
	start_tracer -p "$server" -t unix --json -i 0.3
	dgram_senders "UNIX-SENDTO:$TMP/dgram.sock" "UNIX-CONNECT:$TMP/dgram.sock,type=2"
	wait_gone "$server"
	stop_tracer
	check_dgram "$server"
}

@test "-p on a unix datagram server, socket bytes from the syscalls (kernels before 6.3): the same" {
	start_dgram_server "$TMP/dgram.sock" 20
	IPCTRACE_HIDE=sock_tp start_tracer -p "$server" -t unix --json -i 0.3
	dgram_senders "UNIX-SENDTO:$TMP/dgram.sock" "UNIX-CONNECT:$TMP/dgram.sock,type=2"
	wait_gone "$server"
	stop_tracer
	check_dgram "$server"
}

@test "-p on a unix datagram server: senders of sendmmsg to its address, unconnected, named, each one's bytes exact" {
	start_dgram_server "$TMP/dgram.sock" 20
	start_tracer -p "$server" -t unix --json -i 0.3
	mmsg_senders "$TMP/dgram.sock"
	wait_gone "$server"
	stop_tracer
	check_dgram "$server" 4
}

@test "-p on a UDP server: senders of sendmmsg, unconnected, named, each one's bytes exact, on both counting paths" {
	start_dgram_server udp 20
	start_tracer -p "$server" -t udp --json -i 0.3
	mmsg_senders "127.0.0.1:$port"
	wait_gone "$server"
	stop_tracer
	check_dgram "$server" 4
	rm "$TMP/senders"
	start_dgram_server udp 20
	IPCTRACE_HIDE=sock_tp start_tracer -p "$server" -t udp --json -i 0.3
	mmsg_senders "127.0.0.1:$port"
	wait_gone "$server"
	stop_tracer
	check_dgram "$server" 4
}

@test "-p on a UDP server started before ipctrace: every sender named, each one's bytes exact" {
	start_dgram_server udp 20
	start_tracer -p "$server" -t udp --json -i 0.3
	dgram_senders "UDP-SENDTO:127.0.0.1:$port" "UDP-CONNECT:127.0.0.1:$port"
	wait_gone "$server"
	stop_tracer
	check_dgram "$server"
}

@test "-- a datagram server: bound after ipctrace attached, every sender named, each one's bytes exact" {
	start_tracer -t unix --json -- sh -c \
		"exec python3 '$DGRAM_SERVER' '$TMP/dgram.sock' 20 >'$TMP/server' 2>'$TMP/server.err'"
	wait_for "$TMP/server.err" ready
	read -r server < <(sed -nE 's/ready pid ([0-9]+) .*/\1/p' "$TMP/server.err")
	dgram_senders "UNIX-SENDTO:$TMP/dgram.sock" "UNIX-CONNECT:$TMP/dgram.sock,type=2"
	wait_gone "$TRACER_PID" 30
	TRACER_STATUS=0
	wait "$TRACER_PID" || TRACER_STATUS=$?
	TRACER_PID=
	[ "$TRACER_STATUS" -eq 0 ]
	check_dgram "$server"
}

@test "-p POSTMASTER -f: PostgreSQL's backends, each connection exact on both ends, named by title; signals between its existing children" {
	local t=200
	start_postgres
	ps -o pid= --ppid "$postmaster" | jq -s -c 'sort' >"$TMP/before"
	[ "$(jq length "$TMP/before")" -ge 4 ]
	start_tracer -p "$postmaster" -f -t unix,signal --json -i 0.3 --prom-file "$TMP/pg.prom"
	# Each client sleeps between its queries, so that its backend lives
	# through several of ipctrace's reads: a title is read while its
	# process runs, and pgbench alone is over in a fraction of a second.
	printf '\\sleep 5 ms\nSELECT 1;\n' >"$TMP/select.sql"
	# The truth: what pgbench's own calls moved on each socket, as strace saw them.
	strace -f -s 0 -o "$TMP/strace" -e trace=socket,close,read,write,sendto,recvfrom,sendmsg,recvmsg \
		pgbench -n -f "$TMP/select.sql" -c 4 -t "$t" postgres >"$TMP/pgbench" 2>&1
	grep -q "actually processed: $((4 * t))/$((4 * t))" "$TMP/pgbench"
	/usr/bin/python3 "$ROOT/tests/lib/strace_sockets.py" "$TMP/strace" | jq -s -c 'sort_by(.tx, .rx)' \
		>"$TMP/truth"
	[ "$(jq length "$TMP/truth")" -eq 5 ]	# its first connection, then the 4 clients'
	wait_until 20 pg_signal_seen
	stop_tracer
	final >"$TMP/final"
	# pgbench's sockets: what strace saw, each with one backend at the other end,
	# which moved the same bytes the other way, to pgbench, named by its title.
	jq -e --slurpfile truth "$TMP/truth" --argjson t "$t" '
		. as $all
		| def ends($p): [$all.rows[] | select(.pid == $p and .type == "unix")];
		[.rows[] | select(.comm == "pgbench" and .type == "unix")] as $pgb
		| ($pgb | group_by(.ino) | map({tx: (map(select(.dir == "tx"))[0].bytes // 0),
			rx: (map(select(.dir == "rx"))[0].bytes // 0), pid: .[0].pid,
			backends: (map([.peers[].pid]) | add | unique)})) as $conns
		| ($conns | map({tx, rx}) | sort_by(.tx, .rx)) == $truth[0]
		and ($conns | all(.backends | length == 1))
		and ($conns | map(.backends[0]) | unique | length) == 5
		and ($conns | all(. as $c | ends($c.backends[0]) as $b
			| ($b | length) == 2
			and ($b | map(select(.dir == "rx"))[0].bytes) == $c.tx
			and ($b | map(select(.dir == "tx"))[0].bytes) == $c.rx
			and ($b | all([.peers[].pid] == [$c.pid]))))
		and ($conns | map(select(.tx > ($truth[0][0].tx))) | length) == 4
		and ($conns | map(select(.tx > ($truth[0][0].tx)) | ends(.backends[0])[]) as $bench
			| ($bench | length) == 8
			and ($bench | all(.comm == "postgres" and (.title | startswith("postgres: bench postgres [local]"))))
			and ($bench | all(.ops >= $t)))' "$TMP/final" >/dev/null
	# A signal between two of the children there before ipctrace: the sender
	# names the receiver, the receiver the sender.
	jq -e --slurpfile pre "$TMP/before" '
		. as $all
		| def pre($p): $pre[0] | index($p) != null;
		[.rows[] | select(.type == "signal" and .dir == "tx" and .ops > 0 and pre(.pid) and pre(.ino))]
		| length > 0 and all(. as $s | [.peers[].pid] == [$s.ino]
			and any($all.rows[]; .type == "signal" and .dir == "rx" and .pid == $s.ino
				and .ops >= $s.ops and ([.peers[].pid] | index($s.pid)) != null))' \
		"$TMP/final" >/dev/null
	# The metrics: one label set for every backend of the user and database,
	# whatever its client or state; with what the server's processes moved
	# before a backend had its title (under comm="postgres"), all their bytes.
	want=$(jq '[.rows[] | select(.type == "unix" and .dir == "tx" and .comm == "postgres")
		| .bytes] | add' "$TMP/final")
	run grep -F 'ipctrace_bytes_total{type="unix",dir="tx",comm="postgres: bench postgres",' "$TMP/pg.prom"
	[ "${#lines[@]}" -eq 1 ]
	run awk '/^ipctrace_bytes_total\{type="unix",dir="tx",comm="postgres(: bench postgres)?",/ { s += $NF } END { print s }' "$TMP/pg.prom"
	[ "$output" -eq "$want" ]
	run grep -c '\[local\]' "$TMP/pg.prom"
	[ "$output" -eq 0 ]
}
