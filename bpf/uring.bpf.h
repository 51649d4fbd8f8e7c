/* SPDX-License-Identifier: GPL-2.0 */
/*
 * io_uring: reads, writes, sends and receives a process asks of the kernel
 * through a ring it shares with it, not through read(2) or write(2), so the
 * syscall hook never sees them. Each request that completes passes the
 * io_uring_complete tracepoint with the request (5.19+): its file, its
 * operation and its result. A pipe, FIFO, pty or eventfd moved by a request
 * counts under the object's own type, on the row of the process that
 * submitted it, as the same call made as a syscall would.
 *
 * A request completes in its submitter's thread (inline, or in task work),
 * in an io-wq worker or in the SQPOLL thread: threads of the submitting
 * process, so the running process is the submitter. The request names its
 * task (req->task before 6.13, req->tctx->task since); a completion run by
 * anyone else (a kernel worker cancelling the requests of a task that is
 * exiting) is not counted as the runner's, but in lost.uring.
 *
 * Socket bytes come from the sock tracepoints, which io_uring's sends and
 * receives pass too (sock_sendmsg(), sock_recvmsg()): sockets are counted
 * here only where their bytes come from the syscalls (before 6.3), so that
 * nothing counts twice.
 */
#ifndef IPCTRACE_URING_BPF_H
#define IPCTRACE_URING_BPF_H

#include "filetype.bpf.h"

/* Flavours for CO-RE: only the fields read, matched by name on the kernel. */
struct io_uring_task___ipctrace {
	struct task_struct *task;
} __attribute__((preserve_access_index));

/* 6.13 and later: the task through the request's io_uring context. */
struct io_kiocb___tctx {
	struct io_uring_task___ipctrace *tctx;
} __attribute__((preserve_access_index));

/* Before 6.13. */
struct io_kiocb___task {
	struct task_struct *task;
} __attribute__((preserve_access_index));

/* An operation's argument block sits at the start of the request (req->cmd,
 * in a union with req->file): a read's or write's user buffer, a splice's
 * source descriptor. */
struct io_rw___ipctrace {
	__u64 addr;
} __attribute__((preserve_access_index));

/* A send's or receive's: IORING_RECV_MULTISHOT. */
struct io_sr_msg___ipctrace {
	__u16 flags;
} __attribute__((preserve_access_index));

struct io_splice___ipctrace {
	int splice_fd_in;
	unsigned int flags;
} __attribute__((preserve_access_index));

#define URING_NO_DIR 0xfe

/* Which way an operation moves bytes through its file, if it does. */
static __always_inline __u32 uring_dir(__u8 opcode)
{
	switch (opcode) {
	case IORING_OP_READV: case IORING_OP_READ_FIXED: case IORING_OP_READ:
	case IORING_OP_READ_MULTISHOT: case IORING_OP_READV_FIXED:
	case IORING_OP_RECV: case IORING_OP_RECVMSG:
		return DIR_RX;
	case IORING_OP_WRITEV: case IORING_OP_WRITE_FIXED: case IORING_OP_WRITE:
	case IORING_OP_WRITEV_FIXED: case IORING_OP_SEND: case IORING_OP_SENDMSG:
	case IORING_OP_SEND_ZC: case IORING_OP_SENDMSG_ZC:
	case IORING_OP_SPLICE: case IORING_OP_TEE:	/* into req->file */
		return DIR_TX;
	}
	return URING_NO_DIR;
}

/* The process that submitted the request; that of the running task where
 * the kernel's request names none this code knows. */
static __always_inline __u32 uring_submitter(void *req)
{
	struct io_kiocb___tctx *new = req;
	struct io_kiocb___task *old = req;
	struct task_struct *task;

	if (bpf_core_field_exists(new->tctx))
		task = BPF_CORE_READ(new, tctx, task);
	else if (bpf_core_field_exists(old->task))
		task = BPF_CORE_READ(old, task);
	else
		return current_tgid();
	return BPF_CORE_READ(task, tgid);
}

/* An eventfd's value, in the submitter's buffer as in a syscall's. */
static __always_inline void uring_eventfd_value(struct ipc_key *key, void *req, __u8 opcode)
{
	bool vectored = opcode == IORING_OP_READV || opcode == IORING_OP_WRITEV ||
			opcode == IORING_OP_READV_FIXED || opcode == IORING_OP_WRITEV_FIXED;

	eventfd_count_value(key, BPF_CORE_READ((struct io_rw___ipctrace *)req, addr), vectored);
}

/* A splice's or tee's source, by its descriptor in the submitter's table
 * (a thread of its process runs this, sharing the table). */
