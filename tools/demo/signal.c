// SPDX-License-Identifier: GPL-2.0
/*
 * Signals, the demo side of the signal module (bpf/signal.bpf.h,
 * user/mechanisms/signal.c).
 *
 * signal: a sender and a receiver, and what becomes of each kind of signal.
 *   Each round the sender sends SIGUSR2, which the receiver has set to
 *   SIG_IGN, SIGURG, which is ignored by default, and a ping: SIGUSR1 with a
 *   value (sigqueue), which the receiver takes with sigwaitinfo and answers
 *   with a SIGUSR1 of its own. The first ping arms a 5 ms timer in the
 *   receiver, whose SIGALRM the kernel sends. A last ping announces a burst:
 *   3 SIGHUP, which the receiver keeps blocked, so that the first waits and
 *   the others merge into it; then 12 SIGRTMIN+1, real-time, each queued on
 *   its own until the receiver's queue limit, lowered to 8 for the occasion
 *   (RLIMIT_SIGPENDING, which counts every pending signal of its user),
 *   refuses the rest. SIGTERM ends it. The exits' SIGCHLDs are part of it
 *   too: the sender's and receiver's to their parent, the parent's to
 *   whoever started it.
 *
 *   What is ignored or merged never reaches the receiver, so both sides count
 *   it by the rules above; what the receiver takes, it checks.
 *   --role receiver and --role sender --pid PID run one side each, for two
 *   terminals; kill(1) from a third is counted by the receiver as well.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/time.h>
#include "demo.h"

#define SIG_PING SIGUSR1	/* taken and answered */
#define SIG_IGNORED SIGUSR2	/* SIG_IGN in the receiver */
#define SIG_DEFAULT_IGNORED SIGURG
#define SIG_MERGED SIGHUP	/* blocked: a burst leaves one pending */
#define SIG_QUEUED (SIGRTMIN + 1)
#define SIG_END SIGTERM
#define MERGED_BURST 3
#define QUEUED_BURST 12
#define QUEUE_LIMIT 8
/* A ping's value, so that a SIGUSR1 from kill(1) is counted, not answered. */
#define VALUE_PING 0x5167
#define VALUE_BURST 0x5168
#define ANSWER_TIMEOUT_S 10

/* The names ipctrace gives: the C library's abbreviations, and SIGRTMIN+N. */
static void signal_text(long long sig, char *buf, size_t len)
{
	const char *abbrev = sig > 0 && sig < SIGRTMIN ? sigabbrev_np((int)sig) : NULL;

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else if (sig == SIGRTMIN)
		snprintf(buf, len, "SIGRTMIN");
	else
		snprintf(buf, len, "SIGRTMIN+%lld", sig - SIGRTMIN);
}

/* Signals to pid, as ipctrace names them: the object is the target. */
static void sig_record(struct demo_record *r, pid_t pid, bool tx)
{
	record_init(r, "signal", -1, tx);
	r->ino = (unsigned long long)pid;
	snprintf(r->object, sizeof(r->object), "pid %d", pid);
	r->label_name = "sig";
	r->label_text = signal_text;
}

/* A signal sent or received, and what became of it. */
static void sig_count(struct demo_record *r, int sig, const char *fate, unsigned long long n)
{
	record_label_n(r, sig, n);
	record_event(r, fate, n);
	r->ops += n;
}

/* Every kind of result named, so that a count of 0 is checked too. */
static void sig_fates(struct demo_record *r)
{
	static const char *const fates[] = { "delivered", "ignored", "pending", "failed", "kernel" };

	for (size_t i = 0; i < sizeof(fates) / sizeof(fates[0]); i++)
		record_event(r, fates[i], 0);
}

/* What the receiver takes is blocked and taken with sigwaitinfo; SIGUSR2 is
 * ignored. Set before forking, so both children start with it. */
