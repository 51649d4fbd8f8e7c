#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# What a sysadmin's machine may throw at ipctrace: older kernels (their
# features hidden with IPCTRACE_HIDE), signals at bad moments, SIGKILL, a
# second instance; and what ipctrace keeps of root once it has attached.
load helpers

# ipctrace's BPF program IDs loaded now, one per line.
program_ids() {
	bpftool prog show -j 2>/dev/null |
		jq -r '.[] | select(.name | test("^(sys_exit|sock_send|sock_recv|page_fault|sched_switch|signal_generate)_(btf|raw)$|^sched_(exit|fork|exec)$")) | .id' |
		LC_ALL=C sort	# as comm wants it: IDs of different lengths sort as text
}

# none_loaded IDS: none of these program IDs is loaded any more.
none_loaded() {
	[ -z "$(comm -12 <(echo "$1") <(program_ids))" ]
}

# no_new_programs BEFORE: no program of ipctrace's loaded beyond BEFORE.
no_new_programs() {
	[ -z "$(LC_ALL=C comm -13 <(echo "$1") <(program_ids))" ]
}

# Links (attachments) to any of the given program IDs.
links_to() {
	local ids=$1
	bpftool link show -j 2>/dev/null |
		jq -r --argjson ids "[$(paste -sd, <<<"$ids")]" '.[] | select(.prog_id as $p | $ids | index($p)) | .id'
}

@test "--features: what the kernel has, as bpftool and the kernel's BTF say" {
	run --separate-stderr timeout 20 "$IPCTRACE" --features
	[ "$status" -eq 0 ]
	probe=$(bpftool feature probe kernel -j 2>/dev/null)
	yesno() { [ "$1" = true ] && echo yes || echo no; }
	want=$(yesno "$(jq '.map_types.have_ringbuf_map_type' <<<"$probe")")
	[[ $(grep '^ring buffer' <<<"$output") =~ ^ring\ buffer\ +$want\  ]]
	want=$(yesno "$(jq '.helpers.raw_tracepoint_available_helpers | index("bpf_find_vma") != null' <<<"$probe")")
	[[ $(grep '^bpf_find_vma' <<<"$output") =~ ^bpf_find_vma\ +$want\  ]]
	# Each tracepoint: present exactly when the kernel's BTF has its btf_trace_ type.
	typedefs=$(bpftool btf dump file /sys/kernel/btf/vmlinux | sed -nE "s/.*TYPEDEF 'btf_trace_([a-z_0-9]+)'.*/\1/p")
	n=0
	while read -r _ name state; do
		if grep -qx "$name" <<<"$typedefs"; then want=present; else want=missing; fi
		[ "$state" = "$want" ]
		n=$((n + 1))
	done < <(grep '^tracepoint ' <<<"$output")
	# Every tracepoint the feature probe knows is listed.
	[ "$n" -eq "$(grep -c '^\s*\[TP_[A-Z_]*\] = "' "$ROOT/user/loader/feature_probe.c")" ]
}

@test "IPCTRACE_HIDE shows in --features as the kernel lacking them" {
	run timeout 20 env IPCTRACE_HIDE=tp_btf,batch,page_fault_user,sock_diag "$IPCTRACE" --features
	[ "$status" -eq 0 ]
	[[ $(grep '^tp_btf hooks' <<<"$output") == *" no "*"raw_tp"* ]]
	[[ $(grep '^socket tables' <<<"$output") == *" no "*"/proc/PID/net" ]]
	[[ $(grep '^batch map reads' <<<"$output") == *" no "* ]]
	[[ $(grep '^tracepoint page_fault_user' <<<"$output") == *missing ]]
	[[ $(grep '^tracepoint sys_exit' <<<"$output") == *present ]]
}

@test "no BTF: one line, exit 1" {
	run --separate-stderr timeout 20 env IPCTRACE_HIDE=btf "$IPCTRACE"
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "ipctrace: this kernel has no BTF"*"CONFIG_DEBUG_INFO_BTF=y" ]]
}

