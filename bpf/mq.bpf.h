/* SPDX-License-Identifier: GPL-2.0 */
/*
 * POSIX message queues: the kernel side of the mq module (user/mechanisms/mq.c decodes
 * its rows, tools/demo/mq.c exercises it).
 *
 * A queue descriptor is a file on the mqueue filesystem, so it resolves like
 * a pipe: fd -> file -> inode, whatever opened it and whenever. The kernel
 * keeps whole messages, each with a priority: the sender passes it, the
 * receiver gets it back through a pointer, read here at sys_exit.
 * mq_send and mq_receive are library wrappers of the timed calls.
 */
#ifndef IPCTRACE_MQ_BPF_H
#define IPCTRACE_MQ_BPF_H

#include "filetype.bpf.h"

#define MQ_HOW(dir, event) HOW(dir, event, TYPE_BIT(IPC_MQ))

/* mq_unlink takes a name, not a descriptor: the queue is gone by exit, so
 * who unlinked it is recorded by name, in the caller's IPC namespace. */
static __always_inline void mq_record_unlink(const char *user_name, __u32 tgid)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct ipc_removal_key rk = { .type = IPC_MQ };

	rk.dev = BPF_CORE_READ(task, nsproxy, ipc_ns, mq_mnt, mnt_sb, s_dev);
	if (bpf_probe_read_user_str(rk.name, sizeof(rk.name), user_name) > 0)
		record_removal(&rk, tgid);
}

static __noinline void mq_on_syscall(__u8 op, struct pt_regs *regs, long ret,
					  __u32 tgid, const bool btf)
{
	switch (op) {
	case IPCOP_MQ_SEND:	/* 0 on success; the length and priority are arguments */
		if (ret != 0)
			break;
		set_payload(SYSCALL_ARG(regs, 2, btf), SYSCALL_ARG(regs, 3, btf));
		count_fd(SYSCALL_ARG(regs, 1, btf), MQ_HOW(DIR_TX, NO_EVENT),
				 SYSCALL_ARG(regs, 3, btf), (__u32)SYSCALL_ARG(regs, 4, btf), tgid);
		break;
	case IPCOP_MQ_RECV: {	/* the message's length; its priority via a pointer */
		const void *prio_ptr = (const void *)SYSCALL_ARG(regs, 4, btf);
		__s64 label = NO_LABEL;
		__u32 prio;

		if (ret < 0)
			break;
		if (prio_ptr && bpf_probe_read_user(&prio, sizeof(prio), prio_ptr) == 0)
			label = prio;
		set_payload(SYSCALL_ARG(regs, 2, btf), ret);
		count_fd(SYSCALL_ARG(regs, 1, btf), MQ_HOW(DIR_RX, NO_EVENT), ret, label, tgid);
		break;
	}
	case IPCOP_MQ_NOTIFY:	/* a NULL sigevent unregisters */
		if (ret == 0 && SYSCALL_ARG(regs, 2, btf))
			count_fd(SYSCALL_ARG(regs, 1, btf), MQ_HOW(DIR_RX, MQ_EV_NOTIFY), 1,
				 NO_LABEL, tgid);
		break;
	case IPCOP_MQ_UNLINK:
		if (ret == 0)
			mq_record_unlink((const char *)SYSCALL_ARG(regs, 1, btf), tgid);
		break;
	}
}

#endif /* IPCTRACE_MQ_BPF_H */
