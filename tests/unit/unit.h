/* SPDX-License-Identifier: GPL-2.0 */
/* Unit tests: no root, no BPF. Each file runs one cmocka group. */
#ifndef IPCTRACE_UNIT_H
#define IPCTRACE_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

int run_options_tests(void);
int run_rows_tests(void);
int run_output_tests(void);
int run_procfs_tests(void);
int run_sock_tests(void);
int run_sockdiag_tests(void);
int run_formats_tests(void);
int run_tui_view_tests(void);
int run_signal_tests(void);
int run_sanitize_tests(void);
int run_web_config_tests(void);

/*
 * Each group's cmocka_run_group_tests_name() goes through main.c's filter
 * (unit-tests GROUP PATTERN), which counts the tests it lets run.
 */
int unit_run_group(const char *group, const struct CMUnitTest *tests, size_t n,
		   CMFixtureFunction setup, CMFixtureFunction teardown);
#undef cmocka_run_group_tests_name
#define cmocka_run_group_tests_name(group, tests, setup, teardown) \
	unit_run_group(group, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)

#endif
