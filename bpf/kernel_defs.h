/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel constants that vmlinux.h cannot carry, because BTF holds types and
 * not macros. Values are ABI and have not changed since they were introduced.
 */
#ifndef IPCTRACE_KERNEL_DEFS_H
#define IPCTRACE_KERNEL_DEFS_H

#define S_IFMT   00170000
#define S_IFSOCK 0140000
#define S_IFIFO  0010000
#define S_IFREG  0100000
#define S_IFCHR  0020000

#define PIPEFS_MAGIC  0x50495045
#define MQUEUE_MAGIC  0x19800202
#define TMPFS_MAGIC   0x01021994

#define FMODE_READ  0x1
#define FMODE_WRITE 0x2

#define EEXIST 17
#define E2BIG  7

#define IPC_RMID 0

#define AF_UNIX  1
#define AF_INET  2
#define AF_INET6 10
#define AF_NETLINK 16
#define NETLINK_USERSOCK 2

#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_SEQPACKET 5

#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_UDPLITE 136

#define MSG_PEEK 2
#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define EINPROGRESS 115

#define TCP_LISTEN 10	/* sk_state of a listening socket, TCP or unix */

#define VM_SHARED 0x00000008
#define VM_MAYSHARE 0x00000080	/* a read-only MAP_SHARED mapping has only this */
#define MAP_SHARED 0x01
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE 0x0f
#define MAP_ANONYMOUS 0x20
#define MAP_POPULATE 0x8000
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#define PROT_WRITE 0x2
#define SHM_RDONLY 010000
#define PAGE_SIZE 4096

/* io_uring's operations (include/uapi/linux/io_uring.h: numbers are ABI) */
#define IORING_OP_READV		1
#define IORING_OP_WRITEV	2
#define IORING_OP_READ_FIXED	4
#define IORING_OP_WRITE_FIXED	5
#define IORING_OP_SENDMSG	9
#define IORING_OP_RECVMSG	10
#define IORING_OP_READ		22
#define IORING_OP_WRITE		23
#define IORING_OP_SEND		26
#define IORING_OP_RECV		27
#define IORING_OP_SPLICE	30
#define IORING_OP_TEE		33
#define IORING_OP_SEND_ZC	47
#define IORING_OP_SENDMSG_ZC	48
#define IORING_OP_READ_MULTISHOT 49
#define IORING_OP_READV_FIXED	60
#define IORING_OP_WRITEV_FIXED	61
#define SPLICE_F_FD_IN_FIXED	(1U << 31)	/* io_uring's splice: fd_in is a fixed file */
#define IORING_RECV_MULTISHOT	(1U << 1)
/* A request's flags: the first bits are the submission's IOSQE_* flags. */
#define REQ_F_FIXED_FILE	(1U << 0)	/* IOSQE_FIXED_FILE: fd is a registered file's index */
#define REQ_F_CQE_SKIP		(1U << 6)	/* IOSQE_CQE_SKIP_SUCCESS: no completion on success */

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CMD_MASK 0x7f	/* without PRIVATE_FLAG and CLOCK_REALTIME */

/*
 * What differs between the architectures, chosen at build time by libbpf's
 * __TARGET_ARCH_* (the Makefile's ARCH): where the saved user registers
 * keep the syscall number, how a task making 32-bit syscalls is marked, how
 * a page fault says it was a write. The registers of the syscall's
 * arguments are libbpf's PT_REGS_PARM*_SYSCALL.
 */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR(regs)	((regs)->orig_ax)
#define SYSCALL_NR_CORE(regs)	BPF_CORE_READ(regs, orig_ax)
#define TS_COMPAT 0x0002	/* arch/x86/include/asm/thread_info.h: a 32-bit syscall */
#define TASK_COMPAT(task)	((task)->thread_info.status & TS_COMPAT)
#define TASK_COMPAT_CORE(task)	(BPF_CORE_READ(task, thread_info.status) & TS_COMPAT)
#define PF_WRITE 0x2		/* x86 page fault error code: a write access */
#define SYSCALL_PARM6_REG	r9
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR(regs)	((regs)->syscallno)
#define SYSCALL_NR_CORE(regs)	BPF_CORE_READ(regs, syscallno)
/* arch/arm64/include/asm/thread_info.h: an AArch32 process (is_compat_task) */
#define TIF_32BIT 22
#define TASK_COMPAT(task)	((task)->thread_info.flags & (1UL << TIF_32BIT))
#define TASK_COMPAT_CORE(task)	(BPF_CORE_READ(task, thread_info.flags) & (1UL << TIF_32BIT))
/* arm64 has no exceptions:page_fault_user tracepoint, so the fault hook never
 * attaches there (feature_probe.c finds it missing): no bit says write. */
#define PF_WRITE 0
#define SYSCALL_PARM6_REG	regs[5]
#else
#error "ipctrace's BPF code knows x86 and arm64: build with ARCH=x86 or ARCH=arm64"
#endif

/* include/linux/sched.h */
#define TASK_INTERRUPTIBLE	0x0001
#define TASK_UNINTERRUPTIBLE	0x0002
#define PF_KTHREAD		0x00200000
/* Signals: include/uapi/asm-generic/siginfo.h, include/linux/sched.h */
#define SIGCHLD 17
#define SI_USER 0		/* kill() */
#define SI_QUEUE (-1)		/* sigqueue() */
#define SI_MESGQ (-3)		/* a POSIX queue's mq_notify, sent by the message's sender */
#define SI_TKILL (-6)		/* tkill(), tgkill() */
#define PF_EXITING 0x00000004

/* eventfd: a file of the anonymous inode filesystem (fs/anon_inodes.c). */
#define ANON_INODE_FS_MAGIC 0x09041934

#ifndef offsetof
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif

#endif /* IPCTRACE_KERNEL_DEFS_H */
