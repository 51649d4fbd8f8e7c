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
/* -f: a target's children are targets too (else they may be peers). */
const volatile bool follow_children = false;
/* --cgroup: only processes in the cgroup in cgroup_filter[0], or below it. */
const volatile bool cgroup_enabled = false;
/* Socket bytes come from the syscalls, on kernels without sock_send_length. */
const volatile bool sock_via_syscalls = false;
/* -e: log each operation into the events ring buffer; -x: with this many
 * bytes of its data (0: none). */
const volatile bool events_enabled = false;
const volatile __u32 hex_cap = 0;
/* WAIT: time blocked in IPC calls, from sched_switch (tp_btf only). */
const volatile bool wait_enabled = false;
/* --hist: log2 histograms of sizes and waits per row. */
const volatile bool hist_enabled = false;
/* The tp_btf hooks are in use: the descriptor walk loads task fields
 * directly (BTF pointers) instead of through bpf_probe_read_kernel(). */
const volatile bool btf_loads = false;

/*
 * Two builds of this code (Makefile): the default one for kernels whose
 * bpf_rdonly_cast() turns a kernel address into a pointer the verifier lets
 * a program load through (no helper call: about 1 ns a field instead of a
 * bpf_probe_read_kernel() call's 25 to 40 on these VMs), and sleepers kept in
 * task-local storage; and IPCTRACE_PORTABLE, with neither, for older kernels,
 * which refuse a program holding a kfunc call even where it cannot run.
 * User space loads the first and falls back to the second.
 */
#ifndef IPCTRACE_PORTABLE
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define HAVE_RDONLY_CAST 1
#else
#define bpf_rdonly_cast(obj, btf_id) ((void *)0)
#define HAVE_RDONLY_CAST 0
#endif

/* Direct loads through cast pointers: only with the tp_btf hooks, since the
 * raw_tp copies serve kernels older than the cast. */
#define direct_loads (HAVE_RDONLY_CAST && btf_loads)

/*
 * A field of a kernel object known by its address alone: loaded directly
 * where the cast is there, copied by a helper call where not. The cast is a
 * register move once JIT-compiled.
 */
/*
 * The current task, to load its fields directly (btf_loads), through the
 * cast where there is one: the verifier then does not ask, at each pointer
 * followed from it, whether the kernel vouches for that pointer, a search by
 * name through the kernel's BTF each time. That was 13% of ipctrace's start
 * (perf), most of it in the signal hook (40-65 ms to verify, 20 ms through
 * the cast). Loads through the cast carry a guard each, so the per-syscall
 * paths keep the trusted task (a few ns a call). Not for helpers that want
 * the task itself (task storage).
 */
static __always_inline struct task_struct *current_task(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (direct_loads)
		return bpf_rdonly_cast(task, bpf_core_type_id_kernel(struct task_struct));
	return task;
}

#define KREAD(type, ptr, field)								\
	(direct_loads ? ((type *)bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(type)))->field \
		      : BPF_CORE_READ((type *)(ptr), field))

struct ipc_loss loss = {};

/* -e: user space sizes it (a page when -e is off, so it costs nothing). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

/*
 * What the module counting the current operation hands to the counting
 * code without a sixth argument: with -x, where the syscall's data sits in
 * the caller's memory; with WAIT, how long the call slept. Set just before
 * counting and taken by it; per CPU, since a program run does not migrate.
 */
struct op_context {
	__u64 payload_addr;
	__u64 payload_len;
	__u64 wait_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct op_context);
} op_contexts SEC(".maps");

static __always_inline struct op_context *op_context(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&op_contexts, &zero);
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_HISTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* 2 MB only if --hist fills it */
	__type(key, struct ipc_key);
	__type(value, struct ipc_hist);
} hists SEC(".maps");

/* WAIT: threads asleep in a call that may wait on IPC, since when. */
struct sleeper {
	__u64 since_ns;	/* 0: not asleep in one */
	__u64 nr;	/* the syscall it sleeps in */
};

/*
 * Every read and write on the machine asks whether its thread slept: with
 * task-local storage that is a pointer chase from the task, with a hash a
 * hash of the thread id and a bucket walk. Task storage also goes with the
 * task. Portable build: a hash, since before 6.2 taking task storage from
 * sched_switch could deadlock on the runqueue lock.
 */
#if HAVE_RDONLY_CAST
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sleeper);
} sleepers SEC(".maps");
#else
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_SLEEPERS);
	__type(key, __u32);
	__type(value, struct sleeper);
} sleepers SEC(".maps");
#endif

