// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include "common/common.h"
#include "model/cgroup.h"
#include "model/holders.h"
#include "model/ingest.h"
#include "model/procfs.h"
#include "model/rows.h"
#include "output/csv.h"
#include "output/events.h"
#include "output/output.h"
#include "output/tui.h"
#include "session/children.h"
#include "session/privileges.h"
#include "session/session.h"
#include "session/signals.h"
#include "session/tour.h"

/* Idle objects keep their holders this long before /proc is read again. */
#define HOLDER_RESCAN_S 5.0
#define DEMO_DEFAULT_S 10.0
/* With a command or the tour and no -i: no table until the end. */
#define NO_INTERVAL_S 86400

struct session {
	struct session_opts opts;	/* as the command line gave them */
	/* Run state, settled from the options and what happened since. */
	pid_t pids[MAX_TARGET_PIDS];	/* -p's, and a command's */
	int npids;
	unsigned int type_mask;	/* the types traced: asked, less what the kernel cannot do */
	double interval_s, duration_s;
	enum sort_key sort;	/* the summary's: the interactive table may change it */
	struct tracer *tracer;
	bool filter;		/* counting only targets and their peers */
	struct store *store;
	bool tty;
	struct tui *tui;	/* the interactive table, if it runs */
	double start, last_tick, last_scan;
	guint scanned_objects;
	/* -p: each target's start time, so that a reused PID is not taken for it. */
	unsigned long long target_start[MAX_TARGET_PIDS];
	bool target_gone[MAX_TARGET_PIDS];
	/* The targets alive at the last check (the kernel's list: -p's, their
	 * children with -f, a command's): rows and holders with their PIDs are theirs. */
	GArray *alive_pids;	/* int */
	struct filter alive;
	struct sidecar sidecar;
	bool sidecar_opened;
	bool csv_started;	/* the CSV header is out */
	/* -e */
	struct event_log log;
	bool log_started;
	double last_flush;
	__u64 events_lost_said;
	/* Children */
	pid_t command, demo;
	int command_status, demo_status;
	char *demo_path;
	GPtrArray *tour;	/* --explain: struct tour_stop */
};

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

static int check_pids(const struct session_opts *o)
{
	for (int i = 0; i < o->npids; i++) {
		pid_t pid = o->pids[i], tgid = 0;

		switch (proc_pid_state(pid, &tgid)) {
		case PID_LIVE:
			break;
		case PID_MISSING:
			p_err("no process with PID %d: check it with ps -p %d", pid, pid);
			return -1;
		case PID_ZOMBIE:
			p_err("process %d has exited (a zombie waiting for its parent): "
			      "nothing to trace", pid);
			return -1;
		case PID_THREAD:
			p_err("%d is a thread of process %d: use -p %d", pid, tgid, tgid);
			return -1;
		}
	}
	return 0;
}

static void init_targets(struct session *s)
{
	s->alive_pids = g_array_new(FALSE, FALSE, sizeof(int));
	for (int i = 0; i < s->npids; i++) {
		int pid = s->pids[i];

		s->target_start[i] = proc_start_time(pid);
		g_array_append_val(s->alive_pids, pid);
	}
	set_alive(s);
}

/* -- COMMAND: started stopped, a target before its first syscall. */
static int start_command(struct session *s)
{
	char **argv = s->opts.command;

	if (!child_command_exists(argv[0])) {
		p_err("command not found: %s", argv[0]);
		return -1;
	}
	s->command = child_start_stopped(argv, -1);
	if (!s->command) {
		p_err("cannot start %s: %s", argv[0], strerror(errno));
		return -1;
	}
	s->pids[s->npids++] = s->command;
	/* Its output shares the terminal: tables only if -i asks for them. */
	if (!s->opts.interval_set)
		s->interval_s = NO_INTERVAL_S;
	return 0;
}

static int find_demo(struct session *s)
{
	char err[256];

	s->demo_path = child_find_demo();
	if (!s->demo_path) {
		p_err("cannot find ipc-demo next to ipctrace or on PATH: build it with "
		      "make, or install it with make install");
		return -1;
	}
	if (s->opts.explain) {
		s->tour = tour_load(s->demo_path, s->opts.tracer.type_mask, err, sizeof(err));
		if (!s->tour) {
			p_err("%s", err);
			return -1;
		}
		/* Each stop's table comes at its end: no live tables unless -i. */
		if (!s->opts.interval_set)
			s->interval_s = NO_INTERVAL_S;
	} else if (s->duration_s == 0) {
		s->duration_s = DEMO_DEFAULT_S;
	}
	return 0;
}

