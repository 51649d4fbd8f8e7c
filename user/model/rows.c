// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "model/rows.h"
#include "model/mechanism.h"

static guint ipc_key_hash(gconstpointer p)
{
	const struct ipc_key *k = p;
	guint64 h = k->ino * 0x9E3779B97F4A7C15ULL;

	h ^= ((guint64)k->tgid << 32 | k->dev) * 0xC2B2AE3D27D4EB4FULL;
	h ^= ((guint64)k->start << 16 | k->type << 8 | k->dir) * 0x165667B19E3779F9ULL;
	return (guint)(h ^ h >> 32);
}

static gboolean ipc_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct ipc_key)) == 0;
}

static guint obj_key_hash(gconstpointer p)
{
	const struct ipc_obj_key *k = p;
	guint64 h = k->ino * 0x9E3779B97F4A7C15ULL ^ ((guint64)k->dev << 8 | k->type);

	return (guint)(h ^ h >> 32);
}

static gboolean obj_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct ipc_obj_key)) == 0;
}

/*
 * Lists most rows and objects never fill (a pipe's rows have no labels, its
 * objects no linked ends or remote addresses) share one empty list of their
 * kind until they get their first element: their own headers were 16 MB at
 * 100,000 pipes. Only this file adds to them, through own_*().
 */
static GArray *no_peers, *no_labels;
static GPtrArray *no_objs, *no_remotes;

static void empty_lists_init(void)
{
	if (no_peers)
		return;
	no_peers = g_array_new(FALSE, TRUE, sizeof(struct peer));
	no_labels = g_array_new(FALSE, TRUE, sizeof(struct label_count));
	no_objs = g_ptr_array_new();
	no_remotes = g_ptr_array_new();
}

static GArray *own_array(GArray **a, GArray *shared, guint size)
{
	if (*a == shared)
		*a = g_array_new(FALSE, TRUE, size);
	return *a;
}

static GPtrArray *own_ptrs(GPtrArray **a, GPtrArray *shared, GDestroyNotify free_fn)
{
	if (*a == shared)
		*a = g_ptr_array_new_with_free_func(free_fn);
	return *a;
}

GArray *row_own_peers(struct row *r)
{
	return own_array(&r->peers, no_peers, sizeof(struct peer));
}

/*
 * A row's peers are worked out again into a list of their own: a list once
 * made is never changed, so that a copy of the row (the interactive table's
 * snapshot of a frame, which a paused screen keeps while the store moves on)
 * takes a reference to it rather than a copy each frame.
 */
static void row_peers_restart(struct row *r)
{
	if (r->peers != no_peers) {
		g_array_unref(r->peers);
		r->peers = no_peers;
	}
}

static GArray *list_copy(GArray *a, GArray *shared)
{
	return a->len ? g_array_copy(a) : g_array_ref(shared);
}

void row_lists_copy(const struct row *r, GArray **peers, GArray **labels)
{
	*peers = g_array_ref(r->peers);		/* never changed: row_peers_restart() */
	*labels = list_copy(r->labels, no_labels);
}

static void free_array(GArray *a, GArray *shared)
{
	/* Not g_array_free(), which empties a list that copies still hold. */
	if (a != shared)
		g_array_unref(a);
}

static void free_ptrs(GPtrArray *a, GPtrArray *shared)
{
	if (a != shared)
		g_ptr_array_free(a, TRUE);
}

static void row_free(gpointer p)
{
	struct row *r = p;

	if (!r)
		return;
	free_array(r->peers, no_peers);
	if (r->title)
		g_ref_string_release(r->title);
	free_array(r->labels, no_labels);
	g_free(r->hist);
	g_free(r->attrs);
	g_free(r);
}

static void object_free(gpointer p)
{
	struct object *o = p;

	g_free(o->name);
	g_array_free(o->holders, TRUE);
	g_ptr_array_free(o->rows, TRUE);
	free_ptrs(o->peer_objs, no_objs);
	free_ptrs(o->remotes, no_remotes);
	g_free(o->priv);
	g_free(o->attrs);
	g_free(o);
}

static void title_memo_free(gpointer v)
{
	struct title_memo *m = v;

	if (m->title)
		g_ref_string_release(m->title);
	g_free(m);
}

struct store *store_new(void)
{
	struct store *s = g_new0(struct store, 1);

	empty_lists_init();
	/* Rows are owned by `live` until retired, then by `retired`. */
	s->live = g_hash_table_new_full(ipc_key_hash, ipc_key_equal, NULL, row_free);
	s->retired = g_ptr_array_new_with_free_func(row_free);
	s->objects = g_hash_table_new_full(obj_key_hash, obj_key_equal, NULL, object_free);
	s->titles = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, title_memo_free);
	s->proc_rows = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
					     (GDestroyNotify)g_ptr_array_unref);
	s->pending_removals = g_array_new(FALSE, FALSE, sizeof(struct pending_removal));
	return s;
}

