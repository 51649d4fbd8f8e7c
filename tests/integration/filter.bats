#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# -p PID and -t TYPE: the filters happen in the kernel; a filtered run shows
# the targets and the processes at the other end of their channels, exactly,
# and nothing else.
load helpers

@test "-p parent: the parent and its child, exact, and no unrelated process" {
	"$DEMO" pipe -n 150 -s 2000 --json --wait >>"$TMP/demo" 2>"$TMP/demo.err" 3>&- &
	wait_for "$TMP/demo.err" ready
	read -r parent child < <(demo_pids "$TMP/demo.err")
	start_tracer -p "$parent" --json -i 0.3
	# Unrelated traffic that must not show.
	"$DEMO" pipe -n 100 -s 100 >/dev/null
	"$DEMO" fifo -n 100 -s 100 >/dev/null
	kill -USR1 "$parent"
	wait_gone "$parent"
	stop_tracer
	python3 "$CHECK" --only "$TMP/demo" "$TMP/out"
	# The child was forked before ipctrace started: found holding the pipe.
	run jq -r '[.rows[] | select(.type == "pipe") | .pid] | unique | join(" ")' <(final)
	[ "$output" = "$(printf '%s\n' "$parent" "$child" | sort -n | xargs)" ]
}

@test "-p child: its parent is found as the peer" {
	"$DEMO" pipe -n 50 -s 700 --json --wait >>"$TMP/demo" 2>"$TMP/demo.err" 3>&- &
	wait_for "$TMP/demo.err" ready
	read -r parent child < <(demo_pids "$TMP/demo.err")
	start_tracer -p "$child" --json -i 0.3
	"$DEMO" pipe -n 100 -s 100 >/dev/null
	kill -USR1 "$parent"
	wait_gone "$parent"
	stop_tracer
	python3 "$CHECK" --only "$TMP/demo" "$TMP/out"
}

@test "-p FIFO reader: a writer that opens the FIFO after ipctrace started is its peer" {
	mkfifo "$TMP/chan"
	"$DEMO" fifo --role reader --path "$TMP/chan" -s 256 --json >>"$TMP/demo" 3>&- &
	reader=$!
	start_tracer -p "$reader" --json -i 0.3
	"$DEMO" fifo -n 100 -s 100 >/dev/null
	"$DEMO" fifo --role writer --path "$TMP/chan" -n 120 -s 256 --json >>"$TMP/demo"
	wait_gone "$reader"
	stop_tracer
	python3 "$CHECK" --only "$TMP/demo" "$TMP/out"
}

@test "-p FIFO writer opened before ipctrace started: the reader is found in /proc" {
	"$DEMO" fifo -n 80 -s 333 --json --wait >>"$TMP/demo" 2>"$TMP/demo.err" 3>&- &
	wait_for "$TMP/demo.err" ready
	read -r parent reader writer < <(demo_pids "$TMP/demo.err")
	# "ready" comes once both sides have the FIFO open; the writer waits for go.
	start_tracer -p "$writer" --json -i 0.3
	kill -USR1 "$parent"
	wait_gone "$parent"
	stop_tracer
	python3 "$CHECK" --only "$TMP/demo" "$TMP/out"
}

# two_targets FORM: two pipe demos traced as -p gives them in FORM (two
# options, "A,B" or "A B" as pidof prints them), a third one not: exactly
# the two and their peers.
two_targets() {
	"$DEMO" pipe -n 30 -s 100 --json --wait >>"$TMP/demo" 2>"$TMP/a.err" 3>&- &
	"$DEMO" pipe -n 40 -s 200 --json --wait >>"$TMP/demo" 2>"$TMP/b.err" 3>&- &
	wait_for "$TMP/a.err" ready
	wait_for "$TMP/b.err" ready
	read -r a _ < <(demo_pids "$TMP/a.err")
	read -r b _ < <(demo_pids "$TMP/b.err")
	case $1 in
	options) start_tracer -p "$a" -p "$b" --json -i 0.3 ;;
	comma) start_tracer -p "$a,$b" --json -i 0.3 ;;
	space) start_tracer -p "$a $b" --json -i 0.3 ;;
	esac
	"$DEMO" pipe -n 100 -s 100 >/dev/null
	kill -USR1 "$a" "$b"
	wait_gone "$a"
	wait_gone "$b"
	stop_tracer
	python3 "$CHECK" --only "$TMP/demo" "$TMP/out"
}

