// SPDX-License-Identifier: GPL-2.0
/*
 * System V message queues, the demo side of the msg module (bpf/msg.bpf.h,
 * user/mechanisms/msg.c).
 *
 * msg: a sender cycles through message types 1, 2 and 3. One receiver asks
 *      for type 1 only; the other for anything but type 1 (MSG_EXCEPT, a
 *      Linux extension), so the kernel sorts the messages between them.
 *      Empty messages end each receiver's stream: type 1 for the first,
 *      type 99 for the second. The parent made the queue and removes it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include "demo.h"

#define END_OTHERS 99	/* the end-of-stream type for the second receiver */

struct message {
	long mtype;
	char mtext[];
};

static void msg_record(struct demo_record *r, int id, long key, bool tx)
{
	record_init(r, "msg", -1, tx);
	r->ino = (unsigned long long)id;
	snprintf(r->object, sizeof(r->object), "key 0x%08lx id %d", key, id);
	r->label_name = "mtype";
}

static int msg_receiver(const struct demo_opts *o, int id, long key, long type, int flags,
			const char *role)
{
	struct message *m = malloc(sizeof(*m) + o->size);
	struct demo_record r;

	name_process(flags ? "msg-recv-other" : "msg-recv-type1");
	if (!m)
		die("out of memory");
	msg_record(&r, id, key, false);
	for (;;) {
		ssize_t n = msgrcv(id, m, o->size, type, flags);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("msgrcv: %s", strerror(errno));
		r.bytes += (size_t)n;
		r.ops++;
		record_label(&r, m->mtype);
		if (n == 0)
			break;
	}
	report(o, "msg", role, &r);
	free(m);
	return 0;
}

static void send_one(int id, struct message *m, long type, size_t size, struct demo_record *r)
{
	m->mtype = type;
	while (msgsnd(id, m, size, 0) != 0)
		if (errno != EINTR)
			die("msgsnd: %s", strerror(errno));
	r->bytes += size;
	r->ops++;
	record_label(r, type);
}

static int msg_sender(const struct demo_opts *o, int id, long key)
{
	struct message *m = calloc(1, sizeof(*m) + o->size);
	struct demo_record r;
	double start;

	name_process("msg-sender");
	if (!m)
		die("out of memory");
	msg_record(&r, id, key, true);
	gate_child_ready(o);
	start = now_s();
	for (long i = 0; keep_sending(o, i, start); i++)
		send_one(id, m, 1 + i % 3, o->size, &r);
	if (!o->no_end) {
		send_one(id, m, 1, 0, &r);
		send_one(id, m, END_OTHERS, 0, &r);
	}
	report(o, "msg", "sender", &r);
	free(m);
	return 0;
}

static int run_msg(const struct demo_opts *o)
{
	long key;
	pid_t kids[3];
	int id, failed, attempt = 0;

	if (o->role)
		die("msg has no roles: its processes share the queue by key");
	do {
		key = o->key ? o->key : demo_ipc_key(0x1d000000L, attempt++);
		id = msgget((key_t)key, IPC_CREAT | IPC_EXCL | 0600);
	} while (id < 0 && errno == EEXIST && !o->key);
	if (id < 0)
		die("msgget 0x%08lx: %s", key, strerror(errno));
	gate_prepare();
	kids[0] = demo_fork();
	if (kids[0] == 0)
		exit(msg_receiver(o, id, key, 1, 0, "type1"));
	kids[1] = demo_fork();
	if (kids[1] == 0)
		exit(msg_receiver(o, id, key, 1, MSG_EXCEPT, "others"));
	kids[2] = demo_fork();
	if (kids[2] == 0)
		exit(msg_sender(o, id, key));
	if (kids[0] < 0 || kids[1] < 0 || kids[2] < 0)
		die("fork: %s", strerror(errno));
	gate_open(o, "msg", kids, 3, &kids[2], 1);
	failed = reap(kids, 3);
	if (msgctl(id, IPC_RMID, NULL) != 0)
		die("msgctl IPC_RMID: %s", strerror(errno));
	{
		char object[64];

		snprintf(object, sizeof(object), "key 0x%08lx id %d", key, id);
		report_removal(o, "msg", "msg", object, (unsigned long long)id);
	}
	return failed;
}

const struct demo msg_demo = {
	"msg", "System V queue: three message types, a receiver that takes type 1 only", run_msg,
	.types = "msg",
	.explain =
		"A System V message queue (msgget) is found by a numeric key rather than a\n"
		"name. Each message carries a type, mtype, and a receiver may ask for one\n"
		"type only: the other messages stay queued for someone else.\n"
		"Look for: OBJECT as \"key 0x... id N\"; DETAIL shows the messages per mtype;\n"
		"one receiver takes only type 1, the other receiver takes the rest, and the\n"
		"sender names both as PEERS.",
};
