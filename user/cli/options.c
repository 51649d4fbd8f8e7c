// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/un.h>
#include <math.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/options.h"
#include "model/mechanism.h"
#include "ipctrace.h"

/* The kernel's ceiling for pid_max on 64-bit (include/linux/threads.h). */
#define PID_MAX_LIMIT 4194304

const char *argp_program_version = "ipctrace " IPCTRACE_VERSION;
const char *argp_program_bug_address = NULL;

static const char doc[] =
"Show which processes talk to which over IPC, and how much.\v"
"ipctrace counts every IPC operation in the kernel and prints a table per\n"
"process, IPC object and direction, refreshed every interval.\n"
"PEERS are the processes at the other end: those whose traffic went the other\n"
"way, and those holding the other end open.\n"
"\n"
"On a terminal the table is interactive (press ? for its keys): sort, filter\n"
"by type or name, pause, expand a process into its channels, q to quit.\n"
"--no-tui, --no-clear, --json, or an output that is not a terminal give the\n"
"plain table instead.\n"
"\n"
"EXAMPLES:\n"
"    ipctrace                 # every process, refreshed each second\n"
"    ipctrace -p 1234         # process 1234 and the processes it talks to\n"
"    ipctrace -t fifo -s total  # FIFOs only, sorted by bytes since start\n"
"    ipctrace 5 12            # 12 intervals of 5 s, then the summary\n"
"    ipctrace --json -d 10    # one JSON object per interval, then a final one\n"
"    ipctrace --csv > ipc.csv # every interval as rows of one CSV table\n"
"    ipctrace --json -o ipc.json -- make  # JSON in a file; make keeps stdout\n"
"    ipctrace --graph ipc.dot # who talks to whom: dot -Tsvg ipc.dot\n"
"    ipctrace --listen 9432   # metrics at http://127.0.0.1:9432/metrics\n"
"    ipctrace -e -t mq        # one line per message queue operation\n"
"    ipctrace -x -p 1234      # each operation of 1234, with its data\n"
"    ipctrace --demo          # run the bundled demo workloads and watch them\n"
"    ipctrace --demo --explain  # a guided tour of each mechanism\n"
"    ipctrace -- make -j4     # run a command and trace it and its children\n"
"    ipctrace -p 1234 -f      # 1234 and its descendants, existing and new\n"
"    ipctrace -c nginx -f     # every process named nginx, and their children\n"
"    ipctrace -u postgres     # every process of user postgres\n"
"    ipctrace --cgroup system.slice/nginx.service  # one service (or container)\n"
"\n"
"SORT KEYS: bytes (per second, the default), ops (per second), total, pid,\n"
"comm, type.\n"
"\n"
"Needs root, or CAP_BPF and CAP_PERFMON, and a kernel with BTF.";

enum {
	OPT_NO_CLEAR = 0x100,
	OPT_JSON,
	OPT_NDJSON,
	OPT_NO_COLOR,
	OPT_DEMO,
	OPT_USAGE,
	OPT_FEATURES,
	OPT_CSV,
	OPT_GRAPH,
	OPT_PROM_FILE,
	OPT_PROM_ROWS,
	OPT_PROM_DETAIL,
	OPT_LISTEN,
	OPT_NO_TUI,
	OPT_HEX_BYTES,
	OPT_NO_WAIT,
	OPT_HIST,
	OPT_CGROUP,
	OPT_NETNS,
	OPT_EXPLAIN,
	OPT_MAX_ROWS,
	OPT_MAX_OBJECTS,
	OPT_MAX_PROCS,
	OPT_WEB_CONFIG,
	OPT_COUNT,
	OPT_DROP_SELF_TEST,
};

