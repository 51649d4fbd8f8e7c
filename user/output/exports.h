/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The outputs that go somewhere else than standard output, beside the table,
 * JSON or CSV: the graph file, the metrics file and the metrics server.
 */
#ifndef IPCTRACE_EXPORTS_H
#define IPCTRACE_EXPORTS_H

#include <stdbool.h>
#include "cli/options.h"
#include "output/output.h"
#include "output/prom.h"

struct prom_server;

struct exports {
	const struct config *cfg;
	struct prom_server *server;
	struct prom_style prom;
	/* A write that fails says so once, not every interval. */
	bool graph_failing, prom_failing;
};

/* Before tracing: check the files can be written, bind the server's port. */
int exports_open(struct exports *e, const struct config *cfg, char *err, size_t errlen);

/* Once attached and privileges dropped: serve, from start_time (Unix seconds). */
int exports_serve(struct exports *e, double start_time, char *err, size_t errlen);

/* Each interval and at exit: rewrite the files, hand the server its text. */
void exports_frame(struct exports *e, const struct frame *f);

void exports_close(struct exports *e);

#endif
