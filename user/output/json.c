// SPDX-License-Identifier: GPL-2.0
/* --json: one object per interval, then the final one (README's schema). */
#include <string.h>
#include <json.h>
#include "model/cgroup.h"
#include "model/mechanism.h"
#include "model/users.h"
#include "output/output.h"
#include "common/sanitize.h"

json_object *output_json_u64(__u64 v)
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

		mechanism_format_label(r->key.type, l->label, label, sizeof(label));
		json_object_object_add(counts, label, output_json_u64(l->ops));
	}
	json_object_object_add(o, name, counts);
	if (!r->labels->len || mechanism_labels_named(r->key.type))
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
		json_object_array_add(b, output_json_u64(format_hist_low(i)));
		json_object_array_add(b, output_json_u64(format_hist_high(i)));
		json_object_array_add(b, output_json_u64(slots[i]));
		json_object_array_add(a, b);
	}
	return a;
}

json_object *output_json_name(const char *name)
{
	char *safe = name_escaped(name);
	json_object *o = json_object_new_string(safe);

	g_free(safe);
	return o;
}

json_object *output_json_row_identity(const struct row *r)
{
	json_object *o = json_object_new_object();
	char dev[32];

	json_object_object_add(o, "pid", json_object_new_int((int)r->key.tgid));
	json_object_object_add(o, "starttime", json_object_new_int64(r->key.start));
	json_object_object_add(o, "comm", output_json_name(r->comm));
	json_object_object_add(o, "uid", output_json_u64(r->uid));
	json_object_object_add(o, "user", output_json_name(user_name(r->uid)));
	json_object_object_add(o, "title", output_json_name(r->title ? r->title : ""));
	json_object_object_add(o, "type", json_object_new_string(ipc_type_name(r->key.type)));
	json_object_object_add(o, "object",
			       output_json_name(r->obj && r->obj->name ? r->obj->name : ""));
	mechanism_format_dev(r->key.type, r->key.dev, dev, sizeof(dev));
	json_object_object_add(o, "dev", json_object_new_string(dev));
	if (mechanism_dev_key(r->key.type))
		json_object_object_add(o, mechanism_dev_key(r->key.type),
				       json_object_new_int64(r->key.dev));
	json_object_object_add(o, "ino", output_json_u64(r->key.ino));
	json_object_object_add(o, "dir", json_object_new_string(r->key.dir == DIR_TX ? "tx" : "rx"));
	/* The process's cgroup v2 path: its service or container. */
	if (format_row_cgroup(r)[0])
		json_object_object_add(o, "cgroup", output_json_name(format_row_cgroup(r)));
	return o;
}

json_object *output_json_row_peers(const struct row *r)
{
	json_object *peers = json_object_new_array();

	for (guint i = 0; i < r->peers->len; i++) {
		const struct peer *p = &g_array_index(r->peers, struct peer, i);
		json_object *po = json_object_new_object();

		json_object_object_add(po, "pid", json_object_new_int(p->pid));
		if (p->pid)
			json_object_object_add(po, "starttime", json_object_new_int64(p->start));
		json_object_object_add(po, "comm", output_json_name(p->comm));
		json_object_object_add(po, "exited", json_object_new_boolean(p->exited));
		if (!p->pid)
			json_object_object_add(po, "remote", output_json_name(p->remote));
		json_object_array_add(peers, po);
	}
	return peers;
}

static json_object *row_json(const struct row *r)
{
	json_object *o = output_json_row_identity(r);

	json_object_object_add(o, "bytes", output_json_u64(r->bytes));
	json_object_object_add(o, "ops", output_json_u64(r->ops));
	json_object_object_add(o, "bytes_per_s", json_rate(r->bytes_per_s));
	json_object_object_add(o, "ops_per_s", json_rate(r->ops_per_s));
	json_object_object_add(o, "wait_s", json_decimal((double)r->wait_ns / 1e9, 6));
	json_object_object_add(o, "wait_share", json_decimal(r->wait_share, 3));
	json_object_object_add(o, "exited", json_object_new_boolean(r->exited));
	if (row_is_estimate(r))
		json_object_object_add(o, "bytes_method",
				       json_object_new_string(mechanism_bytes_method(r->key.type)));
	json_object_object_add(o, "peers", output_json_row_peers(r));
	for (int i = 0; i < r->nattrs; i++)
		json_object_object_add(o, r->attrs[i].key, json_object_new_int64(r->attrs[i].value));
	for (int i = 0; r->obj && i < r->obj->nattrs; i++)
		json_object_object_add(o, r->obj->attrs[i].key,
				       json_object_new_int64(r->obj->attrs[i].value));
	if (mechanism_label_name(r->key.type))
		add_labels(o, r, mechanism_label_name(r->key.type));
	if (r->hist) {
		json_object_object_add(o, "size_hist", hist_json(r->hist->size));
		json_object_object_add(o, "wait_hist_us", hist_json(r->hist->wait_us));
	}
	return o;
}

