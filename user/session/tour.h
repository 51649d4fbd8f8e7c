/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guided tour (ipctrace --demo --explain): the demos one at a time, each
 * with a few lines on its mechanism and what to look for in the table. The
 * text lives with each demo, in ipc-demo; this reads it.
 */
#ifndef IPCTRACE_TOUR_H
#define IPCTRACE_TOUR_H

#include <stdbool.h>
#include <stdio.h>
#include <glib.h>

struct tour_stop {
	char *demo;		/* ipc-demo's name for it */
	unsigned int type_mask;	/* the types its table shows */
	char *text;
	pid_t pid;		/* its demo, started stopped (tour_prepare) */
	int account_fd;		/* the demo's stdout: its own account */
};

/*
 * The stops whose types meet type_mask, in the demo's order, parsed from
 * `ipc-demo explain`; NULL with one line in err if it cannot be read.
 */
GPtrArray *tour_load(const char *demo_path, unsigned int type_mask, char *err, size_t errlen);

/* The stop's heading and text, for reading. */
void tour_print_intro(FILE *out, const struct tour_stop *stop, guint index, guint count);

/* --json: one line per stop with its text and the demo's own account of
 * what it did (its --json records, as read back from account). */
void tour_print_json(FILE *out, const struct tour_stop *stop, guint index, guint count,
		     const char *account);

struct session;

struct tour_opts {
	bool json;		/* --json: one line per stop */
	bool live;		/* -i given: tables as each demo runs */
	bool pause;		/* Enter between stops (a terminal on both ends) */
	double duration_s;	/* -d: each stop's length; 0: the default */
	double interval_s;
};

/*
 * Each stop's demo started stopped, its stdout into a file of its own,
 * while ipctrace still holds the privileges it drops once attached: a demo
 * forked after would inherit its seccomp filter. 0, or -1 with one line in
 * err.
 */
int tour_prepare(GPtrArray *stops, const char *demo_path, double duration_s, bool json,
		 char *err, size_t errlen);

/*
 * --demo --explain: each demo in turn as the only target, its text first,
 * then its table, then the demo's own account of what it did, so that the
 * two can be compared. Returns the exit status.
 */
int tour_run(struct session *s, GPtrArray *stops, const struct tour_opts *opts);

#endif
