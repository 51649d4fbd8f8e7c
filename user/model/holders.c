// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "common/sanitize.h"
#include "model/holders.h"
#include "model/mechanism.h"
#include "model/procfs.h"

/* One descriptor or mapping of a process, of a traced type: its object
 * may be in the store, or come later (a pipe written into after the read). */
struct held {
	struct ipc_obj_key key;
	int fd;			/* -1: a mapping */
	unsigned int mode;	/* enum hold_mode bits */
};

/* A process as the last reads of its descriptors found it. */
struct held_proc {
	struct fd_set_mark mark;
	__u32 start;
	char comm[COMM_LEN];
	GArray *held;		/* struct held, by descriptor (mappings first) */
	unsigned int round;	/* the last refresh that found it in /proc */
	bool replayed;		/* that refresh took its holdings from here */
	/* A read of all its descriptors under way over several refreshes
	 * (holders_read_budget()): it goes on from resume_fd. */
	bool pending;
	int resume_fd;
	/* Its bucket of the kernel side's fd_changes when its last whole read
	 * began (holders_fd_changes()). */
	__u32 fd_change;
	bool uring;		/* it holds an io_uring, which closes unseen */
};

/* A sweep's place: the process it is in (the lowest PID from it on, if it
 * has gone), and the descriptor it goes on from. */
struct sweep_cursor {
	int pid;
	int fd;
};

/*
 * The system-wide refresh reads again (descriptors and mappings) only the
 * processes whose descriptors may have changed (struct fd_set_mark), and
 * those of objects left with no holder; the rest hold what they held, left
 * on the objects as they are (taken off when the process is read again or
 * gone), and an object new since gets its holders from what was read, so
 * that a refresh costs what changed, not what is held. A descriptor closed
 * and another opened under one count, or a mapping made or gone with no
 * descriptor kept, is seen by the sweep: every interval, a share of every
 * process's descriptors (and the mappings of each it finishes) are read
 * again in turn, so that each is read within HOLDERS_SWEEP_S, and no interval pays
 * for all (100,000 pipes' 200,000 descriptors read at once took seconds).
 * Where the kernel side says which tables changed (holders_fd_changes()),
 * a process it vouches for is read again only when it says so; the sweep
 * reads its mappings, and its descriptors within HOLDERS_SWEEP_VOUCHED_S,
 * for what neither a count nor the kernel side sees.
 */
struct holders_cache {
	GHashTable *procs;	/* pid -> struct held_proc */
	unsigned int round;
	bool read;		/* every process has been read once */
	bool stale;		/* holders came from elsewhere: read all again */
	/* Where the sweep is, and the slow one through vouched processes. */
	struct sweep_cursor sweep, sweep_slow;
	double sweep_at;	/* when they last went on; 0: not yet */
	double step_max;	/* a step goes on for at most this long; 0: any */
	long long budget;	/* descriptors a refresh reads again at most; 0: all */
	GHashTable *pending;	/* pids whose read is under way (pending) */
	int read_last;		/* the pending process read last (read_pending()) */
	const volatile __u32 *fd_changes;	/* the kernel side's, or NULL */
	const volatile __u8 *fd_unsure;
};

struct scan {
	struct store *store;
	unsigned int type_mask;
	GHashTable *named;	/* names of named objects, for the system-wide scan:
				 * made at its first path (named_objects()) */
	bool system_wide;
	bool create;		/* add objects not yet in the store */
	GHashTable *comms;	/* pid -> struct scanned */
	GArray *collect;	/* struct held: a read's findings, for reread() */
	long long visited;	/* descriptors read */
	bool uring;		/* an io_uring among them */
	bool maps;		/* its /proc/PID/maps too */
};

void object_name_replace(struct object *o, const char *name)
{
	g_free(o->name);
	o->name = g_strdup(name);
	o->name_clean = name_is_clean(name);
}

void object_set_name(struct object *o, const char *kernel_name)
{
	char buf[IPC_NAME_LEN];
	const struct mechanism *m;

	if (o->name && (!kernel_name || !kernel_name[0]))
		return;
	if (object_is_overflow(o)) {
		object_name_replace(o, OVERFLOW_NAME);
		return;
	}
	o->name_is_default = !(kernel_name && kernel_name[0]);
	if (!o->name_is_default) {
		object_name_replace(o, kernel_name);
		return;
	}
	m = mechanism_of(o->key.type);
	if (m && m->default_name)
		m->default_name(&o->key, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "%u:%llu", o->key.dev, (unsigned long long)o->key.ino);
	object_name_replace(o, buf);
}

