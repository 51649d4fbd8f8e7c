// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "unit.h"
#include "options.h"
#include "mechanism.h"

static int parse(struct config *cfg, int argc, const char **argv)
{
	return parse_options(argc, (char **)argv, cfg, ARGP_NO_EXIT | ARGP_NO_HELP);
}

static void test_defaults(void **state)
{
	struct config cfg;
	const char *argv[] = { "ipctrace" };

	(void)state;
	assert_int_equal(parse(&cfg, 1, argv), 0);
	assert_int_equal(cfg.npids, 0);
	assert_true(cfg.interval_s == 1.0);
	assert_true(cfg.duration_s == 0);
	assert_int_equal(cfg.sort, SORT_BYTES);
	assert_int_equal(cfg.type_mask, implemented_types());
	assert_false(cfg.json);
}

static void test_all_options(void **state)
{
	struct config cfg;
	const char *argv[] = { "ipctrace", "-p", "12", "--pid=34", "-t", "fifo", "-i", "0.5",
			       "-d", "30", "-r", "7", "-s", "total", "--no-clear", "--json",
			       "-v", "--demo" };

	(void)state;
	assert_int_equal(parse(&cfg, 18, argv), 0);
	assert_int_equal(cfg.npids, 2);
	assert_int_equal(cfg.pids[0], 12);
	assert_int_equal(cfg.pids[1], 34);
	assert_int_equal(cfg.type_mask, 1U << IPC_FIFO);
	assert_true(cfg.interval_s == 0.5);
	assert_true(cfg.duration_s == 30);
	assert_int_equal(cfg.rows, 7);
	assert_int_equal(cfg.sort, SORT_TOTAL);
	assert_true(cfg.no_clear && cfg.json && cfg.verbose && cfg.demo);
}

static void test_events_and_command(void **state)
{
	struct config cfg;
	const char *hex[] = { "ipctrace", "-x" };
	const char *bytes[] = { "ipctrace", "--hex-bytes", "200" };
	const char *cmd[] = { "ipctrace", "-t", "pipe", "--", "make", "-j", "4" };
	const char *empty_cmd[] = { "ipctrace", "--" };
	const char *follow_alone[] = { "ipctrace", "-f" };
	const char *follow[] = { "ipctrace", "-f", "-p", "1" };
	const char *explain_alone[] = { "ipctrace", "--explain" };
	const char *cmd_and_pid[] = { "ipctrace", "-p", "1", "--", "ls" };
	const char *cmd_and_demo[] = { "ipctrace", "--demo", "--", "ls" };

	(void)state;
	assert_int_equal(parse(&cfg, 2, hex), 0);
	assert_true(cfg.events);
	assert_int_equal(cfg.hex_cap, 64);
	assert_int_equal(parse(&cfg, 3, bytes), 0);
	assert_true(cfg.events);
	assert_int_equal(cfg.hex_cap, 200);
	/* Everything after "--" is the command's, its options too. */
	assert_int_equal(parse(&cfg, 7, cmd), 0);
	assert_int_equal(cfg.type_mask, 1U << IPC_PIPE);
	assert_string_equal(cfg.command[0], "make");
	assert_string_equal(cfg.command[1], "-j");
	assert_string_equal(cfg.command[2], "4");
	assert_int_not_equal(parse(&cfg, 2, empty_cmd), 0);
	assert_string_equal(cfg.error, "'--' needs a command after it: ipctrace -- COMMAND [ARGS]");
	assert_int_not_equal(parse(&cfg, 2, follow_alone), 0);
	assert_string_equal(cfg.error, "-f follows the children of -p targets: add -p PID");
	assert_int_equal(parse(&cfg, 4, follow), 0);
	assert_true(cfg.follow);
	assert_int_not_equal(parse(&cfg, 2, explain_alone), 0);
	assert_int_not_equal(parse(&cfg, 5, cmd_and_pid), 0);
	assert_string_equal(cfg.error, "a command after -- is the target: leave out -p");
	assert_int_not_equal(parse(&cfg, 4, cmd_and_demo), 0);
}

