#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check ipctrace --demo --explain --json against the demos' own accounts.

usage: tour_check.py TOUR_OUT EXPLAIN_TEXT IPCTRACE_PID

TOUR_OUT is the tour's JSON: for each stop, ipctrace's final frame of that
demo, then a {"tour": ...} line carrying the demo's --json records.
EXPLAIN_TEXT is `ipc-demo explain`: the stops expected, in order, with their
texts. Each stop's frame is compared with its records by check.py --only:
exact bytes and ops per process, object and direction, the right peers, and
no process but the demo's. Exits 1 on any mismatch.

ipctrace started each demo, so a demo's parent process signals ipctrace
when it exits (SIGCHLD); ipctrace leaves out signals to and from itself, so
the records of those (a signal sent to IPCTRACE_PID) are left out here.
"""
import json
import os
import subprocess
import sys
import tempfile

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check.py")


def expected_stops(path):
    stops, current = [], None
    with open(path) as f:
        for line in f:
            if line.startswith("== "):
                current = {"demo": line[3:].split()[0], "text": ""}
                stops.append(current)
            elif current is not None and line.strip():
                current["text"] += line
    return stops


def main():
    expected = expected_stops(sys.argv[2])
    tracer_pid = int(sys.argv[3])
    frame, seen, failed = None, [], False
    with open(sys.argv[1]) as f:
        lines = [json.loads(l) for l in f if l.strip()]
    for obj in lines:
        if "tour" not in obj:
            if obj.get("final"):
                frame = obj
            continue
        stop = obj["tour"]
        seen.append(stop)
        if frame is None:
            print(f"stop {stop['demo']}: no final frame before it")
            failed = True
            continue
        with tempfile.TemporaryDirectory() as tmp:
            records, out = os.path.join(tmp, "records"), os.path.join(tmp, "out")
            with open(records, "w") as r:
                for rec in stop["demo_records"]:
                    if rec.get("type") == "signal" and rec.get("ino") == tracer_pid:
                        continue
                    r.write(json.dumps(rec) + "\n")
            with open(out, "w") as o:
                o.write(json.dumps(frame) + "\n")
            res = subprocess.run([CHECK, records, out, "--only"], capture_output=True, text=True)
            print(f"stop {stop['stop']}/{stop['of']} {stop['demo']}: "
                  f"{len(stop['demo_records'])} records, check.py "
                  f"{'ok' if res.returncode == 0 else 'FAILED'}")
            if res.returncode:
                print(res.stdout + res.stderr)
                failed = True
        frame = None
    names = [s["demo"] for s in seen]
    if names != [s["demo"] for s in expected]:
        print(f"stops {names}, expected {[s['demo'] for s in expected]}")
        failed = True
    for i, stop in enumerate(seen):
        if stop["stop"] != i + 1 or stop["of"] != len(expected):
            print(f"stop {stop['demo']} numbered {stop['stop']}/{stop['of']}")
            failed = True
        if i < len(expected) and stop["explain"] != expected[i]["text"]:
            print(f"stop {stop['demo']}: its text is not the demo's")
            failed = True
    sys.exit(1 if failed or not seen else 0)


if __name__ == "__main__":
    main()
