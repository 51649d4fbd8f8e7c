#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""NETLINK_USERSOCK without connect(): a receiver bound to a port id the
kernel picks, and two senders, each sending COUNT messages (of SIZE and
SIZE + 1 bytes) to that port id with sendto(); the receiver sends each back
to the port id it came from, also with sendto(), one message in flight per
sender. Prints one JSON line: the PIDs, and each sender's messages and bytes.

usage: netlink_sendto.py COUNT SIZE"""
import json
import os
import socket
import sys

NETLINK_USERSOCK = 2
count, size = int(sys.argv[1]), int(sys.argv[2])


def netlink_socket():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_USERSOCK)
    s.bind((0, 0))
    return s


receiver = netlink_socket()
port = receiver.getsockname()[0]
server = os.fork()
if server == 0:
    for _ in range(2 * count):
        data, peer = receiver.recvfrom(65536)
        receiver.sendto(data, peer)
    os._exit(0)
receiver.close()
senders = []
for n in (size, size + 1):
    pid = os.fork()
    if pid == 0:
        s = netlink_socket()
        for _ in range(count):
            s.sendto(b"n" * n, (port, 0))
            if len(s.recv(65536)) != n:
                os._exit(1)
        os._exit(0)
    senders.append({"pid": pid, "messages": count, "bytes": count * n})
for pid in [server] + [s["pid"] for s in senders]:
    if os.waitpid(pid, 0)[1] != 0:
        sys.exit(f"{pid} failed")
print(json.dumps({"receiver": server, "senders": senders}), flush=True)
