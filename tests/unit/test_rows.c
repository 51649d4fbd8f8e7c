// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <unistd.h>
#include <sys/wait.h>
#include "model/holders.h"
#include "model/ingest.h"
#include "model/procfs.h"
#include "model/rows.h"
#include "model/mechanism.h"

static struct ipc_key key(__u32 pid, __u64 ino, __u8 dir)
{
	struct ipc_key k = { .ino = ino, .dev = 13, .tgid = pid, .type = IPC_PIPE, .dir = dir };

	return k;
}

static struct row *put(struct store *s, __u32 pid, __u64 ino, __u8 dir, __u64 bytes,
		       __u64 ops, const char *comm)
{
	struct ipc_key k = key(pid, ino, dir);
	bool created;
	struct row *r = store_update(s, &k, bytes, ops, &created);

	strcpy(r->comm, comm);
	return r;
}

static int peer_pids(const struct row *r, int *out)
{
	for (guint i = 0; i < r->peers->len; i++)
		out[i] = g_array_index(r->peers, struct peer, i).pid;
	return (int)r->peers->len;
}

static int row_compare_inverted(gconstpointer a, gconstpointer b, gpointer sort)
{
	return row_compare(*(struct row *const *)b, *(struct row *const *)a, GPOINTER_TO_INT(sort));
}

static int row_compare_up(gconstpointer a, gconstpointer b, gpointer sort)
{
	return row_compare(*(struct row *const *)a, *(struct row *const *)b, GPOINTER_TO_INT(sort));
}

/*
 * rows_sort() (keys worked out once a row) orders rows as a sort that
 * calls row_compare() at each comparison, under every key, both ways: many
 * ties (few processes, names and totals), rates and an estimate among them.
 */
static void test_rows_sort_as_compare(void **state)
{
	static const char *const comms[] = { "sh", "bash", "postgres" };
	struct store *s = store_new();
	GRand *rand = g_rand_new_with_seed(7);
	GPtrArray *rows = g_ptr_array_new();

	(void)state;
	for (int i = 0; i < 400; i++) {
		struct ipc_key k = { .ino = (__u64)g_rand_int_range(rand, 1, 60), .dev = 13,
				     .tgid = (__u32)g_rand_int_range(rand, 1, 9),
				     .type = i % 9 ? IPC_PIPE : IPC_SHM, .dir = i % 2 };
		bool created;
		struct row *r = store_update(s, &k, (__u64)g_rand_int_range(rand, 0, 4) * 100,
					     (__u64)g_rand_int_range(rand, 0, 3), &created);

		if (!created)
			continue;
		strcpy(r->comm, comms[g_rand_int_range(rand, 0, 3)]);
		r->bytes_per_s = g_rand_int_range(rand, 0, 3) * 0.5;
		r->ops_per_s = g_rand_int_range(rand, 0, 3) * 0.25;
		g_ptr_array_add(rows, r);
	}
	store_compute_peers(s);
	for (int sort = 0; sort < SORT_KEYS; sort++)
		for (int inverted = 0; inverted < 2; inverted++) {
			GPtrArray *a = g_ptr_array_copy(rows, NULL, NULL);
			GPtrArray *b = g_ptr_array_copy(rows, NULL, NULL);

			rows_sort(a, sort, inverted);
			g_ptr_array_sort_with_data(b, inverted ? row_compare_inverted : row_compare_up,
						   GINT_TO_POINTER(sort));
			for (guint i = 0; i < a->len; i++)
				if (a->pdata[i] != b->pdata[i])
					fail_msg("sort %d, inverted %d: row %u differs", sort, inverted, i);
			/* Rows in order are left so; the first put last is put back. */
			rows_sort(a, sort, inverted);
			for (guint i = 0; i < a->len; i++)
				if (a->pdata[i] != b->pdata[i])
					fail_msg("sort %d, inverted %d, again: row %u differs", sort, inverted, i);
			g_ptr_array_add(a, a->pdata[0]);
			g_ptr_array_remove_index(a, 0);
			rows_sort(a, sort, inverted);
			for (guint i = 1; i < a->len; i++)
				if ((inverted ? row_compare_inverted : row_compare_up)(&a->pdata[i - 1], &a->pdata[i],
										  GINT_TO_POINTER(sort)) > 0)
					fail_msg("sort %d, inverted %d, one out of place: row %u", sort, inverted, i);
			g_ptr_array_free(a, TRUE);
			g_ptr_array_free(b, TRUE);
		}
	g_ptr_array_free(rows, TRUE);
	g_rand_free(rand);
	store_free(s);
}

/* store_select() as it was before it started from its last order. */
static GPtrArray *select_afresh(struct store *s, bool include_retired, enum sort_key sort,
				const struct filter *f)
{
	GPtrArray *out = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, s->live);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (store_row_selected(v, f))
			g_ptr_array_add(out, v);
	for (guint i = 0; include_retired && i < s->retired->len; i++)
		if (store_row_selected(g_ptr_array_index(s->retired, i), f))
			g_ptr_array_add(out, g_ptr_array_index(s->retired, i));
	rows_sort(out, sort, false);
	return out;
}

/*
 * store_select() gives what a select from scratch gives, through rows come
 * and moved, retired and folded away, with and without retired rows and a
 * filter, under each key (run it under valgrind: its last order must not
 * hold a freed row).
 */
