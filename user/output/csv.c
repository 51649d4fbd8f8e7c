// SPDX-License-Identifier: GPL-2.0
/*
 * CSV by hand rather than through libcsv (Debian's libcsv-dev): its writer
 * quotes every field, numbers too, and quoting is the only part of CSV a
 * writer has to get right; the rule is four characters long.
 */
#include <string.h>
#include "output/csv.h"
#include "model/mechanism.h"
#include "model/users.h"
#include "common/sanitize.h"

/* DETAIL, led by what the key's dev holds when it is not a device (dev is
 * then 0:0): "ipc_ns=4026531839 ...". */
static void format_csv_detail(const struct row *r, char *buf, size_t len)
{
	const char *key = mechanism_dev_key(r->key.type);
	int n = key ? snprintf(buf, len, "%s=%u", key, r->key.dev) : -1;

	if (n <= 0 || (size_t)n + 1 >= len) {
		format_detail(r, buf, len);
		return;
	}
	format_detail(r, buf + n + 1, len - (size_t)n - 1);
	if (buf[n + 1])
		buf[n] = ' ';	/* else the key alone, still terminated at n */
}

static const char *const columns[] = {
	"time", "elapsed_s", "interval_s", "final", "pid", "comm", "exited", "type", "object",
	"dev", "ino", "dir", "peers", "bytes_per_s", "ops_per_s", "bytes", "ops", "wait_s",
	"wait_share", "lost", "detail", "cgroup", "uid", "user", "title",
};

#define NCOLUMNS G_N_ELEMENTS(columns)

/* A number, which a spreadsheet may read as one: a minus sign is its own. */
static bool is_number(const char *s)
{
	char *end;

	if (!*s)
		return false;
	(void)strtod(s, &end);
	return *end == '\0';
}

/*
 * Fields hold names already made safe (comm, object and cgroup through
 * common/sanitize.h, peers through format_peers()): escaping again would
 * double their backslashes. What is left to CSV is quoting, and the formula
 * guard a spreadsheet needs: a text field starting with =, +, -, @ is shown,
 * not evaluated, behind a '.
 */
void output_csv_field(FILE *out, const char *text)
{
	size_t n = strlen(text);
	/* RFC 4180: a field holding a comma, a quote or a line break is quoted.
	 * Edge spaces too: some readers trim them otherwise. */
	bool quote = strpbrk(text, ",\"\r\n") || (n && (text[0] == ' ' || text[n - 1] == ' '));

	if (name_needs_formula_guard(text) && !is_number(text))
		fputc('\'', out);
	if (!quote) {
		fputs(text, out);
	} else {
		fputc('"', out);
		for (const char *p = text; *p; p++) {
			if (*p == '"')
				fputc('"', out);
			fputc(*p, out);
		}
		fputc('"', out);
	}
}

/* RFC 4180 ends records with CRLF; a quoted field may hold a bare LF. */
static void end_record(FILE *out)
{
	fputs("\r\n", out);
}

struct record {
	const char *cells[NCOLUMNS];
};

static void write_record(FILE *out, const struct record *rec)
{
	for (size_t i = 0; i < NCOLUMNS; i++) {
		if (i)
			fputc(',', out);
		output_csv_field(out, rec->cells[i] ? rec->cells[i] : "");
	}
	end_record(out);
}

enum {
	C_TIME, C_ELAPSED, C_INTERVAL, C_FINAL, C_PID, C_COMM, C_EXITED, C_TYPE, C_OBJECT,
	C_DEV, C_INO, C_DIR, C_PEERS, C_BYTES_PER_S, C_OPS_PER_S, C_BYTES, C_OPS, C_WAIT_S,
	C_WAIT_SHARE, C_LOST, C_DETAIL, C_CGROUP, C_UID, C_USER, C_TITLE,
};

_Static_assert(C_TITLE + 1 == NCOLUMNS, "one name per column");

