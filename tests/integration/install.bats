#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# make install and make uninstall, run from the repository root as a packager
# would (DESTDIR, PREFIX); the man pages they install; and an installed
# ipctrace --demo finding ipc-demo on PATH, as child_start_demo in user/session/children.c
# expects once the two live in sbin and bin.
load helpers

VERSION=$(cat "$ROOT/VERSION")

# The files make install puts under PREFIX, with their modes.
INSTALLED=(
	"sbin/ipctrace 755"
	"bin/ipc-demo 755"
	"share/man/man8/ipctrace.8 644"
	"share/man/man5/ipctrace-output.5 644"
	"share/man/man7/ipctrace-mechanisms.7 644"
	"share/man/man1/ipc-demo.1 644"
	"share/bash-completion/completions/ipctrace 644"
	"share/bash-completion/completions/ipc-demo 644"
)

# make_in_root ARGS...: make in the repository root, quietly; the output is
# shown only when a test fails.
make_in_root() {
	run make -C "$ROOT" --no-print-directory "$@"
	echo "make $*: status $status"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "install: make install DESTDIR=... PREFIX=/usr puts every file in place, with its mode" {
	make_in_root install DESTDIR="$TMP/stage" PREFIX=/usr
	for entry in "${INSTALLED[@]}"; do
		file=$TMP/stage/usr/${entry% *}
		mode=${entry#* }
		echo "checking $file"
		[ -f "$file" ]
		[ "$(stat -c %a "$file")" = "$mode" ]
	done
	# Nothing else, and nothing outside DESTDIR/PREFIX.
	found=$(cd "$TMP/stage" && find . -type f | sort)
	want=$(for entry in "${INSTALLED[@]}"; do echo "./usr/${entry% *}"; done | sort)
	echo "found: $found"
	[ "$found" = "$want" ]
	# What was built, unchanged.
	cmp "$ROOT/build/ipctrace" "$TMP/stage/usr/sbin/ipctrace"
	cmp "$ROOT/build/ipc-demo" "$TMP/stage/usr/bin/ipc-demo"
	cmp "$ROOT/man/ipctrace.8" "$TMP/stage/usr/share/man/man8/ipctrace.8"
	cmp "$ROOT/man/ipctrace-output.5" "$TMP/stage/usr/share/man/man5/ipctrace-output.5"
	cmp "$ROOT/man/ipctrace-mechanisms.7" "$TMP/stage/usr/share/man/man7/ipctrace-mechanisms.7"
	cmp "$ROOT/completion/ipc-demo.bash" "$TMP/stage/usr/share/bash-completion/completions/ipc-demo"
	# The installed programs run.
	run "$TMP/stage/usr/sbin/ipctrace" --version
	[ "$status" -eq 0 ]
	[ "$output" = "ipctrace $VERSION" ]
	run "$TMP/stage/usr/bin/ipc-demo" --help
	[ "$status" -eq 0 ]
	# The installed completions register themselves under the commands' names,
	# the names bash-completion loads them by.
	run bash -c 'for f in "$1"/*; do source "$f"; done; complete -p ipctrace ipc-demo' \
		sh "$TMP/stage/usr/share/bash-completion/completions"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"_ipctrace ipctrace"* && $output == *"_ipc_demo ipc-demo"* ]]
}

@test "install: make uninstall removes what install put, and nothing else" {
	make_in_root install DESTDIR="$TMP/stage" PREFIX=/opt/ipctrace
	mkdir -p "$TMP/stage/opt/ipctrace/bin"
	echo keep >"$TMP/stage/opt/ipctrace/bin/other-tool"
	make_in_root uninstall DESTDIR="$TMP/stage" PREFIX=/opt/ipctrace
	found=$(cd "$TMP/stage" && find . -type f)
	echo "left: $found"
	[ "$found" = "./opt/ipctrace/bin/other-tool" ]
	# Twice is harmless.
	make_in_root uninstall DESTDIR="$TMP/stage" PREFIX=/opt/ipctrace
}

