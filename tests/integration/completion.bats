#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The bash completions in completion/: each is sourced into this shell and its
# function called the way bash calls it, with COMP_WORDS and COMP_CWORD set,
# and the replies checked. The lists they offer are also checked against what
# the binaries accept, so that a new option, type or demo cannot be left out.
# Needs neither root nor the bash-completion package.
load helpers

COMPLETION="$ROOT/completion"

setup() {
	TMP="$(mktemp -d /tmp/ipctrace-test.XXXXXX)"
	TRACER_PID=
	# shellcheck source=../../completion/ipctrace.bash
	source "$COMPLETION/ipctrace.bash"
	# shellcheck source=../../completion/ipc-demo.bash
	source "$COMPLETION/ipc-demo.bash"
}

# complete_line FUNC WORD...: complete the last WORD of a command line made
# of the WORDs, as bash would with the cursor at its end. Sets `got` to the
# replies, sorted, one per line.
complete_line() {
	local func=$1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	# As bash calls it: its status is ignored, and compgen finding nothing
	# (status 1) must not end the test under bats' errexit.
	"$func" || true
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort)
}

# expect LINE...: `got` is exactly these lines, in any order.
expect() {
	local want
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	if [[ $got != "$want" ]]; then
		echo "got:"
		echo "$got"
		echo "want:"
		echo "$want"
		return 1
	fi
}

@test "completion: both files register their function" {
	run bash -c 'source "$1"/ipctrace.bash; source "$1"/ipc-demo.bash; complete -p ipctrace ipc-demo' \
		sh "$COMPLETION"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"complete -F _ipctrace ipctrace"* ]]
	[[ $output == *"complete -F _ipc_demo ipc-demo"* ]]
}

@test "completion: ipctrace options" {
	complete_line _ipctrace ipctrace --t
	expect --type
	complete_line _ipctrace ipctrace --no
	expect --no-clear --no-color --no-tui --no-wait
	complete_line _ipctrace ipctrace --no-t
	expect --no-tui
	complete_line _ipctrace ipctrace -V
	expect -V
	complete_line _ipctrace ipctrace --d
	expect --demo --duration
	# No arguments but options: a word that is not one gets nothing.
	complete_line _ipctrace ipctrace foo
	expect
	# Numbers have nothing to offer.
	complete_line _ipctrace ipctrace -i ''
	expect
	complete_line _ipctrace ipctrace --rows ''
	expect all
	complete_line _ipctrace ipctrace --listen ''
	expect
	complete_line _ipctrace ipctrace --prom-rows ''
	expect
	complete_line _ipctrace ipctrace --pr
	expect --prom-detail --prom-file --prom-rows
}

@test "completion: --graph, --prom-file and --web-config complete file names" {
	mkdir "$TMP/sub"
	touch "$TMP/ipc.dot" "$TMP/node.prom"
	complete_line _ipctrace ipctrace --graph "$TMP/"
	expect "$TMP/ipc.dot" "$TMP/node.prom" "$TMP/sub"
	complete_line _ipctrace ipctrace --prom-file "$TMP/n"
	expect "$TMP/node.prom"
	complete_line _ipctrace ipctrace --graph = "$TMP/i"
	expect "$TMP/ipc.dot"
	touch "$TMP/web.yml"
	complete_line _ipctrace ipctrace --web-config "$TMP/w"
	expect "$TMP/web.yml"
}

@test "completion: --netns offers ip netns's namespaces, then any path" {
	local name="ipctrace-compl.$$"
	ip netns add "$name"
	complete_line _ipctrace ipctrace --netns ""
	ip netns delete "$name"
	[[ $'\n'$got$'\n' == *$'\n'/run/netns/$name$'\n'* ]]
	complete_line _ipctrace ipctrace --netns /proc/self/ns/ne
	expect /proc/self/ns/net
}

@test "completion: --cgroup offers the cgroup v2 directories; after -- a command, then files" {
	local root
	root=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
		/proc/self/mountinfo | head -n 1)
	[ -n "$root" ]
	mkdir "$root/ipctrace-compl.$$"
	complete_line _ipctrace ipctrace --cgroup "ipctrace-compl."
	rmdir "$root/ipctrace-compl.$$"
	expect "ipctrace-compl.$$"
	# The command's name from PATH, then its arguments as files.
	complete_line _ipctrace ipctrace -p 1 -- ipctrace-no-such-cmd
	expect
	complete_line _ipctrace ipctrace -- bat
	[[ $'\n'$got$'\n' == *$'\n'bats$'\n'* ]]
	touch "$TMP/cmd-arg-file"
	complete_line _ipctrace ipctrace -- ls "$TMP/cmd-arg-"
	expect "$TMP/cmd-arg-file"
	# An option's name after -- is the command's, not ipctrace's.
	complete_line _ipctrace ipctrace -- ls --hi
	expect
}

