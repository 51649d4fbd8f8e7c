// SPDX-License-Identifier: GPL-2.0
/* What each interval does: read the kernel, follow the targets and the
 * holders, show a frame (or -e's events), retire what ended. */
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "common/common.h"
#include "model/holders.h"
#include "model/ingest.h"
#include "model/procfs.h"
#include "output/csv.h"
#include "output/output.h"
#include "session/session_impl.h"
#include "session/signals.h"

/* Idle objects keep their holders this long before /proc is read again. */
#define HOLDER_RESCAN_S 5.0

/* The -p filter for the store: NULL without -p, else the targets alive. */
static const struct filter *target_filter(const struct session *s)
{
	return s->filter ? &s->alive : NULL;
}

static void set_alive(struct session *s)
{
	s->alive = (struct filter){ .pids = (const int *)(void *)s->alive_pids->data,
				    .npids = (int)s->alive_pids->len };
}

void session_init_targets(struct session *s)
{
	s->alive_pids = g_array_new(FALSE, FALSE, sizeof(int));
	for (int i = 0; i < s->npids; i++) {
		int pid = s->pids[i];

		s->target_start[i] = proc_start_time(pid);
		g_array_append_val(s->alive_pids, pid);
	}
	set_alive(s);
}

/*
 * Rows counted since the last check with a live target's PID are the
 * target's, for good; then targets that exited leave the live filter, so
 * that a new process given the same PID is not shown as the target.
 */
static void update_targets(struct session *s)
{
	if (!s->filter)
		return;
	store_mark_targets(s->store, &s->alive);
	for (int i = 0; i < s->npids; i++) {
		pid_t pid = s->pids[i];

		if (s->opts.command || s->target_gone[i])
			continue;	/* a command's end is said otherwise */
		if (!proc_alive(pid) || proc_start_time(pid) != s->target_start[i]) {
			s->target_gone[i] = true;
			p_err("process %d exited; its totals stay in the table", pid);
		}
	}
	tracer_targets(s->tracer, s->alive_pids);
	set_alive(s);
}

/*
 * -p: the targets' channels, so that the holders of their other ends are
 * found, and whatever the kernel side must watch for them from the start
 * (a listening socket's address).
 */
void session_find_target_objects(struct session *s)
{
	GPtrArray *targets;
	GHashTableIter it;
	gpointer v;

	for (int i = 0; i < s->alive.npids; i++)
		holders_of_process(s->store, s->type_mask, s->alive.pids[i]);
	holders_cache_stale(s->holders);
	targets = g_ptr_array_new();
	g_hash_table_iter_init(&it, s->store->objects);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (object_of_targets(v, &s->alive) && object_is_channel(v))
			g_ptr_array_add(targets, v);
	/* Not while iterating: a module may add the objects at the other ends. */
	for (guint i = 0; i < targets->len; i++)
		ingest_watch_target(s->store, g_ptr_array_index(targets, i),
				    tracer_kernel_ops(s->tracer));
	g_ptr_array_free(targets, TRUE);
}

static void refresh_alive(struct session *s)
{
	tracer_targets(s->tracer, s->alive_pids);
	set_alive(s);
}

void session_add_targets(struct session *s, const GArray *pids)
{
	for (guint i = 0; i < pids->len; i++)
		tracer_add_target(s->tracer, g_array_index(pids, int, i));
	refresh_alive(s);
}

/* At most this many walks of the tree in a row (see adopt_descendants). */
#define ADOPT_WALKS 4

static bool is_alive_target(const struct session *s, int pid)
{
	for (guint i = 0; i < s->alive_pids->len; i++)
		if (g_array_index(s->alive_pids, int, i) == pid)
			return true;
	return false;
}

/*
 * -f: the targets' descendants that exist already (a prefork server's
 * workers) are targets too; the kernel's fork hook follows only the ones
 * forked from now on. Each walk runs with the targets in the filter and the
 * hook attached, so a process forked meanwhile is either followed by the
 * hook or the child of one this walk adds, which the next walk finds:
 * walks go on until one finds nothing new.
 */