static void test_select_from_last_order(void **state)
{
	struct store *s = store_new();
	GRand *rand = g_rand_new_with_seed(11);
	int targets[] = { 3 };
	struct filter some = { .pids = targets, .npids = 1 };

	(void)state;
	for (int step = 0; step < 300; step++) {
		int op = g_rand_int_range(rand, 0, 10);

		if (op < 4) {
			/* New rows, or old ones moving: their totals and rates. */
			__u32 pid = (__u32)g_rand_int_range(rand, 1, 12);
			__u64 ino = (__u64)g_rand_int_range(rand, 1, 40);
			struct row *r = put(s, pid, ino, (__u8)(pid % 2), (__u64)g_rand_int_range(rand, 0, 5) * 10,
					    1, "p");

			r->bytes_per_s = g_rand_int_range(rand, 0, 3);
		} else if (op < 6) {
			/* A process exits: its rows retire. */
			GHashTableIter it;
			gpointer v;
			__u32 pid = (__u32)g_rand_int_range(rand, 1, 12);

			g_hash_table_iter_init(&it, s->live);
			while (g_hash_table_iter_next(&it, NULL, &v))
				if (((struct row *)v)->key.tgid == pid)
					((struct row *)v)->exited = true;
			store_retire(s);
		} else if (op == 6) {
			store_forget_retired(s);
		}
		store_compute_peers(s);
		for (int sort = 0; sort < SORT_KEYS; sort += 2) {
			bool retired = g_rand_boolean(rand);
			const struct filter *f = g_rand_int_range(rand, 0, 4) ? NULL : &some;
			GPtrArray *a = store_select(s, retired, sort, f);
			GPtrArray *b = select_afresh(s, retired, sort, f);

			assert_int_equal(a->len, b->len);
			for (guint i = 0; i < a->len; i++)
				if (a->pdata[i] != b->pdata[i])
					fail_msg("step %d, sort %d: row %u differs", step, sort, i);
			g_ptr_array_free(a, TRUE);
			g_ptr_array_free(b, TRUE);
		}
	}
	g_rand_free(rand);
	store_free(s);
}

static void test_update_and_rates(void **state)
{
	struct store *s = store_new();
	struct ipc_key k = key(10, 100, DIR_TX);
	bool created;
	struct row *r = store_update(s, &k, 1000, 10, &created);

	(void)state;
	assert_true(created);
	store_rates(s, 2.0);
	assert_true(r->bytes_per_s == 500.0);
	assert_true(r->ops_per_s == 5.0);
	assert_ptr_equal(store_update(s, &k, 4000, 13, &created), r);
	assert_false(created);
	store_rates(s, 0.5);
	assert_true(r->bytes_per_s == 6000.0);
	assert_true(r->ops_per_s == 6.0);
	assert_int_equal(r->bytes, 4000);
	store_free(s);
}

static void test_peers_from_traffic(void **state)
{
	struct store *s = store_new();
	struct row *w = put(s, 10, 100, DIR_TX, 10, 1, "writer");
	struct row *r1 = put(s, 20, 100, DIR_RX, 5, 1, "reader1");
	struct row *r2 = put(s, 30, 100, DIR_RX, 5, 1, "reader2");
	struct row *other = put(s, 40, 200, DIR_RX, 5, 1, "elsewhere");
	int pids[8];

	(void)state;
	store_compute_peers(s);
	assert_int_equal(peer_pids(w, pids), 2);
	assert_int_equal(pids[0], 20);
	assert_int_equal(pids[1], 30);
	assert_int_equal(peer_pids(r1, pids), 1);
	assert_int_equal(pids[0], 10);
	assert_string_equal(g_array_index(r1->peers, struct peer, 0).comm, "writer");
	assert_int_equal(peer_pids(r2, pids), 1);
	assert_int_equal(peer_pids(other, pids), 0);
	store_free(s);
}

static void test_self_loop_is_own_peer(void **state)
{
	struct store *s = store_new();
	struct row *tx = put(s, 10, 100, DIR_TX, 64, 1, "loop");
	int pids[4];

	(void)state;
	put(s, 10, 100, DIR_RX, 64, 1, "loop");
	store_compute_peers(s);
	assert_int_equal(peer_pids(tx, pids), 1);
	assert_int_equal(pids[0], 10);
	store_free(s);
}

static void test_peers_from_holders(void **state)
{
	struct store *s = store_new();
	struct row *w = put(s, 10, 100, DIR_TX, 10, 1, "writer");
	struct holder idle_reader = { .pid = 50, .mode = HOLD_READ, .comm = "idle" };
	struct holder other_writer = { .pid = 60, .mode = HOLD_WRITE, .comm = "w2" };
	struct holder self_both = { .pid = 10, .mode = HOLD_READ | HOLD_WRITE, .comm = "writer" };
	int pids[4];

	(void)state;
	g_array_append_val(w->obj->holders, idle_reader);
	g_array_append_val(w->obj->holders, other_writer);
	g_array_append_val(w->obj->holders, self_both);
	store_compute_peers(s);
	/* Only the holder of the read end; holding both ends oneself is not a peer. */
	assert_int_equal(peer_pids(w, pids), 1);
	assert_int_equal(pids[0], 50);
	store_free(s);
}

/* The definition of a channel row's peers, written the plain way: the test's
 * oracle for the gathering done once per end. */
static void naive_add(GArray *peers, int pid, __u32 start, const char *comm, bool exited)
{
	struct peer p = { .pid = pid, .start = start, .exited = exited };

	for (guint i = 0; i < peers->len; i++) {
		struct peer *q = &g_array_index(peers, struct peer, i);

		if (q->pid == pid && q->start == start) {
			q->exited = q->exited && exited;
			return;
		}
	}
	g_strlcpy(p.comm, comm, sizeof(p.comm));
	g_array_append_val(peers, p);
}

