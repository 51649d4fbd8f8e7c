#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Message queues, POSIX and System V: exact messages and bytes per side,
# the counts per priority and per message type, peers, and removal.
load helpers

@test "mq demo: exact messages, bytes and priority counts on each side; notify; unlink" {
	start_tracer --json -i 0.3
	"$DEMO" mq -n 203 -s 700 --json >"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	# The receiver blocked on the empty queue first, and registered for notification.
	final | jq -e '[.rows[] | select(.comm == "mq-receiver")][0] | .notify == 1 and .prio_min == 0 and .prio_max == 9' >/dev/null
}

@test "mq demo under the raw_tp fallback: the same counts" {
	IPCTRACE_HIDE=tp_btf start_tracer --json -i 0.3
	"$DEMO" mq -n 50 -s 64 --json >"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "msg demo: exact bytes, messages and type counts; a receiver of one type only" {
	start_tracer --json -i 0.3
	"$DEMO" msg -n 301 -s 1000 --json >"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	final | jq -e '[.rows[] | select(.comm == "msg-recv-type1")][0].mtype | keys == ["1"]' >/dev/null
}

@test "mq: queue unlinked while a receiver is still blocked; ipctrace stops without waiting" {
	q=/ipctrace-test.$$
	"$DEMO" mq --role receiver --path "$q" -s 300 --json >>"$TMP/demo" 3>&- &
	receiver=$!
	start_tracer --json -i 0.3
	"$DEMO" mq --role sender --path "$q" -n 25 -s 300 --no-end --json >"$TMP/sent"
	"$DEMO" mq --role unlink --path "$q" --json >"$TMP/unlinked"
	# The receiver now waits in mq_receive for a message that never comes
	# (once it has had the CPU to take the last one).
	wait_until 20 grep -q '^State:.*S' /proc/"$receiver"/status
	sleep 0.5
	SECONDS=0
	stop_tracer
	[ "$SECONDS" -le 3 ]
	kill -0 "$receiver"	# still blocked, still there
	# The receiver has read everything sent: its row mirrors the sender's.
	jq -c --argjson pid "$receiver" '.role = "receiver" | .dir = "rx" | .pid = $pid' "$TMP/sent" >"$TMP/expected"
	cat "$TMP/sent" "$TMP/unlinked" >>"$TMP/expected"
	python3 "$CHECK" "$TMP/expected" "$TMP/out"
	final | jq -e --argjson pid "$receiver" '.rows[] | select(.pid == $pid) | .depth == 0 and .unlinked == 1' >/dev/null
	kill "$receiver"
}

@test "msg: a queue made by ipcmk before ipctrace started, used from Perl, removed by ipcrm" {
	id=$(ipcmk -Q | awk '{print $NF}')
	# /proc prints the key as a signed int.
	key=$(awk -v id="$id" '$2 == id { printf "0x%08x", ($1 < 0 ? $1 + 4294967296 : $1) }' /proc/sysvipc/msg)
	start_tracer --json -i 0.3
	# Perl's msgsnd/msgrcv builtins: no part of ipctrace wrote these.
	perl -e '
		my ($id, $n) = @ARGV;
		open my $f, ">", "'"$TMP"'/sender.pid"; print $f "$$\n"; close $f;
		for my $i (0 .. $n - 1) {
			my $type = $i % 2 ? 7 : 4;
			msgsnd($id, pack("l! a*", $type, "m" x (10 + $i)), 0) or die "msgsnd: $!";
		}' "$id" 40
	perl -e '
		my ($id, $n) = @ARGV;
		open my $f, ">", "'"$TMP"'/receiver.pid"; print $f "$$\n"; close $f;
		for (1 .. $n) { msgrcv($id, my $buf, 8192, 0, 0) or die "msgrcv: $!" }' "$id" 40
	ipcrm -q "$id"
	stop_tracer
	sender=$(cat "$TMP/sender.pid")
	receiver=$(cat "$TMP/receiver.pid")
	bytes=$(( 40 * 10 + 39 * 40 / 2 ))	# sizes 10 .. 49
	final >"$TMP/final"
	run jq -r --argjson p "$sender" '.rows[] | select(.pid == $p and .type == "msg") | "\(.object) \(.dir) \(.bytes) \(.ops) \(.mtype) \([.peers[].pid] | join(","))"' "$TMP/final"
	[ "$output" = "key $key id $id tx $bytes 40 {\"4\":20,\"7\":20} $receiver" ]
	run jq -r --argjson p "$receiver" '.rows[] | select(.pid == $p and .type == "msg") | "\(.object) \(.dir) \(.bytes) \(.ops) \(.mtype) \([.peers[].pid] | join(","))"' "$TMP/final"
	[ "$output" = "key $key id $id rx $bytes 40 {\"4\":20,\"7\":20} $sender" ]
	# ipcrm removed it: every row on the queue says so.
	jq -e --argjson id "$id" '[.rows[] | select(.type == "msg" and .ino == $id)] | length == 2 and all(.removed == 1 and .removed_by > 0)' "$TMP/final" >/dev/null
}

