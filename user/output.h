/* SPDX-License-Identifier: GPL-2.0 */
/* Renderers of the row model: the table and JSON. No mechanism is special here. */
#ifndef IPCTRACE_OUTPUT_H
#define IPCTRACE_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <json.h>
#include "rows.h"

struct frame {
	time_t now;
	double interval_s;	/* time this frame covers */
	double elapsed_s;	/* since attach */
	bool final;
	struct totals totals;
	struct ipc_loss loss;
	GPtrArray *rows;	/* struct row *, sorted */
	int max_rows;		/* 0: all */
	struct folded folded;	/* old rows of exited processes, as totals */
};

struct table_style {
	bool clear;		/* home the cursor and clear first (a TTY only) */
	int width;		/* 0: no limit */
};

/* 1536 -> "1.5K". Exact below 1024; binary multiples above. */
void format_bytes(double v, char *buf, size_t len);

/*
 * "1234/cat,99/sh*": pids and names, * for exited; "-" when none. With a
 * limit > 0, peers that would not fit in limit characters become ",+N".
 */
void format_peers(const struct row *r, char *buf, size_t len, int limit);

/* --hist: the values slot counts, [low, high]. */
__u64 hist_low(int slot);
__u64 hist_high(int slot);

/* The WAIT column: "95%", "<1%", "-" for none. */
void format_wait(double share, char *buf, size_t len);

/* The DETAIL column: events, labels and object state, "" when none. */
void format_detail(const struct row *r, char *buf, size_t len);

void output_table(FILE *out, const struct frame *f, const struct table_style *style);

/* JSON pieces the event log shares with the table's rows. */
json_object *json_u64(__u64 v);
/* pid, comm, type, object, dev, ino, dir */
json_object *row_identity_json(const struct row *r);
json_object *row_peers_json(const struct row *r);

/* One line: a JSON object with "rows" (README documents the schema). */
void output_json(FILE *out, const struct frame *f);

#endif
