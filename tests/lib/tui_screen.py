#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a screen of ipctrace's interactive table against what demos report.

usage: tui_screen.py CHECK RECORDS SCREEN [ARG]

RECORDS holds the demos' --json lines (pid, object, ino, dir, bytes, ops),
SCREEN the text of the terminal (tmux capture-pane -p). CHECK is one of:

  totals        every process of the records has one line whose TOTAL and
                OPS are the sums of its records
  order KEY [inverted]
                those lines come in the order of sort key KEY (or its
                reverse, the interactive table's I): total (bytes
                since start, highest first), pid, or comm; ties by PID
  expanded PID  the process's line is expanded: under it, one line per record
                of PID, with its object, direction, TOTAL, OPS, and as peers
                the processes whose records on the object go the other way
  collapsed PID the process's line is collapsed: no lines under it
  shown PID...  these processes have a line; absent PID...: none

Exits 1 with the reasons on a mismatch. The table prints bytes as
format_bytes in user/output/format.c does (exact below 1024, else three
significant digits and a binary prefix: 512B, 1.50KiB) and operations as
format_count does (SI prefixes: 999, 2.25k).
"""
import json
import re
import sys

PROCESS = re.compile(r"^[+-] +(\d+) ")
CHILD = re.compile(r"^ +[|`]- ")


def scaled(v, base, units):
    """format_scaled of user/output/format.c: three significant digits, the
    unit picked after rounding."""
    u = 0
    while u + 1 < len(units) and v >= base - 0.5:
        v /= base
        u += 1
    if u == 0:
        return "%.0f%s" % (v, units[0])
    if v < 9.995:
        return "%.2f%s" % (v, units[u])
    if v < 99.95:
        return "%.1f%s" % (v, units[u])
    return "%.0f%s" % (v, units[u])


def human(v):
    """format_bytes: binary prefixes, the unit said."""
    return scaled(v, 1024, ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"])


def count(v):
    """format_count: operations in SI prefixes, k = 1000."""
    return scaled(v, 1000, ["", "k", "M", "G", "T", "P", "E"])


def parse(screen):
    """Process lines, each with the child lines under it, in screen order."""
    procs = []
    for line in screen.splitlines():
        m = PROCESS.match(line)
        if m:
            f = line.split()
            # Right to left: TYPE ("2 types") and OBJECT ("3 channels") have spaces.
            procs.append({"pid": int(m.group(1)), "mark": f[0], "comm": f[2],
                          "dir": f[-7], "peers": f[-6], "total": f[-3], "ops": f[-2],
                          "children": [], "line": line})
        elif CHILD.match(line) and procs:
            f = line.split()
            procs[-1]["children"].append({"type": f[1], "object": f[2], "dir": f[3],
                                          "peers": f[4], "total": f[7], "ops": f[8],
                                          "line": line})
    return procs


def peer_pids(text):
    return {int(p.split("/")[0]) for p in text.split(",") if "/" in p}


def main():
    check, records_path, screen_path = sys.argv[1:4]
    args = sys.argv[4:]
    with open(records_path) as f:
        records = [json.loads(l) for l in f if l.strip()]
    records = [r for r in records if "dir" in r]
    with open(screen_path) as f:
        procs = parse(f.read())
    by_pid = {}
    for p in procs:
        by_pid.setdefault(p["pid"], []).append(p)
    pids = sorted({r["pid"] for r in records})
    errors = [] if pids else [f"no records in {records_path}"]

    def line_of(pid):
        lines = by_pid.get(pid, [])
        if len(lines) != 1:
            errors.append(f"process {pid}: {len(lines)} lines, expected 1")
            return None
        return lines[0]

    if check == "totals":
        for pid in pids:
            mine = [r for r in records if r["pid"] == pid]
            p = line_of(pid)
            if not p:
                continue
            want = (human(sum(r["bytes"] for r in mine)), count(sum(r["ops"] for r in mine)))
            if (p["total"], p["ops"]) != want:
                errors.append(f"process {pid}: TOTAL, OPS {p['total']} {p['ops']}, "
                              f"expected {want[0]} {want[1]}: {p['line']}")
    elif check == "order":
        key = args[0]
        shown = [p for p in procs if p["pid"] in pids]
        if len(shown) != len(pids):
            errors.append(f"{len(shown)} of the {len(pids)} processes shown")
        total = {pid: sum(r["bytes"] for r in records if r["pid"] == pid) for pid in pids}
        sort_keys = {
            "total": lambda p: (-total[p["pid"]], p["pid"]),
            "pid": lambda p: p["pid"],
            "comm": lambda p: (p["comm"], p["pid"]),
        }
        # "order KEY inverted": the order I turns round.
        want = sorted(shown, key=sort_keys[key], reverse=args[1:] == ["inverted"])
        if [p["pid"] for p in shown] != [p["pid"] for p in want]:
            errors.append(f"order by {key}: {[p['pid'] for p in shown]}, "
                          f"expected {[p['pid'] for p in want]}")
    elif check == "expanded":
        pid = int(args[0])
        p = line_of(pid)
        mine = [r for r in records if r["pid"] == pid]
        if p:
            if p["mark"] != "-":
                errors.append(f"process {pid} not marked expanded: {p['line']}")
            if len(p["children"]) != len(mine):
                errors.append(f"process {pid}: {len(p['children'])} channels shown, "
                              f"expected {len(mine)}")
            for r in mine:
                found = [c for c in p["children"]
                         if (c["object"], c["dir"]) == (r["object"], r["dir"])]
                if len(found) != 1:
                    errors.append(f"{r['object']} {r['dir']}: {len(found)} lines under {pid}")
                    continue
                c = found[0]
                want_peers = {o["pid"] for o in records
                              if o["ino"] == r["ino"] and o["dir"] != r["dir"]}
                if (c["type"], c["total"], c["ops"]) != (r["type"], human(r["bytes"]),
                                                         count(r["ops"])):
                    errors.append(f"{r['object']} {r['dir']}: expected {r['type']} "
                                  f"{human(r['bytes'])} {count(r['ops'])}: {c['line']}")
                if peer_pids(c["peers"]) != want_peers:
                    errors.append(f"{r['object']} {r['dir']}: peers {c['peers']}, "
                                  f"expected {sorted(want_peers)}")
    elif check == "collapsed":
        p = line_of(int(args[0]))
        if p and (p["mark"] != "+" or p["children"]):
            errors.append(f"process {args[0]} not collapsed: {p['line']}, "
                          f"{len(p['children'])} lines under it")
    elif check in ("shown", "absent"):
        for pid in map(int, args):
            n = len(by_pid.get(pid, []))
            if (check == "shown") != (n == 1):
                errors.append(f"process {pid}: {n} lines, expected "
                              f"{1 if check == 'shown' else 0}")
    else:
        sys.exit(f"unknown check {check}")
    for e in errors:
        print(e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
