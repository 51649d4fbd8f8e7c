/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared memory and memory-mapped files: the kernel side of the shm module
 * (user/shm.c, tools/demo/shm.c). System V segments (shm), POSIX shared
 * memory (posix_shm: files on /dev/shm) and shared file mappings (mmap:
 * files, memfd, and MAP_SHARED|MAP_ANONYMOUS memory that fork hands down).
 *
 * Data moves through shared memory with no syscall, so what is seen is:
 * - who maps what: shmat/mmap(MAP_SHARED) attach, shmdt/munmap detach,
 *   remembered by address, since the mapping is gone by munmap's exit;
 * - how active each sharer is, estimated from user page faults on the
 *   shared range (exceptions:page_fault_user): a write fault is a tx, a
 *   read fault an rx, of one page. A page faults once per mapping until
 *   the kernel takes it away again, so this counts first touches;
 * - how sharers synchronise: futex waits and wakes on addresses inside a
 *   shared mapping (where POSIX semaphores and process-shared mutexes live).
 * Addresses are looked up with bpf_find_vma(), only for processes known to
 * have a shared mapping (the sharers map), so other processes pay one hash
 * lookup per page fault or shared futex call.
 */
#ifndef IPCTRACE_SHM_BPF_H
#define IPCTRACE_SHM_BPF_H

#include "common.bpf.h"

/* /dev/shm's device: a file there is POSIX shared memory. Set by user space. */
const volatile __u32 devshm_dev = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_MAPPINGS);
	__type(key, struct ipc_mapping_key);
	__type(value, struct ipc_mapping);
} mappings SEC(".maps");

/* Processes with a shared mapping: the only ones whose faults are looked at. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_SHARERS);
	__type(key, __u32);
	__type(value, __u8);
} sharers SEC(".maps");

#define SHM_TYPES (TYPE_BIT(IPC_SHM) | TYPE_BIT(IPC_POSIX_SHM) | TYPE_BIT(IPC_MMAP))
#define SHM_HOW(dir, event) HOW(dir, event, SHM_TYPES)

/* What bpf_find_vma() found at an address. */
struct vma_hit {
	struct file *file;
	__u64 start, pgoff, flags;
};

static long vma_found(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_hit *hit = data;

	hit->file = BPF_CORE_READ(vma, vm_file);
	hit->start = BPF_CORE_READ(vma, vm_start);
	hit->pgoff = BPF_CORE_READ(vma, vm_pgoff);
	hit->flags = BPF_CORE_READ(vma, vm_flags);
	return 0;
}

/*
 * With interrupts off (a page fault's tracepoint), bpf_find_vma() defers its
 * unlock to a per-CPU irq_work, and answers -EBUSY while another lookup's is
 * pending: counted, not silent.
 */
#define EBUSY 16

static __always_inline bool shared_mapping_at(__u64 addr, struct vma_hit *hit)
{
	long err;

	hit->file = NULL;
	err = bpf_find_vma(bpf_get_current_task_btf(), addr, vma_found, hit, 0);
	if (err == -EBUSY)
		__sync_fetch_and_add(&loss.faults_missed, 1);
	if (err || !hit->file)
		return false;
	/* A read-only shared mapping of a read-only file keeps VM_MAYSHARE only
	 * (mm/mmap.c), which is also what /proc/PID/maps shows as 's'. */
	return hit->flags & (VM_SHARED | VM_MAYSHARE);
}

/*
 * The object behind a shared mapping's file. A System V segment's file is
 * named SYSV<key> on the kernel's internal shmem mount and its inode number
 * is the shmid; a file on /dev/shm is POSIX shared memory; any other regular
 * file (memfd and anonymous shared memory included) is a file mapping.
 */
