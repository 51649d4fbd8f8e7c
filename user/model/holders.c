// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "model/holders.h"
#include "model/mechanism.h"
#include "model/procfs.h"

/* One descriptor or mapping of a process that holds an object of the store. */
struct held {
	struct ipc_obj_key key;
	int fd;			/* -1: a mapping */
	unsigned int mode;	/* enum hold_mode bits */
};

/* A process as the last scan of its descriptors found it. */
struct held_proc {
	struct fd_set_mark mark;
	__u32 start;
	char comm[COMM_LEN];
	GArray *held;		/* struct held */
	unsigned int round;	/* the last refresh that found it in /proc */
	bool replayed;		/* that refresh took its holdings from here */
};

/*
 * The system-wide refresh reads again (descriptors and mappings) only the
 * processes whose descriptors may have changed (struct fd_set_mark), and
 * those of objects left with no holder; the rest hold what they held, left
 * on the objects as they are (taken off when the process is read again or
 * gone), so that a refresh costs what changed, not what is held. All are
 * read every FULL_SCAN_S, so that a descriptor closed and another opened
 * under one count, or a mapping made or gone with no descriptor kept, is
 * seen too.
 */
#define FULL_SCAN_S 30.0

struct holders_cache {
	GHashTable *procs;	/* pid -> struct held_proc */
	unsigned int round;
	double last_full;	/* 0: never */
	bool stale;		/* holders came from elsewhere: read all again */
};

struct scan {
	struct store *store;
	unsigned int type_mask;
	GHashTable *named;	/* names of named objects, for the system-wide scan */
	bool create;		/* add objects not yet in the store */
	GHashTable *comms;	/* pid -> struct scanned */
	struct held_proc *cur;	/* the process being read, whose holdings are kept */
	bool maps;		/* its /proc/PID/maps too */
};

void object_set_name(struct object *o, const char *kernel_name)
{
	char buf[IPC_NAME_LEN];
	const struct mechanism *m;

	if (o->name && (!kernel_name || !kernel_name[0]))
		return;
	g_free(o->name);
	if (object_is_overflow(o)) {
		o->name = g_strdup(OVERFLOW_NAME);
		return;
	}
	o->name_is_default = !(kernel_name && kernel_name[0]);
	if (!o->name_is_default) {
		o->name = g_strdup(kernel_name);
		return;
	}
	m = mechanism_of(o->key.type);
	if (m && m->default_name)
		m->default_name(&o->key, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "%u:%llu", o->key.dev, (unsigned long long)o->key.ino);
	o->name = g_strdup(buf);
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
}

