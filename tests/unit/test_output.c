// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <json.h>
#include "unit.h"
#include "output/output.h"
#include "output/outfile.h"
#include "common/sanitize.h"
#include "model/holders.h"
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include "model/cgroup.h"
#include "model/holders.h"

/* Binary prefixes for bytes, the unit said; the unit picked after rounding. */
static void test_format_bytes(void **state)
{
	static const struct { double v; const char *s; } cases[] = {
		{ 0, "0B" }, { 999, "999B" }, { 1000, "1000B" }, { 1023, "1023B" },
		{ 1023.4, "1023B" }, { 1023.5, "1.00KiB" }, { 1024, "1.00KiB" },
		{ 1536, "1.50KiB" }, { 10 * 1024, "10.0KiB" }, { 999 * 1024, "999KiB" },
		{ 1023 * 1024, "1023KiB" }, { 1048575, "1.00MiB" }, { 1048576, "1.00MiB" },
		{ 99.97 * 1024, "100KiB" }, { 9.996 * 1024, "10.0KiB" },
		{ 5.5 * 1073741824.0, "5.50GiB" },
	};
	char buf[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		format_bytes(cases[i].v, buf, sizeof(buf));
		if (strcmp(buf, cases[i].s))
			fail_msg("format_bytes(%.1f): got %s, want %s", cases[i].v, buf, cases[i].s);
	}
}

/* SI prefixes for operations, k = 1000: the 2,249.4 ops/s is 2.25k. */
static void test_format_count(void **state)
{
	static const struct { double v; const char *s; } cases[] = {
		{ 0, "0" }, { 7, "7" }, { 999, "999" }, { 999.4, "999" }, { 999.5, "1.00k" },
		{ 1000, "1.00k" }, { 1023, "1.02k" }, { 1024, "1.02k" }, { 2249.4, "2.25k" },
		{ 9994, "9.99k" }, { 9996, "10.0k" }, { 99949, "99.9k" }, { 99950, "100k" },
		{ 999499, "999k" }, { 999500, "1.00M" }, { 999999, "1.00M" }, { 1e6, "1.00M" },
		{ 1234567890, "1.23G" },
	};
	char buf[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		format_count(cases[i].v, buf, sizeof(buf));
		if (strcmp(buf, cases[i].s))
			fail_msg("format_count(%.1f): got %s, want %s", cases[i].v, buf, cases[i].s);
	}
}

/*
 * format_fixed() against printf's "%.*f", which it stands in for in every
 * cell and rate: whole numbers, exact halves and values a hair from them,
 * random bits over every magnitude, past where printf takes over, and
 * negatives (always printf's).
 */
static void test_format_fixed(void **state)
{
	GRand *rand = g_rand_new_with_seed(6);

	(void)state;
	for (int i = 0; i < 300000; i++) {
		int decimals = i % 7;
		double v = i < 100000 ? (i / 7) * 0.005 + ((i / 70000) - 1) * 1e-12
			 : i < 200000 ? g_rand_double_range(rand, 0, 1) * pow(10, i % 15 - 3)
			 : g_rand_double_range(rand, -1000, 1000);
		char got[FIXED_MAX], want[FIXED_MAX];
		size_t n = format_fixed(v, decimals, got);

		snprintf(want, sizeof(want), "%.*f", decimals, v);
		if (strcmp(got, want) || n != strlen(want))
			fail_msg("format_fixed(%.17g, %d): got %s (%zu), want %s", v, decimals, got,
				 n, want);
	}
	g_rand_free(rand);
}

