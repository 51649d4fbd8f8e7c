#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ipctrace's benchmark: what it costs the IPC it watches, and what it costs
to run. Started by `make bench` through tools/bench/run.sh (which installs
bpftrace and strace if missing and mounts tracefs); needs root.

1. Overhead. Every micro-workload of build/ipc-bench, and every real
   application of tools/bench/apps.py (PostgreSQL, redis, nginx, a shell
   pipeline: their throughput), runs under each
   condition: untraced, under ipctrace, under an equivalent bpftrace script
   (tools/bench/ipctrace.bt), under strace. The conditions are interleaved
   (one block of every workload per condition, the order rotated each
   repetition) so that the machine's background load falls on all of them
   alike; medians and their ratios to untraced are taken within this run
   only, never across runs.
2. Counts: each IPC workload once under `ipctrace --json`; the final line's
   `lost` must be all zero and its op counts must equal what the workload did.
3. ipctrace's own costs: start to `attached`; CPU and peak RSS under a
   sustained high-rate workload; one refresh with 10,000 live pipes; BPF
   time per program run (kernel.bpf_stats_enabled, restored afterwards);
   program sizes.
4. The ratios against tools/bench/baseline.json: any that got worse by more
   than the margin is flagged, and the exit status is 3.

Results go to build/bench/results.json; --write-baseline makes them the
baseline.
"""
import argparse
import datetime
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import apps as apps_mod

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
IPCTRACE = os.path.join(BUILD, "ipctrace")
IPC_BENCH = os.path.join(BUILD, "ipc-bench")
BT_SCRIPT = os.path.join(ROOT, "tools", "bench", "ipctrace.bt")
HOOKCOST = os.path.join(BUILD, "hookcost", "hookcost")
BASELINE = os.path.join(ROOT, "tools", "bench", "baseline.json")
RESULTS = os.path.join(BUILD, "bench", "results.json")

# name, timed iterations at --scale 1 (about 0.1-0.3 s untraced here),
# the target ratio under ipctrace (None: no target, shown for what the rest
# of the machine pays), and what ipctrace counts per iteration:
# {type: ops}, for the count check.
WORKLOADS = [
    ("pipe1", 200000, 1.3, {"pipe": 2}),
    ("uring", 200000, None, {"pipe": 2}),
    ("pty", 50000, None, {"pty": 2}),
    ("pipe2", 50000, 1.5, {"pipe": 4}),
    ("mq", 200000, 1.5, {"mq": 2}),
    ("msg", 200000, 1.5, {"msg": 2}),
    ("unix", 40000, 1.5, {"unix": 4}),
    ("tcp", 30000, 1.5, {"tcp": 4}),
    # Per round: a semop wait and post in each process (the parent waits once
    # more at the end), and one page fault each, on the segment just attached.
    ("shm", 20000, 1.5, {"sem": 4, "shm": 2}),
    ("null", 1000000, None, {}),
    ("file", 400000, None, {}),
    ("spawn", 300, None, {}),
]
WORKLOAD_DESC = {
    "pipe1": "pipe, 1 process: write+read 64 B",
    "uring": "pipe, 1 process: write+read as io_uring requests",
    "pty": "pty, 1 process: write master + read slave 64 B",
    "pipe2": "pipes, 2 processes: ping-pong",
    "mq": "POSIX mq: send+receive",
    "msg": "System V msg: msgsnd+msgrcv",
    "unix": "unix socketpair: ping-pong",
    "tcp": "TCP loopback: ping-pong",
    "shm": "SysV shm: attach, touch, detach; sem hand-off",
    "null": "(not IPC) getppid()",
    "file": "(not IPC) /dev/null write + /dev/zero read",
    "spawn": "(not IPC) fork+exec+wait /bin/true, as bash",
}
# nowait: ipctrace --no-wait, so that WAIT's own price (a hook on every
# context switch, issue 9) is the ratio ipctrace / nowait of the same run.
# floor: ipctrace's hook points with nothing in them (hookcost variant 6):
# what any tracer that sees what those hooks see pays before doing anything,
# so that a ratio tells the hooks' price from ipctrace's work in them;
# sysexit: the sys_exit hook alone, empty but for its syscall table (variant 5).
# compare: another ipctrace binary (--compare PATH), a build before a change,
# as one more condition of the same interleaved run.
CONDITIONS = ["untraced", "ipctrace", "nowait", "floor", "bpftrace", "strace", "sysexit",
              "compare"]
DEFAULT_CONDITIONS = CONDITIONS[:-2]
HOOKCOST_VARIANT = {"floor": "6", "sysexit": "5"}
# ipctrace's own conditions: only their ratios can regress through a change of
# ours; a peer's (bpftrace, strace) moves with the machine and its kernel.
OWN_CONDITIONS = ("ipctrace", "nowait")

TARGETS = {
    "cpu_pct_at_500k": 2.0,
    "start_s": 0.3,
    "rss_10k_mb": 30.0,
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


def fail(msg):
    raise BenchError(msg)


# --- Processes -----------------------------------------------------------


class Tracer:
    """A tracer running in the background: started, waited for until it says
    it is attached, stopped with SIGINT (the way a user stops it)."""

    def __init__(self, name, argv, ready_re, ready_stream, stdout=subprocess.DEVNULL):
        self.name = name
        self.lines = []
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE if ready_stream == "stdout" else stdout,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        self.ready = threading.Event()
        self.readers = []
        for stream_name in ("stdout", "stderr"):
            stream = getattr(self.proc, stream_name)
            if stream is None:
                continue
            watch = stream_name == ready_stream
            # Drained to the end, so that the tracer never blocks on a full pipe.
            t = threading.Thread(target=self._drain, args=(stream, watch, ready_re), daemon=True)
            t.start()
            self.readers.append(t)
        if not self.ready.wait(30) or self.proc.poll() is not None:
            self.stop()
            fail(f"{name} did not attach within 30 s:\n" + "".join(self.lines[-20:]))
        self.attach_s = self.ready_at - t0

    def _drain(self, stream, watch, ready_re):
        for line in stream:
            if len(self.lines) < 200:
                self.lines.append(line)
            if watch and not self.ready.is_set() and re.search(ready_re, line):
                self.ready_at = time.monotonic()
                self.ready.set()

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for t in self.readers:
            t.join(5)
        return self.proc.returncode


def start_ipctrace(extra=(), stdout=subprocess.DEVNULL, binary=IPCTRACE):
    return Tracer("ipctrace", [binary, "-i", "1", *extra], r"^ipctrace: attached", "stderr",
                  stdout=stdout)


def start_bpftrace():
    return Tracer("bpftrace", ["bpftrace", BT_SCRIPT], r"ipctrace\.bt: attached", "stdout")


class Runner:
    """Runs ipc-bench, pinned to one CPU if asked: a ping-pong whose two
    processes sit on two CPUs of a VM pays the host's cross-CPU wake-up
    (tens of microseconds, varying with the host), which would drown what
    a tracer adds; on one CPU each hand-off is a plain context switch."""

    def __init__(self, cpu):
        self.cpu = cpu

    def _pin(self):
        if self.cpu is not None:
            os.sched_setaffinity(0, {self.cpu})

    def popen(self, argv, **kw):
        return subprocess.Popen(argv, preexec_fn=self._pin, **kw)

    def run(self, workload, iters, wrap=(), extra=(), timeout=600):
        argv = [*wrap, IPC_BENCH, workload, "-n", str(iters), *extra]
        p = self.popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            fail(f"{' '.join(argv)}: no result within {timeout} s")
        if p.returncode != 0:
            fail(f"{' '.join(argv)} failed ({p.returncode}): {err.strip()}")
        for line in out.splitlines():
            if line.startswith("workload="):
                r = dict(kv.split("=", 1) for kv in line.split())
                r["pid"] = p.pid
                return r
        fail(f"{' '.join(argv)}: no result line in: {out!r}")


# --- /proc ---------------------------------------------------------------


def cpu_ns(pid):
    """A process's CPU time so far (all threads), in ns, from schedstat."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:
            pass
    return total


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def proc_io(pid, key):
    with open(f"/proc/{pid}/io") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def read_sysctl(name):
    with open("/proc/sys/" + name.replace(".", "/")) as f:
        return f.read().strip()