/* Its name and start time (who it is, with the PID), read once per scan. */
struct scanned {
	char comm[COMM_LEN];
	__u32 start;
};

static const struct scanned *scan_proc(struct scan *sc, int pid)
{
	struct scanned *p = g_hash_table_lookup(sc->comms, GINT_TO_POINTER(pid));

	if (p)
		return p;
	p = g_new0(struct scanned, 1);
	if (proc_comm(pid, p->comm, sizeof(p->comm)) != 0)
		strcpy(p->comm, "?");
	p->start = (__u32)proc_start_time(pid);
	g_hash_table_insert(sc->comms, GINT_TO_POINTER(pid), p);
	return p;
}

/* fd: one of its descriptors for the object, or -1 for a memory mapping. */
static void add_holder_mode(struct scan *sc, struct object *o, int pid, int fd, unsigned int mode)
{
	for (guint i = 0; i < o->holders->len; i++) {
		struct holder *h = &g_array_index(o->holders, struct holder, i);

		if (h->pid == pid) {
			if ((h->mode | mode) != h->mode)
				object_peers_changed(o);
			h->mode |= mode;
			if (h->fd < 0)
				h->fd = fd;
			return;
		}
	}
	const struct scanned *p = scan_proc(sc, pid);
	struct holder h = { .pid = pid, .start = p->start, .fd = fd, .mode = mode };

	g_strlcpy(h.comm, p->comm, sizeof(h.comm));
	g_array_append_val(o->holders, h);
	object_peers_changed(o);
}

/* What a read found: kept for reread() (the object may be none yet), or a
 * holder at once (holders_of_process()). */
static void add_held(struct scan *sc, struct object *o, const struct ipc_obj_key *key, int pid,
		     int fd, unsigned int mode)
{
	if (sc->collect) {
		struct held h = { .key = *key, .fd = fd, .mode = mode };

		g_array_append_val(sc->collect, h);
	} else if (o) {
		add_holder_mode(sc, o, pid, fd, mode);
	}
}

/*
 * A path a scan found (a descriptor's link, a mapping's path) names an
 * object the way the kernel's walk of that file would: through its
 * mechanism's describe, "(deleted)" left out, so that an object has one name
 * whether a row or a scan found it first ("[shared anonymous]", not
 * "/dev/zero (deleted)" under -p and "mmap:[ino]" without).
 */
static void name_from_path(struct object *o, const char *path)
{
	static const char deleted[] = " (deleted)";
	const struct mechanism *m = mechanism_of(o->key.type);
	struct ipc_obj_info info = {};
	size_t n;

	/* An endpoint's name is its module's (a pty's master is "/dev/pts/N
	 * (master)", its descriptor's path /dev/ptmx for every pty). */
	if (path[0] != '/' || mechanism_is_endpoint(o->key.type)) {
		object_set_name(o, NULL);
		return;
	}
	g_strlcpy(info.name, path, sizeof(info.name));
	n = strlen(info.name);
	if (n > sizeof(deleted) - 1 && strcmp(info.name + n - (sizeof(deleted) - 1), deleted) == 0)
		info.name[n - (sizeof(deleted) - 1)] = '\0';
	if (m && m->describe)
		m->describe(o, &info);
	else
		object_set_name(o, info.name);
}

/*
 * The object a scan found, if its type is traced: known already, or new
 * when the scan may create (a descriptor's link or a mapping's path names
 * a named object, a FIFO's path).
 */
static struct object *scanned_object(struct scan *sc, const struct ipc_obj_key *key,
				     const char *path)
{
	struct object *o = g_hash_table_lookup(sc->store->objects, key);

	if (!o && sc->create) {
		o = store_object(sc->store, key);
		name_from_path(o, path);
	} else if (o && o->name_is_default) {
		name_from_path(o, path);	/* counted before anyone named it */
	}
	return o;
}

static GHashTable *named_objects(struct store *s);

