#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The layers run one way (docs/design.md, "Layering and code layout").

user/: a file includes only headers of its own folder or of folders before
it: common, model, mechanisms, loader, output, session, cli, then main.c.
bpf/: the core (bpf/core/, bpf/core.bpf.h) includes nothing above it; the
file-type layer (bpf/filetype.bpf.h, bpf/filetype/) only the core and its
own; a mechanism only the file-type layer, the core and kernel_defs.h,
never another mechanism; and no header includes the programs' file.
Prints each include that runs the wrong way; exits 1 if there is one.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
USER_ORDER = ["common", "model", "mechanisms", "loader", "output", "session", "cli"]


def includes(path):
    return INCLUDE.findall(path.read_text(errors="replace"))


def user_rank(rel):
    parts = rel.split("/")
    if len(parts) == 1:
        return len(USER_ORDER)  # main.c
    return USER_ORDER.index(parts[0]) if parts[0] in USER_ORDER else None


def check_user(errors):
    for path in sorted((ROOT / "user").rglob("*.[ch]")):
        rel = path.relative_to(ROOT / "user").as_posix()
        rank = user_rank(rel)
        if rank is None:
            errors.append(f"user/{rel}: in no layer (docs/design.md lists them)")
            continue
        for inc in includes(path):
            if "/" not in inc:
                continue  # the ABI, the skeletons, libraries
            target = user_rank(inc)
            if target is not None and target > rank:
                errors.append(f"user/{rel} includes {inc}: a layer above it")


def bpf_layer(rel):
    if rel.startswith("core/") or rel == "core.bpf.h" or rel == "kernel_defs.h":
        return 0
    if rel.startswith("filetype/") or rel == "filetype.bpf.h":
        return 1
    if rel == "ipctrace.bpf.c":
        return 3
    return 2  # a mechanism


def check_bpf(errors):
    for path in sorted((ROOT / "bpf").rglob("*.[ch]")):
        rel = path.relative_to(ROOT / "bpf").as_posix()
        layer = bpf_layer(rel)
        for inc in includes(path):
            if inc in ("vmlinux.h", "ipctrace.h"):
                continue
            target = (path.parent / inc).resolve().relative_to(ROOT / "bpf").as_posix() \
                if (path.parent / inc).exists() else inc
            tl = bpf_layer(target)
            if tl > layer or (tl == 2 and layer == 2):
                errors.append(f"bpf/{rel} includes {inc}: "
                              + ("another mechanism" if tl == layer else "a layer above it"))


def main():
    errors = []
    check_user(errors)
    check_bpf(errors)
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
