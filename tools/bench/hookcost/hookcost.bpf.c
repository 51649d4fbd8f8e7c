// SPDX-License-Identifier: GPL-2.0
/*
 * hookcost: ipctrace's pipe hot path rebuilt in variants, one change at a
 * time, to measure what each part of it costs (make bench-hookcost). Not
 * ipctrace: a stripped copy that counts read/write on pipes only, so that a
 * change to the hot path can be tried here before bpf/ is touched.
 *
 *   0  as ipctrace's portable build (for kernels without
 *      bpf_rdonly_cast) reads by copy: every field
 *      read with BPF_CORE_READ (one bpf_probe_read_kernel helper call
 *      each, 12 per operation), a hash map row, two atomic adds
 *   1  direct BTF loads (tp_btf pointers, bpf_get_current_task_btf()),
 *      one probe read left for the fd array slot; hash row, atomic adds
 *   2  1 with a per-CPU hash: plain adds, no atomics
 *   3  2 with the slot read through bpf_rdonly_cast(): no helper call
 *      (ipctrace's default build is 1 with this slot)
 *   4  1's loads into one per-CPU array counter: no hash lookup at all
 *      (not a design, a floor: what the row lookup costs)
 *   5  the hook and the syscall table lookup alone
 *   6  5, and every other hook point ipctrace attaches to with nothing
 *      in it: the floor under any tracer that must see what those hooks
 *      see (make bench's "floor" condition, beside real applications)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "ipctrace.h"
#include "kernel_defs.h"

char LICENSE[] SEC("license") = "GPL";

/* Since 6.2; libbpf 1.1's headers do not declare it. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

const volatile int variant = 0;
const volatile __u8 syscall_op[512] = {};	/* 1: write (tx), 2: read (rx) */
const volatile __u32 self_tgid = 0;

/* Rows keyed as ipctrace keys them (struct ipc_key), so a lookup costs the same. */
struct row_val {
	__u64 bytes, ops;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ipc_key);
	__type(value, struct row_val);
} rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ipc_key);
	__type(value, struct row_val);
} percpu_rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct row_val);
} one_counter SEC(".maps");

static __always_inline struct row_val *row(void *map, struct ipc_key *k)
{
	struct row_val *v = bpf_map_lookup_elem(map, k), zero = {};

	if (v)
		return v;
	bpf_map_update_elem(map, k, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, k);
}

static __always_inline int probe_read_path(int fd, long ret, __u8 dir)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file **fds, *file = NULL;
	struct ipc_key k = {};
	struct super_block *sb;
	struct fdtable *fdt;
	struct inode *inode;
	struct row_val *v;

	if (BPF_CORE_READ(task, thread_info.status) & TS_COMPAT)
		return 0;
	k.tgid = bpf_get_current_pid_tgid() >> 32;
	if (k.tgid == self_tgid)
		return 0;
	fdt = BPF_CORE_READ(task, files, fdt);
	if (fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	if (!file)
		return 0;
	inode = BPF_CORE_READ(file, f_inode);
	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFIFO)
		return 0;
	sb = BPF_CORE_READ(inode, i_sb);
	k.type = BPF_CORE_READ(sb, s_magic) == PIPEFS_MAGIC ? IPC_PIPE : IPC_FIFO;
	k.ino = BPF_CORE_READ(inode, i_ino);
	k.dev = BPF_CORE_READ(sb, s_dev);
	k.dir = dir;
	v = row(&rows, &k);
	if (v) {
		__sync_fetch_and_add(&v->bytes, ret);
		__sync_fetch_and_add(&v->ops, 1);
	}
	return 0;
}

static __always_inline int direct_path(int fd, long ret, __u8 dir, int how)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *file = NULL;
	struct ipc_key k = {};
	struct super_block *sb;
	struct fdtable *fdt;
	struct inode *inode;
	struct row_val *v;
	__u32 zero = 0;

	if (task->thread_info.status & TS_COMPAT)
		return 0;
	k.tgid = task->tgid;
	if (k.tgid == self_tgid)
		return 0;
	fdt = task->files->fdt;
	if (fd < 0 || (unsigned int)fd >= fdt->max_fds)
		return 0;
	/* The verifier refuses a variable offset into a BTF pointer: either a
	 * helper call, or an untrusted cast of the slot's address. */
	if (how == 3)
		file = *(struct file **)bpf_rdonly_cast((void *)&fdt->fd[fd], 0);
	else
		bpf_probe_read_kernel(&file, sizeof(file), &fdt->fd[fd]);
	if (!file)
		return 0;
	file = bpf_rdonly_cast(file, bpf_core_type_id_kernel(struct file));
	inode = file->f_inode;
	if ((inode->i_mode & S_IFMT) != S_IFIFO)
		return 0;
	sb = inode->i_sb;
	k.type = sb->s_magic == PIPEFS_MAGIC ? IPC_PIPE : IPC_FIFO;
	k.ino = inode->i_ino;
	k.dev = sb->s_dev;
	k.dir = dir;
	if (how == 1) {
		v = row(&rows, &k);
		if (v) {
			__sync_fetch_and_add(&v->bytes, ret);
			__sync_fetch_and_add(&v->ops, 1);
		}
		return 0;
	}
	v = how == 4 ? bpf_map_lookup_elem(&one_counter, &zero) : row(&percpu_rows, &k);
	if (v) {	/* this CPU's copy: no other writer */
		v->bytes += ret;
		v->ops++;
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(hookcost, struct pt_regs *regs, long ret)
{
	unsigned long nr = regs->orig_ax;
	__u8 op;

	if (nr >= 512)
		return 0;
	op = syscall_op[nr];
	if (!op || ret <= 0)
		return 0;
	/* variant is read-only data: the verifier keeps one branch. */
	switch (variant) {
	case 0:
		return probe_read_path(regs->di, ret, op);
	case 1:
	case 2:
	case 3:
	case 4:
		return direct_path(regs->di, ret, op, variant);
	default:
		return 0;
	}
}

/* Variant 6 only (hookcost.c turns them off otherwise): the hooks' own
 * price, each program returning at once. */
SEC("tp_btf/sock_send_length")
int BPF_PROG(floor_sock_send)
{
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(floor_sock_recv)
{
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(floor_sched_switch)
{
	return 0;
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(floor_page_fault)
{
	return 0;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(floor_signal)
{
	return 0;
}

SEC("raw_tp/sched_process_fork")
int floor_fork(void *ctx)
{
	return 0;
}

SEC("raw_tp/sched_process_exit")
int floor_exit(void *ctx)
{
	return 0;
}

SEC("raw_tp/sched_process_exec")
int floor_exec(void *ctx)
{
	return 0;
}
