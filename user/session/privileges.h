/* SPDX-License-Identifier: GPL-2.0 */
/* What ipctrace needs to load BPF, and dropping all of it but what it needs after. */
#ifndef IPCTRACE_PRIVILEGES_H
#define IPCTRACE_PRIVILEGES_H

#include <stddef.h>
#include <sys/types.h>

/* CAP_BPF and CAP_PERFMON (5.8+), or CAP_SYS_ADMIN, which implies both.
 * 0, or -1 after saying what is missing. */
int privileges_check(void);

/*
 * Once attached, in a single-threaded process: root becomes uid and gid
 * 65534 with no supplementary group; CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH
 * stay (those of them it has), nothing else, from the bounding set too;
 * no_new_privs; and a seccomp filter refuses, in every thread, the calls that
 * would use those two beyond reading /proc (confine_syscalls()). 0, or -1
 * with the reason in err: then the run must stop.
 */
int privileges_drop(char *err, size_t errlen);

/*
 * A demo's process, forked before the drop: uid and gid 65534, no groups and
 * no capability, but not ipctrace's seccomp filter, which a child would
 * inherit and which refuses what some demos show (process_vm_writev).
 * 0, or -1 with errno.
 */
int privileges_give_up(void);

/*
 * The drop's check, for the tests (a hidden option): apply the drop, print
 * the credentials it left (the lines of /proc/self/status), then try to
 * ptrace pid, to open its /proc/PID/mem, /proc/1/mem and path for writing:
 * one line each on stdout. 0 when all four were refused, 1 when one was
 * allowed, 2 when the drop failed. It loads and attaches nothing.
 */
int privileges_self_test(pid_t pid, const char *path);

#endif