/*
 * WAIT's gate, in front of the sleepers: per bucket of thread ids, how many
 * of its threads have a sleep recorded and not yet taken. Nearly every call
 * that may wait returns without having slept, and asking the sleepers is a
 * helper call (task storage) or a hash lookup; a load from this array is
 * neither, and says "none" for most threads. Without it, a thread that had
 * slept once (in a futex, as most threads of a threaded program have) kept
 * its task storage and paid the helper call on every read and write after:
 * pipe1 +70 ns a write+read pair on these VMs. Threads sharing a bucket only
 * cost each other that call. Opened and closed by the sleeping thread alone,
 * but buckets are shared across CPUs: atomic adds.
 */
#define SLEEP_GATE_BUCKETS 16384	/* a power of two */
__u32 sleep_gate[SLEEP_GATE_BUCKETS];

/* Whether a thread of the bucket may have a sleep not taken yet. */
static __always_inline bool sleep_gate_open(__u32 tid)
{
	return sleep_gate[tid & (SLEEP_GATE_BUCKETS - 1)];
}

static __always_inline void sleep_gate_add(__u32 tid, int n)
{
	__sync_fetch_and_add(&sleep_gate[tid & (SLEEP_GATE_BUCKETS - 1)], n);
}

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
	__type(value, __u64);	/* the inode of the target's socket */
} watched_socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_WATCHED);
	__type(key, struct ipc_tuple);
	__type(value, __u64);	/* the inode of the target's socket */
} watched_tuples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_WATCHED);
	__type(key, struct ipc_sock_addr);
	__type(value, __u64);	/* the inode of the target's socket */
} watched_listeners SEC(".maps");

/* Whom a waiter that resumes has to thank: see shm.bpf.h, sem.bpf.h. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);	/* an old waker just ages out */
	__uint(max_entries, MAX_WAKERS);
	__type(key, struct ipc_wake_key);
	__type(value, __u32);
} last_wakers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

/* --cgroup: whether the current process is in the cgroup (or below). */
static __always_inline bool in_cgroup(void)
{
	return !cgroup_enabled || bpf_current_task_under_cgroup(&cgroup_filter, 0) == 1;
}

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
/* Room for classify_file's copies (32 and 88 bytes on 6.18). */
#define FIELDS_COPY_MAX 128

struct name_scratch {
	struct ipc_obj_info info;
	char tail[IPC_NAME_LEN];	/* lets a masked offset never overrun */
	struct path_walk walk;		/* file_path() */
	struct ipc_dest_key dest;	/* sock_dest() */
	struct ipc_sock_addr addr;	/* a listening address, with -p */
	__u8 fields[FIELDS_COPY_MAX];	/* classify_file's copies */
	struct ipc_counters new_row;	/* row_counters(): zero but its first label */
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
#define SHM_TYPES (TYPE_BIT(IPC_SHM) | TYPE_BIT(IPC_POSIX_SHM) | TYPE_BIT(IPC_MMAP))

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
	struct file **fds;
	struct file *file = NULL;

	if (fd < 0)
		return NULL;
	/*
	 * Every read and write on the machine comes here: measured by make
	 * bench-hookcost, each helper call of the walk costs 25 to 40 ns on
	 * these VMs, a direct load about 1. The array slot is not a BTF
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
		if (direct_loads)
			return *(struct file **)bpf_rdonly_cast(&fds[fd], 0);
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
	} else if ((types & (TYPE_BIT(IPC_MQ) | TYPE_BIT(IPC_EVENTFD))) &&
		   ((mode & S_IFMT) == S_IFREG || !(mode & S_IFMT))) {
		/* An anonymous inode is S_IFREG since 6.15 and typeless before. */
		unsigned long magic;

