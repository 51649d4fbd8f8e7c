# Shared by the integration tests. They need root (BPF), which the project's
# machines give; they are never skipped.
bats_require_minimum_version 1.5.0

ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
# The binaries under test: the build's, or others named in the environment,
# e.g. make dist's static ones (make test-dist):
#   IPCTRACE=dist/ipctrace-V-x86_64 IPC_DEMO=dist/ipc-demo-V-x86_64 bats ...
IPCTRACE="${IPCTRACE:-$ROOT/build/ipctrace}"
DEMO="${IPC_DEMO:-$ROOT/build/ipc-demo}"
CHECK="$ROOT/tests/lib/check.py"

setup() {
	TMP="$(mktemp -d /tmp/ipctrace-test.XXXXXX)"
	TRACER_PID=
}

teardown() {
	# A file's own servers (services.bats' nginx) are stopped, not orphaned.
	if declare -F stop_servers >/dev/null; then
		stop_servers
	fi
	if [[ -n $TRACER_PID ]]; then
		kill -9 "$TRACER_PID" 2>/dev/null || true
	fi
	jobs -p | xargs -r kill -9 2>/dev/null || true
	# IPCTRACE_KEEP_FAILED=DIR keeps a failed test's files for a post-mortem.
	if [[ -n ${IPCTRACE_KEEP_FAILED:-} && -z ${BATS_TEST_COMPLETED:-} ]]; then
		mkdir -p "$IPCTRACE_KEEP_FAILED"
		cp -a "$TMP" "$IPCTRACE_KEEP_FAILED/$BATS_TEST_NUMBER.$(basename "$TMP")" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}

# wait_for FILE PATTERN [SECONDS]: until a line of FILE matches.
# Each waits by the clock, not by a count of tries: a try can be slow (dot
# under emulation takes seconds).
wait_for() {
	local file=$1 pattern=$2 deadline=$((SECONDS + ${3:-20}))
	while ((SECONDS < deadline)); do
		grep -qE "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "timed out waiting for /$pattern/ in $file:" >&2
	cat "$file" >&2
	return 1
}

# wait_until SECONDS COMMAND...: until COMMAND succeeds, or fail.
wait_until() {
	local limit=$1 deadline=$((SECONDS + $1))
	shift
	while ((SECONDS < deadline)); do
		"$@" && return 0
		sleep 0.05
	done
	echo "timed out after ${limit}s waiting for: $*" >&2
	return 1
}

# wait_gone PID [SECONDS]: until PID has exited (it need not be our child).
wait_gone() {
	local pid=$1 limit=${2:-20} deadline=$((SECONDS + ${2:-20}))
	while ((SECONDS < deadline)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	echo "process $pid still running after ${limit}s" >&2
	return 1
}

# has_line FILE: FILE holds a whole line (it ends in a newline). A file
# another process is writing can be seen non-empty before its line's end.
has_line() {
	[ -s "$1" ] && [ -z "$(tail -c 1 "$1")" ]
}

# launch_tracer SUFFIX ARGS...: ipctrace in the background, writing to
# $TMP/outSUFFIX and $TMP/errSUFFIX, until it has attached; sets LAUNCHED_PID.
launch_tracer() {
	local suffix=$1
	shift
	# Emptied here, not by the redirection: that happens in the background
	# job, which may run after wait_for has read the last tracer's lines.
	: >"$TMP/out$suffix"
	: >"$TMP/err$suffix"
	"$IPCTRACE" "$@" >"$TMP/out$suffix" 2>"$TMP/err$suffix" 3>&- &
	LAUNCHED_PID=$!
	wait_for "$TMP/err$suffix" '^ipctrace: attached' 30
}

# start_tracer ARGS...: run ipctrace in the background until it has attached.
start_tracer() {
	launch_tracer "" "$@" || { TRACER_PID=$LAUNCHED_PID; return 1; }
	TRACER_PID=$LAUNCHED_PID
}

# stop_tracer [SIGNAL]: stop it, and fail if it hangs; sets TRACER_STATUS.
stop_tracer() {
	kill -"${1:-INT}" "$TRACER_PID"
	wait_gone "$TRACER_PID" 30 || { kill -9 "$TRACER_PID"; return 1; }
	TRACER_STATUS=0
	wait "$TRACER_PID" || TRACER_STATUS=$?
	TRACER_PID=
}

# final: the final JSON object ipctrace printed.
# -a: another process's socket name can put bytes that are not UTF-8 in the
# output, and grep would then say "binary file matches" instead of the line.
final() {
	grep -a '"final":true' "$TMP/out" | tail -n 1
}

# start_second_tracer ARGS...: another ipctrace beside start_tracer's (with
# the environment the caller gives it), writing to $TMP/out2.
start_second_tracer() {
	launch_tracer 2 "$@" || { SECOND_PID=$LAUNCHED_PID; return 1; }
	SECOND_PID=$LAUNCHED_PID
}

# stop_both_tracers: the first's output in $TMP/out1, the second's in
# $TMP/out2, each one's final object in out1.final and out2.final.
stop_both_tracers() {
	stop_tracer || return 1
	mv "$TMP/out" "$TMP/out1"
	TRACER_PID=$SECOND_PID
	stop_tracer || return 1
	for f in out1 out2; do
		grep -a '"final":true' "$TMP/$f" | tail -n 1 >"$TMP/$f.final"
	done
}

# tcp_listening PORT: a TCP socket listens on PORT (state 0A in /proc/net),
# read without ss: the bare qemu guests have no iproute2 (it needs libbpf).
tcp_listening() {
	awk -v port="$(printf ':%04X' "$1")" '$4 == "0A" && substr($2, length($2) - 4) == port { found = 1 }
		END { exit !found }' /proc/net/tcp /proc/net/tcp6
}

# faults_seen: the kernel reports page faults (x86's page_fault_user; arm64
# has none) as ipctrace sees it, so touching shared memory is counted;
# where not, the expected activity is none (tests/lib/check.py).
faults_seen() {
	python3 "$CHECK" --faults-seen
}

# demo_ready FILE: the PIDs a --wait demo printed ("ready pid P C1 C2 ...").
demo_pids() {
	sed -nE 's/.*ready pid ([0-9 ]+);.*/\1/p' "$1"
}

# tracer_programs: the IDs of the BPF programs the running tracer holds, read
# from its descriptors' fdinfo. Its own, not by name: other ipctrace runs on
# the machine load and unload theirs meanwhile.
tracer_programs() {
	grep -h '^prog_id:' /proc/"$TRACER_PID"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u
}

# programs_gone ID...: none of these programs is loaded any more. The kernel
# frees a closed program after an RCU grace period: wait_until for it.
programs_gone() {
	local loaded id
	loaded=$(bpftool prog show -j | jq -r '.[].id') || return 1
	for id in "$@"; do
		if grep -qx "$id" <<<"$loaded"; then
			return 1
		fi
	done
}

# A shell that waits for SIGUSR1, then runs the command it was given: its
# children are forked after ipctrace has started.
start_waiting_shell() {
	: >"$TMP/shell.err"	# not the last shell's line (start_tracer says why)
	bash -c 'trap "go=1" USR1; echo ready >&2; while [ -z "$go" ]; do sleep 0.05; done; eval "$1"' \
		_ "$1" 2>"$TMP/shell.err" 3>&- &
	shell=$!
	wait_for "$TMP/shell.err" ready
}
