// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "unit.h"
#include "model/holders.h"
#include "model/mechanism.h"
#include "output/output.h"
#include "output/tui_view.h"

static struct row *put(struct store *s, __u32 pid, unsigned int type, __u64 ino, __u8 dir,
		       __u64 bytes, __u64 ops, const char *comm)
{
	struct ipc_key k = { .ino = ino, .dev = 13, .tgid = pid, .type = type, .dir = dir };
	bool created;
	struct row *r = store_update(s, &k, bytes, ops, &created);

	strcpy(r->comm, comm);
	return r;
}

/*
 * 10 "writer" writes a pipe read by 20 "Reader", and a FIFO read by 30
 * "other"; 40 "gone" wrote a pipe nobody read and has exited, retired.
 */
static struct store *sample(void)
{
	struct store *s = store_new();
	struct row *gone;

	/* The writer waited a quarter of the second on each channel. */
	put(s, 10, IPC_PIPE, 100, DIR_TX, 3000, 3, "writer")->wait_ns = 250000000;
	put(s, 20, IPC_PIPE, 100, DIR_RX, 3000, 3, "Reader");
	put(s, 10, IPC_FIFO, 200, DIR_TX, 500, 5, "writer")->wait_ns = 250000000;
	put(s, 30, IPC_FIFO, 200, DIR_RX, 500, 5, "other");
	gone = put(s, 40, IPC_PIPE, 300, DIR_TX, 9000, 1, "gone");
	object_set_name(gone->obj, "pipe:[300]");
	store_rates(s, 1.0);
	store_compute_peers(s);
	gone->exited = true;
	store_retire(s);
	return s;
}

static GPtrArray *snapshot_of(struct store *s)
{
	GPtrArray *rows = store_select(s, true, SORT_BYTES, NULL);
	GPtrArray *snap = tui_view_snapshot(rows);

	g_ptr_array_free(rows, TRUE);
	return snap;
}

static struct view_options all_types(enum sort_key sort)
{
	struct view_options o = { .sort = sort, .type_mask = mechanism_types() };

	return o;
}

static struct view_group *group(const struct view *v, guint i)
{
	assert_true(i < v->groups->len);
	return g_ptr_array_index(v->groups, i);
}

static void test_groups_add_up_their_rows(void **state)
{
	struct store *s = sample();
	GPtrArray *snap = snapshot_of(s);
	struct view_options o = all_types(SORT_TOTAL);
	struct view *v;
	struct view_group *w;
	char peers[128];

	(void)state;
	v = tui_view_build(snap, &o);
	/* The exited process is left out by default. */
	assert_int_equal(v->groups->len, 3);
	assert_int_equal(v->rows, 4);
	w = group(v, 0);
	assert_int_equal(w->sum.key.tgid, 10);
	assert_string_equal(w->sum.comm, "writer");
	assert_int_equal(w->sum.bytes, 3500);
	assert_int_equal(w->sum.ops, 8);
	assert_true(w->sum.bytes_per_s == 3500.0);
	assert_true(w->sum.wait_share == 0.5);
	assert_int_equal(w->rows->len, 2);
	assert_int_equal(w->types, 1U << IPC_PIPE | 1U << IPC_FIFO);
	assert_int_equal(w->dirs, 1U << DIR_TX);
	/* Its peers are its rows' peers, once each. */
	format_peers(&w->sum, peers, sizeof(peers), 0);
	assert_string_equal(peers, "20/Reader,30/other");
	/* Collapsed: one line per process. */
	assert_int_equal(v->lines->len, 3);
	tui_view_free(v);
	g_ptr_array_unref(snap);
	store_free(s);
}

