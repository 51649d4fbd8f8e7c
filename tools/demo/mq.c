// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX message queues, the demo side of the mq module (bpf/mq.bpf.h,
 * user/mechanisms/mq.c).
 *
 * mq: a sender and a receiver that share nothing but the queue's name. The
 *     receiver asks to be notified, then blocks in mq_receive whenever the
 *     queue is empty; the sender cycles through priorities 0, 1, 5 and 9, and
 *     the kernel hands the highest priority out first. A zero-length message
 *     ends the stream. The parent made the queue and unlinks it at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "demo.h"

static const unsigned int priorities[] = { 0, 1, 5, 9 };
#define NPRIO (sizeof(priorities) / sizeof(priorities[0]))

static mqd_t open_queue(const char *name, int flags, size_t size)
{
	struct mq_attr attr = { .mq_maxmsg = 10, .mq_msgsize = (long)size };
	mqd_t q = mq_open(name, flags | O_CREAT, 0600, &attr);

	/* A new queue's name that an earlier run left behind: the caller
	 * tries another (demo_ipc_name). */
	if (q == (mqd_t)-1 && !(errno == EEXIST && (flags & O_EXCL)))
		die("mq_open %s: %s (message size %zu: at most /proc/sys/fs/mqueue/msgsize_max, "
		    "10 messages: at most msg_max)", name, strerror(errno), size);
	return q;
}

static void mq_record(struct demo_record *r, mqd_t q, const char *name, bool tx)
{
	record_init(r, "mq", q, tx);
	snprintf(r->object, sizeof(r->object), "%s", name);
	r->label_name = "prio";
}

static int mq_receiver(const struct demo_opts *o, const char *name, bool gated)
{
	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	struct demo_record r;
	struct mq_attr attr;
	char *buf;
	mqd_t q;

	name_process("mq-receiver");
	q = open_queue(name, O_RDONLY, o->size);
	mq_record(&r, q, name, false);
	if (gated)
		gate_child_ready(o);
	/* Ask to be told when a message arrives on the empty queue: a
	 * registration ipctrace counts (SIGEV_NONE: told by nothing). */
	if (mq_notify(q, &none) == 0)
		record_event(&r, "notify", 1);
	mq_getattr(q, &attr);
	buf = malloc((size_t)attr.mq_msgsize);
	if (!buf)
		die("out of memory");
	for (;;) {
		unsigned int prio;
		ssize_t n = mq_receive(q, buf, (size_t)attr.mq_msgsize, &prio);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("mq_receive: %s", strerror(errno));
		r.bytes += (size_t)n;
		r.ops++;
		record_label(&r, prio);
		if (n == 0)
			break;	/* the end of the stream */
	}
	mq_close(q);
	report(o, "mq", "receiver", &r);
	free(buf);
	return 0;
}

static int mq_sender(const struct demo_opts *o, const char *name, bool gated)
{
	struct demo_record r;
	char *buf = calloc(1, o->size);
	double start;
	mqd_t q;

	name_process("mq-sender");
	q = open_queue(name, O_WRONLY, o->size);
	mq_record(&r, q, name, true);
	if (!buf)
		die("out of memory");
	if (gated)
		gate_child_ready(o);
	else
		wait_for_go(o, "mq", NULL, 0);
	start = now_s();
	for (long i = 0; keep_sending(o, i, start); i++) {
		unsigned int prio = priorities[i % NPRIO];

		/* mq_send blocks while the queue holds mq_maxmsg messages. */
		while (mq_send(q, buf, o->size, prio) != 0)
			if (errno != EINTR)
				die("mq_send: %s", strerror(errno));
		r.bytes += o->size;
		r.ops++;
		record_label(&r, prio);
	}
	if (!o->no_end) {
		while (mq_send(q, buf, 0, 0) != 0)
			if (errno != EINTR)
				die("mq_send: %s", strerror(errno));
		r.ops++;
		record_label(&r, 0);
	}
	mq_close(q);
	report(o, "mq", "sender", &r);
	free(buf);
	return 0;
}

static void unlink_queue(const struct demo_opts *o, const char *name)
{
	struct stat st;
	mqd_t q = mq_open(name, O_RDONLY);
	unsigned long long ino = 0;

	if (q != (mqd_t)-1) {
		if (fstat(q, &st) == 0)
			ino = st.st_ino;
		mq_close(q);
	}
	if (mq_unlink(name) != 0)
		die("mq_unlink %s: %s", name, strerror(errno));
	report_removal(o, "mq", "mq", name, ino);
}

static int run_mq(const struct demo_opts *o)
{
	char name[64];
	pid_t kids[2];
	int failed, attempt = 0;
	mqd_t q;

	if (o->role && (!o->path || o->path[0] != '/'))
		die("--role needs --path /NAME: the queue both sides open");
	if (o->role && strcmp(o->role, "receiver") == 0)
		return mq_receiver(o, o->path, false);
	if (o->role && strcmp(o->role, "sender") == 0)
		return mq_sender(o, o->path, false);
	if (o->role && strcmp(o->role, "unlink") == 0) {
		unlink_queue(o, o->path);
		return 0;
	}
	if (o->role)
		die("unknown role '%s': expected receiver, sender or unlink", o->role);

	do
		demo_ipc_name(name, sizeof(name), attempt++);
	while ((q = open_queue(name, O_RDWR | O_EXCL, o->size)) == (mqd_t)-1);
	mq_close(q);
	gate_prepare();
	kids[0] = demo_fork();
	if (kids[0] == 0)
		exit(mq_receiver(o, name, true));
	kids[1] = demo_fork();
	if (kids[1] == 0)
		exit(mq_sender(o, name, true));
	if (kids[0] < 0 || kids[1] < 0)
		die("fork: %s", strerror(errno));
	gate_open(o, "mq", kids, 2, kids, 2);
	failed = reap(kids, 2);
	unlink_queue(o, name);
	return failed;
}

const struct demo mq_demo = {
	"mq", "POSIX queue: a blocking receiver, a sender using four priorities", run_mq,
	.types = "mq",
	.explain =
		"A POSIX message queue (mq_open(\"/name\")) keeps whole messages inside the\n"
		"kernel until someone receives them. Each message has a priority, and a\n"
		"receiver always gets the highest priority first. Unlike a pipe, a message\n"
		"is never split or merged: one send is one receive.\n"
		"Look for: OPS counts messages; DETAIL shows how many were sent at each\n"
		"priority (prio P:N) and the mq_notify registration; the receiver blocks in\n"
		"mq_receive between messages, so its WAIT is high.",
};