static void signal_setup(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIG_PING);
	sigaddset(&set, SIG_MERGED);
	sigaddset(&set, SIG_QUEUED);
	sigaddset(&set, SIG_END);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIG_IGNORED, SIG_IGN);
	signal(SIG_DEFAULT_IGNORED, SIG_DFL);
}

/* Bit sig of a mask line of /proc/PID/status ("SigIgn:\t0000000000010000"). */
static bool status_mask_has(pid_t pid, const char *field, int sig)
{
	char path[64], line[256];
	unsigned long long mask = 0;
	size_t n = strlen(field);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, n) == 0 && line[n] == ':')
			mask = strtoull(line + n + 1, NULL, 16);
	fclose(f);
	return mask >> (sig - 1) & 1;
}

/*
 * The SIGCHLD this process's exit sends its parent: none if the parent
 * ignores SIGCHLD; ignored if it leaves it at its default and unblocked;
 * otherwise its fate is the parent's business (delivered, or merged into one
 * pending), not counted here.
 */
static void report_exit_signal(const struct demo_opts *o, const char *role)
{
	pid_t parent = getppid();
	struct demo_record r;

	if (status_mask_has(parent, "SigIgn", SIGCHLD))
		return;
	sig_record(&r, parent, true);
	record_peer_pid(&r, parent);
	if (status_mask_has(parent, "SigCgt", SIGCHLD) || status_mask_has(parent, "SigBlk", SIGCHLD)) {
		record_label(&r, SIGCHLD);
		r.ops++;
	} else {
		sig_count(&r, SIGCHLD, "ignored", 1);
	}
	report(o, "signal", role, &r);
}

/* Take every pending sig without waiting. */
static unsigned long long take_pending(int sig)
{
	struct timespec now = { 0, 0 };
	unsigned long long n = 0;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	while (sigtimedwait(&set, NULL, &now) == sig)
		n++;
	return n;
}

