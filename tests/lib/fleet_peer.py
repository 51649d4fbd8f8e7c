#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The two ends of fleet.bats's service: a TCP server and its clients, each
named (comm) as told, each saying the bytes it moved.

usage: fleet_peer.py server NAME ADDR PORT
       fleet_peer.py client NAME ADDR PORT GO_FILE SEND1 REPLY1 SEND2 REPLY2

A request is an 8-byte header (the payload's size and the reply's size, two
big-endian 32-bit numbers) and its payload; the server answers with the
reply's size in bytes. The server forks a process per connection, all of
its name, and prints "listening" once it listens. A client sends its first
request at once, then waits for GO_FILE to exist before the second, and
prints one JSON line: {"comm", "tx", "rx", "tx1", "rx1"}, the bytes it
wrote and read in all and in its first request, headers included, then
exits.
"""
import ctypes
import json
import os
import signal
import socket
import struct
import sys
import time

PR_SET_NAME = 15
CHUNK = 65536


def set_name(name):
    ctypes.CDLL(None).prctl(PR_SET_NAME, name.encode(), 0, 0, 0)


def recv_exact(conn, size):
    got = 0
    while got < size:
        data = conn.recv(min(CHUNK, size - got))
        if not data:
            return got
        got += len(data)
    return got


def send_size(conn, size):
    block = b"x" * CHUNK
    left = size
    while left:
        left -= conn.send(block[:min(CHUNK, left)])


def serve_one(conn):
    while True:
        header = conn.recv(8, socket.MSG_WAITALL)
        if len(header) < 8:
            return
        size, reply = struct.unpack(">II", header)
        if recv_exact(conn, size) < size:
            return
        send_size(conn, reply)


def server(name, addr, port):
    set_name(name)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(16)
    print("listening", flush=True)
    while True:
        conn, _ = srv.accept()
        if os.fork() == 0:
            srv.close()
            serve_one(conn)
            os._exit(0)
        conn.close()


def request(conn, size, reply):
    conn.sendall(struct.pack(">II", size, reply))
    send_size(conn, size)
    if recv_exact(conn, reply) < reply:
        sys.exit("the server closed early")
    return 8 + size, reply


def client(name, addr, port, go_file, sizes):
    set_name(name)
    conn = socket.create_connection((addr, port))
    tx, rx = request(conn, sizes[0], sizes[1])
    while not os.path.exists(go_file):
        time.sleep(0.05)
    t, r = request(conn, sizes[2], sizes[3])
    conn.close()
    print(json.dumps({"comm": name, "tx": tx + t, "rx": rx + r, "tx1": tx, "rx1": rx}),
          flush=True)


def main():
    if sys.argv[1] == "server":
        server(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        client(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5],
               [int(x) for x in sys.argv[6:10]])


if __name__ == "__main__":
    main()
