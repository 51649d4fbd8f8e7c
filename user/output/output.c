// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <json.h>
#include "model/cgroup.h"
#include "output/output.h"
#include "model/mechanism.h"

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

const char *fit_tail(const char *s, int width, char *buf, size_t len)
{
	int n = (int)strlen(s);

	if (width <= 0 || n <= width)
		return s;
	if (width <= 3)
		return "";
	snprintf(buf, len, "...%s", s + n - (width - 3));
	return buf;
}

bool table_fit(int width, int fixed, int *object, int *peers, int *detail)
{
	bool peers_cut = false;
	int room, channel;

	if (width <= 0 || fixed + *object + *peers + *detail <= width)
		return false;
	room = MAX(width - fixed, 10);
	/* Object and peers name the channel: they get two thirds at least. */
	channel = MAX(room - *detail, room * 2 / 3);
	if (*object + *peers > channel) {
		*object = MIN(*object, MAX(channel * 3 / 5, channel - *peers));
		*peers = MAX(channel - *object, 5);
		peers_cut = true;
	}
	if (*detail)
		*detail = MAX(room - *object - *peers, 4);
	return peers_cut;
}

enum { COL_OBJECT, COL_PEERS, COL_DETAIL, NVAR };

/* Peers beyond this width become "+N" in the table; JSON lists them all. */
#define PEERS_MAX 48

void format_wait(double share, char *buf, size_t len)
{
	if (share <= 0)
		snprintf(buf, len, "-");
	else if (share < 0.005)
		snprintf(buf, len, "<1%%");
	else
		snprintf(buf, len, "%.0f%%", share * 100);
}

/* A table row's cells. The long, mostly short ones live in one string chunk
 * per table, at their own length: a fixed 1 KB of them a row made a 10,000-row
 * table's refresh take 12 MB. */
struct cells {
	char pid[16], comm[COMM_LEN + 2], rate[16], oprate[16], total[16], ops[24], wait[8];
	char *peers, *detail, *cgroup;
	const char *object;
};

#define CELL_MAX 512	/* the longest peers or detail cell, with its NUL */

const char *row_cgroup(const struct row *r)
{
	return r->cgroup_id ? cgroup_path(r->cgroup_id) : "";
}

/* A cgroup's own name, its head kept: "docker-0123…" says more than "….scope". */
static void format_cgroup(const struct row *r, char *buf, size_t len)
{
	const char *path = row_cgroup(r);
	const char *name = path[0] ? cgroup_short(path) : "-";

	snprintf(buf, len, "%s", name);
	if (strlen(name) >= len && len > 4)
		strcpy(buf + len - 4, "...");
}

/*
 * The CGROUP column shows only when the rows come from more than one cgroup:
 * on a machine where everything runs in one, it would say nothing.
 */
static bool cgroups_differ(const struct frame *f, guint n)
{
	for (guint i = 1; i < n; i++)
		if (((const struct row *)g_ptr_array_index(f->rows, i))->cgroup_id !=
		    ((const struct row *)g_ptr_array_index(f->rows, 0))->cgroup_id)
			return true;
	return false;
}

static void fill_cells(const struct row *r, struct cells *c, GStringChunk *strings)
{
	char buf[CELL_MAX];

	snprintf(c->pid, sizeof(c->pid), "%u", r->key.tgid);
	snprintf(c->comm, sizeof(c->comm), "%s%s", r->comm, r->exited ? "*" : "");
	format_bytes(r->bytes_per_s, c->rate, sizeof(c->rate));
	format_bytes(r->ops_per_s, c->oprate, sizeof(c->oprate));
	format_bytes((double)r->bytes, c->total, sizeof(c->total));
	snprintf(c->ops, sizeof(c->ops), "%llu", (unsigned long long)r->ops);
	format_wait(r->wait_share, c->wait, sizeof(c->wait));
	format_peers(r, buf, sizeof(buf), PEERS_MAX);
	c->peers = g_string_chunk_insert(strings, buf);
	format_detail(r, buf, sizeof(buf));
	c->detail = g_string_chunk_insert(strings, buf);
	format_cgroup(r, buf, CGROUP_COL_MAX + 1);
	c->cgroup = g_string_chunk_insert(strings, buf);
	c->object = r->obj && r->obj->name ? r->obj->name : "?";
}

