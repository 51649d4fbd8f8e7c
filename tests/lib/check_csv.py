#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read ipctrace --csv output as a CSV reader would, and compare it with the demo records.

usage: check_csv.py CSV RECORDS

Python's csv module (RFC 4180 dialect) reads CSV. Checks:
  - records end in CRLF; the column names come once, first; every record
    has as many fields;
  - intervals follow each other (elapsed_s never goes back), and the
    summary, final=true, is one block at the end;
  - in the summary, each demo record has one row with its pid, type, inode
    and direction, its object's name as the demo gave it (quotes, commas and
    line breaks included), its exact bytes and ops, and as peers the pids
    that moved data the other way (truth.py).
Exits 1 on any mismatch, and if nothing was compared.
"""
import csv
import io
import re
import sys

from check import as_shown
from truth import load_records, peer_pids

COLUMNS = ["time", "elapsed_s", "interval_s", "final", "pid", "comm", "exited", "type",
           "object", "dev", "ino", "dir", "peers", "bytes_per_s", "ops_per_s", "bytes", "ops",
           "wait_s", "wait_share", "lost", "detail", "cgroup", "uid", "user", "title"]


def main():
    with open(sys.argv[1], "rb") as f:
        raw = f.read()
    table = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    records = load_records(sys.argv[2])
    errors = []

    if raw.count(b"\r\n") < len(table) or raw.replace(b"\r\n", b"").count(b"\r"):
        errors.append("records do not all end in CRLF")
    if not table or table[0] != COLUMNS:
        errors.append(f"first record {table[:1]}, expected the column names")
    body = [dict(zip(COLUMNS, fields)) for fields in table[1:]]
    for i, fields in enumerate(table[1:], 2):
        if len(fields) != len(COLUMNS):
            errors.append(f"record {i}: {len(fields)} fields")
        if fields == COLUMNS:
            errors.append(f"record {i}: the column names again")

    elapsed = [float(r["elapsed_s"]) for r in body]
    if elapsed != sorted(elapsed):
        errors.append("elapsed_s goes back")
    finals = [i for i, r in enumerate(body) if r["final"] == "true"]
    if not finals or finals != list(range(finals[0], len(body))):
        errors.append("the summary is not one block at the end")
    if any(r["final"] not in ("true", "false") for r in body):
        errors.append("final is not true or false")
    summary = [body[i] for i in finals]
    if len({r["elapsed_s"] for r in summary}) > 1:
        errors.append("the summary's rows have different times")

    for rec in records:
        key = (str(rec["pid"]), rec["type"], str(rec["ino"]), rec["dir"])
        found = [r for r in summary if (r["pid"], r["type"], r["ino"], r["dir"]) == key]
        if len(found) != 1:
            errors.append(f"{key}: {len(found)} rows in the summary")
            continue
        row = found[0]
        if "activity" not in rec:
            for field in ("bytes", "ops"):
                if row[field] != str(rec[field]):
                    errors.append(f"{key}: {field} {row[field]}, the demo moved {rec[field]}")
        if row["object"] != as_shown(rec["object"]):
            errors.append(f"{key}: object {row['object']!r}, expected {rec['object']!r}")
        peers = {int(p) for p in re.findall(r"(?:^|,)(\d+)/", row["peers"])}
        if peers != peer_pids(rec, records):
            errors.append(f"{key}: peers {row['peers']!r}, expected {peer_pids(rec, records)}")

    if not records:
        errors.append("the demo reported nothing: nothing was compared")
    for e in errors:
        print("MISMATCH", e)
    print(f"read {len(body)} rows ({len(summary)} in the summary), compared {len(records)} "
          f"records: {len(errors)} mismatches")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
