// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common/common.h"
#include "loader/tracer.h"
#include "loader/compat.h"
#include "ipctrace.skel.h"
#include "ipctrace-portable.skel.h"
#include "model/ingest.h"
#include "model/mechanism.h"
#include "model/procfs.h"
#include "model/cgroup.h"
#include "loader/feature_probe.h"

/* The largest map dump but the counters' and the processes', whose sizes
 * are --max-rows and --max-procs. */
#define DUMP_KEYS_SIZE MAX(MAX(MAX(sizeof(struct ipc_key), \
				      MAX_LABELS * sizeof(struct ipc_label_key)), \
				  MAX(MAX_REMOVALS * sizeof(struct ipc_removal_key), \
				      MAX_DESTS * sizeof(struct ipc_dest_key))), \
			      MAX_WATCHED * sizeof(struct ipc_sock_addr))
#define DUMP_VALUES_SIZE MAX(MAX_LABELS * sizeof(struct ipc_label_counts), \
			     MAX_HISTS * sizeof(struct ipc_hist))
#define MAX_KEY_SIZE 256
/* The counters are read this many rows at a time: dumped whole, 100,000
 * rows' took 14 MB of buffers. */
#define COUNTERS_CHUNK 4096

struct tracer {
	struct tracer_opts opts;
	struct ipctrace_bpf *skel;
	struct features feat;
	unsigned int type_mask;	/* the types asked, less those the kernel cannot do */
	struct bpf_link *links[16];
	int nlinks;
	bool attached[TP_COUNT];	/* a copy of its hook is attached */
	void *keys, *values;	/* map dump buffers, sized for the largest map */
	size_t max_rows;	/* the counter map's size */
	size_t max_procs;	/* the process map's size */
	size_t objects_read;	/* descriptions the last walk of the object map found */
	__u64 rows_deleted;	/* rows this side deleted, in all and per user bucket: */
	__u64 uid_rows_deleted[UID_BUCKETS];	/* what the kernel side subtracts */
	GHashTable *procs;	/* proc_id() -> struct proc_info, from the last read */
	GHashTable *procs_prev;	/* the read before's, emptied and refilled in turn */
	struct ring_buffer *events;	/* -e */
	bool wait;		/* WAIT is measured */
	bool portable;		/* the portable BPF build is loaded (bpf/common.bpf.h) */
	GHashTable *closed_owners;	/* -p: watched entries' sockets found closed
					 * at the last check (prune_watched) */
	struct kernel_ops kops;
	struct map_fill fill[MAP_FILL_MAX];	/* what the last collect read */
	size_t nfill;
	__u32 netns_ino;		/* --netns: the namespace's inode */
	/* Reads of the rows that moved only (read_counters): */
	struct ipc_key *moved_keys;	/* a generation's marks, MAX_MOVED */
	__u8 *moved_vals;
	bool full_read_done;		/* a read of every row came first */
	unsigned int moved_reads;	/* since the last read of every row */
	/* proc_id()s the last read of the processes found exited, or renamed by
	 * exec, or made targets since the read before: their rows, idle or
	 * not, are read with the rows that moved. */
	GArray *procs_changed;
};

static void add_hooks(struct ipctrace_bpf *skel, const struct syscall_hook *hooks, size_t n)
{
	for (size_t j = 0; j < n; j++)
		if (hooks[j].nr >= 0 && hooks[j].nr < SYSCALL_TABLE_SIZE)
			skel->rodata->syscall_op[hooks[j].nr] = hooks[j].op;
}

/* The syscall table: which op each syscall number is, for the types asked. */
static void fill_syscall_ops(struct ipctrace_bpf *skel, unsigned int type_mask, bool filter,
			     const struct features *feat)
{
	for (size_t i = 0; i < nmechanisms; i++) {
		const struct mechanism *m = mechanisms[i];

		if (!(m->types & type_mask))
			continue;
		add_hooks(skel, m->syscalls, m->nsyscalls);
		if (m->transfers)
			add_hooks(skel, mechanism_transfer_syscalls, mechanism_ntransfer_syscalls);
		if (filter)
			add_hooks(skel, m->filter_syscalls, m->nfilter_syscalls);
		if (!feat->sock_tp)
			add_hooks(skel, m->fallback_syscalls, m->nfallback_syscalls);
	}
}

/* A 32-bit call's number, in its table (bits), that the hook must look at:
 * IPCOP_COMPAT where no traced 64-bit call has the number. */
static void mark_compat(struct ipctrace_bpf *skel, __u8 *bits, int nr)
{
	bits[nr / 8] |= 1 << (nr % 8);
	if (skel->rodata->syscall_op[nr] == IPCOP_NONE)
		skel->rodata->syscall_op[nr] = IPCOP_COMPAT;
}

/* The calls that change a descriptor table, whatever the types asked: the
 * holders' reads rest on them (bpf/core/fdset.bpf.h). No IPC op is one. */
static void fill_fd_change_ops(struct ipctrace_bpf *skel)
{
	static const int nrs[] = {
		__NR_close, __NR_dup3,
#ifdef __NR_close_range
		__NR_close_range,
#endif
#ifdef __NR_dup2
		__NR_dup2,
#endif
	};

	for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
		if (nrs[i] >= 0 && nrs[i] < SYSCALL_TABLE_SIZE)
			skel->rodata->syscall_op[nrs[i]] = IPCOP_FD_CHANGE;
	for (size_t i = 0; i < ncompat_fd_change_nrs; i++) {
		int nr = compat_fd_change_nrs[i];

		if (nr >= 0 && nr < SYSCALL_TABLE_SIZE)
			mark_compat(skel, skel->rodata->compat_fd_change, nr);
	}
}

/*
 * The 32-bit calls of the ops traced, in compat_ipc (mark_compat()).
 */
static void fill_compat_ops(struct ipctrace_bpf *skel)
{
	bool traced[IPCOP_FD_CHANGE + 1] = { false };

	for (size_t nr = 0; nr < SYSCALL_TABLE_SIZE; nr++)
		traced[skel->rodata->syscall_op[nr]] = true;
	for (size_t i = 0; i < ncompat_syscalls; i++) {
		int nr = compat_syscalls[i].nr;

		if (nr < 0 || nr >= SYSCALL_TABLE_SIZE || !traced[compat_syscalls[i].op] ||
		    compat_syscalls[i].op == IPCOP_NONE)
			continue;
		mark_compat(skel, skel->rodata->compat_ipc, nr);
	}
}

/*
 * Every hook on a tracepoint: its tp_btf and raw_tp copies (only a raw_tp
 * copy for those that fire once per process, only a tp_btf one for those
 * that need the typed arguments' helpers), whether this run wants it,
 * and whether ipctrace can do without it, and what it then leaves out.
 */
struct hook {
	struct bpf_program *btf, *raw;
	enum tracepoint_id tp;
	bool wanted;
	const char *without;	/* NULL: required */
};

