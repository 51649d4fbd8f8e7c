/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who holds each IPC object open, from /proc/PID/fd. This is how an idle peer
 * (a reader that has not read yet) still shows, and how -p finds the peers of
 * channels that were opened before ipctrace started.
 */
#ifndef IPCTRACE_HOLDERS_H
#define IPCTRACE_HOLDERS_H

#include <sys/types.h>
#include "model/rows.h"

/* What the last refreshes read of each process (holders.c), kept so that
 * the next reads only the processes whose descriptors may have changed. */
struct holders_cache;
struct holders_cache *holders_cache_new(void);
void holders_cache_free(struct holders_cache *c);

/* Bring the holders of every object already in the store up to date; now:
 * the clock (now_s()), which says when every process is read again; whole:
 * every read through now, whatever the budget (the summary's). */
void holders_refresh(struct store *s, unsigned int type_mask, pid_t self,
		     struct holders_cache *c, double now, bool whole);

/*
 * A process whose descriptors changed is read again whole. One that made
 * 100,000 pipes at once has 200,000 to read, seconds' work that made its
 * refresh late: with a budget (> 0), a refresh reads at most that many
 * descriptors of such processes, the rest at the next refreshes, those
 * with at most HOLDERS_READ_WHOLE at once all the same. Until its read is
 * through, a process holds what its last one found, and it is among
 * holders_pending(): its rows are not taken for closed.
 */
#define HOLDERS_READ_WHOLE 256
/* The system-wide session's budget: a fraction of a 1 s interval's reading
 * on the slowest machines it was measured on (docs/performance.md). */
#define HOLDERS_READ_BUDGET 20000
void holders_read_budget(struct holders_cache *c, long long budget);
/* The pids whose read is under way (GINT_TO_POINTER keys), the cache's: not to change. */
GHashTable *holders_pending(const struct holders_cache *c);

/* Between refreshes, every interval: read again the next share of every
 * process's descriptors, so that each is read within HOLDERS_SWEEP_S. */
#define HOLDERS_SWEEP_S 25.0
/*
 * The kernel side's word on which processes' descriptor tables changed
 * (tracer_fd_changes(): FD_CHANGE_BUCKETS counters, and flags for the
 * tables it cannot vouch for), or NULL. A process it vouches for is read
 * again when its bucket moves, at the next refresh; the sweep reads its
 * mappings as before, and its descriptors only within
 * HOLDERS_SWEEP_VOUCHED_S, for what neither sees (a supervisor's
 * descriptor put in with seccomp's ADDFD, say).
 */
#define HOLDERS_SWEEP_VOUCHED_S 300.0
void holders_fd_changes(struct holders_cache *c, const volatile __u32 *changes,
			const volatile __u8 *unsure);
/* A sweep's step reads at most step_max seconds' share (the session's: two
 * intervals), however late it comes. */
void holders_sweep_pace(struct holders_cache *c, double step_max);
void holders_sweep(struct store *s, unsigned int type_mask, struct holders_cache *c, double now);

/* Add to the store every object pid holds open, with pid as a holder. */
void holders_of_process(struct store *s, unsigned int type_mask, pid_t pid);
/* Holders were added outside a refresh (holders_of_process): the next
 * refresh reads every process, as they are not among what it kept. */
void holders_cache_stale(struct holders_cache *c);

/* Give an object its readable name: the kernel's if it recorded one. */
void object_set_name(struct object *o, const char *kernel_name);
/* The object's name becomes a copy of name (and name_clean says of it). */
void object_name_replace(struct object *o, const char *name);

#endif
