/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Signals: the kernel side of the signal module (user/mechanisms/signal.c decodes its
 * rows, tools/demo/signal.c exercises it).
 *
 * signal:signal_generate fires in __send_signal_locked() (and, for POSIX
 * timers, where their queued signal is sent) once the kernel has decided what
 * becomes of a signal: queued for the target, ignored, merged into the same
 * signal already pending, or refused over the real-time queue limit. It fires
 * for every signal on the machine, the SIGCHLD of every exit included, so
 * this path stays short: the counters, the labels and one process lookup.
 *
 * The object is the target process (its thread group, whichever thread the
 * signal went to): ino is its PID, dev its start time in clock ticks (field
 * 22 of /proc/PID/stat), so that a reused PID is another object. The sender
 * has a tx row on it and the target an rx row, each counting the signal as an
 * op (no bytes), its number as a label and its result as an event.
 *
 * The sender is the process the kernel names in the siginfo it gives the
 * target: the caller of kill(), tgkill() or sigqueue(), the sender of the
 * message that fires an mq_notify, the child whose exit or stop sends
 * SIGCHLD. All of these run in the sender's own context, so it is the current
 * task. Any other signal is the kernel's own: a fault's SIGSEGV, a timer's
 * SIGALRM, SIGIO, the OOM killer's SIGKILL, a terminal's SIGINT. It counts on
 * the target's row only, as a kernel event, and the task that happened to be
 * running (a timer fires in interrupt context) is never taken for its sender.
 */
#ifndef IPCTRACE_SIGNAL_BPF_H
#define IPCTRACE_SIGNAL_BPF_H

#include "filetype.bpf.h"

/* SEND_SIG_NOINFO and SEND_SIG_PRIV (include/linux/sched/signal.h) are
 * these two pointer values, not siginfo: SI_USER from current, SI_KERNEL. */
#define SEND_SIG_NOINFO_VALUE 0UL
#define SEND_SIG_PRIV_VALUE 1UL

/*
 * rt_sigqueueinfo, rt_tgsigqueueinfo and pidfd_send_signal take the siginfo
 * from their caller, and the kernel lets its si_code claim what a user
 * cannot be told from by the code alone (a timer's, an AIO completion's,
 * any code at all to the caller's own process). A signal generated inside
 * one of these calls, of the number the call names, is the caller's,
 * whatever its code says. The host's numbers, set by user space (the
 * signal module's configure); -1: none.
 */
const volatile __u32 sig_info_nr[3] = { -1, -1, -1 };

static __always_inline bool sig_sent_by_caller(int sig)
{
	struct pt_regs *regs;
	__u64 nr, arg;

	if (in_compat_syscall())
		return false;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	nr = SYSCALL_NR_CORE(regs);
	if (nr == sig_info_nr[0] || nr == sig_info_nr[2])	/* (pid or pidfd, sig, info) */
		arg = PT_REGS_PARM2_CORE_SYSCALL(regs);
	else if (nr == sig_info_nr[1])				/* (tgid, tid, sig, info) */
		arg = PT_REGS_PARM3_CORE_SYSCALL(regs);
	else
		return false;
	return (int)arg == sig;
}

/*
 * Fields are loaded directly by the tp_btf copy of the hook (but see
 * si_code below) and copied with bpf_probe_read_kernel() by the raw_tp one:
 * btf is a constant in each, so the verifier sees one way only. The direct
 * loads halve the hook's cost.
 */
static __always_inline bool sig_from_process(int sig, const struct kernel_siginfo *info,
					     const bool btf)
{
	int code;

	if ((unsigned long)info == SEND_SIG_NOINFO_VALUE)
		return true;
	if ((unsigned long)info == SEND_SIG_PRIV_VALUE)
		return false;
	/* Copied on both paths: info may be SEND_SIG_NOINFO or SEND_SIG_PRIV,
	 * not a pointer, and kernels that know it (6.18.44 here does; earlier
	 * 6.18 builds did not) give tp_btf the argument as a number, which a
	 * direct load is refused on. */
	code = BPF_CORE_READ(info, si_code);
	if (code == SI_USER || code == SI_QUEUE || code == SI_TKILL || code == SI_MESGQ)
		return true;
	/* CLD_EXITED, CLD_STOPPED...: do_notify_parent() runs in the child. */
	if (sig == SIGCHLD && code > 0)
		return true;
	return sig_sent_by_caller(sig);
}

static __always_inline __u32 sig_result_slot(int result)
{
	switch (result) {
	case TRACE_SIGNAL_IGNORED:
		return SIG_EV_IGNORED;
	case TRACE_SIGNAL_ALREADY_PENDING:
		return SIG_EV_PENDING;
	case TRACE_SIGNAL_OVERFLOW_FAIL:
		return SIG_EV_FAILED;
	default:	/* DELIVERED, and LOSE_INFO: queued without its siginfo */
		return SIG_EV_DELIVERED;
	}
}

/* The whole thread group has passed do_exit()'s count of live threads. */
static __always_inline bool sig_group_dead(struct task_struct *task, const bool btf)
{
	if (btf)
		return (task->flags & PF_EXITING) && task->signal->live.counter == 0;
	return (BPF_CORE_READ(task, flags) & PF_EXITING) &&
	       BPF_CORE_READ(task, signal, live.counter) == 0;
}