static size_t list_hooks(struct ipctrace_bpf *skel, unsigned int types, bool sock_tp, bool wait,
			 const struct features *feat, struct hook *h)
{
	/* What io_uring's requests move bytes through (bpf/uring.bpf.h). */
	unsigned int uring_types = (1U << IPC_PIPE) | (1U << IPC_FIFO) | (1U << IPC_PTY) |
				   (1U << IPC_EVENTFD) | (sock_tp ? 0 : IPC_SOCK_TYPES);
	size_t n = 0;

	h[n++] = (struct hook){ skel->progs.sys_exit_btf, skel->progs.sys_exit_raw, TP_SYS_EXIT,
				true, NULL };
	h[n++] = (struct hook){ skel->progs.sock_send_btf, skel->progs.sock_send_raw, TP_SOCK_SEND,
				sock_tp, "socket bytes come from the syscalls" };
	h[n++] = (struct hook){ skel->progs.sock_recv_btf, skel->progs.sock_recv_raw, TP_SOCK_RECV,
				sock_tp, "socket bytes come from the syscalls" };
	h[n++] = (struct hook){ skel->progs.page_fault_btf, skel->progs.page_fault_raw,
				TP_PAGE_FAULT, types & IPC_SHM_TYPES,
				"shared memory activity (page faults) is not estimated" };
	h[n++] = (struct hook){ skel->progs.signal_generate_btf, skel->progs.signal_generate_raw,
				TP_SIGNAL_GENERATE, types & (1U << IPC_SIGNAL),
				"signals are not traced" };
	h[n++] = (struct hook){ skel->progs.uring_complete_btf, skel->progs.uring_complete_raw,
				TP_URING_COMPLETE, types & uring_types,
				"io_uring's reads and writes go uncounted" };
	/* One of the submit tracepoint's two names: the newer if there. */
	h[n++] = (struct hook){ skel->progs.uring_submit_btf, skel->progs.uring_submit_raw,
				TP_URING_SUBMIT, (types & uring_types) && feat->uring &&
				(feat->tracepoint[TP_URING_SUBMIT] || !feat->tracepoint[TP_URING_SUBMIT_SQE]),
				"io_uring requests that complete unseen are not in lost.uring" };
	h[n++] = (struct hook){ skel->progs.uring_submit_sqe_btf, skel->progs.uring_submit_sqe_raw,
				TP_URING_SUBMIT_SQE, (types & uring_types) && feat->uring &&
				!feat->tracepoint[TP_URING_SUBMIT] && feat->tracepoint[TP_URING_SUBMIT_SQE],
				"io_uring requests that complete unseen are not in lost.uring" };
	h[n++] = (struct hook){ NULL, skel->progs.sched_exit, TP_SCHED_EXIT, true,
				"exited processes are noticed in /proc instead" };
	h[n++] = (struct hook){ NULL, skel->progs.sched_fork, TP_SCHED_FORK, true,
				"children found in /proc, later, are the only -p peers" };
	h[n++] = (struct hook){ NULL, skel->progs.sched_exec, TP_SCHED_EXEC, true,
				"names stay as they were before exec" };
	h[n++] = (struct hook){ skel->progs.sched_switch_btf, NULL, TP_SCHED_SWITCH, wait,
				"the WAIT column is not measured" };
	return n;
}

/*
 * Load the copy of each hook the kernel takes, only for the types asked, and
 * none for a tracepoint this kernel lacks: ipctrace runs without it and says
 * what that leaves out. Returns -1 if a required one is missing.
 */
static int choose_programs(struct tracer *t, unsigned int types, bool sock_tp, bool say,
			   char *err, size_t errlen)
{
	struct hook hooks[16];
	size_t n = list_hooks(t->skel, types, sock_tp, t->opts.wait, &t->feat, hooks);

	for (size_t i = 0; i < n; i++) {
		struct hook *h = &hooks[i];
		/* io_uring_complete without the request (before 5.19) serves nothing. */
		bool present = t->feat.tracepoint[h->tp] && (h->tp != TP_URING_COMPLETE || t->feat.uring);
		bool use_btf = h->btf && t->feat.tp_btf;

		if (h->wanted && !present && !h->without) {
			snprintf(err, errlen, "this kernel has no %s tracepoint, which ipctrace needs "
				 "(CONFIG_HAVE_SYSCALL_TRACEPOINTS)", features_tracepoint_names[h->tp]);
			return -1;
		}
		if (say && h->wanted && !present &&
		    !(h->tp == TP_SOCK_SEND || h->tp == TP_SOCK_RECV))
			p_err("this kernel has no %s tracepoint%s: %s", features_tracepoint_names[h->tp],
			     t->feat.tracepoint[h->tp] ? " with what ipctrace reads" : "", h->without);
		if (say && h->wanted && present && !h->raw && !use_btf)
			p_err("the %s hook needs tp_btf, which this kernel's BPF cannot do: %s",
			     features_tracepoint_names[h->tp], h->without);
		if (h->btf)
			bpf_program__set_autoload(h->btf, h->wanted && present && use_btf);
		if (h->raw)
			bpf_program__set_autoload(h->raw, h->wanted && present && !use_btf);
	}
	return 0;
}

/* Attach one by one: a hook that will not attach is left out, with a word. */
static int attach_programs(struct tracer *t, unsigned int types, bool sock_tp, char *err,
			   size_t errlen)
{
	struct hook hooks[16];
	size_t n = list_hooks(t->skel, types, sock_tp, t->opts.wait, &t->feat, hooks);

	for (size_t i = 0; i < n; i++) {
		struct bpf_program *progs[2] = { hooks[i].btf, hooks[i].raw };

		for (int j = 0; j < 2; j++) {
			struct bpf_link *link;

			if (!progs[j] || !bpf_program__autoload(progs[j]))
				continue;
			link = bpf_program__attach(progs[j]);
			if (link) {
				t->links[t->nlinks++] = link;
				t->attached[hooks[i].tp] = true;
				continue;
			}
			if (!hooks[i].without) {
				snprintf(err, errlen, "attaching to the %s tracepoint failed: %s "
					 "(run with -v to see why)", features_tracepoint_names[hooks[i].tp],
					 strerror(errno));
				return -1;
			}
			p_err("attaching to the %s tracepoint failed (%s): %s",
			     features_tracepoint_names[hooks[i].tp], strerror(errno), hooks[i].without);
		}
	}
	return 0;
}

/* --netns: the namespace's inode, which the kernel side compares with each
 * process's; -1 with one line in err when path is no network namespace. */
static int netns_inode(const char *path, __u32 *ino, char *err, size_t errlen)
{
	const char *hint = "give /run/netns/NAME (ip netns list) or /proc/PID/ns/net";
	int fd = open(path, O_RDONLY | O_CLOEXEC), type;
	struct stat st;

	if (fd < 0) {
		snprintf(err, errlen, "--netns %s: %s; %s", path, strerror(errno), hint);
		return -1;
	}
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET || fstat(fd, &st)) {
		snprintf(err, errlen, "--netns %s is not a network namespace; %s", path, hint);
		close(fd);
		return -1;
	}
	close(fd);
	*ino = (__u32)st.st_ino;
	return 0;
}

/* --cgroup: the kernel side checks ancestry against this cgroup's directory. */
static int set_cgroup_filter(struct tracer *t, const char *path, char *err, size_t errlen)
{
	__u32 zero = 0;
	int fd = cgroup_open(path, err, errlen), ret = 0;

	if (fd < 0)
		return -1;
	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.cgroup_filter), &zero, &fd, BPF_ANY)) {
		snprintf(err, errlen, "cannot filter on cgroup %s: %s", path, strerror(errno));
		ret = -1;
	}
	close(fd);
	return ret;
}

/*
 * The default BPF build, or the portable one's object through the same
 * skeleton (the build checks that both lay out alike: tools/skel-layout.sh).
 */
/* A sixteenth of a large map, up to half of a small one: one overflow row
 * per process, type and direction that overflows, and processes enough. */
static size_t rows_reserve(size_t max_rows)
{
	return MAX(max_rows / 16, MIN(max_rows / 2, 1024));
}

static struct ipctrace_bpf *open_skeleton(bool portable)
{
	struct ipctrace_bpf *skel = calloc(1, sizeof(*skel));
	int err;

