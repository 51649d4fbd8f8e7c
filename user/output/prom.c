// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "output/prom.h"
#include "model/mechanism.h"
#include "common/sanitize.h"

/* "value", escaped: the name as sanitize.h escapes it, then as the
 * exposition format asks. */
static void quoted(GString *out, const char *s)
{
	char *text = name_escaped(s);

	g_string_append_c(out, '"');
	for (const char *p = text; *p; p++) {
		if (*p == '\\')
			g_string_append(out, "\\\\");
		else if (*p == '"')
			g_string_append(out, "\\\"");
		else if (*p == '\n')
			g_string_append(out, "\\n");
		else
			g_string_append_c(out, *p);
	}
	g_string_append_c(out, '"');
	g_free(text);
}

void prom_label_value(FILE *out, const char *s)
{
	GString *text = g_string_new(NULL);

	quoted(text, s);
	fputs(text->str, out);
	g_string_free(text, TRUE);
}

void prom_label(GString *out, const char *name, const char *value)
{
	if (!value[0])
		return;
	g_string_append_printf(out, ",%s=", name);
	quoted(out, value);
}

/*
 * One series of ipctrace_bytes_total and ipctrace_operations_total. Rows
 * whose labels are the same (a server's accepted connections all carry its
 * socket's name) add up into one: a scrape may not repeat a series.
 */
struct series {
	unsigned int type, dir, pid;
	const char *comm, *object;
	__u64 bytes, ops, wait_ns;
};

static gint series_cmp(gconstpointer pa, gconstpointer pb)
{
	const struct series *a = pa, *b = pb;
	int c;

	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	if (a->ops != b->ops)
		return a->ops > b->ops ? -1 : 1;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->dir != b->dir)
		return a->dir < b->dir ? -1 : 1;
	c = strcmp(a->object, b->object);
	return c ? c : strcmp(a->comm, b->comm);
}

static GArray *merge_rows(const struct frame *f)
{
	GArray *all = g_array_new(FALSE, TRUE, sizeof(struct series));
	GHashTable *index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; i < f->rows->len; i++) {
		const struct row *r = g_ptr_array_index(f->rows, i);
		const char *object = r->obj && r->obj->name ? r->obj->name : "";
		/* A unit separator cannot occur in a comm or a name that matters. */
		char *key = g_strdup_printf("%u\x1f%u\x1f%u\x1f%s\x1f%s", r->key.type, r->key.dir,
					    r->key.tgid, r->comm, object);
		gpointer at;

		if (g_hash_table_lookup_extended(index, key, NULL, &at)) {
			struct series *s = &g_array_index(all, struct series, GPOINTER_TO_UINT(at));

			s->bytes += r->bytes;
			s->ops += r->ops;
			s->wait_ns += r->wait_ns;
			g_free(key);
			continue;
		}
		g_hash_table_insert(index, key, GUINT_TO_POINTER(all->len));
		g_array_append_val(all, ((struct series){
			.type = r->key.type, .dir = r->key.dir, .pid = r->key.tgid,
			.comm = r->comm, .object = object, .bytes = r->bytes, .ops = r->ops,
			.wait_ns = r->wait_ns,
		}));
	}
	g_hash_table_destroy(index);
	g_array_sort(all, series_cmp);
	return all;
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void dir_label(FILE *out, unsigned int dir)
{
	fprintf(out, ",dir=\"%s\"", dir == DIR_TX ? "tx" : "rx");
}

/* The rows beyond the cap, per type and direction: sums by type stay whole. */
struct other {
	__u64 bytes, ops, wait_ns;
	unsigned int rows;
};

void prom_value(FILE *out, enum prom_measure m, __u64 bytes, __u64 ops, __u64 wait_ns)
{
	if (m == PROM_WAIT)
		fprintf(out, "} %.9f\n", (double)wait_ns / 1e9);
	else
		fprintf(out, "} %llu\n", (unsigned long long)(m == PROM_OPS ? ops : bytes));
}

