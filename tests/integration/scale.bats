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

@test "a process that swaps one pipe for another under the same descriptors: the new pipe's rows stay live, exact, though /proc is read again only where descriptors changed" {
	start_tracer -t pipe --json -i 0.3
	/usr/bin/python3 "$SCALE_LOAD" swap 8 >"$TMP/load" 3>&- &
	wait_until 30 has_line "$TMP/load"
	frames_after 2
	last_live >"$TMP/live"
	kill %2
	stop_tracer
	pid=$(jq .pid "$TMP/load")
	ino=$(jq .ino "$TMP/load")
	n=$(jq .bytes "$TMP/load")
	# Both ends' rows of the new pipe, live and exact at the end.
	run jq -c --argjson p "$pid" --argjson i "$ino" '[.rows[] | select(.pid == $p and .ino == $i)
		| [.dir, .bytes]] | sort' "$TMP/live"
	[ "$status" -eq 0 ]
	[ "$output" = "[[\"rx\",$n],[\"tx\",$n]]" ]
}

# swap_seen: the last live frame has the writer's rows on both pipes, each
# with the peers the reader's descriptors now say: X none, Y the reader.
swap_seen() {
	last_live | jq -e --slurpfile l "$TMP/load" '$l[0] as $w
		| [.rows[] | select(.pid == $w.writer and .dir == "tx")] as $tx
		| ([$tx[] | select(.ino == $w.x_ino) | .peers | map(.pid)] == [[]])
		and ([$tx[] | select(.ino == $w.y_ino) | .peers | map(.pid)] == [[$w.reader]])' >/dev/null
}

# dupswap_exact LIMIT [shared]: the reader's swap under the same count is
# seen within LIMIT seconds; the writer's rows then have exact bytes and
# the peers the reader's descriptors say: X none, Y the reader.
dupswap_exact() {
	start_tracer -t pipe --json -i 0.5
	/usr/bin/python3 "$SCALE_LOAD" dupswap 1234 4321 ${2:-} >"$TMP/load" 3>&- &
	wait_until 30 has_line "$TMP/load"
	wait_until "$1" swap_seen
	last_live >"$TMP/live"
	kill %2
	stop_tracer
	run jq -c --slurpfile l "$TMP/load" '$l[0] as $w | [.rows[] | select(.pid == $w.writer
		and .dir == "tx" and (.ino == $w.x_ino or .ino == $w.y_ino))
		| [(if .ino == $w.x_ino then "x" else "y" end), .bytes, (.peers | map([.pid, .comm]))]]
		| sort' "$TMP/live"
	[ "$status" -eq 0 ]
	reader=$(jq .reader "$TMP/load")
	[ "$output" = "[[\"x\",1234,[]],[\"y\",4321,[[$reader,\"python3\"]]]]" ]
}

@test "a reader's descriptor turned into another pipe's under the same count: the kernel side's word has it read again at the next refresh, peers and bytes exact" {
	# The reader is vouched for: no sweep reads its descriptors within
	# HOLDERS_SWEEP_VOUCHED_S (300 s); its dup2 has it read at the next
	# refresh (5 s), with room for a busy machine.
	dupswap_exact 20
}

@test "the same swap by a child sharing the reader's descriptor table (CLONE_FILES): the reader is not vouched for, the sweep finds it within 25 s" {
	# The child's dup2 moves the child's bucket, not the reader's; the
	# shared table is said at fork, so the reader is swept as before.
	# 25 s of sweep, and intervals of slack.
	dupswap_exact 40 shared
}

# idle_exact FRAME X_BYTES: the idle workload's rows in FRAME: its N idle
# pipes' rows, each EACH bytes, and X's at X_BYTES, as [N,[EACH],[X_BYTES]].
idle_exact() {
	local x_ino want
	x_ino=$(sed -n 2p "$TMP/load" | jq .x_ino)
	want=$(sed -n 2p "$TMP/load" | jq -c --argjson x "$2" '[.pipes, [.each], [$x]]')
	run jq -c --argjson p "$pid" --argjson x "$x_ino" \
		'[.rows[] | select(.pid == $p and .type == "pipe" and .dir == "tx")] |
		[(map(select(.ino != $x)) | length), (map(select(.ino != $x) | .bytes) | unique),
		 (map(select(.ino == $x) | .bytes))]' "$1"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
}