	if (!skel) {
		errno = ENOMEM;
		return NULL;
	}
	err = ipctrace_bpf__create_skeleton(skel);
	if (!err && portable)
		skel->skeleton->data =
			(void *)ipctrace_portable_bpf__elf_bytes(&skel->skeleton->data_sz);
	if (!err)
		err = bpf_object__open_skeleton(skel->skeleton, NULL);
	if (err) {
		ipctrace_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

enum { LOAD_OK, LOAD_REFUSED, LOAD_CANNOT };

/* What the maps preallocate, roughly: entries times key and value, and the
 * hash table's own per-entry overhead (about 50 bytes). */
static size_t maps_megabytes(struct ipctrace_bpf *skel)
{
	size_t bytes = 0;
	struct bpf_map *m;

	bpf_object__for_each_map(m, skel->obj)
		bytes += (size_t)bpf_map__max_entries(m) *
			 (bpf_map__key_size(m) + bpf_map__value_size(m) + 50);
	return bytes >> 20;
}

/*
 * Open one build, set it up for this run and load it. LOAD_REFUSED: the
 * kernel refused it (another build may do); LOAD_CANNOT: nothing will.
 * say: print what the kernel leaves out (once, not again for a retry).
 */
static int load_build(struct tracer *t, bool portable, bool say, char *err, size_t errlen)
{
	const struct tracer_opts *o = &t->opts;
	struct ipctrace_bpf *skel;
	bool sock_tp;
	int ret;

	skel = open_skeleton(portable);
	if (!skel) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return LOAD_CANNOT;
	}
	t->skel = skel;
	t->portable = portable;
	/* -x: the data is in the caller's buffer, which only the syscalls show:
	 * socket bytes are counted there too, as on kernels before 6.3. */
	if (o->hex_cap)
		t->feat.sock_tp = false;
	sock_tp = t->feat.sock_tp && (t->type_mask & IPC_SOCK_TYPES);

	fill_syscall_ops(skel, t->type_mask, o->filter, &t->feat);
	fill_fd_change_ops(skel);
	fill_compat_ops(skel);
	skel->rodata->self_tgid = (__u32)getpid();
	skel->rodata->writer_tgid = (__u32)o->writer_pid;
	skel->rodata->type_mask = t->type_mask;
	skel->rodata->filter_enabled = o->filter;
	skel->rodata->follow_children = o->follow;
	skel->rodata->select_enabled = o->filter && o->select;
	skel->rodata->select_by_comm = o->select_glob != NULL;
	if (o->select_glob)
		memcpy((void *)&skel->rodata->select_glob, o->select_glob, sizeof(*o->select_glob));
	skel->rodata->select_by_uid = o->select_by_uid;
	skel->rodata->select_uid = (__u32)o->select_uid;
	skel->rodata->cgroup_enabled = o->cgroup != NULL;
	skel->rodata->netns_ino = t->netns_ino;
	skel->rodata->scope_enabled = o->cgroup || t->netns_ino;
	skel->rodata->sock_via_syscalls = !t->feat.sock_tp;
	/* WAIT needs the switch hook, which needs tp_btf (bpf_task_pt_regs());
	 * choose_programs() says so when it cannot have it. */
	t->wait = o->wait && t->feat.tp_btf && t->feat.tracepoint[TP_SCHED_SWITCH];
	skel->rodata->wait_enabled = t->wait;
	skel->rodata->hist_enabled = o->hist;
	skel->rodata->btf_loads = t->feat.tp_btf;
	skel->rodata->events_enabled = o->events;
	skel->rodata->hex_cap = (__u32)o->hex_cap;
	/* The reserve is what overflow rows may use when objects have filled
	 * the rest; no user but root may take more than half of that rest. */
	bpf_map__set_max_entries(skel->maps.counters, (__u32)t->max_rows);
	bpf_map__set_max_entries(skel->maps.procs, (__u32)t->max_procs);
	if (o->max_objects > 0)
		bpf_map__set_max_entries(skel->maps.objects, (__u32)o->max_objects);
	skel->rodata->rows_limit = t->max_rows - rows_reserve(t->max_rows);
	skel->rodata->rows_share = skel->rodata->rows_limit / 2;
	if (o->events)
		bpf_map__set_max_entries(skel->maps.events, o->hex_cap ? EVENTS_RINGBUF_HEX_SIZE
									: EVENTS_RINGBUF_SIZE);
	if (choose_programs(t, t->type_mask, sock_tp, say, err, errlen))
		return LOAD_CANNOT;
	for (size_t i = 0; i < nmechanisms; i++)
		if ((mechanisms[i]->types & t->type_mask) && mechanisms[i]->configure)
			mechanisms[i]->configure(skel->rodata);

	ret = ipctrace_bpf__load(skel);
	if (ret == -ENOMEM || ret == -E2BIG) {
		/* Maps are charged to the memory cgroup (5.11+): no other build
		 * fits where this one did not. */
		snprintf(err, errlen, "loading the BPF programs failed: %s: the maps need about "
			 "%zu MB, charged to this process's memory cgroup; raise its memory.max, "
			 "or lower --max-rows", strerror(-ret), maps_megabytes(skel));
		return LOAD_CANNOT;
	}
	if (ret) {
		snprintf(err, errlen, "loading the BPF programs failed: %s", strerror(-ret));
		return LOAD_REFUSED;
	}
	/* Not 0, a new row's: it marks itself moved at its first count. */
	skel->bss->read_gen = 1;
	return LOAD_OK;
}

/* What the mechanisms may ask of the kernel side (struct kernel_ops). */

/* A free slot of the process's second table (struct more_ranges), made if
 * it has none: false if there is no room, there or for the table. */
static bool add_more_range(struct tracer *t, __u32 key, const struct shared_range *r)
{
	int fd = bpf_map__fd(t->skel->maps.sharers_more);
	struct more_ranges *m = g_new0(struct more_ranges, 1);
	__u32 i;
	bool added = false;

	bpf_map_lookup_elem(fd, &key, m);
	for (i = 0; i < m->used && m->r[i].end; i++)
		;
	if (i < MORE_RANGES) {
		m->r[i] = *r;
		if (i == m->used)
			m->used++;
		added = bpf_map_update_elem(fd, &key, m, BPF_ANY) == 0;
	}
	g_free(m);
	return added;
}

static void kops_add_range(void *ctx, pid_t pid, const struct shared_range *r)
{
	struct tracer *t = ctx;
	int fd = bpf_map__fd(t->skel->maps.sharers);
	struct shared_ranges table;
	__u32 key = (__u32)pid;
	int i;

	if (bpf_map_lookup_elem(fd, &key, &table) != 0)
		memset(&table, 0, sizeof(table));
	for (i = 0; i < SHARED_RANGES && table.r[i].end; i++)
		;
	if (i < SHARED_RANGES)
		table.r[i] = *r;
	else if (add_more_range(t, key, r))
		table.more = 1;
	else
		table.overflow++;	/* the kernel side looks those up itself */
	bpf_map_update_elem(fd, &key, &table, BPF_ANY);
}

static void kops_watch_listener(void *ctx, const struct ipc_sock_addr *addr, __u64 owner)
{
	struct tracer *t = ctx;

	bpf_map_update_elem(bpf_map__fd(t->skel->maps.watched_listeners), addr, &owner, BPF_ANY);
}

static void kops_watch_tuple(void *ctx, const struct ipc_tuple *tuple, __u64 owner)
{
	struct tracer *t = ctx;

	bpf_map_update_elem(bpf_map__fd(t->skel->maps.watched_tuples), tuple, &owner, BPF_ANY);
}

struct tracer *tracer_new(const struct tracer_opts *opts, char *err, size_t errlen)
{
	struct tracer *t = g_new0(struct tracer, 1);

