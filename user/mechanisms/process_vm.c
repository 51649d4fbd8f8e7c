// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-memory attach, user side: the process_vm module
 * (bpf/process_vm.bpf.h, tools/demo/process_vm.c). The object is the
 * process whose memory is read or written, "pid N", as a signal's target is;
 * a row's ops are process_vm_readv/writev calls and its bytes what they
 * copied, and descriptors taken with pidfd_getfd count as fds_passed.
 */
#include <stdio.h>
#include <sys/syscall.h>
#include "model/mechanism.h"

static const struct syscall_hook process_vm_syscalls[] = {
	{ __NR_process_vm_readv, IPCOP_PVM_READ },
	{ __NR_process_vm_writev, IPCOP_PVM_WRITE },
#ifdef __NR_pidfd_getfd
	{ __NR_pidfd_getfd, IPCOP_PIDFD_GETFD },
#endif
};

static void process_vm_default_name(const struct ipc_obj_key *obj, char *buf, size_t len)
{
	snprintf(buf, len, "pid %llu", (unsigned long long)obj->ino);
}

/* dev is the target's start time, which tells a reused PID apart (0: not
 * known, on kernels without the task lookup). */
static const char *process_vm_dev_key(unsigned int type)
{
	(void)type;
	return "target_start";
}

const struct mechanism process_vm_mechanism = {
	.name = "process_vm",
	.types = 1U << IPC_PROCESS_VM,
	.type_info = {
		{ IPC_PROCESS_VM, "process_vm", "#ad494a" },	/* brick */
	},
	.syscalls = process_vm_syscalls,
	.nsyscalls = G_N_ELEMENTS(process_vm_syscalls),
	.default_name = process_vm_default_name,
	.dev_key = process_vm_dev_key,
	.event_names = {
		[PVM_EV_FDS_PASSED] = "fds_passed",
	},
};
