#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check ipctrace's aggregated Prometheus metrics (the default, label sets).

usage: check_prom_sets.py [--churn] RECORDS SCRAPE... FINAL
       check_prom_sets.py --renames=N --bytes=K --cap=C SCRAPE... FINAL

The scrapes are taken in order while the workload ran; FINAL is what
ipctrace left in --prom-file at exit. Checks, in both forms:
  - no traffic series has a label that names a process or an object (pid,
    object, ino) or a client's port;
  - the traffic counters, ipctrace_other_rows_total and ipctrace_lost_total
    never go back and their series never vanish, from one scrape to the next
    and to FINAL, while the workload's processes come and go;
  - ipctrace_lost_total is there, with the kinds of loss of the row maps.
With RECORDS (the demos' --json records, with each process's comm): in FINAL,
the series of each (comm, type, dir) of the records add up to the bytes and
operations the demos say they moved, exactly, and those of each TCP client
and server under their role and service address (the server's address, on
both sides) too, with no client's port in any label; and there are at most three
series per (comm, type, dir) (peer_comm none, one name, or "(several)"),
and with --churn fewer than a fourth of the demos' processes.
With --renames (tests/lib/rename_churn.py: N processes, each with a name of
its own, each writing K bytes into one pipe): at most C label sets have
names of their own and one comm="(other)" per type and direction is the
rest; the pipe's bytes, written and read, still add up to N * K exactly;
ipctrace_other_rows_total counts the writers past the cap, and
ipctrace_lost_total{map="label_sets"} the same.
Exits 1 on any mismatch.
"""
import re
import sys

from check_prom import parse
from truth import load_records

TRAFFIC = ("ipctrace_bytes_total", "ipctrace_operations_total")
# The counters the aggregated metrics keep for the exporter's life. (Not
# ipctrace_traced_*_total: with a command or -p, the summary's totals count
# only the rows it shows, which a child that lived less than an interval is
# not among.)
MONOTONIC = TRAFFIC + ("ipctrace_wait_seconds_total", "ipctrace_other_rows_total",
                       "ipctrace_lost_total")
BANNED = {"pid", "object", "ino"}


def series(samples, metric):
    return {tuple(sorted(labels.items())): value for labels, value in samples.get(metric, [])}


def check_monotonic(scrapes, errors):
    for (name_a, a), (name_b, b) in zip(scrapes, scrapes[1:]):
        for metric in set(a) | set(b):
            if metric not in MONOTONIC:
                continue
            later = series(b, metric)
            for key, value in series(a, metric).items():
                if key not in later:
                    errors.append(f"{metric}{dict(key)}: in {name_a}, gone in {name_b}")
                elif later[key] < value:
                    errors.append(f"{metric}{dict(key)}: {value} in {name_a}, "
                                  f"{later[key]} in {name_b}")


def check_labels(samples, errors):
    for metric in TRAFFIC:
        for labels, _ in samples.get(metric, []):
            if BANNED & set(labels):
                errors.append(f"{metric}{labels}: a label of a process or an object")
            if labels.get("role") == "server" and "service" not in labels:
                errors.append(f"{metric}{labels}: a server without its service")


def sums(samples, key):
    """{key(labels): [bytes, ops]} over the traffic series."""
    out = {}
    for index, metric in enumerate(TRAFFIC):
        for labels, value in samples.get(metric, []):
            out.setdefault(key(labels), [0, 0])[index] += value
    return out


def check_records(records, final, errors, churn):
    truth = {}
    for rec in records:
        t = truth.setdefault((rec["comm"], rec["type"], rec["dir"]), [0, 0])
        t[0] += rec["bytes"]
        t[1] += rec["ops"]
    got = sums(final, lambda l: (l["comm"], l["type"], l["dir"]))
    for key, want in truth.items():
        if got.get(key) != want:
            errors.append(f"{key}: series add up to {got.get(key)}, the demos moved {want}")
    check_services(records, final, errors)
    count = len(final.get("ipctrace_bytes_total", []))
    triples = {(l["comm"], l["type"], l["dir"]) for l, _ in final.get("ipctrace_bytes_total", [])}
    processes = len({rec["pid"] for rec in records})
    if count > 3 * len(triples) or (churn and count * 4 >= processes):
        errors.append(f"{count} series for {len(triples)} (comm, type, dir) and "
                      f"{processes} processes")
    return f"{len(truth)} (comm, type, dir) of {processes} processes in {count} series"


def ephemeral_ports():
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        low, high = map(int, f.read().split())
    return range(low, high + 1)


def service_of(rec):
    """A TCP record's service end, from its object "tcp L->R": the server's
    own address, the address the client connected to; a port the kernel
    chose (the demos' servers bind port 0) is labelled "ephemeral"."""
    local, _, remote = rec["object"].split(" ", 1)[1].partition("->")
    host, _, port = (remote if rec["role"] == "client" else local).rpartition(":")
    return host + ":" + ("ephemeral" if int(port) in ephemeral_ports() else port)


def check_services(records, final, errors):
    """Each TCP client's and server's bytes under its role and service; no
    label holds a client's port."""
    truth = {}
    for rec in records:
        if rec["type"] == "tcp" and rec["role"] in ("client", "server"):
            key = (rec["comm"], rec["dir"], rec["role"], service_of(rec))
            t = truth.setdefault(key, [0, 0])
            t[0] += rec["bytes"]
            t[1] += rec["ops"]
            port = rec["object"].split("->")[rec["role"] == "server"].rsplit(":", 1)[1]
            for labels, _ in final.get("ipctrace_bytes_total", []):
                if any(v.endswith(":" + port) for v in labels.values()):
                    errors.append(f"{labels}: the client's port {port}")
    got = sums(final, lambda l: (l["comm"], l["dir"], l.get("role"), l.get("service")))
    for key, want in truth.items():
        if got.get(key) != want:
            errors.append(f"{key}: series add up to {got.get(key)}, the demo moved {want}")


def check_renames(renames, size, cap, final, errors):
    sets = final.get("ipctrace_bytes_total", [])
    own = [l for l, _ in sets if l["comm"] != "(other)"]
    other = [l for l, _ in sets if l["comm"] == "(other)"]
    pairs = {(l["type"], l["dir"]) for l, _ in sets}
    if len(own) > cap or len(other) > len(pairs):
        errors.append(f"{len(own)} label sets of their own (cap {cap}), {len(other)} other")
    if not other:
        errors.append("no comm=\"(other)\" series: the cap was never reached")
    # The writers by name or past the cap; the reader by name, or past the
    # cap once its other end's name changed (one writer, then several).
    writers = re.compile(r"r[0-9]{5}|\(other\)")
    got = sums(final, lambda l: (l["type"], l["dir"], bool(writers.fullmatch(l["comm"]))
                                 or l["comm"] == "rename-reader"))
    for direction in ("tx", "rx"):
        bytes_ = got.get(("pipe", direction, True), [0])[0]
        if bytes_ != renames * size:
            errors.append(f"pipe {direction}: {bytes_} bytes, {renames} writers wrote "
                          f"{renames * size}")
    other_rows = final.get("ipctrace_other_rows_total", [({}, 0)])[0][1]
    if other_rows < renames - cap:
        errors.append(f"ipctrace_other_rows_total {other_rows}, fewer than {renames - cap}")
    # Counted coarser is a loss of the metrics' own map, as a full kernel map's.
    lost = {l.get("map"): v for l, v in final.get("ipctrace_lost_total", [])}
    if lost.get("label_sets") != other_rows:
        errors.append(f"ipctrace_lost_total{{map=\"label_sets\"}} {lost.get('label_sets')}, "
                      f"ipctrace_other_rows_total {other_rows}")
    return f"{len(own)} own and {len(other)} other label sets for {renames} names"


def main():
    opts = dict(a[2:].partition("=")[::2] for a in sys.argv[1:] if a.startswith("--"))
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    records = load_records(args.pop(0)) if "renames" not in opts else None
    scrapes = [(path, parse(path)[0]) for path in args]
    final = scrapes[-1][1]
    errors = []

    check_monotonic(scrapes, errors)
    for _, samples in scrapes:
        check_labels(samples, errors)
    lost = {labels.get("map") for labels, _ in final.get("ipctrace_lost_total", [])}
    if not {"rows", "overflow", "procs", "labels"} <= lost:
        errors.append(f"ipctrace_lost_total: maps {sorted(lost, key=str)}")
    if records is not None:
        said = check_records(records, final, errors, "churn" in opts)
    else:
        said = check_renames(int(opts["renames"]), int(opts["bytes"]), int(opts["cap"]), final,
                             errors)
    for e in errors:
        print("MISMATCH", e)
    print(f"{len(scrapes)} scrapes; {said}: {len(errors)} mismatches")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
