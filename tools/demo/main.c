// SPDX-License-Identifier: GPL-2.0
/*
 * ipc-demo: one subcommand per IPC mechanism, each moving a known number of
 * bytes and messages. `ipc-demo all` runs them all at once, paced, which is
 * what `ipctrace --demo` shows.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "demo.h"

static const struct demo *const demos[] = {
	&pipe_demo, &pipe_calls_demo, &fifo_demo, &mq_demo, &msg_demo,
	&unix_demo, &tcp_demo, &udp_demo, &netlink_demo,
	&shm_demo, &posix_shm_demo, &mmap_demo,
	&signal_demo, &eventfd_demo, &pty_demo, &process_vm_demo, &uring_demo,
};
#define NDEMOS (sizeof(demos) / sizeof(demos[0]))

static int run_all(const struct demo_opts *o)
{
	pid_t pids[NDEMOS];

	for (size_t i = 0; i < NDEMOS; i++) {
		pids[i] = demo_fork();
		if (pids[i] < 0)
			die("fork: %s", strerror(errno));
		if (pids[i] == 0) {
			demo_run = getpid();
			exit(demos[i]->run(o));
		}
	}
	return reap(pids, NDEMOS);
}

/*
 * The tour's stops, for ipctrace --demo --explain to run one by one: each
 * demo's text stays with the demo. One "== NAME TYPES" line per stop, then
 * its text.
 */
static int print_tour(void)
{
	for (size_t i = 0; i < NDEMOS; i++)
		if (demos[i]->explain)
			printf("== %s %s\n%s\n", demos[i]->name, demos[i]->types, demos[i]->explain);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ipc-demo DEMO [options]\n"
		"Moves a known number of bytes and messages over one IPC mechanism.\n\n"
		"DEMO:\n");
	for (size_t i = 0; i < NDEMOS; i++)
		fprintf(out, "  %-12s %s\n", demos[i]->name, demos[i]->summary);
	fprintf(out,
		"  %-12s %s\n", "all", "every demo at once, paced (what ipctrace --demo runs)");
	fprintf(out,
		"  %-12s %s\n\n", "explain", "the guided tour's text of each demo (ipctrace --demo --explain)");
	fprintf(out,
		"options:\n"
		"  -s, --size BYTES     bytes per message (default 4096; all: 512; mq at most 8192);\n"
		"                       shm, posix-shm: the buffer; mmap: the file, two pages at least\n"
		"  -n, --count N        messages per sender (default 1000); shm, posix-shm: hand-offs\n"
		"  -r, --rate N         messages per second per sender (default: flat out; all: 200)\n"
		"  -d, --duration SEC   send for SEC seconds instead of --count messages\n"
		"      --json           one JSON line per process, object and direction\n"
		"      --wait           set up (connections too), print the PIDs, wait for SIGUSR1\n"
		"      --role ROLE      run one side only: fifo reader|writer, mq receiver|sender|unlink,\n"
		"                       signal receiver|sender; io_uring unseen (writes no\n"
		"                       completion shows, read by a reader that reports)\n"
		"      --path PATH      fifo: the FIFO to open (made by mkfifo); mq: the queue, /NAME\n"
		"      --pid PID        signal --role sender: the receiver to send to\n"
		"      --key KEY        msg: the System V key (default: made from the PID)\n"
		"      --no-end         senders: leave out the end-of-stream message (signal: SIGTERM)\n"
		"      --peer-exits N   unix, tcp: the stream server leaves after N replies\n\n"
		"example: ipc-demo fifo & ipctrace -p $!\n");
}

static double number(const char *arg, const char *what, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);	/* decimal, or 0x... hexadecimal */
	if (errno || end == arg || *end || v < min || v > max)
		die("invalid %s '%s': expected a number from %g to %g", what, arg, min, max);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "wait", no_argument, NULL, 'w' },
		{ "role", required_argument, NULL, 'R' },
		{ "path", required_argument, NULL, 'P' },
		{ "key", required_argument, NULL, 'K' },
		{ "no-end", no_argument, NULL, 'E' },
		{ "peer-exits", required_argument, NULL, 'X' },
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct demo_opts o = { .size = 4096, .count = 1000 };
	bool size_set = false, rate_set = false;
	const char *name;
	int c;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	name = argv[1];
	if (strcmp(name, "explain") == 0) {
		if (argc > 2)
			die("unexpected argument '%s' (see ipc-demo --help)", argv[2]);
		return print_tour();
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "s:n:r:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.size = (size_t)number(optarg, "size", 1, 1 << 24);
			size_set = true;
			break;
		case 'n':
			o.count = (long)number(optarg, "count", 0, 1e12);
			break;
		case 'r':
			o.rate = number(optarg, "rate", 0, 1e9);
			rate_set = true;
			break;
		case 'd':
			o.duration = number(optarg, "duration", 0.001, 1e7);
			break;
		case 'j':
			o.json = true;
			break;
		case 'w':
			o.wait = true;
			break;
		case 'R':
			o.role = optarg;
			break;
		case 'P':
			o.path = optarg;
			break;
		case 'K':
			o.key = (long)number(optarg, "key", 1, 0x7fffffff);
			break;
		case 'E':
			o.no_end = true;
			break;
		case 'X':
			o.peer_exits = (long)number(optarg, "peer-exits", 1, 1e12);
			break;
		case 'p':
			o.pid = (pid_t)number(optarg, "pid", 1, 4194304);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "ipc-demo: see ipc-demo --help\n");
			return 2;
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (see ipc-demo --help)", argv[optind]);
	/* Children share stdout: flush nothing twice. */
	setvbuf(stdout, NULL, _IONBF, 0);
	/* A peer that leaves is part of some demos: see EPIPE, not a signal. */
	signal(SIGPIPE, SIG_IGN);

	if (strcmp(name, "all") == 0) {
		/* Paced and small, so a live table shows steady traffic. */
		if (!size_set)
			o.size = 512;
		if (!rate_set)
			o.rate = 200;
		return run_all(&o);
	}
	for (size_t i = 0; i < NDEMOS; i++) {
		if (strcmp(name, demos[i]->name) == 0) {
			demo_run = getpid();
			return demos[i]->run(&o);
		}
	}
	die("unknown demo '%s' (see ipc-demo --help)", name);
}
