/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The file-type layer: the one place that knows every kind of descriptor.
 * classify_file() tells a pipe, FIFO, POSIX queue, eventfd, pty, socket or
 * shared memory file (/dev/shm, memfd) from
 * its inode; a new row's object is named here (a path, a socket's
 * addresses); count_fd() and count_key() are how every mechanism counts.
 * Below it the core (core.bpf.h), which knows no kind of object; above it
 * the mechanisms, one file each. Kinds with logic of their own
 * (sockets, eventfds, ptys) keep it in filetype/.
 */
#ifndef IPCTRACE_FILETYPE_BPF_H
#define IPCTRACE_FILETYPE_BPF_H

#include "core.bpf.h"
#include "filetype/sock.bpf.h"
#include "filetype/eventfd.bpf.h"
#include "filetype/pty.bpf.h"
#include "filetype/shmfile.bpf.h"

/*
 * The IPC type of an open file, from its inode alone (no kernel function
 * names): i_mode says FIFO or socket, the superblock magic says which kind.
 */
static __always_inline __u8 classify_file(struct file *file, struct ipc_obj_key *obj,
					  __u32 types, const struct sock **sk)
{
	struct inode *inode = KREAD(struct file, file, f_inode);
	__u16 mode = KREAD(struct inode, inode, i_mode);
	struct super_block *sb;
	__u64 ino;
	__u32 dev;
	__u8 type;

	/*
	 * Most descriptors a read or write sees are regular files: for a caller
	 * that only wants pipes, the mode alone rejects them.
	 */
	*sk = NULL;
	if ((mode & S_IFMT) == S_IFIFO) {
		unsigned long magic;

		if (direct_loads) {
			sb = KREAD(struct inode, inode, i_sb);
			ino = KREAD(struct inode, inode, i_ino);
			dev = KREAD(struct super_block, sb, s_dev);
			magic = KREAD(struct super_block, sb, s_magic);
		} else {
			/* Not on the stack: the deepest call chain has no room left. */
			struct name_scratch *s = scratch_area();

			if (!s)
				return IPC_NONE;
			read_inode_sb_ino(inode, &sb, &ino, s->fields);
			magic = read_sb_dev_magic(sb, &dev, s->fields);
		}
		type = magic == PIPEFS_MAGIC ? IPC_PIPE : IPC_FIFO;
	} else if ((types & (TYPE_BIT(IPC_MQ) | TYPE_BIT(IPC_EVENTFD) | SHMFILE_TYPES)) &&
		   ((mode & S_IFMT) == S_IFREG || !(mode & S_IFMT))) {
		/* An anonymous inode is S_IFREG since 6.15 and typeless before. */
		unsigned long magic;

		sb = KREAD(struct inode, inode, i_sb);
		magic = KREAD(struct super_block, sb, s_magic);
		if ((types & TYPE_BIT(IPC_EVENTFD)) && magic == ANON_INODE_FS_MAGIC)
			return eventfd_classify_file(file, obj);
		if ((types & SHMFILE_TYPES) && magic == TMPFS_MAGIC)
			return shmfile_classify(inode, KREAD(struct super_block, sb, s_dev), obj);
		if (!(types & TYPE_BIT(IPC_MQ)) || magic != MQUEUE_MAGIC)
			return IPC_NONE;
		type = IPC_MQ;
		ino = KREAD(struct inode, inode, i_ino);
		dev = KREAD(struct super_block, sb, s_dev);
	} else if ((types & SOCK_TYPES) && (mode & S_IFMT) == S_IFSOCK) {
		return sock_classify_file(file, obj, sk);
	} else if ((types & TYPE_BIT(IPC_PTY)) && (mode & S_IFMT) == S_IFCHR) {
		/* A terminal, /dev/null...: the device number says which is a pty. */
		return pty_classify_file(file, KREAD(struct inode, inode, i_rdev), obj);
	} else {
		return IPC_NONE;
	}
	obj->ino = ino;
	obj->dev = dev;
	obj->type = type;
	return type;
}

/* Objects with a path to record once: a FIFO's, a POSIX queue's (/name), a
 * mapped file's. */
static __always_inline bool type_is_named(__u8 type)
{
	return type == IPC_FIFO || type == IPC_MQ || type == IPC_POSIX_SHM || type == IPC_MMAP;
}

static __always_inline bool type_is_socket(__u8 type)
{
	return SOCK_TYPES & TYPE_BIT(type);
}

/*
 * Done once per new row: who the process is (core), and what the object is:
 * the struct file names a FIFO or queue, the struct sock describes a socket.
 * Two arguments, not one: a tp_btf program's typed struct sock must never
 * reach code that takes a file, even on a branch that cannot run.
 */