/* A title's role: NAME and its first plain words, never a client, a state or a PID. */
static void test_format_role(void **state)
{
	static const struct {
		const char *comm, *title, *want;
	} cases[] = {
		{ "postgres", "postgres: checkpointer ", "postgres: checkpointer" },
		{ "postgres", "postgres: logical replication launcher ",
		  "postgres: logical replication launcher" },
		{ "postgres", "postgres: bench db1 [local] idle", "postgres: bench db1" },
		{ "postgres", "postgres: bench db1 [local] SELECT", "postgres: bench db1" },
		{ "postgres", "postgres: bench db1 127.0.0.1(41234) idle in transaction",
		  "postgres: bench db1" },
		{ "postgres", "postgres: parallel worker for PID 4321", "postgres: parallel worker for" },
		{ "nginx", "nginx: master process /usr/sbin/nginx -c /etc/nginx.conf",
		  "nginx: master process" },
		{ "nginx", "nginx: worker process", "nginx: worker process" },
		/* A comm cut at 15 bytes still names its title. */
		{ "ipctrace-test: ", "ipctrace-test: alpha worker", "ipctrace-test: alpha worker" },
		/* No plain word after the name: the comm. */
		{ "sshd", "sshd: root@pts/0", "sshd" },
		{ "sshd", "sshd: 12345", "sshd" },
		/* A command line, not a title: arguments are no label. */
		{ "python3", "/usr/bin/python3 serve.py: 8080", "python3" },
		{ "python3", "python3 serve.py --port 8080", "python3" },
		/* A title naming another program. */
		{ "perl", "postgres: checkpointer", "perl" },
		{ "sleep", NULL, "sleep" },
		{ "x", "x: a b c d e", "x: a b c" },
	};
	char buf[ROLE_LABEL_MAX];

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct row r = { .title = (char *)cases[i].title };
		const char *got;

		g_strlcpy(r.comm, cases[i].comm, sizeof(r.comm));
		got = format_role(&r, buf, sizeof(buf));
		if (strcmp(got, cases[i].want))
			fail_msg("format_role(%s, %s): got '%s', want '%s'", cases[i].comm,
				 cases[i].title, got, cases[i].want);
	}
}

/* USER: root by name; a uid without one by number, cut to the cell with a +. */
static void test_format_user(void **state)
{
	struct row r = { .uid = 0 };
	char buf[40];

	(void)state;
	format_user(&r, buf, sizeof(buf), USER_COL_MAX);
	assert_string_equal(buf, "root");
	r.uid = 4000000123u;	/* no such user */
	format_user(&r, buf, sizeof(buf), 0);
	assert_string_equal(buf, "4000000123");
	format_user(&r, buf, sizeof(buf), USER_COL_MAX);
	assert_string_equal(buf, "4000000+");
	format_user(&r, buf, sizeof(buf), 10);
	assert_string_equal(buf, "4000000123");
}

struct fixture {
	struct store *store;
	struct row *tx, *rx;
};

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
	f->rx = store_update(f->store, &rx, 4096, 2, &created);
	strcpy(f->tx->comm, "writer");
	strcpy(f->rx->comm, "reader \"q\"");
	f->rx->exited = true;
	object_set_name(f->tx->obj, "/tmp/a very long directory name/with/a/fifo");
	store_rates(f->store, 1.0);
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

static char *render(struct fixture *f, bool json, bool final, const struct table_style *style)
{
	struct frame fr = { .now = 0, .interval_s = 1, .elapsed_s = 3, .final = final };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	fr.rows = store_select(f->store, true, SORT_PID, NULL);
	store_totals(f->store, NULL, &fr.totals);
	fr.loss.rows_dropped = 3;
	if (json)
		output_json(out, &fr);
	else
		output_table(out, &fr, style);
	fclose(out);
	g_ptr_array_free(fr.rows, TRUE);
	return buf;
}

static void test_peers_text(void **state)
{
	struct fixture *f = *state;
	char buf[64];

	format_peers(f->tx, buf, sizeof(buf), 0);
	assert_string_equal(buf, "200/reader \"q\"*");
	format_peers(f->rx, buf, sizeof(buf), 0);
	assert_string_equal(buf, "100/writer");
}

static void test_peers_limit(void **state)
{
	struct fixture *f = *state;
	char buf[256];

	for (int pid = 300; pid < 310; pid++) {
		struct peer p = { .pid = pid, .comm = "reader" };

		g_array_append_val(row_own_peers(f->tx), p);
	}
	format_peers(f->tx, buf, sizeof(buf), 40);
	assert_string_equal(buf, "200/reader \"q\"*,300/reader,301/reader,+8");
	assert_true(strlen(buf) <= 40);
	format_peers(f->tx, buf, sizeof(buf), 0);
	assert_int_equal(strlen(buf), strlen("200/reader \"q\"*") + 10 * strlen(",300/reader"));
}