@test "two -p targets: both, and each one's peers" {
	two_targets options
}

@test "-p A,B and -p \"A B\" (as pidof prints them): the same two targets" {
	two_targets comma
	rm -f "$TMP/demo" "$TMP/out"
	two_targets space
}

@test "-t fifo shows FIFOs only; -t pipe shows pipes only" {
	start_tracer -t fifo --json -i 0.3
	"$DEMO" pipe -n 20 -s 100 >/dev/null
	"$DEMO" fifo -n 20 -s 100 --json >"$TMP/demo"
	stop_tracer
	run jq -r '[.rows[].type] | unique | join(",")' <(final)
	[ "$output" = "fifo" ]
	python3 "$CHECK" "$TMP/demo" "$TMP/out"

	start_tracer -t pipe --json -i 0.3
	"$DEMO" fifo -n 20 -s 100 >/dev/null
	"$DEMO" pipe -n 20 -s 100 --json >"$TMP/demo2"
	stop_tracer
	run jq -r '[.rows[].type] | unique | join(",")' <(final)
	[ "$output" = "pipe" ]
	python3 "$CHECK" "$TMP/demo2" "$TMP/out"
}

@test "a -p target that exits is reported on stderr, kept in the summary, not an error" {
	"$DEMO" pipe -n 10 -s 100 --json --wait >>"$TMP/demo" 2>"$TMP/demo.err" 3>&- &
	wait_for "$TMP/demo.err" ready
	read -r parent child < <(demo_pids "$TMP/demo.err")
	start_tracer -p "$parent" --json -i 0.2
	kill -USR1 "$parent"
	wait_gone "$parent"
	wait_for "$TMP/err" "process $parent exited"
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
	run jq -r --argjson p "$parent" '[.rows[] | select(.pid == $p) | .exited] | unique | join(",")' <(final)
	[ "$output" = "true" ]
	python3 "$CHECK" --only "$TMP/demo" "$TMP/out"
}

@test "-p target's PID reused by a new process: the newcomer is not taken for the target" {
	"$DEMO" pipe -n 25 -s 300 --json --wait >>"$TMP/demo" 2>"$TMP/demo.err" 3>&- &
	wait_for "$TMP/demo.err" ready
	read -r target _ < <(demo_pids "$TMP/demo.err")
	start_tracer -p "$target" --json -i 0.2
	kill -USR1 "$target"
	wait_gone "$target"
	wait_for "$TMP/err" "process $target exited"
	# The kernel hands out ns_last_pid + 1 next: aim a new demo at the
	# target's PID, retrying when another fork on the machine gets there first.
	newcomer=
	for ((try = 0; try < 50; try++)); do
		: >"$TMP/new.err"
		echo $((target - 1)) >/proc/sys/kernel/ns_last_pid
		"$DEMO" pipe -n 40 -s 900 --json --wait >"$TMP/new" 2>"$TMP/new.err" 3>&- &
		wait_for "$TMP/new.err" ready
		read -r newcomer _ < <(demo_pids "$TMP/new.err")
		[ "$newcomer" = "$target" ] && break
		kill -USR1 "$newcomer"
		wait_gone "$newcomer"
		newcomer=
	done
	[ -n "$newcomer" ]
	# Past a periodic /proc rescan, where the newcomer's pipe would be found
	# held by "the target".
	sleep 6
	kill -USR1 "$newcomer"
	wait_gone "$newcomer"
	stop_tracer
	python3 "$CHECK" --only "$TMP/demo" "$TMP/out"
	# Nothing of the newcomer's: its pipes are not in the table.
	run jq -r '.ino' "$TMP/new"
	[ "${#lines[@]}" -eq 6 ]
	for ino in "${lines[@]}"; do
		[ "$(jq --argjson i "$ino" '[.rows[] | select(.ino == $i)] | length' <(final))" = 0 ]
	done
}

