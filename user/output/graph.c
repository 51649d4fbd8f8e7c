// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <string.h>
#include "output/graph.h"
#include "model/mechanism.h"
#include "common/sanitize.h"

void graph_dot_escape(FILE *out, const char *s)
{
	char *text = name_escaped(s);

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		/* A backslash starts an escape in a DOT label (\n, \N, \G...). */
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\\\x%02x", *p);	/* shown as \x0a, not obeyed */
		else
			fputc(*p, out);
	}
	g_free(text);
}

/* A process, or a socket's remote endpoint (pid 0). */
struct node {
	int pid;
	__u32 start;		/* with pid, who it is */
	const char *comm;	/* the remote address for a remote endpoint */
	bool exited;
	char id[32];
};

/* Data one way between the two ends of an edge, and how well it is known. */
struct flow {
	bool present;
	struct node *writer, *reader;
	const struct object *writer_end, *reader_end;	/* NULL: not known */
	__u64 bytes, ops;
	bool exact;	/* else an upper bound: several writers and readers share it */
};

/*
 * A channel between two processes: one object (a pipe, a queue), or for
 * sockets, whose every end is an object, the two ends. Both directions of a
 * conversation are one edge.
 */
struct edge {
	struct node *a, *b;
	const struct object *a_end, *b_end;
	unsigned int type;
	struct flow ab, ba;
};

struct graph {
	GHashTable *nodes;	/* "p<pid>/<start>" or "r:<address>" -> struct node */
	GHashTable *pids;	/* pid -> processes of that PID drawn so far */
	unsigned int remotes;
	GHashTable *edges;	/* key -> struct edge */
	GHashTable *rows;	/* (pid, start, object, dir) -> const struct row */
	/*
	 * Whether every row of a live process is in the frame (-r did not cut
	 * any), and every row of an exited one (the summary, with none folded):
	 * then a process without a row moved nothing.
	 */
	bool live_complete, exited_complete;
};

static char *row_index_key(int pid, __u32 start, const struct object *o, unsigned int dir)
{
	return g_strdup_printf("%d/%u/%p/%u", pid, start, (const void *)o, dir);
}

static const struct row *row_of(const struct graph *g, const struct node *n,
				const struct object *o, unsigned int dir)
{
	char *key;
	const struct row *r;

	if (!n->pid || !o)
		return NULL;
	key = row_index_key(n->pid, n->start, o, dir);
	r = g_hash_table_lookup(g->rows, key);
	g_free(key);
	return r;
}

static struct node *node_for(struct graph *g, int pid, __u32 start, const char *comm, bool exited)
{
	/* Processes by PID and start time, remote endpoints by address. */
	char *key = pid ? g_strdup_printf("p%d/%u", pid, start) : g_strdup_printf("r:%s", comm);
	struct node *n = g_hash_table_lookup(g->nodes, key);

	if (!n) {
		n = g_new0(struct node, 1);
		n->pid = pid;
		n->start = start;
		n->comm = comm;
		if (pid) {
			/* A PID that came round again is a second process. */
			guint seen = GPOINTER_TO_UINT(g_hash_table_lookup(g->pids,
									  GINT_TO_POINTER(pid)));

			if (seen)
				snprintf(n->id, sizeof(n->id), "p%d_%u", pid, seen);
			else
				snprintf(n->id, sizeof(n->id), "p%d", pid);
			g_hash_table_insert(g->pids, GINT_TO_POINTER(pid), GUINT_TO_POINTER(seen + 1));
		} else
			snprintf(n->id, sizeof(n->id), "r%u", g->remotes++);
		g_hash_table_insert(g->nodes, key, n);
	} else {
		g_free(key);
	}
	/* A row's own word on its process wins over a peer's older one. */
	n->exited |= exited;
	return n;
}

static int node_cmp(const struct node *a, const struct node *b)
{
	if (a->pid != b->pid)
		return !a->pid ? 1 : !b->pid ? -1 : a->pid < b->pid ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return strcmp(a->comm, b->comm);
}

static int end_cmp(const struct object *a, const struct object *b)
{
	if (a == b)
		return 0;
	if (!a || !b)
		return !a ? 1 : -1;
	if (a->key.ino != b->key.ino)
		return a->key.ino < b->key.ino ? -1 : 1;
	return a->key.dev < b->key.dev ? -1 : a->key.dev != b->key.dev;
}

/*
 * The object a peer talks through. A channel is one object for all; a
 * socket's peer is on a socket linked to this one: the one the peer has
 * traffic on or holds, or the only one.
 */