		sb = KREAD(struct inode, inode, i_sb);
		magic = KREAD(struct super_block, sb, s_magic);
		if ((types & TYPE_BIT(IPC_EVENTFD)) && magic == ANON_INODE_FS_MAGIC)
			return eventfd_classify_file(file, obj);
		if (!(types & TYPE_BIT(IPC_MQ)) || magic != MQUEUE_MAGIC)
			return IPC_NONE;
		type = IPC_MQ;
		ino = KREAD(struct inode, inode, i_ino);
		dev = KREAD(struct super_block, sb, s_dev);
	} else if ((types & SOCK_TYPES) && (mode & S_IFMT) == S_IFSOCK) {
		return sock_classify_file(file, obj, sk);
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

/* -f, and the command ipctrace starts: a target, counted from now on. */
static __always_inline void add_target(__u32 tgid)
{
	__u8 role = ROLE_TARGET;

	if (bpf_map_update_elem(&filter_pids, &tgid, &role, BPF_ANY) == -E2BIG)
		__sync_fetch_and_add(&loss.filter_dropped, 1);
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
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	/*
	 * An exited entry with a live process behind it: the PID was reused. Not
	 * when that process is itself exiting: the SIGCHLD of its own exit comes
	 * after sched_process_exit, and must not make it a stranger (losing
	 * whether it is a target).
	 */
	if (!proc || (proc->exit_ns && !(BPF_CORE_READ(task, flags) & PF_EXITING))) {
		struct ipc_proc fresh = {};

		/* The group leader's name: a thread may have renamed itself. */
		BPF_CORE_READ_STR_INTO(&fresh.comm, task, group_leader, comm);
		fresh.cgroup_id = bpf_get_current_cgroup_id();
		fresh.target = filter_enabled && is_target(key->tgid);
		if (bpf_map_update_elem(&procs, &key->tgid, &fresh, BPF_ANY) == -E2BIG)
			__sync_fetch_and_add(&loss.procs_dropped, 1);
	} else if (key->tgid == current_tgid()) {
		/* An entry another process made (a signal's target): the name it
		 * had then may be gone, renamed by prctl since. */
		BPF_CORE_READ_STR_INTO(&proc->comm, task, group_leader, comm);
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
 * A row's counters, created on first use, with the label of the operation
 * creating it. A missing row is inserted with BPF_NOEXIST, so two CPUs racing
 * to create it both end up on the same value, and its first label is the
 * winner's. The value starts out in the per-CPU scratch area, not on the
 * stack: the deepest call chains have no room left for it there.
 */
static __always_inline struct ipc_counters *row_counters(struct ipc_key *key, struct file *file,
							 const struct sock *sk, __s64 label)
{
	struct ipc_counters *c = bpf_map_lookup_elem(&counters, key);

	if (!c) {
		struct name_scratch *s = scratch_area();
		long err;

		if (!s)
			return NULL;
		s->new_row.first_label = label;	/* the rest stays zero: never written */
		err = bpf_map_update_elem(&counters, key, &s->new_row, BPF_NOEXIST);
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

/*
 * WAIT: the current thread is back from a call that may sleep on IPC; how
 * long it slept in it (nr, or whatever call when nr is -1), 0 if it did not.
 * Every such call comes here at its exit, counted or not, so that no
 * sleeper is left behind for a later call to take.
 */
static __always_inline __u64 take_sleep(__u64 nr)
{
	struct sleeper *sl;
	__u64 slept = 0;
	__u32 tid;

	if (HAVE_RDONLY_CAST) {
		struct task_struct *task = bpf_get_current_task_btf();

		tid = task->pid;
		if (!sleep_gate_open(tid))
			return 0;
		sl = bpf_task_storage_get(&sleepers, task, NULL, 0);
		if (!sl || !sl->since_ns)
			return 0;
		if (nr == (__u64)-1 || sl->nr == nr)
			slept = bpf_ktime_get_ns() - sl->since_ns;
		sl->since_ns = 0;
		sleep_gate_add(tid, -1);
		return slept;
	}
	tid = (__u32)bpf_get_current_pid_tgid();
	if (!sleep_gate_open(tid))
		return 0;
	sl = bpf_map_lookup_elem(&sleepers, &tid);
	if (!sl)
		return 0;
	if (nr == (__u64)-1 || sl->nr == nr)
		slept = bpf_ktime_get_ns() - sl->since_ns;
	if (!bpf_map_delete_elem(&sleepers, &tid))
		sleep_gate_add(tid, -1);
	return slept;
}

/*
 * WAIT: the time the operation about to be counted slept (0: none).
 * Written even when 0: a branch on it here and in end_op() doubles the
 * states the verifier walks through every module (measured: 61k -> 96k
 * instructions, 60 ms more at start), for a few ns an operation.
 */
static __always_inline void set_wait(__u64 slept)
{
	struct op_context *ctx;

	if (!wait_enabled)
		return;
	ctx = op_context();
	if (ctx)
		ctx->wait_ns = slept;
}

/* The end of an operation: what it handed over (-x's payload, the time it
 * slept) must not reach the next one. */
static __always_inline void end_op(void)
{
	struct op_context *ctx;

	if (!hex_cap && !wait_enabled)
		return;
	ctx = op_context();
	if (ctx) {
		ctx->payload_len = 0;
		ctx->wait_ns = 0;
	}
}

/* The calls that move bytes through the descriptor in their first argument. */
static __always_inline bool op_moves_bytes(__u8 op)
{
	switch (op) {
	case IPCOP_READ: case IPCOP_WRITE: case IPCOP_READV: case IPCOP_WRITEV:
	case IPCOP_SPLICE: case IPCOP_SENDFILE: case IPCOP_SENDTO: case IPCOP_RECVFROM:
	case IPCOP_SENDMSG: case IPCOP_RECVMSG: case IPCOP_SENDMMSG: case IPCOP_RECVMMSG:
		return true;
	}
	return false;
}

/* The calls that may sleep waiting for the other end of a channel. */
static __always_inline bool op_may_wait(__u8 op)
{
	switch (op) {
	case IPCOP_READ: case IPCOP_WRITE: case IPCOP_READV: case IPCOP_WRITEV:
	case IPCOP_SPLICE: case IPCOP_TEE: case IPCOP_VMSPLICE: case IPCOP_SENDFILE:
	case IPCOP_SENDTO: case IPCOP_RECVFROM: case IPCOP_SENDMSG: case IPCOP_RECVMSG:
	case IPCOP_SENDMMSG: case IPCOP_RECVMMSG: case IPCOP_ACCEPT: case IPCOP_CONNECT:
	case IPCOP_FUTEX: case IPCOP_MQ_SEND: case IPCOP_MQ_RECV: case IPCOP_MSG_SND:
	case IPCOP_MSG_RCV: case IPCOP_SEM_OP:
		return true;
	}
	return false;
}

/* The hot path: one hash lookup and two atomic adds. */
static __always_inline void count_op(struct ipc_counters *c, __u64 bytes)
{
	__sync_fetch_and_add(&c->bytes, bytes);
	__sync_fetch_and_add(&c->ops, 1);
}

static __always_inline void count_event(struct ipc_counters *c, __u32 slot, __u64 n)
{
	if (slot < IPC_EVENTS)
		__sync_fetch_and_add(&c->events[slot], n);
}

/* floor(log2(v)), 0 for 0: the histogram slot of v. */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 slot = 0;

	/* Halving steps, as a binary search: five compares, no loop. */
	if (v >> 32) { v >>= 32; slot += 32; }
	if (v >> 16) { v >>= 16; slot += 16; }
	if (v >> 8) { v >>= 8; slot += 8; }
	if (v >> 4) { v >>= 4; slot += 4; }
	if (v >> 2) { v >>= 2; slot += 2; }
	if (v >> 1) slot += 1;
	return slot < HIST_SLOTS ? slot : HIST_SLOTS - 1;
}

/* --hist: the row's histograms, created on first use. */
static __noinline struct ipc_hist *row_hist(struct ipc_key *key)
{
	static const struct ipc_hist empty;
	struct ipc_hist *h = bpf_map_lookup_elem(&hists, key);

	if (h)
		return h;
	if (bpf_map_update_elem(&hists, key, &empty, BPF_NOEXIST) == -E2BIG) {
		__sync_fetch_and_add(&loss.hists_dropped, 1);
		return NULL;
	}
	return bpf_map_lookup_elem(&hists, key);
}

/* WAIT: the first count of a call gets the time it slept. */
static __always_inline void count_wait(struct ipc_key *key, struct ipc_counters *c)
{
	struct op_context *ctx = op_context();
	struct ipc_hist *h;

	if (!ctx || !ctx->wait_ns)
		return;
	__sync_fetch_and_add(&c->wait_ns, ctx->wait_ns);
	if (hist_enabled && (h = row_hist(key)))
		__sync_fetch_and_add(&h->wait_us[log2_slot(ctx->wait_ns / 1000) & (HIST_SLOTS - 1)], 1);
	ctx->wait_ns = 0;
}

/* --hist: a transfer's size. */
static __always_inline void count_size(struct ipc_key *key, __u64 bytes)
{
	struct ipc_hist *h = row_hist(key);

	if (h)
		__sync_fetch_and_add(&h->size[log2_slot(bytes) & (HIST_SLOTS - 1)], 1);
}

static __always_inline void count_label(struct ipc_key *key, struct ipc_counters *c,
					__s64 label, __u64 bytes)
{
	struct ipc_label_key lk = { .row = *key, .label = label };
	struct ipc_label_counts *lc;

	/* The row's own label: no second lookup. */
	if (label == c->first_label) {
		__sync_fetch_and_add(&c->first_label_ops, 1);
		__sync_fetch_and_add(&c->first_label_bytes, bytes);
		return;
	}
	lc = bpf_map_lookup_elem(&labels, &lk);
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
#define NO_EVENT NO_EVENT_SLOT
#define HOW(dir, event, types) ((dir) | (event) << 8 | (types) << 16)
#define HOW_DIR(how) ((how) & 0xff)
#define HOW_EVENT(how) (((how) >> 8) & 0xff)
#define HOW_TYPES(how) ((how) >> 16)

/*
 * -x: say where this syscall's data is, for the event about to be logged.
 * Nothing to do, and nothing compiled in, without -x.
 */
static __always_inline void set_payload(__u64 addr, __u64 len)
{
	struct op_context *ctx;

	if (!hex_cap)
		return;
	ctx = op_context();
	if (ctx) {
		ctx->payload_addr = addr;
		ctx->payload_len = len;
	}
}

/* -x: a vectored call's data: its first buffer, as far as the call went. */
static __always_inline void set_payload_iov(__u64 iov_addr, long moved)
{
	struct iovec iov;

	if (!hex_cap || moved <= 0 || !iov_addr ||
	    bpf_probe_read_user(&iov, sizeof(iov), (const void *)iov_addr))
		return;
	set_payload((__u64)iov.iov_base, iov.iov_len < (__u64)moved ? iov.iov_len : moved);
}

/* -x: a sendmsg/recvmsg's data, through its msghdr's first iovec. */
static __always_inline void set_payload_msghdr(__u64 msghdr_addr, long moved)
{
	__u64 iov_addr;

	if (!hex_cap || !msghdr_addr ||
	    bpf_probe_read_user(&iov_addr, sizeof(iov_addr),
				(const void *)msghdr_addr + offsetof(struct user_msghdr, msg_iov)))
		return;
	set_payload_iov(iov_addr, moved);
}

/* -x: take the payload set for this operation, so that no later one reuses it. */
static __always_inline void take_payload(struct ipc_event *e)
{
	struct op_context *ctx = op_context();
	__u32 len;

	if (!ctx || !ctx->payload_len)
		return;
	/* hex_cap is known at load, and the record has room for it: no other
	 * bound. A clamp to HEX_MAX after this one was a branch the 6.1
	 * verifier could not see was dead, and it refused the copy there. */
	len = ctx->payload_len < hex_cap ? ctx->payload_len : hex_cap;
	if (bpf_probe_read_user(e->payload, len, (const void *)ctx->payload_addr) == 0)
		e->payload_len = len;
	ctx->payload_len = 0;
}

/*
 * -e: one record per counted operation. The ring buffer keeps the order
 * across CPUs and wakes the reader; a full buffer costs the event, counted.
 */
static __noinline void log_event(struct ipc_key *key, __u32 how, __u64 bytes, __s64 label)
{
	struct ipc_event *e;

	/* hex_cap is read-only data: the verifier knows it, as the size needs. */
	e = bpf_ringbuf_reserve(&events, sizeof(*e) + hex_cap, 0);
	if (!e) {
		__sync_fetch_and_add(&loss.events_dropped, 1);
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->key = *key;
	e->bytes = bytes;
	e->label = label;
	e->tid = (__u32)bpf_get_current_pid_tgid();
	e->event = HOW_EVENT(how);
	e->payload_len = 0;
	if (hex_cap && HOW_EVENT(how) == NO_EVENT)
		take_payload(e);
	bpf_ringbuf_submit(e, 0);
}

static __always_inline void count_key(struct ipc_key *key, struct file *file,
				      const struct sock *sk, __u32 how, __u64 bytes, __s64 label)
{
	struct ipc_counters *c = row_counters(key, file, sk, label);
	__u64 label_bytes = bytes;

	if (!c)
		return;
	if (HOW_EVENT(how) != NO_EVENT) {
		count_event(c, HOW_EVENT(how), bytes);
		label_bytes = 0;	/* an event's label counts the event, not bytes */
	} else {
		count_op(c, bytes);
		/* Shared memory's "transfers" are page faults, a page each. */
		if (hist_enabled && !(TYPE_BIT(key->type) & SHM_TYPES))
			count_size(key, bytes);
	}
	if (wait_enabled)
		count_wait(key, c);
	if (label != NO_LABEL)
		count_label(key, c, label, label_bytes);
	/* After counting: the row, and its object's name, exist when it is read. */
	if (events_enabled)
		log_event(key, how, bytes, label);
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
	struct task_struct *task;

	/* Direct loads where the hooks allow them: see fd_to_file(). */
	if (btf_loads) {
		struct nsproxy *ns = bpf_get_current_task_btf()->nsproxy;

		return ns && ns->ipc_ns ? ns->ipc_ns->ns.inum : 0;
	}
	task = (struct task_struct *)bpf_get_current_task();
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
