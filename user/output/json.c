// SPDX-License-Identifier: GPL-2.0
/* --json: one object per interval, then the final one (README's schema). */
#include <math.h>
#include <string.h>
#include <json.h>
#include "model/cgroup.h"
#include "model/mechanism.h"
#include "model/users.h"
#include "output/output.h"
#include "common/sanitize.h"

bool output_cache_off;

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

/*
 * A row's text written directly: building each row as a json-c tree and
 * printing it was most of a --json refresh's time with many rows. The text
 * is json-c's, byte for byte (the unit tests compare the two on the same
 * rows); a row in which a key comes twice (a mechanism's attribute named as
 * a member), which json-c would merge, is left to row_json.
 */
#define ROW_KEYS 64

/*
 * What a frame's rows of one process begin with: pid, starttime, comm, uid,
 * user and title are the process's, and a process with 10,000 rows had its
 * title escaped 10,000 times a frame. Kept for one frame only (nothing
 * changes while a frame is written), and used only by a row whose own
 * fields are those it was made from.
 */
struct proc_text {
	char comm[COMM_LEN];
	__u32 uid;
	const char *title;
	GString *text;		/* the members, from the brace on */
};

struct row_writer {
	GString *s;
	GString *name;		/* a name, escaped, before it is quoted */
	const char *keys[ROW_KEYS];	/* the row's members so far */
	int nkeys;
	bool dup;		/* a key came twice, or too many to tell */
	bool comma;		/* a member came before: the next needs one */
	GHashTable *procs;	/* row_proc() -> struct proc_text; NULL: none kept */
	gpointer last_proc;	/* the last row's process, and its entry there: */
	struct proc_text *last;	/* most rows follow one of their own process */
	/* The last row's cgroup member (its path, escaped and quoted; "" for
	 * none), kept with procs: one cgroup's rows follow one another. */
	__u64 cgroup_id;
	GString *cgroup;
};

static inline void put_char(GString *s, char c)
{
	put_len(s, &c, 1);
}

static inline void put_text(GString *s, const char *text)
{
	put_len(s, text, strlen(text));
}

/* What json-c writes for a byte in a string (PLAIN, NOSLASHESCAPE): itself
 * (NULL), a short escape, or \u00XX for other control characters. */
static const char *json_escape_of(unsigned char c)
{
	static const char *const ctl[32] = {
		"\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006",
		"\\u0007", "\\b", "\\t", "\\n", "\\u000b", "\\f", "\\r", "\\u000e", "\\u000f",
		"\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016",
		"\\u0017", "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d",
		"\\u001e", "\\u001f",
	};

	if (c < ' ')
		return ctl[c];
	return c == '"' ? "\\\"" : c == '\\' ? "\\\\" : NULL;
}

/* As json-c writes a string, quotes around it. */
static void put_string(GString *s, const char *text)
{
	const char *start = text, *p = text;

	put_char(s, '"');
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		const char *esc;

		if (c >= ' ' && c != '"' && c != '\\')
			continue;
		esc = json_escape_of(c);
		put_len(s, start, p - start);
		put_text(s, esc);
		start = p + 1;
	}
	put_len(s, start, p - start);
	put_char(s, '"');
}

/* Integers as json-c prints them, without printf's cost. */
static void put_u64(GString *s, __u64 v)
{
	char buf[U64_DIGITS];

	put_len(s, buf, format_u64(v, buf));
}

static void put_s64(GString *s, __s64 v)
{
	if (v < 0) {
		put_char(s, '-');
		put_u64(s, -(__u64)v);
	} else {
		put_u64(s, (__u64)v);
	}
}

/* json_decimal()'s text, through format_fixed(). */
static void put_decimal(GString *s, double v, int decimals)
{
	char text[FIXED_MAX];

	put_len(s, text, format_fixed(v, decimals, text));
}

/* Printable ASCII but the backslash: what name_escape leaves as it is,
 * told without its UTF-8 walk (most names). */
static bool plain_ascii(const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (!name_byte_plain(*p))
			return false;
	return true;
}

/* A name that needs no escape at all, quoted, told and copied in one pass;
 * false (nothing written) for any other. */
static bool put_plain(GString *s, const char *name)
{
	size_t n = 0;

	for (unsigned char c; (c = (unsigned char)name[n]); n++)
		if (!name_byte_plain(c) || c == '"')
			return false;
	put_char(s, '"');
	put_len(s, name, n);
	put_char(s, '"');
	return true;
}

