/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ground floor of the BPF side: the settings user space writes before
 * load, the loss counters, how kernel fields are read (direct loads or
 * copies), and facts about the current task and syscall. Calls nothing.
 */
#ifndef IPCTRACE_CORE_SETTINGS_BPF_H
#define IPCTRACE_CORE_SETTINGS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "ipctrace.h"
#include "kernel_defs.h"

/* Settings, written by user space before load. rodata lets the verifier drop
 * the branches a run does not need, so an unused filter costs nothing. */
const volatile __u8 syscall_op[SYSCALL_TABLE_SIZE] = {};
/* Bit nr: the 32-bit (compat) syscall nr is one of the traced IPC calls. */
const volatile __u8 compat_ipc[SYSCALL_TABLE_SIZE / 8] = {};
const volatile __u32 self_tgid = 0;
/* ipctrace's output writer, a process of its own (0: none). */
const volatile __u32 writer_tgid = 0;
const volatile __u32 type_mask = 0;	/* bit (1 << enum ipc_type) */
const volatile bool filter_enabled = false;
/* -f: a target's children are targets too (else they may be peers). */
const volatile bool follow_children = false;
/* -c, -u without -p: a process that starts to match (exec, or a matching
 * parent's fork) is a target; its name by select_glob, its effective user. */
const volatile bool select_enabled = false;
const volatile bool select_by_comm = false;
const volatile bool select_by_uid = false;
const volatile __u32 select_uid = 0;
const volatile struct comm_glob select_glob = {};
/* --cgroup: only processes in the cgroup in cgroup_filter[0], or below it. */
const volatile bool cgroup_enabled = false;
/* --netns: only processes in the network namespace of this inode (0: any). */
const volatile __u32 netns_ino = 0;
/* --cgroup or --netns: one load tells a run without either to count all. */
const volatile bool scope_enabled = false;
/* Socket bytes come from the syscalls, on kernels without sock_send_length. */
const volatile bool sock_via_syscalls = false;
/* -e: log each operation into the events ring buffer; -x: with this many
 * bytes of its data (0: none). */
const volatile bool events_enabled = false;
const volatile __u32 hex_cap = 0;
/* WAIT: time blocked in IPC calls, from sched_switch (tp_btf only). */
const volatile bool wait_enabled = false;
/* --hist: log2 histograms of sizes and waits per row. */
const volatile bool hist_enabled = false;
/* The tp_btf hooks are in use: the descriptor walk loads task fields
 * directly (BTF pointers) instead of through bpf_probe_read_kernel(). */
const volatile bool btf_loads = false;
/* Rows an object may take: past rows_limit in all (the rest of the map is
 * the overflow rows' reserve), or rows_share for one user's processes (root
 * has no share), its operations count on its process's overflow row
 * (include/ipctrace.h). User space sets both from the map's size. */
const volatile __u64 rows_limit = MAX_ROWS - MAX_ROWS / 16;
const volatile __u64 rows_share = (MAX_ROWS - MAX_ROWS / 16) / 2;

/*
 * Two builds of this code (Makefile): the default one for kernels whose
 * bpf_rdonly_cast() turns a kernel address into a pointer the verifier lets
 * a program load through (a load per field instead of a
 * bpf_probe_read_kernel() call, tens of times dearer), and sleepers kept in
 * task-local storage; and IPCTRACE_PORTABLE, with neither, for older kernels,
 * which refuse a program holding a kfunc call even where it cannot run.
 * User space loads the first and falls back to the second.
 */
#ifndef IPCTRACE_PORTABLE
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define HAVE_RDONLY_CAST 1
#else
#define bpf_rdonly_cast(obj, btf_id) ((void *)0)
#define HAVE_RDONLY_CAST 0
#endif

/* Direct loads through cast pointers: only with the tp_btf hooks, since the
 * raw_tp copies serve kernels older than the cast. */
#define direct_loads (HAVE_RDONLY_CAST && btf_loads)

/*
 * The current task, to load its fields directly (btf_loads), through the
 * cast where there is one: the verifier then does not ask, at each pointer
 * followed from it, whether the kernel vouches for that pointer, a search by
 * name through the kernel's BTF each time, which was most of the signal
 * hook's verification time. Loads through the cast carry a guard each, so
 * the per-syscall paths keep the trusted task. Not for helpers that want the
 * task itself (task storage).
 */
static __always_inline struct task_struct *current_task(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (direct_loads)
		return bpf_rdonly_cast(task, bpf_core_type_id_kernel(struct task_struct));
	return task;
}

/*
 * A field of a kernel object known by its address alone: loaded directly
 * where the cast is there, copied by a helper call where not. The cast is a
 * register move once JIT-compiled.
 */
#define KREAD(type, ptr, field)								\
	(direct_loads ? ((type *)bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(type)))->field \
		      : BPF_CORE_READ((type *)(ptr), field))

struct ipc_loss loss = {};

#define TYPE_BIT(t) IPC_TYPE_BIT(t)
#define SOCK_TYPES IPC_SOCK_TYPES
#define SHM_TYPES IPC_SHM_TYPES

static __always_inline bool type_enabled(__u8 type)
{
	return type_mask & (1U << type);
}

static __always_inline __u32 current_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

/* When a process started (struct ipc_proc_key): the group leader's, which
 * a thread that execs takes over. */
