/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps the core and every module share: rows (counters, labels,
 * histograms), objects and processes, the -p filter and its watched far
 * ends, the event ring, and per-CPU scratch space. Their key and value types
 * are the ABI in include/ipctrace.h. A module's own maps live in its file.
 */
#ifndef IPCTRACE_CORE_MAPS_BPF_H
#define IPCTRACE_CORE_MAPS_BPF_H

#include "settings.bpf.h"

/* -e: user space sizes it (a page when -e is off, so it costs nothing). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_HISTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* 2 MB only if --hist fills it */
	__type(key, struct ipc_key);
	__type(value, struct ipc_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ROWS);	/* --max-rows */
	__type(key, struct ipc_key);
	__type(value, struct ipc_counters);
} counters SEC(".maps");

/*
 * How full the counter map is, in all and per user bucket, without a
 * syscall: rows made (added here) less rows deleted (user space deletes
 * rows, and stores its own running count here: one writer each).
 */
__u64 rows_made, rows_deleted;
__u64 uid_rows_made[UID_BUCKETS], uid_rows_deleted[UID_BUCKETS];

/*
 * The rows that moved, so that a read need not go through every row (most
 * of thousands are idle). User space keeps read_gen, and before each read
 * moves it on, then reads the map of the generation before: a row marks
 * itself once a generation, into that generation's map (moved0 for even
 * ones, moved1 for odd), after its counts, so that a read that takes the
 * mark finds them; a mark made late, into the map just read, waits there
 * for the read after next, which takes that map again. A full map sets
 * moved_lost, and the next read is of every row.
 */
__u32 read_gen;
__u32 moved_lost;

struct moved_rows {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_MOVED);
	__type(key, struct ipc_key);
	__type(value, __u8);
};
struct moved_rows moved0 SEC(".maps"), moved1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_OBJECTS);	/* --max-objects */
	__type(key, struct ipc_obj_key);
	__type(value, struct ipc_obj_info);
} objects SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PROCS);
	__type(key, struct ipc_proc_key);
	__type(value, struct ipc_proc);
} procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_LABELS);
	__type(key, struct ipc_label_key);
	__type(value, struct ipc_label_counts);
} labels SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_REMOVALS);
	__type(key, struct ipc_removal_key);
	__type(value, __u32);
} removals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_DESTS);
	__type(key, struct ipc_dest_key);
	__type(value, __u64);
} dests SEC(".maps");

/*
 * -p: the far ends of the targets' sockets, counted whoever holds them: a
 * unix peer by its struct sock, an inet one by its address tuple. And the
 * targets' listening addresses, so that a client becomes a peer when it
 * connects.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_WATCHED);
	__type(key, __u64);
	__type(value, __u64);	/* the inode of the target's socket */
} watched_socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_WATCHED);
	__type(key, struct ipc_tuple);
	__type(value, __u64);	/* the inode of the target's socket */
} watched_tuples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_WATCHED);
	__type(key, struct ipc_sock_addr);
	__type(value, __u64);	/* the inode of the target's socket */
} watched_listeners SEC(".maps");

/* Whom a waiter that resumes has to thank: see shm.bpf.h, sem.bpf.h. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);	/* an old waker just ages out */
	__uint(max_entries, MAX_WAKERS);
	__type(key, struct ipc_wake_key);
	__type(value, __u32);
} last_wakers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

/* -p: processes whose traffic is counted (enum filter_role). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_FILTER);
	__type(key, __u32);
	__type(value, __u8);
} filter_pids SEC(".maps");

#define PATH_MAX_DEPTH 16
#define PATH_COMPONENT_MAX 128

struct path_walk {
	const unsigned char *names[PATH_MAX_DEPTH];	/* leaf first */
	__u32 depth;
};

/*
 * Per-CPU scratch space for what would not fit the BPF stack: 512 bytes for
 * a whole chain of calls on Linux 6.1, where every frame of the chain counts.
 * Each part has one user at a time in a program run.
 */
/* Room for classify_file's copies (32 and 88 bytes on 6.18). */
#define FIELDS_COPY_MAX 128

struct name_scratch {
	struct ipc_obj_info info;
	char tail[IPC_NAME_LEN];	/* lets a masked offset never overrun */
	struct path_walk walk;		/* file_path() */
	struct ipc_dest_key dest;	/* sock_dest() */
	struct ipc_sock_addr addr;	/* a listening address, with -p */
	__u8 fields[FIELDS_COPY_MAX];	/* classify_file's copies */
	struct ipc_counters new_row;	/* row_counters(): zero but its first label */
	struct shared_range range;	/* shm_attached(): a new mapping's range */
	struct shared_range cut;	/* shm_unmapped(): a range cut in two */
	struct ipc_proc proc;		/* register_proc(): a new process's entry */
	struct user_msghdr msg;		/* sock_on_send_filter(): a sendmsg's */
	struct ipc_tuple tuple;		/* sock_watch_far_end(): a connection's */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct name_scratch);
} scratch SEC(".maps");

/* The one slot of a single-entry (per-CPU) array. */
static __always_inline void *map_slot0(void *map)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(map, &zero);
}

static __always_inline struct name_scratch *scratch_area(void)
{
	return map_slot0(&scratch);
}

/*
 * The value at key, inserted from init when missing (libbpf-tools'
 * bpf_map_lookup_or_try_init). BPF_NOEXIST: two CPUs racing to insert both
 * end up on the one value. NULL when the map is full, counted in *lost;
 * *created (if given) says whether this call inserted it.
 */
static __always_inline void *map_lookup_or_try_init(void *map, const void *key, const void *init,
						    __u64 *lost, bool *created)
{
	void *val = bpf_map_lookup_elem(map, key);
	long err;

	if (created)
		*created = false;
	if (val)
		return val;
	err = bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	if (err && err != -EEXIST) {
		__sync_fetch_and_add(lost, 1);
		return NULL;
	}
	if (created)
		*created = !err;
	return bpf_map_lookup_elem(map, key);
}

#endif /* IPCTRACE_CORE_MAPS_BPF_H */
