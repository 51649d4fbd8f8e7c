#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Many pipes, one byte through each, held open: a user filling the tracer's
rows on purpose.

  many_pipes.py N SECONDS    make N pipes, write and read one byte through
                             each, print one JSON line {"pid", "pipes",
                             "bytes"} with what it moved each way, then hold
                             them open for SECONDS (or until SIGTERM)
"""
import json
import os
import signal
import sys
import time

n, hold = int(sys.argv[1]), float(sys.argv[2])
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
pipes = []
for _ in range(n):
    r, w = os.pipe()
    os.write(w, b"z")
    os.read(r, 1)
    pipes.append((r, w))
print(json.dumps({"pid": os.getpid(), "pipes": n, "bytes": n}), flush=True)
time.sleep(hold)
