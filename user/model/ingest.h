/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel's maps say, written into the row model. The loader reads
 * the maps (it alone knows BPF) and hands each entry here; each function says
 * whether the kernel's entry has served and can be deleted, so that the maps
 * hold only what is still counting. Nothing here touches BPF.
 */
#ifndef IPCTRACE_INGEST_H
#define IPCTRACE_INGEST_H

#include <stdbool.h>
#include <glib.h>
#include <linux/types.h>
#include "ipctrace.h"
#include "model/rows.h"

/* The kernel's process table (struct ipc_proc) as the model keeps it:
 * proc_id() -> struct proc_info, emptied and refilled each read. */
GHashTable *ingest_procs_new(void);
const struct proc_info *ingest_proc(GHashTable *procs, const struct ipc_proc_key *who,
				    const struct ipc_proc *kp);

/* Before each read of the maps. */
void ingest_begin(struct store *s);

/*
 * One row's running totals, and its process's latest title. *created: the
 * row is new, and wants its names (ingest_new_row). Returns whether its
 * process has exited, so that the totals just read are final and the
 * kernel's entry can go.
 */
bool ingest_counters(struct store *s, GHashTable *procs, const struct ipc_key *key,
		     const struct ipc_counters *c, struct row **row, bool *created);

/*
 * Name a new row's process and object. info: what the kernel recorded of the
 * object when it first saw it, NULL if nothing.
 */
void ingest_new_row(struct row *r, GHashTable *procs, struct ipc_obj_info *info);

/* What a row's counters hold besides bytes and ops: WAIT, named events, its
 * first label. */
void ingest_events(struct row *r, const struct ipc_counters *c);

/* A label's totals; true when the entry can go (its row has exited). */
bool ingest_label(struct store *s, const struct ipc_label_key *key,
		  const struct ipc_label_counts *v);
/* --hist: a row's histograms; true when the entry can go. */
bool ingest_hist(struct store *s, const struct ipc_key *key, const struct ipc_hist *h);
/* Who removed an object (by System V id or by name); one not found yet is
 * looked for again by ingest_pending_removals(), for a few reads. */
void ingest_removal(struct store *s, struct ipc_removal_key *key, __u32 tgid);
/* Before each read's removals, once its rows are in. */
void ingest_pending_removals(struct store *s);
/* Where a datagram socket sent; true when the entry can go (no live row). */
bool ingest_dest(struct store *s, const struct ipc_dest_key *key, __u64 count);

/* Once per read: each module of the types traced refreshes its objects'
 * names and state (a queue's depth). */
void ingest_refresh(struct store *s, unsigned int type_mask);

/*
 * Once attached: each module of the types traced learns what the kernel
 * side must know of what exists already (System V keys, shared mappings).
 */
struct kernel_ops;
void ingest_start(struct store *s, unsigned int type_mask, const struct kernel_ops *kops);

/* -p: a target's object; its module tells the kernel what to watch for it. */
void ingest_watch_target(struct store *s, struct object *o, const struct kernel_ops *kops);

#endif