static void test_sort_keys_order_processes(void **state)
{
	struct store *s = sample();
	GPtrArray *snap = snapshot_of(s);
	struct view_options o = all_types(SORT_TOTAL);
	struct view *v;

	(void)state;
	o.show_exited = true;
	v = tui_view_build(snap, &o);
	/* 40's 9000 bytes, 10's 3500, 20's 3000, 30's 500. */
	assert_int_equal(v->groups->len, 4);
	assert_int_equal(group(v, 0)->sum.key.tgid, 40);
	assert_int_equal(group(v, 1)->sum.key.tgid, 10);
	assert_int_equal(group(v, 2)->sum.key.tgid, 20);
	assert_int_equal(group(v, 3)->sum.key.tgid, 30);
	tui_view_free(v);
	o.sort = SORT_COMM;
	v = tui_view_build(snap, &o);
	/* strcmp: upper case first. */
	assert_string_equal(group(v, 0)->sum.comm, "Reader");
	assert_string_equal(group(v, 1)->sum.comm, "gone");
	assert_string_equal(group(v, 2)->sum.comm, "other");
	assert_string_equal(group(v, 3)->sum.comm, "writer");
	tui_view_free(v);
	/* I: the order turned round, the processes' and their rows'. */
	o.sort = SORT_TOTAL;
	o.inverted = true;
	v = tui_view_build(snap, &o);
	assert_int_equal(v->groups->len, 4);
	assert_int_equal(group(v, 0)->sum.key.tgid, 30);
	assert_int_equal(group(v, 1)->sum.key.tgid, 20);
	assert_int_equal(group(v, 2)->sum.key.tgid, 10);
	assert_int_equal(group(v, 3)->sum.key.tgid, 40);
	tui_view_free(v);
	o.inverted = false;
	/* Within a process, rows keep the key's order too. */
	o.sort = SORT_OPS;
	v = tui_view_build(snap, &o);
	assert_int_equal(group(v, 0)->sum.key.tgid, 10);
	assert_int_equal(((struct row *)g_ptr_array_index(group(v, 0)->rows, 0))->key.type, IPC_FIFO);
	tui_view_free(v);
	g_ptr_array_unref(snap);
	store_free(s);
}

static void test_filters(void **state)
{
	struct store *s = sample();
	GPtrArray *snap = snapshot_of(s);
	struct view_options o = all_types(SORT_PID);
	struct view *v;

	(void)state;
	o.type_mask = 1U << IPC_FIFO;
	v = tui_view_build(snap, &o);
	assert_int_equal(v->groups->len, 2);
	assert_int_equal(group(v, 0)->sum.key.tgid, 10);
	assert_int_equal(group(v, 0)->sum.bytes, 500);
	assert_int_equal(group(v, 1)->sum.key.tgid, 30);
	tui_view_free(v);
	/* A part of any column, in any case: Reader's name, and the writer's
	 * pipe row, whose PEERS say 20/Reader; not the writer's FIFO row. */
	o.type_mask = mechanism_types();
	o.comm = "EAD";
	v = tui_view_build(snap, &o);
	assert_int_equal(v->groups->len, 2);
	assert_int_equal(v->rows, 2);
	for (guint i = 0; i < 2; i++)
		assert_int_equal(((struct row *)g_ptr_array_index(group(v, i)->rows, 0))->key.type,
				 IPC_PIPE);
	tui_view_free(v);
	/* A type, a PID (its own rows and those it is a peer of), a user. */
	o.comm = "FIFO";
	v = tui_view_build(snap, &o);
	assert_int_equal(v->rows, 2);
	tui_view_free(v);
	o.comm = "30";
	v = tui_view_build(snap, &o);
	assert_int_equal(v->groups->len, 2);
	assert_int_equal(v->rows, 2);
	tui_view_free(v);
	o.comm = "ROOT";
	v = tui_view_build(snap, &o);
	assert_int_equal(v->rows, 4);
	tui_view_free(v);
	o.comm = "gone";
	v = tui_view_build(snap, &o);
	assert_int_equal(v->groups->len, 0);
	assert_int_equal(v->lines->len, 0);
	tui_view_free(v);
	o.show_exited = true;
	v = tui_view_build(snap, &o);
	assert_int_equal(v->groups->len, 1);
	assert_true(group(v, 0)->sum.exited);
	tui_view_free(v);
	g_ptr_array_unref(snap);
	store_free(s);
}

