/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counting: a row's counters, labels and histograms, the process a new row
 * belongs to, the -e event log, and the System V keys and removals that
 * name objects. Knows no kind of object: the file-type layer
 * (filetype.bpf.h) names a new row's object.
 */
#ifndef IPCTRACE_CORE_COUNT_BPF_H
#define IPCTRACE_CORE_COUNT_BPF_H

#include "read.bpf.h"
#include "filter.bpf.h"
#include "op.bpf.h"

/* The hot path: one hash lookup and two atomic adds. */
static __always_inline void count_op(struct ipc_counters *c, __u64 bytes)
{
	__sync_fetch_and_add(&c->bytes, bytes);
	__sync_fetch_and_add(&c->ops, 1);
}

static __always_inline void count_event(struct ipc_counters *c, __u32 slot, __u64 n)
{
	if (slot < IPC_EVENTS)
		__sync_fetch_and_add(&c->events[slot], n);
}

/* floor(log2(v)), 0 for 0: the histogram slot of v. */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 slot = 0;

	/* Halving steps, as a binary search: five compares, no loop. */
	if (v >> 32) { v >>= 32; slot += 32; }
	if (v >> 16) { v >>= 16; slot += 16; }
	if (v >> 8) { v >>= 8; slot += 8; }
	if (v >> 4) { v >>= 4; slot += 4; }
	if (v >> 2) { v >>= 2; slot += 2; }
	if (v >> 1) slot += 1;
	return slot < HIST_SLOTS ? slot : HIST_SLOTS - 1;
}

/* --hist: the row's histograms, created on first use. */
static __noinline struct ipc_hist *row_hist(struct ipc_key *key)
{
	static const struct ipc_hist empty;

	return map_lookup_or_try_init(&hists, key, &empty, &loss.hists_dropped, NULL);
}

/* WAIT: the first count of a call gets the time it slept. */
static __always_inline void count_wait(struct ipc_key *key, struct ipc_counters *c)
{
	struct op_context *ctx = op_context();
	struct ipc_hist *h;

	if (!ctx || !ctx->wait_ns)
		return;
	__sync_fetch_and_add(&c->wait_ns, ctx->wait_ns);
	if (hist_enabled && (h = row_hist(key)))
		__sync_fetch_and_add(&h->wait_us[log2_slot(ctx->wait_ns / 1000) & (HIST_SLOTS - 1)], 1);
	ctx->wait_ns = 0;
}

/* --hist: a transfer's size. */
static __always_inline void count_size(struct ipc_key *key, __u64 bytes)
{
	struct ipc_hist *h = row_hist(key);

	if (h)
		__sync_fetch_and_add(&h->size[log2_slot(bytes) & (HIST_SLOTS - 1)], 1);
}

static __always_inline void count_label(struct ipc_key *key, struct ipc_counters *c,
					__s64 label, __u64 bytes)
{
	struct ipc_label_key lk = { .row = *key, .label = label };
	struct ipc_label_counts *lc;

	/* The row's own label: no second lookup. */
	if (label == c->first_label) {
		__sync_fetch_and_add(&c->first_label_ops, 1);
		__sync_fetch_and_add(&c->first_label_bytes, bytes);
		return;
	}
	lc = bpf_map_lookup_elem(&labels, &lk);
	if (!lc) {
		static const struct ipc_label_counts zero;

		lc = map_lookup_or_try_init(&labels, &lk, &zero, &loss.labels_dropped, NULL);
		if (!lc)
			return;
	}
	__sync_fetch_and_add(&lc->ops, 1);
	__sync_fetch_and_add(&lc->bytes, bytes);
}

/*
 * -e: one record per counted operation. The ring buffer keeps the order
 * across CPUs and wakes the reader; a full buffer costs the event, counted.
 */
