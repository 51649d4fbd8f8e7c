/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus: the row model in the text exposition format, for
 * node_exporter's textfile collector (--prom-file) and for scrapes of
 * /metrics (--listen, prom_http.h). README, section Prometheus, documents
 * the metrics and their bound.
 */
#ifndef IPCTRACE_PROM_H
#define IPCTRACE_PROM_H

#include <stdbool.h>
#include <stdio.h>
#include "output/output.h"

struct prom_style {
	int max_rows;		/* rows with series of their own, the busiest by bytes */
	double start_time;	/* when ipctrace attached, in Unix seconds */
	bool wait;		/* WAIT is measured (no --no-wait) */
};

/*
 * Every metric, for the rows of f: the live ones in an interval's frame; in
 * the final frame, every row of the run and ipctrace_up 0.
 */
void output_prom(FILE *out, const struct frame *f, const struct prom_style *style);

/* A label value, quoted and escaped as the exposition format asks. */
void prom_label_value(FILE *out, const char *s);

#endif
