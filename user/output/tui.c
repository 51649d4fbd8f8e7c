// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <curses.h>
#include "common/common.h"
#include "output/tui.h"
#include "output/tui_view.h"
#include "model/mechanism.h"
#include "common/sanitize.h"

/* What the keys are typing into, if anything. */
enum tui_mode {
	MODE_TABLE,
	MODE_HELP,
	MODE_TYPE_PROMPT,
	MODE_COMM_PROMPT,
};

/* Lines above the table (header, losses, status, column titles). */
#define TOP_LINES 4

struct tui {
	SCREEN *screen;
	bool color;		/* a colour pair per type, 1 + its number */
	FILE *keys;		/* the terminal keys are read from */
	bool own_keys;		/* opened here (/dev/tty), closed here */
	/*
	 * stderr while the screen is ours, when stderr is that terminal:
	 * messages (a -p target exiting, the demo failing) would tear the
	 * screen. The last one shows in the footer; all are printed at the end.
	 */
	int saved_stderr;	/* -1: not captured */
	FILE *captured;
	long captured_seen;

	/* What is on screen, and the newest frame kept aside while paused. */
	GPtrArray *shown;	/* struct view_row * */
	struct frame head;	/* rows NULL: the header's figures */
	bool have_frame;
	GPtrArray *latest;
	struct frame latest_head;
	bool paused;
	unsigned int held;	/* refreshes not shown since the pause */

	struct view *view;
	enum sort_key sort;
	bool inverted;		/* I: the sort's order turned round */
	unsigned int traced_types;
	unsigned int type_mask;
	char comm[64];
	bool show_exited;
	bool all_expanded;
	GHashTable *toggled;	/* pids expanded or collapsed against all_expanded */
	int max_groups;
	double interval_s;

	/* The selection is a process, or one of its rows, so that it follows
	 * them when a refresh or a new sort moves them. */
	int sel, top;
	int sel_pid;
	bool sel_on_row;
	struct ipc_key sel_key;

	enum tui_mode mode;
	char input[64];
	char message[256];
};

/* The one screen there is, for the exit handler. */
static struct tui *active;
static bool exit_handler_set;

/* A path that leaves the terminal raw is worse than any crash: exit() too. */
static void restore_at_exit(void)
{
	if (active)
		tui_stop(active);
}

/* Whether fds a and b are the same terminal. */
static bool same_terminal(int a, int b)
{
	struct stat sa, sb;

	return isatty(a) && isatty(b) && fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_rdev == sb.st_rdev;
}

static void capture_stderr(struct tui *t)
{
	int fd;

	t->saved_stderr = -1;
	if (!same_terminal(STDOUT_FILENO, STDERR_FILENO))
		return;
	t->captured = tmpfile();
	if (!t->captured)
		return;
	fd = fileno(t->captured);
	/* The demo writes there too: whatever the offset, at the end. */
	fcntl(fd, F_SETFL, O_APPEND);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fflush(stderr);
	t->saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (t->saved_stderr < 0 || dup2(fd, STDERR_FILENO) < 0) {
		if (t->saved_stderr >= 0)
			close(t->saved_stderr);
		t->saved_stderr = -1;
		fclose(t->captured);
		t->captured = NULL;
	}
}

static void release_stderr(struct tui *t)
{
	char buf[4096];
	size_t n;

	if (t->saved_stderr < 0)
		return;
	fflush(stderr);
	dup2(t->saved_stderr, STDERR_FILENO);
	close(t->saved_stderr);
	t->saved_stderr = -1;
	rewind(t->captured);
	while ((n = fread(buf, 1, sizeof(buf), t->captured)) > 0)
		fwrite(buf, 1, n, stderr);
	fflush(stderr);
	fclose(t->captured);
	t->captured = NULL;
}

