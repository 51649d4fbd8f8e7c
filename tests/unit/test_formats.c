// SPDX-License-Identifier: GPL-2.0
/* CSV, the graph and Prometheus: quoting and escaping, and what each makes of rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "output/graph.h"
#include "model/holders.h"
#include "output/csv.h"
#include "output/prom.h"
#include "output/gzip.h"

typedef void (*field_writer)(FILE *out, const char *s);

static char *written(field_writer write, const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	write(out, s);
	fclose(out);
	return buf;
}

static void expect_written(field_writer write, const char *in, const char *want)
{
	char *got = written(write, in);

	if (strcmp(got, want) != 0)
		fail_msg("[%s]: got [%s], want [%s]", in, got, want);
	free(got);
}

static void test_csv_quoting(void **state)
{
	(void)state;
	expect_written(output_csv_field, "plain", "plain");
	expect_written(output_csv_field, "", "");
	expect_written(output_csv_field, "/tmp/a,b", "\"/tmp/a,b\"");
	expect_written(output_csv_field, "say \"hi\"", "\"say \"\"hi\"\"\"");
	expect_written(output_csv_field, "two\nlines", "\"two\nlines\"");
	expect_written(output_csv_field, "cr\r", "\"cr\r\"");
	expect_written(output_csv_field, " edge", "\" edge\"");
	expect_written(output_csv_field, "\"", "\"\"\"\"");
	/* A spreadsheet would evaluate these: shown as text behind a '. */
	expect_written(output_csv_field, "=cmd|' /c calc'!A0", "'=cmd|' /c calc'!A0");
	expect_written(output_csv_field, "+x", "'+x");
	expect_written(output_csv_field, "-bash", "'-bash");
	expect_written(output_csv_field, "@SUM(1)", "'@SUM(1)");
	expect_written(output_csv_field, "=a,b", "'\"=a,b\"");
	/* A number keeps its sign. */
	expect_written(output_csv_field, "-1.5", "-1.5");
}

static void test_prom_escaping(void **state)
{
	(void)state;
	expect_written(prom_label_value, "cat", "\"cat\"");
	/* The name is escaped first (common/sanitize.h), its backslashes then
	 * escaped for the exposition format. */
	expect_written(prom_label_value, "C:\\x \"y\"\nz", "\"C:\\\\\\\\x \\\"y\\\"\\\\x0az\"");
	expect_written(prom_label_value, "\xc3", "\"\\\\xc3\"");
	expect_written(prom_label_value, "\x1b[2J", "\"\\\\x1b[2J\"");
}

static void test_dot_escaping(void **state)
{
	(void)state;
	expect_written(graph_dot_escape, "pipe:[12]", "pipe:[12]");
	expect_written(graph_dot_escape, "a\"b\\n", "a\\\"b\\\\\\\\n");
	/* A real newline is shown, not obeyed: the label stays one line. */
	expect_written(graph_dot_escape, "a\nb", "a\\\\x0ab");
	expect_written(graph_dot_escape, "{x|y}<z>", "{x|y}<z>");
}

/* A FIFO with a writer (pid 100) and a reader (pid 200, exited). */
struct fixture {
	struct store *store;
	struct row *tx, *rx;
};

static const char fifo_path[] = "/tmp/x,\"y\"\nz";

static int make_rows(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ipc_key tx = { .ino = 77, .dev = 13, .tgid = 100, .type = IPC_FIFO, .dir = DIR_TX };
	struct ipc_key rx = tx;
	bool created;

	rx.tgid = 200;
	rx.dir = DIR_RX;
	f->store = store_new();
	f->tx = store_update(f->store, &tx, 4096, 4, &created);
	f->tx->wait_ns = 1500000000;
	f->rx = store_update(f->store, &rx, 4000, 2, &created);
	strcpy(f->tx->comm, "writer");
	strcpy(f->rx->comm, "reader, \"q\"");
	f->rx->exited = true;
	object_set_name(f->tx->obj, fifo_path);
	store_rates(f->store, 1.0);
	f->tx->wait_share = 0.25;
	store_compute_peers(f->store);
	*state = f;
	return 0;
}

