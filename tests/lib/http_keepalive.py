#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fetch a URL several times over one kept-alive HTTP/1.1 connection, then
hold the connection open, so that the kernel's counters for it can be read.

usage: http_keepalive.py HOST PORT PATH TIMES

Prints its local port once done, then sleeps until killed. On SIGUSR1 it
prints the kernel's counters of its connection (TCP_INFO, what ss -ti
shows), "acked N received N": ss is not on every machine the tests run on
(the bare qemu guests have no iproute2).
"""
import http.client
import signal
import socket
import struct
import sys
import time

# struct tcp_info (include/uapi/linux/tcp.h): tcpi_bytes_acked and
# tcpi_bytes_received, two __u64 at these offsets since Linux 4.1/4.2.
BYTES_ACKED_AT = 120


def main():
    host, port, path, times = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    conn = http.client.HTTPConnection(host, port)
    for _ in range(times):
        conn.request("GET", path)
        conn.getresponse().read()

    def counters(signum, frame):
        info = conn.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
        acked, received = struct.unpack_from("=QQ", info, BYTES_ACKED_AT)
        print(f"acked {acked} received {received}", flush=True)

    signal.signal(signal.SIGUSR1, counters)
    print(conn.sock.getsockname()[1], flush=True)
    while True:
        time.sleep(600)


if __name__ == "__main__":
    main()