	t->opts = *opts;
	t->type_mask = opts->type_mask;
	t->procs = ingest_procs_new();
	t->procs_prev = ingest_procs_new();
	t->procs_changed = g_array_new(FALSE, FALSE, sizeof(gpointer));
	t->kops = (struct kernel_ops){ .ctx = t, .add_range = kops_add_range,
				       .watch_listener = kops_watch_listener,
				       .watch_tuple = kops_watch_tuple };
	t->max_rows = opts->max_rows > 0 ? (size_t)opts->max_rows : MAX_ROWS;
	t->max_procs = opts->max_procs > 0 ? (size_t)opts->max_procs : MAX_PROCS;
	/* One pair of buffers serves every map dump: sized for the largest
	 * but the counters', which are read a chunk at a time. */
	t->keys = calloc(1, MAX(MAX(DUMP_KEYS_SIZE, COUNTERS_CHUNK * sizeof(struct ipc_key)),
				t->max_procs * sizeof(struct ipc_proc_key)));
	t->values = calloc(1, MAX(MAX(DUMP_VALUES_SIZE, COUNTERS_CHUNK * sizeof(struct ipc_counters)),
				  t->max_procs * sizeof(struct ipc_proc)));
	t->moved_keys = calloc(MAX_MOVED, sizeof(*t->moved_keys));
	t->moved_vals = calloc(MAX_MOVED, sizeof(*t->moved_vals));
	if (!t->keys || !t->values || !t->moved_keys || !t->moved_vals) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (opts->netns && netns_inode(opts->netns, &t->netns_ino, err, errlen))
		goto fail;
	features_probe(&t->feat);
	if (!t->feat.btf && access("/sys/kernel", F_OK) != 0) {
		snprintf(err, errlen, "/sys is not mounted, and the kernel's BTF is read from it: "
			 "mount -t sysfs sysfs /sys");
		goto fail;
	}
	if (!t->feat.btf) {
		snprintf(err, errlen, "this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): "
			 "ipctrace needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
		goto fail;
	}
	/* Shared memory needs bpf_find_vma() (5.17+): without it, leave it out,
	 * unless it is all that was asked for. */
	if (!t->feat.find_vma && (t->type_mask & IPC_SHM_TYPES)) {
		if (!(t->type_mask & ~IPC_SHM_TYPES)) {
			snprintf(err, errlen, "this kernel has no bpf_find_vma() (Linux 5.17+), which "
				 "shared memory and memory maps need");
			goto fail;
		}
		p_err("this kernel has no bpf_find_vma() (Linux 5.17+): shared memory and memory "
		      "maps are left out");
		t->type_mask &= ~IPC_SHM_TYPES;
	}

	/* Signals come from one tracepoint: without it, asked for alone, there
	 * is nothing to show (with other types, the hook table says why). */
	if (!t->feat.tracepoint[TP_SIGNAL_GENERATE] && t->type_mask == 1U << IPC_SIGNAL) {
		snprintf(err, errlen, "this kernel has no signal_generate tracepoint, which signals "
			 "need (CONFIG_TRACEPOINTS)");
		goto fail;
	}
	return t;
fail:
	tracer_free(t);
	return NULL;
}

int tracer_load(struct tracer *t, char *err, size_t errlen)
{
	int ret;

	/*
	 * The default build where the kernel has bpf_rdonly_cast(); a kernel
	 * that has it and still refuses that build (one whose cast cannot yet
	 * take an address to plain memory) gets the portable one.
	 */
	ret = load_build(t, !t->feat.direct_loads, true, err, errlen);
	if (ret == LOAD_REFUSED && !t->portable) {
		if (t->opts.verbose)
			p_err("the kernel refused the default BPF build (%s): loading the portable one",
			      err);
		ipctrace_bpf__destroy(t->skel);
		t->skel = NULL;
		ret = load_build(t, true, false, err, errlen);
	}
	if (ret == LOAD_REFUSED) {
		size_t len = strlen(err);

		snprintf(err + len, errlen - len, " (run with -v to see why)");
	}
	return ret == LOAD_OK ? 0 : -1;
}

int tracer_attach(struct tracer *t, char *err, size_t errlen)
{
	bool sock_tp = t->feat.sock_tp && (t->type_mask & IPC_SOCK_TYPES);

	for (int i = 0; i < t->opts.npids; i++)
		tracer_add_target(t, t->opts.pids[i]);
	if (t->opts.cgroup && set_cgroup_filter(t, t->opts.cgroup, err, errlen))
		return -1;
	return attach_programs(t, t->type_mask, sock_tp, err, errlen);
}

void tracer_info(const struct tracer *t, struct tracer_info *info)
{
	*info = (struct tracer_info){ .type_mask = t->type_mask, .filter = t->opts.filter,
				      .tp_btf = t->feat.tp_btf, .portable = t->portable };
}

bool tracer_fd_changes(struct tracer *t, const volatile __u32 **changes,
		       const volatile __u8 **unsure)
{
	if (!t->attached[TP_SYS_EXIT] || !t->attached[TP_SCHED_FORK] ||
	    !t->attached[TP_SCHED_EXEC])
		return false;
	*changes = t->skel->bss->fd_changes;
	*unsure = t->skel->bss->fd_unsure;
	return true;
}

const struct kernel_ops *tracer_kernel_ops(struct tracer *t)
{
	return &t->kops;
}

/*
 * Every entry of a hash map, handed to fn a chunk at a time through keys
 * and values (room for chunk entries each). fn must not delete entries: a
 * get_next_key walk would start over. Returns how many there were.
 */
static size_t map_each(int fd, bool batch, size_t key_size, size_t value_size, size_t chunk,
		       void *keys, void *values, void (*fn)(void *ctx, size_t n), void *ctx)
{
	char prev[MAX_KEY_SIZE], next[MAX_KEY_SIZE];
	void *prevp = NULL;
	size_t total = 0, n = 0;

	if (batch) {
		__u32 cursor, count;
		void *in = NULL;
		int err, why = 0;

		do {
			/* A whole chunk each call: the kernel returns whole buckets,
			 * and refuses a call with less room than a bucket. */
			count = (__u32)chunk;
			err = bpf_map_lookup_batch(fd, in, &cursor, keys, values, &count, NULL);
			why = err ? errno : 0;
			if ((!err || why == ENOENT) && count) {
				fn(ctx, count);
				total += count;
			}
			in = &cursor;
		} while (!err);
		if (why == ENOENT)
			return total;
		total = 0;	/* walk it again below on any other error */
	}
	if (key_size > MAX_KEY_SIZE)
		return 0;
	while (bpf_map_get_next_key(fd, prevp, next) == 0) {
		memcpy(prev, next, key_size);
		prevp = prev;
		if (bpf_map_lookup_elem(fd, next, (char *)values + n * value_size) == 0)
			memcpy((char *)keys + n++ * key_size, next, key_size);
		if (n == chunk) {
			fn(ctx, n);
			total += n;
			n = 0;
		}
	}
	if (n)
		fn(ctx, n);
	return total + n;
}

static void keep_chunk(void *ctx, size_t n)
{
	(void)ctx;
	(void)n;
}

/*
 * Copy a whole hash map (of at most cap entries) into keys/values. Batch
 * lookup takes one syscall per few thousand entries; without it, two
 * syscalls per entry.
 */
static size_t map_dump(int fd, bool batch, size_t key_size, size_t value_size,
		       size_t cap, void *keys, void *values)
{
	return map_each(fd, batch, key_size, value_size, cap, keys, values, keep_chunk, NULL);
}

/*
 * Rows are deleted here only: the kernel side learns how many, in all and
 * per user, from the counts stored in its .bss (a plain store of a count
 * only this side writes), and frees that much of their share.
 */
static void count_deleted(struct tracer *t, __u32 uid)
{
	__u32 b = UID_BUCKET(uid) & (UID_BUCKETS - 1);

	__atomic_store_n(&t->skel->bss->rows_deleted, ++t->rows_deleted, __ATOMIC_RELAXED);
	__atomic_store_n(&t->skel->bss->uid_rows_deleted[b], ++t->uid_rows_deleted[b],
			 __ATOMIC_RELAXED);
}

/*
 * Delete n keys, key_size apart, from a hash map: a system call per batch
 * rather than one per key (under a connection a request, thousands of rows
 * close each second). A batch stops at a key that is not there; that one is
 * tried alone and the rest go on in a batch. deleted(ctx, i), if given, is
 * told each key that was there.
 */
static void delete_keys(int fd, bool batch, const void *keys, size_t key_size, size_t n,
			void (*deleted)(void *ctx, size_t i), void *ctx)
{
	size_t i = 0;

	while (i < n) {
		const char *at = (const char *)keys + i * key_size;
		__u32 done = (__u32)MIN(n - i, (size_t)UINT32_MAX);

		/* Only a stop at a missing key says how many went: any other
		 * error may leave the count as it was asked. */
		if (batch && bpf_map_delete_batch(fd, at, &done, NULL) && errno != ENOENT) {
			batch = false;
			done = 0;
		} else if (!batch) {
			done = 0;
		}
		for (size_t j = 0; deleted && j < done; j++)
			deleted(ctx, i + j);
		i += done;
		if (i < n) {
			if (bpf_map_delete_elem(fd, (const char *)keys + i * key_size) == 0 && deleted)
				deleted(ctx, i);
			i++;
		}
	}
}

/* Rows to delete, and whose share each was. */
struct row_deletes {
	struct tracer *t;
	GArray *keys;	/* struct ipc_key */
	GArray *uids;	/* __u32 */
};

static struct row_deletes row_deletes_new(struct tracer *t)
{
	return (struct row_deletes){ t, g_array_new(FALSE, FALSE, sizeof(struct ipc_key)),
				     g_array_new(FALSE, FALSE, sizeof(__u32)) };
}

static void row_deletes_add(struct row_deletes *d, const struct ipc_key *key, __u32 uid)
{
	g_array_append_val(d->keys, *key);
	g_array_append_val(d->uids, uid);
}

static void row_deleted(void *ctx, size_t i)
{
	struct row_deletes *d = ctx;

	count_deleted(d->t, g_array_index(d->uids, __u32, i));
}

/* Deletes them, and frees the list. */
static void delete_rows(struct row_deletes *d)
{
	delete_keys(bpf_map__fd(d->t->skel->maps.counters), d->t->feat.batch_ops, d->keys->data,
		    sizeof(struct ipc_key), d->keys->len, row_deleted, d);
	g_array_free(d->keys, TRUE);
	g_array_free(d->uids, TRUE);
}

/* A map read twice in one collect (labels, for rows that closed) says its
 * last count once. */
static void note_fill(struct tracer *t, const char *name, const struct bpf_map *m, size_t n)
{
	size_t i = 0;

	while (i < t->nfill && strcmp(t->fill[i].name, name))
		i++;
	if (i == MAP_FILL_MAX)
		return;
	t->fill[i] = (struct map_fill){ .name = name, .entries = n,
					.max_entries = bpf_map__max_entries(m) };
	if (i == t->nfill)
		t->nfill++;
}

static void read_procs(struct tracer *t)
{
	int fd = bpf_map__fd(t->skel->maps.procs);
	size_t n = map_dump(fd, t->feat.batch_ops, sizeof(struct ipc_proc_key),
			    sizeof(struct ipc_proc), t->max_procs, t->keys, t->values);
	struct ipc_proc_key *who = t->keys;

	note_fill(t, "procs", t->skel->maps.procs, n);
	struct ipc_proc *procs = t->values;
	GHashTable *prev = t->procs;

	t->procs = t->procs_prev;
	t->procs_prev = prev;
	g_hash_table_remove_all(t->procs);
	g_array_set_size(t->procs_changed, 0);
	for (size_t i = 0; i < n; i++) {
		gpointer id = proc_id(who[i].tgid, who[i].start);
		const struct proc_info *p = ingest_proc(t->procs, &who[i], &procs[i]);
		const struct proc_info *q = g_hash_table_lookup(prev, id);

		/* An entry the read before did not have is of a process whose
		 * rows, if any, are new: they moved. */
		if (p->exited || (q && (strcmp(p->comm, q->comm) || p->target != q->target)))
			g_array_append_val(t->procs_changed, id);
	}
}

static void name_new_row(struct tracer *t, struct row *r)
{
	struct ipc_obj_key ok = { .ino = r->key.ino, .dev = r->key.dev, .type = r->key.type };
	struct ipc_obj_info info;
	int objects_fd = bpf_map__fd(t->skel->maps.objects);
	bool found = bpf_map_lookup_elem(objects_fd, &ok, &info) == 0;

	ingest_new_row(r, t->procs, found ? &info : NULL);
	/* Described once is enough: the store keeps it, the map stays small
	 * (and what the last walk found, one fewer). */
	if (found && bpf_map_delete_elem(objects_fd, &ok) == 0 && t->objects_read)
		t->objects_read--;
}

/*
 * New rows' descriptions: one lookup and one delete each, or, past one new
 * row in NAME_WALK_SHARE of the descriptions the map held at the last walk,
 * the whole map read in batches and the ones used deleted in batches (under
 * a connection a request, thousands of rows are new each second).
 */
#define NAME_WALK_SHARE 8

struct naming {
	struct tracer *t;
	struct store *s;
	GHashTable *wanted;	/* struct object * -> its first new row */
	GHashTable *named;	/* the rows described */
	GArray *used;		/* struct ipc_obj_key: their entries, to delete */
};

static void name_chunk(void *ctx, size_t n)
{
	struct naming *g = ctx;
	const struct ipc_obj_key *keys = g->t->keys;
	struct ipc_obj_info *infos = g->t->values;

	for (size_t i = 0; i < n; i++) {
		struct object *o = g_hash_table_lookup(g->s->objects, &keys[i]);
		struct row *r = o ? g_hash_table_lookup(g->wanted, o) : NULL;

		if (!r)
			continue;
		ingest_new_row(r, g->t->procs, &infos[i]);
		g_hash_table_remove(g->wanted, o);
		g_hash_table_add(g->named, r);
		g_array_append_val(g->used, keys[i]);
	}
}

static void name_new_rows(struct tracer *t, struct store *s, GPtrArray *rows)
{
	int fd = bpf_map__fd(t->skel->maps.objects);
	struct naming g = { .t = t, .s = s };

	G_STATIC_ASSERT(sizeof(struct ipc_obj_key) <= sizeof(struct ipc_key) &&
			COUNTERS_CHUNK * sizeof(struct ipc_obj_info) <= DUMP_VALUES_SIZE);
	if (!t->feat.batch_ops || rows->len * NAME_WALK_SHARE < t->objects_read) {
		for (guint i = 0; i < rows->len; i++)
			name_new_row(t, g_ptr_array_index(rows, i));
		return;
	}
	g.wanted = g_hash_table_new(NULL, NULL);
	g.named = g_hash_table_new(NULL, NULL);
	g.used = g_array_new(FALSE, FALSE, sizeof(struct ipc_obj_key));
	for (guint i = rows->len; i-- > 0;) {
		struct row *r = g_ptr_array_index(rows, i);

		g_hash_table_insert(g.wanted, r->obj, r);	/* the first row wins */
	}
	t->objects_read = map_each(fd, true, sizeof(struct ipc_obj_key),
				   sizeof(struct ipc_obj_info), COUNTERS_CHUNK, t->keys, t->values,
				   name_chunk, &g);
	for (guint i = 0; i < rows->len; i++)
		if (!g_hash_table_contains(g.named, g_ptr_array_index(rows, i)))
			ingest_new_row(g_ptr_array_index(rows, i), t->procs, NULL);
	delete_keys(fd, true, g.used->data, sizeof(struct ipc_obj_key), g.used->len, NULL, NULL);
	g_hash_table_destroy(g.wanted);
	g_hash_table_destroy(g.named);
	g_array_free(g.used, TRUE);
}

/* Where unconnected datagram sockets sent; entries stay until their socket's
 * rows go, as one destination keeps counting. */
static void read_dests(struct tracer *t, struct store *s)
{
	int fd = bpf_map__fd(t->skel->maps.dests);
	size_t n = map_dump(fd, t->feat.batch_ops, sizeof(struct ipc_dest_key), sizeof(__u64),
			    MAX_DESTS, t->keys, t->values);
	struct ipc_dest_key *keys = t->keys;
	__u64 *counts = t->values;

	note_fill(t, "dests", t->skel->maps.dests, n);
	for (size_t i = 0; i < n; i++)
		if (ingest_dest(s, &keys[i], counts[i]))
			bpf_map_delete_elem(fd, &keys[i]);
}

/* Labels of live rows; a row that has just exited gives its last ones. */
static void read_labels(struct tracer *t, struct store *s)
{
	int fd = bpf_map__fd(t->skel->maps.labels);
	size_t n = map_dump(fd, t->feat.batch_ops, sizeof(struct ipc_label_key),
			    sizeof(struct ipc_label_counts), MAX_LABELS, t->keys, t->values);
	struct ipc_label_key *keys = t->keys;
	struct ipc_label_counts *vals = t->values;

	note_fill(t, "labels", t->skel->maps.labels, n);
	for (size_t i = 0; i < n; i++)
		if (ingest_label(s, &keys[i], &vals[i]))
			bpf_map_delete_elem(fd, &keys[i]);
}

/* --hist: each row's histograms, as they stand. */
static void read_hists(struct tracer *t, struct store *s)
{
	int fd = bpf_map__fd(t->skel->maps.hists);
	size_t n = map_dump(fd, t->feat.batch_ops, sizeof(struct ipc_key), sizeof(struct ipc_hist),
			    MAX_HISTS, t->keys, t->values);
	struct ipc_key *keys = t->keys;
	struct ipc_hist *vals = t->values;

	note_fill(t, "hists", t->skel->maps.hists, n);
	for (size_t i = 0; i < n; i++)
		if (ingest_hist(s, &keys[i], &vals[i]))
			bpf_map_delete_elem(fd, &keys[i]);
}

/* Who removed which object: a System V object by id (a semaphore object
 * carries its number above it), a POSIX queue or segment by name. */
static void read_removals(struct tracer *t, struct store *s)
{
	int fd = bpf_map__fd(t->skel->maps.removals);
	size_t n = map_dump(fd, t->feat.batch_ops, sizeof(struct ipc_removal_key), sizeof(__u32),
			    MAX_REMOVALS, t->keys, t->values);
	struct ipc_removal_key *keys = t->keys;
	__u32 *tgids = t->values;

	note_fill(t, "removals", t->skel->maps.removals, n);
	for (size_t i = 0; i < n; i++) {
		ingest_removal(s, &keys[i], tgids[i]);
		bpf_map_delete_elem(fd, &keys[i]);
		/* A removed System V id's key has nothing left to name (a semaphore
		 * set's entry is only ever copied to its semaphores). */
		if (!keys[i].name[0]) {
			struct ipc_obj_key ok = { .ino = keys[i].id, .dev = keys[i].dev,
						  .type = keys[i].type };

			bpf_map_delete_elem(bpf_map__fd(t->skel->maps.objects), &ok);
		}
	}
}

struct counters_read {
	struct tracer *t;
	struct store *s;
	struct row_deletes gone;	/* rows whose process exited: they go once
					 * the walk is over */
	GPtrArray *created;	/* rows new in this read, named once it is over */
};

/*
 * A row of a process the read of the process map did not see: it made its
 * first row after that read, and may have exited since too (a busy machine
 * can stall this side between the two reads longer than a short-lived
 * process lives). Its entry is read now, so that its rows carry its name
 * and, as a target's, show. It is taken as alive: the counts were read
 * before this lookup, and may miss its last calls; the next read sees it
 * exited, its counts final, as for any process.
 */
static void read_late_proc(struct tracer *t, const struct ipc_key *key)
{
	struct ipc_proc_key who = { .tgid = key->tgid, .start = key->start };
	gpointer id = proc_id(key->tgid, key->start);
	const struct proc_info *q;
	struct ipc_proc kp;

	if (g_hash_table_contains(t->procs, id))
		return;
	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.procs), &who, &kp) == 0) {
		kp.exit_ns = 0;
		ingest_proc(t->procs, &who, &kp);
		return;
	}
	/*
	 * Its entry went at the end of the read before, which saw it exited: a
	 * row whose mark came late to the map of moved rows (take_moved()) is
	 * read only now. It keeps that read's name, and is final.
	 */
	q = g_hash_table_lookup(t->procs_prev, id);
	if (q && q->exited) {
		struct proc_info *p = g_memdup2(q, sizeof(*q));

		p->uid_read = false;
		g_hash_table_insert(t->procs, id, p);
	}
}

