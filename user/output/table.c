// SPDX-License-Identifier: GPL-2.0
/* The plain table: one line per row, columns fitted to the terminal. */
#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include "model/cgroup.h"
#include "model/mechanism.h"
#include "output/output.h"
#include "common/sanitize.h"

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

/* A table row's cells. The long, mostly short ones live in one string chunk
 * per table, at their own length: a fixed 1 KB of them a row made a 10,000-row
 * table's refresh take 12 MB. */
struct cells {
	char pid[16], comm[TITLE_COL_MAX + 2], user[4 * USER_COL_MAX + 2], rate[16], oprate[16], total[16], ops[24], wait[8];
	char *peers, *detail, *cgroup;
	const char *object;
};

#define CELL_MAX 512	/* the longest peers or detail cell, with its NUL */

/* A cgroup's own name, its head kept: "docker-0123…" says more than "….scope". */
static void format_cgroup(const struct row *r, char *buf, size_t len)
{
	const char *path = format_row_cgroup(r);

	format_cut_name(path[0] ? cgroup_short(path) : "-", buf, len);
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

/*
 * A process's COMM and USER cells, kept for one frame: a process with
 * 10,000 rows had its title escaped and cut 10,000 times a frame. Used only
 * by a row whose fields are those they were made from.
 */
struct proc_cells {
	char comm[COMM_LEN];
	const char *title;
	__u32 uid;
	char comm_cell[TITLE_COL_MAX + 2], user_cell[4 * USER_COL_MAX + 2];
};

/* What one frame's rows share: its processes' cells, the last cgroup's. */
struct frame_cells {
	GHashTable *procs;	/* row_proc() -> struct proc_cells; NULL: none kept */
	__u64 cgroup_id;
	const char *cgroup;	/* in the frame's strings; NULL: none yet */
};

/* A process's COMM and USER cells, as fill_cells() makes them. */
static void proc_cells_fill(const struct row *r, bool by_title, char *comm, size_t comm_len,
			    char *user, size_t user_len)
{
	if (by_title && r->title && r->title[0])
		format_cut_name(r->title, comm, comm_len - 1);
	else
		name_escape_buf(comm, comm_len - 1, r->comm);
	format_user(r, user, user_len, USER_COL_MAX);
}

/* shared: format_shared_names()'s, the comms shown by their titles. */
static void fill_proc_cells(const struct row *r, struct cells *c, struct frame_cells *fc,
			    GHashTable *shared)
{
	struct proc_cells *p = fc->procs ? g_hash_table_lookup(fc->procs, row_proc(r)) : NULL;

	if (!fc->procs) {
		proc_cells_fill(r, g_hash_table_contains(shared, r->comm), c->comm,
				sizeof(c->comm), c->user, sizeof(c->user));
		return;
	}
	/* By title or not goes with the comm: a frame's processes of one name
	 * all show their titles, or none does. */
	if (!p || p->uid != r->uid || p->title != r->title ||
	    memcmp(p->comm, r->comm, sizeof(p->comm))) {
		if (!p) {
			p = g_new(struct proc_cells, 1);
			g_hash_table_insert(fc->procs, row_proc(r), p);
		}
		memcpy(p->comm, r->comm, sizeof(p->comm));
		p->title = r->title;
		p->uid = r->uid;
		proc_cells_fill(r, g_hash_table_contains(shared, r->comm), p->comm_cell,
				sizeof(p->comm_cell), p->user_cell, sizeof(p->user_cell));
	}
	memcpy(c->comm, p->comm_cell, sizeof(c->comm));
	memcpy(c->user, p->user_cell, sizeof(c->user));
}

static const char *cgroup_cell(const struct row *r, struct frame_cells *fc, GStringChunk *strings)
{
	char buf[CGROUP_COL_MAX + 1];

	if (fc->procs && fc->cgroup && fc->cgroup_id == r->cgroup_id)
		return fc->cgroup;
	format_cgroup(r, buf, sizeof(buf));
	fc->cgroup_id = r->cgroup_id;
	return fc->cgroup = g_string_chunk_insert(strings, buf);
}

static void fill_cells(const struct row *r, struct cells *c, GStringChunk *strings,
		       GHashTable *shared, struct frame_cells *fc)
{
	char buf[CELL_MAX];
	const char *object = r->obj && r->obj->name ? r->obj->name : "?";

	/* Folded exit notices have many processes and no one PID. */
	if (r->folded_procs)
		strcpy(c->pid, "-");
	else
		format_u64(r->key.tgid, c->pid);
	fill_proc_cells(r, c, fc, shared);
	if (r->exited)
		strcat(c->comm, "*");
	format_row_bytes(r, r->bytes_per_s, c->rate, sizeof(c->rate));
	format_count(r->ops_per_s, c->oprate, sizeof(c->oprate));
	format_row_bytes(r, (double)r->bytes, c->total, sizeof(c->total));
	format_count((double)r->ops, c->ops, sizeof(c->ops));
	format_wait(r->wait_share, c->wait, sizeof(c->wait));
	format_peers(r, buf, sizeof(buf), PEERS_MAX);
	c->peers = g_string_chunk_insert(strings, buf);
	format_detail(r, buf, sizeof(buf));
	c->detail = g_string_chunk_insert(strings, buf);
	c->cgroup = (char *)cgroup_cell(r, fc, strings);
	if (r->obj && r->obj->name && r->obj->name_clean) {
		/* Read, never changed, while the frame is written. */
		c->object = r->obj->name;
	} else if (name_is_clean(object)) {
		c->object = g_string_chunk_insert(strings, object);
	} else {
		char *escaped = name_escaped(object);

		c->object = g_string_chunk_insert(strings, escaped);
		g_free(escaped);
	}
}

/* g_utf8_strlen() of a cell (valid UTF-8: names are escaped), inline: it
 * is asked of two cells a row, twice. */
static inline int cell_chars(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += (*s & 0xc0) != 0x80;
	return n;
}

static void append_spaces(GString *line, int n)
{
	static const char spaces[] = "                                ";

	for (; n > 0; n -= (int)sizeof(spaces) - 1)
		put_len(line, spaces, (size_t)MIN(n, (int)sizeof(spaces) - 1));
}

/* cell in width bytes (printf's %*s, or %-*s with left), then after (one
 * byte at most). */
static void pad_cell(GString *line, const char *cell, int width, bool left, const char *after)
{
	int n = (int)strlen(cell);

	if (!left)
		append_spaces(line, width - n);
	put_len(line, cell, (size_t)n);
	if (left)
		append_spaces(line, width - n);
	put_len(line, after, after[0] ? 1 : 0);
}

/* A row's line as printf writes it: what pad_cell()'s must be, byte for
 * byte (the unit tests' oracle, output_cache_off, writes this). */
static void print_row_printf(FILE *out, const struct row *r, const struct cells *c, int wcomm,
			     int wuser, int wcg, bool show_cgroup, const int *w)
{
	char obuf[4 * IPC_NAME_LEN + 8], tmp[IPC_NAME_LEN + 8];

	fprintf(out, "%7s %-*s %-*s%s%-*s%s%-9s %-*s %-3s %-*s %8s %8s %8s %8s %4s%s%s\n",
		c->pid, wcomm + (int)(strlen(c->comm) - g_utf8_strlen(c->comm, -1)), c->comm,
		wuser > 0 ? wuser + (int)(strlen(c->user) - g_utf8_strlen(c->user, -1)) : 0,
		wuser > 0 ? c->user : "", wuser > 0 ? " " : "", wcg, show_cgroup ? c->cgroup : "",
		show_cgroup ? " " : "", ipc_type_name(r->key.type), w[COL_OBJECT],
		format_fit_tail(c->object, w[COL_OBJECT], obuf, sizeof(obuf)),
		r->key.dir == DIR_TX ? "tx" : "rx", w[COL_PEERS],
		format_fit_tail(c->peers, w[COL_PEERS], tmp, sizeof(tmp)), c->rate, c->oprate,
		c->total, c->ops, c->wait, c->detail[0] ? " " : "", c->detail);
}

/*
 * A line of fields two spaces apart, cut after the last whole field that
 * fits a terminal's width (0: no terminal): a wrapped line would push the
 * table down and its last rows off a screen that was fitted to them.
 */
static void fit_fields(char *line, int width)
{
	char *cut = NULL;

	if (width <= 0 || (int)strlen(line) <= width)
		return;
	line[width] = '\0';
	for (char *p = strstr(line, "  "); p; p = strstr(p + 1, "  "))
		cut = p;
	if (cut)
		*cut = '\0';
}

/* "lost: NAME N NAME N ...": whole pairs that fit, then " ..." to say that
 * more were cut (the JSON and the metrics have them all). */
static void fit_losses(char *line, int width)
{
	size_t keep = (size_t)MAX(width - 4, 0);
	bool cut_word;
	char *sp;

	if (width <= 0 || strlen(line) <= (size_t)width)
		return;
	cut_word = line[keep] != ' ';
	line[keep] = '\0';
	sp = strrchr(line, ' ');
	if (cut_word && sp) {
		*sp = '\0';	/* a cut word goes */
		sp = strrchr(line, ' ');
	}
	if (sp && !isdigit((unsigned char)sp[1]))
		*sp = '\0';	/* a name whose count went */
	if (strlen(line) + 4 <= (size_t)width)
		strcat(line, " ...");
}

static void print_header(FILE *out, const struct frame *f, guint shown, int width)
{
	char line[256];

	format_header(f, shown, f->rows->len, line, sizeof(line));
	fit_fields(line, width);
	fprintf(out, "%s\n", line);
	format_losses(&f->loss, line, sizeof(line));
	fit_losses(line, width);
	fprintf(out, "%s\n\n", line);
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

		snprintf(range, sizeof(range), "%llu -> %llu", (unsigned long long)format_hist_low(i),
			 (unsigned long long)format_hist_high(i));
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
		char *comm = name_escaped(r->comm);
		char *object = name_escaped(r->obj && r->obj->name ? r->obj->name : "?");

		fprintf(out, "%u %s %s %s %s\n", r->key.tgid, comm, ipc_type_name(r->key.type),
			object, r->key.dir == DIR_TX ? "tx" : "rx");
		g_free(comm);
		g_free(object);
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
	int fixed, exited = 0, wcg = 0, wuser = 4, wcomm = 17;
	char tmp[IPC_NAME_LEN + 8];
	bool show_cgroup;
	GHashTable *shared = format_shared_names(f->rows, n);
	struct frame_cells fc = { 0 };
	GString *line;

	if (f->max_rows > 0 && n > (guint)f->max_rows)
		n = (guint)f->max_rows;
	cells = g_new0(struct cells, n ? n : 1);
	strings = g_string_chunk_new(64 * 1024);
	if (!output_cache_off)
		fc.procs = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	for (guint i = 0; i < n; i++) {
		const struct row *r = g_ptr_array_index(f->rows, i);

		rows_prefetch(f->rows, i);
		fill_cells(r, &cells[i], strings, shared, &fc);
		wcomm = MAX(wcomm, cell_chars(cells[i].comm));
		w[COL_OBJECT] = MAX(w[COL_OBJECT], (int)strlen(cells[i].object));
		wuser = MAX(wuser, cell_chars(cells[i].user));
		w[COL_PEERS] = MAX(w[COL_PEERS], (int)strlen(cells[i].peers));
		w[COL_DETAIL] = MAX(w[COL_DETAIL], (int)strlen(cells[i].detail));
		exited |= r->exited;
	}
	/* PID COMM TYPE DIR, four numbers and WAIT, with their separators. */
	fixed = 7 + 1 + 17 + 1 + 9 + 1 + 3 + 1 + 4 * 9 + 5 + 2 + (w[COL_DETAIL] ? 1 : 0);
	/* USER comes before CGROUP, after the channel's own columns: on a
	 * terminal too narrow for both it is left out (JSON and CSV carry it). */
	if (style->width > 0 &&
	    style->width - fixed - (wuser + 1) < 6 + 5 + 1 + (w[COL_DETAIL] ? 4 : 0))
		wuser = -1;
	fixed += wuser + 1;
	if (wcomm > 17 && style->width > 0) {
		/* Titles take what a terminal has beyond the channel's own columns. */
		int spare = style->width - fixed - 1 - (6 + 5 + (w[COL_DETAIL] ? 4 : 0));

		wcomm = 17 + MAX(0, MIN(wcomm - 17, spare));
		/* Cut by characters: the cells are valid UTF-8, escaped. */
		for (guint i = 0; i < n; i++)
			if (cell_chars(cells[i].comm) > wcomm)
				strcpy(g_utf8_offset_to_pointer(cells[i].comm, wcomm - 3), "...");
	}
	fixed += wcomm - 17;
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
	print_header(out, f, n, style->width);
	fprintf(out, "%7s %-*s %-*s%s%-*s%s%-9s %-*s %-3s %-*s %8s %8s %8s %8s %4s%s%s\n", "PID", wcomm,
		"COMM", MAX(wuser, 0), wuser > 0 ? "USER" : "", wuser > 0 ? " " : "", wcg, show_cgroup ? "CGROUP" : "", show_cgroup ? " " : "", "TYPE", w[COL_OBJECT],
		"OBJECT", "DIR", w[COL_PEERS], "PEERS",
		f->final ? "AVG B/s" : "BYTES/s", f->final ? "AVG OP/s" : "OPS/s", "TOTAL", "OPS",
		"WAIT", w[COL_DETAIL] ? " " : "", w[COL_DETAIL] ? "DETAIL" : "");
	line = g_string_sized_new(256);
	for (guint i = 0; i < n; i++) {
		const struct row *r = g_ptr_array_index(f->rows, i);
		struct cells *c = &cells[i];
		char obuf[4 * IPC_NAME_LEN + 8];

		if (output_cache_off) {
			print_row_printf(out, r, c, wcomm, wuser, wcg, show_cgroup, w);
			continue;
		}
		/* print_row_printf()'s line, without printf's parsing of its
		 * format every row. */
		g_string_truncate(line, 0);
		pad_cell(line, c->pid, 7, false, " ");
		pad_cell(line, c->comm, wcomm + (int)(strlen(c->comm) - cell_chars(c->comm)),
			 true, " ");
		pad_cell(line, wuser > 0 ? c->user : "",
			 wuser > 0 ? wuser + (int)(strlen(c->user) - cell_chars(c->user)) : 0,
			 true, wuser > 0 ? " " : "");
		pad_cell(line, show_cgroup ? c->cgroup : "", wcg, true, show_cgroup ? " " : "");
		pad_cell(line, ipc_type_name(r->key.type), 9, true, " ");
		pad_cell(line, format_fit_tail(c->object, w[COL_OBJECT], obuf, sizeof(obuf)),
			 w[COL_OBJECT], true, " ");
		pad_cell(line, r->key.dir == DIR_TX ? "tx" : "rx", 3, true, " ");
		pad_cell(line, format_fit_tail(c->peers, w[COL_PEERS], tmp, sizeof(tmp)),
			 w[COL_PEERS], true, " ");
		pad_cell(line, c->rate, 8, false, " ");
		pad_cell(line, c->oprate, 8, false, " ");
		pad_cell(line, c->total, 8, false, " ");
		pad_cell(line, c->ops, 8, false, " ");
		pad_cell(line, c->wait, 4, false, c->detail[0] ? " " : "");
		g_string_append(line, c->detail);
		g_string_append_c(line, '\n');
		fwrite(line->str, 1, line->len, out);
	}
	g_string_free(line, TRUE);
	if (f->rows->len > n)
		fprintf(out, "... %u more rows (-r all shows every row)\n", f->rows->len - n);
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
	g_hash_table_destroy(shared);
	if (fc.procs)
		g_hash_table_destroy(fc.procs);
	g_free(cells);
}