/* -x without a value: enough to recognise a protocol, short enough to read. */
#define HEX_CAP_DEFAULT 64

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0,
	  "Only PID and its peers (repeatable; or a list, -p 1,2 or -p \"$(pidof nginx)\")", 0 },
	{ "comm", 'c', "NAME", 0,
	  "Only processes named NAME (as ps -o comm shows it; or a glob, 'postgres*') and "
	  "their peers, at start and later (exec); with -p or -u, those that match all", 0 },
	{ "user", 'u', "USER", 0,
	  "Only processes of USER (a name or UID, the effective one, as top -u) and their "
	  "peers, at start and later; with -p or -c, those that match all", 0 },
	{ "follow", 'f', NULL, 0,
	  "With -p: the targets' descendants are targets too, those that exist already (a "
	  "server's workers) and those forked from now on; without -f, existing children "
	  "are only peers", 0 },
	{ "cgroup", OPT_CGROUP, "PATH", 0,
	  "Only processes in this cgroup (v2) or below it: a path under /sys/fs/cgroup, "
	  "or relative to it", 0 },
	{ "netns", OPT_NETNS, "PATH", 0,
	  "Only processes in this network namespace: /run/netns/NAME (ip netns) or "
	  "/proc/PID/ns/net", 0 },
	{ "type", 't', "LIST", 0, "Only these types, comma-separated (e.g. pipe,fifo)", 0 },
	{ "interval", 'i', "SEC", 0, "Refresh every SEC seconds (default 1)", 0 },
	{ "duration", 'd', "SEC", 0, "Stop after SEC seconds", 0 },
	{ "count", OPT_COUNT, "N", 0, "Stop after N intervals (then the summary)", 0 },
	{ "rows", 'r', "N|all", 0, "Show at most N rows (summary: 150)", 0 },
	{ "sort", 's', "KEY", 0, "Sort by KEY (default bytes)", 0 },
	{ "no-clear", OPT_NO_CLEAR, NULL, 0, "Do not clear the screen between tables", 0 },
	{ "no-color", OPT_NO_COLOR, NULL, 0,
	  "No colours in the interactive table (as NO_COLOR=1)", 0 },
	{ "no-tui", OPT_NO_TUI, NULL, 0,
	  "On a terminal, the plain refreshing table, not the interactive one", 0 },
	{ "output", 'o', "FILE", 0,
	  "Write the output to FILE, not standard output: the table replaced each "
	  "interval, JSON, CSV and -e appended", 0 },
	{ "json", OPT_JSON, NULL, 0, "One JSON object per interval (see README)", 0 },
	{ "ndjson", OPT_NDJSON, NULL, 0, "JSON, one line per row per interval", 0 },
	{ "csv", OPT_CSV, NULL, 0, "The table as CSV: one header, then each interval's rows", 0 },
	{ "graph", OPT_GRAPH, "FILE", 0,
	  "Write who talks to whom to FILE (Graphviz DOT), each interval and at exit", 0 },
	{ "prom-file", OPT_PROM_FILE, "FILE", 0,
	  "Write Prometheus metrics to FILE each interval (node_exporter textfile)", 0 },
	{ "listen", OPT_LISTEN, "ADDR:PORT", 0,
	  "Serve Prometheus metrics at /metrics (a port alone: 127.0.0.1; unix:PATH: a "
	  "socket only root may use)", 0 },
	{ "web-config", OPT_WEB_CONFIG, "FILE", 0,
	  "With --listen: TLS and basic-auth users, in the web config format of "
	  "Prometheus exporters such as node_exporter", 0 },
	{ "prom-rows", OPT_PROM_ROWS, "N", 0,
	  "Label sets with series of their own (default 1000); the rest add up in "
	  "comm=\"(other)\" (per scrape, the busiest rows, with --prom-detail)", 0 },
	{ "prom-detail", OPT_PROM_DETAIL, NULL, 0,
	  "Metrics per PID and object, for debugging: series come and go with processes", 0 },
	{ "demo", OPT_DEMO, NULL, 0, "Run the bundled demo workloads under the tracer", 0 },
	{ "explain", OPT_EXPLAIN, NULL, 0,
	  "With --demo: a guided tour, each mechanism in turn, with what to look for", 0 },
	{ "events", 'e', NULL, 0, "One line per operation instead of the table", 0 },
	{ "hex", 'x', NULL, 0,
	  "-e, and the data of each transfer as a hexdump: shows what processes send "
	  "each other", 0 },
	{ "write", 'w', "FILE", 0,
	  "-x, and the data written to FILE as pcapng, for Wireshark and tshark", 0 },
	{ "no-wait", OPT_NO_WAIT, NULL, 0,
	  "Do not measure WAIT, the time blocked in IPC calls (saves a hook on every "
	  "context switch)", 0 },
	{ "max-rows", OPT_MAX_ROWS, "N", 0,
	  "Rows the kernel side holds (default 65536, about 11 MB); past them, and past a "
	  "user's half, a process's further objects count on one overflow row", 0 },
	{ "max-objects", OPT_MAX_OBJECTS, "N", 0,
	  "New objects the kernel side names per interval (default 32768, about 14 MB); "
	  "past them, an object shows by its inode or id", 0 },
	{ "max-procs", OPT_MAX_PROCS, "N", 0,
	  "Processes with rows the kernel side describes between two reads (default "
	  "32768, about 4 MB); past them, a row's name and exit come from /proc", 0 },
	{ "hist", OPT_HIST, NULL, 0,
	  "Log2 histograms per row of message sizes and of how long calls waited, "
	  "printed with the summary", 0 },
	{ "hex-bytes", OPT_HEX_BYTES, "N", 0,
	  "-x, showing up to N bytes of each transfer (default 64, at most 1024)", 0 },
	{ "verbose", 'v', NULL, 0, "Print libbpf debug messages", 0 },
	{ "features", OPT_FEATURES, NULL, 0,
	  "Print what this kernel offers and which code paths that chooses", 0 },
	/* For the tests: the privilege drop, then what it must forbid. Hidden:
	 * it only gives privileges up, and attaches nothing. */
	{ "drop-self-test", OPT_DROP_SELF_TEST, "PID:FILE", OPTION_HIDDEN,
	  "Drop privileges as after attaching, then try to ptrace PID and to write "
	  "its memory, /proc/1/mem and FILE", 0 },
	/* Our own --help and --version: argp's are silenced with its messages. */
	{ "help", 'h', NULL, 0, "Give this help list", -1 },
	{ "usage", OPT_USAGE, NULL, 0, "Give a short usage message", -1 },
	{ "version", 'V', NULL, 0, "Print program version", -1 },
	{},
};