static GArray *naive_peers(const struct row *r, const struct object *o)
{
	GArray *peers = g_array_new(FALSE, TRUE, sizeof(struct peer));
	unsigned int mode = r->key.dir == DIR_TX ? HOLD_READ : HOLD_WRITE;

	for (guint j = 0; j < o->rows->len; j++) {
		const struct row *q = g_ptr_array_index(o->rows, j);

		if (q->key.dir != r->key.dir)
			naive_add(peers, q->key.tgid, q->key.start, q->comm, q->exited);
	}
	for (guint j = 0; j < o->holders->len; j++) {
		const struct holder *h = &g_array_index(o->holders, struct holder, j);

		if ((h->mode & mode) && !(h->pid == (int)r->key.tgid && h->start == r->key.start))
			naive_add(peers, h->pid, h->start, h->comm, false);
	}
	g_array_sort(peers, (GCompareFunc)peer_compare);
	return peers;
}

/*
 * Channels with many rows and holders, random: each row's peers (who, their
 * names, whether exited) are what the plain definition gives. Few PIDs and
 * start times, so that processes repeat across rows, directions and holders,
 * and past the point where peers are found through a hash.
 */
static void test_channel_peers_as_defined(void **state)
{
	GRand *rnd = g_rand_new_with_seed(20);

	(void)state;
	for (int round = 0; round < 200; round++) {
		struct store *s = store_new();
		int nrows = g_rand_int_range(rnd, 1, 80), nhold = g_rand_int_range(rnd, 0, 40);
		int pids = g_rand_int_range(rnd, 1, 60);
		struct row *first = NULL;

		for (int i = 0; i < nrows; i++) {
			struct ipc_key k = key((__u32)g_rand_int_range(rnd, 1, pids + 1), 7,
					       g_rand_boolean(rnd) ? DIR_TX : DIR_RX);
			bool created;
			struct row *r;

			k.start = (__u32)g_rand_int_range(rnd, 0, 2);
			r = store_update(s, &k, 1, 1, &created);
			snprintf(r->comm, sizeof(r->comm), "c%u.%u", k.tgid, (unsigned)i % 3);
			r->exited = g_rand_boolean(rnd);
			first = first ? first : r;
		}
		for (int i = 0; i < nhold; i++) {
			struct holder h = { .pid = g_rand_int_range(rnd, 1, pids + 1),
					    .start = (__u32)g_rand_int_range(rnd, 0, 2),
					    .mode = (unsigned int)g_rand_int_range(rnd, 1, 4) };

			snprintf(h.comm, sizeof(h.comm), "h%d", h.pid);
			g_array_append_val(first->obj->holders, h);
		}
		store_compute_peers(s);
		for (guint i = 0; i < first->obj->rows->len; i++) {
			const struct row *r = g_ptr_array_index(first->obj->rows, i);
			GArray *want = naive_peers(r, first->obj);

			assert_int_equal(r->peers->len, want->len);
			for (guint j = 0; j < want->len; j++) {
				const struct peer *a = &g_array_index(r->peers, struct peer, j);
				const struct peer *b = &g_array_index(want, struct peer, j);

				assert_int_equal(a->pid, b->pid);
				assert_int_equal(a->start, b->start);
				assert_int_equal(a->exited, b->exited);
				assert_string_equal(a->comm, b->comm);
			}
			g_array_free(want, TRUE);
		}
		store_free(s);
	}
	g_rand_free(rnd);
}

/* Objects by key. */
static gint by_object_key(gconstpointer a, gconstpointer b)
{
	const struct object *x = *(struct object *const *)a, *y = *(struct object *const *)b;

	if (x->key.ino != y->key.ino)
		return x->key.ino < y->key.ino ? -1 : 1;
	return x->key.type < y->key.type ? -1 : x->key.type != y->key.type;
}

/* The store's objects, in a fixed order (a hash table's changes with its history). */
static GPtrArray *objects_in_order(struct store *s)
{
	GPtrArray *objs = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(objs, v);
	g_ptr_array_sort(objs, by_object_key);
	return objs;
}

/* Every row's peers, in the objects' order, as text: to compare two workings. */
static GString *peers_text(struct store *s)
{
	GString *t = g_string_new(NULL);
	GPtrArray *objs = objects_in_order(s);

	for (guint i = 0; i < objs->len; i++) {
		const struct object *o = g_ptr_array_index(objs, i);

		for (guint j = 0; j < o->rows->len; j++) {
			const struct row *r = g_ptr_array_index(o->rows, j);

			g_string_append_printf(t, "%llu/%u/%u:", (unsigned long long)o->key.ino,
					       r->key.tgid, r->key.dir);
			for (guint k = 0; k < r->peers->len; k++) {
				const struct peer *p = &g_array_index(r->peers, struct peer, k);

				g_string_append_printf(t, " %d.%u.%s.%d.%s", p->pid, p->start, p->comm,
						       p->exited, p->remote);
			}
			g_string_append_c(t, '\n');
		}
	}
	g_ptr_array_free(objs, TRUE);
	return t;
}

/* An object of the store at random; NULL when it has none. */
static struct object *any_object(struct store *s, GRand *rnd)
{
	GPtrArray *objs = objects_in_order(s);
	struct object *o = NULL;

	if (objs->len)
		o = g_ptr_array_index(objs, g_rand_int_range(rnd, 0, (gint32)objs->len));
	g_ptr_array_free(objs, TRUE);
	return o;
}

