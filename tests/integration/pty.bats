#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Pseudo-terminals: exact bytes and ops on each end, each end's peers the
# processes at the other, the terminal named /dev/pts/N; and a file moved
# through script(1)'s pty.
load helpers

@test "pty demo: exact bytes and ops on master and slave, each end's peer the other, named /dev/pts/N" {
	start_tracer --json -i 0.3 -t pty
	"$DEMO" pty -n 60 -s 700 --json >"$TMP/demo"
	"$DEMO" pty -n 9 -s 4096 --json >>"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	run jq -r '.object' "$TMP/demo"
	[[ ${lines[0]} =~ ^/dev/pts/[0-9]+\ \(master\)$ ]]
	[[ ${lines[2]} =~ ^/dev/pts/[0-9]+$ ]]
}

@test "pty under the raw_tp fallback and the portable build: the same counts" {
	for hide in tp_btf direct; do
		IPCTRACE_HIDE=$hide start_tracer --json -i 0.3 -t pty
		"$DEMO" pty -n 20 -s 333 --json >"$TMP/demo"
		stop_tracer
		python3 "$CHECK" "$TMP/demo" "$TMP/out"
	done
}

@test "script(1): a file cat writes to the slave is what script reads from the master, peers named" {
	# No newline in it: the terminal's output processing turns \n into \r\n.
	head -c 30000 /dev/urandom | base64 -w0 | head -c 25001 >"$TMP/payload"
	size=$(stat -c %s "$TMP/payload")
	cp /bin/cat "$TMP/ptycat"	# a name of its own, to find its row
	start_tracer --json -i 0.3 -t pty
	script -q -c "$TMP/ptycat $TMP/payload" /dev/null </dev/null >/dev/null &
	script=$!
	wait "$script"
	stop_tracer
	# cat's writes on the slave, script's reads on the master of the same pty.
	final | jq -e --argjson s "$script" --argjson n "$size" '
		[.rows[] | select(.comm == "ptycat" and .type == "pty")] as $cat
		| [.rows[] | select(.pid == $s and .type == "pty" and .dir == "rx")] as $scr
		| ($cat | length) == 1 and ($scr | length) == 1
		and $cat[0].dir == "tx" and $cat[0].bytes == $n and $scr[0].bytes == $n
		and $cat[0].object + " (master)" == $scr[0].object
		and ($cat[0].object | test("^/dev/pts/[0-9]+$"))
		and [$cat[0].peers[].pid] == [$s] and ($scr[0].peers | any(.pid == $cat[0].pid))' >/dev/null
}

@test "-p a process holding a pty from before: the master named /dev/pts/N (master), not /dev/ptmx, each end exact" {
	# Fewer bytes than a pty's buffer, each written at once.
	python3 "$ROOT/tests/lib/pty_pair.py" "$TMP/go" "$TMP/stop" 900 700 >"$TMP/pair" &
	wait_for "$TMP/pair" '^[0-9]+ /dev/pts/[0-9]+$'
	read -r pid slave <"$TMP/pair"
	# -p reads its descriptors first: the master is found on /dev/ptmx.
	start_tracer --json -i 0.3 -t pty -p "$pid"
	wait_for "$TMP/out" '"final":false'
	touch "$TMP/go"
	wait_for "$TMP/pair" '"to_master"'
	stop_tracer
	touch "$TMP/stop"
	final | jq -c '.rows[] | [.pid, .object, .dir, .bytes, .ops]'
	final | jq -e --argjson p "$pid" --arg s "$slave" '
		[.rows[] | select(.pid == $p) | [.object, .dir, .bytes]] | sort
		== ([[$s + " (master)", "rx", 700], [$s + " (master)", "tx", 900],
		     [$s, "rx", 900], [$s, "tx", 700]] | sort)' >/dev/null
}

@test "-t pty alone: no pipe rows from the same calls" {
	start_tracer --json -i 0.3 -t pty
	"$DEMO" pipe -n 10 -s 100 --json >/dev/null
	"$DEMO" pty -n 5 -s 100 --json >"$TMP/demo"
	stop_tracer
	run jq -r '.rows[].type' <<<"$(final)"
	[ "$status" -eq 0 ]
	[ "$(sort -u <<<"$output")" = pty ]
}
