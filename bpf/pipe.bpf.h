/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pipes and FIFOs: the kernel side of the pipe module (user/mechanisms/pipe.c decodes its
 * rows, tools/demo/pipe.c exercises it).
 *
 * Every transfer syscall is seen at sys_exit, where the return value is the
 * byte count and the argument registers still hold the file descriptors, so no
 * enter/exit pairing is needed. A FIFO is a pipe with a name: the inode's
 * superblock tells them apart (pipefs for anonymous pipes).
 */
#ifndef IPCTRACE_PIPE_BPF_H
#define IPCTRACE_PIPE_BPF_H

#include "filetype.bpf.h"

/*
 * The same syscalls move socket bytes; they count here too on kernels where
 * the sock tracepoints are missing (sock.bpf.h says which).
 */
static __always_inline void pipe_count(long fd, __u32 dir, long bytes, __u32 tgid)
{
	/* Every file a read or write moves IPC bytes through (filetype.bpf.h). */
	__u32 types = transfer_types(bytes);

	if (types)
		count_fd(fd, HOW(dir, NO_EVENT, types), bytes, NO_LABEL, tgid);
}

/*
 * Ops count calls that moved data: a read at end of file (0) or a zero-length
 * write moves nothing through the pipe.
 */
static __noinline void pipe_on_transfer(__u8 op, struct pt_regs *regs, long ret,
					     __u32 tgid, const bool btf)
{
	if (ret <= 0)
		return;
	switch (op) {
	case IPCOP_READ:
		set_payload(SYSCALL_ARG(regs, 2, btf), ret);
		pipe_count(SYSCALL_ARG(regs, 1, btf), DIR_RX, ret, tgid);
		break;
	case IPCOP_WRITE:
		set_payload(SYSCALL_ARG(regs, 2, btf), ret);
		pipe_count(SYSCALL_ARG(regs, 1, btf), DIR_TX, ret, tgid);
		break;
	case IPCOP_READV:
		set_payload_iov(SYSCALL_ARG(regs, 2, btf), ret);
		pipe_count(SYSCALL_ARG(regs, 1, btf), DIR_RX, ret, tgid);
		break;
	case IPCOP_WRITEV:
		set_payload_iov(SYSCALL_ARG(regs, 2, btf), ret);
		pipe_count(SYSCALL_ARG(regs, 1, btf), DIR_TX, ret, tgid);
		break;
	case IPCOP_SPLICE:	/* splice(fd_in, off_in, fd_out, off_out, len, flags) */
		pipe_count(SYSCALL_ARG(regs, 1, btf), DIR_RX, ret, tgid);
		pipe_count(SYSCALL_ARG(regs, 3, btf), DIR_TX, ret, tgid);
		break;
	case IPCOP_TEE:	/* tee(fd_in, fd_out, len, flags): reads without consuming */
		pipe_count(SYSCALL_ARG(regs, 1, btf), DIR_RX, ret, tgid);
		pipe_count(SYSCALL_ARG(regs, 2, btf), DIR_TX, ret, tgid);
		break;
	case IPCOP_SENDFILE: /* sendfile(out_fd, in_fd, offset, count) */
		pipe_count(SYSCALL_ARG(regs, 2, btf), DIR_RX, ret, tgid);
		pipe_count(SYSCALL_ARG(regs, 1, btf), DIR_TX, ret, tgid);
		break;
	case IPCOP_VMSPLICE:
		set_payload_iov(SYSCALL_ARG(regs, 2, btf), ret);
		pipe_count(SYSCALL_ARG(regs, 1, btf), DIR_FROM_MODE, ret, tgid);
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
	const struct sock *sk;

	if (file && classify_file(file, &obj, TYPE_BIT(IPC_FIFO), &sk) == IPC_FIFO &&
	    !is_candidate(tgid))
		add_peer(tgid);
}

#endif /* IPCTRACE_PIPE_BPF_H */