static struct row *any_row(struct store *s, GRand *rnd)
{
	struct object *o = any_object(s, rnd);

	return o && o->rows->len ? g_ptr_array_index(o->rows, g_rand_int_range(rnd, 0,
						     (gint32)o->rows->len)) : NULL;
}

/* One change of what peers are made of, through the functions the tracer's
 * own changes go through (a holder as holders.c adds and takes one off). */
static void peers_input_change(struct store *s, GRand *rnd)
{
	static const char *const comms[] = { "a", "b", "c" };
	struct ipc_key k = key((__u32)g_rand_int_range(rnd, 1, 9), 0, g_rand_int_range(rnd, 0, 2));
	struct object *o = any_object(s, rnd), *p = any_object(s, rnd);
	struct row *r = any_row(s, rnd);
	GHashTable *gone;
	bool created;

	switch (g_rand_int_range(rnd, 0, 9)) {
	case 0:
		k.ino = (__u64)g_rand_int_range(rnd, 1, 25);
		k.type = k.ino % 2 ? IPC_PIPE : IPC_UNIX;
		r = store_update(s, &k, 1, 1, &created);
		row_set_comm(r, comms[g_rand_int_range(rnd, 0, 3)]);
		break;
	case 1:
		if (r)
			row_set_exited(r);
		break;
	case 2:
		if (r)
			row_set_comm(r, comms[g_rand_int_range(rnd, 0, 3)]);
		break;
	case 3:
		if (o) {
			struct holder h = { .pid = g_rand_int_range(rnd, 1, 9),
					    .mode = (unsigned int)g_rand_int_range(rnd, 1, 4) };

			snprintf(h.comm, sizeof(h.comm), "h%d", h.pid);
			g_array_append_val(o->holders, h);
			object_peers_changed(o);
		}
		break;
	case 4:
		if (o && o->holders->len) {
			g_array_remove_index_fast(o->holders, 0);
			object_peers_changed(o);
		}
		break;
	case 5:
		if (o && p && o != p && mechanism_is_endpoint(o->key.type) &&
		    mechanism_is_endpoint(p->key.type))
			object_link(o, p);
		break;
	case 6:
		if (o && g_rand_boolean(rnd))
			object_add_remote(o, comms[g_rand_int_range(rnd, 0, 3)]);
		else if (o)
			object_drop_remote(o, comms[g_rand_int_range(rnd, 0, 3)]);
		break;
	case 7:
		gone = g_hash_table_new(NULL, NULL);
		g_hash_table_add(gone, row_proc(&(struct row){ .key = k }));
		store_mark_exited(s, gone);
		g_hash_table_destroy(gone);
		break;
	default:
		if (r && g_rand_boolean(rnd))
			r->closed = true;
		store_retire(s);
		if (g_rand_int_range(rnd, 0, 4) == 0)
			store_forget_retired(s);
		break;
	}
}

/*
 * Peers worked out again only where something they are made of changed
 * (store_update_peers) are the peers worked out afresh, over random
 * changes of every kind: rows made, renamed, exited, retired and folded,
 * holders added and taken off, ends linked, remote addresses.
 */
static void test_peers_updated_as_computed(void **state)
{
	GRand *rnd = g_rand_new_with_seed(20);

	(void)state;
	for (int round = 0; round < 40; round++) {
		struct store *s = store_new();

		for (int step = 0; step < 300; step++) {
			GString *updated, *computed;

			for (int n = g_rand_int_range(rnd, 1, 4); n > 0; n--)
				peers_input_change(s, rnd);
			store_update_peers(s);
			updated = peers_text(s);
			store_compute_peers(s);
			computed = peers_text(s);
			if (strcmp(updated->str, computed->str))
				fail_msg("round %d step %d:\n%s\nwant:\n%s", round, step, updated->str,
					 computed->str);
			g_string_free(updated, TRUE);
			g_string_free(computed, TRUE);
		}
		store_free(s);
	}
	g_rand_free(rnd);
}

static void test_retire(void **state)
{
	struct store *s = store_new();
	struct row *gone = put(s, 10, 100, DIR_TX, 10, 1, "gone");
	struct totals t;
	GPtrArray *live, *all;

	(void)state;
	put(s, 20, 100, DIR_RX, 10, 1, "alive");
	gone->exited = true;
	store_retire(s);
	assert_true(gone->retired);
	assert_int_equal(g_hash_table_size(s->live), 1);
	live = store_select(s, false, SORT_BYTES, NULL);
	all = store_select(s, true, SORT_BYTES, NULL);
	assert_int_equal(live->len, 1);
	assert_int_equal(all->len, 2);
	store_totals(s, NULL, &t);
	assert_int_equal(t.bytes, 20);
	assert_int_equal(t.rows, 2);
	/* The survivor still sees the retired writer as its peer. */
	store_compute_peers(s);
	assert_int_equal(((struct row *)g_ptr_array_index(live, 0))->peers->len, 1);
	/* The same key again (a new process with a reused PID) is a new row. */
	bool created;
	struct ipc_key k = key(10, 100, DIR_TX);

	assert_ptr_not_equal(store_update(s, &k, 1, 1, &created), gone);
	assert_true(created);
	g_ptr_array_free(live, TRUE);
	g_ptr_array_free(all, TRUE);
	store_free(s);
}

/* A process's rows as the store's scan of every live row finds them. */
static guint live_rows_of(struct store *s, gpointer proc)
{
	GHashTableIter it;
	gpointer v;
	guint n = 0;

	g_hash_table_iter_init(&it, s->live);
	while (g_hash_table_iter_next(&it, NULL, &v))
		n += row_proc(v) == proc;
	return n;
}