/* Add a holder, and keep it among what the process being read holds. */
static void add_held(struct scan *sc, struct object *o, int pid, int fd, unsigned int mode)
{
	add_holder_mode(sc, o, pid, fd, mode);
	if (sc->cur) {
		struct held h = { .key = o->key, .fd = fd, .mode = mode };
		const struct scanned *p = scan_proc(sc, pid);

		g_array_append_val(sc->cur->held, h);
		sc->cur->start = p->start;
		memcpy(sc->cur->comm, p->comm, sizeof(sc->cur->comm));
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

	if (path[0] != '/') {
		object_set_name(o, NULL);
		return;
	}
	g_strlcpy(info.name, path, sizeof(info.name));
	n = strlen(info.name);
	if (n > sizeof(deleted) - 1 && strcmp(info.name + n - (sizeof(deleted) - 1), deleted) == 0)
		info.name[n - (sizeof(deleted) - 1)] = '\0';
	if (m && m->describe && !mechanism_is_endpoint(o->key.type))
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
	struct object *o;

	if (!(sc->type_mask & (1U << key->type)))
		return NULL;
	o = g_hash_table_lookup(sc->store->objects, key);
	if (!o && sc->create) {
		o = store_object(sc->store, key);
		name_from_path(o, path);
	} else if (o && o->name_is_default) {
		name_from_path(o, path);	/* counted before anyone named it */
	}
	return o;
}

static void visit_fd(const struct fd_ref *ref, void *ctx)
{
	struct scan *sc = ctx;

	for (size_t i = 0; i < nmechanisms; i++) {
		const struct mechanism *m = mechanisms[i];
		struct ipc_obj_key key;
		struct object *o;

		if (!(m->types & sc->type_mask) || !m->fd_object ||
		    !m->fd_object(ref, sc->named, &key))
			continue;
		o = scanned_object(sc, &key, ref->link);
		if (o)
			add_held(sc, o, ref->pid, ref->fd, proc_fd_ref_mode(ref));
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
		o = scanned_object(sc, &key, ref->path);
		if (o)
			add_held(sc, o, ref->pid, -1, mode);
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
	return c;
}

void holders_cache_free(struct holders_cache *c)
{
	if (!c)
		return;
	g_hash_table_destroy(c->procs);
	g_free(c);
}

/* What a process held at its last read, as holders again, of the objects
 * still in the store (their holders from descriptors only, when fds_only). */
static void replay(struct scan *sc, int pid, const struct held_proc *hp)
{
	for (guint i = 0; i < hp->held->len; i++) {
		const struct held *h = &g_array_index(hp->held, struct held, i);
		struct object *o = g_hash_table_lookup(sc->store->objects, &h->key);
		struct scanned *p;

		if (!o || h->fd < 0)
			continue;
		if (!g_hash_table_contains(sc->comms, GINT_TO_POINTER(pid))) {
			p = g_new0(struct scanned, 1);
			p->start = hp->start;
			memcpy(p->comm, hp->comm, sizeof(p->comm));
			g_hash_table_insert(sc->comms, GINT_TO_POINTER(pid), p);
		}
		add_holder_mode(sc, o, pid, h->fd, h->mode);
	}
}

/* Take back what it held at its last read: the process is read afresh, or gone. */
static void unreplay(struct scan *sc, int pid, const struct held_proc *hp)
{
	for (guint i = 0; i < hp->held->len; i++) {
		const struct held *h = &g_array_index(hp->held, struct held, i);
		struct object *o = g_hash_table_lookup(sc->store->objects, &h->key);

		for (guint j = 0; o && j < o->holders->len; j++)
			if (g_array_index(o->holders, struct holder, j).pid == pid)
				g_array_remove_index_fast(o->holders, j--);
	}
}

/* Read one process's descriptors afresh, keeping what it holds. */
static void rescan(struct scan *sc, struct holders_cache *c, int pid,
		   const struct fd_set_mark *mark)
{
	struct held_proc *hp = g_new0(struct held_proc, 1);

	hp->mark = *mark;
	hp->held = g_array_new(FALSE, FALSE, sizeof(struct held));
	hp->round = c->round;
	g_hash_table_replace(c->procs, GINT_TO_POINTER(pid), hp);
	sc->cur = hp;
	proc_scan_fds(pid, 0, visit_fd, sc);
	if (sc->maps)
		proc_scan_maps(pid, 0, visit_map, sc);
	sc->cur = NULL;
}

static bool same_mark(const struct held_proc *hp, const struct fd_set_mark *m)
{
	/* 0 descriptors is what kernels before 6.2 say of every process. */
	return hp && m->nfds > 0 && hp->mark.nfds == m->nfds && hp->mark.made_ns == m->made_ns;
}

/*
 * An object no process seems to hold would be taken for closed: the
 * processes of its live rows are read again first, in case they opened it
 * under a count of descriptors they had before.
 */
/*
 * Every replayed process's mappings, read again: a mapping is inherited
 * across fork with no descriptor, so whoever else maps an object (and names
 * it, "[shared anonymous]") may be any process. Only when such an object is
 * found unheld.
 */
static void reread_maps(struct scan *sc, struct holders_cache *c)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, c->procs);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct held_proc *hp = v;

		if (!hp->replayed)
			continue;
		/* Its mappings come back from the read: none kept twice, and one
		 * gone since is gone from its object too. */
		unreplay(sc, GPOINTER_TO_INT(k), hp);
		for (guint i = 0; i < hp->held->len; i++)
			if (g_array_index(hp->held, struct held, i).fd < 0)
				g_array_remove_index_fast(hp->held, i--);
		replay(sc, GPOINTER_TO_INT(k), hp);
		sc->cur = hp;
		proc_scan_maps(GPOINTER_TO_INT(k), 0, visit_map, sc);
		sc->cur = NULL;
	}
}

static void recheck_unheld(struct scan *sc, struct holders_cache *c)
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
		int pid = GPOINTER_TO_INT(k);
		struct held_proc *hp = g_hash_table_lookup(c->procs, k);
		struct fd_set_mark mark = hp->mark;

		unreplay(sc, pid, hp);
		rescan(sc, c, pid, &mark);
	}
	g_hash_table_destroy(again);
	if (maps && sc->maps)
		reread_maps(sc, c);
}

/* The descriptors of every process: read again where they may have changed. */
static void refresh_fds(struct scan *sc, struct holders_cache *c, pid_t self, bool full)
{
	GArray *pids = g_array_new(FALSE, FALSE, sizeof(int));
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
		if (!full && same_mark(hp, &mark)) {
			/* Its holders stay where its last read put them. */
			hp->round = c->round;
			hp->replayed = true;
		} else {
			if (hp && !full)
				unreplay(sc, pid, hp);
			rescan(sc, c, pid, &mark);
		}
	}
	g_array_free(pids, TRUE);
	g_hash_table_iter_init(&it, c->procs);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		if (((struct held_proc *)v)->round == c->round)
			continue;
		if (!full)
			unreplay(sc, GPOINTER_TO_INT(k), v);
		g_hash_table_iter_remove(&it);
	}
	if (!full)
		recheck_unheld(sc, c);
}

void holders_refresh(struct store *s, unsigned int type_mask, pid_t self,
		     struct holders_cache *c, double now)
{
	struct scan sc;
	GHashTableIter it;
	gpointer v;
	bool full = !c->last_full || c->stale || now - c->last_full >= FULL_SCAN_S;

	if (g_hash_table_size(s->objects) == 0)
		return;
	scan_init(&sc, s, type_mask);
	sc.named = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct object *o = v;

		/* A full read finds every holder anew. */
		if (full)
			g_array_set_size(o->holders, 0);
		if (o->name && o->name[0] == '/')
			g_hash_table_add(sc.named, o->name);
	}
	sc.maps = wants_maps(s, type_mask, false);
	refresh_fds(&sc, c, self, full);
	if (full) {
		c->last_full = now;
		c->stale = false;
	}
	g_hash_table_destroy(sc.named);
	g_hash_table_destroy(sc.comms);
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
