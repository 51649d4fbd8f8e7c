// SPDX-License-Identifier: GPL-2.0
/*
 * The aggregated metrics, the default of --listen and --prom-file: traffic
 * added up by labels a host has few values of (comm, type, dir, cgroup,
 * peer_comm, a socket's service address and role), never a PID, an inode or
 * a client's port, so that a fleet's Prometheus keeps few series however
 * many processes come and go.
 *
 * Each label set's counters live as long as the exporter. A frame adds what
 * each row grew since the frame before (row->prom_taken): a set whose
 * processes have all exited keeps its value, a row seen again (in the
 * summary) adds nothing, and a row that begins anew (a new process, a new
 * object of a reused inode) is a new row whose growth starts from zero. So
 * every counter only grows, and rate() is right.
 *
 * Names are the users' (comm can be anything, and changed at will): at most
 * max_sets sets have series of their own; a row of a set past them adds up
 * in comm="(other)", one per type and direction, as a full kernel map counts
 * coarser: nothing is dropped, the rows counted so are a loss
 * (ipctrace_lost_total{map="label_sets"}), and stderr says so once.
 */
#include <string.h>
#include "common/common.h"
#include "output/prom.h"
#include "model/mechanism.h"

struct label_set {
	char *labels;		/* type="...",dir="...",...: rendered once, its key */
	__u64 bytes, ops, wait_ns;
};

struct prom_sets {
	guint max_sets;
	GHashTable *index;	/* labels -> struct label_set *, every set */
	GPtrArray *sets;	/* in the order they began, so scrapes list them stably */
	guint own;		/* sets with labels of their own: at most max_sets */
	__u64 other_rows;	/* rows whose traffic went to comm="(other)" */
};

static void free_set(gpointer p)
{
	struct label_set *s = p;

	g_free(s->labels);
	g_free(s);
}

struct prom_sets *prom_sets_new(int max_sets)
{
	struct prom_sets *ps = g_new0(struct prom_sets, 1);

	ps->max_sets = max_sets > 0 ? (guint)max_sets : 0;
	ps->index = g_hash_table_new(g_str_hash, g_str_equal);
	ps->sets = g_ptr_array_new_with_free_func(free_set);
	return ps;
}

void prom_sets_free(struct prom_sets *ps)
{
	if (!ps)
		return;
	g_hash_table_destroy(ps->index);
	g_ptr_array_free(ps->sets, TRUE);
	g_free(ps);
}

/*
 * The process at the other end, by name: one name, "(several)" when they
 * differ, "(remote)" for an endpoint on another host, "" with none known.
 */
static const char *peer_comm(const struct row *r)
{
	const char *one = NULL;

	for (guint i = 0; i < r->peers->len; i++) {
		const struct peer *p = &g_array_index(r->peers, struct peer, i);
		const char *name = p->pid ? p->comm : "(remote)";

		if (!one)
			one = name;
		else if (strcmp(one, name))
			return "(several)";
	}
	return one ? one : "";
}

static void row_labels(const struct row *r, GString *out)
{
	char service[80], role[ROLE_LABEL_MAX];
	bool server;

	g_string_truncate(out, 0);
	g_string_append_printf(out, "type=\"%s\",dir=\"%s\"", ipc_type_name(r->key.type),
			       r->key.dir == DIR_TX ? "tx" : "rx");
	/* A title's role tells postgres's checkpointer from its backends; its
	 * client, query and state would make a series each (format_role). */
	prom_label(out, "comm", format_role(r, role, sizeof(role)));
	prom_label(out, "cgroup", format_row_cgroup(r));
	prom_label(out, "peer_comm", peer_comm(r));
	if (r->obj && mechanism_service(r->obj, service, sizeof(service), &server)) {
		prom_label(out, "service", service);
		prom_label(out, "role", server ? "server" : "client");
	}
}

static struct label_set *add_set(struct prom_sets *ps, const char *labels)
{
	struct label_set *s = g_new0(struct label_set, 1);

	s->labels = g_strdup(labels);
	g_hash_table_insert(ps->index, s->labels, s);
	g_ptr_array_add(ps->sets, s);
	return s;
}

/* The set a row's growth goes to: its own, or past the cap its type's and
 * direction's comm="(other)". */
static struct label_set *set_of(struct prom_sets *ps, struct row *r, GString *labels)
{
	struct label_set *s;

	row_labels(r, labels);
	s = g_hash_table_lookup(ps->index, labels->str);
	if (s)
		return s;
	if (ps->own < ps->max_sets) {
		ps->own++;
		return add_set(ps, labels->str);
	}
	if (!r->prom_taken.other) {
		r->prom_taken.other = true;
		if (!ps->other_rows++)
			p_err("the metrics' %u label sets (--prom-rows) are full: later ones add up in "
			      "comm=\"(other)\", counted in ipctrace_lost_total{map=\"label_sets\"}; "
			      "raise --prom-rows", ps->max_sets);
	}
	g_string_printf(labels, "type=\"%s\",dir=\"%s\",comm=\"(other)\"",
			ipc_type_name(r->key.type), r->key.dir == DIR_TX ? "tx" : "rx");
	s = g_hash_table_lookup(ps->index, labels->str);
	return s ? s : add_set(ps, labels->str);
}

/* What v grew since *taken, which then moves up to it. */
static __u64 grown(__u64 v, __u64 *taken)
{
	__u64 d = v > *taken ? v - *taken : 0;

	if (v > *taken)
		*taken = v;
	return d;
}

void prom_sets_add(struct prom_sets *ps, const struct frame *f)
{
	GString *labels = g_string_new(NULL);

	for (guint i = 0; i < f->rows->len; i++) {
		struct row *r = g_ptr_array_index(f->rows, i);
		__u64 bytes = grown(r->bytes, &r->prom_taken.bytes);
		__u64 ops = grown(r->ops, &r->prom_taken.ops);
		__u64 wait_ns = grown(r->wait_ns, &r->prom_taken.wait_ns);
		struct label_set *s;

		if (!bytes && !ops && !wait_ns)
			continue;
		s = set_of(ps, r, labels);
		s->bytes += bytes;
		s->ops += ops;
		s->wait_ns += wait_ns;
	}
	g_string_free(labels, TRUE);
}

void prom_sets_series(FILE *out, const struct prom_sets *ps, const char *name,
		      enum prom_measure m)
{
	for (guint i = 0; i < ps->sets->len; i++) {
		const struct label_set *s = g_ptr_array_index(ps->sets, i);

		fprintf(out, "%s{%s", name, s->labels);
		prom_value(out, m, s->bytes, s->ops, s->wait_ns);
	}
}

guint prom_sets_count(const struct prom_sets *ps)
{
	return ps->sets->len;
}

__u64 prom_sets_other_rows(const struct prom_sets *ps)
{
	return ps->other_rows;
}