static int fail(char *err, size_t errlen, const char *fmt, const char *arg)
{
	snprintf(err, errlen, fmt, arg);
	return -1;
}

int parse_pid(const char *arg, pid_t *pid, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v <= 0 || v > PID_MAX_LIMIT)
		return fail(err, errlen,
			    "invalid PID '%s': expected a process ID between 1 and 4194304", arg);
	*pid = (pid_t)v;
	return 0;
}

/* --drop-self-test PID:FILE */
static int parse_drop_test(const char *arg, struct config *cfg, char *err, size_t errlen)
{
	const char *colon = strchr(arg, ':');
	char pid[32];

	if (!colon || colon == arg || !colon[1] || (size_t)(colon - arg) >= sizeof(pid)) {
		snprintf(err, errlen, "invalid --drop-self-test '%s': expected PID:FILE", arg);
		return -1;
	}
	memcpy(pid, arg, (size_t)(colon - arg));
	pid[colon - arg] = 0;
	cfg->drop_test_path = colon + 1;
	return parse_pid(pid, &cfg->drop_test_pid, err, errlen);
}

/*
 * -p takes lists, as pidof, pgrep and ps print them: "1,2", "1 2", one a
 * line, so that -p "$(pidof nginx)" works; -p may also come again.
 */
int parse_pid_list(const char *arg, pid_t *pids, int *npids, char *err, size_t errlen)
{
	gchar **tokens = g_strsplit_set(arg, ", \t\n", -1);
	int ret = 0, found = 0;

	for (gchar **t = tokens; *t && !ret; t++) {
		if (!**t)
			continue;
		found++;
		if (*npids == MAX_TARGET_PIDS) {
			snprintf(err, errlen, "too many PIDs for -p: at most %d", MAX_TARGET_PIDS);
			ret = -1;
		} else if (parse_pid(*t, &pids[*npids], err, errlen) == 0) {
			(*npids)++;
		} else {
			if (strcmp(*t, arg))
				snprintf(err, errlen, "invalid PID '%s' in -p '%s': expected process IDs "
					 "between 1 and 4194304, separated by commas or spaces", *t, arg);
			ret = -1;
		}
	}
	if (!ret && !found)
		ret = fail(err, errlen, "empty PID list '%s' for -p: expected e.g. -p 1234,5678", arg);
	g_strfreev(tokens);
	return ret;
}