/* Rows are about to be freed: store_select() starts afresh. */
static void order_forget(struct store *s)
{
	if (s->order)
		g_ptr_array_free(s->order, TRUE);
	s->order = NULL;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	order_forget(s);
	g_hash_table_destroy(s->live);
	g_ptr_array_free(s->retired, TRUE);
	g_hash_table_destroy(s->objects);
	g_hash_table_destroy(s->titles);
	g_hash_table_destroy(s->proc_rows);
	g_array_free(s->pending_removals, TRUE);
	g_free(s);
}

struct object *store_object(struct store *s, const struct ipc_obj_key *key)
{
	struct object *o = g_hash_table_lookup(s->objects, key);

	if (o)
		return o;
	o = g_new0(struct object, 1);
	o->key = *key;
	o->peers_changed = true;
	o->holders = g_array_new(FALSE, TRUE, sizeof(struct holder));
	o->rows = g_ptr_array_new();
	o->peer_objs = no_objs;
	o->remotes = no_remotes;
	g_hash_table_insert(s->objects, &o->key, o);
	return o;
}

void object_peers_changed(struct object *o)
{
	o->peers_changed = true;
}

void row_set_comm(struct row *r, const char *comm)
{
	if (strncmp(r->comm, comm, sizeof(r->comm)) == 0)
		return;
	g_strlcpy(r->comm, comm, sizeof(r->comm));
	object_peers_changed(r->obj);
}

void row_set_exited(struct row *r)
{
	if (r->exited)
		return;
	r->exited = true;
	object_peers_changed(r->obj);
}

void object_link(struct object *a, struct object *b)
{
	object_peers_changed(a);
	object_peers_changed(b);
	if (!g_ptr_array_find(a->peer_objs, b, NULL))
		g_ptr_array_add(own_ptrs(&a->peer_objs, no_objs, NULL), b);
	if (!g_ptr_array_find(b->peer_objs, a, NULL))
		g_ptr_array_add(own_ptrs(&b->peer_objs, no_objs, NULL), a);
}

void object_add_remote(struct object *o, const char *remote)
{
	for (guint i = 0; i < o->remotes->len; i++)
		if (strcmp(g_ptr_array_index(o->remotes, i), remote) == 0)
			return;
	g_ptr_array_add(own_ptrs(&o->remotes, no_remotes, g_free), g_strdup(remote));
	object_peers_changed(o);
}

void object_drop_remote(struct object *o, const char *remote)
{
	for (guint i = 0; i < o->remotes->len; i++)
		if (strcmp(g_ptr_array_index(o->remotes, i), remote) == 0) {
			g_ptr_array_remove_index(o->remotes, i);
			object_peers_changed(o);
			return;
		}
}

void store_attr_set(struct attr **attrs, int *n, const char *key, __s64 value)
{
	for (int i = 0; i < *n; i++) {
		/* Keys are mostly the mechanisms' own constants: the same pointer. */
		if ((*attrs)[i].key == key || strcmp((*attrs)[i].key, key) == 0) {
			(*attrs)[i].value = value;
			return;
		}
	}
	if (*n >= MAX_ATTRS)
		return;
	*attrs = g_renew(struct attr, *attrs, *n + 1);
	(*attrs)[(*n)++] = (struct attr){ key, value };
}

const struct attr *store_attr_find(const struct attr *attrs, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(attrs[i].key, key) == 0)
			return &attrs[i];
	return NULL;
}

void row_set_label(struct row *r, __s64 label, __u64 ops, __u64 bytes)
{
	guint i;

	for (i = 0; i < r->labels->len; i++) {
		struct label_count *l = &g_array_index(r->labels, struct label_count, i);

		if (l->label == label) {
			l->ops = ops;
			l->bytes = bytes;
			return;
		}
		if (l->label > label)
			break;
	}
	struct label_count l = { .label = label, .ops = ops, .bytes = bytes };

	g_array_insert_val(own_array(&r->labels, no_labels, sizeof(l)), i, l);
}

static void proc_rows_add(struct store *s, struct row *r)
{
	GPtrArray *rows = g_hash_table_lookup(s->proc_rows, row_proc(r));

	if (!rows) {
		rows = g_ptr_array_new();
		g_hash_table_insert(s->proc_rows, row_proc(r), rows);
	}
	r->proc_slot = rows->len;
	g_ptr_array_add(rows, r);
}

/* In constant time: a process that exits takes its thousands of rows out
 * one by one. */
static void proc_rows_remove(struct store *s, struct row *r)
{
	GPtrArray *rows = g_hash_table_lookup(s->proc_rows, row_proc(r));

	g_ptr_array_remove_index_fast(rows, r->proc_slot);
	if (r->proc_slot < rows->len)
		((struct row *)g_ptr_array_index(rows, r->proc_slot))->proc_slot = r->proc_slot;
	if (!rows->len)
		g_hash_table_remove(s->proc_rows, row_proc(r));
}