/*
 * store_proc_rows() holds exactly each process's live rows, through random
 * rows made, closed, exited and retired (a row taken out of the middle of
 * its process's list moves the last one into its place).
 */
static void test_proc_rows_follow_the_store(void **state)
{
	struct store *s = store_new();
	GRand *rand = g_rand_new_with_seed(20);

	(void)state;
	for (int step = 0; step < 400; step++) {
		__u32 pid = (__u32)g_rand_int_range(rand, 1, 6);
		struct row *r = put(s, pid, (__u64)g_rand_int_range(rand, 1, 40),
				    (__u8)g_rand_int_range(rand, 0, 2), 1, 1, "p");

		if (g_rand_int_range(rand, 0, 4) == 0)
			r->closed = true;
		if (g_rand_int_range(rand, 0, 60) == 0) {
			const GPtrArray *rows = store_proc_rows(s, proc_id(pid, 0));

			for (guint i = 0; i < rows->len; i++)
				((struct row *)g_ptr_array_index(rows, i))->exited = true;
		}
		if (step % 7 == 0)
			store_retire(s);
		for (__u32 p = 1; p < 6; p++) {
			const GPtrArray *rows = store_proc_rows(s, proc_id(p, 0));
			guint n = live_rows_of(s, proc_id(p, 0));

			assert_int_equal(rows ? rows->len : 0, n);
			/* An empty list goes with the process's last row. */
			assert_true(!rows || rows->len > 0);
			for (guint i = 0; rows && i < rows->len; i++) {
				struct row *x = g_ptr_array_index(rows, i);

				assert_int_equal(x->proc_slot, i);
				assert_ptr_equal(g_hash_table_lookup(s->live, &x->key), x);
				assert_ptr_equal(row_proc(x), proc_id(p, 0));
			}
		}
	}
	g_rand_free(rand);
	store_free(s);
}

/* A row retired when its object closed, its process exiting after: the
 * summary and the graph mark it exited all the same. */
static void test_exited_after_closed(void **state)
{
	struct store *s = store_new();
	struct row *closed = put(s, 10, 100, DIR_TX, 10, 1, "closer");
	struct row *other = put(s, 30, 300, DIR_TX, 10, 1, "other");
	GHashTable *exited = g_hash_table_new(NULL, NULL);

	(void)state;
	closed->closed = other->closed = true;
	store_retire(s);
	assert_true(closed->retired && !closed->exited);
	g_hash_table_add(exited, GUINT_TO_POINTER(10));
	store_mark_exited(s, exited);
	assert_true(closed->exited);
	assert_false(other->exited);
	g_hash_table_destroy(exited);
	store_free(s);
}

static void test_select_by_pid(void **state)
{
	struct store *s = store_new();
	int targets[] = { 10 };
	struct filter alive = { .pids = targets, .npids = 1 };
	GPtrArray *sel;
	struct totals t;

	(void)state;
	put(s, 10, 100, DIR_TX, 10, 1, "target");
	put(s, 20, 100, DIR_RX, 10, 1, "peer");
	put(s, 20, 300, DIR_TX, 99, 1, "peer");	/* the peer's other channel */
	put(s, 30, 200, DIR_TX, 10, 1, "unrelated");
	put(s, 40, 400, DIR_RX, 7, 1, "holder-peer");
	{
		struct object *o = store_object(s, &(struct ipc_obj_key){ .ino = 400, .dev = 13,
									  .type = IPC_PIPE });
		struct holder h = { .pid = 10, .mode = HOLD_WRITE, .comm = "target" };

		g_array_append_val(o->holders, h);
	}
	sel = store_select(s, false, SORT_PID, &alive);
	assert_int_equal(sel->len, 3);
	assert_int_equal(((struct row *)g_ptr_array_index(sel, 0))->key.tgid, 10);
	assert_int_equal(((struct row *)g_ptr_array_index(sel, 1))->key.tgid, 20);
	assert_int_equal(((struct row *)g_ptr_array_index(sel, 1))->key.ino, 100);
	assert_int_equal(((struct row *)g_ptr_array_index(sel, 2))->key.tgid, 40);
	store_totals(s, &alive, &t);
	assert_int_equal(t.bytes, 27);
	g_ptr_array_free(sel, TRUE);
	store_free(s);
}

/* The target exits and a new process gets its PID: the table keeps the
 * target's rows and leaves out the newcomer's. */
static void test_target_pid_reused(void **state)
{
	struct store *s = store_new();
	int targets[] = { 10 };
	struct filter alive = { .pids = targets, .npids = 1 };
	struct filter none_alive = { .pids = targets, .npids = 0 };
	GPtrArray *sel;
	struct totals t;

	(void)state;
	put(s, 10, 100, DIR_TX, 10, 1, "target");
	put(s, 20, 100, DIR_RX, 10, 1, "peer");
	store_mark_targets(s, &alive);
	put(s, 10, 500, DIR_TX, 1000, 1, "newcomer");
	put(s, 30, 500, DIR_RX, 1000, 1, "stranger");
	sel = store_select(s, true, SORT_PID, &none_alive);
	assert_int_equal(sel->len, 2);
	for (guint i = 0; i < sel->len; i++)
		assert_int_equal(((struct row *)g_ptr_array_index(sel, i))->key.ino, 100);
	store_totals(s, &none_alive, &t);
	assert_int_equal(t.bytes, 20);
	g_ptr_array_free(sel, TRUE);
	store_free(s);
}

