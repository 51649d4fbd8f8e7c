#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make soak SOAK=forkstorm: ipctrace -i 1 through a fork storm, for
SOAK_SECONDS (default 600).

usage: sudo tools/soak/forkstorm.py [SECONDS] [RATE]

Children are forked at RATE a second (default 10,000; FORK_RATE in make),
each writing one byte into a pipe, beside a long-lived process writing a
known number of bytes to a reader of its own (tests/lib/scale_load.py
forkstorm). The measurement is tools/bench/scale.py's. Passes when:
  - every interval is within 10% of its 1 s length;
  - ipctrace's CPU over the storm is under half a core;
  - the long-lived writer's and reader's bytes are exact;
  - nothing was lost (every "lost" count 0).
The fork rate reached is printed beside the one asked: on a machine that
cannot fork that fast the criteria hold for the rate reached.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "bench"))
import scale  # noqa: E402


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("SOAK_SECONDS", 600))
    rate = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    if os.geteuid() != 0:
        sys.exit("forkstorm.py: needs root (BPF): run it with sudo")
    res = scale.run(seconds=seconds, fork_rate=rate, forkstorm_only=True,
                    say=lambda m: print(m, file=sys.stderr, flush=True))
    scale.print_results(res)
    storm = res.get("forkstorm", {})
    print(json.dumps(storm))
    ok = "error" not in storm and all(t["met"] for t in res["targets"]) and not storm["lost"]
    if storm.get("lost"):
        print(f"lost: {storm['lost']}")
    print("soak forkstorm: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
