/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared memory used through a descriptor: write, pread, sendfile... on a
 * POSIX shared memory object (a file on /dev/shm) or a memfd move bytes
 * between processes as its mappings do, but through calls, so they are
 * measured, not estimated. Their rows are the mappings' rows (the shm
 * module's objects: the same type, device and inode), and the event slot
 * SHM_EV_MEASURED says how much of a row's bytes calls moved.
 *
 * Which regular file is which: its superblock's device. /dev/shm's is one
 * tmpfs; a memfd lives on the kernel's internal shmem mount (as shared
 * anonymous memory does), whose device user space learns from a memfd of
 * its own. A hugetlbfs memfd, which takes no write(), is not looked at.
 */
#ifndef IPCTRACE_FILETYPE_SHMFILE_BPF_H
#define IPCTRACE_FILETYPE_SHMFILE_BPF_H

#include "../core.bpf.h"

#define SHMFILE_TYPES (TYPE_BIT(IPC_POSIX_SHM) | TYPE_BIT(IPC_MMAP))

/* /dev/shm's device: a file there is POSIX shared memory. Set by user space. */
const volatile __u32 devshm_dev = 0;
/* The internal shmem mount's device: a regular file there is a memfd. */
const volatile __u32 memfd_dev = 0;

static __always_inline __u8 shmfile_classify(struct inode *inode, __u32 dev,
					     struct ipc_obj_key *obj)
{
	__u8 type;

	if (dev == devshm_dev && devshm_dev)
		type = IPC_POSIX_SHM;
	else if (dev == memfd_dev && memfd_dev)
		type = IPC_MMAP;
	else
		return IPC_NONE;
	obj->ino = KREAD(struct inode, inode, i_ino);
	obj->dev = dev;
	obj->type = type;
	return type;
}

/* POSIX shared memory or a file mapping: one compare, as they are neighbours. */
static __always_inline bool shmfile_type(__u8 type)
{
	_Static_assert(IPC_MMAP == IPC_POSIX_SHM + 1, "one range");
	return (__u8)(type - IPC_POSIX_SHM) <= IPC_MMAP - IPC_POSIX_SHM;
}

/* The bytes a call moved, beside the page faults' estimate on the same row.
 * Only transfers (the pipe module's calls) ask for these types: never an
 * event of their own. */
static __always_inline void shmfile_count_measured(struct ipc_counters *c, __u64 bytes)
{
	count_event(c, SHM_EV_MEASURED, bytes);
}

#endif /* IPCTRACE_FILETYPE_SHMFILE_BPF_H */
