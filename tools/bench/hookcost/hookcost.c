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

/* The empty programs at ipctrace's other hook points: variant 6 only. */
static void floor_off(struct hookcost_bpf *skel)
{
	struct bpf_program *floors[] = {
		skel->progs.floor_sock_send, skel->progs.floor_sock_recv,
		skel->progs.floor_sched_switch, skel->progs.floor_page_fault,
		skel->progs.floor_signal, skel->progs.floor_fork, skel->progs.floor_exit,
		skel->progs.floor_exec,
	};

	for (size_t i = 0; i < sizeof(floors) / sizeof(floors[0]); i++)
		bpf_program__set_autoload(floors[i], false);
}

int main(int argc, char **argv)
{
	struct hookcost_bpf *skel;
	char *end;
	long v;

	if (argc != 2 || (v = strtol(argv[1], &end, 10), *end) || v < 0 || v > 6) {
		fprintf(stderr, "usage: hookcost VARIANT (0-6, see hookcost.bpf.c)\n");
		return 2;
	}
	skel = hookcost_bpf__open();
	if (!skel) {
		fprintf(stderr, "hookcost: open failed\n");
		return 1;
	}
	skel->rodata->variant = (int)v;
	if (v != 6)
		floor_off(skel);
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