const GPtrArray *store_proc_rows(const struct store *s, gpointer proc)
{
	return g_hash_table_lookup(s->proc_rows, proc);
}

struct row *store_update(struct store *s, const struct ipc_key *key,
			 __u64 bytes, __u64 ops, bool *created)
{
	struct row *r = g_hash_table_lookup(s->live, key);

	*created = false;
	if (!r) {
		struct ipc_obj_key ok = { .ino = key->ino, .dev = key->dev, .type = key->type };

		r = g_new0(struct row, 1);
		r->key = *key;
		r->peers = no_peers;
		r->labels = no_labels;
		r->obj = store_object(s, &ok);
		g_ptr_array_add(r->obj->rows, r);
		object_peers_changed(r->obj);
		g_hash_table_insert(s->live, &r->key, r);
		proc_rows_add(s, r);
		*created = true;
	}
	r->bytes = bytes;
	r->ops = ops;
	return r;
}

struct row *store_find_row(struct store *s, const struct ipc_key *key)
{
	struct ipc_obj_key ok = { .ino = key->ino, .dev = key->dev, .type = key->type };
	struct row *r = g_hash_table_lookup(s->live, key);
	struct object *o;

	if (r)
		return r;
	/* Retired: its object keeps it, until the object is forgotten too. */
	o = g_hash_table_lookup(s->objects, &ok);
	for (guint i = 0; o && i < o->rows->len; i++) {
		r = g_ptr_array_index(o->rows, i);
		if (r->key.tgid == key->tgid && r->key.dir == key->dir)
			return r;
	}
	return NULL;
}

void store_rates(struct store *s, double elapsed_s)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, s->live);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct row *r = v;

		if (elapsed_s > 0) {
			r->bytes_per_s = (double)(r->bytes - r->prev_bytes) / elapsed_s;
			r->ops_per_s = (double)(r->ops - r->prev_ops) / elapsed_s;
			r->wait_share = (double)(r->wait_ns - r->prev_wait_ns) / 1e9 / elapsed_s;
		}
		r->prev_bytes = r->bytes;
		r->prev_ops = r->ops;
		r->prev_wait_ns = r->wait_ns;
	}
}

GPtrArray *store_mark_closed(struct store *s, GHashTable *pending)
{
	GPtrArray *closed = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, s->live);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct row *r = v;
		const struct object *o = r->obj;
		bool gone = object_is_overflow(o) ? false : mechanism_is_held(o->key.type) ? o->holders->len == 0
						      : store_attr_find(o->attrs, o->nattrs, "removed") != NULL;

		if (r->exited || r->closed || !gone ||
		    (pending && g_hash_table_contains(pending, GINT_TO_POINTER(r->key.tgid))))
			continue;
		r->closed = true;
		g_ptr_array_add(closed, r);
	}
	return closed;
}

static void unlink_object(struct store *s, struct object *o)
{
	for (guint i = 0; i < o->peer_objs->len; i++) {
		struct object *p = g_ptr_array_index(o->peer_objs, i);

		g_ptr_array_remove_fast(p->peer_objs, o);
		object_peers_changed(p);
	}
	g_hash_table_remove(s->objects, &o->key);
}

/* o's rows but those in gone, in their order. */
static void drop_rows(struct object *o, GHashTable *gone)
{
	guint kept = 0;

	for (guint i = 0; i < o->rows->len; i++) {
		gpointer r = g_ptr_array_index(o->rows, i);

		if (!g_hash_table_contains(gone, r))
			o->rows->pdata[kept++] = r;
	}
	g_ptr_array_set_size(o->rows, kept);
	object_peers_changed(o);
}

/*
 * The oldest retired rows beyond keep become totals; their objects go once
 * unused. Each object's rows are filtered once, however many of them go: a
 * pipe into which ten thousand children each wrote once folds ten thousand
 * rows an interval in a fork storm, and taking them out one by one (a
 * search of the object's rows each) would cost their square.
 */
static void fold_oldest(struct store *s, guint keep)
{
	guint excess = s->retired->len - keep;
	GHashTable *gone = g_hash_table_new(NULL, NULL), *objs = g_hash_table_new(NULL, NULL);
	GHashTableIter it;
	gpointer o;

	order_forget(s);

	for (guint i = 0; i < excess; i++) {
		struct row *r = g_ptr_array_index(s->retired, i);

		/* A row never shown (a file every process maps read-only, a
		 * stranger's with -p) is not in the totals shown either. */
		if (r->listed) {
			s->folded.rows++;
			s->folded.bytes += r->bytes;
			s->folded.ops += r->ops;
		}
		g_hash_table_add(gone, r);
		g_hash_table_add(objs, r->obj);
	}
	g_hash_table_iter_init(&it, objs);
	while (g_hash_table_iter_next(&it, &o, NULL)) {
		drop_rows(o, gone);
		if (!((struct object *)o)->rows->len && !((struct object *)o)->holders->len)
			unlink_object(s, o);
	}
	g_hash_table_destroy(objs);
	g_hash_table_destroy(gone);
	g_ptr_array_remove_range(s->retired, 0, excess);
}