static __always_inline void uring_splice_source(void *req, __u32 types, int res, __u32 tgid)
{
	struct io_splice___ipctrace *sp = req;

	if (BPF_CORE_READ(sp, flags) & SPLICE_F_FD_IN_FIXED)
		return;	/* a registered file, not in the descriptor table */
	count_fd(BPF_CORE_READ(sp, splice_fd_in), HOW(DIR_RX, NO_EVENT, types), res, NO_LABEL,
		 tgid);
}

/*
 * A request's completion. req is NULL for a completion of no request of
 * its own (a multishot request's further results, a message from another
 * ring): those pass without a file to count on.
 */
static __always_inline int uring_on_complete(void *req)
{
	struct ipc_key key;
	struct file *file;
	__u32 dir, types, tgid;
	__u8 opcode;
	int res;

	if (!req)
		return 0;
	opcode = KREAD(struct io_kiocb, req, opcode);
	dir = uring_dir(opcode);
	if (dir == URING_NO_DIR)
		return 0;
	res = KREAD(struct io_kiocb, req, cqe.res);
	if (res <= 0)
		return 0;	/* a failed or empty request moved nothing */
	types = transfer_types(res);
	if (!types || !in_cgroup())
		return 0;
	tgid = current_tgid();
	if (is_self(tgid) || (filter_enabled && !is_candidate(tgid)))
		return 0;
	if (uring_submitter(req) != tgid) {
		__sync_fetch_and_add(&loss.uring_unseen, 1);
		return 0;
	}
	/* Copied, not loaded through the cast: the file goes on to global
	 * functions (the path walk), which take it as a number. */
	file = BPF_CORE_READ((struct io_kiocb *)req, file);
	if (!file)
		return 0;
	if (count_file(file, HOW(dir, NO_EVENT, types), res, NO_LABEL, tgid, &key) == IPC_EVENTFD)
		uring_eventfd_value(&key, req, opcode);
	if (opcode == IORING_OP_SPLICE || opcode == IORING_OP_TEE)
		uring_splice_source(req, types, res, tgid);
	return 0;
}

/*
 * Whether a request will complete unseen by io_uring_complete: one that
 * posts no completion when it succeeds (IOSQE_CQE_SKIP_SUCCESS), or a
 * multishot one, whose results but the last come without their request.
 * Only the low bits of req->flags are read: a u32 before 6.3, a u64 since.
 */
static __always_inline bool uring_unseen(void *req, __u8 opcode)
{
	__u32 flags = BPF_CORE_READ((struct io_kiocb *)req, flags);

	if (flags & REQ_F_CQE_SKIP)
		return true;
	if (opcode == IORING_OP_READ_MULTISHOT)
		return true;
	/* A socket's: seen here only where its bytes come from the syscalls. */
	return sock_via_syscalls && (opcode == IORING_OP_RECV || opcode == IORING_OP_RECVMSG) &&
	       (BPF_CORE_READ((struct io_sr_msg___ipctrace *)req, flags) & IORING_RECV_MULTISHOT);
}

/*
 * A request being submitted, by its submitter (or its SQPOLL thread, which
 * shares its descriptors): one that will complete unseen, on an IPC object
 * of the types traced, is said in lost.uring, once. Its file is not
 * assigned yet: its descriptor is in req->cqe.fd. A registered file's
 * index says nothing here, so such a request counts whatever it is on.
 */
static __always_inline int uring_on_submit(void *req)
{
	struct ipc_obj_key obj = {};
	const struct sock *sk;
	struct file *file;
	__u32 types;
	__u8 opcode, type;

	opcode = KREAD(struct io_kiocb, req, opcode);
	if (uring_dir(opcode) == URING_NO_DIR || !uring_unseen(req, opcode))
		return 0;
	types = transfer_types(8);	/* the size is not known yet: eventfds too */
	if (!types || !in_cgroup() || is_self(current_tgid()) ||
	    (filter_enabled && !is_candidate(current_tgid())))
		return 0;
	if (!(BPF_CORE_READ((struct io_kiocb *)req, flags) & REQ_F_FIXED_FILE)) {
		file = fd_to_file(BPF_CORE_READ((struct io_kiocb *)req, cqe.fd));
		if (!file)
			return 0;
		type = classify_file(file, &obj, types, &sk);
		if (type == IPC_NONE || !(types & TYPE_BIT(type)) || !type_enabled(type))
			return 0;
	}
	__sync_fetch_and_add(&loss.uring_unseen, 1);
	return 0;
}

#endif /* IPCTRACE_URING_BPF_H */
