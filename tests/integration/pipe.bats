#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Pipes and FIFOs end to end: ipctrace must report exactly what the workload
# moved, per process and direction, with the right peers.
load helpers

@test "pipe demo: exact bytes and ops on each side, peers parent<->child" {
	start_tracer --json -i 0.5
	"$DEMO" pipe -n 200 -s 1000 --json >"$TMP/demo"
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "pipe demo: odd sizes, messages larger than the pipe buffer" {
	start_tracer --json -i 0.5
	"$DEMO" pipe -n 7 -s 100001 --json >"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

# exact_without FEATURE HOOKS: with FEATURE hidden (IPCTRACE_HIDE), attached
# as HOOKS says, the pipe demos' exact counts.
exact_without() {
	IPCTRACE_HIDE=$1 start_tracer --json -i 0.5
	grep -qF "attached ($2" "$TMP/err"
	"$DEMO" pipe -n 100 -s 1500 --json >"$TMP/demo"
	"$DEMO" pipe-calls -n 20 -s 700 --json >>"$TMP/demo"
	"$DEMO" fifo -n 30 -s 90 --json >>"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "raw_tp fallback (kernels without tp_btf): the same exact counts" {
	exact_without tp_btf 'raw_tp hooks'
}

@test "portable BPF build on tp_btf hooks (kernels without bpf_rdonly_cast): the same exact counts" {
	exact_without direct 'tp_btf hooks, portable build'
}

@test "the BPF build follows the kernel: the default one where it has bpf_rdonly_cast, else the portable one" {
	if bpftool btf dump file /sys/kernel/btf/vmlinux | grep -q "FUNC 'bpf_rdonly_cast' "; then
		features='yes  BPF build: default' attached='tp_btf hooks)'
	else
		features='no   BPF build: portable' attached='tp_btf hooks, portable build)'
	fi
	run timeout 20 "$IPCTRACE" --features
	[ "$status" -eq 0 ]
	grep -qF "direct loads           $features" <<<"$output"
	start_tracer --json -i 0.5
	grep -qF "attached ($attached" "$TMP/err"
	stop_tracer
}

@test "pipe-calls demo: writev readv vmsplice sendfile splice tee pwritev2 preadv2 each counted" {
	start_tracer --json -i 0.5
	"$DEMO" pipe-calls -n 50 -s 3000 --json >"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "fifo demo: two processes meet at a path; the path is the object" {
	start_tracer --json -i 0.5
	"$DEMO" fifo -n 300 -s 512 --json >"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	run jq -r '.object' "$TMP/demo"
	[[ ${lines[0]} == /tmp/ipc-demo.*/fifo ]]
}

@test "fifo on a separate mount: the path crosses the mount point" {
	mkdir "$TMP/mnt"
	mount -t tmpfs none "$TMP/mnt"
	mkdir -p "$TMP/mnt/a/b"
	mkfifo "$TMP/mnt/a/b/chan"
	start_tracer --json -i 0.5
	"$DEMO" fifo --role reader --path "$TMP/mnt/a/b/chan" -s 100 --json >>"$TMP/demo" 3>&- &
	reader=$!
	"$DEMO" fifo --role writer --path "$TMP/mnt/a/b/chan" -n 10 -s 100 --json >>"$TMP/demo"
	wait_gone "$reader"
	stop_tracer
	umount "$TMP/mnt"
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "shell pipeline dd | cat: exact bytes on both sides, dd's writes exact" {
	local blocks=300
	start_tracer --json -i 0.5
	sh -c 'echo $$ >"$1/dd.pid"; exec dd if=/dev/zero bs=4096 count='$blocks' status=none' sh "$TMP" |
		sh -c 'echo $$ >"$1/cat.pid"; exec cat >/dev/null' sh "$TMP"
	stop_tracer
	dd_pid=$(cat "$TMP/dd.pid")
	cat_pid=$(cat "$TMP/cat.pid")
	final >"$TMP/final"
	run jq -r --argjson p "$dd_pid" '.rows[] | select(.pid == $p and .type == "pipe") | "\(.comm) \(.type) \(.dir) \(.bytes) \(.ops) \([.peers[].pid] | join(","))"' "$TMP/final"
	[ "$output" = "dd pipe tx $((blocks * 4096)) $blocks $cat_pid" ]
	run jq -r --argjson p "$cat_pid" '.rows[] | select(.pid == $p and .type == "pipe") | "\(.comm) \(.type) \(.dir) \(.bytes) \([.peers[].pid] | join(","))"' "$TMP/final"
	[ "$output" = "cat pipe rx $((blocks * 4096)) $dd_pid" ]
}

@test "an idle reader holding the other end is a peer before it reads" {
	mkfifo "$TMP/chan"
	# A reader that opens the FIFO and then sleeps without reading.
	sh -c 'exec sleep 30' <"$TMP/chan" 3>&- &
	sleeper=$!
	start_tracer --json -i 0.3
	# The writer moves bytes into the pipe buffer; nobody reads them.
	"$DEMO" fifo --role writer --path "$TMP/chan" -n 4 -s 1000 --json >"$TMP/demo"
	writer=$(jq -r .pid "$TMP/demo")
	stop_tracer
	run jq -r --argjson w "$writer" '.rows[] | select(.pid == $w and .type == "fifo") | "\(.bytes) \([.peers[].pid] | join(","))"' <(final)
	[ "$output" = "4000 $sleeper" ]
	kill "$sleeper"
}
