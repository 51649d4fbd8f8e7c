/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ground floor: what every layer of user/ may use, and which uses
 * nothing of user/ itself. Clocks and the one way to tell the user something
 * went wrong.
 */
#ifndef IPCTRACE_COMMON_H
#define IPCTRACE_COMMON_H

/* CLOCK_MONOTONIC in seconds: intervals, deadlines, rescans. */
double now_s(void);

/* Sleep until a now_s() deadline; a signal ends it early (the caller
 * looks at its flags). */
void sleep_until(double deadline);

/*
 * Every error and warning: one line on stderr, "ipctrace: " first (bpftool's
 * p_err). It stays on stderr with --json too: stdout then carries only JSON
 * records, which a reader parses line by line and must never meet prose in.
 */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