/* The last line written to the captured stderr since it was last looked at. */
static void read_captured(struct tui *t)
{
	char buf[512];
	long size;
	ssize_t n;
	char *end, *start;

	if (!t->captured)
		return;
	size = lseek(fileno(t->captured), 0, SEEK_END);
	if (size <= t->captured_seen)
		return;
	n = pread(fileno(t->captured), buf, sizeof(buf) - 1,
		  MAX(t->captured_seen, size - (long)sizeof(buf) + 1));
	t->captured_seen = size;
	if (n <= 0)
		return;
	buf[n] = '\0';
	end = buf + strlen(buf);
	while (end > buf && end[-1] == '\n')
		*--end = '\0';
	start = strrchr(buf, '\n');
	g_strlcpy(t->message, start ? start + 1 : buf, sizeof(t->message));
}

/* ---- colour ---- */

/*
 * The terminal colour nearest a type's graph colour ("#rrggbb"): on a
 * 256-colour terminal, the xterm 6x6x6 cube's (index 16 + 36r + 6g + b, each
 * level 0, 95, 135, 175, 215, 255); on an 8-colour one, the basic colour
 * whose red, green and blue bits are the channels above half.
 */
static short nearest_colour(const char *hex)
{
	static const int levels[6] = { 0, 95, 135, 175, 215, 255 };
	unsigned int rgb[3] = { 0 }, cube[3];

	if (!hex || sscanf(hex, "#%2x%2x%2x", &rgb[0], &rgb[1], &rgb[2]) != 3)
		return -1;
	if (COLORS < 256)
		return (short)((rgb[0] > 127 ? COLOR_RED : 0) | (rgb[1] > 127 ? COLOR_GREEN : 0) |
			       (rgb[2] > 127 ? COLOR_BLUE : 0));
	for (int c = 0; c < 3; c++) {
		cube[c] = 0;
		for (unsigned int l = 1; l < 6; l++)
			if (abs((int)rgb[c] - levels[l]) < abs((int)rgb[c] - levels[cube[c]]))
				cube[c] = l;
	}
	return (short)(16 + 36 * cube[0] + 6 * cube[1] + cube[2]);
}

/* One colour pair per type, on the terminal's own background. */
static bool start_colors(void)
{
	if (!has_colors() || start_color() == ERR)
		return false;
	use_default_colors();
	for (unsigned int type = 0; type < IPC_TYPE_MAX && type + 1 < (unsigned int)COLOR_PAIRS; type++)
		init_pair((short)(type + 1), nearest_colour(mechanism_type_colour(type)), -1);
	return true;
}

struct tui *tui_start(const struct tui_opts *opts)
{
	struct tui *t = g_new0(struct tui, 1);
	const char *term = getenv("TERM");

