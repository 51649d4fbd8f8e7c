#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare ipctrace's Prometheus metrics with its final JSON and the demo records.

usage: check_prom.py METRICS IPCTRACE_JSON [RECORDS] [--rows=N]

METRICS is what ipctrace left in --prom-file at exit (promtool has checked
its syntax); IPCTRACE_JSON is --json output of the same run, whose final
frame is the one the file was rendered from. Checks:
  - the row series: rows with equal labels (type, object, dir, pid, comm)
    add up into one; the N (--prom-rows, default 200) with the most bytes
    have series of their own, equal to the JSON's sums (bytes, ops, and the
    seconds waited to the microsecond JSON gives); the others add up per
    type and dir into object="(other)";
  - with RECORDS: each demo process's series equal the bytes and ops the
    demo says it moved, per object and direction;
  - the totals, losses and row counts equal the JSON's; ipctrace_up is 0;
  - the number of series stays within M * (N + 22) + 8 + the kinds of loss,
    M the row metrics (bytes, operations, and wait unless --no-wait).
Exits 1 on any mismatch, and if no series was compared.
"""
import re
import sys

from truth import final_frame, load_records

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')
TYPES, DIRS = 11, 2


def unescape(value):
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


def parse(path):
    """{metric: [(labels dict, value)]}, and the metrics with HELP and TYPE."""
    samples, described = {}, set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# TYPE "):
                described.add(line.split()[2])
                continue
            if line.startswith("#") or not line:
                continue
            m = SAMPLE.match(line)
            if not m:
                sys.exit(f"unreadable line: {line!r}")
            labels = {k: unescape(v) for k, v in LABEL.findall(m.group(2) or "")}
            samples.setdefault(m.group(1), []).append((labels, float(m.group(3))))
    return samples, described


def single(samples, name, errors):
    values = samples.get(name, [])
    if len(values) != 1:
        errors.append(f"{name}: {len(values)} samples")
        return None
    return values[0][1]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rows_cap = next((int(a.split("=")[1]) for a in sys.argv if a.startswith("--rows=")), 200)
    samples, described = parse(args[0])
    final = final_frame(args[1])
    records = load_records(args[2]) if len(args) > 2 else []
    errors = []

    for name in samples:
        if name not in described:
            errors.append(f"{name}: no TYPE line")

    # The JSON's rows, added up per series.
    row_metrics = ["ipctrace_bytes_total", "ipctrace_operations_total"]
    waits = "ipctrace_wait_seconds_total" in described
    if waits:
        row_metrics.append("ipctrace_wait_seconds_total")
    merged = {}
    for row in final["rows"]:
        key = (row["type"], row["object"], row["dir"], str(row["pid"]), row["comm"])
        s = merged.setdefault(key, [0, 0, 0.0, 0])
        s[0] += row["bytes"]
        s[1] += row["ops"]
        s[2] += row["wait_s"]
        s[3] += 1
    # JSON rounds each row's wait to the microsecond.
    close = lambda got, want, rows: abs(got - want) <= 1e-6 * rows + 1e-9

    series = {}
    other = {}
    for index, metric in enumerate(row_metrics):
        for labels, value in samples.get(metric, []):
            if labels.get("object") == "(other)":
                if set(labels) != {"type", "object", "dir"}:
                    errors.append(f"{metric} {labels}: other series with labels of a row")
                other.setdefault((labels["type"], labels["dir"]), [0, 0, 0.0])[index] = value
                continue
            key = (labels["type"], labels["object"], labels["dir"], labels["pid"],
                   labels["comm"])
            if index == 0 and key in series:
                errors.append(f"{metric} {key}: twice")
            series.setdefault(key, [0, 0, 0.0])[index] = value

    own = min(rows_cap, len(merged))
    if len(series) != own:
        errors.append(f"{len(series)} row series, expected {own} of {len(merged)} rows")
    for key, values in series.items():
        want = merged.get(key)
        if not want:
            errors.append(f"series {key}: no such row in the JSON")
        elif want[:2] != values[:2] or (waits and not close(values[2], want[2], want[3])):
            errors.append(f"series {key}: {values}, JSON rows {want}")
    rest = {k: v for k, v in merged.items() if k not in series}
    if series and rest:
        least = min(v[0] for v in series.values())
        busier = [k for k, v in rest.items() if v[0] > least]
        if busier:
            errors.append(f"rows busier than a series left out: {busier[:3]}")
    want_other = {}
    for (kind, _, direction, _, _), (b, o, w, n) in rest.items():
        want = want_other.setdefault((kind, direction), [0, 0, 0.0, 0])
        want[0] += b
        want[1] += o
        want[2] += w
        want[3] += n
    if set(other) != set(want_other) or any(
            other[k][:2] != want_other[k][:2]
            or (waits and not close(other[k][2], want_other[k][2], want_other[k][3]))
            for k in other):
        errors.append(f"other series {other}, expected {want_other}")

    # The demo's own figures, per process, object and direction.
    truth = {}
    for rec in records:
        t = truth.setdefault((rec["type"], rec["object"], rec["dir"], str(rec["pid"])), [0, 0])
        t[0] += rec["bytes"]
        t[1] += rec["ops"]
    for key, want in truth.items():
        got = [v[:2] for k, v in series.items() if k[:4] == key]
        if got != [want]:
            errors.append(f"demo {key}: series {got}, the demo moved {want}")

    checks = {
        "ipctrace_traced_bytes_total": final["totals"]["bytes"],
        "ipctrace_traced_operations_total": final["totals"]["ops"],
        "ipctrace_rows": len(final["rows"]),
        "ipctrace_other_rows": len(rest),
        "ipctrace_up": 0,
    }
    for name, want in checks.items():
        got = single(samples, name, errors)
        if got is not None and got != want:
            errors.append(f"{name} {got}, expected {want}")
    lost = {labels["map"]: value for labels, value in samples.get("ipctrace_lost_total", [])}
    if lost != final["lost"]:
        errors.append(f"ipctrace_lost_total {lost}, JSON lost {final['lost']}")
    for name in ("ipctrace_build_info", "ipctrace_start_time_seconds"):
        single(samples, name, errors)

    count = sum(len(v) for v in samples.values())
    bound = len(row_metrics) * (rows_cap + TYPES * DIRS) + 8 + len(final["lost"])
    if count > bound:
        errors.append(f"{count} series, more than the bound {bound}")

    if not series:
        errors.append("no row series compared")
    for e in errors:
        print("MISMATCH", e)
    print(f"compared {len(series)} series ({len(other)} other, {count} in all, bound {bound}) "
          f"with {len(final['rows'])} rows and {len(records)} records: {len(errors)} mismatches")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
