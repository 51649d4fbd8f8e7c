#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# A hostile box: what an unprivileged user on the traced machine can feed
# ipctrace (names with escape sequences, bytes that are not UTF-8) must not
# reach the operator's terminal, break a parser, or forge output. The user
# is made for the file's tests and removed after them.
load helpers

setup_file() {
	export TRUST_USER="ipct$$"
	useradd --no-create-home --shell /usr/sbin/nologin --user-group "$TRUST_USER"
}

teardown_file() {
	pkill -KILL -u "$TRUST_USER" 2>/dev/null || true
	userdel "$TRUST_USER" 2>/dev/null || true
}

# as_user CMD...: run as the unprivileged user, with no supplementary groups.
as_user() {
	setpriv --reuid="$TRUST_USER" --regid="$TRUST_USER" --clear-groups --inh-caps=-all -- "$@"
}

# no_control FILE: no byte of a terminal control (C0 but tab and line ends,
# DEL) in FILE: ESC, BEL and the rest are shown escaped, never obeyed.
no_control() {
	if LC_ALL=C grep -nP '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]' "$1"; then
		echo "a control byte in $1" >&2
		return 1
	fi
}

@test "a FIFO whose name holds escape sequences and a line break: every output shows it escaped, none obeys it or forges a row" {
	chmod 0755 "$TMP"
	dir=$TMP/shared
	mkdir "$dir"
	chown "$TRUST_USER:" "$dir"
	chan=$dir/$'f\e]2;PWNED\a\e[2J\nFAKE 1 root pipe x tx - 999G'
	as_user mkfifo "$chan"
	args=(-t fifo -i 0.3)
	"$IPCTRACE" "${args[@]}" --no-tui --graph "$TMP/ipc.dot" --prom-file "$TMP/ipc.prom" --prom-detail \
		>"$TMP/table" 2>"$TMP/table.err" 3>&- &
	table=$!
	"$IPCTRACE" "${args[@]}" -e >"$TMP/events" 2>"$TMP/events.err" 3>&- &
	events=$!
	"$IPCTRACE" "${args[@]}" --csv >"$TMP/csv" 2>"$TMP/csv.err" 3>&- &
	csv=$!
	start_tracer "${args[@]}" --json
	for f in table events csv; do
		wait_for "$TMP/$f.err" '^ipctrace: attached' 30
	done
	as_user "$DEMO" fifo --role reader --path "$chan" -s 100 --json >>"$TMP/demo" 3>&- &
	reader=$!
	as_user "$DEMO" fifo --role writer --path "$chan" -n 20 -s 100 --json >>"$TMP/demo"
	wait "$reader"
	sleep 0.5	# an interval after the last write, in every output
	kill -INT "$table" "$events" "$csv"
	stop_tracer
	for p in "$table" "$events" "$csv"; do
		wait_gone "$p" 30
	done
	# The workload was seen, with its name escaped as ps and strace show it.
	escaped='f\x1b]2;PWNED\x07\x1b[2J\x0aFAKE 1 root pipe x tx - 999G'
	for f in table csv out ipc.dot ipc.prom; do
		no_control "$TMP/$f"
		grep -qF "${escaped//\\/\\\\}" "$TMP/$f" || grep -qF "$escaped" "$TMP/$f"
	done
	# -e's text is one word per field: its spaces are escaped too.
	no_control "$TMP/events"
	grep -qF "${escaped// /\\x20}" "$TMP/events"
	# No line of the table, its summary or the event log begins with the
	# forged text: the line break inside the name did not break the line.
	run grep -c '^FAKE' "$TMP/table" "$TMP/events" "$TMP/csv"
	[[ $output != *:[1-9]* ]]
	# And the counts are the workload's, exactly.
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "a comm that is not UTF-8 (x\\xff): every JSON line, table and event, parses strictly" {
	start_tracer -t pipe --json -i 0.3
	"$IPCTRACE" -t pipe -e --json >"$TMP/events" 2>"$TMP/events.err" 3>&- &
	events=$!
	wait_for "$TMP/events.err" '^ipctrace: attached' 30
	as_user /usr/bin/python3 -c '
import os, sys
with open("/proc/self/comm", "wb") as f:
    f.write(b"x\xff")
r, w = os.pipe()
for _ in range(50):
    os.write(w, b"y" * 64)
    os.read(r, 64)
print(os.getpid(), flush=True)
' >"$TMP/pid"
	sleep 0.5
	kill -INT "$events"
	stop_tracer
	wait_gone "$events" 30
	pid=$(cat "$TMP/pid")
	for f in out events; do
		python3 - "$TMP/$f" "$pid" <<'PY'
import json, sys
path, pid = sys.argv[1], int(sys.argv[2])
seen = 0
with open(path, "rb") as f:
    for n, raw in enumerate(f, 1):
        doc = json.loads(raw.decode("utf-8"))   # strict: no invalid byte passes
        rows = doc.get("rows", [doc])
        for r in rows:
            if r.get("pid") == pid:
                assert r["comm"] == "x\\xff", (n, r["comm"])
                seen += 1
assert seen, f"{path}: no row of pid {pid}"
PY
	done
	# The writer's rows in the final summary: every byte, both directions.
	final | jq -e --argjson p "$pid" '[.rows[] | select(.pid == $p and .type == "pipe") | .bytes] | sort == [3200, 3200]' >/dev/null
}

@test "a user's thousands of pipes cannot blind the tracer: root's pipe keeps rows of its own, and the user's bytes count on overflow rows" {
	start_tracer -t pipe --json -i 0.3 --max-rows 4096
	# Two processes of the user, 1,800 pipes each: 7,200 rows asked for,
	# past the map's 3,072 for objects, and past the user's half of them.
	for i in 1 2; do
		as_user /usr/bin/python3 "$ROOT/tests/lib/many_pipes.py" 1800 60 >"$TMP/hog$i" 3>&- &
	done
	wait_until 60 test -s "$TMP/hog1" -a -s "$TMP/hog2"
	sleep 0.6	# an interval has read the rows they made
	# Then root's pipes: every byte on rows of their own objects.
	"$DEMO" pipe -n 64 -s 4096 --json >"$TMP/demo"
	sleep 0.6
	stop_tracer
	pkill -u "$TRUST_USER" -f many_pipes.py || true
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	# Each of the user's processes: all its bytes, each way, some of them on
	# its overflow rows.
	for i in 1 2; do
		pid=$(jq -r .pid "$TMP/hog$i")
		bytes=$(jq -r .bytes "$TMP/hog$i")
		final | jq -e --argjson p "$pid" --argjson n "$bytes" '[.rows[] | select(.pid == $p)] as $r
			| ([$r[] | select(.dir == "tx") | .bytes] | add) == $n
			and ([$r[] | select(.dir == "rx") | .bytes] | add) == $n
			and ([$r[] | select(.object | startswith("(overflow"))] | length) == 2' >/dev/null
	done
	final | jq -e '.lost.rows > 0 and .lost.overflow == 0' >/dev/null
	# Said once on stderr, as it began.
	[ "$(grep -c "more objects than the kernel side's rows" "$TMP/err")" -eq 1 ]
}

@test "in a PID namespace of its own, or without /proc: one line saying what to run instead, exit 1, before loading anything" {
	# A container's view: its own PID namespace and its own /proc.
	run --separate-stderr timeout 30 unshare --pid --fork --mount-proc "$IPCTRACE" -d 1
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "ipctrace: ipctrace is not in the host's PID namespace"*"--pid=host"* ]]
	# Its own namespace, the host's /proc: its own PID would be another's.
	run --separate-stderr timeout 30 unshare --pid --fork "$IPCTRACE" -d 1
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "ipctrace: ipctrace is not in the host's PID namespace"* ]]
	# No /proc at all.
	run --separate-stderr timeout 30 unshare --mount --propagation private \
		sh -c 'umount -l /proc && exec "$0" -d 1' "$IPCTRACE"
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "ipctrace: /proc is not mounted"*"mount -t proc proc /proc" ]]
}