	if (isatty(STDIN_FILENO)) {
		t->keys = stdin;
	} else {
		t->keys = fopen("/dev/tty", "re");
		t->own_keys = t->keys != NULL;
	}
	if (!t->keys) {
		p_err("no terminal to read keys from: showing the plain table "
		      "(--no-tui asks for it)");
		g_free(t);
		return NULL;
	}
	/* Names may be UTF-8. Only the character type: numbers keep their '.'. */
	setlocale(LC_CTYPE, "");
	t->screen = newterm(NULL, stdout, t->keys);
	if (t->screen && !tigetstr("cup")) {
		/* A terminal without cursor addressing (TERM=dumb) cannot redraw in place. */
		endwin();
		delscreen(t->screen);
		t->screen = NULL;
	}
	if (!t->screen) {
		if (term && term[0])
			p_err("cannot drive terminal type '%s': showing the plain "
			      "table (set TERM, or use --no-tui)", term);
		else
			p_err("TERM is not set: showing the plain table (set TERM, "
			      "or use --no-tui)");
		if (t->own_keys)
			fclose(t->keys);
		g_free(t);
		return NULL;
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* An Esc alone ends a prompt; escape sequences arrive all at once. */
	set_escdelay(25);
	curs_set(0);

	t->color = opts->color && start_colors();
	t->sort = opts->sort;
	/* What -t traces; the filter can only narrow it. */
	t->traced_types = opts->type_mask;
	t->type_mask = opts->type_mask;
	t->max_groups = opts->rows;
	t->interval_s = opts->interval_s;
	t->toggled = g_hash_table_new(NULL, NULL);
	t->sel_pid = -1;
	t->shown = g_ptr_array_new();
	capture_stderr(t);
	active = t;
	if (!exit_handler_set)
		exit_handler_set = atexit(restore_at_exit) == 0;
	return t;
}

void tui_stop(struct tui *t)
{
	if (!t)
		return;
	active = NULL;
	endwin();
	delscreen(t->screen);
	if (t->own_keys)
		fclose(t->keys);
	release_stderr(t);
	tui_view_free(t->view);
	g_ptr_array_unref(t->shown);
	if (t->latest)
		g_ptr_array_unref(t->latest);
	g_hash_table_destroy(t->toggled);
	g_free(t);
}

enum sort_key tui_sort_key(const struct tui *t)
{
	return t->sort;
}

/* ---- the view and the selection ---- */

static int body_height(const struct tui *t)
{
	int footer = 1 + (t->head.folded.rows ? 1 : 0);

	return MAX(LINES - TOP_LINES - footer, 0);
}

static int line_count(const struct tui *t)
{
	return t->view ? (int)t->view->lines->len : 0;
}

static const struct view_line *line_at(const struct tui *t, int i)
{
	return &g_array_index(t->view->lines, struct view_line, i);
}

static void remember_selection(struct tui *t)
{
	const struct view_line *l;

	if (t->sel < 0 || t->sel >= line_count(t))
		return;
	l = line_at(t, t->sel);
	t->sel_pid = (int)l->group->sum.key.tgid;
	t->sel_on_row = l->row != NULL;
	if (l->row)
		t->sel_key = l->row->key;
}

static void keep_in_view(struct tui *t)
{
	int n = line_count(t), h = body_height(t);

	t->sel = CLAMP(t->sel, 0, MAX(n - 1, 0));
	if (t->sel < t->top)
		t->top = t->sel;
	if (h > 0 && t->sel >= t->top + h)
		t->top = t->sel - h + 1;
	t->top = CLAMP(t->top, 0, MAX(n - h, 0));
}

/* Rebuild the lines from what is shown, and find the selection again. */
static void rebuild(struct tui *t)
{
	struct view_options o = {
		.sort = t->sort,
		.inverted = t->inverted,
		.type_mask = t->type_mask,
		.comm = t->comm,
		.show_exited = t->show_exited,
		.max_groups = t->max_groups,
		.all_expanded = t->all_expanded,
		.toggled = t->toggled,
	};
	int found = -1, group_line = -1;

	tui_view_free(t->view);
	t->view = tui_view_build(t->shown, &o);
	for (int i = 0; i < line_count(t) && found < 0; i++) {
		const struct view_line *l = line_at(t, i);

		if ((int)l->group->sum.key.tgid != t->sel_pid)
			continue;
		if (!l->row)
			group_line = i;
		if (t->sel_on_row ? l->row && memcmp(&l->row->key, &t->sel_key,
						     sizeof(t->sel_key)) == 0
				  : !l->row)
			found = i;
	}
	if (found >= 0)
		t->sel = found;
	else if (group_line >= 0)
		t->sel = group_line;
	keep_in_view(t);
	remember_selection(t);
}

static void move_selection(struct tui *t, int by)
{
	t->sel += by;
	keep_in_view(t);
	remember_selection(t);
}

static void set_expanded(struct tui *t, int pid, bool expanded)
{
	gpointer key = GINT_TO_POINTER(pid);

	if (expanded != t->all_expanded)
		g_hash_table_add(t->toggled, key);
	else
		g_hash_table_remove(t->toggled, key);
}

/* expand: 1 expand, 0 collapse, -1 toggle; the selected process. */
static void expand_selected(struct tui *t, int expand)
{
	const struct view_line *l;
	bool now;

	if (t->sel >= line_count(t))
		return;
	l = line_at(t, t->sel);
	now = expand < 0 ? !l->group->expanded : expand;
	set_expanded(t, (int)l->group->sum.key.tgid, now);
	/* Collapsing from one of its rows leaves the process selected. */
	if (!now)
		t->sel_on_row = false;
	rebuild(t);
}

static void toggle_pause(struct tui *t)
{
	t->paused = !t->paused;
	if (!t->paused && t->latest) {
		g_ptr_array_unref(t->shown);
		t->shown = t->latest;
		t->latest = NULL;
		t->head = t->latest_head;
	}
	t->held = 0;
	rebuild(t);
}

void tui_show(struct tui *t, const struct frame *f)
{
	GPtrArray *copy = tui_view_snapshot(f->rows);
	struct frame head = *f;

	head.rows = NULL;
	if (t->paused) {
		if (t->latest)
			g_ptr_array_unref(t->latest);
		t->latest = copy;
		t->latest_head = head;
		t->held++;
	} else {
		g_ptr_array_unref(t->shown);
		t->shown = copy;
		t->head = head;
		t->have_frame = true;
	}
	rebuild(t);
}

/* ---- drawing ---- */

/* Text at (y, x), cut at the right edge: ncurses would wrap it otherwise. */
static void put(int y, int x, const char *s, attr_t attr)
{
	if (y < 0 || y >= LINES || x < 0 || x >= COLS)
		return;
	attron(attr);
	mvaddnstr(y, x, s, COLS - x);
	attroff(attr);
}

/* A whole line in attr, the text then blanks to the right edge. */
static void put_bar(int y, const char *s, attr_t attr)
{
	if (y < 0 || y >= LINES)
		return;
	put(y, 0, s, attr);
	mvchgat(y, 0, -1, attr, 0, NULL);
}

static const char *const sort_titles[] = {
	[SORT_BYTES] = "BYTES/s", [SORT_OPS] = "OPS/s", [SORT_TOTAL] = "TOTAL",
	[SORT_PID] = "PID", [SORT_COMM] = "COMM", [SORT_TYPE] = "TYPE",
};

#define NSORT ((int)G_N_ELEMENTS(sort_titles))

/* "all": every type traced (-t already chose those), with no view filter. */
static void type_list(unsigned int mask, unsigned int traced, char *buf, size_t len)
{
	size_t off = 0;

	if ((mask & traced) == traced) {
		snprintf(buf, len, "all");
		return;
	}
	buf[0] = '\0';
	for (unsigned int type = 1; type < IPC_TYPE_MAX && off < len; type++)
		if (mask & (1U << type))
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "",
						ipc_type_name(type));
}

