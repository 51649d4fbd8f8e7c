#!/usr/bin/env bats
# WAIT: the time each process's calls slept, waiting on the channel. A
# workload times its own calls: a blocked call sleeps nearly all its time.
load helpers

# row_wait PID INO DIR: the wait_s of that row in the final frame.
row_wait() {
	final | jq -r --argjson p "$1" --argjson i "$2" --arg d "$3" \
		'.rows[] | select(.pid == $p and .ino == $i and .dir == $d) | .wait_s'
}

@test "WAIT: a reader waiting on a slow writer, near all its time; a busy one, none (pipe, unix)" {
	start_tracer --json -t pipe,unix
	python3 "$ROOT/tests/lib/slow_reader.py" 20 0.05 >"$TMP/work"
	stop_tracer
	while read -r phase type pid ino dir ops in_call span; do
		wait_s=$(row_wait "$pid" "$ino" "$dir")
		echo "$phase $type $dir: waited ${wait_s}s, ${in_call}s in calls, over ${span}s"
		# Asleep is inside the call; what is not asleep is a few microseconds
		# of each call's own work.
		python3 -c "import sys; w, c, n = map(float, sys.argv[1:]); sys.exit(not (w <= c and c - w <= 0.0005 * n + 0.002))" \
			"$wait_s" "$in_call" "$ops"
		if [ "$phase $dir" = "slow rx" ]; then
			python3 -c "import sys; w, s = map(float, sys.argv[1:]); sys.exit(not w >= 0.9 * s)" "$wait_s" "$span"
		else
			python3 -c "import sys; w, s = map(float, sys.argv[1:]); sys.exit(not w <= 0.1 * s + 0.001)" "$wait_s" "$span"
		fi
	done < <(jq -r '"\(.phase) \(.type) \(.pid) \(.ino) \(.dir) \(.ops) \(.in_call_s) \(.span_s)"' "$TMP/work")
	[ "$(wc -l <"$TMP/work")" -eq 8 ]
}

@test "WAIT in the table: the waiting reader's share of the interval" {
	start_tracer -t pipe -i 1
	python3 "$ROOT/tests/lib/slow_reader.py" 40 0.05 >"$TMP/work"
	stop_tracer
	read -r pid ino < <(jq -r 'select(.phase == "slow" and .type == "pipe" and .dir == "rx") | "\(.pid) \(.ino)"' "$TMP/work")
	# Some interval saw it waiting most of the time.
	run grep -E "^ +$pid .* pipe:\[$ino\] +rx .* ([89][0-9]|100)% *$" "$TMP/out"
	[ "$status" -eq 0 ]
	head -n 4 "$TMP/out" | grep -qE ' OPS WAIT( DETAIL)?$'
}

@test "--no-wait: no switch hook, WAIT not measured" {
	start_tracer --json --no-wait -t pipe
	[ "$(bpftool prog show | grep -c 'name sched_switch_btf')" -eq 0 ] || {
		# Another ipctrace may be running: then ours must not add one.
		pids=$(bpftool prog show -j | jq -r '.[] | select(.name == "sched_switch_btf") | .pids[]?.pid' | sort -u)
		! grep -qx "$TRACER_PID" <<<"$pids"
	}
	python3 "$ROOT/tests/lib/slow_reader.py" 5 0.05 >"$TMP/work"
	stop_tracer
	read -r pid ino < <(jq -r 'select(.phase == "slow" and .type == "pipe" and .dir == "rx") | "\(.pid) \(.ino)"' "$TMP/work")
	[ "$(row_wait "$pid" "$ino" rx)" = 0 ]
}