/* PEERS and DETAIL, cut at each buffer length: what fits of the whole text,
 * as snprintf() would cut it (PEERS on a character's edge; DETAIL ending in
 * "..."). */
static void test_cells_cut(void **state)
{
	struct store *s = store_new();
	struct ipc_key k = { .ino = 5, .dev = 20, .tgid = 9, .type = IPC_TCP, .dir = DIR_TX };
	struct peer peers[] = {
		{ .pid = 4194304, .comm = "srv\x1b\xc3\xa9", .exited = true },
		{ .pid = 0, .remote = "10.0.0.5:443" },
		{ .pid = 77, .comm = "a b\\" },
	};
	char whole[512], buf[512];
	bool created;
	struct row *r = store_update(s, &k, 1, 1, &created);
	size_t n;

	(void)state;
	g_array_append_vals(row_own_peers(r), peers, G_N_ELEMENTS(peers));
	store_attr_set(&r->attrs, &r->nattrs, "accepts", 3);
	store_attr_set(&r->attrs, &r->nattrs, "connects", 0);
	store_attr_set(&r->attrs, &r->nattrs, "delta", -1234567890123LL);
	store_attr_set(&r->obj->attrs, &r->obj->nattrs, "size", 4096);

	format_peers(r, whole, sizeof(whole), 0);
	assert_string_equal(whole, "4194304/srv\\x1b\xc3\xa9*,10.0.0.5:443,77/a b\\\\");
	format_peers_words(r, buf, sizeof(buf), 0);
	assert_string_equal(buf, "4194304/srv\\x1b\xc3\xa9*,10.0.0.5:443,77/a\\x20b\\\\");
	n = strlen(whole);
	for (size_t len = 1; len <= n + 1; len++) {
		char want[512];

		format_peers(r, buf, len, 0);
		snprintf(want, len, "%s", whole);
		format_utf8_trim(want);
		if (!want[0])
			strcpy(want, len > 1 ? "-" : "");
		assert_string_equal(buf, want);
	}

	format_detail(r, whole, sizeof(whole));
	assert_string_equal(whole, "accepts=3 delta=-1234567890123 size=4096");
	n = strlen(whole);
	for (size_t len = 1; len <= n + 1; len++) {
		char want[512];

		format_detail(r, buf, len);
		snprintf(want, len, "%s", whole);
		if (len <= n && len > 4)
			strcpy(want + len - 4, "...");
		assert_string_equal(buf, want);
	}
	store_free(s);
}

static void test_json(void **state)
{
	struct fixture *f = *state;
	char *text = render(f, true, true, NULL);
	json_object *o = json_tokener_parse(text), *rows, *row, *v, *peers;

	assert_non_null(o);
	assert_non_null(strchr(text, '\n'));
	assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);	/* one line */
	assert_true(json_object_object_get_ex(o, "final", &v) && json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "lost", &v));
	assert_true(json_object_object_get_ex(v, "rows", &v) && json_object_get_int(v) == 3);
	assert_true(json_object_object_get_ex(o, "rows", &rows));
	assert_int_equal(json_object_array_length(rows), 2);
	row = json_object_array_get_idx(rows, 1);
	assert_true(json_object_object_get_ex(row, "comm", &v));
	assert_string_equal(json_object_get_string(v), "reader \"q\"");
	assert_true(json_object_object_get_ex(row, "type", &v));
	assert_string_equal(json_object_get_string(v), "fifo");
	assert_true(json_object_object_get_ex(row, "dir", &v));
	assert_string_equal(json_object_get_string(v), "rx");
	assert_true(json_object_object_get_ex(row, "object", &v));
	assert_string_equal(json_object_get_string(v), "/tmp/a very long directory name/with/a/fifo");
	assert_true(json_object_object_get_ex(row, "bytes", &v) && json_object_get_int64(v) == 4096);
	assert_true(json_object_object_get_ex(row, "exited", &v) && json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(row, "peers", &peers));
	assert_int_equal(json_object_array_length(peers), 1);
	v = json_object_array_get_idx(peers, 0);
	assert_true(json_object_object_get_ex(v, "pid", &v) && json_object_get_int(v) == 100);
	json_object_put(o);
	free(text);
}