struct session *session_new(const struct session_opts *opts)
{
	struct session *s = g_new0(struct session, 1);
	char err[256];

	s->opts = *opts;
	memcpy(s->pids, opts->pids, sizeof(s->pids));
	s->npids = opts->npids;
	s->type_mask = opts->tracer.type_mask;
	s->interval_s = opts->interval_s;
	s->duration_s = opts->duration_s;
	s->sort = opts->sort;
	if (check_pids(opts))
		goto fail;
	if (sidecar_open(&s->sidecar, &opts->sidecar, err, sizeof(err))) {
		p_err("%s", err);
		goto fail;
	}
	s->sidecar_opened = true;
	if (opts->command && start_command(s))
		goto fail;
	init_targets(s);
	if (opts->demo && find_demo(s))
		goto fail;
	s->tty = isatty(STDOUT_FILENO);
	s->store = store_new();
	return s;
fail:
	session_free(s);
	return NULL;
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
static void find_target_objects(struct session *s)
{
	GPtrArray *targets;
	GHashTableIter it;
	gpointer v;

	for (int i = 0; i < s->alive.npids; i++)
		holders_of_process(s->store, s->type_mask, s->alive.pids[i]);
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

static void add_holders_as_peers(struct session *s, const struct object *o)
{
	for (guint i = 0; i < o->holders->len; i++)
		tracer_add_peer(s->tracer, g_array_index(o->holders, struct holder, i).pid);
}

/* Returns whether it scanned /proc, so that closed objects can be told. */
static bool refresh_holders(struct session *s, bool force)
{
	double now = now_s();
	guint nobj = g_hash_table_size(s->store->objects);
	GHashTableIter it;
	gpointer v;

	if (!force && nobj == s->scanned_objects && now - s->last_scan < HOLDER_RESCAN_S)
		return false;
	holders_refresh(s->store, s->type_mask, getpid());
	s->last_scan = now;
	s->scanned_objects = nobj;
	if (!s->filter)
		return true;
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

static void fill_frame(struct session *s, struct frame *f, bool final, double interval_s)
{
	*f = (struct frame){
		.now = time(NULL),
		.interval_s = interval_s,
		.elapsed_s = now_s() - s->start,
		.final = final,
		.max_rows = s->opts.rows,
		.folded = s->store->folded,
	};
	tracer_loss(s->tracer, &f->loss);
	store_totals(s->store, target_filter(s), &f->totals);
	f->rows = store_select(s->store, final, s->sort, target_filter(s));
	store_mark_listed(f->rows);
}

/* The graph and the metrics alone: from the start, and beside -e's lines. */
static void export_only(struct session *s, bool final, double interval_s)
{
	struct frame f;

	fill_frame(s, &f, final, interval_s);
	sidecar_frame(&s->sidecar, &f);
	g_ptr_array_free(f.rows, TRUE);
}

static void render_table(struct session *s, struct frame *f, bool final)
{
	struct table_style style = { .clear = s->tty && !s->opts.no_clear && !final };
	struct winsize ws;

	if (s->tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col) {
		style.width = ws.ws_col;
		/* A live screen shows what fits: header, column titles, footer. */
		if (!final && !s->opts.rows && ws.ws_row > 6)
			f->max_rows = ws.ws_row - 6;
	}
	output_table(stdout, f, &style);
}

static void render(struct session *s, bool final, double interval_s)
{
	struct frame f;

	fill_frame(s, &f, final, interval_s);
	sidecar_frame(&s->sidecar, &f);
	if (s->tui) {
		/* The interactive table can show exited processes too: it gets every row. */
		g_ptr_array_free(f.rows, TRUE);
		f.rows = store_select(s->store, true, s->sort, target_filter(s));
		tui_show(s->tui, &f);
	} else if (s->opts.json) {
		output_json(stdout, &f);
	} else if (s->opts.csv) {
		output_csv(stdout, &f, !s->csv_started);
		s->csv_started = true;
	} else {
		render_table(s, &f, final);
	}
	g_ptr_array_free(f.rows, TRUE);
}

/* -e: print the events read so far, once their rows are known. */
static void flush_events(struct session *s)
{
	if (!s->log.pending->len)
		return;
	tracer_collect(s->tracer, s->store);
	store_compute_peers(s->store);
	event_log_print(&s->log, s->store, target_filter(s));
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

/* Printing at most this often keeps the per-print row read cheap under load. */
#define EVENT_FLUSH_S 0.1
/* ... unless this many are waiting, so memory stays bounded. */
#define EVENT_FLUSH_MAX 65536

/* Until deadline, or a signal: with -e, reading events meanwhile. */
static void wait_until(struct session *s, double deadline)
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
	if (refresh_holders(s, final)) {
		/* An object nobody holds is closed: its rows are final, and their
		 * kernel entries can go, so that long-lived processes do not fill
		 * the maps with the channels they used once. */
		GPtrArray *closed = store_mark_closed(s->store);

		tracer_forget(s->tracer, s->store, closed);
		g_ptr_array_free(closed, TRUE);
	}
	store_compute_peers(s->store);
	if (final)
		average_over_run(s, now - s->start);
	if (s->opts.events) {
		event_log_print(&s->log, s->store, target_filter(s));
		report_event_loss(s, final);
		export_only(s, final, now - s->last_tick);
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

static int load_tracer(struct session *s)
{
	struct tracer_opts to = s->opts.tracer;
	struct tracer_info info;
	char err[256];

	to.pids = s->pids;
	to.npids = s->npids;
	/* The filter: -p, or the processes ipctrace starts (a command, the tour's demos). */
	to.filter = s->npids > 0 || s->opts.command || s->opts.explain;
	to.follow = s->opts.follow || s->opts.command || s->opts.explain;
	s->tracer = tracer_new(&to, err, sizeof(err));
	if (!s->tracer || tracer_load(s->tracer, err, sizeof(err)) ||
	    tracer_attach(s->tracer, err, sizeof(err))) {
		p_err("%s", err);
		return 1;
	}
	tracer_info(s->tracer, &info);
	/* The kernel may not do every type asked (said on stderr). */
	s->type_mask = info.type_mask;
	s->filter = info.filter;
	return 0;
}

/* What runs and what it costs, once attached: on stderr, before any table. */
static void say_attached(struct session *s)
{
	struct tracer_info info;

	tracer_info(s->tracer, &info);
	/* raw_tp hooks always come with the portable build: said only for tp_btf. */
	p_err("attached (%s hooks%s%s); Ctrl-C to stop", info.tp_btf ? "tp_btf" : "raw_tp",
	      info.tp_btf && info.portable ? ", portable build" : "",
	      info.filter ? ", -p filter in the kernel" : "");
	if (s->opts.hex_cap)
		p_err("warning: -x shows the data processes send each other, "
		      "passwords and keys included: keep this output private");
}

int session_start(struct session *s)
{
	struct timespec wall;
	char err[256];

	if (load_tracer(s))
		return 1;
	/* Stopped while loading: nothing was counted, so there is nothing to show. */
	if (signals_exiting)
		return -1;
	if (s->opts.events) {
		event_log_init(&s->log, stdout, s->opts.json);
		s->log_started = true;
		if (tracer_open_events(s->tracer, event_log_add, &s->log)) {
			p_err("cannot read the events ring buffer: %s", strerror(errno));
			return 1;
		}
	}
	s->start = s->last_tick = now_s();
	/* Modules learn what exists already: System V keys, shared mappings. */
	ingest_start(s->store, s->type_mask, tracer_kernel_ops(s->tracer));
	tracer_collect(s->tracer, s->store);
	if (s->filter)
		find_target_objects(s);
	refresh_holders(s, true);
	privileges_drop();
	clock_gettime(CLOCK_REALTIME, &wall);
	if (sidecar_serve(&s->sidecar, (double)wall.tv_sec + wall.tv_nsec / 1e9, err,
			  sizeof(err))) {
		p_err("%s", err);
		return 1;
	}
	export_only(s, false, 0);
	say_attached(s);
	if (s->opts.events)
		event_log_header(&s->log);
	/* Before the demo starts, so that its complaints do not tear the screen. */
	if (s->opts.tui) {
		struct tui_opts to = { .sort = s->sort, .type_mask = s->type_mask,
				       .rows = s->opts.rows, .interval_s = s->interval_s };

		s->tui = tui_start(&to);
	}
	return 0;
}

/* A child ended (SIGCHLD): true when it was the demo or the command, which
 * ends the run. */
static bool reap_children(struct session *s)
{
	if (s->demo > 0 && waitpid(s->demo, &s->demo_status, WNOHANG) == s->demo) {
		s->demo = 0;
		return true;
	}
	if (s->command > 0 && waitpid(s->command, &s->command_status, WNOHANG) == s->command) {
		s->command = 0;
		return true;
	}
	return false;
}

static void loop(struct session *s)
{
	/* With --demo the demo's own end ends the run; the deadline is a backstop. */
	double end = s->duration_s > 0 ? s->start + s->duration_s + (s->demo > 0 ? 5 : 0) : 0;
	double next = s->start + s->interval_s;

	while (!signals_exiting) {
		double deadline = end && end < next ? end : next;

		if (!s->tui)
			wait_until(s, deadline);
		else if (!tui_wait(s->tui, deadline))
			break;	/* q */
		if (signals_child_exited) {
			signals_child_exited = 0;
			if (reap_children(s))
				break;
		}
		if (signals_exiting || (end && now_s() >= end))
			break;
		if (now_s() < next)
			continue;
		session_tick(s, false);
		if (ferror(stdout))
			break;	/* the reader went away */
		next += s->interval_s;
		if (next < now_s())
			next = now_s() + s->interval_s;
	}
}

/* The run's exit status: a command's own, or whether the demo failed. */
static int finish(struct session *s)
{
	int ret = 0;

	/* Stopped by a signal: a command in the same terminal got it too. */
	for (int i = 0; s->command > 0 && i < 40; i++) {
		if (waitpid(s->command, &s->command_status, WNOHANG) == s->command)
			s->command = 0;
		else
			usleep(50000);
	}
	if (!ferror(stdout))
		session_tick(s, true);
	if (s->opts.command && s->command > 0) {
		p_err("%s (PID %d) is still running, no longer traced", s->opts.command[0],
		      s->command);
		s->command = 0;
		ret = 1;
	} else if (s->opts.command) {
		ret = child_exit_status(s->command_status);
	}
	if (s->demo_status && !(WIFSIGNALED(s->demo_status) && signals_exiting)) {
		p_err("the demo failed (%s %d): its error is above",
		      WIFSIGNALED(s->demo_status) ? "signal" : "exit status",
		      WIFSIGNALED(s->demo_status) ? WTERMSIG(s->demo_status)
						  : WEXITSTATUS(s->demo_status));
		ret = 1;
	}
	return ret;
}

int session_run(struct session *s)
{
	if (s->tour) {
		struct tour_opts to = {
			.json = s->opts.json, .live = s->opts.interval_set,
			.pause = isatty(STDIN_FILENO) && s->tty && !s->opts.json,
			.duration_s = s->duration_s, .interval_s = s->interval_s,
		};

		return tour_run(s, s->tour, s->demo_path, &to);
	}
	if (s->opts.demo)
		s->demo = child_start_demo(s->demo_path, s->duration_s);
	if (s->command)
		kill(s->command, SIGCONT);
	loop(s);
	if (s->tui) {
		/* The summary goes to the normal screen, sorted as last chosen. */
		s->sort = tui_sort_key(s->tui);
		tui_stop(s->tui);
		s->tui = NULL;
	}
	return finish(s);
}

void session_free(struct session *s)
{
	if (!s)
		return;
	/* Never started: it must not run untraced. */
	if (s->command > 0) {
		kill(s->command, SIGKILL);
		waitpid(s->command, NULL, 0);
	}
	if (s->demo > 0) {
		kill(s->demo, SIGTERM);
		waitpid(s->demo, NULL, 0);
	}
	if (s->tui)
		tui_stop(s->tui);
	if (s->sidecar_opened)
		sidecar_close(&s->sidecar);
	tracer_free(s->tracer);
	if (s->log_started)
		event_log_free(&s->log);
	store_free(s->store);
	if (s->alive_pids)
		g_array_free(s->alive_pids, TRUE);
	g_free(s->demo_path);
	if (s->tour)
		g_ptr_array_free(s->tour, TRUE);
	cgroup_names_free();
	g_free(s);
}
