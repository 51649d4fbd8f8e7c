#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Short TCP connections on loopback whose last bytes come just before
their close, at any moment of ipctrace's interval.

  short_connections.py server N       listen on 127.0.0.1 (the port goes to
                                      stdout), take N connections (HOLD
                                      included), read each
                                      to its end, then print a record
  short_connections.py client PORT N SIZE PAUSE THREADS [HOLD]
                                      open HOLD connections, say "ready pid
                                      P" on stderr, wait for SIGUSR1, send a
                                      byte on each (rows that live on beside
                                      those that close, until the end), then
                                      make N connections from
                                      THREADS threads: each sends SIZE // 2
                                      bytes, waits up to PAUSE seconds (spread
                                      evenly over the connections), sends the
                                      rest and closes at once; then print a
                                      record

  short_connections.py run N SIZE PAUSE THREADS [HOLD]
                                      the server in a child process and the
                                      client here, at once (for ipctrace to
                                      run as its command): both records

A row read between the two sends and found closed before the next read
has bytes the kernel counted after that read: ipctrace must read them
before it deletes the row. A record is one JSON line: {"pid", "role",
"connections", "bytes"}, what the process itself moved.
"""
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time


def server(n):
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(512)
    lst.setblocking(False)
    print(lst.getsockname()[1], flush=True)
    sel = selectors.DefaultSelector()
    sel.register(lst, selectors.EVENT_READ)
    total = done = 0
    while done < n:
        for key, _ in sel.select():
            if key.fileobj is lst:
                try:
                    conn, _ = lst.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                sel.register(conn, selectors.EVENT_READ)
                continue
            try:
                data = key.fileobj.recv(65536)
            except BlockingIOError:
                continue
            total += len(data)
            if not data:
                sel.unregister(key.fileobj)
                key.fileobj.close()
                done += 1
    print(json.dumps({"pid": os.getpid(), "role": "server", "connections": n, "bytes": total}),
          flush=True)


def connections(port, ids, size, pause, n, moved):
    first = b"x" * (size // 2)
    rest = b"y" * (size - size // 2)
    for i in ids:
        # From 127.0.0.2 to .9 in turn: more distinct address tuples than
        # one source address's ports give.
        with socket.create_connection(("127.0.0.1", port),
                                      source_address=(f"127.0.0.{2 + i % 8}", 0)) as c:
            c.sendall(first)
            time.sleep(pause * i / n)
            c.sendall(rest)
        moved.append(size)


def client(port, n, size, pause, threads, hold, wait=True):
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    held = [socket.create_connection(("127.0.0.1", port),
                                     source_address=(f"127.0.0.{2 + i % 8}", 0))
            for i in range(hold)]
    if wait:
        print(f"ready pid {os.getpid()}", file=sys.stderr, flush=True)
        signal.sigwait({signal.SIGUSR1})
    for c in held:
        c.sendall(b"h")
    moved = []
    workers = [threading.Thread(target=connections,
                                args=(port, range(t, n, threads), size, pause, n, moved))
               for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for c in held:
        c.close()
    print(json.dumps({"pid": os.getpid(), "role": "client", "connections": len(moved) + hold,
                      "bytes": sum(moved) + hold}), flush=True)


def run(n, size, pause, threads, hold):
    srv = subprocess.Popen([sys.executable, __file__, "server", str(n + hold)],
                           stdout=subprocess.PIPE, text=True)
    port = int(srv.stdout.readline())
    client(port, n, size, pause, threads, hold, wait=False)
    print(srv.stdout.readline(), end="", flush=True)
    if srv.wait():
        sys.exit("short_connections.py: the server failed")


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]))
    elif sys.argv[1] == "run":
        run(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]),
            int(sys.argv[6]) if len(sys.argv) > 6 else 0)
    else:
        client(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]),
               int(sys.argv[6]), int(sys.argv[7]) if len(sys.argv) > 7 else 0)
