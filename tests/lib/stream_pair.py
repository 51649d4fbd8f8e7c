# SPDX-License-Identifier: GPL-2.0
"""The two ends of a connected stream socket for the tests' workloads: a
unix socketpair, or a TCP connection over loopback on a port the kernel
picks."""
import socket


def stream_pair(kind):
    if kind == "unix":
        return socket.socketpair()
    lsn = socket.socket()
    lsn.bind(("127.0.0.1", 0))
    lsn.listen(1)
    a = socket.create_connection(lsn.getsockname())
    b, _ = lsn.accept()
    lsn.close()
    return a, b