static void visit_fd(const struct fd_ref *ref, void *ctx)
{
	struct scan *sc = ctx;

	sc->visited++;
	if (ref->link[0] == 'a' && strcmp(ref->link, "anon_inode:[io_uring]") == 0)
		sc->uring = true;
	/* Only a path needs the names: most descriptors a sweep reads are
	 * pipes and sockets, and the names went through every object. */
	if (sc->system_wide && !sc->named && ref->link[0] == '/')
		sc->named = named_objects(sc->store);
	for (size_t i = 0; i < nmechanisms; i++) {
		const struct mechanism *m = mechanisms[i];
		struct ipc_obj_key key;
		struct object *o;

		if (!(m->types & sc->type_mask) || !m->fd_object ||
		    !m->fd_object(ref, sc->named, &key))
			continue;
		if (!(sc->type_mask & (1U << key.type)))
			return;
		o = scanned_object(sc, &key, ref->link);
		if (o || sc->collect)
			add_held(sc, o, &key, ref->pid, ref->fd, proc_fd_ref_mode(ref));
		return;
	}
}

static void visit_map(const struct map_ref *ref, void *ctx)
{
	struct scan *sc = ctx;

	for (size_t i = 0; i < nmechanisms; i++) {
		const struct mechanism *m = mechanisms[i];
		struct ipc_obj_key key;
		unsigned int mode = 0;
		struct object *o;

		if (!(m->types & sc->type_mask) || !m->map_object || !m->map_object(ref, &key, &mode))
			continue;
		if (!(sc->type_mask & (1U << key.type)))
			return;
		o = scanned_object(sc, &key, ref->path);
		add_held(sc, o, &key, ref->pid, -1, mode);
		return;
	}
}

/* Whether a scan of /proc/PID/maps can find anything the store wants. */
static bool wants_maps(struct store *s, unsigned int type_mask, bool create)
{
	GHashTableIter it;
	gpointer v;
	bool any = false;

	for (size_t i = 0; i < nmechanisms; i++)
		any |= mechanisms[i]->map_object && (mechanisms[i]->types & type_mask);
	if (!any || create)
		return any;
	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const struct mechanism *m = mechanism_of(((struct object *)v)->key.type);

		if (m && m->map_object)
			return true;
	}
	return false;
}

static void scan_init(struct scan *sc, struct store *s, unsigned int type_mask)
{
	memset(sc, 0, sizeof(*sc));
	sc->store = s;
	sc->type_mask = type_mask;
	sc->comms = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
}

static void held_proc_free(gpointer p)
{
	g_array_free(((struct held_proc *)p)->held, TRUE);
	g_free(p);
}

struct holders_cache *holders_cache_new(void)
{
	struct holders_cache *c = g_new0(struct holders_cache, 1);

	c->procs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, held_proc_free);
	c->pending = g_hash_table_new(NULL, NULL);
	return c;
}

void holders_cache_free(struct holders_cache *c)
{
	if (!c)
		return;
	g_hash_table_destroy(c->procs);
	g_hash_table_destroy(c->pending);
	g_free(c);
}

/* pid is known by what its last read found (its name, its start time). */
static void remember(struct scan *sc, int pid, const struct held_proc *hp)
{
	struct scanned *p;

	if (g_hash_table_contains(sc->comms, GINT_TO_POINTER(pid)))
		return;
	p = g_new0(struct scanned, 1);
	p->start = hp->start;
	memcpy(p->comm, hp->comm, sizeof(p->comm));
	g_hash_table_insert(sc->comms, GINT_TO_POINTER(pid), p);
}

/* Take off pid's holders of the objects it held at its last read: it is gone. */
static void drop_holders(struct scan *sc, int pid, const struct held_proc *hp)
{
	for (guint i = 0; i < hp->held->len; i++) {
		const struct held *h = &g_array_index(hp->held, struct held, i);
		struct object *o = g_hash_table_lookup(sc->store->objects, &h->key);

		for (guint j = 0; o && j < o->holders->len; j++)
			if (g_array_index(o->holders, struct holder, j).pid == pid) {
				g_array_remove_index_fast(o->holders, j--);
				object_peers_changed(o);
			}
	}
}

/* Its holders of the objects in touched are made again from all it holds
 * (another of its descriptors may hold one of them too). */