/* The kernel keeps 15 bytes of a name (TASK_COMM_LEN): a longer one never matches. */
#define COMM_MAX 15

int parse_comm(const char *arg, const char **comm, char *err, size_t errlen)
{
	if (!arg[0])
		return fail(err, errlen, "empty name for -c%s: expected a process name, as ps -o comm "
			    "shows it", "");
	if (strlen(arg) > COMM_MAX && !strpbrk(arg, "*?["))
		return fail(err, errlen, "process name '%s' for -c is longer than the 15 bytes the "
			    "kernel keeps: give its first 15, or a glob ending in *", arg);
	*comm = arg;
	return 0;
}

int parse_user(const char *arg, uid_t *uid, char *err, size_t errlen)
{
	struct passwd *pw;
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (arg[0] && !*end && !errno && v >= 0 && v < (long)UINT32_MAX) {
		*uid = (uid_t)v;
		return 0;
	}
	pw = arg[0] ? getpwnam(arg) : NULL;
	if (!pw)
		return fail(err, errlen, "no user '%s' for -u: expected a user name (getent passwd) "
			    "or a numeric UID", arg);
	*uid = pw->pw_uid;
	return 0;
}

int parse_seconds(const char *arg, const char *what, double min, double max,
		  double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v < min || v > max) {
		snprintf(err, errlen, "invalid %s '%s': expected seconds from %g to %g",
			 what, arg, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_int_range(const char *arg, const char *what, long min, long max, int *out,
		    char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max) {
		snprintf(err, errlen, "invalid %s '%s': expected a number from %ld to %ld",
			 what, arg, min, max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int parse_count(const char *arg, const char *what, int *out, char *err, size_t errlen)
{
	return parse_int_range(arg, what, 1, 1000000, out, err, errlen);
}

int parse_sort(const char *arg, enum sort_key *key, char *err, size_t errlen)
{
	int key_nr = sort_key_from_name(arg);

	if (key_nr >= 0) {
		*key = (enum sort_key)key_nr;
		return 0;
	}
	return fail(err, errlen,
		    "invalid sort key '%s': expected bytes, ops, total, pid, comm or type", arg);
}

int parse_path(const char *arg, const char *option, const char **out, char *err, size_t errlen)
{
	if (!arg[0]) {
		snprintf(err, errlen, "empty file name for %s: expected a path", option);
		return -1;
	}
	*out = arg;
	return 0;
}

static int bad_listen(const char *arg, char *err, size_t errlen)
{
	return fail(err, errlen,
		    "invalid --listen address '%s': expected PORT, :PORT, IP:PORT or [IPv6]:PORT", arg);
}

int parse_listen(const char *arg, struct sockaddr_storage *addr, socklen_t *addrlen,
		 char *text, size_t textlen, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 2] = LISTEN_DEFAULT_HOST;
	const char *port_text = arg, *colon = strrchr(arg, ':');
	struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
	struct sockaddr_un *un = (struct sockaddr_un *)addr;
	bool bracketed = false;
	char *end;
	long port;

	/* unix:PATH: a socket only its owner (root) may connect to, for a
	 * local scraper; the metrics name other users' files and processes. */
	if (strncmp(arg, "unix:", 5) == 0) {
		const char *path = arg + 5;

		if (!path[0] || strlen(path) >= sizeof(un->sun_path))
			return fail(err, errlen, "invalid --listen socket path in '%s': expected "
				    "unix:PATH, a path of at most 107 bytes", arg);
		memset(addr, 0, sizeof(*addr));
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, path, strlen(path));
		*addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
		snprintf(text, textlen, "%s", arg);
		return 0;
	}

	if (colon) {
		size_t n = (size_t)(colon - arg);

		if (n >= sizeof(host))
			return bad_listen(arg, err, errlen);
		if (n) {
			memcpy(host, arg, n);
			host[n] = '\0';
		}
		port_text = colon + 1;
		if (host[0] == '[') {
			if (n < 3 || host[n - 1] != ']')
				return bad_listen(arg, err, errlen);
			memmove(host, host + 1, n - 2);
			host[n - 2] = '\0';
			bracketed = true;
		}
	}
	errno = 0;
	port = strtol(port_text, &end, 10);
	if (port_text[0] < '0' || port_text[0] > '9' || *end || errno)
		return bad_listen(arg, err, errlen);
	if (port < 1 || port > 65535)
		return fail(err, errlen,
			    "invalid --listen port in '%s': expected a port from 1 to 65535", arg);
	/* No name lookups: a typo must not wait for DNS, and the host's own
	 * addresses are what a listener can bind. */
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	memset(addr, 0, sizeof(*addr));
	if (!bracketed && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*addrlen = sizeof(*v4);
		snprintf(text, textlen, "%s:%ld", host, port);
	} else if (bracketed && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*addrlen = sizeof(*v6);
		snprintf(text, textlen, "[%s]:%ld", host, port);
	} else {
		return bad_listen(arg, err, errlen);
	}
	return 0;
}

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->type_mask = mechanism_types();
	cfg->interval_s = 1.0;
	cfg->sort = SORT_BYTES;
	cfg->prom_rows = PROM_ROWS_DEFAULT;
}

static int parse_interval(const char *arg, struct config *cfg)
{
	cfg->interval_set = true;
	return parse_seconds(arg, "interval", 0.1, 86400, &cfg->interval_s, cfg->error,
			     sizeof(cfg->error));
}

/* [interval [count]], as vmstat, iostat and libbpf-tools' tcptop take them. */
static int parse_positional(const char *arg, struct config *cfg)
{
	switch (cfg->positionals++) {
	case 0:
		return parse_interval(arg, cfg);
	case 1:
		return parse_count(arg, "count", &cfg->count, cfg->error, sizeof(cfg->error));
	default:
		return fail(cfg->error, sizeof(cfg->error),
			    "unexpected argument '%s': expected [interval [count]] "
			    "(see ipctrace --help)", arg);
	}
}

/*
 * argp's own help printer stays quiet under ARGP_NO_ERRS, which we need for
 * one-line errors; argp_help() on the root parser prints regardless.
 */
static void argp_state_help_stdout(struct argp_state *state, unsigned int flags)
{
	argp_help(state->root_argp, stdout, flags & ~(unsigned int)ARGP_HELP_EXIT_OK, state->name);
	if (!(state->flags & ARGP_NO_EXIT))
		exit(0);
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct config *cfg = state->input;
	char *err = cfg->error;
	size_t len = sizeof(cfg->error);
	int ret = 0;

	switch (key) {
	case 'p':
		ret = parse_pid_list(arg, cfg->pids, &cfg->npids, err, len);
		break;
	case 'c':
		ret = parse_comm(arg, &cfg->comm, err, len);
		break;
	case 'u':
		ret = parse_user(arg, &cfg->uid, err, len);
		cfg->by_uid = ret == 0;
		break;
	case 't':
		ret = mechanism_parse_types(arg, &cfg->type_mask, err, len);
		cfg->types_set = true;
		break;
	case 'i':
		ret = parse_interval(arg, cfg);
		break;
	case 'd':
		ret = parse_seconds(arg, "duration", 0.1, 31536000, &cfg->duration_s, err, len);
		break;
	case OPT_COUNT:
		ret = parse_count(arg, "count", &cfg->count, err, len);
		break;
	case 'r':
		if (!strcmp(arg, "all"))
			cfg->rows = ROWS_ALL;
		else if (parse_count(arg, "row count", &cfg->rows, err, len))
			ret = fail(err, len, "invalid row count '%s': expected a number from 1 "
				   "to 1000000, or all", arg);
		break;
	case 's':
		ret = parse_sort(arg, &cfg->sort, err, len);
		break;
	case OPT_NO_CLEAR:
		cfg->no_clear = true;
		break;
	case OPT_NO_TUI:
		cfg->no_tui = true;
		break;
	case OPT_NDJSON:
		cfg->ndjson = true;	/* the same JSON, cut into lines */
		cfg->json = true;
		break;
	case OPT_JSON:
		cfg->json = true;
		break;
	case OPT_NO_COLOR:
		cfg->no_color = true;
		break;
	case OPT_CSV:
		cfg->csv = true;
		break;
	case 'o':
		ret = parse_path(arg, "-o", &cfg->output_path, err, len);
		break;
	case OPT_GRAPH:
		ret = parse_path(arg, "--graph", &cfg->graph_path, err, len);
		break;
	case OPT_PROM_FILE:
		ret = parse_path(arg, "--prom-file", &cfg->prom_path, err, len);
		break;
	case OPT_PROM_ROWS:
		ret = parse_count(arg, "--prom-rows count", &cfg->prom_rows, err, len);
		break;
	case OPT_PROM_DETAIL:
		cfg->prom_detail = true;
		break;
	case OPT_MAX_ROWS:
		ret = parse_int_range(arg, "--max-rows count", MAX_ROWS_MIN, MAX_ROWS_MAX,
				      &cfg->max_rows, err, len);
		break;
	case OPT_MAX_OBJECTS:
		ret = parse_int_range(arg, "--max-objects count", MAX_OBJECTS_MIN, MAX_OBJECTS_MAX,
				      &cfg->max_objects, err, len);
		break;
	case OPT_MAX_PROCS:
		ret = parse_int_range(arg, "--max-procs count", MAX_PROCS_MIN, MAX_PROCS_MAX,
				      &cfg->max_procs, err, len);
		break;
	case OPT_LISTEN:
		ret = parse_listen(arg, &cfg->listen_addr, &cfg->listen_addrlen, cfg->listen_text,
				   sizeof(cfg->listen_text), err, len);
		cfg->listen = ret == 0;
		break;
	case OPT_WEB_CONFIG:
		ret = parse_path(arg, "--web-config", &cfg->web_config, err, len);
		break;
	case OPT_DEMO:
		cfg->demo = true;
		break;
	case OPT_FEATURES:
		cfg->features = true;
		break;
	case OPT_DROP_SELF_TEST:
		ret = parse_drop_test(arg, cfg, err, len);
		break;
	case 'v':
		cfg->verbose = true;
		break;
	case 'e':
		cfg->events = true;
		break;
	case 'w':
		ret = parse_path(arg, "-w", &cfg->capture_path, err, len);
		/* The data -x captures is what -w writes. */
		__attribute__((fallthrough));
	case 'x':
		/* The data belongs to the event log: -x implies -e. */
		cfg->events = true;
		if (!cfg->hex_cap)
			cfg->hex_cap = HEX_CAP_DEFAULT;
		break;
	case 'f':
		cfg->follow = true;
		break;
	case OPT_CGROUP:
		cfg->cgroup = arg;
		break;
	case OPT_NETNS:
		cfg->netns = arg;
		break;
	case OPT_EXPLAIN:
		cfg->explain = true;
		break;
	case OPT_HIST:
		cfg->hist = true;
		break;
	case OPT_NO_WAIT:
		cfg->no_wait = true;
		break;
	case OPT_HEX_BYTES:
		cfg->events = true;
		ret = parse_int_range(arg, "hexdump size", 1, HEX_MAX, &cfg->hex_cap, err, len);
		break;
	case 'h':
		argp_state_help_stdout(state, ARGP_HELP_STD_HELP);
		break;
	case OPT_USAGE:
		argp_state_help_stdout(state, ARGP_HELP_USAGE);
		break;
	case 'V':
		if (!(state->flags & ARGP_NO_EXIT)) {
			printf("%s\n", argp_program_version);
			exit(0);
		}
		break;
	case ARGP_KEY_END:
		if (cfg->csv && cfg->json) {
			snprintf(err, len, "--csv and --%s both print to standard output: choose one",
				 cfg->ndjson ? "ndjson" : "json");
			return EINVAL;
		}
		if (cfg->csv && cfg->events) {
			snprintf(err, len, "--csv prints the table, -e one line per operation: "
				 "choose one (-e --json for events a program reads)");
			return EINVAL;
		}
		break;
	case ARGP_KEY_ARG:
		return parse_positional(arg, cfg) ? EINVAL : 0;
	case ARGP_KEY_ERROR:
		/* getopt rejected argv[next - 1]: unknown, or missing its value. */
		if (!err[0] && state->next > 0 && state->next <= state->argc)
			snprintf(err, len, "unknown option or missing value: '%s' (see ipctrace --help)",
				 state->argv[state->next - 1]);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return ret ? EINVAL : 0;
}

/* Options that only mean something with others. */
static int check_combinations(struct config *cfg)
{
	bool select = cfg->npids || cfg->comm || cfg->by_uid;
	const char *why = NULL;

	if (cfg->follow && !select && !cfg->command)
		why = "-f follows the children of -p targets: add -p PID (or -c NAME, -u USER)";
	else if (cfg->explain && !cfg->demo)
		why = "--explain is the guided tour of --demo: use --demo --explain";
	else if (cfg->explain && cfg->output_path)
		why = "the tour is text to read as it runs: leave out -o";
	else if (cfg->explain && select)
		why = "the tour traces each demo it runs: leave out -p, -c and -u";
	else if (cfg->command && cfg->demo)
		why = "--demo runs the demos itself: leave out the command after --";
	else if (cfg->command && select)
		why = "a command after -- is the target: leave out -p, -c and -u";
	else if (cfg->web_config && !cfg->listen)
		why = "--web-config sets up the server of --listen: add --listen ADDR:PORT";
	if (!why)
		return 0;
	snprintf(cfg->error, sizeof(cfg->error), "%s", why);
	return EINVAL;
}

/*
 * Messages quote what was typed, which may hold a newline or an escape
 * sequence: those are shown as C escapes, so the message stays one line and
 * cannot drive the terminal.
 */
static void escape_controls(char *msg, size_t size)
{
	char out[sizeof(((struct config *)0)->error)];
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)msg; *p && o + 5 < sizeof(out); p++) {
		if (*p == '\n')
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\n");
		else if (*p == '\t')
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", *p);
		else
			out[o++] = (char)*p;
	}
	out[o] = '\0';
	snprintf(msg, size, "%s", out);
}

