// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include "common/common.h"
#include "model/mechanism.h"
#include "session/children.h"
#include "session/session.h"
#include "session/signals.h"
#include "session/tour.h"

/* A stop's demo that never ran (the tour ended before it) goes too. */
static void stop_free(gpointer p)
{
	struct tour_stop *stop = p;

	if (stop->pid > 0) {
		kill(stop->pid, SIGKILL);
		waitpid(stop->pid, NULL, 0);
	}
	if (stop->account_fd > 0)
		close(stop->account_fd);
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
			stop->account_fd = -1;
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
	fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(out);
	json_object_put(o);
}

/* Each stop's demo sends this long, unless -d says otherwise; paced, so
 * that the numbers stay small enough to read. */
#define TOUR_STOP_S 2.0
#define TOUR_RATE 50

/* What a file descriptor's file holds, from its start. */
static char *read_all(int fd)
{
	GString *text = g_string_new(NULL);
	char buf[4096];
	ssize_t n;
	off_t off = 0;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		g_string_append_len(text, buf, n);
		off += n;
	}
	return g_string_free(text, FALSE);
}

/* The teacher goes on when the class is ready: Enter for the next stop. */
static bool ask_next(void)
{
	char line[64];

	fputs("Press Enter for the next mechanism, or q and Enter to stop: ", stdout);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return false;	/* end of input, or Ctrl-C */
	return line[0] != 'q' && line[0] != 'Q';
}

/*
 * One stop: its demo started stopped with its stdout into account_fd, ticks
 * while it runs (with -i), the final table at its end. Returns its exit
 * status (0 if ipctrace stopped it), or -1 if it could not start.
 */
static int run_stop(struct session *s, const struct tour_opts *opts, pid_t pid, bool *stopped)
{
	double next;
	int status = 0;

	session_begin_target(s, pid);
	next = now_s() + opts->interval_s;
	kill(pid, SIGCONT);
	while (waitpid(pid, &status, WNOHANG) != pid) {
		if (signals_exiting && !*stopped) {
			kill(pid, SIGTERM);
			*stopped = true;
			continue;
		}
		/* SIGCHLD ends the sleep early; a tenth of a second bounds a
		 * race with it. */
		sleep_until(opts->live ? MIN(next, now_s() + 0.1) : now_s() + 0.1);
		if (opts->live && now_s() >= next) {
			session_tick(s, false);
			next += opts->interval_s;
		}
	}
	session_tick(s, true);
	return status;
}

int tour_prepare(GPtrArray *stops, const char *demo_path, double duration_s, bool json,
		 char *err, size_t errlen)
{
	double stop_s = duration_s > 0 ? duration_s : TOUR_STOP_S;
	char count[32], rate[16];

	/* A count, not a duration: the demos that hand a buffer back and forth
	 * go by count only. */
	snprintf(count, sizeof(count), "%.0f", MAX(1.0, stop_s * TOUR_RATE));
	snprintf(rate, sizeof(rate), "%d", TOUR_RATE);
	for (guint i = 0; i < stops->len; i++) {
		struct tour_stop *stop = g_ptr_array_index(stops, i);
		char *argv[] = { (char *)demo_path, stop->demo, "--count", count,
				 "--rate", rate, json ? "--json" : NULL, NULL };

		/* A file, not a pipe: the demo's report must not be IPC of its own. */
		stop->account_fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);
		if (stop->account_fd < 0) {
			snprintf(err, errlen, "cannot make a temporary file in /tmp: %s",
				 strerror(errno));
			return -1;
		}
		stop->pid = child_start_stopped(argv, stop->account_fd, true);
		if (!stop->pid) {
			snprintf(err, errlen, "cannot start %s: %s", demo_path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int tour_run(struct session *s, GPtrArray *stops, const struct tour_opts *opts)
{
	double stop_s = opts->duration_s > 0 ? opts->duration_s : TOUR_STOP_S;
	char secs[32];
	int ret = 0;

	snprintf(secs, sizeof(secs), "%g", stop_s);
	if (!opts->json)
		printf("ipctrace's guided tour: %u IPC mechanisms, one demo each. Each demo runs "
		       "for about %s s while\nipctrace counts what it does; then comes the table, and "
		       "the demo's own account\nof what it did, to compare with it.\n",
		       stops->len, secs);
	for (guint i = 0; i < stops->len && !signals_exiting && !ret; i++) {
		struct tour_stop *stop = g_ptr_array_index(stops, i);
		bool stopped = false;
		int status;
		char *account;

		if (!opts->json)
			tour_print_intro(stdout, stop, i + 1, stops->len);
		status = run_stop(s, opts, stop->pid, &stopped);
		stop->pid = 0;	/* reaped */
		account = read_all(stop->account_fd);
		close(stop->account_fd);
		stop->account_fd = -1;
		if (opts->json)
			tour_print_json(stdout, stop, i + 1, stops->len, account);
		else
			printf("ipc-demo's own account of what it did, to compare with the table:\n%s",
			       account);
		g_free(account);
		/* Each table shows its own demo only. */
		session_forget_retired(s);
		if (status && !stopped) {
			p_err("demo %s failed (%s %d): its error is above", stop->demo,
			      WIFSIGNALED(status) ? "signal" : "exit status",
			      WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			ret = 1;
		}
		if (opts->pause && i + 1 < stops->len && !signals_exiting && !ret && !ask_next())
			break;
	}
	if (!opts->json && !ret && !signals_exiting)
		printf("\nThat was every mechanism. Run one again with: ipc-demo NAME & "
		       "sudo ipctrace -p $!\n");
	return ret;
}