static void hold_again(struct scan *sc, int pid, const struct held_proc *hp, GHashTable *touched)
{
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, touched);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		struct object *o = k;

		for (guint j = 0; j < o->holders->len; j++)
			if (g_array_index(o->holders, struct holder, j).pid == pid) {
				g_array_remove_index_fast(o->holders, j--);
				object_peers_changed(o);
			}
	}
	for (guint i = 0; i < hp->held->len; i++) {
		const struct held *h = &g_array_index(hp->held, struct held, i);
		struct object *o = g_hash_table_lookup(sc->store->objects, &h->key);

		if (o && g_hash_table_contains(touched, o))
			add_holder_mode(sc, o, pid, h->fd, h->mode);
	}
}

static void touch(struct scan *sc, GHashTable *touched, const struct ipc_obj_key *key)
{
	struct object *o = g_hash_table_lookup(sc->store->objects, key);

	if (o)
		g_hash_table_add(touched, o);
}

static gint by_fd(gconstpointer a, gconstpointer b)
{
	int x = ((const struct held *)a)->fd, y = ((const struct held *)b)->fd;

	return x < y ? -1 : x != y;
}

/* Whether its descriptors from lo up to hi hold what they held: what a
 * sweep finds nearly always, which then costs no more than the read. */
static bool same_part(const struct held_proc *hp, const GArray *fresh, int lo, int hi)
{
	guint a = 0, b = hp->held->len, n = 0;

	while (a < b) {
		guint mid = a + (b - a) / 2;

		if (g_array_index(hp->held, struct held, mid).fd < lo)
			a = mid + 1;
		else
			b = mid;
	}
	for (; a < hp->held->len; a++, n++) {
		const struct held *h = &g_array_index(hp->held, struct held, a), *f;

		if (h->fd >= hi)
			break;
		if (n >= fresh->len)
			return false;
		f = &g_array_index(fresh, struct held, n);
		if (f->fd != h->fd || f->mode != h->mode || memcmp(&f->key, &h->key, sizeof(f->key)))
			return false;
	}
	return n == fresh->len;
}

/*
 * Read part of a process again: its descriptors from lo on, at most max of
 * them (0: all), if fds; its mappings if maps (read when the store wants
 * them). What it held there goes, what it holds there now comes. Returns the
 * descriptor the read stopped before (INT_MAX: it read to the end).
 */
static int reread(struct scan *sc, int pid, struct held_proc *hp, int lo, unsigned int max,
		  bool fds, bool maps)
{
	GArray *fresh = g_array_new(FALSE, FALSE, sizeof(struct held));
	GHashTable *touched = g_hash_table_new(NULL, NULL);
	int hi = lo;
	guint kept = 0;

	sc->collect = fresh;
	sc->uring = false;
	if (fds)
		hi = proc_scan_fds_from(pid, lo, max, visit_fd, sc);
	if (hi < 0)
		hi = INT_MAX;	/* gone: all of it goes */
	/* Whether it holds an io_uring: a whole read says; a part only adds. */
	if (fds)
		hp->uring = sc->uring || (hp->uring && (lo > 0 || hi != INT_MAX));
	if (maps && sc->maps)
		proc_scan_maps(pid, 0, visit_map, sc);
	sc->collect = NULL;
	if (!maps && same_part(hp, fresh, lo, hi)) {
		g_array_free(fresh, TRUE);
		g_hash_table_destroy(touched);
		return hi;
	}
	for (guint i = 0; i < hp->held->len; i++) {
		const struct held *h = &g_array_index(hp->held, struct held, i);

		if (h->fd < 0 ? maps : h->fd >= lo && h->fd < hi)
			touch(sc, touched, &h->key);
		else
			g_array_index(hp->held, struct held, kept++) = *h;
	}
	g_array_set_size(hp->held, kept);
	for (guint i = 0; i < fresh->len; i++)
		touch(sc, touched, &g_array_index(fresh, struct held, i).key);
	g_array_append_vals(hp->held, fresh->data, fresh->len);
	g_array_sort(hp->held, by_fd);
	if (fresh->len) {
		const struct scanned *p = scan_proc(sc, pid);

		hp->start = p->start;
		memcpy(hp->comm, p->comm, sizeof(hp->comm));
	}
	remember(sc, pid, hp);
	hold_again(sc, pid, hp, touched);
	g_hash_table_destroy(touched);
	g_array_free(fresh, TRUE);
	return hi;
}