#define JSON_SCHEMA_VERSION 2

/* What every line of a frame starts with: --ndjson's row lines too. */
static json_object *frame_stamp(const struct frame *f, unsigned long seq)
{
	json_object *o = json_object_new_object();
	char tbuf[32];
	struct tm tm;

	gmtime_r(&f->now, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(o, "version", json_object_new_int(JSON_SCHEMA_VERSION));
	if (seq)
		json_object_object_add(o, "seq", output_json_u64(seq));
	json_object_object_add(o, "time", json_object_new_string(tbuf));
	json_object_object_add(o, "final", json_object_new_boolean(f->final));
	return o;
}

static guint frame_rows_shown(const struct frame *f)
{
	guint n = f->rows->len;

	return f->max_rows > 0 && n > (guint)f->max_rows ? (guint)f->max_rows : n;
}

/* The frame's figures, all but its rows. */
static json_object *frame_head(const struct frame *f, unsigned long seq)
{
	json_object *o = frame_stamp(f, seq);
	json_object *totals = json_object_new_object(), *lost = json_object_new_object();

	json_object_object_add(o, "interval_s", json_rate(f->interval_s));
	json_object_object_add(o, "elapsed_s", json_rate(f->elapsed_s));
	json_object_object_add(totals, "rows", json_object_new_int((int)f->totals.rows));
	json_object_object_add(totals, "bytes", output_json_u64(f->totals.bytes));
	json_object_object_add(totals, "ops", output_json_u64(f->totals.ops));
	json_object_object_add(totals, "bytes_per_s", json_rate(f->totals.bytes_per_s));
	json_object_object_add(totals, "ops_per_s", json_rate(f->totals.ops_per_s));
	json_object_object_add(o, "totals", totals);
	for (size_t i = 0; i < format_nloss_kinds; i++)
		json_object_object_add(lost, format_loss_kinds[i].name,
				       output_json_u64(format_loss_count(&f->loss, &format_loss_kinds[i])));
	json_object_object_add(o, "lost", lost);
	{
		json_object *folded = json_object_new_object();

		json_object_object_add(folded, "rows", output_json_u64(f->folded.rows));
		json_object_object_add(folded, "bytes", output_json_u64(f->folded.bytes));
		json_object_object_add(folded, "ops", output_json_u64(f->folded.ops));
		json_object_object_add(o, "folded", folded);
	}
	return o;
}

static const char *json_text(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

void output_json(FILE *out, const struct frame *f)
{
	json_object *o = frame_head(f, 0);
	const char *head;
	guint n = frame_rows_shown(f);

	/* The rows come last, written one at a time: json-c writes only whole
	 * trees, and a tree of 10,000 rows with its text took 36 MB at once.
	 * The frame's own members, written as a tree, end in its closing brace,
	 * which the rows go before. */
	head = json_text(o);
	fwrite(head, 1, strlen(head) - 1, out);
	fputs(",\"rows\":[", out);
	for (guint i = 0; i < n; i++) {
		json_object *row = row_json(g_ptr_array_index(f->rows, i));

		if (i)
			fputc(',', out);
		fputs(json_text(row), out);
		json_object_put(row);
	}
	fputs("]}\n", out);
	fflush(out);
	json_object_put(o);
}

/*
 * --ndjson: the frame's figures on a line of their own (with how many row
 * lines follow), then one line per row, each stamped with the frame's
 * sequence number and time, so that a log shipper takes lines, not a frame
 * of megabytes.
 */
void output_ndjson(FILE *out, const struct frame *f, unsigned long seq)
{
	json_object *head = frame_head(f, seq);
	guint n = frame_rows_shown(f);

	json_object_object_add(head, "row_lines", json_object_new_int64(n));
	fprintf(out, "%s\n", json_text(head));
	json_object_put(head);
	for (guint i = 0; i < n; i++) {
		json_object *line = frame_stamp(f, seq);

		json_object_object_add(line, "row", row_json(g_ptr_array_index(f->rows, i)));
		fprintf(out, "%s\n", json_text(line));
		json_object_put(line);
	}
	fflush(out);
}