@test "-p -f: children forked after ipctrace started are targets, exactly; without -f they are not" {
	start_waiting_shell "'$DEMO' fifo -n 40 -s 300 --json >'$TMP/demo'"
	# FIFOs only: the shell's signals (the SIGUSR1 from this test, its
	# children's SIGCHLD) are IPC too, with processes that are not the demo's.
	start_tracer --json -i 0.3 -p "$shell" -f -t fifo
	"$DEMO" pipe -n 30 -s 100 >/dev/null	# unrelated
	kill -USR1 "$shell"
	wait_gone "$shell"
	stop_tracer
	python3 "$CHECK" --only "$TMP/demo" "$TMP/out"

	start_waiting_shell "'$DEMO' fifo -n 40 -s 300 --json >'$TMP/demo2'"
	start_tracer --json -i 0.3 -p "$shell" -t fifo
	kill -USR1 "$shell"
	wait_gone "$shell"
	stop_tracer
	# The demo's processes are the shell's children, but not at the other end
	# of any channel of the shell's: nothing of theirs shows.
	for pid in $(jq -r .pid "$TMP/demo2" | sort -u); do
		[ "$(final | jq --argjson p "$pid" '[.rows[] | select(.pid == $p)] | length')" = 0 ]
	done
}

@test "-- COMMAND: the command and its descendants from their first syscall, exactly, and its exit status" {
	"$DEMO" pipe -n 2000 -s 100 -r 1000 >/dev/null &	# unrelated, meanwhile
	run --separate-stderr timeout 60 "$IPCTRACE" --json -- \
		sh -c "'$DEMO' pipe -n 50 -s 321 --json >'$TMP/demo' && '$DEMO' mq -n 20 -s 64 --json >>'$TMP/demo'; exit 7"
	echo "$stderr"
	[ "$status" -eq 7 ]
	printf '%s\n' "$output" >"$TMP/out"
	# Only the summary: the command's output shares the terminal.
	[ "$(grep -c . "$TMP/out")" -eq 1 ]
	python3 "$CHECK" --only "$TMP/demo" "$TMP/out"
}

