/* SPDX-License-Identifier: GPL-2.0 */
/* SIGINT and SIGTERM end the run; SIGCHLD says a child (command, demo) ended. */
#ifndef IPCTRACE_SIGNALS_H
#define IPCTRACE_SIGNALS_H

#include <signal.h>

extern volatile sig_atomic_t signals_exiting;
extern volatile sig_atomic_t signals_child_exited;

/* First of all: a Ctrl-C during the load must still end in a clean exit.
 * SIGPIPE is ignored: a closed output pipe (ipctrace | head) is an ordinary
 * way to stop, seen as a write error. */
void signals_install(void);

#endif