def write_sysctl(name, value):
    with open("/proc/sys/" + name.replace(".", "/"), "w") as f:
        f.write(str(value))


def prog_ids(pid):
    """The BPF programs a process holds, from its descriptors' fdinfo: by id,
    since another ipctrace on the machine has programs of the same names."""
    ids = set()
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError):
            pass
    return ids


def prog_stats(ids):
    out = subprocess.run(["bpftool", "prog", "show", "--json"], capture_output=True, text=True,
                         check=True).stdout
    return {p["id"]: p for p in json.loads(out) if p["id"] in ids}


# --- 1. Overhead ---------------------------------------------------------


# Program types that can hook syscalls, page faults or sockets machine-wide.
TRACING_TYPES = {"tracing", "raw_tracepoint", "tracepoint", "kprobe", "perf_event"}


class Quiet:
    """Other people's tracers. Every process on the machine pays for every
    BPF program on sys_exit, so another ipctrace (a colleague's test, say)
    slows the untraced runs too, and a ratio taken then is understated. The
    BPF programs loaded now, less the ones our own tracers loaded, say
    whether someone else's tracer is attached."""

    # Every program our own tracers ever loaded, shared by all instances: a
    # stopped tracer's programs stay listed for a moment after it exits (the
    # kernel frees them after an RCU grace period), and are not someone else's.
    own = set()

    def __init__(self, budget_s):
        self.budget = budget_s	# seconds we may spend waiting, in all

    def adopt(self, tracer):
        Quiet.own |= prog_ids(tracer.pid)

    def foreign(self):
        out = subprocess.run(["bpftool", "prog", "show", "--json"], capture_output=True,
                             text=True).stdout
        try:
            progs = json.loads(out or "[]")
        except ValueError:
            return []
        return sorted({p.get("name", "?") for p in progs
                       if p.get("type") in TRACING_TYPES and p["id"] not in Quiet.own})

    def wait(self):
        """Wait for the others' tracers to go, within what is left of the budget."""
        seen = self.foreign()
        t0 = time.monotonic()
        while seen and self.budget > 0:
            time.sleep(1)
            self.budget -= time.monotonic() - t0
            t0 = time.monotonic()
            seen = self.foreign()
        return seen


def start_condition(cond, args):
    """The tracer of a condition (None: none), and how workloads run under
    it: a wrapper command and a divisor of their iterations (strace's)."""
    if cond == "ipctrace":
        return start_ipctrace(), (), 1
    if cond == "nowait":
        return start_ipctrace(("--no-wait",)), (), 1
    if cond == "compare":
        return start_ipctrace(binary=args.compare), (), 1
    if cond == "bpftrace":
        return start_bpftrace(), (), 1
    if cond in HOOKCOST_VARIANT:
        return Tracer(cond, [HOOKCOST, HOOKCOST_VARIANT[cond]], r"hookcost: attached",
                      "stderr"), (), 1
    if cond == "strace":
        return None, ("strace", "-f", "-qq", "-o", "/dev/null"), args.strace_div
    return None, (), 1


def run_app(app, cond, args):
    """One run of a real application's client under cond's tracer (already
    attached, but strace's, which attaches to the server here)."""
    if cond != "strace":
        return app.run()
    if app.server_pid is None:
        return app.run(div=args.app_strace_div, wrap=("strace", "-f", "-qq", "-o", "/dev/null"))
    st = apps_mod.strace_server(app.server_pid)
    try:
        return app.run(div=args.app_strace_div)
    finally:
        apps_mod.stop_strace(st)


