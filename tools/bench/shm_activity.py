#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare the two ways to estimate how active a shared-memory sharer is.

usage: sudo tools/bench/shm_activity.py [MiB] [SECONDS]

A writer keeps rewriting a POSIX shared memory segment of MiB, a quarter of
its pages each second (the same quarter, then the next...), for SECONDS.
Truth: the pages it touches per second. Then, side by side:

  faults: ipctrace's estimate, the page faults on the shared range
          (ops per interval in its JSON);
  smaps:  write 1 to /proc/PID/clear_refs, wait a second, read Referenced
          for the mapping in /proc/PID/smaps.

Prints, per second, truth and both estimates, and what each costs: the
smaps method's time per round, and ipctrace's own CPU time.
"""
import json
import mmap
import os
import re
import signal
import subprocess
import sys
import time

PAGE = 4096


def writer(path, size, seconds, quarter_pages):
    fd = os.open(path, os.O_RDWR)
    m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    pages = size // PAGE
    end = time.time() + seconds
    q = 0
    while time.time() < end:
        start = (q % 4) * quarter_pages
        for p in range(start, min(start + quarter_pages, pages)):
            m[p * PAGE] = 1
        q += 1
        time.sleep(max(0.0, 1.0 - (time.time() % 1.0)))
    m.close()
    os._exit(0)


def referenced_kb(pid, path):
    with open(f"/proc/{pid}/smaps") as f:
        inside = False
        for line in f:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                inside = line.rstrip().endswith(path)
            elif inside and line.startswith("Referenced:"):
                return int(line.split()[1])
    return 0


def main():
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    size = mib << 20
    path = f"/dev/shm/ipctrace-activity.{os.getpid()}"
    with open(path, "wb") as f:
        f.truncate(size)
    quarter = size // PAGE // 4
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    tracer = subprocess.Popen([os.path.join(root, "build/ipctrace"), "-t", "posix_shm",
                               "--json", "-i", "1"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    while "attached" not in tracer.stderr.readline():
        pass
    pid = os.fork()
    if pid == 0:
        writer(path, size, seconds, quarter)
    smaps, smaps_cost = [], []
    time.sleep(0.2)
    for _ in range(seconds - 1):
        t0 = time.perf_counter()
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("1")
        t1 = time.perf_counter()
        time.sleep(1.0)
        t2 = time.perf_counter()
        kb = referenced_kb(pid, path)
        t3 = time.perf_counter()
        smaps.append(kb // 4)
        smaps_cost.append((t1 - t0) + (t3 - t2))
    os.waitpid(pid, 0)
    tracer.send_signal(signal.SIGINT)
    out, _ = tracer.communicate()
    totals = []
    for line in out.splitlines():
        frame = json.loads(line)
        if frame.get("final"):
            continue
        totals.append(sum(r["ops"] for r in frame["rows"]
                          if r["pid"] == pid and r["object"] == path and r["dir"] == "tx"))
    # The JSON has totals since start: per interval, their differences.
    per_interval = [b - a for a, b in zip([0] + totals, totals)]
    os.unlink(path)
    print(f"segment {mib} MiB, truth {quarter} pages written per second")
    print("second  faults(ipctrace)  smaps(Referenced)")
    for i in range(max(len(per_interval), len(smaps))):
        f = per_interval[i] if i < len(per_interval) else "-"
        s = smaps[i] if i < len(smaps) else "-"
        print(f"{i + 1:6}  {f!s:>16}  {s!s:>17}")
    if smaps_cost:
        print(f"smaps method: {1000 * sum(smaps_cost) / len(smaps_cost):.1f} ms per round "
              f"(clear_refs + smaps) for one process")


if __name__ == "__main__":
    main()
