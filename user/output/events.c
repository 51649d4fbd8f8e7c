// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <json.h>
#include "output/events.h"
#include "model/mechanism.h"
#include "output/output.h"
#include "output/pcapng.h"
#include "common/sanitize.h"

static void waiting_free(gpointer p);

void event_log_init(struct event_log *log, FILE *out, bool json)
{
	struct timespec real, mono;

	memset(log, 0, sizeof(*log));
	log->out = out;
	log->json = json;
	log->pending = g_ptr_array_new_with_free_func(g_free);
	log->waiting = g_ptr_array_new_with_free_func(waiting_free);
	/* Events carry CLOCK_MONOTONIC (bpf_ktime_get_ns); lines say wall time. */
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	log->monotonic_to_real = (double)(real.tv_sec - mono.tv_sec) +
				 (double)(real.tv_nsec - mono.tv_nsec) / 1e9;
}

void event_log_free(struct event_log *log)
{
	if (log->pending)
		g_ptr_array_free(log->pending, TRUE);
	if (log->waiting)
		g_ptr_array_free(log->waiting, TRUE);
	log->pending = log->waiting = NULL;
}

int event_log_add(void *ctx, void *data, size_t size)
{
	struct event_log *log = ctx;
	const struct ipc_event *e = data;

	/* A record shorter than it says would be a kernel/user mismatch: skip it. */
	if (size < sizeof(*e) || size < sizeof(*e) + e->payload_len)
		return 0;
	g_ptr_array_add(log->pending, g_memdup2(data, size));
	return 0;
}

void event_log_hexdump(FILE *out, const __u8 *data, size_t n, unsigned long long total,
	     const char *indent)
{
	for (size_t off = 0; off < n; off += 16) {
		size_t line = n - off < 16 ? n - off : 16;

		fprintf(out, "%s%04zx ", indent, off);
		for (size_t i = 0; i < 16; i++) {
			if (i == 8)
				fputc(' ', out);
			if (i < line)
				fprintf(out, " %02x", data[off + i]);
			else
				fputs("   ", out);
		}
		fputs("  |", out);
		for (size_t i = 0; i < line; i++)
			fputc(isprint(data[off + i]) ? data[off + i] : '.', out);
		fputs("|\n", out);
	}
	if (total > n)
		fprintf(out, "%s... %llu more bytes\n", indent, total - n);
}

static void format_time(const struct event_log *log, __u64 ts_ns, char *buf, size_t len,
			bool iso)
{
	double t = (double)ts_ns / 1e9 + log->monotonic_to_real;
	time_t secs = (time_t)t;
	/* Bounded for the compiler too: it checks the snprintf below fits. */
	int usec = (int)((long)((t - (double)secs) * 1e6) % 1000000);
	char base[32];
	struct tm tm;

	if (iso) {
		gmtime_r(&secs, &tm);
		strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(buf, len, "%.19s.%06dZ", base, usec);	/* YYYY-MM-DDTHH:MM:SS */
	} else {
		localtime_r(&secs, &tm);
		strftime(base, sizeof(base), "%H:%M:%S", &tm);
		snprintf(buf, len, "%.8s.%06d", base, usec);	/* HH:MM:SS */
	}
}

/* What happened: the label (as the table names it: SIGUSR2, not 12), then
 * the event: an outcome as key=value, a count as name+N. */
static void format_what(const struct ipc_event *e, char *buf, size_t len)
{
	const char *label = mechanism_label_name(e->key.type);
	const char *key = mechanism_event_key(e->key.type);
	size_t off = 0;

	buf[0] = '\0';
	if (e->label != NO_LABEL) {
		char text[32];

		mechanism_format_label(e->key.type, e->label, text, sizeof(text));
		off = (size_t)snprintf(buf, len, "%s=%s ", label ? label : "label", text);
	}
	if (off < len && e->event != NO_EVENT_SLOT) {
		const char *name = mechanism_event_name(e->key.type, e->event);

		if (key)
			snprintf(buf + off, len - off, "%s=%s", key, name ? name : "event");
		else
			snprintf(buf + off, len - off, "%s+%llu", name ? name : "event",
				 (unsigned long long)e->bytes);
	} else if (off && off <= len) {
		buf[off - 1] = '\0';	/* the label alone: no trailing space */
	}
}