static int free_rows(void **state)
{
	struct fixture *f = *state;

	store_free(f->store);
	free(f);
	return 0;
}

enum format { CSV_HEADER, CSV_ROWS, GRAPH, PROM };

static char *render(struct fixture *f, enum format format, bool final, int prom_rows)
{
	struct frame fr = { .now = 0, .interval_s = 1, .elapsed_s = 3, .final = final };
	struct prom_style style = { .max_rows = prom_rows, .start_time = 12.5, .wait = true };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	fr.rows = store_select(f->store, true, SORT_PID, NULL);
	store_totals(f->store, NULL, &fr.totals);
	fr.loss.rows_dropped = 3;
	fr.loss.faults_missed = 2;
	if (format == CSV_HEADER || format == CSV_ROWS)
		output_csv(out, &fr, format == CSV_HEADER);
	else if (format == GRAPH)
		output_graph(out, &fr);
	else
		output_prom(out, &fr, &style);
	fclose(out);
	g_ptr_array_free(fr.rows, TRUE);
	return buf;
}

static void test_csv_rows(void **state)
{
	struct fixture *f = *state;
	char *with = render(f, CSV_HEADER, false, 0), *rows = render(f, CSV_ROWS, true, 0);

	static const char header[] = "time,elapsed_s,interval_s,final,pid,comm,exited,type,object,"
				     "dev,ino,dir,peers,bytes_per_s,ops_per_s,bytes,ops,wait_s,"
				     "wait_share,lost,detail,cgroup,uid,user,title\r\n";

	assert_memory_equal(with, header, strlen(header));
	/* Without the header: rows only, and each knows it is the summary. */
	assert_null(strstr(rows, "elapsed_s"));
	assert_non_null(strstr(rows, "1970-01-01T00:00:00Z,3.0,1.0,true,100,writer,false,fifo,"
				     "\"/tmp/x,\"\"y\"\"\\x0az\",0:13,77,tx,\"200/reader, \"\"q\"\"*\","
				     "4096.0,4.0,4096,4,1.500000,0.250,5,,,0,root,\r\n"));
	assert_non_null(strstr(rows, ",true,200,\"reader, \"\"q\"\"\",true,fifo,"));
	/* Two records, each ending in CRLF, however many LFs the names hold. */
	assert_non_null(strstr(rows, "\r\n"));
	assert_null(strstr(strstr(strstr(rows, "\r\n") + 2, "\r\n") + 2, "\r\n"));
	free(with);
	free(rows);
}

static void test_graph(void **state)
{
	struct fixture *f = *state;
	char *dot = render(f, GRAPH, true, 0);

	assert_memory_equal(dot, "digraph ipctrace {\n", 19);
	assert_non_null(strstr(dot, "\tp100 [label=\"writer\\n100\"];\n"));
	assert_non_null(strstr(dot, "\tp200 [label=\"reader, \\\"q\\\"\\n200, exited\", "
				    "style=\"rounded,dashed\""));
	/* One edge, writer to reader. The reader's only peer is the writer, so
	 * what it read is what went along the edge. */
	assert_non_null(strstr(dot, "\tp100 -> p200 [color=\"#17becf\""));
	assert_non_null(strstr(dot, "label=\"/tmp/x,\\\"y\\\"\\\\x0az (fifo)\\n4,000 B in 2 ops\"];"));
	assert_null(strstr(dot, "p200 -> p100"));
	assert_non_null(strstr(dot, "fifo</b>"));
	assert_string_equal(dot + strlen(dot) - 2, "}\n");
	free(dot);
}

