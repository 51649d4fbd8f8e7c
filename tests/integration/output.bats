#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The output contracts: JSON schema, the table with and without a terminal,
# and the README's run command (--demo).
load helpers

@test "--json: every line is an object with rows; the last is final" {
	start_tracer --json -i 0.2
	"$DEMO" pipe -n 20 -s 100 --json >"$TMP/demo"
	# An interval's line before the final one, however slow the machine.
	wait_for "$TMP/out" '"final":false'
	stop_tracer
	# Ours: other pipe demos may run on the machine meanwhile.
	parent=$(jq -r 'select(.role == "parent") | .pid' "$TMP/demo" | sort -u)
	[ "$(wc -l <"$TMP/out")" -ge 2 ]
	# Each line parses on its own and carries the documented keys and types.
	jq -e -s 'all(.[]; (.rows | type) == "array" and (.final | type) == "boolean"
		and .version == 2 and (.lost | keys) == ["compat","dests","events","faults","filter","hists","labels","mappings","objects","overflow","procs","removals","rows","sharers","uring","waits"]
		and (.totals.bytes | type) == "number")' "$TMP/out"
	[ "$(tail -n 1 "$TMP/out" | jq .final)" = "true" ]
	[ "$(jq -s '[.[] | select(.final)] | length' "$TMP/out")" = "1" ]
	final | jq -e --argjson p "$parent" '[.rows[] | select(.pid == $p and .comm == "pipe-parent" and .type == "pipe")] | length == 3' >/dev/null
	final | jq -e 'all(.rows[]; (.pid|type) == "number" and (.comm|type) == "string"
		and (.type | IN("pipe","fifo","mq","msg","shm","posix_shm","mmap","sem","unix","tcp","udp","netlink","signal","eventfd","pty","process_vm"))
		and (.object|type) == "string"
		and (.dir == "tx" or .dir == "rx") and (.bytes|type) == "number"
		and (.ops|type) == "number" and (.peers|type) == "array"
		and all(.peers[]; (.pid|type) == "number" and (.comm|type) == "string"))' >/dev/null
}

@test "table on a pipe: no escape codes, header, columns, exited marker" {
	# Pipes only: "lost: none" is about this run, and other tests on a busy
	# machine can fill the maps of the mechanisms this one does not use.
	start_tracer -i 0.2 -t pipe
	"$DEMO" pipe -n 20 -s 100 >/dev/null
	# An interval's table before the summary, however slow the machine.
	wait_for "$TMP/out" '^ipctrace +[0-9:]+ +interval'
	stop_tracer
	cat "$TMP/out"	# shown if a check fails
	run ! grep -q $'\033' "$TMP/out"
	grep -qE '^ipctrace +[0-9:]+ +interval' "$TMP/out"
	grep -qE '^ +PID COMM +USER +(CGROUP +)?TYPE +OBJECT +DIR PEERS' "$TMP/out"
	grep -qE '^lost: none$' "$TMP/out"
	grep -qE '^ipctrace summary' "$TMP/out"
	grep -qE '^ +[0-9]+ pipe-parent\* +root +([^ ]+ +)?pipe +pipe:\[[0-9]+\] +tx +[0-9]+/pipe-child\*' "$TMP/out"
	grep -q '^\* process has exited' "$TMP/out"
}

