#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A child sends N bytes into a stream socket; the parent takes them out of
the other end with splice(2) into a pipe (and reads the pipe), counting the
splice calls that moved data. Prints one JSON line: both PIDs, N, the
splice calls, and the inode of the parent's socket.

usage: splice_out.py unix|tcp N"""
import json
import os
import socket
import sys

from stream_pair import stream_pair

kind, n = sys.argv[1], int(sys.argv[2])
a, b = stream_pair(kind)
child = os.fork()
if child == 0:
    b.close()
    a.sendall(b"s" * n)
    a.close()
    os._exit(0)
a.close()
r, w = os.pipe()
moved = splices = 0
while moved < n:
    got = os.splice(b.fileno(), w, 1 << 16)
    if got == 0:
        break
    moved += got
    splices += 1
    while got:
        got -= len(os.read(r, got))
os.waitpid(child, 0)
if moved != n:
    sys.exit(f"spliced {moved} of {n}")
print(json.dumps({"receiver": os.getpid(), "sender": child, "bytes": n,
                  "splices": splices, "ino": os.fstat(b.fileno()).st_ino}))
