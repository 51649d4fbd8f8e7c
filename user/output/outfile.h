/* SPDX-License-Identifier: GPL-2.0 */
/* Files rewritten every interval for another program to read: the graph, the metrics. */
#ifndef IPCTRACE_OUTFILE_H
#define IPCTRACE_OUTFILE_H

#include <stddef.h>

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

#endif