static __always_inline __u32 task_start(struct task_struct *task)
{
	return (__u32)(BPF_CORE_READ(task, group_leader, start_boottime) / IPC_CLOCK_TICK_NS);
}

/*
 * The number of the native syscall the running thread is in: a number no
 * table holds outside one, or in a 32-bit one (its numbers mean others).
 * Every socket send asks (sock.bpf.h): one task lookup, and loads where the
 * hooks are typed.
 */
static __always_inline __u64 current_syscall_nr(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs;

	if (btf_loads ? TASK_COMPAT(task) : TASK_COMPAT_CORE(task))
		return (__u64)-1;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	return btf_loads ? SYSCALL_NR(regs) : SYSCALL_NR_CORE(regs);
}

static __always_inline __u32 current_start(void)
{
	if (btf_loads)
		return (__u32)(bpf_get_current_task_btf()->group_leader->start_boottime /
			       IPC_CLOCK_TICK_NS);
	return task_start((struct task_struct *)bpf_get_current_task());
}

/* ipctrace and its output writer: their calls are its own work (the writer
 * reads each file's text from a pipe), not the traced processes' IPC. */
static __always_inline bool is_self(__u32 tgid)
{
	return tgid == self_tgid || (writer_tgid && tgid == writer_tgid);
}


/*
 * A 32-bit process's syscall numbers mean other syscalls (3 is read there,
 * close here): skip them rather than misread them.
 */
static __always_inline bool in_compat_syscall(void)
{
	struct task_struct *task;

	if (btf_loads)
		return TASK_COMPAT(bpf_get_current_task_btf());
	task = (struct task_struct *)bpf_get_current_task();
	return TASK_COMPAT_CORE(task);
}

/* The caller's tgid, or 0 (no process's) when it makes a 32-bit syscall.
 * One task lookup for both where the task's fields load directly. */
static __always_inline __u32 native_tgid(void)
{
	if (btf_loads) {
		struct task_struct *task = bpf_get_current_task_btf();

		return TASK_COMPAT(task) ? 0 : task->tgid;
	}
	return in_compat_syscall() ? 0 : current_tgid();
}

/* The calls that move bytes through the descriptor in their first argument. */
static __always_inline bool op_moves_bytes(__u8 op)
{
	switch (op) {
	case IPCOP_READ: case IPCOP_WRITE: case IPCOP_READV: case IPCOP_WRITEV:
	case IPCOP_SPLICE: case IPCOP_SENDFILE: case IPCOP_SENDTO: case IPCOP_RECVFROM:
	case IPCOP_SENDMSG: case IPCOP_RECVMSG: case IPCOP_SENDMMSG: case IPCOP_RECVMMSG:
		return true;
	}
	return false;
}

/* The calls that may sleep waiting for the other end of a channel. */
static __always_inline bool op_may_wait(__u8 op)
{
	switch (op) {
	case IPCOP_READ: case IPCOP_WRITE: case IPCOP_READV: case IPCOP_WRITEV:
	case IPCOP_SPLICE: case IPCOP_TEE: case IPCOP_VMSPLICE: case IPCOP_SENDFILE:
	case IPCOP_SENDTO: case IPCOP_RECVFROM: case IPCOP_SENDMSG: case IPCOP_RECVMSG:
	case IPCOP_SENDMMSG: case IPCOP_RECVMMSG: case IPCOP_ACCEPT: case IPCOP_CONNECT:
	case IPCOP_FUTEX: case IPCOP_MQ_SEND: case IPCOP_MQ_RECV: case IPCOP_MSG_SND:
	case IPCOP_MSG_RCV: case IPCOP_SEM_OP:
		return true;
	}
	return false;
}

/*
 * How an operation counts, packed into one argument because a BPF function
 * takes at most five: the direction, an event slot instead of an operation
 * (then the byte count is the event's increment), and the types the caller
 * accepts (less IPC_NONE's bit, so that seventeen types fit in 32 bits).
 */
#define DIR_FROM_MODE 0xff	/* vmsplice: the descriptor's mode says */
#define NO_EVENT NO_EVENT_SLOT
#define HOW(dir, event, types) ((dir) | (event) << 8 | ((types) >> 1) << 16)
#define HOW_DIR(how) ((how) & 0xff)
#define HOW_EVENT(how) (((how) >> 8) & 0xff)
#define HOW_TYPES(how) ((how) >> 15 & ~1U)

/* libbpf 1.1 stops at the fifth argument: the sixth's register is the
 * architecture's (kernel_defs.h). */
#ifndef PT_REGS_PARM6_SYSCALL
#define PT_REGS_PARM6_SYSCALL(x) (((const struct pt_regs *)(x))->SYSCALL_PARM6_REG)
#define PT_REGS_PARM6_CORE_SYSCALL(x) \
	BPF_CORE_READ((const struct pt_regs *)(x), SYSCALL_PARM6_REG)
#endif

/* The syscall's nth argument, from the saved user registers. */
#define SYSCALL_ARG(regs, n, btf) \
	((btf) ? PT_REGS_PARM##n##_SYSCALL(regs) : PT_REGS_PARM##n##_CORE_SYSCALL(regs))

#endif /* IPCTRACE_CORE_SETTINGS_BPF_H */