def overhead(args, runner, workloads, conditions, apps):
    """ns per op for every (workload, condition, repetition), throughput for
    every (application, condition, repetition) of the first --app-reps, and
    which repetitions ran while someone else's tracer was attached. Runs
    until args.reps repetitions were undisturbed, or 2 * args.reps ran, or
    the time limit passed (not before the applications had theirs)."""
    samples = {w[0]: {c: [] for c in conditions} for w in workloads}
    app_samples = {a.name: {c: [] for c in conditions} for a in apps}
    attach = {c: [] for c in conditions}
    quiet = Quiet(args.quiet_wait)
    disturbed = []	# per repetition: foreign program names seen
    deadline = time.monotonic() + args.time_limit
    rep = 0
    reps = args.reps if workloads else args.app_reps

    def more():
        if apps and rep < args.app_reps:
            return True
        return (bool(workloads) and sum(1 for d in disturbed if not d) < reps
                and rep < 2 * reps and time.monotonic() < deadline)
    while more():
        t0 = time.monotonic()
        k = rep % len(conditions)
        order = conditions[k:] + conditions[:k]
        seen = set(quiet.wait())
        for cond in order:
            tracer, wrap, div = start_condition(cond, args)
            try:
                if tracer:
                    attach[cond].append(tracer.attach_s)
                    quiet.adopt(tracer)
                for name, iters, _, _ in workloads:
                    n = max(20, int(iters * args.scale / div))
                    r = runner.run(name, n, wrap=wrap)
                    samples[name][cond].append(float(r["ns_per_op"]))
                    seen |= set(quiet.foreign())
                if apps and rep < args.app_reps and tracer:
                    # Past the tracer's start: its first refreshes scan all
                    # of /proc, which a server traced for hours pays once.
                    time.sleep(args.app_settle)
                for app in apps if rep < args.app_reps else ():
                    app_samples[app.name][cond].append(run_app(app, cond, args)[0])
                    seen |= set(quiet.foreign())
            finally:
                if tracer:
                    tracer.stop()
        disturbed.append(sorted(seen))
        rep += 1
        clean = sum(1 for d in disturbed if not d)
        note = f"; others' BPF tracers attached: {', '.join(sorted(seen))}" if seen else ""
        log(f"  rep {rep} ({clean}/{reps} undisturbed): {' '.join(order)} "
            f"({time.monotonic() - t0:.1f} s{note})")
    return samples, app_samples, attach, disturbed


def clean_samples(samples, disturbed, min_clean):
    """Only the repetitions no other tracer disturbed, if there are enough."""
    clean = [i for i, d in enumerate(disturbed) if not d]
    if len(clean) < min_clean:
        return samples, False
    return ({w: {c: [xs[i] for i in clean] for c, xs in by_c.items()} for w, by_c in samples.items()},
            True)


def quartiles(xs):
    if len(xs) < 2:
        return (xs[0], xs[0]) if xs else (0, 0)
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def summarize(samples, conditions):
    res = {}
    for w, by_cond in samples.items():
        base = by_cond["untraced"]
        mb = statistics.median(base)
        res[w] = {}
        for c in conditions:
            xs = by_cond[c]
            m = statistics.median(xs)
            entry = {"median_ns": round(m, 1), "n": len(xs)}
            res[w][c] = ratio_entry(entry, xs, base, mb) if c != "untraced" else entry
        if "nowait" in res[w] and "ipctrace" in res[w]:
            res[w]["wait_cost"] = round(res[w]["ipctrace"]["median_ns"] /
                                        res[w]["nowait"]["median_ns"], 3)
    return res


def table_head(head, cols, col):
    """A table's header: head, then col(c) for each traced condition, and
    ipctrace's spread and target after its own."""
    for c in cols:
        head += col(c)
        if c == "ipctrace":
            head += f" {'(IQR)':>11} {'target':>7}"
    return head


def ratio_entry(entry, xs, base, median_base):
    """A condition's ratio to untraced (medians), and the quartiles of the
    same repetition's ratios, into entry."""
    entry["ratio"] = round(statistics.median(xs) / median_base, 3)
    lo, hi = quartiles([x / b for x, b in zip(xs, base)])
    entry["ratio_iqr"] = [round(lo, 3), round(hi, 3)]
    return entry


def summarize_apps(app_samples, disturbed, conditions):
    """Throughput medians per application and condition, and the ratio
    traced / untraced (below 1: throughput lost), with the quartiles of the
    per-repetition ratios. Undisturbed repetitions only, if 3 or more."""
    res = {}
    for name, by_cond in app_samples.items():
        n = len(by_cond["untraced"])
        clean = [i for i in range(n) if not disturbed[i]]
        use = clean if len(clean) >= 3 else list(range(n))
        base = [by_cond["untraced"][i] for i in use]
        mb = statistics.median(base)
        res[name] = {"reps_used": len(use)}
        for c in conditions:
            xs = [by_cond[c][i] for i in use]
            entry = {"median": round(statistics.median(xs), 1), "n": len(xs)}
            res[name][c] = ratio_entry(entry, xs, base, mb) if c != "untraced" else entry
    return res


def print_apps(summary, apps, conditions):
    cols = [c for c in conditions if c != "untraced"]
    print()
    print("Real applications: throughput, and its share kept under each tracer "
          "(traced / untraced; 1.00 = nothing lost):")
    print(table_head(f"{'app':<10} {'what':<48} {'unit':<14} {'untraced':>11}", cols,
                     lambda c: f" {c:>9}"))
    for app in apps:
        s = summary[app.name]
        line = f"{app.name:<10} {app.desc:<48} {app.unit:<14} {s['untraced']['median']:>11.0f}"
        for c in cols:
            line += f" {s[c]['ratio']:>8.3f}x"
            if c == "ipctrace":
                lo, hi = s[c]["ratio_iqr"]
                target = apps_mod.APP_TARGETS.get(app.name)
                ok = "" if target is None else (" ok" if s[c]["ratio"] >= target else " MISS")
                tgt = "-" if target is None else f">={target:.2f}"
                line += f" {f'{lo:.2f}-{hi:.2f}':>11} {tgt:>7}{ok}"
        print(line)
    print(f"(medians of {', '.join(str(summary[a.name]['reps_used']) for a in apps)} "
          "interleaved repetitions; strace follows the server, -f -p, and runs the pipeline)")


