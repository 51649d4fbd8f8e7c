#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# io_uring: pipes, an eventfd, a socketpair and TCP written through a ring,
# read through a ring and with read(): each request counted under its
# object's own type, on the submitter's row, exactly and once, with the
# processes at the other end as peers, on every path the kernel may get.
load helpers

TYPES=pipe,eventfd,unix,tcp

# The demo as ipctrace's command (traced from its first syscall, and only
# it): an eventfd is known by its id, which the kernel hands out again once
# it is freed, and other processes' eventfds on a busy machine must not be
# taken for the demo's peers.
run_demo() {
	timeout 120 "$IPCTRACE" --json -i 0.3 -t $TYPES -o "$TMP/out" -- \
		"$DEMO" io_uring "$@" --json >"$TMP/demo" 2>"$TMP/err"
}

@test "io_uring demo: exact bytes and ops on both sides of pipes, an eventfd, a socketpair and TCP, peers named" {
	run_demo -n 40 -s 3001
	python3 "$CHECK" "$TMP/demo" "$TMP/out" --only
	# What check.py compared: the writer's five objects, each once.
	run jq -s -r '[.[] | select(.role == "uring-writer") | .type] | sort | join(",")' "$TMP/demo"
	[ "$status" -eq 0 ]
	[ "$output" = eventfd,pipe,pipe,tcp,unix ]
	final | jq -e '.lost.uring == 0' >/dev/null
}

@test "io_uring on every path: raw_tp, the portable build, socket bytes from the syscalls: the same counts, sockets once" {
	for hide in tp_btf direct sock_tp direct,sock_tp; do
		IPCTRACE_HIDE=$hide run_demo -n 25 -s 777
		python3 "$CHECK" "$TMP/demo" "$TMP/out" --only
	done
}

@test "-p the io_uring writer: its requests counted, its readers its peers" {
	"$DEMO" io_uring -n 30 -s 1000 --json --wait >"$TMP/demo" 2>"$TMP/ready" &
	demo=$!
	wait_for "$TMP/ready" 'ready pid' 20
	start_tracer --json -i 0.3 -t $TYPES -p "$demo"
	kill -USR1 "$demo"
	wait "$demo"
	stop_tracer
	final | jq -e --argjson d "$demo" --slurpfile rec "$TMP/demo" '
		[$rec[] | select(.pid == $d)] as $mine
		| [.rows[] | select(.pid == $d)] as $rows
		| ($mine | length) == 5
		and all($mine[]; . as $r | [$rows[] | select(.ino == $r.ino and .type == $r.type
			and .dir == $r.dir and .bytes == $r.bytes and .ops == $r.ops)] | length == 1)
		and ([$rows[] | select(.type == "pipe") | .peers | length] | all(. == 1))' >/dev/null
}

@test "--features says whether io_uring's requests are seen; without them, a run says so" {
	run "$IPCTRACE" --features
	[ "$status" -eq 0 ]
	grep -qE '^io_uring requests +yes +io_uring reads and writes on IPC objects counted' <<<"$output"
	IPCTRACE_HIDE=uring run "$IPCTRACE" --features
	[ "$status" -eq 0 ]
	grep -qE "^io_uring requests +no +io_uring's requests not seen" <<<"$output"
	IPCTRACE_HIDE=uring start_tracer --json -i 0.3 -t pipe
	"$DEMO" io_uring -n 5 -s 100 --json >"$TMP/demo"
	stop_tracer
	grep -q "io_uring_complete tracepoint with what ipctrace reads: io_uring's reads and writes go uncounted" "$TMP/err"
	# Not seen, so the writer has no pipe rows: the test above can fail.
	final | jq -e '[.rows[] | select(.comm == "uring-writer")] | length == 0' >/dev/null
}

@test "io_uring writes that post no completion (IOSQE_CQE_SKIP_SUCCESS): counted in lost.uring, said on stderr" {
	start_tracer --json -i 0.3 -t pipe
	"$DEMO" io_uring --role unseen -n 12 -s 500 --json >"$TMP/demo"
	stop_tracer
	# The reader's read() calls are counted; the writer's requests are not,
	# and each of them is in lost.uring.
	run jq -r 'select(.role == "unseen-reader") | "\(.pid) \(.bytes) \(.ops)"' "$TMP/demo"
	[ "$status" -eq 0 ]
	read -r reader bytes ops <<<"$output"
	[ "$bytes" -eq 6000 ] && [ "$ops" -eq 12 ]
	final | jq -e --argjson r "$reader" --argjson b "$bytes" --argjson n "$ops" '
		.lost.uring == $n
		and ([.rows[] | select(.pid == $r and .type == "pipe")] | length == 1 and .[0].bytes == $b)
		and ([.rows[] | select(.comm == "unseen-writer")] | length == 0)' >/dev/null
	grep -q "io_uring requests on IPC objects that complete unseen .*: 12 so far (lost.uring counts them)" "$TMP/err"
}
