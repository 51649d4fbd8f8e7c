#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""usage: interrupt_at_load.py IPCTRACE DELAY...

Starts ipctrace and sends it SIGINT after each DELAY (seconds), as a Ctrl-C
from a terminal would: with SIGINT at its default from the first instruction,
which a shell's background job does not have. Fails if ipctrace takes more
than 20 s to exit, or exits other than cleanly (0) or by the signal itself
(before main() set its handler).
"""
import signal
import subprocess
import sys
import time


def main():
    ipctrace, delays = sys.argv[1], [float(d) for d in sys.argv[2:]]
    failed = 0
    for delay in delays:
        proc = subprocess.Popen(
            [ipctrace, "--json", "-i", "0.2"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            print(f"delay {delay}: still running 20 s after SIGINT")
            failed += 1
            continue
        ok = proc.returncode in (0, -signal.SIGINT)
        print(f"delay {delay}: exit {proc.returncode}{'' if ok else ' (unexpected)'}")
        if not ok:
            print(err.decode(errors="replace"))
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