/*
 * A process that has exited (a zombie sent a signal) or is exiting (the
 * SIGCHLD of its own exit) keeps its exit time: its rows are final.
 */
static __always_inline void sig_note_exit(struct task_struct *task, const struct ipc_key *row)
{
	struct ipc_proc_key who = { .tgid = row->tgid, .start = row->start };
	struct ipc_proc *proc = bpf_map_lookup_elem(&procs, &who);

	/* An entry it has keeps its name, cgroup and whether it is a target. */
	if (!proc)
		register_proc_of(task, &who, bpf_ktime_get_ns());
	else if (!proc->exit_ns)
		proc->exit_ns = bpf_ktime_get_ns();
}

/*
 * One row: the signal is an op, its number a label, its result an event.
 * A new row's process entry is made by the counting path from the running
 * task, which for a target is the sender (or, for the kernel's signals, any
 * task): a live target other than the running task gets its own first.
 */
static __always_inline void sig_count(struct ipc_key *row, __u32 slot, bool kernel, int sig,
				      struct task_struct *task, bool other)
{
	/* A copy: an overflow row (row_make) changes it, the caller's stays. */
	struct ipc_key copy = *row, *key = &copy;
	struct ipc_counters *c = bpf_map_lookup_elem(&counters, key);

	if (!c) {
		struct ipc_proc_key who = { .tgid = key->tgid, .start = key->start };

		if (other && !bpf_map_lookup_elem(&procs, &who))
			register_proc_of(task, &who, 0);
		c = row_counters(key, NULL, NULL, sig);
		if (!c)
			return;
	}
	__sync_fetch_and_add(&c->ops, 1);
	/* The compiler knows slot's four values and would drop the mask, which
	 * the verifier, given slot back from the stack, needs. */
	barrier_var(slot);
	__sync_fetch_and_add(&c->events[slot & (IPC_EVENTS - 1)], 1);
	if (kernel)
		__sync_fetch_and_add(&c->events[SIG_EV_KERNEL], 1);
	count_label(key, c, sig, 0);
	row_moved(key, c);
	/* -e: one line per signal on each side, its number as the label and
	 * what became of it (delivered, ignored, pending, failed) as the event. */
	if (events_enabled)
		log_event(key, HOW(key->dir, slot, 0), 1, sig);
}

static __noinline int sig_on_generate(int sig, const struct kernel_siginfo *info,
				      struct task_struct *task, int result, const bool btf)
{
	struct task_struct *cur = btf ? current_task()
				      : (struct task_struct *)bpf_get_current_task();
	bool process;

	/* Loads through the cast: the verifier need not vouch for each pointer
	 * followed from the target (see current_task()). */
	if (btf && direct_loads)
		task = bpf_rdonly_cast(task, bpf_core_type_id_kernel(struct task_struct));
	process = sig_from_process(sig, info, btf);
	__u32 target = btf ? task->tgid : BPF_CORE_READ(task, tgid), running = current_tgid();
	struct ipc_proc_key sender = { .tgid = running, .start = current_start() };
	__u32 slot = sig_result_slot(result);
	bool target_dead, sender_dead = process && sig_group_dead(cur, btf);
	__u64 start;
	struct ipc_key key = {
		.ino = target, .tgid = target, .type = IPC_SIGNAL, .dir = DIR_RX,
	};

	/* ipctrace's own signals (SIGCONT to a command it started, SIGKILL to
	 * one it gives up on) are not the traced processes' IPC. */
	if (is_self(target) || (process && is_self(running)))
		return 0;
	/* --cgroup, --netns: the signals their processes send (the running
	 * task of a kernel's signal is any task: those count if it is inside). */
	if (!in_scope())
		return 0;
	/*
	 * -p: a signal to or from a target or one of its possible peers. The
	 * SIGCHLD of an exit comes after sched_process_exit has taken the
	 * process out of the filter: then a process with rows is one.
	 */
	if (filter_enabled && !is_candidate(target) &&
	    !(process && (is_candidate(running) ||
			  (sender_dead && bpf_map_lookup_elem(&procs, &sender)))))
		return 0;
	start = btf ? task->group_leader->start_boottime
		    : BPF_CORE_READ(task, group_leader, start_boottime);
	/* The object is the target process: (PID, start) names it, as a row's
	 * (tgid, start) names its process. */
	key.dev = (__u32)(start / IPC_CLOCK_TICK_NS);
	key.start = key.dev;
	target_dead = sig_group_dead(task, btf);
	sig_count(&key, slot, !process, sig, task, target != running && !target_dead);
	if (target_dead)
		sig_note_exit(task, &key);
	if (!process)
		return 0;
	key.tgid = running;
	key.start = sender.start;
	key.dir = DIR_TX;
	sig_count(&key, slot, false, sig, cur, false);
	if (sender_dead)
		sig_note_exit(cur, &key);
	return 0;
}

#endif /* IPCTRACE_SIGNAL_BPF_H */
