# SPDX-License-Identifier: GPL-2.0
"""What demo workloads say they did, for the checks of ipctrace's outputs.

A demo's --json records say, per process, object and direction, the exact
bytes and ops it moved (check.py documents them). From them this module
derives the peers of each record, as check.py does, and the channels
between processes with the bytes that went each way: the ground truth the
graph, CSV and metrics checks compare with. Nothing here reads ipctrace.
"""
import json

from check import resolve_peer_ends


def load_lines(path):
    # "replace": a name of another process's (a socket's) can hold bytes
    # that are not UTF-8; the rows compared are the workload's.
    with open(path, errors="replace") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_records(path):
    """The records with a direction (a removal record has none), each
    socket's peers named by inode (peer_inos) as check.py names them."""
    records = [r for r in load_lines(path) if "dir" in r]
    resolve_peer_ends(records)
    return records


def final_frame(path):
    """ipctrace --json's final object."""
    finals = [f for f in load_lines(path) if f.get("final")]
    if len(finals) != 1:
        raise SystemExit(f"expected one final frame in {path}, found {len(finals)}")
    return finals[0]


def peer_records(rec, records):
    """The records at the other end of rec: the other direction on the same
    object, or for sockets on the sockets at the other end."""
    other = "rx" if rec["dir"] == "tx" else "tx"
    if "peer_inos" in rec:
        return [r for r in records if r["type"] == rec["type"] and r["ino"] in rec["peer_inos"]
                and r["dir"] == other]
    return [r for r in records if (r["type"], r["ino"]) == (rec["type"], rec["ino"])
            and r["dir"] == other]


def peer_pids(rec, records):
    return {r["pid"] for r in peer_records(rec, records)}


def find(records, pid, ino, direction):
    found = [r for r in records if (r["pid"], r["ino"], r["dir"]) == (pid, ino, direction)]
    return found[0] if found else None


def channels(records):
    """Who sent to whom over which channel, and how much.

    Returns {(type, frozenset of (pid, ino) ends): {(writer pid, reader pid):
    (bytes, ops) or None}}. A reader whose only peer is the writer read only
    from it; a writer whose only peer is the reader wrote only to it; with
    several of both, who got what is unknown (None).
    """
    result = {}
    for rec in records:
        for peer in peer_records(rec, records):
            writer, reader = (rec, peer) if rec["dir"] == "tx" else (peer, rec)
            ends = frozenset({(writer["pid"], writer["ino"]), (reader["pid"], reader["ino"])})
            flows = result.setdefault((rec["type"], ends), {})
            if peer_pids(reader, records) == {writer["pid"]}:
                amount = (reader["bytes"], reader["ops"])
            elif peer_pids(writer, records) == {reader["pid"]}:
                amount = (writer["bytes"], writer["ops"])
            else:
                amount = None
            flows[(writer["pid"], reader["pid"])] = amount
    return result


def channel_objects(records, ends):
    """The names of a channel's ends, as the demo gave them."""
    return {r["object"] for r in records if (r["pid"], r["ino"]) in ends}


def series_key(row):
    """The labels one ipctrace_bytes_total series stands for."""
    return (row["type"], row["object"], row["dir"], str(row["pid"]))


def by_series(rows):
    """Rows (JSON rows or demo records) added up per series, as the metrics
    add up rows whose labels are equal."""
    sums = {}
    for row in rows:
        s = sums.setdefault(series_key(row), [0, 0])
        s[0] += row["bytes"]
        s[1] += row["ops"]
    return {k: tuple(v) for k, v in sums.items()}
