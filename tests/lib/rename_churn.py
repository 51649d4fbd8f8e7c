#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""An attacker of the metrics' label sets: N processes, each naming itself
anew (r00000, r00001...) and writing K bytes into one pipe that this
process, named rename-reader, reads to the end.

usage: rename_churn.py N K
Prints "wrote N*K" once every byte was read.
"""
import ctypes
import os
import sys

PR_SET_NAME = 15
libc = ctypes.CDLL(None, use_errno=True)


def main():
    count, size = int(sys.argv[1]), int(sys.argv[2])
    libc.prctl(PR_SET_NAME, b"rename-reader", 0, 0, 0)
    r, w = os.pipe()
    total = 0
    for i in range(count):
        pid = os.fork()
        if pid == 0:
            os.close(r)
            libc.prctl(PR_SET_NAME, b"r%05d" % i, 0, 0, 0)
            os.write(w, b"x" * size)
            os._exit(0)
        total += len(os.read(r, size))
        os.waitpid(pid, 0)
    os.close(w)
    print(f"wrote {total}", flush=True)


if __name__ == "__main__":
    main()
