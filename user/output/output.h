/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Renderers of the row model: a frame, the cells every text output shares
 * (format.c), the table (table.c) and JSON (json.c); CSV, the graph and
 * Prometheus beside them (csv.h, graph.h, prom.h). No mechanism is special
 * in any of them.
 */
#ifndef IPCTRACE_OUTPUT_H
#define IPCTRACE_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <json.h>
#include "model/rows.h"

struct frame {
	time_t now;
	double interval_s;	/* time this frame covers */
	double elapsed_s;	/* since attach */
	bool final;
	struct totals totals;
	struct ipc_loss loss;
	GPtrArray *rows;	/* struct row *, sorted */
	int max_rows;		/* 0: all */
	struct folded folded;	/* old rows of exited processes, as totals */
	double refresh_s;	/* reading the kernel and /proc for this frame took */
	struct map_fill maps[MAP_FILL_MAX];	/* the kernel side's maps, as full as read */
	size_t nmaps;
};

/*
 * The unit tests' oracle: true makes every output render each row from
 * scratch, keeping nothing from one row to the next within a frame, and
 * the table write its rows through printf as it did.
 */
extern bool output_cache_off;

struct table_style {
	bool clear;		/* home the cursor and clear first (a TTY only) */
	int width;		/* 0: no limit */
};

/*
 * Bytes in binary prefixes, the unit said: 1536 -> "1.50KiB", 512 -> "512B".
 * Operations (counts and rates) in SI prefixes, k = 1000: 2249.4 -> "2.25k".
 * Exact below the first prefix, three significant digits above. JSON, CSV
 * and the metrics keep the exact figures.
 */
/* g_string_append_len without its call: the text outputs write rows a
 * few bytes at a time, 10,000 rows a frame. */
static inline void put_len(GString *s, const char *p, size_t n)
{
	if (s->len + n < s->allocated_len) {
		memcpy(s->str + s->len, p, n);
		s->len += n;
		s->str[s->len] = '\0';
	} else {
		g_string_append_len(s, p, n);
	}
}

/* v's digits and a NUL at buf (U64_DIGITS bytes), without printf; returns
 * how many digits. */
#define U64_DIGITS 21
size_t format_u64(__u64 v, char *buf);

/*
 * v with decimals (0 to 6) digits after the point, as printf's "%.*f"
 * writes it, into buf (FIXED_MAX bytes); returns its length. Without
 * printf where its rounding is not in doubt: a 10,000-row frame has 50,000
 * such numbers, and printf's floating point was most of its time.
 */
#define FIXED_MAX 32
size_t format_fixed(double v, int decimals, char *buf);

void format_bytes(double v, char *buf, size_t len);
void format_row_bytes(const struct row *r, double v, char *buf, size_t len);
void format_count(double v, char *buf, size_t len);

/*
 * "1234/cat,99/sh*": pids and names, * for exited; "-" when none. With a
 * limit > 0, peers that would not fit in limit characters become ",+N".
 */
void format_peers(const struct row *r, char *buf, size_t len, int limit);
/* The same as one word for awk: spaces in names escaped (name_escape_word_buf). */
void format_peers_words(const struct row *r, char *buf, size_t len, int limit);

/* s cut where a byte count cut it inside a character: at that character's
 * start. Names are escaped into valid UTF-8 (common/sanitize.h); a cell
 * cut to its width must stay so. Returns s. */
char *format_utf8_trim(char *s);

/* --hist: the values slot counts, [low, high]. */
__u64 format_hist_low(int slot);
__u64 format_hist_high(int slot);

/* The WAIT column: "95%", "<1%", "-" for none. */
void format_wait(double share, char *buf, size_t len);

/* The DETAIL column: events, labels and object state, "" when none. */
void format_detail(const struct row *r, char *buf, size_t len);

/* The kinds of loss, named as the header and JSON's "lost" name them. */
struct loss_kind {
	const char *name;
	size_t offset;	/* of its __u64 in struct ipc_loss */
};

extern const struct loss_kind format_loss_kinds[];
extern const size_t format_nloss_kinds;
__u64 format_loss_count(const struct ipc_loss *l, const struct loss_kind *k);

/* The USER cell: its name escaped, cut to width with a "+" as top does. */
#define USER_COL_MAX 8
void format_user(const struct row *r, char *buf, size_t len, int width);

/* The widest CGROUP cell of the table; longer names end in "...". */
#define CGROUP_COL_MAX 24
/* The widest title shown in the COMM column, likewise. */
#define TITLE_COL_MAX 40

/* A name escaped, its head kept in len bytes, "..." where it was cut. */
void format_cut_name(const char *raw, char *buf, size_t len);

/*
 * Processes with one name (postgres, nginx) are told apart by their titles:
 * the comm strings that rows[0..n) with different titles share, as a set
 * (g_hash_table_contains). Its keys are the rows'.
 */
GHashTable *format_shared_names(const GPtrArray *rows, guint n);

/*
 * A process's name for labels that must stay few (Prometheus's comm): its
 * comm, or, where it set a title "NAME: what it does" (setproctitle), NAME
 * with at most ROLE_WORDS words of that, up to the first that is not a
 * plain word: "postgres: checkpointer", "nginx: worker process", and
 * "postgres: bench postgres" for "postgres: bench postgres [local] idle".
 * What comes after (a client's address, a query, a state, a PID) changes
 * from connection to connection and from moment to moment: a series each.
 * Raw, not escaped; buf or r->comm.
 */
#define ROLE_WORDS 3
#define ROLE_LABEL_MAX 64
const char *format_role(const struct row *r, char *buf, size_t len);

/* The row's process's cgroup v2 path when the row began; "" when unknown. */
const char *format_row_cgroup(const struct row *r);

/* The table's first line: time, interval, rows, rates, totals (or the summary's). */
/* The first line; shown of listed rows (after folding, before a limit). */
void format_header(const struct frame *f, guint shown, guint listed, char *buf, size_t len);

/* "lost: none", or the kinds of loss there were with their counts. */
void format_losses(const struct ipc_loss *l, char *buf, size_t len);

/* The line for rows folded into totals; false (and "") when there are none. */
bool format_folded(const struct folded *folded, char *buf, size_t len);

/* s, or "...tail" of it, in width characters ("" below 4). May return buf. */
const char *format_fit_tail(const char *s, int width, char *buf, size_t len);

/*
 * Shrink the OBJECT, PEERS and DETAIL widths so that a table whose other
 * columns take `fixed` fits in `width` (0: no limit). Returns whether PEERS
 * shrank, so that the peers are formatted again to its width.
 */
bool table_fit(int width, int fixed, int *object, int *peers, int *detail);

void output_table(FILE *out, const struct frame *f, const struct table_style *style);

/* JSON pieces the event log shares with the table's rows. */
json_object *output_json_u64(__u64 v);
/* A name from a user (comm, path, cgroup) as a JSON string: escaped as
 * common/sanitize.h says, so that the document is always valid UTF-8. */
json_object *output_json_name(const char *name);
/* pid, comm, type, object, dev, ino, dir */
json_object *output_json_row_identity(const struct row *r);
json_object *output_json_row_peers(const struct row *r);

/* One line: a JSON object with "rows" (README documents the schema). */
void output_json(FILE *out, const struct frame *f);
/* For the unit tests: a row's text as --json writes it and as json-c
 * would (g_free both); false when json-c writes it (a key repeated). */
bool output_json_row_texts(const struct row *r, char **direct, char **jsonc);
/* --ndjson: the frame's figures, then a line per row; seq counts frames from 1. */
void output_ndjson(FILE *out, const struct frame *f, unsigned long seq);

#endif
