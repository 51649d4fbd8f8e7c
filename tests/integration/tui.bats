#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The interactive table, driven in a detached tmux session of a known size
# (tmux makes its own terminal, so this runs with no terminal around it):
# keys go in with send-keys, the screen comes out with capture-pane and is
# compared with what the demos report (tests/lib/tui_screen.py). Every wait
# polls the screen until it holds, within a bound; nothing is timed.
# The demos wait (--wait) until ipctrace has attached with -p on their
# processes, so that traffic from elsewhere on the machine stays off the
# screen.
load helpers

SCREEN_CHECK="$ROOT/tests/lib/tui_screen.py"
COLS=200
ROWS=50

setup() {
	TMP="$(mktemp -d /tmp/ipctrace-test.XXXXXX)"
	TRACER_PID=
	# A server of our own: no other tmux session is touched.
	SOCKET="ipctrace-test-$$-$BATS_TEST_NUMBER"
	SESSION=0
}

teardown() {
	tmux -L "$SOCKET" kill-server 2>/dev/null || true
	if [[ -n $TRACER_PID ]]; then
		kill -9 "$TRACER_PID" 2>/dev/null || true
	fi
	jobs -p | xargs -r kill -9 2>/dev/null || true
	rm -rf "$TMP"
}

our_tmux() {
	tmux -L "$SOCKET" "$@"
}

# start_tui ARGS...: ipctrace ARGS in a new pane, COLS x ROWS, until it has
# attached and drawn its table. The pane's shell records the terminal's modes
# before and after, then the exit status, and stays so the screen can be read.
# Its stderr goes to $TMP/err, or with STDERR=terminal to the pane.
start_tui() {
	local redirect=
	SESSION=$((SESSION + 1))
	rm -f "$TMP/status" "$TMP/stty.before" "$TMP/stty.after" "$TMP/pid"
	: >"$TMP/err"
	[[ ${STDERR-} == terminal ]] || redirect="2>>$TMP/err"
	cat >"$TMP/run.sh" <<-EOF
		stty -g >"$TMP/stty.before"
		bash -c 'echo \$\$ >"$TMP/pid"; exec "\$@"' ipctrace $(printf '%q ' "$IPCTRACE" "$@") $redirect
		status=\$?
		stty -g >"$TMP/stty.after"
		echo \$status >"$TMP/status"
		exec sleep 600
	EOF
	our_tmux -f "${TMUX_CONF:-/dev/null}" new-session -d -s "s$SESSION" -x "$COLS" -y "$ROWS" "bash $TMP/run.sh"
	if [[ -z $redirect ]]; then
		wait_until 30 has_line "$TMP/pid"
	else
		wait_for "$TMP/err" '^ipctrace: attached' 30
	fi
	TRACER_PID=$(cat "$TMP/pid")
	wait_screen ' PID COMM +USER +(CGROUP +)?TYPE +OBJECT +DIR PEERS'
}

screen() {
	our_tmux capture-pane -p -t "s$SESSION"
}

# The normal screen with what scrolled off it: a summary may be long.
screen_all() {
	our_tmux capture-pane -p -S - -t "s$SESSION"
}

keys() {
	our_tmux send-keys -t "s$SESSION" "$@"
}

# Literal text, as typed.
type_text() {
	our_tmux send-keys -t "s$SESSION" -l "$1"
}

pane() {
	our_tmux display-message -p -t "s$SESSION" "$1"
}

pane_is() {
	[ "$(pane "$1")" = "$2" ]
}

screen_has() {
	screen | grep -qE -- "$1"
}

# wait_screen PATTERN: until a line of the screen matches.
wait_screen() {
	wait_until 30 screen_has "$1" || { screen; return 1; }
}

# check CHECK ARGS...: tui_screen.py on the screen now and the demos' records.
check() {
	screen >"$TMP/screen"
	python3 "$SCREEN_CHECK" "$1" "$TMP/demo" "$TMP/screen" "${@:2}" >"$TMP/check.log" 2>&1
}

# wait_check CHECK ARGS...: until the check passes; else show why.
wait_check() {
	wait_until 30 check "$@" || { cat "$TMP/check.log" "$TMP/screen"; return 1; }
}

