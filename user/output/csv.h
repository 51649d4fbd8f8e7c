/* SPDX-License-Identifier: GPL-2.0 */
/* The table as CSV (RFC 4180), for spreadsheets and scripts. */
#ifndef IPCTRACE_OUTPUT_CSV_H
#define IPCTRACE_OUTPUT_CSV_H

#include <stdbool.h>
#include <stdio.h>
#include "output/output.h"

/*
 * The frame's rows, each carrying the frame's time, so that every interval
 * of a run, and the final summary after them, append to one table; the
 * column names first when header is true (once per run).
 */
void output_csv(FILE *out, const struct frame *f, bool header);

/* One field, quoted and its quotes doubled when it needs that. */
void output_csv_field(FILE *out, const char *s);

#endif
