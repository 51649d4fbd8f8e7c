#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""signal_family.py K GO_FILE: a parent and two children, all forked before
ipctrace starts. Once GO_FILE exists, child A ("sig-a") sends child B
("sig-b") SIGUSR1 K times, and B answers each with SIGUSR2: each waits for
the other's signal, so none is ever pending when the next comes (a standard
signal already pending would merge). Says "ready pid PARENT A B;" on stderr
once all three exist, and the parent exits when both children have."""
import os
import signal
import sys
import time


def name(comm):
    with open("/proc/self/comm", "w") as f:
        f.write(comm)


def child_b(k):
    name("sig-b")
    for _ in range(k):
        info = signal.sigwaitinfo({signal.SIGUSR1})
        os.kill(info.si_pid, signal.SIGUSR2)
    os._exit(0)


def child_a(k, b, go):
    name("sig-a")
    while not os.path.exists(go):
        time.sleep(0.02)
    for _ in range(k):
        os.kill(b, signal.SIGUSR1)
        signal.sigwaitinfo({signal.SIGUSR2})
    os._exit(0)


def main():
    k, go = int(sys.argv[1]), sys.argv[2]
    # Blocked before the forks: a signal that comes early waits for sigwaitinfo.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGUSR2})
    b = os.fork()
    if b == 0:
        child_b(k)
    a = os.fork()
    if a == 0:
        child_a(k, b, go)
    print(f"ready pid {os.getpid()} {a} {b};", file=sys.stderr, flush=True)
    for pid in (a, b):
        _, status = os.waitpid(pid, 0)
        if status:
            sys.exit(1)


main()
