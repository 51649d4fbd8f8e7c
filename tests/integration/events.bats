#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# -e: one event per operation, through the ring buffer. Added up, the events
# give exactly what each demo moved; -x shows exactly the data sent; a full
# ring buffer loses events that are counted, never silently.
load helpers

@test "-e --json: the events of every demo add up to exactly what each moved" {
	# The demos are a waiting shell's children, and ipctrace follows that
	# shell (-p -f): the rest of a busy machine cannot fill the ring buffer.
	# Buffers past the page that holds their semaphores: a page faults
	# once, so a read of the page a process wrote first is not seen.
	start_waiting_shell "for demo in pipe pipe-calls fifo mq msg unix tcp udp; do
			'$DEMO' \$demo -n 25 -s 700 --json >>'$TMP/demo' || exit 1; done
		for demo in shm posix-shm mmap; do
			'$DEMO' \$demo -n 10 -s 8192 --json >>'$TMP/demo' || exit 1; done"
	start_tracer -e --json -p "$shell" -f
	kill -USR1 "$shell"
	wait "$shell"
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
	grep -qE '^ipctrace: [0-9]+ events logged, 0 lost$' "$TMP/err"
	python3 "$ROOT/tests/lib/events_to_frame.py" "$TMP/out" >"$TMP/frame"
	# Removing a queue is not an operation on it: the table's rows say who did.
	jq -c 'select(.removed | not)' "$TMP/demo" >"$TMP/records"
	python3 "$CHECK" --event-peers "$TMP/records" "$TMP/frame"
}

@test "-e: one line per operation, the arrow the way the data went" {
	start_tracer -e -t pipe
	"$DEMO" pipe -n 30 -s 123 --json >"$TMP/demo"
	stop_tracer
	head -n 1 "$TMP/out" | grep -q '^TIME  *PID COMM  *TYPE  *DIR  *BYTES OBJECT'
	for dir in tx rx; do
		while read -r pid ino ops bytes; do
			run grep -cE "^[0-9:.]+ +$pid .* pipe +$dir +[0-9]+ pipe:\[$ino\] $([ $dir = tx ] && echo '->' || echo '<-') " "$TMP/out"
			[ "$output" -eq "$ops" ]
			sum=$(grep -aE "^[0-9:.]+ +$pid .* pipe +$dir +[0-9]+ pipe:\[$ino\] " "$TMP/out" | awk '{ s += $6 } END { print s }')
			[ "$sum" -eq "$bytes" ]
		done < <(jq -r --arg d "$dir" 'select(.dir == $d) | "\(.pid) \(.ino) \(.ops) \(.bytes)"' "$TMP/demo")
	done
}

# each_capture SENT CAP COPIES: for each transfer payloads.py recorded in
# SENT, each end's data (its first CAP bytes; a writev's first buffer, its
# read all of it) must have been captured once: COPIES TYPE DIR BYTES HEX
# says how many times.
each_capture() {
	local sent=$1 cap=$2 copies=$3 n=0 got tx rx
	while read -r type bytes hex; do
		for dir in tx rx; do
			got=$("$copies" "$type" "$dir" "$bytes" "${hex:0:$((cap * 2))}")
			[ "$got" -eq 1 ] || { echo "$type $dir $bytes: $got copies"; return 1; }
		done
		n=$((n + 1))
	done < <(jq -r 'select(.hex) | "\(.type) \(.bytes) \(.hex)"' "$sent")
	[ "$n" -eq 15 ] || return 1
	read -r tx rx < <(jq -r 'select(.vectored) | "\(.tx_hex) \(.rx_hex)"' "$sent")
	[ "$("$copies" pipe tx 100 "${tx:0:$((cap * 2))}")" -eq 1 ] || return 1
	[ "$("$copies" pipe rx 100 "${rx:0:$((cap * 2))}")" -eq 1 ]
}

# json_copies TYPE DIR BYTES HEX: -x's JSON events in $TMP/mine with that data.
json_copies() {
	jq -c --arg t "$1" --arg d "$2" --argjson b "$3" --arg h "$4" \
		'select(.type == $t and .dir == $d and .bytes == $b and .data_hex == $h)' "$TMP/mine" | wc -l
}

