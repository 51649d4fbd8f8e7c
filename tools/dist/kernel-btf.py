#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kernel-btf.py IMAGE OUT: copy the kernel's BTF out of an uncompressed
kernel image (arm64's Image, as Debian's linux-image-*-arm64 ships it in
/boot), for bpftool to write the vmlinux.h of a kernel this machine does not
run. The image is no ELF file, so the .BTF section is found by its header:
magic 0xeb9f, version 1, a 24-byte header, then the type and string
sections whose offsets and lengths it gives. The largest such blob is the
kernel's (a module's split BTF is not in the image)."""
import struct
import sys

HEADER = struct.pack('<HBBI', 0xeb9f, 1, 0, 24)


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: kernel-btf.py IMAGE OUT')
    with open(sys.argv[1], 'rb') as f:
        image = f.read()
    best = None
    at = image.find(HEADER)
    while at != -1:
        type_off, type_len, str_off, str_len = struct.unpack_from('<IIII', image, at + 8)
        size = 24 + max(type_off + type_len, str_off + str_len)
        if at + size <= len(image) and (best is None or size > best[1]):
            best = (at, size)
        at = image.find(HEADER, at + 1)
    if best is None:
        sys.exit(f'kernel-btf: no BTF in {sys.argv[1]}: a kernel built with '
                 'CONFIG_DEBUG_INFO_BTF=y, uncompressed, is needed')
    with open(sys.argv[2], 'wb') as f:
        f.write(image[best[0]:best[0] + best[1]])


if __name__ == '__main__':
    main()
