# SPDX-License-Identifier: GPL-2.0
# bash completion for ipctrace(8).
# Installed as share/bash-completion/completions/ipctrace, which the
# bash-completion package loads on first use; it can also be sourced as is:
# it uses none of bash-completion's helpers, so it works without them.
# The option and type lists follow user/cli/options.c and user/model/mechanism.c;
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
	local -a types=(pipe fifo mq msg shm posix_shm mmap sem unix tcp udp netlink signal eventfd pty process_vm)

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

# _ipctrace_cgroups PREFIX CUR: cgroup directories, relative to the cgroup2
# mount (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid system).
_ipctrace_cgroups() {
	local root
	root=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
		/proc/self/mountinfo 2>/dev/null | head -n 1)
	[[ -n $root ]] || return 0
	mapfile -t COMPREPLY < <(cd "$root" 2>/dev/null && compgen -d -P "$1" -- "$2")
}

_ipctrace() {
	local cur prev eq
	local sorts='bytes ops total pid comm type'
	local opts='-p --pid -c --comm -u --user -t --type -i --interval -d --duration --count -r --rows
		-s --sort --no-clear --no-color --no-tui -o --output --json --ndjson --csv --graph --prom-file --prom-rows --prom-detail --listen
		--web-config --demo --explain -f --follow --cgroup --netns -e --events -x --hex -w --write --hex-bytes --no-wait --max-rows --max-objects --max-procs
		--hist --features -v --verbose -h --help --usage -V --version'
	local i

	COMPREPLY=()
	# After "--", the words are a command's: its name, then files.
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == -- ]] || continue
		cur=${COMP_WORDS[COMP_CWORD]-}
		if ((i == COMP_CWORD - 1)); then
			mapfile -t COMPREPLY < <(compgen -c -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi
		return 0
	done

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
	-r | --rows)
		# A number, or every row.
		mapfile -t COMPREPLY < <(compgen -P "$eq" -W "all" -- "$cur")
		return 0
		;;
	--cgroup)
		_ipctrace_cgroups "$eq" "$cur"
		return 0
		;;
	--netns)
		# ip netns's namespaces, or any file (a /proc/PID/ns/net).
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -P "$eq" -f -- "${cur:-/run/netns/}")
		return 0
		;;
	-c | --comm)
		# The names of the processes running now, once each.
		mapfile -t COMPREPLY < <(compgen -P "$eq" -W "$(cat /proc/[0-9]*/comm 2>/dev/null |
			sort -u | grep -v '[[:space:]]')" -- "$cur")
		return 0
		;;
	-u | --user)
		mapfile -t COMPREPLY < <(compgen -P "$eq" -u -- "$cur")
		return 0
		;;
	-o | --output | -w | --write | --graph | --prom-file | --web-config)
		# File names: quoted as such, and a directory gets its slash.
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -P "$eq" -f -- "$cur")
		return 0
		;;
	-i | --interval | -d | --duration | --count | --hex-bytes | --prom-rows | --max-rows | --max-objects | --max-procs | --listen)
		return 0	# a number or an address: nothing to offer
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
