#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# WAIT: the time each process's calls slept, waiting on the channel. A
# workload times its own calls: a blocked call sleeps nearly all its time.
load helpers

# row_wait PID INO DIR: the wait_s of that row in the final frame.
row_wait() {
	final | jq -r --argjson p "$1" --argjson i "$2" --arg d "$3" \
		'.rows[] | select(.pid == $p and .ino == $i and .dir == $d) | .wait_s'
}

# Each slow_reader.py phase's WAIT against the time its calls took.
check_wait_shares() {
	while read -r phase type pid ino dir ops in_call off_cpu runq span; do
		wait_s=$(row_wait "$pid" "$ino" "$dir")
		echo "$phase $type $dir: waited ${wait_s}s, ${in_call}s in calls, ${off_cpu}s of it off the CPU, ${runq}s waiting for a CPU, over ${span}s"
		# Asleep is inside the call and off the CPU; what is off the CPU and
		# not asleep is time spent waiting for a CPU, which WAIT leaves out:
		# the workload measures that wait (schedstat), so a busy machine,
		# where it can take milliseconds, leaves the margin as it is.
		python3 -c "import sys; w, c, o, q, n = map(float, sys.argv[1:]); sys.exit(not (w <= c and o - q - w <= 0.0005 * n + 0.002))" \
			"$wait_s" "$in_call" "$off_cpu" "$runq" "$ops"
		if [ "$phase $dir" = "slow rx" ]; then
			python3 -c "import sys; w, s = map(float, sys.argv[1:]); sys.exit(not w >= 0.9 * s)" "$wait_s" "$span"
		else
			python3 -c "import sys; w, s = map(float, sys.argv[1:]); sys.exit(not w <= 0.1 * s + 0.001)" "$wait_s" "$span"
		fi
	done < <(jq -r '"\(.phase) \(.type) \(.pid) \(.ino) \(.dir) \(.ops) \(.in_call_s) \(.off_cpu_s) \(.runq_s) \(.span_s)"' "$TMP/work")
	[ "$(wc -l <"$TMP/work")" -eq 8 ]
}

@test "WAIT: a reader waiting on a slow writer, near all its time; a busy one, none (pipe, unix)" {
	start_tracer --json -t pipe,unix
	python3 "$ROOT/tests/lib/slow_reader.py" 20 0.05 >"$TMP/work"
	stop_tracer
	check_wait_shares
}

@test "WAIT in the portable BPF build (sleepers in a hash, not task storage): the same" {
	IPCTRACE_HIDE=direct start_tracer --json -t pipe,unix
	grep -q 'portable build' "$TMP/err"
	python3 "$ROOT/tests/lib/slow_reader.py" 20 0.05 >"$TMP/work"
	stop_tracer
	check_wait_shares
}

@test "WAIT in the table: the waiting reader's share of the interval" {
	start_tracer -t pipe -i 1
	python3 "$ROOT/tests/lib/slow_reader.py" 40 0.05 >"$TMP/work"
	stop_tracer
	read -r pid ino < <(jq -r 'select(.phase == "slow" and .type == "pipe" and .dir == "rx") | "\(.pid) \(.ino)"' "$TMP/work")
	# Some interval saw it waiting most of the time: 80% or more, past 100%
	# when a sleep begun in the interval before ended in it (a sleep counts
	# where its call returns). Its rows, for a failure:
	grep -aE "^ +$pid .* pipe:\[$ino\] +rx " "$TMP/out" || true
	run grep -E "^ +$pid .* pipe:\[$ino\] +rx .* ([89][0-9]|1[0-9][0-9])% *$" "$TMP/out"
	[ "$status" -eq 0 ]
	head -n 4 "$TMP/out" | grep -qE ' OPS WAIT( DETAIL)?$'
}

@test "--no-wait: no switch hook, WAIT not measured" {
	start_tracer --json --no-wait -t pipe
	# Not "[ ... ] || { ...; }": a failure inside a group after || does not
	# end a test (set -e is off there); an if's body keeps it on.
	if [ "$(bpftool prog show | grep -c 'name sched_switch_btf')" -ne 0 ]; then
		# Another ipctrace may be running: then ours must not add one.
		pids=$(bpftool prog show -j | jq -r '.[] | select(.name == "sched_switch_btf") | .pids[]?.pid' | sort -u)
		run ! grep -qx "$TRACER_PID" <<<"$pids"
	fi
	python3 "$ROOT/tests/lib/slow_reader.py" 5 0.05 >"$TMP/work"
	stop_tracer
	read -r pid ino < <(jq -r 'select(.phase == "slow" and .type == "pipe" and .dir == "rx") | "\(.pid) \(.ino)"' "$TMP/work")
	[ "$(row_wait "$pid" "$ino" rx)" = 0 ]
}