load_lines() {
	[ "$(wc -l <"$TMP/load")" -ge "$1" ]
}

@test "rows read only when they moved: 400 idle rows keep their figures frame after frame, and the one that moves again shows its new total at the next refresh" {
	mkdir "$TMP/go"
	/usr/bin/python3 "$SCALE_LOAD" idle 400 "$TMP/go" >"$TMP/load" 3>&- &
	wait_until 30 has_line "$TMP/load"
	pid=$(head -n 1 "$TMP/load" | jq .pid)
	# -p: only its rows, so that no other process's exit has every row read.
	start_tracer -p "$pid" -t pipe --json -i 0.3
	touch "$TMP/go/0"
	wait_until 30 load_lines 2
	frames_after 2
	last_live >"$TMP/live"
	idle_exact "$TMP/live" "$(sed -n 2p "$TMP/load" | jq .x_bytes)"
	# Reads of the one row that moves, or of none: fewer than ten, so that
	# the next one, after X moves again, is most often of moved rows only.
	frames_after 3
	last_live >"$TMP/live"
	idle_exact "$TMP/live" "$(sed -n 2p "$TMP/load" | jq .x_bytes)"
	touch "$TMP/go/1"
	wait_until 30 load_lines 3
	frames_after 2
	last_live >"$TMP/live"
	idle_exact "$TMP/live" "$(sed -n 3p "$TMP/load" | jq .x_bytes)"
	kill "$pid"
	stop_tracer
	final >"$TMP/final"
	idle_exact "$TMP/final" "$(sed -n 3p "$TMP/load" | jq .x_bytes)"
}

# changing_rows FRAME ROLE: the child's row in FRAME (its pipe, tx) as
# [bytes, exited, comm], or nothing if it is not there.
changing_rows() {
	jq -c --argjson k "$(sed -n 2p "$TMP/load" | jq -c ".$2")" '.rows[] |
		select(.pid == $k.pid and .ino == $k.ino and .dir == "tx") |
		[.bytes, .exited, .comm]' "$1"
}

@test "idle rows of a process that exits or execs follow at the next refresh, read with the rows that moved: exited with their bytes, renamed; 400 other idle rows unchanged" {
	mkdir "$TMP/go"
	/usr/bin/python3 "$SCALE_LOAD" changing 400 "$TMP/go" >"$TMP/load" 3>&- &
	wait_until 30 has_line "$TMP/load"
	pid=$(head -n 1 "$TMP/load" | jq .pid)
	start_tracer -p "$pid" -f -t pipe --json -i 0.3
	touch "$TMP/go/0"
	wait_until 30 load_lines 2
	frames_after 2
	last_live >"$TMP/live"
	for role in exits execs; do
		want=$(sed -n 2p "$TMP/load" | jq -c ".$role | [.bytes, false, \"python3\"]")
		[ "$(changing_rows "$TMP/live" "$role")" = "$want" ]
	done
	# Fewer than ten reads since the last of every row, as in the test
	# above: the next ones are most often of the rows that moved.
	frames_after 3
	seen=$(grep -c '"final":false' "$TMP/out")
	touch "$TMP/go/1"
	wait_until 30 load_lines 3
	frames_after 2
	grep -a '"final":false' "$TMP/out" | tail -n +$((seen + 1)) >"$TMP/after"
	last_live >"$TMP/live"
	# The one that exited: its row shows exited, with its bytes, in one
	# interval, then only in the summary.
	exits=$(sed -n 2p "$TMP/load" | jq .exits.bytes)
	jq -c --argjson k "$(sed -n 2p "$TMP/load" | jq -c .exits)" '.rows[] |
		select(.pid == $k.pid and .ino == $k.ino and .dir == "tx" and .exited) | .bytes' \
		"$TMP/after" >"$TMP/exited"
	[ "$(sort -u "$TMP/exited")" = "$exits" ]
	[ -z "$(changing_rows "$TMP/live" exits)" ]
	# The one that exec'd: its row, idle, has the new name.
	want=$(sed -n 2p "$TMP/load" | jq -c '.execs | [.bytes, false, "sleep"]')
	[ "$(changing_rows "$TMP/live" execs)" = "$want" ]
	run jq -c --argjson p "$pid" '[.rows[] | select(.pid == $p and .type == "pipe" and .dir == "tx") |
		.bytes] | [length, unique]' "$TMP/live"
	[ "$status" -eq 0 ]
	[ "$output" = "$(sed -n 2p "$TMP/load" | jq -c '[.pipes, [.each]]')" ]
	kill "$pid"
	stop_tracer
}

