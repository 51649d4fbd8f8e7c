#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Shared memory whose pages the kernel faults in for a call, so that
using them takes no page fault: a POSIX shared memory object of PAGES
pages, mapped by three processes in turn.

- the writer maps it MAP_SHARED|MAP_POPULATE, writable, and writes every
  page;
- the reader maps it read-only, madvise(MADV_POPULATE_READ)s all of it and
  reads every page;
- the filler maps it writable, madvise(MADV_POPULATE_WRITE)s its first
  PART pages and writes them.

Prints one JSON line: the object, each one's PID and pages."""
import ctypes
import json
import os
import sys

from shm_io import in_child

PAGE = os.sysconf("SC_PAGE_SIZE")
PROT_READ, PROT_WRITE = 1, 2
MAP_SHARED, MAP_POPULATE = 0x01, 0x8000
MADV_POPULATE_READ, MADV_POPULATE_WRITE = 22, 23

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]
libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]


def mapped(fd, pages, prot, flags):
    addr = libc.mmap(None, pages * PAGE, prot, flags, fd, 0)
    if addr in (None, ctypes.c_void_p(-1).value):
        sys.exit("mmap: " + os.strerror(ctypes.get_errno()))
    return addr


def populate(addr, pages, advice):
    if libc.madvise(addr, pages * PAGE, advice) != 0:
        sys.exit("madvise: " + os.strerror(ctypes.get_errno()))


pages, part = int(sys.argv[1]), int(sys.argv[2])
path = "/dev/shm/ipctrace-test-populate.%d" % os.getpid()
fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
os.ftruncate(fd, pages * PAGE)


def writer():
    addr = mapped(fd, pages, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE)
    ctypes.memset(addr, 0x5a, pages * PAGE)
    libc.munmap(addr, pages * PAGE)


def reader():
    addr = mapped(fd, pages, PROT_READ, MAP_SHARED)
    populate(addr, pages, MADV_POPULATE_READ)
    if ctypes.string_at(addr, pages * PAGE) != b"\x5a" * (pages * PAGE):
        sys.exit("not what the writer wrote")
    libc.munmap(addr, pages * PAGE)


def filler():
    addr = mapped(fd, pages, PROT_READ | PROT_WRITE, MAP_SHARED)
    populate(addr, part, MADV_POPULATE_WRITE)
    ctypes.memset(addr, 0x33, part * PAGE)
    libc.munmap(addr, pages * PAGE)


w, r, f = in_child(writer), in_child(reader), in_child(filler)
os.unlink(path)
print(json.dumps({"object": path, "writer": w, "reader": r, "filler": f,
                  "pages": pages, "part": part}), flush=True)