@test "install: the man pages render without warnings" {
	pages=("$ROOT"/man/*.[1578])
	[ "${#pages[@]}" -eq 4 ]
	for page in "${pages[@]}"; do
		echo "page $page"
		run --separate-stderr env LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page"
		echo "groff: status $status stderr [$stderr]"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		run --separate-stderr env LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page"
		echo "man: status $status stderr [$stderr]"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		# A command's page (sections 1 and 8) has the usual sections; a
		# format's or an overview's (5 and 7) at least these.
		case $page in
		*.[18]) [[ $output == *NAME*SYNOPSIS*DESCRIPTION*OPTIONS*EXIT\ STATUS*EXAMPLES*SEE\ ALSO* ]] ;;
		*) [[ $output == *NAME*DESCRIPTION*SEE\ ALSO* ]] ;;
		esac
		# Each page names the others in SEE ALSO (read in the source, where
		# no line break can split a name).
		see_also=$(sed -n '/^\.SH SEE ALSO/,$p' "$page")
		for other in ipctrace.8 ipctrace-output.5 ipctrace-mechanisms.7 ipc-demo.1; do
			[ "${page##*/}" = "$other" ] && continue
			name=${other%.*} section=${other##*.}
			grep -qF -- ".BR ${name//-/\\-} ($section)" <<<"$see_also" ||
				{ echo "$page: SEE ALSO does not name $name($section)"; return 1; }
		done
	done
	# Installed, man finds them by name and section.
	make_in_root install DESTDIR="$TMP/stage" PREFIX=/usr
	run env MANPATH="$TMP/stage/usr/share/man" MANWIDTH=80 man 8 ipctrace
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *"IPCTRACE(8)"* ]]
	run env MANPATH="$TMP/stage/usr/share/man" MANWIDTH=80 man 1 ipc-demo
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *"IPC-DEMO(1)"* ]]
	run env MANPATH="$TMP/stage/usr/share/man" MANWIDTH=80 man ipctrace-output
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *"IPCTRACE-OUTPUT(5)"* ]]
	run env MANPATH="$TMP/stage/usr/share/man" MANWIDTH=80 man 7 ipctrace-mechanisms
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *"IPCTRACE-MECHANISMS(7)"* ]]
}

@test "install: the man pages name the version and every option of the programs" {
	for page in "$ROOT"/man/*.[1578]; do
		grep -qE "^\.TH .* \"ipctrace $VERSION\"" "$page" ||
			{ echo "$page: .TH does not say ipctrace $VERSION"; return 1; }
	done
	# Options as the programs list them; in roff a dash is written \-.
	run "$IPCTRACE" --help
	[ "$status" -eq 0 ]
	opts=$(printf '%s\n' "$output" | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' |
		grep -oE -- '-{1,2}[a-zA-Z-]+')
	[ -n "$opts" ]
	for opt in $opts; do
		grep -qF -- "${opt//-/\\-}" "$ROOT/man/ipctrace.8" ||
			{ echo "ipctrace.8 does not mention $opt"; return 1; }
	done
	run "$DEMO" --help
	[ "$status" -eq 0 ]
	opts=$(printf '%s\n' "$output" | grep -oE '^ +(-[a-z], )?--[a-z-]+' |
		grep -oE -- '-{1,2}[a-z-]+')
	demos=$(printf '%s\n' "$output" | sed -n '/^DEMO:/,/^$/p' | sed -nE 's/^  ([a-z-]+) .*/\1/p')
	[ -n "$opts" ] && [ -n "$demos" ]
	for word in $opts $demos; do
		grep -qF -- "${word//-/\\-}" "$ROOT/man/ipc-demo.1" ||
			{ echo "ipc-demo.1 does not mention $word"; return 1; }
	done
}

@test "install: an installed ipctrace --demo finds ipc-demo on PATH" {
	make_in_root install PREFIX="$TMP/prefix"
	# ipctrace in sbin, ipc-demo only in bin: not beside it, so only PATH
	# can find it, and build/ must not be on PATH for the test to mean that.
	[ ! -e "$TMP/prefix/sbin/ipc-demo" ]
	run --separate-stderr env PATH="$TMP/prefix/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
		timeout 60 "$TMP/prefix/sbin/ipctrace" --demo -d 2 --json -t pipe
	echo "status $status stderr [$stderr]"
	[ "$status" -eq 0 ]
	[[ $stderr != *"cannot run ipc-demo"* ]]
	final=$(grep '"final":true' <<<"$output" | tail -n 1)
	[ -n "$final" ]
	# The demo's own processes, by the names they give themselves.
	jq -e '[.rows[] | select(.comm == "pipe-parent" and .type == "pipe" and .bytes > 0)]
		| length > 0' <<<"$final"
	jq -e '[.rows[] | select(.comm == "pipe-child")] | length > 0' <<<"$final"
}

# What each purpose installs, by tools/install-deps.sh's own lists: make run
# (purpose run) must bring no test tool, fuzzer runtime or server; make test
# everything the tests call.
@test "install: install-deps.sh gives make run no test, fuzz or server package, and make test the test tools" {
	run -0 "$ROOT/tools/install-deps.sh" --list run
	run_pkgs=$output
	echo "run: $run_pkgs"
	for p in make clang libbpf-dev bpftool libmicrohttpd-dev; do
		grep -qx "$p" <<<"$run_pkgs"
	done
	run -0 "$ROOT/tools/install-deps.sh" --list test fuzz bench qemu
	for p in bats libcmocka-dev prometheus postgresql libclang-rt-14-dev bpftrace qemu-system-arm; do
		grep -qx "$p" <<<"$output"
		if grep -qx "$p" <<<"$run_pkgs"; then
			echo "make run would install $p"
			return 1
		fi
	done
	run -0 "$ROOT/tools/install-deps.sh" --list test
	for p in bats libcmocka-dev jq socat tmux graphviz prometheus postgresql strace make clang; do
		grep -qx "$p" <<<"$output"
	done
}

@test "install: install-deps.sh answers an unknown purpose with one line and status 2" {
	run -2 "$ROOT/tools/install-deps.sh" tests
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == *"unknown purpose 'tests'"*usage:* ]]
}
