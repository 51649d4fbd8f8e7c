// SPDX-License-Identifier: GPL-2.0
/*
 * System V message queues, user side: the msg module (bpf/msg.bpf.h,
 * tools/demo/msg.c). The kernel names a queue by (IPC namespace, msqid);
 * /proc/sysvipc/msg gives its key and depth, also for queues created before
 * ipctrace started. It lists our own namespace only, so queues of other
 * namespaces keep their bare id.
 */
#include <sys/syscall.h>
#include "model/mechanism.h"
#include "model/rows.h"
#include "model/sysv.h"

static const struct syscall_hook msg_syscalls[] = {
	{ __NR_msgsnd, IPCOP_MSG_SND },
	{ __NR_msgrcv, IPCOP_MSG_RCV },
	{ __NR_msgctl, IPCOP_MSG_CTL },
	{ __NR_msgget, IPCOP_MSG_GET },
};

/* key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime */
static void queue_state(struct object *o, const struct sysv_entry *e)
{
	if (e->ncols < 5)
		return;
	store_attr_set(&o->attrs, &o->nattrs, "depth", e->col[4]);
	store_attr_set(&o->attrs, &o->nattrs, "queued_bytes", e->col[3]);
}

static void msg_refresh(struct store *s)
{
	sysv_refresh(s, IPC_MSG, "msg", queue_state);
}

const struct mechanism msg_mechanism = {
	.name = "msg",
	.types = 1U << IPC_MSG,
	.type_info = {
		{ IPC_MSG, "msg", "#8c9a00" },	/* olive */
	},
	.syscalls = msg_syscalls,
	.nsyscalls = G_N_ELEMENTS(msg_syscalls),
	/* No descriptor names a System V queue: peers come from traffic alone. */
	.default_name = sysv_default_name,
	.refresh = msg_refresh,
	.label_name = "mtype",
	.dev_key = sysv_dev_key,
	.describe = sysv_describe,
};
