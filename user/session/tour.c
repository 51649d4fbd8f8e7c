// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <json-c/json.h>
#include "model/mechanism.h"
#include "session/tour.h"

static void stop_free(gpointer p)
{
	struct tour_stop *stop = p;

	g_free(stop->demo);
	g_free(stop->text);
	g_free(stop);
}

/* "shm,sem" as -t names types; a name this ipctrace does not know is left out. */
static unsigned int types_of(const char *list)
{
	char **names = g_strsplit(list, ",", -1);
	unsigned int mask = 0;

	for (char **n = names; *n; n++) {
		int t = ipc_type_from_name(*n);

		if (t > 0)
			mask |= 1U << t;
	}
	g_strfreev(names);
	return mask;
}

GPtrArray *tour_load(const char *demo_path, unsigned int type_mask, char *err, size_t errlen)
{
	const char *argv[] = { demo_path, "explain", NULL };
	char *out = NULL, **lines;
	GError *error = NULL;
	gint status = 0;
	GPtrArray *stops;
	struct tour_stop *stop = NULL;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
			  &out, NULL, &status, &error) ||
	    !g_spawn_check_wait_status(status, NULL)) {
		snprintf(err, errlen, "cannot read the tour from %s%s%s: rebuild it with make",
			 demo_path, error ? ": " : "", error ? error->message : "");
		g_clear_error(&error);
		g_free(out);
		return NULL;
	}
	stops = g_ptr_array_new_with_free_func(stop_free);
	lines = g_strsplit(out, "\n", -1);
	g_free(out);
	for (char **l = lines; *l; l++) {
		if (g_str_has_prefix(*l, "== ")) {
			char **head = g_strsplit(*l + 3, " ", 2);

			stop = g_new0(struct tour_stop, 1);
			stop->demo = g_strdup(head[0]);
			stop->type_mask = head[1] ? types_of(head[1]) : 0;
			stop->text = g_strdup("");
			g_strfreev(head);
			/* Only the stops with something -t lets through. */
			if (stop->type_mask & type_mask) {
				g_ptr_array_add(stops, stop);
			} else {
				stop_free(stop);
				stop = NULL;
			}
		} else if (stop && **l) {
			char *text = g_strconcat(stop->text, *l, "\n", NULL);

			g_free(stop->text);
			stop->text = text;
		}
	}
	g_strfreev(lines);
	if (!stops->len) {
		snprintf(err, errlen, "no demo of the tour shows the types asked with -t: "
			 "leave out -t, or see ipc-demo --help");
		g_ptr_array_free(stops, TRUE);
		return NULL;
	}
	return stops;
}

void tour_print_intro(FILE *out, const struct tour_stop *stop, guint index, guint count)
{
	char rule[72];
	int n = snprintf(rule, sizeof(rule), "── %u/%u: ipc-demo %s ", index, count, stop->demo);

	/* "──" is three bytes but one column: pad to a 72-column line. */
	fprintf(out, "\n%s", rule);
	for (int col = n - 4; col < 72; col++)
		fputs("─", out);
	fprintf(out, "\n%s\n", stop->text);
	fflush(out);
}

void tour_print_json(FILE *out, const struct tour_stop *stop, guint index, guint count,
		     const char *account)
{
	json_object *o = json_object_new_object(), *t = json_object_new_object();
	json_object *records = json_object_new_array();
	char **lines = g_strsplit(account ? account : "", "\n", -1);

	for (char **l = lines; *l; l++) {
		json_object *rec = **l ? json_tokener_parse(*l) : NULL;

		if (rec)
			json_object_array_add(records, rec);
	}
	g_strfreev(lines);
	json_object_object_add(t, "stop", json_object_new_int((int)index));
	json_object_object_add(t, "of", json_object_new_int((int)count));
	json_object_object_add(t, "demo", json_object_new_string(stop->demo));
	json_object_object_add(t, "explain", json_object_new_string(stop->text));
	json_object_object_add(t, "demo_records", records);
	json_object_object_add(o, "tour", t);
	fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(out);
	json_object_put(o);
}