@test "-- COMMAND: -i shows tables as it runs; a command killed by a signal; a command that does not exist" {
	run --separate-stderr timeout 60 "$IPCTRACE" --json -i 0.2 -- sh -c 'sleep 0.7; kill -TERM $$'
	[ "$status" -eq $((128 + 15)) ]
	[ "$(grep -c '"final":false' <<<"$output")" -ge 2 ]
	run --separate-stderr timeout 20 "$IPCTRACE" -- no-such-command-here
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipctrace: command not found: no-such-command-here" ]
	run --separate-stderr timeout 20 "$IPCTRACE" -- 
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "-- COMMAND: processes that come and go between two reads of the kernel's maps show live, named, exact" {
	# IPCTRACE_READ_GAP_MS widens the pause a busy machine can make between
	# the read of the process map and the counters': a demo's two processes
	# (a few milliseconds) often live and die within it.
	run --separate-stderr env IPCTRACE_READ_GAP_MS=150 timeout 120 "$IPCTRACE" --json -i 0.2 \
		-o "$TMP/out" -- sh -c "for i in \$(seq 40); do '$DEMO' pipe -n 5 -s 300 --json >>'$TMP/demo'; done; sleep 1"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(jq -s 'map(.pid) | unique | length' "$TMP/demo")" -eq 80 ]
	run python3 "$ROOT/tests/lib/check_live.py" "$TMP/demo" "$TMP/out"
	echo "$output"
	[ "$status" -eq 0 ]
	# And the summary, exact as ever.
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	# Bad input is answered.
	run --separate-stderr env IPCTRACE_READ_GAP_MS=soon "$IPCTRACE" -d 1
	[ "$status" -eq 2 ]
	[ "$stderr" = "ipctrace: invalid IPCTRACE_READ_GAP_MS 'soon': expected a number from 0 to 1000" ]
}

# The cgroup v2 mount: /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid system.
cgroup2_root() {
	awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
		/proc/self/mountinfo | head -n 1
}

@test "--cgroup: only the processes in that cgroup, exactly, each row naming its cgroup" {
	local root cg name
	root=$(cgroup2_root)
	[ -n "$root" ]
	name="ipctrace-test.$$"
	cg="$root/$name"
	mkdir "$cg"
	# The two demos' types: their processes' SIGCHLDs are rows too.
	start_tracer --cgroup "$name" --json -i 1 -t pipe,fifo
	# One demo inside the cgroup, one outside at the same time.
	(echo "$BASHPID" >"$cg/cgroup.procs" && exec "$DEMO" pipe -n 40 -r 200 --json) >"$TMP/inside" &
	local inside=$!
	"$DEMO" fifo -n 40 -r 200 --json >"$TMP/outside"
	wait "$inside"
	stop_tracer
	rmdir "$cg"
	[ "$TRACER_STATUS" -eq 0 ]
	"$CHECK" "$TMP/inside" "$TMP/out" --only
	# Every row says the cgroup, as a path below the mount.
	run python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if "\"final\":true" in l][-1]["rows"]
print(len(rows), sorted({r.get("cgroup") for r in rows}))' "$TMP/out"
	[ "$output" = "6 ['/$name']" ]
	# The process outside moved data all the same, and is not shown.
	[ "$(wc -l <"$TMP/outside")" -eq 2 ]
}

@test "--cgroup: a path that is not a cgroup, or not in the v2 hierarchy: one line, exit 1" {
	run "$IPCTRACE" --cgroup no/such/cgroup.$$ -d 1
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *"no cgroup at "*"no/such/cgroup.$$"* ]]
	run "$IPCTRACE" --cgroup /tmp -d 1
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *"not in the cgroup v2 hierarchy"* ]]
}

# A network namespace of the test's own, named for this run; removed in
# teardown whatever the test did.
NETNS=
make_netns() {
	NETNS="ipctrace-test.$$"
	ip netns add "$NETNS"
	ip -n "$NETNS" link set lo up
}

stop_servers() {
	if [[ -n $NETNS ]]; then
		ip netns pids "$NETNS" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns delete "$NETNS" 2>/dev/null || true
	fi
}

@test "--netns: only the processes in that network namespace, exactly, their sockets and pipes" {
	make_netns
	# Run in the namespace too, as on a host of its own, so that its
	# addresses are named as there (from outside they carry [net:N]).
	nsenter --net="/run/netns/$NETNS" "$IPCTRACE" --netns "/run/netns/$NETNS" --json -i 1 \
		-t pipe,tcp,udp >"$TMP/out" 2>"$TMP/err" 3>&- &
	TRACER_PID=$!
	wait_for "$TMP/err" '^ipctrace: attached' 30
	# The same demos inside the namespace and outside it at the same time,
	# over the same loopback addresses (each namespace has its own).
	ip netns exec "$NETNS" sh -c "\"\$1\" tcp -n 30 -s 500 --json && \"\$1\" pipe -n 30 --json" \
		sh "$DEMO" >"$TMP/inside" &
	local inside=$!
	"$DEMO" tcp -n 30 -s 500 --json >"$TMP/outside"
	"$DEMO" udp -n 30 -s 500 --json >>"$TMP/outside"
	wait "$inside"
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
	"$CHECK" "$TMP/inside" "$TMP/out" --only
	# Nothing of the outside demos: no UDP row, and only the inside PIDs.
	run python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if "\"final\":true" in l][-1]["rows"]