static void wait_signal(int sig, const char *what)
{
	struct timespec limit = { ANSWER_TIMEOUT_S, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	while (sigtimedwait(&set, NULL, &limit) != sig)
		if (errno != EINTR)
			die("no %s in %d s", what, ANSWER_TIMEOUT_S);
}

static void set_queue_limit(rlim_t limit)
{
	struct rlimit rl;

	getrlimit(RLIMIT_SIGPENDING, &rl);
	rl.rlim_cur = limit < rl.rlim_max ? limit : rl.rlim_max;
	if (setrlimit(RLIMIT_SIGPENDING, &rl) != 0)
		die("setrlimit RLIMIT_SIGPENDING: %s", strerror(errno));
}

#define MAX_PINGERS 8

static int sig_receiver(const struct demo_opts *o, bool alone)
{
	struct demo_record rx, answers[MAX_PINGERS];
	struct itimerval once = { .it_value = { 0, 5000 } };
	bool armed = false, alarmed = false, burst = false;
	struct rlimit saved;
	int nanswers = 0;
	sigset_t waitset;

	name_process("sig-receiver");
	if (alone) {
		signal_setup();
		fprintf(stderr, "ipc-demo: signal receiver pid %d: SIGTERM ends it\n", getpid());
	}
	getrlimit(RLIMIT_SIGPENDING, &saved);
	sig_record(&rx, getpid(), false);
	sig_fates(&rx);
	sigemptyset(&waitset);
	sigaddset(&waitset, SIG_PING);
	sigaddset(&waitset, SIG_END);
	sigaddset(&waitset, SIGALRM);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&waitset, &si), i;

		if (sig < 0 && errno == EINTR)
			continue;
		if (sig < 0)
			die("sigwaitinfo: %s", strerror(errno));
		if (sig == SIGALRM) {	/* the timer's: the kernel sent it */
			sig_count(&rx, sig, "delivered", 1);
			record_event(&rx, "kernel", 1);
			alarmed = true;
			continue;
		}
		sig_count(&rx, sig, "delivered", 1);
		record_peer_pid(&rx, si.si_pid);
		if (sig == SIG_END)
			break;
		if (si.si_code != SI_QUEUE || (si.si_value.sival_int != VALUE_PING &&
					       si.si_value.sival_int != VALUE_BURST))
			continue;	/* a kill -USR1: counted, not answered */
		if (!armed && setitimer(ITIMER_REAL, &once, NULL) == 0)
			armed = true;
		if (si.si_value.sival_int == VALUE_PING) {
			/* Sent with each ping, and never seen. */
			sig_count(&rx, SIG_IGNORED, "ignored", 1);
			sig_count(&rx, SIG_DEFAULT_IGNORED, "ignored", 1);
		} else {
			set_queue_limit(QUEUE_LIMIT);
			burst = true;
		}
		for (i = 0; i < nanswers && answers[i].ino != (unsigned long long)si.si_pid; i++)
			;
		if (i == nanswers) {
			if (nanswers == MAX_PINGERS)
				die("more than %d senders", MAX_PINGERS);
			sig_record(&answers[nanswers], si.si_pid, true);
			sig_fates(&answers[nanswers++]);
		}
		if (kill(si.si_pid, SIG_PING) != 0)
			die("answering %d: %s", si.si_pid, strerror(errno));
		sig_count(&answers[i], SIG_PING, "delivered", 1);
	}
	if (burst) {
		unsigned long long merged = take_pending(SIG_MERGED), queued = take_pending(SIG_QUEUED);

		if (merged != 1)
			die("%llu SIGHUP pending after a burst of %d, expected 1", merged, MERGED_BURST);
		sig_count(&rx, SIG_MERGED, "delivered", 1);
		sig_count(&rx, SIG_MERGED, "pending", MERGED_BURST - 1);
		sig_count(&rx, SIG_QUEUED, "delivered", queued);
		sig_count(&rx, SIG_QUEUED, "failed", QUEUED_BURST - queued);
		setrlimit(RLIMIT_SIGPENDING, &saved);
	}
	if (armed && !alarmed) {
		wait_signal(SIGALRM, "SIGALRM from the timer");
		sig_count(&rx, SIGALRM, "delivered", 1);
		record_event(&rx, "kernel", 1);
	}
	report(o, "signal", "receiver", &rx);
	for (int i = 0; i < nanswers; i++)
		report(o, "signal", "receiver", &answers[i]);
	report_exit_signal(o, "receiver");
	return 0;
}

static void send_signal(pid_t to, int sig)
{
	if (kill(to, sig) != 0)
		die("kill %d: %s", to, strerror(errno));
}

/* A ping, and the answer to it. */
static void ping(pid_t to, int value, struct demo_record *tx, struct demo_record *rx)
{
	if (sigqueue(to, SIG_PING, (union sigval){ .sival_int = value }) != 0)
		die("sigqueue %d: %s", to, strerror(errno));
	sig_count(tx, SIG_PING, "delivered", 1);
	wait_signal(SIG_PING, "answer from the receiver");
	sig_count(rx, SIG_PING, "delivered", 1);
}

static int sig_sender(const struct demo_opts *o, pid_t to, bool alone)
{
	struct demo_record tx, rx;
	double start;

	name_process("sig-sender");
	if (alone)
		signal_setup();
	sig_record(&tx, to, true);
	sig_record(&rx, getpid(), false);
	sig_fates(&tx);
	sig_fates(&rx);
	record_peer_pid(&rx, to);
	start = now_s();
	for (long i = 0; keep_sending(o, i, start); i++) {
		send_signal(to, SIG_IGNORED);
		sig_count(&tx, SIG_IGNORED, "ignored", 1);
		send_signal(to, SIG_DEFAULT_IGNORED);
		sig_count(&tx, SIG_DEFAULT_IGNORED, "ignored", 1);
		ping(to, VALUE_PING, &tx, &rx);
	}
	/* The receiver has lowered its queue limit once it answers this. */
	ping(to, VALUE_BURST, &tx, &rx);
	for (int i = 0; i < MERGED_BURST; i++) {
		send_signal(to, SIG_MERGED);
		sig_count(&tx, SIG_MERGED, i ? "pending" : "delivered", 1);
	}
	for (int i = 0; i < QUEUED_BURST; i++) {
		if (sigqueue(to, SIG_QUEUED, (union sigval){ .sival_int = i }) == 0)
			sig_count(&tx, SIG_QUEUED, "delivered", 1);
		else if (errno == EAGAIN)
			sig_count(&tx, SIG_QUEUED, "failed", 1);	/* over the limit */
		else
			die("sigqueue %d: %s", to, strerror(errno));
	}
	if (!o->no_end) {
		send_signal(to, SIG_END);
		sig_count(&tx, SIG_END, "delivered", 1);
	}
	report(o, "signal", "sender", &tx);
	report(o, "signal", "sender", &rx);
	report_exit_signal(o, "sender");
	return 0;
}