/* -p: a peer's row, once listed for sharing a channel with the target,
 * stays listed when the target's row there is dropped from the summary
 * (folded into totals past MAX_RETIRED). */
static void test_peer_listed_after_target_row_folds(void **state)
{
	struct store *s = store_new();
	int targets[] = { 10 };
	struct filter alive = { .pids = targets, .npids = 1 };
	struct row *target;
	GPtrArray *sel;

	(void)state;
	target = put(s, 10, 100, DIR_TX, 10, 1, "target");
	put(s, 20, 100, DIR_RX, 10, 1, "peer");
	sel = store_select(s, true, SORT_PID, &alive);
	assert_int_equal(sel->len, 2);
	store_mark_listed(sel);	/* shown in a frame */
	g_ptr_array_free(sel, TRUE);
	target->exited = true;
	store_retire(s);
	store_forget_retired(s);	/* the target's row is gone from the summary */
	sel = store_select(s, true, SORT_PID, &alive);
	assert_int_equal(sel->len, 1);
	assert_int_equal(((struct row *)g_ptr_array_index(sel, 0))->key.tgid, 20);
	g_ptr_array_free(sel, TRUE);
	store_free(s);
}

static void test_sort(void **state)
{
	struct store *s = store_new();
	GPtrArray *sel;

	(void)state;
	put(s, 3, 1, DIR_TX, 10, 5, "b")->bytes_per_s = 50;
	put(s, 1, 2, DIR_TX, 30, 1, "c")->bytes_per_s = 50;
	put(s, 2, 3, DIR_TX, 20, 9, "a")->bytes_per_s = 90;
	sel = store_select(s, false, SORT_BYTES, NULL);
	/* Rate first, then total, then pid: a total order, stable between refreshes. */
	assert_int_equal(((struct row *)g_ptr_array_index(sel, 0))->key.tgid, 2);
	assert_int_equal(((struct row *)g_ptr_array_index(sel, 1))->key.tgid, 1);
	assert_int_equal(((struct row *)g_ptr_array_index(sel, 2))->key.tgid, 3);
	g_ptr_array_free(sel, TRUE);
	sel = store_select(s, false, SORT_COMM, NULL);
	assert_string_equal(((struct row *)g_ptr_array_index(sel, 0))->comm, "a");
	g_ptr_array_free(sel, TRUE);
	sel = store_select(s, false, SORT_OPS, NULL);
	assert_int_equal(((struct row *)g_ptr_array_index(sel, 0))->ops, 9);
	g_ptr_array_free(sel, TRUE);
	store_free(s);
}

/* Page-fault estimates come after bytes that calls moved, however large. */
static void test_estimates_sort_last(void **state)
{
	struct store *s = store_new();
	struct ipc_key k = { .ino = 9, .dev = 14, .tgid = 5, .type = IPC_MMAP, .dir = DIR_TX };
	bool created;
	GPtrArray *sel;

	(void)state;
	put(s, 3, 1, DIR_TX, 10, 5, "pipe")->bytes_per_s = 10;
	store_update(s, &k, 1 << 30, 1 << 18, &created)->bytes_per_s = 1 << 20;
	static const enum sort_key by_bytes[] = { SORT_BYTES, SORT_TOTAL };

	for (size_t i = 0; i < G_N_ELEMENTS(by_bytes); i++) {
		sel = store_select(s, false, by_bytes[i], NULL);
		assert_int_equal(sel->len, 2);
		assert_int_equal(((struct row *)g_ptr_array_index(sel, 0))->key.type, IPC_PIPE);
		assert_true(row_is_estimate(g_ptr_array_index(sel, 1)));
		g_ptr_array_free(sel, TRUE);
	}
	store_free(s);
}

/* A shared memory row whose bytes calls moved (read, write on a memfd) is
 * exact; one with page faults besides, or with none of either, is not. */
static void test_measured_bytes_not_estimate(void **state)
{
	struct store *s = store_new();
	struct ipc_key k = { .ino = 9, .dev = 14, .tgid = 5, .type = IPC_MMAP, .dir = DIR_TX };
	static const struct { __u64 bytes; __s64 measured; bool estimate; } cases[] = {
		{ 123457, 123457, false },	/* only calls */
		{ 123457 + 4096, 123457, true },	/* and a page fault */
		{ 4096, 0, true },		/* only page faults */
		{ 0, 0, true },			/* an idle sharer */
	};
	bool created;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct row *r = store_update(s, &k, cases[i].bytes, 1, &created);

		store_attr_set(&r->attrs, &r->nattrs, MEASURED_BYTES, cases[i].measured);
		assert_int_equal(row_is_estimate(r), cases[i].estimate);
	}
	store_free(s);
}

static void test_compare_no_overflow(void **state)
{
	struct row a = { .key = { .tgid = 1 } }, b = { .key = { .tgid = 2 } };

	(void)state;
	/* A 64-bit difference cast to int would get these wrong. */
	a.bytes = 0x100000000ULL;
	b.bytes = 1;
	assert_true(row_compare(&a, &b, SORT_TOTAL) < 0);
	assert_true(row_compare(&b, &a, SORT_TOTAL) > 0);
	assert_int_equal(row_compare(&a, &a, SORT_TOTAL), 0);
}

/* Exit notices (an exited process's SIGCHLD to its parent) fold per parent
 * and name, with exact sums; other rows, and a notice alone, stay. */
