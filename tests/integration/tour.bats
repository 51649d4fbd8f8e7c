#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The guided tour, ipctrace --demo --explain: every demo in turn, each with
# its text, its table, and the demo's own account; each stop's figures must
# be the demo's, exactly, and no other process's.

load helpers

@test "--explain --json: every stop of ipc-demo's tour, in order, with its text, exact per demo" {
	"$DEMO" explain >"$TMP/explain"
	"$IPCTRACE" --demo --explain --json -d 1 >"$TMP/out" 2>"$TMP/err" &
	local tracer=$!
	wait "$tracer"
	grep '^{' "$TMP/out" >"$TMP/tour"
	run "$ROOT/tests/lib/tour_check.py" "$TMP/tour" "$TMP/explain" "$tracer"
	echo "$output"
	[ "$status" -eq 0 ]
	# As many checked stops as the demo program has texts.
	[ "$(grep -c 'check.py ok' <<<"$output")" -eq "$(grep -c '^== ' "$TMP/explain")" ]
}

@test "--explain: each stop's heading and text, then its table and the demo's account, for reading" {
	"$DEMO" explain >"$TMP/explain"
	"$IPCTRACE" --demo --explain -d 1 -t pipe,mq >"$TMP/out" 2>"$TMP/err"
	# -t keeps the stops that show those types: pipe, mq and io_uring (whose
	# writes go to pipes among others), in that order.
	run grep -E '^── [0-9]+/[0-9]+: ipc-demo ' "$TMP/out"
	[ "${lines[0]%% *}" = "──" ]
	[[ ${lines[0]} == "── 1/3: ipc-demo pipe "* ]]
	[[ ${lines[1]} == "── 2/3: ipc-demo mq "* ]]
	[[ ${lines[2]} == "── 3/3: ipc-demo io_uring "* ]]
	[ "${#lines[@]}" -eq 3 ]
	for demo in pipe mq io_uring; do
		# The text as the demo program has it, line for line.
		awk -v d="$demo" '/^== /{on = ($2 == d); next} on' "$TMP/explain" >"$TMP/text.$demo"
		[ -s "$TMP/text.$demo" ]
		grep -qxFf "$TMP/text.$demo" "$TMP/out"
		[ "$(grep -cxFf "$TMP/text.$demo" "$TMP/out")" -eq "$(wc -l <"$TMP/text.$demo")" ]
	done
	[ "$(grep -c '^ipctrace summary' "$TMP/out")" -eq 3 ]
	[ "$(grep -c "^ipc-demo's own account" "$TMP/out")" -eq 3 ]
	# Each account's processes are in the table above it.
	awk '/^── 1\//,/^── 2\//' "$TMP/out" >"$TMP/stop1"
	run awk '$1 == "pipe" && $3 == "pid" {print $4}' "$TMP/stop1"
	[ "${#lines[@]}" -eq 6 ]
	for pid in "${lines[@]}"; do
		grep -qE "^ +$pid pipe-" "$TMP/stop1"
	done
	# No mq row in the pipe stop's table: each stop shows its own demo only.
	run ! grep -qE '^ +[0-9]+ \S+ +\S+ +mq ' "$TMP/stop1"
	grep -q '^That was every mechanism' "$TMP/out"
}

@test "--explain: Ctrl-C during a stop ends the tour with that stop's table, its demo gone, nothing attached" {
	start_tracer --demo --explain -d 4
	mine=$(tracer_programs)
	[ -n "$mine" ]
	wait_for "$TMP/out" '^── 1/' 20
	local demo demos p
	# Every stop's demo is started, stopped, before ipctrace drops its
	# privileges: its children. The first stop's runs its pipe demo (it
	# renames itself, pipe-parent, so its command line tells it).
	wait_until 10 pgrep -P "$TRACER_PID"
	demos=$(pgrep -P "$TRACER_PID")
	demo=$(for p in $demos; do
		if [[ $(tr '\0' ' ' <"/proc/$p/cmdline") == *"/ipc-demo pipe "* ]]; then echo "$p"; fi
	done)
	[ -n "$demo" ]
	[ "$(wc -l <<<"$demo")" -eq 1 ]
	sleep 0.5
	stop_tracer INT
	[ "$TRACER_STATUS" -eq 0 ]
	# The stop's demo and every demo that never ran.
	for p in $demos; do
		wait_gone "$p" 10
	done
	grep -q '^ipctrace summary' "$TMP/out"
	run ! grep -q '^── 2/' "$TMP/out"
	run ! grep -q '^That was every mechanism' "$TMP/out"
	wait_until 20 programs_gone $mine
}

@test "--explain: without --demo, with -p: one line saying what to do" {
	run "$IPCTRACE" --explain
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *"use --demo --explain"* ]]
	run "$IPCTRACE" --demo --explain -p 1
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *"leave out -p"* ]]
}
