// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "model/mechanism.h"
#include "model/users.h"
#include "output/output.h"
#include "output/tui_view.h"
#include "common/sanitize.h"

static void view_row_free(gpointer p)
{
	struct view_row *v = p;

	g_array_unref(v->row.peers);
	g_array_unref(v->row.labels);
	if (v->row.title)
		g_ref_string_release(v->row.title);
	/* attrs, the object's name and attrs are in v's own block. */
	g_free(v);
}

/*
 * Each frame copies every row (a paused view keeps its frame while the
 * store moves on), so a row's copy is one allocation for what does not grow
 * (the row, its object's name, both lists of counters) and the copies of
 * lists only where they are not empty.
 */
GPtrArray *tui_view_snapshot(const GPtrArray *rows)
{
	GPtrArray *out = g_ptr_array_new_full(rows->len, view_row_free);

	for (guint i = 0; i < rows->len; i++) {
		rows_prefetch(rows, i);
		const struct row *r = g_ptr_array_index(rows, i);
		size_t attrs = (size_t)r->nattrs * sizeof(*r->attrs);
		size_t oattrs = r->obj ? (size_t)r->obj->nattrs * sizeof(*r->obj->attrs) : 0;
		size_t name = r->obj && r->obj->name ? strlen(r->obj->name) + 1 : 0;
		struct view_row *v = g_malloc(sizeof(*v) + attrs + oattrs + name);
		char *tail = (char *)(v + 1);

		v->row = *r;
		row_lists_copy(r, &v->row.peers, &v->row.labels);
		/* A GRefString the process's rows share: shared here too. */
		v->row.title = r->title ? g_ref_string_acquire(r->title) : NULL;
		v->row.attrs = attrs ? memcpy(tail, r->attrs, attrs) : NULL;
		tail += attrs;
		/* The store's to free; only the summary prints histograms. */
		v->row.hist = NULL;
		v->row.obj = NULL;
		memset(&v->obj, 0, sizeof(v->obj));
		if (r->obj) {
			/* The object's lists point into the store: only what is read here. */
			v->obj.key = r->obj->key;
			v->obj.attrs = oattrs ? memcpy(tail, r->obj->attrs, oattrs) : NULL;
			tail += oattrs;
			v->obj.name = name ? memcpy(tail, r->obj->name, name) : NULL;
			v->obj.name_clean = r->obj->name_clean;
			v->obj.nattrs = r->obj->nattrs;
			v->row.obj = &v->obj;
		}
		g_ptr_array_add(out, v);
	}
	return out;
}

static bool cell_matches(const char *cell, const char *text)
{
	return strcasestr(cell, text) != NULL;
}

/* / : a part of any column as the table shows it (names escaped), in any case. */
static bool row_matches(const struct row *r, const char *text)
{
	char buf[512], name[4 * IPC_NAME_LEN + 8];

	snprintf(buf, sizeof(buf), "%u", r->key.tgid);
	if (cell_matches(buf, text) ||
	    cell_matches(name_escape_buf(name, sizeof(name), r->comm), text) ||
	    (r->title && cell_matches(name_escape_buf(name, sizeof(name), r->title), text)) ||
	    cell_matches(name_escape_buf(name, sizeof(name), user_name(r->uid)), text) ||
	    cell_matches(ipc_type_name(r->key.type), text) ||
	    cell_matches(r->key.dir == DIR_TX ? "tx" : "rx", text) ||
	    (r->obj && r->obj->name &&
	     cell_matches(name_escape_buf(name, sizeof(name), r->obj->name), text)))
		return true;
	format_peers(r, buf, sizeof(buf), 0);
	if (cell_matches(buf, text))
		return true;
	format_detail(r, buf, sizeof(buf));
	return cell_matches(buf, text);
}

static bool row_shown(const struct row *r, const struct view_options *o)
{
	if (r->retired && !o->show_exited)
		return false;
	if (!(o->type_mask & (1U << r->key.type)))
		return false;
	return !o->comm || !o->comm[0] || row_matches(r, o->comm);
}

/* The key's order, or its reverse: ties too, so the order stays fixed. */
static gint compare_in(const struct row *a, const struct row *b, const struct view_options *o)
{
	return o->inverted ? row_compare(b, a, o->sort) : row_compare(a, b, o->sort);
}

static gint compare_groups(gconstpointer a, gconstpointer b, gpointer o)
{
	const struct view_group *x = *(struct view_group *const *)a;
	const struct view_group *y = *(struct view_group *const *)b;

	return compare_in(&x->sum, &y->sum, o);
}

