#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fetch a URL several times over one kept-alive HTTP/1.1 connection, then
hold the connection open, so that ss can read the kernel's counters for it.

usage: http_keepalive.py HOST PORT PATH TIMES

Prints its local port once done, then sleeps until killed.
"""
import http.client
import sys
import time


def main():
    host, port, path, times = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    conn = http.client.HTTPConnection(host, port)
    for _ in range(times):
        conn.request("GET", path)
        conn.getresponse().read()
    print(conn.sock.getsockname()[1], flush=True)
    time.sleep(600)


if __name__ == "__main__":
    main()
