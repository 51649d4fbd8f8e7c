// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <string.h>
#include <json.h>
#include "output.h"
#include "mechanism.h"

void format_bytes(double v, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	int u = -1;

	if (v < 1024) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	/* Three significant digits; pick the precision after rounding (99.96 -> 100). */
	if (v < 9.995)
		snprintf(buf, len, "%.2f%c", v, units[u]);
	else if (v < 99.95)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
}

void format_peers(const struct row *r, char *buf, size_t len, int limit)
{
	size_t off = 0;
	guint n = r->peers->len;

	buf[0] = '\0';
	for (guint i = 0; i < n && off < len; i++) {
		const struct peer *p = &g_array_index(r->peers, struct peer, i);
		char one[COMM_LEN + 80], more[16];
		int w = p->pid ? snprintf(one, sizeof(one), "%s%d/%s%s", i ? "," : "", p->pid,
					  p->comm, p->exited ? "*" : "")
			       : snprintf(one, sizeof(one), "%s%s", i ? "," : "", p->remote);
		int m = i + 1 < n ? snprintf(more, sizeof(more), ",+%u", n - i - 1) : 0;

		/* Keep room to say how many did not fit. */
		if (limit > 0 && (int)off + w + m > limit && i > 0) {
			snprintf(buf + off, len - off, ",+%u", n - i);
			return;
		}
		off += (size_t)snprintf(buf + off, len - off, "%s", one);
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

static int append(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
	return n;
}

/*
 * DETAIL: what a mechanism adds, in one generic form: the row's non-zero
 * event counters, its labels ("prio 0:10,5:2"), then its object's state.
 */
void format_detail(const struct row *r, char *buf, size_t len)
{
	const char *label = label_name(r->key.type);
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < r->nattrs; i++)
		if (r->attrs[i].value)
			append(buf, len, &off, "%s%s=%lld", off ? " " : "", r->attrs[i].key,
			       (long long)r->attrs[i].value);
	if (label && r->labels->len) {
		append(buf, len, &off, "%s%s ", off ? " " : "", label);
		for (guint i = 0; i < r->labels->len; i++) {
			const struct label_count *l = &g_array_index(r->labels, struct label_count, i);
			char text[32];

			format_label(r->key.type, l->label, text, sizeof(text));
			append(buf, len, &off, "%s%s:%llu", i ? "," : "", text,
			       (unsigned long long)l->ops);
		}
	}
	for (int i = 0; r->obj && i < r->obj->nattrs; i++)
		append(buf, len, &off, "%s%s=%lld", off ? " " : "", r->obj->attrs[i].key,
		       (long long)r->obj->attrs[i].value);
	if (off >= len && len > 4)
		strcpy(buf + len - 4, "...");
}

/* Keep the end of a long name: the tail of a path tells objects apart. */
static const char *fit(const char *s, int width, char *buf, size_t len)
{
	int n = (int)strlen(s);

	if (width <= 0 || n <= width)
		return s;
	if (width <= 3)
		return "";
	snprintf(buf, len, "...%s", s + n - (width - 3));
	return buf;
}

enum { COL_OBJECT, COL_PEERS, COL_DETAIL, NVAR };

/* Peers beyond this width become "+N" in the table; JSON lists them all. */
#define PEERS_MAX 48

struct cells {
	char pid[16], comm[COMM_LEN + 2], rate[16], oprate[16], total[16], ops[24];
	char peers[512], detail[512];
	const char *object;
};

static void fill_cells(const struct row *r, struct cells *c)
{
	snprintf(c->pid, sizeof(c->pid), "%u", r->key.tgid);
	snprintf(c->comm, sizeof(c->comm), "%s%s", r->comm, r->exited ? "*" : "");
	format_bytes(r->bytes_per_s, c->rate, sizeof(c->rate));
	format_bytes(r->ops_per_s, c->oprate, sizeof(c->oprate));
	format_bytes((double)r->bytes, c->total, sizeof(c->total));
	snprintf(c->ops, sizeof(c->ops), "%llu", (unsigned long long)r->ops);
	format_peers(r, c->peers, sizeof(c->peers), PEERS_MAX);
	format_detail(r, c->detail, sizeof(c->detail));
	c->object = r->obj && r->obj->name ? r->obj->name : "?";
}

/* "lost: none", or only the kinds of loss there were: nothing is dropped
 * silently, and a quiet header stays short. */
static void print_losses(FILE *out, const struct ipc_loss *l)
{
	const struct { const char *name; __u64 n; } kinds[] = {
		{ "rows", l->rows_dropped }, { "objects", l->objs_dropped },
		{ "procs", l->procs_dropped }, { "filter", l->filter_dropped },
		{ "labels", l->labels_dropped }, { "removals", l->removals_dropped },
		{ "dests", l->dests_dropped }, { "mappings", l->mappings_dropped },
		{ "sharers", l->sharers_dropped }, { "faults", l->faults_missed },
	};
	bool any = false;

	fputs("lost:", out);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!kinds[i].n)
			continue;
		fprintf(out, " %s %llu", kinds[i].name, (unsigned long long)kinds[i].n);
		any = true;
	}
	fputs(any ? "\n\n" : " none\n\n", out);
}