static void row_series(FILE *out, const char *name, const GArray *all, guint own,
		       struct other other[IPC_TYPE_MAX][2], enum prom_measure m)
{
	for (guint i = 0; i < own; i++) {
		const struct series *s = &g_array_index(all, struct series, i);

		fprintf(out, "%s{type=\"%s\",object=", name, ipc_type_name(s->type));
		prom_label_value(out, s->object);
		dir_label(out, s->dir);
		fprintf(out, ",pid=\"%u\",comm=", s->pid);
		prom_label_value(out, s->comm);
		prom_value(out, m, s->bytes, s->ops, s->wait_ns);
	}
	for (unsigned int t = 0; t < IPC_TYPE_MAX; t++)
		for (unsigned int d = 0; d < 2; d++) {
			if (!other[t][d].rows)
				continue;
			fprintf(out, "%s{type=\"%s\",object=\"(other)\"", name, ipc_type_name(t));
			dir_label(out, d);
			prom_value(out, m, other[t][d].bytes, other[t][d].ops, other[t][d].wait_ns);
		}
}

/* A traffic metric's series: the label sets', or the rows' (--prom-detail). */
struct traffic {
	const struct prom_style *style;
	const GArray *all;	/* detail: struct series, busiest first */
	guint own;
	struct other (*other)[2];
};

static void traffic_series(FILE *out, const struct traffic *t, const char *name,
			   enum prom_measure m)
{
	if (t->style->sets)
		prom_sets_series(out, t->style->sets, name, m);
	else
		row_series(out, name, t->all, t->own, t->other, m);
}

static void traffic_metrics(FILE *out, const struct traffic *t)
{
	const char *which = t->style->sets ?
		"by process name, type, direction, cgroup, the name at the other end and a "
		"socket's service; label sets past --prom-rows add up in comm=\"(other)\"" :
		"by process and object; series beyond --prom-rows, the least busy, add up in "
		"object=\"(other)\" per type and dir";

	fprintf(out, "# HELP ipctrace_bytes_total Bytes moved through IPC objects in one "
		"direction since ipctrace started, %s.\n# TYPE ipctrace_bytes_total counter\n",
		which);
	traffic_series(out, t, "ipctrace_bytes_total", PROM_BYTES);
	family(out, "ipctrace_operations_total", "counter",
	       "Operations (transfers, messages, page faults for shared memory) on IPC "
	       "objects in one direction since ipctrace started; same series as "
	       "ipctrace_bytes_total.");
	traffic_series(out, t, "ipctrace_operations_total", PROM_OPS);
	if (!t->style->wait)
		return;
	family(out, "ipctrace_wait_seconds_total", "counter",
	       "Time calls on IPC objects in one direction spent asleep, waiting, since "
	       "ipctrace started (the table's WAIT); same series as ipctrace_bytes_total.");
	traffic_series(out, t, "ipctrace_wait_seconds_total", PROM_WAIT);
}

/* ipctrace's own state: what it could not count, how full its maps are,
 * what its work costs, whether it is alive. */