static void test_bad_values(void **state)
{
	static const char *const cases[][3] = {
		{ "-p", "0", "invalid PID '0'" },
		{ "-p", "-3", "invalid PID '-3'" },
		{ "-p", "12abc", "invalid PID '12abc'" },
		{ "-p", "4194305", "invalid PID '4194305'" },
		{ "-i", "0.01", "invalid interval '0.01'" },
		{ "-i", "nan", "invalid interval 'nan'" },
		{ "-d", "-1", "invalid duration '-1'" },
		{ "-r", "0", "invalid row count '0'" },
		{ "-s", "name", "invalid sort key 'name'" },
		{ "--hex-bytes", "0", "invalid hexdump size '0'" },
		{ "--hex-bytes", "1025", "invalid hexdump size '1025'" },
		{ "--hex-bytes", "8k", "invalid hexdump size '8k'" },
		{ "-t", "pipe,bogus", "unknown type 'bogus'" },
		{ "-t", "pipes", "unknown type 'pipes'" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config cfg;
		const char *argv[] = { "ipctrace", cases[i][0], cases[i][1] };

		assert_int_not_equal(parse(&cfg, 3, argv), 0);
		if (strncmp(cfg.error, cases[i][2], strlen(cases[i][2])) != 0)
			fail_msg("%s %s: got \"%s\"", cases[i][0], cases[i][1], cfg.error);
	}
}

static void test_unknown_option_and_argument(void **state)
{
	struct config cfg;
	const char *unknown[] = { "ipctrace", "--bogus" };
	const char *extra[] = { "ipctrace", "stray" };

	(void)state;
	assert_int_not_equal(parse(&cfg, 2, unknown), 0);
	assert_string_equal(cfg.error,
			    "unknown option or missing value: '--bogus' (see ipctrace --help)");
	assert_int_not_equal(parse(&cfg, 2, extra), 0);
	assert_string_equal(cfg.error, "unexpected argument 'stray' (see ipctrace --help)");
}

static void test_too_many_pids(void **state)
{
	struct config cfg;
	const char *argv[2 * MAX_TARGET_PIDS + 3];
	int argc = 0;

	(void)state;
	argv[argc++] = "ipctrace";
	for (int i = 0; i <= MAX_TARGET_PIDS; i++) {
		argv[argc++] = "-p";
		argv[argc++] = "1";
	}
	assert_int_not_equal(parse(&cfg, argc, argv), 0);
	assert_string_equal(cfg.error, "too many -p options: at most 64");
}

static void test_types(void **state)
{
	unsigned int mask = 0;
	char err[128];

	(void)state;
	assert_int_equal(parse_types("all", &mask, err, sizeof(err)), 0);
	assert_int_equal(mask, implemented_types());
	assert_int_equal(parse_types("fifo,pipe", &mask, err, sizeof(err)), 0);
	assert_int_equal(mask, 1U << IPC_PIPE | 1U << IPC_FIFO);
	assert_string_equal(ipc_type_name(IPC_FIFO), "fifo");
	assert_int_equal(ipc_type_from_name("pipe"), IPC_PIPE);
	assert_int_equal(ipc_type_from_name("nope"), -1);
	assert_string_equal(implemented_type_list(),
			    "pipe,fifo,mq,msg,shm,posix_shm,mmap,unix,tcp,udp,sem");
	assert_int_equal(parse_types("mq,msg", &mask, err, sizeof(err)), 0);
	assert_int_equal(mask, 1U << IPC_MQ | 1U << IPC_MSG);
}

static void test_kernel_dev(void **state)
{
	(void)state;
	/* include/linux/kdev_t.h: MKDEV(ma, mi) = ma << 20 | mi */
	assert_int_equal(kernel_dev(makedev(8, 1)), 8U << 20 | 1);
	assert_int_equal(kernel_dev(makedev(259, 300000)), 259U << 20 | 300000);
}

int run_options_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_events_and_command),
		cmocka_unit_test(test_unknown_option_and_argument),
		cmocka_unit_test(test_too_many_pids),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_kernel_dev),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
