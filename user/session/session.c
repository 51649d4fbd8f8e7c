// SPDX-License-Identifier: GPL-2.0
/* The session's lifecycle: the targets checked, the children started, the
 * tracer loaded and attached, privileges dropped, the loop, the summary. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "common/common.h"
#include "common/sanitize.h"
#include "model/cgroup.h"
#include "model/glob.h"
#include "model/ingest.h"
#include "model/procfs.h"
#include "model/users.h"
#include "session/children.h"
#include "session/privileges.h"
#include "session/session_impl.h"
#include "session/signals.h"
#include "session/tour.h"
#include "output/pcapng.h"

#define DEMO_DEFAULT_S 10.0
/* With a command or the tour and no -i: no table until the end. */
#define NO_INTERVAL_S 86400

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

static void say_no_match(const struct session *s)
{
	const struct proc_selector *sel = &s->opts.select;
	GString *what = g_string_new(NULL);

	if (sel->comm) {
		char *name = name_escaped(sel->comm);

		g_string_append_printf(what, " -c %s", name);
		g_free(name);
	}
	if (sel->by_uid)
		g_string_append_printf(what, " -u %u", (unsigned int)sel->uid);
	p_err("no process%s matches%s: check with pgrep -a -x NAME -u USER",
	      s->opts.npids ? " given with -p" : "", what->str);
	g_string_free(what, TRUE);
}

/* -c, -u without -p: the kernel makes a process that starts to match a
 * target (at exec, or forked by one); a glob it cannot match is said. */
static void select_later(struct session *s)
{
	const struct proc_selector *sel = &s->opts.select;

	if (sel->comm && comm_glob_compile(sel->comm, &s->glob)) {
		char *name = name_escaped(sel->comm);

		p_err("-c %s: a class such as [:alpha:] (or over %d parts) is matched among "
		      "the processes there at start only: later ones are not followed",
		      name, GLOB_TOKENS);
		g_free(name);
		return;
	}
	s->select_later = true;
}

/*
 * -c and -u: the processes that match, at start, as pgrep chooses them
 * (exact name or glob, effective user), and those that start to match
 * later; with -p, only the PIDs given that match too, as pidstat -p with
 * -C. The kernel then counts them as targets.
 */
static int select_targets(struct session *s)
{
	const struct proc_selector *sel = &s->opts.select;
	int kept = 0;

	if (!sel->comm && !sel->by_uid)
		return 0;
	s->selected = g_array_new(FALSE, FALSE, sizeof(int));
	if (s->npids) {
		for (int i = 0; i < s->npids; i++)
			if (proc_matches(s->pids[i], sel))
				s->pids[kept++] = s->pids[i];
		s->npids = kept;
		if (!s->npids) {
			say_no_match(s);
			return -1;
		}
		return 0;
	}
	proc_select(sel, getpid(), s->selected);
	select_later(s);
	if (!s->selected->len && !s->select_later) {
		say_no_match(s);
		return -1;
	}
	if (!s->selected->len)
		p_err("no process matches yet: each one is traced from when it does");
	return 0;
}

/* -- COMMAND: started stopped, a target before its first syscall. */
static int start_command(struct session *s)
{
	char **argv = s->opts.command;

	if (!child_command_exists(argv[0])) {
		p_err("command not found: %s", argv[0]);
		return -1;
	}
	s->command = child_start_stopped(argv, -1, false);
	if (!s->command) {
		p_err("cannot start %s: %s", argv[0], strerror(errno));
		return -1;
	}
	s->pids[s->npids++] = s->command;
	/* Its output shares the terminal: tables only if -i asks for them,
	 * or if they go to a file of their own. */
	if (!s->opts.interval_set && !s->opts.output_path)
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
		if (tour_prepare(s->tour, s->demo_path, s->duration_s, s->opts.json, err,
				 sizeof(err))) {
			p_err("%s", err);
			return -1;
		}
		return 0;
	}
	if (s->duration_s == 0)
		s->duration_s = DEMO_DEFAULT_S;
	s->demo = child_start_demo(s->demo_path, s->duration_s);
	if (!s->demo) {
		p_err("cannot start %s: %s", s->demo_path, strerror(errno));
		return -1;
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
	if (check_pids(opts) || select_targets(s))
		goto fail;
	/* The table is a whole frame: the file holds the latest one. */
	if (outsink_open(&s->out, opts->output_path, !opts->json && !opts->csv && !opts->events,
			 err, sizeof(err)) ||
	    sidecar_open(&s->sidecar, &opts->sidecar, err, sizeof(err)) ||
	    (opts->capture_path && !(s->capture = pcapng_open(opts->capture_path, err, sizeof(err))))) {
		p_err("%s", err);
		goto fail;
	}
	if (opts->command && start_command(s))
		goto fail;
	session_init_targets(s);
	if (opts->demo && find_demo(s))
		goto fail;
	s->tty = isatty(STDOUT_FILENO) && !opts->output_path;
	s->discard = outsink_discards(&s->out);
	s->store = store_new();
	s->holders = holders_cache_new();
	holders_sweep_pace(s->holders, 2 * s->interval_s);
	return s;
fail:
	session_free(s);
	return NULL;
}

