#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Bad input is answered: one line on stderr saying what is wrong and what to
# do, nothing on stdout, a non-zero exit; never a crash or a hang.
load helpers

# one_line_error STATUS PATTERN ARGS...
one_line_error() {
	local want=$1 pattern=$2
	shift 2
	run --separate-stderr timeout 20 "$IPCTRACE" "$@"
	echo "status $status stdout [$output] stderr [$stderr]"
	[ "$status" -eq "$want" ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == ipctrace:* ]]
	[[ ${stderr_lines[0]} =~ $pattern ]]
}

@test "bad option values: each one line and exit 2" {
	one_line_error 2 "invalid interval '0'" -i 0
	one_line_error 2 "invalid interval 'abc'" -i abc
	one_line_error 2 "invalid interval '-1'" --interval=-1
	one_line_error 2 "invalid interval 'inf'" -i inf
	one_line_error 2 "invalid duration 'nan'" -d nan
	one_line_error 2 "invalid duration '0'" -d 0
	one_line_error 2 "invalid row count '0': expected a number from 1 to 1000000, or all" -r 0
	one_line_error 2 "invalid row count '5x'" -r 5x
	one_line_error 2 "--csv and --ndjson both print to standard output: choose one" --ndjson --csv
	one_line_error 2 "invalid sort key 'size'.*bytes, ops, total" -s size
	one_line_error 2 "unknown type 'sockets'.*pipe,fifo" -t sockets
	one_line_error 2 "unknown type ''|empty type list" -t ,
	one_line_error 2 "invalid PID 'abc'" -p abc
	one_line_error 2 "invalid PID '0'" -p 0
	one_line_error 2 "invalid PID '-5'" -p -5
	one_line_error 2 "invalid PID '99999999999'" -p 99999999999
	one_line_error 2 "unknown option or missing value: '--frobnicate'" --frobnicate
	one_line_error 2 "unknown option or missing value: '-p'" -p
	# [interval [count]], as vmstat takes them, and --count.
	one_line_error 2 "invalid interval 'extra': expected seconds" extra
	one_line_error 2 "invalid interval '0'" 0 3
	one_line_error 2 "invalid count '0': expected a number from 1" 1 0
	one_line_error 2 "invalid count 'x'" --count x
	one_line_error 2 "unexpected argument '3': expected \\[interval \\[count\\]\\]" 1 2 3
}

@test "a PID that does not exist" {
	pid=$(sh -c 'echo $$')	# a PID that has just exited
	wait_gone "$pid"
	one_line_error 1 "no process with PID $pid" -p "$pid"
	one_line_error 1 "no process with PID 4194304" -p 4194304
}

@test "a zombie PID" {
	sh -c 'sleep 0.1 & echo $! >"$1"; exec sleep 20' sh "$TMP/zombie" 3>&- &
	# Until the child has exited unreaped: by the clock, not a fixed sleep.
	wait_until 20 has_line "$TMP/zombie"
	zombie=$(cat "$TMP/zombie")
	wait_until 20 grep -q '^State:.*Z' /proc/"$zombie"/status
	one_line_error 1 "process $zombie has exited \(a zombie" -p "$zombie"
}

@test "a thread ID names its process" {
	python3 -c '
import threading, time, sys
def run():
    print(threading.get_native_id(), flush=True)
    time.sleep(30)
threading.Thread(target=run, daemon=True).start()
time.sleep(30)' >"$TMP/tid" 3>&- &
	py=$!
	wait_for "$TMP/tid" '^[0-9]+$'
	tid=$(cat "$TMP/tid")
	one_line_error 1 "$tid is a thread of process $py: use -p $py" -p "$tid"
}

@test "without root: one line naming what is missing" {
	run --separate-stderr timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$IPCTRACE"
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "ipctrace: need root, or CAP_BPF and CAP_PERFMON (missing CAP_BPF and CAP_PERFMON): run it with sudo" ]]
}

@test "with CAP_BPF but not CAP_PERFMON: names the one missing" {
	run --separate-stderr timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=+bpf --ambient-caps=+bpf "$IPCTRACE"
	echo "$stderr"
	[ "$status" -eq 1 ]
	[[ $stderr == *"(missing CAP_PERFMON)"* ]]
}