void store_retire(struct store *s)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, s->live);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct row *r = v;

		if (!r->exited && !r->closed)
			continue;
		r->retired = true;
		r->bytes_per_s = r->ops_per_s = 0;
		g_hash_table_iter_steal(&it);
		proc_rows_remove(s, r);
		g_ptr_array_add(s->retired, r);
	}
	if (s->retired->len > MAX_RETIRED)
		fold_oldest(s, MAX_RETIRED);
}

void store_mark_exited(struct store *s, GHashTable *procs)
{
	if (!g_hash_table_size(procs))
		return;
	for (guint i = 0; i < s->retired->len; i++) {
		struct row *r = g_ptr_array_index(s->retired, i);

		if (!r->exited && g_hash_table_contains(procs, row_proc(r)))
			row_set_exited(r);
	}
}

void store_forget_retired(struct store *s)
{
	if (s->retired->len)
		fold_oldest(s, 0);
	s->folded = (struct folded){ 0 };
}

/*
 * Peers as they are gathered: a process once, however many rows or holders
 * name it. Past a few, where each process is in the array is kept in a
 * hash, so that a pipe read by one process and written by ten thousand
 * children (a fork storm's) costs ten thousand steps, not their square.
 */
struct peer_gather {
	GArray *peers;
	GHashTable *at;		/* proc_id() -> position + 1, once peers is long */
};

#define GATHER_INDEX_AT 16

static struct peer *gather_find(struct peer_gather *g, int pid, __u32 start)
{
	if (!g->at && g->peers->len >= GATHER_INDEX_AT) {
		g->at = g_hash_table_new(NULL, NULL);
		for (guint i = 0; i < g->peers->len; i++) {
			const struct peer *p = &g_array_index(g->peers, struct peer, i);

			g_hash_table_insert(g->at, proc_id(p->pid, p->start), GUINT_TO_POINTER(i + 1));
		}
	}
	if (g->at) {
		guint i = GPOINTER_TO_UINT(g_hash_table_lookup(g->at, proc_id(pid, start)));

		return i ? &g_array_index(g->peers, struct peer, i - 1) : NULL;
	}
	for (guint i = 0; i < g->peers->len; i++) {
		struct peer *p = &g_array_index(g->peers, struct peer, i);

		if (p->pid == pid && p->start == start)
			return p;
	}
	return NULL;
}

/* A peer is a process, a PID and a start time: one that exited and a new
 * one with its PID are two. Returns its place in g->peers. */
static guint gather_add(struct peer_gather *g, int pid, __u32 start, const char *comm,
			bool exited)
{
	struct peer *found = gather_find(g, pid, start);
	struct peer p = { .pid = pid, .start = start, .exited = exited };

	if (found) {
		found->exited = found->exited && exited;
		return (guint)(found - &g_array_index(g->peers, struct peer, 0));
	}
	g_strlcpy(p.comm, comm, sizeof(p.comm));
	g_array_append_val(g->peers, p);
	if (g->at)
		g_hash_table_insert(g->at, proc_id(pid, start), GUINT_TO_POINTER(g->peers->len));
	return g->peers->len - 1;
}

static void gather_done(struct peer_gather *g)
{
	if (g->at)
		g_hash_table_destroy(g->at);
	g->at = NULL;
}

int peer_compare(const struct peer *x, const struct peer *y)
{

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return strcmp(x->remote, y->remote);
}

static void add_remote_peer(struct row *r, const char *remote)
{
	struct peer p = { .pid = 0 };

	g_strlcpy(p.remote, remote, sizeof(p.remote));
	g_strlcpy(p.comm, "remote", sizeof(p.comm));
	g_array_append_val(row_own_peers(r), p);
}

/* Traffic the other way on an object, and its holders with access mode `mode`. */
static void peers_on(struct peer_gather *g, const struct row *r, const struct object *o,
		     unsigned int mode)
{
	for (guint j = 0; j < o->rows->len; j++) {
		struct row *q = g_ptr_array_index(o->rows, j);

		if (q->key.dir != r->key.dir)
			gather_add(g, q->key.tgid, q->key.start, q->comm, q->exited);
	}
	for (guint j = 0; j < o->holders->len; j++) {
		struct holder *h = &g_array_index(o->holders, struct holder, j);

		/* Holding both ends of one's own channel is inheritance, not a peer. */
		if ((h->mode & mode) && !(h->pid == (int)r->key.tgid && h->start == r->key.start))
			gather_add(g, h->pid, h->start, h->comm, false);
	}
}

