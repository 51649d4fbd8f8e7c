/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files rewritten every interval for another program to read (the graph, the
 * metrics), and the unix socket removed at exit, after ipctrace has given up
 * the privilege to write them.
 *
 * Once attached, ipctrace runs as uid 65534 without CAP_DAC_OVERRIDE, so it
 * cannot make a file in root's directories. Files are therefore written by
 * the writer: a process of its own, forked before the tracer is loaded, that
 * keeps uid 0 and CAP_DAC_OVERRIDE alone (and the same seccomp filter), holds
 * no BPF object, and only replaces the files named to it here, with the text
 * ipctrace sends, and removes the sockets named here once ipctrace has ended.
 * A file written as a stream (opened once, before the drop) needs none of
 * this: its descriptor is enough.
 */
#ifndef IPCTRACE_OUTFILE_H
#define IPCTRACE_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdio.h>
#include <glib.h>

/*
 * Before the writer starts: whether path can be written (a typo in a
 * directory should stop the start, not the first interval), and path becomes
 * one the writer may replace. Returns 0, or -1 with the reason in err.
 */
int outfile_check(const char *path, const char *option, char *err, size_t errlen);

/* Before the writer starts: the socket at path is removed when ipctrace ends. */
void outfile_remove_at_exit(const char *path);

/*
 * Start the writer, if a file or socket was named: before the tracer is
 * loaded, so that it holds no BPF object. Its PID (the tracer leaves its
 * calls out), 0 when none is needed, or -1 with the reason in err.
 */
pid_t outfile_writer_start(char *err, size_t errlen);

/*
 * Replace path (one given to outfile_check()) with data: written beside it,
 * then renamed over it, so that a reader (a viewer, node_exporter) sees the
 * old file or the new one, never half of one. Mode 0644: the reader is
 * usually not root. Through the writer once it runs. Returns 0, or -1 with
 * the reason in err.
 */
int outfile_replace(const char *path, const char *data, size_t len, char *err, size_t errlen);

/* At the end: the writer removes the sockets and exits, and is waited for. */
void outfile_writer_stop(void);

/*
 * Where the table, JSON, CSV or -e's lines go: standard output, or -o FILE.
 * A frame is rendered into memory between outsink_begin() and
 * outsink_commit(), then a whole-frame output (the table) replaces the file
 * as outfile_replace() does, and a stream (JSON, CSV, -e) is appended with
 * one write(2) (a frame of more than a few megabytes in pieces of that
 * size, back to back as it is rendered, so that its size in memory stays
 * bounded), so that a reader of the file never meets half a frame left by
 * ipctrace's buffering.
 */
struct outsink {
	const char *path;	/* NULL: standard output */
	bool replace;		/* whole frames, renamed over path; else appended */
	int fd;			/* the appended file, opened once; -1 */
	FILE *mem;		/* the frame being written, into frame */
	GString *frame;		/* kept from frame to frame: a frame of 100,000
				 * rows grown anew each time was a quarter of
				 * the refresh (copies, zeroing, page faults) */
	bool failing;		/* a write failed: said once */
};

/*
 * Open -o FILE (NULL: standard output), before tracing and before
 * privileges are dropped: an appended file is created (truncated) now, a
 * replaced one checked and named to the writer (outfile_check()). Returns 0,
 * or -1 with the reason in err.
 */
int outsink_open(struct outsink *k, const char *path, bool replace, char *err, size_t errlen);
/* Where to write the next frame or lines. */
FILE *outsink_begin(struct outsink *k);
/* Put what was written since outsink_begin() in place. */
void outsink_commit(struct outsink *k);
/* Standard output's reader went away: the run should stop. */
bool outsink_gone(const struct outsink *k);
/* It writes into the null device (a service's standard output, as
 * debian/ipctrace.service has it): a frame made for it is work for nothing. */
bool outsink_discards(const struct outsink *k);
void outsink_close(struct outsink *k);

#endif
