#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# 32-bit (compat) syscalls, on a kernel with IA32 emulation: run by the qemu
# guests on Debian's 6.1 (make test-qemu QEMU_TARGET=full|bare), never by
# make test, whose kernel has no IA32 emulation (int $0x80 is a fault there).
# Their numbers mean other calls to a 64-bit table (3 is read for them, close
# for it), and their arguments other layouts: ipctrace does not decode them,
# and counts each IPC call among them in lost.compat, never as another call.
load ../integration/helpers

INT80="$ROOT/build/compat-int80"
INT80_M32="$ROOT/build/compat-int80-m32"

# field FILE WHO N: the Nth number of the line FILE's workload printed for WHO.
field() {
	awk -v who="$2" -v n="$3" '$1 == who { print $(n + 1) }' "$1"
}

@test "a 64-bit process's pipe traffic through int \$0x80: each call in lost.compat, said once, none misread" {
	start_tracer -t pipe --json -i 0.5
	"$INT80" 40 3000 >"$TMP/work"
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
	final >"$TMP/final"
	local writer reader calls
	writer=$(field "$TMP/work" writer 1)
	reader=$(field "$TMP/work" reader 1)
	[ "$(field "$TMP/work" writer 2)" -eq 40 ]
	[ "$(field "$TMP/work" writer 3)" -eq 120000 ]
	[ "$(field "$TMP/work" reader 3)" -eq $((120000 + 3000)) ]
	calls=$(($(field "$TMP/work" writer 2) + $(field "$TMP/work" reader 2)))
	# Every 32-bit call, and nothing else on the machine was 32-bit.
	jq -e --argjson n "$calls" '.lost.compat == $n' "$TMP/final" >/dev/null
	run grep -c '32-bit syscalls are not traced' "$TMP/err"
	[ "$output" -eq 1 ]
	# The one 64-bit write is the writer's only traffic; the reader, which
	# read everything through int $0x80, has none (3, its read, is close here).
	jq -e --argjson w "$writer" --argjson r "$reader" --argjson size "$(field "$TMP/work" native 2)" '
		[.rows[] | select(.type == "pipe")] as $p
		| ($p | map(select(.pid == $w and .dir == "tx")) | map(.bytes)) == [$size]
		and ($p | map(select(.pid == $w and .dir == "tx"))[0].ops) == 1
		and ($p | map(select(.pid == $r) | .bytes) | add // 0) == 0' "$TMP/final" >/dev/null
}

@test "a -m32 program: its pipe calls and its libc's writes in lost.compat, no row misread" {
	start_tracer -t pipe --json -i 0.5
	"$INT80_M32" 25 1000 >"$TMP/work"
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
	final >"$TMP/final"
	local writer reader want
	writer=$(field "$TMP/work" writer 1)
	reader=$(field "$TMP/work" reader 1)
	[ "$(field "$TMP/work" reader 3)" -eq 26000 ]
	# All of it is 32-bit: the calls through int $0x80, the libc write()
	# before them, and each process's one write of its buffered stdout.
	want=$(($(field "$TMP/work" writer 2) + $(field "$TMP/work" reader 2) + 1 + 2))
	jq -e --argjson n "$want" '.lost.compat == $n' "$TMP/final" >/dev/null
	jq -e --argjson w "$writer" --argjson r "$reader" '
		[.rows[] | select(.pid == $w or .pid == $r) | .bytes] | add // 0 == 0' "$TMP/final" >/dev/null
}