static void test_attrs_are_generic(void **state)
{
	struct fixture *f = *state;
	char *text;
	json_object *o, *rows, *v;

	store_attr_set(&f->tx->attrs, &f->tx->nattrs, "accepts", 7);
	store_attr_set(&f->tx->attrs, &f->tx->nattrs, "quiet", 0);
	store_attr_set(&f->tx->obj->attrs, &f->tx->obj->nattrs, "depth", 3);
	text = render(f, false, false, &(struct table_style){ 0 });
	assert_non_null(strstr(text, "DETAIL"));
	/* Zero counters stay out of the table; the object's state follows. */
	assert_non_null(strstr(text, "accepts=7 depth=3"));
	assert_null(strstr(text, "quiet"));
	free(text);
	text = render(f, true, false, NULL);
	o = json_tokener_parse(text);
	json_object_object_get_ex(o, "rows", &rows);
	assert_true(json_object_object_get_ex(json_object_array_get_idx(rows, 0), "accepts", &v));
	assert_int_equal(json_object_get_int(v), 7);
	assert_true(json_object_object_get_ex(json_object_array_get_idx(rows, 0), "quiet", &v));
	assert_int_equal(json_object_get_int(v), 0);
	/* Object state shows on every row of the object. */
	assert_true(json_object_object_get_ex(json_object_array_get_idx(rows, 1), "depth", &v));
	assert_int_equal(json_object_get_int(v), 3);
	json_object_put(o);
	free(text);
}

static void test_labels(void **state)
{
	struct store *s = store_new();
	struct ipc_key k = { .ino = 5, .dev = 20, .tgid = 9, .type = IPC_MQ, .dir = DIR_RX };
	bool created;
	struct row *r = store_update(s, &k, 300, 3, &created);
	char detail[128];
	struct frame fr = { .final = true };
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	json_object *o, *rows, *row, *v;

	(void)state;
	strcpy(r->comm, "rx");
	object_set_name(r->obj, "/q");
	row_set_label(r, 9, 1, 100);
	row_set_label(r, 0, 1, 100);
	row_set_label(r, 5, 1, 100);
	row_set_label(r, 5, 2, 200);	/* a later read replaces, never adds */
	assert_int_equal(r->labels->len, 3);
	format_detail(r, detail, sizeof(detail));
	assert_string_equal(detail, "prio 0:1,5:2,9:1");

	out = open_memstream(&buf, &len);
	fr.rows = store_select(s, true, SORT_PID, NULL);
	output_json(out, &fr);
	fclose(out);
	o = json_tokener_parse(buf);
	json_object_object_get_ex(o, "rows", &rows);
	row = json_object_array_get_idx(rows, 0);
	assert_true(json_object_object_get_ex(row, "prio", &v));
	assert_string_equal(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
			    "{\"0\":1,\"5\":2,\"9\":1}");
	assert_true(json_object_object_get_ex(row, "prio_min", &v) && json_object_get_int(v) == 0);
	assert_true(json_object_object_get_ex(row, "prio_max", &v) && json_object_get_int(v) == 9);
	json_object_put(o);
	g_ptr_array_free(fr.rows, TRUE);
	free(buf);
	store_free(s);
}

static void test_table_plain(void **state)
{
	struct fixture *f = *state;
	char *text = render(f, false, true, &(struct table_style){ 0 });

	assert_null(strchr(text, '\033'));
	assert_non_null(strstr(text, "ipctrace summary"));
	assert_non_null(strstr(text, "lost: rows 3"));
	assert_non_null(strstr(text, "/tmp/a very long directory name/with/a/fifo"));
	assert_non_null(strstr(text, "reader \"q\"*"));
	assert_non_null(strstr(text, "* process has exited"));
	assert_non_null(strstr(text, "AVG B/s"));
	free(text);
}

/* An object's name is shown as it is only while it needs no escaping: a
 * name replaced by one that does is escaped from the next frame on, and
 * the other way round. */
