// SPDX-License-Identifier: GPL-2.0
#include "session/signals.h"

volatile sig_atomic_t signals_exiting;
volatile sig_atomic_t signals_child_exited;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		signals_child_exited = 1;
	else
		signals_exiting = 1;
}

void signals_install(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}