def print_overhead(summary, workloads, conditions):
    cols = [c for c in conditions if c != "untraced"]
    print(table_head(f"{'workload':<8} {'what':<46} {'untraced':>9}", cols,
                     lambda c: f" {c + ' ns':>12} {'ratio':>6}"))
    for name, _, target, _ in workloads:
        s = summary[name]
        line = f"{name:<8} {WORKLOAD_DESC[name]:<46} {s['untraced']['median_ns']:>9.0f}"
        for c in cols:
            e = s[c]
            line += f" {e['median_ns']:>12.0f} {e['ratio']:>5.2f}x"
            if c == "ipctrace":
                lo, hi = e["ratio_iqr"]
                ok = "" if target is None else ("ok" if e["ratio"] <= target else "MISS")
                tgt = "-" if target is None else f"{target:.1f}x"
                line += f" {f'{lo:.2f}-{hi:.2f}':>11} {tgt:>6} {ok}"
        print(line)
    if "nowait" in cols:
        print()
        print("WAIT's own cost (ipctrace / ipctrace --no-wait, medians of the same run):")
        print("  " + ", ".join(f"{name} {summary[name]['wait_cost']:.2f}x"
                             for name, _, _, _ in workloads if "wait_cost" in summary[name]))
    print("(ns per iteration, medians; ratio: median / untraced median, same run;")
    print(" IQR: quartiles of the per-repetition ratios; strace ran fewer iterations)")


# --- 2. Counts -----------------------------------------------------------


def count_check(args, runner, workloads):
    """Each IPC workload alone under ipctrace --json: nothing lost, and the
    final totals equal what the workload did (warm-up included)."""
    results = {}
    for name, iters, _, per_iter in workloads:
        if not per_iter:
            continue
        quiet = Quiet(0)
        others = set(quiet.foreign())
        with tempfile.TemporaryFile("w+") as out:
            tr = start_ipctrace(("--json",), stdout=out)
            try:
                quiet.adopt(tr)
                r = runner.run(name, max(100, int(iters * args.scale)))
                others |= set(quiet.foreign())
            finally:
                tr.stop()
            out.seek(0)
            lines = [ln for ln in out.read().splitlines() if ln.startswith("{")]
        final = json.loads(lines[-1]) if lines else {}
        if not final.get("final"):
            fail(f"ipctrace --json printed no final line for {name}")
        n = int(r["iters"]) + int(r["warmup"])
        got = {}
        # The workload's processes (its forked child keeps the name); nothing
        # else on the machine runs ipc-bench.
        for row in final["rows"]:
            if row["comm"] == "ipc-bench" and row["type"] in per_iter:
                got[row["type"]] = got.get(row["type"], 0) + row["ops"]
        want = {t: k * n for t, k in per_iter.items()}
        if name == "shm":
            want["sem"] += 1	# the parent's wait for the child's last turn
        if "pipe" in want:
            want["pipe"] += 1	# the result line, written into our stdout pipe
        lost = {k: v for k, v in final["lost"].items() if v}
        # lost.faults counts page faults whose mapping could not be looked up
        # because another program's bpf_find_vma() held this CPU's slot:
        # another ipctrace, typically.
        results[name] = {"want": want, "got": got, "lost": lost, "others": sorted(others),
                         "ok": got == want and not lost}
    return results


def pipeline_count(app):
    """The pipeline under `ipctrace --json -t pipe -- COMMAND`: each of its
    processes' pipe bytes, exactly what it moved (Pipeline.MOVES)."""
    n = app.amount
    argv, _ = app.command(n)
    p = subprocess.run([IPCTRACE, "--json", "-t", "pipe", "--", *argv], capture_output=True,
                       text=True, timeout=600)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    final = json.loads(lines[-1]) if lines else {}
    if p.returncode != 0 or not final.get("final"):
        fail(f"ipctrace -- pipeline: status {p.returncode}, no final line: {p.stderr[-300:]}")
    got = {}
    for row in final["rows"]:
        if row["comm"] in app.MOVES and row["type"] == "pipe":
            rx, tx = got.get(row["comm"], (0, 0))
            got[row["comm"]] = (rx + row["bytes"], tx) if row["dir"] == "rx" else (rx, tx + row["bytes"])
    want = {c: (k * n, j * n) for c, (k, j) in app.MOVES.items()}
    lost = {k: v for k, v in final["lost"].items() if v}
    return {"want": want, "got": got, "lost": lost, "ok": got == want and not lost}


def print_pipeline_count(c):
    print("  pipeline: pipe bytes (received, sent) counted/done: " +
          ", ".join(f"{k} {tuple(c['got'].get(k, (0, 0)))}/{v}" for k, v in c["want"].items()) +
          f"; lost: {c['lost'] or 'none'} {'ok' if c['ok'] else 'MISMATCH'}")


def print_counts(counts):
    print()
    print("Counts under ipctrace --json (final line; ops = what the workload did):")
    for name, c in counts.items():
        parts = [f"{t} {c['got'].get(t, 0)}/{w}" for t, w in c["want"].items()]
        lost = ", ".join(f"{k}={v}" for k, v in c["lost"].items()) or "none"
        note = " (others' BPF tracers attached)" if c.get("others") else ""
        print(f"  {name:<6} ops counted/done: {', '.join(parts):<34} lost: {lost:<10} "
              f"{'ok' if c['ok'] else 'MISMATCH'}{note}")


# --- 3. ipctrace's own costs ---------------------------------------------


def start_time(args):
    times = []
    for _ in range(args.start_runs):
        tr = start_ipctrace()
        times.append(tr.attach_s)
        tr.stop()
    return {"median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
            "max_s": round(max(times), 3), "runs": len(times)}


