#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Many short TCP connections on loopback, each moving SIZE bytes one way.

  many_connections.py server N         listen on 127.0.0.1 (the port goes to
                                       stdout), take N connections, read each
                                       to its end, then print a record
  many_connections.py client PORT N SIZE RATE
                                       say "ready pid P" on stderr, wait for
                                       SIGUSR1, then make N connections in turn,
                                       each sending SIZE bytes, at most RATE a
                                       second, from 127.0.0.2 to .9 in turn,
                                       and print a record

A record is one JSON line: {"pid", "role", "connections", "bytes"}, what the
process itself moved, for the test to hold ipctrace's counts against.
"""
import json
import os
import signal
import socket
import sys
import time


def server(n):
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(128)
    print(lst.getsockname()[1], flush=True)
    total = 0
    for _ in range(n):
        conn, _ = lst.accept()
        while True:
            data = conn.recv(65536)
            if not data:
                break
            total += len(data)
        conn.close()
    print(json.dumps({"pid": os.getpid(), "role": "server", "connections": n, "bytes": total}),
          flush=True)


def client(port, n, size, rate):
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    print(f"ready pid {os.getpid()}", file=sys.stderr, flush=True)
    signal.sigwait({signal.SIGUSR1})
    payload = b"x" * size
    total = 0
    start = time.monotonic()
    for i in range(n):
        ahead = i / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
        # From 127.0.0.2 to .9 in turn: eight addresses' ports give more
        # distinct connections (address tuples) than one's reuse allows.
        with socket.create_connection(("127.0.0.1", port),
                                      source_address=(f"127.0.0.{2 + i % 8}", 0)) as c:
            c.sendall(payload)
            total += size
    print(json.dumps({"pid": os.getpid(), "role": "client", "connections": n, "bytes": total}),
          flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]))
    else:
        client(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
