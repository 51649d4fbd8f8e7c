// SPDX-License-Identifier: GPL-2.0
/*
 * System V semaphore sets, user side: the sem module (bpf/sem.bpf.h). The
 * shm demo takes turns through one. A set is named by key and id
 * (/proc/sysvipc/sem); a row's ops are semops: posts (tx) and waits (rx).
 */
#include <sys/syscall.h>
#include "model/mechanism.h"
#include "model/rows.h"
#include "model/sysv.h"

static const struct syscall_hook sem_syscalls[] = {
	{ __NR_semop, IPCOP_SEM_OP },
	{ __NR_semtimedop, IPCOP_SEM_OP },
	{ __NR_semget, IPCOP_SEM_GET },
	{ __NR_semctl, IPCOP_SEM_CTL },
};

/* key semid perms nsems uid gid cuid cgid otime ctime */
static void set_state(struct object *o, const struct sysv_entry *e)
{
	if (e->ncols >= 4)
		store_attr_set(&o->attrs, &o->nattrs, "nsems", e->col[3]);
}

static void sem_refresh(struct store *s)
{
	sysv_refresh(s, IPC_SEM, "sem", set_state);
}

const struct mechanism sem_mechanism = {
	.name = "sem",
	.types = 1U << IPC_SEM,
	.type_info = {
		{ IPC_SEM, "sem", "#e377c2" },	/* pink */
	},
	.syscalls = sem_syscalls,
	.nsyscalls = G_N_ELEMENTS(sem_syscalls),
	.default_name = sysv_default_name,
	.refresh = sem_refresh,
	.label_name = "woken_by",
	.dev_key = sysv_dev_key,
	.describe = sysv_describe,
};