/*
 * The processes at one end of a channel, gathered once for every row at the
 * other end: peers_on() for each row would read every row of the object
 * for each of them. What a row takes from them differs only for its own
 * process (peers_on() skips it as a holder), so each is kept with where it
 * came from.
 */
struct channel_end {
	struct peer_gather g;
	GArray *from;		/* per peer: struct end_source */
};

struct end_source {
	bool rows, rows_exited, held;
};

/* e's lists are kept from object to object (made once per store_compute_peers):
 * a list made and freed per end of every object was a fifth of the peers' time. */
static void channel_end_gather(struct channel_end *e, const struct object *o, __u8 dir,
			       unsigned int mode)
{
	g_array_set_size(e->g.peers, 0);
	g_array_set_size(e->from, 0);
	for (guint j = 0; j < o->rows->len; j++) {
		const struct row *q = g_ptr_array_index(o->rows, j);
		guint at;
		struct end_source *f;

		if (q->key.dir != dir)
			continue;
		at = gather_add(&e->g, q->key.tgid, q->key.start, q->comm, q->exited);
		g_array_set_size(e->from, e->g.peers->len);
		f = &g_array_index(e->from, struct end_source, at);
		f->rows_exited = f->rows ? f->rows_exited && q->exited : q->exited;
		f->rows = true;
	}
	for (guint j = 0; j < o->holders->len; j++) {
		const struct holder *h = &g_array_index(o->holders, struct holder, j);
		guint at;

		if (!(h->mode & mode))
			continue;
		at = gather_add(&e->g, h->pid, h->start, h->comm, false);
		g_array_set_size(e->from, e->g.peers->len);
		g_array_index(e->from, struct end_source, at).held = true;
	}
	gather_done(&e->g);
}

/* What peers_on(r, o, mode) gives, from the end gathered once. */
static void channel_end_take(const struct channel_end *e, struct row *r)
{
	for (guint i = 0; i < e->g.peers->len; i++) {
		struct peer p = g_array_index(e->g.peers, struct peer, i);
		const struct end_source *f = &g_array_index(e->from, struct end_source, i);

		if (p.pid == (int)r->key.tgid && p.start == r->key.start) {
			if (!f->rows)
				continue;	/* only its own holder: inheritance */
			p.exited = f->rows_exited;
		} else {
			p.exited = f->rows && f->rows_exited && !f->held;
		}
		g_array_append_val(row_own_peers(r), p);
	}
}

static void channel_end_init(struct channel_end *e)
{
	e->g = (struct peer_gather){ .peers = g_array_new(FALSE, FALSE, sizeof(struct peer)) };
	e->from = g_array_new(FALSE, TRUE, sizeof(struct end_source));
}

static void channel_end_free(struct channel_end *e)
{
	g_array_free(e->g.peers, TRUE);
	g_array_free(e->from, TRUE);
}

/* Who wrote and who read a channel: one object's at a time. */
struct channel_ends {
	struct channel_end tx, rx;
};

/* A channel's rows by direction: each row's peers are the other end's. */
static void channel_peers(struct object *o, struct channel_ends *ends)
{
	channel_end_gather(&ends->tx, o, DIR_TX, HOLD_WRITE);
	channel_end_gather(&ends->rx, o, DIR_RX, HOLD_READ);
	for (guint i = 0; i < o->rows->len; i++) {
		struct row *r = g_ptr_array_index(o->rows, i);

		row_peers_restart(r);
		channel_end_take(r->key.dir == DIR_TX ? &ends->rx : &ends->tx, r);
	}
}

/*
 * A row's peers are the processes at the other end. A channel (pipe, FIFO,
 * queue) is one object with two ends: those whose traffic on it went the
 * other way (a process reading back its own pipe is its own peer), and those
 * holding the other end open, idle or not. An endpoint (socket) is one end:
 * its peers are on the objects linked to it, and may be remote.
 */
static void object_peers(struct object *o, struct channel_ends *ends)
{
	if (!mechanism_is_endpoint(o->key.type)) {
		channel_peers(o, ends);
	} else {
		for (guint i = 0; i < o->rows->len; i++) {
			struct row *r = g_ptr_array_index(o->rows, i);
			struct peer_gather g;

			row_peers_restart(r);
			/* Its own list: a socket's row has peers, most often. */
			g = (struct peer_gather){ .peers = row_own_peers(r) };
			for (guint j = 0; j < o->peer_objs->len; j++)
				peers_on(&g, r, g_ptr_array_index(o->peer_objs, j),
					 HOLD_READ | HOLD_WRITE);
			gather_done(&g);
			for (guint j = 0; j < o->remotes->len; j++)
				add_remote_peer(r, g_ptr_array_index(o->remotes, j));
		}
	}
	for (guint i = 0; i < o->rows->len; i++) {
		struct row *r = g_ptr_array_index(o->rows, i);

		if (r->peers->len > 1)
			g_array_sort(r->peers, (GCompareFunc)peer_compare);
	}
}