static void ingest_chunk(void *ctx, size_t n)
{
	struct counters_read *c = ctx;
	const struct ipc_key *keys = c->t->keys;
	const struct ipc_counters *vals = c->t->values;

	for (size_t i = 0; i < n; i++) {
		struct row *r;
		bool created;

		read_late_proc(c->t, &keys[i]);
		if (ingest_counters(c->s, c->t->procs, &keys[i], &vals[i], &r, &created))
			row_deletes_add(&c->gone, &keys[i], vals[i].uid);
		if (created)
			g_ptr_array_add(c->created, r);
	}
}

/* The counter map's rows: made by the kernel side, less those deleted here. */
static __u64 rows_live(const struct tracer *t)
{
	return t->skel->bss->rows_made - t->rows_deleted;
}

/* A read of every row at least this often: the titles of idle rows'
 * processes are read with their rows, and this bounds how old one gets. */
#define FULL_READ_EVERY 10

/*
 * Moves the read generation on and takes the marks of the one before
 * (bpf/core/maps.bpf.h) into t->moved_keys: how many. Every mark made before
 * the move, its counts with it, is either among them or, made late into
 * that map, left for the read after next, which takes that map again.
 */
static size_t take_moved(struct tracer *t)
{
	__u32 gen = t->skel->bss->read_gen;
	const struct bpf_map *m = gen & 1 ? t->skel->maps.moved1 : t->skel->maps.moved0;
	size_t n;

	__atomic_store_n(&t->skel->bss->read_gen, gen + 1 ? gen + 1 : 1, __ATOMIC_SEQ_CST);
	n = map_dump(bpf_map__fd(m), t->feat.batch_ops, sizeof(struct ipc_key), sizeof(__u8),
		     MAX_MOVED, t->moved_keys, t->moved_vals);
	delete_keys(bpf_map__fd(m), t->feat.batch_ops, t->moved_keys, sizeof(struct ipc_key), n,
		    NULL, NULL);
	return n;
}