static __noinline void log_event(struct ipc_key *key, __u32 how, __u64 bytes, __s64 label)
{
	struct ipc_event *e;

	/* hex_cap is read-only data: the verifier knows it, as the size needs. */
	e = bpf_ringbuf_reserve(&events, sizeof(*e) + hex_cap, 0);
	if (!e) {
		__sync_fetch_and_add(&loss.events_dropped, 1);
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->key = *key;
	e->bytes = bytes;
	e->label = label;
	e->tid = (__u32)bpf_get_current_pid_tgid();
	e->event = HOW_EVENT(how);
	e->payload_len = 0;
	if (hex_cap && HOW_EVENT(how) == NO_EVENT)
		take_payload(e);
	bpf_ringbuf_submit(e, 0);
}

/*
 * The process of a row just created: its name, cgroup and whether it is a
 * target. The row is the running process's, or a signal's target, whose
 * entry the signal hook makes first (signal.bpf.h).
 */
static __always_inline void register_proc(const struct ipc_key *row)
{
	struct ipc_proc_key who = { .tgid = row->tgid, .start = row->start };
	struct ipc_proc *proc = bpf_map_lookup_elem(&procs, &who);
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	if (!proc) {
		/* In the scratch area: this runs deep in a call chain whose
		 * stacks add up against the verifier's limit. */
		struct name_scratch *s = scratch_area();
		struct ipc_proc *fresh;

		/* Checked first (see shm_unmapped()). */
		if (!s)
			return;
		fresh = &s->proc;
		barrier_var(fresh);
		__builtin_memset(fresh, 0, sizeof(*fresh));
		/* The group leader's name: a thread may have renamed itself. */
		BPF_CORE_READ_STR_INTO(&fresh->comm, task, group_leader, comm);
		fresh->cgroup_id = bpf_get_current_cgroup_id();
		fresh->target = filter_enabled && is_target(who.tgid);
		if (bpf_map_update_elem(&procs, &who, fresh, BPF_ANY) == -E2BIG)
			__sync_fetch_and_add(&loss.procs_dropped, 1);
	} else if (who.tgid == current_tgid()) {
		/* An entry another process made (a signal's target): the name it
		 * had then may be gone, renamed by prctl since. */
		BPF_CORE_READ_STR_INTO(&proc->comm, task, group_leader, comm);
	}
}

/*
 * The entry of a process other than the running one (a signal's target,
 * the process whose memory is read): its own name and cgroup (v2, the
 * default hierarchy's), and whether it is a target, as register_row() sets
 * them for the running process.
 */
static __always_inline void register_proc_of(struct task_struct *task,
					     const struct ipc_proc_key *who, __u64 exit_ns)
{
	struct ipc_proc fresh = { .exit_ns = exit_ns };

	BPF_CORE_READ_STR_INTO(&fresh.comm, task, group_leader, comm);
	fresh.cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	fresh.target = filter_enabled && is_target(who->tgid);
	if (bpf_map_update_elem(&procs, who, &fresh, BPF_ANY) == -E2BIG)
		__sync_fetch_and_add(&loss.procs_dropped, 1);
}

/* The process exited: its rows are final once user space reads them. */
static __always_inline void proc_on_exit(struct task_struct *task)
{
	struct ipc_proc_key who = { .tgid = BPF_CORE_READ(task, tgid), .start = task_start(task) };
	struct ipc_proc *proc = bpf_map_lookup_elem(&procs, &who);

	if (proc)
		proc->exit_ns = bpf_ktime_get_ns();
}

/* exec renames the process; keep the row's name current, as top does. */
static __always_inline void proc_on_exec(void)
{
	struct ipc_proc_key who = { .tgid = current_tgid(), .start = current_start() };
	struct ipc_proc *proc = bpf_map_lookup_elem(&procs, &who);

	if (proc)
		bpf_get_current_comm(proc->comm, sizeof(proc->comm));
}

static __always_inline void count_row_made(__u32 bucket)
{
	__sync_fetch_and_add(&rows_made, 1);
	__sync_fetch_and_add(&uid_rows_made[bucket & (UID_BUCKETS - 1)], 1);
}

/*
 * A row the map does not have yet: the object's own, if there is room and
 * its user is within its share, else its process's overflow row for the
 * type and direction, into which *key turns (include/ipctrace.h). Not
 * inlined: only a new row comes here, and the verifier checks it once.
 */
static __noinline struct ipc_counters *row_make(struct ipc_key *key, __s64 label, bool *created)
{
	__u32 uid = (__u32)bpf_get_current_uid_gid(), b = UID_BUCKET(uid) & (UID_BUCKETS - 1);
	struct name_scratch *s = scratch_area();
	struct ipc_counters *c;
	long err;

	*created = false;
	if (!s)
		return NULL;
	s->new_row.first_label = label;	/* the rest stays zero but its user */
	s->new_row.uid = uid;
	if (rows_made - rows_deleted < rows_limit &&
	    (!uid || uid_rows_made[b] - uid_rows_deleted[b] < rows_share)) {
		err = bpf_map_update_elem(&counters, key, &s->new_row, BPF_NOEXIST);
		if (!err) {
			count_row_made(b);
			*created = true;
		}
		if ((!err || err == -EEXIST) && (c = bpf_map_lookup_elem(&counters, key)))
			return c;
	}
	__sync_fetch_and_add(&loss.rows_dropped, 1);
	key->ino = key->tgid;
	key->dev = IPC_OVERFLOW_DEV;
	c = map_lookup_or_try_init(&counters, key, &s->new_row, &loss.overflow_dropped, created);
	if (*created)
		count_row_made(b);
	return c;
}

/*
 * A row's counters, created on first use with the label of the operation
 * creating it (the winner's, when two CPUs race). *created: this call made
 * the row, and the caller registers its process and object. The key may
 * turn into its process's overflow row's (row_make).
 */
static __always_inline struct ipc_counters *row_get(struct ipc_key *key, __s64 label,
						    bool *created)
{
	struct ipc_counters *c = bpf_map_lookup_elem(&counters, key);

	*created = false;
	if (c)
		return c;
	return row_make(key, label, created);
}

static __noinline void moved_note(struct ipc_key *key, __u32 gen)
{
	static const __u8 one = 1;
	long err;

	if (gen & 1)
		err = bpf_map_update_elem(&moved1, key, &one, BPF_ANY);
	else
		err = bpf_map_update_elem(&moved0, key, &one, BPF_ANY);
	if (err)
		moved_lost = 1;
}

/* After a row's counts: it moved in this read generation (maps.bpf.h). Once
 * marked in the generation: two loads (the generation, the row's mark) and
 * a comparison. */
static __always_inline void row_moved(struct ipc_key *key, struct ipc_counters *c)
{
	__u32 gen = read_gen;

	if (c->gen != gen) {
		c->gen = gen;
		moved_note(key, gen);
	}
}

/*
 * One operation (or, with an event slot in how, one event) on a row that
 * exists: bytes and ops, the size histogram, the time it slept, its label,
 * and the -e record.
 */
static __always_inline void count_row(struct ipc_key *key, struct ipc_counters *c, __u32 how,
				      __u64 bytes, __s64 label)
{
	__u64 label_bytes = bytes;

	if (HOW_EVENT(how) != NO_EVENT) {
		count_event(c, HOW_EVENT(how), bytes);
		label_bytes = 0;	/* an event's label counts the event, not bytes */
	} else {
		count_op(c, bytes);
		/* Shared memory's "transfers" are page faults, a page each. */
		if (hist_enabled && !(TYPE_BIT(key->type) & SHM_TYPES))
			count_size(key, bytes);
	}
	if (wait_enabled)
		count_wait(key, c);
	if (label != NO_LABEL)
		count_label(key, c, label, label_bytes);
	row_moved(key, c);
	/* After counting: the row, and its object's name, exist when it is read. */
	if (events_enabled)
		log_event(key, how, bytes, label);
}

static __always_inline void record_removal(struct ipc_removal_key *rk, __u32 tgid)
{
	if (bpf_map_update_elem(&removals, rk, &tgid, BPF_ANY) == -E2BIG)
		__sync_fetch_and_add(&loss.removals_dropped, 1);
}

/*
 * A System V object's key (and a segment's size), from msgget, shmget or
 * semget, so that one created and removed between two refreshes (which read
 * /proc/sysvipc) still shows as "key 0x... id N".
 */
static __always_inline void record_sysv_key(__u8 type, __s64 key, long id, __u64 size)
{
	struct ipc_obj_key obj = { .ino = id, .dev = ipc_ns_inum(), .type = type };
	struct name_scratch *s;

	if (id < 0 || !type_enabled(type) || bpf_map_lookup_elem(&objects, &obj))
		return;
	s = scratch_area();
	if (!s)
		return;
	s->info.name[0] = '\0';
	s->info.sysv_key = (__s32)key;
	s->info.has_key = 1;
	s->info.has_sock = 0;
	s->info.size = size;
	if (bpf_map_update_elem(&objects, &obj, &s->info, BPF_NOEXIST) == -E2BIG)
		__sync_fetch_and_add(&loss.objs_dropped, 1);
}

/* msgctl, shmctl or semctl with IPC_RMID: who removed the object. */
static __always_inline void record_sysv_removal(__u8 type, __u64 id, __u32 tgid)
{
	struct ipc_removal_key rk = { .type = type, .dev = ipc_ns_inum(), .id = (__u32)id };

	if (type_enabled(type))
		record_removal(&rk, tgid);
}

#endif /* IPCTRACE_CORE_COUNT_BPF_H */