@test "a PID that comes round again (forced through ns_last_pid) is a new process: each keeps its own name, rows and bytes" {
	start_tracer -t pipe --json -i 60
	python3 "$ROOT/tests/lib/pid_reuse.py" victim reuser 12345 23456 \
		"$(id -u "$TRUST_USER")" "$(id -g "$TRUST_USER")" >"$TMP/reuse"
	stop_tracer
	final >"$TMP/final"
	python3 - "$TMP/final" "$TMP/reuse" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
w = json.load(open(sys.argv[2]))
pid, reader = w["pid"], w["reader"]
assert w["old_start"] != w["new_start"], w
# The reader read every byte of the data pipe (the other pipe only says
# when each writer started).
rx = [r for r in rows if r["pid"] == reader and r["dir"] == "rx"
      and r["bytes"] == w["old"] + w["new"]]
assert len(rx) == 1, rx
# The PID's writes to it: two processes, each its own row with its own bytes.
tx = sorted((r["starttime"], r["comm"], r["bytes"], r["ops"] > 0, r["exited"])
            for r in rows if r["pid"] == pid and r["ino"] == rx[0]["ino"])
assert tx == [(w["old_start"], "victim", w["old"], True, True),
              (w["new_start"], "reuser", w["new"], True, True)], tx
# And the reader's peers are the two processes, each with its name.
peers = sorted((p["pid"], p["starttime"], p["comm"]) for p in rx[0]["peers"])
assert peers == [(pid, w["old_start"], "victim"), (pid, w["new_start"], "reuser")], peers
PY
}