/*
 * IPCTRACE_READ_GAP_MS: a testing aid (man page, ENVIRONMENT). A pause
 * between reading the kernel's process map and its counters at each
 * refresh, as a busy machine makes one, so that processes that come and go
 * in between can be tested for.
 */
static int read_environment(struct config *cfg)
{
	const char *gap = getenv("IPCTRACE_READ_GAP_MS");

	if (gap && parse_int_range(gap, "IPCTRACE_READ_GAP_MS", 0, 1000, &cfg->read_gap_ms,
				   cfg->error, sizeof(cfg->error)))
		return EINVAL;
	return 0;
}

int parse_options(int argc, char **argv, struct config *cfg, unsigned int argp_flags)
{
	static const struct argp argp = { options, parse_arg,
					  "[INTERVAL [COUNT]] [-- COMMAND [ARG...]]", doc,
					  NULL, NULL, NULL };
	int err;

	config_defaults(cfg);
	/* "-- COMMAND ARGS": what follows is the command's, not ipctrace's. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			if (i + 1 == argc) {
				snprintf(cfg->error, sizeof(cfg->error),
					 "'--' needs a command after it: ipctrace -- COMMAND [ARGS]");
				return EINVAL;
			}
			cfg->command = argv + i + 1;
			argc = i;
			break;
		}
	}
	/* Our own one-line errors replace argp's two-line ones. */
	err = argp_parse(&argp, argc, argv, argp_flags | ARGP_NO_ERRS | ARGP_NO_HELP, NULL, cfg);
	if (err && !cfg->error[0])
		snprintf(cfg->error, sizeof(cfg->error), "invalid command line (see ipctrace --help)");
	if (!err)
		err = check_combinations(cfg);
	if (!err)
		err = read_environment(cfg);
	escape_controls(cfg->error, sizeof(cfg->error));
	return err;
}