# packet_copies TYPE DIR BYTES HEX: packets tshark read into $TMP/packets with
# that data, on TYPE's interface, the comment naming $sender and its peer.
packet_copies() {
	awk -F '\t' -v t="$1" -v d="dir=$2" -v b="$3" -v h="$4" -v p="$sender" \
		'$1 == t && $3 == b && $4 == h && index($2, "pid=" p " comm=python3 " d " object=") == 1 \
			&& $2 ~ (" peers=" p "/python3") { n++ } END { print n + 0 }' "$TMP/packets"
}

@test "-x: each transfer's data, exactly as sent and received, up to --hex-bytes" {
	for cap in 1024 16; do
		: >"$TMP/ready"	# not the last round's line (start_tracer says why)
		python3 "$ROOT/tests/lib/payloads.py" --wait >"$TMP/sent" 2>"$TMP/ready" 3>&- &
		wait_for "$TMP/ready" '^ready '
		sender=$(sed -nE 's/^ready ([0-9]+)$/\1/p' "$TMP/ready")
		# -p and -t: on a busy machine, everyone's data would overflow the ring
		# buffer (queues and shared memory are counted for everyone, even with -p).
		start_tracer --hex-bytes "$cap" --json -p "$sender" -t pipe,unix,udp,tcp
		grep -q "warning: -x shows the data processes send each other" "$TMP/err"
		kill -USR1 "$sender"
		wait_gone "$sender"
		stop_tracer
		grep -qE '^ipctrace: [0-9]+ events logged, 0 lost$' "$TMP/err"
		pid=$(jq -r .pid "$TMP/sent" | head -n 1)
		jq -c --argjson p "$pid" 'select(.pid == $p)' "$TMP/out" >"$TMP/mine"
		each_capture "$TMP/sent" "$cap" json_copies
	done
}

@test "-w FILE.pcapng: tshark reads each transfer's bytes, exactly as sent, on its type's interface, process and peers in its comment" {
	python3 "$ROOT/tests/lib/payloads.py" --wait >"$TMP/sent" 2>"$TMP/ready" 3>&- &
	wait_for "$TMP/ready" '^ready '
	sender=$(sed -nE 's/^ready ([0-9]+)$/\1/p' "$TMP/ready")
	start_tracer -w "$TMP/cap.pcapng" --hex-bytes 1024 --json -p "$sender" -t pipe,unix,udp,tcp
	kill -USR1 "$sender"
	wait_gone "$sender"
	stop_tracer
	grep -qE '^ipctrace: [0-9]+ events logged, 0 lost$' "$TMP/err"
	# interface, comment, original length, captured bytes: one packet a line.
	tshark -r "$TMP/cap.pcapng" -T fields -E separator=/t \
		-e frame.interface_name -e frame.comment -e frame.len -e data.data 2>/dev/null >"$TMP/packets"
	each_capture "$TMP/sent" 1024 packet_copies
	# Nothing else: a packet per transfer of each end.
	[ "$(wc -l <"$TMP/packets")" -eq $((2 * 15 + 2)) ]
}

@test "-x in text: a hexdump under the line, and how much was left out" {
	start_tracer --hex-bytes 20 -t pipe
	python3 -c 'import os; r, w = os.pipe(); os.write(w, b"hello, ipctrace! 0123456789abcdef"); os.read(r, 100)'
	stop_tracer
	grep -qF '    0000  68 65 6c 6c 6f 2c 20 69  70 63 74 72 61 63 65 21  |hello, ipctrace!|' "$TMP/out"
	grep -qF '    0010  20 30 31 32                                       | 012|' "$TMP/out"
	[ "$(grep -cF '    ... 13 more bytes' "$TMP/out")" -ge 2 ]
}

