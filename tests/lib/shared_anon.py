#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Shared anonymous memory made before the tracer starts, as a database
makes its main shared memory at start: the parent maps PAGES pages
(MAP_SHARED|MAP_ANONYMOUS, Python's mmap of -1), says "ready" on stderr and
waits for SIGUSR1; then a child it forks writes every page, and the parent
keeps it mapped for a second more. Prints one JSON
line: both PIDs and the pages.

usage: shared_anon.py PAGES"""
import json
import mmap
import os
import signal
import sys
import time

pages = int(sys.argv[1])
mem = mmap.mmap(-1, pages * mmap.PAGESIZE)
signal.signal(signal.SIGUSR1, lambda s, f: None)
print("ready", file=sys.stderr, flush=True)
signal.pause()
child = os.fork()
if child == 0:
    for p in range(pages):
        mem[p * mmap.PAGESIZE] = 1
    os._exit(0)
os.waitpid(child, 0)
time.sleep(1)  # still mapped, as a server's memory is: a scan finds it
print(json.dumps({"parent": os.getpid(), "child": child, "pages": pages}), flush=True)