void session_adopt_descendants(struct session *s)
{
	GArray *found = g_array_new(FALSE, FALSE, sizeof(int));

	for (int walk = 0; walk < ADOPT_WALKS; walk++) {
		int added = 0;

		tracer_targets(s->tracer, s->alive_pids);
		g_array_set_size(found, 0);
		proc_descendants(s->alive_pids, found);
		for (guint i = 0; i < found->len; i++) {
			int pid = g_array_index(found, int, i);

			/* ipctrace itself, when started from a target's shell. */
			if (pid == getpid() || is_alive_target(s, pid))
				continue;
			tracer_add_target(s->tracer, pid);
			added++;
		}
		if (!added)
			break;
	}
	g_array_free(found, TRUE);
	refresh_alive(s);
}

static void add_holders_as_peers(struct session *s, const struct object *o)
{
	for (guint i = 0; i < o->holders->len; i++)
		tracer_add_peer(s->tracer, g_array_index(o->holders, struct holder, i).pid);
}

/* Returns whether it scanned /proc, so that closed objects can be told. */
bool session_refresh_holders(struct session *s, bool force)
{
	double now = now_s();
	guint nobj = g_hash_table_size(s->store->objects);
	GHashTableIter it;
	gpointer v;

	/* A read under way goes on at every refresh. */
	if (!force && nobj == s->scanned_objects && now - s->last_scan < HOLDER_RESCAN_S &&
	    !g_hash_table_size(holders_pending(s->holders))) {
		holders_sweep(s->store, s->type_mask, s->holders, now);
		return false;
	}
	holders_refresh(s->store, s->type_mask, getpid(), s->holders, now, force);
	s->last_scan = now;
	s->scanned_objects = nobj;
	if (!s->filter)
		return true;
	if (s->follow)
		session_adopt_descendants(s);
	/*
	 * A holder of a target's object is a peer the kernel must count. Only a
	 * target's: a peer's other channels would widen the filter step by step.
	 */
	g_hash_table_iter_init(&it, s->store->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct object *o = v;

		/* Not one nobody writes into: every process mapping the C library's
		 * locale files would become a peer, and count. */
		if (!object_of_targets(o, &s->alive) || !object_is_channel(o))
			continue;
		add_holders_as_peers(s, o);
		/* And the holders of its other ends (a socket's peer socket). */
		for (guint j = 0; j < o->peer_objs->len; j++)
			add_holders_as_peers(s, g_ptr_array_index(o->peer_objs, j));
	}
	return true;
}

/* The live rows of all (or every one, for the summary), in its order. */
static GPtrArray *frame_rows_of(GPtrArray *all, bool final)
{
	GPtrArray *rows = g_ptr_array_sized_new(all->len);

	for (guint i = 0; i < all->len; i++)
		if (final || !((struct row *)g_ptr_array_index(all, i))->retired)
			g_ptr_array_add(rows, g_ptr_array_index(all, i));
	return rows;
}

/*
 * all: for the interactive table, which can show exited processes too,
 * every row, sorted; the frame's rows are taken from it rather than sorted
 * a second time (the order is total, so the live rows keep theirs).
 */
static void fill_frame(struct session *s, struct frame *f, bool final, double interval_s,
		       GPtrArray **all)
{
	*f = (struct frame){
		.now = time(NULL),
		.interval_s = interval_s,
		.elapsed_s = now_s() - s->start,
		.final = final,
		.max_rows = s->opts.rows,
		.folded = s->store->folded,
		.refresh_s = s->refresh_s,
	};
	f->nmaps = tracer_map_fill(s->tracer, f->maps);
	tracer_loss(s->tracer, &f->loss);
	store_totals(s->store, target_filter(s), &f->totals);
	if (all) {
		*all = store_select(s->store, true, s->sort, target_filter(s));
		f->rows = frame_rows_of(*all, final);
	} else {
		f->rows = store_select(s->store, final, s->sort, target_filter(s));
	}
	store_mark_listed(f->rows);
}