static void put_name(struct row_writer *w, const char *name)
{
	if (put_plain(w->s, name))
		return;
	if (plain_ascii(name) || name_is_clean(name)) {
		put_string(w->s, name);
		return;
	}
	g_string_truncate(w->name, 0);
	name_escape(w->name, name);
	put_string(w->s, w->name->str);
}

static void note_key(struct row_writer *w, const char *key)
{
	if (w->nkeys < ROW_KEYS)
		w->keys[w->nkeys++] = key;
	else
		w->dup = true;
}

static void put_key(struct row_writer *w, const char *key)
{
	note_key(w, key);
	if (w->comma)
		put_char(w->s, ',');
	w->comma = true;
	if (!put_plain(w->s, key))
		put_string(w->s, key);
	put_char(w->s, ':');
}

/* put_key() of a literal key (plain ASCII): its text, comma and colon, is
 * made by the compiler. A row has twenty of them, 20,000 rows a frame. */
static inline void put_key_text(struct row_writer *w, const char *key, const char *text,
				size_t n)
{
	note_key(w, key);
	if (w->comma)
		put_len(w->s, text, n);
	else
		put_len(w->s, text + 1, n - 1);
	w->comma = true;
}

#define PUT_KEY(w, key) put_key_text((w), key, ",\"" key "\":", sizeof(",\"" key "\":") - 1)

/* A key a mechanism names: it may be one the row has already. Most differ
 * in their first letter, which is looked at before the whole key. */
static void put_key_checked(struct row_writer *w, const char *key)
{
	for (int i = 0; i < w->nkeys; i++)
		if (w->keys[i] == key || (w->keys[i][0] == key[0] && strcmp(w->keys[i], key) == 0))
			w->dup = true;
	put_key(w, key);
}

static void put_bool(GString *s, bool v)
{
	put_text(s, v ? "true" : "false");
}

static void put_peers(struct row_writer *w, const struct row *r)
{
	GString *s = w->s;

	put_char(s, '[');
	for (guint i = 0; i < r->peers->len; i++) {
		const struct peer *p = &g_array_index(r->peers, struct peer, i);

		put_text(s, i ? ",{\"pid\":" : "{\"pid\":");
		put_s64(s, p->pid);
		if (p->pid) {
			put_text(s, ",\"starttime\":");
			put_s64(s, p->start);
		}
		put_text(s, ",\"comm\":");
		put_name(w, p->comm);
		put_text(s, ",\"exited\":");
		put_bool(s, p->exited);
		if (!p->pid) {
			put_text(s, ",\"remote\":");
			put_name(w, p->remote);
		}
		put_char(s, '}');
	}
	put_char(s, ']');
}

/* add_labels()'s members. */
static void put_labels(struct row_writer *w, const struct row *r, const char *name)
{
	guint n = r->labels->len;
	char (*label)[32] = g_malloc(sizeof(*label) * (n ? n : 1));
	char key[32];

	put_key_checked(w, name);
	put_char(w->s, '{');
	for (guint i = 0; i < n; i++) {
		const struct label_count *l = &g_array_index(r->labels, struct label_count, i);

		mechanism_format_label(r->key.type, l->label, label[i], sizeof(label[i]));
		for (guint j = 0; j < i; j++)
			w->dup |= strcmp(label[i], label[j]) == 0;
		if (i)
			put_char(w->s, ',');
		put_string(w->s, label[i]);
		put_char(w->s, ':');
		put_u64(w->s, l->ops);
	}
	put_char(w->s, '}');
	g_free(label);
	if (!n || mechanism_labels_named(r->key.type))
		return;
	/* Not among the row's keys: these buffers go, and a repeat is told here. */
	snprintf(key, sizeof(key), "%s_min", name);
	put_key_checked(w, key);
	w->nkeys--;
	put_s64(w->s, g_array_index(r->labels, struct label_count, 0).label);
	snprintf(key, sizeof(key), "%s_max", name);
	put_key_checked(w, key);
	w->nkeys--;
	put_s64(w->s, g_array_index(r->labels, struct label_count, n - 1).label);
}

static void put_hist(GString *s, const __u32 *slots)
{
	bool first = true;

	put_char(s, '[');
	for (int i = 0; i < HIST_SLOTS; i++) {
		if (!slots[i])
			continue;
		put_text(s, first ? "[" : ",[");
		first = false;
		put_u64(s, format_hist_low(i));
		put_char(s, ',');
		put_u64(s, format_hist_high(i));
		put_char(s, ',');
		put_u64(s, slots[i]);
		put_char(s, ']');
	}
	put_char(s, ']');
}