const struct loss_kind loss_kinds[] = {
	{ "rows", offsetof(struct ipc_loss, rows_dropped) },
	{ "objects", offsetof(struct ipc_loss, objs_dropped) },
	{ "procs", offsetof(struct ipc_loss, procs_dropped) },
	{ "filter", offsetof(struct ipc_loss, filter_dropped) },
	{ "labels", offsetof(struct ipc_loss, labels_dropped) },
	{ "removals", offsetof(struct ipc_loss, removals_dropped) },
	{ "dests", offsetof(struct ipc_loss, dests_dropped) },
	{ "mappings", offsetof(struct ipc_loss, mappings_dropped) },
	{ "sharers", offsetof(struct ipc_loss, sharers_dropped) },
	{ "faults", offsetof(struct ipc_loss, faults_missed) },
	{ "events", offsetof(struct ipc_loss, events_dropped) },
	{ "waits", offsetof(struct ipc_loss, waits_dropped) },
	{ "hists", offsetof(struct ipc_loss, hists_dropped) },
};

const size_t nloss_kinds = G_N_ELEMENTS(loss_kinds);

__u64 loss_count(const struct ipc_loss *l, const struct loss_kind *k)
{
	return *(const __u64 *)((const char *)l + k->offset);
}

char *text_utf8(const char *s)
{
	return g_utf8_make_valid(s, -1);
}

/* "lost: none", or only the kinds of loss there were: nothing is dropped
 * silently, and a quiet header stays short. */
void format_losses(const struct ipc_loss *l, char *buf, size_t len)
{
	size_t off = 0;

	append(buf, len, &off, "lost:");
	for (size_t i = 0; i < G_N_ELEMENTS(loss_kinds); i++) {
		__u64 n = loss_count(l, &loss_kinds[i]);

		if (n)
			append(buf, len, &off, " %s %llu", loss_kinds[i].name, (unsigned long long)n);
	}
	if (off == strlen("lost:"))
		append(buf, len, &off, " none");
}

