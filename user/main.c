// SPDX-License-Identifier: GPL-2.0
/*
 * ipctrace: which processes talk to which over IPC, and how much.
 * main() only parses, starts, loops and stops; the run is a session.
 *
 * user/ is layered; each folder includes only those before it:
 *   common/      now_s(), p_err(), settings several layers share (sort key)
 *   model/       rows and their store, holders, /proc, cgroups, System V,
 *                the mechanism registry, what the kernel's maps say (ingest)
 *   mechanisms/  one file per mechanism: its syscalls, names and state
 *   loader/      the BPF side: feature probes, the tracer object
 *   output/      table, JSON, CSV, DOT graph, Prometheus (file and HTTP),
 *                -e's events, the interactive table, file replacement
 *   session/     the run: ticks, the tour, privileges, child processes
 *   cli/         the command line (struct config), translated here, once,
 *                into the session's options
 * The registry's list of mechanisms (model/mechanism.c) names each module's
 * struct, the one arrow upward, at link time only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "common/common.h"
#include "loader/feature_probe.h"
#include "output/prom_http.h"
#include "session/privileges.h"
#include "session/session.h"
#include "session/signals.h"
#include "cli/options.h"

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	return vfprintf(stderr, fmt, args);
}

/* --features: what the kernel offers, and whether this process may load. */
static void show_features(void)
{
	struct features f;

	features_probe(&f);
	features_print(stdout, &f);
	features_line(stdout, "TLS for --listen", prom_server_has_tls(),
		      prom_server_has_tls() ? "libmicrohttpd with HTTPS"
					    : "libmicrohttpd without HTTPS: plain HTTP only",
		      "make dist's static builds leave TLS out; the Debian package has it");
	if (privileges_check())
		printf("(without those privileges, the probes that load a BPF program say no)\n");
}

static void session_opts_from(const struct config *cfg, struct session_opts *o)
{
	*o = (struct session_opts){
		.tracer = { .type_mask = cfg->type_mask, .cgroup = cfg->cgroup,
			    .netns = cfg->netns,
			    .hex_cap = cfg->hex_cap, .wait = !cfg->no_wait, .hist = cfg->hist,
			    .max_rows = cfg->max_rows, .max_objects = cfg->max_objects,
			    .max_procs = cfg->max_procs, .read_gap_ms = cfg->read_gap_ms,
			    .events = cfg->events, .verbose = cfg->verbose },
		.sidecar = { .graph_path = cfg->graph_path, .prom_path = cfg->prom_path,
			     .prom_rows = cfg->prom_rows, .prom_detail = cfg->prom_detail,
			     .wait = !cfg->no_wait,
			     .listen = cfg->listen, .listen_addr = cfg->listen_addr,
			     .listen_addrlen = cfg->listen_addrlen, .listen_text = cfg->listen_text,
			     .web_config = cfg->web_config },
		.npids = cfg->npids, .follow = cfg->follow,
		.select = { .comm = cfg->comm, .by_uid = cfg->by_uid, .uid = cfg->uid },
		.interval_s = cfg->interval_s, .interval_set = cfg->interval_set,
		.duration_s = cfg->duration_s, .count = cfg->count, .rows = cfg->rows, .sort = cfg->sort,
		.no_clear = cfg->no_clear, .json = cfg->json, .csv = cfg->csv,
		.ndjson = cfg->ndjson,
		/* no-color.org: NO_COLOR set and not empty turns colours off. */
		.color = !cfg->no_color && !(getenv("NO_COLOR") && getenv("NO_COLOR")[0]),
		.output_path = cfg->output_path, .capture_path = cfg->capture_path,
		/* -t naming the types shows their rows as they are. */
		.fold_exit_notices = !cfg->types_set,
		.events = cfg->events, .hex_cap = cfg->hex_cap,
		.demo = cfg->demo, .explain = cfg->explain, .command = cfg->command,
	};
	for (int i = 0; i < cfg->npids; i++)
		o->pids[i] = cfg->pids[i];
	/* A command after -- owns the terminal; the tour prints text to read;
	 * CSV and -o are for a file. */
	o->tui = !cfg->json && !cfg->csv && !cfg->events && !cfg->no_tui && !cfg->no_clear &&
		 !cfg->command && !cfg->explain && !cfg->output_path && isatty(STDOUT_FILENO);
}

int main(int argc, char **argv)
{
	struct config cfg;	/* the session points into it (paths, the command): lives to the end */
	struct session_opts opts;
	struct session *s = NULL;
	int ret;

	signals_install();
	if (parse_options(argc, argv, &cfg, 0)) {
		p_err("%s", cfg.error);
		ret = 2;
		goto cleanup;
	}
	libbpf_set_print(cfg.verbose ? libbpf_print : NULL);
	if (cfg.features) {
		show_features();
		ret = 0;
		goto cleanup;
	}
	if (cfg.drop_test_path) {
		ret = privileges_self_test(cfg.drop_test_pid, cfg.drop_test_path);
		goto cleanup;
	}
	ret = 1;
	if (privileges_check())
		goto cleanup;
	session_opts_from(&cfg, &opts);
	s = session_new(&opts);
	if (!s)
		goto cleanup;
	ret = session_start(s);
	if (ret) {
		ret = ret < 0 ? 0 : ret;	/* < 0: stopped while loading */
		goto cleanup;
	}
	ret = session_run(s);

cleanup:
	session_free(s);
	return ret;
}
