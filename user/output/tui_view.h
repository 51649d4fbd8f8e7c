/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the interactive table shows, without the terminal: copies of the rows
 * (a paused screen must outlive the store's rows, which it frees as processes
 * exit), grouped into one line per process with its totals, filtered, sorted
 * with the same keys as the plain table, each process expanded into its rows
 * or not. Kept apart from ncurses so that the unit tests can check it.
 */
#ifndef IPCTRACE_TUI_VIEW_H
#define IPCTRACE_TUI_VIEW_H

#include <stdbool.h>
#include <glib.h>
#include "common/settings.h"
#include "model/rows.h"

/* A row copied with what formatting and sorting read of it and its object. */
struct view_row {
	struct row row;		/* peers, labels copied; obj points at obj; no hist */
	struct object obj;	/* key, name and attrs only */
};

/* Copies of rows (struct row *), as struct view_row *; free with g_ptr_array_unref. */
GPtrArray *tui_view_snapshot(const GPtrArray *rows);

/* One process: its totals in the row model, so that row_compare sorts it. */
struct view_group {
	struct row sum;		/* pid, comm, bytes, ops, rates, wait; peers: the union */
	GPtrArray *rows;	/* struct row *, its channels, sorted */
	unsigned int types;	/* bit (1 << enum ipc_type) */
	unsigned int dirs;	/* bit (1 << enum ipc_dir) */
	bool expanded;
	bool titled;		/* its name is shared by other titles: show its own */
};

/* A line of the table: a process, or one of its rows under it. */
struct view_line {
	struct view_group *group;
	const struct row *row;	/* NULL: the process's own line */
};

struct view_options {
	enum sort_key sort;
	bool inverted;		/* the sort's order turned round (htop's I) */
	unsigned int type_mask;	/* bit (1 << enum ipc_type) */
	const char *comm;	/* a part of any column, any case; NULL or "": all */
	bool show_exited;	/* also processes gone before the last refresh */
	int max_groups;		/* 0: all */
	bool all_expanded;	/* every process expanded but those in toggled */
	GHashTable *toggled;	/* GINT_TO_POINTER(pid): flipped from all_expanded */
};

struct view {
	GPtrArray *groups;	/* struct view_group *, sorted */
	GArray *lines;		/* struct view_line */
	unsigned int rows;	/* rows that passed the filters */
	unsigned int groups_cut; /* processes left out by max_groups */
};

/* The view of snapshot (struct view_row *) under o. Free with tui_view_free. */
struct view *tui_view_build(const GPtrArray *snapshot, const struct view_options *o);
void tui_view_free(struct view *v);

#endif
