// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/sysmacros.h>
#include "unit.h"
#include "cli/options.h"
#include "model/mechanism.h"

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
	assert_int_equal(cfg.type_mask, mechanism_types());
	assert_false(cfg.json);
	assert_false(cfg.csv || cfg.listen);
	assert_null(cfg.graph_path);
	assert_null(cfg.prom_path);
	assert_int_equal(cfg.prom_rows, PROM_ROWS_DEFAULT);
	assert_false(cfg.no_tui);
}

static void test_all_options(void **state)
{
	struct config cfg;
	const char *argv[] = { "ipctrace", "-p", "12", "--pid=34", "-t", "fifo", "-i", "0.5",
			       "-d", "30", "-r", "7", "-s", "total", "--no-clear", "--json",
			       "-v", "--demo", "--no-tui" };

	(void)state;
	assert_int_equal(parse(&cfg, 19, argv), 0);
	assert_int_equal(cfg.npids, 2);
	assert_int_equal(cfg.pids[0], 12);
	assert_int_equal(cfg.pids[1], 34);
	assert_int_equal(cfg.type_mask, 1U << IPC_FIFO);
	assert_true(cfg.interval_s == 0.5);
	assert_true(cfg.duration_s == 30);
	assert_int_equal(cfg.rows, 7);
	assert_int_equal(cfg.sort, SORT_TOTAL);
	assert_true(cfg.no_clear && cfg.json && cfg.verbose && cfg.demo && cfg.no_tui);
}

