/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cross-memory attach: the kernel side of the process_vm module
 * (user/mechanisms/process_vm.c names its objects, tools/demo/process_vm.c
 * exercises it).
 *
 * process_vm_readv() and process_vm_writev() copy between the caller's
 * memory and another process's, with no descriptor and no copy through the
 * kernel's buffers: MPI libraries move messages between ranks this way.
 * pidfd_getfd() takes a copy of another process's descriptor, as SCM_RIGHTS
 * hands one over. All three are seen at sys_exit, where the return value is
 * the byte count (or the new descriptor) and the registers name the target.
 *
 * The object is the target process, as a signal's is (signal.bpf.h): ino its
 * PID, dev its start time, so that a reused PID is another object. The caller
 * has a row on it (tx for a write into it, rx for a read from it) and the
 * target the opposite one, so that -p TARGET shows who reads and writes its
 * memory. The target's start time and name come from its task, looked up by
 * PID with the bpf_task_from_pid() kfunc (6.2+), so only the default build
 * on the tp_btf hooks has them; elsewhere the caller's row alone counts, on
 * the object (PID, start 0).
 */
#ifndef IPCTRACE_PROCESS_VM_BPF_H
#define IPCTRACE_PROCESS_VM_BPF_H

#include "filetype.bpf.h"

#ifndef IPCTRACE_PORTABLE
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
#endif

/*
 * The target process (PID, start) of a PID: the kfunc looks it up in the
 * initial PID namespace, so a PID a caller in another namespace gave
 * (global false) is left as it is, with start 0.
 */
static __always_inline void pvm_target(__u32 pid, bool global, __u32 caller,
				       struct ipc_proc_key *t, const bool btf)
{
	t->tgid = pid;
	t->start = 0;
#ifndef IPCTRACE_PORTABLE
	if (btf && (global || bpf_get_current_task_btf()->thread_pid->level == 0)) {
		struct task_struct *task = bpf_task_from_pid(pid);

		if (!task)
			return;
		t->tgid = task->tgid;
		t->start = task_start(task);
		/* Its own name, not the running process's (register_proc()). */
		if (t->tgid != caller && !bpf_map_lookup_elem(&procs, t))
			register_proc_of(task, t, 0);
		bpf_task_release(task);
	}
#endif
}

/* One call: on the caller's row, and, the target known, on the target's. */
static __always_inline void pvm_count(__u32 pid, bool global, __u32 dir, __u32 slot, long n,
				      __u32 tgid, const bool btf)
{
	struct ipc_proc_key t;

	if (!type_enabled(IPC_PROCESS_VM))
		return;
	pvm_target(pid, global, tgid, &t, btf);

	struct ipc_key key = {
		.ino = t.tgid, .dev = t.start, .tgid = tgid, .start = current_start(),
		.type = IPC_PROCESS_VM, .dir = (__u8)dir,
	};
	count_key(&key, NULL, NULL, HOW(dir, slot, 0), n, NO_LABEL);
	if (!t.start)
		return;
	key.ino = t.tgid;
	key.dev = t.start;
	key.tgid = t.tgid;
	key.start = t.start;
	key.dir = dir == DIR_TX ? DIR_RX : DIR_TX;
	count_key(&key, NULL, NULL, HOW(key.dir, slot, 0), n, NO_LABEL);
}

/* A pidfd's process, by its number in the initial namespace: the struct
 * pid is its pidfs inode's i_private since 6.9, the anonymous file's
 * private_data before. */
static __always_inline __u32 pidfd_pid(int pidfd)
{
	struct file *file = fd_to_file(pidfd);
	struct pid *pid;

	if (!file)
		return 0;
	pid = BPF_CORE_READ(file, f_inode, i_private);
	if (!pid)
		pid = BPF_CORE_READ(file, private_data);
	return pid ? BPF_CORE_READ(pid, numbers[0].nr) : 0;
}

/* A function of its own, as every module's handler (ipctrace.bpf.c): btf
 * is still a constant to the verifier, which never sees the raw_tp copy
 * reach the kfunc. */
static __noinline void pvm_on_syscall(__u8 op, struct pt_regs *regs, long ret, __u32 tgid,
				      const bool btf)
{
	__u32 pid;

	switch (op) {
	case IPCOP_PVM_READ:
	case IPCOP_PVM_WRITE:
		if (ret > 0)
			pvm_count(SYSCALL_ARG(regs, 1, btf), false,
				  op == IPCOP_PVM_WRITE ? DIR_TX : DIR_RX, NO_EVENT, ret, tgid, btf);
		break;
	case IPCOP_PIDFD_GETFD:
		pid = pidfd_pid(SYSCALL_ARG(regs, 1, btf));
		if (pid)
			pvm_count(pid, true, DIR_RX, PVM_EV_FDS_PASSED, 1, tgid, btf);
		break;
	}
}

#endif /* IPCTRACE_PROCESS_VM_BPF_H */
