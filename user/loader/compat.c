// SPDX-License-Identifier: GPL-2.0
/*
 * The 32-bit numbers come from the i386 header, included here alone: its
 * __NR_* names are the 64-bit header's with other values.
 */
#include "loader/compat.h"

#if defined(__x86_64__)
#include <asm/unistd_32.h>

/* A multiplexer (socketcall, ipc) is listed once per op it may be, so it
 * counts when any of them is traced. */
const struct compat_syscall compat_syscalls[] = {
	{ __NR_read, IPCOP_READ }, { __NR_write, IPCOP_WRITE },
	{ __NR_readv, IPCOP_READV }, { __NR_writev, IPCOP_WRITEV },
	{ __NR_pread64, IPCOP_READ }, { __NR_pwrite64, IPCOP_WRITE },
	{ __NR_preadv, IPCOP_READV }, { __NR_pwritev, IPCOP_WRITEV },
	{ __NR_preadv2, IPCOP_READV }, { __NR_pwritev2, IPCOP_WRITEV },
	{ __NR_splice, IPCOP_SPLICE }, { __NR_tee, IPCOP_TEE },
	{ __NR_vmsplice, IPCOP_VMSPLICE },
	{ __NR_sendfile, IPCOP_SENDFILE }, { __NR_sendfile64, IPCOP_SENDFILE },
	{ __NR_socketcall, IPCOP_SENDMSG }, { __NR_socketcall, IPCOP_RECVMSG },
	{ __NR_socketcall, IPCOP_CONNECT }, { __NR_socketcall, IPCOP_ACCEPT },
	{ __NR_sendto, IPCOP_SENDTO }, { __NR_recvfrom, IPCOP_RECVFROM },
	{ __NR_sendmsg, IPCOP_SENDMSG }, { __NR_recvmsg, IPCOP_RECVMSG },
	{ __NR_sendmmsg, IPCOP_SENDMMSG }, { __NR_recvmmsg, IPCOP_RECVMMSG },
	{ __NR_recvmmsg_time64, IPCOP_RECVMMSG },
	{ __NR_accept4, IPCOP_ACCEPT }, { __NR_connect, IPCOP_CONNECT },
	{ __NR_listen, IPCOP_LISTEN }, { __NR_bind, IPCOP_BIND },
	{ __NR_mmap, IPCOP_MMAP }, { __NR_mmap2, IPCOP_MMAP },
	{ __NR_munmap, IPCOP_MUNMAP }, { __NR_mremap, IPCOP_MREMAP },
	{ __NR_madvise, IPCOP_MADVISE },
	{ __NR_futex, IPCOP_FUTEX }, { __NR_futex_time64, IPCOP_FUTEX },
	{ __NR_open, IPCOP_OPEN }, { __NR_openat, IPCOP_OPEN },
	{ __NR_mq_timedsend, IPCOP_MQ_SEND }, { __NR_mq_timedsend_time64, IPCOP_MQ_SEND },
	{ __NR_mq_timedreceive, IPCOP_MQ_RECV },
	{ __NR_mq_timedreceive_time64, IPCOP_MQ_RECV },
	{ __NR_mq_notify, IPCOP_MQ_NOTIFY }, { __NR_mq_unlink, IPCOP_MQ_UNLINK },
	{ __NR_ipc, IPCOP_MSG_SND }, { __NR_ipc, IPCOP_SEM_OP }, { __NR_ipc, IPCOP_SHM_AT },
	{ __NR_msgsnd, IPCOP_MSG_SND }, { __NR_msgrcv, IPCOP_MSG_RCV },
	{ __NR_msgctl, IPCOP_MSG_CTL }, { __NR_msgget, IPCOP_MSG_GET },
	{ __NR_shmget, IPCOP_SHM_GET }, { __NR_shmat, IPCOP_SHM_AT },
	{ __NR_shmdt, IPCOP_SHM_DT }, { __NR_shmctl, IPCOP_SHM_CTL },
	{ __NR_semget, IPCOP_SEM_GET }, { __NR_semtimedop_time64, IPCOP_SEM_OP },
	{ __NR_semctl, IPCOP_SEM_CTL },
	{ __NR_memfd_create, IPCOP_MEMFD },
	{ __NR_unlink, IPCOP_UNLINK }, { __NR_unlinkat, IPCOP_UNLINKAT },
	{ __NR_process_vm_readv, IPCOP_PVM_READ }, { __NR_process_vm_writev, IPCOP_PVM_WRITE },
	{ __NR_pidfd_getfd, IPCOP_PIDFD_GETFD },
};
const size_t ncompat_syscalls = sizeof(compat_syscalls) / sizeof(compat_syscalls[0]);

/* Those that change a descriptor table (IPCOP_FD_CHANGE's). */
const int compat_fd_change_nrs[] = {
	__NR_close, __NR_dup2, __NR_dup3,
#ifdef __NR_close_range
	__NR_close_range,
#endif
};
const size_t ncompat_fd_change_nrs = sizeof(compat_fd_change_nrs) / sizeof(compat_fd_change_nrs[0]);
#else
/* arm64's AArch32 numbers are not in its headers: its compat calls go
 * uncounted (docs/kernels.md). */
const struct compat_syscall compat_syscalls[1];
const size_t ncompat_syscalls;
/* Their tables' changes then unseen: such a process is not vouched for
 * (bpf/core/fdset.bpf.h). */
const int compat_fd_change_nrs[1];
const size_t ncompat_fd_change_nrs;
#endif
