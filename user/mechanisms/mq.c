// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX message queues, user side: the mq module (bpf/mq.bpf.h,
 * tools/demo/mq.c). A queue shows as its name, /name. Its depth comes from
 * mq_getattr(), through a descriptor of our own checked to be the same inode,
 * so a queue of another IPC namespace that happens to share the name is never
 * mistaken for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include "model/mechanism.h"
#include "model/rows.h"

#define MQUEUE_MAGIC 0x19800202	/* ipc/mqueue.c; not in the uapi headers */

static const struct syscall_hook mq_syscalls[] = {
	{ __NR_mq_timedsend, IPCOP_MQ_SEND },
	{ __NR_mq_timedreceive, IPCOP_MQ_RECV },
	{ __NR_mq_notify, IPCOP_MQ_NOTIFY },
	{ __NR_mq_unlink, IPCOP_MQ_UNLINK },
};

/* A queue descriptor's link is its name ("/name"), on the mqueue filesystem. */
static bool mq_fd_object(const struct fd_ref *ref, GHashTable *named, struct ipc_obj_key *out)
{
	char path[64];
	struct statfs sfs;
	struct stat st;

	if (ref->link[0] != '/' || strchr(ref->link + 1, '/'))
		return false;
	if (named && !mechanism_link_is_named(named, ref->link))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/fd/%s", ref->pid, ref->fdname);
	if (statfs(path, &sfs) != 0 || sfs.f_type != MQUEUE_MAGIC ||
	    fstatat(ref->dirfd, ref->fdname, &st, 0) != 0)
		return false;
	memset(out, 0, sizeof(*out));
	out->type = IPC_MQ;
	out->ino = st.st_ino;
	out->dev = mechanism_kernel_dev(st.st_dev);
	return true;
}

static void mq_default_name(const struct ipc_obj_key *obj, char *buf, size_t len)
{
	snprintf(buf, len, "mq:[%llu]", (unsigned long long)obj->ino);
}

/* A descriptor of our own for the queue, checked to be the same inode. */
static mqd_t reopen(const struct object *o, const char *path)
{
	struct stat st;
	mqd_t q = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (q < 0)
		return (mqd_t)-1;
	if (fstat(q, &st) != 0 || st.st_ino != o->key.ino || mechanism_kernel_dev(st.st_dev) != o->key.dev) {
		close(q);
		return (mqd_t)-1;
	}
	return q;
}

/*
 * A queue's depth and limits, through its name; once unlinked, through a
 * descriptor a holder still has (a queue lives on while one is open).
 */
static void refresh_queue(struct object *o)
{
	struct mq_attr attr;
	char path[64];
	mqd_t q = (mqd_t)-1;

	if (!o->name || o->name[0] != '/')
		return;
	if (!store_attr_find(o->attrs, o->nattrs, "unlinked")) {
		q = mq_open(o->name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (q != (mqd_t)-1) {
			struct stat st;

			if (fstat(q, &st) != 0 || st.st_ino != o->key.ino ||
			    mechanism_kernel_dev(st.st_dev) != o->key.dev) {
				mq_close(q);
				q = (mqd_t)-1;
				store_attr_set(&o->attrs, &o->nattrs, "unlinked", 1);
			}
		} else if (errno == ENOENT) {
			store_attr_set(&o->attrs, &o->nattrs, "unlinked", 1);
		}
	}
	for (guint i = 0; q == (mqd_t)-1 && i < o->holders->len; i++) {
		const struct holder *h = &g_array_index(o->holders, struct holder, i);

		if (h->fd < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", h->pid, h->fd);
		q = reopen(o, path);
	}
	if (q == (mqd_t)-1)
		return;
	if (mq_getattr(q, &attr) == 0) {
		store_attr_set(&o->attrs, &o->nattrs, "depth", attr.mq_curmsgs);
		store_attr_set(&o->attrs, &o->nattrs, "maxmsg", attr.mq_maxmsg);
		store_attr_set(&o->attrs, &o->nattrs, "msgsize", attr.mq_msgsize);
	}
	mq_close(q);
}

static void mq_refresh(struct store *s)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (((struct object *)v)->key.type == IPC_MQ && !object_is_overflow(v))
			refresh_queue(v);
}

const struct mechanism mq_mechanism = {
	.name = "mq",
	.types = 1U << IPC_MQ,
	.type_info = {
		{ IPC_MQ, "mq", "#2ca02c" },	/* green */
	},
	.syscalls = mq_syscalls,
	.nsyscalls = G_N_ELEMENTS(mq_syscalls),
	.fd_object = mq_fd_object,
	.held = true,
	.default_name = mq_default_name,
	.refresh = mq_refresh,
	.event_names = { [MQ_EV_NOTIFY] = "notify" },
	.label_name = "prio",
};