@test "completion: ipctrace offers every option --help lists, and no other" {
	complete_line _ipctrace ipctrace ''
	offered=$got
	run "$IPCTRACE" --help
	[ "$status" -eq 0 ]
	# "  -p, --pid=PID   ..." and "      --json   ...": the option column only.
	listed=$(printf '%s\n' "$output" | grep -E '^ +-' |
		grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | grep -oE -- '-{1,2}[a-zA-Z-]+' | sort)
	echo "offered: $offered"
	echo "listed by --help: $listed"
	[ "$offered" = "$listed" ]
}

@test "completion: -t completes the comma-separated type list" {
	complete_line _ipctrace ipctrace -t ''
	expect all pipe fifo mq msg shm posix_shm mmap sem unix tcp udp netlink signal eventfd pty process_vm
	complete_line _ipctrace ipctrace -t p
	expect pipe posix_shm pty process_vm
	# After a comma, the types not yet in the list, after what is there.
	complete_line _ipctrace ipctrace -t pipe,f
	expect pipe,fifo
	complete_line _ipctrace ipctrace --type pipe,fifo,m
	expect pipe,fifo,mq pipe,fifo,msg pipe,fifo,mmap
	complete_line _ipctrace ipctrace -t pipe,p
	expect pipe,posix_shm pipe,pty pipe,process_vm
	complete_line _ipctrace ipctrace -t all,
	expect
	# --type=LIST: bash splits it at '=' by default (COMP_WORDBREAKS)...
	complete_line _ipctrace ipctrace --type = u
	expect udp unix
	complete_line _ipctrace ipctrace --type =
	expect all pipe fifo mq msg shm posix_shm mmap sem unix tcp udp netlink signal eventfd pty process_vm
	# ...and keeps it whole without '=' there: the reply keeps the option.
	complete_line _ipctrace ipctrace --type=se
	expect --type=sem
	# The value attached to the short option.
	complete_line _ipctrace ipctrace -tpipe,u
	expect -tpipe,udp -tpipe,unix
}

@test "completion: the types offered are those ipctrace accepts" {
	complete_line _ipctrace ipctrace -t ''
	offered=$(printf '%s\n' "$got" | grep -vx all)
	# An unknown type is refused with the list of known ones.
	run --separate-stderr "$IPCTRACE" -t nosuchtype
	[ "$status" -eq 2 ]
	accepted=$(printf '%s\n' "$stderr" | sed -nE 's/.*expected a list of ([a-z_,]+).*/\1/p' |
		tr , '\n' | sort)
	echo "offered: $offered"
	echo "accepted: $accepted"
	[ -n "$accepted" ]
	[ "$offered" = "$accepted" ]
	run "$IPCTRACE" -t all --version
	[ "$status" -eq 0 ]
}

@test "completion: -s completes the sort keys ipctrace accepts" {
	complete_line _ipctrace ipctrace -s ''
	expect bytes ops total pid comm type
	complete_line _ipctrace ipctrace --sort t
	expect total type
	complete_line _ipctrace ipctrace --sort = c
	expect comm
	complete_line _ipctrace ipctrace -sb
	expect -sbytes
	complete_line _ipctrace ipctrace -s ''
	for key in $got; do
		run "$IPCTRACE" -s "$key" --version
		[ "$status" -eq 0 ]
	done
}

@test "completion: -p completes the PIDs of running processes" {
	sleep 30 3>&- &
	pid=$!
	complete_line _ipctrace ipctrace -p "$pid"
	[[ $'\n'$got$'\n' == *$'\n'$pid$'\n'* ]]
	complete_line _ipctrace ipctrace -p ''
	[ "$(printf '%s\n' "$got" | wc -l)" -gt 1 ]
	while read -r p; do
		[[ $p =~ ^[0-9]+$ ]]
	done <<<"$got"
	[[ $'\n'$got$'\n' == *$'\n'$pid$'\n'* ]]
	[[ $'\n'$got$'\n' == *$'\n'1$'\n'* ]]
	complete_line _ipctrace ipctrace --pid = "$pid"
	[[ $'\n'$got$'\n' == *$'\n'$pid$'\n'* ]]
	complete_line _ipctrace ipctrace "-p$pid"
	[[ $'\n'$got$'\n' == *$'\n'-p$pid$'\n'* ]]
	kill "$pid"
	wait "$pid" || true
	# A process that has gone is not offered.
	complete_line _ipctrace ipctrace -p ''
	[[ $'\n'$got$'\n' != *$'\n'$pid$'\n'* ]]
}

