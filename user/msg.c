// SPDX-License-Identifier: GPL-2.0
/*
 * System V message queues, user side: the msg module (bpf/msg.bpf.h,
 * tools/demo/msg.c). The kernel names a queue by (IPC namespace, msqid);
 * /proc/sysvipc/msg gives its key and depth, also for queues created before
 * ipctrace started. It lists our own namespace only, so queues of other
 * namespaces keep their bare id.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "mechanism.h"
#include "rows.h"
#include "holders.h"

static const struct syscall_hook msg_syscalls[] = {
	{ __NR_msgsnd, IPCOP_MSG_SND },
	{ __NR_msgrcv, IPCOP_MSG_RCV },
	{ __NR_msgctl, IPCOP_MSG_CTL },
	{ __NR_msgget, IPCOP_MSG_GET },
};

static void msg_default_name(const struct ipc_obj_key *obj, char *buf, size_t len)
{
	snprintf(buf, len, "id %llu", (unsigned long long)obj->ino);
}

static __u32 own_ipc_ns(void)
{
	static __u32 inum;
	struct stat st;

	if (!inum && stat("/proc/self/ns/ipc", &st) == 0)
		inum = (__u32)st.st_ino;
	return inum;
}

struct sysv_queue {
	unsigned int key;
	unsigned long long cbytes, qnum;
};

/* msqid -> struct sysv_queue, from one read of /proc/sysvipc/msg. */
static GHashTable *read_sysvipc_msg(void)
{
	GHashTable *queues = g_hash_table_new_full(g_int_hash, g_int_equal, g_free, g_free);
	FILE *f = fopen("/proc/sysvipc/msg", "re");
	char line[512];

	if (!f)
		return queues;
	if (!fgets(line, sizeof(line), f)) {	/* the header */
		fclose(f);
		return queues;
	}
	while (fgets(line, sizeof(line), f)) {
		struct sysv_queue q;
		int id;

		/* key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime */
		if (sscanf(line, "%d %d %*o %llu %llu", (int *)&q.key, &id, &q.cbytes, &q.qnum) != 4)
			continue;
		g_hash_table_insert(queues, g_memdup2(&id, sizeof(id)), g_memdup2(&q, sizeof(q)));
	}
	fclose(f);
	return queues;
}

/*
 * Keys of every queue listed so far, kept after a queue goes, so that one
 * created before ipctrace started and removed between two refreshes still
 * has its name.
 */
static GHashTable *known_keys;	/* msqid -> key */

static void msg_refresh(struct store *s)
{
	GHashTable *queues = read_sysvipc_msg();
	GHashTableIter it;
	gpointer k, v;

	if (!known_keys)
		known_keys = g_hash_table_new_full(g_int_hash, g_int_equal, g_free, NULL);
	g_hash_table_iter_init(&it, queues);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_replace(known_keys, g_memdup2(k, sizeof(int)),
				     GUINT_TO_POINTER(((struct sysv_queue *)v)->key));

	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct object *o = v;
		struct sysv_queue *q;
		int id = (int)o->key.ino;
		char name[64];

		if (o->key.type != IPC_MSG || o->key.dev != own_ipc_ns())
			continue;
		if ((!o->name || strncmp(o->name, "key ", 4)) &&
		    g_hash_table_contains(known_keys, &id)) {
			snprintf(name, sizeof(name), "key 0x%08x id %d",
				 GPOINTER_TO_UINT(g_hash_table_lookup(known_keys, &id)), id);
			g_free(o->name);
			o->name = g_strdup(name);
		}
		if (attr_find(o->attrs, o->nattrs, "removed"))
			continue;
		q = g_hash_table_lookup(queues, &id);
		if (!q) {
			attr_set(o->attrs, &o->nattrs, "removed", 1);
			continue;
		}
		attr_set(o->attrs, &o->nattrs, "depth", (__s64)q->qnum);
		attr_set(o->attrs, &o->nattrs, "queued_bytes", (__s64)q->cbytes);
	}
	g_hash_table_destroy(queues);
}

/* msgget told the kernel side the key of a new id. */
static void msg_describe(struct object *o, const struct ipc_obj_info *info)
{
	char name[64];

	if (!info->has_key) {
		object_set_name(o, NULL);
		return;
	}
	snprintf(name, sizeof(name), "key 0x%08x id %llu", (unsigned int)info->sysv_key,
		 (unsigned long long)o->key.ino);
	object_set_name(o, name);
}

/* The object's dev is its IPC namespace, named as /proc/PID/ns/ipc names it. */
static void msg_format_dev(__u32 dev, char *buf, size_t len)
{
	snprintf(buf, len, "ipc:[%u]", dev);
}

const struct mechanism msg_mechanism = {
	.name = "msg",
	.types = 1U << IPC_MSG,
	.syscalls = msg_syscalls,
	.nsyscalls = sizeof(msg_syscalls) / sizeof(msg_syscalls[0]),
	/* No descriptor names a System V queue: peers come from traffic alone. */
	.default_name = msg_default_name,
	.refresh = msg_refresh,
	.label_name = "mtype",
	.format_dev = msg_format_dev,
	.describe = msg_describe,
};
