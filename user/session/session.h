/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One run of ipctrace: the targets, the children it starts, the tracer, the
 * row model and the outputs, and the loop that reads the kernel each
 * interval and shows a frame. The command line fills struct session_opts
 * once; the session keeps its own run state (a command's PID, the types the
 * kernel can do) and never writes back into the options.
 */
#ifndef IPCTRACE_SESSION_H
#define IPCTRACE_SESSION_H

#include <stdbool.h>
#include <sys/types.h>
#include "common/settings.h"
#include "loader/tracer.h"
#include "model/procfs.h"
#include "output/sidecar.h"

struct session;

struct session_opts {
	struct tracer_opts tracer;	/* .pids, .npids, .filter, .follow: the session's */
	struct sidecar_opts sidecar;
	pid_t pids[MAX_TARGET_PIDS];	/* -p */
	int npids;
	bool follow;		/* -f */
	struct proc_selector select;	/* -c, -u: chosen at start, with -p's (all must match) */
	double interval_s;
	bool interval_set;	/* -i given: with a command or the tour, tables as it runs */
	double duration_s;	/* 0: until SIGINT/SIGTERM */
	int count;		/* intervals shown before the summary; 0: no limit */
	int rows;		/* 0: the default, ROWS_ALL: all (common/settings.h) */
	enum sort_key sort;
	bool no_clear;
	bool color;		/* the interactive table in colours */
	bool tui;		/* the interactive table is wanted (a terminal, no --no-tui...) */
	bool json, csv;
	bool ndjson;		/* with json: a line per row (output_ndjson) */
	bool fold_exit_notices;	/* the table folds exit notices (SIGCHLD) per parent */
	const char *output_path;	/* -o FILE; NULL: standard output */
	const char *capture_path;	/* -w FILE; NULL: none */
	bool events;		/* -e */
	int hex_cap;		/* -x */
	bool demo, explain;	/* --demo, --demo --explain */
	char **command;		/* after "--", NULL-terminated; NULL: none */
};

/*
 * Check the targets, open the outputs' files and port, start a command
 * stopped, find the demo. NULL after saying why (one line on stderr).
 */
struct session *session_new(const struct session_opts *opts);

/*
 * Load and attach, learn what exists already, drop privileges, then start
 * serving and showing. 0; 1 after saying why; -1 when a signal came during
 * the load (nothing was counted, so there is nothing to show).
 */
int session_start(struct session *s);

/* Until the end (a signal, -d, q, the command's or the demo's end), then
 * the summary. Returns the exit status. */
int session_run(struct session *s);

void session_free(struct session *s);

/* For the tour (tour.c), which runs its demos one at a time. */
void session_tick(struct session *s, bool final);
/* A demo just started: a target, counted from now. */
void session_begin_target(struct session *s, pid_t pid);
/* Drop the summary's rows: each stop's table shows its own demo only. */
void session_forget_retired(struct session *s);

#endif