/* The process's members of output_json_row_identity(). */
static void put_process(struct row_writer *w, const struct row *r)
{
	PUT_KEY(w, "pid");
	put_s64(w->s, (int)r->key.tgid);
	PUT_KEY(w, "starttime");
	put_s64(w->s, r->key.start);
	PUT_KEY(w, "comm");
	put_name(w, r->comm);
	PUT_KEY(w, "uid");
	put_u64(w->s, r->uid);
	PUT_KEY(w, "user");
	put_name(w, user_name(r->uid));
	PUT_KEY(w, "title");
	put_name(w, r->title ? r->title : "");
}

static void proc_text_free(gpointer p)
{
	struct proc_text *t = p;

	g_string_free(t->text, TRUE);
	g_free(t);
}

/* put_process(), or its text as the frame's last row of the process with
 * the same fields had it (the keys it puts are named as it would). */
static void put_process_kept(struct row_writer *w, const struct row *r)
{
	static const char *const keys[] = { "pid", "starttime", "comm", "uid", "user", "title" };
	struct proc_text *t = NULL;
	gsize start = w->s->len;

	if (w->last && w->last_proc == row_proc(r))
		t = w->last;
	else if (w->procs)
		t = g_hash_table_lookup(w->procs, row_proc(r));
	w->last_proc = row_proc(r);
	w->last = t;

	if (t && t->uid == r->uid && t->title == r->title &&
	    memcmp(t->comm, r->comm, sizeof(t->comm)) == 0) {
		put_len(w->s, t->text->str, t->text->len);
		for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
			w->keys[w->nkeys++] = keys[i];
		w->comma = true;
		return;
	}
	put_process(w, r);
	if (!w->procs)
		return;
	if (!t) {
		t = g_new0(struct proc_text, 1);
		t->text = g_string_new(NULL);
		g_hash_table_insert(w->procs, row_proc(r), t);
		w->last = t;
	}
	memcpy(t->comm, r->comm, sizeof(t->comm));
	t->uid = r->uid;
	t->title = r->title;
	g_string_assign(t->text, w->s->str + start);
}

static void put_cgroup(struct row_writer *w, const struct row *r)
{
	const char *path;
	gsize start;

	if (w->cgroup && w->cgroup_id == r->cgroup_id) {
		if (w->cgroup->len) {
			PUT_KEY(w, "cgroup");
			put_len(w->s, w->cgroup->str, w->cgroup->len);
		}
		return;
	}
	path = format_row_cgroup(r);
	if (!path[0]) {
		start = w->s->len;
	} else {
		PUT_KEY(w, "cgroup");
		start = w->s->len;
		put_name(w, path);
	}
	if (w->procs) {
		w->cgroup = w->cgroup ? w->cgroup : g_string_new(NULL);
		w->cgroup_id = r->cgroup_id;
		g_string_assign(w->cgroup, w->s->str + start);
	}
}

/* output_json_row_identity()'s members. */
static void put_identity(struct row_writer *w, const struct row *r)
{
	char dev[32];

	put_process_kept(w, r);
	PUT_KEY(w, "type");
	put_string(w->s, ipc_type_name(r->key.type));
	PUT_KEY(w, "object");
	put_name(w, r->obj && r->obj->name ? r->obj->name : "");
	mechanism_format_dev(r->key.type, r->key.dev, dev, sizeof(dev));
	PUT_KEY(w, "dev");
	put_string(w->s, dev);
	if (mechanism_dev_key(r->key.type)) {
		put_key_checked(w, mechanism_dev_key(r->key.type));
		put_s64(w->s, r->key.dev);
	}
	PUT_KEY(w, "ino");
	put_u64(w->s, r->key.ino);
	PUT_KEY(w, "dir");
	put_string(w->s, r->key.dir == DIR_TX ? "tx" : "rx");
	put_cgroup(w, r);
}

static void put_attrs(struct row_writer *w, const struct attr *attrs, int n)
{
	for (int i = 0; i < n; i++) {
		put_key_checked(w, attrs[i].key);
		put_s64(w->s, attrs[i].value);
	}
}

