// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include "common/common.h"
#include "output/sidecar.h"
#include "output/graph.h"
#include "output/outfile.h"
#include "output/prom_http.h"
#include "output/web_config.h"

int sidecar_open(struct sidecar *e, const struct sidecar_opts *opts, char *err, size_t errlen)
{
	*e = (struct sidecar){
		.opts = *opts,
		.prom = { .max_rows = opts->prom_rows, .wait = opts->wait },
	};
	if (opts->graph_path && outfile_check(opts->graph_path, "--graph", err, errlen))
		return -1;
	if (opts->prom_path && outfile_check(opts->prom_path, "--prom-file", err, errlen))
		return -1;
	if (opts->web_config && !(e->web = web_config_load(opts->web_config, err, errlen)))
		return -1;
	if (opts->listen) {
		e->server = prom_server_bind((const struct sockaddr *)&opts->listen_addr,
					     opts->listen_addrlen, opts->listen_text, e->web, err,
					     errlen);
		if (!e->server)
			return -1;
	}
	return 0;
}

int sidecar_serve(struct sidecar *e, double start_time, char *err, size_t errlen)
{
	e->prom.start_time = start_time;
	return e->server ? prom_server_start(e->server, err, errlen) : 0;
}

static void replace(const char *path, const char *text, size_t len, bool *failing)
{
	char err[512];

	if (outfile_replace(path, text, len, err, sizeof(err)) == 0) {
		*failing = false;
		return;
	}
	if (!*failing)
		p_err("%s: tracing goes on; this is said once", err);
	*failing = true;
}

void sidecar_frame(struct sidecar *e, const struct frame *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	if (e->opts.graph_path && (mem = open_memstream(&text, &len))) {
		output_graph(mem, f);
		fclose(mem);
		replace(e->opts.graph_path, text, len, &e->graph_failing);
		free(text);
		text = NULL;
	}
	if ((e->opts.prom_path || e->server) && (mem = open_memstream(&text, &len))) {
		output_prom(mem, f, &e->prom);
		fclose(mem);
		if (e->opts.prom_path)
			replace(e->opts.prom_path, text, len, &e->prom_failing);
		if (e->server)
			prom_server_publish(e->server, text, len);
		free(text);
	}
}

void sidecar_close(struct sidecar *e)
{
	prom_server_stop(e->server);
	e->server = NULL;
	web_config_free(e->web);
	e->web = NULL;
}