static bool same_mark(const struct held_proc *hp, const struct fd_set_mark *m)
{
	/* 0 descriptors is what kernels before 6.2 say of every process. */
	return hp && m->nfds > 0 && hp->mark.nfds == m->nfds && hp->mark.made_ns == m->made_ns;
}

static unsigned int fd_bucket(int pid)
{
	return (unsigned int)pid & (FD_CHANGE_BUCKETS - 1);
}

/* The kernel side says pid's table may have changed since its last whole
 * read began. */
static bool fd_changed_since(const struct holders_cache *c, int pid, const struct held_proc *hp)
{
	return c->fd_changes && c->fd_changes[fd_bucket(pid)] != hp->fd_change;
}

/* Its table is as its last read found it, on the kernel side's word. */
static bool vouched(const struct holders_cache *c, int pid, const struct held_proc *hp)
{
	return c->fd_changes && !hp->pending && !hp->uring && !c->fd_unsure[fd_bucket(pid)] &&
	       !fd_changed_since(c, pid, hp);
}

static gint pid_order(gconstpointer a, gconstpointer b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x != y;
}

/* Where a walk in PID order (pids sorted) goes on: the first at pid or
 * after, or 0 (it wraps round). The sweep and the reads under way go so. */
static guint pid_index_from(const GArray *pids, int pid)
{
	guint i = 0;

	while (i < pids->len && g_array_index(pids, int, i) < pid)
		i++;
	return i < pids->len ? i : 0;
}

/* Whether pid's read of all its descriptors is under way (hp->pending,
 * and c->pending, which the rest of ipctrace sees). */
static void set_pending(struct holders_cache *c, int pid, struct held_proc *hp, bool on)
{
	hp->pending = on;
	hp->resume_fd = 0;
	if (on)
		g_hash_table_add(c->pending, GINT_TO_POINTER(pid));
	else
		g_hash_table_remove(c->pending, GINT_TO_POINTER(pid));
}

/*
 * Go on with a read of all pid's descriptors from hp->resume_fd, within
 * *budget of them, then its mappings once the read is through (and all of
 * it again if its count changed meanwhile). What the part not read yet
 * held at the last read stays.
 */
static void read_on(struct scan *sc, struct holders_cache *c, int pid, struct held_proc *hp,
		    long long *budget)
{
	struct fd_set_mark now;
	int next;

	sc->visited = 0;
	next = reread(sc, pid, hp, hp->resume_fd, (unsigned int)MIN(*budget, INT_MAX), true, false);
	*budget -= MAX(sc->visited, 1);
	if (next != INT_MAX) {
		hp->resume_fd = next;
		return;
	}
	/* Its count changed while the read went on: a descriptor may have come
	 * where the read had been (the lowest free number), and an object held
	 * there only would be taken for closed. Read whole then, once. */
	if (proc_fd_set_mark(pid, &now) && !same_mark(hp, &now)) {
		hp->mark = now;
		reread(sc, pid, hp, 0, 0, true, true);
	} else {
		reread(sc, pid, hp, 0, 0, false, true);
	}
	set_pending(c, pid, hp, false);
}

/*
 * The reads under way go on within the refresh's budget, in turn from the
 * process after the one the last budget ran out in: a process whose count
 * of descriptors keeps changing cannot keep the others waiting.
 */
static void read_pending(struct scan *sc, struct holders_cache *c, long long *budget)
{
	GArray *pids = g_array_new(FALSE, FALSE, sizeof(int));
	GHashTableIter it;
	gpointer k;
	guint start;

	g_hash_table_iter_init(&it, c->pending);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		int pid = GPOINTER_TO_INT(k);

		g_array_append_val(pids, pid);
	}
	g_array_sort(pids, pid_order);
	start = pid_index_from(pids, c->read_last + 1);
	for (guint n = 0; n < pids->len && *budget > 0; n++) {
		int pid = g_array_index(pids, int, (start + n) % pids->len);

		c->read_last = pid;
		read_on(sc, c, pid, g_hash_table_lookup(c->procs, GINT_TO_POINTER(pid)), budget);
	}
	g_array_free(pids, TRUE);
}

/*
 * Read one process's descriptors and mappings afresh, keeping what it holds:
 * at once if it has few or the refresh is not budgeted, else by
 * read_pending(), within the budgets of this refresh and the next ones.
 */
