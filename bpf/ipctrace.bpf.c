// SPDX-License-Identifier: GPL-2.0
/*
 * ipctrace's BPF programs. One raw syscall-exit hook serves every
 * syscall-based mechanism: a single table lookup on the syscall number rejects
 * the syscalls no module wants, so the cost on the rest of the machine is one
 * hook call and a few instructions, where per-syscall tracepoints with
 * enter/exit pairing would cost every syscall the tracing slow path
 * (docs/performance.md).
 *
 * Each hook has a tp_btf copy (typed arguments, direct loads) and a raw_tp
 * copy for kernels without BTF-typed tracepoints; user space loads one.
 * Each module's handler is a function of its own (static __noinline): the
 * verifier still sees the constant arguments of each call, and the modules'
 * stack frames do not add up in this one.
 */
#include "filetype.bpf.h"
#include "pipe.bpf.h"
#include "mq.bpf.h"
#include "msg.bpf.h"
#include "sock.bpf.h"
#include "shm.bpf.h"
#include "sem.bpf.h"
#include "signal.bpf.h"
#include "process_vm.bpf.h"
#include "uring.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * A 32-bit call: its number means another syscall here, and its arguments
 * other layouts; which of them were IPC is known from their own table
 * (compat_ipc), and those are said (lost.compat), not misread. Those that
 * change a descriptor table have a table of their own too.
 */
static __always_inline int compat_call(unsigned long nr, long ret)
{
	if (compat_fd_change[nr / 8] & (1 << (nr % 8)))
		fd_changed(current_tgid());
	if (ret >= 0 && in_scope() && (compat_ipc[nr / 8] & (1 << (nr % 8))))
		__sync_fetch_and_add(&loss.compat_skipped, 1);
	return 0;
}

/* A number that is no 64-bit IPC call: a descriptor table's change, or a
 * 32-bit call's. Whoever makes it, before any filter: another process's
 * holders are read as well as a target's. */
static __always_inline int other_call(__u8 op, unsigned long nr, long ret)
{
	__u32 tgid = native_tgid();

	if (!tgid)
		return compat_call(nr, ret);
	if (op == IPCOP_FD_CHANGE)
		fd_changed(tgid);
	return 0;
}

