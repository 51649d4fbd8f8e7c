/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pipes and FIFOs: the kernel side of the pipe module (user/pipe.c decodes its
 * rows, tools/demo_pipe.c exercises it).
 *
 * Every transfer syscall is seen at sys_exit, where the return value is the
 * byte count and the argument registers still hold the file descriptors, so no
 * enter/exit pairing is needed. A FIFO is a pipe with a name: the inode's
 * superblock tells them apart (pipefs for anonymous pipes).
 */
#ifndef IPCTRACE_PIPE_BPF_H
#define IPCTRACE_PIPE_BPF_H

#include "common.bpf.h"

static __always_inline bool is_pipe_type(__u8 type)
{
	return type == IPC_PIPE || type == IPC_FIFO;
}

/* vmsplice moves user pages into a pipe's write end or out of its read end. */
#define DIR_FROM_MODE 0xff

/*
 * A global (non-inlined) function: the verifier checks it once, not once per
 * call site, which keeps the once-per-object path walk within its limits.
 * The call itself costs a few instructions.
 */
__noinline int pipe_count_fd(int fd, __u32 dir, __u64 bytes, __u32 tgid)
{
	struct ipc_obj_key obj = {};
	struct file *file = fd_to_file(fd);
	__u8 type;

	if (!file)
		return 0;
	type = classify_file(file, &obj);
	if (!is_pipe_type(type) || !type_enabled(type))
		return 0;
	if (dir == DIR_FROM_MODE)
		dir = BPF_CORE_READ(file, f_mode) & FMODE_WRITE ? DIR_TX : DIR_RX;

	struct ipc_key key = {
		.ino = obj.ino, .dev = obj.dev, .tgid = tgid, .type = type, .dir = (__u8)dir,
	};
	count_op(&key, file, bytes);
	return 0;
}

/*
 * Ops count calls that moved data: a read at end of file (0) or a zero-length
 * write moves nothing through the pipe.
 */
#define PIPE_ARG(regs, n, btf) \
	((btf) ? PT_REGS_PARM##n##_SYSCALL(regs) : PT_REGS_PARM##n##_CORE_SYSCALL(regs))

static __always_inline void pipe_on_transfer(__u8 op, struct pt_regs *regs, long ret,
					     __u32 tgid, const bool btf)
{
	if (ret <= 0)
		return;
	switch (op) {
	case IPCOP_READ:
		pipe_count_fd(PIPE_ARG(regs, 1, btf), DIR_RX, ret, tgid);
		break;
	case IPCOP_WRITE:
		pipe_count_fd(PIPE_ARG(regs, 1, btf), DIR_TX, ret, tgid);
		break;
	case IPCOP_SPLICE:	/* splice(fd_in, off_in, fd_out, off_out, len, flags) */
		pipe_count_fd(PIPE_ARG(regs, 1, btf), DIR_RX, ret, tgid);
		pipe_count_fd(PIPE_ARG(regs, 3, btf), DIR_TX, ret, tgid);
		break;
	case IPCOP_TEE:	/* tee(fd_in, fd_out, len, flags): reads without consuming */
		pipe_count_fd(PIPE_ARG(regs, 1, btf), DIR_RX, ret, tgid);
		pipe_count_fd(PIPE_ARG(regs, 2, btf), DIR_TX, ret, tgid);
		break;
	case IPCOP_SENDFILE: /* sendfile(out_fd, in_fd, offset, count) */
		pipe_count_fd(PIPE_ARG(regs, 2, btf), DIR_RX, ret, tgid);
		pipe_count_fd(PIPE_ARG(regs, 1, btf), DIR_TX, ret, tgid);
		break;
	case IPCOP_VMSPLICE:
		pipe_count_fd(PIPE_ARG(regs, 1, btf), DIR_FROM_MODE, ret, tgid);
		break;
	}
}

/*
 * Only with -p. A FIFO joins processes through a name, so whoever opens one
 * may be at the other end of a target's channel. Its traffic is counted from
 * then on, and user space shows it only on objects a target uses: deciding here
 * would race with the target's own open, which returns after the writer's.
 * FIFO opens are rare, so this costs the rest of the machine nothing.
 */
static __always_inline void pipe_on_open(long fd, __u32 tgid)
{
	struct ipc_obj_key obj = {};
	struct file *file = fd_to_file(fd);

	if (file && classify_file(file, &obj) == IPC_FIFO && !is_candidate(tgid))
		add_peer(tgid);
}

#endif /* IPCTRACE_PIPE_BPF_H */