static void test_fold_exit_notices(void **state)
{
	struct store *s = store_new();
	GPtrArray *rows = g_ptr_array_new(), *made = rows_folded_new(), *shown;
	struct row *sum, *alone, *other, *alive;

	(void)state;
	for (__u32 pid = 100; pid < 105; pid++) {
		struct ipc_key k = { .ino = 7, .dev = 1, .tgid = pid, .type = IPC_SIGNAL,
				     .dir = DIR_TX };
		bool created;
		struct row *r = store_update(s, &k, 0, 1, &created);

		strcpy(r->comm, "true");
		r->title = g_ref_string_new("true --title");
		r->exited = true;
		row_set_label(r, SIGCHLD, 1, 0);
		store_attr_set(&r->attrs, &r->nattrs, "delivered", 1);
		g_ptr_array_add(rows, r);
	}
	alone = put(s, 200, 7, DIR_TX, 0, 1, "seq");
	alone->key.type = IPC_SIGNAL;
	alone->exited = true;
	row_set_label(alone, SIGCHLD, 1, 0);
	g_ptr_array_add(rows, alone);
	other = put(s, 201, 8, DIR_TX, 0, 2, "true");	/* SIGUSR1 too: not a notice */
	other->key.type = IPC_SIGNAL;
	other->exited = true;
	row_set_label(other, SIGCHLD, 1, 0);
	row_set_label(other, SIGUSR1, 1, 0);
	g_ptr_array_add(rows, other);
	alive = put(s, 202, 7, DIR_TX, 0, 1, "true");	/* still running */
	alive->key.type = IPC_SIGNAL;
	row_set_label(alive, SIGCHLD, 1, 0);
	g_ptr_array_add(rows, alive);

	shown = rows_fold_exit_notices(rows, made);
	assert_int_equal(shown->len, 4);
	assert_int_equal(made->len, 1);
	sum = g_ptr_array_index(shown, 0);
	assert_ptr_equal(sum, g_ptr_array_index(made, 0));
	assert_int_equal(sum->folded_procs, 5);
	assert_int_equal(sum->ops, 5);
	assert_int_equal(g_array_index(sum->labels, struct label_count, 0).ops, 5);
	assert_int_equal(store_attr_find(sum->attrs, sum->nattrs, "delivered")->value, 5);
	assert_int_equal(store_attr_find(sum->attrs, sum->nattrs, "processes")->value, 5);
	assert_ptr_equal(g_ptr_array_index(shown, 1), alone);
	assert_ptr_equal(g_ptr_array_index(shown, 2), other);
	assert_ptr_equal(g_ptr_array_index(shown, 3), alive);
	assert_string_equal(sum->title, "true --title");
	/* The store's rows are untouched. */
	assert_int_equal(((struct row *)g_ptr_array_index(rows, 0))->ops, 1);
	g_ptr_array_free(shown, TRUE);
	g_ptr_array_free(made, TRUE);
	/* The sum held a reference of its own to the title: freeing it (each
	 * interval) leaves the store's row's title alone. */
	assert_string_equal(((struct row *)g_ptr_array_index(rows, 0))->title, "true --title");
	assert_string_equal(((struct row *)g_ptr_array_index(rows, 0))->title, "true --title");
	g_ptr_array_free(rows, TRUE);
	store_free(s);
}

/* Whether r's attrs and labels say what c does (ingest_events()'s part). */
static void assert_events_of(const struct row *r, const struct ipc_counters *c)
{
	bool label_found = !c->first_label_ops;

	for (unsigned int e = 0; e < IPC_EVENTS; e++) {
		const char *name = mechanism_event_name(r->key.type, e);

		if (name)
			assert_int_equal(store_attr_find(r->attrs, r->nattrs, name)->value,
					 (__s64)c->events[e]);
	}
	for (guint i = 0; i < r->labels->len; i++) {
		const struct label_count *l = &g_array_index(r->labels, struct label_count, i);

		if (c->first_label_ops && l->label == c->first_label) {
			assert_int_equal(l->ops, c->first_label_ops);
			assert_int_equal(l->bytes, c->first_label_bytes);
			label_found = true;
		}
	}
	assert_true(label_found);
}

/* A row's named events and first label follow the kernel's counters read
 * after read, whichever one of them moved, for every type: a read that
 * finds them as they were skips them, and must not skip a change. */
static void test_events_follow_counters(void **state)
{
	struct store *s = store_new();
	bool created;

	(void)state;
	for (unsigned int t = 0; t < IPC_TYPE_MAX; t++) {
		struct ipc_key k = key(4000 + t, 500 + t, DIR_TX);
		struct ipc_counters c = { .bytes = 1, .ops = 1, .first_label = 3,
					  .first_label_ops = 1, .first_label_bytes = 10 };
		struct row *r;

		k.type = (__u8)t;
		r = store_update(s, &k, c.bytes, c.ops, &created);
		ingest_events(r, &c);
		assert_events_of(r, &c);
		/* Each word alone, then a read with nothing moved. */
		for (unsigned int w = 0; w < IPC_EVENTS + 3; w++) {
			if (w < IPC_EVENTS)
				c.events[w] += 1 + w;
			else if (w == IPC_EVENTS)
				c.first_label += 2;
			else if (w == IPC_EVENTS + 1)
				c.first_label_ops++;
			else
				c.first_label_bytes += 7;
			ingest_events(r, &c);
			assert_events_of(r, &c);
			ingest_events(r, &c);
			assert_events_of(r, &c);
		}
		/* Back to what an earlier read said: a change too. */
		c.events[0] = 0;
		ingest_events(r, &c);
		assert_events_of(r, &c);
	}
	store_free(s);
}

