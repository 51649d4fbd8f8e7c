// SPDX-License-Identifier: GPL-2.0
/*
 * Shared memory and memory-mapped files, user side: the shm module
 * (bpf/shm.bpf.h, tools/demo/shm.c). System V segments are named by key and
 * id (/proc/sysvipc/shm), POSIX shared memory and mapped files by path. Who
 * shares an object now comes from /proc/PID/maps, so an attacher that never
 * touches it, or one attached before ipctrace started, still shows.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "model/mechanism.h"
#include "ipctrace.skel.h"
#include "model/rows.h"
#include "model/holders.h"
#include "model/procfs.h"
#include "model/sysv.h"

static const struct syscall_hook shm_syscalls[] = {
	{ __NR_mmap, IPCOP_MMAP },
	{ __NR_munmap, IPCOP_MUNMAP },
	{ __NR_mremap, IPCOP_MREMAP },
	{ __NR_madvise, IPCOP_MADVISE },	/* MADV_POPULATE_* */
	{ __NR_futex, IPCOP_FUTEX },
	{ __NR_shmget, IPCOP_SHM_GET },
	{ __NR_shmat, IPCOP_SHM_AT },
	{ __NR_shmdt, IPCOP_SHM_DT },
	{ __NR_shmctl, IPCOP_SHM_CTL },
	{ __NR_memfd_create, IPCOP_MEMFD },
#ifdef __NR_unlink	/* arm64 has unlinkat alone */
	{ __NR_unlink, IPCOP_UNLINK },	/* shm_unlink() */
#endif
	{ __NR_unlinkat, IPCOP_UNLINKAT },
	/* Read and written through a descriptor (bpf/filetype/shmfile.bpf.h):
	 * besides the transfer syscalls (.transfers), those that move a file's
	 * data, and the positioned ones a file takes, which a pipe refuses. */
	{ __NR_splice, IPCOP_SPLICE },
	{ __NR_sendfile, IPCOP_SENDFILE },
	{ __NR_pread64, IPCOP_READ },
	{ __NR_preadv, IPCOP_READV },
	{ __NR_pwrite64, IPCOP_WRITE },
	{ __NR_pwritev, IPCOP_WRITEV },
};

/* /dev/shm's device, as the kernel writes it (0 if it is not mounted). */
static __u32 devshm_dev(void)
{
	struct stat st;

	return stat("/dev/shm", &st) == 0 ? mechanism_kernel_dev(st.st_dev) : 0;
}

/* The kernel's internal shmem mount's device, where every memfd lives. */
static __u32 memfd_dev(void)
{
	static __u32 dev;
	static bool known;
	struct stat st;
	int fd;

	if (known)
		return dev;
	fd = memfd_create("ipctrace", MFD_CLOEXEC);
	if (fd >= 0) {
		if (fstat(fd, &st) == 0)
			dev = mechanism_kernel_dev(st.st_dev);
		close(fd);
	}
	known = true;
	return dev;
}

/*
 * An open descriptor of POSIX shared memory (a file on /dev/shm) or a memfd
 * ("/memfd:NAME (deleted)"): read and written by calls, it is the object its
 * mappings are. The system-wide scan stats only /dev/shm files already
 * named, and every memfd (whose link is not its object's name).
 */
static bool shm_fd_object(const struct fd_ref *ref, GHashTable *named, struct ipc_obj_key *out)
{
	bool memfd = strncmp(ref->link, "/memfd:", 7) == 0;
	struct stat st;

	if (!memfd && (strncmp(ref->link, "/dev/shm/", 9) != 0 ||
		       (named && !mechanism_link_is_named(named, ref->link))))
		return false;
	if (fstatat(ref->dirfd, ref->fdname, &st, 0) != 0 || !S_ISREG(st.st_mode))
		return false;
	memset(out, 0, sizeof(*out));
	out->dev = mechanism_kernel_dev(st.st_dev);
	if (out->dev == devshm_dev() && devshm_dev())
		out->type = IPC_POSIX_SHM;
	else if (memfd && out->dev == memfd_dev())
		out->type = IPC_MMAP;
	else
		return false;
	out->ino = st.st_ino;
	return true;
}

/*
 * A shared mapping in /proc/PID/maps: "/SYSV<key> (deleted)" is a System V
 * segment whose inode is its shmid, a file on /dev/shm POSIX shared memory,
 * and any other file a file mapping, "/dev/zero (deleted)" being shared
 * anonymous memory. Devices' memory (other files under /dev) is not IPC.
 */