@test "a fork storm beside a long-lived writer: the writer's and reader's bytes exact, every child's byte counted" {
	start_tracer -t pipe --json -i 0.5
	/usr/bin/python3 "$SCALE_LOAD" forkstorm 2000 6 50 4096 >"$TMP/load"
	stop_tracer
	jq -e .ok "$TMP/load" >/dev/null
	final >"$TMP/final"
	jq -e '.lost | to_entries | all(.value == 0)' "$TMP/final" >/dev/null
	for who in writer:tx reader:rx; do
		pid=$(jq ".${who%:*}" "$TMP/load")
		run jq --argjson p "$pid" --arg d "${who#*:}" '[.rows[] | select(.pid == $p and .dir == $d
			and .type == "pipe") | .bytes] | add' "$TMP/final"
		[ "$status" -eq 0 ]
		[ "$output" = "$(jq .bytes "$TMP/load")" ]
	done
	# The children's one byte each into the sink, and the forkers' reads of it.
	forks=$(jq .forks "$TMP/load")
	[ "$forks" -gt 0 ]
	run jq --slurpfile l "$TMP/load" '[.rows[] | select(.ino == $l[0].sink_ino)] |
		[([.[] | select(.dir == "tx") | .bytes] | add), ([.[] | select(.dir == "rx") | .bytes] | add)]' -c "$TMP/final"
	[ "$status" -eq 0 ]
	echo "forks $forks, sink tx,rx: $output"
	[ "$output" = "[$forks,$forks]" ]
}

@test "a full process map (--max-procs): processes past it in lost.procs, each one's row still named from /proc, bytes exact" {
	start_tracer -t pipe --json -i 0.5 --max-procs 64
	# 200 children alive at once, far past 64, each writing 10 bytes into
	# one pipe, then alive a while so that /proc still has them.
	/usr/bin/python3 - >"$TMP/load" <<'PY'
import json, os, time
r, w = os.pipe()
kids = []
for _ in range(200):
    pid = os.fork()
    if pid == 0:
        os.close(r)
        time.sleep(0.5)
        os.write(w, b"x" * 10)
        time.sleep(2)
        os._exit(0)
    kids.append(pid)
os.close(w)
got = 0
while True:
    data = os.read(r, 65536)
    if not data:
        break
    got += len(data)
for k in kids:
    os.waitpid(k, 0)
print(json.dumps({"kids": kids, "bytes": got}))
PY
	stop_tracer
	final >"$TMP/final"
	run jq '.lost.procs' "$TMP/final"
	[ "$status" -eq 0 ]
	echo "lost.procs $output"
	[ "$output" -gt 0 ]
	# Every child: one sending row, named, with its 10 bytes.
	run jq -c --slurpfile l "$TMP/load" '[.rows[] | select(.dir == "tx" and .type == "pipe"
		and (.pid as $p | $l[0].kids | index($p)))] | [length, (map(.bytes) | add),
		(map(.comm) | unique)]' "$TMP/final"
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$output" = "[$(jq '.kids | length' "$TMP/load"),$(jq .bytes "$TMP/load"),[\"python3\"]]" ]
}