/*
 * The rows of n keys, looked up one by one, ingested a chunk at a time. A
 * key of a process in read (proc_id()s) whose row the store has is skipped:
 * that row was read already.
 */
static void read_keys(struct counters_read *c, const struct ipc_key *want, size_t n,
		      GHashTable *read)
{
	int fd = bpf_map__fd(c->t->skel->maps.counters);
	struct ipc_key *keys = c->t->keys;
	struct ipc_counters *vals = c->t->values;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (read && g_hash_table_contains(read, proc_id(want[i].tgid, want[i].start)) &&
		    g_hash_table_contains(c->s->live, &want[i]))
			continue;
		/* Gone meanwhile (its row closed): nothing to read. */
		if (bpf_map_lookup_elem(fd, &want[i], &vals[k]))
			continue;
		keys[k] = want[i];
		if (++k == COUNTERS_CHUNK) {
			ingest_chunk(c, k);
			k = 0;
		}
	}
	if (k)
		ingest_chunk(c, k);
}

/*
 * The keys of the rows the store has of the processes read_procs() found
 * changed, into keys; those processes' proc_id()s, or NULL if none.
 */
static GHashTable *changed_rows(const struct tracer *t, const struct store *s, GArray *keys)
{
	GHashTable *changed;

	if (!t->procs_changed->len)
		return NULL;
	changed = g_hash_table_new(NULL, NULL);
	for (guint i = 0; i < t->procs_changed->len; i++) {
		gpointer id = g_array_index(t->procs_changed, gpointer, i);
		const GPtrArray *rows = store_proc_rows(s, id);

		g_hash_table_add(changed, id);
		for (guint j = 0; rows && j < rows->len; j++)
			g_array_append_val(keys, ((struct row *)g_ptr_array_index(rows, j))->key);
	}
	return changed;
}