/* The peers of every object (all), or of those marked peers_redo. */
static void objects_peers(struct store *s, bool all)
{
	struct channel_ends ends;
	GHashTableIter it;
	gpointer v;

	channel_end_init(&ends.tx);
	channel_end_init(&ends.rx);
	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct object *o = v;

		if (all || o->peers_redo)
			object_peers(o, &ends);
		o->peers_changed = o->peers_redo = false;
	}
	channel_end_free(&ends.tx);
	channel_end_free(&ends.rx);
}

void store_compute_peers(struct store *s)
{
	objects_peers(s, true);
}

void store_update_peers(struct store *s)
{
	GHashTableIter it;
	gpointer v;

	/* An endpoint's peers are on the objects linked to it: a change on
	 * one is a change to the peers of the other. */
	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct object *o = v;

		if (!o->peers_changed)
			continue;
		o->peers_redo = true;
		for (guint i = 0; i < o->peer_objs->len; i++)
			((struct object *)g_ptr_array_index(o->peer_objs, i))->peers_redo = true;
	}
	objects_peers(s, false);
}

#define CMP(a, b) ((a) > (b) ? -1 : (a) != (b))	/* descending, no overflow */
#define CMP_UP(a, b) ((a) < (b) ? -1 : (a) != (b))

bool row_is_estimate(const struct row *r)
{
	const struct attr *measured;

	/* The sort asks this of every row: most mechanisms count bytes calls
	 * moved, and need no look at the attributes. */
	if (!mechanism_bytes_method(r->key.type))
		return false;
	measured = store_attr_find(r->attrs, r->nattrs, MEASURED_BYTES);
	/* Exact only when calls moved every byte: a row with none is still
	 * its mechanism's kind (a sharer that never touched the memory). */
	return !(measured && measured->value > 0 && r->bytes == (__u64)measured->value);
}

/*
 * What the order asks of a row but its strings, copied out once per sort: a
 * sort of 10,000 rows compares each many times, and a row's fields are far
 * apart in memory. Under a sort key that does not use a field, it is 0.
 */
struct order_key {
	bool estimate;		/* bytes moved before estimates of them (page faults) */
	double rate;
	__u64 total;
	__u64 ino;
	__u32 tgid, dev;
	__u8 type, dir;
};

static void order_key_of(const struct row *r, enum sort_key sort, struct order_key *k)
{
	bool bytes = sort == SORT_BYTES || sort == SORT_TOTAL;

	*k = (struct order_key){
		.estimate = bytes && row_is_estimate(r),
		.rate = sort == SORT_BYTES ? r->bytes_per_s : sort == SORT_OPS ? r->ops_per_s : 0,
		.total = bytes ? r->bytes : sort == SORT_OPS ? r->ops : 0,
		.ino = r->key.ino, .tgid = r->key.tgid, .dev = r->key.dev,
		.type = r->key.type, .dir = r->key.dir,
	};
}

static int compare_keys(const struct order_key *a, const struct order_key *b)
{
	int c = CMP_UP(a->estimate, b->estimate);

	if (!c)
		c = CMP(a->rate, b->rate);
	if (!c)
		c = CMP(a->total, b->total);
	/* A total order, so that equal rows keep their place between refreshes. */
	if (!c)
		c = CMP_UP(a->tgid, b->tgid);
	if (!c)
		c = CMP_UP(a->type, b->type);
	if (!c)
		c = CMP_UP(a->dev, b->dev);
	if (!c)
		c = CMP_UP(a->ino, b->ino);
	if (!c)
		c = CMP_UP(a->dir, b->dir);
	return c;
}

/* row_compare, with each row's order_key given. */
static int compare_rows(const struct row *a, const struct row *b, const struct order_key *ka,
			const struct order_key *kb, enum sort_key sort)
{
	int c = 0;

	if (sort == SORT_COMM) {
		c = strcmp(a->comm, b->comm);
	} else if (sort == SORT_TYPE) {
		c = CMP_UP(a->key.type, b->key.type);
		if (!c && a->obj && b->obj && a->obj->name && b->obj->name)
			c = strcmp(a->obj->name, b->obj->name);
	}
	return c ? c : compare_keys(ka, kb);
}

int row_compare(const struct row *a, const struct row *b, enum sort_key sort)
{
	struct order_key ka, kb;

	order_key_of(a, sort, &ka);
	order_key_of(b, sort, &kb);
	return compare_rows(a, b, &ka, &kb, sort);
}

struct sort_entry {
	const struct row *r;
	struct order_key key;
};