static __always_inline __u8 classify_mapping(struct file *file, struct ipc_obj_key *obj)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	char name[5] = {};

	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFREG)
		return IPC_NONE;	/* a device's memory is not IPC */
	obj->ino = BPF_CORE_READ(inode, i_ino);
	obj->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	bpf_probe_read_kernel(name, 4, BPF_CORE_READ(file, f_path.dentry, d_name.name));
	if (name[0] == 'S' && name[1] == 'Y' && name[2] == 'S' && name[3] == 'V') {
		obj->dev = ipc_ns_inum();
		obj->type = IPC_SHM;
	} else {
		obj->type = obj->dev == devshm_dev ? IPC_POSIX_SHM : IPC_MMAP;
	}
	return type_enabled(obj->type) ? obj->type : IPC_NONE;
}

static __always_inline void add_sharer(__u32 tgid)
{
	__u8 one = 1;

	if (bpf_map_update_elem(&sharers, &tgid, &one, BPF_ANY) == -E2BIG)
		__sync_fetch_and_add(&loss.sharers_dropped, 1);
}

/* Global: verified once for every caller (attach, detach, fault, futex). */
__noinline int count_mapping(__u64 file_ptr, __u32 how, __u64 n, __s64 label, __u32 tgid)
{
	struct file *file = (struct file *)file_ptr;
	struct ipc_obj_key obj = {};

	if (!file || classify_mapping(file, &obj) == IPC_NONE)
		return 0;

	struct ipc_key key = {
		.ino = obj.ino, .dev = obj.dev, .tgid = tgid, .type = obj.type,
		.dir = (__u8)HOW_DIR(how),
	};
	count_key(&key, file, NULL, how, n, label);
	return 0;
}

/* A page fault on a shared mapping: one page first touched, read or written. */
static __always_inline int shm_on_fault(__u64 address, __u64 error_code)
{
	__u32 tgid = current_tgid();
	struct vma_hit hit;

	if (tgid == self_tgid || !bpf_map_lookup_elem(&sharers, &tgid) ||
	    (filter_enabled && !is_candidate(tgid)) || !shared_mapping_at(address, &hit))
		return 0;
	count_mapping((__u64)hit.file, SHM_HOW(error_code & PF_WRITE ? DIR_TX : DIR_RX, NO_EVENT),
		      PAGE_SIZE, NO_LABEL, tgid);
	return 0;
}

/* An attach: count it, remember the mapping for its detach, and watch the
 * process's faults from now on. */
static __noinline void shm_attached(struct file *file, __u64 addr, __u64 len, __u8 dir,
					 __u32 tgid)
{
	struct ipc_mapping_key mk = { .addr = addr, .tgid = tgid };
	struct ipc_mapping m = { .len = len, .dir = dir };

	if (!file || classify_mapping(file, &m.obj) == IPC_NONE)
		return;
	count_mapping((__u64)file, SHM_HOW(dir, SHM_EV_ATTACH), 1, NO_LABEL, tgid);
	add_sharer(tgid);
	if (bpf_map_update_elem(&mappings, &mk, &m, BPF_ANY) == -E2BIG)
		__sync_fetch_and_add(&loss.mappings_dropped, 1);
}

static __always_inline void count_on_object(const struct ipc_mapping *m, __u32 event, __u32 tgid)
{
	struct ipc_key key = {
		.ino = m->obj.ino, .dev = m->obj.dev, .tgid = tgid, .type = m->obj.type,
		.dir = m->dir,
	};

	count_key(&key, NULL, NULL, SHM_HOW(m->dir, event), 1, NO_LABEL);
}

/*
 * munmap(addr, len) or shmdt(addr), after the fact: a mapping we saw made
 * at addr either goes whole or loses its head; an address inside a mapping
 * (what is left of it is still there to look up) loses a middle or a tail.
 */
