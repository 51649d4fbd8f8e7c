/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF side's lifecycle, as one opaque object (retsnoop's mass_attacher):
 * tracer_new() with its own options, tracer_load(), tracer_attach(), then
 * reads each interval, tracer_free(). The command line's config is turned
 * into struct tracer_opts once, by the caller: nothing here knows options.
 */
#ifndef IPCTRACE_TRACER_H
#define IPCTRACE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <glib.h>
#include "model/rows.h"

struct tracer;
struct kernel_ops;

struct tracer_opts {
	unsigned int type_mask;	/* bit (1 << enum ipc_type) */
	const pid_t *pids;	/* -p: targets from the start */
	int npids;
	bool filter;		/* count only targets and their peers */
	bool follow;		/* targets' children are targets (-f, a command, the tour) */
	/* -c, -u without -p: a process that starts to match is a target. */
	bool select;
	const struct comm_glob *select_glob;	/* -c's; NULL: any name */
	bool select_by_uid;
	uid_t select_uid;	/* effective */
	const char *cgroup;	/* --cgroup PATH, or NULL */
	const char *netns;	/* --netns PATH (a namespace file), or NULL */
	int hex_cap;		/* -x: bytes of data per event; 0: none */
	bool wait;		/* measure WAIT (not --no-wait) */
	bool hist;		/* --hist */
	bool events;		/* -e: the events ring buffer */
	bool verbose;		/* -v: say why a build was refused */
	int max_rows;		/* the counter map's size (--max-rows); 0: MAX_ROWS */
	int max_objects;	/* the object-name map's size (--max-objects); 0: MAX_OBJECTS */
	int max_procs;		/* the process map's size (--max-procs); 0: MAX_PROCS */
	int read_gap_ms;	/* a pause between the process map's read and the
				 * counters' (IPCTRACE_READ_GAP_MS, a testing aid) */
	pid_t writer_pid;	/* ipctrace's output writer, not traced; 0: none */
};

/* What the caller tells the user once attached. */
struct tracer_info {
	unsigned int type_mask;	/* the types asked, less those the kernel cannot do */
	bool filter;		/* counting only targets and their peers */
	bool tp_btf;		/* tp_btf hooks (else raw_tp) */
	bool portable;		/* the portable BPF build is loaded (bpf/common.bpf.h) */
};

/*
 * Probe the kernel and settle what this run can trace (said on stderr when
 * it is less than asked). Each returns NULL or -1 with one line in err saying
 * what failed and what to do.
 */
struct tracer *tracer_new(const struct tracer_opts *opts, char *err, size_t errlen);
int tracer_load(struct tracer *t, char *err, size_t errlen);
int tracer_attach(struct tracer *t, char *err, size_t errlen);
void tracer_free(struct tracer *t);

void tracer_info(const struct tracer *t, struct tracer_info *info);

/* What the mechanisms may ask of the kernel side (model/mechanism.h);
 * valid while t lives. */
const struct kernel_ops *tracer_kernel_ops(struct tracer *t);

/*
 * The kernel side's word on which processes' descriptor tables changed
 * (bpf/core/fdset.bpf.h): FD_CHANGE_BUCKETS counters and flags, which it
 * goes on writing. False where it has none (a hook it rests on is missing).
 */
bool tracer_fd_changes(struct tracer *t, const volatile __u32 **changes,
		       const volatile __u8 **unsure);

/*
 * Read every counter into the store. Rows of processes that have exited get
 * their final totals, are marked exited, and leave the kernel maps, so the
 * maps hold only live processes.
 */
int tracer_collect(struct tracer *t, struct store *s);

/* The targets alive now, as the kernel counts them: -p's, and with -f or a
 * command, their children. The kernel forgets a target when it exits. */
void tracer_targets(struct tracer *t, GArray *pids);
/* A process ipctrace started (a command, a demo): a target, children too. */
void tracer_add_target(struct tracer *t, pid_t pid);
/* -p: count a process that may be at the other end of a target's channel. */
void tracer_add_peer(struct tracer *t, pid_t pid);

/* Rows that are final (their objects closed): take their last counts, then
 * delete their kernel entries. */
void tracer_forget(struct tracer *t, struct store *s, GPtrArray *rows);

/* -e: hand each logged operation (struct ipc_event) to on_event. */
typedef int (*tracer_event_fn)(void *ctx, void *data, size_t size);
int tracer_open_events(struct tracer *t, tracer_event_fn on_event, void *ctx);
/* Wait up to timeout_ms for events and hand them over; < 0 on error or EINTR. */
int tracer_poll_events(struct tracer *t, int timeout_ms);

void tracer_loss(const struct tracer *t, struct ipc_loss *loss);

/* The maps tracer_collect() read, as full as it found them; returns how many
 * (at most MAP_FILL_MAX). */
size_t tracer_map_fill(const struct tracer *t, struct map_fill *out);

#endif
