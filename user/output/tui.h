/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interactive table (ncurses), used on a terminal: the same rows as the
 * plain table, one line per process that expands into its channels, with
 * keys to sort, filter, pause and quit. The main loop hands it each frame and
 * waits in it for the next interval while it reads keys.
 */
#ifndef IPCTRACE_TUI_H
#define IPCTRACE_TUI_H

#include <stdbool.h>
#include "common/settings.h"
#include "output/output.h"

struct tui;

struct tui_opts {
	enum sort_key sort;	/* to begin with; keys change it */
	unsigned int type_mask;	/* the types traced: the filter can only narrow them */
	int rows;		/* -r: at most this many processes; 0: what fits */
	double interval_s;	/* shown in the header */
	bool color;		/* each type in its graph colour (not --no-color, NO_COLOR) */
};

/*
 * Take the terminal. NULL, with the reason on stderr, when it cannot be
 * driven; the caller then prints the plain table.
 */
struct tui *tui_start(const struct tui_opts *opts);

/* A new frame: f->rows holds every row, retired ones too. Copied. */
void tui_show(struct tui *t, const struct frame *f);

/*
 * Read and act on keys until deadline (CLOCK_MONOTONIC seconds) or until a
 * signal arrives, so that the caller can look at its flags. Returns false
 * when the user quit.
 */
bool tui_wait(struct tui *t, double deadline);

/* The sort key last chosen, for the summary. */
enum sort_key tui_sort_key(const struct tui *t);

/* Give the terminal back as it was, then what went to stderr meanwhile. */
void tui_stop(struct tui *t);

#endif