static gint entry_compare(gconstpointer a, gconstpointer b, gpointer sort)
{
	const struct sort_entry *x = a, *y = b;

	return compare_rows(x->r, y->r, &x->key, &y->key, GPOINTER_TO_INT(sort));
}

static gint entry_compare_inverted(gconstpointer a, gconstpointer b, gpointer sort)
{
	return entry_compare(b, a, sort);
}

void rows_sort(GPtrArray *rows, enum sort_key sort, bool inverted)
{
	struct sort_entry *e = g_new(struct sort_entry, rows->len ? rows->len : 1);
	GCompareDataFunc cmp = inverted ? entry_compare_inverted : entry_compare;
	guint in_order = 1;

	for (guint i = 0; i < rows->len; i++) {
		e[i].r = rows->pdata[i];
		order_key_of(e[i].r, sort, &e[i].key);
	}
	/* Rows already in this order (the terminal's view of a frame sorted
	 * the same way) are left as they are: the sort is stable, and would
	 * only compare them all again. */
	while (in_order < rows->len && cmp(&e[in_order - 1], &e[in_order], GINT_TO_POINTER(sort)) <= 0)
		in_order++;
	if (in_order < rows->len) {
		g_qsort_with_data(e, (gint)rows->len, sizeof(*e), cmp, GINT_TO_POINTER(sort));
		for (guint i = 0; i < rows->len; i++)
			rows->pdata[i] = (gpointer)e[i].r;
	}
	g_free(e);
}

static bool pid_listed(const struct filter *f, int pid)
{
	for (int i = 0; i < f->npids; i++)
		if (f->pids[i] == pid)
			return true;
	return false;
}

static bool row_of_target(const struct row *r, const struct filter *f)
{
	return r->of_target || pid_listed(f, r->key.tgid);
}

/* With -p: the targets' own rows, and every row on an object a target uses or holds. */
bool object_of_targets(const struct object *o, const struct filter *f)
{
	for (guint i = 0; i < o->rows->len; i++)
		if (row_of_target(g_ptr_array_index(o->rows, i), f))
			return true;
	for (guint i = 0; i < o->holders->len; i++)
		if (pid_listed(f, g_array_index(o->holders, struct holder, i).pid))
			return true;
	return false;
}

void store_mark_targets(struct store *s, const struct filter *f)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, s->live);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (pid_listed(f, ((struct row *)v)->key.tgid))
			((struct row *)v)->of_target = true;
}

/* Someone writes into o: a tx row, or a holder with write access. */
static bool object_written(const struct object *o)
{
	for (guint i = 0; i < o->rows->len; i++)
		if (((const struct row *)g_ptr_array_index(o->rows, i))->key.dir == DIR_TX)
			return true;
	for (guint i = 0; i < o->holders->len; i++)
		if (g_array_index(o->holders, struct holder, i).mode & HOLD_WRITE)
			return true;
	return false;
}

bool object_is_channel(const struct object *o)
{
	return !mechanism_needs_writer(o->key.type) || object_written(o);
}

bool store_row_selected(const struct row *r, const struct filter *f)
{
	if (r->listed)
		return true;
	if (!object_is_channel(r->obj))
		return false;
	if (!f || row_of_target(r, f) || object_of_targets(r->obj, f))
		return true;
	/* The far end of a target's socket. */
	for (guint i = 0; i < r->obj->peer_objs->len; i++)
		if (object_of_targets(g_ptr_array_index(r->obj->peer_objs, i), f))
			return true;
	return false;
}

/* Adds r to out if f selects it and this select has not taken it yet. */
static void select_row(struct store *s, GPtrArray *out, struct row *r, const struct filter *f)
{
	if (r->select_mark != s->select_mark && store_row_selected(r, f)) {
		r->select_mark = s->select_mark;
		g_ptr_array_add(out, r);
	}
}

/*
 * The rows of the last select come first, in its order (those still
 * selected, and retired ones only with include_retired), then those it did
 * not have. Rows that did not move since are then in order already, and
 * rows_sort() leaves them so: a table of 20,000 idle rows is not sorted
 * again every frame. The result is the same as sorting the live (and
 * retired) rows from scratch: the order is total.
 */
GPtrArray *store_select(struct store *s, bool include_retired, enum sort_key sort,
			const struct filter *f)
{
	GPtrArray *out = g_ptr_array_sized_new(s->order ? s->order->len : 0);
	GHashTableIter it;
	gpointer v;

	/* 0 is no select's: a new row has it. */
	if (++s->select_mark == 0)
		s->select_mark = 1;
	for (guint i = 0; s->order && i < s->order->len; i++) {
		struct row *r = g_ptr_array_index(s->order, i);

		if (include_retired || !r->retired)
			select_row(s, out, r, f);
	}
	g_hash_table_iter_init(&it, s->live);
	while (g_hash_table_iter_next(&it, NULL, &v))
		select_row(s, out, v, f);
	if (include_retired)
		for (guint i = 0; i < s->retired->len; i++)
			select_row(s, out, g_ptr_array_index(s->retired, i), f);
	rows_sort(out, sort, false);
	order_forget(s);
	s->order = g_ptr_array_copy(out, NULL, NULL);
	return out;
}