static __noinline void shm_unmapped(__u64 addr, __u64 len, bool whole, __u32 tgid)
{
	struct ipc_mapping_key mk = { .addr = addr, .tgid = tgid };
	struct ipc_mapping *m = bpf_map_lookup_elem(&mappings, &mk);
	struct vma_hit hit;

	if (m) {
		struct ipc_mapping rest = *m;

		bpf_map_delete_elem(&mappings, &mk);
		if (whole || len >= rest.len) {
			count_on_object(&rest, SHM_EV_DETACH, tgid);
			return;
		}
		count_on_object(&rest, SHM_EV_PARTIAL, tgid);
		mk.addr = addr + len;
		rest.len -= len;
		bpf_map_update_elem(&mappings, &mk, &rest, BPF_ANY);
		return;
	}
	if (addr < PAGE_SIZE || !shared_mapping_at(addr - 1, &hit) || hit.start >= addr)
		return;
	/* What is left before addr is a mapping we may have seen made at its
	 * start: it now ends at addr, and a middle cut leaves a tail too. */
	mk.addr = hit.start;
	m = bpf_map_lookup_elem(&mappings, &mk);
	if (!m) {
		count_mapping((__u64)hit.file, SHM_HOW(DIR_RX, SHM_EV_PARTIAL), 1, NO_LABEL, tgid);
		return;
	}
	struct ipc_mapping tail = *m;
	__u64 end = hit.start + m->len;

	count_on_object(m, SHM_EV_PARTIAL, tgid);
	m->len = addr - hit.start;
	if (addr + len < end) {
		mk.addr = addr + len;
		tail.len = end - mk.addr;
		bpf_map_update_elem(&mappings, &mk, &tail, BPF_ANY);
	}
}

static __noinline void shm_remapped(__u64 old, __u64 addr, __u64 len, __u32 tgid)
{
	struct ipc_mapping_key mk = { .addr = old, .tgid = tgid };
	struct ipc_mapping *m = bpf_map_lookup_elem(&mappings, &mk);
	struct ipc_mapping moved;

	if (!m)
		return;
	moved = *m;
	bpf_map_delete_elem(&mappings, &mk);
	count_on_object(&moved, SHM_EV_REMAP, tgid);
	mk.addr = addr;
	moved.len = len;
	bpf_map_update_elem(&mappings, &mk, &moved, BPF_ANY);
}

/*
 * A shared futex: a wake (tx) that woke someone records its waker; a wait
 * (rx) that was woken counts and says who woke it: the last waker on that
 * futex, since a waiter usually resumes after its waker's call returns.
 */
static __noinline void shm_on_futex(__u64 uaddr, __u32 op, long ret, __u32 tgid)
{
	__u32 cmd = op & FUTEX_CMD_MASK, *waker;
	bool wait = cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET;
	bool wake = cmd == FUTEX_WAKE || cmd == FUTEX_WAKE_BITSET;
	struct ipc_wake_key wk = {};
	struct vma_hit hit;

	if ((op & FUTEX_PRIVATE_FLAG) || !((wait && ret == 0) || (wake && ret > 0)) ||
	    !bpf_map_lookup_elem(&sharers, &tgid) || !shared_mapping_at(uaddr, &hit) ||
	    classify_mapping(hit.file, &wk.obj) == IPC_NONE)
		return;
	wk.offset = uaddr - hit.start + hit.pgoff * PAGE_SIZE;
	if (wake) {
		count_mapping((__u64)hit.file, SHM_HOW(DIR_TX, SHM_EV_FUTEX_WAKE), ret, NO_LABEL,
			      tgid);
		bpf_map_update_elem(&last_wakers, &wk, &tgid, BPF_ANY);
		return;
	}
	waker = bpf_map_lookup_elem(&last_wakers, &wk);
	count_mapping((__u64)hit.file, SHM_HOW(DIR_RX, SHM_EV_FUTEX_WAIT), 1,
		      waker ? *waker : NO_LABEL, tgid);
}