static void rescan(struct scan *sc, struct holders_cache *c, int pid,
		   const struct fd_set_mark *mark, bool budgeted)
{
	struct held_proc *hp = g_hash_table_lookup(c->procs, GINT_TO_POINTER(pid));

	if (!hp) {
		hp = g_new0(struct held_proc, 1);
		hp->held = g_array_new(FALSE, FALSE, sizeof(struct held));
		g_hash_table_insert(c->procs, GINT_TO_POINTER(pid), hp);
	}
	hp->mark = *mark;
	hp->round = c->round;
	hp->replayed = false;
	/* Before the read: a change while it goes on shows at the next. */
	if (c->fd_changes)
		hp->fd_change = c->fd_changes[fd_bucket(pid)];
	set_pending(c, pid, hp, budgeted && mark->nfds > HOLDERS_READ_WHOLE);
	if (!hp->pending)
		reread(sc, pid, hp, 0, 0, true, true);
}

/*
 * An object no process seems to hold would be taken for closed: the
 * processes of its live rows are read again first, in case they opened it
 * under a count of descriptors they had before. Every replayed process's
 * mappings are read again too when such an object is mapped: a mapping is
 * inherited across fork with no descriptor, so whoever else maps an object
 * (and names it, "[shared anonymous]") may be any process.
 */
static void recheck_unheld(struct scan *sc, struct holders_cache *c, bool budgeted)
{
	GHashTable *again = g_hash_table_new(NULL, NULL);
	GHashTableIter it;
	gpointer v, k;
	bool maps = false;

	g_hash_table_iter_init(&it, sc->store->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct object *o = v;
		const struct mechanism *m = mechanism_of(o->key.type);

		if (o->holders->len || !mechanism_is_held(o->key.type))
			continue;
		maps |= m && m->map_object;
		for (guint i = 0; i < o->rows->len; i++) {
			const struct row *r = g_ptr_array_index(o->rows, i);
			const struct held_proc *hp =
				g_hash_table_lookup(c->procs, GINT_TO_POINTER(r->key.tgid));

			if (!r->exited && !r->retired && hp && hp->replayed)
				g_hash_table_add(again, GINT_TO_POINTER(r->key.tgid));
		}
	}
	g_hash_table_iter_init(&it, again);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		struct held_proc *hp = g_hash_table_lookup(c->procs, k);
		struct fd_set_mark mark = hp->mark;

		rescan(sc, c, GPOINTER_TO_INT(k), &mark, budgeted);
	}
	g_hash_table_destroy(again);
	if (!maps || !sc->maps)
		return;
	g_hash_table_iter_init(&it, c->procs);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (((struct held_proc *)v)->replayed)
			reread(sc, GPOINTER_TO_INT(k), v, 0, 0, false, true);
}

/*
 * Objects no refresh had seen (fresh): their holders among what the
 * replayed processes held at their last read, which kept every descriptor
 * of a traced type, its object known then or not: 100,000 new pipes of a
 * process read when it had made them, before it wrote, are not read again.
 */
static void adopt_fresh(struct scan *sc, struct holders_cache *c, GHashTable *fresh)
{
	GHashTableIter it;
	gpointer k, v;

	if (!g_hash_table_size(fresh))
		return;
	g_hash_table_iter_init(&it, c->procs);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const struct held_proc *hp = v;

		if (!hp->replayed)
			continue;
		remember(sc, GPOINTER_TO_INT(k), hp);
		for (guint i = 0; i < hp->held->len; i++) {
			const struct held *h = &g_array_index(hp->held, struct held, i);
			struct object *o = g_hash_table_lookup(sc->store->objects, &h->key);

			if (o && g_hash_table_contains(fresh, o))
				add_holder_mode(sc, o, GPOINTER_TO_INT(k), h->fd, h->mode);
		}
	}
}