/* JSON: bytes moved, an operation's outcome, or an event and its count. */
static void json_what(json_object *o, const struct ipc_event *e)
{
	const char *name = mechanism_event_name(e->key.type, e->event);
	const char *key = mechanism_event_key(e->key.type);

	if (e->event == NO_EVENT_SLOT) {
		json_object_object_add(o, "bytes", output_json_u64(e->bytes));
	} else if (key) {
		json_object_object_add(o, key, json_object_new_string(name ? name : "event"));
	} else {
		json_object_object_add(o, "event", json_object_new_string(name ? name : "event"));
		json_object_object_add(o, "count", output_json_u64(e->bytes));
	}
}

/*
 * One line, one word per field, so that awk's $1..$9 are always the time,
 * PID, COMM, TYPE, DIR, BYTES, OBJECT, arrow and PEERS, and key=value
 * details follow: names have their spaces escaped ("\x20").
 */
static void print_text(struct event_log *log, const struct ipc_event *e, const struct row *r)
{
	char when[32], what[64], peers[256], bytes[24], comm[4 * COMM_LEN + 1];
	const char *name = r->obj && r->obj->name ? r->obj->name : "?";
	gsize olen = 4 * strlen(name) + 8;
	char *object = g_malloc(olen);

	name_escape_word_buf(object, olen, name);
	format_time(log, e->ts_ns, when, sizeof(when), false);
	format_what(e, what, sizeof(what));
	format_peers_words(r, peers, sizeof(peers), 60);
	if (e->event == NO_EVENT_SLOT)
		snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)e->bytes);
	else
		strcpy(bytes, "-");
	/* The arrow points the way the data went: to the peers, or from them. */
	fprintf(log->out, "%s %7u %-16s %-9s %-3s %8s %s %s %s%s%s\n", when, e->key.tgid,
		name_escape_word_buf(comm, sizeof(comm), r->comm), ipc_type_name(e->key.type),
		e->key.dir == DIR_TX ? "tx" : "rx", bytes, object,
		e->key.dir == DIR_TX ? "->" : "<-", peers, what[0] ? "  " : "", what);
	g_free(object);
	if (e->payload_len)
		event_log_hexdump(log->out, e->payload, e->payload_len, e->bytes, "    ");
}

static void print_json(struct event_log *log, const struct ipc_event *e, const struct row *r)
{
	json_object *o = output_json_row_identity(r);
	char when[40];

	format_time(log, e->ts_ns, when, sizeof(when), true);
	json_object_object_add(o, "time", json_object_new_string(when));
	json_object_object_add(o, "tid", json_object_new_int((int)e->tid));
	json_what(o, e);
	if (e->label != NO_LABEL && mechanism_label_name(e->key.type)) {
		const char *label = mechanism_label_name(e->key.type);

		json_object_object_add(o, label, json_object_new_int64(e->label));
		/* A named label (a signal) keeps its number, and gets its name. */
		if (mechanism_labels_named(e->key.type)) {
			char key[32], text[32];

			snprintf(key, sizeof(key), "%s_name", label);
			mechanism_format_label(e->key.type, e->label, text, sizeof(text));
			json_object_object_add(o, key, json_object_new_string(text));
		}
	}
	json_object_object_add(o, "peers", output_json_row_peers(r));
	if (e->payload_len) {
		GString *hex = g_string_sized_new((gsize)e->payload_len * 2);

		for (__u32 i = 0; i < e->payload_len; i++)
			g_string_append_printf(hex, "%02x", e->payload[i]);
		json_object_object_add(o, "data_hex", json_object_new_string(hex->str));
		g_string_free(hex, TRUE);
	}
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), log->out);
	fputc('\n', log->out);
	json_object_put(o);
}

/* -w: the transfer's data as a packet, whose comment says what the -e line
 * says, one key=value word each. */