/* A peer of any of the process's rows, once (peers are sorted by pid). */
static void merge_peers(GArray *into, const GArray *peers)
{
	for (guint i = 0; i < peers->len; i++) {
		const struct peer *p = &g_array_index(peers, struct peer, i);
		guint j = 0;

		while (j < into->len) {
			const struct peer *q = &g_array_index(into, struct peer, j);

			if (peer_compare(q, p) >= 0)
				break;
			j++;
		}
		if (j < into->len) {
			struct peer *q = &g_array_index(into, struct peer, j);

			if (peer_compare(q, p) == 0) {
				q->exited = q->exited && p->exited;
				continue;
			}
		}
		g_array_insert_val(into, j, *p);
	}
}

static void group_free(gpointer p)
{
	struct view_group *g = p;

	g_array_unref(g->sum.peers);
	g_ptr_array_unref(g->rows);
	g_free(g);
}

static bool group_expanded(const struct view_options *o, int pid)
{
	bool flipped = o->toggled && g_hash_table_contains(o->toggled, GINT_TO_POINTER(pid));

	return o->all_expanded != flipped;
}

struct view *tui_view_build(const GPtrArray *snapshot, const struct view_options *o)
{
	struct view *v = g_new0(struct view, 1);
	GPtrArray *rows = g_ptr_array_new(), *all = g_ptr_array_new();
	GHashTable *by_pid = g_hash_table_new(NULL, NULL), *shared;
	gpointer sort = (gpointer)o;

	v->groups = g_ptr_array_new_with_free_func(group_free);
	v->lines = g_array_new(FALSE, TRUE, sizeof(struct view_line));
	for (guint i = 0; i < snapshot->len; i++) {
		struct view_row *r = g_ptr_array_index(snapshot, i);

		g_ptr_array_add(all, &r->row);
		if (row_shown(&r->row, o))
			g_ptr_array_add(rows, &r->row);
	}
	/* Over every row, so that a filter never turns a title back into a name. */
	shared = format_shared_names(all, all->len);
	g_ptr_array_unref(all);
	v->rows = rows->len;
	/* Rows in order first: each process's channels keep that order, and its
	 * first row stands for it where a key reads an object (type). */
	rows_sort(rows, o->sort, o->inverted);
	for (guint i = 0; i < rows->len; i++) {
		struct row *r = g_ptr_array_index(rows, i);
		gpointer pid = row_proc(r);	/* a process: a PID and its start */
		struct view_group *g = g_hash_table_lookup(by_pid, pid);

		if (!g) {
			g = g_new0(struct view_group, 1);
			g->sum.key = r->key;
			g->sum.obj = r->obj;
			g_strlcpy(g->sum.comm, r->comm, sizeof(g->sum.comm));
			/* The snapshot's, which outlives the view. */
			g->sum.title = r->title;
			g->titled = g_hash_table_contains(shared, r->comm);
			g->sum.uid = r->uid;
			g->sum.exited = true;
			g->sum.peers = g_array_new(FALSE, TRUE, sizeof(struct peer));
			g->rows = g_ptr_array_new();
			g->expanded = group_expanded(o, (int)r->key.tgid);
			g_hash_table_insert(by_pid, pid, g);
			g_ptr_array_add(v->groups, g);
		}
		g_ptr_array_add(g->rows, r);
		g->sum.bytes += r->bytes;
		g->sum.ops += r->ops;
		g->sum.bytes_per_s += r->bytes_per_s;
		g->sum.ops_per_s += r->ops_per_s;
		/* Over 100% when several of its threads wait, as a row's may be. */
		g->sum.wait_share += r->wait_share;
		g->sum.exited = g->sum.exited && r->exited;
		g->types |= 1U << r->key.type;
		g->dirs |= 1U << r->key.dir;
		merge_peers(g->sum.peers, r->peers);
	}
	g_ptr_array_sort_with_data(v->groups, compare_groups, sort);
	if (o->max_groups > 0 && v->groups->len > (guint)o->max_groups) {
		v->groups_cut = v->groups->len - (guint)o->max_groups;
		g_ptr_array_set_size(v->groups, (guint)o->max_groups);
	}
	for (guint i = 0; i < v->groups->len; i++) {
		struct view_group *g = g_ptr_array_index(v->groups, i);
		struct view_line line = { .group = g };

		g_array_append_val(v->lines, line);
		for (guint j = 0; g->expanded && j < g->rows->len; j++) {
			line.row = g_ptr_array_index(g->rows, j);
			g_array_append_val(v->lines, line);
		}
	}
	g_hash_table_destroy(by_pid);
	g_hash_table_destroy(shared);
	g_ptr_array_unref(rows);
	return v;
}

void tui_view_free(struct view *v)
{
	if (!v)
		return;
	g_array_unref(v->lines);
	g_ptr_array_unref(v->groups);
	g_free(v);
}