static int load_tracer(struct session *s)
{
	struct tracer_opts to = s->opts.tracer;
	struct tracer_info info;
	const volatile __u32 *changes;
	const volatile __u8 *unsure;
	char err[256];

	to.pids = s->pids;
	to.npids = s->npids;
	to.writer_pid = s->sidecar.writer_pid;
	/* The filter: -p, or the processes ipctrace starts (a command, the tour's demos). */
	to.filter = s->npids > 0 || s->selected || s->opts.command || s->opts.explain;
	to.follow = s->opts.follow || s->opts.command || s->opts.explain;
	if (s->select_later) {
		to.select = true;
		to.select_glob = s->opts.select.comm ? &s->glob : NULL;
		to.select_by_uid = s->opts.select.by_uid;
		to.select_uid = s->opts.select.uid;
	}
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
	s->follow = to.follow;
	/* Under a filter the kernel counts a target's peers once their
	 * holding is read: no read is put off there. */
	holders_read_budget(s->holders, s->filter ? 0 : HOLDERS_READ_BUDGET);
	/* The kernel side says whose descriptors changed: the others are not
	 * read again in turn every HOLDERS_SWEEP_S. */
	if (tracer_fd_changes(s->tracer, &changes, &unsure))
		holders_fd_changes(s->holders, changes, unsure);
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

	if (proc_check_host_view(err, sizeof(err))) {
		p_err("%s", err);
		return 1;
	}
	if (load_tracer(s))
		return 1;
	/* First: from here on, what they and their existing descendants do counts. */
	if (s->selected) {
		/* And those that matched between the first look and the exec hook. */
		if (s->select_later)
			proc_select(&s->opts.select, getpid(), s->selected);
		session_add_targets(s, s->selected);
	}
	if (s->filter && s->follow)
		session_adopt_descendants(s);
	/* Stopped while loading: nothing was counted, so there is nothing to show. */
	if (signals_exiting)
		return -1;
	if (s->opts.events) {
		event_log_init(&s->log, stdout, s->opts.json);
		s->log.capture = s->capture;
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
		session_find_target_objects(s);
	session_refresh_holders(s, true);
	if (privileges_drop(err, sizeof(err))) {
		p_err("%s", err);
		return 1;
	}
	clock_gettime(CLOCK_REALTIME, &wall);
	if (sidecar_serve(&s->sidecar, (double)wall.tv_sec + wall.tv_nsec / 1e9, err,
			  sizeof(err))) {
		p_err("%s", err);
		return 1;
	}
	session_export_only(s, false, 0);
	say_attached(s);
	if (s->opts.events)
		session_print_events(s, true);
	/* Before the demo starts, so that its complaints do not tear the screen. */
	if (s->opts.tui) {
		struct tui_opts to = { .sort = s->sort, .type_mask = s->type_mask,
				       .rows = s->opts.rows, .interval_s = s->interval_s,
				       .color = s->opts.color };

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
	int ticks = 0;

	while (!signals_exiting) {
		double deadline = end && end < next ? end : next;

		if (!s->tui)
			session_wait_until(s, deadline);
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
		if (outsink_gone(&s->out))
			break;	/* the reader went away */
		if (s->opts.count && ++ticks == s->opts.count)
			break;	/* [interval count], --count: then the summary */
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
	if (!outsink_gone(&s->out))
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

		return tour_run(s, s->tour, &to);
	}
	if (s->demo)
		kill(s->demo, SIGCONT);
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
	sidecar_close(&s->sidecar);
	outsink_close(&s->out);
	if (pcapng_close(s->capture) && !s->log.capture_failed)
		p_err("writing %s failed: %s", s->opts.capture_path, strerror(errno));
	tracer_free(s->tracer);
	event_log_free(&s->log);
	store_free(s->store);
	holders_cache_free(s->holders);
	if (s->alive_pids)
		g_array_free(s->alive_pids, TRUE);
	if (s->selected)
		g_array_free(s->selected, TRUE);
	g_free(s->demo_path);
	if (s->tour)
		g_ptr_array_free(s->tour, TRUE);
	cgroup_names_free();
	users_free();
	g_free(s);
}