void format_header(const struct frame *f, char *buf, size_t len)
{
	char tbuf[32], rate[16], total[16];
	struct tm tm;

	localtime_r(&f->now, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	format_bytes(f->totals.bytes_per_s, rate, sizeof(rate));
	format_bytes((double)f->totals.bytes, total, sizeof(total));
	if (f->final)
		snprintf(buf, len, "ipctrace summary  %s  %.1fs traced  rows %u  total %s in %llu ops",
			 tbuf, f->elapsed_s, f->totals.rows, total,
			 (unsigned long long)f->totals.ops);
	else
		snprintf(buf, len, "ipctrace  %s  interval %.1fs  rows %u  %s/s  %.0f ops/s  total %s in %llu ops",
			 tbuf, f->interval_s, f->totals.rows, rate, f->totals.ops_per_s, total,
			 (unsigned long long)f->totals.ops);
}

bool format_folded(const struct folded *folded, char *buf, size_t len)
{
	char bytes[16];

	buf[0] = '\0';
	if (!folded->rows)
		return false;
	format_bytes((double)folded->bytes, bytes, sizeof(bytes));
	snprintf(buf, len, "... and %llu older rows of exited processes and closed objects: %s in "
		 "%llu ops", (unsigned long long)folded->rows, bytes,
		 (unsigned long long)folded->ops);
	return true;
}

static void print_header(FILE *out, const struct frame *f)
{
	char line[256];

	format_header(f, line, sizeof(line));
	fprintf(out, "%s\n", line);
	format_losses(&f->loss, line, sizeof(line));
	fprintf(out, "%s\n\n", line);
}

__u64 hist_low(int slot)
{
	return slot ? 1ULL << slot : 0;
}

__u64 hist_high(int slot)
{
	return (2ULL << slot) - 1;
}

#define HIST_BAR 40

/* One histogram, its empty ends left out, each slot a bar scaled to the largest. */
static void print_hist(FILE *out, const char *unit, const __u32 *slots)
{
	int first = -1, last = -1;
	__u32 max = 0;

	for (int i = 0; i < HIST_SLOTS; i++) {
		if (!slots[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		max = MAX(max, slots[i]);
	}
	if (first < 0)
		return;
	fprintf(out, "    %21s : %-8s distribution\n", unit, "count");
	for (int i = first; i <= last; i++) {
		int bar = (int)((__u64)slots[i] * HIST_BAR / max);
		char range[48];

		snprintf(range, sizeof(range), "%llu -> %llu", (unsigned long long)hist_low(i),
			 (unsigned long long)hist_high(i));
		fprintf(out, "    %21s : %-8u |%-*.*s|\n", range, slots[i], HIST_BAR, bar,
			"****************************************");
	}
}

static bool hist_empty(const __u32 *slots)
{
	for (int i = 0; i < HIST_SLOTS; i++)
		if (slots[i])
			return false;
	return true;
}

/* --hist: after the summary, each shown row's histograms. */
static void print_histograms(FILE *out, const struct frame *f, guint n)
{
	for (guint i = 0; i < n; i++) {
		const struct row *r = g_ptr_array_index(f->rows, i);

		if (!r->hist || (hist_empty(r->hist->size) && hist_empty(r->hist->wait_us)))
			continue;
		fprintf(out, "%u %s %s %s %s\n", r->key.tgid, r->comm, ipc_type_name(r->key.type),
			r->obj && r->obj->name ? r->obj->name : "?",
			r->key.dir == DIR_TX ? "tx" : "rx");
		print_hist(out, "bytes per operation", r->hist->size);
		print_hist(out, "waits, microseconds", r->hist->wait_us);
		fputc('\n', out);
	}
}

void output_table(FILE *out, const struct frame *f, const struct table_style *style)
{
	guint n = f->rows->len;
	struct cells *cells;
	GStringChunk *strings;
	int w[NVAR] = { 6, 5, 0 };
	int fixed, exited = 0, wcg = 0;
	char tmp[IPC_NAME_LEN + 8];
	bool show_cgroup;

	if (f->max_rows > 0 && n > (guint)f->max_rows)
		n = (guint)f->max_rows;
	cells = g_new0(struct cells, n ? n : 1);
	strings = g_string_chunk_new(64 * 1024);
	for (guint i = 0; i < n; i++) {
		const struct row *r = g_ptr_array_index(f->rows, i);

		fill_cells(r, &cells[i], strings);
		w[COL_OBJECT] = MAX(w[COL_OBJECT], (int)strlen(cells[i].object));
		w[COL_PEERS] = MAX(w[COL_PEERS], (int)strlen(cells[i].peers));
		w[COL_DETAIL] = MAX(w[COL_DETAIL], (int)strlen(cells[i].detail));
		exited |= r->exited;
	}
	/* PID COMM TYPE DIR, four numbers and WAIT, with their separators. */
	fixed = 7 + 1 + 17 + 1 + 9 + 1 + 3 + 1 + 4 * 9 + 5 + 2 + (w[COL_DETAIL] ? 1 : 0);
	show_cgroup = cgroups_differ(f, n);
	for (guint i = 0; show_cgroup && i < n; i++)
		wcg = MAX(wcg, MAX((int)strlen(cells[i].cgroup), 6));
	if (show_cgroup && style->width > 0) {
		/* The channel's own columns come first: CGROUP takes what a terminal
		 * has beyond them, and on one too narrow for even a short name it
		 * is left out (JSON and CSV still carry it). */
		int spare = style->width - fixed - 1 - (6 + 5 + (w[COL_DETAIL] ? 4 : 0));

		if (spare < 6)
			show_cgroup = false;
		for (guint i = 0; show_cgroup && spare < wcg && i < n; i++)
			if ((int)strlen(cells[i].cgroup) > spare)
				strcpy(cells[i].cgroup + spare - 3, "...");
		wcg = show_cgroup ? MIN(wcg, spare) : 0;
	}
	if (show_cgroup)
		fixed += wcg + 1;
	if (table_fit(style->width, fixed, &w[COL_OBJECT], &w[COL_PEERS], &w[COL_DETAIL]))
		for (guint i = 0; i < n; i++) {
			char buf[CELL_MAX];

			format_peers(g_ptr_array_index(f->rows, i), buf, sizeof(buf), w[COL_PEERS]);
			cells[i].peers = g_string_chunk_insert(strings, buf);
		}
	for (guint i = 0; i < n; i++)
		if ((int)strlen(cells[i].detail) > w[COL_DETAIL])
			strcpy(cells[i].detail + w[COL_DETAIL] - 3, "...");

	if (style->clear)
		fputs("\033[H\033[2J", out);
	print_header(out, f);
	fprintf(out, "%7s %-17s %-*s%s%-9s %-*s %-3s %-*s %8s %8s %8s %8s %4s%s%s\n", "PID", "COMM",
		wcg, show_cgroup ? "CGROUP" : "", show_cgroup ? " " : "", "TYPE", w[COL_OBJECT],
		"OBJECT", "DIR", w[COL_PEERS], "PEERS",
		f->final ? "AVG B/s" : "BYTES/s", f->final ? "AVG OP/s" : "OPS/s", "TOTAL", "OPS",
		"WAIT", w[COL_DETAIL] ? " " : "", w[COL_DETAIL] ? "DETAIL" : "");
	for (guint i = 0; i < n; i++) {
		const struct row *r = g_ptr_array_index(f->rows, i);
		struct cells *c = &cells[i];
		char obuf[IPC_NAME_LEN + 8];

		fprintf(out, "%7s %-17s %-*s%s%-9s %-*s %-3s %-*s %8s %8s %8s %8s %4s%s%s\n", c->pid,
			c->comm, wcg, show_cgroup ? c->cgroup : "", show_cgroup ? " " : "",
			ipc_type_name(r->key.type), w[COL_OBJECT],
			fit_tail(c->object, w[COL_OBJECT], obuf, sizeof(obuf)),
			r->key.dir == DIR_TX ? "tx" : "rx", w[COL_PEERS],
			fit_tail(c->peers, w[COL_PEERS], tmp, sizeof(tmp)), c->rate, c->oprate,
			c->total, c->ops, c->wait, c->detail[0] ? " " : "", c->detail);
	}
	if (f->rows->len > n)
		fprintf(out, "... %u more rows (-r to show more)\n", f->rows->len - n);
	if (format_folded(&f->folded, tmp, sizeof(tmp)))
		fprintf(out, "%s\n", tmp);
	if (exited)
		fputs("* process has exited\n", out);
	if (!style->clear)
		fputc('\n', out);
	if (f->final)
		print_histograms(out, f, n);
	fflush(out);
	g_string_chunk_free(strings);
	g_free(cells);
}

json_object *json_u64(__u64 v)
{
	return json_object_new_uint64(v);
}

/* json-c would print 17 digits: as many as mean something, no more. */
static json_object *json_decimal(double v, int decimals)
{
	char text[32];

	snprintf(text, sizeof(text), "%.*f", decimals, v);
	return json_object_new_double_s(v, text);
}

/* One decimal: rates are estimates. */
static json_object *json_rate(double v)
{
	return json_decimal(v, 1);
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

/* A log2 histogram's non-empty slots, as [low, high, count]. */
static json_object *hist_json(const __u32 *slots)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < HIST_SLOTS; i++) {
		json_object *b;

		if (!slots[i])
			continue;
		b = json_object_new_array();
		json_object_array_add(b, json_u64(hist_low(i)));
		json_object_array_add(b, json_u64(hist_high(i)));
		json_object_array_add(b, json_u64(slots[i]));
		json_object_array_add(a, b);
	}
	return a;
}

json_object *row_identity_json(const struct row *r)
{
	json_object *o = json_object_new_object();
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
	/* The process's cgroup v2 path: its service or container. */
	if (row_cgroup(r)[0])
		json_object_object_add(o, "cgroup", json_object_new_string(row_cgroup(r)));
	return o;
}

json_object *row_peers_json(const struct row *r)
{
	json_object *peers = json_object_new_array();

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
	return peers;
}

static json_object *row_json(const struct row *r)
{
	json_object *o = row_identity_json(r);

	json_object_object_add(o, "bytes", json_u64(r->bytes));
	json_object_object_add(o, "ops", json_u64(r->ops));
	json_object_object_add(o, "bytes_per_s", json_rate(r->bytes_per_s));
	json_object_object_add(o, "ops_per_s", json_rate(r->ops_per_s));
	json_object_object_add(o, "wait_s", json_decimal((double)r->wait_ns / 1e9, 6));
	json_object_object_add(o, "wait_share", json_decimal(r->wait_share, 3));
	json_object_object_add(o, "exited", json_object_new_boolean(r->exited));
	if (bytes_method(r->key.type))
		json_object_object_add(o, "bytes_method",
				       json_object_new_string(bytes_method(r->key.type)));
	json_object_object_add(o, "peers", row_peers_json(r));
	for (int i = 0; i < r->nattrs; i++)
		json_object_object_add(o, r->attrs[i].key, json_object_new_int64(r->attrs[i].value));
	for (int i = 0; r->obj && i < r->obj->nattrs; i++)
		json_object_object_add(o, r->obj->attrs[i].key,
				       json_object_new_int64(r->obj->attrs[i].value));
	if (label_name(r->key.type))
		add_labels(o, r, label_name(r->key.type));
	if (r->hist) {
		json_object_object_add(o, "size_hist", hist_json(r->hist->size));
		json_object_object_add(o, "wait_hist_us", hist_json(r->hist->wait_us));
	}
	return o;
}

#define JSON_SCHEMA_VERSION 1

void output_json(FILE *out, const struct frame *f)
{
	json_object *o = json_object_new_object();
	json_object *totals = json_object_new_object(), *lost = json_object_new_object();
	const char *head;
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
	for (size_t i = 0; i < G_N_ELEMENTS(loss_kinds); i++)
		json_object_object_add(lost, loss_kinds[i].name,
				       json_u64(loss_count(&f->loss, &loss_kinds[i])));
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
	/* The rows come last, written one at a time: json-c writes only whole
	 * trees, and a tree of 10,000 rows with its text took 36 MB at once.
	 * The frame's own members, written as a tree, end in its closing brace,
	 * which the rows go before. */
	head = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	fwrite(head, 1, strlen(head) - 1, out);
	fputs(",\"rows\":[", out);
	for (guint i = 0; i < n; i++) {
		json_object *row = row_json(g_ptr_array_index(f->rows, i));

		if (i)
			fputc(',', out);
		fputs(json_object_to_json_string_ext(row, JSON_C_TO_STRING_PLAIN), out);
		json_object_put(row);
	}
	fputs("]}\n", out);
	fflush(out);
	json_object_put(o);
}