@test "a full ring buffer: the events lost are counted and said; logged + lost = operations" {
	"$DEMO" pipe -n 30000 -s 1 --json --wait >"$TMP/demo" 2>"$TMP/demo.err" 3>&- &
	wait_for "$TMP/demo.err" ready
	read -r parent _ < <(demo_pids "$TMP/demo.err")
	# -t pipe: queues and shared memory are counted for every process (see
	# README), so with them the losses would include other processes' too.
	start_tracer -e --json --hex-bytes 1024 -t pipe -p "$parent"
	# Stopped, ipctrace cannot drain the buffer while the demo fills it.
	kill -STOP "$TRACER_PID"
	kill -USR1 "$parent"
	wait_gone "$parent" 60
	kill -CONT "$TRACER_PID"
	stop_tracer
	read -r logged lost < <(sed -nE 's/^ipctrace: ([0-9]+) events logged, ([0-9]+) lost$/\1 \2/p' "$TMP/err")
	[ "$lost" -gt 0 ]
	grep -qE "^ipctrace: [0-9]+ events lost: the ring buffer was full" "$TMP/err"
	ops=$(jq -s 'map(.ops) | add' "$TMP/demo")
	[ "$(wc -l <"$TMP/out")" -eq "$logged" ]
	echo "logged $logged lost $lost ops $ops"
	# For a failure: whose and which logged events, beside the demo's pids
	# and pipes (an extra event shows here unless it was among the lost).
	jq -r '"demo \(.pid) \(.ino) \(.dir) \(.ops)"' "$TMP/demo"
	jq -r '"\(.pid) \(.comm) \(.type) \(.ino) \(.dir)"' "$TMP/out" | sort | uniq -c
	[ $((logged + lost)) -eq "$ops" ]
}

@test "-e with -p: the target's operations and its peers', no one else's" {
	"$DEMO" pipe -n 40 -s 64 --json --wait >"$TMP/demo" 2>"$TMP/demo.err" 3>&- &
	wait_for "$TMP/demo.err" ready
	read -r parent _ < <(demo_pids "$TMP/demo.err")
	start_tracer -e --json -p "$parent"
	"$DEMO" fifo -n 50 -s 10 >/dev/null
	kill -USR1 "$parent"
	wait_gone "$parent"
	stop_tracer
	python3 "$ROOT/tests/lib/events_to_frame.py" "$TMP/out" >"$TMP/frame"
	python3 "$CHECK" --only --event-peers "$TMP/demo" "$TMP/frame"
}

@test "-e with signals: each named as the table names it (SIGUSR2, not 12), its number kept in JSON; added up, exactly the demo's" {
	start_tracer -e --json -t signal
	"$DEMO" signal -n 20 --json >"$TMP/demo"
	stop_tracer
	jq -e -s 'map(select(has("sig"))) | length > 0
		and all(.[]; (.sig | type) == "number" and (.sig_name | test("^SIG[A-Z0-9+-]+$")))' \
		"$TMP/out" >/dev/null
	# Each event says what became of its signal: added up per row, the
	# demo's outcomes (a row without one of them has none: 0). "kernel"
	# is not an outcome but who sent it: the table's alone.
	python3 "$ROOT/tests/lib/events_to_frame.py" "$TMP/out" >"$TMP/sum"
	jq -c '.rows[] |= (.delivered //= 0 | .ignored //= 0 | .pending //= 0 | .failed //= 0)' \
		"$TMP/sum" >"$TMP/frame"
	jq -c 'del(.events.kernel)' "$TMP/demo" >"$TMP/records"
	python3 "$CHECK" --event-peers "$TMP/records" "$TMP/frame"
	# The text log says the names too.
	start_tracer -e -t signal
	"$DEMO" signal -n 20 >/dev/null
	stop_tracer
	grep -qE ' sig=SIGUSR[12] result=(delivered|ignored|pending|failed)$' "$TMP/out"
	run grep -cE ' sig=[0-9]' "$TMP/out"
	[ "$output" = 0 ]
}

# count_outcome FILE PID DIR PEER OUTCOME: -e's text lines of PID's SIGUSR2
# in DIR, to or from PEER, with that outcome.
count_outcome() {
	local arrow='<-'
	[ "$3" = tx ] && arrow='->'
	grep -cE "^[0-9:.]+ +$2 +python3 +signal +$3 +- .* $arrow $4/python3\\*? +sig=SIGUSR2 result=$5\$" "$1" || true
}

