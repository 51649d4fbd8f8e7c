#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ipctrace at scale: what its user space costs with many live objects and
under a fork storm, each figure printed beside its target (issue 20).

usage: sudo tools/bench/scale.py [--quick] [--out FILE] [--forkstorm-only]
       [--only PART,...] [--seconds N] [--window N] [--fork-rate R]

1. 10,000 live pipes (build/ipc-bench many-pipes: one byte into each, every
   second): ipctrace's CPU at -i 1, as a share of one core (target <= 2%),
   with --json and with the default table (both to a file: every row), and
   interactive: `ipctrace` on a terminal (a pty of TUI_SIZE), as a sysadmin
   runs it, its screen read and thrown away.
2. 100,000 live pipes: 1 s intervals on time (each within 10% of 1 s, over
   --window seconds, 60 by default, from the end of the first interval that
   read them all) and RSS <= 100 MB.
3. 50,000 unix sockets made at once (more than the object-name map holds):
   every socket's two rows in the last live interval, exact bytes.
4. A fork storm (tests/lib/scale_load.py forkstorm, at --fork-rate a second,
   each child one pipe write) beside a long-lived writer: intervals within
   10% of their length, ipctrace's CPU under half a core, the writer's and
   reader's bytes exact.
5. 5,000 TCP connections on loopback (tests/lib/scale_load.py tcp, 10,000
   sockets): made while traced, a byte each way (20,000 rows), with --json,
   the table to a file and on a terminal; made before ipctrace
   started, their servers idle, each client then sending, so that every
   other end is found in the kernel's tables (sock_diag); and idle beside
   20 clients whose server never accepts, looked up again each refresh.
   ipctrace's CPU in the first seconds (that link them), then per 1 s
   refresh (target <= 2%, as for 10,000 pipes), and how many clients got
   their server as their peer.

