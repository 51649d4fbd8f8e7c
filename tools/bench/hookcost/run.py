#!/usr/bin/env python3
"""make bench-hookcost: ipctrace's pipe hot path in variants (hookcost.bpf.c
says which), interleaved with untraced and with ipctrace itself, on pipe1
(the workload with the tightest target), file and null. Prints medians and
ratios to untraced, taken within this run.

usage: sudo tools/bench/hookcost/run.py [--reps N] [--cpu N]
"""
import argparse
import importlib.util
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# bench.py imports its siblings (apps.py, scale.py) by name.
sys.path.insert(0, os.path.join(HERE, ".."))
spec = importlib.util.spec_from_file_location("bench", os.path.join(HERE, "..", "bench.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

HOOKCOST = bench.HOOKCOST
VARIANTS = {
    "v0": "ipctrace until 12-04: 12 probe reads, hash",
    "v1": "direct BTF loads, 1 probe read, hash, atomics",
    "v2": "v1 + per-CPU hash, no atomics",
    "v3": "v2 + slot via bpf_rdonly_cast, no helper",
    "v4": "v1's loads, one per-CPU counter (no row lookup)",
    "v5": "hook + syscall table lookup only",
    "v6": "v5 + the other hooks ipctrace attaches, empty",
}
WORKLOADS = [("pipe1", 300000), ("file", 300000), ("null", 1000000)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=8)
    ap.add_argument("--cpu", type=int, default=os.cpu_count() - 1)
    args = ap.parse_args()
    runner = bench.Runner(None if args.cpu < 0 else args.cpu)
    conds = ["untraced", "ipctrace", *VARIANTS]
    ns = {c: {w: [] for w, _ in WORKLOADS} for c in conds}
    for rep in range(args.reps):
        k = rep % len(conds)
        for c in conds[k:] + conds[:k]:
            tracer = None
            if c == "ipctrace":
                tracer = bench.start_ipctrace()
            elif c != "untraced":
                tracer = bench.Tracer(c, [HOOKCOST, c[1:]], r"hookcost: attached", "stderr")
            try:
                for w, n in WORKLOADS:
                    ns[c][w].append(float(runner.run(w, n)["ns_per_op"]))
            finally:
                if tracer:
                    tracer.stop()
        bench.log(f"  rep {rep + 1}/{args.reps}")
    print(f"{'':<9} {'':<48}" + "".join(f" {w:>14}" for w, _ in WORKLOADS))
    for c in conds:
        what = VARIANTS.get(c, "")
        line = f"{c:<9} {what:<48}"
        for w, _ in WORKLOADS:
            m = statistics.median(ns[c][w])
            line += f" {m:>7.0f} {m / statistics.median(ns['untraced'][w]):>5.2f}x"
        print(line)
    print("(ns per iteration, medians of", args.reps, "interleaved repetitions; ratio to untraced)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except bench.BenchError as e:
        print(f"hookcost: {e}", file=sys.stderr)
        sys.exit(1)
