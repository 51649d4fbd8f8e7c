#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare ipctrace's final JSON with what a demo workload says it did.

usage: check.py RECORDS IPCTRACE_OUT [--only] [--allow-extra-pids] [--event-peers]

RECORDS holds the demo's --json lines: one per process, object and direction,
with the exact bytes and ops that process moved. IPCTRACE_OUT holds
ipctrace --json output; its final object is used.

For every record, ipctrace must have exactly one row for the same pid, type,
inode and direction, with the same bytes and ops (for shared memory, which
moves data with no syscall: some page faults exactly when the record says
the process touched the memory, on a kernel that reports page faults; on one
that does not, none, and no row for a process whose only use was touching
it), the same messages per label
(priority, message type) and event counts, and with peers equal to the pids
that moved data the other way on that object, and the processes outside the
workload the record names in peer_pids (a shell that sent a signal, the
parent a last SIGCHLD goes to). A "removed" record says which
process removed an object: every row on it must say so. A demo process must
have no rows of the demo's types that the demo did not report. For sockets
(records with peer_inos), the peers are the pids moving data the other way
on the sockets at the other end. While they ran (the last frame before the
final one), a row's peers may be fewer, never others: a holder of the other
end that the workload never used would show there. With --only, no other process may
appear either (the -p filter), except on an object a record names processes
outside the workload on (-p shows every row on a target's objects, and there
the workload cannot know them all); and rows of types the records do not have
(a demo's own signals) only on objects a demo process has a row on. With
--event-peers (IPCTRACE_OUT made by events_to_frame.py from -e --json), a
row's peers are those its last event was printed with, known then: each
expected peer whose own first event on the channel came before that last
event must be there, a later one may be, no other. Exits 1 on any mismatch,
and if nothing was compared.

check.py --faults-seen exits 0 if the kernel reports page faults, 1 if not.
"""
import json
import os
import re
import sys


def as_shown(name):
    """A name as every output shows it (user/common/sanitize.h): a backslash
    doubled, a control character (C1 included) as the \\xNN of its bytes."""
    def escape(m):
        if m.group() == "\\":
            return "\\\\"
        return "".join(f"\\x{b:02x}" for b in m.group().encode())
    return re.sub(r"[\\\x00-\x1f\x7f-\x9f]", escape, name)


def faults_seen():
    """Whether the kernel has exceptions:page_fault_user, which shared
    memory's activity estimate counts: x86's alone (arm64 has none). As
    ipctrace sees it: IPCTRACE_HIDE may hide it on x86 too."""
    if "page_fault_user" in os.environ.get("IPCTRACE_HIDE", "").split(","):
        return False
    with open("/proc/kallsyms") as f:
        return any(line.endswith(" __traceiter_page_fault_user\n") for line in f)


def seen(rec, faults):
    """A record ipctrace can see: touching shared memory is seen only in
    its page faults; attaching, detaching and the rest always."""
    return faults or "activity" not in rec or bool(rec.get("events"))


def load_lines(path):
    # "replace": a name of another process's (a socket's) can hold bytes
    # that are not UTF-8; the rows compared are the workload's.
    with open(path, errors="replace") as f:
        return [json.loads(line) for line in f if line.strip()]


def frames_of(path):
    frames = load_lines(path)
    finals = [f for f in frames if f.get("final")]
    if len(finals) != 1:
        sys.exit(f"expected one final frame in {path}, found {len(finals)}")
    live = [f for f in frames if not f.get("final")]
    return finals[0], live[-1] if live else None


def resolve_peer_ends(records):
    """A socket's other end named by its end number: the inode of the socket
    with that number in the same run of the same demo."""
    ends = {(r["run"], r["type"], r["end"]): r["ino"] for r in records if "end" in r}
    for rec in records:
        for end in rec.get("peer_ends", []):
            ino = ends.get((rec["run"], rec["type"], end))
            if ino is None:
                sys.exit(f"record {rec}: no record of end {end} in its run")
            if ino not in rec["peer_inos"]:
                rec["peer_inos"].append(ino)


def main():
    if sys.argv[1:] == ["--faults-seen"]:
        sys.exit(0 if faults_seen() else 1)
    faults = faults_seen()
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    only = "--only" in sys.argv
    event_peers = "--event-peers" in sys.argv
    all_records = load_lines(args[0])
    removals = [r for r in all_records if r.get("removed")]
    records = [r for r in all_records if "dir" in r]
    resolve_peer_ends(records)
    demo_pids = {r["pid"] for r in records}
    records = [r for r in records if seen(r, faults)]
    final, last_live = frames_of(args[1])
    rows = final["rows"]
    errors = []
    expected_peers = {}

    for rec in records:
        key = (rec["pid"], rec["type"], rec["ino"], rec["dir"])
        found = [r for r in rows if (r["pid"], r["type"], r["ino"], r["dir"]) == key]
        if len(found) != 1:
            errors.append(f"{key}: expected one row, found {len(found)}")
            continue
        row = found[0]
        if "activity" in rec:
            # Shared memory: the estimate (page faults) is non-zero exactly
            # when the process touched the memory.
            if (row["ops"] > 0) != (faults and rec["activity"] > 0):
                errors.append(f"{key}: {row['ops']} faults, {rec['activity']} bytes touched")
        else:
            for field in ("bytes", "ops"):
                if row[field] != rec[field]:
                    errors.append(f"{key}: {field} {row[field]} reported, {rec[field]} moved")
        if "peer_inos" in rec:
            # A socket is one end: its peers move data the other way on the
            # sockets at the other end.
            want_peers = sorted({r["pid"] for r in records
                                 if r["type"] == rec["type"] and r["ino"] in rec["peer_inos"]
                                 and r["dir"] != rec["dir"]})
        else:
            want_peers = sorted({r["pid"] for r in records
                                 if (r["type"], r["ino"]) == (rec["type"], rec["ino"])
                                 and r["dir"] != rec["dir"]})
        external = set(rec.get("peer_pids", []))
        want_peers = sorted(set(want_peers) | external)
        expected_peers[key] = want_peers
        got_peers = sorted(p["pid"] for p in row["peers"])
        if event_peers:
            # Known by the row's last event: those that had moved data on the
            # channel before it: rows the other way on the object, or on the
            # sockets at the other end.
            ends = rec.get("peer_inos", [rec["ino"]])
            shown = {r["pid"] for r in rows
                     if r["type"] == rec["type"] and r["ino"] in ends and r["dir"] != rec["dir"]
                     and r["pid"] in want_peers and r["first_time"] < row["last_time"]}
            if not (shown | external) <= set(got_peers) <= set(want_peers):
                errors.append(f"{key}: peers {got_peers}, expected {sorted(shown | external)}"
                              f" and perhaps {want_peers}")
        elif got_peers != want_peers:
            errors.append(f"{key}: peers {got_peers}, expected {want_peers}")
        if rec["type"] != "pipe" and row["object"] != as_shown(rec["object"]):
            errors.append(f"{key}: object {row['object']!r}, expected {rec['object']!r}")
        if "label" in rec:
            got = row.get(rec["label"])
            if got != rec["labels"]:
                errors.append(f"{key}: {rec['label']} counts {got}, expected {rec['labels']}")
        for name, count in rec.get("events", {}).items():
            if row.get(name) != count:
                errors.append(f"{key}: {name} {row.get(name)}, expected {count}")
        if rec["type"] == "pipe" and row["object"] != f"pipe:[{rec['ino']}]":
            errors.append(f"{key}: object {row['object']!r}")

    for rem in removals:
        on_object = [r for r in rows if (r["type"], r["ino"]) == (rem["type"], rem["ino"])]
        if not on_object:
            errors.append(f"removal of {rem['object']}: no rows on it")
        for row in on_object:
            if row.get("removed_by") != rem["pid"]:
                errors.append(f"{rem['object']}: removed_by {row.get('removed_by')}, "
                              f"expected {rem['pid']}")

    # Shared memory is the exception: every process mapping it may read it,
    # inherited across fork or not, so its holders are its peers too.
    memory = {(r["pid"], r["type"], r["ino"], r["dir"]) for r in records if "activity" in r}
    if last_live:
        for row in last_live["rows"]:
            key = (row["pid"], row["type"], row["ino"], row["dir"])
            if key in expected_peers and key not in memory:
                extra = {p["pid"] for p in row["peers"]} - set(expected_peers[key])
                if extra:
                    errors.append(f"{key}: while running, peers {sorted(extra)} too")

    reported = {(r["pid"], r["type"], r["ino"], r["dir"]) for r in records}
    demo_types = {r["type"] for r in records}
    # Objects where a record names processes outside the workload.
    open_objects = {(r["type"], r["ino"]) for r in records if r.get("peer_pids")}
    # Objects a demo process used: its own signals (a gate, SIGCHLD) go there.
    demo_objects = {(r["type"], r["ino"]) for r in rows if r["pid"] in demo_pids}
    for row in rows:
        key = (row["pid"], row["type"], row["ino"], row["dir"])
        if key in reported:
            continue
        if row["pid"] in demo_pids and row["type"] in demo_types:
            errors.append(f"{key}: a row the demo did not report ({row['bytes']} bytes)")
        elif not only or (row["type"], row["ino"]) in open_objects:
            continue
        elif row["type"] not in demo_types and (row["type"], row["ino"]) in demo_objects:
            continue
        else:
            errors.append(f"{key}: a process outside the filter ({row['comm']})")

    if not records:
        errors.append("the demo reported nothing: nothing was compared")
    for e in errors:
        print("MISMATCH", e)
    print(f"compared {len(records)} records with {len(rows)} rows: {len(errors)} mismatches")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