static __noinline void register_row(struct ipc_key *key, struct file *file,
				    const struct sock *sk)
{
	struct ipc_obj_key obj = { .ino = key->ino, .dev = key->dev, .type = key->type };
	bool named = type_is_named(key->type), sock = type_is_socket(key->type);

	register_proc(key);
	/* An overflow row stands for objects that are not named one by one. */
	if (key->dev == IPC_OVERFLOW_DEV)
		return;

	/*
	 * Only named objects and sockets need an entry, and user space deletes
	 * it once read, so the map holds one interval's new objects at most.
	 */
	if (((named && file) || (sock && sk)) && !bpf_map_lookup_elem(&objects, &obj)) {
		struct name_scratch *s = scratch_area();

		if (s) {
			s->info.has_key = 0;
			s->info.has_sock = sock;
			s->info.size = file ? BPF_CORE_READ(file, f_inode, i_size) : 0;
			if (sock && sk)
				sock_describe(sk, &s->info.sock);
			else if (file)
				file_path(file, s);
			if (bpf_map_update_elem(&objects, &obj, &s->info, BPF_NOEXIST) == -E2BIG)
				__sync_fetch_and_add(&loss.objs_dropped, 1);
		}
	}

	/* -p: a target's new socket row: count the other end from now on. */
	if (filter_enabled && sock && sk && is_target(key->tgid))
		sock_watch_far_end(sk);
}

/* A row's counters (core's row_get), its process and object registered
 * when this call created it. */
static __always_inline struct ipc_counters *row_counters(struct ipc_key *key, struct file *file,
							 const struct sock *sk, __s64 label)
{
	bool created;
	struct ipc_counters *c = row_get(key, label, &created);

	if (created)
		register_row(key, file, sk);
	return c;
}

/* Count an operation (or an event) on the row of key, made if new. */
static __always_inline void count_key(struct ipc_key *key, struct file *file,
				      const struct sock *sk, __u32 how, __u64 bytes, __s64 label)
{
	struct ipc_counters *c = row_counters(key, file, sk, label);

	if (c)
		count_row(key, c, how, bytes, label);
}

/*
 * The types a read or write of this many bytes may have moved through, of
 * those traced: pipes, FIFOs, ptys and shared memory files
 * (filetype/shmfile.bpf.h); sockets where their bytes come from
 * the calls; an eventfd moves 8 bytes a call, or fails, so other sizes need
 * no look. The syscalls (pipe.bpf.h) and io_uring's requests (uring.bpf.h)
 * ask the same.
 */
static __always_inline __u32 transfer_types(__u64 bytes)
{
	return (type_mask & (TYPE_BIT(IPC_PIPE) | TYPE_BIT(IPC_FIFO) | TYPE_BIT(IPC_PTY) |
			     SHMFILE_TYPES)) |
	       (sock_via_syscalls ? SOCK_TYPES : 0) |
	       (bytes == 8 ? type_mask & TYPE_BIT(IPC_EVENTFD) : 0);
}

/*
 * Count an operation on an open file, if it is an IPC object of one of the
 * accepted types, on tgid's row, whose key it leaves in *key. Returns the
 * object's type (IPC_NONE: not counted, *key not written).
 */
static __always_inline __u8 count_file(struct file *file, __u32 how, __u64 bytes, __s64 label,
				       __u32 tgid, struct ipc_key *key)
{
	struct ipc_obj_key obj = {};
	struct ipc_counters *c;
	const struct sock *sk;
	__u32 dir = HOW_DIR(how);
	__u8 type;

	type = classify_file(file, &obj, HOW_TYPES(how), &sk);
	if (type == IPC_NONE || !(HOW_TYPES(how) & TYPE_BIT(type)) || !type_enabled(type))
		return IPC_NONE;
	if (dir == DIR_FROM_MODE)
		dir = BPF_CORE_READ(file, f_mode) & FMODE_WRITE ? DIR_TX : DIR_RX;
	/* Made only now: a descriptor that is no IPC object costs no stores. */
	__builtin_memset(key, 0, sizeof(*key));
	key->ino = obj.ino;
	key->dev = obj.dev;
	key->tgid = tgid;
	key->start = current_start();
	key->type = type;
	key->dir = (__u8)dir;
	c = row_counters(key, file, sk, label);
	if (!c)
		return IPC_NONE;
	/* Before count_row(): its moved mark (row_moved) comes after every count. */
	if (shmfile_type(type))
		shmfile_count_measured(c, bytes);
	count_row(key, c, how, bytes, label);
	return type;
}

/*
 * Count an operation on a descriptor (count_file()), and the value an
 * eventfd's call moved, from the syscall's buffer. A global (non-inlined)
 * function: the verifier checks it once, not once per call site, which keeps
 * the once-per-object path walk within its limits. The call itself costs a
 * few instructions.
 */
__noinline int count_fd(int fd, __u32 how, __u64 bytes, __s64 label, __u32 tgid)
{
	struct file *file = fd_to_file(fd);
	struct ipc_key key;
	bool vectored;
	__u64 buf;

	if (file && count_file(file, how, bytes, label, tgid, &key) == IPC_EVENTFD) {
		buf = eventfd_syscall_buf(&vectored);
		eventfd_count_value(&key, buf, vectored);
	}
	return 0;
}

#endif /* IPCTRACE_FILETYPE_BPF_H */
