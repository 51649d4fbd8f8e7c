#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send SIGUSR2 to a child in three states, each outcome a known number of times.

usage: signal_outcomes.py > RECORD

The child first ignores SIGUSR2 (SIG_IGN): each kill is ignored. Then it
blocks it: the first kill is queued (delivered, in the kernel's words) and
each later one merges into it (already pending). Then it handles it
unblocked: each kill is queued and taken before the next one is sent, so
none finds another pending. Prints one JSON object: the sender's and the
child's PIDs and, per outcome, how many SIGUSR2 the kernel decided so.
"""
import json
import os
import signal
import sys

IGNORED, BLOCKED, HANDLED = 2, 4, 5


def child(cmd, ack):
    def step():
        os.write(ack, b".")
        os.read(cmd, 1)

    signal.signal(signal.SIGUSR2, signal.SIG_IGN)
    step()                                  # the parent sends IGNORED
    signal.signal(signal.SIGUSR2, lambda *_: None)
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2])
    step()                                  # ... BLOCKED
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR2])
    for _ in range(HANDLED + 1):
        # Back in user space after the read, a signal sent before the
        # parent's byte has been taken: the next one finds none pending.
        step()
    os._exit(0)


def main():
    cmd_r, cmd_w = os.pipe()
    ack_r, ack_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        child(cmd_r, ack_w)

    def wait_ack():
        if os.read(ack_r, 1) != b".":
            sys.exit("child gone")

    wait_ack()
    for _ in range(IGNORED):
        os.kill(pid, signal.SIGUSR2)
    os.write(cmd_w, b".")
    wait_ack()
    for _ in range(BLOCKED):
        os.kill(pid, signal.SIGUSR2)
    os.write(cmd_w, b".")
    wait_ack()
    for _ in range(HANDLED):
        os.kill(pid, signal.SIGUSR2)
        os.write(cmd_w, b".")
        wait_ack()
    os.write(cmd_w, b".")
    os.waitpid(pid, 0)
    print(json.dumps({"sender": os.getpid(), "target": pid, "sig": "SIGUSR2",
                      "number": int(signal.SIGUSR2),
                      "outcomes": {"ignored": IGNORED, "pending": BLOCKED - 1,
                                   "delivered": 1 + HANDLED}}))


if __name__ == "__main__":
    main()
