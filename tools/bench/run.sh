#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: ipctrace's benchmark (tools/bench/bench.py does the work).
# This wrapper only gets the machine ready: root, the two comparison tracers
# and the real applications' servers and clients (install-deps.sh bench),
# tracefs for bpftrace's tracepoint: probes. bench.py starts the servers
# itself, in a temporary directory, and stops them (tools/bench/apps.py). Options go to bench.py
# (tools/bench/run.sh --help); --hookcost first runs the hot-path variants
# instead (tools/bench/hookcost/run.py).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root (BPF, tracefs, sysctl): sudo make bench" >&2
	exit 1
fi

# bpftrace and strace are what ipctrace is compared with, the servers what it
# traces, not build dependencies: install-deps.sh's bench purpose has them.
"$here/../install-deps.sh" bench

# tracepoint: probes look their event ids up in tracefs, which this
# machine's kernel does not mount at boot. Left mounted afterwards: other
# tools may have started using it meanwhile.
if [ ! -e /sys/kernel/tracing/events ]; then
	echo "bench: mounting tracefs on /sys/kernel/tracing (bpftrace needs it)" >&2
	mount -t tracefs nodev /sys/kernel/tracing
fi

if [ "${1:-}" = --hookcost ]; then
	shift
	exec python3 "$here/hookcost/run.py" "$@"
fi
exec python3 "$here/bench.py" "$@"
