// SPDX-License-Identifier: GPL-2.0
/*
 * Pseudo-terminals, user side: the pty module (bpf/filetype/pty.bpf.h,
 * tools/demo/pty.c). A pty's two ends are two objects, linked as a socket
 * pair's are, so that a row's peers are the processes at the other end: the
 * slave "/dev/pts/N" (a shell, what script or ssh runs) and the master
 * "/dev/pts/N (master)" (the terminal emulator, sshd, script), the
 * /dev/ptmx descriptor that made it. Bytes are what read() and write()
 * moved on each end, after the line discipline (echo, \n to \r\n).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include "model/mechanism.h"
#include "model/procfs.h"
#include "model/rows.h"
#include "model/holders.h"

#define PTY_SLAVE_MAJOR_FIRST 136	/* UNIX98_PTY_SLAVE_MAJOR */
#define PTY_SLAVE_MAJORS 8

/* The devpts instance ipctrace sees at /dev/pts: a master's descriptor
 * (on /dev/ptmx, another filesystem) does not say which it belongs to. */
static __u32 devpts_dev(void)
{
	struct stat st;

	return stat("/dev/pts", &st) == 0 ? mechanism_kernel_dev(st.st_dev) : 0;
}

static bool pty_fd_object(const struct fd_ref *ref, GHashTable *named, struct ipc_obj_key *out)
{
	long long index;
	struct stat st;

	(void)named;
	memset(out, 0, sizeof(*out));
	out->type = IPC_PTY;
	if (strcmp(ref->link, "/dev/ptmx") == 0 || strcmp(ref->link, "/dev/pts/ptmx") == 0) {
		if (proc_fdinfo_field(ref->pid, ref->fd, "tty-index", &index) != 0 || index < 0)
			return false;
		out->ino = (__u64)index | PTY_MASTER_BIT;
		out->dev = devpts_dev();
		return true;
	}
	if (strncmp(ref->link, "/dev/pts/", 9) != 0 ||
	    fstatat(ref->dirfd, ref->fdname, &st, 0) != 0 || !S_ISCHR(st.st_mode) ||
	    major(st.st_rdev) - PTY_SLAVE_MAJOR_FIRST >= PTY_SLAVE_MAJORS)
		return false;
	out->ino = (major(st.st_rdev) - PTY_SLAVE_MAJOR_FIRST) * 256ULL + minor(st.st_rdev);
	out->dev = mechanism_kernel_dev(st.st_dev);
	return true;
}

static void pty_default_name(const struct ipc_obj_key *obj, char *buf, size_t len)
{
	snprintf(buf, len, "/dev/pts/%u%s", (__u32)obj->ino,
		 obj->ino & PTY_MASTER_BIT ? " (master)" : "");
}

/* Each end seen is linked to the other, seen or not. */
static void pty_refresh(struct store *s)
{
	GPtrArray *ends = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (((struct object *)v)->key.type == IPC_PTY && !object_is_overflow(v) &&
		    !((struct object *)v)->peer_objs->len)
			g_ptr_array_add(ends, v);
	for (guint i = 0; i < ends->len; i++) {
		struct object *o = g_ptr_array_index(ends, i);
		struct ipc_obj_key other = o->key;
		struct object *p;

		other.ino ^= PTY_MASTER_BIT;
		p = store_object(s, &other);
		if (!p->name)
			object_set_name(p, NULL);
		object_link(o, p);
	}
	g_ptr_array_free(ends, TRUE);
}

const struct mechanism pty_mechanism = {
	.name = "pty",
	.types = 1U << IPC_PTY,
	.type_info = {
		{ IPC_PTY, "pty", "#ce6dbd" },	/* orchid */
	},
	.transfers = true,
	.fd_object = pty_fd_object,
	.held = true,
	.endpoints = true,
	.default_name = pty_default_name,
	.refresh = pty_refresh,
};
