#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Every process of a workload shows while ipctrace runs, not only in its
final summary.

usage: check_live.py RECORDS IPCTRACE_OUT

RECORDS holds the demos' --json lines (one per process, object and
direction, with its exact bytes and ops); IPCTRACE_OUT ipctrace's --json
frames. For each record, some frame before the final one must have the row
of the same pid, object and direction, under the record's process name, with
exactly the record's bytes and ops (a row shows in the interval its process
ended with its final counts). Exits 1 on any record not shown so, and if
there was nothing to compare.
"""
import sys

from truth import load_lines, load_records


def live_rows(path):
    """{(pid, object, dir): [(comm, bytes, ops), ...]} over the frames
    before the final one."""
    rows = {}
    for frame in load_lines(path):
        if frame.get("final"):
            continue
        for r in frame["rows"]:
            rows.setdefault((r["pid"], r["object"], r["dir"]), []).append(
                (r["comm"], r["bytes"], r["ops"]))
    return rows


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    records = load_records(sys.argv[1])
    rows = live_rows(sys.argv[2])
    missing = []
    for rec in records:
        want = (rec["comm"], rec["bytes"], rec["ops"])
        seen = rows.get((rec["pid"], rec["object"], rec["dir"]), [])
        if want not in seen:
            missing.append(f"pid {rec['pid']} {rec['comm']} {rec['object']} {rec['dir']}: "
                           f"moved {rec['bytes']} bytes in {rec['ops']} ops; live: {seen}")
    for m in missing:
        print("NOT LIVE", m)
    print(f"{len(records)} records, {len(missing)} not shown live")
    sys.exit(1 if missing or not records else 0)


if __name__ == "__main__":
    main()
