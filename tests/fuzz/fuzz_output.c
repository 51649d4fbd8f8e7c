// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the writers of the row model (table, JSON, CSV,
 * Prometheus, Graphviz, hex dumps, the -e event log) on rows built from the
 * input. Names come
 * from whoever made the object or process, so they carry any byte: quotes,
 * newlines, backslashes, invalid UTF-8. Besides not crashing, each format
 * must stay parseable: the JSON parses back with as many rows, every CSV
 * record has the header's fields, every Prometheus sample line is well
 * formed and the DOT text closes its strings and braces.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json.h>
#include "output/events.h"
#include "output/graph.h"
#include "model/holders.h"
#include "output/output.h"
#include "output/csv.h"
#include "output/prom.h"
#include "common/sanitize.h"
#include "fuzz.h"

/* Attribute keys must live as long as the rows: static strings. */
static const char *const attr_keys[] = { "depth", "notify", "attach", "accept", "a \"key\"" };

static struct row *add_row(struct store *s, struct fuzz_input *in, struct row *prev)
{
	struct ipc_key key = { 0 };
	char name[200], remote[64];
	unsigned int flags;
	bool created;
	struct row *r;

	key.type = 1 + fuzz_uint(in, 1) % (IPC_TYPE_MAX - 1);
	key.dir = fuzz_uint(in, 1) % 2;
	key.tgid = 1 + fuzz_uint(in, 1) % 8;	/* few processes, few objects: peers */
	key.ino = fuzz_uint(in, 1) % 8;
	key.dev = fuzz_uint(in, 1) % 3;
	r = store_update(s, &key, fuzz_uint(in, 8), fuzz_uint(in, 4), &created);
	if (created)
		fuzz_string(in, r->comm, COMM_LEN - 1);
	flags = fuzz_uint(in, 1);
	if (!r->obj->name) {
		fuzz_string(in, name, sizeof(name) - 1);
		object_set_name(r->obj, flags & 1 ? name : NULL);
	} else if (fuzz_uint(in, 1) & 1) {
		/* Named again, as a socket once described or a System V object
		 * once listed is: a clean name may give way to one that is not. */
		fuzz_string(in, name, sizeof(name) - 1);
		object_name_replace(r->obj, name);
	}
	r->exited = flags & 2;
	r->closed = flags & 4;
	if (flags & 8)
		row_set_label(r, (int64_t)fuzz_uint(in, 8), fuzz_uint(in, 4), fuzz_uint(in, 8));
	if (flags & 16) {
		store_attr_set(&r->attrs, &r->nattrs, attr_keys[fuzz_uint(in, 1) % 5],
			 (int64_t)fuzz_uint(in, 8));
		store_attr_set(&r->obj->attrs, &r->obj->nattrs, attr_keys[fuzz_uint(in, 1) % 5],
			 (int64_t)fuzz_uint(in, 8));
	}
	if (flags & 32) {
		if (!r->hist)
			r->hist = g_new0(struct ipc_hist, 1);
		r->hist->size[fuzz_uint(in, 1) % HIST_SLOTS] += fuzz_uint(in, 4);
		r->hist->wait_us[fuzz_uint(in, 1) % HIST_SLOTS] += fuzz_uint(in, 4);
	}
	if (flags & 64) {
		fuzz_string(in, remote, sizeof(remote) - 1);
		object_add_remote(r->obj, remote);
	}
	if (flags & 128 && prev && prev->obj != r->obj)
		object_link(r->obj, prev->obj);
	r->wait_ns += fuzz_uint(in, 4);
	r->cgroup_id = fuzz_uint(in, 1) % 4;
	return r;
}

static void check_json(const char *text, guint nrows)
{
	json_object *o = json_tokener_parse(text), *rows;

	FUZZ_CHECK(o && json_object_object_get_ex(o, "rows", &rows));
	FUZZ_CHECK(json_object_array_length(rows) == nrows);
	json_object_put(o);
}

/* RFC 4180: fields split by commas, records by CRLF or LF outside quotes. */
static void check_csv(const char *text)
{
	int fields = 1, header_fields = -1;
	bool quoted = false;

	for (const char *p = text; *p; p++) {
		if (quoted) {
			if (*p == '"' && p[1] == '"')
				p++;
			else if (*p == '"')
				quoted = false;
		} else if (*p == '"') {
			quoted = true;
		} else if (*p == ',') {
			fields++;
		} else if (*p == '\n') {
			if (header_fields < 0)
				header_fields = fields;
			FUZZ_CHECK(fields == header_fields);
			fields = 1;
		}
	}
	FUZZ_CHECK(!quoted);
}

