/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The syscalls of 32-bit (compat) processes that are IPC, by their own
 * numbers: on x86-64 with IA32 emulation, `int $0x80` or a -m32 binary calls
 * read as 3 and write as 4, which are close and stat to a 64-bit process.
 * ipctrace does not decode them (their arguments and structures have other
 * layouts); the BPF side counts those made in lost.compat.
 */
#ifndef IPCTRACE_COMPAT_H
#define IPCTRACE_COMPAT_H

#include <stddef.h>
#include <linux/types.h>
#include "ipctrace.h"

struct compat_syscall {
	int nr;			/* the 32-bit number */
	enum syscall_op op;	/* what the 64-bit call of the same name is */
};

/* Empty (n 0) where the architecture's 32-bit numbers are not listed. */
extern const struct compat_syscall compat_syscalls[];
extern const size_t ncompat_syscalls;
/* The 32-bit numbers of the calls that change a descriptor table. */
extern const int compat_fd_change_nrs[];
extern const size_t ncompat_fd_change_nrs;

#endif