/* --wait: like the other demos, but the go's sender is known, and counted. */
static void wait_for_start(const struct demo_opts *o, pid_t receiver, struct demo_record *rx)
{
	siginfo_t si;
	sigset_t go;

	fprintf(stderr, "ipc-demo: signal ready pid %d %d; send SIGUSR1 to start\n", getpid(),
		receiver);
	sigemptyset(&go);
	sigaddset(&go, SIGUSR1);
	while (sigwaitinfo(&go, &si) != SIGUSR1)
		if (errno != EINTR)
			die("sigwaitinfo: %s", strerror(errno));
	(void)o;
	sig_count(rx, SIGUSR1, "delivered", 1);
	record_peer_pid(rx, si.si_pid);
}

static int run_signal(const struct demo_opts *o)
{
	struct demo_record rx;
	pid_t kids[2];
	int failed;

	if (o->role && strcmp(o->role, "receiver") == 0)
		return sig_receiver(o, true);
	if (o->role && strcmp(o->role, "sender") == 0) {
		if (o->pid <= 0)
			die("--role sender needs --pid PID: the receiver to send to");
		return sig_sender(o, o->pid, true);
	}
	if (o->role)
		die("unknown role '%s': expected receiver or sender", o->role);

	name_process("sig-parent");
	signal_setup();
	sig_record(&rx, getpid(), false);
	sig_fates(&rx);
	kids[0] = demo_fork();
	if (kids[0] == 0)
		exit(sig_receiver(o, false));
	if (kids[0] < 0)
		die("fork: %s", strerror(errno));
	if (o->wait)
		wait_for_start(o, kids[0], &rx);
	kids[1] = demo_fork();
	if (kids[1] == 0)
		exit(sig_sender(o, kids[0], false));
	if (kids[1] < 0)
		die("fork: %s", strerror(errno));
	failed = reap(kids, 2);
	/* Their exits' SIGCHLDs, which this process leaves at its default. */
	sig_count(&rx, SIGCHLD, "ignored", 2);
	record_peer_pid(&rx, kids[0]);
	record_peer_pid(&rx, kids[1]);
	report(o, "signal", "parent", &rx);
	report_exit_signal(o, "parent");
	return failed;
}

const struct demo signal_demo = {
	"signal", "a sender and a receiver: signals taken, ignored, merged, refused", run_signal,
	.types = "signal",
	.explain =
		"A signal is the smallest IPC: a number sent to a process (kill, sigqueue),\n"
		"which it handles, ignores, or dies of. A signal a process blocks waits\n"
		"until it unblocks it, and several of the same ordinary signal merge into\n"
		"one; real-time signals queue one by one, up to a limit. The kernel sends\n"
		"signals of its own too: a timer's SIGALRM, the SIGCHLD of a child's exit.\n"
		"Look for: OBJECT \"pid N\" is the target; the sender's tx row and the\n"
		"receiver's rx row with the signals by name in DETAIL (sig), and what\n"
		"became of them: delivered, ignored, pending (merged), failed, kernel.",
};