static void print_header(FILE *out, const struct frame *f)
{
	char tbuf[32], rate[16], total[16];
	struct tm tm;

	localtime_r(&f->now, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	format_bytes(f->totals.bytes_per_s, rate, sizeof(rate));
	format_bytes((double)f->totals.bytes, total, sizeof(total));
	if (f->final)
		fprintf(out, "ipctrace summary  %s  %.1fs traced  rows %u  total %s in %llu ops\n",
			tbuf, f->elapsed_s, f->totals.rows, total,
			(unsigned long long)f->totals.ops);
	else
		fprintf(out, "ipctrace  %s  interval %.1fs  rows %u  %s/s  %.0f ops/s  total %s in %llu ops\n",
			tbuf, f->interval_s, f->totals.rows, rate, f->totals.ops_per_s, total,
			(unsigned long long)f->totals.ops);
	print_losses(out, &f->loss);
}

void output_table(FILE *out, const struct frame *f, const struct table_style *style)
{
	guint n = f->rows->len;
	struct cells *cells;
	int w[NVAR] = { 6, 5, 0 };
	int fixed, exited = 0;
	char tmp[IPC_NAME_LEN + 8];

	if (f->max_rows > 0 && n > (guint)f->max_rows)
		n = (guint)f->max_rows;
	cells = g_new0(struct cells, n ? n : 1);
	for (guint i = 0; i < n; i++) {
		const struct row *r = g_ptr_array_index(f->rows, i);

		fill_cells(r, &cells[i]);
		w[COL_OBJECT] = MAX(w[COL_OBJECT], (int)strlen(cells[i].object));
		w[COL_PEERS] = MAX(w[COL_PEERS], (int)strlen(cells[i].peers));
		w[COL_DETAIL] = MAX(w[COL_DETAIL], (int)strlen(cells[i].detail));
		exited |= r->exited;
	}
	/* PID COMM TYPE DIR and four numbers, with their separators. */
	fixed = 7 + 1 + 17 + 1 + 9 + 1 + 3 + 1 + 4 * 9 + 2 + (w[COL_DETAIL] ? 1 : 0);
	if (style->width > 0 && fixed + w[COL_OBJECT] + w[COL_PEERS] + w[COL_DETAIL] > style->width) {
		int room = MAX(style->width - fixed, 10);
		/* Object and peers name the channel: they get two thirds at least. */
		int channel = MAX(room - w[COL_DETAIL], room * 2 / 3);

		if (w[COL_OBJECT] + w[COL_PEERS] > channel) {
			w[COL_OBJECT] = MIN(w[COL_OBJECT], MAX(channel * 3 / 5, channel - w[COL_PEERS]));
			w[COL_PEERS] = MAX(channel - w[COL_OBJECT], 5);
			for (guint i = 0; i < n; i++)
				format_peers(g_ptr_array_index(f->rows, i), cells[i].peers,
					     sizeof(cells[i].peers), w[COL_PEERS]);
		}
		if (w[COL_DETAIL]) {
			int detail = MAX(room - w[COL_OBJECT] - w[COL_PEERS], 4);

			for (guint i = 0; i < n; i++)
				if ((int)strlen(cells[i].detail) > detail)
					strcpy(cells[i].detail + detail - 3, "...");
			w[COL_DETAIL] = detail;
		}
	}

	if (style->clear)
		fputs("\033[H\033[2J", out);
	print_header(out, f);
	fprintf(out, "%7s %-17s %-9s %-*s %-3s %-*s %8s %8s %8s %8s%s%s\n", "PID", "COMM", "TYPE",
		w[COL_OBJECT], "OBJECT", "DIR", w[COL_PEERS], "PEERS",
		f->final ? "AVG B/s" : "BYTES/s", f->final ? "AVG OP/s" : "OPS/s", "TOTAL", "OPS",
		w[COL_DETAIL] ? " " : "", w[COL_DETAIL] ? "DETAIL" : "");
	for (guint i = 0; i < n; i++) {
		const struct row *r = g_ptr_array_index(f->rows, i);
		struct cells *c = &cells[i];
		char obuf[IPC_NAME_LEN + 8];

		fprintf(out, "%7s %-17s %-9s %-*s %-3s %-*s %8s %8s %8s %8s%s%s\n", c->pid, c->comm,
			ipc_type_name(r->key.type), w[COL_OBJECT],
			fit(c->object, w[COL_OBJECT], obuf, sizeof(obuf)),
			r->key.dir == DIR_TX ? "tx" : "rx", w[COL_PEERS],
			fit(c->peers, w[COL_PEERS], tmp, sizeof(tmp)), c->rate, c->oprate,
			c->total, c->ops, c->detail[0] ? " " : "", c->detail);
	}
	if (f->rows->len > n)
		fprintf(out, "... %u more rows (-r to show more)\n", f->rows->len - n);
	if (f->folded.rows) {
		char folded[16];

		format_bytes((double)f->folded.bytes, folded, sizeof(folded));
		fprintf(out, "... and %llu older rows of exited processes and closed objects: %s in "
			"%llu ops\n", (unsigned long long)f->folded.rows, folded,
			(unsigned long long)f->folded.ops);
	}
	if (exited)
		fputs("* process has exited\n", out);
	if (!style->clear)
		fputc('\n', out);
	fflush(out);
	g_free(cells);
}

static json_object *json_u64(__u64 v)
{
	return json_object_new_uint64(v);
}

static json_object *json_rate(double v)
{
	char text[32];

	/* One decimal: rates are estimates; json-c would print 17 digits. */
	snprintf(text, sizeof(text), "%.1f", v);
	return json_object_new_double_s(v, text);
}

/*
 * "prio": {"5": 10, "9": 3} (messages per label), "prio_min", "prio_max".
 * Named labels ("sig": {"SIGUSR1": 4}) have no order to give a min and max.
 */
static void add_labels(json_object *o, const struct row *r, const char *name)
{
	json_object *counts = json_object_new_object();
	char key[32], label[32];

	for (guint i = 0; i < r->labels->len; i++) {
		const struct label_count *l = &g_array_index(r->labels, struct label_count, i);

		format_label(r->key.type, l->label, label, sizeof(label));
		json_object_object_add(counts, label, json_u64(l->ops));
	}
	json_object_object_add(o, name, counts);
	if (!r->labels->len || labels_named(r->key.type))
		return;
	snprintf(key, sizeof(key), "%s_min", name);
	json_object_object_add(o, key, json_object_new_int64(
		g_array_index(r->labels, struct label_count, 0).label));
	snprintf(key, sizeof(key), "%s_max", name);
	json_object_object_add(o, key, json_object_new_int64(
		g_array_index(r->labels, struct label_count, r->labels->len - 1).label));
}

static json_object *row_json(const struct row *r)
{
	json_object *o = json_object_new_object(), *peers = json_object_new_array();
	char dev[32];

	json_object_object_add(o, "pid", json_object_new_int((int)r->key.tgid));
	json_object_object_add(o, "comm", json_object_new_string(r->comm));
	json_object_object_add(o, "type", json_object_new_string(ipc_type_name(r->key.type)));
	json_object_object_add(o, "object",
			       json_object_new_string(r->obj && r->obj->name ? r->obj->name : ""));
	format_object_dev(r->key.type, r->key.dev, dev, sizeof(dev));
	json_object_object_add(o, "dev", json_object_new_string(dev));
	json_object_object_add(o, "ino", json_u64(r->key.ino));
	json_object_object_add(o, "dir", json_object_new_string(r->key.dir == DIR_TX ? "tx" : "rx"));
	json_object_object_add(o, "bytes", json_u64(r->bytes));
	json_object_object_add(o, "ops", json_u64(r->ops));
	json_object_object_add(o, "bytes_per_s", json_rate(r->bytes_per_s));
	json_object_object_add(o, "ops_per_s", json_rate(r->ops_per_s));
	json_object_object_add(o, "exited", json_object_new_boolean(r->exited));
	if (bytes_method(r->key.type))
		json_object_object_add(o, "bytes_method",
				       json_object_new_string(bytes_method(r->key.type)));
	for (guint i = 0; i < r->peers->len; i++) {
		const struct peer *p = &g_array_index(r->peers, struct peer, i);
		json_object *po = json_object_new_object();

		json_object_object_add(po, "pid", json_object_new_int(p->pid));
		json_object_object_add(po, "comm", json_object_new_string(p->comm));
		json_object_object_add(po, "exited", json_object_new_boolean(p->exited));
		if (!p->pid)
			json_object_object_add(po, "remote", json_object_new_string(p->remote));
		json_object_array_add(peers, po);
	}
	json_object_object_add(o, "peers", peers);
	for (int i = 0; i < r->nattrs; i++)
		json_object_object_add(o, r->attrs[i].key, json_object_new_int64(r->attrs[i].value));
	for (int i = 0; r->obj && i < r->obj->nattrs; i++)
		json_object_object_add(o, r->obj->attrs[i].key,
				       json_object_new_int64(r->obj->attrs[i].value));
	if (label_name(r->key.type))
		add_labels(o, r, label_name(r->key.type));
	return o;
}

#define JSON_SCHEMA_VERSION 1

void output_json(FILE *out, const struct frame *f)
{
	json_object *o = json_object_new_object(), *rows = json_object_new_array();
	json_object *totals = json_object_new_object(), *lost = json_object_new_object();
	char tbuf[32];
	struct tm tm;
	guint n = f->rows->len;

	gmtime_r(&f->now, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(o, "version", json_object_new_int(JSON_SCHEMA_VERSION));
	json_object_object_add(o, "time", json_object_new_string(tbuf));
	json_object_object_add(o, "final", json_object_new_boolean(f->final));
	json_object_object_add(o, "interval_s", json_rate(f->interval_s));
	json_object_object_add(o, "elapsed_s", json_rate(f->elapsed_s));
	json_object_object_add(totals, "rows", json_object_new_int((int)f->totals.rows));
	json_object_object_add(totals, "bytes", json_u64(f->totals.bytes));
	json_object_object_add(totals, "ops", json_u64(f->totals.ops));
	json_object_object_add(totals, "bytes_per_s", json_rate(f->totals.bytes_per_s));
	json_object_object_add(totals, "ops_per_s", json_rate(f->totals.ops_per_s));
	json_object_object_add(o, "totals", totals);
	json_object_object_add(lost, "rows", json_u64(f->loss.rows_dropped));
	json_object_object_add(lost, "objects", json_u64(f->loss.objs_dropped));
	json_object_object_add(lost, "procs", json_u64(f->loss.procs_dropped));
	json_object_object_add(lost, "filter", json_u64(f->loss.filter_dropped));
	json_object_object_add(lost, "labels", json_u64(f->loss.labels_dropped));
	json_object_object_add(lost, "removals", json_u64(f->loss.removals_dropped));
	json_object_object_add(lost, "dests", json_u64(f->loss.dests_dropped));
	json_object_object_add(lost, "mappings", json_u64(f->loss.mappings_dropped));
	json_object_object_add(lost, "sharers", json_u64(f->loss.sharers_dropped));
	json_object_object_add(lost, "faults", json_u64(f->loss.faults_missed));
	json_object_object_add(o, "lost", lost);
	{
		json_object *folded = json_object_new_object();

		json_object_object_add(folded, "rows", json_u64(f->folded.rows));
		json_object_object_add(folded, "bytes", json_u64(f->folded.bytes));
		json_object_object_add(folded, "ops", json_u64(f->folded.ops));
		json_object_object_add(o, "folded", folded);
	}
	if (f->max_rows > 0 && n > (guint)f->max_rows)
		n = (guint)f->max_rows;
	for (guint i = 0; i < n; i++)
		json_object_array_add(rows, row_json(g_ptr_array_index(f->rows, i)));
	json_object_object_add(o, "rows", rows);
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), out);
	fputc('\n', out);
	fflush(out);
	json_object_put(o);
}
