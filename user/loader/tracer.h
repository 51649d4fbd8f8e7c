/* SPDX-License-Identifier: GPL-2.0 */
/* The BPF side's lifecycle: configure, load, attach, read, detach. */
#ifndef IPCTRACE_TRACER_H
#define IPCTRACE_TRACER_H

#include <stddef.h>
#include "loader/feature_probe.h"
#include "cli/options.h"
#include "model/rows.h"

struct ipctrace_bpf;
struct bpf_link;
struct ring_buffer;

struct tracer {
	struct ipctrace_bpf *skel;
	struct features feat;
	unsigned int type_mask;	/* the types asked, less those the kernel cannot do */
	struct bpf_link *links[16];
	int nlinks;
	void *keys, *values;	/* map dump buffers, sized for the largest map */
	GHashTable *procs;	/* tgid -> struct proc_info, from the last read */
	struct ring_buffer *events;	/* -e */
	bool wait_wanted;	/* WAIT was asked for (not --no-wait) */
	bool wait;		/* WAIT is measured */
	bool hist;		/* --hist */
	bool filter;		/* counting only targets and their peers */
	bool portable;		/* the portable BPF build is loaded (bpf/common.bpf.h) */
	GHashTable *closed_owners;	/* -p: watched entries' sockets found closed
					 * at the last check (prune_watched) */
};

/* Returns 0, or -1 with one line in err saying what failed and what to do. */
int tracer_start(struct tracer *t, const struct config *cfg, char *err, size_t errlen);

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
/* -p: whoever connects to this address (a target's listener) is a peer;
 * owner is the listening socket's inode: the entry goes when it closes. */
void tracer_watch_listener(struct tracer *t, const struct ipc_sock_addr *addr, __u64 owner);
/* A shared mapping made before ipctrace started: its process's page faults
 * and futexes on it count, and its detach. */
void tracer_add_range(struct tracer *t, pid_t pid, const struct shared_range *r);
/* -p: count the socket with this tuple (the far end of a target's). */
void tracer_watch_tuple(struct tracer *t, const struct ipc_tuple *tuple, __u64 owner);

/* Rows that are final (their objects closed): take their last counts, then
 * delete their kernel entries. */
void tracer_forget(struct tracer *t, struct store *s, GPtrArray *rows);

/* -e: hand each logged operation (struct ipc_event) to on_event. */
typedef int (*tracer_event_fn)(void *ctx, void *data, size_t size);
int tracer_open_events(struct tracer *t, tracer_event_fn on_event, void *ctx);
/* Wait up to timeout_ms for events and hand them over; < 0 on error or EINTR. */
int tracer_poll_events(struct tracer *t, int timeout_ms);

void tracer_loss(const struct tracer *t, struct ipc_loss *loss);
void tracer_stop(struct tracer *t);

#endif
