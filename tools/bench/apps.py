# SPDX-License-Identifier: GPL-2.0
"""Real applications for `make bench` (tools/bench/bench.py): servers from
Debian's packages, each started by the bench itself with a private data
directory, socket and port in a temporary directory (never the system's
services), driven by its own benchmark client, and stopped at the end, or
when the bench is interrupted.

Each workload reports a throughput (transactions, requests or bytes a
second), which bench.py takes under each condition, interleaved with the
micro-workloads; a ratio is traced / untraced throughput (1.0: no cost).

strace follows the server (`strace -f -p PID`, every thread of it and of
its workers, and what they fork from then on), as one straces a server in
production; the client
runs untraced. The pipeline has no server: strace runs it (`strace -f`).
"""
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time


def pg_bin():
    """The newest PostgreSQL's server programs (Debian keeps them by version)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if not found:
        raise AppError("no /usr/lib/postgresql/*/bin/postgres: tools/install-deps.sh bench")
    return os.path.dirname(found[-1])



class AppError(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_user(name):
    """A preexec_fn running the child as NAME, for servers that refuse root."""
    pw = pwd.getpwnam(name)

    def drop():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    return drop


def run_checked(argv, timeout=120, **kw):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
    if p.returncode != 0:
        raise AppError(f"{' '.join(argv)} failed ({p.returncode}): "
                       f"{(p.stderr or p.stdout).strip()[-400:]}")
    return p.stdout


def wait_for(what, check, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AppError(f"{what}: not ready within {timeout} s")


class Server:
    """A server process started in a session of its own, so that it and its
    children (workers, backends) are stopped together."""

    def __init__(self, name, argv, stop_signal=signal.SIGTERM, **kw):
        self.name = name
        self.stop_signal = stop_signal
        self.log = open(kw.pop("log"), "w")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True, **kw)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.alive():
            try:
                os.killpg(self.proc.pid, self.stop_signal)
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        try:	# what the server forked and left behind, if anything
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.log.close()


class App:
    """One real-application workload: start() its server, run(scale) its
    client once (returns units per second and what the client said it did),
    stop(). server_pid: what strace attaches to (None: strace wraps run)."""
    name = desc = unit = None
    server = None

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, self.name)
        os.makedirs(self.dir)

    def calibrate(self, seconds):
        """The amount of work (requests, bytes) one run does: about seconds
        long untraced, on this machine as it is now. Kept for every
        condition, so that each does the same work."""
        t0 = time.monotonic()
        self.run()
        self.amount = max(self.amount, int(self.amount * seconds / (time.monotonic() - t0)))

    @property
    def server_pid(self):
        return self.server.pid if self.server else None

    def stop(self):
        if self.server:
            self.server.stop()


class Pgbench(App):
    name = "pgbench"
    desc = "PostgreSQL pgbench -S -c 2 -j 2, unix socket"
    unit = "transactions/s"
    user = "postgres"	# postgres refuses to run as root

    def start(self):
        pw = pwd.getpwnam(self.user)
        self.bin = pg_bin()
        data, self.sock = os.path.join(self.dir, "data"), os.path.join(self.dir, "sock")
        os.mkdir(self.sock)
        os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        os.chown(self.sock, pw.pw_uid, pw.pw_gid)
        run_checked([f"{self.bin}/initdb", "-D", data, "-U", "postgres", "--auth=trust",
                     "--no-sync", "-E", "UTF8", "--locale=C"], preexec_fn=as_user(self.user),
                    cwd=self.dir)
        self.server = Server("postgres", [
            f"{self.bin}/postgres", "-D", data, "-k", self.sock, "-c", "listen_addresses=",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "max_connections=20"],
            log=os.path.join(self.dir, "postgres.log"), preexec_fn=as_user(self.user),
            cwd=self.dir, stop_signal=signal.SIGINT)	# fast shutdown
        wait_for("postgres", lambda: subprocess.run(
            [f"{self.bin}/pg_isready", "-q", "-h", self.sock], cwd=self.dir).returncode == 0)
        run_checked(["pgbench", "-i", "-q", "-s", "1", *self._conn()], cwd=self.dir)

    def _conn(self):
        return ["-h", self.sock, "-U", "postgres", "postgres"]

    def calibrate(self, seconds):
        self.amount = max(1, round(seconds))	# pgbench runs for a time

    def run(self, div=1, wrap=()):
        out = run_checked(["pgbench", "-S", "-n", "-c", "2", "-j", "2", "-T", str(self.amount),
                           *self._conn()], cwd=self.dir, timeout=self.amount + 60)
        tps = re.search(r"^tps = ([\d.]+) \(without initial connection time\)", out, re.M)
        done = re.search(r"^number of transactions actually processed: (\d+)", out, re.M)
        if not tps or not done or int(done.group(1)) == 0:
            raise AppError(f"pgbench: no result in {out[-400:]!r}")
        return float(tps.group(1)), int(done.group(1))


class Redis(App):
    """One redis-server for both transports; the unix one and the TCP one
    are two workloads."""
    desc = "redis-benchmark -t get,set -c 50"
    unit = "requests/s"
    amount = 2000	# requests per test (GET, SET) before calibration
    shared = {}

    def start(self):
        if "server" not in Redis.shared:
            d = os.path.join(os.path.dirname(self.dir), "redis")
            os.makedirs(d, exist_ok=True)
            pw = pwd.getpwnam("nobody")
            os.chown(d, pw.pw_uid, pw.pw_gid)
            Redis.shared["sock"] = os.path.join(d, "redis.sock")
            Redis.shared["port"] = free_port()
            Redis.shared["server"] = Server("redis-server", [
                "redis-server", "--port", str(Redis.shared["port"]), "--bind", "127.0.0.1",
                "--unixsocket", Redis.shared["sock"], "--unixsocketperm", "777",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", d,
                "--protected-mode", "no"], log=os.path.join(d, "redis.log"),
                preexec_fn=as_user("nobody"))
            wait_for("redis-server", lambda: self._ping())
        self.server = Redis.shared["server"]

    def _ping(self):
        p = subprocess.run(["redis-cli", *self._addr(), "ping"], capture_output=True, text=True)
        return p.stdout.strip() == "PONG"

    def run(self, div=1, wrap=()):
        n = max(100, self.amount // div)
        out = run_checked(["redis-benchmark", *self._addr(), "-t", "get,set", "-n", str(n),
                           "-c", "50", "--csv"], timeout=600)
        rps = dict(re.findall(r'^"(SET|GET)","([\d.]+)"', out, re.M))
        if set(rps) != {"SET", "GET"}:
            raise AppError(f"redis-benchmark: no result in {out[-400:]!r}")
        # Both tests' requests over both tests' time.
        t = sum(n / float(v) for v in rps.values())
        return 2 * n / t, 2 * n

    def stop(self):
        srv = Redis.shared.pop("server", None)
        if srv:
            srv.stop()


class RedisUnix(Redis):
    name = "redis_unix"
    desc = Redis.desc + ", unix socket"

    def _addr(self):
        return ["-s", Redis.shared["sock"]]


class RedisTcp(Redis):
    name = "redis_tcp"
    desc = Redis.desc + ", TCP loopback"

    def _addr(self):
        return ["-h", "127.0.0.1", "-p", str(Redis.shared["port"])]


class Nginx(App):
    name = "nginx"
    desc = "nginx, 1 worker, 4 KiB file to ab -c 8, loopback"
    unit = "requests/s"
    amount = 500	# requests before calibration
    size = 4096

    def start(self):
        os.chmod(self.dir, 0o755)	# the worker runs as nobody
        www = os.path.join(self.dir, "www")
        os.mkdir(www)
        with open(os.path.join(www, "file"), "wb") as f:
            f.write(os.urandom(self.size))
        os.chmod(www, 0o755)
        os.chmod(os.path.join(www, "file"), 0o644)
        self.port = free_port()
        d = self.dir
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""daemon off;
user nobody nogroup;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 256; }}
http {{
	access_log off;
	client_body_temp_path {d}/body;
	proxy_temp_path {d}/proxy;
	fastcgi_temp_path {d}/fastcgi;
	uwsgi_temp_path {d}/uwsgi;
	scgi_temp_path {d}/scgi;
	server {{ listen 127.0.0.1:{self.port}; root {www}; }}
}}
""")
        self.server = Server("nginx", ["nginx", "-e", f"{d}/error.log", "-p", d, "-c", conf],
                             log=os.path.join(d, "nginx.out"), stop_signal=signal.SIGTERM)
        self.url = f"http://127.0.0.1:{self.port}/file"
        wait_for("nginx", lambda: subprocess.run(
            ["ab", "-q", "-n", "1", self.url], capture_output=True).returncode == 0)

    def run(self, div=1, wrap=()):
        n = max(100, self.amount // div)
        out = run_checked(["ab", "-q", "-n", str(n), "-c", "8", self.url], timeout=600)
        rps = re.search(r"^Requests per second:\s+([\d.]+)", out, re.M)
        done = re.search(r"^Complete requests:\s+(\d+)", out, re.M)
        failed = re.search(r"^Failed requests:\s+(\d+)", out, re.M)
        body = re.search(r"^HTML transferred:\s+(\d+) bytes", out, re.M)
        if not (rps and done and failed and body) or int(done.group(1)) != n or \
                int(failed.group(1)) or int(body.group(1)) != n * self.size:
            raise AppError(f"ab: not {n} whole answers of {self.size} bytes: {out[-600:]!r}")
        return float(rps.group(1)), n


class Pipeline(App):
    name = "pipeline"
    desc = "shell: head -c N /dev/zero | cat | cat | wc -c"
    unit = "bytes/s"
    amount = 64 << 20	# bytes before calibration

    def start(self):
        pass

    # What each process of the pipeline moves through pipes, in N bytes:
    # {comm: (received, sent)}; wc's count goes to a file.
    MOVES = {"head": (0, 1), "cat": (2, 2), "wc": (1, 0)}

    def command(self, n):
        out = os.path.join(self.dir, "count")
        return ["bash", "-c", f"head -c {n} /dev/zero | cat | cat | wc -c >{out}"], out

    def run(self, div=1, wrap=()):
        n = max(1 << 20, self.amount // div)
        argv, out = self.command(n)
        t0 = time.monotonic()
        run_checked([*wrap, *argv], timeout=600)
        t = time.monotonic() - t0
        with open(out) as f:
            got = f.read().strip()
        if got != str(n):
            raise AppError(f"pipeline: wc counted {got!r}, not {n}")
        return n / t, n


APPS = [Pgbench, RedisUnix, RedisTcp, Nginx, Pipeline]
# The targets: throughput under ipctrace at least this share of untraced.
APP_TARGETS = {"pgbench": 0.97, "redis_unix": 0.97, "redis_tcp": 0.97}


class Apps:
    """The servers of the chosen workloads, in a temporary directory, for the
    whole bench: with Apps(names) as apps: ... They are stopped and the
    directory removed on the way out, on an exception or a SIGTERM/SIGHUP
    (turned into KeyboardInterrupt) as well."""

    def __init__(self, names, seconds):
        self.names = names
        self.seconds = seconds
        self.apps = []
        self.tmp = None

    def __enter__(self):
        for s in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, self._interrupted)
        self.tmp = tempfile.mkdtemp(prefix="ipctrace-bench-")
        os.chmod(self.tmp, 0o755)	# servers run as their own users
        try:
            for cls in APPS:
                if cls.name in self.names:
                    app = cls(self.tmp)
                    self.apps.append(app)
                    app.start()
                    app.calibrate(self.seconds)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self.apps

    @staticmethod
    def _interrupted(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    def __exit__(self, *exc):
        for app in reversed(self.apps):
            try:
                app.stop()
            except OSError:
                pass
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
        for s in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_DFL)
        return False


def descendants(pid):
    """pid and every process below it (a server's workers), from /proc."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except FileNotFoundError:
            pass
    return out


def traced(pid):
    """Whether every thread of pid has a tracer."""
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                if re.search(r"^TracerPid:\s+0$", f.read(), re.M):
                    return False
    except FileNotFoundError:
        return False
    return True


def strace_server(pid):
    """strace -f attached to a running server: every thread of it and of the
    processes it forked already (nginx's workers), and whatever they fork
    from now on (postgres's backends); returns once each thread is traced
    (its TracerPid says so)."""
    pids = descendants(pid)
    p = subprocess.Popen(["strace", "-f", "-qq", "-o", "/dev/null",
                          *[a for q in pids for a in ("-p", str(q))]],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for("strace -p", lambda: all(traced(q) for q in pids) or p.poll() is not None)
    except AppError:
        p.kill()
        raise
    if p.poll() is not None:
        raise AppError(f"strace -p {pid}: {p.stderr.read().strip()}")
    return p


def stop_strace(p):
    p.send_signal(signal.SIGINT)	# detaches, the server runs on
    try:
        p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
