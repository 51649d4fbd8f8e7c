#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A channel with a slow writer and a reader that waits for it, then one
with a fast writer that fills it first and a reader that never waits; over
a pipe, then over a unix socketpair (the socket tracepoints' path).

usage: slow_reader.py MESSAGES GAP_S

Prints one JSON line per process and direction: pid, ino, dir, ops, the
time the process spent inside its read or write calls (in_call_s), measured
around each call with the monotonic clock, the part of it the thread was
not on a CPU (off_cpu_s: in_call_s less the thread's CPU time in the calls),
the time it waited on a run queue for a CPU meanwhile (runq_s, from the
kernel's schedstat for the thread), and the time from its first call to its
last return (span_s). A call's time off the CPU is its sleep plus any time
it waited for a CPU, which WAIT leaves out: off_cpu_s less runq_s is what
WAIT should find. (in_call_s alone would count the calls' own work too, a
few microseconds a call on these machines but most of a millisecond under
software emulation; and on a busy machine a call that never sleeps can wait
milliseconds for a CPU.)
"""
import json
import os
import socket
import sys
import time

SIZE = 512


def runq_ns():
    """The thread's time so far waiting on a run queue (schedstat's second field)."""
    with open("/proc/thread-self/schedstat") as f:
        return int(f.read().split()[1])


def timed(fn, *args):
    """fn's result, the wall time it took, the part of that off the CPU, and
    the thread's wait for a CPU around it. The run queue is read outside the
    clock's window: a wait while reading it counts too, so runq can only be
    more than the call's, never less."""
    q0 = runq_ns()
    t0, c0 = time.monotonic(), time.thread_time()
    ret = fn(*args)
    wall = time.monotonic() - t0
    off = max(0.0, wall - (time.thread_time() - c0))
    return ret, wall, off, (runq_ns() - q0) / 1e9


def report(phase, kind, ino, direction, ops, in_call, off_cpu, runq, span):
    print(json.dumps({"phase": phase, "pid": os.getpid(), "type": kind, "ino": ino,
                      "dir": direction, "ops": ops, "in_call_s": in_call,
                      "off_cpu_s": off_cpu, "runq_s": runq, "span_s": span}),
          flush=True)


def channel(kind):
    """Read and write ends, and the inode of each end's object."""
    if kind == "pipe":
        r, w = os.pipe()
        return r, w, os.fstat(r).st_ino, os.fstat(r).st_ino
    a, b = socket.socketpair()
    r, w = a.detach(), b.detach()
    return r, w, os.fstat(r).st_ino, os.fstat(w).st_ino


def run(phase, kind, messages, gap):
    r, w, r_ino, w_ino = channel(kind)
    child = os.fork()
    if child == 0:
        os.close(r)
        start, in_call, off_cpu, runq = time.monotonic(), 0.0, 0.0, 0.0
        for _ in range(messages):
            if gap:
                time.sleep(gap)
            _, dt, off, q = timed(os.write, w, b"m" * SIZE)
            in_call += dt
            off_cpu += off
            runq += q
        report(phase, kind, w_ino, "tx", messages, in_call, off_cpu, runq, time.monotonic() - start)
        os._exit(0)
    os.close(w)
    if not gap:
        os.waitpid(child, 0)	# all written before the first read: no read waits
    start, in_call, off_cpu, runq, ops = time.monotonic(), 0.0, 0.0, 0.0, 0
    while True:
        data, dt, off, q = timed(os.read, r, SIZE)
        if not data:
            break
        in_call += dt
        off_cpu += off
        runq += q
        ops += 1
    report(phase, kind, r_ino, "rx", ops, in_call, off_cpu, runq, time.monotonic() - start)
    os.close(r)
    if gap:
        os.waitpid(child, 0)


def main():
    messages, gap = int(sys.argv[1]), float(sys.argv[2])
    for kind in ("pipe", "unix"):
        run("slow", kind, messages, gap)
        run("fast", kind, messages, 0)


if __name__ == "__main__":
    main()