static __always_inline int on_sys_exit(struct pt_regs *regs, long ret, const bool btf)
{
	unsigned long nr = btf ? SYSCALL_NR(regs) : SYSCALL_NR_CORE(regs);
	__u32 tgid;
	__u8 op;

	__u64 slept = 0;

	if (nr >= SYSCALL_TABLE_SIZE)
		return 0;
	op = syscall_op[nr];
	if (op == IPCOP_NONE)
		return 0;
	/* A number no 64-bit call here is traced for, but a 32-bit one is, or
	 * one that changes a descriptor table: one compare for both. */
	if (op >= IPCOP_COMPAT)
		return other_call(op, nr, ret);
	/* Before any filter: the pieces counted so far passed them. */
	if (!sock_via_syscalls && (__u8)(op - IPCOP_SPLICE) <= IPCOP_SENDFILE - IPCOP_SPLICE)
		sock_batch_end();
	if (wait_enabled && op_may_wait(op))
		slept = take_sleep(nr);
	if (op == IPCOP_CONNECT && ret == -EINPROGRESS)
		ret = 0;	/* a non-blocking connect under way */
	if (ret < 0)
		return 0;	/* a failed call moved nothing */
	if (!in_scope())
		return 0;
	tgid = native_tgid();
	if (!tgid)
		return compat_call(nr, ret);
	if (is_self(tgid))
		return 0;

	if (op == IPCOP_OPEN) {
		pipe_on_open(ret, tgid);
		return 0;
	}
	/* -p: a process outside the filter may be connecting to a target. */
	if (op == IPCOP_CONNECT && filter_enabled && !is_candidate(tgid)) {
		sock_on_connect_filter(SYSCALL_ARG(regs, 1, btf), tgid);
		return 0;
	}
	/* -p: or sending datagrams to a target's address, without connecting. */
	if (filter_enabled && (op == IPCOP_SENDTO || op == IPCOP_SENDMSG || op == IPCOP_SENDMMSG) &&
	    !is_candidate(tgid) &&
	    sock_on_send_filter(op, regs, ret, tgid, btf)) {
		end_op();
		return 0;
	}
	/* -p: dedicated IPC syscalls are counted for everyone (see enum syscall_op);
	 * the others only for the filter's processes, and, where socket bytes come
	 * from the syscalls, at a target's socket's far end, whoever holds it. */
	if (filter_enabled && op < IPCOP_DEDICATED && !is_candidate(tgid) &&
	    !(sock_via_syscalls && op_moves_bytes(op) && sock_fd_watched(SYSCALL_ARG(regs, 1, btf))))
		return 0;
	set_wait(slept);

	switch (op) {
	case IPCOP_SPLICE:
		/* First: the socket's read is the call's, and takes its wait. */
		sock_on_splice_out(SYSCALL_ARG(regs, 1, btf), ret, tgid);
		/* fall through */
	case IPCOP_READ:
	case IPCOP_WRITE:
	case IPCOP_READV:
	case IPCOP_WRITEV:
	case IPCOP_TEE:
	case IPCOP_VMSPLICE:
	case IPCOP_SENDFILE:
		pipe_on_transfer(op, regs, ret, tgid, btf);
		break;
	case IPCOP_SENDTO:
	case IPCOP_RECVFROM:
	case IPCOP_SENDMSG:
	case IPCOP_RECVMSG:
	case IPCOP_SENDMMSG:
	case IPCOP_RECVMMSG:
	case IPCOP_ACCEPT:
	case IPCOP_CONNECT:
	case IPCOP_LISTEN:
	case IPCOP_BIND:
		sock_on_syscall(op, regs, ret, tgid, btf);
		break;
	case IPCOP_MMAP:
	case IPCOP_MUNMAP:
	case IPCOP_MREMAP:
	case IPCOP_MADVISE:
	case IPCOP_FUTEX:
	case IPCOP_SHM_GET:
	case IPCOP_SHM_AT:
	case IPCOP_SHM_DT:
	case IPCOP_SHM_CTL:
	case IPCOP_MEMFD:
	case IPCOP_UNLINK:
	case IPCOP_UNLINKAT:
		shm_on_syscall(op, regs, ret, tgid, btf);
		break;
	case IPCOP_SEM_GET:
	case IPCOP_SEM_OP:
	case IPCOP_SEM_CTL:
		sem_on_syscall(op, regs, ret, tgid, btf);
		break;
	case IPCOP_MQ_SEND:
	case IPCOP_MQ_RECV:
	case IPCOP_MQ_NOTIFY:
	case IPCOP_MQ_UNLINK:
		mq_on_syscall(op, regs, ret, tgid, btf);
		break;
	case IPCOP_MSG_SND:
	case IPCOP_MSG_RCV:
	case IPCOP_MSG_CTL:
	case IPCOP_MSG_GET:
		msg_on_syscall(op, regs, ret, tgid, btf);
		break;
	case IPCOP_PVM_READ:
	case IPCOP_PVM_WRITE:
	case IPCOP_PIDFD_GETFD:
		pvm_on_syscall(op, regs, ret, tgid, btf);
		break;
	}
	/* A payload or wait no count took must not reach the next operation. */
	end_op();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)
{
	return on_sys_exit(regs, ret, true);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_raw, struct pt_regs *regs, long ret)
{
	return on_sys_exit(regs, ret, false);
}

