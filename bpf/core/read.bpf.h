/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the kernel's objects: a descriptor's struct file, an inode's and
 * superblock's identity, a file's path, the IPC namespace.
 */
#ifndef IPCTRACE_CORE_READ_BPF_H
#define IPCTRACE_CORE_READ_BPF_H

#include "maps.bpf.h"

/*
 * fd -> struct file through current->files->fdt. The element is read with
 * bpf_probe_read_kernel because the verifier forbids a variable offset into
 * a BTF pointer.
 */
static __always_inline struct file *fd_to_file(int fd)
{
	struct file **fds;
	struct file *file = NULL;

	if (fd < 0)
		return NULL;
	/*
	 * Every read and write on the machine comes here, and a helper call
	 * of the walk costs tens of times what a direct load does (make
	 * bench-hookcost measures each). The array slot is not a BTF
	 * pointer's field (a variable offset into one is refused): it is read
	 * through a cast where the kernel has one, else copied.
	 */
	if (btf_loads) {
		struct task_struct *task = bpf_get_current_task_btf();
		struct files_struct *files = task->files;
		struct fdtable *fdt;

		if (!files)
			return NULL;
		fdt = files->fdt;
		if (!fdt || (unsigned int)fd >= fdt->max_fds)
			return NULL;
		fds = fdt->fd;
		/* The slot's address cast to read-only memory: a load, no call. */
#if HAVE_RDONLY_CAST	/* else a load through NULL, refused by clang for arm64 */
		if (direct_loads)
			return *(struct file **)bpf_rdonly_cast(&fds[fd], 0);
#endif
	} else {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);

		if ((unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
			return NULL;
		fds = BPF_CORE_READ(fdt, fd);
	}
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

/*
 * Without direct loads (the portable build, raw_tp hooks): a pipe's or
 * FIFO's inode and superblock fields, two in one copy each rather than one
 * helper call each (every pipe read and write comes here). Offsets and sizes are CO-RE
 * constants, so the verifier knows each copy's length; a kernel whose
 * fields lie further apart than the buffer takes one copy per field (the
 * branch the verifier keeps is known at load). Only pipes: a larger copy
 * and the buffer's lookup cost the other descriptors more than they save.
 */
#define COPY_END(type, field) \
	(bpf_core_field_offset(type, field) + bpf_core_field_size(type, field))

static __always_inline void read_inode_sb_ino(struct inode *inode, struct super_block **sb,
					      __u64 *ino, __u8 buf[FIELDS_COPY_MAX])
{
	__u32 sb_off = bpf_core_field_offset(struct inode, i_sb);
	__u32 ino_off = bpf_core_field_offset(struct inode, i_ino);
	__u32 end = COPY_END(struct inode, i_ino);

	if (ino_off < sb_off || end - sb_off > FIELDS_COPY_MAX ||
	    bpf_probe_read_kernel(buf, end - sb_off, (void *)inode + sb_off)) {
		*sb = BPF_CORE_READ(inode, i_sb);
		*ino = BPF_CORE_READ(inode, i_ino);
		return;
	}
	*sb = *(struct super_block **)buf;
	*ino = *(__u64 *)(buf + (ino_off - sb_off));
}

static __always_inline unsigned long read_sb_dev_magic(struct super_block *sb, __u32 *dev,
						       __u8 buf[FIELDS_COPY_MAX])
{
	__u32 dev_off = bpf_core_field_offset(struct super_block, s_dev);
	__u32 magic_off = bpf_core_field_offset(struct super_block, s_magic);
	__u32 end = COPY_END(struct super_block, s_magic);

	if (magic_off < dev_off || end - dev_off > FIELDS_COPY_MAX ||
	    bpf_probe_read_kernel(buf, end - dev_off, (void *)sb + dev_off)) {
		*dev = BPF_CORE_READ(sb, s_dev);
		return BPF_CORE_READ(sb, s_magic);
	}
	*dev = *(__u32 *)buf;
	return *(unsigned long *)(buf + (magic_off - dev_off));
}

/*
 * The path of a named object, walked from its dentry up through the mounts,
 * like d_path() (which tracepoint programs cannot call). Run once per object,
 * never per operation. Paths deeper than PATH_MAX_DEPTH keep their last
 * components. Two global functions, so the verifier checks each loop once.
 */
__noinline int walk_path(__u64 file_ptr, struct path_walk *w)
{
	struct file *file = (struct file *)file_ptr;
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	struct vfsmount *vfsmnt = BPF_CORE_READ(file, f_path.mnt);
	/* CO-RE offset: struct mount is internal and may move between kernels. */
	struct mount *mnt = (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);
	struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);

	if (!w)
		return 0;
	w->depth = 0;
	for (int i = 0; i < PATH_MAX_DEPTH * 2; i++) {
		if (dentry == mnt_root) {
			struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);

			if (parent == mnt)
				break;
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = parent;
			mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
			continue;
		}
		struct dentry *up = BPF_CORE_READ(dentry, d_parent);

		/* A file of no directory (memfd, shared anonymous memory) is its
		 * own parent: its name is all there is. */
		if (up == dentry && w->depth == 0) {
			w->names[0] = BPF_CORE_READ(dentry, d_name.name);
			w->depth = 1;
		}
		if (up == dentry || w->depth >= PATH_MAX_DEPTH)
			break;
		w->names[w->depth & (PATH_MAX_DEPTH - 1)] = BPF_CORE_READ(dentry, d_name.name);
		w->depth++;
		dentry = up;
	}
	return 0;
}

__noinline int emit_path(struct path_walk *w, struct name_scratch *s)
{
	__u32 off = 0;

	if (!w || !s)
		return 0;
	s->info.name[0] = '/';
	s->info.name[1] = '\0';
	for (int i = PATH_MAX_DEPTH - 1; i >= 0; i--) {
		long len;

		if ((__u32)i >= w->depth)
			continue;
		off &= IPC_NAME_LEN - 1;
		s->info.name[off++] = '/';
		off &= IPC_NAME_LEN - 1;
		len = bpf_probe_read_kernel_str(s->info.name + off, PATH_COMPONENT_MAX, w->names[i]);
		if (len > 1)
			off += len - 1;
		if (off >= IPC_NAME_LEN - 1)
			break;
	}
	s->info.name[IPC_NAME_LEN - 1] = '\0';
	return 0;
}

static __always_inline void file_path(struct file *file, struct name_scratch *s)
{
	walk_path((__u64)file, &s->walk);
	emit_path(&s->walk, s);
}

/* System V ids are per IPC namespace: a container's queue 0 is not the host's. */
static __always_inline __u32 ipc_ns_inum(void)
{
	struct task_struct *task;

	/* Direct loads where the hooks allow them: see fd_to_file(). */
	if (btf_loads) {
		struct nsproxy *ns = bpf_get_current_task_btf()->nsproxy;

		return ns && ns->ipc_ns ? ns->ipc_ns->ns.inum : 0;
	}
	task = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(task, nsproxy, ipc_ns, ns.inum);
}

#endif /* IPCTRACE_CORE_READ_BPF_H */
