/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel feature probes, run once at start. This is the one place that says
 * which code path a kernel gets; `ipctrace --features` prints it.
 */
#ifndef IPCTRACE_FEATURES_H
#define IPCTRACE_FEATURES_H

#include <stdbool.h>
#include <stdio.h>

/* The tracepoints ipctrace hooks, as the kernel names them. */
enum tracepoint_id {
	TP_SYS_EXIT,		/* raw_syscalls:sys_exit: every syscall mechanism */
	TP_SCHED_EXIT,		/* sched:sched_process_exit: releasing exited processes */
	TP_SCHED_FORK,		/* sched:sched_process_fork: -p children, shared mappings */
	TP_SCHED_EXEC,		/* sched:sched_process_exec: names after exec */
	TP_SOCK_SEND,		/* sock:sock_send_length (6.3+) */
	TP_SOCK_RECV,		/* sock:sock_recv_length (6.3+) */
	TP_PAGE_FAULT,		/* exceptions:page_fault_user (x86): shared memory activity */
	TP_SCHED_SWITCH,	/* sched:sched_switch: WAIT, time blocked in IPC calls */
	TP_SIGNAL_GENERATE,	/* signal:signal_generate: signals */
	TP_URING_COMPLETE,	/* io_uring:io_uring_complete: io_uring's requests */
	TP_URING_SUBMIT,	/* io_uring:io_uring_submit_req: those that will be unseen */
	TP_URING_SUBMIT_SQE,	/* its name before 6.4 (an argument more, after the request) */
	TP_COUNT,
};

extern const char *const features_tracepoint_names[TP_COUNT];

struct features {
	bool btf;		/* /sys/kernel/btf/vmlinux */
	bool tp_btf;		/* BTF-typed raw tracepoints (5.5+) */
	bool direct_loads;	/* tp_btf and bpf_rdonly_cast() (6.2+): the default BPF build */
	bool batch_ops;		/* BPF_MAP_LOOKUP_BATCH on hash maps (5.6+) */
	bool sock_tp;		/* sock:sock_send_length/sock_recv_length (6.3+) */
	bool find_vma;		/* bpf_find_vma() (5.17+): shared memory */
	bool ringbuf;		/* BPF ring buffer (5.8+) */
	bool uring;		/* io_uring_complete passes the request (5.19+) */
	bool tracefs;		/* mounted (not needed: raw tracepoints do without) */
	bool sock_diag;		/* NETLINK_SOCK_DIAG for TCP, UDP and unix sockets */
	bool tracepoint[TP_COUNT];
	char kernel[65];	/* uname -r */
};

void features_probe(struct features *f);

/* The report `--features` prints: what was found, and what that chooses. */
void features_print(FILE *out, const struct features *f);
/* One --features line: WHAT, yes or no, what ipctrace does about it, and why. */
void features_line(FILE *out, const char *what, bool yes, const char *chosen, const char *why);

#endif
