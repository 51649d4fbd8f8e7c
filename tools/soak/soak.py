#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make soak: ipctrace under churn, for SOAK_SECONDS (default 600).

usage: sudo tools/soak/soak.py [SECONDS]

Runs `ipctrace --json -i 5 -t pipe,unix,tcp,mq,msg --listen ADDR --
soak.py --churn ...`: the churn keeps starting short-lived ipc-demo runs
(pipe, unix sockets at temporary paths, TCP on ephemeral ports, POSIX mq,
System V msg), each a few processes moving a
known number of bytes and messages and reporting them (--json records).
A Prometheus server of its own (its configuration and storage in the
soak's temporary directory, a free port; never the system's service)
scrapes the metrics every 5 s with docs/prometheus's recording rules. As ipctrace traces the churn
and all its descendants, and nothing else, its totals must equal the
records' exactly. Meanwhile this samples ipctrace's RSS and the entries of
the entries of its maps. Passes when:
  - totals per type (bytes and ops; over all types when old rows were
    folded, since folded totals have no type) equal the records' sums;
  - RSS is flat once the summary is full: ipctrace keeps the rows of exited
    processes for its final summary up to a cap (MAX_RETIRED in
    user/model/rows.h), so RSS grows until then by design; from the first frame
    that folds rows into totals until the churn ends, the last quarter's
    peak is at most the first quarter's peak * 1.10 + 2 MiB (a run too short
    to reach the cap says so and does not judge RSS); the final summary,
    every row of the run in one document, is a last peak, shown apart;
  - the maps are bounded: the peak of each (counters, procs, the -p filter
    and the watched far ends of the churn's sockets) stays below half its
    max_entries: entries of exited processes and closed sockets are released
    as they go;
  - ipctrace lost nothing (every "lost" count 0);
  - the series Prometheus holds (prometheus_tsdb_head_series: every series
    seen since it started, stale ones too) stay within the bound that
    --prom-rows sets, 6N + 8T + 2S + 5 (docs/prometheus/README.md): N
    label sets, T types traced, S ipctrace's own series, 5 of the scrape;
  - every demo run succeeded (a failed one's stderr is printed).
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IPCTRACE = os.path.join(ROOT, "build", "ipctrace")
DEMO = os.path.join(ROOT, "build", "ipc-demo")
DEMOS = ["pipe", "unix", "tcp", "mq", "msg"]
TYPES = "pipe,unix,tcp,mq,msg"
RULES = os.path.join(ROOT, "docs", "prometheus", "ipctrace-rules.yml")
SCRAPE_S = 5
TRAFFIC = re.compile(r"ipctrace_(bytes|operations|wait_seconds)_total\{")
PARALLEL = 4
RUNS_PER_S = 10		# each run is 2 to 6 processes: about 20,000 processes in 10 minutes


def churn(seconds, records_path, count_path):
    """The traced command: demo runs, PARALLEL at a time, until the time is up."""
    start = time.time()
    end = start + seconds
    running, started, failures = [], 0, []
    with open(records_path, "a") as records:
        while time.time() < end or running:
            while (time.time() < end and len(running) < PARALLEL and
                   started < (time.time() - start) * RUNS_PER_S):
                demo = DEMOS[started % len(DEMOS)]
                errors = tempfile.TemporaryFile(mode="w+")
                running.append((demo, errors,
                                subprocess.Popen([DEMO, demo, "-n", "3", "-s", "100", "--json"],
                                                 stdout=records, stderr=errors)))
                started += 1
            for run in running[:]:
                demo, errors, p = run
                if p.poll() is None:
                    continue
                if p.returncode != 0:
                    errors.seek(0)
                    failures.append({"demo": demo, "status": p.returncode,
                                     "at_s": round(time.time() - start, 1),
                                     "stderr": errors.read()[-2000:]})
                errors.close()
                running.remove(run)
            time.sleep(0.01)
    with open(count_path, "w") as f:
        json.dump({"runs": started, "failed": len(failures), "failures": failures}, f)
    return 1 if failures else 0


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


# bpftool shows a map's name cut to 15 characters.
SAMPLED_MAPS = ("counters", "procs", "filter_pids", "watched_socks", "watched_tuples",
                "watched_listene")


def our_maps():
    """ipctrace's maps that churn could fill: the newest of each name, made
    when it started (bpftool cannot always say which process holds a map)."""
    maps = json.loads(subprocess.run(["bpftool", "map", "show", "-j"], capture_output=True,
                                     text=True).stdout or "[]")
    newest = {}
    for m in maps:
        if m.get("name") in SAMPLED_MAPS and m["id"] > newest.get(m["name"], {"id": -1})["id"]:
            newest[m["name"]] = m
    return {m["id"]: (name, m["max_entries"]) for name, m in newest.items()}


def entries(map_id):
    out = subprocess.run(["bpftool", "map", "dump", "id", str(map_id), "-j"],
                         capture_output=True, text=True).stdout
    try:
        return len(json.loads(out))
    except ValueError:
        return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode()


def start_prometheus(tmp, target):
    """A Prometheus of the soak's own, scraping target with the rules."""
    if not shutil.which("prometheus"):
        sys.exit("soak: needs the prometheus server: tools/install-deps.sh test")
    port = free_port()
    config = os.path.join(tmp, "prometheus.yml")
    with open(config, "w") as f:
        f.write(f"global:\n  scrape_interval: {SCRAPE_S}s\n  evaluation_interval: {SCRAPE_S}s\n"
                f"scrape_configs:\n  - job_name: ipctrace\n    static_configs:\n"
                f"      - targets: ['{target}']\nrule_files:\n  - {RULES}\n")
    with open(os.path.join(tmp, "prometheus.log"), "w") as log:
        prom = subprocess.Popen(["prometheus", f"--config.file={config}",
                                 f"--storage.tsdb.path={os.path.join(tmp, 'tsdb')}",
                                 f"--web.listen-address=127.0.0.1:{port}"],
                                stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            http_get(url + "/-/ready")
            return prom, url
        except OSError:
            time.sleep(0.5)
    prom.kill()
    sys.exit("soak: prometheus did not start: see " + os.path.join(tmp, "prometheus.log"))


def head_series(url):
    """The series Prometheus holds now, stale ones included."""
    try:
        text = http_get(url + "/metrics")
    except OSError:
        return None
    m = re.search(r"^prometheus_tsdb_head_series (\S+)$", text, re.M)
    return int(float(m.group(1))) if m else None


def own_series(listen):
    """ipctrace's own series (all but the traffic), in one scrape of it."""
    try:
        text = http_get(f"http://{listen}/metrics")
    except OSError:
        return None
    return sum(1 for l in text.splitlines() if l and not l.startswith("#")
               and not TRAFFIC.match(l))


def prom_rows_default():
    """--prom-rows's default, as --help says it."""
    text = subprocess.run([IPCTRACE, "--help"], capture_output=True, text=True).stdout
    m = re.search(r"--prom-rows=N\s+Label sets with series of their own \(default\s+(\d+)\)",
                  text)
    if not m:
        sys.exit("soak: --help does not give --prom-rows's default")
    return int(m.group(1))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--churn":
        return churn(float(sys.argv[2]), sys.argv[3], sys.argv[4])
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else float(os.environ.get("SOAK_SECONDS", 600))
    tmp = tempfile.mkdtemp(prefix="ipctrace-soak.")
    records, count, out, err = (os.path.join(tmp, n) for n in ("records", "count", "out", "err"))
    listen = f"127.0.0.1:{free_port()}"
    prom, prom_url = start_prometheus(tmp, listen)
    cmd = [IPCTRACE, "--json", "-i", "5", "-t", TYPES, "--listen", listen, "--",
           sys.executable, os.path.abspath(__file__), "--churn", str(seconds), records, count]
    with open(out, "w") as o, open(err, "w") as e:
        started_at = time.time()
        tracer = subprocess.Popen(cmd, stdout=o, stderr=e)
    samples, maps, peak, latest = [], None, {}, {}
    series, own = [], None
    while tracer.poll() is None:
        time.sleep(2)
        if len(samples) % 5 == 0:
            n = head_series(prom_url)
            if n is not None:
                series.append((time.time() - started_at, n))
            own = own or own_series(listen)
        r = rss_kb(tracer.pid)
        if r is None:
            break
        if maps is None:
            maps = our_maps() or None
        for mid, (name, _) in (maps or {}).items():
            n = entries(mid)
            if n is not None:
                peak[name] = max(peak.get(name, 0), n)
                latest[name] = n
        # Once the churn has reported, ipctrace is printing its final summary
        # (every row of the run in one document): a last peak, not growth.
        samples.append((time.time(), r, os.path.exists(count)))
    status = tracer.wait()
    # Two more scrapes (which fail: ipctrace is gone) and evaluations.
    time.sleep(2 * SCRAPE_S)
    n = head_series(prom_url)
    if n is not None:
        series.append((time.time() - started_at, n))
    prom.terminate()
    prom.wait()
    shutil.rmtree(os.path.join(tmp, "tsdb"), ignore_errors=True)
    failures = []
    n_sets, n_types = prom_rows_default(), len(TYPES.split(","))
    bound = 6 * n_sets + 8 * n_types + 2 * (own or 0) + 5
    peak_series = max((n for _, n in series), default=None)
    if own is None or peak_series is None:
        failures.append("no scrape of ipctrace or of Prometheus's own metrics succeeded")
    elif peak_series > bound:
        failures.append(f"Prometheus held {peak_series} series, over the bound {bound}")
    if status != 0:
        failures.append(f"ipctrace (with the churn as its command) exited {status}")
    frames = [json.loads(l) for l in open(out) if l.startswith("{")]
    final = frames[-1] if frames and frames[-1].get("final") else None
    if not final:
        print(open(err).read())
        sys.exit("soak: no final JSON object from ipctrace")
    # The churn's own account.
    want = {}
    for line in open(records):
        rec = json.loads(line)
        if "bytes" in rec and "ops" in rec:
            t = want.setdefault(rec["type"], [0, 0])
            t[0] += rec["bytes"]
            t[1] += rec["ops"]
    got = {}
    for row in final["rows"]:
        t = got.setdefault(row["type"], [0, 0])
        t[0] += row["bytes"]
        t[1] += row["ops"]
    folded = final.get("folded", {})
    if folded.get("rows"):
        total_got = [sum(v[0] for v in got.values()) + folded["bytes"],
                     sum(v[1] for v in got.values()) + folded["ops"]]
        total_want = [sum(v[0] for v in want.values()), sum(v[1] for v in want.values())]
        if total_got != total_want:
            failures.append(f"totals (bytes, ops) {total_got}, the churn moved {total_want}")
    else:
        for typ in sorted(set(want) | set(got)):
            if got.get(typ) != want.get(typ):
                failures.append(f"{typ}: (bytes, ops) {got.get(typ)}, the churn moved {want.get(typ)}")
    lost = {k: v for k, v in final.get("lost", {}).items() if v}
    if lost:
        failures.append(f"lost: {lost}")
    # RSS from the first frame that folded rows: the summary is full.
    capped = next((started_at + fr["elapsed_s"] for fr in frames
                   if fr.get("folded", {}).get("rows")), None)
    rss = [r for _, r, _ in samples]
    steady = [r for t, r, done in samples if capped is not None and t >= capped and not done]
    final_peak = max([r for _, r, done in samples if done] or [0])
    first = last = None
    if len(steady) >= 4:
        q = len(steady) // 4
        first, last = max(steady[:q]), max(steady[-q:])
        if last > first * 1.10 + 2048:
            failures.append(f"RSS grew with the summary full: first quarter's peak {first} kB, "
                            f"last quarter's {last} kB")
    for mid, (name, max_entries) in (maps or {}).items():
        if peak.get(name, 0) >= max_entries / 2:
            failures.append(f"map {name} peaked at {peak[name]} of {max_entries} entries")
    runs = json.load(open(count))
    for fail in runs["failures"]:
        failures.append(f"demo run '{fail['demo']}' at {fail['at_s']} s exited {fail['status']}: "
                        f"{fail['stderr'].strip() or '(no message)'}")
    print(f"soak: {seconds:.0f} s, {runs['runs']} demo runs ({runs['failed']} failed), "
          f"{len(final['rows'])} rows listed and {folded.get('rows', 0)} folded")
    for typ in sorted(want):
        print(f"  {typ:5} churn moved {want[typ][0]} bytes in {want[typ][1]} ops; "
              f"ipctrace counted {got.get(typ)}")
    if first is None:
        print(f"  ipctrace RSS: start {rss[0]} kB, end {rss[-1]} kB; not judged: the summary "
              f"did not fill (no rows folded) in {seconds:.0f} s; run longer")
    else:
        print(f"  ipctrace RSS: start {rss[0]} kB; summary full after "
              f"{capped - started_at:.0f} s at {steady[0]} kB; then first-quarter peak "
              f"{first} kB, last-quarter peak {last} kB ({len(steady)} of {len(rss)} samples); "
              f"printing the final summary: {final_peak or '-'} kB")
    print(f"  map entries, peak: {peak}; at the last sample: {latest}")
    marks = [series[i * (len(series) - 1) // 4] for i in range(5)] if series else []
    print(f"  Prometheus head series, peak {peak_series}, bound {bound} (6 x {n_sets} label "
          f"sets + 8 x {n_types} types + 2 x {own} own + 5); at quarters of the run: " +
          ", ".join(f"{n} at {t:.0f} s" for t, n in marks))
    for f in failures:
        print("FAIL: " + f)
    print("soak: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