static void test_graph_shared_channel(void **state)
{
	struct fixture *f = *state;
	struct ipc_key rx2 = f->rx->key;
	bool created;
	struct row *second;
	char *dot;

	/* A second reader: the writer's 4096 bytes went to both, in unknown
	 * shares, but each reader read from the writer alone. */
	rx2.tgid = 300;
	second = store_update(f->store, &rx2, 96, 2, &created);
	strcpy(second->comm, "reader2");
	store_compute_peers(f->store);
	dot = render(f, GRAPH, true, 0);
	assert_non_null(strstr(dot, "\tp100 -> p200 ["));
	assert_non_null(strstr(dot, "\tp100 -> p300 ["));
	assert_non_null(strstr(dot, "\\n4,000 B in 2 ops\"];"));
	assert_non_null(strstr(dot, "\\n96 B in 2 ops\"];"));
	free(dot);
}

static unsigned int count_lines(const char *text, const char *prefix)
{
	unsigned int n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += strncmp(p, prefix, strlen(prefix)) == 0;
	return n;
}

static void test_prom(void **state)
{
	struct fixture *f = *state;
	char *text = render(f, PROM, false, 10);

	assert_non_null(strstr(text, "# TYPE ipctrace_bytes_total counter\n"));
	assert_non_null(strstr(text, "ipctrace_bytes_total{type=\"fifo\",object=\"/tmp/x,\\\"y\\\"\\\\x0az\","
				     "dir=\"tx\",pid=\"100\",comm=\"writer\"} 4096\n"));
	assert_non_null(strstr(text, "ipctrace_operations_total{type=\"fifo\",object=\"/tmp/x,\\\"y"
				     "\\\"\\\\x0az\",dir=\"rx\",pid=\"200\",comm=\"reader, \\\"q\\\"\"} 2\n"));
	assert_non_null(strstr(text, "ipctrace_wait_seconds_total{type=\"fifo\",object=\"/tmp/x,"
				     "\\\"y\\\"\\\\x0az\",dir=\"tx\",pid=\"100\",comm=\"writer\"} 1.500000000\n"));
	assert_int_equal(count_lines(text, "ipctrace_bytes_total{"), 2);
	assert_int_equal(count_lines(text, "ipctrace_wait_seconds_total{"), 2);
	assert_null(strstr(text, "object=\"(other)\",dir"));
	assert_non_null(strstr(text, "ipctrace_lost_total{map=\"rows\"} 3\n"));
	assert_non_null(strstr(text, "ipctrace_lost_total{map=\"faults\"} 2\n"));
	assert_non_null(strstr(text, "ipctrace_traced_bytes_total 8096\n"));
	assert_non_null(strstr(text, "ipctrace_up 1\n"));
	assert_non_null(strstr(text, "ipctrace_start_time_seconds 12.500\n"));
	assert_non_null(strstr(text, "ipctrace_build_info{version=\"" IPCTRACE_VERSION "\"} 1\n"));
	free(text);
	text = render(f, PROM, true, 10);
	assert_non_null(strstr(text, "ipctrace_up 0\n"));
	free(text);
}

