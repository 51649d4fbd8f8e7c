/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one row model every output renders. A row is one process's traffic on
 * one IPC object in one direction. The store keeps rows across intervals to
 * turn the kernel's running totals into rates, keeps the rows of processes
 * that exited for the final summary, and works out each row's peers.
 */
#ifndef IPCTRACE_ROWS_H
#define IPCTRACE_ROWS_H

#include <stdbool.h>
#include <glib.h>
#include <linux/types.h>
#include "ipctrace.h"
#include "common/settings.h"

/* A process at the other end of a row's channel, or a remote endpoint. */
struct peer {
	int pid;		/* 0 for a remote endpoint */
	__u32 start;		/* with pid, who it is (struct ipc_proc_key) */
	char comm[COMM_LEN];
	bool exited;
	char remote[64];	/* "10.0.0.5:443", when pid is 0 */
};

/* Access to an object a process holds open (from /proc/PID/fdinfo). */
enum hold_mode {
	HOLD_READ = 1,
	HOLD_WRITE = 2,
};

struct holder {
	int pid;
	__u32 start;		/* with pid, who it is (struct ipc_proc_key) */
	int fd;			/* one of its descriptors for the object; -1: a mapping */
	unsigned int mode;	/* enum hold_mode bits */
	char comm[COMM_LEN];
};

/* A per-mechanism detail, rendered generically (JSON key, table DETAIL). */
struct attr {
	const char *key;	/* a string with static lifetime */
	__s64 value;
};

#define MAX_ATTRS 8

struct object {
	struct ipc_obj_key key;
	char *name;		/* readable: "pipe:[123]", "/tmp/fifo"; set by
				 * object_name_replace() or object_set_name() */
	bool name_clean;	/* name_is_clean(name): shown as it is, without
				 * a scan each frame */
	bool name_is_default;	/* made up from its key: a real name replaces it */
	bool holders_read;	/* a holders refresh has looked for its holders */
	GArray *holders;	/* struct holder, from the last /proc scan */
	GPtrArray *rows;	/* every row on this object, retired ones too */
	struct attr *attrs;	/* the object's state: a queue's depth... (g_new, as
				 * many as nattrs: most objects have none) */
	int nattrs;
	/*
	 * Endpoint objects (sockets) are one end each: their peers are on the
	 * objects linked here, and remote endpoints are named in remotes.
	 */
	GPtrArray *peer_objs;	/* struct object * */
	GPtrArray *remotes;	/* char *, "ip:port" */
	void *priv;		/* the mechanism's own data, freed with g_free */
	/* What its rows' peers come from changed since they were worked out
	 * (object_peers_changed()); peers_redo: its or a linked object's did. */
	bool peers_changed, peers_redo;
};

/*
 * What a row's peers are made of: its object's rows (their process, name,
 * direction and whether it exited), holders, linked ends and remote
 * addresses, and those of the objects linked to it. Whatever changes one of
 * them says so here, so that store_update_peers() works out again only the
 * peers that may differ: rows.c's own functions do, row_set_comm() and
 * row_set_exited() for a row, and this for a holder added, changed or
 * taken off.
 */
void object_peers_changed(struct object *o);

/* A process's overflow row's object (include/ipctrace.h): the objects of a
 * type it used past the rows the kernel side holds, not told apart. It has
 * no holders to scan and no state to refresh, and lasts as its process does. */
static inline bool object_is_overflow(const struct object *o)
{
	return o->key.dev == IPC_OVERFLOW_DEV;
}

#define OVERFLOW_NAME "(overflow: objects past --max-rows)"

/* Make a and b each other's other end (both ways, once). */
void object_link(struct object *a, struct object *b);
void object_add_remote(struct object *o, const char *remote);
void object_drop_remote(struct object *o, const char *remote);

/* Messages of a row that carried one label (a priority, a message type). */
struct label_count {
	__s64 label;
	__u64 ops, bytes;
};

