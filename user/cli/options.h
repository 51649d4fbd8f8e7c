/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IPCTRACE_OPTIONS_H
#define IPCTRACE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include "common/settings.h"

/*
 * --prom-rows by default: a scrape then holds at most 3 * (200 + 22) series
 * of traffic (label sets, or with --prom-detail rows), plus ipctrace's own
 * (ipctrace-output(5), PROMETHEUS).
 */
#define PROM_ROWS_DEFAULT 1000

/* --listen with a port alone serves loopback only: metrics name processes. */
#define LISTEN_DEFAULT_HOST "127.0.0.1"

struct config {
	pid_t pids[MAX_TARGET_PIDS];
	int npids;
	unsigned int type_mask;	/* bit (1 << enum ipc_type); all by default */
	bool types_set;		/* -t given: the types asked are shown as they are */
	double interval_s;
	bool interval_set;	/* -i given: with a command, tables as it runs */
	double duration_s;	/* 0: until SIGINT/SIGTERM */
	int count;		/* --count, or [interval [count]]: intervals, then the summary; 0: no limit */
	int positionals;	/* [interval [count]] seen so far */
	int rows;		/* 0: all (or what fits a terminal) */
	enum sort_key sort;
	bool no_clear;
	bool no_color;		/* --no-color (NO_COLOR is read by main) */
	bool no_tui;		/* the plain table even on a terminal */
	bool json;
	bool ndjson;		/* --ndjson: JSON, a line per row (json is set too) */
	bool csv;
	const char *output_path;	/* -o: the table, JSON, CSV or -e's lines go there */
	const char *capture_path;	/* -w: -x's data as pcapng */
	const char *graph_path;	/* --graph: a DOT file rewritten each interval */
	const char *prom_path;	/* --prom-file: the exposition format, likewise */
	int prom_rows;		/* label sets (rows) with series of their own */
	bool prom_detail;	/* --prom-detail: series per PID and object */
	bool listen;		/* --listen: serve /metrics over HTTP */
	struct sockaddr_storage listen_addr;
	socklen_t listen_addrlen;
	char listen_text[128];	/* "127.0.0.1:9432" or "unix:PATH", for messages */
	const char *web_config;	/* --web-config FILE: TLS and users for --listen */
	bool verbose;
	bool demo;
	bool features;		/* print what the kernel offers and exit */
	const char *drop_test_path;	/* --drop-self-test (hidden): FILE, or NULL */
	pid_t drop_test_pid;		/* and its PID */
	bool events;		/* -e: a line per operation instead of the table */
	int hex_cap;		/* -x: bytes of each transfer's data shown; 0: none */
	int max_rows;		/* --max-rows: the kernel side's rows; 0: MAX_ROWS */
	int max_objects;	/* --max-objects: the object-name map's size; 0: MAX_OBJECTS */
	int max_procs;		/* --max-procs: the process map's size; 0: MAX_PROCS */
	int read_gap_ms;	/* IPCTRACE_READ_GAP_MS (a testing aid); 0: none */
	bool no_wait;		/* do not measure WAIT (the sched_switch hook) */
	bool hist;		/* --hist: size and wait histograms per row */
	bool follow;		/* -f: targets' children are targets */
	const char *comm;	/* -c: a name or glob; NULL: any */
	bool by_uid;		/* -u given */
	uid_t uid;		/* -u */
	const char *cgroup;	/* --cgroup PATH */
	const char *netns;	/* --netns PATH */
	bool explain;		/* --demo --explain: the guided tour */
	char **command;		/* after "--": run it and trace it; NULL-terminated */
	char error[256];	/* why parsing failed, for the one-line message */
};

/* Each returns 0, or -1 with the reason in err. Exposed for the unit tests. */
int parse_pid(const char *arg, pid_t *pid, char *err, size_t errlen);
/* One or more PIDs, by commas or white space, appended to pids[*npids]. */
int parse_pid_list(const char *arg, pid_t *pids, int *npids, char *err, size_t errlen);
/* -c: a process name or glob; -u: a user name or UID. */
int parse_comm(const char *arg, const char **comm, char *err, size_t errlen);
int parse_user(const char *arg, uid_t *uid, char *err, size_t errlen);
int parse_seconds(const char *arg, const char *what, double min, double max,
		  double *out, char *err, size_t errlen);
int parse_count(const char *arg, const char *what, int *out, char *err, size_t errlen);
int parse_int_range(const char *arg, const char *what, long min, long max, int *out,
		    char *err, size_t errlen);
int parse_sort(const char *arg, enum sort_key *key, char *err, size_t errlen);
/* "9432", ":9432" (loopback), "0.0.0.0:9432", "[::1]:9432", "localhost:9432". */
int parse_listen(const char *arg, struct sockaddr_storage *addr, socklen_t *addrlen,
		 char *text, size_t textlen, char *err, size_t errlen);
int parse_path(const char *arg, const char *option, const char **out, char *err, size_t errlen);

void config_defaults(struct config *cfg);

/*
 * argp_flags 0: errors print one line and exit 2, like a command line tool.
 * Tests pass ARGP_SILENT and read cfg->error instead.
 * Returns 0 or an errno value.
 */
int parse_options(int argc, char **argv, struct config *cfg, unsigned int argp_flags);

#endif
