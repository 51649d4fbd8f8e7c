#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One process holding both ends of a pseudo-terminal, from before ipctrace
starts: so that ipctrace's first look at its descriptors (-p) finds the
master on /dev/ptmx before any row does.

usage: pty_pair.py GO STOP N M

Opens a pty (raw mode: no echo, no line editing), prints its PID and the
slave's path, waits for the file GO, writes N bytes into the master and
reads them from the slave, then M bytes the other way, prints one JSON line
(pid, slave, the byte counts) and waits for the file STOP, holding both.
"""
import json
import os
import sys
import time
import tty


def read_all(fd, n):
    got = 0
    while got < n:
        got += len(os.read(fd, n - got))
    return got


def wait_file(path):
    while not os.path.exists(path):
        time.sleep(0.05)


def main():
    go, stop, n, m = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    master, slave = os.openpty()
    tty.setraw(slave)
    print(os.getpid(), os.ttyname(slave), flush=True)
    wait_file(go)
    os.write(master, b"m" * n)
    read_all(slave, n)
    os.write(slave, b"s" * m)
    read_all(master, m)
    print(json.dumps({"pid": os.getpid(), "slave": os.ttyname(slave), "to_slave": n,
                      "to_master": m}), flush=True)
    wait_file(stop)


if __name__ == "__main__":
    main()