/* The graph and the metrics alone: from the start, and beside -e's lines. */
void session_export_only(struct session *s, bool final, double interval_s)
{
	struct frame f;

	fill_frame(s, &f, final, interval_s, NULL);
	sidecar_frame(&s->sidecar, &f);
	g_ptr_array_free(f.rows, TRUE);
}

static void render_table(struct session *s, FILE *out, struct frame *f, bool final)
{
	struct table_style style = { .clear = s->tty && !s->opts.no_clear && !final };
	GPtrArray *made = NULL;
	struct winsize ws;

	if (s->opts.fold_exit_notices) {
		GPtrArray *all = f->rows;

		made = rows_folded_new();
		f->rows = rows_fold_exit_notices(all, made);
		g_ptr_array_free(all, TRUE);
	}
	if (s->tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col) {
		style.width = ws.ws_col;
		/* A live screen shows what fits: header, column titles, footer. */
		if (!final && !s->opts.rows && ws.ws_row > 6)
			f->max_rows = ws.ws_row - 6;
	}
	/* The summary fits a couple of screens; its last line says how to see
	 * the rest (JSON and CSV keep every row). */
	if (final && !s->opts.rows)
		f->max_rows = SUMMARY_ROWS;
	output_table(out, f, &style);
	if (made)
		g_ptr_array_free(made, TRUE);
}

static void render(struct session *s, bool final, double interval_s)
{
	struct frame f;
	GPtrArray *all = NULL;

	fill_frame(s, &f, final, interval_s, s->tui ? &all : NULL);
	sidecar_frame(&s->sidecar, &f);
	if (s->tui) {
		/* The interactive table can show exited processes too: it gets every row. */
		g_ptr_array_free(f.rows, TRUE);
		f.rows = all;
		tui_show(s->tui, &f);
	} else {
		FILE *out = outsink_begin(&s->out);

		if (s->opts.ndjson) {
			output_ndjson(out, &f, ++s->frames_written);
		} else if (s->opts.json) {
			output_json(out, &f);
		} else if (s->opts.csv) {
			output_csv(out, &f, !s->csv_started);
			s->csv_started = true;
		} else {
			render_table(s, out, &f, final);
		}
		outsink_commit(&s->out);
	}
	g_ptr_array_free(f.rows, TRUE);
}

void session_print_events(struct session *s, bool header)
{
	s->log.out = outsink_begin(&s->out);
	if (header)
		event_log_header(&s->log);
	else
		event_log_print(&s->log, s->store, target_filter(s));
	outsink_commit(&s->out);
}

/* -e: print the events read so far, once their rows are known. */
static void flush_events(struct session *s)
{
	if (!s->log.pending->len)
		return;
	tracer_collect(s->tracer, s->store);
	store_update_peers(s->store);
	session_print_events(s, false);
	s->last_flush = now_s();
}

/* -e: a full ring buffer loses events; say so as it happens, and at the end. */
static void report_event_loss(struct session *s, bool final)
{
	struct ipc_loss loss;

	tracer_loss(s->tracer, &loss);
	if (loss.events_dropped > s->events_lost_said) {
		p_err("%llu events lost: the ring buffer was full (narrow the trace with -t or -p)",
		      (unsigned long long)(loss.events_dropped - s->events_lost_said));
		s->events_lost_said = loss.events_dropped;
	}
	if (final)
		p_err("%llu events logged, %llu lost", s->log.printed,
		      (unsigned long long)loss.events_dropped);
}

/*
 * Rows past the kernel side's: said once, as they begin, on stderr (the
 * outputs' "lost" counts them as they go). Not said is not to have happened.
 */
