#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sends N bytes of a file into a socket with sendfile(2), then the same
through a pipe with splice(2), counting the calls each took (the kernel
moves each call's bytes in pieces of a pipe's worth). A thread reads them.
Prints one JSON line: the PID, N, and the sendfile and splice calls.

usage: sendfile_once.py unix|tcp N"""
import json
import os
import sys
import tempfile
import threading

from stream_pair import stream_pair

kind, n = sys.argv[1], int(sys.argv[2])
a, b = stream_pair(kind)
received = 0


def reader():
    global received
    while received < 2 * n:
        data = b.recv(1 << 16)
        if not data:
            break
        received += len(data)


t = threading.Thread(target=reader)
t.start()
with tempfile.TemporaryFile() as f:
    f.write(os.urandom(n))
    f.flush()
    sendfile_calls = off = 0
    while off < n:
        off += os.sendfile(a.fileno(), f.fileno(), off, n - off)
        sendfile_calls += 1
r, w = os.pipe()
os.set_blocking(w, True)
feeder = threading.Thread(target=lambda: [os.write(w, os.urandom(n)), os.close(w)])
feeder.start()
splice_calls = moved = 0
while moved < n:
    moved += os.splice(r, a.fileno(), n - moved)
    splice_calls += 1
feeder.join()
t.join()
assert received == 2 * n, received
print(json.dumps({"pid": os.getpid(), "bytes": n, "sendfile_calls": sendfile_calls,
                  "splice_calls": splice_calls}), flush=True)