/* The descriptors of every process: read again where they may have changed. */
static void refresh_fds(struct scan *sc, struct holders_cache *c, pid_t self, bool full,
			GHashTable *fresh, bool whole)
{
	GArray *pids = g_array_new(FALSE, FALSE, sizeof(int));
	long long left = c->budget, *budget = c->budget > 0 && !whole ? &left : NULL;
	GHashTableIter it;
	gpointer k, v;

	c->round++;
	proc_pids(self, pids);
	for (guint i = 0; i < pids->len; i++) {
		int pid = g_array_index(pids, int, i);
		struct held_proc *hp = g_hash_table_lookup(c->procs, GINT_TO_POINTER(pid));
		struct fd_set_mark mark;

		if (!proc_fd_set_mark(pid, &mark))
			continue;	/* gone, or a kernel thread */
		if (!full && hp && hp->pending) {
			/* A read under way goes on (read_pending()), or is done
			 * whole; a change since is read by the next one (its mark
			 * is the one this read began with). */
			hp->round = c->round;
			hp->replayed = false;
			if (!budget)
				rescan(sc, c, pid, &hp->mark, false);
		} else if (!full && same_mark(hp, &mark) && !fd_changed_since(c, pid, hp)) {
			/* Its holders stay where its last read put them. */
			hp->round = c->round;
			hp->replayed = true;
		} else {
			rescan(sc, c, pid, &mark, budget != NULL);
		}
	}
	g_array_free(pids, TRUE);
	g_hash_table_iter_init(&it, c->procs);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		if (((struct held_proc *)v)->round == c->round)
			continue;
		drop_holders(sc, GPOINTER_TO_INT(k), v);
		g_hash_table_remove(c->pending, k);
		g_hash_table_iter_remove(&it);
	}
	if (!full) {
		adopt_fresh(sc, c, fresh);
		recheck_unheld(sc, c, budget != NULL);
	}
	if (budget)
		read_pending(sc, c, budget);
}

static GHashTable *named_objects(struct store *s)
{
	GHashTable *named = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct object *o = v;

		if (o->name && o->name[0] == '/')
			g_hash_table_add(named, o->name);
	}
	return named;
}

/*
 * The processes read, in PID order, the order the sweeps go in: all for
 * the sweep, which reads the descriptors of those not vouched for (*nfds
 * of them) and the mappings of the others (if maps: one each in *nfds);
 * the vouched ones for the slow sweep, which reads their descriptors
 * (*slow_nfds).
 */
static GArray *swept_pids(struct holders_cache *c, bool maps, long long *nfds,
			  GArray **slow, long long *slow_nfds)
{
	GArray *pids = g_array_new(FALSE, FALSE, sizeof(int));
	GHashTableIter it;
	gpointer k, v;

	*slow = g_array_new(FALSE, FALSE, sizeof(int));
	*nfds = *slow_nfds = 0;
	g_hash_table_iter_init(&it, c->procs);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const struct held_proc *hp = v;
		int pid = GPOINTER_TO_INT(k);

		g_array_append_val(pids, pid);
		if (vouched(c, pid, hp)) {
			g_array_append_val(*slow, pid);
			*slow_nfds += hp->mark.nfds;
			*nfds += maps;
		} else {
			*nfds += hp->mark.nfds;
		}
	}
	g_array_sort(pids, pid_order);
	g_array_sort(*slow, pid_order);
	return pids;
}

/*
 * Go on with a sweep through budget descriptors: the process it is in
 * from the descriptor it stopped at, then the next ones in PID order. A
 * process whose descriptors changed is left to the next refresh, which
 * reads it whole. The sweep (not slow) reads only the mappings of a
 * process the kernel side vouches for, the slow one only descriptors.
 */
static void sweep(struct scan *sc, struct holders_cache *c, GArray *pids, long long budget,
		  struct sweep_cursor *at, bool slow)
{
	guint i = pid_index_from(pids, at->pid);

	for (guint n = 0; n < pids->len && budget > 0; n++, i++) {
		int pid = g_array_index(pids, int, i % pids->len), next = INT_MAX;
		struct held_proc *hp = g_hash_table_lookup(c->procs, GINT_TO_POINTER(pid));
		struct fd_set_mark mark;

		if (pid != at->pid)
			at->fd = 0;
		at->pid = pid;
		if (!slow && vouched(c, pid, hp)) {
			if (sc->maps) {
				reread(sc, pid, hp, 0, 0, false, true);
				budget--;
			}
		} else if (!hp->pending && !fd_changed_since(c, pid, hp) &&
			   proc_fd_set_mark(pid, &mark) && same_mark(hp, &mark)) {
			sc->visited = 0;
			next = reread(sc, pid, hp, at->fd, (unsigned int)MIN(budget, INT_MAX),
				      true, false);
			budget -= MAX(sc->visited, 1);
			if (next != INT_MAX) {
				at->fd = next;
				return;
			}
			/* Its mappings with its last descriptors. */
			if (!slow)
				reread(sc, pid, hp, 0, 0, false, true);
		}
		at->pid = g_array_index(pids, int, (i + 1) % pids->len);
		at->fd = 0;
		if (at->pid == pid)
			return;
	}
}