/* row_json()'s text into w->s; false when only json-c can write it. */
static bool row_text(struct row_writer *w, const struct row *r)
{
	g_string_truncate(w->s, 0);
	w->nkeys = 0;
	w->dup = w->comma = false;
	put_char(w->s, '{');
	put_identity(w, r);
	PUT_KEY(w, "bytes");
	put_u64(w->s, r->bytes);
	PUT_KEY(w, "ops");
	put_u64(w->s, r->ops);
	PUT_KEY(w, "bytes_per_s");
	put_decimal(w->s, r->bytes_per_s, 1);
	PUT_KEY(w, "ops_per_s");
	put_decimal(w->s, r->ops_per_s, 1);
	PUT_KEY(w, "wait_s");
	put_decimal(w->s, (double)r->wait_ns / 1e9, 6);
	PUT_KEY(w, "wait_share");
	put_decimal(w->s, r->wait_share, 3);
	PUT_KEY(w, "exited");
	put_bool(w->s, r->exited);
	if (row_is_estimate(r)) {
		PUT_KEY(w, "bytes_method");
		put_string(w->s, mechanism_bytes_method(r->key.type));
	}
	PUT_KEY(w, "peers");
	put_peers(w, r);
	put_attrs(w, r->attrs, r->nattrs);
	if (r->obj)
		put_attrs(w, r->obj->attrs, r->obj->nattrs);
	if (mechanism_label_name(r->key.type))
		put_labels(w, r, mechanism_label_name(r->key.type));
	if (r->hist) {
		put_key_checked(w, "size_hist");
		put_hist(w->s, r->hist->size);
		put_key_checked(w, "wait_hist_us");
		put_hist(w->s, r->hist->wait_us);
	}
	put_char(w->s, '}');
	return !w->dup;
}

/* keep: the processes' members are kept for the frame (put_process_kept). */
static void row_writer_init(struct row_writer *w, bool keep)
{
	*w = (struct row_writer){ .s = g_string_sized_new(1024), .name = g_string_sized_new(256) };
	if (keep && !output_cache_off)
		w->procs = g_hash_table_new_full(NULL, NULL, NULL, proc_text_free);
}

static void row_writer_free(struct row_writer *w)
{
	g_string_free(w->s, TRUE);
	g_string_free(w->name, TRUE);
	if (w->procs)
		g_hash_table_destroy(w->procs);
	if (w->cgroup)
		g_string_free(w->cgroup, TRUE);
}

static const char *json_text(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* A row's text, by hand or (a repeated key) through json-c. */
static void write_row(FILE *out, struct row_writer *w, const struct row *r)
{
	json_object *o;

	if (row_text(w, r)) {
		fwrite(w->s->str, 1, w->s->len, out);
		return;
	}
	o = row_json(r);
	fputs(json_text(o), out);
	json_object_put(o);
}

/* For the unit tests: row_text's and json-c's texts of r, to compare
 * (g_free both). Returns whether row_text wrote it. */
bool output_json_row_texts(const struct row *r, char **direct, char **jsonc)
{
	struct row_writer w;
	json_object *o = row_json(r);
	bool ok;

	row_writer_init(&w, false);
	ok = row_text(&w, r);
	*direct = g_strdup(w.s->str);
	*jsonc = g_strdup(json_text(o));
	json_object_put(o);
	row_writer_free(&w);
	return ok;
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

void output_json(FILE *out, const struct frame *f)
{
	json_object *o = frame_head(f, 0);
	const char *head;
	guint n = frame_rows_shown(f);

	/* The rows come last, written one at a time: json-c writes only whole
	 * trees, and a tree of 10,000 rows with its text took 36 MB at once.
	 * The frame's own members, written as a tree, end in its closing brace,
	 * which the rows go before. */
	struct row_writer w;

	head = json_text(o);
	fwrite(head, 1, strlen(head) - 1, out);
	fputs(",\"rows\":[", out);
	row_writer_init(&w, true);
	for (guint i = 0; i < n; i++) {
		rows_prefetch(f->rows, i);
		if (i)
			fputc(',', out);
		write_row(out, &w, g_ptr_array_index(f->rows, i));
	}
	row_writer_free(&w);
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
	json_object *head = frame_head(f, seq), *stamp;
	guint n = frame_rows_shown(f);
	struct row_writer w;
	const char *text;

	json_object_object_add(head, "row_lines", json_object_new_int64(n));
	fprintf(out, "%s\n", json_text(head));
	json_object_put(head);
	/* Every row line starts as the frame's stamp does, without its brace. */
	stamp = frame_stamp(f, seq);
	text = json_text(stamp);
	row_writer_init(&w, true);
	for (guint i = 0; i < n; i++) {
		rows_prefetch(f->rows, i);
		fwrite(text, 1, strlen(text) - 1, out);
		fputs(",\"row\":", out);
		write_row(out, &w, g_ptr_array_index(f->rows, i));
		fputs("}\n", out);
	}
	row_writer_free(&w);
	json_object_put(stamp);
	fflush(out);
}
