// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <json.h>
#include "demo.h"

void die(const char *fmt, ...)
{
	va_list ap;

	fputs("ipc-demo: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void name_process(const char *name)
{
	prctl(PR_SET_NAME, name, 0, 0, 0);
}

void record_init(struct demo_record *r, const char *type, int fd, bool tx)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	r->type = type;
	r->tx = tx;
	r->end = -1;
	if (fd >= 0 && fstat(fd, &st) == 0) {
		r->ino = st.st_ino;
		snprintf(r->object, sizeof(r->object), "%s:[%llu]", type, r->ino);
	}
}

void record_event(struct demo_record *r, const char *name, unsigned long long n)
{
	int i;

	for (i = 0; i < r->nevents; i++)
		if (strcmp(r->events[i].name, name) == 0)
			break;
	if (i == r->nevents) {
		if (r->nevents == MAX_DEMO_EVENTS)
			die("more than %d kinds of event", MAX_DEMO_EVENTS);
		r->events[r->nevents++].name = name;
	}
	r->events[i].count += n;
}

void record_peer(struct demo_record *r, unsigned long long ino)
{
	for (int i = 0; i < r->npeers; i++)
		if (r->peer_inos[i] == ino)
			return;
	if (r->npeers == 8)
		die("more than 8 peers");
	r->peer_inos[r->npeers++] = ino;
}

pid_t demo_run;

void record_end(struct demo_record *r, int end)
{
	r->end = end;
}

void record_peer_end(struct demo_record *r, int end)
{
	for (int i = 0; i < r->npeer_ends; i++)
		if (r->peer_ends[i] == end)
			return;
	if (r->npeer_ends == 8)
		die("more than 8 peer ends");
	r->peer_ends[r->npeer_ends++] = end;
}

void record_peer_pid(struct demo_record *r, int pid)
{
	for (int i = 0; i < r->npeer_pids; i++)
		if (r->peer_pids[i] == pid)
			return;
	if (r->npeer_pids == 8)
		die("more than 8 peer processes");
	r->peer_pids[r->npeer_pids++] = pid;
}

void record_label(struct demo_record *r, long long label)
{
	record_label_n(r, label, 1);
}

void record_label_n(struct demo_record *r, long long label, unsigned long long n)
{
	int i;

	for (i = 0; i < r->nlabels; i++)
		if (r->labels[i].label == label)
			break;
	if (i == r->nlabels) {
		if (r->nlabels == MAX_DEMO_LABELS)
			die("more than %d distinct labels", MAX_DEMO_LABELS);
		r->labels[r->nlabels++].label = label;
	}
	r->labels[i].ops += n;
}

static json_object *record_base(const char *demo, const char *role, const char *type,
				const char *object, unsigned long long ino)
{
	json_object *j = json_object_new_object();
	char comm[17] = "";

	/* The name the process gave itself, as ipctrace's comm shows it. */
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	json_object_object_add(j, "demo", json_object_new_string(demo));
	json_object_object_add(j, "role", json_object_new_string(role));
	json_object_object_add(j, "pid", json_object_new_int(getpid()));
	json_object_object_add(j, "comm", json_object_new_string(comm));
	json_object_object_add(j, "type", json_object_new_string(type));
	json_object_object_add(j, "object", json_object_new_string(object));
	json_object_object_add(j, "ino", json_object_new_uint64(ino));
	return j;
}

/* One write per line, so processes sharing stdout never interleave. */
static void emit(const char *line, size_t n)
{
	if (write(STDOUT_FILENO, line, n) < 0)
		perror("ipc-demo: report");
}

static void emit_json(json_object *j)
{
	char line[4096];
	int n = snprintf(line, sizeof(line), "%s\n",
			 json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));

	json_object_put(j);
	if (n > 0)
		emit(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void report(const struct demo_opts *o, const char *demo, const char *role,
	    const struct demo_record *r)
{
	char line[1024];
	int n;

	if (o->json) {
		json_object *j = record_base(demo, role, r->type, r->object, r->ino);

		json_object_object_add(j, "dir", json_object_new_string(r->tx ? "tx" : "rx"));
		if (r->has_activity) {
			json_object_object_add(j, "activity", json_object_new_uint64(r->activity));
		} else {
			json_object_object_add(j, "bytes", json_object_new_uint64(r->bytes));
			json_object_object_add(j, "ops", json_object_new_uint64(r->ops));
		}
		if (r->label_name) {
			json_object *labels = json_object_new_object();

			for (int i = 0; i < r->nlabels; i++) {
				char key[32];

				if (r->label_text)
					r->label_text(r->labels[i].label, key, sizeof(key));
				else
					snprintf(key, sizeof(key), "%lld", r->labels[i].label);
				json_object_object_add(labels, key,
						       json_object_new_uint64(r->labels[i].ops));
			}
			json_object_object_add(j, "label", json_object_new_string(r->label_name));
			json_object_object_add(j, "labels", labels);
		}
		if (r->nevents) {
			json_object *events = json_object_new_object();

			for (int i = 0; i < r->nevents; i++)
				json_object_object_add(events, r->events[i].name,
						       json_object_new_uint64(r->events[i].count));
			json_object_object_add(j, "events", events);
		}
		if (r->npeer_pids) {
			json_object *pids = json_object_new_array();

			for (int i = 0; i < r->npeer_pids; i++)
				json_object_array_add(pids, json_object_new_int(r->peer_pids[i]));
			json_object_object_add(j, "peer_pids", pids);
		}
		if (r->endpoint) {
			json_object *peers = json_object_new_array();

			for (int i = 0; i < r->npeers; i++)
				json_object_array_add(peers, json_object_new_uint64(r->peer_inos[i]));
			json_object_object_add(j, "peer_inos", peers);
			json_object_object_add(j, "run", json_object_new_int(demo_run));
			if (r->end >= 0)
				json_object_object_add(j, "end", json_object_new_int(r->end));
			if (r->npeer_ends) {
				json_object *ends = json_object_new_array();

				for (int i = 0; i < r->npeer_ends; i++)
					json_object_array_add(ends,
							      json_object_new_int(r->peer_ends[i]));
				json_object_object_add(j, "peer_ends", ends);
			}
		}
		emit_json(j);
		return;
	}
	if (r->has_activity)
		n = snprintf(line, sizeof(line), "%-6s %-8s pid %-7d %s %-28s %10llu bytes touched",
			     demo, role, getpid(), r->tx ? "wrote    " : "read     ", r->object,
			     r->activity);
	else
		n = snprintf(line, sizeof(line), "%-6s %-8s pid %-7d %s %-28s %10llu bytes %8llu ops",
			     demo, role, getpid(), r->tx ? "sent to  " : "read from", r->object,
			     r->bytes, r->ops);
	/* What ipctrace's DETAIL shows: labels, then the events that happened. */
	for (int i = 0; i < r->nlabels && n > 0 && (size_t)n < sizeof(line); i++) {
		char label[32];

		if (r->label_text)
			r->label_text(r->labels[i].label, label, sizeof(label));
		else
			snprintf(label, sizeof(label), "%lld", r->labels[i].label);
		if (i == 0)
			n += snprintf(line + n, sizeof(line) - (size_t)n, "  %s ",
				      r->label_name ? r->label_name : "label");
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%s:%llu", i ? "," : "", label,
			      r->labels[i].ops);
	}
	for (int i = 0; i < r->nevents && n > 0 && (size_t)n < sizeof(line); i++)
		if (r->events[i].count)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %s=%llu",
				      r->events[i].name, r->events[i].count);
	if (n > 0) {
		if ((size_t)n > sizeof(line) - 2)
			n = sizeof(line) - 2;	/* cut short, still one line */
		line[n++] = '\n';
		emit(line, (size_t)n);
	}
}

