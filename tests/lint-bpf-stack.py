#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Every BPF program's call chains fit the stack of the oldest kernel loaded.

usage: lint-bpf-stack.py [OBJECT...]   (default: build/ipctrace*.bpf.o)

The verifier adds up the stack of every frame on a chain of calls, from a
program through its subprograms and bpf_loop's callbacks, and refuses the
program past 512 bytes. Linux 6.1 (Debian 12's) rounds each frame up to 32
bytes; newer kernels JIT-ing the program round to 16, so a chain that loads
on the developers' 6.18 can be refused on 6.1, which only a qemu run would
otherwise show. A frame's depth is read from the object as the verifier
sees it: the deepest offset from r10 the function touches. A call is a
BPF-to-BPF call (src_reg 1) or the address of a function (bpf_loop's
callback, a relocation against .text). Prints each chain over the limit;
exits 1 if there is one.
"""
import functools
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
LIMIT = 512
ROUND = 32  # Linux 6.1's round_up(stack_depth, 32) per frame
INSN = re.compile(r"\s+(\d+):\t([0-9a-f ]+)\t(.*)$")
FUNC = re.compile(r"([0-9a-f]+) <([A-Za-z_][\w.]*)>:")
RELOC = re.compile(r"R_BPF_64_(32|64)\s+(\S+)$")


def parse(obj):
    """functions: name -> {section, depth, calls: [name or .text index]}"""
    lines = subprocess.run(["llvm-objdump", "-dr", str(obj)], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    funcs, text_at, section, cur, after_r10 = {}, {}, None, None, False
    for i, line in enumerate(lines):
        m = re.match(r"Disassembly of section (\S+):", line)
        if m:
            section = m.group(1)
            continue
        m = FUNC.match(line)
        if m and not m.group(2).startswith("LBB"):
            cur = funcs[m.group(2)] = {"section": section, "depth": 0, "calls": []}
            if section == ".text":
                text_at[int(m.group(1), 16) // 8] = m.group(2)
            continue
        m = INSN.match(line)
        if not m or cur is None:
            continue
        idx, raw, insn = int(m.group(1)), m.group(2).split(), m.group(3).strip()
        reloc = RELOC.search(lines[i + 1]) if i + 1 < len(lines) else None
        for off in re.findall(r"r10 - (\d+)", insn):
            cur["depth"] = max(cur["depth"], int(off))
        m = re.match(r"r\d+ \+= -(\d+)$", insn)
        if m and after_r10:
            cur["depth"] = max(cur["depth"], int(m.group(1)))
        after_r10 = bool(re.match(r"r\d+ = r10$", insn))
        m = re.match(r"call (-?\d+)$", insn)
        if m:
            imm = int(m.group(1))
            if reloc and reloc.group(2) == ".text":
                cur["calls"].append(imm + 1)
            elif reloc:
                cur["calls"].append(reloc.group(2))
            elif section == ".text" and raw[1] == "10":
                cur["calls"].append(idx + imm + 1)
        m = re.match(r"r\d+ = (\d+) ll$", insn)
        if m and reloc and reloc.group(1) == "64" and reloc.group(2) == ".text":
            cur["calls"].append(int(m.group(1)) // 8)
    for f in funcs.values():
        f["calls"] = [text_at.get(c, c) if isinstance(c, int) else c for c in f["calls"]]
    return funcs


def deepest(funcs):
    @functools.lru_cache(None)
    def chain(name):
        f = funcs[name]
        below = max((chain(c) for c in set(f["calls"]) if c in funcs and c != name),
                    default=(0, ()))
        frame = -(-max(f["depth"], 1) // ROUND) * ROUND
        return frame + below[0], ((name, f["depth"]),) + below[1]
    return {n: chain(n) for n, f in funcs.items() if f["section"] != ".text"}


def main():
    objs = [pathlib.Path(a) for a in sys.argv[1:]] or sorted(ROOT.glob("build/ipctrace*.bpf.o"))
    if not objs:
        print("lint-bpf-stack: no build/ipctrace*.bpf.o: run make first", file=sys.stderr)
        return 1
    over = []
    for obj in objs:
        for prog, (total, frames) in sorted(deepest(parse(obj)).items()):
            if total > LIMIT:
                path = " > ".join(f"{n} ({d} B)" for n, d in frames)
                over.append(f"{obj.name}: {prog}: {total} bytes on 6.1: {path}")
    print("\n".join(over))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