static void test_table_object_names(void **state)
{
	struct fixture *f = *state;
	const char *names[] = { "/tmp/plain", "/tmp/\033[2Jevil\\x\x7f", "/tmp/plain again",
				"/tmp/\xc3\xa9t\xc3\xa9", "/tmp/\nline" };

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		char *escaped = name_escaped(names[i]), *text;

		if (i % 2)
			object_name_replace(f->tx->obj, names[i]);
		else
			object_set_name(f->tx->obj, names[i]);
		text = render(f, false, false, &(struct table_style){ 0 });
		assert_non_null(strstr(text, escaped));
		assert_null(strchr(text, '\033'));
		assert_null(strchr(text, '\x7f'));
		assert_null(strstr(text, "\nline"));
		g_free(escaped);
		free(text);
	}
}

static void test_table_fits_width(void **state)
{
	struct fixture *f = *state;
	char *text = render(f, false, false, &(struct table_style){ .clear = true, .width = 100 });
	char *line, *save = NULL;

	assert_memory_equal(text, "\033[H\033[2J", 7);
	for (line = strtok_r(text + 7, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > 100)
			fail_msg("line longer than 100: %s", line);
	free(text);
	/* The tail of a long path is what tells objects apart (at 110 columns,
	 * past USER's, OBJECT has room for more than its last name). */
	text = render(f, false, false, &(struct table_style){ .clear = true, .width = 110 });
	assert_non_null(strstr(text, "...") );
	assert_non_null(strstr(text, "a/fifo"));
	free(text);
}

/*
 * A busy machine's header and losses (totals in the thousands of terabytes,
 * every kind of loss counted) fit the terminal: whole fields, whole
 * "name count" pairs of losses, then " ..." when some were cut.
 */
static void test_table_header_fits(void **state)
{
	struct fixture *f = *state;
	static const int widths[] = { 40, 61, 62, 80, 100 };

	for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
		struct frame fr = { .interval_s = 10.25, .elapsed_s = 3 };
		struct table_style style = { .width = widths[w] };
		char *buf = NULL, *line, *save = NULL, *losses, *word;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);

		fr.rows = store_select(f->store, true, SORT_PID, NULL);
		fr.totals = (struct totals){ .bytes = 123456789012345678ULL, .ops = 98765432109ULL,
					     .bytes_per_s = 1.5e15, .ops_per_s = 9.9e12 };
		for (size_t k = 0; k < format_nloss_kinds; k++)
			*(__u64 *)((char *)&fr.loss + format_loss_kinds[k].offset) = 1234567890123ULL + k;
		output_table(out, &fr, &style);
		fclose(out);
		/* The two lines above the table's (whose narrowest is wider than
		 * some of these widths: test_table_fits_width). */
		line = strtok_r(buf, "\n", &save);
		assert_memory_equal(line, "ipctrace ", 9);
		if ((int)strlen(line) > style.width)
			fail_msg("header longer than %d: %s", style.width, line);
		losses = strtok_r(NULL, "\n", &save);
		if ((int)strlen(losses) > style.width)
			fail_msg("losses longer than %d: %s", style.width, losses);
		assert_memory_equal(losses, "lost:", 5);
		/* Each name kept with its whole count, in order. */
		word = losses + 5;
		for (size_t k = 0; *word == ' ' && word[1] != '.'; k++) {
			char want[64];
			int n = snprintf(want, sizeof(want), " %s %llu", format_loss_kinds[k].name,
					 1234567890123ULL + k);

			assert_memory_equal(word, want, (size_t)n);
			word += n;
		}
		assert_string_equal(word, " ...");
		g_ptr_array_free(fr.rows, TRUE);
		free(buf);
	}
}

/* Rows from two cgroups: CGROUP shows where the terminal has room for it. */
static void test_table_cgroup_fits(void **state)
{
	struct fixture *f = *state;
	static const int widths[] = { 100, 140, 0 };

	f->tx->cgroup_id = 1000001;
	f->rx->cgroup_id = 1000002;
	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		struct table_style style = { .width = widths[i] };
		char *text = render(f, false, false, &style), *line, *save = NULL;
		bool shown = strstr(text, "CGROUP");

		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (style.width && (int)strlen(line) > style.width)
				fail_msg("line longer than %d: %s", style.width, line);
		/* Too narrow for it at 100 columns; room at 140 and off a terminal. */
		assert_int_equal(shown, style.width != 100);
		free(text);
	}
}