@test "table on a terminal with --no-tui: refreshed in place, fitted to its width" {
	run timeout 20 script -qec "stty cols 100 rows 30; '$IPCTRACE' --no-tui -i 0.2 -d 1" /dev/null
	[ "$status" -eq 0 ]
	[[ $output == *$'\033[H\033[2J'* ]]
	# The summary is printed once, after the last refresh.
	[ "$(grep -c 'ipctrace summary' <<<"$output")" -eq 1 ]
	# The table's lines; not stderr's messages, which the terminal wraps (a
	# busy machine's, such as a full row map's, are longer than 100).
	while IFS= read -r line; do
		line=${line%$'\r'}
		line=${line//$'\033[H\033[2J'/}
		[[ $line == "ipctrace: "* ]] || [ "${#line}" -le 100 ]
	done <<<"$output"
	grep -q 'ipctrace summary' <<<"$output"
}

@test "--no-clear on a terminal: no screen clearing" {
	run timeout 20 script -qec "'$IPCTRACE' -i 0.2 -d 0.7 --no-clear" /dev/null
	[ "$status" -eq 0 ]
	[[ $output != *$'\033[2J'* ]]
}

@test "-r and -s: row limit and sort order" {
	start_tracer --json -i 0.3 -s total -r 2
	"$DEMO" pipe -n 10 -s 100 >/dev/null
	"$DEMO" pipe -n 10 -s 5000 >/dev/null
	stop_tracer
	# Two rows, the largest totals first, however busy the machine is.
	run jq -c '[.rows[].bytes] | length == 2 and .[0] >= .[1] and .[1] >= 50000' <(final)
	[ "$output" = "true" ]
	start_tracer --json -i 0.3 -s pid
	"$DEMO" pipe -n 10 -s 100 >/dev/null
	"$DEMO" fifo -n 10 -s 100 >/dev/null
	stop_tracer
	run jq -c '[.rows[].pid] | . == sort and length >= 6' <(final)
	[ "$output" = "true" ]
}

@test "summary: at most 150 rows by default, the rest counted exactly in one line; -r all shows every row" {
	# Short-lived processes, as a build makes them: each of N pipelines is
	# one pipe, written by one process and read by another (2 rows), and
	# the loop's list comes through one more pipe from seq (2 rows).
	n=100
	rows=$((2 * n + 2))
	loop="for i in \$(seq $n); do echo x | cat >/dev/null; done"
	shown() { grep -cE '^ +[0-9]+ ' "$1" || true; }
	timeout 120 "$IPCTRACE" -t pipe -- sh -c "$loop" >"$TMP/cut" 2>"$TMP/err"
	[ "$(shown "$TMP/cut")" -eq 150 ]
	grep -qE "^ipctrace summary .*  rows 150 of $rows  " "$TMP/cut"
	# The fold line, last but the exited marker: the exact count left out.
	grep -qxF "... $((rows - 150)) more rows (-r all shows every row)" "$TMP/cut"
	timeout 120 "$IPCTRACE" -t pipe -r all -- sh -c "$loop" >"$TMP/all" 2>"$TMP/err"
	[ "$(shown "$TMP/all")" -eq "$rows" ]
	grep -qE "^ipctrace summary .*  rows $rows  " "$TMP/all"
	run grep -c 'more rows' "$TMP/all"
	[ "$output" -eq 0 ]
	# -r N still cuts where it is told, and says so.
	timeout 120 "$IPCTRACE" -t pipe -r 7 -- sh -c "$loop" >"$TMP/seven" 2>"$TMP/err"
	[ "$(shown "$TMP/seven")" -eq 7 ]
	grep -qE "^ipctrace summary .*  rows 7 of $rows  " "$TMP/seven"
	grep -qxF "... $((rows - 7)) more rows (-r all shows every row)" "$TMP/seven"
}

@test "--demo (the README's run command) runs every demo, and each mechanism shows" {
	run --separate-stderr timeout 60 "$IPCTRACE" --demo -d 3 -i 1 --json
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "ipctrace: attached"* ]]
	summary=$(tail -n 1 <<<"$output")
	# Every mechanism has rows with traffic.
	shown=$(jq -r '[.rows[] | select(.ops > 0 or .bytes > 0) | .type] | unique | join(",")' <<<"$summary")
	for t in pipe fifo mq msg sem shm posix_shm mmap unix tcp udp netlink signal eventfd pty process_vm; do
		[[ ",$shown," == *",$t,"* ]] || { echo "no $t rows with traffic: $shown"; false; }
	done
	for comm in pipe-parent pipe-child pipe-calls fifo-reader fifo-writer mq-sender mq-receiver \
		msg-sender msg-recv-type1 msg-recv-other shm-writer shm-reader pshm-writer \
		pshm-reader mmap-writer mmap-reader unix-server unix-client tcp-server tcp-client \
		udp-server udp-client sig-parent sig-sender sig-receiver efd-writer efd-reader; do
		jq -e --arg c "$comm" 'any(.rows[]; .comm == $c)' <<<"$summary" >/dev/null ||
			{ echo "no rows of $comm"; false; }
	done
}