/* Socket bytes (6.3+); user space loads these only when the kernel has them. */
SEC("tp_btf/sock_send_length")
int BPF_PROG(sock_send_btf, struct sock *sk, int ret, int flags)
{
	return sock_on_length(sk, ret, flags, DIR_TX);
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(sock_recv_btf, struct sock *sk, int ret, int flags)
{
	return sock_on_length(sk, ret, flags, DIR_RX);
}

SEC("raw_tp/sock_send_length")
int BPF_PROG(sock_send_raw, struct sock *sk, int ret, int flags)
{
	return sock_on_length(sk, ret, flags, DIR_TX);
}

SEC("raw_tp/sock_recv_length")
int BPF_PROG(sock_recv_raw, struct sock *sk, int ret, int flags)
{
	return sock_on_length(sk, ret, flags, DIR_RX);
}

/* io_uring's requests, as each completes (5.19+: the tracepoint has the
 * request). Its second argument is the request on every such kernel, typed
 * void *: the same program serves both copies. */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(uring_complete_btf, void *ring, void *req)
{
	return uring_on_complete(req);
}

SEC("raw_tp/io_uring_complete")
int BPF_PROG(uring_complete_raw, void *ring, void *req)
{
	return uring_on_complete(req);
}

/* io_uring's requests as they are submitted: those that will complete
 * unseen (lost.uring). */
SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(uring_submit_btf, void *req)
{
	return uring_on_submit(req);
}

SEC("raw_tp/io_uring_submit_req")
int BPF_PROG(uring_submit_raw, void *req)
{
	return uring_on_submit(req);
}

/* The same tracepoint before 6.4 (Debian 12's 6.1): the request first too. */
SEC("tp_btf/io_uring_submit_sqe")
int BPF_PROG(uring_submit_sqe_btf, void *req)
{
	return uring_on_submit(req);
}

SEC("raw_tp/io_uring_submit_sqe")
int BPF_PROG(uring_submit_sqe_raw, void *req)
{
	return uring_on_submit(req);
}

/* Page faults on shared memory (the shm module's activity estimate). */
SEC("tp_btf/page_fault_user")
int BPF_PROG(page_fault_btf, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	return shm_on_fault(address, error_code);
}

SEC("raw_tp/page_fault_user")
int BPF_PROG(page_fault_raw, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	return shm_on_fault(address, error_code);
}

/* Signals, at the point the kernel has decided what becomes of one. */
SEC("tp_btf/signal_generate")
int BPF_PROG(signal_generate_btf, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	return sig_on_generate(sig, info, task, result, true);
}

SEC("raw_tp/signal_generate")
int BPF_PROG(signal_generate_raw, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	return sig_on_generate(sig, info, task, result, false);
}

/*
 * WAIT: a thread going to sleep inside a call that may wait on IPC. The
 * switch runs in the sleeper's context, so its registers say which call;
 * the call's own exit (or its socket tracepoint) takes the time it slept
 * and gives it to the operation it counts. A preempted thread is not
 * waiting; a thread that sleeps twice in one call keeps its first time.
 * tp_btf only: bpf_task_pt_regs() needs the typed task (5.15+).
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch_btf, bool preempt, struct task_struct *prev)
{
	return wait_on_switch(preempt, prev);
}

/*
 * Process lifetime. These fire once per process, so raw_tp (which every
 * kernel with BPF raw tracepoints has) serves both paths at no real cost.
 */

/* sched_process_exit fires per thread; signal->live reaches 0 for the last one
 * before the tracepoint in do_exit(), on every kernel since the counter exists. */
SEC("raw_tp/sched_process_exit")
int BPF_PROG(sched_exit, struct task_struct *task)
{
	__u32 tgid;

	/* A thread that never returned from its call (killed in it) leaves no
	 * sleeper behind, nor its bucket of the gate open. The tracepoint runs
	 * in the exiting thread. */
	if (wait_enabled)
		take_sleep((__u64)-1);
	if (!sock_via_syscalls)
		sock_batch_end();
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	tgid = BPF_CORE_READ(task, tgid);
	proc_on_exit(task);
	filter_on_exit(tgid);
	shm_on_exit(tgid);
	return 0;
}

/*
 * A child inherits its parent's descriptors, so with -p it may be a peer,
 * and its shared mappings, so its page faults count like its parent's; it
 * may even share its parent's descriptor table.
 */
SEC("raw_tp/sched_process_fork")
int BPF_PROG(sched_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 parent_tgid = BPF_CORE_READ(parent, tgid), child_tgid = BPF_CORE_READ(child, tgid);

	if (parent_tgid == child_tgid)
		return 0;	/* a thread */
	filter_on_fork(parent_tgid, child_tgid, child);
	shm_on_fork(parent_tgid, child_tgid);
	fd_on_fork(parent_tgid, child_tgid, parent, child);
	return 0;
}

/* exec renames the process: -c may choose it now, and the row's name stays
 * current, as top's does. Its close-on-exec descriptors go. */
SEC("raw_tp/sched_process_exec")
int BPF_PROG(sched_exec)
{
	filter_on_exec();
	proc_on_exec();
	fd_on_exec();
	return 0;
}