struct row {
	struct ipc_key key;
	struct object *obj;
	char comm[COMM_LEN];
	char *title;			/* its process's latest /proc/PID/cmdline, a
					 * GRefString its rows share; NULL: none */
	__u64 bytes, ops;		/* totals since ipctrace started */
	__u64 prev_bytes, prev_ops;	/* at the previous interval */
	double bytes_per_s, ops_per_s;	/* over the last interval */
	__u64 wait_ns, prev_wait_ns;	/* time its calls slept, waiting (WAIT) */
	double wait_share;		/* of the last interval: 1.0 = waited all of it */
	/* ingest_events()'s: a digest of the kernel's event counters and first
	 * label it last took into attrs and labels; events_seen: it did. Beside
	 * the counters, in a cache line a read of the maps touches anyway. */
	__u64 events_digest;
	bool events_seen;
	struct ipc_hist *hist;		/* --hist: sizes and waits; NULL until seen */
	__u64 cgroup_id;		/* the process's cgroup when the row began */
	__u32 uid;			/* the process's real uid when the row began */
	bool exited;			/* the process has exited */
	bool closed;			/* nobody holds its object any more */
	bool of_target;			/* a -p target's, seen while it lived */
	bool listed;			/* selected once: it stays selected (the rows
					 * that made it a channel, or a target's, may
					 * fold), and only listed rows fold into totals */
	bool retired;			/* final: kept only for the summary */
	GArray *peers;			/* struct peer, sorted by pid */
	struct attr *attrs;		/* the mechanism's named event counters (g_new,
					 * as many as nattrs: most rows have none) */
	int nattrs;
	GArray *labels;			/* struct label_count, sorted by label */
	unsigned int folded_procs;	/* rows_fold_exit_notices(): processes it adds up; 0: one */
	unsigned int select_mark;	/* store_select()'s: taken from its last order */
	guint proc_slot;		/* its place in its process's live rows */
	/* What the aggregated metrics (output/prom_sets.c) have added up of
	 * this row so far: each frame adds only what grew since, so a row
	 * seen again (in the summary, or after its process exited) is never
	 * counted twice. */
	struct {
		__u64 bytes, ops, wait_ns;
		bool other;		/* its traffic went to comm="(other)" */
	} prom_taken;
};

/*
 * A process as the kernel side names it (struct ipc_proc_key), as one value
 * for hash tables' direct keys: a PID alone is reused.
 */
G_STATIC_ASSERT(sizeof(gpointer) >= sizeof(guint64));
static inline gpointer proc_id(__u32 tgid, __u32 start)
{
	return (gpointer)(guintptr)((guint64)start << 32 | tgid);
}

static inline gpointer row_proc(const struct row *r)
{
	return proc_id(r->key.tgid, r->key.start);
}

/*
 * A frame's rows are read one after the other, each far from the last in
 * memory and each a chain of pointers (the row, its object and the object's
 * name, its peers, counters and labels): with thousands of rows, waiting on
 * those cache misses one at a time is most of a frame's work. Called with
 * row i of a loop over rows, this asks for what rows a little further on
 * will need, one step of the chain per distance, so that the misses overlap
 * with the work on the rows before them. A hint only: it reads nothing a
 * later row's own use would not. Always inlined: as a function of its own,
 * gcc finds it does nothing (a prefetch changes no memory) and drops the call.
 */
static inline __attribute__((always_inline)) void rows_prefetch(const GPtrArray *rows, guint i)
{
	enum { ROW_AHEAD = 8, PTR_AHEAD = 4, DATA_AHEAD = 2 };
	const struct row *r;

	if (i + ROW_AHEAD < rows->len) {
		const char *p = g_ptr_array_index(rows, i + ROW_AHEAD);

		for (size_t off = 0; off < sizeof(struct row); off += 64)
			__builtin_prefetch(p + off);
		__builtin_prefetch(p + sizeof(struct row) - 1);
	}
	if (i + PTR_AHEAD < rows->len) {
		r = g_ptr_array_index(rows, i + PTR_AHEAD);
		__builtin_prefetch(r->obj);
		__builtin_prefetch(r->peers);
		__builtin_prefetch(r->labels);
		if (r->attrs)
			__builtin_prefetch(r->attrs);
	}
	if (i + DATA_AHEAD < rows->len) {
		r = g_ptr_array_index(rows, i + DATA_AHEAD);
		if (r->obj) {
			__builtin_prefetch(r->obj->name);
			if (r->obj->attrs)
				__builtin_prefetch(r->obj->attrs);
		}
		if (r->peers && r->peers->len)
			__builtin_prefetch(r->peers->data);
		if (r->labels && r->labels->len)
			__builtin_prefetch(r->labels->data);
	}
}

