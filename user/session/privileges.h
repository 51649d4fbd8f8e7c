/* SPDX-License-Identifier: GPL-2.0 */
/* What ipctrace needs to load BPF, and dropping all of it but what it needs after. */
#ifndef IPCTRACE_PRIVILEGES_H
#define IPCTRACE_PRIVILEGES_H

/* CAP_BPF and CAP_PERFMON (5.8+), or CAP_SYS_ADMIN, which implies both.
 * 0, or -1 after saying what is missing. */
int privileges_check(void);

/* Once attached: keep only what reading other processes' /proc needs. */
void privileges_drop(void);

#endif
