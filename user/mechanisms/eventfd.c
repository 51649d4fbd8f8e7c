// SPDX-License-Identifier: GPL-2.0
/*
 * eventfd, user side: the eventfd module (bpf/eventfd.bpf.h,
 * tools/demo/eventfd.c). An eventfd is named by its id, "eventfd:[N]", the
 * eventfd-id /proc/PID/fdinfo shows, since every eventfd shares one
 * anonymous inode. A row's ops are reads or writes of 8 bytes; events sum the
 * values they added (tx) and consumed (rx).
 */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include "model/mechanism.h"
#include "model/procfs.h"
#include "ipctrace.skel.h"

/* The pipe module's transfer syscalls: eventfd has no splice or sendfile. */
static const struct syscall_hook eventfd_syscalls[] = {
	{ __NR_read, IPCOP_READ },
	{ __NR_readv, IPCOP_READ },
	{ __NR_preadv2, IPCOP_READ },
	{ __NR_write, IPCOP_WRITE },
	{ __NR_writev, IPCOP_WRITE },
	{ __NR_pwritev2, IPCOP_WRITE },
};

static bool eventfd_fd_object(const struct fd_ref *ref, GHashTable *named, struct ipc_obj_key *out)
{
	long long id;

	(void)named;
	if (strcmp(ref->link, "anon_inode:[eventfd]") != 0 ||
	    proc_fdinfo_field(ref->pid, ref->fd, "eventfd-id", &id) != 0)
		return false;
	memset(out, 0, sizeof(*out));
	out->type = IPC_EVENTFD;
	out->ino = (__u32)id;	/* as the kernel side keys it */
	return true;
}

static void eventfd_default_name(const struct ipc_obj_key *obj, char *buf, size_t len)
{
	snprintf(buf, len, "eventfd:[%llu]", (unsigned long long)obj->ino);
}

/* The kernel side reads a vectored call's value through its first iovec. */
static void eventfd_configure(struct ipctrace_bpf__rodata *rodata)
{
	rodata->eventfd_vector_nr[0] = __NR_readv;
	rodata->eventfd_vector_nr[1] = __NR_preadv2;
	rodata->eventfd_vector_nr[2] = __NR_writev;
	rodata->eventfd_vector_nr[3] = __NR_pwritev2;
}

const struct mechanism eventfd_mechanism = {
	.name = "eventfd",
	.types = 1U << IPC_EVENTFD,
	.type_info = {
		{ IPC_EVENTFD, "eventfd", "#637939" },	/* moss */
	},
	.syscalls = eventfd_syscalls,
	.nsyscalls = G_N_ELEMENTS(eventfd_syscalls),
	.fd_object = eventfd_fd_object,
	.held = true,
	.default_name = eventfd_default_name,
	.configure = eventfd_configure,
	.event_names = {
		[EVENTFD_EV_ADDED] = "added",
		[EVENTFD_EV_CONSUMED] = "consumed",
	},
};