# run_demo NAME ARGS...: a demo set up and waiting (--wait); sets DEMO_PID
# (the one to signal) and appends every PID it prints to PIDS.
run_demo() {
	local name=$1 err
	err="$TMP/$name.$RANDOM.err"
	"$DEMO" "$@" --json --wait >>"$TMP/demo" 2>"$err" 3>&- &
	wait_for "$err" ready
	read -r -a got < <(demo_pids "$err")
	DEMO_PID=${got[0]}
	PIDS+=("${got[@]}")
}

# start_demos PID...: start the waiting demos and wait for them to finish.
start_demos() {
	kill -USR1 "$@"
	for pid in "$@"; do
		wait_gone "$pid"
	done
}

# start_pipe_fifo_tui: a pipe demo (PID a) and a FIFO demo (PID b), waiting,
# and the interactive table on their processes, every 0.2 s.
start_pipe_fifo_tui() {
	PIDS=()
	run_demo pipe -n 3 -s 100
	a=$DEMO_PID
	run_demo fifo -n 5 -s 150
	b=$DEMO_PID
	mapfile -t args < <(targets)
	start_tui -i 0.2 "${args[@]}"
}

# targets: -p for every demo process.
targets() {
	for pid in "${PIDS[@]}"; do
		printf -- '-p\n%s\n' "$pid"
	done
	# The demos' own mechanisms: their processes' signals to each other (a
	# start signal, SIGCHLD) are IPC too, but not in the demos' records.
	printf -- '-t\npipe,fifo,mq,msg,shm,posix_shm,mmap,sem,unix,tcp,udp,eventfd\n'
}

# The status line's count of refreshes held while paused.
held() {
	screen | sed -nE 's/^PAUSED, ([0-9]+) refreshes held.*/\1/p'
}

held_above() {
	local n
	n=$(held)
	[[ -n $n && $n -gt $1 ]]
}

# finished: ipctrace has exited and the pane's shell wrote its status.
finished() {
	[[ -s $TMP/status ]]
}

# expect_restored: exit status 0, the terminal's modes as before, the
# alternate screen left, the cursor shown, the keypad back in normal mode,
# and the summary on the normal screen.
expect_restored() {
	wait_until 30 finished
	TRACER_PID=
	echo "status $(cat "$TMP/status"); stderr:"
	cat "$TMP/err"
	[ "$(cat "$TMP/status")" -eq 0 ]
	[ "$(cat "$TMP/stty.after")" = "$(cat "$TMP/stty.before")" ]
	# tmux reads the pane's output on its own time: the status file may be
	# written before the last of the summary is on the screen.
	wait_until 10 summary_shown || { cat "$TMP/screen"; return 1; }
	[ "$(pane '#{alternate_on} #{cursor_flag} #{keypad_cursor_flag}')" = "0 1 0" ]
}

summary_shown() {
	screen_all >"$TMP/screen"
	grep -qE '^ipctrace summary  ' "$TMP/screen" &&
		grep -qE '^ +PID COMM +USER +(CGROUP +)?TYPE +OBJECT +DIR PEERS +AVG B/s' "$TMP/screen"
}

@test "tui: each process's line adds up its channels, exactly as the demos moved them; x shows exited ones" {
	start_pipe_fifo_tui
	# The full screen, and the header of the plain table.
	[ "$(pane '#{alternate_on}')" = 1 ]
	screen_has '^ipctrace  [0-9:]+  interval 0.2s  rows [0-9]+ '
	screen_has '^lost: none$'
	screen_has '^sort: bytes   type: all   match: all   exited: hidden'
	screen_has '^q quit  \? help'
	start_demos "$a" "$b"
	keys x
	wait_check totals
	screen_has 'exited: shown   4 processes, 8 rows'
	# Marked exited (*) by the first refresh after ipctrace saw them go,
	# which can come after the one that showed their totals: on a busy
	# machine a refresh can fall between a demo's last transfer and its
	# exit. So wait for the marks, on the screen as it is now, and check
	# the totals again there.
	wait_screen '^\+ +[0-9]+ pipe-parent\* +root +pipe +3 channels +- '
	wait_screen '^\+ +[0-9]+ fifo-reader\* +root +fifo +1 channel +rx '
	check totals || { cat "$TMP/check.log" "$TMP/screen"; false; }
	# Gone before the last refresh, they show only with x.
	keys x
	wait_screen 'exited: hidden   0 processes'
}