@test "--demo without ipc-demo next to it or on PATH: one line, exit 1" {
	cp "$IPCTRACE" "$TMP/ipctrace"
	run --separate-stderr timeout 20 env PATH=/usr/bin:/bin "$TMP/ipctrace" --demo -d 1
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "ipctrace: cannot find ipc-demo next to ipctrace or on PATH"* ]]
}

@test "-o FILE with --json -- COMMAND: the file has the command's exact figures, its stdout only its own" {
	# Into a file, not a pipe: a pipe of ours would be a channel of the demo's.
	timeout 60 "$IPCTRACE" --json -o "$TMP/ipc.json" -- "$DEMO" pipe -n 5 --json >"$TMP/demo"
	# The command's standard output holds its records, and nothing of ipctrace's.
	jq -e -s 'length == 6 and all(.[]; .demo == "pipe")' "$TMP/demo" >/dev/null
	# The file: an object a line, the last one final, with the demo's figures.
	[ "$(tail -n 1 "$TMP/ipc.json" | jq .final)" = "true" ]
	python3 "$CHECK" --only "$TMP/demo" "$TMP/ipc.json"
}

@test "--ndjson -o FILE: a head line per frame, then one line per row; every line valid; the rows add up to the command's exact figures" {
	timeout 60 "$IPCTRACE" --ndjson -i 0.2 -o "$TMP/ipc.ndjson" -- "$DEMO" pipe -n 40 -s 3000 -r 50 --json >"$TMP/demo"
	jq -e -s 'length == 6 and all(.[]; .demo == "pipe")' "$TMP/demo" >/dev/null
	python3 "$ROOT/tests/lib/validate_json.py" "$TMP/ipc.ndjson"
	# Frames numbered from 1 without a gap; each head says how many row lines
	# follow, and exactly those follow, stamped with its seq, time and final.
	python3 - "$TMP/ipc.ndjson" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
seq, i = 0, 0
while i < len(lines):
    head = lines[i]
    assert "row_lines" in head, head
    seq += 1
    assert head["seq"] == seq, (head["seq"], seq)
    rows = lines[i + 1:i + 1 + head["row_lines"]]
    assert len(rows) == head["row_lines"] and all("row" in r for r in rows), head
    assert all((r["seq"], r["time"], r["final"]) == (seq, head["time"], head["final"]) for r in rows)
    i += 1 + head["row_lines"]
assert seq >= 3 and lines[-1 - head["row_lines"]]["final"], seq
PY
	# The final frame's rows, put back together, are the demo's figures.
	jq -c -s '(map(select(has("row_lines"))) | last) as $h
		| {final: true, rows: [.[] | select(.seq == $h.seq and has("row")) | .row]}' \
		"$TMP/ipc.ndjson" >"$TMP/final"
	python3 "$CHECK" --only "$TMP/demo" "$TMP/final"
}

@test "-o FILE, the table: replaced whole each interval, the summary last; -e and CSV appended" {
	# Ten messages a second: intervals of 0.2 s come and go meanwhile.
	timeout 60 "$IPCTRACE" -i 0.2 -o "$TMP/table" -- "$DEMO" pipe -n 7 -s 100 -r 10 --json >"$TMP/demo"
	cat "$TMP/table"
	# One table: the summary alone, no interval's table before it, no temporary file left.
	[ "$(head -n 1 "$TMP/table" | grep -c '^ipctrace summary')" -eq 1 ]
	[ "$(grep -c '^ipctrace ' "$TMP/table")" -eq 1 ]
	[ -z "$(find "$TMP" -name '.table.*')" ]
	# The parent's write row: the demo's exact operations (OPS, the 11th column).
	parent=$(jq -r 'select(.role == "parent") | .pid' "$TMP/demo" | sort -u)
	want=$(jq -s --argjson p "$parent" '[.[] | select(.pid == $p and .dir == "tx") | .ops] | add' "$TMP/demo")
	got=$(awk -v p="$parent" '$1 == p && $6 == "tx" { n += $11 } END { print n }' "$TMP/table")
	[ "$got" = "$want" ]
	[ "$want" -gt 0 ]
	# -e: every event appended, exactly the demo's operations.
	timeout 60 "$IPCTRACE" -e --json -o "$TMP/events" -- "$DEMO" pipe -n 7 -s 100 --json >"$TMP/demo"
	python3 "$ROOT/tests/lib/events_to_frame.py" "$TMP/events" >"$TMP/frame"
	python3 "$CHECK" --only --event-peers "$TMP/demo" "$TMP/frame"
	# CSV: one header, each interval appended after it.
	timeout 60 "$IPCTRACE" --csv -i 0.2 -o "$TMP/csv" -- "$DEMO" pipe -n 7 -s 100 >/dev/null
	[ "$(grep -c '^time,' "$TMP/csv")" -eq 1 ]
	[ "$(grep -c ',true,' "$TMP/csv")" -ge 6 ]
}