static void draw_status(struct tui *t, int y)
{
	char types[128], line[512], held[64] = "";

	type_list(t->type_mask, t->traced_types, types, sizeof(types));
	if (t->paused)
		snprintf(held, sizeof(held), "PAUSED, %u refreshes held (p resumes)   ", t->held);
	snprintf(line, sizeof(line),
		 "%ssort: %s%s   type: %s   match: %s   exited: %s   %u processes, %u rows%s",
		 held, sort_key_name(t->sort), t->inverted ? " (inverted)" : "", types,
		 t->comm[0] ? t->comm : "all",
		 t->show_exited ? "shown" : "hidden", t->view ? t->view->groups->len : 0,
		 t->view ? t->view->rows : 0, t->view && t->view->groups_cut ? " (-r cut some)" : "");
	put(y, 0, line, 0);
	if (t->paused)
		mvchgat(y, 0, (int)strlen(held), A_REVERSE | A_BOLD, 0, NULL);
}

/* The cells of a line, and the widths of the columns that vary. */
struct cells {
	char mark[4], pid[16], comm[4 * COMM_LEN + 8], user[4 * USER_COL_MAX + 2], type[16];
	char object[4 * IPC_NAME_LEN + 8];
	char dir[4], peers[512], rate[16], oprate[16], total[16], ops[24], wait[8];
	char detail[512];
};

