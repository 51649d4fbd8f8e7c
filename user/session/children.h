/* SPDX-License-Identifier: GPL-2.0 */
/* The processes ipctrace starts: a command after --, the demo, the tour's demos. */
#ifndef IPCTRACE_CHILDREN_H
#define IPCTRACE_CHILDREN_H

#include <stdbool.h>
#include <sys/types.h>

/* The demo program sits next to ipctrace, or is on PATH once installed.
 * Returns a path to g_free, or NULL. */
char *child_find_demo(void);

/* Whether argv0 names a program that can be run (a path, or on PATH). */
bool child_command_exists(const char *argv0);

/*
 * -- COMMAND, and the demos: started stopped, so that it becomes a target
 * before its first syscall; SIGCONT lets it go once ipctrace has attached.
 * With out_fd >= 0, that is its stdout. unprivileged (a demo): as uid 65534
 * with no capability. Started before ipctrace drops its privileges, so that
 * it does not inherit the seccomp filter. 0 on failure.
 */
pid_t child_start_stopped(char **argv, int out_fd, bool unprivileged);

/* --demo: every demo at once for duration_s, its chatter to /dev/null,
 * started stopped and unprivileged as above. 0 on failure. */
pid_t child_start_demo(const char *path, double duration_s);

/* A command's end as an exit status, as a shell gives it. */
int child_exit_status(int status);

#endif