@test "units: bytes in binary prefixes with the unit (KiB), operations in SI (k = 1000), exact per row" {
	# 2,500 messages of 1,000 bytes: 2.50k ops, 2,500,000 bytes = 2.38MiB.
	timeout 60 "$IPCTRACE" -t pipe -o "$TMP/table" -- "$DEMO" pipe -n 2500 -s 1000 --json >"$TMP/demo"
	cat "$TMP/table"
	# Each of the demo's rows: TOTAL and OPS as the formatters print its exact figures.
	python3 - "$ROOT/tests/lib" "$TMP/demo" "$TMP/table" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
from tui_screen import count, human
records = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
lines = [l.split() for l in open(sys.argv[3])]
assert any(r["ops"] == 2500 and r["bytes"] == 2500000 for r in records), records
for r in records:
    cells = [f for f in lines if len(f) > 10 and f[0] == str(r["pid"]) and f[4] == r["object"] and f[5] == r["dir"]]
    assert len(cells) == 1, (r, cells)
    assert (cells[0][9], cells[0][10]) == (human(r["bytes"]), count(r["ops"])), (r, cells[0])
PY
	# The issue's figures, spelled out: 2,500 ops and 2,500,000 bytes.
	grep -qE ' 2\.38MiB +2\.50k ' "$TMP/table"
}

@test "JSON: every frame and event of every mechanism validates against docs/ipctrace-json.schema.json, and no \\/" {
	timeout 120 "$IPCTRACE" --json --hist -i 0.5 -o "$TMP/frames" -- "$DEMO" all -d 1.5 >/dev/null
	timeout 120 "$IPCTRACE" -e --json -x -o "$TMP/events" -- "$DEMO" all -d 0.5 >/dev/null
	python3 "$ROOT/tests/lib/validate_json.py" "$TMP/frames" "$TMP/events"
	# Every type the demos use (every type the schema lists) was among the
	# rows checked, labels and histograms too.
	types=$(jq '[.. | objects | select(has("enum")) | .enum | select(index("pipe"))][0] | length' "$ROOT/docs/ipctrace-json.schema.json")
	[ "$(grep -a '"final":true' "$TMP/frames" | jq '[.rows[].type] | unique | length')" -eq "$types" ]
	grep -a '"final":true' "$TMP/frames" | jq -e 'any(.rows[]; .size_hist | length > 0) and any(.rows[]; .sig)
		and any(.rows[]; .prio) and all(.rows[]; .uid == 0 and .user == "root")' >/dev/null
	# Paths as they are: json-c's "\/" would break grep /tmp/... on the raw output.
	grep -q '"/tmp/' "$TMP/frames"
	run grep -c '\\/' "$TMP/frames" "$TMP/events"
	[ "$status" -eq 1 ]
	# The schema refuses what it should: a uid that is not a number, a row without peers.
	grep -a '"final":true' "$TMP/frames" | jq -c '.rows[0].uid = "root"' >"$TMP/bad"
	grep -a '"final":true' "$TMP/frames" | jq -c 'del(.rows[0].peers)' >>"$TMP/bad"
	run python3 "$ROOT/tests/lib/validate_json.py" "$TMP/bad"
	[ "$status" -eq 1 ]
	[[ $output == *"checked 2 lines: 2 invalid"* ]]
}

# title_proc TITLE BYTES: a perl that sets its title ($0, which also sets its
# comm to the title's first 15 bytes), writes BYTES into a pipe of its own
# and reads them back, then waits to be killed; its PID in $TMP/titles.
title_proc() {
	perl -e '$0 = $ARGV[0]; pipe(my $r, my $w) or die; syswrite($w, "x" x $ARGV[1]) == $ARGV[1] or die;
		sysread($r, my $b, $ARGV[1]) == $ARGV[1] or die; print STDERR "ready\n"; sleep 60' \
		"$1" "$2" 2>"$TMP/title.$2" 3>&- &
	echo "$! $2" >>"$TMP/titles"
	wait_for "$TMP/title.$2" ready
}

