/* SPDX-License-Identifier: GPL-2.0 */
/* Who is counted: --cgroup's cgroup, and -p's targets and their peers. */
#ifndef IPCTRACE_CORE_FILTER_BPF_H
#define IPCTRACE_CORE_FILTER_BPF_H

#include "maps.bpf.h"

/* --cgroup: whether the current process is in the cgroup (or below). */
static __always_inline bool in_cgroup(void)
{
	return !cgroup_enabled || bpf_current_task_under_cgroup(&cgroup_filter, 0) == 1;
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
