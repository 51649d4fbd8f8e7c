#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send known random payloads over a pipe, a unix socketpair, UDP and TCP on
loopback, and say what was sent: one JSON line per transfer, with the sending
and receiving pids, the type, the byte count and the data in hex. Both ends
are this process, so each transfer is one tx and one rx operation.

usage: payloads.py [--wait]

With --wait, it prints "ready PID" on stderr and waits for SIGUSR1 first,
so that a tracer can be pointed at it (-p PID) before any data moves.
"""
import json
import os
import signal
import socket
import sys


def ino(fd):
    return os.fstat(fd if isinstance(fd, int) else fd.fileno()).st_ino


def record(kind, data, tx, rx):
    """tx, rx: the sending and receiving ends (descriptors or sockets)."""
    print(json.dumps({"pid": os.getpid(), "type": kind, "bytes": len(data), "hex": data.hex(),
                      "tx_ino": ino(tx), "rx_ino": ino(rx)}))


def main():
    if "--wait" in sys.argv:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
        print(f"ready {os.getpid()}", file=sys.stderr, flush=True)
        signal.sigwait({signal.SIGUSR1})
    sizes = [1, 17, 300, 4000]
    r, w = os.pipe()
    for n in sizes:
        data = os.urandom(n)
        os.write(w, data)
        assert os.read(r, n) == data
        record("pipe", data, w, r)
    # writev: the first buffer is what -x shows.
    a, b = os.urandom(40), os.urandom(60)
    os.writev(w, [a, b])
    assert os.read(r, 100) == a + b
    print(json.dumps({"pid": os.getpid(), "type": "pipe", "bytes": 100, "vectored": True,
                      "tx_hex": a.hex(), "rx_hex": (a + b).hex(),
                      "tx_ino": ino(w), "rx_ino": ino(r)}))

    s1, s2 = socket.socketpair()
    for n in sizes:
        data = os.urandom(n)
        s1.sendall(data)
        got = b""
        while len(got) < n:
            got += s2.recv(n - len(got))
        assert got == data
        record("unix", data, s1, s2)

    u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u2.bind(("127.0.0.1", 0))
    for n in sizes:
        data = os.urandom(n)
        u1.sendto(data, u2.getsockname())
        assert u2.recv(n) == data
        record("udp", data, u1, u2)

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    c = socket.create_connection(srv.getsockname())
    conn, _ = srv.accept()
    for n in sizes[:3]:	# one segment each, so that one send is one receive
        data = os.urandom(n)
        c.sendall(data)
        got = b""
        while len(got) < n:
            got += conn.recv(n - len(got))
        assert got == data
        record("tcp", data, c, conn)


if __name__ == "__main__":
    main()