# status_of DIR FIELD: a field of DIR/status (DIR a /proc process or task),
# its tabs made spaces.
status_of() {
	sed -nE "s/^$2:\t//p" "$1/status" | tr '\t' ' ' | sed 's/ *$//'
}

# caps_of DIR FIELD: a capability set of DIR/status by name, as capsh says
# them ("" for none).
caps_of() {
	local hex
	hex=$(status_of "$1" "$2")
	capsh --decode="$hex" | sed 's/^0x[0-9a-f]*=//'
}

# holder_named: the last live frame names the holder as the root writer's peer.
holder_named() {
	grep -a '"rows"' "$TMP/out" | grep -av '"final":true' | tail -n 1 |
		jq -e --argjson w "$writer" --argjson h "$holder" \
			'[.rows[] | select(.pid == $w and .dir == "tx") | .peers[]?.pid] | index($h) != null' \
			>/dev/null
}

@test "after attaching: every thread is uid 65534 with CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH at most, no_new_privs and seccomp; the writer is root with CAP_DAC_OVERRIDE alone; peers are named across users, outputs written, counts exact" {
	chmod 0755 "$TMP"
	start_tracer -t pipe --json -i 0.3 --listen "unix:$TMP/metrics.sock" \
		--prom-file "$TMP/ipc.prom" --prom-detail --graph "$TMP/ipc.dot"
	# Every thread, the HTTP server's too (started after the drop, with no
	# capability at all).
	threads=0 http=0
	for task in /proc/"$TRACER_PID"/task/*; do
		[ "$(status_of "$task" Uid)" = "65534 65534 65534 65534" ]
		[ "$(status_of "$task" Gid)" = "65534 65534 65534 65534" ]
		[ -z "$(status_of "$task" Groups)" ]
		[ "$(caps_of "$task" CapBnd)" = cap_dac_read_search,cap_sys_ptrace ]
		[ "$(caps_of "$task" CapPrm)" = "$(caps_of "$task" CapEff)" ]
		[ -z "$(caps_of "$task" CapInh)" ]
		[ -z "$(caps_of "$task" CapAmb)" ]
		[ "$(status_of "$task" NoNewPrivs)" = 1 ]
		[ "$(status_of "$task" Seccomp)" = 2 ]
		if [[ $(cat "$task/comm") == ipctrace-http ]]; then
			[ -z "$(caps_of "$task" CapEff)" ]
			http=$((http + 1))
		else
			[ "$(caps_of "$task" CapEff)" = cap_dac_read_search,cap_sys_ptrace ]
		fi
		threads=$((threads + 1))
	done
	[ "$threads" -ge 2 ]
	[ "$http" -eq 1 ]
	# The one process that writes the files and removes the socket.
	writer_proc=/proc/$(pgrep -P "$TRACER_PID" -x ipctrace-writer)
	[ "$(status_of "$writer_proc" Uid)" = "0 0 0 0" ]
	for set in CapPrm CapEff CapBnd; do
		[ "$(caps_of "$writer_proc" "$set")" = cap_dac_override ]
	done
	[ "$(status_of "$writer_proc" NoNewPrivs)" = 1 ]
	[ "$(status_of "$writer_proc" Seccomp)" = 2 ]
	# A peer named from another user's /proc/PID/fd alone: it moves nothing.
	python3 "$ROOT/tests/lib/cross_user_pipe.py" "$TRUST_USER" 8 512 >"$TMP/pair" 3>&- &
	pair=$!
	wait_until 20 test -s "$TMP/pair"
	writer=$(jq .writer "$TMP/pair")
	holder=$(jq .holder "$TMP/pair")
	uid=$(id -u "$TRUST_USER")
	[ "$(status_of /proc/"$holder" Uid)" = "$uid $uid $uid $uid" ]
	wait_until 30 holder_named
	kill -TERM "$holder"
	wait "$pair"
	# The demo's traffic, counted exactly, in every output.
	"$DEMO" pipe -n 40 -s 555 --json >"$TMP/demo"
	sleep 0.6	# an interval after the last write
	wait_until 10 sh -c "curl -sf --unix-socket '$TMP/metrics.sock' http://localhost/metrics >'$TMP/scrape'"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	final | jq -e --argjson w "$writer" --argjson n "$(jq .bytes "$TMP/pair")" \
		'[.rows[] | select(.pid == $w and .dir == "tx") | .bytes] == [$n]' >/dev/null
	demo=$(jq -r 'select(.role == "parent") | .pid' "$TMP/demo" | head -n 1)
	grep -q "pid=\"$demo\"" "$TMP/ipc.prom"
	grep -qx 'ipctrace_up 1' "$TMP/scrape"
	grep -q "$demo" "$TMP/ipc.dot"
	[ "$(stat -c %U "$TMP/ipc.prom")" = root ]
	# Removed at exit, by the writer, which ipctrace waited for.
	[ ! -e "$TMP/metrics.sock" ]
	[ ! -e "$writer_proc" ]
}

@test "the privileges kept cannot ptrace a root process with every capability, write its memory or /proc/1/mem, or write a root-owned file" {
	sleep 600 3>&- &
	victim=$!
	# The victim: root, with every capability the system has.
	[ "$(status_of /proc/"$victim" Uid)" = "0 0 0 0" ]
	[ "$(status_of /proc/"$victim" CapEff)" = "$(status_of /proc/1 CapBnd)" ]
	echo root >"$TMP/root-owned"
	chmod 0644 "$TMP/root-owned"
	# ipctrace running, and the same drop applied by the binary's self-test.
	start_tracer -t pipe --json -i 0.3
	run --separate-stderr "$IPCTRACE" --drop-self-test "$victim:$TMP/root-owned"
	kill "$victim"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# The self-test holds exactly the credentials of the running ipctrace.
	[ "${lines[*]:0:10}" = "$(grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' \
		/proc/"$TRACER_PID"/status | tr '\n' ' ' | sed 's/ $//')" ]
	[ "${lines[10]}" = "ptrace(PTRACE_SEIZE, $victim): Operation not permitted" ]
	[ "${lines[11]}" = "open(/proc/$victim/mem, O_RDWR): Permission denied" ]
	# PID 1 may be beyond even full root's reach (in a container, say): the
	# victim's memory above is the check that can fail.
	[ "${lines[12]}" = "open(/proc/1/mem, O_RDWR): Permission denied" ]
	[ "${lines[13]}" = "open($TMP/root-owned, O_WRONLY): Permission denied" ]
	[ "${#lines[@]}" -eq 14 ]
	[ "$(cat "$TMP/root-owned")" = root ]
	stop_tracer
}

@test "USER: another user's processes say whose they are, in the table, JSON (uid, user) and CSV" {
	uid=$(id -u "$TRUST_USER")
	[ "$uid" -ne 0 ]
	# The table's cell is 8 wide: a longer name is cut, with a + as top shows it.
	cell=$TRUST_USER
	if ((${#cell} > 8)); then cell=${cell:0:7}+; fi
	demo=(setpriv --reuid="$TRUST_USER" --regid="$TRUST_USER" --clear-groups --inh-caps=-all
		-- "$DEMO" pipe -n 5 --json)
	timeout 60 "$IPCTRACE" -t pipe --json -o "$TMP/json" -- "${demo[@]}" >"$TMP/demo"
	# Every row of the demo's processes: the user's uid and name; and no other row is the user's.
	pids=$(jq -s -c '[.[].pid] | unique' "$TMP/demo")
	grep -a '"final":true' "$TMP/json" >"$TMP/final"
	jq -e --argjson p "$pids" --argjson u "$uid" --arg n "$TRUST_USER" '
		[.rows[] | select(.pid | IN($p[]))] as $mine
		| ($mine | length) == 6
		and all($mine[]; .uid == $u and .user == $n)
		and all(.rows[] | select(.pid | IN($p[]) | not); .uid != $u)' "$TMP/final" >/dev/null
	timeout 60 "$IPCTRACE" -t pipe -o "$TMP/table" -- "${demo[@]}" >"$TMP/demo"
	cat "$TMP/table"
	for pid in $(jq -r .pid "$TMP/demo" | sort -u); do
		[ "$(awk -v p="$pid" -v u="$cell" '$1 == p && $3 == u' "$TMP/table" | wc -l)" -eq 3 ]
	done
	grep -qE '^ +PID COMM +USER +TYPE ' "$TMP/table"
	timeout 60 "$IPCTRACE" -t pipe --csv -o "$TMP/csv" -- "${demo[@]}" >"$TMP/demo"
	for pid in $(jq -r .pid "$TMP/demo" | sort -u); do
		# ...,uid,user,title: the title (the demo's command line) last.
		[ "$(grep -c "^[^,]*,[^,]*,[^,]*,true,$pid,.*,$uid,$TRUST_USER,[^,]*"$'\r'"\$" "$TMP/csv")" -eq 3 ]
	done
}