@test "the sys_exit tracepoint missing: one line, exit 1, nothing left loaded" {
	before=$(program_ids)
	run --separate-stderr timeout 20 env IPCTRACE_HIDE=sys_exit "$IPCTRACE"
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "ipctrace: this kernel has no sys_exit tracepoint, which ipctrace needs"* ]]
	# The kernel frees a closed program after an RCU grace period, which a
	# busy machine makes longer: wait for it, as for a stopped tracer.
	wait_until 20 no_new_programs "$before"
}

@test "optional tracepoints and batch reads missing: a line for each, and the counts stay exact" {
	IPCTRACE_HIDE=sched_process_exec,sched_process_fork,batch start_tracer --json -i 0.3
	grep -qx "ipctrace: this kernel has no sched_process_exec tracepoint: names stay as they were before exec" "$TMP/err"
	grep -qx "ipctrace: this kernel has no sched_process_fork tracepoint: children found in /proc, later, are the only -p peers" "$TMP/err"
	"$DEMO" pipe -n 70 -s 1234 --json >"$TMP/demo"
	"$DEMO" msg -n 30 -s 200 --json >>"$TMP/demo"
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "no bpf_find_vma: shared memory left out with a word; alone, it is an error" {
	IPCTRACE_HIDE=find_vma start_tracer --json -i 0.3
	grep -q "no bpf_find_vma() (Linux 5.17+): shared memory and memory maps are left out" "$TMP/err"
	"$DEMO" pipe -n 10 -s 100 --json >"$TMP/demo"
	"$DEMO" shm -n 10 -s 100 >/dev/null
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	run jq -r '[.rows[].type] | map(select(. == "shm" or . == "posix_shm" or . == "mmap")) | length' <(final)
	[ "$output" = 0 ]
	run --separate-stderr timeout 20 env IPCTRACE_HIDE=find_vma "$IPCTRACE" -t shm
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "after attaching, only the capabilities /proc needs remain, and no way back to more" {
	start_tracer --json -i 0.3
	caps=$(sed -nE 's/^CapEff:\t//p' "/proc/$TRACER_PID/status")
	[ "$(capsh --decode="$caps" | sed 's/.*=//')" = "cap_dac_read_search,cap_sys_ptrace" ]
	[ "$(sed -nE 's/^CapPrm:\t//p' "/proc/$TRACER_PID/status")" = "$caps" ]
	[ "$(sed -nE 's/^NoNewPrivs:\t//p' "/proc/$TRACER_PID/status")" = 1 ]
	# The maps stay readable: the counts after the drop are exact.
	"$DEMO" pipe -n 40 -s 555 --json >"$TMP/demo"
	"$DEMO" unix -n 20 -s 300 --json >>"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "SIGINT during load, at any moment: ipctrace exits and leaves nothing loaded" {
	before=$(program_ids)
	run python3 "$ROOT/tests/lib/interrupt_at_load.py" "$IPCTRACE" 0 0.001 0.005 0.01 0.02 0.05 0.1 0.15 0.2 0.3 0.5
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 11 ]
	wait_until 20 no_new_programs "$before"
}

@test "SIGKILL: bpftool prog show and link show list nothing of ipctrace's afterwards" {
	before=$(program_ids)
	start_tracer --json -i 0.2
	mine=$(LC_ALL=C comm -13 <(echo "$before") <(program_ids))
	[ "$(wc -l <<<"$mine")" -ge 5 ]
	[ -n "$(links_to "$mine")" ]
	stop_tracer KILL
	[ "$TRACER_STATUS" -eq 137 ]
	wait_until 20 none_loaded "$mine"
	[ -z "$(links_to "$mine")" ]
}

@test "two instances at once: each counts exactly, and one stopping leaves the other whole" {
	"$IPCTRACE" --json -i 0.3 >"$TMP/out1" 2>"$TMP/err1" 3>&- &
	first=$!
	wait_for "$TMP/err1" '^ipctrace: attached' 30
	start_tracer --json -i 0.3
	"$DEMO" pipe -n 60 -s 700 --json >"$TMP/demo"
	"$DEMO" mq -n 20 -s 100 --json >>"$TMP/demo"
	"$DEMO" shm -n 30 -s 4096 --json >>"$TMP/demo"
	kill -INT "$first"
	wait_gone "$first" 30
	wait "$first"
	python3 "$CHECK" "$TMP/demo" "$TMP/out1"
	# The second one, still running, counts what comes next, exactly.
	"$DEMO" tcp -n 25 -s 900 --json >>"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

# watched_client_exact N RATE: a -p target making N TCP connections, 100
# bytes each, RATE a second, to a server outside the filter: every byte is
# counted at both ends, nothing lost, no one else counted.
watched_client_exact() {
	local n=$1 rate=$2 interval=0.5
	python3 "$ROOT/tests/lib/many_connections.py" server "$n" >"$TMP/server" 3>&- &
	server=$!
	wait_until 20 has_line "$TMP/server"	# the port
	port=$(head -n 1 "$TMP/server")
	python3 "$ROOT/tests/lib/many_connections.py" client "$port" "$n" 100 "$rate" >"$TMP/client" 2>"$TMP/client.err" 3>&- &
	client=$!
	wait_for "$TMP/client.err" ready
	start_tracer -p "$client" -t tcp --json -i "$interval"	# the SIGUSR1 is not the point
	kill -USR1 "$client"
	wait "$client" || { cat "$TMP/client.err"; false; }
	wait "$server"
	stop_tracer
	moved=$(( $(jq .bytes "$TMP/client") + $(tail -n 1 "$TMP/server" | jq .bytes) ))
	[ "$(jq .bytes "$TMP/client")" -eq $((n * 100)) ]
	final >"$TMP/final"
	# Shown if a check below fails.
	jq -c --argjson c "$client" '{moved: '"$moved"', rows: (.rows | length), client_rows: ([.rows[] | select(.pid == $c)] | length), empty: ([.rows[] | select(.bytes != 100)] | .[0:3]), bytes: ([.rows[].bytes] | add), folded, lost}' "$TMP/final"
	[ "$(jq '.folded.rows' "$TMP/final")" -eq 0 ]
	[ "$(jq '[.rows[].bytes] | add' "$TMP/final")" -eq "$moved" ]
	[ "$(jq '[.lost[]] | add' "$TMP/final")" -eq 0 ]
	[ "$(jq --argjson c "$client" --argjson s "$server" '[.rows[] | select(.pid != $c and .pid != $s)] | length' "$TMP/final")" -eq 0 ]
	# The newest connections are listed: the server's ends name the client.
	[ "$(jq --argjson c "$client" --argjson s "$server" '[.rows[] | select(.pid == $s and .dir == "rx" and ([.peers[].pid] == [$c]))] | length' "$TMP/final")" -gt 0 ]
}

@test "-p a client making more connections than the watch map holds: every byte counts, nothing lost" {
	# Each connection of a target puts its far end in a map of MAX_WATCHED
	# entries; the kernel never says when a socket is freed, so closed ones
	# are released by the user side, each interval once the map is a quarter
	# full. Without that, connections past the map's size would go
	# uncounted at the server. Released each interval, what the map must
	# hold is what comes between two (an interval, or longer when a refresh
	# takes longer): a twentieth of it a second here.
	max_watched=$(sed -nE 's/^#define MAX_WATCHED[[:space:]]+([0-9]+).*/\1/p' "$ROOT/include/ipctrace.h")
	# More connections than the map holds, but rows (two a connection) within
	# what the summary keeps unfolded (MAX_RETIRED), so each row is listed.
	max_retired=$(sed -nE 's/^#define MAX_RETIRED[[:space:]]+([0-9]+).*/\1/p' "$ROOT/user/model/rows.h")
	n=$((max_watched + max_watched / 8))
	[ $((2 * n)) -le "$max_retired" ]
	watched_client_exact "$n" $((max_watched / 20))
}

@test "-p, socket bytes from the syscalls (before 6.3): the far end of a target's connections counts, whoever holds it" {
	# The server is no target and no peer: only its socket, watched as the
	# far end of the target's, makes its reads count.
	IPCTRACE_HIDE=sock_tp "$IPCTRACE" --features | grep -q 'socket bytes: the send/recv/read/write syscalls'
	IPCTRACE_HIDE=sock_tp watched_client_exact 300 150
}
