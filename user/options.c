// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"
#include "mechanism.h"
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
"EXAMPLES:\n"
"    ipctrace                 # every process, refreshed each second\n"
"    ipctrace -p 1234         # process 1234 and the processes it talks to\n"
"    ipctrace -t fifo -s total  # FIFOs only, sorted by bytes since start\n"
"    ipctrace -i 5 -d 60      # 5-second intervals, stop after a minute\n"
"    ipctrace --json -d 10    # one JSON object per interval, then a final one\n"
"    ipctrace -e -t mq        # one line per message queue operation\n"
"    ipctrace -x -p 1234      # each operation of 1234, with its data\n"
"    ipctrace --demo          # run the bundled demo workloads and watch them\n"
"    ipctrace --demo --explain  # a guided tour: each mechanism, and what to see\n"
"    ipctrace -- make -j4     # run a command and trace it and its children\n"
"    ipctrace -p 1234 -f      # 1234 and the children it forks from now on\n"
"    ipctrace --cgroup system.slice/nginx.service  # one service (or container)\n"
"\n"
"SORT KEYS: bytes (per second, the default), ops (per second), total, pid,\n"
"comm, type.\n"
"\n"
"Needs root, or CAP_BPF and CAP_PERFMON, and a kernel with BTF.";

enum {
	OPT_NO_CLEAR = 0x100,
	OPT_JSON,
	OPT_DEMO,
	OPT_USAGE,
	OPT_FEATURES,
	OPT_HEX_BYTES,
	OPT_NO_WAIT,
	OPT_HIST,
	OPT_CGROUP,
	OPT_EXPLAIN,
};

/* -x without a value: enough to recognise a protocol, short enough to read. */
#define HEX_CAP_DEFAULT 64

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "Only PID and its peers (repeatable)", 0 },
	{ "follow", 'f', NULL, 0, "With -p: the targets' children, as they fork, are targets too",
	  0 },
	{ "cgroup", OPT_CGROUP, "PATH", 0,
	  "Only processes in this cgroup (v2) or below it: a path under /sys/fs/cgroup, "
	  "or relative to it", 0 },
	{ "type", 't', "LIST", 0, "Only these types, comma-separated (e.g. pipe,fifo)", 0 },
	{ "interval", 'i', "SEC", 0, "Refresh every SEC seconds (default 1)", 0 },
	{ "duration", 'd', "SEC", 0, "Stop after SEC seconds", 0 },
	{ "rows", 'r', "N", 0, "Show at most N rows", 0 },
	{ "sort", 's', "KEY", 0, "Sort by KEY (default bytes)", 0 },
	{ "no-clear", OPT_NO_CLEAR, NULL, 0, "Do not clear the screen between tables", 0 },
	{ "json", OPT_JSON, NULL, 0, "One JSON object per interval (see README)", 0 },
	{ "demo", OPT_DEMO, NULL, 0, "Run the bundled demo workloads under the tracer", 0 },
	{ "explain", OPT_EXPLAIN, NULL, 0,
	  "With --demo: a guided tour, each mechanism in turn, with what to look for", 0 },
	{ "events", 'e', NULL, 0, "One line per operation instead of the table", 0 },
	{ "hex", 'x', NULL, 0,
	  "-e, and the data of each transfer as a hexdump: shows what processes send "
	  "each other", 0 },
	{ "no-wait", OPT_NO_WAIT, NULL, 0,
	  "Do not measure WAIT, the time blocked in IPC calls (saves a hook on every "
	  "context switch)", 0 },
	{ "hist", OPT_HIST, NULL, 0,
	  "Log2 histograms per row of message sizes and of how long calls waited, "
	  "printed with the summary", 0 },
	{ "hex-bytes", OPT_HEX_BYTES, "N", 0,
	  "-x, showing up to N bytes of each transfer (default 64, at most 1024)", 0 },
	{ "verbose", 'v', NULL, 0, "Print libbpf debug messages", 0 },
	{ "features", OPT_FEATURES, NULL, 0,
	  "Print what this kernel offers and which code paths that chooses", 0 },
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

