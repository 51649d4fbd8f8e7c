#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Shared memory read and written through descriptors, with no mapping
needed, so exact: each call's bytes are known.

posix N: one child opens a POSIX shared memory object (/dev/shm) and
pwrite()s N bytes in pieces of 5,000; then another opens it by name and
pread()s them in pieces of 7,000.
memfd N: the process makes a memfd, maps it shared (an attach on the same
row) and writev()s N bytes, two buffers a call, in calls of 6,000; a child,
handed the descriptor by fork, pread()s the first half in pieces of 4,000
and sendfile()s the rest to /dev/null in pieces of 9,000.

Prints one JSON line: the object's name as ipctrace names it, the PIDs, N
and each process's calls."""
import json
import mmap
import os
import sys


def pieces(total, size):
    """The lengths of the calls that move total bytes size at a time."""
    return [min(size, total - off) for off in range(0, total, size)]


def in_child(fn):
    """Run fn in a child process; its PID once it has exited well."""
    pid = os.fork()
    if pid == 0:
        fn()
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        sys.exit("child failed")
    return pid


def pread_all(fd, lengths, offset=0):
    for n in lengths:
        if len(os.pread(fd, n, offset)) != n:
            sys.exit("short pread")
        offset += n


def posix(n):
    path = "/dev/shm/ipctrace-test-io.%d" % os.getpid()
    data = bytes(range(256)) * (n // 256 + 1)
    writes, reads = pieces(n, 5000), pieces(n, 7000)

    def writer():
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        off = 0
        for w in writes:
            if os.pwrite(fd, data[off:off + w], off) != w:
                sys.exit("short pwrite")
            off += w

    def reader():
        pread_all(os.open(path, os.O_RDONLY), reads)

    w = in_child(writer)
    r = in_child(reader)
    os.unlink(path)
    return {"object": path, "writer": w, "reader": r, "bytes": n,
            "writes": len(writes), "reads": len(reads)}


def memfd(n):
    name = "ipctrace-test-io.%d" % os.getpid()
    fd = os.memfd_create(name)
    os.ftruncate(fd, n)
    mem = mmap.mmap(fd, n, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    data = bytes(range(256)) * (n // 256 + 1)
    writes = pieces(n, 6000)
    off = 0
    for w in writes:
        half = w // 2
        if os.writev(fd, [data[off:off + half], data[off + half:off + w]]) != w:
            sys.exit("short writev")
        off += w
    head = n // 2
    preads, sends = pieces(head, 4000), pieces(n - head, 9000)

    def reader():
        pread_all(fd, preads)
        null = os.open("/dev/null", os.O_WRONLY)
        offset = head
        for s in sends:
            if os.sendfile(null, fd, offset, s) != s:
                sys.exit("short sendfile")
            offset += s

    r = in_child(reader)
    mem.close()
    return {"object": "memfd:" + name, "writer": os.getpid(), "reader": r, "bytes": n,
            "writes": len(writes), "reads": len(preads) + len(sends)}


if __name__ == "__main__":
    kind, size = sys.argv[1], int(sys.argv[2])
    print(json.dumps(posix(size) if kind == "posix" else memfd(size)), flush=True)
