#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mmsg_sender.py ADDR SIZE...: one sendmmsg(2) call, without connect(),
of one datagram per SIZE (that many bytes) to ADDR (a unix datagram
socket's path, or 127.0.0.1:PORT for UDP); then prints
{"pid": PID, "comm": COMM, "bytes": B, "messages": M} of what the call
says it sent. Python's socket module has no sendmmsg: libc's, by ctypes."""
import ctypes
import json
import os
import socket
import sys


class Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class Msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
                ("iov", ctypes.POINTER(Iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


class Mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", Msghdr), ("len", ctypes.c_uint)]


def address(addr):
    """The socket and its sockaddr's bytes."""
    if addr.startswith("/"):
        path = addr.encode()
        return socket.AF_UNIX, (socket.AF_UNIX.to_bytes(2, "little") + path + b"\0")
    host, port = addr.rsplit(":", 1)
    return socket.AF_INET, (socket.AF_INET.to_bytes(2, "little") + int(port).to_bytes(2, "big")
                            + socket.inet_aton(host) + bytes(8))


def main():
    family, raw = address(sys.argv[1])
    sizes = [int(n) for n in sys.argv[2:]]
    s = socket.socket(family, socket.SOCK_DGRAM)
    name = ctypes.create_string_buffer(raw, len(raw))
    bufs = [ctypes.create_string_buffer(b"m" * n, n) for n in sizes]
    iovs = [Iovec(ctypes.cast(b, ctypes.c_void_p), n) for b, n in zip(bufs, sizes)]
    msgs = (Mmsghdr * len(sizes))()
    for i, iov in enumerate(iovs):
        msgs[i].hdr = Msghdr(ctypes.cast(name, ctypes.c_void_p), len(raw), ctypes.pointer(iov), 1,
                             None, 0, 0)
    libc = ctypes.CDLL(None, use_errno=True)
    sent = libc.sendmmsg(s.fileno(), msgs, len(sizes), 0)
    if sent != len(sizes):
        sys.exit(f"sendmmsg sent {sent} of {len(sizes)}: {os.strerror(ctypes.get_errno())}")
    with open("/proc/self/comm") as f:
        comm = f.read().strip()
    print(json.dumps({"pid": os.getpid(), "comm": comm,
                      "bytes": sum(msgs[i].len for i in range(sent)), "messages": sent}))


main()
