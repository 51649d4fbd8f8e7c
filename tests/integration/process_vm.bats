#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Cross-memory attach: process_vm_writev and process_vm_readv, exact bytes
# and calls on the caller's row and on the target's, each naming the other;
# pidfd_getfd as a descriptor passed.
load helpers

@test "process-vm demo: writer, reader and target rows exact, peers, a descriptor taken with pidfd_getfd" {
	start_tracer --json -i 0.3 -t process_vm
	"$DEMO" process-vm -n 40 -s 1500 --json >"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "python ctypes: N bytes written into a child and M read back, on the parent's and the child's rows" {
	start_tracer --json -i 0.3 -t process_vm
	python3 "$ROOT/tests/lib/process_vm.py" 7 3001 5 1999 >"$TMP/truth"
	stop_tracer
	read -r parent child < <(jq -r '"\(.parent) \(.child)"' "$TMP/truth")
	cat "$TMP/truth"
	final | jq -c '.rows[] | select(.type == "process_vm") | [.pid, .comm, .dir, .object, .bytes, .ops, [.peers[].pid]]'
	# Every row of the two is on the child's memory: the parent's tx and rx
	# rows, the child's rx and tx rows with the same figures, each naming the
	# other. (Only theirs: other tests on the machine may copy memory too.)
	final | jq -e --slurpfile t "$TMP/truth" --argjson p "$parent" --argjson c "$child" '
		$t[0] as $t
		| [.rows[] | select(.type == "process_vm" and (.pid == $p or .pid == $c))] as $rows
		| ($rows | length) == 4
		and all($rows[]; .ino == $c and .object == "pid \($c)")
		and ([$rows[] | select(.pid == $p and .dir == "tx")
			| [.bytes, .ops, ([.peers[].pid] | index($c) != null)]]
			== [[$t.written, $t.writes, true]])
		and ([$rows[] | select(.pid == $p and .dir == "rx")
			| [.bytes, .ops, ([.peers[].pid] | index($c) != null)]]
			== [[$t.read, $t.reads, true]])
		and ([$rows[] | select(.pid == $c and .dir == "rx")
			| [.bytes, .ops, ([.peers[].pid] | index($p) != null), .comm]]
			== [[$t.written, $t.writes, true, "python3"]])
		and ([$rows[] | select(.pid == $c and .dir == "tx")
			| [.bytes, .ops, ([.peers[].pid] | index($p) != null)]]
			== [[$t.read, $t.reads, true]])' >/dev/null
}

@test "process-vm under the raw_tp hooks and the portable build: the callers' rows exact" {
	for hide in tp_btf direct; do
		IPCTRACE_HIDE=$hide start_tracer --json -i 0.3 -t process_vm
		"$DEMO" process-vm -n 12 -s 800 --json >"$TMP/demo"
		stop_tracer
		# Without the task lookup, only the callers' rows, on (PID, start 0).
		jq -c 'select(.role != "target")' "$TMP/demo" >"$TMP/callers"
		final | jq -e --slurpfile d "$TMP/callers" '
			[.rows[] | select(.type == "process_vm") | [.pid, .dir, .bytes, .ops, .ino]] | sort
			== ([$d[] | [.pid, .dir, .bytes, .ops, .ino]] | sort)' >/dev/null
	done
}
