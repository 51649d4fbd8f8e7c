// SPDX-License-Identifier: GPL-2.0
/* Cells as every text output writes them: sizes, peers, details, losses,
 * the header line. The table, CSV, the interactive table and -e share them. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include "model/cgroup.h"
#include "model/mechanism.h"
#include "model/users.h"
#include "output/output.h"
#include "common/sanitize.h"

size_t format_u64(__u64 v, char *buf)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	size_t n;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	n = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(buf, p, n);
	buf[n] = '\0';
	return n;
}

/*
 * Exact without printf when v is a whole number, or when v * 10^decimals'
 * fraction is far from a half: below 10^11 that product is off by at most
 * 2^-17, and printf's exact rounding by at most that much more. The rest
 * (a rate of 0.9997, a byte over an interval of 1.0003 s) goes through
 * printf.
 */
size_t format_fixed(double v, int decimals, char *buf)
{
	static const double scale[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };

	if (v >= 0 && !signbit(v) && decimals >= 0 && decimals <= 6 &&
	    v * scale[decimals] < 1e11) {
		double t = v * scale[decimals], whole = floor(t), frac = t - whole;
		__u64 k = (__u64)whole + (frac > 0.5), unit = (__u64)scale[decimals];

		if (frac == 0 || fabs(frac - 0.5) > 1e-4) {
			size_t n = format_u64(k / unit, buf);
			__u64 f = k % unit;

			if (decimals) {
				buf[n++] = '.';
				for (int i = decimals - 1; i >= 0; i--, f /= 10)
					buf[n + (size_t)i] = (char)('0' + f % 10);
				n += (size_t)decimals;
			}
			buf[n] = '\0';
			return n;
		}
	}
	return (size_t)snprintf(buf, FIXED_MAX, "%.*f", decimals, v);
}

/* text then unit, into buf of len bytes (as snprintf: cut, terminated). */
static void put_unit(char *buf, size_t len, const char *text, size_t n, const char *unit)
{
	size_t u = strlen(unit);

	if (!len)
		return;
	if (n + u < len) {
		memcpy(buf, text, n);
		memcpy(buf + n, unit, u + 1);
	} else {
		snprintf(buf, len, "%s%s", text, unit);
	}
}

/*
 * Three significant digits and a prefix. The unit is picked after rounding,
 * so that a value just under the next unit (999.7, or 1023.6 bytes) shows as
 * 1.00 of it, never as "1000" of this one.
 */
static void format_scaled(double v, double base, const char *const units[], int nunits,
			  char *buf, size_t len)
{
	int u = 0;

	while (u + 1 < nunits && v >= base - 0.5) {
		v /= base;
		u++;
	}
	char text[FIXED_MAX];
	int decimals = u == 0 || v >= 99.95 ? 0 : v < 9.995 ? 2 : 1;

	put_unit(buf, len, text, format_fixed(v, decimals, text), units[u]);
}

void format_bytes(double v, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

	format_scaled(v, 1024, units, G_N_ELEMENTS(units), buf, len);
}

void format_count(double v, char *buf, size_t len)
{
	static const char *const units[] = { "", "k", "M", "G", "T", "P", "E" };

	format_scaled(v, 1000, units, G_N_ELEMENTS(units), buf, len);
}

/*
 * A row's bytes, marked "~" where they are an estimate (shared memory's page
 * faults, a page each first touched) rather than bytes a call moved.
 */
void format_row_bytes(const struct row *r, double v, char *buf, size_t len)
{
	bool estimate = row_is_estimate(r) && v > 0;	/* nothing is exact */

	if (estimate && len > 1) {
		buf[0] = '~';
		format_bytes(v, buf + 1, len - 1);
	} else {
		format_bytes(v, buf, len);
	}
}

char *format_utf8_trim(char *s)
{
	const gchar *end;

	if (!g_utf8_validate(s, -1, &end))
		*(char *)end = '\0';
	return s;
}