static void fill_cells(const struct view_line *l, bool last_of_group, struct cells *c)
{
	const struct view_group *g = l->group;
	const struct row *r = l->row ? l->row : &g->sum;
	int ntypes = __builtin_popcount(g->types);

	if (!l->row) {
		snprintf(c->mark, sizeof(c->mark), "%s", g->expanded ? "-" : "+");
		snprintf(c->pid, sizeof(c->pid), "%u", g->sum.key.tgid);
		/* As the table: a title where processes share their name. */
		if (g->titled && g->sum.title && g->sum.title[0])
			format_cut_name(g->sum.title, c->comm, TITLE_COL_MAX + 1);
		else
			name_escape_buf(c->comm, sizeof(c->comm) - 1, g->sum.comm);
		format_user(&g->sum, c->user, sizeof(c->user), USER_COL_MAX);
		if (g->sum.exited)
			strcat(c->comm, "*");
		if (ntypes == 1)
			snprintf(c->type, sizeof(c->type), "%s", ipc_type_name(g->sum.key.type));
		else
			snprintf(c->type, sizeof(c->type), "%d types", ntypes);
		snprintf(c->object, sizeof(c->object), "%u channel%s", g->rows->len,
			 g->rows->len == 1 ? "" : "s");
		snprintf(c->dir, sizeof(c->dir), "%s", g->dirs == 1U << DIR_TX ? "tx"
						   : g->dirs == 1U << DIR_RX ? "rx" : "-");
		c->detail[0] = '\0';
	} else {
		c->mark[0] = c->pid[0] = c->user[0] = '\0';
		/* The tree's branch, under the process's name. */
		snprintf(c->comm, sizeof(c->comm), "  %s", last_of_group ? "`-" : "|-");
		snprintf(c->type, sizeof(c->type), "%s", ipc_type_name(r->key.type));
		name_escape_buf(c->object, sizeof(c->object),
				r->obj && r->obj->name ? r->obj->name : "?");
		snprintf(c->dir, sizeof(c->dir), "%s", r->key.dir == DIR_TX ? "tx" : "rx");
		format_detail(r, c->detail, sizeof(c->detail));
	}
	format_peers(r, c->peers, sizeof(c->peers), 0);
	format_row_bytes(r, r->bytes_per_s, c->rate, sizeof(c->rate));
	format_count(r->ops_per_s, c->oprate, sizeof(c->oprate));
	format_row_bytes(r, (double)r->bytes, c->total, sizeof(c->total));
	format_count((double)r->ops, c->ops, sizeof(c->ops));
	format_wait(r->wait_share, c->wait, sizeof(c->wait));
}

/*
 * The TYPE cell in its type's colour, as --graph draws its edges: a row's
 * type, or a process's when all its channels are of one.
 */
static void paint_type(const struct tui *t, int y, int idx, const struct cells *c)
{
	const struct view_line *l = line_at(t, idx);
	const struct row *r = l->row ? l->row : &l->group->sum;
	attr_t attr = idx == t->sel ? A_REVERSE : l->row ? A_NORMAL : A_BOLD;
	char prefix[256];
	int x;

	if (!t->color || strcmp(c->type, ipc_type_name(r->key.type)))
		return;
	/* The columns before TYPE, as the line above prints them. */
	snprintf(prefix, sizeof(prefix), "%-1s %7s %-17s %-*s ", c->mark, c->pid, c->comm,
		 USER_COL_MAX + (int)(strlen(c->user) - g_utf8_strlen(c->user, -1)), c->user);
	x = (int)g_utf8_strlen(prefix, -1);
	if (y < LINES && x < COLS)
		mvchgat(y, x, (int)strlen(c->type), attr, (short)(r->key.type + 1), NULL);
}

