// SPDX-License-Identifier: GPL-2.0
/*
 * The unit tests' entry point.
 *
 *   unit-tests                     every group
 *   unit-tests GROUP [PATTERN]     one group (all: every group), and of it
 *                                  only the tests whose name has PATTERN in
 *                                  it, or matches it as a glob (* ? [...])
 *   unit-tests --list [GROUP]      the groups, or one group's tests
 *
 * A filter that matches no test is an error (exit 2), not a pass: a typo
 * must not look like a green run.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include "unit.h"

static const struct {
	const char *name;
	int (*run)(void);
} groups[] = {
	{ "options", run_options_tests },
	{ "rows", run_rows_tests },
	{ "output", run_output_tests },
	{ "procfs", run_procfs_tests },
	{ "sock", run_sock_tests },
	{ "sockdiag", run_sockdiag_tests },
	{ "formats", run_formats_tests },
	{ "tui_view", run_tui_view_tests },
	{ "signal", run_signal_tests },
	{ "sanitize", run_sanitize_tests },
	{ "web_config", run_web_config_tests },
};
#define NGROUPS G_N_ELEMENTS(groups)

static const char *pattern;	/* NULL: every test */
static int listing;		/* print the names, run nothing */
static size_t matched;		/* tests that passed the filter, all groups */

static int name_matches(const char *name)
{
	if (!pattern)
		return 1;
	if (strpbrk(pattern, "*?["))
		return fnmatch(pattern, name, 0) == 0;
	return strstr(name, pattern) != NULL;
}

/*
 * Every group runs through here (unit.h points cmocka_run_group_tests_name
 * at it), so that the filter can count what it let through; cmocka's own
 * cmocka_set_test_filter says nothing when it matches nothing.
 */
int unit_run_group(const char *group, const struct CMUnitTest *tests, size_t n,
		   CMFixtureFunction setup, CMFixtureFunction teardown)
{
	struct CMUnitTest chosen[n ? n : 1];
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (!name_matches(tests[i].name))
			continue;
		if (listing)
			printf("%s %s\n", group, tests[i].name);
		chosen[k++] = tests[i];
	}
	matched += k;
	if (listing || k == 0)
		return 0;
	return _cmocka_run_group_tests(group, chosen, k, setup, teardown);
}

static int usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: unit-tests [GROUP [PATTERN]] | --list [GROUP]\n"
		   "GROUP: all");
	for (i = 0; i < NGROUPS; i++)
		fprintf(f, ", %s", groups[i].name);
	fprintf(f, "\nPATTERN: part of a test's name, or a glob (* ? [...])\n");
	return f == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	const char *group = NULL;
	int failed = 0, found = 0;
	size_t i;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return usage(stdout);
	if (argc > 1 && !strcmp(argv[1], "--list")) {
		if (argc == 2) {
			for (i = 0; i < NGROUPS; i++)
				printf("%s\n", groups[i].name);
			return 0;
		}
		listing = 1;
		argv++;
		argc--;
	}
	if (argc > 3 || (argc > 1 && argv[1][0] == '-'))
		return usage(stderr);
	if (argc > 1 && strcmp(argv[1], "all"))
		group = argv[1];
	if (argc > 2)
		pattern = argv[2];

	for (i = 0; i < NGROUPS; i++) {
		if (group && strcmp(group, groups[i].name))
			continue;
		found = 1;
		failed += groups[i].run();
	}
	if (!found) {
		fprintf(stderr, "unit-tests: no group %s\n", group);
		return usage(stderr);
	}
	if (matched == 0) {
		fprintf(stderr, "unit-tests: no test in %s matches %s\n",
			group ? group : "any group", pattern);
		return 2;
	}
	return failed ? 1 : 0;
}
