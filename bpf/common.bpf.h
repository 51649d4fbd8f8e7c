/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maps, settings and helpers every mechanism module uses: the counter map and
 * its update, fd -> file resolution, the -p filter, and the loss counters.
 */
#ifndef IPCTRACE_COMMON_BPF_H
#define IPCTRACE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "ipctrace.h"
#include "kernel_defs.h"

/* Settings, written by user space before load. rodata lets the verifier drop
 * the branches a run does not need, so an unused filter costs nothing. */
const volatile __u8 syscall_op[SYSCALL_TABLE_SIZE] = {};
const volatile __u32 self_tgid = 0;
const volatile __u32 type_mask = 0;	/* bit (1 << enum ipc_type) */
const volatile bool filter_enabled = false;
/* Socket bytes come from the syscalls, on kernels without sock_send_length. */
const volatile bool sock_via_syscalls = false;

struct ipc_loss loss = {};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ROWS);
	__type(key, struct ipc_key);
	__type(value, struct ipc_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_OBJECTS);
	__type(key, struct ipc_obj_key);
	__type(value, struct ipc_obj_info);
} objects SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PROCS);
	__type(key, __u32);
	__type(value, struct ipc_proc);
} procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_LABELS);
	__type(key, struct ipc_label_key);
	__type(value, struct ipc_label_counts);
} labels SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_REMOVALS);
	__type(key, struct ipc_removal_key);
	__type(value, __u32);
} removals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_DESTS);
	__type(key, struct ipc_dest_key);
	__type(value, __u64);
} dests SEC(".maps");

/*
 * -p: the far ends of the targets' sockets, counted whoever holds them: a
 * unix peer by its struct sock, an inet one by its address tuple. And the
 * targets' listening addresses, so that a client becomes a peer when it
 * connects.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_WATCHED);
	__type(key, __u64);
	__type(value, __u8);
} watched_socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_WATCHED);
	__type(key, struct ipc_tuple);
	__type(value, __u8);
} watched_tuples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_WATCHED);
	__type(key, struct ipc_sock_addr);
	__type(value, __u8);
} watched_listeners SEC(".maps");

/* Whom a waiter that resumes has to thank: see shm.bpf.h, sem.bpf.h. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);	/* an old waker just ages out */
	__uint(max_entries, MAX_WAKERS);
	__type(key, struct ipc_wake_key);
	__type(value, __u32);
} last_wakers SEC(".maps");

/* -p: processes whose traffic is counted (enum filter_role). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_FILTER);
	__type(key, __u32);
	__type(value, __u8);
} filter_pids SEC(".maps");

#define PATH_MAX_DEPTH 16
#define PATH_COMPONENT_MAX 128

struct path_walk {
	const unsigned char *names[PATH_MAX_DEPTH];	/* leaf first */
	__u32 depth;
};

/*
 * Per-CPU scratch space for what would not fit the BPF stack: 512 bytes for
 * a whole chain of calls on Linux 6.1, where every frame of the chain counts.
 * Each part has one user at a time in a program run.
 */
struct name_scratch {
	struct ipc_obj_info info;
	char tail[IPC_NAME_LEN];	/* lets a masked offset never overrun */
	struct path_walk walk;		/* file_path() */
	struct ipc_dest_key dest;	/* sock_dest() */
	struct ipc_sock_addr addr;	/* a listening address, with -p */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct name_scratch);
} scratch SEC(".maps");