static void draw_table(struct tui *t, int y0, int height)
{
	int n = MIN(line_count(t) - t->top, height), fixed;
	int w_object = 6, w_peers = 5, w_detail = 0, w_comm = 17;
	struct cells *cells = g_new0(struct cells, MAX(n, 1));
	char title[1024], line[2048], obuf[IPC_NAME_LEN + 8], pbuf[IPC_NAME_LEN + 8];
	const char *at;

	for (int i = 0; i < n; i++) {
		int idx = t->top + i;
		const struct view_line *l = line_at(t, idx);
		bool last = idx + 1 >= line_count(t) || !line_at(t, idx + 1)->row;

		fill_cells(l, last, &cells[i]);
		w_comm = MAX(w_comm, (int)g_utf8_strlen(cells[i].comm, -1));
		w_object = MAX(w_object, (int)strlen(cells[i].object));
		w_peers = MAX(w_peers, (int)strlen(cells[i].peers));
		w_detail = MAX(w_detail, (int)strlen(cells[i].detail));
	}
	/* The mark, PID COMM TYPE DIR, four numbers and WAIT, with their separators. */
	fixed = 2 + 8 + w_comm + 1 + USER_COL_MAX + 1 + 10 + 1 + 4 + 4 * 9 + 5 + (w_detail ? 1 : 0);
	if (table_fit(COLS, fixed, &w_object, &w_peers, &w_detail))
		for (int i = 0; i < n; i++) {
			const struct view_line *l = line_at(t, t->top + i);

			format_peers(l->row ? l->row : &l->group->sum, cells[i].peers,
				     sizeof(cells[i].peers), w_peers);
		}
	for (int i = 0; i < n; i++)
		if (w_detail >= 4 && (int)strlen(cells[i].detail) > w_detail)
			strcpy(cells[i].detail + w_detail - 3, "...");

	snprintf(title, sizeof(title), "  %7s %-*s %-*s %-9s %-*s %-3s %-*s %8s %8s %8s %8s %4s%s",
		 "PID", w_comm, "COMM", USER_COL_MAX, "USER", "TYPE", w_object, "OBJECT", "DIR", w_peers, "PEERS", "BYTES/s",
		 "OPS/s", "TOTAL", "OPS", "WAIT", w_detail ? " DETAIL" : "");
	put_bar(y0 - 1, title, A_REVERSE);
	at = strstr(title, sort_titles[t->sort]);
	if (at && y0 - 1 < LINES && at - title < COLS)
		mvchgat(y0 - 1, (int)(at - title), (int)strlen(sort_titles[t->sort]),
			A_REVERSE | A_BOLD | A_UNDERLINE, 0, NULL);

	for (int i = 0; i < n; i++) {
		const struct cells *c = &cells[i];
		int idx = t->top + i;

		snprintf(line, sizeof(line), "%-1s %7s %-*s %-*s %-9s %-*s %-3s %-*s %8s %8s %8s %8s %4s%s%s",
			 c->mark, c->pid, w_comm + (int)(strlen(c->comm) - g_utf8_strlen(c->comm, -1)), c->comm,
			 USER_COL_MAX + (int)(strlen(c->user) - g_utf8_strlen(c->user, -1)), c->user,
			 c->type, w_object,
			 format_fit_tail(c->object, w_object, obuf, sizeof(obuf)), c->dir, w_peers,
			 format_fit_tail(c->peers, w_peers, pbuf, sizeof(pbuf)), c->rate, c->oprate,
			 c->total, c->ops, c->wait, c->detail[0] ? " " : "", c->detail);
		if (idx == t->sel)
			put_bar(y0 + i, line, A_REVERSE);
		else
			put(y0 + i, 0, line, line_at(t, idx)->row ? 0 : A_BOLD);
		paint_type(t, y0 + i, idx, c);
	}
	if (!line_count(t))
		put(y0, 2, t->view && t->view->rows == 0 && t->shown->len
			   ? "(no rows pass the filters: t and / change them, x shows exited processes)"
			   : "(no IPC traffic yet)", A_DIM);
	g_free(cells);
}