/*
 * The counters: of the rows that moved since the last read, with every row
 * of a process that exited (its rows go, idle or not), or was renamed by
 * exec, or made a target; or of every row. Every row is read first, after
 * marks were lost to a full map of them, when more rows are to be read than
 * a batch read of all would cost, and every FULL_READ_EVERY reads.
 */
static void read_counters(struct tracer *t, struct store *s)
{
	struct counters_read c = { t, s, row_deletes_new(t), g_ptr_array_new() };
	__u64 live = rows_live(t);
	bool lost = __atomic_load_n(&t->skel->bss->moved_lost, __ATOMIC_RELAXED);
	bool partial = t->full_read_done && !lost && t->moved_reads + 1 < FULL_READ_EVERY;
	GArray *also = g_array_new(FALSE, FALSE, sizeof(struct ipc_key));
	/* Only for a read of some rows: a read of every row reads theirs too. */
	GHashTable *changed = partial ? changed_rows(t, s, also) : NULL;
	size_t moved, n;

	/* Cleared before the generation moves on: a mark lost after that is
	 * seen at the next read. */
	if (lost)
		__atomic_store_n(&t->skel->bss->moved_lost, 0, __ATOMIC_SEQ_CST);
	moved = take_moved(t);
	if (partial && moved + also->len <= live / 4) {
		/* The changed processes' rows first: a mark of one of them is
		 * then of a row read already, or of one new since. */
		read_keys(&c, (const struct ipc_key *)(void *)also->data, also->len, NULL);
		read_keys(&c, t->moved_keys, moved, changed);
		t->moved_reads++;
		n = (size_t)live;
	} else {
		n = map_each(bpf_map__fd(t->skel->maps.counters), t->feat.batch_ops,
			     sizeof(struct ipc_key), sizeof(struct ipc_counters), COUNTERS_CHUNK,
			     t->keys, t->values, ingest_chunk, &c);
		t->full_read_done = true;
		t->moved_reads = 0;
	}
	g_array_free(also, TRUE);
	if (changed)
		g_hash_table_destroy(changed);
	note_fill(t, "rows", t->skel->maps.counters, n);
	name_new_rows(t, s, c.created);
	g_ptr_array_free(c.created, TRUE);
	delete_rows(&c.gone);
}

int tracer_collect(struct tracer *t, struct store *s)
{
	GHashTable *exited;
	GHashTableIter it;
	gpointer k, v;

	/*
	 * Exits first, counters second: a process seen exited here made its
	 * last syscall before this read, so the totals read next are final.
	 */
	t->nfill = 0;
	ingest_begin(s);
	read_procs(t);
	if (t->opts.read_gap_ms > 0)
		g_usleep((gulong)t->opts.read_gap_ms * 1000);
	read_counters(t, s);
	read_labels(t, s);
	if (t->opts.hist)
		read_hists(t, s);
	ingest_pending_removals(s);
	read_removals(t, s);
	read_dests(t, s);
	ingest_refresh(s, t->type_mask);

	exited = g_hash_table_new(NULL, NULL);
	g_hash_table_iter_init(&it, t->procs);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct proc_info *p = v;
		guint64 id = (guintptr)k;
		struct ipc_proc_key who = { .tgid = (__u32)id, .start = (__u32)(id >> 32) };

		/* An exited process with no rows left: forget it. */
		if (p->exited) {
			bpf_map_delete_elem(bpf_map__fd(t->skel->maps.procs), &who);
			g_hash_table_add(exited, k);
		}
	}
	/* Its rows whose objects closed before it exited say so too. */
	store_mark_exited(s, exited);
	g_hash_table_destroy(exited);
	return 0;
}

/*
 * -p: the watched far ends (sock.bpf.h) carry the target socket they were
 * found through. The kernel has no tracepoint where a socket is freed, so
 * the entries of closed sockets would stay, until a target that opens
 * connection after connection (a server, a -f tree under churn) fills the
 * map and its newest peers go unseen. Once a map is a quarter full, the
 * entries of sockets no live target holds go; below that, nothing is read.
 * A socket must be found closed at two checks in a row: the far end may
 * still be reading what the target sent just before it closed.
 */
static void prune_watched(struct tracer *t, const GArray *targets)
{
	const struct { int fd; size_t key_size; } maps[] = {
		{ bpf_map__fd(t->skel->maps.watched_socks), sizeof(__u64) },
		{ bpf_map__fd(t->skel->maps.watched_tuples), sizeof(struct ipc_tuple) },
		{ bpf_map__fd(t->skel->maps.watched_listeners), sizeof(struct ipc_sock_addr) },
	};
	GHashTable *held = NULL, *closed = NULL;

	for (size_t m = 0; m < G_N_ELEMENTS(maps); m++) {
		size_t n = map_dump(maps[m].fd, t->feat.batch_ops, maps[m].key_size, sizeof(__u64),
				    MAX_WATCHED, t->keys, t->values);
		const __u64 *owners = t->values;

		if (n <= MAX_WATCHED / 4)
			continue;
		if (!held) {
			held = proc_sockets_held(targets);
			closed = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
		}
		for (size_t i = 0; i < n; i++) {
			if (g_hash_table_contains(held, &owners[i]))
				continue;
			g_hash_table_add(closed, g_memdup2(&owners[i], sizeof(owners[i])));
			if (t->closed_owners && g_hash_table_contains(t->closed_owners, &owners[i]))
				bpf_map_delete_elem(maps[m].fd, (char *)t->keys + i * maps[m].key_size);
		}
	}
	if (!held)
		return;
	g_hash_table_destroy(held);
	if (t->closed_owners)
		g_hash_table_destroy(t->closed_owners);
	t->closed_owners = closed;
}