@test "-e -t signal: SIGUSR2 ignored (SIG_IGN), pending while blocked, delivered: each event's outcome, on both sides, exactly" {
	for format in text json; do
		if [ "$format" = json ]; then start_tracer -e -t signal --json; else start_tracer -e -t signal; fi
		python3 "$ROOT/tests/lib/signal_outcomes.py" >"$TMP/sent"
		stop_tracer
		read -r sender target number < <(jq -r '"\(.sender) \(.target) \(.number)"' "$TMP/sent")
		while read -r outcome n; do
			if [ "$format" = text ]; then
				[ "$(count_outcome "$TMP/out" "$target" rx "$sender" "$outcome")" -eq "$n" ]
				[ "$(count_outcome "$TMP/out" "$sender" tx "$target" "$outcome")" -eq "$n" ]
				continue
			fi
			for side in "$target rx $sender" "$sender tx $target"; do
				read -r pid dir peer <<<"$side"
				run jq -s --argjson p "$pid" --arg d "$dir" --argjson q "$peer" --arg r "$outcome" \
					--argjson s "$number" \
					'map(select(.pid == $p and .dir == $d and .sig == $s and .sig_name == "SIGUSR2"
						and .result == $r and any(.peers[]; .pid == $q))) | length' "$TMP/out"
				[ "$status" -eq 0 ]
				[ "$output" -eq "$n" ]
			done
		done < <(jq -r '.outcomes | to_entries[] | "\(.key) \(.value)"' "$TMP/sent")
		# Nothing else: every SIGUSR2 event of the two is one counted above.
		run grep -cE "^[^ ]+ +($sender|$target) .*SIGUSR2|\"pid\":($sender|$target),.*SIGUSR2" "$TMP/out"
		[ "$output" -eq $((2 * $(jq '[.outcomes[]] | add' "$TMP/sent"))) ]
	done
}

@test "-e text: awk splits every line into the same fields, names with spaces, = and quotes included" {
	chan=$TMP/'my fifo "q"=1'
	mkfifo "$chan"
	# A process renamed (prctl), reading or writing 7 x 100 bytes on the FIFO.
	cat >"$TMP/end.py" <<'PY'
import ctypes, json, os, sys
path, name, role = sys.argv[1:4]
ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)
moved = 0
if role == "w":
    fd = os.open(path, os.O_WRONLY)
    for _ in range(7):
        moved += os.write(fd, b"x" * 100)
else:
    fd = os.open(path, os.O_RDONLY)
    while chunk := os.read(fd, 100):
        moved += len(chunk)
print(json.dumps({"pid": os.getpid(), "comm": name, "bytes": moved}))
PY
	start_tracer -e -t fifo
	python3 "$TMP/end.py" "$chan" 'rd "q" =x' r >"$TMP/reader" &
	reader=$!
	python3 "$TMP/end.py" "$chan" 'wr x="1" y' w >"$TMP/writer"
	wait "$reader"
	stop_tracer
	# Every fifo line has nine fields, whatever the names; a name decoded
	# (printf %b undoes \x20 and \\) is the name the process gave itself.
	awk '$4 == "fifo" { print NF "\t" $2 "\t" $3 "\t" $5 "\t" $6 "\t" $7 "\t" $8 "\t" $9 }' "$TMP/out" >"$TMP/fields"
	[ "$(wc -l <"$TMP/fields")" -ge 8 ]
	read -r wpid wcomm wbytes < <(jq -r '"\(.pid) \(.comm | @base64) \(.bytes)"' "$TMP/writer")
	read -r rpid rcomm rbytes < <(jq -r '"\(.pid) \(.comm | @base64) \(.bytes)"' "$TMP/reader")
	wcomm=$(base64 -d <<<"$wcomm")
	rcomm=$(base64 -d <<<"$rcomm")
	declare -A sum=()
	peered=0
	while IFS=$'\t' read -r nf pid comm dir bytes object arrow peers; do
		[ "$nf" -eq 9 ]
		[ "$(printf '%b' "$object")" = "$chan" ]
		if [ "$pid" = "$wpid" ]; then
			me=$wcomm dir_want=tx arrow_want='->' other="$rpid/$rcomm"
		else
			[ "$pid" = "$rpid" ]
			me=$rcomm dir_want=rx arrow_want='<-' other="$wpid/$wcomm"
		fi
		[ "$(printf '%b' "$comm")" = "$me" ]
		[ "$dir" = "$dir_want" ]
		[ "$arrow" = "$arrow_want" ]
		# Peers known when the line was printed: none yet, or the other end.
		peers=$(printf '%b' "$peers")
		[ "$peers" = - ] || [ "${peers%\*}" = "$other" ]
		[ "$peers" = - ] || peered=$((peered + 1))
		sum[$pid]=$(( ${sum[$pid]:-0} + bytes ))
	done <"$TMP/fields"
	[ "$peered" -gt 0 ]
	[ "${sum[$wpid]}" -eq "$wbytes" ]
	[ "${sum[$rpid]}" -eq "$rbytes" ]
	[ "$wbytes" -eq 700 ]
}
