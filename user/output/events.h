/* SPDX-License-Identifier: GPL-2.0 */
/*
 * -e: the event log. The kernel hands over one struct ipc_event per counted
 * operation through a ring buffer; they are held here until the rows they
 * belong to are read (names, peers), then printed as lines or JSON.
 */
#ifndef IPCTRACE_EVENTS_H
#define IPCTRACE_EVENTS_H

#include <stdbool.h>
#include <stdio.h>
#include <glib.h>
#include <linux/types.h>
#include "ipctrace.h"
#include "model/rows.h"

struct pcapng;

struct event_log {
	FILE *out;
	bool json;
	struct pcapng *capture;	/* -w: each transfer's data there too; NULL: none */
	bool capture_failed;	/* said once */
	GPtrArray *pending;	/* struct ipc_event *, in arrival order */
	GPtrArray *waiting;	/* struct waiting_event *: rows not yet shown, see below */
	double monotonic_to_real;	/* seconds to add to an event's time */
	unsigned long long printed;
};

void event_log_init(struct event_log *log, FILE *out, bool json);
void event_log_free(struct event_log *log);

/* The ring buffer's callback: keep a copy until the next print. */
int event_log_add(void *log, void *data, size_t size);

/*
 * Print what is pending, each with its row's names and peers, and only the
 * events of rows the filter selects (NULL: all). Rows must be up to date.
 */
void event_log_print(struct event_log *log, struct store *s, const struct filter *f);

/* The column titles of the text form (nothing for JSON). */
void event_log_header(const struct event_log *log);

/*
 * Lines of "offset  hex bytes  |ascii|", 16 bytes a line, each line starting
 * with indent; "... N more bytes" when total is larger than what was kept.
 */
void event_log_hexdump(FILE *out, const __u8 *data, size_t n, unsigned long long total,
	     const char *indent);

#endif