/* One read of the maps: both of pid's rows, as tracer_collect ingests them. */
static void read_twice(struct store *s, GHashTable *procs, __u32 pid, __u32 start, bool exited,
		       struct row **a, struct row **b)
{
	struct ipc_proc kp = { .exit_ns = exited, .comm = "x" };
	struct ipc_proc_key who = { .tgid = pid, .start = start };
	struct ipc_counters c = { .bytes = 1, .ops = 1 };
	struct ipc_key ka = key(pid, 100, DIR_TX), kb = key(pid, 200, DIR_RX);
	bool created;

	ka.start = kb.start = start;
	g_hash_table_remove_all(procs);
	ingest_proc(procs, &who, &kp);
	ingest_begin(s);
	ingest_counters(s, procs, &ka, &c, a, &created);
	if (exited)	/* a row first seen once its process is gone */
		kb.ino = 300;
	ingest_counters(s, procs, &kb, &c, b, &created);
}

/* Until pid's title is want: an exec names the process before its new
 * arguments can be read. */
static void wait_title(pid_t pid, __u32 start, const char *want)
{
	for (;;) {
		char *title = proc_title(pid, start);
		bool done = title && !strcmp(title, want);

		g_free(title);
		if (done)
			return;
		usleep(1000);
	}
}

/* Every row of a process has its latest title, kept once it is gone; a title
 * is the process's, not that of another with its PID. */
static void test_title_follows_process(void **state)
{
	struct store *s = store_new();
	GHashTable *procs = ingest_procs_new();
	int go[2];
	pid_t child;
	__u32 start;
	struct row *a, *b;
	char comm[COMM_LEN] = "";

	(void)state;
	assert_int_equal(pipe(go), 0);
	child = fork();
	if (child == 0) {
		dup2(go[0], 0);
		close(go[1]);
		execl("/bin/sh", "sh", "-c", "read x; exec sleep 30", (char *)NULL);
		_exit(127);
	}
	close(go[0]);
	while (strcmp(comm, "sh"))
		assert_int_equal(proc_comm(child, comm, sizeof(comm)), 0);
	start = (__u32)proc_start_time(child);
	wait_title(child, start, "sh -c read x; exec sleep 30");
	read_twice(s, procs, child, start, false, &a, &b);
	assert_string_equal(a->title, "sh -c read x; exec sleep 30");
	assert_string_equal(b->title, a->title);
	assert_null(proc_title(child, start + 1));
	/* It changes its title (by exec here); every row follows. */
	assert_int_equal(write(go[1], "\n", 1), 1);
	wait_title(child, start, "sleep 30");
	read_twice(s, procs, child, start, false, &a, &b);
	assert_string_equal(a->title, "sleep 30");
	assert_string_equal(b->title, "sleep 30");
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	read_twice(s, procs, child, start, true, &a, &b);
	assert_string_equal(a->title, "sleep 30");
	assert_string_equal(b->title, "sleep 30");
	close(go[1]);
	g_hash_table_destroy(procs);
	store_free(s);
}

/* A removal read before its object's rows (made while the counters were
 * being read) is matched at a later read, and not forever. */
static void test_removal_waits_for_its_object(void **state)
{
	struct store *s = store_new();
	struct ipc_removal_key rk = { .type = IPC_POSIX_SHM, .dev = 26 };
	struct ipc_obj_key ok = { .ino = 9, .dev = 26, .type = IPC_POSIX_SHM };
	struct object *o;

	(void)state;
	strcpy(rk.name, "dev/shm/x");
	ingest_removal(s, &rk, 77);
	o = store_object(s, &ok);
	object_set_name(o, "/dev/shm/x");
	assert_null(store_attr_find(o->attrs, o->nattrs, "removed_by"));
	ingest_pending_removals(s);
	assert_int_equal(store_attr_find(o->attrs, o->nattrs, "removed_by")->value, 77);
	assert_int_equal(s->pending_removals->len, 0);
	/* One whose object never comes goes after a few reads. */
	strcpy(rk.name, "dev/shm/never");
	ingest_removal(s, &rk, 78);
	for (int i = 0; i < 100 && s->pending_removals->len; i++)
		ingest_pending_removals(s);
	assert_int_equal(s->pending_removals->len, 0);
	store_free(s);
}

int run_rows_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update_and_rates),
		cmocka_unit_test(test_rows_sort_as_compare),
		cmocka_unit_test(test_select_from_last_order),
		cmocka_unit_test(test_peers_from_traffic),
		cmocka_unit_test(test_self_loop_is_own_peer),
		cmocka_unit_test(test_peers_from_holders),
		cmocka_unit_test(test_channel_peers_as_defined),
		cmocka_unit_test(test_peers_updated_as_computed),
		cmocka_unit_test(test_retire),
		cmocka_unit_test(test_proc_rows_follow_the_store),
		cmocka_unit_test(test_exited_after_closed),
		cmocka_unit_test(test_select_by_pid),
		cmocka_unit_test(test_target_pid_reused),
		cmocka_unit_test(test_peer_listed_after_target_row_folds),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_estimates_sort_last),
		cmocka_unit_test(test_measured_bytes_not_estimate),
		cmocka_unit_test(test_compare_no_overflow),
		cmocka_unit_test(test_fold_exit_notices),
		cmocka_unit_test(test_events_follow_counters),
		cmocka_unit_test(test_title_follows_process),
		cmocka_unit_test(test_removal_waits_for_its_object),
	};

	return cmocka_run_group_tests_name("rows", tests, NULL, NULL);
}