int parse_types(const char *arg, unsigned int *mask, char *err, size_t errlen)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	unsigned int m = 0;
	int ret = 0;

	if (!copy)
		return fail(err, errlen, "out of memory parsing '%s'", arg);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int t = strcmp(tok, "all") == 0 ? 0 : ipc_type_from_name(tok);

		if (t == 0) {
			m |= implemented_types();
		} else if (t < 0 || !(implemented_types() & (1U << t))) {
			snprintf(err, errlen, "unknown type '%s': expected a list of %s", tok,
				 implemented_type_list());
			ret = -1;
			break;
		} else {
			m |= 1U << t;
		}
	}
	free(copy);
	if (ret == 0 && m == 0)
		return fail(err, errlen, "empty type list '%s': expected e.g. pipe,fifo", arg);
	if (ret == 0)
		*mask = m;
	return ret;
}

static const char *const sort_names[] = {
	[SORT_BYTES] = "bytes", [SORT_OPS] = "ops", [SORT_TOTAL] = "total",
	[SORT_PID] = "pid", [SORT_COMM] = "comm", [SORT_TYPE] = "type",
};

const char *sort_key_name(enum sort_key key)
{
	return sort_names[key];
}

int parse_sort(const char *arg, enum sort_key *key, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(sort_names) / sizeof(sort_names[0]); i++) {
		if (strcmp(arg, sort_names[i]) == 0) {
			*key = (enum sort_key)i;
			return 0;
		}
	}
	return fail(err, errlen,
		    "invalid sort key '%s': expected bytes, ops, total, pid, comm or type", arg);
}

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->type_mask = implemented_types();
	cfg->interval_s = 1.0;
	cfg->sort = SORT_BYTES;
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
		if (cfg->npids == MAX_TARGET_PIDS) {
			snprintf(err, len, "too many -p options: at most %d", MAX_TARGET_PIDS);
			return EINVAL;
		}
		ret = parse_pid(arg, &cfg->pids[cfg->npids], err, len);
		if (ret == 0)
			cfg->npids++;
		break;
	case 't':
		ret = parse_types(arg, &cfg->type_mask, err, len);
		break;
	case 'i':
		ret = parse_seconds(arg, "interval", 0.1, 86400, &cfg->interval_s, err, len);
		cfg->interval_set = true;
		break;
	case 'd':
		ret = parse_seconds(arg, "duration", 0.1, 31536000, &cfg->duration_s, err, len);
		break;
	case 'r':
		ret = parse_count(arg, "row count", &cfg->rows, err, len);
		break;
	case 's':
		ret = parse_sort(arg, &cfg->sort, err, len);
		break;
	case OPT_NO_CLEAR:
		cfg->no_clear = true;
		break;
	case OPT_JSON:
		cfg->json = true;
		break;
	case OPT_DEMO:
		cfg->demo = true;
		break;
	case OPT_FEATURES:
		cfg->features = true;
		break;
	case 'v':
		cfg->verbose = true;
		break;
	case 'e':
		cfg->events = true;
		break;
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
	case ARGP_KEY_ARG:
		snprintf(err, len, "unexpected argument '%s' (see ipctrace --help)", arg);
		return EINVAL;
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
	const char *why = NULL;

	if (cfg->follow && !cfg->npids && !cfg->command)
		why = "-f follows the children of -p targets: add -p PID";
	else if (cfg->explain && !cfg->demo)
		why = "--explain is the guided tour of --demo: use --demo --explain";
	else if (cfg->command && cfg->demo)
		why = "--demo runs the demos itself: leave out the command after --";
	else if (cfg->command && cfg->npids)
		why = "a command after -- is the target: leave out -p";
	if (!why)
		return 0;
	snprintf(cfg->error, sizeof(cfg->error), "%s", why);
	return EINVAL;
}

int parse_options(int argc, char **argv, struct config *cfg, unsigned int argp_flags)
{
	static const struct argp argp = { options, parse_arg, NULL, doc, NULL, NULL, NULL };
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
	return err;
}
