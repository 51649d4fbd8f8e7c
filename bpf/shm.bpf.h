/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared memory and memory-mapped files: the kernel side of the shm module
 * (user/mechanisms/shm.c, tools/demo/shm.c). System V segments (shm), POSIX shared
 * memory (posix_shm: files on /dev/shm) and shared file mappings (mmap:
 * files, memfd, and MAP_SHARED|MAP_ANONYMOUS memory that fork hands down).
 *
 * Data moves through shared memory with no syscall, so what is seen is:
 * - who maps what: shmat/mmap(MAP_SHARED) attach, shmdt/munmap detach;
 * - how active each sharer is, estimated from user page faults on the
 *   shared range (exceptions:page_fault_user): a write fault is a tx, a
 *   read fault an rx, of one page. A page faults once per mapping until
 *   the kernel takes it away again, so this counts first touches;
 * - how sharers synchronise: futex waits and wakes on addresses inside a
 *   shared mapping (where POSIX semaphores and process-shared mutexes live).
 * Each process's shared ranges are kept in a table of its own (sharers),
 * filled at mmap/shmat exit and handed down on fork: a fault or futex
 * address is found there, with no lock and no bpf_find_vma() in the fault
 * path (whose per-CPU unlock work a second tracer would contend for).
 * Processes with none pay one hash lookup per page fault or shared futex.
 */
#ifndef IPCTRACE_SHM_BPF_H
#define IPCTRACE_SHM_BPF_H

#include "filetype.bpf.h"

/* Processes with a shared mapping, and their mappings: see struct shared_ranges. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_SHARERS);
	__type(key, __u32);
	__type(value, struct shared_ranges);
} sharers SEC(".maps");

/* The second table of a process with more mappings than SHARED_RANGES.
 * Allocated as needed: most sharers never have one. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_MORE_SHARERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct more_ranges);
} sharers_more SEC(".maps");

/* A new process's empty tables: in read-only data, too big for the stack. */
const volatile struct shared_ranges no_ranges = {};
const volatile struct more_ranges no_more_ranges = {};

#define SHM_HOW(dir, event) HOW(dir, event, SHM_TYPES)

/* What bpf_find_vma() found at an address. */
struct vma_hit {
	struct file *file;
	__u64 start, end, pgoff, flags;
};

static long vma_found(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_hit *hit = data;

	hit->file = BPF_CORE_READ(vma, vm_file);
	hit->start = BPF_CORE_READ(vma, vm_start);
	hit->end = BPF_CORE_READ(vma, vm_end);
	hit->pgoff = BPF_CORE_READ(vma, vm_pgoff);
	hit->flags = BPF_CORE_READ(vma, vm_flags);
	return 0;
}

/*
 * The kernel's own lookup, for a new mapping's file (at syscall exit) and for
 * processes whose mappings outnumber their slots. With interrupts off (a page
 * fault's tracepoint), bpf_find_vma() defers its unlock to a per-CPU
 * irq_work and answers -EBUSY while another lookup's is pending: counted.
 */
#define EBUSY 16

