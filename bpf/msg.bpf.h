/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System V message queues: the kernel side of the msg module (user/mechanisms/msg.c,
 * tools/demo/msg.c).
 *
 * A System V queue has no descriptor: the syscalls name it by id, so the
 * object is (IPC namespace, msqid) and costs no walk at all. Each message
 * starts with a long, its type, which both sides' buffers hold at sys_exit.
 */
#ifndef IPCTRACE_MSG_BPF_H
#define IPCTRACE_MSG_BPF_H

#include "filetype.bpf.h"

/* Global, like count_fd: verified once for all call sites. */
__noinline int count_msg(__u64 msqid, __u32 how, __u64 bytes, __s64 label, __u32 tgid)
{
	if (!type_enabled(IPC_MSG))
		return 0;

	struct ipc_key key = {
		.ino = msqid, .dev = ipc_ns_inum(), .tgid = tgid, .start = current_start(),
		.type = IPC_MSG,
		.dir = (__u8)HOW_DIR(how),
	};
	count_key(&key, NULL, NULL, how, bytes, label);
	return 0;
}

static __always_inline __s64 msg_type(const void *user_msgp)
{
	long mtype;

	if (!user_msgp || bpf_probe_read_user(&mtype, sizeof(mtype), user_msgp))
		return NO_LABEL;
	return mtype;
}

static __noinline void msg_on_syscall(__u8 op, struct pt_regs *regs, long ret,
					   __u32 tgid, const bool btf)
{
	__u64 msqid = (__u32)SYSCALL_ARG(regs, 1, btf);

	switch (op) {
	case IPCOP_MSG_SND:	/* msgsnd(id, msgp, msgsz, flags): 0 on success */
		if (ret != 0)
			break;
		/* The text follows the type, a long. */
		set_payload(SYSCALL_ARG(regs, 2, btf) + sizeof(long), SYSCALL_ARG(regs, 3, btf));
		count_msg(msqid, HOW(DIR_TX, NO_EVENT, TYPE_BIT(IPC_MSG)),
				  SYSCALL_ARG(regs, 3, btf),
				  msg_type((const void *)SYSCALL_ARG(regs, 2, btf)), tgid);
		break;
	case IPCOP_MSG_RCV:	/* msgrcv(id, msgp, msgsz, msgtyp, flags): bytes of mtext */
		if (ret < 0)
			break;
		set_payload(SYSCALL_ARG(regs, 2, btf) + sizeof(long), ret);
		count_msg(msqid, HOW(DIR_RX, NO_EVENT, TYPE_BIT(IPC_MSG)), ret,
				  msg_type((const void *)SYSCALL_ARG(regs, 2, btf)), tgid);
		break;
	case IPCOP_MSG_GET:	/* msgget(key, flags) returns the id: remember its key */
		record_sysv_key(IPC_MSG, SYSCALL_ARG(regs, 1, btf), ret, 0);
		break;
	case IPCOP_MSG_CTL:	/* glibc adds IPC_64 (0x100) to cmd */
		if ((SYSCALL_ARG(regs, 2, btf) & 0xff) == IPC_RMID)
			record_sysv_removal(IPC_MSG, msqid, tgid);
		break;
	}
}

#endif /* IPCTRACE_MSG_BPF_H */
