/* SPDX-License-Identifier: GPL-2.0 */
/* Signal numbers as names (mechanisms/signal.c): what the DETAIL column and the
 * JSON "sig" labels show. */
#ifndef IPCTRACE_SIGNAL_NAMES_H
#define IPCTRACE_SIGNAL_NAMES_H

#include <stddef.h>

/* "SIGUSR1", "SIGRTMIN+3", "SIGRTMAX-2"; "SIG32" for a number with no name. */
void signal_name(long long sig, char *buf, size_t len);

#endif