void holders_sweep(struct store *s, unsigned int type_mask, struct holders_cache *c, double now)
{
	struct scan sc;
	long long nfds, slow_nfds;
	double dt;
	GArray *pids, *slow;

	if (!c->read || c->stale || !g_hash_table_size(s->objects) || now <= c->sweep_at)
		return;
	scan_init(&sc, s, type_mask);
	sc.system_wide = true;
	sc.maps = wants_maps(s, type_mask, false);
	pids = swept_pids(c, sc.maps, &nfds, &slow, &slow_nfds);
	/* Each descriptor within HOLDERS_SWEEP_S (HOLDERS_SWEEP_VOUCHED_S): a
	 * share by the time gone since the last step, but no more than a step's
	 * worth, so that an interval made late (a starved ipctrace) does not
	 * make the next one later. */
	dt = now - c->sweep_at;
	if (c->step_max > 0 && dt > c->step_max)
		dt = c->step_max;
	if (c->sweep_at && pids->len)
		sweep(&sc, c, pids, (long long)((double)nfds * dt / HOLDERS_SWEEP_S) + 1,
		      &c->sweep, false);
	if (c->sweep_at && slow->len)
		sweep(&sc, c, slow,
		      (long long)((double)slow_nfds * dt / HOLDERS_SWEEP_VOUCHED_S) + 1,
		      &c->sweep_slow, true);
	c->sweep_at = now;
	if (sc.named)
		g_hash_table_destroy(sc.named);
	g_hash_table_destroy(sc.comms);
	g_array_free(pids, TRUE);
	g_array_free(slow, TRUE);
}

void holders_refresh(struct store *s, unsigned int type_mask, pid_t self,
		     struct holders_cache *c, double now, bool whole)
{
	struct scan sc;
	GHashTable *fresh;
	GHashTableIter it;
	gpointer v;
	bool full = !c->read || c->stale;

	if (g_hash_table_size(s->objects) == 0)
		return;
	scan_init(&sc, s, type_mask);
	sc.system_wide = true;
	fresh = g_hash_table_new(NULL, NULL);
	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct object *o = v;

		/* A full read finds every holder anew. */
		if (full && o->holders->len) {
			g_array_set_size(o->holders, 0);
			object_peers_changed(o);
		}
		if (!o->holders_read)
			g_hash_table_add(fresh, o);
		o->holders_read = true;
	}
	if (full) {
		g_hash_table_remove_all(c->procs);
		g_hash_table_remove_all(c->pending);
	}
	sc.maps = wants_maps(s, type_mask, false);
	refresh_fds(&sc, c, self, full, fresh, whole);
	c->read = true;
	c->stale = false;
	g_hash_table_destroy(fresh);
	if (sc.named)
		g_hash_table_destroy(sc.named);
	g_hash_table_destroy(sc.comms);
	holders_sweep(s, type_mask, c, now);
}

void holders_sweep_pace(struct holders_cache *c, double step_max)
{
	c->step_max = step_max;
}

void holders_fd_changes(struct holders_cache *c, const volatile __u32 *changes,
			const volatile __u8 *unsure)
{
	c->fd_changes = changes;
	c->fd_unsure = unsure;
}

void holders_read_budget(struct holders_cache *c, long long budget)
{
	c->budget = budget;
}

GHashTable *holders_pending(const struct holders_cache *c)
{
	return c->pending;
}

void holders_cache_stale(struct holders_cache *c)
{
	c->stale = true;
}

void holders_of_process(struct store *s, unsigned int type_mask, pid_t pid)
{
	struct scan sc;

	scan_init(&sc, s, type_mask);
	sc.create = true;
	proc_scan_fds(pid, 0, visit_fd, &sc);
	if (wants_maps(s, type_mask, true))
		proc_scan_maps(pid, 0, visit_map, &sc);
	g_hash_table_destroy(sc.comms);
}
