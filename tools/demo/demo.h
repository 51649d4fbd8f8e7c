/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipc-demo: workloads that move a known number of bytes and messages over
 * each IPC mechanism, and say so. A newcomer watches them in ipctrace, a
 * teacher shows each mechanism with them, and the tests compare ipctrace's
 * figures with what they report.
 */
#ifndef IPC_DEMO_H
#define IPC_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct demo_opts {
	size_t size;		/* bytes per message */
	long count;		/* messages; with duration, an upper bound */
	double rate;		/* messages per second per sender; 0: flat out */
	double duration;	/* seconds; 0: until count */
	bool json;
	bool wait;		/* set up, then wait for SIGUSR1 before moving data */
	const char *role;	/* run one side only (fifo: reader|writer) */
	const char *path;	/* a named object's path */
};

/* What one process did on one object in one direction. */
struct demo_record {
	const char *type;	/* as ipctrace names it: "pipe", "fifo" */
	char object[256];	/* as ipctrace names it */
	unsigned long long ino;
	bool tx;
	unsigned long long bytes, ops;
};

struct demo {
	const char *name;
	const char *summary;
	int (*run)(const struct demo_opts *o);
};

/* Each mechanism's demos, defined in its own file. */
extern const struct demo pipe_demo, pipe_calls_demo, fifo_demo;

/* Name this process (its comm), so each role reads clearly in ipctrace. */
void name_process(const char *name);
void record_init(struct demo_record *r, const char *type, int fd, bool tx);
/* Report a record: one JSON line with --json, a sentence otherwise. */
void report(const struct demo_opts *o, const char *demo, const char *role,
	    const struct demo_record *r);

/* write()/read() one message, looping over short transfers; each call that
 * moves data is one op. Returns bytes moved (read: 0 at end of file). */
size_t send_msg(int fd, const void *buf, size_t n, struct demo_record *r);
size_t recv_msg(int fd, void *buf, size_t n, struct demo_record *r);
/* Read until end of file in size-byte calls. */
void drain(int fd, size_t size, struct demo_record *r);

double now_s(void);
/* Whether a sender should send message i, sleeping first to keep the rate. */
bool keep_sending(const struct demo_opts *o, long i, double start);
/* With --wait: say who we are and block until SIGUSR1. */
void wait_for_go(const struct demo_opts *o, const char *demo, const pid_t *pids, int n);
/* Wait for children; non-zero if any failed. */
int reap(const pid_t *pids, int n);
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