struct proc_info {
	char comm[COMM_LEN];
	bool exited;
	bool target;		/* the kernel made it a target (-f, a command) */
	__u64 cgroup_id;
	/* Read from /proc once per read of the maps, for all its new rows: a
	 * process that made 10,000 rows at once is read once, not 10,000 times. */
	bool uid_read;
	int uid_ret;		/* proc_uid()'s: 0, or -1 (gone) */
	__u32 uid;
};

/* A process's title as last read (titles change: a PostgreSQL backend's says
 * what it is doing), kept once it is gone for rows that come after. */
struct title_memo {
	char *title;		/* a GRefString; NULL: none read yet */
	unsigned int read;	/* store.reads when last read */
};

/*
 * The summary keeps this many rows of exited processes and closed objects;
 * older ones are folded into totals, so memory stays flat under churn.
 */
#define MAX_RETIRED 20000

struct folded {
	__u64 rows, bytes, ops;
};

/* A removal whose object had no row yet (ingest_removal()). */
struct pending_removal {
	struct ipc_removal_key key;
	__u32 tgid;
	unsigned int tries;
};

struct store {
	GHashTable *live;	/* struct ipc_key -> struct row */
	GPtrArray *retired;	/* rows of processes that exited, objects closed */
	GHashTable *objects;	/* struct ipc_obj_key -> struct object */
	struct folded folded;	/* retired rows beyond MAX_RETIRED */
	GHashTable *titles;	/* proc_id() -> struct title_memo */
	/* proc_id() -> GPtrArray of its live rows (row->proc_slot their
	 * places): a process's rows, when it exits or execs, found without
	 * reading every row. */
	GHashTable *proc_rows;
	GArray *pending_removals; /* struct pending_removal: objects not seen yet */
	unsigned int reads;	/* of the kernel's maps, so far */
	/* store_select()'s last rows in their order, where the next one starts:
	 * rows that did not move are then found in order, not sorted again.
	 * NULL once a row it may hold is freed. */
	GPtrArray *order;
	unsigned int select_mark;	/* the select under way's, in its rows */
};

/* Its bytes are an estimate (mechanism bytes_method), not bytes calls moved:
 * some of them at least (its MEASURED_BYTES attribute says how many not). */
bool row_is_estimate(const struct row *r);

/* A row's peers to add to: its own list (rows share an empty one until
 * their first). Only while they are worked out: a list once made is never
 * changed, as snapshots hold it (row_lists_copy). */
GArray *row_own_peers(struct row *r);

/* r's peers and labels for a reader that keeps them past the store's next
 * changes (the interactive table's frame): the peers by reference (a list
 * of peers is never changed once made), the labels a copy unless empty.
 * Free each with g_array_unref. */
void row_lists_copy(const struct row *r, GArray **peers, GArray **labels);

/* Peers in order: by PID, start time, remote address. */
int peer_compare(const struct peer *x, const struct peer *y);

struct store *store_new(void);
void store_free(struct store *s);

struct object *store_object(struct store *s, const struct ipc_obj_key *key);

/* Set (or add, at most MAX_ATTRS) one of a row's or an object's attributes. */
void store_attr_set(struct attr **attrs, int *n, const char *key, __s64 value);
const struct attr *store_attr_find(const struct attr *attrs, int n, const char *key);

/* Record a label's running totals for a row. */
void row_set_label(struct row *r, __s64 label, __u64 ops, __u64 bytes);

/*
 * Record a row's running totals as read from the kernel. Creates the row the
 * first time its key is seen; comm and the object's name are then filled by
 * the caller. Returns the row.
 */
struct row *store_update(struct store *s, const struct ipc_key *key,
			 __u64 bytes, __u64 ops, bool *created);

/* A process's live rows (proc_id()), in no order; NULL if it has none. */
const GPtrArray *store_proc_rows(const struct store *s, gpointer proc);

/* The row of key, live or retired; NULL if there is none (yet, or any more). */
struct row *store_find_row(struct store *s, const struct ipc_key *key);

