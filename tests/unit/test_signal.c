// SPDX-License-Identifier: GPL-2.0
/* The signal and eventfd modules' user-side decoding: signal names, the
 * signal labels and events of a row in DETAIL and JSON, eventfd ids in fdinfo. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <json.h>
#include "unit.h"
#include "model/mechanism.h"
#include "output/output.h"
#include "model/holders.h"
#include "model/procfs.h"
#include "mechanisms/signal_names.h"

static void test_signal_names(void **state)
{
	/* Compared with what bash's kill -l prints on Linux (glibc's SIGRTMIN 34). */
	static const struct { long long sig; const char *name; } cases[] = {
		{ SIGHUP, "SIGHUP" }, { SIGKILL, "SIGKILL" }, { SIGUSR1, "SIGUSR1" },
		{ SIGSEGV, "SIGSEGV" }, { SIGCHLD, "SIGCHLD" }, { SIGSTKFLT, "SIGSTKFLT" },
		{ SIGIO, "SIGIO" }, { SIGSYS, "SIGSYS" },
		{ 34, "SIGRTMIN" }, { 35, "SIGRTMIN+1" }, { 49, "SIGRTMIN+15" },
		{ 50, "SIGRTMAX-14" }, { 63, "SIGRTMAX-1" }, { 64, "SIGRTMAX" },
		/* glibc's own two real-time signals have no name; nor has junk. */
		{ 32, "SIG32" }, { 33, "SIG33" }, { 0, "SIG0" }, { 65, "SIG65" }, { -3, "SIG-3" },
	};
	char buf[32];

	(void)state;
	assert_int_equal(SIGRTMIN, 34);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		signal_name(cases[i].sig, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].name);
	}
	/* Every name is one kill(1) takes: SIG and letters, digits, + or -. */
	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		signal_name(sig, buf, sizeof(buf));
		assert_int_equal(strncmp(buf, "SIG", 3), 0);
		assert_int_equal(strspn(buf, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-"), strlen(buf));
	}
	signal_name(SIGRTMIN + 3, buf, 8);	/* cut, never overrun */
	assert_string_equal(buf, "SIGRTMI");
}

/* A target's rx row: labels by name in DETAIL and JSON, no min or max,
 * events by name, the object named by PID, dev by start time. */
static void test_signal_row(void **state)
{
	struct store *s = store_new();
	struct ipc_key k = { .ino = 4242, .dev = 99, .tgid = 4242, .type = IPC_SIGNAL, .dir = DIR_RX };
	bool created;
	struct row *r = store_update(s, &k, 0, 5, &created);
	char detail[256];
	struct frame fr = { .final = true };
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	json_object *o, *rows, *row, *v;

	(void)state;
	strcpy(r->comm, "victim");
	object_set_name(r->obj, NULL);
	assert_string_equal(r->obj->name, "pid 4242");
	row_set_label(r, SIGTERM, 1, 0);
	row_set_label(r, SIGUSR1, 3, 0);
	row_set_label(r, SIGRTMIN + 2, 1, 0);
	store_attr_set(&r->attrs, &r->nattrs, mechanism_event_name(IPC_SIGNAL, SIG_EV_DELIVERED), 4);
	store_attr_set(&r->attrs, &r->nattrs, mechanism_event_name(IPC_SIGNAL, SIG_EV_IGNORED), 1);
	store_attr_set(&r->attrs, &r->nattrs, mechanism_event_name(IPC_SIGNAL, SIG_EV_KERNEL), 0);
	format_detail(r, detail, sizeof(detail));
	assert_string_equal(detail, "delivered=4 ignored=1 sig SIGUSR1:3,SIGTERM:1,SIGRTMIN+2:1");

	out = open_memstream(&buf, &len);
	fr.rows = store_select(s, true, SORT_PID, NULL);
	output_json(out, &fr);
	fclose(out);
	o = json_tokener_parse(buf);
	json_object_object_get_ex(o, "rows", &rows);
	row = json_object_array_get_idx(rows, 0);
	assert_true(json_object_object_get_ex(row, "sig", &v));
	assert_string_equal(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
			    "{\"SIGUSR1\":3,\"SIGTERM\":1,\"SIGRTMIN+2\":1}");
	assert_false(json_object_object_get_ex(row, "sig_min", &v));
	assert_false(json_object_object_get_ex(row, "sig_max", &v));
	assert_true(json_object_object_get_ex(row, "kernel", &v) && json_object_get_int(v) == 0);
	assert_true(json_object_object_get_ex(row, "type", &v));
	assert_string_equal(json_object_get_string(v), "signal");
	assert_true(json_object_object_get_ex(row, "dev", &v));
	assert_string_equal(json_object_get_string(v), "0:0");
	/* dev is a device, or none: the target's start time has its own key. */
	assert_true(json_object_object_get_ex(row, "target_start", &v) &&
		    json_object_get_int(v) == 99);
	json_object_put(o);
	g_ptr_array_free(fr.rows, TRUE);
	free(buf);
	store_free(s);
}

static void test_fdinfo_field(void **state)
{
	const char *text = "pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1057\n"
			   "eventfd-count:                0\neventfd-id: 17\neventfd-semaphore: 1\n";
	long long v = -1;
	int fd;

	(void)state;
	assert_int_equal(proc_parse_fdinfo_field(text, "eventfd-id", &v), 0);
	assert_int_equal(v, 17);
	assert_int_equal(proc_parse_fdinfo_field(text, "eventfd-semaphore", &v), 0);
	assert_int_equal(v, 1);
	/* A name is matched whole, at the start of a line. */
	assert_int_equal(proc_parse_fdinfo_field(text, "id", &v), -1);
	assert_int_equal(proc_parse_fdinfo_field(text, "eventfd", &v), -1);
	assert_int_equal(proc_parse_fdinfo_field("eventfd-id:\n", "eventfd-id", &v), -1);
	assert_int_equal(proc_parse_fdinfo_field("", "eventfd-id", &v), -1);
	/* This process's own eventfd: the id the module keys it by. */
	fd = eventfd(0, EFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(proc_fdinfo_field(getpid(), fd, "eventfd-id", &v), 0);
	assert_true(v >= 0);
	assert_int_equal(proc_fdinfo_field(getpid(), fd, "no-such-field", &v), -1);
	close(fd);
	assert_int_equal(proc_fdinfo_field(getpid(), fd, "eventfd-id", &v), -1);
}

int run_signal_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_names),
		cmocka_unit_test(test_signal_row),
		cmocka_unit_test(test_fdinfo_field),
	};

	return cmocka_run_group_tests_name("signal", tests, NULL, NULL);
}