@test "tui: sort keys reorder the processes (1-6, s, <, >, I inverts)" {
	PIDS=()
	run_demo pipe -n 3 -s 100
	a=$DEMO_PID
	run_demo pipe -n 4 -s 250
	b=$DEMO_PID
	run_demo fifo -n 5 -s 150
	c=$DEMO_PID
	mapfile -t args < <(targets)
	start_tui -i 0.2 -s pid "${args[@]}"
	start_demos "$a" "$b" "$c"
	keys x
	wait_check totals
	screen_has '^sort: pid '
	check order pid
	keys 3
	wait_screen '^sort: total '
	wait_check order total
	# I turns the order round, as htop's does, and back.
	keys I
	wait_screen '^sort: total \(inverted\) '
	wait_check order total inverted
	keys I
	wait_screen '^sort: total  '
	wait_check order total
	keys 5
	wait_screen '^sort: comm '
	wait_check order comm
	keys '<'
	wait_screen '^sort: pid '
	wait_check order pid
	keys s
	wait_screen '^sort: comm '
	keys '>'
	wait_screen '^sort: type '
	keys s
	wait_screen '^sort: bytes '
	keys 2
	wait_screen '^sort: ops '
}

@test "tui: t filters by type, / by any column; Enter expands a process into its channels and collapses it" {
	PIDS=()
	run_demo pipe -n 3 -s 100
	a=$DEMO_PID
	pipe_pids=("${PIDS[@]}")
	run_demo fifo -n 5 -s 150
	b=$DEMO_PID
	mapfile -t args < <(targets)
	start_tui -i 0.2 "${args[@]}"
	start_demos "$a" "$b"
	keys x
	wait_check totals
	read -r fifo_reader fifo_writer < <(jq -r 'select(.type == "fifo") | .pid' "$TMP/demo" |
		sort -u | xargs)
	# Types: a list, as -t takes it; empty shows all again.
	keys t
	wait_screen '^types, such as pipe,fifo \(empty: all\): ?$'
	type_text fifo
	keys Enter
	wait_screen '^sort: bytes   type: fifo '
	# The rows are drawn after the status line: wait for them too.
	wait_check shown "$fifo_reader" "$fifo_writer"
	wait_check absent "${pipe_pids[@]}"
	keys t
	wait_screen '^types, such as pipe,fifo \(empty: all\): fifo$'
	keys C-u Enter
	wait_screen '^sort: bytes   type: all '
	wait_check shown "$fifo_reader" "$fifo_writer" "${pipe_pids[@]}"
	# An unknown type says so, and changes nothing.
	keys t
	type_text pipes
	keys Enter
	wait_screen "^unknown type 'pipes'"
	screen_has '^sort: bytes   type: all '
	# Any column, any part, in any case: the parent by its name, the child
	# by its PEERS, which name the parent; not the FIFO's processes.
	keys /
	wait_screen '^any column contains \(empty: all\): ?$'
	type_text PIPE-PAR
	keys Enter
	wait_screen 'match: PIPE-PAR .* 2 processes, 6 rows'
	wait_check shown "${pipe_pids[@]}"
	wait_check absent "$fifo_reader" "$fifo_writer"
	# A FIFO's path is in no name: its OBJECT column matches.
	keys / C-u
	type_text "$(jq -r 'select(.type == "fifo") | .object' "$TMP/demo" | head -n 1 | tr a-z A-Z)"
	keys Enter
	wait_screen 'match: .* 2 processes, 2 rows'
	wait_check shown "$fifo_reader" "$fifo_writer"
	wait_check absent "${pipe_pids[@]}"
	keys / C-u
	type_text PIPE-PAR
	keys Enter
	wait_screen 'match: PIPE-PAR .* 2 processes, 6 rows'
	# Expanded: its three pipes, each with the child as its peer (g: the
	# first line, the parent's: equal rates, the lower PID first).
	keys g Enter
	wait_check expanded "$a"
	keys Enter
	wait_check collapsed "$a"
	keys l
	wait_check expanded "$a"
	keys Left
	wait_check collapsed "$a"
	# e expands every process; Esc leaves a prompt unchanged.
	keys f
	wait_screen '^any column contains \(empty: all\): PIPE-PAR$'
	keys C-u
	type_text nothing
	keys Escape
	wait_screen '^q quit'
	screen_has 'match: PIPE-PAR '
	keys / C-u Enter
	wait_screen 'match: all .* 4 processes, 8 rows'
	keys e
	wait_check expanded "$a"
	for pid in "$fifo_reader" "$fifo_writer" "${pipe_pids[@]:1}"; do
		check expanded "$pid" || { cat "$TMP/check.log"; false; }
	done
}