/* shm_unlink(name) is unlink("/dev/shm/name"): who removed it, by name. */
static __noinline void shm_on_unlink(const char *upath, __u32 tgid)
{
	static const char prefix[] = "/dev/shm/";
	struct ipc_removal_key rk = { .type = IPC_POSIX_SHM, .dev = devshm_dev };
	char head[sizeof(prefix) - 1];

	if (!type_enabled(IPC_POSIX_SHM) || bpf_probe_read_user(head, sizeof(head), upath))
		return;
	for (int i = 0; i < (int)sizeof(head); i++)
		if (head[i] != prefix[i])
			return;
	/* Kept without the leading '/', as queue names are. */
	if (bpf_probe_read_user_str(rk.name, sizeof(rk.name), upath + 1) > 0)
		record_removal(&rk, tgid);
}

static __noinline void shm_on_syscall(__u8 op, struct pt_regs *regs, long ret, __u32 tgid,
					   const bool btf)
{
	struct vma_hit hit;

	switch (op) {
	case IPCOP_MMAP: {	/* only MAP_SHARED mappings are IPC */
		__u64 flags = SYSCALL_ARG(regs, 4, btf), prot = SYSCALL_ARG(regs, 3, btf);
		__u8 dir = prot & PROT_WRITE ? DIR_TX : DIR_RX;

		if ((flags & MAP_TYPE) != MAP_SHARED && (flags & MAP_TYPE) != MAP_SHARED_VALIDATE)
			break;
		/* Anonymous or not, the new mapping's file says what it is. */
		if (shared_mapping_at(ret, &hit))
			shm_attached(hit.file, ret, SYSCALL_ARG(regs, 2, btf), dir, tgid);
		break;
	}
	case IPCOP_SHM_AT: {	/* shmat(id, addr, flags) */
		__u8 dir = SYSCALL_ARG(regs, 3, btf) & SHM_RDONLY ? DIR_RX : DIR_TX;

		if (shared_mapping_at(ret, &hit))
			shm_attached(hit.file, ret, 0, dir, tgid);
		break;
	}
	case IPCOP_MUNMAP:
		shm_unmapped(SYSCALL_ARG(regs, 1, btf), SYSCALL_ARG(regs, 2, btf), false, tgid);
		break;
	case IPCOP_SHM_DT:	/* a segment goes whole */
		shm_unmapped(SYSCALL_ARG(regs, 1, btf), 0, true, tgid);
		break;
	case IPCOP_MREMAP:
		shm_remapped(SYSCALL_ARG(regs, 1, btf), ret, SYSCALL_ARG(regs, 3, btf), tgid);
		break;
	case IPCOP_FUTEX:
		shm_on_futex(SYSCALL_ARG(regs, 1, btf), SYSCALL_ARG(regs, 2, btf), ret, tgid);
		break;
	case IPCOP_SHM_GET:	/* shmget(key, size, flags) returns the id */
		record_sysv_key(IPC_SHM, SYSCALL_ARG(regs, 1, btf), ret, SYSCALL_ARG(regs, 2, btf));
		break;
	case IPCOP_SHM_CTL:	/* glibc adds IPC_64 (0x100) to cmd */
		if ((SYSCALL_ARG(regs, 2, btf) & 0xff) == IPC_RMID)
			record_sysv_removal(IPC_SHM, SYSCALL_ARG(regs, 1, btf), tgid);
		break;
	case IPCOP_MEMFD: {	/* the creator, on its tx row */
		struct file *file = fd_to_file(ret);

		if (file)
			count_mapping((__u64)file, SHM_HOW(DIR_TX, SHM_EV_CREATE), 1, NO_LABEL, tgid);
		break;
	}
	case IPCOP_UNLINK:
		shm_on_unlink((const char *)SYSCALL_ARG(regs, 1, btf), tgid);
		break;
	case IPCOP_UNLINKAT:
		shm_on_unlink((const char *)SYSCALL_ARG(regs, 2, btf), tgid);
		break;
	}
}

#endif /* IPCTRACE_SHM_BPF_H */
