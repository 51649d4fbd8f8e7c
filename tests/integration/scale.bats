#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Scale: full maps, rows read only when they moved, fork storms. Each
# workload says what it moved; ipctrace's figures must equal it.
load helpers

SCALE_LOAD="$ROOT/tests/lib/scale_load.py"

# last_live: the last interval's frame (not the final summary).
last_live() {
	grep -a '"final":false' "$TMP/out" | tail -n 1
}

frames_at_least() {
	[ "$(grep -c '"final":false' "$TMP/out")" -ge "$1" ]
}

# frames_after N: wait until N more interval frames than now are written.
frames_after() {
	wait_until 30 frames_at_least $(($(grep -c '"final":false' "$TMP/out") + $1))
}

@test "a full object-name map: every live socket still shows in every interval, by inode, with exact bytes" {
	start_tracer -t unix --json -i 0.3 --max-objects 64
	# 600 sockets (300 pairs), one byte each way: far past 64 names at once.
	/usr/bin/python3 "$SCALE_LOAD" unix 600 60 >"$TMP/load" 3>&- &
	wait_until 30 has_line "$TMP/load"
	# Past the first interval that read them and past a /proc rescan (at
	# least every 5 s), which took undescribed sockets for closed.
	frames_after 2
	sleep 5.5
	frames_after 2
	last_live >"$TMP/live"
	kill %2
	stop_tracer
	jq -e '.lost.objects > 0' "$TMP/live" >/dev/null
	for dir in tx rx; do
		run jq --slurpfile l "$TMP/load" --arg d "$dir" '[.rows[] | select(.type == "unix" and .dir == $d
			and (.pid as $p | $l[0].pids | index($p)))] | [length, (map(.bytes) | add)]' -c "$TMP/live"
		[ "$status" -eq 0 ]
		n=$(jq .objects "$TMP/load")
		[ "$output" = "[$n,$n]" ]
	done
	# The ones not named show by inode.
	jq -e '[.rows[] | select(.type == "unix" and (.object | test("^unix:\\[[0-9]+\\]$")))] | length > 0' \
		"$TMP/live" >/dev/null
}
