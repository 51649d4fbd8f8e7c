/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System V semaphore sets: the kernel side of the sem module (user/mechanisms/sem.c).
 * Processes sharing memory often take turns with them. Every semop is a
 * syscall: each semaphore of a set (IPC namespace, semid, number) is an
 * object; an operation that adds to it is a post (tx), one that takes from
 * it or waits for zero is a wait (rx), and a wait says which process posted
 * to it last.
 */
#ifndef IPCTRACE_SEM_BPF_H
#define IPCTRACE_SEM_BPF_H

#include "filetype.bpf.h"

#define SEM_OPS_MAX 4	/* sembufs of one semop looked at */

struct user_sembuf {
	__u16 sem_num;
	__s16 sem_op;
	__s16 sem_flg;
};

/*
 * One semaphore of a set is the object: (set id, number) packed in the
 * inode field, so that a post on semaphore 0 and a wait on semaphore 1 of
 * one set are two channels, each with its own peers. Global: verified once.
 */
__noinline int count_semop(__u64 semid, __u32 num, __s32 sem_op, __u32 tgid)
{
	__u32 dir = sem_op > 0 ? DIR_TX : DIR_RX, *poster;
	struct ipc_wake_key wk = {
		.obj = { .ino = semid | (__u64)num << 32, .dev = ipc_ns_inum(), .type = IPC_SEM },
	};
	struct ipc_key key = {
		.ino = wk.obj.ino, .dev = wk.obj.dev, .tgid = tgid, .start = current_start(),
		.type = IPC_SEM, .dir = (__u8)dir,
	};

	/* semget recorded the set's key: each semaphore of the set shares it. */
	if (!bpf_map_lookup_elem(&objects, &wk.obj)) {
		struct ipc_obj_key set = { .ino = semid, .dev = wk.obj.dev, .type = IPC_SEM };
		struct ipc_obj_info *info = bpf_map_lookup_elem(&objects, &set);

		if (info)
			bpf_map_update_elem(&objects, &wk.obj, info, BPF_NOEXIST);
	}
	/* A wait says who posted to this semaphore last; a post is that. */
	poster = dir == DIR_RX ? bpf_map_lookup_elem(&last_wakers, &wk) : NULL;
	count_key(&key, NULL, NULL, HOW(dir, NO_EVENT, TYPE_BIT(IPC_SEM)), 0,
		  poster ? *poster : NO_LABEL);
	if (dir == DIR_TX)
		bpf_map_update_elem(&last_wakers, &wk, &tgid, BPF_ANY);
	return 0;
}

/* Each operation of the semop counts on its semaphore: > 0 posts, <= 0 waits
 * (0 waits for zero). */
static __always_inline void sem_on_semop(__u64 semid, const struct user_sembuf *sops,
					 __u64 nsops, __u32 tgid)
{
	if (!type_enabled(IPC_SEM))
		return;
	for (int i = 0; i < SEM_OPS_MAX && i < nsops; i++) {
		struct user_sembuf b;

		if (bpf_probe_read_user(&b, sizeof(b), &sops[i]))
			break;
		count_semop((__u32)semid, b.sem_num, b.sem_op, tgid);
	}
}

static __noinline void sem_on_syscall(__u8 op, struct pt_regs *regs, long ret, __u32 tgid,
					   const bool btf)
{
	switch (op) {
	case IPCOP_SEM_OP:	/* semop and semtimedop(id, sops, nsops, ...): 0 on success */
		sem_on_semop(SYSCALL_ARG(regs, 1, btf),
			     (const struct user_sembuf *)SYSCALL_ARG(regs, 2, btf),
			     SYSCALL_ARG(regs, 3, btf), tgid);
		break;
	case IPCOP_SEM_GET:	/* semget(key, nsems, flags) returns the id */
		record_sysv_key(IPC_SEM, SYSCALL_ARG(regs, 1, btf), ret, 0);
		break;
	case IPCOP_SEM_CTL:	/* semctl(id, num, cmd): glibc adds IPC_64 to cmd */
		if ((SYSCALL_ARG(regs, 3, btf) & 0xff) == IPC_RMID)
			record_sysv_removal(IPC_SEM, SYSCALL_ARG(regs, 1, btf), tgid);
		break;
	}
}

#endif /* IPCTRACE_SEM_BPF_H */
