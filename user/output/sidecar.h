/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sidecar: the outputs that go somewhere else than standard output,
 * beside the table, JSON or CSV: the graph file (DOT), the Prometheus file
 * and the Prometheus HTTP server, each rewritten from every frame.
 */
#ifndef IPCTRACE_SIDECAR_H
#define IPCTRACE_SIDECAR_H

#include <stdbool.h>
#include <sys/socket.h>
#include "output/output.h"
#include "output/prom.h"

struct prom_server;

struct sidecar_opts {
	const char *graph_path;	/* --graph: a DOT file rewritten each interval */
	const char *prom_path;	/* --prom-file: the exposition format, likewise */
	int prom_rows;		/* rows with series of their own; the rest add up */
	bool wait;		/* WAIT is measured: its series are written */
	bool listen;		/* --listen: serve /metrics over HTTP */
	struct sockaddr_storage listen_addr;
	socklen_t listen_addrlen;
	const char *listen_text;	/* "127.0.0.1:9432", for messages */
	const char *web_config;	/* --web-config FILE: TLS and users for the server */
};

struct sidecar {
	struct sidecar_opts opts;
	struct prom_server *server;
	struct web_config *web;
	struct prom_style prom;
	/* A write that fails says so once, not every interval. */
	bool graph_failing, prom_failing;
};

/* Before tracing, while privileged: check the files can be written, read
 * --web-config and its certificate and key, bind the server's port. */
int sidecar_open(struct sidecar *e, const struct sidecar_opts *opts, char *err, size_t errlen);

/* Once attached and privileges dropped: serve, from start_time (Unix seconds). */
int sidecar_serve(struct sidecar *e, double start_time, char *err, size_t errlen);

/* Each interval and at exit: rewrite the files, hand the server its text. */
void sidecar_frame(struct sidecar *e, const struct frame *f);

void sidecar_close(struct sidecar *e);

#endif