static const struct object *peer_end(struct graph *g, const struct row *r, const struct peer *p)
{
	const struct object *o = r->obj;
	const struct node who = { .pid = p->pid, .start = p->start };

	if (!mechanism_is_endpoint(r->key.type))
		return o;
	if (!p->pid)
		return NULL;
	for (guint i = 0; i < o->peer_objs->len; i++) {
		const struct object *x = g_ptr_array_index(o->peer_objs, i);

		if (row_of(g, &who, x, DIR_TX) || row_of(g, &who, x, DIR_RX))
			return x;
	}
	for (guint i = 0; i < o->peer_objs->len; i++) {
		const struct object *x = g_ptr_array_index(o->peer_objs, i);

		for (guint j = 0; j < x->holders->len; j++) {
			const struct holder *h = &g_array_index(x->holders, struct holder, j);

			if (h->pid == p->pid && h->start == p->start)
				return x;
		}
	}
	return o->peer_objs->len == 1 ? g_ptr_array_index(o->peer_objs, 0) : NULL;
}

static void add_flow(struct graph *g, unsigned int type, struct node *writer,
		     const struct object *writer_end, struct node *reader,
		     const struct object *reader_end)
{
	bool forward = node_cmp(writer, reader) < 0 ||
		       (writer == reader && end_cmp(writer_end, reader_end) <= 0);
	struct node *a = forward ? writer : reader, *b = forward ? reader : writer;
	const struct object *a_end = forward ? writer_end : reader_end;
	const struct object *b_end = forward ? reader_end : writer_end;
	char *key = g_strdup_printf("%s/%s/%p/%p", a->id, b->id, (const void *)a_end,
				    (const void *)b_end);
	struct edge *e = g_hash_table_lookup(g->edges, key);
	struct flow *fl;

	if (!e) {
		e = g_new0(struct edge, 1);
		*e = (struct edge){ .a = a, .b = b, .a_end = a_end, .b_end = b_end, .type = type };
		g_hash_table_insert(g->edges, key, e);
	} else {
		g_free(key);
	}
	fl = forward ? &e->ab : &e->ba;
	if (fl->present)
		return;
	*fl = (struct flow){ .present = true, .writer = writer, .reader = reader,
			     .writer_end = writer_end, .reader_end = reader_end };
}

/*
 * Whether n may have moved data in dir through end: it has a row for it, or
 * its row could be missing from the frame (cut by -r, or retired after the
 * process exited), or the end is not known (a remote endpoint).
 */
static bool may_have_moved(const struct graph *g, const struct node *n, const struct object *end,
			   unsigned int dir)
{
	if (!n->pid || !end || row_of(g, n, end, dir))
		return true;
	return n->exited ? !g->exited_complete : !g->live_complete;
}

/*
 * Whether n is the only peer of r that may have moved data the other way:
 * the others hold the object but never used it.
 */
static bool sole_counterpart(struct graph *g, const struct row *r, const struct node *n)
{
	unsigned int other_dir = r->key.dir == DIR_TX ? DIR_RX : DIR_TX;
	bool found = false;

	for (guint i = 0; i < r->peers->len; i++) {
		const struct peer *p = &g_array_index(r->peers, struct peer, i);
		const struct node *peer;

		if (p->pid == n->pid &&
		    (p->pid ? p->start == n->start : strcmp(p->remote, n->comm) == 0)) {
			found = true;
			continue;
		}
		peer = node_for(g, p->pid, p->start, p->pid ? p->comm : p->remote, p->exited);
		if (may_have_moved(g, peer, peer_end(g, r, p), other_dir))
			return false;
	}
	return found;
}

/*
 * What a reader read is all from a writer when no other peer of the reader
 * may have written, and what a writer wrote all went to a reader when no
 * other peer of the writer may have read. When several did, nobody knows
 * who got what: the smaller of the two totals bounds it.
 */
static void measure(struct graph *g, struct flow *fl)
{
	const struct row *w = row_of(g, fl->writer, fl->writer_end, DIR_TX);
	const struct row *r = row_of(g, fl->reader, fl->reader_end, DIR_RX);

	fl->exact = true;
	fl->bytes = fl->ops = 0;
	if (!may_have_moved(g, fl->writer, fl->writer_end, DIR_TX) ||
	    !may_have_moved(g, fl->reader, fl->reader_end, DIR_RX))
		return;	/* a holder that never wrote, or never read */
	if (r && sole_counterpart(g, r, fl->writer)) {
		fl->bytes = r->bytes;
		fl->ops = r->ops;
	} else if (w && sole_counterpart(g, w, fl->reader)) {
		fl->bytes = w->bytes;
		fl->ops = w->ops;
	} else {
		const struct row *least = !r ? w : !w ? r : r->bytes < w->bytes ? r : w;

		fl->bytes = least ? least->bytes : 0;
		fl->ops = least ? least->ops : 0;
		fl->exact = !fl->bytes && !fl->ops;
	}
}