/* Rates over elapsed_s for every live row, then prev := current. */
void store_rates(struct store *s, double elapsed_s);

/*
 * Rows of objects nobody holds any more (just after a full /proc scan) or
 * that were removed: their totals are final. Returns them (the caller frees
 * the array) so their kernel entries can go. pending: pids (GINT_TO_POINTER)
 * whose descriptors are still being read (holders_pending()), whose rows
 * stay open; NULL: none.
 */
GPtrArray *store_mark_closed(struct store *s, GHashTable *pending);

/* Move rows marked exited or closed out of the live set into the summary,
 * fold the oldest beyond MAX_RETIRED, and forget objects left with nothing. */
void store_retire(struct store *s);

/*
 * Processes seen exiting (tgid keys, GUINT_TO_POINTER): their rows retired
 * earlier, when their objects closed, are rows of an exited process now.
 */
void store_mark_exited(struct store *s, GHashTable *tgids);

/* Drop every retired row and the folded totals: the guided tour shows each
 * demo's summary on its own. */
void store_forget_retired(struct store *s);

/* Recompute every row's peers from traffic and holders. */
void store_compute_peers(struct store *s);
/* The same, for the objects whose peers may have changed since (each
 * interval: 10,000 idle pipes' peers were most of a refresh's work). */
void store_update_peers(struct store *s);

/* A row's name (exec renames its process) and end, saying so to its peers. */
void row_set_comm(struct row *r, const char *comm);
void row_set_exited(struct row *r);

/* How full one of the kernel side's maps was at the last read (the name is
 * the kind of loss a full one causes: ipctrace_lost_total's). */
struct map_fill {
	const char *name;
	__u64 entries, max_entries;
};

#define MAP_FILL_MAX 8

struct totals {
	__u64 bytes, ops;
	double bytes_per_s, ops_per_s;
	unsigned int rows;
};

/*
 * -p: the targets still alive (PIDs) and, through row->of_target, the rows
 * of those that have gone; NULL when there is no -p.
 */
struct filter {
	const int *pids;
	int npids;
};

/* Rows to show: live ones (or all with include_retired), sorted. */
GPtrArray *store_select(struct store *s, bool include_retired, enum sort_key sort,
			const struct filter *f);
/*
 * The rows a frame shows stay selected from then on: a row is shown for
 * what others did on its object (a writer made a pipe a channel, a target
 * made it the target's), and when their rows fold into totals (the
 * summary's cap) the object no longer says so; the row must not vanish.
 * Only shown rows fold into the totals shown. Every tick shows its frame
 * before it retires rows, so each row has its chance.
 */
void store_mark_listed(GPtrArray *rows);
/* Totals over every selected row since start; rates over the live ones. */
void store_totals(struct store *s, const struct filter *f, struct totals *t);

/* Whether processes talk through o: a file every process maps read-only
 * (a locale cache) is shared, but it is not a channel. */
bool object_is_channel(const struct object *o);

/* Whether r is shown: someone writes into its object (where that matters),
 * and with -p, it is on a target's channel. */
bool store_row_selected(const struct row *r, const struct filter *f);

/* Flag the rows of the targets now alive, so they stay theirs after. */
void store_mark_targets(struct store *s, const struct filter *f);

/* Whether a target has traffic on o or holds it open. */
bool object_of_targets(const struct object *o, const struct filter *f);

int row_compare(const struct row *a, const struct row *b, enum sort_key sort);
/* rows in row_compare's order (its reverse with inverted), each row's part
 * of the key worked out once, not at each of a sort's comparisons. */
void rows_sort(GPtrArray *rows, enum sort_key sort, bool inverted);

/*
 * The table's fold of exit notices: an exited process's row that says only
 * that it exited (its parent's SIGCHLD: mechanism_exit_label()) is folded
 * with the others to the same parent from processes of the same name, into
 * one row with their exact totals, "processes=N" and no PID of its own. A
 * notice alone in its group stays as it was. Returns the rows to show, in
 * rows' order; the rows it made go into made, an array from
 * rows_folded_new(), which frees them.
 */
GPtrArray *rows_fold_exit_notices(GPtrArray *rows, GPtrArray *made);
GPtrArray *rows_folded_new(void);

#endif