@test "-p with a queue: the target and the processes at the other end, nothing else" {
	"$DEMO" mq -n 30 -s 100 --json --wait >"$TMP/demo" 2>"$TMP/demo.err" 3>&- &
	wait_for "$TMP/demo.err" ready
	read -r parent receiver sender < <(demo_pids "$TMP/demo.err")
	start_tracer -p "$receiver" --json -i 0.3
	"$DEMO" mq -n 10 -s 10 >/dev/null	# another queue: must not show
	"$DEMO" msg -n 10 -s 10 >/dev/null
	kill -USR1 "$parent"
	wait_gone "$parent"
	stop_tracer
	python3 "$CHECK" --only "$TMP/demo" "$TMP/out"
}

@test "-t mq,msg: queues only" {
	start_tracer -t mq,msg --json -i 0.3
	"$DEMO" pipe -n 10 -s 100 >/dev/null
	"$DEMO" mq -n 10 -s 100 --json >"$TMP/demo"
	"$DEMO" msg -n 10 -s 100 --json >>"$TMP/demo"
	stop_tracer
	run jq -r '[.rows[].type] | unique | join(",")' <(final)
	[ "$output" = "mq,msg" ]
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "a queue and a segment an earlier run left under the demo's PID: the demo takes the next name and key" {
	# In a PID namespace of its own the demo is PID 1, so its names and
	# keys are known: /ipc-demo.1, 0x1d000001 (msg), 0x5d000001 (shm).
	run /usr/bin/python3 -c '
import ctypes, ctypes.util, os
rt = ctypes.CDLL(ctypes.util.find_library("rt"), use_errno=True)
libc = ctypes.CDLL(None, use_errno=True)
print(rt.mq_open(b"/ipc-demo.1", os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600, None),
      libc.msgget(0x1d000001, 0o1000 | 0o2000 | 0o600),
      libc.shmget(0x5d000001, 4096, 0o1000 | 0o2000 | 0o600))'
	[ "$status" -eq 0 ]
	read -r mq msg shm <<<"$output"
	[ "$mq" -ge 0 ]
	[ "$msg" -ge 0 ]
	[ "$shm" -ge 0 ]
	for demo in mq msg shm; do
		unshare -pf "$DEMO" "$demo" -n 3 -s 100 --json >"$TMP/$demo" 2>"$TMP/$demo.err" ||
			{ cat "$TMP/$demo.err"; false; }
	done
	ipcrm -q "$msg" -m "$shm"
	/usr/bin/python3 -c 'import ctypes, ctypes.util, sys
sys.exit(ctypes.CDLL(ctypes.util.find_library("rt")).mq_unlink(b"/ipc-demo.1"))'
	[ "$(jq -r 'select(.type == "mq") | .object' "$TMP/mq" | sort -u)" = "/ipc-demo.1.1" ]
	run jq -r 'select(.type == "msg") | .object' "$TMP/msg"
	[ "${#lines[@]}" -gt 0 ]
	[[ "$output" != *"key 0x1d000001 "* ]]
	run jq -r 'select(.type == "shm") | .object' "$TMP/shm"
	[ "${#lines[@]}" -gt 0 ]
	[[ "$output" != *"key 0x5d000001 "* ]]
}
