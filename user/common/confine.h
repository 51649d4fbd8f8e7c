/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Giving up privileges for good, shared by the tracer's drop (session/) and
 * the output writer's (output/): the capabilities kept, and a seccomp filter
 * against what those capabilities would still allow beyond reading.
 */
#ifndef IPCTRACE_CONFINE_H
#define IPCTRACE_CONFINE_H

#include <sys/capability.h>

/*
 * Keep the capabilities of keep that this process has, in the effective and
 * permitted sets, and no other in any set: the bounding set (where
 * CAP_SETPCAP allows), inheritable and ambient. Capabilities belong to each
 * thread: only the calling one changes, so call it single-threaded (threads
 * made after inherit). 0, or -1 with errno set.
 */
int confine_caps(const cap_value_t *keep, int n);

/*
 * no_new_privs, then a seccomp filter in every thread: each system call that
 * reaches into another process's memory or descriptors (ptrace,
 * process_vm_readv/writev, pidfd_getfd, kcmp, /proc-less file handles...)
 * fails with EPERM, whatever capability is kept. 0, or -1 with errno set.
 */
int confine_syscalls(void);

#endif
