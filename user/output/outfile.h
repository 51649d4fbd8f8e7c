/* SPDX-License-Identifier: GPL-2.0 */
/* Files rewritten every interval for another program to read: the graph, the metrics. */
#ifndef IPCTRACE_OUTFILE_H
#define IPCTRACE_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Whether path can be written, checked before anything is traced: a typo in
 * a directory should stop the start, not the first interval. Returns 0, or
 * -1 with the reason in err.
 */
int outfile_check(const char *path, const char *option, char *err, size_t errlen);

/*
 * Replace path with data: written beside it, then renamed over it, so that a
 * reader (a viewer, node_exporter) sees the old file or the new one, never
 * half of one. Mode 0644: the reader is usually not root. Returns 0, or -1
 * with the reason in err.
 */
int outfile_replace(const char *path, const char *data, size_t len, char *err, size_t errlen);

/*
 * Where the table, JSON, CSV or -e's lines go: standard output, or -o FILE.
 * A frame is rendered into memory between outsink_begin() and
 * outsink_commit(), then a whole-frame output (the table) replaces the file
 * as outfile_replace() does, and a stream (JSON, CSV, -e) is appended with
 * one write(2), so that a reader of the file never meets half a frame left
 * by ipctrace's buffering.
 */
struct outsink {
	const char *path;	/* NULL: standard output */
	bool replace;		/* whole frames, renamed over path; else appended */
	int fd;			/* the appended file, opened once; -1 */
	FILE *mem;		/* the frame being written */
	char *buf;
	size_t len;
	bool failing;		/* a write failed: said once */
};

/*
 * Open -o FILE (NULL: standard output), before tracing and before
 * privileges are dropped: an appended file is created (truncated) now, a
 * replaced one checked. Returns 0, or -1 with the reason in err.
 */
int outsink_open(struct outsink *k, const char *path, bool replace, char *err, size_t errlen);
/* Where to write the next frame or lines. */
FILE *outsink_begin(struct outsink *k);
/* Put what was written since outsink_begin() in place. */
void outsink_commit(struct outsink *k);
/* Standard output's reader went away: the run should stop. */
bool outsink_gone(const struct outsink *k);
void outsink_close(struct outsink *k);

#endif
