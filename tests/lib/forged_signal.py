#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A sender that forges its signals' si_code: N SIGUSR1s through
rt_sigqueueinfo(2) claiming SI_TIMER, which the kernel accepts from a user
for another process. ipctrace must still name the sender. Prints one JSON
line: the sender's and receiver's PIDs and how many it sent."""
import ctypes
import json
import os
import signal
import sys
import time

SI_TIMER = -2
n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
libc = ctypes.CDLL(None, use_errno=True)
SYS_rt_sigqueueinfo = {"x86_64": 129, "aarch64": 138}[os.uname().machine]

r, w = os.pipe()
child = os.fork()
if child == 0:
    os.close(r)
    got = []
    signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
    os.write(w, b"x")
    deadline = time.monotonic() + 30
    while len(got) < n and time.monotonic() < deadline:
        time.sleep(0.01)
    os._exit(0 if len(got) == n else 1)
os.close(w)
os.read(r, 1)
for _ in range(n):
    info = (ctypes.c_int * 32)()
    info[0], info[1], info[2] = signal.SIGUSR1, 0, SI_TIMER
    info[4] = os.getpid()  # si_pid, as sigqueue() fills it
    if libc.syscall(SYS_rt_sigqueueinfo, child, signal.SIGUSR1, info) != 0:
        sys.exit(f"rt_sigqueueinfo: {os.strerror(ctypes.get_errno())}")
    time.sleep(0.02)  # each one handled before the next: none merged
_, status = os.waitpid(child, 0)
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit("the receiver did not get every signal")
print(json.dumps({"sender": os.getpid(), "receiver": child, "sent": n}), flush=True)