void output_csv(FILE *out, const struct frame *f, bool header)
{
	char time_text[32], elapsed[32], interval[32], lost[24];
	unsigned long long lost_total = 0;
	struct record rec = {};
	guint n = f->rows->len;
	struct tm tm;

	if (header) {
		for (size_t i = 0; i < NCOLUMNS; i++)
			rec.cells[i] = columns[i];
		write_record(out, &rec);
	}
	gmtime_r(&f->now, &tm);
	strftime(time_text, sizeof(time_text), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(elapsed, sizeof(elapsed), "%.1f", f->elapsed_s);
	snprintf(interval, sizeof(interval), "%.1f", f->interval_s);
	for (size_t i = 0; i < format_nloss_kinds; i++)
		lost_total += format_loss_count(&f->loss, &format_loss_kinds[i]);
	snprintf(lost, sizeof(lost), "%llu", lost_total);

	memset(&rec, 0, sizeof(rec));
	rec.cells[C_TIME] = time_text;
	rec.cells[C_ELAPSED] = elapsed;
	rec.cells[C_INTERVAL] = interval;
	rec.cells[C_FINAL] = f->final ? "true" : "false";
	rec.cells[C_LOST] = lost;
	if (f->max_rows > 0 && n > (guint)f->max_rows)
		n = (guint)f->max_rows;
	for (guint i = 0; i < n; i++) {
		const struct row *r = g_ptr_array_index(f->rows, i);
		char pid[16], dev[32], ino[24], rate[32], oprate[32], bytes[24], ops[24];
		char wait_s[32], wait_share[32], uid[16];
		char peers[4096], detail[512];
		char *comm = name_escaped(r->comm), *cgroup = name_escaped(format_row_cgroup(r));
		char *object = name_escaped(r->obj && r->obj->name ? r->obj->name : "");
		char *user = name_escaped(user_name(r->uid));
		char *title = name_escaped(r->title ? r->title : "");

		snprintf(pid, sizeof(pid), "%u", r->key.tgid);
		mechanism_format_dev(r->key.type, r->key.dev, dev, sizeof(dev));
		snprintf(ino, sizeof(ino), "%llu", (unsigned long long)r->key.ino);
		snprintf(rate, sizeof(rate), "%.1f", r->bytes_per_s);
		snprintf(oprate, sizeof(oprate), "%.1f", r->ops_per_s);
		snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)r->bytes);
		snprintf(ops, sizeof(ops), "%llu", (unsigned long long)r->ops);
		/* The precision JSON gives them. */
		snprintf(wait_s, sizeof(wait_s), "%.6f", (double)r->wait_ns / 1e9);
		snprintf(wait_share, sizeof(wait_share), "%.3f", r->wait_share);
		/* Every peer that fits 4 KB, then "+N": a cell is not a screen. */
		format_peers(r, peers, sizeof(peers), (int)sizeof(peers) - 1);
		format_csv_detail(r, detail, sizeof(detail));
		rec.cells[C_PID] = pid;
		rec.cells[C_COMM] = comm;
		rec.cells[C_EXITED] = r->exited ? "true" : "false";
		rec.cells[C_TYPE] = ipc_type_name(r->key.type);
		rec.cells[C_OBJECT] = object;
		rec.cells[C_DEV] = dev;
		rec.cells[C_INO] = ino;
		rec.cells[C_DIR] = r->key.dir == DIR_TX ? "tx" : "rx";
		rec.cells[C_PEERS] = strcmp(peers, "-") ? peers : "";
		rec.cells[C_BYTES_PER_S] = rate;
		rec.cells[C_OPS_PER_S] = oprate;
		rec.cells[C_BYTES] = bytes;
		rec.cells[C_OPS] = ops;
		rec.cells[C_WAIT_S] = wait_s;
		rec.cells[C_WAIT_SHARE] = wait_share;
		rec.cells[C_DETAIL] = detail;
		rec.cells[C_CGROUP] = cgroup;
		snprintf(uid, sizeof(uid), "%u", r->uid);
		rec.cells[C_UID] = uid;
		rec.cells[C_USER] = user;
		rec.cells[C_TITLE] = title;
		write_record(out, &rec);
		g_free(user);
		g_free(title);
		g_free(comm);
		g_free(object);
		g_free(cgroup);
	}
	if (f->final && f->folded.rows) {
		char bytes[24], ops[24], detail[48];

		/* The summary's folded rows have no process or object left: one
		 * record says how many and what they moved. */
		snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)f->folded.bytes);
		snprintf(ops, sizeof(ops), "%llu", (unsigned long long)f->folded.ops);
		snprintf(detail, sizeof(detail), "rows=%llu", (unsigned long long)f->folded.rows);
		memset(rec.cells + C_PID, 0, sizeof(rec.cells) - C_PID * sizeof(rec.cells[0]));
		rec.cells[C_LOST] = lost;
		rec.cells[C_OBJECT] = "(older rows of exited processes and closed objects)";
		rec.cells[C_BYTES] = bytes;
		rec.cells[C_OPS] = ops;
		rec.cells[C_DETAIL] = detail;
		write_record(out, &rec);
	}
	fflush(out);
}