/* The exposition format: "# ..." or name{label="value",...} value. */
static void check_prom_line(const char *p)
{
	if (*p == '#' || !*p)
		return;
	FUZZ_CHECK((*p >= 'a' && *p <= 'z') || *p == '_');
	while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')
		p++;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			while ((*p >= 'a' && *p <= 'z') || *p == '_')
				p++;
			FUZZ_CHECK(p[0] == '=' && p[1] == '"');
			for (p += 2; *p != '"'; p++) {
				FUZZ_CHECK(*p && *p != '\n');
				if (*p == '\\') {
					p++;
					FUZZ_CHECK(*p == '\\' || *p == '"' || *p == 'n');
				}
			}
			p++;
			if (*p == ',')
				p++;
			else
				FUZZ_CHECK(*p == '}');
		}
		p++;
	}
	FUZZ_CHECK(*p == ' ' && p[1] && p[1] != ' ');
}

static void check_prom(char *text)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		check_prom_line(line);
}

/* DOT: every string closed, braces balanced outside them. */
static void check_dot(const char *text)
{
	bool quoted = false;
	int depth = 0;

	for (const char *p = text; *p; p++) {
		if (quoted) {
			FUZZ_CHECK(*p != '\n');
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				quoted = false;
		} else if (*p == '"') {
			quoted = true;
		} else if (*p == '{') {
			depth++;
		} else if (*p == '}') {
			FUZZ_CHECK(--depth >= 0);
		}
	}
	FUZZ_CHECK(!quoted && depth == 0);
}

typedef void (*writer_fn)(FILE *out, const struct frame *f, const void *arg);

/*
 * What any writer hands a terminal, a log shipper or a parser: valid UTF-8,
 * and no control character but the line ends and tabs of its own format
 * (CSV ends records with CR LF): whatever bytes the names held, none of
 * them drives a terminal or breaks a decoder.
 */
static void check_safe(const char *text)
{
	FUZZ_CHECK(g_utf8_validate(text, -1, NULL));
	for (const gchar *p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		FUZZ_CHECK(c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c != 0x7f &&
								   (c < 0x80 || c > 0x9f)));
	}
}

/* What a writer wrote, as a string to free. */
static char *render(writer_fn write, const struct frame *f, const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	write(out, f, arg);
	fclose(out);
	return buf;
}

static void write_table(FILE *out, const struct frame *f, const void *arg)
{
	output_table(out, f, arg);
}

static void write_json(FILE *out, const struct frame *f, const void *arg)
{
	(void)arg;
	output_json(out, f);
}

static void write_csv(FILE *out, const struct frame *f, const void *arg)
{
	(void)arg;
	output_csv(out, f, true);
}

static void write_prom(FILE *out, const struct frame *f, const void *arg)
{
	output_prom(out, f, arg);
}

static void write_graph(FILE *out, const struct frame *f, const void *arg)
{
	(void)arg;
	output_graph(out, f);
}

static void render_frame(struct store *s, struct fuzz_input *in, bool final)
{
	struct table_style table = { .width = (int)(fuzz_uint(in, 1) * 2) };
	struct prom_style prom = { .max_rows = (int)(fuzz_uint(in, 1) % 8),
				   .wait = fuzz_uint(in, 1) & 1 };
	struct frame f = { .now = (time_t)fuzz_uint(in, 4), .interval_s = 1, .final = final };
	guint shown;
	char *text;

	f.elapsed_s = (double)fuzz_uint(in, 2);
	f.max_rows = (int)(fuzz_uint(in, 1) % 6);
	f.loss.rows_dropped = fuzz_uint(in, 2);
	f.loss.events_dropped = fuzz_uint(in, 1);
	f.folded.rows = fuzz_uint(in, 1);
	f.folded.bytes = fuzz_uint(in, 4);
	f.rows = store_select(s, final, (enum sort_key)(fuzz_uint(in, 1) % 6), NULL);
	store_totals(s, NULL, &f.totals);
	shown = f.max_rows > 0 && f.rows->len > (guint)f.max_rows ? (guint)f.max_rows : f.rows->len;

	text = render(write_table, &f, &table);
	check_safe(text);
	free(text);
	text = render(write_json, &f, NULL);
	check_safe(text);
	check_json(text, shown);
	free(text);
	text = render(write_csv, &f, NULL);
	check_safe(text);
	check_csv(text);
	free(text);
	text = render(write_prom, &f, &prom);
	check_safe(text);
	check_prom(text);
	free(text);
	/* The default: the same rows added up by label sets, within a cap. */
	prom.sets = prom_sets_new(prom.max_rows + 1);
	prom_sets_add(prom.sets, &f);
	text = render(write_prom, &f, &prom);
	check_safe(text);
	check_prom(text);
	free(text);
	prom_sets_free(prom.sets);
	text = render(write_graph, &f, NULL);
	check_safe(text);
	check_dot(text);
	free(text);
	g_ptr_array_free(f.rows, TRUE);
}

