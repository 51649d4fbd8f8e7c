# SPDX-License-Identifier: GPL-2.0
# bash completion for ipctrace(8).
# Installed as share/bash-completion/completions/ipctrace, which the
# bash-completion package loads on first use; it can also be sourced as is:
# it uses none of bash-completion's helpers, so it works without them.
# The option and type lists follow user/options.c and user/mechanism.c;
# tests/integration/completion.bats checks them against the binary.

# _ipctrace_words: set cur and prev for the word being completed. Bash splits
# "--type=pi" into "--type" "=" "pi" when '=' is in COMP_WORDBREAKS (the
# default), and keeps it whole when it is not: both come out as
# prev=--type cur=pi, and eq says what the reply must start with.
_ipctrace_words() {
	cur=${COMP_WORDS[COMP_CWORD]-}
	prev=
	eq=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	if [[ $cur == = ]]; then
		cur=	# the reply follows the '=', which readline keeps
	elif [[ $prev == = ]]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		eq=$prev=
		cur=${cur#*=}
	fi
	return 0
}

# _ipctrace_types PREFIX CUR: the comma-separated type list. Types already in
# the list are not offered again, and "all" only on its own, since it already
# means every type.
_ipctrace_types() {
	local lead=$1 cur=$2 have t
	local -a offer=()
	local -a types=(pipe fifo mq msg shm posix_shm mmap sem unix tcp udp)

	if [[ $cur == *,* ]]; then
		lead+=${cur%,*},
		cur=${cur##*,}
	fi
	have=,${lead#"$1"},
	[[ $have == *,all,* ]] && return 0
	[[ $have == ,, ]] && offer+=(all)
	for t in "${types[@]}"; do
		[[ $have == *,"$t",* ]] || offer+=("$t")
	done
	mapfile -t COMPREPLY < <(compgen -P "$lead" -W "${offer[*]}" -- "$cur")
}

# _ipctrace_pids PREFIX CUR: the PIDs of running processes, from /proc.
_ipctrace_pids() {
	local -a pids=(/proc/[0-9]*)
	pids=("${pids[@]#/proc/}")
	mapfile -t COMPREPLY < <(compgen -P "$1" -W "${pids[*]}" -- "$2")
}

_ipctrace() {
	local cur prev eq
	local sorts='bytes ops total pid comm type'
	local opts='-p --pid -t --type -i --interval -d --duration -r --rows
		-s --sort --no-clear --json --demo -e --events -x --hex --hex-bytes --no-wait --hist --features
		-v --verbose -h --help --usage -V --version'

	COMPREPLY=()
	_ipctrace_words
	case $prev in
	-p | --pid)
		_ipctrace_pids "$eq" "$cur"
		return 0
		;;
	-t | --type)
		_ipctrace_types "$eq" "$cur"
		return 0
		;;
	-s | --sort)
		mapfile -t COMPREPLY < <(compgen -P "$eq" -W "$sorts" -- "$cur")
		return 0
		;;
	-i | --interval | -d | --duration | -r | --rows | --hex-bytes)
		return 0	# a number: nothing to offer
		;;
	esac
	# A short option with its value attached: -tpipe,f, -sb, -p12.
	case $cur in
	-t?*)
		_ipctrace_types -t "${cur#-t}"
		return 0
		;;
	-s?*)
		mapfile -t COMPREPLY < <(compgen -P -s -W "$sorts" -- "${cur#-s}")
		return 0
		;;
	-p?*)
		_ipctrace_pids -p "${cur#-p}"
		return 0
		;;
	esac
	# ipctrace takes no arguments, only options.
	[[ -z $cur || $cur == -* ]] && mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	return 0
}

complete -F _ipctrace ipctrace
