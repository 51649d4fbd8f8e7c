#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count the BPF instructions one path through a program executes.

usage: xlated-walk.py LISTING DECISIONS

LISTING is `bpftool prog dump xlated id N` of a loaded program (what the
verifier kept, with the kernel's inlining, subprograms included); DECISIONS
is one letter per conditional jump met on the way, T (taken) or F (falls
through). The walk follows jumps, subprogram calls (`call pc+N`) and their
exits, and prints each conditional with the source line above it, so that
the decisions can be checked against the C; it stops at the first
conditional without a decision, showing it, so a path is built a letter at
a time. At the end: instructions executed (ld_imm64 counts once), helper
calls by name.

Why by hand: this machine has no PMU counters (perf stat shows
instructions as <not supported>) and `bpftool prog profile` needs them,
so nothing counts retired BPF instructions for us. The walk counts BPF
instructions, not x86 ones: a helper call is one instruction here and
hundreds in the kernel.

Decisions for ipctrace's sys_exit_btf at commits 490198c and 5a61926 (the
default build, no filters; see README, Performance; the 4th-5th letters
pass WAIT's check, a task-storage pointer at the first, its gate since):
  syscall no module traces (getppid):        FT
  write(2) on /dev/null (not IPC), 64 B:     FFFTTFFFFFFTTFFFFFTFFFFTFFFFFFTTTFFFF
  write(2) on a pipe, row already there:     FFFTTFFFFFFTTFFFFFTFFFFTFFFFFFFTFFTFTFTFFFTTTFFFF
  mq_timedsend, row there, its first prio:   FFFFFTTFFFFFFTTFFFTFFFFTFTFFFFFFTFTTFFFFTFTFTFFFTFFTFFFF
  msgsnd, row there, its first type:         FFFFFTTFFFFFFTTFFFTFFTFTFFFFFFFTFTFFFTFFFFFF
A change to the BPF code moves the conditionals: walk again, a letter at a
time, checking each against the source line printed with it.
"""
import re
import sys
from collections import Counter


def parse(path):
    insns, src, last = {}, {}, ""
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("; "):
                last = line[2:].strip()
                continue
            m = re.match(r"^\s*(\d+): \((..)\) (.*)$", line)
            if m:
                pc = int(m.group(1))
                insns[pc] = (m.group(2), m.group(3))
                src[pc] = last
    return insns, src


def walk(insns, src, decisions):
    pc, stack, count, di = 0, [], 0, 0
    helpers = Counter()
    while True:
        op, text = insns[pc]
        count += 1
        nxt = pc + (2 if op == "18" else 1)	# ld_imm64 takes two slots
        if op == "95":	# exit: back to the caller, or the end
            if not stack:
                return count, helpers, di
            pc = stack.pop()
            continue
        jump = re.search(r"goto pc([+-]\d+)", text)
        if jump and op == "05":
            pc = nxt + int(jump.group(1))
            continue
        if jump:
            d = decisions[di] if di < len(decisions) else "?"
            print(f"  #{di:<3} {pc:>5}: {text:<40} [{d}]  ; {src[pc][:80]}")
            if d == "?":
                print("next decision needed here: add T or F")
                sys.exit(1)
            di += 1
            pc = nxt + int(jump.group(1)) if d == "T" else nxt
            continue
        call = re.search(r"call pc([+-]\d+)", text)
        if op == "85" and call:
            stack.append(nxt)
            pc = nxt + int(call.group(1))
            continue
        if op == "85":
            helpers[text.split()[1].split("#")[0]] += 1
        pc = nxt


def main():
    if len(sys.argv) != 3 or not re.fullmatch(r"[TF]*", sys.argv[2]):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    insns, src = parse(sys.argv[1])
    count, helpers, di = walk(insns, src, sys.argv[2])
    if di < len(sys.argv[2]):
        print(f"warning: {len(sys.argv[2]) - di} decisions left unused")
    print(f"instructions executed: {count}, conditionals: {di}, helper calls: "
          f"{sum(helpers.values())} ({', '.join(f'{k} {v}' for k, v in helpers.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