@test "dev: one format, major:minor, in JSON rows, -e's JSON and CSV; a System V id's namespace and a signal's target start in keys of their own" {
	run_demos() {
		"$DEMO" msg -n 5 --json >>"$TMP/demo"
		"$DEMO" signal -n 3 --json >>"$TMP/demo"
		"$DEMO" fifo -n 5 --json >>"$TMP/demo"
	}
	start_tracer --json -t msg,signal,fifo
	run_demos
	stop_tracer
	final >"$TMP/final"
	ns=$(readlink /proc/self/ns/ipc | tr -dc 0-9)
	# /tmp's device, where the FIFO was: what stat says, as major:minor.
	fifo_dev=$(stat -c '%Hd:%Ld' /tmp)
	jq -e --argjson ns "$ns" --arg fd "$fifo_dev" '.rows as $r | ($r | length > 0)
		and all($r[]; .dev | test("^[0-9]+:[0-9]+$"))
		and any($r[]; .type == "msg") and all($r[] | select(.type == "msg"); .dev == "0:0" and .ipc_ns == $ns)
		and any($r[]; .type == "signal" and .ino == .pid)
		and all($r[] | select(.type == "signal" and .ino == .pid); .dev == "0:0" and .target_start == .starttime)
		and any($r[]; .type == "fifo") and all($r[] | select(.type == "fifo"); .dev == $fd)' "$TMP/final" >/dev/null
	# -e: the same identity.
	start_tracer -e --json -t msg,signal,fifo
	run_demos
	stop_tracer
	jq -e -s --argjson ns "$ns" 'length > 0 and all(.[]; .dev | test("^[0-9]+:[0-9]+$"))
		and any(.[]; .type == "msg") and all(.[] | select(.type == "msg"); .dev == "0:0" and .ipc_ns == $ns)' \
		"$TMP/out" >/dev/null
	# CSV: dev the same; the namespace leads DETAIL.
	start_tracer --csv -t msg,signal,fifo
	run_demos
	stop_tracer
	python3 - "$TMP/out" "$ns" "$fifo_dev" <<'PY'
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert rows and all(re.fullmatch(r"[0-9]+:[0-9]+", r["dev"]) for r in rows), rows
msg = [r for r in rows if r["type"] == "msg"]
assert msg and all(r["dev"] == "0:0" and r["detail"].split(" ")[0] == "ipc_ns=" + sys.argv[2] for r in msg), msg
fifo = [r for r in rows if r["type"] == "fifo"]
assert fifo and all(r["dev"] == sys.argv[3] for r in fifo), fifo
PY
}

@test "two processes with one name: told apart by their titles in JSON, CSV and the table" {
	"$IPCTRACE" -t pipe --csv -i 0.3 >"$TMP/csv" 2>"$TMP/csv.err" 3>&- &
	csv_tracer=$!
	wait_for "$TMP/csv.err" '^ipctrace: attached' 30
	# Every row in the summary: on a busy machine, others' pipes fill its first 150.
	"$IPCTRACE" -t pipe -i 0.3 -r all >"$TMP/table" 2>"$TMP/table.err" 3>&- &
	table_tracer=$!
	wait_for "$TMP/table.err" '^ipctrace: attached' 30
	start_tracer -t pipe --json -i 0.3
	title_proc "ipctrace-test: alpha worker" 1111
	title_proc "ipctrace-test: beta worker" 2222
	# Past a frame of each: the titles are read when their rows appear, and
	# a process gone before its first read has none (the table's tracer
	# had no frame in beta's 0.3 s once, and showed neither title).
	wait_for "$TMP/out" '"ipctrace-test: beta worker"'
	wait_for "$TMP/csv" 'ipctrace-test: beta worker'
	wait_for "$TMP/table" 'ipctrace-test: beta worker'
	while read -r pid _; do kill "$pid"; done <"$TMP/titles"
	stop_tracer
	TRACER_PID=$csv_tracer
	stop_tracer
	TRACER_PID=$table_tracer
	stop_tracer
	final >"$TMP/final"
	{ read -r alpha _; read -r beta _; } <"$TMP/titles"
	# One comm, two titles, each with its own bytes.
	jq -e --argjson a "$alpha" --argjson b "$beta" '
		def tx(p): [.rows[] | select(.pid == p and .type == "pipe" and .dir == "tx")]
			| if length == 1 then .[0] else error("rows \(length)") end;
		tx($a).comm == "ipctrace-test: " and tx($b).comm == "ipctrace-test: "
		and tx($a).title == "ipctrace-test: alpha worker" and tx($a).bytes == 1111
		and tx($b).title == "ipctrace-test: beta worker" and tx($b).bytes == 2222' \
		"$TMP/final" >/dev/null
	# The CSV's final rows: the same comm, title and bytes.
	run python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["final"] == "true"]