inside = {json.loads(l)["pid"] for l in open(sys.argv[2]) if l.startswith("{")}
print(sorted({r["type"] for r in rows}), {r["pid"] for r in rows} <= inside)' "$TMP/out" "$TMP/inside"
	[ "$output" = "['pipe', 'tcp'] True" ]
	# The outside demos moved data all the same.
	[ "$(jq -s "map(.bytes) | add" "$TMP/outside")" -gt 0 ]
}

@test "--netns: a path that is not a network namespace: one line saying what to give, exit 1" {
	local path
	for path in /no/such/netns.$$ /etc/passwd /proc/self/ns/ipc; do
		run --separate-stderr "$IPCTRACE" --netns "$path" -d 1
		[ "$status" -eq 1 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ $stderr == "ipctrace: --netns $path"*"give /run/netns/NAME (ip netns list) or /proc/PID/ns/net" ]]
		[ -z "$output" ]
	done
}

@test "CGROUP column: shown when rows come from more than one cgroup, each row's own" {
	local root cg name
	root=$(cgroup2_root)
	name="ipctrace-col.$$"
	cg="$root/$name"
	mkdir "$cg"
	start_tracer -t pipe,fifo -i 30
	(echo "$BASHPID" >"$cg/cgroup.procs" && exec "$DEMO" pipe -n 20 --json) >"$TMP/inside"
	"$DEMO" fifo -n 20 --json >"$TMP/outside"
	stop_tracer
	rmdir "$cg"
	sed -n '/^ipctrace summary/,$p' "$TMP/out" >"$TMP/summary"
	cat "$TMP/summary"
	grep -qE '^ +PID COMM +USER +CGROUP +TYPE ' "$TMP/summary"
	# Each demo process's rows name its cgroup: the new one inside, the one
	# ipctrace itself runs in (the root, or a service) outside.
	local outside_cg
	outside_cg=$(sed -n 's/^0:://p' /proc/self/cgroup)
	outside_cg=${outside_cg##*/}
	[ -n "$outside_cg" ] || outside_cg=/
	for pid in $(jq -r .pid "$TMP/inside" | sort -u); do
		[ "$(awk -v p="$pid" -v c="$name" '$1 == p && $4 == c && $5 == "pipe"' "$TMP/summary" | wc -l)" -eq 3 ]
	done
	for pid in $(jq -r .pid "$TMP/outside" | sort -u); do
		[ "$(awk -v p="$pid" -v c="$outside_cg" '$1 == p && $4 == c && $5 == "fifo"' "$TMP/summary" | wc -l)" -eq 1 ]
	done
}

@test "CGROUP column: left out when every row is in one cgroup" {
	"$IPCTRACE" -t pipe -- "$DEMO" pipe -n 20 >"$TMP/out" 2>"$TMP/err"
	sed -n '/^ipctrace summary/,$p' "$TMP/out" >"$TMP/summary"
	cat "$TMP/summary"
	grep -qE '^ +PID COMM +USER +TYPE ' "$TMP/summary"
	[ "$(grep -cE '^ +[0-9]+ pipe-' "$TMP/summary")" -eq 6 ]
	run ! grep -q CGROUP "$TMP/summary"
}

# select_run EXPECTED ARGS...: a pipe demo as root and a FIFO demo as a UID
# no other process has (U), both waiting, traced with ARGS (A: the pipe
# demo's parent, W: the FIFO demo's writer, in -p's list); then exactly
# EXPECTED's records ("pipe" or "fifo") and their peers, nothing of the other.
select_run() {
	local expected=$1 a w args
	shift
	rm -f "$TMP/pipe" "$TMP/fifo" "$TMP/out"
	"$DEMO" pipe -n 30 -s 100 --json --wait >"$TMP/pipe" 2>"$TMP/a.err" 3>&- &
	setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		"$DEMO" fifo -n 40 -s 200 --json --wait >"$TMP/fifo" 2>"$TMP/b.err" 3>&- &
	wait_for "$TMP/a.err" ready
	wait_for "$TMP/b.err" ready
	read -r a _ < <(demo_pids "$TMP/a.err")
	read -r b _ w < <(demo_pids "$TMP/b.err")
	args=("${@//A/$a}")
	args=("${args[@]//W/$w}")
	args=("${args[@]//U/$uid}")
	start_tracer "${args[@]}" --json -i 0.3
	kill -USR1 "$a" "$b"
	wait_gone "$a"
	wait_gone "$b"
	stop_tracer
	python3 "$CHECK" --only "$TMP/$expected" "$TMP/out"
}

# fresh_uid: sets uid to a UID that no process has.
fresh_uid() {
	uid=$((50000 + $$ % 10000))
	run ps -o pid= -u "$uid"
	[ -z "$output" ]
}

@test "-c NAME, -u USER, and both with -p: the processes that match all, exactly, and their peers" {
	fresh_uid
	select_run pipe -c pipe-parent
	select_run fifo -c 'fifo-*'
	# The FIFO demo's parent is the user's too: its exit's SIGCHLD to this
	# shell is a row of the shell's, which the demo cannot report.
	select_run fifo -u U -t fifo,pipe
	# Both must match: the user's processes are not pipe-*; none yet is said.
	run --separate-stderr "$IPCTRACE" -u "$uid" -c 'pipe-*' -d 1 --json
	[ "$status" -eq 0 ]
	[[ $stderr == *"no process matches yet: each one is traced from when it does"* ]]
	[ "$(jq -s 'map(.rows | length) | add' <<<"$output")" -eq 0 ]
	# -p with -c: only the PIDs given that match (the writer, not the pipe demo's parent).
	select_run fifo -p A,W -c 'fifo-w*'
}

@test "-c, -u: no process matches, an unknown user, a name too long: one line each" {
	# A class only user space matches: nothing there at start is an error.
	run --separate-stderr "$IPCTRACE" -c "[[:digit:]]nsp$$" -d 1
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ ${stderr_lines[0]} == *"is matched among the processes there at start only"* ]]
	[ "${stderr_lines[1]}" = "ipctrace: no process matches -c [[:digit:]]nsp$$: check with pgrep -a -x NAME -u USER" ]
	run --separate-stderr "$IPCTRACE" -p $$ -c no-such-proc -d 1
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *"no process given with -p matches -c no-such-proc"* ]]
	run --separate-stderr "$IPCTRACE" -u no-such-user-$$ -d 1
	[ "$status" -eq 2 ]
	[ "$stderr" = "ipctrace: no user 'no-such-user-$$' for -u: expected a user name (getent passwd) or a numeric UID" ]
	run --separate-stderr "$IPCTRACE" -c sixteen-bytes-xx -d 1
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *"longer than the 15 bytes the kernel keeps"* ]]
}

# late_run EXPECTED ARGS...: ipctrace ARGS started first; then, as U, the
# FIFO demo, and as root the pipe demo run through a link named late-pipe
# (exec names a process after the file it runs); exactly EXPECTED's records
# ("pipe" or "fifo") and their peers, nothing of the other.
late_run() {
	local expected=$1
	shift
	rm -f "$TMP/pipe" "$TMP/fifo" "$TMP/out"
	start_tracer "${@//U/$uid}" --json -i 0.3
	grep -q 'no process matches yet' "$TMP/err"
	ln -sf "$DEMO" "$TMP/late-pipe"
	"$TMP/late-pipe" pipe -n 30 -s 100 --json >"$TMP/pipe"
	setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		"$DEMO" fifo -n 40 -s 200 --json >"$TMP/fifo" 3>&-
	stop_tracer
	python3 "$CHECK" --only "$TMP/$expected" "$TMP/out"
}

@test "-c NAME, -u USER: processes started after ipctrace that match are followed, exactly; others are not" {
	fresh_uid
	late_run pipe -c 'late-p*' -t pipe,fifo
	late_run fifo -u U -t pipe,fifo
}
