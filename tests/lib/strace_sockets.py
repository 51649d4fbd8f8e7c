#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""strace_sockets.py FILE: what each unix stream socket moved, from an
`strace -f -s 0 -o FILE -e trace=socket,close,read,write,sendto,recvfrom,
sendmsg,recvmsg` log: one JSON line per socket, in the order they were
made, {"tx": bytes written, "rx": bytes read}, of one process (its threads
share its descriptors). A socket's life runs from
the socket() that returned its descriptor to that descriptor's close().
This is the truth a client's connections are checked against: the calls'
own return values, counted by another tracer."""
import json
import re
import sys

CALL = re.compile(r"^(\d+) +(?:<\.\.\. )?(\w+)(?: resumed>|\()(.*)$")
RET = re.compile(r"\) += (-?\d+)")
SENDS = {"write", "sendto", "sendmsg"}
RECVS = {"read", "recvfrom", "recvmsg"}


def main(path):
    pending = {}  # pid -> (call, first argument) of an <unfinished ...> line
    open_socks = {}  # fd -> its record
    socks = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = CALL.match(line)
            if not m:
                continue
            pid, call, rest = m.groups()
            if line.rstrip().endswith("<unfinished ...>"):
                pending[pid] = (call, rest)
                continue
            if "resumed>" in line:
                call, first = pending.pop(pid, (call, rest))
                rest = first + rest
            ret = RET.search(rest)
            if not ret:
                continue
            ret = int(ret.group(1))
            arg = rest.split(",", 1)[0].strip("(")
            if call == "socket" and ret >= 0 and arg == "AF_UNIX" and "SOCK_STREAM" in rest:
                open_socks[ret] = {"tx": 0, "rx": 0}
                socks.append(open_socks[ret])
            elif call == "close" and arg.isdigit():
                open_socks.pop(int(arg), None)
            elif ret > 0 and arg.isdigit() and int(arg) in open_socks:
                sock = open_socks[int(arg)]
                if call in SENDS:
                    sock["tx"] += ret
                elif call in RECVS:
                    sock["rx"] += ret
    for sock in socks:
        print(json.dumps(sock))


if __name__ == "__main__":
    main(sys.argv[1])