# type_colours SCREEN DOT: each shown type's TYPE cell's colour on the screen
# (captured with -e) against the --graph's legend: "pipe ok", or why not.
type_colours() {
	python3 - "$1" "$2" <<'PY'
import re, sys
screen, dot = open(sys.argv[1]).read(), open(sys.argv[2]).read()
legend = dict((t, c) for c, t in re.findall(r'<font color="#([0-9a-f]{6})"><b>&#8212;&#8212; (\w+)</b>', dot))
levels = [0, 95, 135, 175, 215, 255]
def xterm(hexrgb):
    rgb = [int(hexrgb[i:i + 2], 16) for i in (0, 2, 4)]
    cube = [min(range(6), key=lambda l: abs(v - levels[l])) for v in rgb]
    return 16 + 36 * cube[0] + 6 * cube[1] + cube[2]
for t in ("pipe", "fifo"):
    want = "\x1b[38;5;%dm%s" % (xterm(legend[t]), t)
    print(t, "ok" if want in screen else "missing %r" % want)
PY
}

@test "tui: each type in its --graph colour on a 256-colour terminal; none with --no-color or NO_COLOR" {
	printf 'set -g default-terminal screen-256color\n' >"$TMP/tmux.conf"
	# The colours --graph gives the two types, in its legend.
	timeout 60 "$IPCTRACE" -t pipe,fifo --graph "$TMP/legend.dot" -o "$TMP/legend.txt" \
		-- sh -c "'$DEMO' pipe -n 1 && '$DEMO' fifo -n 1" >/dev/null
	grep -q 'pipe</b>' "$TMP/legend.dot"
	grep -q 'fifo</b>' "$TMP/legend.dot"
	TMUX_CONF=$TMP/tmux.conf
	start_pipe_fifo_tui
	start_demos "$a" "$b"
	keys x
	wait_screen '^\+ +[0-9]+ fifo-reader\*? +root +fifo '
	wait_screen '^\+ +[0-9]+ pipe-parent\*? +root +pipe '
	our_tmux capture-pane -e -p -t "s$SESSION" >"$TMP/colour"
	run type_colours "$TMP/colour" "$TMP/legend.dot"
	echo "$output"
	[ "$output" = $'pipe ok\nfifo ok' ]
	keys q
	wait_until 30 has_line "$TMP/status"
	# Off: the same screen without a colour, by option and by NO_COLOR.
	for how in option env; do
		PIDS=()
		run_demo pipe -n 3 -s 100
		a=$DEMO_PID
		mapfile -t args < <(targets)
		if [ "$how" = env ]; then
			our_tmux set-environment -g NO_COLOR 1
			start_tui -i 0.2 "${args[@]}"
		else
			start_tui -i 0.2 --no-color "${args[@]}"
		fi
		start_demos "$a"
		keys x
		wait_screen '^\+ +[0-9]+ pipe-parent\*? +root +pipe '
		our_tmux capture-pane -e -p -t "s$SESSION" >"$TMP/plain"
		grep -q 'pipe-parent' "$TMP/plain"
		run grep -cE $'\e\\[[0-9;]*3[0-7]m|\e\\[[0-9;]*38;5;' "$TMP/plain"
		[ "$output" -eq 0 ]
		keys q
		wait_until 30 has_line "$TMP/status"
	done
}

