#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A PID that comes round again, on purpose. Process A (comm OLD) writes
N bytes into a pipe and exits; then a process B (comm NEW, as USER if
given) is handed A's PID through /proc/sys/kernel/ns_last_pid, as anyone
with a PID namespace of their own can do, and writes M bytes into the same
pipe. This process reads all of it. Prints one JSON line: the PID, both
processes' start times (/proc/PID/stat's 22nd field), the byte counts and
the reader's PID.

usage: pid_reuse.py OLD NEW N M [UID GID]"""
import json
import os
import sys
import time

old, new, n, m = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ids = (int(sys.argv[5]), int(sys.argv[6])) if len(sys.argv) > 6 else None


def start_time(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[19])


def writer(comm, nbytes, w, sync, drop=None):
    """The child's side: name itself, maybe become another user, write."""
    with open("/proc/self/comm", "w") as f:
        f.write(comm)
    if drop:
        os.setgroups([])
        os.setgid(drop[1])
        os.setuid(drop[0])
    os.write(sync, str(start_time(os.getpid())).encode() + b"\n")
    left = nbytes
    while left:
        left -= os.write(w, b"x" * min(left, 4096))
    os._exit(0)


r, w = os.pipe()
sr, sw = os.pipe()
total = 0
a = os.fork()
if a == 0:
    writer(old, n, w, sw)
a_start = int(os.read(sr, 64))
while total < n:
    total += len(os.read(r, 65536))
os.waitpid(a, 0)

# Hand A's PID to the next fork, in a later clock tick: only root can hand a
# PID back at once (the host's ns_last_pid); anyone else has to go round all
# of them, which takes longer than a tick. Another process on the machine
# may take it first: then try again.
time.sleep(0.02)
for attempt in range(500):
    with open("/proc/sys/kernel/ns_last_pid", "w") as f:
        f.write(str(a - 1))
    b = os.fork()
    if b == 0:
        if os.getpid() != a:
            os._exit(3)
        writer(new, m, w, sw, ids)
    if b == a:
        break
    os.waitpid(b, 0)
else:
    sys.exit(f"pid_reuse: PID {a} did not come round in 500 forks")
b_start = int(os.read(sr, 64))
while total < n + m:
    total += len(os.read(r, 65536))
os.waitpid(b, 0)
print(json.dumps({"pid": a, "old_start": a_start, "new_start": b_start, "old": n, "new": m,
                  "reader": os.getpid()}), flush=True)