/* One row of each type, its names holding every byte but NUL, with
 * attributes, labels, histograms, peers and rates of every kind. */
static struct row *text_row(struct store *s, unsigned int type, const char *name)
{
	struct ipc_key k = { .ino = 1ULL << 40 | type, .dev = 0xfffffff0u, .tgid = 4000000 + type,
			     .start = 4294967295u, .type = type, .dir = type % 2 ? DIR_RX : DIR_TX };
	bool created;
	struct row *r = store_update(s, &k, 18446744073709551615ULL, 12345, &created);
	struct peer remote = { .pid = 0, .comm = "remote" };

	g_strlcpy(r->comm, name + type, sizeof(r->comm));
	r->title = type % 3 ? g_ref_string_new(name) : NULL;
	r->uid = type % 2 ? 0 : 4000000123u;
	r->exited = type % 2;
	r->bytes_per_s = type * 1234.56789;
	r->ops_per_s = type % 4 == 1 ? 0.05 : type % 4 == 2 ? 1e17 : type;
	r->wait_ns = type * 999999999ULL;
	r->wait_share = type / 7.0;
	object_set_name(r->obj, type % 2 ? name : NULL);
	for (int i = 0; i < (int)type % 4; i++) {
		struct peer p = { .pid = 100 + i, .start = 7, .exited = i % 2 };

		g_strlcpy(p.comm, name + 40 * i, sizeof(p.comm));
		g_array_append_val(row_own_peers(r), p);
	}
	g_strlcpy(remote.remote, name + 200, sizeof(remote.remote));
	if (type % 5 == 0)
		g_array_append_val(row_own_peers(r), remote);
	store_attr_set(&r->attrs, &r->nattrs, "accepts", -7 * (__s64)type);
	store_attr_set(&r->obj->attrs, &r->obj->nattrs, "depth", INT64_MIN + type);
	row_set_label(r, -5, 3, 30);
	row_set_label(r, type, 1ULL << 63, 10);
	if (type % 2) {
		r->hist = g_new0(struct ipc_hist, 1);
		r->hist->size[3] = 4;
		r->hist->size[HIST_SLOTS - 1] = 4294967295u;
		r->hist->wait_us[0] = 1;
	}
	return r;
}

/* --json's rows, written directly, are json-c's text byte for byte; a key
 * that comes twice is left to json-c, which merges it. */
static void test_json_row_text(void **state)
{
	struct store *s = store_new();
	char name[256], *direct, *jsonc;

	(void)state;
	for (int i = 0; i < 255; i++)
		name[i] = (char)(255 - i);
	name[255] = '\0';
	for (unsigned int type = 0; type < 2 * IPC_TYPE_MAX; type++) {
		/* Every byte, then plain ASCII with quotes and slashes (names
		 * that need no sanitizing, written by a shorter path). */
		if (type == IPC_TYPE_MAX) {
			store_free(s);
			s = store_new();
		}
		struct row *r = text_row(s, type % IPC_TYPE_MAX, type < IPC_TYPE_MAX ? name :
			"a \"quoted\" name/with/slashes and 'more' text, long enough for every peer: "
			"0123456789012345678901234567890123456789012345678901234567890123456789"
			"0123456789012345678901234567890123456789012345678901234567890123456789"
			"0123456789012345678901234567890123456789012345678901234567890123456789");

		assert_true(output_json_row_texts(r, &direct, &jsonc));
		if (strcmp(direct, jsonc))
			fail_msg("row %u:\n%s\n%s", type, direct, jsonc);
		g_free(direct);
		g_free(jsonc);
		store_attr_set(&r->attrs, &r->nattrs, "bytes", 1);
		assert_false(output_json_row_texts(r, &direct, &jsonc));
		g_free(direct);
		g_free(jsonc);
	}
	store_free(s);
}

/*
 * Rates, shares and waits as row_text writes them without printf: the same
 * text as json-c's (printf's "%.*f"), on whole numbers, values an interval
 * of a little more or less than a second makes, exact halves and values a
 * hair from them, up to and past where printf takes over, random bits.
 */
