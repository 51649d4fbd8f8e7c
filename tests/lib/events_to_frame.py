#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Add up ipctrace -e --json events into the final frame check.py reads.

usage: events_to_frame.py EVENTS > FRAME

Each event is one operation of one process on one object in one direction:
a transfer (bytes), a counted event (event, count) or an operation and its
outcome (result), perhaps with a label
(a priority, a message type). Added up per (pid, type, inode, direction),
they must give what the demos report, exactly as the table's rows do. The
peers are those of each row's last event, when ipctrace knew the most; so
that check.py --event-peers can tell which peers had shown themselves by
then, each row also says when its first and last events were.
"""
import json
import sys


def main():
    rows = {}
    # "replace": a name of another process's (a socket's) can hold bytes
    # that are not UTF-8; the rows compared are the workload's.
    with open(sys.argv[1], errors="replace") as f:
        events = [json.loads(line) for line in f if line.strip()]
    for e in events:
        key = (e["pid"], e["type"], e["ino"], e["dir"])
        row = rows.setdefault(key, {
            "pid": e["pid"], "comm": e["comm"], "type": e["type"], "object": e["object"],
            "ino": e["ino"], "dir": e["dir"], "bytes": 0, "ops": 0, "peers": [],
            "first_time": e["time"]})
        if "event" in e:
            row[e["event"]] = row.get(e["event"], 0) + e["count"]
        elif "result" in e:
            # An operation and what became of it (a signal's outcome).
            row[e["result"]] = row.get(e["result"], 0) + 1
            row["ops"] += 1
        else:
            row["bytes"] += e["bytes"]
            row["ops"] += 1
        # The one key that is not a known field is the label, if any.
        # A named label (a signal's) comes with LABEL_name: counted by name,
        # as the table's rows count it.
        known = {"pid", "comm", "type", "object", "dev", "ino", "dir", "time", "tid",
                 "bytes", "event", "count", "result", "peers", "data_hex", "starttime",
                 "uid", "user", "title", "cgroup", "ipc_ns", "target_start"}
        for label in set(e) - known:
            if label.endswith("_name"):
                continue
            counts = row.setdefault(label, {})
            name = str(e.get(label + "_name", e[label]))
            counts[name] = counts.get(name, 0) + 1
        row["peers"] = e["peers"]
        row["object"] = e["object"]
        row["last_time"] = e["time"]
    print(json.dumps({"final": True, "events": len(events), "rows": list(rows.values())}))
    if not events:
        sys.exit("no events")


if __name__ == "__main__":
    main()
