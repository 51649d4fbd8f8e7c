#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# --graph: who talks to whom as a Graphviz graph, drawn by dot and compared
# with what the demos did (tests/lib/check_graph.py).
load helpers

CHECK_GRAPH="$ROOT/tests/lib/check_graph.py"

@test "--graph: the demos' processes and channels, with their bytes, as dot draws them" {
	# The demos' mechanisms: their processes' signals (SIGCHLD, a start
	# signal) are edges too, to processes the demos do not report.
	start_tracer --json -i 0.3 --graph "$TMP/ipc.dot" -t pipe,fifo,mq,msg,unix,tcp,udp
	for demo in pipe fifo mq msg unix tcp udp; do
		"$DEMO" "$demo" -n 40 -s 700 --json >>"$TMP/demo"
	done
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
	# The same run's JSON agrees with the demos, and so does the graph.
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	python3 "$CHECK_GRAPH" "$TMP/demo" "$TMP/ipc.dot" "$TMP/out"
	grep -q 'label="ipctrace  .* UTC  summary of' "$TMP/ipc.dot"
}

# node_line PID: the graph's line for process PID.
node_line() {
	grep -E "^	p$1 \[" "$TMP/live.dot"
}

# live_graph_shows READER HOLDER WRITER BYTES: a copy of the graph as it is
# now is whole (dot reads it without a word), and shows the reader alive;
# the holder as its idle peer, a dashed edge of no data; and the writer,
# exited, with the bytes it wrote: the reader's other peer moved nothing.
live_graph_shows() {
	local reader=$1 holder=$2 writer=$3 bytes=$4
	cp "$TMP/ipc.dot" "$TMP/live.dot"
	dot -Tcanon "$TMP/live.dot" >/dev/null 2>"$TMP/dot.err" && [ ! -s "$TMP/dot.err" ] ||
		{ cat "$TMP/dot.err"; return 2; }
	grep -q 'live, interval' "$TMP/live.dot" &&
		[ "$(node_line "$reader")" = "	p$reader [label=\"fifo-reader\\n$reader\"];" ] &&
		[[ $(node_line "$writer") == "	p$writer [label=\"fifo-writer\\n$writer, exited\""* ]] &&
		grep -qE "^	p$holder -> p$reader \[style=dashed, .*\\\\n0 B in 0 ops\"\];" "$TMP/live.dot" &&
		grep -qE "^	p$writer -> p$reader \[.*\\\\n$bytes B in 20 ops\"\];" "$TMP/live.dot"
}

@test "--graph: rewritten whole each interval; an idle holder is a dashed edge; names escaped" {
	# A name with a quote, a backslash and a line break: DOT must escape them.
	chan=$TMP/$'ch"an\\n\nx'
	mkfifo "$chan"
	start_tracer --json -i 0.2 -t fifo --graph "$TMP/ipc.dot"
	# The first file, held open: its inode cannot be freed, so no later file
	# gets its number (ext4 hands a freed number to the next new file, and
	# a rename each interval would alternate two), and what it holds shows
	# whether anything wrote into it after.
	exec {first}<"$TMP/ipc.dot"
	first_inode=$(stat -L -c %i "/dev/fd/$first")
	cp "/dev/fd/$first" "$TMP/first.dot"
	"$DEMO" fifo --role reader --path "$chan" -s 100 --json >>"$TMP/demo" 3>&- &
	reader=$!
	# A second writer that never writes keeps the reader waiting after the
	# first has gone: an idle peer, drawn dashed.
	sleep 600 >"$chan" 3>&- &
	holder=$!
	"$DEMO" fifo --role writer --path "$chan" -n 20 -s 100 --json >>"$TMP/demo"
	writer=$(jq -r 'select(.dir == "tx") | .pid' "$TMP/demo")
	bytes=$(jq -r 'select(.dir == "tx") | .bytes' "$TMP/demo" | sed -E ':a; s/([0-9])([0-9]{3})($|,)/\1,\2\3/; ta')
	# Every interval's file is whole: read at any moment, dot takes it.
	wait_until 20 live_graph_shows "$reader" "$holder" "$writer" "$bytes"
	# The name escaped as every output escapes names (its backslash doubled,
	# the line break shown as \x0a), then for DOT: the quote, each backslash.
	grep -qF "label=\"$TMP/"'ch\"an\\\\n\\x0ax (fifo)\n' "$TMP/live.dot"
	# Replaced by rename, not rewritten in place: another inode now, and the
	# first one still as it was written.
	[ "$(stat -c %i "$TMP/ipc.dot")" != "$first_inode" ]
	[ -s "$TMP/first.dot" ]
	cmp "/dev/fd/$first" "$TMP/first.dot"
	exec {first}<&-
	kill "$holder"
	wait_gone "$reader"
	stop_tracer
	# (check.py would rightly object to the holder as a peer while it ran.)
	python3 "$CHECK_GRAPH" "$TMP/demo" "$TMP/ipc.dot" "$TMP/out"
}

@test "--graph into a directory that does not exist: one line before tracing, exit 1" {
	run --separate-stderr timeout 20 "$IPCTRACE" --graph "$TMP/none/ipc.dot" -d 1
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipctrace: cannot write --graph $TMP/none/ipc.dot: No such file or directory: check that its directory exists and is writable" ]
	run --separate-stderr "$IPCTRACE" --graph ""
	[ "$status" -eq 2 ]
	[ "$stderr" = "ipctrace: empty file name for --graph: expected a path" ]
}
