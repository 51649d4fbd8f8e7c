/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which processes' descriptor tables changed, so that user space reads
 * again only those (user/model/holders.c): a count of a process's table's
 * changes cannot tell a descriptor closed and another opened in its place,
 * and reading every process's descriptors again in turn to find those costs
 * what exists, not what changed.
 *
 * A counter per bucket of tgids, bumped when a call may take a descriptor
 * away or put another object under its number (close, close_range, dup2,
 * dup3, whatever they return: close() frees the number even when it fails)
 * and at exec (close-on-exec). User space reads them in the mmapped .bss:
 * a process whose bucket stands where it stood when its descriptors were
 * last read holds what that read found. Two processes in one bucket only
 * make more reads, never fewer.
 *
 * What this side cannot see it says, in fd_unsure (set, never cleared): a
 * table another process shares (clone with CLONE_FILES without
 * CLONE_THREAD: the other's calls bump the other's bucket), and a 32-bit
 * process where its calls' numbers are not listed (arm64). Those, and
 * descriptors closed by io_uring (which user space sees in the table), are
 * read again in turn as before.
 */
#ifndef IPCTRACE_CORE_FDSET_BPF_H
#define IPCTRACE_CORE_FDSET_BPF_H

#include "settings.bpf.h"

__u32 fd_changes[FD_CHANGE_BUCKETS] = {};
__u8 fd_unsure[FD_CHANGE_BUCKETS] = {};

/* The 32-bit calls that change a table, by their own numbers (compat.c). */
const volatile __u8 compat_fd_change[SYSCALL_TABLE_SIZE / 8] = {};

static __always_inline void fd_changed(__u32 tgid)
{
	__sync_fetch_and_add(&fd_changes[tgid & (FD_CHANGE_BUCKETS - 1)], 1);
}

static __always_inline void fd_unsure_of(__u32 tgid)
{
	fd_unsure[tgid & (FD_CHANGE_BUCKETS - 1)] = 1;
}

/* exec: its close-on-exec descriptors went, its mappings with them. */
static __always_inline void fd_on_exec(void)
{
	__u32 tgid = current_tgid();

	fd_changed(tgid);
	if (in_compat_syscall())
		fd_unsure_of(tgid);
}

/* fork: a child given its parent's table rather than a copy shares it. */
static __always_inline void fd_on_fork(__u32 parent_tgid, __u32 child_tgid,
				       struct task_struct *parent, struct task_struct *child)
{
	if (BPF_CORE_READ(parent, files) != BPF_CORE_READ(child, files))
		return;
	fd_unsure_of(parent_tgid);
	fd_unsure_of(child_tgid);
}

#endif /* IPCTRACE_CORE_FDSET_BPF_H */