@test "tui: p pauses the screen while counting goes on; p again shows the new totals" {
	PIDS=()
	run_demo pipe -n 3 -s 100
	a=$DEMO_PID
	first=("${PIDS[@]}")
	run_demo fifo -n 5 -s 150
	b=$DEMO_PID
	mapfile -t args < <(targets)
	start_tui -i 0.2 "${args[@]}"
	start_demos "$a"
	keys x
	wait_check totals
	keys p
	wait_screen '^PAUSED, [0-9]+ refreshes held \(p resumes\)'
	screen | sed 3d >"$TMP/paused"
	# The fifo demo runs while paused, and ipctrace refreshes after it ends.
	start_demos "$b"
	n=$(held)
	wait_until 30 held_above "$n"
	screen | sed 3d >"$TMP/later"
	diff "$TMP/paused" "$TMP/later"
	check absent "${PIDS[@]:${#first[@]}}"
	# Unpaused, the totals include it: every demo process, exactly.
	keys p
	wait_check totals
	run ! screen_has '^PAUSED'
	# Space pauses too.
	keys Space
	wait_screen '^PAUSED, [0-9]+ refreshes held'
}

@test "tui: q quits with status 0, the terminal as it was, and the summary on the normal screen" {
	PIDS=()
	run_demo pipe -n 3 -s 100
	a=$DEMO_PID
	mapfile -t args < <(targets)
	start_tui -i 0.2 "${args[@]}"
	start_demos "$a"
	keys '?'
	wait_screen '^ipctrace: the keys of the interactive table'
	keys q
	wait_screen '^sort: bytes '
	keys q
	expect_restored
	# The summary lists the demo's rows, with the exited marker.
	read -r parent child < <(jq -r .pid "$TMP/demo" | sort -u | xargs)
	for pid in $parent $child; do
		[ "$(grep -cE "^ +$pid pipe-(parent|child)\* +root +pipe " "$TMP/screen")" -eq 3 ]
	done
}

@test "tui: stderr on the terminal shows on the last line, and in full once the screen is given back" {
	PIDS=()
	run_demo pipe -n 3 -s 100
	a=$DEMO_PID
	mapfile -t args < <(targets)
	STDERR=terminal start_tui -i 0.2 "${args[@]}"
	start_demos "$a"
	# ipctrace's word on a -p target that exited, which would tear the screen.
	wait_screen '^ipctrace: process [0-9]+ exited; its totals stay in the table'
	keys j
	wait_screen '^q quit'
	keys q
	expect_restored
	# Given back with the screen, in order: the attached line came before
	# the screen was taken, the rest while it was, then the summary.
	grep -vE '^$' "$TMP/screen" | sed '/^ipctrace summary/q' >"$TMP/before"
	cat "$TMP/before"
	attached=$(grep -n '^ipctrace: attached (' "$TMP/before" | cut -d: -f1)
	summary=$(grep -n '^ipctrace summary' "$TMP/before" | cut -d: -f1)
	[ -n "$attached" ] && [ -n "$summary" ]
	for pid in "${PIDS[@]:0:2}"; do
		at=$(grep -nx "ipctrace: process $pid exited; its totals stay in the table" \
			"$TMP/before" | cut -d: -f1)
		[ -n "$at" ] && [ "$at" -gt "$attached" ] && [ "$at" -lt "$summary" ]
	done
}

@test "tui: Ctrl-C, SIGTERM and the end of -d restore the terminal and print the summary" {
	start_tui -i 0.2
	keys C-c
	expect_restored
	start_tui -i 0.2
	kill -TERM "$TRACER_PID"
	expect_restored
	start_tui -i 0.2 -d 1
	expect_restored
	# In the middle of a prompt too.
	start_tui -i 0.2
	keys /
	wait_screen '^any column contains'
	kill -INT "$TRACER_PID"
	expect_restored
}