static bool shm_map_object(const struct map_ref *ref, struct ipc_obj_key *out,
			   unsigned int *mode)
{
	memset(out, 0, sizeof(*out));
	if (strncmp(ref->path, "/SYSV", 5) == 0) {
		out->type = IPC_SHM;
		out->dev = sysv_own_ipc_ns();
	} else if (mechanism_kernel_dev(ref->dev) == devshm_dev() && devshm_dev()) {
		out->type = IPC_POSIX_SHM;
		out->dev = mechanism_kernel_dev(ref->dev);
	} else if (strncmp(ref->path, "/dev/", 5) && ref->path[0]) {
		out->type = IPC_MMAP;
		out->dev = mechanism_kernel_dev(ref->dev);
	} else if (strcmp(ref->path, "/dev/zero (deleted)") == 0) {
		out->type = IPC_MMAP;
		out->dev = mechanism_kernel_dev(ref->dev);
	} else {
		return false;
	}
	out->ino = ref->ino;
	*mode = (ref->perms[0] == 'r' ? HOLD_READ : 0) | (ref->perms[1] == 'w' ? HOLD_WRITE : 0);
	return true;
}

static void shm_default_name(const struct ipc_obj_key *obj, char *buf, size_t len)
{
	if (obj->type == IPC_SHM)
		sysv_default_name(obj, buf, len);
	else
		snprintf(buf, len, "%s:[%llu]", obj->type == IPC_MMAP ? "mmap" : "posix_shm",
			 (unsigned long long)obj->ino);
}

/*
 * A mapped file's path, as the kernel walked it: shared anonymous memory is a
 * file named /dev/zero on the kernel's internal mount, a memfd one named
 * /memfd:NAME; both live as long as a mapping or descriptor holds them.
 */
static void shm_describe(struct object *o, const struct ipc_obj_info *info)
{
	if (o->key.type == IPC_SHM) {
		sysv_describe(o, info);
		return;
	}
	if (strcmp(info->name, "/dev/zero") == 0 && o->key.type == IPC_MMAP)
		object_set_name(o, "[shared anonymous]");
	else if (strncmp(info->name, "/memfd:", 7) == 0)
		object_set_name(o, info->name + 1);
	else
		object_set_name(o, info->name);
	if (info->size)
		store_attr_set(&o->attrs, &o->nattrs, "size", (__s64)info->size);
}

/* key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime ... */
static void segment_state(struct object *o, const struct sysv_entry *e)
{
	if (e->ncols < 7)
		return;
	store_attr_set(&o->attrs, &o->nattrs, "size", e->col[3]);
	store_attr_set(&o->attrs, &o->nattrs, "attached", e->col[6]);
}

static void shm_refresh(struct store *s)
{
	sysv_refresh(s, IPC_SHM, "shm", segment_state);
}

static void shm_configure(struct ipctrace_bpf__rodata *rodata)
{
	rodata->devshm_dev = devshm_dev();
	rodata->memfd_dev = memfd_dev();
}

/*
 * Shared mappings made before ipctrace started: their processes' page
 * faults and futexes count too (the kernel side hands sharing down on
 * fork), and their detaches, as the kernel side learns where they are.
 */
static void add_sharer(const struct map_ref *ref, void *ctx)
{
	struct shared_range r = { .start = ref->start, .end = ref->end, .off = ref->offset };
	unsigned int mode;
	const struct kernel_ops *kops = ctx;

	if (!shm_map_object(ref, &r.obj, &mode))
		return;
	r.dir = mode & HOLD_WRITE ? DIR_TX : DIR_RX;
	kops->add_range(kops->ctx, ref->pid, &r);
}

static void shm_start(struct store *s, const struct kernel_ops *kops)
{
	(void)s;
	proc_scan_maps(0, getpid(), add_sharer, (void *)kops);
}

const struct mechanism shm_mechanism = {
	.name = "shm",
	.types = IPC_SHM_TYPES,
	.type_info = {
		{ IPC_SHM, "shm", "#d62728" },	/* red */
		{ IPC_POSIX_SHM, "posix_shm", "#ff7f0e" },	/* orange */
		{ IPC_MMAP, "mmap", "#8c564b" },	/* brown */
	},
	.syscalls = shm_syscalls,
	.nsyscalls = G_N_ELEMENTS(shm_syscalls),
	.fd_object = shm_fd_object,
	.map_object = shm_map_object,
	.transfers = true,
	.held = true,
	.default_name = shm_default_name,
	.describe = shm_describe,
	.refresh = shm_refresh,
	.configure = shm_configure,
	.start = shm_start,
	.dev_key = sysv_dev_key,
	.bytes_method = "page-faults",
	.needs_writer = true,
	.event_names = {
		[SHM_EV_ATTACH] = "attaches",
		[SHM_EV_DETACH] = "detaches",
		[SHM_EV_PARTIAL] = "partial_detaches",
		[SHM_EV_REMAP] = "remaps",
		[SHM_EV_FUTEX_WAIT] = "futex_waits",
		[SHM_EV_FUTEX_WAKE] = "futex_wakes",
		[SHM_EV_CREATE] = "creates",
		[SHM_EV_MEASURED] = MEASURED_BYTES,
	},
	.label_name = "woken_by",
};
