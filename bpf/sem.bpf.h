/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System V semaphore sets: the kernel side of the sem module (user/sem.c).
 * Processes sharing memory often take turns with them. Every semop is a
 * syscall: a set is an object (IPC namespace, semid) like a System V queue;
 * an operation that adds to a semaphore is a post (tx), one that takes from
 * it or waits for zero is a wait (rx), and a wait says which process posted
 * to the set last.
 */
#ifndef IPCTRACE_SEM_BPF_H
#define IPCTRACE_SEM_BPF_H

#include "common.bpf.h"

#define SEM_OPS_MAX 4	/* sembufs of one semop looked at */

struct user_sembuf {
	__u16 sem_num;
	__s16 sem_op;
	__s16 sem_flg;
};

/* Global: verified once for both directions. */
__noinline int count_semop(__u64 semid, __u32 dir, __s64 label, __u32 tgid)
{
	struct ipc_key key = {
		.ino = semid, .dev = ipc_ns_inum(), .tgid = tgid, .type = IPC_SEM, .dir = (__u8)dir,
	};

	count_key(&key, NULL, NULL, HOW(dir, NO_EVENT, TYPE_BIT(IPC_SEM)), 0, label);
	return 0;
}

static __always_inline void sem_on_semop(__u64 semid, const struct user_sembuf *sops,
					 __u64 nsops, __u32 tgid)
{
	struct ipc_wake_key wk = { .obj = { .ino = semid, .dev = ipc_ns_inum(), .type = IPC_SEM } };
	bool post = false, wait = false;
	__u32 *poster;

	if (!type_enabled(IPC_SEM))
		return;
	for (int i = 0; i < SEM_OPS_MAX && i < nsops; i++) {
		struct user_sembuf b;

		if (bpf_probe_read_user(&b, sizeof(b), &sops[i]))
			break;
		post |= b.sem_op > 0;
		wait |= b.sem_op <= 0;
	}
	if (wait) {
		poster = bpf_map_lookup_elem(&last_wakers, &wk);
		count_semop(semid, DIR_RX, poster ? *poster : NO_LABEL, tgid);
	}
	if (post) {
		count_semop(semid, DIR_TX, NO_LABEL, tgid);
		bpf_map_update_elem(&last_wakers, &wk, &tgid, BPF_ANY);
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
