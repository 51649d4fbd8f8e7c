// SPDX-License-Identifier: GPL-2.0
/*
 * ipctrace: which processes talk to which over IPC, and how much.
 * Loads the BPF programs, reads their counters every interval, and renders
 * the row model as a table, JSON or CSV, and to the graph and metrics files
 * and server (exports.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>
#include "output/exports.h"
#include "model/holders.h"
#include "model/mechanism.h"
#include "cli/options.h"
#include "output/output.h"
#include "output/csv.h"
#include "model/procfs.h"
#include "model/rows.h"
#include "loader/tracer.h"
#include "output/tui.h"
#include "loader/feature_probe.h"
#include "output/events.h"
#include "session/tour.h"
#include "model/cgroup.h"

/* Idle objects keep their holders this long before /proc is read again. */
#define HOLDER_RESCAN_S 5.0
#define DEMO_DEFAULT_S 10.0

static volatile sig_atomic_t exiting;
static volatile sig_atomic_t child_exited;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		child_exited = 1;
	else
		exiting = 1;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	return vfprintf(stderr, fmt, args);
}

static int die(const char *fmt, ...)
{
	va_list ap;

	fputs("ipctrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static bool has_cap(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	return cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET;
}

/* CAP_BPF and CAP_PERFMON (5.8+), or CAP_SYS_ADMIN, which implies both. */
static int check_privileges(void)
{
	cap_t caps = cap_get_proc();
	bool bpf, perfmon, admin;

	if (!caps)
		return die("cannot read this process's capabilities: %s", strerror(errno));
	bpf = has_cap(caps, CAP_BPF);
	perfmon = has_cap(caps, CAP_PERFMON);
	admin = has_cap(caps, CAP_SYS_ADMIN);
	cap_free(caps);
	if (admin || (bpf && perfmon))
		return 0;
	return die("need root, or CAP_BPF and CAP_PERFMON (missing %s%s%s): run it with sudo",
		   bpf ? "" : "CAP_BPF", !bpf && !perfmon ? " and " : "",
		   perfmon ? "" : "CAP_PERFMON");
}

/*
 * Once attached, the maps and links are open descriptors, which need no
 * privilege to use. What remains is reading other users' /proc/PID/fd, maps
 * and fdinfo (CAP_SYS_PTRACE), and opening their queues and files to read a
 * depth (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH). Everything else goes, from
 * the bounding set too, so the demo child cannot get it back through exec.
 */
static const cap_value_t kept_caps[] = { CAP_SYS_PTRACE, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH };

static void drop_privileges(void)
{
	cap_t now = cap_get_proc(), keep = cap_init();
	cap_value_t have[3];
	int n = 0;

	/* Keep those we have: with CAP_BPF and CAP_PERFMON alone, none. */
	for (size_t i = 0; now && i < G_N_ELEMENTS(kept_caps); i++)
		if (has_cap(now, kept_caps[i]))
			have[n++] = kept_caps[i];
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		bool kept = false;

		for (int i = 0; i < n; i++)
			kept |= have[i] == c;
		if (!kept)
			cap_drop_bound(c);	/* fails without CAP_SETPCAP: then E and P only */
	}
	if (keep && n) {
		cap_set_flag(keep, CAP_EFFECTIVE, n, have, CAP_SET);
		cap_set_flag(keep, CAP_PERMITTED, n, have, CAP_SET);
	}
	if (!keep || cap_set_proc(keep) != 0)
		fprintf(stderr, "ipctrace: could not drop privileges: %s\n", strerror(errno));
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	cap_free(keep);
	cap_free(now);
}

