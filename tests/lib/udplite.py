#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""UDP-Lite over loopback (IPv4 then IPv6): a server bound to a free port
sends each datagram back; a client, connected to it, sends COUNT datagrams
of SIZE bytes, one in flight at a time, and reads each back.
Prints one JSON line per family: both PIDs, the datagrams and their bytes.

usage: udplite.py COUNT SIZE"""
import json
import os
import socket
import sys

IPPROTO_UDPLITE = 136
count, size = int(sys.argv[1]), int(sys.argv[2])

for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    server = socket.socket(family, socket.SOCK_DGRAM, IPPROTO_UDPLITE)
    server.bind((host, 0))
    pid = os.fork()
    if pid == 0:
        for _ in range(count):
            data, peer = server.recvfrom(65536)
            server.sendto(data, peer)
        os._exit(0)
    client = socket.socket(family, socket.SOCK_DGRAM, IPPROTO_UDPLITE)
    client.connect(server.getsockname()[:2])
    for _ in range(count):
        client.send(b"u" * size)
        if len(client.recv(65536)) != size:
            sys.exit("short datagram")
    os.waitpid(pid, 0)
    print(json.dumps({"family": "ipv4" if family == socket.AF_INET else "ipv6",
                      "server": pid, "client": os.getpid(), "datagrams": count,
                      "bytes": count * size}), flush=True)
    server.close()
    client.close()