void store_mark_listed(GPtrArray *rows)
{
	for (guint i = 0; i < rows->len; i++)
		((struct row *)g_ptr_array_index(rows, i))->listed = true;
}

static void add_totals(struct totals *t, const struct row *r)
{
	t->bytes += r->bytes;
	t->ops += r->ops;
	t->bytes_per_s += r->bytes_per_s;
	t->ops_per_s += r->ops_per_s;
	t->rows++;
}

void store_totals(struct store *s, const struct filter *f, struct totals *t)
{
	GHashTableIter it;
	gpointer v;

	memset(t, 0, sizeof(*t));
	g_hash_table_iter_init(&it, s->live);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (store_row_selected(v, f))
			add_totals(t, v);
	for (guint i = 0; i < s->retired->len; i++)
		if (store_row_selected(g_ptr_array_index(s->retired, i), f))
			add_totals(t, g_ptr_array_index(s->retired, i));
	/* Folded rows are everyone's: they count only in an unfiltered total. */
	if (!f) {
		t->bytes += s->folded.bytes;
		t->ops += s->folded.ops;
	}
}

GPtrArray *rows_folded_new(void)
{
	return g_ptr_array_new_with_free_func(row_free);
}

static bool is_exit_notice(const struct row *r)
{
	__s64 label = mechanism_exit_label(r->key.type);

	return label && r->exited && r->key.dir == DIR_TX && r->labels->len == 1 &&
	       g_array_index(r->labels, struct label_count, 0).label == label;
}

static struct row *fold_start(const struct row *r)
{
	struct row *sum = g_memdup2(r, sizeof(*r));

	/* Its own of everything row_free() frees: a title shared with r was
	 * freed twice (r's title changes, and r and the sum are freed apart). */
	sum->peers = g_array_copy(r->peers);
	sum->labels = g_array_copy(r->labels);
	sum->title = r->title ? g_ref_string_acquire(r->title) : NULL;
	sum->attrs = g_memdup2(r->attrs, r->nattrs * sizeof(*r->attrs));
	sum->hist = NULL;
	sum->folded_procs = 1;
	return sum;
}

static void fold_add(struct row *sum, const struct row *r)
{
	struct label_count *l = &g_array_index(sum->labels, struct label_count, 0);
	const struct label_count *rl = &g_array_index(r->labels, struct label_count, 0);

	sum->bytes += r->bytes;
	sum->ops += r->ops;
	sum->bytes_per_s += r->bytes_per_s;
	sum->ops_per_s += r->ops_per_s;
	sum->wait_ns += r->wait_ns;
	sum->wait_share += r->wait_share;
	l->ops += rl->ops;
	l->bytes += rl->bytes;
	for (int i = 0; i < r->nattrs; i++) {
		const struct attr *a = store_attr_find(sum->attrs, sum->nattrs, r->attrs[i].key);

		store_attr_set(&sum->attrs, &sum->nattrs, r->attrs[i].key,
			       (a ? a->value : 0) + r->attrs[i].value);
	}
	sum->folded_procs++;
}

GPtrArray *rows_fold_exit_notices(GPtrArray *rows, GPtrArray *made)
{
	/* A group is a parent (the object) and a name, "the true processes
	 * that signalled sh", and its place in the order its first member's:
	 * the key maps to that place in out, plus one. */
	GHashTable *groups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GPtrArray *out = g_ptr_array_new();
	guint first_made = made->len;

	for (guint i = 0; i < rows->len; i++) {
		struct row *r = g_ptr_array_index(rows, i), *sum;
		char *key;
		gpointer at;

		if (!is_exit_notice(r)) {
			g_ptr_array_add(out, r);
			continue;
		}
		key = g_strdup_printf("%p/%s", (void *)r->obj, r->comm);
		at = g_hash_table_lookup(groups, key);
		if (!at) {
			g_hash_table_insert(groups, key, GUINT_TO_POINTER(out->len + 1));
			g_ptr_array_add(out, r);
			continue;
		}
		g_free(key);
		sum = g_ptr_array_index(out, GPOINTER_TO_UINT(at) - 1);
		if (!sum->folded_procs) {
			sum = fold_start(sum);
			g_ptr_array_add(made, sum);
			out->pdata[GPOINTER_TO_UINT(at) - 1] = sum;
		}
		fold_add(sum, r);
	}
	for (guint i = first_made; i < made->len; i++) {
		struct row *sum = g_ptr_array_index(made, i);

		store_attr_set(&sum->attrs, &sum->nattrs, "processes", sum->folded_procs);
	}
	g_hash_table_destroy(groups);
	return out;
}