static void report_row_loss(struct session *s)
{
	struct ipc_loss loss;

	tracer_loss(s->tracer, &loss);
	if (loss.rows_dropped && !s->rows_lost_said) {
		p_err("more objects than the kernel side's rows (--max-rows), or a user past half "
		      "of them: their operations count on their process's overflow row, exact per "
		      "process, type and direction; lost.rows counts them");
		s->rows_lost_said = true;
	}
	if (loss.compat_skipped && !s->compat_said) {
		p_err("32-bit syscalls are not traced: %llu seen (lost.compat counts them)",
		      (unsigned long long)loss.compat_skipped);
		s->compat_said = true;
	}
	if (loss.uring_unseen && !s->uring_said) {
		p_err("io_uring requests on IPC objects that complete unseen (with "
		      "IOSQE_CQE_SKIP_SUCCESS, multishot, or outside their process) are not "
		      "counted: %llu so far (lost.uring counts them)",
		      (unsigned long long)loss.uring_unseen);
		s->uring_said = true;
	}
	if (loss.overflow_dropped && !s->overflow_lost_said) {
		p_err("even the overflow rows are full: some operations went uncounted "
		      "(lost.overflow); raise --max-rows");
		s->overflow_lost_said = true;
	}
}

/* Printing at most this often keeps the per-print row read cheap under load. */
#define EVENT_FLUSH_S 0.1
/* ... unless this many are waiting, so memory stays bounded. */
#define EVENT_FLUSH_MAX 65536

/* Until deadline, or a signal: with -e, reading events meanwhile. */
void session_wait_until(struct session *s, double deadline)
{
	if (!s->opts.events) {
		sleep_until(deadline);
		return;
	}
	while (!signals_exiting && !signals_child_exited) {
		double left = deadline - now_s();
		int ms = left > EVENT_FLUSH_S ? (int)(EVENT_FLUSH_S * 1000) : (int)(left * 1000);

		if (left <= 0)
			break;
		if (tracer_poll_events(s->tracer, ms > 0 ? ms : 1) < 0 && errno != EINTR)
			break;
		if (now_s() - s->last_flush >= EVENT_FLUSH_S ||
		    s->log.pending->len >= EVENT_FLUSH_MAX)
			flush_events(s);
	}
}

/* The summary's rates are averages over the whole run. */
static void average_over_run(struct session *s, double run)
{
	GPtrArray *all = store_select(s->store, true, s->sort, NULL);

	for (guint i = 0; i < all->len; i++) {
		struct row *r = g_ptr_array_index(all, i);

		r->bytes_per_s = run > 0 ? (double)r->bytes / run : 0;
		r->ops_per_s = run > 0 ? (double)r->ops / run : 0;
		r->wait_share = run > 0 ? (double)r->wait_ns / 1e9 / run : 0;
	}
	g_ptr_array_free(all, TRUE);
}

void session_tick(struct session *s, bool final)
{
	double now = now_s();

	/* -e: every event logged so far is read before the rows are: each then
	 * finds its row, even one this tick retires. */
	if (s->opts.events)
		tracer_poll_events(s->tracer, 0);
	tracer_collect(s->tracer, s->store);
	store_rates(s->store, now - s->last_tick);
	update_targets(s);
	if (session_refresh_holders(s, final)) {
		/* An object nobody holds is closed: its rows are final, and their
		 * kernel entries can go, so that long-lived processes do not fill
		 * the maps with the channels they used once. */
		GPtrArray *closed = store_mark_closed(s->store, holders_pending(s->holders));

		tracer_forget(s->tracer, s->store, closed);
		g_ptr_array_free(closed, TRUE);
	}
	store_update_peers(s->store);
	report_row_loss(s);
	if (final)
		average_over_run(s, now - s->start);
	s->refresh_s = now_s() - now;
	if (s->opts.events) {
		session_print_events(s, false);
		report_event_loss(s, final);
		session_export_only(s, final, now - s->last_tick);
	} else if (s->discard) {
		/* The metrics and the graph still want the frame; its text would
		 * go nowhere. */
		session_export_only(s, final, now - s->last_tick);
	} else {
		render(s, final, now - s->last_tick);
	}
	/* Rows of exited processes and closed objects show once, in the interval
	 * they ended, then only in the summary. */
	store_retire(s->store);
	s->last_tick = now;
}

void session_begin_target(struct session *s, pid_t pid)
{
	tracer_add_target(s->tracer, pid);
	s->start = s->last_tick = now_s();
}

void session_forget_retired(struct session *s)
{
	store_forget_retired(s->store);
}