static void test_json_decimals(void **state)
{
	struct store *s = store_new();
	struct ipc_key k = { .ino = 1, .dev = 2, .tgid = 3, .type = IPC_PIPE, .dir = DIR_TX };
	bool created;
	struct row *r = store_update(s, &k, 1, 1, &created);
	GRand *rand = g_rand_new_with_seed(20);

	(void)state;
	strcpy(r->comm, "x");
	for (int i = 0; i < 400000; i++) {
		double base = i < 100000 ? (i % 1000) / (1.0 + (i / 1000 - 50) * 1e-4)
			    : i < 200000 ? (i % 20000) * 0.05 + ((i / 20000) % 3 - 1) * 1e-12
			    : i < 300000 ? g_rand_double_range(rand, 0, 1) * pow(10, i % 17 - 4)
			    : (double)(i % 5000) / 8.0;
		char *direct, *jsonc;

		r->bytes_per_s = base;
		r->ops_per_s = base / 3;
		r->wait_share = base / 1000;
		r->wait_ns = (__u64)(base * 1e6);
		assert_true(output_json_row_texts(r, &direct, &jsonc));
		if (strcmp(direct, jsonc))
			fail_msg("%.17g:\n%s\n%s", base, direct, jsonc);
		g_free(direct);
		g_free(jsonc);
	}
	g_rand_free(rand);
	store_free(s);
}

/* A frame of rows, as one format writes it (0 JSON, 1 NDJSON, else the
 * table that wide, less 2). */
static char *frame_text(struct store *s, int format, bool final)
{
	struct frame fr = { .now = 0, .interval_s = 1, .elapsed_s = 3, .final = final };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	fr.rows = store_select(s, true, SORT_BYTES, NULL);
	store_totals(s, NULL, &fr.totals);
	if (format == 0)
		output_json(out, &fr);
	else if (format == 1)
		output_ndjson(out, &fr, 1);
	else
		output_table(out, &fr, &(struct table_style){ .width = format - 2 });
	fclose(out);
	g_ptr_array_free(fr.rows, TRUE);
	return buf;
}

/* Cgroups for frame_change(): none, the v2 root's (its inode is its id), a
 * gone one's. */
static __u64 frame_cgroups[3] = { 0, 0, 999999 };

/* One of a row's fields that a frame's kept text depends on, changed at random. */
static void frame_change(GRand *rand, struct row *r, char **titles)
{
	static const char *const comms[] = { "sh", "sh", "bash", "\x1b[31mred", "caf\xc3\xa9" };

	switch (g_rand_int_range(rand, 0, 8)) {
	case 0:
		g_strlcpy(r->comm, comms[g_rand_int_range(rand, 0, 5)], sizeof(r->comm));
		break;
	case 1:
		if (r->title)
			g_ref_string_release(r->title);
		r->title = titles[g_rand_int_range(rand, 0, 4)];
		r->title = r->title ? g_ref_string_acquire(r->title) : NULL;
		break;
	case 2:
		r->uid = g_rand_int_range(rand, 0, 2) ? 0 : 4000000123u;
		break;
	case 3:
		r->cgroup_id = frame_cgroups[g_rand_int_range(rand, 0, 3)];
		break;
	case 4:
		r->exited = !r->exited;
		break;
	default:
		r->bytes += g_rand_int_range(rand, 0, 3000);
		r->bytes_per_s = g_rand_int_range(rand, 0, 5) * 1000.0;
		break;
	}
}

/*
 * What a frame keeps from one row to the next (a process's members and
 * cells, the last cgroup's) changes nothing: every format writes the same
 * text as with nothing kept, over random frames whose rows' processes
 * change their names, titles (two strings with the same text too), users,
 * cgroups and state from row to row.
 */
