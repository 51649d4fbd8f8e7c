/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The outputs that go somewhere else than standard output, beside the table,
 * JSON or CSV: the graph file, the metrics file and the metrics server.
 */
#ifndef IPCTRACE_EXPORTS_H
#define IPCTRACE_EXPORTS_H

#include <stdbool.h>
#include <sys/socket.h>
#include "output/output.h"
#include "output/prom.h"

struct prom_server;

struct exports_opts {
	const char *graph_path;	/* --graph: a DOT file rewritten each interval */
	const char *prom_path;	/* --prom-file: the exposition format, likewise */
	int prom_rows;		/* rows with series of their own; the rest add up */
	bool wait;		/* WAIT is measured: its series are written */
	bool listen;		/* --listen: serve /metrics over HTTP */
	struct sockaddr_storage listen_addr;
	socklen_t listen_addrlen;
	const char *listen_text;	/* "127.0.0.1:9432", for messages */
};

struct exports {
	struct exports_opts opts;
	struct prom_server *server;
	struct prom_style prom;
	/* A write that fails says so once, not every interval. */
	bool graph_failing, prom_failing;
};

/* Before tracing: check the files can be written, bind the server's port. */
int exports_open(struct exports *e, const struct exports_opts *opts, char *err, size_t errlen);

/* Once attached and privileges dropped: serve, from start_time (Unix seconds). */
int exports_serve(struct exports *e, double start_time, char *err, size_t errlen);

/* Each interval and at exit: rewrite the files, hand the server its text. */
void exports_frame(struct exports *e, const struct frame *f);

void exports_close(struct exports *e);

#endif
