#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A socket inherited across fork and used by both processes.

usage: shared_socket.py DIR MESSAGES SIZE

A server accepts one unix stream connection and reads it to the end. The
client connects, forks, and parent and child both send MESSAGES messages of
SIZE bytes on the one socket. Each process prints a record of what it moved
in ipc-demo's --json format (tests/lib/check.py reads them), with the inode of
the socket at the other end, exchanged through files in DIR.
"""
import json
import os
import socket
import sys
import time


def record(role, sock, name, direction, moved, calls, peer_inos, events=None):
    rec = {"demo": "shared-socket", "role": role, "pid": os.getpid(), "type": "unix",
           "object": name, "ino": os.fstat(sock.fileno()).st_ino, "dir": direction,
           "bytes": moved, "ops": calls, "peer_inos": peer_inos}
    if events:
        rec["events"] = events
    return json.dumps(rec)


def wait_for(path):
    while not os.path.exists(path):
        time.sleep(0.01)
    with open(path) as f:
        return int(f.read())


def post(path, value):
    with open(path + ".tmp", "w") as f:
        f.write(str(value))
    os.rename(path + ".tmp", path)


def send_all(sock, count, size):
    moved = calls = 0
    for _ in range(count):
        data = b"s" * size
        while data:
            n = sock.send(data)
            moved += n
            calls += 1
            data = data[n:]
    return moved, calls


def main():
    work, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    path = os.path.join(work, "shared.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    server = os.fork()
    if server == 0:
        conn, _ = listener.accept()
        post(os.path.join(work, "server.ino"), os.fstat(conn.fileno()).st_ino)
        moved = calls = 0
        while True:
            data = conn.recv(65536)
            if not data:
                break
            moved += len(data)
            calls += 1
        print(record("server", conn, "unix:" + path, "rx", moved, calls,
                     [wait_for(os.path.join(work, "client.ino"))]), flush=True)
        print(record("listener", listener, "unix:" + path + " (listen)", "rx", 0, 0, [],
                     {"accepts": 1}), flush=True)
        os._exit(0)
    listener.close()
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # The parent connected, so the connect counts on its row only.
    client.connect(path)
    post(os.path.join(work, "client.ino"), os.fstat(client.fileno()).st_ino)
    peer = wait_for(os.path.join(work, "server.ino"))
    child = os.fork()
    moved, calls = send_all(client, count, size)
    events = {"connects": 1} if child != 0 else None
    print(record("child" if child == 0 else "parent", client, "unix:->" + path, "tx", moved,
                 calls, [peer], events), flush=True)
    if child == 0:
        os._exit(0)
    os.waitpid(child, 0)
    client.close()
    os.waitpid(server, 0)


if __name__ == "__main__":
    main()