/* The digits of v's decimal form. */
static int digits_u32(guint v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* One peer as it is shown, after a comma unless it is the first: "PID/COMM"
 * (with "*" once it exited), or a remote address. Without printf: a frame
 * asks this of every row. Returns its length. */
static size_t peer_text(const struct peer *p, bool first, bool words, char *one, size_t len)
{
	char name[4 * (COMM_LEN + 64)];
	size_t off = 0, n;

	if (words)
		name_escape_word_buf(name, sizeof(name), p->pid ? p->comm : p->remote);
	else
		name_escape_buf(name, sizeof(name), p->pid ? p->comm : p->remote);
	if (!first)
		one[off++] = ',';
	if (p->pid) {
		off += format_u64((__u64)(unsigned int)p->pid, one + off);
		one[off++] = '/';
	}
	n = MIN(strlen(name), len - off - 2);
	memcpy(one + off, name, n);
	off += n;
	if (p->pid && p->exited)
		one[off++] = '*';
	one[off] = '\0';
	return off;
}

static void peers_into(const struct row *r, char *buf, size_t len, int limit, bool words)
{
	size_t off = 0;
	guint n = r->peers->len;

	buf[0] = '\0';
	for (guint i = 0; i < n && off < len; i++) {
		const struct peer *p = &g_array_index(r->peers, struct peer, i);
		char one[4 * (COMM_LEN + 80)];
		size_t w = peer_text(p, i == 0, words, one, sizeof(one));
		/* ",+N" for the peers after this one. */
		size_t m = i + 1 < n ? 2 + (size_t)digits_u32(n - i - 1) : 0;

		/* Keep room to say how many did not fit. */
		if (limit > 0 && off + w + m > (size_t)limit && i > 0) {
			snprintf(buf + off, len - off, ",+%u", n - i);
			return;
		}
		if (off + w < len) {
			memcpy(buf + off, one, w + 1);
		} else {
			memcpy(buf + off, one, len - off - 1);
			buf[len - 1] = '\0';
		}
		off += w;
	}
	if (!buf[0])
		snprintf(buf, len, "-");
	format_utf8_trim(buf);
}

void format_peers(const struct row *r, char *buf, size_t len, int limit)
{
	peers_into(r, buf, len, limit, false);
}

void format_peers_words(const struct row *r, char *buf, size_t len, int limit)
{
	peers_into(r, buf, len, limit, true);
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

/* n bytes of s after buf's *off, as append()'s vsnprintf would: cut at
 * len, with *off counting what did not fit. */
static void append_bytes(char *buf, size_t len, size_t *off, const char *s, size_t n)
{
	if (*off < len) {
		size_t fit = MIN(n, len - *off - 1);

		memcpy(buf + *off, s, fit);
		buf[*off + fit] = '\0';
	}
	*off += n;
}

/* " key=value" (no space first), without printf: a frame asks it of every
 * row's counters. */
static void append_attr(char *buf, size_t len, size_t *off, const char *key, __s64 value)
{
	char num[24];
	size_t n = 0;

	if (*off >= len)
		return;
	if (*off)
		append_bytes(buf, len, off, " ", 1);
	append_bytes(buf, len, off, key, strlen(key));
	append_bytes(buf, len, off, "=", 1);
	if (value < 0)
		num[n++] = '-';
	n += format_u64(value < 0 ? -(__u64)value : (__u64)value, num + n);
	append_bytes(buf, len, off, num, n);
}

/*
 * DETAIL: what a mechanism adds, in one generic form: the row's non-zero
 * event counters, its labels ("prio 0:10,5:2"), then its object's state.
 */
void format_detail(const struct row *r, char *buf, size_t len)
{
	const char *label = mechanism_label_name(r->key.type);
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < r->nattrs; i++)
		if (r->attrs[i].value)
			append_attr(buf, len, &off, r->attrs[i].key, r->attrs[i].value);
	if (label && r->labels->len) {
		append(buf, len, &off, "%s%s ", off ? " " : "", label);
		for (guint i = 0; i < r->labels->len; i++) {
			const struct label_count *l = &g_array_index(r->labels, struct label_count, i);
			char text[32];

			mechanism_format_label(r->key.type, l->label, text, sizeof(text));
			append(buf, len, &off, "%s%s:%llu", i ? "," : "", text,
			       (unsigned long long)l->ops);
		}
	}
	for (int i = 0; r->obj && i < r->obj->nattrs; i++)
		append_attr(buf, len, &off, r->obj->attrs[i].key, r->obj->attrs[i].value);
	if (off >= len && len > 4)
		strcpy(buf + len - 4, "...");
}

const char *format_fit_tail(const char *s, int width, char *buf, size_t len)
{
	int n = (int)strlen(s);

	if (width <= 0 || n <= width)
		return s;
	if (width <= 3)
		return "";
	s += n - (width - 3);
	/* Not inside a character: its continuation bytes say where it began. */
	while ((*s & 0xc0) == 0x80)
		s++;
	snprintf(buf, len, "...%s", s);
	return format_utf8_trim(buf);
}

void format_wait(double share, char *buf, size_t len)
{
	char text[FIXED_MAX];

	if (share <= 0)
		snprintf(buf, len, "-");
	else if (share < 0.005)
		snprintf(buf, len, "<1%%");
	else
		put_unit(buf, len, text, format_fixed(share * 100, 0, text), "%");
}

void format_user(const struct row *r, char *buf, size_t len, int width)
{
	char name[4 * 64 + 1];
	int cut = width > 1 && (size_t)width + 1 < len ? width : (int)len - 1;

	name_escape_buf(name, sizeof(name), user_name(r->uid));
	if ((int)strlen(name) <= cut) {
		snprintf(buf, len, "%s", name);
		return;
	}
	/* Cut inside a character: at its start (continuation bytes are 10xxxxxx). */
	cut--;
	while (cut > 0 && (name[cut] & 0xc0) == 0x80)
		cut--;
	snprintf(buf, len, "%.*s+", cut, name);
}

const char *format_row_cgroup(const struct row *r)
{
	return r->cgroup_id ? cgroup_path(r->cgroup_id) : "";
}

const struct loss_kind format_loss_kinds[] = {
	{ "rows", offsetof(struct ipc_loss, rows_dropped) },
	{ "overflow", offsetof(struct ipc_loss, overflow_dropped) },
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
	{ "compat", offsetof(struct ipc_loss, compat_skipped) },
	{ "uring", offsetof(struct ipc_loss, uring_unseen) },
};

const size_t format_nloss_kinds = G_N_ELEMENTS(format_loss_kinds);

__u64 format_loss_count(const struct ipc_loss *l, const struct loss_kind *k)
{
	return *(const __u64 *)((const char *)l + k->offset);
}

/* "lost: none", or only the kinds of loss there were: nothing is dropped
 * silently, and a quiet header stays short. */
void format_losses(const struct ipc_loss *l, char *buf, size_t len)
{
	size_t off = 0;

	append(buf, len, &off, "lost:");
	for (size_t i = 0; i < G_N_ELEMENTS(format_loss_kinds); i++) {
		__u64 n = format_loss_count(l, &format_loss_kinds[i]);

		if (n)
			append(buf, len, &off, " %s %llu", format_loss_kinds[i].name, (unsigned long long)n);
	}
	if (off == strlen("lost:"))
		append(buf, len, &off, " none");
}

void format_header(const struct frame *f, guint shown, guint listed, char *buf, size_t len)
{
	char tbuf[32], rate[16], total[16], oprate[16], ops[16], rows[32];
	struct tm tm;

	/* The rows below, and of how many when a limit cut some. */
	if (shown < listed)
		snprintf(rows, sizeof(rows), "rows %u of %u", shown, listed);
	else
		snprintf(rows, sizeof(rows), "rows %u", shown);

	localtime_r(&f->now, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	format_bytes(f->totals.bytes_per_s, rate, sizeof(rate));
	format_bytes((double)f->totals.bytes, total, sizeof(total));
	format_count(f->totals.ops_per_s, oprate, sizeof(oprate));
	format_count((double)f->totals.ops, ops, sizeof(ops));
	if (f->final)
		snprintf(buf, len, "ipctrace summary  %s  %.1fs traced  %s  total %s in %s ops",
			 tbuf, f->elapsed_s, rows, total, ops);
	else
		snprintf(buf, len, "ipctrace  %s  interval %.1fs  %s  %s/s  %s ops/s  total %s in %s ops",
			 tbuf, f->interval_s, rows, rate, oprate, total, ops);
}

bool format_folded(const struct folded *folded, char *buf, size_t len)
{
	char bytes[16], ops[16];

	buf[0] = '\0';
	if (!folded->rows)
		return false;
	format_bytes((double)folded->bytes, bytes, sizeof(bytes));
	format_count((double)folded->ops, ops, sizeof(ops));
	snprintf(buf, len, "... and %llu older rows of exited processes and closed objects: %s in "
		 "%s ops", (unsigned long long)folded->rows, bytes, ops);
	return true;
}

__u64 format_hist_low(int slot)
{
	return slot ? 1ULL << slot : 0;
}

__u64 format_hist_high(int slot)
{
	return (2ULL << slot) - 1;
}

void format_cut_name(const char *raw, char *buf, size_t len)
{
	char name[4 * IPC_NAME_LEN + 8];

	name_escape_buf(name, sizeof(name), raw);
	g_strlcpy(buf, name, len);
	if (strlen(name) >= len && len > 4) {
		strcpy(buf + len - 4, "...");
		/* The cut may fall inside a character: move the dots back. */
		while (!g_utf8_validate(buf, -1, NULL) && buf[0] != '.')
			memmove(buf + strlen(buf) - 4, "...", 4);
	}
}

GHashTable *format_shared_names(const GPtrArray *rows, guint n)
{
	GHashTable *title_of = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTable *shared = g_hash_table_new(g_str_hash, g_str_equal);
	/* row_proc() -> its first row here: a process's other rows with that
	 * row's name and title tell nothing more, and are passed over without
	 * hashing their names (a process may have 10,000 rows). Not with
	 * output_cache_off: the unit tests' oracle hashes every row. */
	GHashTable *first = g_hash_table_new(NULL, NULL);

	for (guint i = 0; i < n; i++) {
		const struct row *r = g_ptr_array_index(rows, i), *f;
		const char *seen;

		/* A row without a title (its process gone before it was read)
		 * tells nothing apart. */
		if (!r->title || !r->title[0])
			continue;
		f = output_cache_off ? NULL : g_hash_table_lookup(first, row_proc(r));
		if (f && f->title == r->title && memcmp(f->comm, r->comm, sizeof(r->comm)) == 0)
			continue;
		if (!f && !output_cache_off)
			g_hash_table_insert(first, row_proc(r), (gpointer)r);
		seen = g_hash_table_lookup(title_of, r->comm);
		if (!seen)
			g_hash_table_insert(title_of, (gpointer)r->comm, (gpointer)r->title);
		else if (strcmp(seen, r->title))
			g_hash_table_add(shared, (gpointer)r->comm);
	}
	g_hash_table_destroy(title_of);
	g_hash_table_destroy(first);
	return shared;
}

/* A word of what a process does: letters first, then letters, digits, - or _. */
static size_t role_word(const char *s)
{
	size_t n = 0;

	if (!g_ascii_isalpha(s[0]))
		return 0;
	while (g_ascii_isalnum(s[n]) || s[n] == '-' || s[n] == '_')
		n++;
	return s[n] == ' ' || s[n] == '\0' ? n : 0;
}

/* Whether a title's "NAME:" is the process's: one name cut (comm keeps 15
 * bytes) or whole. */
static bool title_names(const char *title, size_t nlen, const char *comm)
{
	size_t clen = strlen(comm);

	return nlen && clen && !memchr(title, ' ', nlen) && !memchr(title, '/', nlen) &&
	       strncmp(title, comm, MIN(nlen, clen)) == 0;
}

const char *format_role(const struct row *r, char *buf, size_t len)
{
	const char *title = r->title, *colon = title ? strstr(title, ": ") : NULL;
	const char *w;
	size_t off, n;
	int words = 0;

	if (!colon || !title_names(title, (size_t)(colon - title), r->comm))
		return r->comm;
	off = (size_t)(colon - title) + 1;
	if (off >= len)
		return r->comm;
	memcpy(buf, title, off);
	for (w = colon + 2; words < ROLE_WORDS && (n = role_word(w)); w += n + (w[n] == ' ')) {
		if (off + 1 + n >= len)
			break;
		buf[off++] = ' ';
		memcpy(buf + off, w, n);
		off += n;
		words++;
	}
	buf[off] = '\0';
	return words ? buf : r->comm;
}