static void test_prom_without_wait(void **state)
{
	struct fixture *f = *state;
	struct frame fr = { .final = false };
	struct prom_style style = { .max_rows = 10 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	/* --no-wait: WAIT is not measured, and a 0 would say it was. */
	fr.rows = store_select(f->store, true, SORT_PID, NULL);
	output_prom(out, &fr, &style);
	fclose(out);
	assert_null(strstr(buf, "ipctrace_wait_seconds_total"));
	assert_non_null(strstr(buf, "ipctrace_operations_total{"));
	g_ptr_array_free(fr.rows, TRUE);
	free(buf);
}

static void test_prom_cap(void **state)
{
	struct fixture *f = *state;
	struct ipc_key again = f->tx->key, small = { .ino = 9, .dev = 15, .tgid = 300,
						      .type = IPC_PIPE, .dir = DIR_TX };
	bool created;
	struct row *r;
	char *text;

	/* The writer again on another open of a file with the same path (a
	 * server's accepted sockets share its name the same way): the labels
	 * are equal, so the two rows are one series, their sum. */
	again.ino = 78;
	r = store_update(f->store, &again, 10, 1, &created);
	strcpy(r->comm, "writer");
	object_set_name(r->obj, fifo_path);
	r = store_update(f->store, &small, 1, 1, &created);
	strcpy(r->comm, "small");
	object_set_name(r->obj, "pipe:[9]");
	store_compute_peers(f->store);

	/* Room for one series: the busiest; the rest add up per type and dir. */
	text = render(f, PROM, false, 1);
	assert_int_equal(count_lines(text, "ipctrace_bytes_total{"), 3);
	assert_non_null(strstr(text, "ipctrace_bytes_total{type=\"fifo\",object=\"/tmp/x,\\\"y\\\"\\\\x0az\","
				     "dir=\"tx\",pid=\"100\",comm=\"writer\"} 4106\n"));
	assert_non_null(strstr(text, "ipctrace_operations_total{type=\"fifo\",object=\"/tmp/x,"
				     "\\\"y\\\"\\\\x0az\",dir=\"tx\",pid=\"100\",comm=\"writer\"} 5\n"));
	assert_non_null(strstr(text, "ipctrace_bytes_total{type=\"fifo\",object=\"(other)\","
				     "dir=\"rx\"} 4000\n"));
	assert_non_null(strstr(text, "ipctrace_bytes_total{type=\"pipe\",object=\"(other)\","
				     "dir=\"tx\"} 1\n"));
	assert_non_null(strstr(text, "ipctrace_operations_total{type=\"fifo\",object=\"(other)\","
				     "dir=\"rx\"} 2\n"));
	assert_non_null(strstr(text, "ipctrace_rows 4\n"));
	assert_non_null(strstr(text, "ipctrace_other_rows 2\n"));
	free(text);
}

/* The aggregated metrics of rows, after prom_sets_add() took them. */
static char *render_sets(struct prom_sets *ps, GPtrArray *rows, bool final)
{
	struct frame fr = { .final = final, .rows = rows };
	struct prom_style style = { .max_rows = 10, .wait = true, .sets = ps };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	prom_sets_add(ps, &fr);
	output_prom(out, &fr, &style);
	fclose(out);
	return buf;
}

#define WRITER_SET "ipctrace_bytes_total{type=\"fifo\",dir=\"tx\",comm=\"writer\"," \
		   "peer_comm=\"reader, \\\"q\\\"\"} "

static void test_prom_sets(void **state)
{
	struct fixture *f = *state;
	struct prom_sets *ps = prom_sets_new(10);
	GPtrArray *rows = store_select(f->store, true, SORT_PID, NULL);
	GPtrArray *none = g_ptr_array_new();
	char *text = render_sets(ps, rows, false);

	/* Labels of few values: no pid, no object. */
	assert_non_null(strstr(text, WRITER_SET "4096\n"));
	assert_non_null(strstr(text, "ipctrace_operations_total{type=\"fifo\",dir=\"rx\","
				     "comm=\"reader, \\\"q\\\"\",peer_comm=\"writer\"} 2\n"));
	assert_null(strstr(text, "pid="));
	assert_null(strstr(text, "object="));
	assert_non_null(strstr(text, "ipctrace_label_sets 2\n"));
	free(text);
	/* The same rows again (the summary shows them once more): nothing added. */
	text = render_sets(ps, rows, true);
	assert_non_null(strstr(text, WRITER_SET "4096\n"));
	free(text);
	/* The row grows: the set grows by as much. */
	f->tx->bytes += 10;
	text = render_sets(ps, rows, false);
	assert_non_null(strstr(text, WRITER_SET "4106\n"));
	free(text);
	/* Its process exited and its row is gone: the set keeps its value. */
	text = render_sets(ps, none, false);
	assert_non_null(strstr(text, WRITER_SET "4106\n"));
	free(text);
	g_ptr_array_free(none, TRUE);
	g_ptr_array_free(rows, TRUE);
	prom_sets_free(ps);
}

static void test_prom_sets_cap(void **state)
{
	struct fixture *f = *state;
	struct prom_sets *ps = prom_sets_new(1);
	GPtrArray *rows = g_ptr_array_new();
	char *text;

	/* Room for one set: the second row's traffic goes to comm="(other)". */
	g_ptr_array_add(rows, f->tx);
	g_ptr_array_add(rows, f->rx);
	text = render_sets(ps, rows, false);
	assert_non_null(strstr(text, WRITER_SET "4096\n"));
	assert_non_null(strstr(text, "ipctrace_bytes_total{type=\"fifo\",dir=\"rx\","
				     "comm=\"(other)\"} 4000\n"));
	assert_non_null(strstr(text, "ipctrace_other_rows_total 1\n"));
	assert_int_equal(count_lines(text, "ipctrace_bytes_total{"), 2);
	free(text);
	/* Counted once per row, however many times it grows. */
	f->rx->bytes += 5;
	text = render_sets(ps, rows, false);
	assert_non_null(strstr(text, "comm=\"(other)\"} 4005\n"));
	assert_non_null(strstr(text, "ipctrace_other_rows_total 1\n"));
	free(text);
	g_ptr_array_free(rows, TRUE);
	prom_sets_free(ps);
}

/* Titles: a set per role, never per connection or state. */
static void test_prom_sets_titles(void **state)
{
	static const char *const titles[] = {
		"postgres: bench db1 [local] idle", "postgres: bench db1 [local] SELECT",
		"postgres: bench db1 127.0.0.1(41234) idle in transaction", "postgres: checkpointer ",
	};
	struct store *s = store_new();
	struct prom_sets *ps = prom_sets_new(10);
	GPtrArray *rows;
	char *text;

	(void)state;
	for (guint i = 0; i < G_N_ELEMENTS(titles); i++) {
		struct ipc_key k = { .ino = 500 + i, .dev = 13, .tgid = 300 + i, .type = IPC_FIFO,
				     .dir = DIR_TX };
		bool created;
		struct row *r = store_update(s, &k, 100 * (i + 1), 1, &created);

		strcpy(r->comm, "postgres");
		r->title = g_ref_string_new(titles[i]);
	}
	rows = store_select(s, true, SORT_PID, NULL);
	text = render_sets(ps, rows, false);
	assert_non_null(strstr(text, "ipctrace_bytes_total{type=\"fifo\",dir=\"tx\","
				     "comm=\"postgres: bench db1\"} 600\n"));
	assert_non_null(strstr(text, "ipctrace_bytes_total{type=\"fifo\",dir=\"tx\","
				     "comm=\"postgres: checkpointer\"} 400\n"));
	assert_int_equal(count_lines(text, "ipctrace_bytes_total{"), 2);
	free(text);
	g_ptr_array_free(rows, TRUE);
	prom_sets_free(ps);
	store_free(s);
}

static void test_gzip_accepted(void **state)
{
	(void)state;
	assert_true(gzip_accepted("gzip"));
	assert_true(gzip_accepted("deflate, GZIP;q=0.5"));
	assert_true(gzip_accepted("*"));
	assert_false(gzip_accepted("gzip;q=0"));
	assert_false(gzip_accepted("identity"));
	assert_false(gzip_accepted("x-gzip2"));
	assert_false(gzip_accepted(""));
	assert_false(gzip_accepted(NULL));
}

int run_formats_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_prom_escaping),
		cmocka_unit_test(test_dot_escaping),
		cmocka_unit_test_setup_teardown(test_csv_rows, make_rows, free_rows),
		cmocka_unit_test_setup_teardown(test_graph, make_rows, free_rows),
		cmocka_unit_test_setup_teardown(test_graph_shared_channel, make_rows, free_rows),
		cmocka_unit_test_setup_teardown(test_prom, make_rows, free_rows),
		cmocka_unit_test_setup_teardown(test_prom_without_wait, make_rows, free_rows),
		cmocka_unit_test_setup_teardown(test_prom_cap, make_rows, free_rows),
		cmocka_unit_test_setup_teardown(test_prom_sets, make_rows, free_rows),
		cmocka_unit_test_setup_teardown(test_prom_sets_cap, make_rows, free_rows),
		cmocka_unit_test(test_prom_sets_titles),
		cmocka_unit_test(test_gzip_accepted),
	};

	return cmocka_run_group_tests_name("formats", tests, NULL, NULL);
}