static __always_inline bool shared_mapping_at(__u64 addr, struct vma_hit *hit)
{
	long err;

	hit->file = NULL;
	/* The mmap lock is only tried (and with interrupts off its unlock is
	 * deferred): busy once, it is often free a moment later. */
	for (int i = 0; i < 3; i++) {
		err = bpf_find_vma(bpf_get_current_task_btf(), addr, vma_found, hit, 0);
		if (err != -EBUSY)
			break;
	}
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

/* Count on the row of (process, object, dir); file names a new object. */
static __always_inline void count_on(const struct ipc_obj_key *obj, __u8 dir, struct file *file,
				     __u32 event, __u64 n, __s64 label, __u32 tgid)
{
	struct ipc_key key = {
		.ino = obj->ino, .dev = obj->dev, .tgid = tgid, .start = current_start(),
		.type = obj->type, .dir = dir,
	};

	count_key(&key, file, NULL, SHM_HOW(dir, event), n, label);
}

/* Global: verified once for every caller that has a struct file. */
__noinline int count_mapping(__u64 file_ptr, __u32 how, __u64 n, __s64 label, __u32 tgid)
{
	struct file *file = (struct file *)file_ptr;
	struct ipc_obj_key obj = {};

	if (!file || classify_mapping(file, &obj) == IPC_NONE)
		return 0;
	count_on(&obj, HOW_DIR(how), file, HOW_EVENT(how), n, label, tgid);
	return 0;
}

static __always_inline bool range_holds(const struct shared_range *r, __u64 addr)
{
	return r->end && addr >= r->start && addr < r->end;
}

/*
 * The loops over a second table are global functions: verified once, not
 * once for every path of every program that reaches them, which took the
 * verifier past its limit.
 */

/* The slot of the second table that holds addr, or -1. */
__noinline int more_range_at(__u32 tgid, __u64 addr)
{
	struct more_ranges *m = bpf_map_lookup_elem(&sharers_more, &tgid);

	for (int i = 0; m && i < MORE_RANGES; i++) {
		if (i >= m->used)
			break;
		if (range_holds(&m->r[i], addr))
			return i;
	}
	return -1;
}

/* Where addr lies in the object of a range that holds it. */
static __always_inline void range_hit(const struct shared_range *r, __u64 addr,
				      struct ipc_obj_key *obj, __u64 *offset)
{
	*obj = r->obj;
	*offset = addr - r->start + r->off;
}

/*
 * The object at addr in either of the process's tables. A copy, not a
 * pointer into one map or the other: a pointer of two map types would keep
 * every path after it apart for the verifier.
 */
static __always_inline bool range_at(struct shared_ranges *t, __u32 tgid, __u64 addr,
				     struct ipc_obj_key *obj, __u64 *offset)
{
	struct more_ranges *m;
	int i;

	for (i = 0; i < SHARED_RANGES; i++) {
		if (range_holds(&t->r[i], addr)) {
			range_hit(&t->r[i], addr, obj, offset);
			return true;
		}
	}
	if (!t->more || (i = more_range_at(tgid, addr)) < 0 || i >= MORE_RANGES)
		return false;
	m = bpf_map_lookup_elem(&sharers_more, &tgid);
	if (!m)
		return false;
	range_hit(&m->r[i], addr, obj, offset);
	return true;
}

static __always_inline struct shared_ranges *ranges_of(__u32 tgid, bool create)
{
	struct shared_ranges *t = bpf_map_lookup_elem(&sharers, &tgid);

	if (t || !create)
		return t;
	if (bpf_map_update_elem(&sharers, &tgid, (const void *)&no_ranges, BPF_NOEXIST) == -E2BIG)
		__sync_fetch_and_add(&loss.sharers_dropped, 1);
	return bpf_map_lookup_elem(&sharers, &tgid);
}

/* The end last: a fault on another CPU matches a slot by its end. */
static __always_inline void fill_range(struct shared_range *r, const struct shared_range *src)
{
	r->start = src->start;
	r->off = src->off;
	r->obj = src->obj;
	r->dir = src->dir;
	r->end = src->end;
}

/* A free slot of the second table, made if need be: 0, or -1 if full. */
__noinline int more_add(__u32 tgid, const struct shared_range *src)
{
	struct more_ranges *m = bpf_map_lookup_elem(&sharers_more, &tgid);

	if (!src)
		return -1;
	if (!m) {
		bpf_map_update_elem(&sharers_more, &tgid, (const void *)&no_more_ranges,
				    BPF_NOEXIST);
		m = bpf_map_lookup_elem(&sharers_more, &tgid);
	}
	for (int i = 0; m && i < MORE_RANGES; i++) {
		if (i >= m->used) {
			fill_range(&m->r[i], src);
			m->used = i + 1;
			return 0;
		}
		if (!m->r[i].end) {
			fill_range(&m->r[i], src);
			return 0;
		}
	}
	return -1;
}

static __noinline void add_range(struct shared_ranges *t, __u32 tgid, const struct shared_range *src)
{
	if (!t)
		return;
	for (int i = 0; i < SHARED_RANGES; i++) {
		if (!t->r[i].end) {
			fill_range(&t->r[i], src);
			return;
		}
	}
	if (more_add(tgid, src) == 0) {
		t->more = 1;
		return;
	}
	t->overflow++;
	__sync_fetch_and_add(&loss.mappings_dropped, 1);
}

/* The shared object at addr in this process, and addr's offset in it. */
static __always_inline bool object_at(__u32 tgid, __u64 addr, struct ipc_obj_key *obj,
				      __u64 *offset, struct file **file)
{
	struct shared_ranges *t = ranges_of(tgid, false);
	struct vma_hit hit;

	*file = NULL;
	if (!t)
		return false;
	if (range_at(t, tgid, addr, obj, offset))
		return true;
	if (!t->overflow || !shared_mapping_at(addr, &hit) ||
	    classify_mapping(hit.file, obj) == IPC_NONE)
		return false;
	*offset = addr - hit.start + hit.pgoff * PAGE_SIZE;
	*file = hit.file;
	return true;
}

/* A page fault on a shared mapping: one page first touched, read or written. */
static __always_inline int shm_on_fault(__u64 address, __u64 error_code)
{
	__u32 tgid = current_tgid();
	struct ipc_obj_key obj = {};
	struct file *file;
	__u64 offset;

	if (!(type_mask & SHM_TYPES))
		return 0;
	if (is_self(tgid) || (filter_enabled && !is_candidate(tgid)) || !in_scope() ||
	    !object_at(tgid, address, &obj, &offset, &file))
		return 0;
	count_on(&obj, error_code & PF_WRITE ? DIR_TX : DIR_RX, file, NO_EVENT, PAGE_SIZE,
		 NO_LABEL, tgid);
	return 0;
}

/*
 * Pages the kernel faulted in for a call (MAP_POPULATE, MADV_POPULATE_*)
 * take no user page fault, and once there, are read and written without
 * one: the call counts them all, as one operation, when it is made.
 */
static __always_inline void count_populated(const struct ipc_obj_key *obj, __u8 dir,
					    struct file *file, __u64 len, __u32 tgid)
{
	__u64 bytes = (len + PAGE_SIZE - 1) & ~(__u64)(PAGE_SIZE - 1);

	if (bytes)
		count_on(obj, dir, file, NO_EVENT, bytes, NO_LABEL, tgid);
}

/* A MAP_POPULATE mapping's pages: its length, but not past the file's end,
 * where there is nothing to fault in. */
static __always_inline void shm_populated(const struct ipc_obj_key *obj, struct file *file,
					  __u64 len, __u64 off, __u8 dir, __u32 tgid)
{
	__u64 size = BPF_CORE_READ(file, f_inode, i_size);

	if (size > off)
		count_populated(obj, dir, file, len < size - off ? len : size - off, tgid);
}

#define ATTACH_POPULATE 0x100	/* beside the direction, in shm_attached's how */

/* An attach: count it, and note the range for later faults and detaches. */
static __noinline void shm_attached(__u64 addr, __u64 len, __u64 off, __u32 how, __u32 tgid)
{
	__u8 dir = (__u8)how;
	struct name_scratch *s;
	struct ipc_obj_key obj = {};
	struct shared_ranges *t;
	struct vma_hit hit;

	if (!shared_mapping_at(addr, &hit) || classify_mapping(hit.file, &obj) == IPC_NONE)
		return;
	if (!len)
		len = hit.end - hit.start;	/* shmat: the segment's size */
	count_on(&obj, dir, hit.file, SHM_EV_ATTACH, 1, NO_LABEL, tgid);
	if (how & ATTACH_POPULATE)
		shm_populated(&obj, hit.file, len, off, dir, tgid);
	/* In the scratch area, not on a stack that a deep call chain shares. */
	s = scratch_area();
	if (!s)
		return;
	s->range.start = addr;
	s->range.end = addr + ((len + PAGE_SIZE - 1) & ~(__u64)(PAGE_SIZE - 1));
	s->range.off = off;
	s->range.obj = obj;
	s->range.dir = dir;
	t = ranges_of(tgid, true);
	add_range(t, tgid, &s->range);
}

/* A range's detach or remap. Global: the loops over the tables that call it
 * have it verified once. */
__noinline int count_range_event(__u64 ino, __u32 dev, __u32 type_dir, __u32 event, __u32 tgid)
{
	struct ipc_obj_key obj = { .ino = ino, .dev = dev, .type = (__u8)(type_dir >> 8) };

	count_on(&obj, (__u8)type_dir, NULL, event, 1, NO_LABEL, tgid);
	return 0;
}

static __always_inline void range_event(const struct shared_range *r, __u32 event, __u32 tgid)
{
	count_range_event(r->obj.ino, r->obj.dev, (__u32)r->obj.type << 8 | r->dir, event, tgid);
}

/* One munmap(addr, len) or shmdt(addr) (len 0: the range at addr whole). */
struct unmap_ctx {
	struct more_ranges *m;		/* the second table, if the process has one */
	struct shared_range *tail;	/* a range cut in two leaves its tail here */
	__u64 addr, len, end;
	__u32 tgid;
};

/*
 * What the unmap does to one range: takes it whole (a detach) or in part (a
 * partial detach: cut at the head, the tail, or out of the middle, which
 * leaves a tail, put in *c->tail for the caller to add). The unmap's figures
 * are read from *c where used, not held across the calls that count: a
 * register kept would be a stack slot, and this runs in bpf_loop's callback
 * deep in sys_exit's call chain, whose frames Linux 6.1's verifier adds up
 * (each rounded up to 32 bytes) against 512.
 */
static __always_inline void unmap_range(struct shared_range *r, const struct unmap_ctx *c)
{
	if (!r->end || (c->len && (c->end <= r->start || c->addr >= r->end)) ||
	    (!c->len && c->addr != r->start))
		return;
	if (!c->len || (c->addr <= r->start && c->end >= r->end)) {
		range_event(r, SHM_EV_DETACH, c->tgid);
		r->end = 0;
		return;
	}
	range_event(r, SHM_EV_PARTIAL, c->tgid);
	if (c->addr <= r->start) {		/* the head goes */
		r->off += c->end - r->start;
		r->start = c->end;
	} else if (c->end >= r->end) {		/* the tail goes */
		r->end = c->addr;
	} else {				/* a hole in the middle */
		*c->tail = *r;
		c->tail->start = c->end;
		c->tail->off = r->off + (c->end - r->start);
		r->end = c->addr;
	}
}

/* The second table's ranges, by bpf_loop: its callback is verified once,
 * not once an iteration. */
static long unmap_one(__u64 i, void *data)
{
	struct unmap_ctx *c = data;

	if (i >= MORE_RANGES || i >= c->m->used)
		return 1;
	unmap_range(&c->m->r[i], c);
	return 0;
}

static __noinline void shm_unmapped(__u64 addr, __u64 len, __u32 tgid)
{
	struct shared_ranges *t = ranges_of(tgid, false);
	/* In the scratch area, not on a stack that a deep call chain shares. */
	struct name_scratch *s = scratch_area();
	struct unmap_ctx c = {
		.addr = addr, .len = len, .tgid = tgid,
		.end = addr + ((len + PAGE_SIZE - 1) & ~(__u64)(PAGE_SIZE - 1)),
	};

	/* Checked before its field's address is taken: clang folds `s ?
	 * &s->cut : NULL` into arithmetic on the unchecked pointer, which
	 * older verifiers (6.1) refuse. */
	if (!t || !s)
		return;
	c.tail = &s->cut;
	c.tail->end = 0;
	for (int i = 0; i < SHARED_RANGES; i++)
		unmap_range(&t->r[i], &c);
	if (t->more) {
		c.m = bpf_map_lookup_elem(&sharers_more, &tgid);
		if (c.m)
			bpf_loop(MORE_RANGES, unmap_one, &c, 0);
	}
	/* One call can cut a hole in one range only: it lies inside it. */
	if (c.tail->end)
		add_range(t, tgid, c.tail);
}

static __always_inline bool remap_range(struct shared_range *r, __u64 old, __u64 addr, __u64 len,
					__u32 tgid)
{
	if (!r->end || r->start != old)
		return false;
	range_event(r, SHM_EV_REMAP, tgid);
	r->start = addr;
	r->end = addr + ((len + PAGE_SIZE - 1) & ~(__u64)(PAGE_SIZE - 1));
	return true;
}

__noinline int more_remap(__u32 tgid, __u64 old, __u64 addr, __u64 len)
{
	struct more_ranges *m = bpf_map_lookup_elem(&sharers_more, &tgid);

	for (int i = 0; m && i < MORE_RANGES; i++) {
		if (i >= m->used)
			break;
		if (remap_range(&m->r[i], old, addr, len, tgid))
			return 1;
	}
	return 0;
}

static __noinline void shm_remapped(__u64 old, __u64 addr, __u64 len, __u32 tgid)
{
	struct shared_ranges *t = ranges_of(tgid, false);

	if (!t)
		return;
	for (int i = 0; i < SHARED_RANGES; i++)
		if (remap_range(&t->r[i], old, addr, len, tgid))
			return;
	if (t->more)
		more_remap(tgid, old, addr, len);
}

/*
 * A shared futex: a wake (tx) that woke someone records its waker; a wait
 * (rx) that was woken counts and says who woke it: the last waker on that
 * futex, since a waiter usually resumes after its waker's call returns.
 * The futex is (object, offset), the same in every process that maps it.
 */
static __noinline void shm_on_futex(__u64 uaddr, __u32 op, long ret, __u32 tgid)
{
	__u32 cmd = op & FUTEX_CMD_MASK, *waker;
	bool wait = cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET;
	bool wake = cmd == FUTEX_WAKE || cmd == FUTEX_WAKE_BITSET;
	struct ipc_wake_key wk = {};
	struct file *file;

	if ((op & FUTEX_PRIVATE_FLAG) || !((wait && ret == 0) || (wake && ret > 0)) ||
	    !object_at(tgid, uaddr, &wk.obj, &wk.offset, &file))
		return;
	if (wake) {
		count_on(&wk.obj, DIR_TX, file, SHM_EV_FUTEX_WAKE, ret, NO_LABEL, tgid);
		bpf_map_update_elem(&last_wakers, &wk, &tgid, BPF_ANY);
		return;
	}
	waker = bpf_map_lookup_elem(&last_wakers, &wk);
	count_on(&wk.obj, DIR_RX, file, SHM_EV_FUTEX_WAIT, 1, waker ? *waker : NO_LABEL, tgid);
}

/*
 * madvise(MADV_POPULATE_READ/WRITE) that succeeded faulted in every page of
 * the range: counted on the shared object at its start (a range across
 * several mappings counts on the first one's).
 */
static __noinline void shm_on_populate(__u64 addr, __u64 len, __u8 dir, __u32 tgid)
{
	struct ipc_obj_key obj = {};
	struct file *file;
	__u64 offset;

	if (object_at(tgid, addr, &obj, &offset, &file))
		count_populated(&obj, dir, file, len, tgid);
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
	/* Read-only data: with shared memory off, the verifier drops what
	 * follows, bpf_find_vma() calls included (kernels before 5.17). */
	if (!(type_mask & SHM_TYPES))
		return;

	switch (op) {
	case IPCOP_MMAP: {	/* only MAP_SHARED mappings are IPC */
		__u64 flags = SYSCALL_ARG(regs, 4, btf), prot = SYSCALL_ARG(regs, 3, btf);
		__u8 dir = prot & PROT_WRITE ? DIR_TX : DIR_RX;

		if ((flags & MAP_TYPE) != MAP_SHARED && (flags & MAP_TYPE) != MAP_SHARED_VALIDATE)
			break;
		/* Anonymous or not, the new mapping's file says what it is. */
		shm_attached(ret, SYSCALL_ARG(regs, 2, btf),
			     flags & MAP_ANONYMOUS ? 0 : SYSCALL_ARG(regs, 6, btf),
			     dir | (flags & MAP_POPULATE ? ATTACH_POPULATE : 0), tgid);
		break;
	}
	case IPCOP_MADVISE: {	/* madvise(addr, len, advice): 0 once every page is in */
		__u64 advice = SYSCALL_ARG(regs, 3, btf);

		if (advice == MADV_POPULATE_READ || advice == MADV_POPULATE_WRITE)
			shm_on_populate(SYSCALL_ARG(regs, 1, btf), SYSCALL_ARG(regs, 2, btf),
					advice == MADV_POPULATE_WRITE ? DIR_TX : DIR_RX, tgid);
		break;
	}
	case IPCOP_SHM_AT:	/* shmat(id, addr, flags) */
		shm_attached(ret, 0, 0, SYSCALL_ARG(regs, 3, btf) & SHM_RDONLY ? DIR_RX : DIR_TX,
			     tgid);
		break;
	case IPCOP_MUNMAP:
		if (SYSCALL_ARG(regs, 2, btf))
			shm_unmapped(SYSCALL_ARG(regs, 1, btf), SYSCALL_ARG(regs, 2, btf), tgid);
		break;
	case IPCOP_SHM_DT:	/* a segment goes whole */
		shm_unmapped(SYSCALL_ARG(regs, 1, btf), 0, tgid);
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

/* A child has its parent's mappings at the same addresses. */
static __always_inline void shm_on_fork(__u32 parent_tgid, __u32 child_tgid)
{
	struct shared_ranges *ranges = bpf_map_lookup_elem(&sharers, &parent_tgid), *t;
	struct more_ranges *m;

	if (!ranges)
		return;
	if (bpf_map_update_elem(&sharers, &child_tgid, ranges, BPF_ANY) == -E2BIG) {
		__sync_fetch_and_add(&loss.sharers_dropped, 1);
		return;
	}
	if (!ranges->more || !(m = bpf_map_lookup_elem(&sharers_more, &parent_tgid)))
		return;
	if (bpf_map_update_elem(&sharers_more, &child_tgid, m, BPF_ANY) == 0)
		return;
	/* No second table for the child: the kernel's tree answers for it. */
	t = bpf_map_lookup_elem(&sharers, &child_tgid);
	if (t) {
		t->more = 0;
		t->overflow += m->used;
	}
	__sync_fetch_and_add(&loss.mappings_dropped, m->used);
}

static __always_inline void shm_on_exit(__u32 tgid)
{
	bpf_map_delete_elem(&sharers, &tgid);
	bpf_map_delete_elem(&sharers_more, &tgid);
}

#endif /* IPCTRACE_SHM_BPF_H */