void tracer_targets(struct tracer *t, GArray *pids)
{
	size_t n = map_dump(bpf_map__fd(t->skel->maps.filter_pids), t->feat.batch_ops,
			    sizeof(__u32), sizeof(__u8), MAX_FILTER, t->keys, t->values);
	const __u32 *keys = t->keys;
	const __u8 *roles = t->values;

	g_array_set_size(pids, 0);
	for (size_t i = 0; i < n; i++) {
		int pid = (int)keys[i];

		/*
		 * The kernel removes a process that exits (sched_process_exit),
		 * but a peer found in /proc may have exited before it was added:
		 * under churn such entries filled the map (make soak). Gone, it
		 * goes.
		 */
		if (!proc_alive(pid)) {
			bpf_map_delete_elem(bpf_map__fd(t->skel->maps.filter_pids), &keys[i]);
			continue;
		}
		if (roles[i] == ROLE_TARGET)
			g_array_append_val(pids, pid);
	}
	prune_watched(t, pids);
}

void tracer_add_target(struct tracer *t, pid_t pid)
{
	__u32 key = (__u32)pid;
	__u8 role = ROLE_TARGET;

	/* Full (-p 1 -f on a big machine): lost.filter says so, as the kernel's adds do. */
	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.filter_pids), &key, &role, BPF_ANY) &&
	    errno == E2BIG)
		__sync_fetch_and_add(&t->skel->bss->loss.filter_dropped, 1);
}

void tracer_add_peer(struct tracer *t, pid_t pid)
{
	__u32 key = (__u32)pid;
	__u8 role = ROLE_PEER;

	/* BPF_NOEXIST: a target stays a target. */
	bpf_map_update_elem(bpf_map__fd(t->skel->maps.filter_pids), &key, &role, BPF_NOEXIST);
}

/*
 * Reading a closed row's last counts costs a system call a row; reading the
 * whole map, one per COUNTERS_CHUNK rows and the copy of each. Past one
 * closed row in this many, the whole map is read.
 */
#define FORGET_WALK_SHARE 8

/* The rows being forgotten, found with their last counts. */
struct forgetting {
	struct store *s;
	struct tracer *t;
	GHashTable *rows;	/* the closed rows (a set) */
	struct row_deletes found;
};

static void take_last(struct forgetting *f, struct row *r, const struct ipc_counters *last)
{
	r->bytes = last->bytes;
	r->ops = last->ops;
	ingest_events(r, last);
	row_deletes_add(&f->found, &r->key, last->uid);
}

static void last_of_chunk(void *ctx, size_t n)
{
	struct forgetting *f = ctx;
	const struct ipc_key *keys = f->t->keys;
	const struct ipc_counters *vals = f->t->values;

	for (size_t i = 0; i < n; i++) {
		struct row *r = store_find_row(f->s, &keys[i]);

		if (r && g_hash_table_contains(f->rows, r))
			take_last(f, r, &vals[i]);
	}
}

/* A row not found is gone already, and is not deleted again. */
static void read_last(struct forgetting *f, GPtrArray *rows)
{
	int fd = bpf_map__fd(f->t->skel->maps.counters);
	__u64 entries = rows_live(f->t);
	struct ipc_counters last;

	if (f->t->feat.batch_ops && (__u64)rows->len * FORGET_WALK_SHARE >= entries) {
		map_each(fd, true, sizeof(struct ipc_key), sizeof(struct ipc_counters),
			 COUNTERS_CHUNK, f->t->keys, f->t->values, last_of_chunk, f);
		return;
	}
	for (guint i = 0; i < rows->len; i++) {
		struct row *r = g_ptr_array_index(rows, i);

		if (bpf_map_lookup_elem(fd, &r->key, &last) == 0)
			take_last(f, r, &last);
	}
}

/* Their labels' and histograms' entries. */
static void delete_extras(struct tracer *t, GPtrArray *rows)
{
	GArray *labels = g_array_new(FALSE, FALSE, sizeof(struct ipc_label_key));
	GArray *hists = g_array_new(FALSE, FALSE, sizeof(struct ipc_key));

	for (guint i = 0; i < rows->len; i++) {
		const struct row *r = g_ptr_array_index(rows, i);

		for (guint j = 0; j < r->labels->len; j++) {
			struct ipc_label_key lk = {
				.row = r->key,
				.label = g_array_index(r->labels, struct label_count, j).label,
			};

			g_array_append_val(labels, lk);
		}
		/* Read just before, so a histogram the kernel has is the row's. */
		if (r->hist)
			g_array_append_val(hists, r->key);
	}
	delete_keys(bpf_map__fd(t->skel->maps.labels), t->feat.batch_ops, labels->data,
		    sizeof(struct ipc_label_key), labels->len, NULL, NULL);
	if (t->opts.hist)
		delete_keys(bpf_map__fd(t->skel->maps.hists), t->feat.batch_ops, hists->data,
			    sizeof(struct ipc_key), hists->len, NULL, NULL);
	g_array_free(labels, TRUE);
	g_array_free(hists, TRUE);
}

void tracer_forget(struct tracer *t, struct store *s, GPtrArray *rows)
{
	struct forgetting f = { .s = s, .t = t };

	if (!rows->len)
		return;
	/*
	 * The counts were read before /proc showed these objects closed: what
	 * their processes did in between (a connect, a send, then close, all
	 * within the interval) is in the kernel's entries still, and would go
	 * with them. Nobody holds the objects now, so nothing adds to them:
	 * read them once more, labels and histograms too, then delete.
	 */
	read_labels(t, s);
	if (t->opts.hist)
		read_hists(t, s);
	f.rows = g_hash_table_new(NULL, NULL);
	for (guint i = 0; i < rows->len; i++)
		g_hash_table_add(f.rows, g_ptr_array_index(rows, i));
	f.found = row_deletes_new(t);
	read_last(&f, rows);
	delete_rows(&f.found);
	delete_extras(t, rows);
	g_hash_table_destroy(f.rows);
}

size_t tracer_map_fill(const struct tracer *t, struct map_fill *out)
{
	memcpy(out, t->fill, t->nfill * sizeof(*out));
	return t->nfill;
}

void tracer_loss(const struct tracer *t, struct ipc_loss *loss)
{
	/* .bss is memory-mapped; the counters only grow, a torn read is harmless. */
	memcpy(loss, &t->skel->bss->loss, sizeof(*loss));
}

int tracer_open_events(struct tracer *t, ring_buffer_sample_fn on_event, void *ctx)
{
	t->events = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_event, ctx, NULL);
	return t->events ? 0 : -errno;
}

int tracer_poll_events(struct tracer *t, int timeout_ms)
{
	return ring_buffer__poll(t->events, timeout_ms);
}

void tracer_free(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->events);
	for (int i = 0; i < t->nlinks; i++)
		bpf_link__destroy(t->links[i]);
	ipctrace_bpf__destroy(t->skel);
	free(t->keys);
	free(t->values);
	free(t->moved_keys);
	free(t->moved_vals);
	if (t->procs)
		g_hash_table_destroy(t->procs);
	if (t->procs_prev)
		g_hash_table_destroy(t->procs_prev);
	if (t->procs_changed)
		g_array_free(t->procs_changed, TRUE);
	if (t->closed_owners)
		g_hash_table_destroy(t->closed_owners);
	g_free(t);
}