for pid in sys.argv[2:]:
    tx = [r for r in rows if r["pid"] == pid and r["type"] == "pipe" and r["dir"] == "tx"]
    print(len(tx), tx[0]["comm"], tx[0]["title"], tx[0]["bytes"], sep="|")' "$TMP/csv" "$alpha" "$beta"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1|ipctrace-test: |ipctrace-test: alpha worker|1111" ]
	[ "${lines[1]}" = "1|ipctrace-test: |ipctrace-test: beta worker|2222" ]
	# The table's summary: their one name is shared, so the COMM column shows
	# each one's title (exited: *), on each of its rows.
	sed -n '/^ipctrace summary/,$p' "$TMP/table" >"$TMP/summary"
	[ "$(grep -cE "^ +$alpha ipctrace-test: alpha worker\\* +root +pipe +pipe:\\[[0-9]+\\] (tx|rx) " "$TMP/summary")" -eq 2 ]
	[ "$(grep -cE "^ +$beta ipctrace-test: beta worker\\* +root +pipe +pipe:\\[[0-9]+\\] (tx|rx) " "$TMP/summary")" -eq 2 ]
}

@test "lost.compat: 32-bit syscalls skipped, present in JSON and the metrics (0: no IA32 emulation here)" {
	# This kernel runs no 32-bit code, so the count can only be 0 here;
	# that it counts is for a kernel with IA32 emulation (make test-qemu).
	start_tracer --json -i 0.3 --prom-file "$TMP/ipctrace.prom"
	"$DEMO" pipe -n 20 -s 100 --json >/dev/null
	stop_tracer
	final | jq -e '.lost.compat == 0' >/dev/null
	grep -qx 'ipctrace_lost_total{map="compat"} 0' "$TMP/ipctrace.prom"
	run grep -c '32-bit syscalls are not traced' "$TMP/err"
	[ "$output" = 0 ]
}

@test "-o onto a FIFO or a device: the table's frames go into it and the node stays; onto a link, or --prom-file onto a device: one line, exit 1" {
	# A file renamed over the path would have taken the node's place.
	mkfifo "$TMP/fifo"
	timeout 20 cat "$TMP/fifo" >"$TMP/got" &
	run --separate-stderr timeout 20 "$IPCTRACE" -t pipe -d 1 -o "$TMP/fifo"
	[ "$status" -eq 0 ]
	wait
	[ -p "$TMP/fifo" ]
	grep -q '^ipctrace summary ' "$TMP/got"
	mknod "$TMP/zero" c 1 5
	run --separate-stderr timeout 20 "$IPCTRACE" -t pipe -d 1 -o "$TMP/zero"
	[ "$status" -eq 0 ]
	[ -c "$TMP/zero" ]
	run --separate-stderr timeout 20 "$IPCTRACE" -t pipe -d 1 --prom-file "$TMP/zero"
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipctrace: --prom-file $TMP/zero is not a regular file (a device, FIFO, socket or symbolic link): it is replaced whole at each refresh, so give a regular file's name" ]
	[ -c "$TMP/zero" ]
	ln -s "$TMP/zero" "$TMP/link"
	run --separate-stderr timeout 20 "$IPCTRACE" -t pipe -d 1 -o "$TMP/link"
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipctrace: -o $TMP/link is not a regular file (a device, FIFO, socket or symbolic link): it is replaced whole at each refresh, so give a regular file's name" ]
	[ -L "$TMP/link" ]
}