Results go to FILE (default build/bench/scale.json); tools/bench/bench.py
calls run() and keeps them under "scale". Timings are this machine's and
this moment's: others' tracers and builds are load too, so each part says
the load average it ran at.
"""
import argparse
import collections
import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time

from bench import cpu_ns

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IPCTRACE = os.environ.get("IPCTRACE", os.path.join(ROOT, "build", "ipctrace"))
IPC_BENCH = os.path.join(ROOT, "build", "ipc-bench")
SCALE_LOAD = os.path.join(ROOT, "tests", "lib", "scale_load.py")
OUT = os.path.join(ROOT, "build", "bench", "scale.json")
PY = "/usr/bin/python3"
# Room for 100,000 objects' rows, both directions of 50,000 sockets.
BIG_ROWS = "262144"
# The interactive table's terminal: rows, columns.
TUI_SIZE = (50, 160)


def hwm_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


class Tracer:
    """ipctrace --json (or the table) into a file, until stop(). With pipe,
    into a pipe that a reader empties (a consumer: jq, a log shipper), and
    no file to read back."""

    def __init__(self, *args, table=False, pipe=False):
        self.out = None if pipe else tempfile.NamedTemporaryFile("w+", prefix="ipctrace-scale.")
        self.err = tempfile.TemporaryFile("w+")
        self.sink = None
        fmt = [] if table else ["--json"]
        # -o: one write a frame; stdout to a file would hold frames in its buffer.
        self.proc = subprocess.Popen([IPCTRACE, *fmt, *([] if pipe else ["-o", self.out.name]),
                                      *args], stdout=subprocess.PIPE if pipe else subprocess.DEVNULL,
                                     stderr=self.err, text=True)
        if pipe:
            self.sink = subprocess.Popen(["cat"], stdin=self.proc.stdout, stdout=subprocess.DEVNULL)
            self.proc.stdout.close()
        self.pid = self.proc.pid
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.err.seek(0)
            if "attached" in self.err.read():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("ipctrace did not attach")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.sink:
            self.sink.wait()

    def frames(self, last=0, stream=False):
        """The whole frames written so far (a line still being written has
        no newline yet); last: only the last that many, the others None
        (with stream, not returned at all, and only last lines held)."""
        self.out.flush()
        with open(self.out.name, "rb") as f:
            whole = (line for line in f if line.startswith(b"{") and line.endswith(b"\n"))
            lines = list(collections.deque(whole, maxlen=last)) if stream else list(whole)
        keep = len(lines) - last if last and not stream else 0
        return [json.loads(line) if i >= keep else None for i, line in enumerate(lines)]

    def count(self):
        """How many whole frames are written, without parsing them."""
        with open(self.out.name, "rb") as f:
            return sum(1 for line in f if line.startswith(b"{") and line.endswith(b"\n"))

    def heads(self, skip=0, upto=None):
        """(interval_s, final, rows) of each whole frame after the first
        skip (and in the file's first upto bytes), read a line at a time:
        100,000 rows a second for a minute are gigabytes of JSON, which
        frames() would hold and parse whole."""
        out = []
        with open(self.out.name, "rb") as f:
            for line in f:
                if upto is not None and f.tell() > upto:
                    break
                if not (line.startswith(b"{") and line.endswith(b"\n")):
                    continue
                if skip:
                    skip -= 1
                    continue
                head = json.loads(line[:line.index(b',"rows":[')] + b"}")
                out.append((head["interval_s"], head["final"], line.count(b',"uid":')))
        return out


def late_share(lengths, want):
    late = [x for x in lengths if abs(x - want) > 0.1 * want]
    return len(late), len(lengths)


def first_full_frame(tr, n, limit=180):
    """Wait for a frame with all n rows, the first interval that read them
    all; returns how many frames there are then."""
    deadline = time.monotonic() + limit
    seen = 0
    while time.monotonic() < deadline:
        heads = tr.heads(seen)
        for i, (_, _, rows) in enumerate(heads):
            if rows >= n:
                return seen + i + 1
        seen += len(heads)
        time.sleep(0.5)
    raise RuntimeError(f"no interval with {n} rows within {limit} s")


def held_pipes(n, seconds, extra, table=False):
    """n live pipes under ipctrace -i 1 for seconds: CPU share, intervals, RSS
    (with table, the CPU alone: the table file holds the last frame only).
    The window starts after the first interval that read them all (JSON), or
    3 s after they are all written (the table)."""
    tr = Tracer("-i", "1", "-t", "pipe", *extra, table=table)
    try:
        load = subprocess.Popen([IPC_BENCH, "many-pipes", "-n", str(n),
                                 "-d", str(seconds + 200)],
                                stdout=subprocess.PIPE, text=True)
        if not load.stdout.readline().startswith("ready"):
            raise RuntimeError("many-pipes did not start")
        if table:
            time.sleep(3)	# the first intervals read the new rows and their holders
            start = 0
        else:
            start = first_full_frame(tr, n)
        c0, t0 = cpu_ns(tr.proc.pid), time.monotonic()
        time.sleep(seconds)
        c1, t1 = cpu_ns(tr.proc.pid), time.monotonic()
        hwm = hwm_mb(tr.proc.pid)
        loadavg = round(os.getloadavg()[0], 1)
        size = os.path.getsize(tr.out.name)	# the window's frames, not those written since
        heads = [] if table else tr.heads(start, size)
        load.kill()
        load.wait()
    finally:
        tr.stop()
    cpu_pct = round((c1 - c0) / (t1 - t0) / 1e7, 2)
    if table:
        return {"objects": n, "cpu_pct": cpu_pct, "rss_hwm_mb": hwm, "loadavg": loadavg}
    # The frames begun in the window: its first interval ended in it.
    lengths = [interval for interval, final, _ in heads if not final]
    late, total = late_share(lengths, 1.0)
    # Intervals that never ended within the window are late too.
    missing = max(0, seconds - 1 - total)
    late, total = late + missing, total + missing
    rows = max((rows for _, _, rows in heads), default=0)
    return {"objects": n, "cpu_pct": cpu_pct, "seconds": seconds,
            "intervals": total, "late_intervals": late,
            "longest_interval_s": max(lengths, default=0), "rss_hwm_mb": hwm,
            "rows_max": rows, "loadavg": loadavg,
            # Which (from the window's first) and how long: a burst's
            # aftermath comes first, the machine's hiccups anywhere.
            "late_at": [[i, x] for i, x in enumerate(lengths) if abs(x - 1.0) > 0.1]}


def unix_sockets(n):
    """n unix sockets made at once: rows of every one in the last live frame."""
    tr = Tracer("-i", "1", "-t", "unix", "--max-rows", BIG_ROWS)
    try:
        load = subprocess.Popen([PY, SCALE_LOAD, "unix", str(n), "120"],
                                stdout=subprocess.PIPE, text=True)
        info = json.loads(load.stdout.readline())
        # Three frames begun after they all exist, 8 s at least: past a /proc
        # rescan, which once took the unnamed ones for closed.
        start, ready = tr.count(), time.monotonic()
        while ((tr.count() < start + 4 or time.monotonic() < ready + 8) and
               time.monotonic() < ready + 180):
            time.sleep(0.5)
        live = tr.frames(last=1)[-1]
        load.terminate()
        load.wait()
        hwm = hwm_mb(tr.proc.pid)
    finally:
        tr.stop()
    pids = set(info["pids"])
    mine = [r for r in live["rows"] if r["type"] == "unix" and r["pid"] in pids]
    tx = sum(r["bytes"] for r in mine if r["dir"] == "tx")
    rx = sum(r["bytes"] for r in mine if r["dir"] == "rx")
    return {"sockets": n, "rows_live": len(mine), "rows_expected": 2 * n,
            "bytes_tx": tx, "bytes_rx": rx, "bytes_expected": info["bytes"],
            "lost_objects": live["lost"]["objects"], "rss_hwm_mb": hwm}


PENDING = 20


class Screen:
    """ipctrace on a terminal (a pty of TUI_SIZE): the interactive table,
    what `sudo ipctrace` is. Its output is read and thrown away, as a
    terminal would draw it, until stop()."""

    def __init__(self, *args):
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(IPCTRACE, [IPCTRACE, *args])
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", *TUI_SIZE, 0, 0))
        os.kill(pid, signal.SIGWINCH)
        self.pid, self.fd, self.seen = pid, fd, b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and b"PID" not in self.seen:
            self.drain(0.2)
        if b"PID" not in self.seen:
            self.stop()
            raise RuntimeError("ipctrace drew no table on a terminal")

    def drain(self, seconds):
        """Read what it writes for seconds."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if select.select([self.fd], [], [], left)[0]:
                try:
                    self.seen = (self.seen + os.read(self.fd, 65536))[-65536:]
                except OSError:
                    return

    def stop(self):
        try:
            os.kill(self.pid, signal.SIGINT)
        except ProcessLookupError:
            pass
        for _ in range(600):
            self.drain(0.05)
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                break
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def screen_pipes(n, seconds):
    """n live pipes under the interactive table at -i 1: its CPU share over
    seconds, from 5 s after they are all written (the first intervals read
    the new rows and their holders)."""
    sc = Screen("-i", "1", "-t", "pipe")
    load = None
    try:
        load = subprocess.Popen([IPC_BENCH, "many-pipes", "-n", str(n), "-d", str(seconds + 200)],
                                stdout=subprocess.PIPE, text=True)
        if not load.stdout.readline().startswith("ready"):
            raise RuntimeError("many-pipes did not start")
        sc.drain(5)
        c0, t0 = cpu_ns(sc.pid), time.monotonic()
        sc.drain(seconds)
        c1, t1 = cpu_ns(sc.pid), time.monotonic()
        loadavg = round(os.getloadavg()[0], 1)
    finally:
        if load:
            load.kill()
            load.wait()
        sc.stop()
    return {"objects": n, "cpu_pct": round((c1 - c0) / (t1 - t0) / 1e7, 2),
            "terminal": list(TUI_SIZE), "loadavg": loadavg}


def tcp_conns(n, seconds, mode, view="json"):
    """n TCP sockets (n/2 connections). mode "traced": made while traced, a
    byte each way; "before": made before ipctrace started, servers idle,
    each client sending once traced (how many got their server as their
    peer is counted); "pending": made before and idle, beside PENDING
    clients of a listener that accepts none, each sending a byte a second
    (their other ends have no inode yet: looked for again each refresh).
    ipctrace's CPU from its start or the traffic's until 3 s after, then
    per refresh for seconds. view: "json" or "table" into a file,
    "json-pipe" into a pipe a reader empties, or "tui", the interactive
    table on a terminal."""
    go = os.path.join(tempfile.mkdtemp(prefix="ipctrace-scale."), "go")
    args = [PY, SCALE_LOAD, "tcp", str(n), str(seconds + 60)]
    args += {"traced": [], "before": [go], "pending": ["-", str(PENDING)]}[mode]
    load = tr = info = None

    def pause(s):
        # A terminal's table waits for its reader: it is read meanwhile.
        if view == "tui":
            tr.drain(s)
        else:
            time.sleep(s)

    def load_line():
        while view == "tui" and not select.select([load.stdout], [], [], 0)[0]:
            tr.drain(0.1)
        return json.loads(load.stdout.readline())

    try:
        if mode != "traced":
            load = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
            info = json.loads(load.stdout.readline())
        targs = ("-i", "1", "-t", "tcp", "--max-rows", BIG_ROWS)
        tr = Screen(*targs) if view == "tui" else Tracer(*targs, table=view == "table",
                                                          pipe=view == "json-pipe")
        c0, t0 = cpu_ns(tr.pid), time.monotonic()
        if mode == "before":
            open(go, "w").close()
        elif mode == "traced":
            load = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        if mode != "pending":
            info = load_line()
        pause(3)
        c1, t1 = cpu_ns(tr.pid), time.monotonic()
        pause(seconds)
        c2, t2 = cpu_ns(tr.pid), time.monotonic()
        hwm = hwm_mb(tr.pid)
        live = tr.frames(last=1)[-1] if mode == "before" else None
    finally:
        if tr:
            tr.stop()
        if load:
            load.terminate()
            load.wait()
        if os.path.exists(go):
            os.unlink(go)
        os.rmdir(os.path.dirname(go))
    res = {"sockets": n, "mode": mode, "first_cpu_ms": round((c1 - c0) / 1e6),
           "first_s": round(t1 - t0, 1), "cpu_pct": round((c2 - c1) / (t2 - t1) / 1e7, 2),
           "rss_hwm_mb": hwm}
    if mode == "before":
        want = {(c["pid"], c["ino"]): c["server"] for c in info["conns"]}
        rows = [r for r in live["rows"] if (r["pid"], r["ino"]) in want and r["dir"] == "tx"]
        res["clients"] = len(want)
        res["paired"] = sum(1 for r in rows if [p["pid"] for p in r["peers"]] ==
                            [want[(r["pid"], r["ino"])]])
    return res


def fork_storm(rate, seconds, interval=1.0):
    """The storm beside a long-lived writer: intervals, CPU, exact totals."""
    writes, size = 200, 4096
    tr = Tracer("-i", str(interval), "-t", "pipe")
    try:
        c0, t0 = cpu_ns(tr.proc.pid), time.monotonic()
        out = subprocess.run([PY, SCALE_LOAD, "forkstorm", str(rate), str(seconds),
                              str(writes), str(size)], capture_output=True, text=True,
                             timeout=seconds + 120)
        c1, t1 = cpu_ns(tr.proc.pid), time.monotonic()
        time.sleep(interval * 1.5)
    finally:
        tr.stop()
    info = json.loads(out.stdout)
    # Read a line at a time: ten minutes of a storm's frames are gigabytes.
    lengths = [t for t, final, _ in tr.heads() if not final][1:]
    final = tr.frames(last=1, stream=True)[-1]
    late, total = late_share(lengths, interval)

    def got(pid, d):
        return sum(r["bytes"] for r in final["rows"]
                   if r["pid"] == pid and r["dir"] == d and r["type"] == "pipe")
    return {"forks": info["forks"], "forks_per_s": round(info["forks"] / seconds),
            "rate_asked": rate, "cpu_pct": round((c1 - c0) / (t1 - t0) / 1e7, 1),
            "intervals": total, "late_intervals": late,
            "longest_interval_s": max(lengths, default=0),
            "writer_bytes": got(info["writer"], "tx"), "reader_bytes": got(info["reader"], "rx"),
            "bytes_expected": info["bytes"], "workload_ok": info["ok"],
            "lost": {k: v for k, v in final["lost"].items() if v}}


def targets(res):
    """(what, figure, target, met) for each figure measured."""
    out = []
    if "pipes_10k" in res:
        r = res["pipes_10k"]
        out.append(("10,000 live pipes: CPU at --json -i 1",
                    f"{r['cpu_pct']}% of a core (load {r['loadavg']})", "<= 2%", r["cpu_pct"] <= 2))
    if "pipes_10k_table" in res:
        r = res["pipes_10k_table"]
        out.append(("10,000 live pipes: CPU at -i 1, the table",
                    f"{r['cpu_pct']}% of a core (load {r['loadavg']})", "<= 2%", r["cpu_pct"] <= 2))
    if "pipes_10k_tui" in res:
        r = res["pipes_10k_tui"]
        out.append((f"10,000 live pipes: CPU at -i 1, on a {r['terminal'][0]}-line terminal",
                    f"{r['cpu_pct']}% of a core (load {r['loadavg']})", "<= 2%", r["cpu_pct"] <= 2))
    if "pipes_100k" in res:
        r = res["pipes_100k"]
        out.append((f"{r['objects']:,} live pipes: {r['seconds']} s intervals late by > 10%",
                    f"{r['late_intervals']} of {r['intervals']} (longest {r['longest_interval_s']} s, "
                    f"load {r['loadavg']})", "0", r["late_intervals"] == 0))
        out.append((f"{r['objects']:,} live pipes: CPU, peak RSS",
                    f"{r['cpu_pct']}% of a core, {r['rss_hwm_mb']} MB", "<= 100 MB",
                    r["rss_hwm_mb"] <= 100))
    if "unix_50k" in res:
        r = res["unix_50k"]
        out.append(("50,000 unix sockets: rows in the last live interval",
                    f"{r['rows_live']:,} of {r['rows_expected']:,}, bytes {r['bytes_tx']:,}/"
                    f"{r['bytes_rx']:,}", "all, exact",
                    r["rows_live"] == r["rows_expected"] and
                    r["bytes_tx"] == r["bytes_rx"] == r["bytes_expected"]))
    for key, what in (("tcp_5k", "made while traced"),
                      ("tcp_5k_pipe", "made while traced, --json into a pipe"),
                      ("tcp_5k_table", "made while traced, the table"),
                      ("tcp_5k_tui", f"made while traced, on a {TUI_SIZE[0]}-line terminal"),
                      ("tcp_5k_before", "made before, servers idle"),
                      ("tcp_5k_pending", f"idle, {PENDING} clients never accepted")):
        if key in res:
            r = res[key]
            out.append((f"{r['sockets'] // 2:,} TCP connections {what}: CPU per refresh",
                        f"{r['cpu_pct']}% of a core (first 3 s: {r['first_cpu_ms']} ms)",
                        "<= 2%", r["cpu_pct"] <= 2))
            if "paired" in r:
                out.append((f"{r['sockets'] // 2:,} TCP connections {what}: clients paired",
                            f"{r['paired']:,} of {r['clients']:,}", "all",
                            r["paired"] == r["clients"]))
    if "forkstorm" in res:
        r = res["forkstorm"]
        what = f"fork storm ({r['forks_per_s']:,} forks/s of {r['rate_asked']:,} asked)"
        out.append((f"{what}: intervals late by > 10%",
                    f"{r['late_intervals']} of {r['intervals']} (longest {r['longest_interval_s']} s)",
                    "0", r["late_intervals"] == 0))
        out.append((f"{what}: CPU", f"{r['cpu_pct']}% of a core", "< 50%", r["cpu_pct"] < 50))
        out.append((f"{what}: long-lived writer/reader bytes",
                    f"{r['writer_bytes']:,}/{r['reader_bytes']:,} of {r['bytes_expected']:,}",
                    "exact", r["writer_bytes"] == r["reader_bytes"] == r["bytes_expected"]))
    return out


def run(quick=False, seconds=10, fork_rate=10000, forkstorm_only=False, say=print,
        window=60, only=None):
    """Every part (or the storm alone, or those named in only); returns the
    results with their targets."""
    res = {}
    parts = [("forkstorm", fork_storm, (fork_rate, seconds))]
    if not forkstorm_only:
        parts = [("pipes_10k", held_pipes, (10000, seconds, ())),
                 ("pipes_10k_table", held_pipes, (10000, seconds, (), True)),
                 ("pipes_10k_tui", screen_pipes, (10000, seconds)),
                 ("pipes_100k", held_pipes, (20000 if quick else 100000,
                                             seconds if quick else window,
                                             ("--max-rows", BIG_ROWS))),
                 ("unix_50k", unix_sockets, (5000 if quick else 50000,)),
                 ("tcp_5k", tcp_conns, (2000 if quick else 10000, seconds, "traced")),
                 ("tcp_5k_pipe", tcp_conns, (2000 if quick else 10000, seconds, "traced",
                                             "json-pipe")),
                 ("tcp_5k_table", tcp_conns, (2000 if quick else 10000, seconds, "traced", "table")),
                 ("tcp_5k_tui", tcp_conns, (2000 if quick else 10000, seconds, "traced", "tui")),
                 ("tcp_5k_before", tcp_conns, (2000 if quick else 10000, seconds, "before")),
                 ("tcp_5k_pending", tcp_conns, (2000 if quick else 10000, seconds, "pending"))] + parts
    if only:
        parts = [p for p in parts if p[0] in only]
    for name, fn, args in parts:
        say(f"scale: {name}")
        try:
            res[name] = fn(*args)
        except (RuntimeError, OSError, ValueError, KeyError, IndexError,
                subprocess.SubprocessError) as e:
            res[name] = {"error": str(e)}
    res["targets"] = [{"what": w, "got": g, "target": t, "met": m}
                      for w, g, t, m in targets({k: v for k, v in res.items()
                                                 if "error" not in v})]
    return res


def print_results(res):
    print("\nScale (user space; issue 20's targets):")
    for t in res["targets"]:
        print(f"  {t['what']:<62} {t['got']:<40} target {t['target']:<10} "
              f"{'met' if t['met'] else 'MISSED'}")
    for name, v in res.items():
        if isinstance(v, dict) and "error" in v:
            print(f"  {name}: failed: {v['error']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="20,000 pipes and 5,000 sockets")
    ap.add_argument("--seconds", type=int, default=10, help="each measurement's length")
    ap.add_argument("--fork-rate", type=int, default=10000)
    ap.add_argument("--forkstorm-only", action="store_true")
    ap.add_argument("--window", type=int, default=60,
                    help="100,000 pipes: seconds of intervals checked")
    ap.add_argument("--only", help="parts to run, by name: pipes_10k,pipes_10k_table,pipes_10k_tui,"
                    "pipes_100k,unix_50k,tcp_5k,tcp_5k_pipe,tcp_5k_table,tcp_5k_tui,tcp_5k_before,tcp_5k_pending,forkstorm")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("scale.py: needs root (BPF): run it with sudo")
    res = run(args.quick, args.seconds, args.fork_rate, args.forkstorm_only,
              say=lambda m: print(m, file=sys.stderr, flush=True), window=args.window,
              only=args.only.split(",") if args.only else None)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(res, f, indent=1)
    print_results(res)
    return 0 if all(t["met"] for t in res["targets"]) else 3


if __name__ == "__main__":
    sys.exit(main())