/*
 * -e: events on the rows built, as the ring buffer hands them over (any
 * slot, label, time and payload length; a record shorter than its payload
 * says must be refused), printed as text and as JSON lines: each printed
 * event one JSON object with its row's pid.
 */
static void log_events(struct store *s, struct fuzz_input *in)
{
	GPtrArray *rows = store_select(s, true, SORT_BYTES, NULL);
	unsigned int nevents = fuzz_uint(in, 1) % 8;
	struct event_log text_log, json_log;
	char *text = NULL, *json = NULL;
	size_t text_len = 0, json_len = 0;
	unsigned long long lines = 0;

	event_log_init(&text_log, open_memstream(&text, &text_len), false);
	event_log_init(&json_log, open_memstream(&json, &json_len), true);
	event_log_header(&text_log);
	for (unsigned int i = 0; i < nevents && rows->len; i++) {
		const struct row *r = g_ptr_array_index(rows, fuzz_uint(in, 1) % rows->len);
		__u32 payload = fuzz_uint(in, 1) % 80;
		size_t size = sizeof(struct ipc_event) + payload;
		struct ipc_event *e = g_malloc0(size);

		e->key = r->key;
		e->ts_ns = fuzz_uint(in, 8);
		e->bytes = fuzz_uint(in, 8);
		e->label = fuzz_uint(in, 1) & 1 ? NO_LABEL : (__s64)fuzz_uint(in, 8);
		e->tid = fuzz_uint(in, 4);
		e->event = fuzz_uint(in, 1) & 1 ? NO_EVENT_SLOT : (__u8)fuzz_uint(in, 1);
		e->payload_len = fuzz_uint(in, 1) % 96;	/* may claim more than it has */
		for (__u32 b = 0; b < payload; b++)
			e->payload[b] = (__u8)fuzz_uint(in, 1);
		event_log_add(&text_log, e, size);
		event_log_add(&json_log, e, size);
		g_free(e);
	}
	event_log_print(&text_log, s, NULL);
	event_log_print(&json_log, s, NULL);
	FUZZ_CHECK(text_log.printed == json_log.printed);
	fclose(text_log.out);
	fclose(json_log.out);
	check_safe(text ? text : "");
	check_safe(json ? json : "");
	for (char *line = json, *end; line && *line; line = end + 1) {
		json_object *o, *pid;

		end = strchr(line, '\n');
		FUZZ_CHECK(end);
		*end = '\0';
		o = json_tokener_parse(line);
		FUZZ_CHECK(o && json_object_object_get_ex(o, "pid", &pid));
		json_object_put(o);
		lines++;
	}
	FUZZ_CHECK(lines == json_log.printed);
	event_log_free(&text_log);
	event_log_free(&json_log);
	free(text);
	free(json);
	g_ptr_array_free(rows, TRUE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { .data = data, .size = size };
	struct store *s = store_new();
	unsigned int nrows = fuzz_uint(&in, 1) % 32;
	struct row *prev = NULL;
	FILE *sink = fopen("/dev/null", "w");
	char *text, fit[64];

	for (unsigned int i = 0; i < nrows; i++)
		prev = add_row(s, &in, prev);
	store_rates(s, 1.0 + (double)fuzz_uint(&in, 1));
	store_compute_peers(s);
	render_frame(s, &in, false);
	log_events(s, &in);
	g_ptr_array_free(store_mark_closed(s, NULL), TRUE);
	store_retire(s);
	render_frame(s, &in, true);

	/* What is left: a transfer's bytes for -x, and free text for the
	 * writers' escaping on its own. */
	event_log_hexdump(sink, data + in.off, size - in.off, size, "  ");
	text = fuzz_text(data + in.off, size - in.off);
	output_csv_field(sink, text);
	prom_label_value(sink, text);
	g_free(name_escaped(text));
	format_fit_tail(text, (int)(size % 70), fit, sizeof(fit));
	free(text);
	fclose(sink);
	store_free(s);
	return 0;
}
