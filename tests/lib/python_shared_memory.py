#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Python's own POSIX shared memory: multiprocessing.shared_memory.

usage: python_shared_memory.py SIZE [LOCKS]

The parent makes LOCKS multiprocessing.Lock()s first (a shared mapping
each, which the child inherits), then creates a segment of SIZE bytes; a child process attaches to it by
name and fills it; the parent reads it back, then unlinks it. Prints one JSON
line with the segment's name and both PIDs.
"""
import json
import multiprocessing
import os
import sys
from multiprocessing import shared_memory


def fill(name, size, pids):
    shm = shared_memory.SharedMemory(name=name)
    pids.put(os.getpid())
    shm.buf[:size] = b"x" * size
    shm.close()


def main():
    size = int(sys.argv[1])
    multiprocessing.set_start_method("fork")
    locks = [multiprocessing.Lock() for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 0)]
    shm = shared_memory.SharedMemory(create=True, size=size)
    pids = multiprocessing.Queue()
    child = multiprocessing.Process(target=fill, args=(shm.name, size, pids))
    child.start()
    child_pid = pids.get()
    child.join()
    assert bytes(shm.buf[:size]) == b"x" * size
    name = shm.name
    shm.close()
    shm.unlink()
    print(json.dumps({"name": "/dev/shm/" + name, "parent": os.getpid(), "child": child_pid,
                      "locks": len(locks)}), flush=True)


if __name__ == "__main__":
    main()
