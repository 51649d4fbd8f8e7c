/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Settings more than one layer needs: the model sorts rows by the sort key,
 * the outputs and the interactive table show and change it. They live here,
 * on the ground floor, so that no layer below the command line includes the
 * command line's header (cli/options.h parses into these).
 */
#ifndef IPCTRACE_SETTINGS_H
#define IPCTRACE_SETTINGS_H

/* -p, repeated: the session keeps per-target state in arrays this long. */
#define MAX_TARGET_PIDS 64

/* --max-rows: at least room for a reserve of overflow rows; at most what a
 * hash map's preallocation (about 170 bytes a row) keeps to a few hundred MB. */
#define MAX_ROWS_MIN 256
#define MAX_ROWS_MAX (1 << 21)
/* --max-objects: objects the kernel side names between two reads (about
 * 430 bytes each); past them an object shows by its inode or id. */
#define MAX_OBJECTS_MIN 64
#define MAX_OBJECTS_MAX (1 << 20)
/* --max-procs: processes with rows the kernel side describes between two
 * reads (about 112 bytes each); past them a row's name and exit come from
 * /proc. */
#define MAX_PROCS_MIN 64
#define MAX_PROCS_MAX (1 << 20)

/* -r: how many rows a table shows. 0, the default: what fits a terminal
 * live, SUMMARY_ROWS in the summary (a make run's short-lived processes
 * would make thousands), every row elsewhere; ROWS_ALL (-r all): every row. */
#define ROWS_ALL (-1)
#define SUMMARY_ROWS 150

enum sort_key {
	SORT_BYTES = 0,	/* bytes per second this interval */
	SORT_OPS,	/* ops per second this interval */
	SORT_TOTAL,	/* bytes since start */
	SORT_PID,
	SORT_COMM,
	SORT_TYPE,
};

/* How many: not in the enum, so that a switch over the keys needs no case for it. */
#define SORT_KEYS (SORT_TYPE + 1)

/* "bytes", "ops"...: as -s takes them and the interactive table shows them. */
const char *sort_key_name(enum sort_key key);
/* -1 if name is none of them. */
int sort_key_from_name(const char *name);

#endif