static __always_inline struct name_scratch *scratch_area(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

#define TYPE_BIT(t) (1U << (t))

static __always_inline bool type_enabled(__u8 type)
{
	return type_mask & (1U << type);
}

static __always_inline __u32 current_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

#define SOCK_TYPES (TYPE_BIT(IPC_UNIX) | TYPE_BIT(IPC_TCP) | TYPE_BIT(IPC_UDP))

/* Implemented by the socket module (sock.bpf.h). */
static __always_inline __u8 sock_classify_file(struct file *file, struct ipc_obj_key *obj,
					       const struct sock **sk);
static __always_inline void sock_describe(const struct sock *sk, struct ipc_sock_info *info);
static __noinline void sock_watch_far_end(const struct sock *sk);
/* Implemented by the eventfd module (eventfd.bpf.h). */
static __always_inline __u8 eventfd_classify_file(struct file *file, struct ipc_obj_key *obj);
static __noinline void eventfd_count_value(struct ipc_key *key, struct file *file);

/*
 * fd -> struct file through current->files->fdt. The element is read with
 * bpf_probe_read_kernel because the verifier forbids a variable offset into
 * a BTF pointer.
 */
static __always_inline struct file *fd_to_file(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;

	if (fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

/*
 * The IPC type of an open file, from its inode alone (no kernel function
 * names): i_mode says FIFO or socket, the superblock magic says which kind.
 */
static __always_inline __u8 classify_file(struct file *file, struct ipc_obj_key *obj,
					  __u32 types, const struct sock **sk)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	__u16 mode = BPF_CORE_READ(inode, i_mode);
	struct super_block *sb;
	__u8 type;

	/*
	 * Most descriptors a read or write sees are regular files: for a caller
	 * that only wants pipes, the mode alone rejects them.
	 */
	*sk = NULL;
	if ((mode & S_IFMT) == S_IFIFO) {
		sb = BPF_CORE_READ(inode, i_sb);
		type = BPF_CORE_READ(sb, s_magic) == PIPEFS_MAGIC ? IPC_PIPE : IPC_FIFO;
	} else if ((types & (TYPE_BIT(IPC_MQ) | TYPE_BIT(IPC_EVENTFD))) &&
		   ((mode & S_IFMT) == S_IFREG || !(mode & S_IFMT))) {
		/* An anonymous inode is S_IFREG since 6.15 and typeless before. */
		unsigned long magic;

		sb = BPF_CORE_READ(inode, i_sb);
		magic = BPF_CORE_READ(sb, s_magic);
		if ((types & TYPE_BIT(IPC_EVENTFD)) && magic == ANON_INODE_FS_MAGIC)
			return eventfd_classify_file(file, obj);
		if (!(types & TYPE_BIT(IPC_MQ)) || magic != MQUEUE_MAGIC)
			return IPC_NONE;
		type = IPC_MQ;
	} else if ((types & SOCK_TYPES) && (mode & S_IFMT) == S_IFSOCK) {
		return sock_classify_file(file, obj, sk);
	} else {
		return IPC_NONE;
	}
	obj->ino = BPF_CORE_READ(inode, i_ino);
	obj->dev = BPF_CORE_READ(sb, s_dev);
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

static __always_inline bool is_target(__u32 tgid)
{
	__u8 *role = bpf_map_lookup_elem(&filter_pids, &tgid);

	return role && *role == ROLE_TARGET;
}

static __always_inline bool is_candidate(__u32 tgid)
{
	return bpf_map_lookup_elem(&filter_pids, &tgid) != NULL;
}

static __always_inline void add_peer(__u32 tgid)
{
	__u8 role = ROLE_PEER;

	/* BPF_NOEXIST keeps a target a target. */
	if (bpf_map_update_elem(&filter_pids, &tgid, &role, BPF_NOEXIST) == -E2BIG)
		__sync_fetch_and_add(&loss.filter_dropped, 1);
}

/*
 * Done once per new row: who the process is and what the object is: the
 * struct file names a FIFO or queue, the struct sock describes a socket.
 * Two arguments, not one: a tp_btf program's typed struct sock must never
 * reach code that takes a file, even on a branch that cannot run.
 */
static __noinline void register_row(struct ipc_key *key, struct file *file,
				    const struct sock *sk)
{
	struct ipc_obj_key obj = { .ino = key->ino, .dev = key->dev, .type = key->type };
	struct ipc_proc *proc = bpf_map_lookup_elem(&procs, &key->tgid);
	bool named = type_is_named(key->type), sock = type_is_socket(key->type);

	/* An exited entry with a live process behind it: the PID was reused. */
	if (!proc || proc->exit_ns) {
		struct ipc_proc fresh = {};
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();

		/* The group leader's name: a thread may have renamed itself. */
		BPF_CORE_READ_STR_INTO(&fresh.comm, task, group_leader, comm);
		if (bpf_map_update_elem(&procs, &key->tgid, &fresh, BPF_ANY) == -E2BIG)
			__sync_fetch_and_add(&loss.procs_dropped, 1);
	}

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

/*
 * A row's counters, created on first use. A missing row is inserted with
 * BPF_NOEXIST, so two CPUs racing to create it both end up on the same value.
 */
/* New rows start from this: in read-only data, to keep 80 bytes off the stack. */
const volatile struct ipc_counters zero_counters = {};

static __always_inline struct ipc_counters *row_counters(struct ipc_key *key, struct file *file,
							 const struct sock *sk)
{
	struct ipc_counters *c = bpf_map_lookup_elem(&counters, key);

	if (!c) {
		long err = bpf_map_update_elem(&counters, key, (const void *)&zero_counters,
					       BPF_NOEXIST);

		if (err && err != -EEXIST) {
			__sync_fetch_and_add(&loss.rows_dropped, 1);
			return NULL;
		}
		if (!err)
			register_row(key, file, sk);
		c = bpf_map_lookup_elem(&counters, key);
		if (!c)
			__sync_fetch_and_add(&loss.rows_dropped, 1);
	}
	return c;
}

/* The hot path: one hash lookup and two atomic adds. */
static __always_inline void count_op(struct ipc_key *key, struct file *file,
				     const struct sock *sk, __u64 bytes)
{
	struct ipc_counters *c = row_counters(key, file, sk);

	if (!c)
		return;
	__sync_fetch_and_add(&c->bytes, bytes);
	__sync_fetch_and_add(&c->ops, 1);
}

static __always_inline void count_event(struct ipc_key *key, struct file *file,
					const struct sock *sk, __u32 slot, __u64 n)
{
	struct ipc_counters *c = row_counters(key, file, sk);

	if (c && slot < IPC_EVENTS)
		__sync_fetch_and_add(&c->events[slot], n);
}

static __always_inline void count_label(struct ipc_key *key, __s64 label, __u64 bytes)
{
	struct ipc_label_key lk = { .row = *key, .label = label };
	struct ipc_label_counts *lc = bpf_map_lookup_elem(&labels, &lk);

	if (!lc) {
		struct ipc_label_counts zero = {};
		long err = bpf_map_update_elem(&labels, &lk, &zero, BPF_NOEXIST);

		if (err && err != -EEXIST) {
			__sync_fetch_and_add(&loss.labels_dropped, 1);
			return;
		}
		lc = bpf_map_lookup_elem(&labels, &lk);
		if (!lc)
			return;
	}
	__sync_fetch_and_add(&lc->ops, 1);
	__sync_fetch_and_add(&lc->bytes, bytes);
}

/*
 * How an operation counts, packed into one argument because a BPF function
 * takes at most five: the direction, an event slot instead of an operation
 * (then the byte count is the event's increment), and the types the caller
 * accepts.
 */
#define DIR_FROM_MODE 0xff	/* vmsplice: the descriptor's mode says */
#define NO_EVENT 0xff
#define HOW(dir, event, types) ((dir) | (event) << 8 | (types) << 16)
#define HOW_DIR(how) ((how) & 0xff)
#define HOW_EVENT(how) (((how) >> 8) & 0xff)
#define HOW_TYPES(how) ((how) >> 16)

static __always_inline void count_key(struct ipc_key *key, struct file *file,
				      const struct sock *sk, __u32 how, __u64 bytes, __s64 label)
{
	if (HOW_EVENT(how) != NO_EVENT) {
		count_event(key, file, sk, HOW_EVENT(how), bytes);
		bytes = 0;	/* an event's label counts the event, not bytes */
	} else {
		count_op(key, file, sk, bytes);
	}
	if (label != NO_LABEL)
		count_label(key, label, bytes);
}

/*
 * Count an operation on a descriptor, if it is an IPC object of one of the
 * accepted types. A global (non-inlined) function: the verifier checks it
 * once, not once per call site, which keeps the once-per-object path walk
 * within its limits. The call itself costs a few instructions.
 */
__noinline int count_fd(int fd, __u32 how, __u64 bytes, __s64 label, __u32 tgid)
{
	struct ipc_obj_key obj = {};
	struct file *file = fd_to_file(fd);
	const struct sock *sk;
	__u32 dir = HOW_DIR(how);
	__u8 type;

	if (!file)
		return 0;
	type = classify_file(file, &obj, HOW_TYPES(how), &sk);
	if (type == IPC_NONE || !(HOW_TYPES(how) & TYPE_BIT(type)) || !type_enabled(type))
		return 0;
	if (dir == DIR_FROM_MODE)
		dir = BPF_CORE_READ(file, f_mode) & FMODE_WRITE ? DIR_TX : DIR_RX;

	struct ipc_key key = {
		.ino = obj.ino, .dev = obj.dev, .tgid = tgid, .type = type, .dir = (__u8)dir,
	};
	count_key(&key, file, sk, how, bytes, label);
	if (type == IPC_EVENTFD)
		eventfd_count_value(&key, file);
	return 0;
}

static __always_inline void record_removal(struct ipc_removal_key *rk, __u32 tgid)
{
	if (bpf_map_update_elem(&removals, rk, &tgid, BPF_ANY) == -E2BIG)
		__sync_fetch_and_add(&loss.removals_dropped, 1);
}

/* System V ids are per IPC namespace: a container's queue 0 is not the host's. */
static __always_inline __u32 ipc_ns_inum(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return BPF_CORE_READ(task, nsproxy, ipc_ns, ns.inum);
}

/*
 * A System V object's key (and a segment's size), from msgget, shmget or
 * semget, so that one created and removed between two refreshes (which read
 * /proc/sysvipc) still shows as "key 0x... id N".
 */
static __always_inline void record_sysv_key(__u8 type, __s64 key, long id, __u64 size)
{
	struct ipc_obj_key obj = { .ino = id, .dev = ipc_ns_inum(), .type = type };
	struct name_scratch *s;

	if (id < 0 || !type_enabled(type) || bpf_map_lookup_elem(&objects, &obj))
		return;
	s = scratch_area();
	if (!s)
		return;
	s->info.name[0] = '\0';
	s->info.sysv_key = (__s32)key;
	s->info.has_key = 1;
	s->info.has_sock = 0;
	s->info.size = size;
	if (bpf_map_update_elem(&objects, &obj, &s->info, BPF_NOEXIST) == -E2BIG)
		__sync_fetch_and_add(&loss.objs_dropped, 1);
}

/* msgctl, shmctl or semctl with IPC_RMID: who removed the object. */
static __always_inline void record_sysv_removal(__u8 type, __u64 id, __u32 tgid)
{
	struct ipc_removal_key rk = { .type = type, .dev = ipc_ns_inum(), .id = (__u32)id };

	if (type_enabled(type))
		record_removal(&rk, tgid);
}

/* libbpf 1.1 stops at the fifth argument; x86-64 passes the sixth in r9. */
#ifndef PT_REGS_PARM6_SYSCALL
#define PT_REGS_PARM6_SYSCALL(x) (((const struct pt_regs *)(x))->r9)
#define PT_REGS_PARM6_CORE_SYSCALL(x) BPF_CORE_READ((const struct pt_regs *)(x), r9)
#endif

/* The syscall's nth argument, from the saved user registers. */
#define SYSCALL_ARG(regs, n, btf) \
	((btf) ? PT_REGS_PARM##n##_SYSCALL(regs) : PT_REGS_PARM##n##_CORE_SYSCALL(regs))

#endif /* IPCTRACE_COMMON_BPF_H */
