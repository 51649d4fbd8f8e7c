/* SPDX-License-Identifier: GPL-2.0 */
/* Who is counted: --cgroup's cgroup, --netns's namespace, and -p's targets
 * and their peers. */
#ifndef IPCTRACE_CORE_FILTER_BPF_H
#define IPCTRACE_CORE_FILTER_BPF_H

#include "maps.bpf.h"

/* --cgroup: whether the current process is in the cgroup (or below). */
static __always_inline bool in_cgroup(void)
{
	return !cgroup_enabled || bpf_current_task_under_cgroup(&cgroup_filter, 0) == 1;
}

/*
 * --netns: whether the current process is in the network namespace. A task
 * past exit_task_namespaces() has none, and is not counted: the SIGCHLD an
 * exit sends goes after it. Without --netns the verifier drops all this.
 */
static __always_inline bool in_netns(void)
{
	struct task_struct *task;

	if (!netns_ino)
		return true;
	if (btf_loads) {
		struct nsproxy *ns = bpf_get_current_task_btf()->nsproxy;

		return ns && ns->net_ns && ns->net_ns->ns.inum == netns_ino;
	}
	task = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(task, nsproxy, net_ns, ns.inum) == netns_ino;
}

/* Whether the current process is one --cgroup and --netns let through. */
static __always_inline bool in_scope(void)
{
	return !scope_enabled || (in_cgroup() && in_netns());
}

static __always_inline bool is_target(__u32 tgid)
{
	__u8 *role = bpf_map_lookup_elem(&filter_pids, &tgid);

	return role && *role == ROLE_TARGET;
}

static __always_inline bool is_candidate(__u32 tgid)
{
	return bpf_map_lookup_elem(&filter_pids, &tgid) != NULL;
}

/* -f, and the command ipctrace starts: a target, counted from now on. */
static __always_inline void add_target(__u32 tgid)
{
	__u8 role = ROLE_TARGET;

	if (bpf_map_update_elem(&filter_pids, &tgid, &role, BPF_ANY) == -E2BIG)
		__sync_fetch_and_add(&loss.filter_dropped, 1);
}

static __always_inline void add_peer(__u32 tgid)
{
	__u8 role = ROLE_PEER;

	/* BPF_NOEXIST keeps a target a target. */
	if (bpf_map_update_elem(&filter_pids, &tgid, &role, BPF_NOEXIST) == -E2BIG)
		__sync_fetch_and_add(&loss.filter_dropped, 1);
}

/* -c, -u: whether a process matches them, as pgrep chooses: its name
 * (exact, or select_glob's glob) and its effective user. */
static __always_inline bool task_selected(struct task_struct *task)
{
	char comm[COMM_LEN];

	if (select_by_uid && BPF_CORE_READ(task, cred, euid.val) != select_uid)
		return false;
	if (!select_by_comm)
		return true;
	bpf_core_read_str(comm, sizeof(comm), &task->comm);
	return comm_glob_match(&select_glob, comm);
}

/*
 * A new process: a target's child is a target with -f, or with -c/-u if it
 * matches them too (it has its parent's name and user, unless the parent
 * changed its name since); else a candidate's child may be a peer (it
 * inherits the descriptors).
 */
static __always_inline void filter_on_fork(__u32 parent_tgid, __u32 child_tgid,
					   struct task_struct *child)
{
	__u8 *role;

	if (!filter_enabled)
		return;
	role = bpf_map_lookup_elem(&filter_pids, &parent_tgid);
	if (!role)
		return;
	if (*role == ROLE_TARGET && (follow_children || (select_enabled && task_selected(child))))
		add_target(child_tgid);
	else
		add_peer(child_tgid);
}

/*
 * -c, -u: exec gives a process its new name (and a set-user-ID program its
 * user). One that matches now is a target from here on; one that no longer
 * does (a matching shell's child running another program) is only a
 * possible peer, unless -f follows every descendant.
 */
static __always_inline void filter_on_exec(void)
{
	struct ipc_proc_key who;
	struct ipc_proc *proc;
	__u8 *role;

	if (!filter_enabled || !select_enabled)
		return;
	who.tgid = current_tgid();
	who.start = current_start();
	role = bpf_map_lookup_elem(&filter_pids, &who.tgid);
	if (task_selected((struct task_struct *)bpf_get_current_task()))
		add_target(who.tgid);
	else if (role && *role == ROLE_TARGET && !follow_children)
		*role = ROLE_PEER;
	/* Its rows from now on are a target's, or no longer. */
	proc = bpf_map_lookup_elem(&procs, &who);
	if (proc)
		proc->target = is_target(who.tgid);
}

/* The kernel forgets a target when it exits: a reused PID is not one. */
static __always_inline void filter_on_exit(__u32 tgid)
{
	if (filter_enabled)
		bpf_map_delete_elem(&filter_pids, &tgid);
}

#endif /* IPCTRACE_CORE_FILTER_BPF_H */