void report_removal(const struct demo_opts *o, const char *demo, const char *type,
		    const char *object, unsigned long long ino)
{
	char line[512];
	int n;

	if (o->json) {
		json_object *j = record_base(demo, "remover", type, object, ino);

		json_object_object_add(j, "removed", json_object_new_boolean(1));
		emit_json(j);
		return;
	}
	n = snprintf(line, sizeof(line), "%-6s %-8s pid %-7d removed %s\n", demo, "remover",
		     getpid(), object);
	if (n > 0)
		emit(line, (size_t)n);
}

char *demo_message(size_t size)
{
	char *buf = malloc(size ? size : 1);

	if (!buf)
		die("out of memory");
	for (size_t i = 0; i < size; i++)
		buf[i] = (char)('a' + i % 26);
	return buf;
}

size_t send_msg(int fd, const void *buf, size_t n, struct demo_record *r)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, (const char *)buf + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
			break;	/* the reader has gone: the caller sees a short send */
		if (w <= 0)
			die("write: %s", strerror(errno));
		done += (size_t)w;
		r->bytes += (size_t)w;
		r->ops++;
	}
	return done;
}

size_t recv_msg(int fd, void *buf, size_t n, struct demo_record *r)
{
	size_t done = 0;

	while (done < n) {
		ssize_t got = read(fd, (char *)buf + done, n - done);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == ECONNRESET)
			break;	/* a peer that left with data unread: the end, too */
		if (got < 0)
			die("read: %s", strerror(errno));
		if (got == 0)
			break;
		done += (size_t)got;
		r->bytes += (size_t)got;
		r->ops++;
	}
	return done;
}

