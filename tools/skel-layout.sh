#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# usage: tools/skel-layout.sh DEFAULT.skel.h PORTABLE.skel.h
#
# ipctrace's user code is compiled against the default BPF build's skeleton
# and may open the portable build's bytes through it (user/loader/tracer.c), which
# is only right if both builds have the same maps, programs and settings at
# the same offsets. Their skeletons say so: apart from their names and the
# embedded object, they must be the same text. Fails the build if not.
set -eu

layout() {
	# Drop the object's bytes (from the line that opens the string to the
	# one that closes it) and its size, then the names.
	sed -e '/return (const void \*)"\\$/,/";$/d' -e '/^\t\*sz = [0-9]*;$/d' \
	    -e 's/ipctrace_portable_bpf/ipctrace_bpf/g' \
	    -e 's/IPCTRACE_PORTABLE_BPF/IPCTRACE_BPF/g' "$1"
}

a=$(mktemp) b=$(mktemp)
trap 'rm -f "$a" "$b"' EXIT
layout "$1" >"$a"
layout "$2" >"$b"
if ! diff -u "$a" "$b" >&2; then
	echo "$2: the portable BPF build's maps, programs or settings differ from $1's" \
	     "(see the diff above): keep them the same in both builds" >&2
	exit 1
fi
