#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The BPF programs' deepest chain of calls, as the verifiers of kernels
before 6.13 add up its stack: each function's frame rounded up to 32 bytes,
the sum at most 512. Newer kernels give deep tracing programs a private
stack and accept more, so a program that loads on the developers' kernel
can be refused on Debian 12's 6.1 ("combined stack size of N calls is M.
Too large"); this finds it at build time, from the objects themselves.

    tests/lint-bpf-stack.py OBJECT...   (default: build/ipctrace.bpf.o and
                                         build/ipctrace-portable.bpf.o)

Prints each program's deepest chain when it is over the limit (or, with -v,
every program's) and exits 1 if any is. Reads llvm-objdump's disassembly:
a function's frame is the deepest stack offset it uses (r10 - N, or a
pointer made from r10), its calls those relocated to a function (global)
or to .text (static: the target is the call's immediate + 1), and the
functions whose address it loads (bpf_loop's callbacks), which those
verifiers follow as calls too.
"""
import os
import re
import subprocess
import sys

LIMIT = 512
SECTION = re.compile(r'^Disassembly of section (\S+):')
FUNC = re.compile(r'^([0-9a-f]+) <([^>]+)>:')
INSN = re.compile(r'^\s*(\d+):\t([0-9a-f]{2}) ([0-9a-f])([0-9a-f]) [0-9a-f ]+\t(.*)')
RELOC = re.compile(r'R_BPF_64_32\s+(\S+)')
STACK = re.compile(r'r10 - (\d+)\)')
FROM_FP = re.compile(r'^(r\d+) = r10$')
ADD = re.compile(r'^(r\d+) \+= -(\d+)$')
CALL = re.compile(r'^call (-?\d+)$')
LOAD = re.compile(r'^r\d+ = (\d+) ll$')
FUNC_ADDR = re.compile(r'R_BPF_64_64\s+\.text$')


def functions(obj):
    """{(section, name): [depth, [callee keys or ('.text', index)], start]}."""
    out = subprocess.run(['llvm-objdump', '-d', '-r', obj],
                         capture_output=True, text=True, check=True).stdout
    funcs, section, cur, fp_regs, pending, loaded = {}, None, None, set(), None, None
    for line in out.splitlines():
        m = SECTION.match(line)
        if m:
            section, cur = m.group(1), None
            continue
        m = FUNC.match(line)
        if m and not m.group(2).startswith('LBB'):
            cur = (section, m.group(2))
            funcs[cur] = [0, [], int(m.group(1), 16) // 8]
            fp_regs = set()
            continue
        if cur is None:
            continue
        if loaded is not None and FUNC_ADDR.search(line):
            # A function's address, at byte offset imm of .text.
            funcs[cur][1].append(('.text', loaded // 8))
            loaded = None
            continue
        m = RELOC.search(line)
        if m and pending is not None:
            # Relocated: to a function by name, or to .text at imm + 1.
            target = m.group(1)
            funcs[cur][1].append(('.text', pending[1] + 1) if target == '.text' else ('.text', target))
            pending = None
            continue
        m = INSN.match(line)
        if not m:
            continue
        if pending is not None:	# not relocated: relative, in this section
            funcs[cur][1].append((section, pending[0] + pending[1] + 1))
            pending = None
        index, text = int(m.group(1)), m.group(5).strip()
        ld = LOAD.match(text)
        loaded = int(ld.group(1)) if ld and m.group(2) == '18' else None
        for d in STACK.findall(text):
            funcs[cur][0] = max(funcs[cur][0], int(d))
        if FROM_FP.match(text):
            fp_regs.add(FROM_FP.match(text).group(1))
        elif (a := ADD.match(text)) and a.group(1) in fp_regs:
            funcs[cur][0] = max(funcs[cur][0], int(a.group(2)))
        c = CALL.match(text)
        # A call to a BPF function has src_reg 1 (the second byte's high
        # nibble); 0 is a helper's, 2 a kfunc's.
        if c and m.group(2) == '85' and m.group(3) == '1':
            pending = (index, int(c.group(1)))
    if pending is not None:
        funcs[cur][1].append((section, pending[0] + pending[1] + 1))
    return funcs


def resolve(funcs):
    """Callees as function keys: an index to the function starting there."""
    at = {(k[0], v[2]): k for k, v in funcs.items()}
    for v in funcs.values():
        v[1] = [at.get(c) if isinstance(c[1], int) else c for c in v[1]]
        v[1] = [c for c in v[1] if c in funcs]


def deepest(funcs, key, memo):
    if key in memo:
        return memo[key]
    memo[key] = (0, [])	# no recursion in BPF; guards a bad parse
    frame = (max(funcs[key][0], 1) + 31) // 32 * 32
    best = max((deepest(funcs, c, memo) for c in funcs[key][1]), default=(0, []))
    memo[key] = (frame + best[0], [(key[1], frame)] + best[1])
    return memo[key]


def main(argv):
    verbose = '-v' in argv
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    objs = [a for a in argv if a != '-v'] or [os.path.join(root, 'build', o) for o in
                                              ('ipctrace.bpf.o', 'ipctrace-portable.bpf.o')]
    bad = 0
    for obj in objs:
        funcs = functions(obj)
        resolve(funcs)
        memo = {}
        for key in sorted(k for k in funcs if k[0] != '.text'):
            total, chain = deepest(funcs, key, memo)
            if total > LIMIT or verbose:
                print(f'{os.path.basename(obj)}: {key[0]}: {total} bytes in {len(chain)} calls: ' +
                      ' > '.join(f'{n} {d}' for n, d in chain))
            bad += total > LIMIT
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