static void self_metrics(FILE *out, const struct frame *f, const struct prom_style *style)
{
	family(out, "ipctrace_traced_bytes_total", "counter",
	       "Bytes of every row since ipctrace started, exited processes included.");
	fprintf(out, "ipctrace_traced_bytes_total %llu\n", (unsigned long long)f->totals.bytes);
	family(out, "ipctrace_traced_operations_total", "counter",
	       "Operations of every row since ipctrace started, exited processes included.");
	fprintf(out, "ipctrace_traced_operations_total %llu\n", (unsigned long long)f->totals.ops);

	family(out, "ipctrace_lost_total", "counter",
	       "Operations or details the kernel could not record, by the map that was full "
	       "(ipctrace-mechanisms(7), LIMITS).");
	for (size_t i = 0; i < format_nloss_kinds; i++)
		fprintf(out, "ipctrace_lost_total{map=\"%s\"} %llu\n", format_loss_kinds[i].name,
			(unsigned long long)format_loss_count(&f->loss, &format_loss_kinds[i]));
	/* The metrics' own map: rows past --prom-rows label sets, in (other). */
	if (style->sets)
		fprintf(out, "ipctrace_lost_total{map=\"label_sets\"} %llu\n",
			(unsigned long long)prom_sets_other_rows(style->sets));
	family(out, "ipctrace_map_entries", "gauge",
	       "Entries in a kernel map at the last refresh, named as ipctrace_lost_total "
	       "names what a full one loses.");
	for (size_t i = 0; i < f->nmaps; i++)
		fprintf(out, "ipctrace_map_entries{map=\"%s\"} %llu\n", f->maps[i].name,
			(unsigned long long)f->maps[i].entries);
	family(out, "ipctrace_map_max_entries", "gauge", "The size of each kernel map.");
	for (size_t i = 0; i < f->nmaps; i++)
		fprintf(out, "ipctrace_map_max_entries{map=\"%s\"} %llu\n", f->maps[i].name,
			(unsigned long long)f->maps[i].max_entries);

	family(out, "ipctrace_refresh_duration_seconds", "gauge",
	       "Time the last refresh took to read the kernel's maps and /proc.");
	fprintf(out, "ipctrace_refresh_duration_seconds %.6f\n", f->refresh_s);
	family(out, "ipctrace_render_duration_seconds", "gauge",
	       "Time the last rendering of these metrics took; a scrape only copies them.");
	fprintf(out, "ipctrace_render_duration_seconds %.6f\n", style->render_s);

	family(out, "ipctrace_build_info", "gauge", "Always 1; the version is a label.");
	fprintf(out, "ipctrace_build_info{version=\"%s\"} 1\n", IPCTRACE_VERSION);
	family(out, "ipctrace_up", "gauge",
	       "1 while ipctrace traces; 0 in the summary it leaves in --prom-file at exit.");
	fprintf(out, "ipctrace_up %d\n", f->final ? 0 : 1);
	/* A killed ipctrace cannot say ipctrace_up 0 in its --prom-file: the
	 * age of its last refresh says it is stale. */
	family(out, "ipctrace_last_refresh_timestamp_seconds", "gauge",
	       "When ipctrace last wrote these figures, in Unix time: older than a few "
	       "intervals, and it has stopped.");
	fprintf(out, "ipctrace_last_refresh_timestamp_seconds %lld\n", (long long)f->now);
	family(out, "ipctrace_start_time_seconds", "gauge",
	       "When ipctrace attached, in Unix time: its counters start from zero then.");
	fprintf(out, "ipctrace_start_time_seconds %.3f\n", style->start_time);
}

/* The rows beyond the cap, added up per type and direction (--prom-detail). */
static unsigned int sum_other(const GArray *all, guint own, struct other other[IPC_TYPE_MAX][2])
{
	for (guint i = own; i < all->len; i++) {
		const struct series *s = &g_array_index(all, struct series, i);
		struct other *o = &other[s->type < IPC_TYPE_MAX ? s->type : 0][s->dir ? 1 : 0];

		o->bytes += s->bytes;
		o->ops += s->ops;
		o->wait_ns += s->wait_ns;
		o->rows++;
	}
	return all->len - own;
}

void output_prom(FILE *out, const struct frame *f, const struct prom_style *style)
{
	struct other other[IPC_TYPE_MAX][2] = {};
	struct traffic t = { .style = style, .other = other };
	GArray *all = style->sets ? NULL : merge_rows(f);
	unsigned int other_rows = 0;

	if (all) {
		t.all = all;
		t.own = MIN(all->len, (guint)MAX(style->max_rows, 0));
		other_rows = sum_other(all, t.own, other);
	}
	traffic_metrics(out, &t);

	family(out, "ipctrace_rows", "gauge",
	       "Rows (process, object, direction) behind this refresh, before any cap.");
	fprintf(out, "ipctrace_rows %u\n", f->rows->len);
	if (style->sets) {
		family(out, "ipctrace_label_sets", "gauge",
		       "Label sets of the traffic metrics, comm=\"(other)\" ones included: at "
		       "most --prom-rows plus one per type and direction.");
		fprintf(out, "ipctrace_label_sets %u\n", prom_sets_count(style->sets));
		family(out, "ipctrace_other_rows_total", "counter",
		       "Rows whose traffic went to comm=\"(other)\": their label set came when "
		       "--prom-rows sets were there already.");
		fprintf(out, "ipctrace_other_rows_total %llu\n",
			(unsigned long long)prom_sets_other_rows(style->sets));
	} else {
		family(out, "ipctrace_other_rows", "gauge",
		       "Series, after merging rows with equal labels, added up into "
		       "object=\"(other)\".");
		fprintf(out, "ipctrace_other_rows %u\n", other_rows);
	}
	self_metrics(out, f, style);
	fflush(out);
	if (all)
		g_array_free(all, TRUE);
}
