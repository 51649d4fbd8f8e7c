#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Slow HTTP clients: connections that trickle their headers and never end them.

usage: slow_clients.py PORT COUNT SECONDS

Keeps COUNT connections to 127.0.0.1:PORT, each sending a request line and
then one header line a second, never the blank line that ends the headers;
a connection the server closes (or refuses) is opened again at once. Prints
"holding COUNT" once the first COUNT are connected, then, after SECONDS,
one JSON object: how many connections were opened, the lifetime in seconds
of each one the server closed, and how many were still open.
"""
import json
import select
import socket
import sys
import time


class Slow:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: slow\r\n")
        self.opened = self.last = time.monotonic()
        self.lines = 0

    def trickle(self, now):
        """Another header line if a second has passed; False once closed."""
        if now - self.last < 1:
            return True
        self.last = now
        self.lines += 1
        try:
            self.sock.sendall(b"X-Slow-%d: x\r\n" % self.lines)
        except OSError:
            return False
        return True

    def closed(self):
        """The server closed it: what is left to read is its end."""
        try:
            return self.sock.recv(4096) == b""
        except OSError:
            return True


def reopen(port):
    try:
        return Slow(port)
    except OSError:
        return None


def main():
    port, count, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    conns = [Slow(port) for _ in range(count)]
    opened, refused, lifetimes = count, 0, []
    print(f"holding {count}", flush=True)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        live = [c.sock for c in conns if c]
        readable, _, _ = select.select(live, [], [], 0.05)
        now = time.monotonic()
        for i, c in enumerate(conns):
            if c and ((c.sock in readable and c.closed()) or not c.trickle(now)):
                lifetimes.append(round(now - c.opened, 3))
                c.sock.close()
                c = None
            if not c:
                conns[i] = reopen(port)
                opened += 1
                refused += conns[i] is None
    print(json.dumps({"opened": opened, "refused": refused, "lifetimes": lifetimes,
                      "open": sum(1 for c in conns if c)}), flush=True)


if __name__ == "__main__":
    main()
