# SPDX-License-Identifier: GPL-2.0
# bash completion for ipc-demo(1), the demo program of ipctrace.
# Installed as share/bash-completion/completions/ipc-demo; like ipctrace's, it
# uses none of bash-completion's helpers and can be sourced as is. The demo
# names, options and roles follow tools/demo/*.c;
# tests/integration/completion.bats checks them against the binary.

# _ipc_demo_options DEMO: the options DEMO makes use of. The common ones are
# accepted by every demo; the others only change what the named demos do.
_ipc_demo_options() {
	local opts='-s --size -n --count -r --rate -d --duration --json --wait
		-h --help'

	case $1 in
	fifo) opts+=' --role --path' ;;
	mq) opts+=' --role --path --no-end' ;;
	msg) opts+=' --key --no-end' ;;
	shm) opts+=' --key' ;;
	unix | tcp) opts+=' --peer-exits' ;;
	signal) opts+=' --role --pid --no-end' ;;
	esac
	printf '%s\n' "$opts"
}

# _ipc_demo_paths LEAD CUR: --path for a FIFO: directories to walk into and
# FIFOs, the only files a reader or writer can open.
_ipc_demo_paths() {
	local f
	local -a found=()

	while IFS= read -r f; do
		[[ -d $f || -p $f ]] && found+=("$1$f")
	done < <(compgen -f -- "$2")
	COMPREPLY=("${found[@]}")
	# Outside a completion (a test calling the function) compopt refuses.
	compopt -o filenames 2>/dev/null || true
}

# _ipc_demo_queues LEAD CUR: --path for mq: the POSIX queues that exist, when
# the mqueue filesystem is mounted where it usually is.
_ipc_demo_queues() {
	local -a names=()

	if [[ -d /dev/mqueue ]]; then
		names=(/dev/mqueue/*)
		[[ -e ${names[0]-} ]] || names=()
		names=("${names[@]#/dev/mqueue}")
	fi
	mapfile -t COMPREPLY < <(compgen -P "$1" -W "${names[*]}" -- "$2")
}

# _ipc_demo_receivers LEAD CUR: --pid for a signal sender: the PIDs of the
# signal receivers running (named sig-receiver), the processes it can ping.
_ipc_demo_receivers() {
	local f comm
	local -a pids=()

	for f in /proc/[0-9]*/comm; do
		read -r comm 2>/dev/null <"$f" || continue
		[[ $comm == sig-receiver ]] && pids+=("${f//[^0-9]/}")
	done
	mapfile -t COMPREPLY < <(compgen -P "$1" -W "${pids[*]}" -- "$2")
}

_ipc_demo() {
	local cur prev eq demo
	local demos='pipe pipe-calls fifo mq msg unix tcp udp netlink shm posix-shm mmap signal eventfd pty process-vm io_uring all explain'

	COMPREPLY=()
	# The demo's name comes first: ipc-demo reads it from argv[1].
	if ((COMP_CWORD == 1)); then
		cur=${COMP_WORDS[1]-}
		mapfile -t COMPREPLY < <(compgen -W "$demos -h --help" -- "$cur")
		return 0
	fi
	demo=${COMP_WORDS[1]}
	# "explain" prints the tour's texts and takes nothing more.
	[[ $demo == explain ]] && return 0
	# The same word splitting as ipctrace's: --role=re, --role = re.
	cur=${COMP_WORDS[COMP_CWORD]-}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	eq=
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		eq=$prev=
		cur=${cur#*=}
	fi

	case $prev in
	--role)
		case $demo in
		fifo) mapfile -t COMPREPLY < <(compgen -P "$eq" -W 'reader writer' -- "$cur") ;;
		mq) mapfile -t COMPREPLY < <(compgen -P "$eq" -W 'receiver sender unlink' -- "$cur") ;;
		signal) mapfile -t COMPREPLY < <(compgen -P "$eq" -W 'receiver sender' -- "$cur") ;;
		esac
		return 0
		;;
	--path)
		case $demo in
		fifo) _ipc_demo_paths "$eq" "$cur" ;;
		mq) _ipc_demo_queues "$eq" "$cur" ;;
		esac
		return 0
		;;
	--pid)
		_ipc_demo_receivers "$eq" "$cur"
		return 0
		;;
	-s | --size | -n | --count | -r | --rate | -d | --duration | --key | --peer-exits)
		return 0	# a number: nothing to offer
		;;
	esac
	[[ -z $cur || $cur == -* ]] &&
		mapfile -t COMPREPLY < <(compgen -W "$(_ipc_demo_options "$demo")" -- "$cur")
	return 0
}

complete -F _ipc_demo ipc-demo