# expected_sizes FILE TYPE INO: the log2 size histogram ([low, high, count])
# of the transfers a payloads.py record file says went through that end.
expected_sizes() {
	python3 - "$@" <<'PY'
import json, sys
path, kind, ino = sys.argv[1], sys.argv[2], int(sys.argv[3])
slots = {}
for line in open(path):
    rec = json.loads(line)
    if rec["type"] == kind and ino in (rec["tx_ino"], rec["rx_ino"]):
        n = rec["bytes"]
        slot = n.bit_length() - 1 if n else 0
        slots[slot] = slots.get(slot, 0) + 1
print(json.dumps([[1 << s if s else 0, (2 << s) - 1, c] for s, c in sorted(slots.items())], separators=(',', ':')))
PY
}

@test "--hist: each row's message sizes, slot by slot, as the workload sent them" {
	python3 "$ROOT/tests/lib/payloads.py" --wait >"$TMP/sent" 2>"$TMP/ready" 3>&- &
	wait_for "$TMP/ready" '^ready '
	sender=$(sed -nE 's/^ready ([0-9]+)$/\1/p' "$TMP/ready")
	start_tracer --json --hist -p "$sender" -t pipe,unix,udp,tcp
	kill -USR1 "$sender"
	wait_gone "$sender"
	stop_tracer
	n=0
	while read -r type dir ino; do
		want=$(expected_sizes "$TMP/sent" "$type" "$ino")
		got=$(final | jq -c --argjson p "$sender" --arg t "$type" --arg d "$dir" --argjson i "$ino" \
			'.rows[] | select(.pid == $p and .type == $t and .dir == $d and .ino == $i) | .size_hist')
		echo "$type $dir $ino: got $got, want $want"
		[ "$got" = "$want" ]
		n=$((n + 1))
	done < <(jq -r '"\(.type) tx \(.tx_ino)", "\(.type) rx \(.rx_ino)"' "$TMP/sent" | sort -u)
	[ "$n" -eq 8 ]
}

@test "--hist: a reader waiting on a slow writer sleeps once per read, each about the gap; a busy one never" {
	start_tracer --json --hist -t pipe
	python3 "$ROOT/tests/lib/slow_reader.py" 12 0.05 >"$TMP/work"
	stop_tracer
	read -r pid ino ops < <(jq -r 'select(.phase == "slow" and .type == "pipe" and .dir == "rx") | "\(.pid) \(.ino) \(.ops)"' "$TMP/work")
	hist=$(final | jq -c --argjson p "$pid" --argjson i "$ino" '.rows[] | select(.pid == $p and .ino == $i and .dir == "rx") | .wait_hist_us')
	echo "slow reader: $ops reads, waits $hist"
	# Each read but the last (end of file, when the writer exits) waited for a
	# message written 50 ms after the one before: in slots that hold 45 ms.
	[ "$(jq '[.[] | select(.[1] >= 45000) | .[2]] | add' <<<"$hist")" -ge $((ops - 1)) ]
	[ "$(jq '[.[] | .[2]] | add' <<<"$hist")" -le $((ops + 1)) ]
	read -r pid ino < <(jq -r 'select(.phase == "fast" and .type == "pipe" and .dir == "rx") | "\(.pid) \(.ino)"' "$TMP/work")
	[ "$(final | jq -c --argjson p "$pid" --argjson i "$ino" '.rows[] | select(.pid == $p and .ino == $i and .dir == "rx") | .wait_hist_us')" = "[]" ]
}

@test "--hist in the table: the histograms follow the summary" {
	start_tracer --hist -t pipe -i 10
	python3 "$ROOT/tests/lib/slow_reader.py" 6 0.02 >"$TMP/work"
	stop_tracer
	read -r pid ino < <(jq -r 'select(.phase == "slow" and .type == "pipe" and .dir == "rx") | "\(.pid) \(.ino)"' "$TMP/work")
	grep -a -A4 -E "^$pid [^ ]+ pipe pipe:\[$ino\] rx$" "$TMP/out" >"$TMP/hist"
	cat "$TMP/hist"
	grep -qE '^ +bytes per operation : count +distribution$' "$TMP/hist"
	grep -qE '^ +512 -> 1023 : 6 +\|\*{40}\|$' "$TMP/hist"
	grep -qE '^ +waits, microseconds : count +distribution$' "$TMP/hist"
}