@test "completion: ipc-demo demos first, then their options" {
	complete_line _ipc_demo ipc-demo ''
	expect pipe pipe-calls fifo mq msg unix tcp udp netlink shm posix-shm mmap signal eventfd pty process-vm io_uring all explain -h --help
	complete_line _ipc_demo ipc-demo p
	expect pipe pipe-calls posix-shm pty process-vm
	complete_line _ipc_demo ipc-demo pipe --
	expect --size --count --rate --duration --json --wait --help
	complete_line _ipc_demo ipc-demo fifo --r
	expect --rate --role
	complete_line _ipc_demo ipc-demo mq --no
	expect --no-end
	complete_line _ipc_demo ipc-demo msg --k
	expect --key
	complete_line _ipc_demo ipc-demo tcp --pe
	expect --peer-exits
	complete_line _ipc_demo ipc-demo udp --pe
	expect
	complete_line _ipc_demo ipc-demo shm -s 4096 -
	expect -s --size -n --count -r --rate -d --duration --json --wait -h --help --key
	complete_line _ipc_demo ipc-demo mq -n ''
	expect
	complete_line _ipc_demo ipc-demo signal --
	expect --size --count --rate --duration --json --wait --help --role --pid --no-end
	complete_line _ipc_demo ipc-demo eventfd --
	expect --size --count --rate --duration --json --wait --help
}

@test "completion: ipc-demo's demos and options are those --help lists" {
	run "$DEMO" --help
	[ "$status" -eq 0 ]
	listed_demos=$(printf '%s\n' "$output" | sed -n '/^DEMO:/,/^$/p' |
		sed -nE 's/^  ([a-z_-]+) .*/\1/p' | sort)
	listed_opts=$(printf '%s\n' "$output" | sed -n '/^options:/,/^$/p' |
		grep -oE '^ +(-[a-z], )?--[a-z-]+' | grep -oE -- '-{1,2}[a-z-]+' | sort)
	complete_line _ipc_demo ipc-demo ''
	offered_demos=$(printf '%s\n' "$got" | grep -v '^-')
	echo "demos listed: $listed_demos"
	echo "demos offered: $offered_demos"
	[ -n "$listed_demos" ]
	[ "$offered_demos" = "$listed_demos" ]
	# Every option is offered for some demo, and nothing else is; the help
	# text does not list -h and --help themselves.
	offered_opts=$(for d in $listed_demos; do
		complete_line _ipc_demo ipc-demo "$d" -
		printf '%s\n' "$got"
	done | grep -vxE -- '-h|--help|' | sort -u)
	echo "options listed: $listed_opts"
	echo "options offered: $offered_opts"
	[ -n "$listed_opts" ]
	[ "$offered_opts" = "$listed_opts" ]
}

@test "completion: ipc-demo --role and --path by demo" {
	complete_line _ipc_demo ipc-demo fifo --role ''
	expect reader writer
	complete_line _ipc_demo ipc-demo mq --role ''
	expect receiver sender unlink
	complete_line _ipc_demo ipc-demo mq -n 5 --role = s
	expect sender
	complete_line _ipc_demo ipc-demo mq --role=u
	expect --role=unlink
	complete_line _ipc_demo ipc-demo signal --role ''
	expect receiver sender
	# msg refuses --role; the others ignore it.
	complete_line _ipc_demo ipc-demo msg --role ''
	expect
	complete_line _ipc_demo ipc-demo pipe --role ''
	expect
	# A FIFO's path: FIFOs and directories, not regular files.
	mkfifo "$TMP/chan"
	mkdir "$TMP/sub"
	touch "$TMP/plain"
	complete_line _ipc_demo ipc-demo fifo --role reader --path "$TMP/"
	expect "$TMP/chan" "$TMP/sub"
	# Each role the completion offers is one the demo accepts: a wrong one
	# is refused before anything is opened.
	run --separate-stderr "$DEMO" fifo --role nosuchrole --path "$TMP/chan"
	[ "$status" -eq 1 ]
	[[ $stderr == *"expected reader or writer"* ]]
	run --separate-stderr "$DEMO" mq --role nosuchrole --path /ipctrace-test-none
	[ "$status" -eq 1 ]
	[[ $stderr == *"expected receiver, sender or unlink"* ]]
	run --separate-stderr "$DEMO" signal --role nosuchrole
	[ "$status" -eq 1 ]
	[[ $stderr == *"expected receiver or sender"* ]]
}

@test "completion: ipc-demo signal --pid offers the signal receivers running" {
	"$DEMO" signal --role receiver 2>"$TMP/receiver.err" >/dev/null 3>&- &
	receiver=$!
	wait_for "$TMP/receiver.err" "signal receiver pid $receiver"
	sleep 30 3>&- &
	other=$!
	complete_line _ipc_demo ipc-demo signal --role sender --pid ''
	[[ $'\n'$got$'\n' == *$'\n'$receiver$'\n'* ]]
	[[ $'\n'$got$'\n' != *$'\n'$other$'\n'* ]]
	complete_line _ipc_demo ipc-demo signal --pid="$receiver"
	expect "--pid=$receiver"
	kill "$receiver" "$other"
}
