// SPDX-License-Identifier: GPL-2.0
/*
 * Pipes and FIFOs, user side: which syscalls carry their traffic, how an open
 * descriptor under /proc names one, and what to call one. The kernel side is
 * bpf/pipe.bpf.h, the demo tools/demo/pipe.c.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "model/mechanism.h"

/* Besides the transfer syscalls (.transfers). */
static const struct syscall_hook pipe_syscalls[] = {
	{ __NR_splice, IPCOP_SPLICE },
	{ __NR_tee, IPCOP_TEE },
	{ __NR_vmsplice, IPCOP_VMSPLICE },
	{ __NR_sendfile, IPCOP_SENDFILE },
};

/* With -p, a FIFO's peer is found when it opens the FIFO by name. */
static const struct syscall_hook pipe_filter_syscalls[] = {
#ifdef __NR_open	/* arm64 has openat alone */
	{ __NR_open, IPCOP_OPEN },
#endif
	{ __NR_openat, IPCOP_OPEN },
#ifdef __NR_openat2
	{ __NR_openat2, IPCOP_OPEN },
#endif
};

/* Every anonymous pipe lives on the one pipefs superblock. */
static __u32 pipefs_dev(void)
{
	static __u32 dev;
	static bool known;
	int fds[2];
	struct stat st;

	if (known)
		return dev;
	if (pipe2(fds, O_CLOEXEC) == 0) {
		if (fstat(fds[0], &st) == 0)
			dev = mechanism_kernel_dev(st.st_dev);
		close(fds[0]);
		close(fds[1]);
	}
	known = true;
	return dev;
}

static bool pipe_fd_object(const struct fd_ref *ref, GHashTable *named,
			   struct ipc_obj_key *out)
{
	unsigned long long ino;
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (sscanf(ref->link, "pipe:[%llu]", &ino) == 1) {
		out->type = IPC_PIPE;
		out->ino = ino;
		out->dev = pipefs_dev();
		return true;
	}
	if (ref->link[0] != '/')
		return false;
	if (named && !mechanism_link_is_named(named, ref->link))
		return false;
	if (fstatat(ref->dirfd, ref->fdname, &st, 0) != 0 || !S_ISFIFO(st.st_mode))
		return false;
	out->type = IPC_FIFO;
	out->ino = st.st_ino;
	out->dev = mechanism_kernel_dev(st.st_dev);
	return true;
}

static void pipe_default_name(const struct ipc_obj_key *obj, char *buf, size_t len)
{
	if (obj->type == IPC_PIPE)
		snprintf(buf, len, "pipe:[%llu]", (unsigned long long)obj->ino);
	else
		snprintf(buf, len, "fifo:[%u:%u:%llu]", obj->dev >> 20, obj->dev & 0xfffff,
			 (unsigned long long)obj->ino);
}

const struct mechanism pipe_mechanism = {
	.name = "pipe",
	.types = 1U << IPC_PIPE | 1U << IPC_FIFO,
	.type_info = {
		{ IPC_PIPE, "pipe", "#1f77b4" },	/* blue */
		{ IPC_FIFO, "fifo", "#17becf" },	/* cyan */
	},
	.syscalls = pipe_syscalls,
	.transfers = true,
	.nsyscalls = G_N_ELEMENTS(pipe_syscalls),
	.filter_syscalls = pipe_filter_syscalls,
	.nfilter_syscalls = G_N_ELEMENTS(pipe_filter_syscalls),
	.fd_object = pipe_fd_object,
	.held = true,
	.default_name = pipe_default_name,
};
