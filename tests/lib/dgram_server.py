#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""dgram_server.py ADDR COUNT: binds a datagram socket at ADDR (a unix path,
or "udp" for a free UDP port on 127.0.0.1), says "ready pid PID port PORT;"
on stderr, receives COUNT datagrams, then prints
{"pid": PID, "bytes": B, "messages": COUNT} and exits."""
import json
import os
import socket
import sys


def main():
    addr, count = sys.argv[1], int(sys.argv[2])
    if addr == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(addr)
        port = 0
    print(f"ready pid {os.getpid()} port {port};", file=sys.stderr, flush=True)
    total = 0
    for _ in range(count):
        total += len(s.recv(65536))
    print(json.dumps({"pid": os.getpid(), "bytes": total, "messages": count}), flush=True)


main()