/* -r all, --ndjson, --no-color and -w: what each sets. */
static void test_output_options(void **state)
{
	struct config cfg;
	const char *all[] = { "ipctrace", "-r", "all", "--ndjson", "--no-color" };
	const char *capture[] = { "ipctrace", "-w", "cap.pcapng" };
	const char *empty[] = { "ipctrace", "-w", "" };

	(void)state;
	assert_int_equal(parse(&cfg, 5, all), 0);
	assert_int_equal(cfg.rows, ROWS_ALL);
	assert_true(cfg.ndjson && cfg.json && cfg.no_color);
	assert_int_equal(parse(&cfg, 3, capture), 0);
	assert_string_equal(cfg.capture_path, "cap.pcapng");
	/* -w writes what -x captures: the event log and its data. */
	assert_true(cfg.events && cfg.hex_cap > 0);
	assert_int_not_equal(parse(&cfg, 3, empty), 0);
	assert_non_null(strstr(cfg.error, "empty file name for -w"));
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
	assert_string_equal(cfg.error, "-f follows the children of -p targets: add -p PID (or -c NAME, -u USER)");
	assert_int_equal(parse(&cfg, 4, follow), 0);
	assert_true(cfg.follow);
	assert_int_not_equal(parse(&cfg, 2, explain_alone), 0);
	assert_int_not_equal(parse(&cfg, 5, cmd_and_pid), 0);
	assert_string_equal(cfg.error, "a command after -- is the target: leave out -p, -c and -u");
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
		{ "--graph", "", "empty file name for --graph" },
		{ "-o", "", "empty file name for -o" },
		{ "--prom-file", "", "empty file name for --prom-file" },
		{ "--web-config", "", "empty file name for --web-config" },
		{ "--web-config", "web.yml", "--web-config sets up the server of --listen: add "
					     "--listen ADDR:PORT" },
		{ "--prom-rows", "0", "invalid --prom-rows count '0'" },
		{ "--prom-rows", "ten", "invalid --prom-rows count 'ten'" },
		{ "--prom-rows", "1000001", "invalid --prom-rows count '1000001'" },
		{ "--listen", "", "invalid --listen address ''" },
		{ "--listen", ":", "invalid --listen address ':'" },
		{ "--listen", "0", "invalid --listen port in '0'" },
		{ "--listen", ":65536", "invalid --listen port in ':65536'" },
		{ "--listen", "-1", "invalid --listen address '-1'" },
		{ "--listen", "9432x", "invalid --listen address '9432x'" },
		{ "--listen", "host:9432", "invalid --listen address 'host:9432'" },
		{ "--listen", "300.1.2.3:80", "invalid --listen address '300.1.2.3:80'" },
		{ "--listen", "::1:80", "invalid --listen address '::1:80'" },
		{ "--listen", "[::1]", "invalid --listen address '[::1]'" },
		{ "--listen", "[::1:80", "invalid --listen address '[::1:80'" },
		{ "--listen", "[127.0.0.1]:80", "invalid --listen address '[127.0.0.1]:80'" },
		{ "--listen", "[]:80", "invalid --listen address '[]:80'" },
		{ "--drop-self-test", "12", "invalid --drop-self-test '12': expected PID:FILE" },
		{ "--drop-self-test", ":/etc/x", "invalid --drop-self-test ':/etc/x'" },
		{ "--drop-self-test", "12:", "invalid --drop-self-test '12:'" },
		{ "--drop-self-test", "0:/etc/x", "invalid PID '0'" },
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

static void test_outputs(void **state)
{
	struct config cfg;
	const char *argv[] = { "ipctrace", "--csv", "--graph", "g.dot", "--prom-file=m.prom",
			       "--prom-rows", "5", "--listen", "9432", "--web-config", "web.yml" };
	const char *both[] = { "ipctrace", "--csv", "--json" };
	const char *events[] = { "ipctrace", "-x", "--csv" };
	const char *file[] = { "ipctrace", "--json", "-o", "out.json" };
	const char *tour_file[] = { "ipctrace", "--demo", "--explain", "--output=t" };
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&cfg.listen_addr;

	(void)state;
	assert_int_equal(parse(&cfg, 11, argv), 0);
	assert_true(cfg.csv);
	assert_string_equal(cfg.graph_path, "g.dot");
	assert_string_equal(cfg.prom_path, "m.prom");
	assert_int_equal(cfg.prom_rows, 5);
	assert_true(cfg.listen);
	/* A port alone is loopback: metrics name processes. */
	assert_int_equal(v4->sin_family, AF_INET);
	assert_int_equal(ntohl(v4->sin_addr.s_addr), INADDR_LOOPBACK);
	assert_int_equal(ntohs(v4->sin_port), 9432);
	assert_string_equal(cfg.listen_text, "127.0.0.1:9432");
	assert_string_equal(cfg.web_config, "web.yml");
	/* Both write to standard output. */
	assert_int_not_equal(parse(&cfg, 3, both), 0);
	assert_string_equal(cfg.error, "--csv and --json both print to standard output: choose one");
	assert_int_equal(parse(&cfg, 4, file), 0);
	assert_string_equal(cfg.output_path, "out.json");
	assert_int_not_equal(parse(&cfg, 4, tour_file), 0);
	assert_string_equal(cfg.error, "the tour is text to read as it runs: leave out -o");
	assert_int_not_equal(parse(&cfg, 3, events), 0);
	assert_string_equal(cfg.error, "--csv prints the table, -e one line per operation: choose one "
				       "(-e --json for events a program reads)");
}

static void test_listen_forms(void **state)
{
	static const struct { const char *arg, *text; int family; } cases[] = {
		{ "9432", "127.0.0.1:9432", AF_INET },
		{ ":9432", "127.0.0.1:9432", AF_INET },
		{ "localhost:80", "127.0.0.1:80", AF_INET },
		{ "0.0.0.0:9432", "0.0.0.0:9432", AF_INET },
		{ "192.0.2.7:65535", "192.0.2.7:65535", AF_INET },
		{ "[::1]:9432", "[::1]:9432", AF_INET6 },
		{ "[::]:1", "[::]:1", AF_INET6 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sockaddr_storage addr;
		socklen_t len = 0;
		char text[64], err[256];

		if (parse_listen(cases[i].arg, &addr, &len, text, sizeof(text), err, sizeof(err)))
			fail_msg("%s: %s", cases[i].arg, err);
		assert_string_equal(text, cases[i].text);
		assert_int_equal(addr.ss_family, cases[i].family);
		assert_int_equal(len, cases[i].family == AF_INET ? sizeof(struct sockaddr_in)
								 : sizeof(struct sockaddr_in6));
	}
}

static void test_unknown_option_and_argument(void **state)
{
	struct config cfg;
	const char *unknown[] = { "ipctrace", "--bogus" };
	const char *extra[] = { "ipctrace", "1", "2", "stray" };
	const char *with_value[] = { "ipctrace", "--no-tui=yes" };
	const char *misspelt[] = { "ipctrace", "--no-tu1" };

	(void)state;
	/* A switch takes no value, and a near miss is not taken for it. */
	assert_int_not_equal(parse(&cfg, 2, with_value), 0);
	assert_string_equal(cfg.error,
			    "unknown option or missing value: '--no-tui=yes' (see ipctrace --help)");
	assert_int_not_equal(parse(&cfg, 2, misspelt), 0);
	assert_string_equal(cfg.error,
			    "unknown option or missing value: '--no-tu1' (see ipctrace --help)");
	assert_int_not_equal(parse(&cfg, 2, unknown), 0);
	assert_string_equal(cfg.error,
			    "unknown option or missing value: '--bogus' (see ipctrace --help)");
	assert_int_not_equal(parse(&cfg, 4, extra), 0);
	assert_string_equal(cfg.error, "unexpected argument 'stray': expected [interval [count]] "
				       "(see ipctrace --help)");
}

/* [interval [count]] as vmstat takes them; -i and --count say the same. */
static void test_interval_count(void **state)
{
	struct config cfg;
	const char *both[] = { "ipctrace", "2.5", "3", "--json" };
	const char *interval[] = { "ipctrace", "-t", "pipe", "5" };
	const char *options[] = { "ipctrace", "-i", "0.5", "--count", "7" };
	const char *command[] = { "ipctrace", "1", "--", "ls", "2" };
	static const char *const bad[][4] = {
		{ "0", NULL, "invalid interval '0': expected seconds from 0.1 to 86400" },
		{ "x1", NULL, "invalid interval 'x1': expected seconds from 0.1 to 86400" },
		{ "1", "0", "invalid count '0': expected a number from 1 to 1000000" },
		{ "1", "2.5", "invalid count '2.5': expected a number from 1 to 1000000" },
		{ "--count", "-1", "invalid count '-1': expected a number from 1 to 1000000" },
	};

	(void)state;
	assert_int_equal(parse(&cfg, 4, both), 0);
	assert_true(cfg.interval_s == 2.5 && cfg.interval_set && cfg.json);
	assert_int_equal(cfg.count, 3);
	assert_int_equal(parse(&cfg, 4, interval), 0);
	assert_true(cfg.interval_s == 5 && cfg.interval_set);
	assert_int_equal(cfg.count, 0);
	assert_int_equal(parse(&cfg, 5, options), 0);
	assert_true(cfg.interval_s == 0.5);
	assert_int_equal(cfg.count, 7);
	/* The command's arguments are its own, numbers too. */
	assert_int_equal(parse(&cfg, 5, command), 0);
	assert_true(cfg.interval_s == 1);
	assert_int_equal(cfg.count, 0);
	assert_string_equal(cfg.command[1], "2");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[] = { "ipctrace", bad[i][0], bad[i][1] };

		assert_int_not_equal(parse(&cfg, bad[i][1] ? 3 : 2, argv), 0);
		assert_string_equal(cfg.error, bad[i][2]);
	}
}

/* What was typed is quoted; a newline or an escape in it is shown escaped. */
static void test_error_one_line(void **state)
{
	struct config cfg;
	const char *argv[] = { "ipctrace", "-p", "1\n2\033[2J" };

	(void)state;
	assert_int_not_equal(parse(&cfg, 3, argv), 0);
	assert_null(strchr(cfg.error, '\n'));
	assert_null(strchr(cfg.error, '\033'));
	assert_non_null(strstr(cfg.error, "'1\\n2\\x1b[2J'"));
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
	assert_string_equal(cfg.error, "too many PIDs for -p: at most 64");
}

/* -p "$(pidof nginx)", -p 1,2, one a line from pgrep, and -p again. */
static void test_pid_lists(void **state)
{
	struct config cfg;
	const char *lists[] = { "ipctrace", "-p", "11,12", "-p", "13 14", "-p", "15\n16\n",
				"-p", " 17 ,, 18 " };
	const char *empty[] = { "ipctrace", "-p", " , " };
	const char *bad[] = { "ipctrace", "-p", "21,x22" };
	const char *zero[] = { "ipctrace", "-p", "21 0" };

	(void)state;
	assert_int_equal(parse(&cfg, G_N_ELEMENTS(lists), lists), 0);
	assert_int_equal(cfg.npids, 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(cfg.pids[i], 11 + i);
	assert_int_not_equal(parse(&cfg, G_N_ELEMENTS(empty), empty), 0);
	assert_string_equal(cfg.error, "empty PID list ' , ' for -p: expected e.g. -p 1234,5678");
	assert_int_not_equal(parse(&cfg, G_N_ELEMENTS(bad), bad), 0);
	assert_string_equal(cfg.error, "invalid PID 'x22' in -p '21,x22': expected process IDs "
				       "between 1 and 4194304, separated by commas or spaces");
	assert_int_not_equal(parse(&cfg, G_N_ELEMENTS(zero), zero), 0);
	assert_non_null(strstr(cfg.error, "invalid PID '0'"));
}

static void test_comm_and_user(void **state)
{
	struct config cfg;
	const char *both[] = { "ipctrace", "-c", "post*", "-u", "root", "-f" };
	const char *numeric[] = { "ipctrace", "--user=4242", "--comm", "nginx" };
	const char *with_command[] = { "ipctrace", "-u", "0", "--", "true" };
	char err[256];
	const char *comm;
	uid_t uid;

	(void)state;
	assert_int_equal(parse(&cfg, G_N_ELEMENTS(both), both), 0);
	assert_string_equal(cfg.comm, "post*");
	assert_true(cfg.by_uid);
	assert_int_equal(cfg.uid, 0);
	assert_true(cfg.follow);
	assert_int_equal(parse(&cfg, G_N_ELEMENTS(numeric), numeric), 0);
	assert_int_equal(cfg.uid, 4242);
	assert_string_equal(cfg.comm, "nginx");
	assert_int_not_equal(parse(&cfg, G_N_ELEMENTS(with_command), with_command), 0);
	assert_string_equal(cfg.error, "a command after -- is the target: leave out -p, -c and -u");
	/* 15 bytes is the kernel's longest name; a glob may be longer. */
	assert_int_equal(parse_comm("fifteen-bytes-x", &comm, err, sizeof(err)), 0);
	assert_int_not_equal(parse_comm("sixteen-bytes-xx", &comm, err, sizeof(err)), 0);
	assert_int_equal(parse_comm("sixteen-bytes-x*", &comm, err, sizeof(err)), 0);
	assert_int_not_equal(parse_comm("", &comm, err, sizeof(err)), 0);
	assert_int_not_equal(parse_user("no-such-user-here", &uid, err, sizeof(err)), 0);
	assert_string_equal(err, "no user 'no-such-user-here' for -u: expected a user name "
				 "(getent passwd) or a numeric UID");
	assert_int_not_equal(parse_user("", &uid, err, sizeof(err)), 0);
	assert_int_not_equal(parse_user("-1", &uid, err, sizeof(err)), 0);
}

/* The hidden self-test of the privilege drop: a PID, and a file that may hold a colon. */
static void test_drop_self_test(void **state)
{
	struct config cfg;
	const char *argv[] = { "ipctrace", "--drop-self-test", "4321:/tmp/a:b" };

	(void)state;
	assert_int_equal(parse(&cfg, G_N_ELEMENTS(argv), argv), 0);
	assert_int_equal(cfg.drop_test_pid, 4321);
	assert_string_equal(cfg.drop_test_path, "/tmp/a:b");
}

static void test_types(void **state)
{
	unsigned int mask = 0;
	char err[128];

	(void)state;
	assert_int_equal(mechanism_parse_types("all", &mask, err, sizeof(err)), 0);
	assert_int_equal(mask, mechanism_types());
	assert_int_equal(mechanism_parse_types("fifo,pipe", &mask, err, sizeof(err)), 0);
	assert_int_equal(mask, 1U << IPC_PIPE | 1U << IPC_FIFO);
	assert_string_equal(ipc_type_name(IPC_FIFO), "fifo");
	assert_int_equal(ipc_type_from_name("pipe"), IPC_PIPE);
	assert_int_equal(ipc_type_from_name("nope"), -1);
	assert_string_equal(mechanism_type_list(),
			    "pipe,fifo,mq,msg,shm,posix_shm,mmap,unix,tcp,udp,sem,signal,eventfd,pty,process_vm,netlink");
	assert_int_equal(mechanism_parse_types("mq,msg", &mask, err, sizeof(err)), 0);
	assert_int_equal(mask, 1U << IPC_MQ | 1U << IPC_MSG);
	assert_int_equal(mechanism_parse_types("signal,eventfd", &mask, err, sizeof(err)), 0);
	assert_int_equal(mask, 1U << IPC_SIGNAL | 1U << IPC_EVENTFD);
	assert_int_equal(mechanism_parse_types("signals", &mask, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown type 'signals'"));
}

static void test_kernel_dev(void **state)
{
	(void)state;
	/* include/linux/kdev_t.h: MKDEV(ma, mi) = ma << 20 | mi */
	assert_int_equal(mechanism_kernel_dev(makedev(8, 1)), 8U << 20 | 1);
	assert_int_equal(mechanism_kernel_dev(makedev(259, 300000)), 259U << 20 | 300000);
}

int run_options_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_events_and_command),
		cmocka_unit_test(test_outputs),
		cmocka_unit_test(test_listen_forms),
		cmocka_unit_test(test_unknown_option_and_argument),
		cmocka_unit_test(test_error_one_line),
		cmocka_unit_test(test_interval_count),
		cmocka_unit_test(test_too_many_pids),
		cmocka_unit_test(test_pid_lists),
		cmocka_unit_test(test_comm_and_user),
		cmocka_unit_test(test_drop_self_test),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_output_options),
		cmocka_unit_test(test_kernel_dev),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