static void capture_packet(struct event_log *log, const struct ipc_event *e, const struct row *r)
{
	const char *name = r->obj && r->obj->name ? r->obj->name : "?";
	gsize olen = 4 * strlen(name) + 8;
	char *object = g_malloc(olen), *comment;
	char peers[256], comm[4 * COMM_LEN + 1];
	double t = (double)e->ts_ns / 1e9 + log->monotonic_to_real;

	name_escape_word_buf(object, olen, name);
	format_peers_words(r, peers, sizeof(peers), 200);
	comment = g_strdup_printf("pid=%u comm=%s dir=%s object=%s peers=%s", e->key.tgid,
				  name_escape_word_buf(comm, sizeof(comm), r->comm),
				  e->key.dir == DIR_TX ? "tx" : "rx", object, peers);
	if (pcapng_packet(log->capture, e->key.type, (__u64)(t * 1e6), e->payload,
			  e->payload_len, e->bytes, comment) && !log->capture_failed) {
		fprintf(stderr, "ipctrace: writing the -w file failed: %s\n", strerror(errno));
		log->capture_failed = true;
	}
	g_free(comment);
	g_free(object);
}

void event_log_header(const struct event_log *log)
{
	if (log->json)
		return;
	fprintf(log->out, "%-15s %7s %-16s %-9s %-3s %8s %s\n", "TIME", "PID", "COMM", "TYPE",
		"DIR", "BYTES", "OBJECT ->/<- PEERS  DETAIL");
}

/*
 * An event whose row is on an object that is not a channel yet: a shared
 * segment or file whose writer has not been seen (a reader that attached
 * first, the writer's attach read one interval later). Kept for a few
 * prints, then shown if the writer came, dropped as a read-only mapping's.
 */
#define EVENT_WAIT_PRINTS 8

struct waiting_event {
	unsigned int prints;
	struct ipc_event *e;	/* owned */
};

static void waiting_free(gpointer p)
{
	struct waiting_event *w = p;

	if (!w)
		return;	/* moved on to the next list */
	g_free(w->e);
	g_free(w);
}

static void print_event(struct event_log *log, const struct ipc_event *e, const struct row *r)
{
	if (log->json)
		print_json(log, e, r);
	else
		print_text(log, e, r);
	if (log->capture && e->payload_len)
		capture_packet(log, e, r);
	log->printed++;
}

/* Shown, dropped, or still waiting (returns true: keep it). */
static bool offer_event(struct event_log *log, struct store *s, const struct filter *f,
			const struct ipc_event *e, unsigned int prints)
{
	const struct row *r = store_find_row(s, &e->key);

	/* A row read since is always there; without one, the filter cannot
	 * tell whose it is, and the kernel counted it only as a candidate. */
	if (!r)
		return false;
	if (store_row_selected(r, f)) {
		print_event(log, e, r);
		return false;
	}
	return !object_is_channel(r->obj) && prints < EVENT_WAIT_PRINTS;
}

void event_log_print(struct event_log *log, struct store *s, const struct filter *f)
{
	GPtrArray *still = g_ptr_array_new_with_free_func(waiting_free);

	/* The older first, in their order. */
	for (guint i = 0; i < log->waiting->len; i++) {
		struct waiting_event *w = g_ptr_array_index(log->waiting, i);

		if (offer_event(log, s, f, w->e, ++w->prints)) {
			g_ptr_array_add(still, w);
			log->waiting->pdata[i] = NULL;
		}
	}
	for (guint i = 0; i < log->pending->len; i++) {
		struct ipc_event *e = g_ptr_array_index(log->pending, i);
		struct waiting_event *w;

		if (!offer_event(log, s, f, e, 0))
			continue;
		w = g_new(struct waiting_event, 1);
		w->prints = 0;
		w->e = g_ptr_array_steal_index(log->pending, i--);
		g_ptr_array_add(still, w);
	}
	g_ptr_array_set_size(log->pending, 0);
	g_ptr_array_free(log->waiting, TRUE);
	log->waiting = still;
	fflush(log->out);
}
