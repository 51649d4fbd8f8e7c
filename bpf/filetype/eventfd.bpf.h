/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eventfd: the kernel side of the eventfd module (user/mechanisms/eventfd.c decodes its
 * rows, tools/demo/eventfd.c exercises it).
 *
 * An eventfd is a 64-bit counter behind a descriptor: write(2) adds the 8-byte
 * value it is given, read(2) takes the whole count (or 1, with
 * EFD_SEMAPHORE). Its reads and writes come through the pipe module's
 * transfer syscalls, and count_fd() asks here whether a file is an eventfd
 * and, once it has counted the op, what value moved.
 *
 * Every eventfd is a file on the one anonymous inode, so the inode names
 * none: the object is the eventfd's id (ctx->id), which /proc/PID/fdinfo shows
 * as "eventfd-id", so that the /proc scan finds the holders of the same one.
 * Which anonymous file is an eventfd: its file_operations. eventfd_fops is
 * static, and not in kallsyms without CONFIG_KALLSYMS_ALL, so the first file
 * named "[eventfd]" (anon_inode_getfile()'s name, what /proc/PID/fd shows as
 * anon_inode:[eventfd]) teaches it; every later anonymous file is then told
 * by one pointer comparison, not by its name.
 */
#ifndef IPCTRACE_FILETYPE_EVENTFD_BPF_H
#define IPCTRACE_FILETYPE_EVENTFD_BPF_H

#include "../core.bpf.h"

/* readv, preadv2, writev, pwritev2: their buffer argument is an iovec array.
 * Set by user space (configure), which knows the host's syscall numbers. */
const volatile __u32 eventfd_vector_nr[4] = { -1, -1, -1, -1 };	/* -1: none (0 is read) */

/* eventfd_fops, learned from the first eventfd seen (0: not yet). */
__u64 eventfd_fops_addr = 0;

static const char eventfd_name[] = "[eventfd]";

static __always_inline __u8 eventfd_classify_file(struct file *file, struct ipc_obj_key *obj)
{
	__u64 fop = (__u64)BPF_CORE_READ(file, f_op);
	struct eventfd_ctx *ctx;

	if (fop != eventfd_fops_addr) {
		char name[sizeof(eventfd_name)] = {};

		if (eventfd_fops_addr)
			return IPC_NONE;
		bpf_probe_read_kernel_str(name, sizeof(name),
					  BPF_CORE_READ(file, f_path.dentry, d_name.name));
		for (int i = 0; i < sizeof(eventfd_name); i++)
			if (name[i] != eventfd_name[i])
				return IPC_NONE;
		eventfd_fops_addr = fop;
	}
	ctx = BPF_CORE_READ(file, private_data);
	obj->ino = (__u32)BPF_CORE_READ(ctx, id);
	obj->dev = 0;
	obj->type = IPC_EVENTFD;
	return IPC_EVENTFD;
}

struct user_iovec {
	__u64 base, len;
};

/*
 * Where the value a syscall's read or write of 8 bytes moved is, still there
 * at sys_exit: the second argument, or the first iovec of a vectored call
 * (a value split across iovecs is not summed). The saved user registers of
 * the syscall are found through the task, as count_fd() knows only the fd.
 */
static __always_inline __u64 eventfd_syscall_buf(bool *vectored)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	__u64 nr = SYSCALL_NR_CORE(regs);

	*vectored = nr == eventfd_vector_nr[0] || nr == eventfd_vector_nr[1] ||
		    nr == eventfd_vector_nr[2] || nr == eventfd_vector_nr[3];
	return PT_REGS_PARM2_CORE_SYSCALL(regs);
}

/*
 * The value an eventfd's read or write moved, from the caller's buffer at
 * addr (vectored: an iovec array, whose first element holds it): counted as
 * an event of the row the op was just counted on.
 */
static __noinline void eventfd_count_value(struct ipc_key *key, __u64 buf, bool vectored)
{
	const void *addr = (const void *)buf;
	struct ipc_counters *c;
	__u64 value;

	if (vectored) {
		struct user_iovec iov;

		if (bpf_probe_read_user(&iov, sizeof(iov), addr) || iov.len < sizeof(value))
			return;
		addr = (const void *)iov.base;
	}
	if (bpf_probe_read_user(&value, sizeof(value), addr))
		return;
	/* The row exists: count_file() counted the op on it just now. The value
	 * is not an operation of its own, so it is not logged as one either. */
	c = bpf_map_lookup_elem(&counters, key);
	if (c) {
		count_event(c, key->dir == DIR_TX ? EVENTFD_EV_ADDED : EVENTFD_EV_CONSUMED, value);
		row_moved(key, c);
	}
}

#endif /* IPCTRACE_FILETYPE_EVENTFD_BPF_H */
