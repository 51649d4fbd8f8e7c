#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare ipctrace's --graph file with what demo workloads say they did.

usage: check_graph.py RECORDS GRAPH IPCTRACE_JSON

Graphviz renders GRAPH (dot -Tsvg), and must say nothing on stderr; the
nodes and edges are read back from the SVG, as drawn. Among the processes of
the demo records:
  - each is a node, labelled with its name (from ipctrace's final JSON) and
    "PID, exited";
  - the edges are exactly the channels of the records (truth.py): one per
    pair of processes and object, or pair of sockets; arrowheads where data
    arrived (both ends for a two-way conversation); labelled with the
    channel's object and type, and per direction the exact bytes and ops
    the records give, or "at most" where the records cannot tell;
  - no edge joins a demo process to anything else;
  - each type has one colour, that of its legend entry.
Exits 1 on any mismatch, and if nothing was compared.
"""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

from check import as_shown as shown
from truth import channel_objects, channels, final_frame, load_records

SVG = "{http://www.w3.org/2000/svg}"
AMOUNT = re.compile(r"^(at most )?([0-9,]+) B in ([0-9,]+) ops$")
SENT = re.compile(r"^(.*) sent (.*)$")


def number(text):
    return int(text.replace(",", ""))


def amount(text):
    m = AMOUNT.match(text)
    if not m:
        return "unreadable"
    return None if m.group(1) else (number(m.group(2)), number(m.group(3)))


def render(path):
    run = subprocess.run(["dot", "-Tsvg", path], capture_output=True, text=True)
    if run.returncode != 0 or run.stderr:
        sys.exit(f"dot -Tsvg {path}: status {run.returncode}: {run.stderr}")
    return ET.fromstring(run.stdout)


def texts(g):
    return [t.text or "" for t in g.iter(SVG + "text")]


def read_svg(root):
    nodes, edges, legend = {}, [], {}
    for g in root.iter(SVG + "g"):
        title = g.find(SVG + "title")
        if title is None:
            continue
        if g.get("class") == "node" and title.text == "legend":
            for t in g.iter(SVG + "text"):
                if (t.text or "").startswith("\u2014\u2014 "):
                    legend[t.text[3:]] = t.get("fill")
        elif g.get("class") == "node":
            nodes[title.text] = texts(g)
        elif g.get("class") == "edge":
            tail, head = title.text.split("->")
            stroke = g.find(SVG + "path").get("stroke")
            # Arrowheads are polygons: one for a one-way edge, two for both.
            heads = len(g.findall(SVG + "polygon"))
            edges.append({"tail": tail, "head": head, "lines": texts(g), "colour": stroke,
                          "heads": heads})
    return nodes, edges, legend


def pid_of(node_id):
    return int(node_id[1:]) if node_id.startswith("p") else None


def main():
    records = load_records(sys.argv[1])
    nodes, edges, legend = read_svg(render(sys.argv[2]))
    final = final_frame(sys.argv[3])
    comm = {row["pid"]: row["comm"] for row in final["rows"]}
    demo_pids = {r["pid"] for r in records}
    errors = []

    for pid in sorted(demo_pids):
        want = [comm.get(pid, "?"), f"{pid}, exited"]
        got = nodes.get(f"p{pid}")
        if got != want:
            errors.append(f"node p{pid}: {got}, expected {want}")

    # The expected edges between demo processes, by pair.
    expected = {}
    for (kind, ends), flows in channels(records).items():
        pair = frozenset(pid for pid, _ in ends)
        expected.setdefault(pair, []).append(
            {"type": kind, "objects": channel_objects(records, ends), "flows": flows})

    observed = {}
    colours = {}
    for e in edges:
        tail, head = pid_of(e["tail"]), pid_of(e["head"])
        if tail not in demo_pids and head not in demo_pids:
            continue
        if tail not in demo_pids or head not in demo_pids:
            errors.append(f"edge {e['tail']}->{e['head']} {e['lines']}: to a process the demo "
                          "did not report")
            continue
        lines = e["lines"]
        flows = {}
        if e["heads"] == 2 and len(lines) == 3:
            for line, (w, r) in zip(lines[1:], ((tail, head), (head, tail))):
                m = SENT.match(line)
                if not m:
                    errors.append(f"edge {e['tail']}->{e['head']}: unreadable line {line!r}")
                    continue
                flows[(w, r)] = amount(m.group(2))
        elif e["heads"] == 1 and len(lines) == 2:
            flows[(tail, head)] = amount(lines[1])
        else:
            errors.append(f"edge {e['tail']}->{e['head']}: {e['heads']} arrowheads, "
                          f"lines {lines}")
            continue
        observed.setdefault(frozenset((tail, head)), []).append(
            {"label": lines[0], "flows": flows, "colour": e["colour"]})

    compared = 0
    for pair in set(expected) | set(observed):
        left = list(observed.get(pair, []))
        for want in expected.get(pair, []):
            labels = {shown(o) if o.startswith(want["type"]) else f"{shown(o)} ({want['type']})"
                      for o in want["objects"]}
            match = next((o for o in left if o["flows"] == want["flows"]
                          and o["label"] in labels), None)
            if not match:
                errors.append(f"pair {sorted(pair)}: no edge {sorted(labels)} with "
                              f"{want['flows']}; drawn: {left}")
                continue
            left.remove(match)
            compared += 1
            colours.setdefault(want["type"], set()).add(match["colour"])
        for extra in left:
            errors.append(f"pair {sorted(pair)}: an edge the demo did not make: {extra}")

    for kind, seen in colours.items():
        if len(seen) != 1 or legend.get(kind) not in seen:
            errors.append(f"type {kind}: edges in {sorted(seen)}, legend {legend.get(kind)}")
    if len({next(iter(c)) for c in colours.values()}) != len(colours):
        errors.append(f"two types share a colour: {colours}")

    if not compared:
        errors.append("no edge compared")
    for e in errors:
        print("MISMATCH", e)
    print(f"compared {len(demo_pids)} processes and {compared} edges: {len(errors)} mismatches")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
