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
	const char *path;	/* a named object's path or name */
	long key;		/* a System V key; 0: one made from the PID */
	bool no_end;		/* senders: leave out the end-of-stream message */
	long peer_exits;	/* stream servers: leave after this many replies */
	pid_t pid;		/* signal sender: the receiver's PID */
};

#define MAX_DEMO_LABELS 16
#define MAX_DEMO_EVENTS 8

/* What one process did on one object in one direction. */
struct demo_record {
	const char *type;	/* as ipctrace names it: "pipe", "fifo" */
	char object[256];	/* as ipctrace names it */
	unsigned long long ino;
	bool tx;
	unsigned long long bytes, ops;
	/* Messages per label (priority, type), for mechanisms that have them. */
	const char *label_name;
	/* A label's name (a signal's number as SIGUSR1); NULL: the number. */
	void (*label_text)(long long label, char *buf, size_t len);
	int nlabels;
	struct { long long label; unsigned long long ops; } labels[MAX_DEMO_LABELS];
	/* Named event counters (mq_notify registrations, accepts...). */
	int nevents;
	struct { const char *name; unsigned long long count; } events[MAX_DEMO_EVENTS];
	/* Processes outside the demo at the other end (a shell that sent a
	 * signal, the parent a last SIGCHLD goes to): peers no record names. */
	int npeer_pids;
	int peer_pids[8];
	/*
	 * Shared memory moves data with no syscall: bytes the process touched,
	 * reported instead of bytes and ops (ipctrace counts page faults).
	 */
	bool has_activity;
	unsigned long long activity;
	/*
	 * Endpoints (sockets): the sockets at the other end, by inode when this
	 * process knows it, or by the end number the demo gave the other
	 * process's socket (check.py finds that end's inode among the records of
	 * the same run): learning another process's inode would take IPC of the
	 * demo's own, which ipctrace would show.
	 */
	bool endpoint;
	int npeers;
	unsigned long long peer_inos[8];
	int end;		/* this socket's end number; -1: none */
	int npeer_ends;
	int peer_ends[8];
};

struct demo {
	const char *name;
	const char *summary;
	int (*run)(const struct demo_opts *o);
	/* The guided tour (ipctrace --demo --explain): the types its table shows,
	 * as -t names them, and what a learner should know and look for. A demo
	 * without them (one made for the tests) is not a stop of the tour. */
	const char *types;
	const char *explain;
};

/* Each mechanism's demos, defined in its own file. */
extern const struct demo pipe_demo, pipe_calls_demo, fifo_demo, mq_demo, msg_demo;
extern const struct demo unix_demo, tcp_demo, udp_demo, netlink_demo;
extern const struct demo shm_demo, posix_shm_demo, mmap_demo;
extern const struct demo signal_demo, eventfd_demo, pty_demo, process_vm_demo;
extern const struct demo uring_demo;

/* Records and names other demos share (sock.c, eventfd.c): a socket's
 * record (an endpoint), the ends of one socket in both directions, the
 * names ipctrace gives unix and inet sockets, an eventfd's record. */
void sock_record(struct demo_record *r, const char *type, int fd, bool tx);
void record_ends(struct demo_record *rx, struct demo_record *tx, int own, int peer);
void unix_object(int fd, bool listening, bool pair, char *buf, size_t size);
void inet_object(int fd, const char *proto, bool listening, char *buf, size_t size);
void efd_record(struct demo_record *r, int fd, bool tx);

/* Name this process (its comm), so each role reads clearly in ipctrace. */
void name_process(const char *name);
void record_init(struct demo_record *r, const char *type, int fd, bool tx);
/* Report a record: one JSON line with --json, a sentence otherwise. */
void report(const struct demo_opts *o, const char *demo, const char *role,
	    const struct demo_record *r);

/* Count an event; add a peer endpoint. */
void record_event(struct demo_record *r, const char *name, unsigned long long n);
void record_peer(struct demo_record *r, unsigned long long ino);
void record_end(struct demo_record *r, int end);
void record_peer_end(struct demo_record *r, int end);

/* The process that started this demo: records of one run share it. */
extern pid_t demo_run;
/* One more message carrying label; n more. */
void record_label(struct demo_record *r, long long label);
void record_label_n(struct demo_record *r, long long label, unsigned long long n);
/* A process outside the demo at the other end of r. */
void record_peer_pid(struct demo_record *r, int pid);
/* Report that this process removed an object. */
void report_removal(const struct demo_opts *o, const char *demo, const char *type,
		    const char *object, unsigned long long ino);

/*
 * A run's own name (/ipc-demo.PID) or System V key (PREFIX | PID), the
 * attempt-th candidate. A demo killed before it removed its queue or
 * segment leaves it behind, and PIDs come round again: a caller whose
 * candidate is taken (EEXIST) tries the next, and after 64 the demo stops
 * saying which stale objects to remove.
 */
void demo_ipc_name(char *buf, size_t size, int attempt);
long demo_ipc_key(long prefix, int attempt);

/*
 * fork() for a demo's processes: a child dies with its parent, so that a
 * demo killed mid-run (a test that fails, Ctrl-C) leaves no process behind
 * waiting for a peer that is gone.
 */
pid_t demo_fork(void);

/*
 * Gated children: with --wait, a child that is set up tells its parent
 * (a real-time signal) and then waits for SIGUSR1, so that ipctrace can attach to the
 * PIDs before any data moves. The parent calls gate_prepare() before forking,
 * and gate_open() once its children are forked.
 */
void gate_prepare(void);
void gate_child_ready(const struct demo_opts *o);
void gate_open(const struct demo_opts *o, const char *demo, const pid_t *kids, int nkids,
	       const pid_t *gated, int ngated);

/* write()/read() one message, looping over short transfers; each call that
 * moves data is one op. Returns bytes moved (read: 0 at end of file). */
/* A message of size bytes (the alphabet, over and over), to free. */
char *demo_message(size_t size);
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