static const char *const help_lines[] = {
	"ipctrace: the keys of the interactive table",
	"",
	"  Up Down  j k     move the selection; PgUp PgDn, Home End (g G) go further",
	"  Enter            expand the selected process into its channels, or collapse it",
	"  Right l / Left   expand / collapse it",
	"  e                expand every process, or collapse every one",
	"  s  >  <          sort by the next column, the previous one",
	"  1 2 3 4 5 6      sort by BYTES/s, OPS/s, TOTAL, PID, COMM, TYPE",
	"  I                invert the sort's order (as htop), I again to turn it back",
	"  t                show only some types: a list such as pipe,fifo (empty: all)",
	"  /  f             show only the rows with a text in any column, in any case",
	"                   (empty: all); in a prompt, Enter applies it and Esc cancels",
	"  x                show or hide the processes that exited before the last refresh",
	"  p  space         pause the display; counting goes on, and p again shows it",
	"  Ctrl-L           redraw the screen",
	"  ?  h             this help",
	"  q                quit, and print the summary of the whole run",
	"",
	"A process's line adds up its channels (+ collapsed, - expanded); * marks a",
	"process that has exited. The columns are those of the plain table: see",
	"ipctrace(8). Ctrl-C, SIGTERM and the end of -d also quit with the summary.",
	"",
	"Press any key to go back to the table.",
};

static void draw_help(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(help_lines); i++)
		put((int)i, 0, help_lines[i], i == 0 ? A_BOLD : 0);
}

static void draw_footer(struct tui *t)
{
	static const char keys[] =
		"q quit  ? help  Enter expand  e all  s < > 1-6 I sort  t type  / name  "
		"x exited  p pause";
	char line[256];
	int y = LINES - 1;

	if (t->mode == MODE_TYPE_PROMPT || t->mode == MODE_COMM_PROMPT) {
		snprintf(line, sizeof(line), "%s%s", t->mode == MODE_TYPE_PROMPT
			 ? "types, such as pipe,fifo (empty: all): " : "any column contains (empty: all): ",
			 t->input);
		put_bar(y, line, 0);
		/* The cursor where the next character goes, if the line has room. */
		if ((int)strlen(line) < COLS) {
			move(y, (int)strlen(line));
			curs_set(1);
		}
		return;
	}
	curs_set(0);
	if (y < TOP_LINES)
		return;	/* a terminal this small keeps the header */
	if (t->message[0])
		put_bar(y, t->message, A_BOLD);
	else
		put_bar(y, keys, A_REVERSE);
}

static void draw(struct tui *t)
{
	char line[512];
	int height = body_height(t);

	read_captured(t);
	erase();
	if (t->mode == MODE_HELP) {
		draw_help();
		curs_set(0);
		refresh();
		return;
	}
	if (!t->have_frame)
		snprintf(line, sizeof(line), "ipctrace  attached; the first figures come in %.1fs",
			 t->interval_s);
	else
		format_header(&t->head, t->head.totals.rows, t->head.totals.rows, line, sizeof(line));
	put(0, 0, line, A_BOLD);
	if (t->have_frame) {
		format_losses(&t->head.loss, line, sizeof(line));
		put(1, 0, line, 0);
	}
	draw_status(t, 2);
	if (t->view)
		draw_table(t, TOP_LINES, height);
	if (format_folded(&t->head.folded, line, sizeof(line)) && LINES - 2 >= TOP_LINES)
		put(LINES - 2, 0, line, A_DIM);
	draw_footer(t);
	refresh();
}

/* ---- keys ---- */

static void prompt(struct tui *t, enum tui_mode mode)
{
	t->mode = mode;
	/* Start from what is set, to edit it. */
	snprintf(t->input, sizeof(t->input), "%s", mode == MODE_COMM_PROMPT ? t->comm : "");
	if (mode == MODE_TYPE_PROMPT && t->type_mask != t->traced_types)
		type_list(t->type_mask, t->traced_types, t->input, sizeof(t->input));
}

static void apply_prompt(struct tui *t)
{
	char err[256];

	if (t->mode == MODE_COMM_PROMPT) {
		g_strlcpy(t->comm, t->input, sizeof(t->comm));
	} else if (!t->input[0]) {
		t->type_mask = t->traced_types;
	} else if (mechanism_parse_types(t->input, &t->type_mask, err, sizeof(err)) != 0) {
		snprintf(t->message, sizeof(t->message), "%s", err);
	}
	t->mode = MODE_TABLE;
	rebuild(t);
}

