#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What a real Prometheus, scraping one ipctrace per "host", makes of
fleet.bats's service, over its HTTP API.

usage: check_fleet.py edges URL CLIENT_COMM...
       check_fleet.py check URL DASHBOARD SERVICE SERVER_HOST SERVER_COMM RECORD...

edges: exit 0 once ipctrace:edge_bytes:rate1m has a series for each client.

check: each RECORD is a client's line from fleet_peer.py, with "host" added
(the address its ipctrace is scraped on). Checked:
- the raw counters: each client's bytes sent and received, on its own
  host, role client, the service's address; the server's on its host,
  role server, the sum of the clients' the other way;
- the edge rule's last value for each client names it, its host, the
  server's process and host, the service: its bytes per second in both
  directions. Expected: the bytes the client moved inside the rule's 1m
  window (its second request, which the test let go only once Prometheus
  had the first, which is thus the window's first sample), scaled as rate()
  scales them: from the span between the first and last samples to the
  window's edges, by Prometheus's documented extrapolation, computed here
  from the samples' timestamps. A scrape can be under way while the rule is
  evaluated, its sample then not yet stored: both cases are tried. So the
  tolerance is floating point's;
- every panel query of the dashboard returns data.
Prints what it compared; exits 1 on the first mismatch.
"""
import json
import sys
import urllib.parse
import urllib.request

WINDOW = 60.0  # the rules' [1m]
EDGE = "ipctrace:edge_bytes:rate1m"


def query(url, expr, time=None):
    args = {"query": expr}
    if time is not None:
        args["time"] = repr(time)
    with urllib.request.urlopen(url + "/api/v1/query?" + urllib.parse.urlencode(args),
                                timeout=10) as r:
        body = json.load(r)
    if body["status"] != "success":
        sys.exit("query %s: %s" % (expr, body))
    return body["data"]["result"]


def fail(msg):
    print("MISMATCH " + msg)
    sys.exit(1)


def edges(url, comms):
    have = {s["metric"].get("client_comm") for s in query(url, EDGE)}
    missing = [c for c in comms if c not in have]
    if missing:
        print("no edge yet for " + ", ".join(missing))
        sys.exit(1)


def counter(url, host, comm, role, service, direction):
    sel = '{instance=~"%s:.*",comm="%s",role="%s",service="%s",dir="%s",type="tcp"}' % (
        host, comm, role, service, direction)
    res = query(url, "sum(ipctrace_bytes_total%s)" % sel)
    return float(res[0]["value"][1]) if res else None


def extrapolated_rate(samples, t_eval):
    """rate() of one counter at t_eval over WINDOW, as Prometheus 2.x
    computes it (promql/functions.go, extrapolatedRate)."""
    pts = [(t, v) for t, v in samples if t_eval - WINDOW <= t <= t_eval]
    if len(pts) < 2:
        return None
    delta = 0.0
    for (_, a), (_, b) in zip(pts, pts[1:]):
        delta += b - a if b >= a else b
    first_t, first_v = pts[0]
    last_t = pts[-1][0]
    sampled = last_t - first_t
    to_start = first_t - (t_eval - WINDOW)
    to_end = t_eval - last_t
    average = sampled / (len(pts) - 1)
    if delta > 0 and first_v >= 0:
        to_start = min(to_start, sampled * (first_v / delta))
    threshold = average * 1.1
    span = sampled
    span += to_start if to_start < threshold else average / 2
    span += to_end if to_end < threshold else average / 2
    return delta * (span / sampled) / WINDOW, delta


def samples_of(url, sel, t_eval):
    res = query(url, "%s[%ds]" % (sel, WINDOW), t_eval)
    return [[(float(t), float(v)) for t, v in s["values"]] for s in res]


def check_edge(url, rec, service, server_host, server_comm):
    sel = '{client_comm="%s"}' % rec["comm"]
    series = query(url, "%s%s[15s]" % (EDGE, sel))
    if len(series) != 1:
        fail("%s: %d edge series, not 1: %s" % (rec["comm"], len(series), series))
    labels = series[0]["metric"]
    want = {"client_host": rec["host"], "client_comm": rec["comm"], "server_host": server_host,
            "server_comm": server_comm, "service": service, "type": "tcp"}
    got = {k: labels.get(k) for k in want}
    if got != want:
        fail("%s: edge labels %s, expected %s" % (rec["comm"], got, want))
    # The last evaluation, and the raw samples its rate() read.
    t_eval, value = series[0]["values"][-1]
    t_eval, value = float(t_eval), float(value)
    raw = samples_of(url, 'ipctrace_bytes_total{instance=~"%s:.*",comm="%s",role="client",'
                          'service="%s"}' % (rec["host"], rec["comm"], service), t_eval)
    moved = rec["tx"] + rec["rx"] - rec["tx1"] - rec["rx1"]
    tries = []
    for drop_late in (False, True):
        total, deltas = 0.0, 0.0
        for pts in raw:
            if drop_late and pts and t_eval - pts[-1][0] < 1.0:
                pts = pts[:-1]
            r = extrapolated_rate(pts, t_eval)
            if r is None:
                break
            total += r[0]
            deltas += r[1]
        else:
            tries.append((total, deltas))
    print("%s -> %s@%s: %.1f B/s at %.3f; bytes in the window %s, workload %d" % (
        rec["comm"], server_comm, server_host, value, t_eval,
        [d for _, d in tries], moved))
    if not any(abs(d - moved) < 0.5 and abs(v - value) <= 1e-6 * max(v, 1.0)
               for v, d in tries):
        fail("%s: edge rate %.3f, expected one of %s (window bytes, workload %d)" % (
            rec["comm"], value, tries, moved))


def check_counters(url, recs, service, server_host, server_comm):
    for rec in recs:
        for direction, want in (("tx", rec["tx"]), ("rx", rec["rx"])):
            got = counter(url, rec["host"], rec["comm"], "client", service, direction)
            print("%s %s: %s, workload %d" % (rec["comm"], direction, got, want))
            if got != want:
                fail("%s %s bytes %s, workload %d" % (rec["comm"], direction, got, want))
    for direction, other in (("tx", "rx"), ("rx", "tx")):
        want = sum(r[other] for r in recs)
        got = counter(url, server_host, server_comm, "server", service, direction)
        print("%s %s: %s, clients' %s %d" % (server_comm, direction, got, other, want))
        if got != want:
            fail("%s %s bytes %s, the clients' %s %d" % (server_comm, direction, got, other, want))


def check_dashboard(url, path):
    with open(path) as f:
        panels = json.load(f)["panels"]
    for panel in panels:
        for target in panel.get("targets", []):
            expr = (target["expr"].replace("$__rate_interval", "1m")
                    .replace("$instance", ".+"))
            n = len(query(url, expr))
            print("panel %r: %d series" % (panel["title"], n))
            if n == 0:
                fail("panel %r returns no data: %s" % (panel["title"], expr))


def main():
    if sys.argv[1] == "edges":
        edges(sys.argv[2], sys.argv[3:])
        return
    url, dashboard, service, server_host, server_comm = sys.argv[2:7]
    recs = []
    for path in sys.argv[7:]:
        with open(path) as f:
            recs.append(json.loads(f.read()))
    check_counters(url, recs, service, server_host, server_comm)
    for rec in recs:
        check_edge(url, rec, service, server_host, server_comm)
    check_dashboard(url, dashboard)


if __name__ == "__main__":
    main()
