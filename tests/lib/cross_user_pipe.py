#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A pipe between two users: root writes, another user holds the read end.

  cross_user_pipe.py USER N SIZE

Run as root. Forks a child that becomes USER (no supplementary groups) and
holds the pipe's read end without reading it until SIGTERM; the parent,
still root, writes N chunks of SIZE bytes into the pipe, then prints one
JSON line {"writer", "holder", "ino", "bytes", "ops"} and waits for the
child. Only /proc/HOLDER/fd tells that the holder is the writer's peer: it
moves nothing. N * SIZE must fit in the pipe's buffer (64 KiB).
"""
import json
import os
import pwd
import signal
import sys

user, n, size = pwd.getpwnam(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
r, w = os.pipe()
holder = os.fork()
if holder == 0:
    os.close(w)
    os.setgroups([])
    os.setresgid(user.pw_gid, user.pw_gid, user.pw_gid)
    os.setresuid(user.pw_uid, user.pw_uid, user.pw_uid)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    while True:
        signal.pause()
os.close(r)
for _ in range(n):
    os.write(w, b"z" * size)
print(json.dumps({"writer": os.getpid(), "holder": holder, "ino": os.fstat(w).st_ino,
                  "bytes": n * size, "ops": n}), flush=True)
os.waitpid(holder, 0)
