#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One socket connection, made when told to: run it in two network
namespaces at once with the same addresses, and each must stay its own.

usage: netns_pair.py MODE DIR TAG ADDRESS UP DOWN OWN_NET [CLIENT_PORT]

MODE tcp:        a server listens on 127.0.0.1:ADDRESS; its client binds
                 127.0.0.1:CLIENT_PORT and connects. The client sends UP
                 bytes, the server answers with DOWN.
MODE unix:       the same over a unix stream socket bound to the abstract
                 name @ADDRESS.
MODE unix-dgram: a receiver bound to @ADDRESS; an unbound sender sends it UP
                 bytes in datagrams of at most 1000 (DOWN must be 0).

The server (or receiver) is this process; the client (or sender) its child.
Both are ready when "ready pid SERVER CLIENT;" is on stderr. The client
starts once DIR/go.TAG exists and makes DIR/done.TAG when its exchange is
over; both keep their sockets open until DIR/end exists, then print what they
moved as ipc-demo's --json records (tests/lib/check.py reads them). Names of
sockets in a network namespace other than OWN_NET (ipctrace's, an inode
number) end in " [net:INODE]", as ipctrace names them.
"""
import json
import os
import socket
import sys
import time

CHUNK = 4096
DATAGRAM = 1000


def wait_path(path):
    while not os.path.exists(path):
        time.sleep(0.01)


def post(path, value=""):
    with open(path + ".tmp", "w") as f:
        f.write(str(value))
    os.rename(path + ".tmp", path)


def read_posted(path):
    wait_path(path)
    with open(path) as f:
        return int(f.read())


class Args:
    def __init__(self, argv):
        if len(argv) not in (8, 9) or argv[1] not in ("tcp", "unix", "unix-dgram"):
            sys.exit(__doc__)
        self.mode, self.dir, self.tag, self.address = argv[1], argv[2], argv[3], argv[4]
        self.up, self.down, self.own_net = int(argv[5]), int(argv[6]), int(argv[7])
        self.client_port = int(argv[8]) if len(argv) == 9 else 0
        self.type = "tcp" if self.mode == "tcp" else "unix"
        net = os.stat("/proc/self/ns/net").st_ino
        self.suffix = "" if net == self.own_net else f" [net:{net}]"

    def path(self, what):
        return os.path.join(self.dir, f"{what}.{self.tag}")

    def sockaddr(self):
        if self.mode == "tcp":
            return ("127.0.0.1", int(self.address))
        return "\0" + self.address

    def name(self, role):
        """The object's name, as ipctrace shows it (user/mechanisms/sock.c)."""
        if self.mode == "tcp":
            server = f"127.0.0.1:{self.address}"
            client = f"127.0.0.1:{self.client_port}"
            names = {"listener": f"tcp {server} (listen)", "server": f"tcp {server}->{client}",
                     "client": f"tcp {client}->{server}"}
        else:
            names = {"listener": f"unix:@{self.address} (listen)",
                     "server": f"unix:@{self.address}", "client": f"unix:->@{self.address}",
                     "receiver": f"unix:@{self.address}", "sender": "unix:unnamed"}
        return names[role] + self.suffix


def record(a, role, sock, direction, moved, calls, peer_inos, events=None):
    rec = {"demo": "netns-pair", "role": role, "pid": os.getpid(), "type": a.type,
           "object": a.name(role), "ino": os.fstat(sock.fileno()).st_ino, "dir": direction,
           "bytes": moved, "ops": calls, "peer_inos": peer_inos}
    if events:
        rec["events"] = events
    return json.dumps(rec)


def send_bytes(sock, total, size, to=None):
    moved = calls = 0
    while moved < total:
        data = b"n" * min(size, total - moved)
        moved += sock.sendto(data, to) if to else sock.send(data)
        calls += 1
    return moved, calls


def recv_all(sock, size):
    """Until end of file (stream) or size bytes (datagrams); the read that
    sees end of file moves nothing and is not counted."""
    moved = calls = 0
    while True:
        n = len(sock.recv(65536))
        if n == 0 and sock.type == socket.SOCK_STREAM:
            return moved, calls
        moved += n
        calls += 1
        if sock.type == socket.SOCK_DGRAM and moved >= size:
            return moved, calls


def emit(lines):
    sys.stdout.write("".join(line + "\n" for line in lines))
    sys.stdout.flush()


def client(a, family, kind):
    sock = socket.socket(family, kind)
    wait_path(a.path("go"))
    if a.mode == "unix-dgram":
        post(a.path("client-ino"), os.fstat(sock.fileno()).st_ino)
        peer = read_posted(a.path("server-ino"))
        up = send_bytes(sock, a.up, DATAGRAM, a.sockaddr())
        post(a.path("done"))
        wait_path(a.path("end"))
        emit([record(a, "sender", sock, "tx", *up, [peer])])
        return
    if a.mode == "tcp":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", a.client_port))
    sock.connect(a.sockaddr())
    post(a.path("client-ino"), os.fstat(sock.fileno()).st_ino)
    peer = read_posted(a.path("server-ino"))
    up = send_bytes(sock, a.up, CHUNK)
    sock.shutdown(socket.SHUT_WR)
    down = recv_all(sock, a.down)
    post(a.path("done"))
    wait_path(a.path("end"))
    emit([record(a, "client", sock, "tx", *up, [peer], {"connects": 1}),
          record(a, "client", sock, "rx", *down, [peer])])


def server(a, listener):
    if a.mode == "unix-dgram":
        post(a.path("server-ino"), os.fstat(listener.fileno()).st_ino)
        sender = read_posted(a.path("client-ino"))
        up = recv_all(listener, a.up)
        wait_path(a.path("end"))
        return [record(a, "receiver", listener, "rx", *up, [sender])]
    conn, _ = listener.accept()
    post(a.path("server-ino"), os.fstat(conn.fileno()).st_ino)
    peer = read_posted(a.path("client-ino"))
    up = recv_all(conn, a.up)
    down = send_bytes(conn, a.down, CHUNK)
    conn.shutdown(socket.SHUT_WR)
    wait_path(a.path("end"))
    return [record(a, "listener", listener, "rx", 0, 0, [], {"accepts": 1}),
            record(a, "server", conn, "rx", *up, [peer]),
            record(a, "server", conn, "tx", *down, [peer])]


def main():
    a = Args(sys.argv)
    # Nothing inherited but stdout and stderr: a pipe held by everything the
    # test's runner started would be a channel of the -p target's that both
    # namespaces' processes hold, which makes them peers by that alone.
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    family = socket.AF_INET if a.mode == "tcp" else socket.AF_UNIX
    kind = socket.SOCK_DGRAM if a.mode == "unix-dgram" else socket.SOCK_STREAM
    listener = socket.socket(family, kind)
    if a.mode == "tcp":
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(a.sockaddr())
    if kind == socket.SOCK_STREAM:
        listener.listen(1)
    child = os.fork()
    if child == 0:
        listener.close()
        client(a, family, kind)
        os._exit(0)
    print(f"ready pid {os.getpid()} {child};", file=sys.stderr, flush=True)
    lines = server(a, listener)
    _, status = os.waitpid(child, 0)
    emit(lines)
    sys.exit(1 if status else 0)


if __name__ == "__main__":
    main()
