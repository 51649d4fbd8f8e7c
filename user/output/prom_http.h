/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --listen: /metrics over HTTP, served by libmicrohttpd in a thread of its
 * own. The tracer renders each interval's metrics once and hands the text
 * over; a request copies the text under a lock, so a slow or stuck client
 * costs the tracer nothing. Each connection is one request and is closed at
 * its deadline (the man page gives the figures).
 */
#ifndef IPCTRACE_PROM_HTTP_H
#define IPCTRACE_PROM_HTTP_H

#include <stddef.h>
#include <sys/socket.h>

struct prom_server;
struct web_config;

/*
 * Bind and listen now, while ipctrace still has its privileges (a port
 * below 1024) and before the BPF programs load, and set the server up: a
 * bad address or a port in use stops the start. Nothing is accepted before
 * prom_server_start(). web (--web-config: TLS, users; NULL: plain HTTP for
 * all) must outlive the server. NULL with the reason in err.
 */
struct prom_server *prom_server_bind(const struct sockaddr *addr, socklen_t addrlen,
				     const char *text, struct web_config *web,
				     char *err, size_t errlen);

/*
 * Serve: start the server's thread. Called once privileges are dropped, since
 * capabilities belong to each thread and a thread started earlier keeps them.
 */
int prom_server_start(struct prom_server *s, char *err, size_t errlen);

/* The text /metrics answers with from now on (copied). */
void prom_server_publish(struct prom_server *s, const char *text, size_t len);

void prom_server_stop(struct prom_server *s);

#endif
