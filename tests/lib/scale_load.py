#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Scale workloads with known figures, for tools/bench/scale.py, make soak
SOAK=forkstorm and the tests.

  scale_load.py unix N SECONDS
      N unix sockets (N/2 socket pairs), one byte each way, held open for
      SECONDS (or until SIGTERM), spread over processes of at most
      PER_PROC sockets each (a process's descriptors are limited). Live
      pipes at scale are build/ipc-bench many-pipes.
  scale_load.py tcp N SECONDS [GO_FILE|-] [PENDING]
      N TCP sockets on loopback: N/2 connections to SERVERS server
      processes (each its own listener on 127.0.0.1) from client processes
      of at most PER_PROC sockets each, held for SECONDS (or until SIGTERM).
      Without GO_FILE, one byte each way on each connection once made. With
      it, the connections are made, then (once GO_FILE exists) each client
      sends its connection i i % 250 + 1 bytes, which no server reads: the
      JSON line lists every connection, {"pid", "ino", "bytes", "server"}
      (the client's socket, and the server process holding the other end).
      PENDING: that many clients more, of a listener that accepts none,
      each sending a byte a second (never paired: no process holds the
      other end).
  scale_load.py swap SECONDS
      one pipe written into every 0.2 s; halfway, it is closed and another
      made under the same descriptor numbers, written the same way.
  scale_load.py dupswap X_BYTES Y_BYTES [shared]
      an idle reader holds pipe X's read end, and X_BYTES go into X; once
      ipctrace has read the reader (after 3 s), its descriptor is made a
      read end of pipe Y (dup2 over it: as many descriptors as before),
      and Y_BYTES go into Y. Nobody reads either; both held until SIGTERM.
      shared: the dup2 is made by a child that shares the reader's
      descriptor table (clone with CLONE_FILES, not a thread), gone before
      the line is printed.
  scale_load.py idle N GO_DIR
      prints its pid, then once GO_DIR/0 exists writes EACH bytes into each
      of N pipes and FIRST into one more, X; once GO_DIR/1 exists, SECOND
      more into X. After each step, a JSON line of what it wrote. Nobody
      reads; all held until SIGTERM: N rows idle beside one that moves.
  scale_load.py changing N GO_DIR
      idle's N pipes, and two children that write once into a pipe each;
      once GO_DIR/1 exists one exits and the other execs sleep, rows idle:
      JSON lines of its pid, what was written, and once both are done.
  scale_load.py forkstorm RATE SECONDS WRITES SIZE [FORKERS]
      a long-lived process writes WRITES times SIZE bytes into a pipe (a
      reader of its own reads them), spread over SECONDS, while FORKERS
      processes (4, build/ipc-bench forks) make children at RATE a second
      in all, each child writing one byte into a pipe.

Each prints one JSON line once its objects exist (or its storm is over):
{"pids": [...], "objects": N, "bytes": ...}; for the storm, the writer's
and reader's pids, the bytes they moved and the forks made. tcp with
GO_FILE prints {"ready": true, ...} once connected, then that line with
its connections once they have sent.
"""
import contextlib
import ctypes
import fcntl
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import termios
import time

IPC_BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "build", "ipc-bench")

PER_PROC = 4000
PR_SET_PDEATHSIG = 1
SERVERS = 4


def hold(seconds):
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    time.sleep(seconds)
    os._exit(0)


def make_unix(n):
    keep = []
    for _ in range(n // 2):
        a, b = socket.socketpair()
        a.send(b"z")
        b.recv(1)
        b.send(b"z")
        a.recv(1)
        keep.append((a, b))
    return keep


def held(n, seconds):
    """Children of PER_PROC sockets each; the JSON line once all are made."""
    pids, ready = [], []
    left = n
    while left > 0:
        part = min(PER_PROC, left)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            keep = make_unix(part)
            os.write(w, b"k")
            hold(seconds)
            del keep
        os.close(w)
        pids.append(pid)
        ready.append(r)
        left -= part
    for r in ready:
        os.read(r, 1)
        os.close(r)
    print(json.dumps({"pids": pids, "objects": n, "bytes": n}), flush=True)
    finish(pids, seconds)


def ready_all(fds):
    """What each child wrote into its pipe once ready, in order."""
    out = []
    for r in fds:
        data = b""
        while True:
            part = os.read(r, 65536)
            if not part:
                break
            data += part
        os.close(r)
        out.append(data)
    return out


def child(fn, *args):
    """fn(*args, w) in a child, which ends with this process (a test's
    teardown kills the workload with SIGKILL); the read end of its pipe,
    and its pid."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() == 1:
            os._exit(0)
        fn(*args, w)
        os._exit(0)
    os.close(w)
    return r, pid


def tcp_server(lsock, count, answer, seconds, w):
    """Accepts count connections; answers a byte with a byte, or reads none."""
    conns = [lsock.accept()[0] for _ in range(count)]
    lsock.close()
    for c in conns if answer else ():
        c.recv(1)
        c.send(b"z")
    os.close(w)
    hold(seconds)


def tcp_clients(ports, first, count, go, seconds, w):
    """Connections first..first+count, connection i to ports[i % len]; with
    go, its bytes once go exists, and a line per connection to w."""
    socks = [socket.create_connection(("127.0.0.1", ports[i % len(ports)]))
             for i in range(first, first + count)]
    if not go:
        # Every byte out before any answer is awaited: a server answers its
        # connections in the order it accepted them, from every client.
        for s in socks:
            s.send(b"z")
        for s in socks:
            s.recv(1)
        os.close(w)
        hold(seconds)
    os.write(w, b"ready\n")
    while not os.path.exists(go):
        time.sleep(0.05)
    lines = []
    for i, s in enumerate(socks, first):
        s.sendall(b"t" * (i % 250 + 1))
        lines.append(f"{os.fstat(s.fileno()).st_ino} {i % 250 + 1} {i % len(ports)}\n")
    os.write(w, "".join(lines).encode())
    os.close(w)
    hold(seconds)


def pending_clients(count, seconds, w):
    """count clients of a listener that accepts none, each sending a byte a
    second: their other ends, in the accept queue, have no inode yet."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(count)
    socks = [socket.create_connection(ls.getsockname()) for _ in range(count)]
    os.close(w)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for s in socks:
            s.send(b"p")
        time.sleep(1)
    os._exit(0)


def held_tcp(n, seconds, go, pending=0):
    """Servers, then clients; the JSON line once all are connected (without
    go) or once every client has sent (with go). pending: as many clients
    more, of pending_clients()."""
    conns = n // 2
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    listeners = []
    for _ in range(SERVERS):
        ls = socket.socket()
        ls.bind(("127.0.0.1", 0))
        ls.listen(conns)
        listeners.append(ls)
    ports = [ls.getsockname()[1] for ls in listeners]
    share = [len(range(k, conns, SERVERS)) for k in range(SERVERS)]
    servers = [child(tcp_server, ls, share[k], not go, seconds) for k, ls in enumerate(listeners)]
    for ls in listeners:
        ls.close()
    clients = [child(tcp_clients, ports, first, min(PER_PROC, conns - first), go, seconds)
               for first in range(0, conns, PER_PROC)]
    if pending:
        clients.append(child(pending_clients, pending, seconds))
    spids, cpids = [pid for _, pid in servers], [pid for _, pid in clients]
    if go:
        for r, _ in clients:	# each says "ready" before it waits
            os.read(r, 6)
    ready_all([r for r, _ in servers])
    rec = {"pids": cpids + spids, "servers": spids, "objects": 2 * conns, "bytes": 2 * conns}
    if go:
        print(json.dumps({"ready": True, **rec}), flush=True)
        rec["conns"] = [{"pid": cpid, "ino": int(ino), "bytes": int(b), "server": spids[int(k)]}
                        for (_, cpid), data in zip(clients, ready_all([r for r, _ in clients]))
                        for ino, b, k in (line.split() for line in data.decode().splitlines())]
        rec["bytes"] = sum(c["bytes"] for c in rec["conns"])
    else:
        ready_all([r for r, _ in clients])
    print(json.dumps(rec), flush=True)
    finish(spids + cpids, seconds)


def finish(pids, seconds):
    """Held until seconds have gone or SIGTERM, then the children too."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        time.sleep(seconds)
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGTERM)
        for pid in pids:
            os.waitpid(pid, 0)


# How long the long-lived pair outlives the storm: a pair that ended with it
# would be one of the storm's exited processes, whose rows the summary folds
# once newer ones pass its cap (ten thousand exit a second).
OUTLIVE_S = 2


def long_writer(seconds, writes, size):
    """The long-lived pair: a writer and a reader over one pipe, both alive
    until OUTLIVE_S after the storm's seconds."""
    r, w = os.pipe()
    reader = os.fork()
    if reader == 0:
        os.close(w)
        got = 0
        while True:	# to the writer's exit: end of file
            data = os.read(r, 65536)
            if not data:
                break
            got += len(data)
        os._exit(0 if got == writes * size else 1)
    os.close(r)
    writer = os.fork()
    if writer == 0:
        buf = b"w" * size
        start = time.monotonic()
        for i in range(writes):
            due = start + seconds * i / writes
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            os.write(w, buf)
        time.sleep(max(0, start + seconds + OUTLIVE_S - time.monotonic()))
        os._exit(0)
    os.close(w)
    return writer, reader


def storm(rate, seconds, writes, size, forkers):
    """forkers processes share the rate: on a busy machine one process
    cannot fork 10,000 times a second by itself."""
    writer, reader = long_writer(seconds, writes, size)
    sink_r, sink_w = os.pipe()
    os.set_blocking(sink_r, False)
    # ipc-bench's forkers (vfork: a Python fork copies the interpreter's page
    # tables, milliseconds on a paravirtualised VM), each its share of the
    # rate, their children writing into the sink.
    counts = [subprocess.Popen([IPC_BENCH, "forks", "-f", "-d", str(seconds),
                                "-r", str(rate / forkers), "-w", str(sink_w)],
                               pass_fds=(sink_w,), stdout=subprocess.PIPE, text=True)
              for _ in range(forkers)]
    os.close(sink_w)
    status, forks, end = {}, 0, time.monotonic() + seconds + 60
    while (len(status) < 2 or any(p.poll() is None for p in counts)) and \
            time.monotonic() < end:
        try:
            os.read(sink_r, 65536)
        except BlockingIOError:
            time.sleep(0.01)
        for pid in (writer, reader):
            if pid not in status:
                got, st = os.waitpid(pid, os.WNOHANG)
                if got:
                    status[pid] = os.waitstatus_to_exitcode(st)
    # Every child has written by now (each forker waits for its own): what the
    # loop's last read left in the sink is read too, so that the reads add
    # up to the forks.
    try:
        while os.read(sink_r, 65536):
            pass
    except BlockingIOError:
        pass
    ok = True
    for p in counts:
        out, _ = p.communicate(timeout=60)
        fig = dict(f.split("=", 1) for f in out.split() if "=" in f)
        forks += int(fig.get("iters", 0)) + int(fig.get("warmup", 0))
        ok = ok and p.returncode == 0
    ok = ok and status.get(writer) == 0 and status.get(reader) == 0
    print(json.dumps({"writer": writer, "reader": reader, "bytes": writes * size,
                      "writes": writes, "forks": forks, "seconds": seconds, "ok": ok,
                      "sink_ino": os.fstat(sink_r).st_ino, "forker": os.getpid()}),
          flush=True)
    return 0 if ok else 1


def swap(seconds):
    """The second pipe's writes, once the first has gone: its inode and
    bytes, in a JSON line, then held until SIGTERM."""
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    r, w = os.pipe()
    end = time.monotonic() + seconds / 2
    while time.monotonic() < end:
        os.write(w, b"a")
        os.read(r, 1)
        time.sleep(0.2)
    os.close(r)
    os.close(w)
    r, w = os.pipe()
    n, end = 0, time.monotonic() + seconds / 2
    while time.monotonic() < end:
        os.write(w, b"b")
        os.read(r, 1)
        n += 1
        time.sleep(0.2)
    print(json.dumps({"pid": os.getpid(), "ino": os.fstat(r).st_ino, "bytes": n}), flush=True)
    time.sleep(600)


IDLE_EACH, IDLE_FIRST, IDLE_SECOND = 10, 1000, 2345


def wait_go(go_dir, name):
    while not os.path.exists(os.path.join(go_dir, name)):
        time.sleep(0.05)


def idle_pipes(n, go_dir):
    """Prints this pid, then once go_dir/0 exists makes n pipes with
    IDLE_EACH bytes written into each, and returns them."""
    # The test harness's own pipes, if any were handed down, would make its
    # short-lived processes peers of these rows.
    os.closerange(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    print(json.dumps({"pid": os.getpid()}), flush=True)
    wait_go(go_dir, "0")
    pipes = [os.pipe() for _ in range(n)]
    for _, w in pipes:
        os.write(w, b"i" * IDLE_EACH)
    return pipes


def idle(n, go_dir):
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    idle_pipes(n, go_dir)
    xr, xw = os.pipe()
    os.write(xw, b"x" * IDLE_FIRST)
    print(json.dumps({"pipes": n, "each": IDLE_EACH, "x_ino": os.fstat(xw).st_ino,
                      "x_bytes": IDLE_FIRST}), flush=True)
    wait_go(go_dir, "1")
    os.write(xw, b"y" * IDLE_SECOND)
    print(json.dumps({"x_bytes": IDLE_FIRST + IDLE_SECOND}), flush=True)
    time.sleep(600)


CHANGING = {"exits": 777, "execs": 1234}


def changing(n, go_dir):
    """idle()'s N idle pipes in this process, and two children with a pipe
    each, written once, that this process holds too. Once go_dir/1 is
    there, one child exits and the other execs sleep, keeping its pipe;
    their rows idle throughout. JSON lines: this pid; the pipes and the
    children's {pid, ino, bytes} once written; done once the one is reaped
    and the other runs sleep."""
    kids = {}

    def stop(*_):
        for kid in kids.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(kid["pid"], signal.SIGKILL)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    idle_pipes(n, go_dir)
    for role, size in CHANGING.items():
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.write(w, b"c" * size)
            wait_go(go_dir, "1")
            if role == "exits":
                os._exit(0)
            os.set_inheritable(w, True)
            os.execv("/bin/sleep", ["sleep", "600"])
        kids[role] = {"pid": pid, "ino": os.fstat(w).st_ino, "bytes": size}
        os.close(w)
        # Its bytes are in the pipe (FIONREAD): written, and nothing read.
        buf = bytearray(4)
        while fcntl.ioctl(r, termios.FIONREAD, buf) == 0 and int.from_bytes(buf, "little") < size:
            time.sleep(0.01)
        kids[role]["r"] = r
    print(json.dumps({"pipes": n, "each": IDLE_EACH, **{
        role: {k: v for k, v in kid.items() if k != "r"} for role, kid in kids.items()}}),
        flush=True)
    wait_go(go_dir, "1")
    os.waitpid(kids.pop("exits")["pid"], 0)
    comm = f"/proc/{kids['execs']['pid']}/comm"
    while open(comm).read().strip() != "sleep":
        time.sleep(0.01)
    print(json.dumps({"done": True}), flush=True)
    time.sleep(600)


def clone_files():
    """fork(), but the child shares the caller's descriptor table: 0 in
    the child, its pid in the caller."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    nr = {"x86_64": 56, "aarch64": 220}[os.uname().machine]	# clone
    CLONE_FILES = 0x400
    pid = libc.syscall(nr, CLONE_FILES | signal.SIGCHLD, 0, 0, 0, 0)
    if pid < 0:
        raise OSError(ctypes.get_errno(), "clone(CLONE_FILES)")
    return pid


def dupswap(x_bytes, y_bytes, shared=False):
    """The writer (this process) and an idle reader whose one read end
    changes pipe under the same count (made by a child sharing its table
    if shared): a JSON line once both are written."""
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    xr, xw = os.pipe()
    yr, yw = os.pipe()
    go_r, go_w = os.pipe()
    done_r, done_w = os.pipe()
    reader = os.fork()
    if reader == 0:
        for fd in (xw, yr, yw, go_w, done_r):
            os.close(fd)
        os.read(go_r, 1)
        writer = os.getppid()
        child = clone_files() if shared else 0
        if child == 0:
            # Y's read end, through the writer's descriptor, over X's.
            fd = os.open(f"/proc/{writer}/fd/{yr}", os.O_RDONLY)
            os.dup2(fd, xr)
            os.close(fd)
            if shared:
                os._exit(0)
        if shared:
            os.waitpid(child, 0)
        os.write(done_w, b"d")
        os.read(go_r, 1)	# until the writer has gone, however it went
        os._exit(0)
    for fd in (xr, go_r, done_w):
        os.close(fd)
    os.write(xw, b"x" * x_bytes)
    time.sleep(3)
    os.write(go_w, b"g")
    os.read(done_r, 1)
    os.close(yr)
    os.write(yw, b"y" * y_bytes)
    print(json.dumps({"writer": os.getpid(), "reader": reader,
                      "x_ino": os.fstat(xw).st_ino, "y_ino": os.fstat(yw).st_ino,
                      "x_bytes": x_bytes, "y_bytes": y_bytes}), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (os.kill(reader, signal.SIGKILL), os._exit(0)))
    time.sleep(600)


def main():
    kind = sys.argv[1]
    if kind == "unix":
        held(int(sys.argv[2]), float(sys.argv[3]))
        return 0
    if kind == "tcp":
        go = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] != "-" else None
        held_tcp(int(sys.argv[2]), float(sys.argv[3]), go,
                 int(sys.argv[5]) if len(sys.argv) > 5 else 0)
        return 0
    if kind == "swap":
        swap(float(sys.argv[2]))
        return 0
    if kind == "dupswap":
        dupswap(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:5] == ["shared"])
        return 0
    if kind == "idle":
        idle(int(sys.argv[2]), sys.argv[3])
        return 0
    if kind == "changing":
        changing(int(sys.argv[2]), sys.argv[3])
        return 0
    if kind == "forkstorm":
        return storm(float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]),
                     int(sys.argv[5]), int(sys.argv[6]) if len(sys.argv) > 6 else 4)
    sys.exit(f"scale_load.py: unknown workload {kind}: unix, tcp, swap, dupswap, idle, changing or forkstorm")


if __name__ == "__main__":
    sys.exit(main())