static void prompt_key(struct tui *t, int ch)
{
	size_t len = strlen(t->input);

	switch (ch) {
	case 27:	/* Esc */
		t->mode = MODE_TABLE;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		apply_prompt(t);
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (len)
			t->input[len - 1] = '\0';
		break;
	case 21:	/* Ctrl-U */
		t->input[0] = '\0';
		break;
	default:
		if (ch >= ' ' && ch < 127 && len + 1 < sizeof(t->input)) {
			t->input[len] = (char)ch;
			t->input[len + 1] = '\0';
		}
	}
}

static void set_sort(struct tui *t, int key)
{
	t->sort = (enum sort_key)((key % NSORT + NSORT) % NSORT);
	rebuild(t);
}

/* Returns false on q. */
static bool handle_key(struct tui *t, int ch)
{
	if (ch == KEY_RESIZE) {
		keep_in_view(t);
		return true;
	}
	if (t->mode == MODE_HELP) {
		t->mode = MODE_TABLE;
		return true;
	}
	if (t->mode != MODE_TABLE) {
		prompt_key(t, ch);
		return true;
	}
	t->message[0] = '\0';
	switch (ch) {
	case 'q':
	case 'Q':
		return false;
	case KEY_UP:
	case 'k':
		move_selection(t, -1);
		break;
	case KEY_DOWN:
	case 'j':
		move_selection(t, 1);
		break;
	case KEY_PPAGE:
		move_selection(t, -MAX(body_height(t) - 1, 1));
		break;
	case KEY_NPAGE:
		move_selection(t, MAX(body_height(t) - 1, 1));
		break;
	case KEY_HOME:
	case 'g':
		move_selection(t, -line_count(t));
		break;
	case KEY_END:
	case 'G':
		move_selection(t, line_count(t));
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		expand_selected(t, -1);
		break;
	case KEY_RIGHT:
	case 'l':
		expand_selected(t, 1);
		break;
	case KEY_LEFT:
		expand_selected(t, 0);
		break;
	case 'e':
		t->all_expanded = !t->all_expanded;
		g_hash_table_remove_all(t->toggled);
		rebuild(t);
		break;
	case 's':
	case '>':
		set_sort(t, (int)t->sort + 1);
		break;
	case '<':
		set_sort(t, (int)t->sort - 1);
		break;
	case '1': case '2': case '3': case '4': case '5': case '6':
		set_sort(t, ch - '1');
		break;
	case 'I':
		t->inverted = !t->inverted;
		rebuild(t);
		break;
	case 't':
		prompt(t, MODE_TYPE_PROMPT);
		break;
	case '/':
	case 'f':
		prompt(t, MODE_COMM_PROMPT);
		break;
	case 'x':
		t->show_exited = !t->show_exited;
		rebuild(t);
		break;
	case 'p':
	case ' ':
		toggle_pause(t);
		break;
	case '?':
	case 'h':
		t->mode = MODE_HELP;
		break;
	case 12:	/* Ctrl-L */
		clearok(curscr, TRUE);
		break;
	}
	return true;
}

bool tui_wait(struct tui *t, double deadline)
{
	draw(t);
	for (;;) {
		double left = deadline - now_s();
		struct pollfd p = { .fd = fileno(t->keys), .events = POLLIN };
		bool keys = false;
		int ch, n;

		if (left <= 0)
			return true;
		n = poll(&p, 1, (int)ceil(left * 1000));
		if (n == 0)
			return true;
		if (n > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)))
			return false;	/* the terminal is gone */
		/* A signal (or SIGWINCH, which getch turns into KEY_RESIZE). */
		while ((ch = getch()) != ERR) {
			if (!handle_key(t, ch))
				return false;
			keys = true;
		}
		if (keys || n < 0)
			draw(t);
		if (n < 0)
			return true;	/* the caller looks at its signal flags */
	}
}
