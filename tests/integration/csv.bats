#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# --csv: every interval and the summary as one CSV table, read back with
# Python's csv module and compared with what the demos moved.
load helpers

CHECK_CSV="$ROOT/tests/lib/check_csv.py"

# intervals: how many intervals' rows the CSV holds so far.
intervals() {
	python3 -c 'import csv, sys
print(len({r["elapsed_s"] for r in csv.DictReader(open(sys.argv[1], newline=""))
           if r["final"] == "false"}))' "$TMP/out"
}

has_intervals() {
	[ "$(intervals)" -ge "$1" ]
}

@test "--csv: one table of every interval, the summary last, with the demos' figures" {
	start_tracer --csv -i 0.3
	# A paced pipe spans intervals, so that several append to the table.
	"$DEMO" pipe -n 60 -s 100 -r 30 --json >>"$TMP/demo" 3>&- &
	paced=$!
	for demo in fifo mq msg unix tcp; do
		"$DEMO" "$demo" -n 40 -s 700 --json >>"$TMP/demo.fast"
	done
	wait_until 20 has_intervals 2
	wait "$paced"
	cat "$TMP/demo.fast" >>"$TMP/demo"
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
	python3 "$CHECK_CSV" "$TMP/out" "$TMP/demo"
}

@test "--csv: a FIFO named with a comma, quotes, a space and a line break reads back whole" {
	chan=$TMP/$'chan,"q"\n2 x'
	mkfifo "$chan"
	start_tracer --csv -i 0.3 -t fifo
	"$DEMO" fifo --role reader --path "$chan" -s 100 --json >>"$TMP/demo" 3>&- &
	reader=$!
	"$DEMO" fifo --role writer --path "$chan" -n 25 -s 100 --json >>"$TMP/demo"
	wait_gone "$reader"
	stop_tracer
	python3 "$CHECK_CSV" "$TMP/out" "$TMP/demo"
	# As written: the name quoted, its quotes doubled, its line break kept.
	grep -qF "\"$TMP/chan,\"\"q\"\"" "$TMP/out"
}

@test "--csv with --json: one line, exit 2" {
	run --separate-stderr "$IPCTRACE" --csv --json
	[ "$status" -eq 2 ]
	[ "$stderr" = "ipctrace: --csv and --json both print to standard output: choose one" ]
}