static void test_expand_and_cut(void **state)
{
	struct store *s = sample();
	GPtrArray *snap = snapshot_of(s);
	struct view_options o = all_types(SORT_PID);
	const struct view_line *l;
	struct view *v;

	(void)state;
	o.toggled = g_hash_table_new(NULL, NULL);
	g_hash_table_add(o.toggled, GINT_TO_POINTER(10));
	v = tui_view_build(snap, &o);
	/* 10 and its two rows, 20, 30. */
	assert_int_equal(v->lines->len, 5);
	l = &g_array_index(v->lines, struct view_line, 0);
	assert_null(l->row);
	assert_true(l->group->expanded);
	l = &g_array_index(v->lines, struct view_line, 1);
	assert_non_null(l->row);
	assert_int_equal(l->row->key.tgid, 10);
	assert_null(g_array_index(v->lines, struct view_line, 3).row);
	tui_view_free(v);
	/* Every process expanded but the one toggled. */
	o.all_expanded = true;
	v = tui_view_build(snap, &o);
	assert_int_equal(v->lines->len, 1 + 2 + 2);
	assert_false(group(v, 0)->expanded);
	assert_true(group(v, 1)->expanded);
	tui_view_free(v);
	o.max_groups = 2;
	v = tui_view_build(snap, &o);
	assert_int_equal(v->groups->len, 2);
	assert_int_equal(v->groups_cut, 1);
	tui_view_free(v);
	g_hash_table_destroy(o.toggled);
	g_ptr_array_unref(snap);
	store_free(s);
}

/* A paused screen keeps its rows after the store has let them go. */
static void test_snapshot_outlives_the_store(void **state)
{
	struct store *s = sample();
	GPtrArray *snap = snapshot_of(s);
	struct view_options o = all_types(SORT_TOTAL);
	const struct row *r;
	struct view *v;
	char peers[64], detail[64];

	(void)state;
	g_ptr_array_unref(snap);
	/* A row with counters, labels and an object with its own counters. */
	r = put(s, 60, IPC_MQ, 500, DIR_RX, 1, 1, "mq");
	object_set_name(r->obj, "/queue");
	store_attr_set(&((struct row *)r)->attrs, &((struct row *)r)->nattrs, "timeouts", 2);
	store_attr_set(&r->obj->attrs, &r->obj->nattrs, "depth", 7);
	row_set_label((struct row *)r, 5, 1, 1);
	snap = snapshot_of(s);
	store_free(s);
	o.show_exited = true;
	v = tui_view_build(snap, &o);
	o.sort = SORT_PID;
	tui_view_free(v);
	v = tui_view_build(snap, &o);
	r = g_ptr_array_index(group(v, v->groups->len - 1)->rows, 0);
	assert_int_equal(r->key.tgid, 60);
	assert_string_equal(r->obj->name, "/queue");
	format_detail(r, detail, sizeof(detail));
	assert_string_equal(detail, "timeouts=2 prio 5:1 depth=7");
	tui_view_free(v);
	o.sort = SORT_TOTAL;
	v = tui_view_build(snap, &o);
	r = g_ptr_array_index(group(v, 0)->rows, 0);
	assert_int_equal(r->key.tgid, 40);
	assert_string_equal(r->obj->name, "pipe:[300]");
	format_peers(r, peers, sizeof(peers), 0);
	assert_string_equal(peers, "-");
	format_detail(r, detail, sizeof(detail));
	assert_string_equal(detail, "");
	r = g_ptr_array_index(group(v, 1)->rows, 0);
	format_peers(r, peers, sizeof(peers), 0);
	assert_string_equal(peers, "20/Reader");
	tui_view_free(v);
	g_ptr_array_unref(snap);
}