static void build(struct graph *g, const struct frame *f)
{
	guint n = f->rows->len;

	if (f->max_rows > 0 && n > (guint)f->max_rows)
		n = (guint)f->max_rows;
	g->live_complete = n == f->rows->len;
	g->exited_complete = g->live_complete && f->final && !f->folded.rows;
	for (guint i = 0; i < n; i++) {
		const struct row *r = g_ptr_array_index(f->rows, i);

		g_hash_table_insert(g->rows,
				    row_index_key(r->key.tgid, r->key.start, r->obj, r->key.dir),
				    (gpointer)r);
	}
	for (guint i = 0; i < n; i++) {
		const struct row *r = g_ptr_array_index(f->rows, i);
		struct node *self = node_for(g, r->key.tgid, r->key.start, r->comm, r->exited);

		for (guint j = 0; j < r->peers->len; j++) {
			const struct peer *p = &g_array_index(r->peers, struct peer, j);
			struct node *other = node_for(g, p->pid, p->start,
						      p->pid ? p->comm : p->remote, p->exited);
			const struct object *other_end = peer_end(g, r, p);

			if (r->key.dir == DIR_TX)
				add_flow(g, r->key.type, self, r->obj, other, other_end);
			else
				add_flow(g, r->key.type, other, other_end, self, r->obj);
		}
	}
}