void drain(int fd, size_t size, struct demo_record *r)
{
	char *buf = malloc(size);

	if (!buf)
		die("out of memory");
	while (recv_msg(fd, buf, size, r) == size)
		;
	free(buf);
}

bool keep_sending(const struct demo_opts *o, long i, double start)
{
	if (o->duration > 0) {
		if (now_s() - start >= o->duration)
			return false;
	} else if (i >= o->count) {
		return false;
	}
	if (o->rate > 0) {
		double due = start + (double)i / o->rate, wait = due - now_s();

		if (wait > 0) {
			struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };

			nanosleep(&ts, NULL);
		}
		if (o->duration > 0 && now_s() - start >= o->duration)
			return false;
	}
	return true;
}

static void on_usr1(int sig)
{
	(void)sig;
}

void wait_for_go(const struct demo_opts *o, const char *demo, const pid_t *pids, int n)
{
	sigset_t block, old;

	if (!o->wait)
		return;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	signal(SIGUSR1, on_usr1);
	fprintf(stderr, "ipc-demo: %s ready pid %d", demo, getpid());
	for (int i = 0; i < n; i++)
		fprintf(stderr, " %d", pids[i]);
	fprintf(stderr, "; send SIGUSR1 to start\n");
	sigdelset(&old, SIGUSR1);
	sigsuspend(&old);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
}

/* "Set up" travels as a real-time signal: those queue, where several
 * children's SIGUSR2 would merge into one. */
#define SIG_READY SIGRTMIN

#define DEMO_IPC_TRIES 64

static void demo_ipc_check(int attempt)
{
	if (attempt >= DEMO_IPC_TRIES)
		die("%d names and keys of this PID's are taken by earlier runs: remove "
		    "the stale ones (ipcs; ls /dev/mqueue /dev/shm)", DEMO_IPC_TRIES);
}

void demo_ipc_name(char *buf, size_t size, int attempt)
{
	demo_ipc_check(attempt);
	if (attempt)
		snprintf(buf, size, "/ipc-demo.%d.%d", getpid(), attempt);
	else
		snprintf(buf, size, "/ipc-demo.%d", getpid());
}

long demo_ipc_key(long prefix, int attempt)
{
	demo_ipc_check(attempt);
	/* Another PID's key, perhaps: IPC_EXCL says so, and the next is tried. */
	return prefix | ((getpid() + (long)attempt * 7919) & 0xffffff);
}

pid_t demo_fork(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* The parent may have gone before the line above. */
		if (getppid() != parent)
			_exit(1);
	}
	return pid;
}

void gate_prepare(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIG_READY);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

void gate_child_ready(const struct demo_opts *o)
{
	sigset_t usr1;

	if (o->wait)
		kill(getppid(), SIG_READY);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigwaitinfo(&usr1, NULL);
}

void gate_open(const struct demo_opts *o, const char *demo, const pid_t *kids, int nkids,
	       const pid_t *gated, int ngated)
{
	if (o->wait) {
		sigset_t ready;

		sigemptyset(&ready);
		sigaddset(&ready, SIG_READY);
		for (int i = 0; i < ngated; i++)
			sigwaitinfo(&ready, NULL);
	}
	wait_for_go(o, demo, kids, nkids);
	for (int i = 0; i < ngated; i++)
		kill(gated[i], SIGUSR1);
}

int reap(const pid_t *pids, int n)
{
	int failed = 0;

	for (int i = 0; i < n; i++) {
		int status;

		while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	}
	return failed;
}
