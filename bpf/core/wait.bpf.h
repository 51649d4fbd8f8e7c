/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WAIT: the time a thread sleeps inside a call that may wait on IPC. The
 * sched_switch program records a sleeper (wait_on_switch), the call's own
 * exit takes the time (take_sleep) and hands it to the count (set_wait).
 */
#ifndef IPCTRACE_CORE_WAIT_BPF_H
#define IPCTRACE_CORE_WAIT_BPF_H

#include "filter.bpf.h"
#include "op.bpf.h"

/* WAIT: threads asleep in a call that may wait on IPC, since when. */
struct sleeper {
	__u64 since_ns;	/* 0: not asleep in one */
	__u64 nr;	/* the syscall it sleeps in */
};

/*
 * Every read and write on the machine asks whether its thread slept: with
 * task-local storage that is a pointer chase from the task, with a hash a
 * hash of the thread id and a bucket walk. Task storage also goes with the
 * task. Portable build: a hash, since before 6.2 taking task storage from
 * sched_switch could deadlock on the runqueue lock.
 */
#if HAVE_RDONLY_CAST
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sleeper);
} sleepers SEC(".maps");
#else
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_SLEEPERS);
	__type(key, __u32);
	__type(value, struct sleeper);
} sleepers SEC(".maps");
#endif

/*
 * WAIT's gate, in front of the sleepers: per bucket of thread ids, how many
 * of its threads have a sleep recorded and not yet taken. Nearly every call
 * that may wait returns without having slept, and asking the sleepers is a
 * helper call (task storage) or a hash lookup; a load from this array is
 * neither, and says "none" for most threads. Without it, a thread that had
 * slept once (in a futex, as most threads of a threaded program have) kept
 * its task storage and paid the helper call on every read and write after
 * (docs/performance.md has the cost). Threads sharing a bucket only
 * cost each other that call. Opened and closed by the sleeping thread alone,
 * but buckets are shared across CPUs: atomic adds.
 */
#define SLEEP_GATE_BUCKETS 16384	/* a power of two */
__u32 sleep_gate[SLEEP_GATE_BUCKETS];

/* Whether a thread of the bucket may have a sleep not taken yet. */
static __always_inline bool sleep_gate_open(__u32 tid)
{
	return sleep_gate[tid & (SLEEP_GATE_BUCKETS - 1)];
}

static __always_inline void sleep_gate_add(__u32 tid, int n)
{
	__sync_fetch_and_add(&sleep_gate[tid & (SLEEP_GATE_BUCKETS - 1)], n);
}

/*
 * WAIT: the current thread is back from a call that may sleep on IPC; how
 * long it slept in it (nr, or whatever call when nr is -1), 0 if it did not.
 * Every such call comes here at its exit, counted or not, so that no
 * sleeper is left behind for a later call to take.
 */
static __always_inline __u64 take_sleep(__u64 nr)
{
	struct sleeper *sl;
	__u64 slept = 0;
	__u32 tid;

	if (HAVE_RDONLY_CAST) {
		struct task_struct *task = bpf_get_current_task_btf();

		tid = task->pid;
		if (!sleep_gate_open(tid))
			return 0;
		sl = bpf_task_storage_get(&sleepers, task, NULL, 0);
		if (!sl || !sl->since_ns)
			return 0;
		if (nr == (__u64)-1 || sl->nr == nr)
			slept = bpf_ktime_get_ns() - sl->since_ns;
		sl->since_ns = 0;
		sleep_gate_add(tid, -1);
		return slept;
	}
	tid = (__u32)bpf_get_current_pid_tgid();
	if (!sleep_gate_open(tid))
		return 0;
	sl = bpf_map_lookup_elem(&sleepers, &tid);
	if (!sl)
		return 0;
	if (nr == (__u64)-1 || sl->nr == nr)
		slept = bpf_ktime_get_ns() - sl->since_ns;
	if (!bpf_map_delete_elem(&sleepers, &tid))
		sleep_gate_add(tid, -1);
	return slept;
}

/*
 * WAIT: the time the operation about to be counted slept (0: none).
 * Written even when 0: a branch on it here and in end_op() doubles the
 * states the verifier walks through every module, and with them the time
 * to start, for a few instructions an operation.
 */
static __always_inline void set_wait(__u64 slept)
{
	struct op_context *ctx;

	if (!wait_enabled)
		return;
	ctx = op_context();
	if (ctx)
		ctx->wait_ns = slept;
}

/*
 * sched_switch: a thread going to sleep inside a call that may wait on IPC.
 * The switch runs in the sleeper's context, so its registers say which call;
 * the call's own exit (or its socket tracepoint) takes the time it slept
 * and gives it to the operation it counts. A preempted thread is not
 * waiting; a thread that sleeps twice in one call keeps its first time.
 * tp_btf only: bpf_task_pt_regs() needs the typed task (5.15+).
 */
static __always_inline int wait_on_switch(bool preempt, struct task_struct *prev)
{
	struct sleeper sl;
	struct pt_regs *regs;
	__u32 tid, tgid;
	long nr, err;
	__u8 op;

	if (preempt || !(prev->__state & (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)) ||
	    (prev->flags & PF_KTHREAD))
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(prev);
	if (!regs)
		return 0;
	nr = SYSCALL_NR(regs);
	if (nr < 0 || nr >= SYSCALL_TABLE_SIZE)
		return 0;
	op = syscall_op[nr];
	if (!op_may_wait(op) || in_compat_syscall() || !in_scope())
		return 0;
	tgid = prev->tgid;
	if (is_self(tgid) || (filter_enabled && op < IPCOP_DEDICATED && !is_candidate(tgid)))
		return 0;
	if (HAVE_RDONLY_CAST) {
		struct sleeper *slot = bpf_task_storage_get(&sleepers, prev, NULL,
							    BPF_LOCAL_STORAGE_GET_F_CREATE);

		if (!slot) {
			__sync_fetch_and_add(&loss.waits_dropped, 1);
		} else if (!slot->since_ns) {
			slot->nr = nr;
			slot->since_ns = bpf_ktime_get_ns();
			sleep_gate_add(prev->pid, 1);
		}
		return 0;
	}
	tid = prev->pid;
	sl.since_ns = bpf_ktime_get_ns();
	sl.nr = nr;
	err = bpf_map_update_elem(&sleepers, &tid, &sl, BPF_NOEXIST);
	if (!err)
		sleep_gate_add(tid, 1);
	else if (err == -E2BIG)
		__sync_fetch_and_add(&loss.waits_dropped, 1);
	return 0;
}

#endif /* IPCTRACE_CORE_WAIT_BPF_H */