@test "tui: resizing, down to a single cell, redraws and never crashes" {
	PIDS=()
	run_demo pipe -n 3 -s 100
	a=$DEMO_PID
	mapfile -t args < <(targets)
	start_tui -i 0.2 "${args[@]}"
	start_demos "$a"
	keys x e
	wait_check expanded "$a"
	# Wide enough for every column, USER included, and the peers whole.
	our_tmux resize-window -t "s$SESSION" -x 130 -y 30
	wait_until 30 pane_is '#{window_width}x#{window_height}' 130x30
	# Redrawn at the new width: titles in place, no line longer.
	wait_screen '^  +PID COMM +USER +(CGROUP +)?TYPE +OBJECT +DIR PEERS'
	wait_check expanded "$a"
	while IFS= read -r line; do
		[ "${#line}" -le 130 ]
	done < <(screen)
	for size in 40x10 20x4 1x1 3x2 80x1 1x40; do
		our_tmux resize-window -t "s$SESSION" -x "${size%x*}" -y "${size#*x}"
		# Keys at that size: moving, expanding, a prompt, the help.
		keys j k Enter / a Escape '?' Escape p p
		wait_until 30 pane_is '#{window_width}x#{window_height}' "$size"
		kill -0 "$TRACER_PID"
	done
	our_tmux resize-window -t "s$SESSION" -x "$COLS" -y "$ROWS"
	wait_screen '^  +PID COMM +USER +(CGROUP +)?TYPE +OBJECT +DIR PEERS'
	kill -0 "$TRACER_PID"
	keys q
	expect_restored
}

@test "tui: --no-tui, --no-clear and --json keep the plain output on a terminal" {
	for opt in --no-tui --no-clear; do
		SESSION=$((SESSION + 1))
		: >"$TMP/err"
		our_tmux -f /dev/null new-session -d -s "s$SESSION" -x "$COLS" -y "$ROWS" \
			"'$IPCTRACE' $opt -i 0.2 2>'$TMP/err'; sleep 600"
		wait_for "$TMP/err" '^ipctrace: attached' 30
		wait_screen '^ +PID COMM +USER +(CGROUP +)?TYPE +OBJECT +DIR PEERS +BYTES/s'
		[ "$(pane '#{alternate_on}')" = 0 ]
		run ! screen_has '^sort: '
		run ! screen_has '^q quit'
	done
	SESSION=$((SESSION + 1))
	our_tmux -f /dev/null new-session -d -s "s$SESSION" -x "$COLS" -y "$ROWS" \
		"'$IPCTRACE' --json -i 0.2 -t fifo 2>'$TMP/err'; sleep 600"
	# FIFOs only: with every type, a busy machine's signals make one line
	# longer than the screen, and no line's start would be seen.
	wait_screen '^\{"version":2,'
	[ "$(pane '#{alternate_on}')" = 0 ]
}

# title_proc TITLE BYTES: a perl that sets its title ($0, which also sets its
# comm to the title's first 15 bytes), and once $TMP/go exists writes BYTES
# into a pipe of its own and reads them back, then waits to be killed; its
# PID in TITLED.
title_proc() {
	perl -e '$0 = $ARGV[0]; print STDERR "ready\n"; select(undef, undef, undef, 0.05) until -e $ARGV[2];
		pipe(my $r, my $w) or die; syswrite($w, "x" x $ARGV[1]) == $ARGV[1] or die;
		sysread($r, my $b, $ARGV[1]) == $ARGV[1] or die; sleep 60' \
		"$1" "$2" "$TMP/go" 2>"$TMP/title.$2" 3>&- &
	TITLED+=("$!")
	wait_for "$TMP/title.$2" ready
}

@test "tui: processes with one name show their titles in COMM, as the table does; / finds a title" {
	TITLED=()
	title_proc "ipctrace-test: alpha worker of the tui" 1111
	title_proc "ipctrace-test: beta worker" 2222
	start_tui -i 0.2 -t pipe -p "${TITLED[0]},${TITLED[1]}"
	touch "$TMP/go"
	# Each one's line: its title, its pipe's two ends, the bytes both ways.
	wait_screen "^\\+ +${TITLED[0]} ipctrace-test: alpha worker of the tui +root +pipe +2 channels +- .* 2\\.17KiB +2 "
	wait_screen "^\\+ +${TITLED[1]} ipctrace-test: beta worker +root +pipe +2 channels +- .* 4\\.34KiB +2 "
	type_text /
	type_text "BETA WORKER"
	keys Enter
	wait_screen 'match: BETA WORKER'
	wait_screen '1 processes, 2 rows'
	run screen
	[ "$(grep -c 'alpha worker' <<<"$output")" -eq 0 ]
	[ "$(grep -c 'beta worker' <<<"$output")" -eq 1 ]
}
