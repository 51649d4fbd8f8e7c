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

/* A new process: with -f a target's child is a target, else a candidate's
 * child may be a peer (it inherits the descriptors). */
static __always_inline void filter_on_fork(__u32 parent_tgid, __u32 child_tgid)
{
	if (filter_enabled && follow_children && is_target(parent_tgid))
		add_target(child_tgid);
	else if (filter_enabled && is_candidate(parent_tgid))
		add_peer(child_tgid);
}

/* The kernel forgets a target when it exits: a reused PID is not one. */
static __always_inline void filter_on_exit(__u32 tgid)
{
	if (filter_enabled)
		bpf_map_delete_elem(&filter_pids, &tgid);
}

#endif /* IPCTRACE_CORE_FILTER_BPF_H */