static int check_pids(const struct config *cfg)
{
	for (int i = 0; i < cfg->npids; i++) {
		pid_t pid = cfg->pids[i], tgid = 0;

		switch (proc_pid_state(pid, &tgid)) {
		case PID_LIVE:
			break;
		case PID_MISSING:
			return die("no process with PID %d: check it with ps -p %d", pid, pid);
		case PID_ZOMBIE:
			return die("process %d has exited (a zombie waiting for its parent): "
				   "nothing to trace", pid);
		case PID_THREAD:
			return die("%d is a thread of process %d: use -p %d", pid, tgid, tgid);
		}
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double deadline)
{
	struct timespec ts = {
		.tv_sec = (time_t)deadline,
		.tv_nsec = (long)((deadline - (double)(time_t)deadline) * 1e9),
	};

	/* A signal ends the sleep early; the caller looks at the flags. */
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/*
 * The demo program sits next to ipctrace, or is on PATH once installed.
 * Returns a path to free, or NULL.
 */
static char *find_demo(void)
{
	char *self = g_file_read_link("/proc/self/exe", NULL);

	if (self) {
		char *dir = g_path_get_dirname(self);
		char *path = g_build_filename(dir, "ipc-demo", NULL);

		g_free(dir);
		g_free(self);
		if (access(path, X_OK) == 0)
			return path;
		g_free(path);
	}
	return g_find_program_in_path("ipc-demo");
}

/*
 * -- COMMAND, and each demo of the tour: started stopped, so that it becomes
 * a target before its first syscall; SIGCONT lets it go once ipctrace has
 * attached. With out_fd >= 0, that is its stdout. 0 on failure.
 */
static pid_t start_stopped(char **argv, int out_fd)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		/* ipctrace ignores SIGPIPE; the command must not inherit that. */
		signal(SIGPIPE, SIG_DFL);
		if (out_fd >= 0)
			dup2(out_fd, STDOUT_FILENO);
		raise(SIGSTOP);
		execvp(argv[0], argv);
		fprintf(stderr, "ipctrace: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		return 0;
	while (waitpid(pid, &status, WUNTRACED) < 0 && errno == EINTR)
		;
	return pid;
}

/* A command's end as an exit status, as a shell gives it. */
static int exit_status(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static pid_t start_demo(const char *path, double duration_s)
{
	char secs[32];
	pid_t pid;

	snprintf(secs, sizeof(secs), "%g", duration_s);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		/* Its chatter would be pipe traffic of its own on the terminal. */
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			close(null);
		}
		execl(path, "ipc-demo", "all", "--duration", secs, (char *)NULL);
		fprintf(stderr, "ipctrace: cannot run %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	return pid;
}

struct session {
	struct config cfg;
	struct tracer tracer;
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
	struct exports exports;
	bool csv_started;	/* the CSV header is out */
	/* -e */
	struct event_log log;
	double last_flush;
	__u64 events_lost_said;
};

/* The -p filter for the store: NULL without -p, else the targets alive. */
static const struct filter *target_filter(const struct session *s)
{
	return s->tracer.filter ? &s->alive : NULL;
}

static void set_alive(struct session *s)
{
	s->alive = (struct filter){ .pids = (const int *)(void *)s->alive_pids->data,
				    .npids = (int)s->alive_pids->len };
}

static void init_targets(struct session *s)
{
	s->alive_pids = g_array_new(FALSE, FALSE, sizeof(int));
	for (int i = 0; i < s->cfg.npids; i++) {
		int pid = s->cfg.pids[i];

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
	if (!s->tracer.filter)
		return;
	store_mark_targets(s->store, &s->alive);
	for (int i = 0; i < s->cfg.npids; i++) {
		pid_t pid = s->cfg.pids[i];

		if (s->cfg.command || s->target_gone[i])
			continue;	/* a command's end is said otherwise */
		if (!proc_alive(pid) || proc_start_time(pid) != s->target_start[i]) {
			s->target_gone[i] = true;
			fprintf(stderr, "ipctrace: process %d exited; its totals stay in the table\n",
				pid);
		}
	}
	tracer_targets(&s->tracer, s->alive_pids);
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
		holders_of_process(s->store, s->cfg.type_mask, s->alive.pids[i]);
	targets = g_ptr_array_new();
	g_hash_table_iter_init(&it, s->store->objects);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (object_of_targets(v, &s->alive) && object_is_channel(v))
			g_ptr_array_add(targets, v);
	/* Not while iterating: a module may add the objects at the other ends. */
	for (guint i = 0; i < targets->len; i++) {
		struct object *o = g_ptr_array_index(targets, i);
		const struct mechanism *m = mechanism_of(o->key.type);

		if (m && m->watch_target)
			m->watch_target(s->store, o, &s->tracer);
	}
	g_ptr_array_free(targets, TRUE);
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
	holders_refresh(s->store, s->cfg.type_mask, getpid());
	s->last_scan = now;
	s->scanned_objects = nobj;
	if (!s->tracer.filter)
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
		for (guint i = 0; i < o->holders->len; i++)
			tracer_add_peer(&s->tracer, g_array_index(o->holders, struct holder, i).pid);
		/* And the holders of its other ends (a socket's peer socket). */
		for (guint j = 0; j < o->peer_objs->len; j++) {
			struct object *p = g_ptr_array_index(o->peer_objs, j);

			for (guint i = 0; i < p->holders->len; i++)
				tracer_add_peer(&s->tracer,
						g_array_index(p->holders, struct holder, i).pid);
		}
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
		.max_rows = s->cfg.rows,
		.folded = s->store->folded,
	};
	tracer_loss(&s->tracer, &f->loss);
	store_totals(s->store, target_filter(s), &f->totals);
	f->rows = store_select(s->store, final, s->cfg.sort, target_filter(s));
	store_mark_listed(f->rows);
}

/* The graph and the metrics alone: from the start, and beside -e's lines. */
static void export_only(struct session *s, bool final, double interval_s)
{
	struct frame f;

	fill_frame(s, &f, final, interval_s);
	exports_frame(&s->exports, &f);
	g_ptr_array_free(f.rows, TRUE);
}

static void render(struct session *s, bool final, double interval_s)
{
	struct frame f;

	fill_frame(s, &f, final, interval_s);
	exports_frame(&s->exports, &f);
	if (s->tui) {
		/* The interactive table can show exited processes too: it gets every row. */
		g_ptr_array_free(f.rows, TRUE);
		f.rows = store_select(s->store, true, s->cfg.sort, target_filter(s));
		tui_show(s->tui, &f);
	} else if (s->cfg.json) {
		output_json(stdout, &f);
	} else if (s->cfg.csv) {
		output_csv(stdout, &f, !s->csv_started);
		s->csv_started = true;
	} else {
		struct table_style style = { .clear = s->tty && !s->cfg.no_clear && !final };
		struct winsize ws;

		if (s->tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col) {
			style.width = ws.ws_col;
			/* A live screen shows what fits: header, column titles, footer. */
			if (!final && !s->cfg.rows && ws.ws_row > 6)
				f.max_rows = ws.ws_row - 6;
		}
		output_table(stdout, &f, &style);
	}
	g_ptr_array_free(f.rows, TRUE);
}

/* -e: print the events read so far, once their rows are known. */
static void flush_events(struct session *s)
{
	if (!s->log.pending->len)
		return;
	tracer_collect(&s->tracer, s->store);
	store_compute_peers(s->store);
	event_log_print(&s->log, s->store, target_filter(s));
	s->last_flush = now_s();
}

/* -e: a full ring buffer loses events; say so as it happens, and at the end. */
static void report_event_loss(struct session *s, bool final)
{
	struct ipc_loss loss;

	tracer_loss(&s->tracer, &loss);
	if (loss.events_dropped > s->events_lost_said) {
		fprintf(stderr, "ipctrace: %llu events lost: the ring buffer was full "
			"(narrow the trace with -t or -p)\n",
			(unsigned long long)(loss.events_dropped - s->events_lost_said));
		s->events_lost_said = loss.events_dropped;
	}
	if (final)
		fprintf(stderr, "ipctrace: %llu events logged, %llu lost\n", s->log.printed,
			(unsigned long long)loss.events_dropped);
}

/* Printing at most this often keeps the per-print row read cheap under load. */
#define EVENT_FLUSH_S 0.1
/* ... unless this many are waiting, so memory stays bounded. */
#define EVENT_FLUSH_MAX 65536

/* Until deadline, or a signal: with -e, reading events meanwhile. */
static void wait_until(struct session *s, double deadline)
{
	if (!s->cfg.events) {
		sleep_until(deadline);
		return;
	}
	while (!exiting && !child_exited) {
		double left = deadline - now_s();
		int ms = left > EVENT_FLUSH_S ? (int)(EVENT_FLUSH_S * 1000) : (int)(left * 1000);

		if (left <= 0)
			break;
		if (tracer_poll_events(&s->tracer, ms > 0 ? ms : 1) < 0 && errno != EINTR)
			break;
		if (now_s() - s->last_flush >= EVENT_FLUSH_S ||
		    s->log.pending->len >= EVENT_FLUSH_MAX)
			flush_events(s);
	}
}

static void tick(struct session *s, bool final)
{
	double now = now_s();

	/* -e: every event logged so far is read before the rows are: each then
	 * finds its row, even one this tick retires. */
	if (s->cfg.events)
		tracer_poll_events(&s->tracer, 0);
	tracer_collect(&s->tracer, s->store);
	store_rates(s->store, now - s->last_tick);
	update_targets(s);
	if (refresh_holders(s, final)) {
		/* An object nobody holds is closed: its rows are final, and their
		 * kernel entries can go, so that long-lived processes do not fill
		 * the maps with the channels they used once. */
		GPtrArray *closed = store_mark_closed(s->store);

		tracer_forget(&s->tracer, s->store, closed);
		g_ptr_array_free(closed, TRUE);
	}
	store_compute_peers(s->store);
	if (final) {
		/* The summary's rates are averages over the whole run. */
		GPtrArray *all = store_select(s->store, true, s->cfg.sort, NULL);
		double run = now - s->start;

		for (guint i = 0; i < all->len; i++) {
			struct row *r = g_ptr_array_index(all, i);

			r->bytes_per_s = run > 0 ? (double)r->bytes / run : 0;
			r->ops_per_s = run > 0 ? (double)r->ops / run : 0;
			r->wait_share = run > 0 ? (double)r->wait_ns / 1e9 / run : 0;
		}
		g_ptr_array_free(all, TRUE);
	}
	if (s->cfg.events) {
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

/* Each stop's demo sends this long, unless -d says otherwise; paced, so
 * that the numbers stay small enough to read. */
#define TOUR_STOP_S 2.0
#define TOUR_RATE 50

/* What a file descriptor's file holds, from its start. */
static char *read_all(int fd)
{
	GString *text = g_string_new(NULL);
	char buf[4096];
	ssize_t n;
	off_t off = 0;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		g_string_append_len(text, buf, n);
		off += n;
	}
	return g_string_free(text, FALSE);
}

/* The teacher goes on when the class is ready: Enter for the next stop. */
static bool ask_next(void)
{
	char line[64];

	fputs("Press Enter for the next mechanism, or q and Enter to stop: ", stdout);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return false;	/* end of input, or Ctrl-C */
	return line[0] != 'q' && line[0] != 'Q';
}

/*
 * --demo --explain: each demo in turn as the only target, its text first,
 * then its table, then the demo's own account of what it did, so that the
 * two can be compared. Returns the exit status.
 */
static int run_tour(struct session *s, GPtrArray *stops, const char *demo_path)
{
	bool live = s->cfg.interval_set, pause = isatty(STDIN_FILENO) && s->tty && !s->cfg.json;
	double stop_s = s->cfg.duration_s > 0 ? s->cfg.duration_s : TOUR_STOP_S;
	char secs[32], count[32];
	int ret = 0;

	snprintf(secs, sizeof(secs), "%g", stop_s);
	/* A count, not a duration: the demos that hand a buffer back and forth
	 * go by count only. */
	snprintf(count, sizeof(count), "%.0f", MAX(1.0, stop_s * TOUR_RATE));
	if (!s->cfg.json)
		printf("ipctrace's guided tour: %u IPC mechanisms, one demo each. Each demo runs "
		       "for about %s s while\nipctrace counts what it does; then comes the table, and "
		       "the demo's own account\nof what it did, to compare with it.\n",
		       stops->len, secs);
	for (guint i = 0; i < stops->len && !exiting && !ret; i++) {
		const struct tour_stop *stop = g_ptr_array_index(stops, i);
		char rate[16];
		char *argv[] = { (char *)demo_path, stop->demo, "--count", count,
				 "--rate", rate,
				 s->cfg.json ? "--json" : NULL, NULL };
		/* A file, not a pipe: the demo's report must not be IPC of its own. */
		int account_fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);
		bool stopped = false;
		int status = 0;
		char *account;
		pid_t pid;
		double next;

		snprintf(rate, sizeof(rate), "%d", TOUR_RATE);
		if (account_fd < 0) {
			ret = die("cannot make a temporary file in /tmp: %s", strerror(errno));
			break;
		}
		if (!s->cfg.json)
			tour_print_intro(stdout, stop, i + 1, stops->len);
		pid = start_stopped(argv, account_fd);
		if (!pid) {
			close(account_fd);
			ret = die("cannot start %s: %s", demo_path, strerror(errno));
			break;
		}
		tracer_add_target(&s->tracer, pid);
		s->start = s->last_tick = now_s();
		next = s->start + s->cfg.interval_s;
		kill(pid, SIGCONT);
		while (waitpid(pid, &status, WNOHANG) != pid) {
			if (exiting && !stopped) {
				kill(pid, SIGTERM);
				stopped = true;
				continue;
			}
			/* SIGCHLD ends the sleep early; a tenth of a second bounds a
			 * race with it. */
			sleep_until(live ? MIN(next, now_s() + 0.1) : now_s() + 0.1);
			if (live && now_s() >= next) {
				tick(s, false);
				next += s->cfg.interval_s;
			}
		}
		tick(s, true);
		account = read_all(account_fd);
		close(account_fd);
		if (s->cfg.json) {
			tour_print_json(stdout, stop, i + 1, stops->len, account);
		} else {
			printf("ipc-demo's own account of what it did, to compare with the table:\n%s",
			       account);
		}
		g_free(account);
		/* Each table shows its own demo only. */
		store_forget_retired(s->store);
		if (status && !stopped) {
			fprintf(stderr, "ipctrace: demo %s failed (%s %d): its error is above\n",
				stop->demo, WIFSIGNALED(status) ? "signal" : "exit status",
				WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			ret = 1;
		}
		if (pause && i + 1 < stops->len && !exiting && !ret && !ask_next())
			break;
	}
	if (!s->cfg.json && !ret && !exiting)
		printf("\nThat was every mechanism. Run one again with: ipc-demo NAME & "
		       "sudo ipctrace -p $!\n");
	return ret;
}

int main(int argc, char **argv)
{
	struct session s = {};
	char err[256];
	pid_t demo = 0, command = 0;
	char *demo_path = NULL;
	int demo_status = 0, command_status = 0;
	GPtrArray *tour = NULL;
	double next, end;
	struct sigaction sa = { .sa_handler = on_signal };
	int ret;

	/* First of all: a Ctrl-C during the load must still end in a clean exit. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	/* A closed output pipe (ipctrace | head) is an ordinary way to stop. */
	signal(SIGPIPE, SIG_IGN);

	if (parse_options(argc, argv, &s.cfg, 0)) {
		die("%s", s.cfg.error);
		return 2;
	}
	libbpf_set_print(s.cfg.verbose ? libbpf_print : NULL);
	if (s.cfg.features) {
		struct features f;

		probe_features(&f);
		print_features(stdout, &f);
		if (check_privileges())
			printf("(without those privileges, the probes that load a BPF program say no)\n");
		return 0;
	}
	if (check_privileges() || check_pids(&s.cfg))
		return 1;
	if (exports_open(&s.exports, &s.cfg, err, sizeof(err)))
		return die("%s", err);
	if (s.cfg.command) {
		char *found = strchr(s.cfg.command[0], '/') ? g_strdup(s.cfg.command[0])
			    : g_find_program_in_path(s.cfg.command[0]);

		if (!found || access(found, X_OK) != 0) {
			g_free(found);
			return die("command not found: %s", s.cfg.command[0]);
		}
		g_free(found);
		command = start_stopped(s.cfg.command, -1);
		if (!command)
			return die("cannot start %s: %s", s.cfg.command[0], strerror(errno));
		s.cfg.pids[s.cfg.npids++] = command;
		/* Its output shares the terminal: tables only if -i asks for them. */
		if (!s.cfg.interval_set)
			s.cfg.interval_s = 86400;
	}
	init_targets(&s);
	if (s.cfg.demo) {
		demo_path = find_demo();
		if (!demo_path)
			return die("cannot find ipc-demo next to ipctrace or on PATH: build it with "
				   "make, or install it with make install");
		if (s.cfg.explain) {
			tour = tour_load(demo_path, s.cfg.type_mask, err, sizeof(err));
			if (!tour) {
				g_free(demo_path);
				return die("%s", err);
			}
			/* Each stop's table comes at its end: no live tables unless -i. */
			if (!s.cfg.interval_set)
				s.cfg.interval_s = 86400;
		} else if (s.cfg.duration_s == 0) {
			s.cfg.duration_s = DEMO_DEFAULT_S;
		}
	}

	s.tty = isatty(STDOUT_FILENO);
	s.store = store_new();
	if (tracer_start(&s.tracer, &s.cfg, err, sizeof(err))) {
		ret = die("%s", err);
		goto cleanup;
	}
	/* Stopped while loading: nothing was counted, so there is nothing to show. */
	if (exiting) {
		ret = 0;
		goto cleanup;
	}
	if (s.cfg.events) {
		event_log_init(&s.log, stdout, s.cfg.json);
		if (tracer_open_events(&s.tracer, event_log_add, &s.log)) {
			ret = die("cannot read the events ring buffer: %s", strerror(errno));
			goto cleanup;
		}
	}
	/* The kernel may not do every type asked (said on stderr). */
	s.cfg.type_mask = s.tracer.type_mask;
	s.start = s.last_tick = now_s();
	/* Modules learn what exists already: System V keys, shared mappings. */
	for (size_t i = 0; i < nmechanisms; i++)
		if ((mechanisms[i]->types & s.cfg.type_mask) && mechanisms[i]->start)
			mechanisms[i]->start(s.store, &s.tracer);
	tracer_collect(&s.tracer, s.store);
	if (s.tracer.filter)
		find_target_objects(&s);
	refresh_holders(&s, true);
	drop_privileges();
	{
		struct timespec wall;

		clock_gettime(CLOCK_REALTIME, &wall);
		if (exports_serve(&s.exports, (double)wall.tv_sec + wall.tv_nsec / 1e9, err,
				  sizeof(err))) {
			ret = die("%s", err);
			goto cleanup;
		}
	}
	export_only(&s, false, 0);
	/* raw_tp hooks always come with the portable build: said only for tp_btf. */
	fprintf(stderr, "ipctrace: attached (%s hooks%s%s); Ctrl-C to stop\n",
		s.tracer.feat.tp_btf ? "tp_btf" : "raw_tp",
		s.tracer.feat.tp_btf && s.tracer.portable ? ", portable build" : "",
		s.tracer.filter ? ", -p filter in the kernel" : "");
	if (s.cfg.hex_cap)
		fprintf(stderr, "ipctrace: warning: -x shows the data processes send each other, "
			"passwords and keys included: keep this output private\n");
	if (s.cfg.events)
		event_log_header(&s.log);
	/* Before the demo starts, so that its complaints do not tear the screen. */
	if (tui_wanted(&s.cfg))
		s.tui = tui_start(&s.cfg);
	if (tour) {
		ret = run_tour(&s, tour, demo_path);
		goto cleanup;
	}
	if (s.cfg.demo)
		demo = start_demo(demo_path, s.cfg.duration_s);
	if (command)
		kill(command, SIGCONT);

	/* With --demo the demo's own end ends the run; the deadline is a backstop. */
	end = s.cfg.duration_s > 0 ? s.start + s.cfg.duration_s + (demo > 0 ? 5 : 0) : 0;
	next = s.start + s.cfg.interval_s;
	while (!exiting) {
		double deadline = end && end < next ? end : next;

		if (!s.tui)
			wait_until(&s, deadline);
		else if (!tui_wait(s.tui, deadline))
			break;	/* q */
		if (child_exited) {
			child_exited = 0;
			if (demo > 0 && waitpid(demo, &demo_status, WNOHANG) == demo) {
				demo = 0;
				break;
			}
			if (command > 0 && waitpid(command, &command_status, WNOHANG) == command) {
				command = 0;
				break;
			}
		}
		if (exiting || (end && now_s() >= end))
			break;
		if (now_s() < next)
			continue;
		tick(&s, false);
		if (ferror(stdout))
			break;	/* the reader went away */
		next += s.cfg.interval_s;
		if (next < now_s())
			next = now_s() + s.cfg.interval_s;
	}
	if (s.tui) {
		/* The summary goes to the normal screen, sorted as last chosen. */
		s.cfg.sort = tui_sort_key(s.tui);
		tui_stop(s.tui);
		s.tui = NULL;
	}
	/* Stopped by a signal: a command in the same terminal got it too. */
	for (int i = 0; command > 0 && i < 40; i++) {
		if (waitpid(command, &command_status, WNOHANG) == command)
			command = 0;
		else
			usleep(50000);
	}
	if (!ferror(stdout))
		tick(&s, true);
	ret = 0;
	if (s.cfg.command && command > 0) {
		fprintf(stderr, "ipctrace: %s (PID %d) is still running, no longer traced\n",
			s.cfg.command[0], command);
		command = 0;
		ret = 1;
	} else if (s.cfg.command) {
		ret = exit_status(command_status);
	}
	if (demo_status && !(WIFSIGNALED(demo_status) && exiting)) {
		fprintf(stderr, "ipctrace: the demo failed (%s %d): its error is above\n",
			WIFSIGNALED(demo_status) ? "signal" : "exit status",
			WIFSIGNALED(demo_status) ? WTERMSIG(demo_status) : WEXITSTATUS(demo_status));
		ret = 1;
	}

cleanup:
	/* Never started: it must not run untraced. */
	if (command > 0) {
		kill(command, SIGKILL);
		waitpid(command, NULL, 0);
	}
	if (demo > 0) {
		kill(demo, SIGTERM);
		waitpid(demo, NULL, 0);
	}
	exports_close(&s.exports);
	tracer_stop(&s.tracer);
	event_log_free(&s.log);
	store_free(s.store);
	if (s.alive_pids)
		g_array_free(s.alive_pids, TRUE);
	g_free(demo_path);
	if (tour)
		g_ptr_array_free(tour, TRUE);
	cgroup_names_free();
	return ret;
}
