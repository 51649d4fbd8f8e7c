/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the session: its state, shared by session.c (its lifecycle: start,
 * loop, stop, the children) and tick.c (what each interval does: targets,
 * holders, frames, -e's events). Nothing outside session/ includes this.
 */
#ifndef IPCTRACE_SESSION_IMPL_H
#define IPCTRACE_SESSION_IMPL_H

#include <stdbool.h>
#include <glib.h>
#include "loader/tracer.h"
#include "model/holders.h"
#include "model/rows.h"
#include "output/events.h"
#include "output/outfile.h"
#include "output/sidecar.h"
#include "output/tui.h"
#include "session/session.h"

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
	bool follow;		/* -f, a command, the tour: targets' descendants are targets */
	struct store *store;
	struct holders_cache *holders;	/* what the last /proc scans read */
	bool tty;
	bool discard;		/* frames go to the null device: none is made */
	struct tui *tui;	/* the interactive table, if it runs */
	double start, last_tick, last_scan;
	double refresh_s;	/* what the last tick took before rendering */
	guint scanned_objects;
	/* -p: each target's start time, so that a reused PID is not taken for it. */
	unsigned long long target_start[MAX_TARGET_PIDS];
	bool target_gone[MAX_TARGET_PIDS];
	/* The targets alive at the last check (the kernel's list: -p's, their
	 * children with -f, a command's): rows and holders with their PIDs are theirs. */
	GArray *alive_pids;	/* int */
	GArray *selected;	/* int: -c, -u's choice without -p; NULL without them */
	bool select_later;	/* -c, -u without -p: the kernel takes later matches too */
	struct comm_glob glob;	/* -c's, for the kernel */
	struct filter alive;
	struct sidecar sidecar;
	struct outsink out;	/* standard output, or -o FILE */
	struct pcapng *capture;	/* -w FILE, opened before privileges go */
	bool csv_started;	/* the CSV header is out */
	unsigned long frames_written;	/* --ndjson's seq: frames so far */
	/* -e */
	struct event_log log;
	double last_flush;
	__u64 events_lost_said;
	bool rows_lost_said, overflow_lost_said, compat_said, uring_said; /* said once each */
	/* Children */
	pid_t command, demo;
	int command_status, demo_status;
	char *demo_path;
	GPtrArray *tour;	/* --explain: struct tour_stop */
};

/* tick.c, for session.c. */
void session_init_targets(struct session *s);
/* Processes (int) become targets: -c's and -u's. */
void session_add_targets(struct session *s, const GArray *pids);
/* -f: the targets' descendants that exist already become targets. */
void session_adopt_descendants(struct session *s);
/* -p: the targets' channels, and what the kernel side must watch for them. */
void session_find_target_objects(struct session *s);
/* Returns whether it scanned /proc, so that closed objects can be told. */
bool session_refresh_holders(struct session *s, bool force);
/* The graph and the metrics alone: from the start, and beside -e's lines. */
void session_export_only(struct session *s, bool final, double interval_s);
/* -e: the pending events, or the column titles (header), to the output. */
void session_print_events(struct session *s, bool header);
/* Until deadline, or a signal: with -e, reading events meanwhile. */
void session_wait_until(struct session *s, double deadline);

#endif