static void test_frame_kept_as_scratch(void **state)
{
	static const int formats[] = { 0, 1, 2, 2 + 100, 2 + 200 };
	struct store *s = store_new();
	GRand *rand = g_rand_new_with_seed(20);
	char *titles[4] = { g_ref_string_new("postgres: a [local] idle"),
			    g_ref_string_new("postgres: a [local] idle"),
			    g_ref_string_new("ipc-bench many-pipes \x01 -n 10000"), NULL };
	GPtrArray *rows = g_ptr_array_new();
	struct stat st;

	(void)state;
	assert_non_null(cgroup2_root());
	assert_int_equal(stat(cgroup2_root(), &st), 0);
	frame_cgroups[1] = st.st_ino;
	for (int i = 0; i < 300; i++) {
		struct ipc_key k = { .ino = 1000 + i / 2, .dev = 13, .tgid = 100 + i % 7,
				     .start = 5, .type = IPC_PIPE, .dir = i % 2 };
		bool created;
		struct row *r = store_update(s, &k, 10, 1, &created);

		strcpy(r->comm, "sh");
		g_ptr_array_add(rows, r);
	}
	store_compute_peers(s);
	for (int step = 0; step < 200; step++) {
		for (int n = g_rand_int_range(rand, 1, 40); n > 0; n--)
			frame_change(rand, g_ptr_array_index(rows, g_rand_int_range(rand, 0, 300)),
				     titles);
		for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
			char *kept, *scratch;

			kept = frame_text(s, formats[i], step % 50 == 49);
			output_cache_off = true;
			scratch = frame_text(s, formats[i], step % 50 == 49);
			output_cache_off = false;
			if (strcmp(kept, scratch))
				fail_msg("step %d, format %d:\n%s\n%s", step, formats[i], kept, scratch);
			free(kept);
			free(scratch);
		}
	}
	for (int i = 0; i < 3; i++)
		g_ref_string_release(titles[i]);
	g_ptr_array_free(rows, TRUE);
	g_rand_free(rand);
	store_free(s);
}

/* A sink into the null device, by path or as standard output, is known
 * for one: its frames are not made. A file, or a pipe, is not. */
static void test_outsink_discards(void **state)
{
	char path[] = "/tmp/ipctrace-unit.XXXXXX", err[256];
	struct outsink k;
	int fd = mkstemp(path), saved = dup(STDOUT_FILENO), p[2];

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	close(fd);
	assert_int_equal(outsink_open(&k, "/dev/null", false, err, sizeof(err)), 0);
	assert_true(outsink_discards(&k));
	outsink_close(&k);
	assert_int_equal(outsink_open(&k, path, false, err, sizeof(err)), 0);
	assert_false(outsink_discards(&k));
	outsink_close(&k);
	fflush(stdout);
	fd = open("/dev/null", O_WRONLY);
	assert_true(fd >= 0);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	assert_int_equal(outsink_open(&k, NULL, true, err, sizeof(err)), 0);
	assert_true(outsink_discards(&k));
	assert_int_equal(pipe(p), 0);
	dup2(p[1], STDOUT_FILENO);
	assert_false(outsink_discards(&k));
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(p[0]);
	close(p[1]);
	unlink(path);
}

int run_output_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_bytes),
		cmocka_unit_test(test_outsink_discards),
		cmocka_unit_test(test_format_count),
		cmocka_unit_test(test_format_fixed),
		cmocka_unit_test(test_format_user),
		cmocka_unit_test_setup_teardown(test_peers_text, make_rows, free_rows),
		cmocka_unit_test_setup_teardown(test_peers_limit, make_rows, free_rows),
		cmocka_unit_test(test_cells_cut),
		cmocka_unit_test_setup_teardown(test_json, make_rows, free_rows),
		cmocka_unit_test_setup_teardown(test_attrs_are_generic, make_rows, free_rows),
		cmocka_unit_test_setup_teardown(test_table_plain, make_rows, free_rows),
		cmocka_unit_test_setup_teardown(test_table_object_names, make_rows, free_rows),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_json_row_text),
		cmocka_unit_test(test_json_decimals),
		cmocka_unit_test(test_format_role),
		cmocka_unit_test_setup_teardown(test_table_fits_width, make_rows, free_rows),
		cmocka_unit_test_setup_teardown(test_table_header_fits, make_rows, free_rows),
		cmocka_unit_test_setup_teardown(test_table_cgroup_fits, make_rows, free_rows),
		cmocka_unit_test(test_frame_kept_as_scratch),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
