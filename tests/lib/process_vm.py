#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Copy a known number of bytes into a child's memory with process_vm_writev
and out of it with process_vm_readv, through ctypes, and say so.

usage: process_vm.py WRITES WRITE_SIZE READS READ_SIZE

The child stops itself until the copies are done; its buffer is at the same
address as the parent's, allocated before the fork. Prints one JSON line:
the parent's and the child's PIDs and the bytes and calls each way.
"""
import ctypes
import json
import os
import signal
import sys


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


def copy(libc, fn, pid, local, remote, n):
    l, r = IoVec(ctypes.addressof(local), n), IoVec(ctypes.addressof(remote), n)
    got = fn(pid, ctypes.byref(l), 1, ctypes.byref(r), 1, 0)
    if got != n:
        sys.exit(f"copied {got} of {n}: {os.strerror(ctypes.get_errno())}")
    return got


def main():
    writes, wsize, reads, rsize = (int(a) for a in sys.argv[1:5])
    libc = ctypes.CDLL(None, use_errno=True)
    for fn in (libc.process_vm_writev, libc.process_vm_readv):
        fn.restype = ctypes.c_ssize_t
    remote = ctypes.create_string_buffer(max(wsize, rsize))
    child = os.fork()
    if child == 0:
        os.kill(os.getpid(), signal.SIGSTOP)
        os._exit(0)
    os.waitpid(child, os.WUNTRACED)
    local = ctypes.create_string_buffer(b"w" * max(wsize, rsize))
    sent = sum(copy(libc, libc.process_vm_writev, child, local, remote, wsize)
               for _ in range(writes))
    got = sum(copy(libc, libc.process_vm_readv, child, local, remote, rsize)
              for _ in range(reads))
    os.kill(child, signal.SIGCONT)
    os.waitpid(child, 0)
    print(json.dumps({"parent": os.getpid(), "child": child, "written": sent,
                      "writes": writes, "read": got, "reads": reads}))


if __name__ == "__main__":
    main()