def sustained(args, runner):
    """ipctrace's CPU while a workload runs at a fixed rate, and flat out."""
    out = {}
    for label, rate in (("paced", 250000), ("flat_out", 0)):
        tr = start_ipctrace()
        try:
            time.sleep(1.2)	# past its first refresh
            extra = ["-d", str(args.duration)] + (["-r", str(rate)] if rate else [])
            c0, t0 = cpu_ns(tr.pid), time.monotonic()
            r = runner.run("pipe1", 1000000, extra=extra)
            c1, t1 = cpu_ns(tr.pid), time.monotonic()
            hwm = status_kb(tr.pid, "VmHWM")
        finally:
            tr.stop()
        ops_s = int(r["ipc_ops"]) / float(r["seconds"])
        out[label] = {"ipc_ops_per_s": round(ops_s), "cpu_pct": round((c1 - c0) / (t1 - t0) / 1e7, 3),
                      "rss_hwm_mb": round(hwm / 1024, 1), "seconds": round(t1 - t0, 1)}
    return out


def refresh_10k(args, runner):
    """One refresh with 10,000 live pipes (rows): CPU per interval, RSS."""
    n = args.objects
    with tempfile.TemporaryFile("w+") as table:
        tr = start_ipctrace(stdout=table)
        try:
            p = runner.popen([IPC_BENCH, "many-pipes", "-n", str(n), "-d", str(args.duration + 5)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            line = p.stdout.readline()
            if not line.startswith("ready"):
                p.kill()
                fail(f"many-pipes: {line!r} {p.stderr.read()}")
            c_ready, t_ready = cpu_ns(tr.pid), time.monotonic()
            # The first refreshes after the pipes appear read /proc for their holders.
            time.sleep(2.5)
            c0, t0 = cpu_ns(tr.pid), time.monotonic()
            # One sample per second, so one refresh each (-i 1). ipctrace
            # rescans /proc/*/fd (and every fdinfo) when the number of objects
            # it knows changes, and every 5 s: thousands of read syscalls,
            # which /proc/PID/io counts, tell those refreshes apart.
            windows = []
            prev_c, prev_r = c0, proc_io(tr.pid, "syscr")
            for _ in range(args.duration):
                time.sleep(1)
                c, r = cpu_ns(tr.pid), proc_io(tr.pid, "syscr")
                windows.append(((c - prev_c) / 1e6, r - prev_r > 1000))
                prev_c, prev_r = c, r
            c1, t1 = cpu_ns(tr.pid), time.monotonic()
            hwm, rss = status_kb(tr.pid, "VmHWM"), status_kb(tr.pid, "VmRSS")
            p.communicate(timeout=60)
        finally:
            tr.stop()
        table.seek(0)
        rows = [int(m.group(1)) for m in re.finditer(r"^ipctrace .* rows (\d+)", table.read(), re.M)]
    scan = [ms for ms, rescan in windows if rescan]
    plain = [ms for ms, rescan in windows if not rescan]
    return {"objects": n, "rows_max": max(rows) if rows else 0,
            "cpu_ms_per_refresh": round((c1 - c0) / 1e6 / (t1 - t0), 2),
            "cpu_pct": round((c1 - c0) / (t1 - t0) / 1e7, 2),
            "refreshes_with_rescan": len(scan),
            "cpu_ms_with_rescan": round(statistics.median(scan), 1) if scan else None,
            "refreshes_without_rescan": len(plain),
            "cpu_ms_without_rescan": round(statistics.median(plain), 1) if plain else None,
            "first_refreshes_cpu_ms": round((c0 - c_ready) / 1e6, 1),
            "first_refreshes_s": round(t0 - t_ready, 1),
            "rss_hwm_mb": round(hwm / 1024, 1), "rss_mb": round(rss / 1024, 1)}


def json_rss_10k(args, runner):
    """Peak RSS with the same 10,000 pipes under --json, whose frames are
    written differently from the table's (until 2026-12-05 one json-c tree a
    frame: 55 MB at its peak)."""
    n = args.objects
    tr = start_ipctrace(("--json",))
    try:
        p = runner.popen([IPC_BENCH, "many-pipes", "-n", str(n), "-d", "6"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = p.stdout.readline()
        if not line.startswith("ready"):
            p.kill()
            fail(f"many-pipes: {line!r} {p.stderr.read()}")
        time.sleep(5)	# the first refreshes, and a few more
        hwm = status_kb(tr.pid, "VmHWM")
        p.communicate(timeout=60)
    finally:
        tr.stop()
    return round(hwm / 1024, 1)


def program_deltas(s0, s1, runs_min):
    """ns per run and runs, per program that ran more than runs_min times
    between two bpftool listings."""
    per = {}
    for pid_, p1 in s1.items():
        p0 = s0.get(pid_, {})
        runs = p1.get("run_cnt", 0) - p0.get("run_cnt", 0)
        ns = p1.get("run_time_ns", 0) - p0.get("run_time_ns", 0)
        if runs > runs_min:
            per[p1["name"]] = {"runs": runs, "ns_per_run": round(ns / runs, 1)}
    return per


def per_unit(per, units):
    """Programs' runs and ns per unit of work (iteration, request)."""
    out = {n: {"runs_per_iter": round(v["runs"] / units, 2), "ns_per_run": v["ns_per_run"]}
           for n, v in per.items()}
    bpf_ns = sum(v["runs_per_iter"] * v["ns_per_run"] for v in out.values())
    return {"programs": out, "bpf_ns_per_iter": round(bpf_ns, 1)}


# Applications whose BPF time per request is measured.
BPF_APPS = ("pgbench", "redis_unix", "redis_tcp")


def bpf_time(args, runner, workloads, apps=(), binary=IPCTRACE):
    """ns per BPF program run, per workload and per application request,
    with kernel.bpf_stats_enabled on for this part only (it costs every BPF
    program on the machine two clock reads per run, so the overhead runs
    above have it off)."""
    old = read_sysctl("kernel.bpf_stats_enabled")
    write_sysctl("kernel.bpf_stats_enabled", 1)
    res = {}
    sizes = {}
    try:
        tr = start_ipctrace(binary=binary)
        try:
            ids = prog_ids(tr.pid)
            for name, iters, _, _ in workloads:
                n = max(100, int(iters * args.scale))
                s0 = prog_stats(ids)
                r = runner.run(name, n)
                total = int(r["iters"]) + int(r["warmup"])
                res[name] = per_unit(program_deltas(s0, prog_stats(ids), total // 10), total)
            for app in apps:
                if app.name in BPF_APPS:
                    s0 = prog_stats(ids)
                    _, done = app.run()
                    res[app.name] = per_unit(program_deltas(s0, prog_stats(ids), done // 10), done)
            for pid_, p in prog_stats(ids).items():
                xl = subprocess.run(["bpftool", "prog", "dump", "xlated", "id", str(pid_)],
                                    capture_output=True, text=True).stdout
                insns = len(re.findall(r"^\s*\d+: \(", xl, re.M))
                sizes[p["name"]] = {"xlated_insns": insns, "jited_bytes": p.get("bytes_jited", 0)}
        finally:
            tr.stop()
    finally:
        write_sysctl("kernel.bpf_stats_enabled", old)
    return res, sizes


def print_costs(costs):
    print()
    print("ipctrace's own costs:")
    st = costs.get("start")
    if st:
        print(f"  start to 'attached': median {st['median_s']:.3f} s (min {st['min_s']:.3f}, "
              f"max {st['max_s']:.3f}, {st['runs']} runs)")
    for label, s in (costs.get("sustained") or {}).items():
        print(f"  CPU, pipe1 {label.replace('_', ' ')} at {s['ipc_ops_per_s']:,} IPC ops/s: "
              f"{s['cpu_pct']:.2f}% of one core, peak RSS {s['rss_hwm_mb']} MB ({s['seconds']} s)")
    r = costs.get("refresh_10k")
    if r:
        split = []
        if r["refreshes_without_rescan"]:
            split.append(f"{r['refreshes_without_rescan']} plain: median {r['cpu_ms_without_rescan']} ms")
        if r["refreshes_with_rescan"]:
            split.append(f"{r['refreshes_with_rescan']} rescanning /proc: median "
                         f"{r['cpu_ms_with_rescan']} ms")
        print(f"  {r['objects']:,} live pipes ({r['rows_max']:,} rows): {r['cpu_ms_per_refresh']:.1f} ms "
              f"CPU per 1 s refresh, {r['cpu_pct']:.1f}% of a core ({'; '.join(split)}); "
              f"the first {r['first_refreshes_s']} s after they appeared: "
              f"{r['first_refreshes_cpu_ms']:.0f} ms; RSS {r['rss_mb']} MB, peak {r['rss_hwm_mb']} MB")
        if r.get("json_rss_hwm_mb"):
            print(f"  the same pipes under --json: peak RSS {r['json_rss_hwm_mb']} MB")
    for key, label in (("bpf", ""), ("bpf_compare", " of the --compare binary")):
        if not costs.get(key):
            continue
        print(f"  BPF time per program run{label} (bpf_stats, which adds its own two clock reads "
              "per run; applications: per request or transaction):")
        for w, b in costs[key].items():
            progs = ", ".join(f"{p} {v['runs_per_iter']:g} x {v['ns_per_run']:.0f} ns"
                              for p, v in sorted(b["programs"].items()))
            print(f"    {w:<10} {b['bpf_ns_per_iter']:>7.0f} ns per iteration: {progs}")
    for key, label in (("sizes", ""), ("sizes_compare", " of the --compare binary")):
        if costs.get(key):
            print(f"  program sizes{label} (xlated instructions / JIT bytes): " +
                  ", ".join(f"{n} {s['xlated_insns']}/{s['jited_bytes']}"
                            for n, s in sorted(costs[key].items())))


# --- Targets and baseline ------------------------------------------------


def check_targets(results, workloads):
    out = []
    summ = results.get("overhead", {})
    for name, target in apps_mod.APP_TARGETS.items():
        r = results.get("apps", {}).get(name, {}).get("ipctrace", {}).get("ratio")
        if r is not None:
            out.append((f"{name} throughput under ipctrace", f"{r:.3f}x", f">= {target}x",
                        r >= target))
    for name, _, target, _ in workloads:
        if target is not None and "ipctrace" in summ.get(name, {}):
            r = summ[name]["ipctrace"]["ratio"]
            out.append((f"{name} under ipctrace", f"{r:.2f}x", f"<= {target}x", r <= target))
    costs = results.get("costs") or {}
    if costs.get("sustained"):
        p = costs["sustained"]["paced"]
        out.append((f"ipctrace CPU at {p['ipc_ops_per_s']:,} ops/s", f"{p['cpu_pct']:.2f}%",
                    f"<= {TARGETS['cpu_pct_at_500k']}%", p["cpu_pct"] <= TARGETS["cpu_pct_at_500k"]))
    if costs.get("start"):
        s = costs["start"]["median_s"]
        out.append(("start to attached", f"{s:.3f} s", f"<= {TARGETS['start_s']} s",
                    s <= TARGETS["start_s"]))
    if costs.get("refresh_10k"):
        r = costs["refresh_10k"]
        m = max(r["rss_hwm_mb"], r.get("json_rss_hwm_mb") or 0)
        out.append((f"peak RSS, {r['objects']:,} objects (table, --json)", f"{m} MB",
                    f"<= {TARGETS['rss_10k_mb']} MB", m <= TARGETS["rss_10k_mb"]))
    if "counts" in results:
        bad = [w for w, c in results["counts"].items() if not c["ok"]]
        why = (" (others' tracers attached)"
               if bad and all(results["counts"][w].get("others") for w in bad) else "")
        out.append(("counts lost (table mode, final --json)",
                    "none" if not bad else ",".join(bad) + why, "none", not bad))
    print()
    print("Targets:")
    for what, got, want, ok in out:
        print(f"  {'met ' if ok else 'MISS'}  {what:<40} {got:>12}  (target {want})")
    return out


def compare_ratios(measured, base, margin, worse_if, flagged):
    """One table's ratios against the baseline's: ipctrace's that moved the
    wrong way by more than margin are flagged. Only ratios: absolute times
    move with the machine. A peer's ratio that moved as much is shown, not
    flagged: it says the machine changed, not the code."""
    for w, by_cond in measured.items():
        for c, e in by_cond.items():
            if not isinstance(e, dict) or "ratio" not in e:
                continue	# untraced, or wait_cost (a ratio of two tracers)
            b = base.get(w, {}).get(c, {}).get("ratio")
            if b is None:
                continue
            worse = worse_if(e["ratio"], b)
            moved = worse or abs(e["ratio"] - b) > margin
            if c in OWN_CONDITIONS:
                verdict = "WORSE" if worse else ("better" if moved else "same")
                if worse:
                    flagged.append(f"{w}/{c}")
            else:
                verdict = "moved (a peer: the machine, not flagged)"
            if c == "ipctrace" or moved:
                print(f"  {w:<10} {c:<9} {b:>6.2f}x -> {e['ratio']:>6.2f}x  {verdict}")


def compare_baseline(results, baseline, margin, app_margin=0.05):
    """Time ratios (micro-workloads) are flagged when above the baseline's by
    more than margin, throughput ratios (applications) when below it by more
    than app_margin."""
    flagged = []
    print()
    print(f"Against the baseline ({baseline.get('commit', '?')}, {baseline.get('date', '?')}), "
          f"margin +{margin:.2f}x (applications -{app_margin:.2f}):")
    compare_ratios(results.get("overhead", {}), baseline.get("overhead", {}), margin,
                   lambda r, b: r > b + margin, flagged)
    compare_ratios(results.get("apps", {}), baseline.get("apps", {}), app_margin,
                   lambda r, b: r < b - app_margin, flagged)
    print(f"  {len(flagged)} ratio(s) worse than the baseline" +
          (": " + ", ".join(flagged) if flagged else ""))
    return flagged


def git_commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return "unknown"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=15,
                    help="undisturbed repetitions of the interleaved run wanted")
    ap.add_argument("--time-limit", type=float, default=600,
                    help="seconds after which no new repetition starts")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply iteration counts")
    ap.add_argument("--strace-div", type=int, default=200,
                    help="strace runs iterations/DIV (it is ~450x slower)")
    ap.add_argument("--conditions", default=",".join(DEFAULT_CONDITIONS))
    ap.add_argument("--compare", metavar="PATH",
                    help="another ipctrace binary, as the condition 'compare' (a build before "
                    "a change, say)")
    ap.add_argument("--only", choices=("micro", "apps"),
                    help="only the micro-workloads, or only the real applications")
    ap.add_argument("--workloads", default=",".join(w[0] for w in WORKLOADS))
    ap.add_argument("--apps", default=",".join(a.name for a in apps_mod.APPS),
                    help="real applications (servers started by the bench)")
    ap.add_argument("--app-reps", type=int, default=5,
                    help="repetitions (the first ones) that run the applications too")
    ap.add_argument("--app-seconds", type=float, default=2,
                    help="seconds of one application run, untraced")
    ap.add_argument("--app-settle", type=float, default=3,
                    help="seconds a tracer runs before the applications do")
    ap.add_argument("--app-strace-div", type=int, default=10,
                    help="applications under strace do 1/DIV of the work")
    ap.add_argument("--cpu", type=int, default=os.cpu_count() - 1,
                    help="CPU the micro-workloads are pinned to; -1: not pinned")
    ap.add_argument("--duration", type=int, default=8, help="seconds of each sustained run")
    ap.add_argument("--objects", type=int, default=10000, help="pipes for the refresh cost")
    ap.add_argument("--start-runs", type=int, default=8)
    ap.add_argument("--skip-costs", action="store_true", help="only the interleaved overhead run")
    ap.add_argument("--quiet-wait", type=float, default=120,
                    help="seconds, in all, to wait for other people's BPF tracers to go")
    ap.add_argument("--baseline", default=BASELINE)
    ap.add_argument("--margin", type=float, default=0.3,
                    help="flag a ratio this much (x) above the baseline's")
    ap.add_argument("--app-margin", type=float, default=0.05,
                    help="flag an application's throughput ratio this much below the baseline's")
    ap.add_argument("--write-baseline", action="store_true")
    args = ap.parse_args()
    conditions = args.conditions.split(",")
    if args.compare and "compare" not in conditions:
        conditions.append("compare")
    if conditions[0] != "untraced" or any(c not in CONDITIONS for c in conditions):
        fail(f"--conditions: a list starting with untraced, of {CONDITIONS}")
    if "compare" in conditions and not (args.compare and os.access(args.compare, os.X_OK)):
        fail("--compare PATH: an executable ipctrace is needed for the condition 'compare'")
    args.conditions = conditions
    wanted = args.workloads.split(",") if args.only != "apps" else []
    args.workloads = [w for w in WORKLOADS if w[0] in wanted]
    wanted = args.apps.split(",") if args.only != "micro" else []
    unknown = set(wanted) - {a.name for a in apps_mod.APPS}
    if unknown:
        fail(f"--apps: unknown {', '.join(sorted(unknown))}; of "
             f"{', '.join(a.name for a in apps_mod.APPS)}")
    args.apps = wanted
    return args


def print_header(results, args, disturbed, clean):
    print()
    print(f"ipctrace benchmark: commit {results['commit']}, Linux {results['kernel']}, "
          f"{os.cpu_count()} CPUs, {len(disturbed)} interleaved repetitions")
    if len(disturbed) < args.reps and args.workloads:
        print(f"(fewer than the {args.reps} asked for: no repetition starts after "
              f"--time-limit {args.time_limit:.0f} s)")
    others = sorted({n for d in disturbed for n in d})
    if others:
        n_dist = sum(1 for d in disturbed if d)
        print(f"{n_dist} of {len(disturbed)} repetitions ran while someone else's BPF tracers were "
              f"attached ({', '.join(others)}): they slow the untraced runs too.")
        if clean:
            print("Medians below are of the undisturbed repetitions.")
        else:
            print("WARNING: too few undisturbed repetitions; medians below use all of them, and "
                  "the ratios are understated. Not compared with the baseline.")


def interleaved(args, runner, apps, results):
    """Part 1, into results; whether enough repetitions were undisturbed."""
    conditions, workloads = args.conditions, args.workloads
    pinned = f", micro-workloads pinned to CPU {args.cpu}" if args.cpu >= 0 else ""
    in_apps = f"; applications in the first {args.app_reps}" if apps else ""
    log(f"bench: interleaved run, {args.reps} undisturbed repetitions of {', '.join(conditions)}"
        f"{pinned}{in_apps}")
    samples, app_samples, attach, disturbed = overhead(args, runner, workloads, conditions, apps)
    min_clean = max(3, args.reps // 2)	# fewer make medians of noise
    clean = sum(1 for d in disturbed if not d) >= 3
    results["quiet"] = {"clean": clean, "disturbed": disturbed}
    if workloads:
        used, clean = clean_samples(samples, disturbed, min_clean)
        results["overhead"] = summarize(used, conditions)
        results["samples"] = samples
        results["quiet"].update(clean=clean,
                                reps_used=len(next(iter(used.values()))["untraced"]))
    if apps:
        results["apps"] = summarize_apps(app_samples, disturbed, conditions)
        results["app_samples"] = app_samples
        results["settings"]["app_amounts"] = {a.name: a.amount for a in apps}
    print_header(results, args, disturbed, clean)
    if workloads:
        print()
        print_overhead(results["overhead"], workloads, conditions)
    if apps:
        print_apps(results["apps"], apps, conditions)
    sys.stdout.flush()
    return clean


def own_costs(args, runner, apps, results, errors):
    """Parts 2 and 3, into results; a part that fails is reported in errors,
    the rest still run."""
    def part(label, fn, *a):
        log(f"bench: {label}")
        try:
            return fn(*a)
        except (BenchError, apps_mod.AppError, OSError, subprocess.SubprocessError, ValueError,
                KeyError) as e:
            errors.append(f"{label}: {e}")
            log(f"bench: {label} failed: {e}")
            return None

    costs = {}
    if args.workloads:
        counts = part("counts under ipctrace --json", count_check, args, runner, args.workloads)
        if counts is not None:
            results["counts"] = counts
            print_counts(counts)
    for app in apps:
        c = part("the pipeline's bytes under ipctrace --json", pipeline_count, app) \
            if app.name == "pipeline" else None
        if c is not None:
            results.setdefault("counts", {})["pipeline"] = c
            print_pipeline_count(c)
    if args.workloads:
        costs = {
            "start": part("start to attached", start_time, args),
            "sustained": part("CPU under a sustained workload", sustained, args, runner),
            "refresh_10k": part(f"refresh with {args.objects} pipes", refresh_10k, args, runner),
        }
        if costs["refresh_10k"]:
            costs["refresh_10k"]["json_rss_hwm_mb"] = part(
                f"--json with {args.objects} pipes", json_rss_10k, args, runner)
    binaries = [("ipctrace", IPCTRACE)] + ([("compare", args.compare)] if args.compare else [])
    for label, binary in binaries:
        bpf = part(f"BPF time per run ({label})", bpf_time, args, runner, args.workloads, apps,
                   binary)
        key = "bpf" if label == "ipctrace" else "bpf_compare"
        costs[key], sizes = bpf if bpf else (None, None)
        costs["sizes" if label == "ipctrace" else "sizes_compare"] = sizes
    results["costs"] = costs
    print_costs(costs)
    if args.workloads:
        import scale	# tools/bench/scale.py: the scale figures beside their targets
        results["scale"] = part("scale", scale.run, False, args.duration, 10000, False, log)
        if results["scale"]:
            scale.print_results(results["scale"])


def write_results(args, results, clean):
    """Results, the baseline (written or compared); the ratios flagged."""
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=1)
    flagged = []
    # Compared first also when replaced: what moved since is said.
    if os.path.exists(args.baseline):
        if clean:
            with open(args.baseline) as f:
                flagged = compare_baseline(results, json.load(f), args.margin, args.app_margin)
        else:
            print("\nNot compared with the baseline: too few undisturbed repetitions.")
    if args.write_baseline:
        # A --compare binary is this run's guest, not part of the baseline.
        base = {k: v for k, v in results.items() if k not in ("samples", "app_samples")}
        for table in ("overhead", "apps"):
            for by_cond in base.get(table, {}).values():
                by_cond.pop("compare", None)
        with open(args.baseline, "w") as f:
            json.dump(base, f, indent=1)
            f.write("\n")
        print(f"\nbaseline written: {os.path.relpath(args.baseline, ROOT)}")
    return flagged


def main():
    args = parse_args()
    if os.geteuid() != 0:
        fail("needs root (BPF, tracefs, sysctl)")
    for f in (IPCTRACE, IPC_BENCH):
        if not os.access(f, os.X_OK):
            fail(f"{f} missing: run make first")
    runner = Runner(None if args.cpu < 0 else args.cpu)
    started = time.monotonic()
    results = {
        "commit": git_commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "kernel": os.uname().release,
        "settings": {"reps": args.reps, "scale": args.scale, "strace_div": args.strace_div,
                     "cpu": args.cpu, "compare": args.compare, "app_reps": args.app_reps,
                     "iterations": {w[0]: int(w[1] * args.scale) for w in args.workloads}},
    }
    errors = []
    if args.apps:
        log(f"bench: starting {', '.join(args.apps)} (private directories, sockets and ports)")
    with apps_mod.Apps(args.apps, args.app_seconds) as apps:
        clean = interleaved(args, runner, apps, results)
        if not args.skip_costs:
            own_costs(args, runner, apps, results, errors)
    results["elapsed_s"] = round(time.monotonic() - started, 1)
    results["targets"] = [{"what": t[0], "got": t[1], "target": t[2], "met": t[3]}
                          for t in check_targets(results, args.workloads)]
    flagged = write_results(args, results, clean)
    print(f"\nresults: {os.path.relpath(RESULTS, ROOT)} ({results['elapsed_s']:.0f} s)")
    for e in errors:
        print(f"error: {e}")
    return 1 if errors else (3 if flagged else 0)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (BenchError, apps_mod.AppError) as e:
        log(f"bench: {e}")
        sys.exit(1)
    except KeyboardInterrupt:
        log("bench: interrupted; servers stopped, their directory removed")
        sys.exit(130)