/* 1234567 -> "1,234,567": exact, and still readable at a glance. */
static void grouped(__u64 v, char *buf, size_t len)
{
	char digits[24];
	size_t n, o = 0;

	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	n = strlen(digits);
	for (size_t i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

static void flow_amount(FILE *out, const struct flow *fl)
{
	char bytes[32], ops[32];

	grouped(fl->bytes, bytes, sizeof(bytes));
	grouped(fl->ops, ops, sizeof(ops));
	fprintf(out, "%s%s B in %s ops", fl->exact ? "" : "at most ", bytes, ops);
}

/* Who sent, in a two-way label: the name, and the PID if the names match. */
static void sender(FILE *out, const struct edge *e, const struct node *n)
{
	graph_dot_escape(out, n->comm);
	if (n->pid && e->a != e->b && strcmp(e->a->comm, e->b->comm) == 0)
		fprintf(out, " (%d)", n->pid);
}

static const char *end_name(const struct object *o)
{
	return o && o->name ? o->name : NULL;
}

/*
 * The object a label names: the channel's; for sockets, the end that
 * received more (a datagram receiver's bound name says more than its
 * senders' "unnamed"), or on a tie the first process's.
 */
static const char *edge_object(const struct edge *e)
{
	const struct object *first = e->a_end, *second = e->b_end;

	if (e->ab.present && (!e->ba.present || e->ab.bytes > e->ba.bytes)) {
		first = e->b_end;
		second = e->a_end;
	}
	return end_name(first) ? end_name(first) : end_name(second) ? end_name(second) : "?";
}

static void print_edge(FILE *out, const struct edge *e)
{
	const char *type = ipc_type_name(e->type), *object = edge_object(e);
	bool both = e->ab.present && e->ba.present;
	const struct flow *one = e->ab.present ? &e->ab : &e->ba;
	__u64 bytes = e->ab.bytes + e->ba.bytes;
	double width = MIN(1.0 + log10(1.0 + (double)bytes) / 2.0, 6.0);

	fprintf(out, "\t%s -> %s [", one->writer->id, one->reader->id);
	if (both)
		fputs("dir=both, ", out);
	if (!bytes)
		fputs("style=dashed, ", out);
	fprintf(out, "color=\"%s\", fontcolor=\"%s\", penwidth=%.1f, label=\"", mechanism_type_colour(e->type),
		mechanism_type_colour(e->type), width);
	graph_dot_escape(out, object);
	/* The type, unless the object's name already starts with it. */
	if (strncmp(object, type, strlen(type)) != 0)
		fprintf(out, " (%s)", type);
	if (both) {
		fputs("\\n", out);
		sender(out, e, e->a);
		fputs(" sent ", out);
		flow_amount(out, &e->ab);
		fputs("\\n", out);
		sender(out, e, e->b);
		fputs(" sent ", out);
		flow_amount(out, &e->ba);
	} else {
		fputs("\\n", out);
		flow_amount(out, one);
	}
	fputs("\"];\n", out);
}

static GPtrArray *values_of(GHashTable *table)
{
	GPtrArray *all = g_ptr_array_sized_new(g_hash_table_size(table));
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, table);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(all, v);
	return all;
}

static gint node_sort(gconstpointer pa, gconstpointer pb)
{
	return node_cmp(*(struct node *const *)pa, *(struct node *const *)pb);
}

static gint edge_sort(gconstpointer pa, gconstpointer pb)
{
	const struct edge *a = *(struct edge *const *)pa, *b = *(struct edge *const *)pb;
	int c = node_cmp(a->a, b->a);

	if (!c)
		c = node_cmp(a->b, b->b);
	if (!c && a->type != b->type)
		c = a->type < b->type ? -1 : 1;
	if (!c)
		c = end_cmp(a->a_end, b->a_end);
	return c ? c : end_cmp(a->b_end, b->b_end);
}

static void print_node(FILE *out, const struct node *n)
{
	fprintf(out, "\t%s [label=\"", n->id);
	graph_dot_escape(out, n->comm);
	if (!n->pid)
		fputs("\\nremote\", shape=ellipse, style=dashed];\n", out);
	else if (n->exited)
		fprintf(out, "\\n%d, exited\", style=\"rounded,dashed\", color=\"#808080\", "
			"fontcolor=\"#606060\"];\n", n->pid);
	else
		fprintf(out, "\\n%d\"];\n", n->pid);
}

static void print_legend(FILE *out, const bool *drawn)
{
	fputs("\tlegend [shape=plaintext, style=\"\", fontsize=10, label=<"
	      "<table border=\"0\" cellborder=\"0\" cellspacing=\"1\">", out);
	for (unsigned int t = 0; t < IPC_TYPE_MAX; t++)
		if (drawn[t])
			fprintf(out, "<tr><td align=\"left\"><font color=\"%s\"><b>&#8212;&#8212; "
				"%s</b></font></td></tr>", mechanism_type_colour(t), ipc_type_name(t));
	fputs("<tr><td align=\"left\">dashed box: exited</td></tr>"
	      "<tr><td align=\"left\">dashed line: no data yet</td></tr>"
	      "<tr><td align=\"left\">thicker: more bytes</td></tr></table>>];\n", out);
}

void output_graph(FILE *out, const struct frame *f)
{
	struct graph g = {
		.nodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
		.edges = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
		.rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		.pids = g_hash_table_new(NULL, NULL),
	};
	GPtrArray *nodes, *edges;
	bool drawn[IPC_TYPE_MAX] = {};
	char when[48];
	struct tm tm;

	build(&g, f);
	nodes = values_of(g.nodes);
	edges = values_of(g.edges);
	g_ptr_array_sort(nodes, node_sort);
	g_ptr_array_sort(edges, edge_sort);

	gmtime_r(&f->now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fputs("digraph ipctrace {\n", out);
	fprintf(out, "\tgraph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, "
		"nodesep=0.25, ranksep=1.1, label=\"ipctrace  %s  %s %.1f s\"];\n", when,
		f->final ? "summary of" : "live, interval", f->final ? f->elapsed_s : f->interval_s);
	fputs("\tnode [shape=box, style=\"rounded,filled\", fillcolor=\"#f7f7f7\", "
	      "fontname=\"Helvetica\", fontsize=11];\n"
	      "\tedge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n", out);
	for (guint i = 0; i < nodes->len; i++)
		print_node(out, g_ptr_array_index(nodes, i));
	for (guint i = 0; i < edges->len; i++) {
		struct edge *e = g_ptr_array_index(edges, i);

		if (e->ab.present)
			measure(&g, &e->ab);
		if (e->ba.present)
			measure(&g, &e->ba);
		print_edge(out, e);
		if (e->type < IPC_TYPE_MAX)
			drawn[e->type] = true;
	}
	if (edges->len)
		print_legend(out, drawn);
	fputs("}\n", out);
	fflush(out);
	g_ptr_array_free(edges, TRUE);
	g_ptr_array_free(nodes, TRUE);
	g_hash_table_destroy(g.rows);
	g_hash_table_destroy(g.edges);
	g_hash_table_destroy(g.nodes);
	g_hash_table_destroy(g.pids);
}
