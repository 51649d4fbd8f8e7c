/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus: the row model in the text exposition format, for
 * node_exporter's textfile collector (--prom-file) and for scrapes of
 * /metrics (--listen, prom_http.h). By default the traffic is added up by
 * labels of few values (prom_sets.c); --prom-detail gives series per PID
 * and object. ipctrace-output(5), PROMETHEUS, documents every metric and
 * the bounds on their number.
 */
#ifndef IPCTRACE_PROM_H
#define IPCTRACE_PROM_H

#include <stdbool.h>
#include <stdio.h>
#include "output/output.h"

struct prom_sets;

struct prom_style {
	/* label sets with series of their own; with detail, the busiest rows
	 * by bytes, per scrape */
	int max_rows;
	double start_time;	/* when ipctrace attached, in Unix seconds */
	bool wait;		/* WAIT is measured (no --no-wait) */
	double render_s;	/* rendering the metrics took, the last time */
	struct prom_sets *sets;	/* the aggregated counters; NULL: per PID and object */
};

/*
 * Every metric, for the rows of f: the live ones in an interval's frame; in
 * the final frame, every row of the run and ipctrace_up 0. With style->sets,
 * the sets' series (prom_sets_add() has taken f's rows first).
 */
void output_prom(FILE *out, const struct frame *f, const struct prom_style *style);

/* A label value, quoted and escaped as the exposition format asks. */
void prom_label_value(FILE *out, const char *s);
/* ,name="value", escaped likewise; nothing when value is "". */
void prom_label(GString *out, const char *name, const char *value);

enum prom_measure { PROM_BYTES, PROM_OPS, PROM_WAIT };

/* "} value\n": the one of the three a metric shows. */
void prom_value(FILE *out, enum prom_measure m, __u64 bytes, __u64 ops, __u64 wait_ns);

/* The aggregated counters (prom_sets.c): at most max_sets label sets of
 * their own, and one comm="(other)" per type and direction for the rest. */
struct prom_sets *prom_sets_new(int max_sets);
void prom_sets_free(struct prom_sets *ps);
/* Add what each row of f grew since it was last added. */
void prom_sets_add(struct prom_sets *ps, const struct frame *f);
/* One line per set: name{labels} value. */
void prom_sets_series(FILE *out, const struct prom_sets *ps, const char *name,
		      enum prom_measure m);
guint prom_sets_count(const struct prom_sets *ps);
/* Rows whose traffic went to comm="(other)" since the start. */
__u64 prom_sets_other_rows(const struct prom_sets *ps);

#endif