/* A snapshot keeps the peers its rows had when it was taken: the store
 * works out changed peers into lists of their own, never into a list a
 * snapshot holds, and frees its lists without emptying them. */
static void test_snapshot_keeps_its_peers(void **state)
{
	struct store *s = sample();
	GPtrArray *before = snapshot_of(s), *after;
	struct row *reader = NULL;
	char peers[64];

	(void)state;
	for (guint i = 0; i < before->len; i++) {
		const struct row *r = g_ptr_array_index(before, i);

		if (r->key.tgid == 10 && r->key.type == IPC_PIPE) {
			format_peers(r, peers, sizeof(peers), 0);
			assert_string_equal(peers, "20/Reader");
		}
	}
	/* The reader exits and a second one reads the pipe. */
	reader = put(s, 20, IPC_PIPE, 100, DIR_RX, 3000, 3, "Reader");
	row_set_exited(reader);
	put(s, 25, IPC_PIPE, 100, DIR_RX, 10, 1, "late");
	store_update_peers(s);
	after = snapshot_of(s);
	store_free(s);
	for (int round = 0; round < 2; round++) {
		GPtrArray *snap = round ? after : before;
		int seen = 0;

		for (guint i = 0; i < snap->len; i++) {
			const struct row *r = g_ptr_array_index(snap, i);

			if (r->key.tgid != 10 || r->key.type != IPC_PIPE)
				continue;
			format_peers(r, peers, sizeof(peers), 0);
			assert_string_equal(peers, round ? "20/Reader*,25/late" : "20/Reader");
			seen++;
		}
		assert_int_equal(seen, 1);
	}
	g_ptr_array_unref(before);
	g_ptr_array_unref(after);
}

/* Processes that share a name show their titles, as in the table; "/" finds them. */
static void test_titles_tell_processes_apart(void **state)
{
	struct store *s = sample();
	struct view_options o = all_types(SORT_PID);
	GPtrArray *snap;
	struct view *v;

	(void)state;
	put(s, 50, IPC_PIPE, 400, DIR_TX, 10, 1, "postgres")->title =
		g_ref_string_new("postgres: checkpointer ");
	put(s, 51, IPC_PIPE, 400, DIR_RX, 10, 1, "postgres")->title =
		g_ref_string_new("postgres: bench db [local] idle");
	/* One name, one title: nothing to tell apart. */
	put(s, 10, IPC_PIPE, 100, DIR_TX, 0, 0, "writer")->title = g_ref_string_new("writer --fast");
	snap = snapshot_of(s);
	store_free(s);
	v = tui_view_build(snap, &o);
	assert_int_equal(v->groups->len, 5);
	assert_int_equal(group(v, 0)->sum.key.tgid, 10);
	assert_false(group(v, 0)->titled);
	assert_int_equal(group(v, 3)->sum.key.tgid, 50);
	assert_true(group(v, 3)->titled);
	assert_string_equal(group(v, 3)->sum.title, "postgres: checkpointer ");
	assert_true(group(v, 4)->titled);
	assert_string_equal(group(v, 4)->sum.title, "postgres: bench db [local] idle");
	tui_view_free(v);
	o.comm = "[LOCAL]";
	v = tui_view_build(snap, &o);
	assert_int_equal(v->groups->len, 1);
	assert_int_equal(group(v, 0)->sum.key.tgid, 51);
	/* Alone on the screen, still told by its title. */
	assert_true(group(v, 0)->titled);
	tui_view_free(v);
	g_ptr_array_unref(snap);
}

int run_tui_view_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_add_up_their_rows),
		cmocka_unit_test(test_sort_keys_order_processes),
		cmocka_unit_test(test_titles_tell_processes_apart),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_expand_and_cut),
		cmocka_unit_test(test_snapshot_outlives_the_store),
		cmocka_unit_test(test_snapshot_keeps_its_peers),
	};

	return cmocka_run_group_tests_name("tui_view", tests, NULL, NULL);
}