@test "--help and --version" {
	run timeout 10 "$IPCTRACE" --help
	[ "$status" -eq 0 ]
	[[ $output == *"EXAMPLES:"* ]]
	[[ $output == *"--pid=PID"* ]]
	# Fits 80 columns, and no example wraps: each is one line, a command and its comment.
	run -0 awk 'length > 79' <<<"$output"
	[ -z "$output" ]
	run -0 timeout 10 "$IPCTRACE" --help
	examples=$(sed -n '/^EXAMPLES:$/,/^$/p' <<<"$output" | sed '1d;$d')
	[ "$(wc -l <<<"$examples")" -ge 10 ]
	run ! grep -vE '^    ipctrace .*  ?# [^ ]' <<<"$examples"
	run timeout 10 "$IPCTRACE" --version
	[ "$status" -eq 0 ]
	[ "$output" = "ipctrace $(cat "$ROOT/VERSION")" ]
}

@test "SIGTERM: final summary, exit 0, no BPF program left behind" {
	start_tracer --json -i 0.2
	mine=$(tracer_programs)
	[ -n "$mine" ]
	stop_tracer TERM
	[ "$TRACER_STATUS" -eq 0 ]
	final | jq -e '.final == true' >/dev/null
	wait_until 20 programs_gone $mine
}

@test "-d ends the run by itself with a final summary" {
	run --separate-stderr timeout 20 "$IPCTRACE" -d 1 -i 0.2 --json
	[ "$status" -eq 0 ]
	[ "$(tail -n 1 <<<"$output" | jq -c .final)" = "true" ]
	# An interval or more before it (the first may come late on a busy
	# machine, where reading every process's descriptors takes longer).
	[ "${#lines[@]}" -ge 2 ]
	# And no later than the deadline allows: -d counts from the start.
	[ "$(tail -n 1 <<<"$output" | jq '.elapsed_s < 10')" = "true" ]
}

@test "ipctrace INTERVAL COUNT: COUNT intervals, then the summary, and it exits" {
	run --separate-stderr timeout 30 "$IPCTRACE" 0.2 3 --json -t pipe
	[ "$status" -eq 0 ]
	# One object a line: three intervals, then the final one. Refreshes keep
	# to a 0.2 s cadence from the start: the third is at 0.6 s or (on a busy
	# machine) later, and well before three default intervals of 1 s.
	[ "$(jq -s '[.[] | select(.final == false)] | length' <<<"$output")" = 3 ]
	[ "$(jq -s '[.[] | select(.final == false)][2].elapsed_s | . >= 0.55 and . < 3' <<<"$output")" = true ]
	[ "$(jq -s '[.[] | select(.final)] | length' <<<"$output")" = 1 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "$(tail -n 1 <<<"$output" | jq .final)" = "true" ]
	# -i and --count say the same; the table counts its intervals alike.
	run --separate-stderr timeout 30 "$IPCTRACE" -i 0.2 --count 2 -t pipe
	[ "$status" -eq 0 ]
	[ "$(grep -cE '^ipctrace +[0-9:]+ +interval [0-9.]+s' <<<"$output")" -eq 2 ]
	[ "$(grep -c '^ipctrace summary' <<<"$output")" -eq 1 ]
}

@test "README: written for a root shell and sudo alike, its first commands say as root" {
	# No command starts with sudo, which a root shell on a minimal image lacks...
	run grep -nE '^(\$ )?sudo ' "$ROOT/README.md"
	[ "$status" -eq 1 ]
	# ...and the first commands say they run as root, and how with sudo.
	first=$(grep -m 1 -B 5 '^make run ' "$ROOT/README.md" | tr '\n' ' ')
	[[ $first == *"as root (\`sudo make run\`"* ]]
}

@test "output into a pipe that closes: ipctrace exits" {
	run timeout 20 bash -c "'$IPCTRACE' -i 0.1 2>/dev/null | head -n 1"
	[ "$status" -eq 0 ]
	[[ $output == ipctrace* ]]
}

@test "-- COMMAND: ipctrace killed before it attached takes the stopped command with it" {
	"$IPCTRACE" --max-rows 2097152 -- sleep 600 >"$TMP/out" 2>"$TMP/err" 3>&- &
	tracer=$!
	# The command is stopped from its fork until ipctrace has attached, which
	# the largest --max-rows makes take a while: kill ipctrace in between.
	wait_until 20 sh -c "ps -o stat= --ppid $tracer | grep -q '^T'"
	child=$(ps -o pid= --ppid "$tracer" | tr -d ' ')
	[ "$(ps -o stat= -p "$child" | cut -c1)" = T ]
	kill -9 "$tracer"
	wait_gone "$child" 10
	run grep -c 'attached' "$TMP/err"
	[ "$output" = 0 ]
}
