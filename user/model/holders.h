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
 * the clock (now_s()), which says when every process is read again. */
void holders_refresh(struct store *s, unsigned int type_mask, pid_t self,
		     struct holders_cache *c, double now);

/* Between refreshes, every interval: read again the next share of every
 * process's descriptors, so that each is read within HOLDERS_SWEEP_S. */
#define HOLDERS_SWEEP_S 25.0
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

#endif
