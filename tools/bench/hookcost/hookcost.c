// SPDX-License-Identifier: GPL-2.0
/*
 * hookcost VARIANT: load one variant of the pipe hot path (hookcost.bpf.c),
 * print "hookcost: attached" on stderr, run until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "hookcost.skel.h"

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

int main(int argc, char **argv)
{
	struct hookcost_bpf *skel;
	char *end;
	long v;

	if (argc != 2 || (v = strtol(argv[1], &end, 10), *end) || v < 0 || v > 5) {
		fprintf(stderr, "usage: hookcost VARIANT (0-5, see hookcost.bpf.c)\n");
		return 2;
	}
	skel = hookcost_bpf__open();
	if (!skel) {
		fprintf(stderr, "hookcost: open failed\n");
		return 1;
	}
	skel->rodata->variant = (int)v;
	skel->rodata->self_tgid = getpid();
	skel->rodata->syscall_op[SYS_write] = 1;
	skel->rodata->syscall_op[SYS_read] = 2;
	if (hookcost_bpf__load(skel) || hookcost_bpf__attach(skel)) {
		fprintf(stderr, "hookcost: load or attach failed (root? kernel 6.2+?)\n");
		hookcost_bpf__destroy(skel);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "hookcost: attached\n");
	while (!exiting)
		pause();
	hookcost_bpf__destroy(skel);
	return 0;
}
