// SPDX-License-Identifier: GPL-2.0
/*
 * Signals, user side: the signal module (bpf/signal.bpf.h,
 * tools/demo/signal.c). The object is the target process, "pid N"; its rows
 * count signals as ops, per signal as labels ("sig SIGUSR1:3"), and what
 * became of them as events. No syscall is traced and no descriptor names a
 * signal: the kernel side hangs on the signal_generate tracepoint alone.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include "model/mechanism.h"
#include "mechanisms/signal_names.h"
#include "ipctrace.skel.h"

/* The names kill -l prints, from this host's own numbering. */
static const char *const standard_names[] = {
	[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV",
	[SIGUSR2] = "SIGUSR2", [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",
	[SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD",
	[SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
	[SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
	[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR", [SIGSYS] = "SIGSYS",
};

/*
 * Real-time signals as bash's kill -l names them, from the C library's
 * SIGRTMIN (glibc keeps the kernel's first two for its threads): the lower
 * half counts up from SIGRTMIN, the upper half down from SIGRTMAX, so that
 * every name is one kill -s accepts. The two below SIGRTMIN have no name.
 */
void signal_name(long long sig, char *buf, size_t len)
{
	int lo = SIGRTMIN, hi = SIGRTMAX;

	if (sig > 0 && sig < (long long)G_N_ELEMENTS(standard_names) &&
	    standard_names[sig])
		snprintf(buf, len, "%s", standard_names[sig]);
	else if (sig == lo)
		snprintf(buf, len, "SIGRTMIN");
	else if (sig == hi)
		snprintf(buf, len, "SIGRTMAX");
	else if (sig > lo && sig - lo <= (hi - lo) / 2)
		snprintf(buf, len, "SIGRTMIN+%lld", sig - lo);
	else if (sig > lo && sig < hi)
		snprintf(buf, len, "SIGRTMAX-%lld", hi - sig);
	else
		snprintf(buf, len, "SIG%lld", sig);
}

static void signal_label(__s64 label, char *buf, size_t len)
{
	signal_name(label, buf, len);
}

static void signal_default_name(const struct ipc_obj_key *obj, char *buf, size_t len)
{
	snprintf(buf, len, "pid %llu", (unsigned long long)obj->ino);
}

/* dev is the target's start time, which tells a reused PID apart. */
static const char *signal_dev_key(unsigned int type)
{
	(void)type;
	return "target_start";
}

/* The calls whose caller hands the kernel a siginfo of its own: a signal
 * they generate is the caller's, whatever code it claims (bpf/signal.bpf.h). */
static void signal_configure(struct ipctrace_bpf__rodata *rodata)
{
	rodata->sig_info_nr[0] = __NR_rt_sigqueueinfo;
	rodata->sig_info_nr[1] = __NR_rt_tgsigqueueinfo;
	rodata->sig_info_nr[2] = __NR_pidfd_send_signal;
}

const struct mechanism signal_mechanism = {
	.name = "signal",
	.types = 1U << IPC_SIGNAL,
	.type_info = {
		{ IPC_SIGNAL, "signal", "#bcbd22" },	/* yellow-green */
	},
	.default_name = signal_default_name,
	.event_names = {
		[SIG_EV_DELIVERED] = "delivered",
		[SIG_EV_IGNORED] = "ignored",
		[SIG_EV_PENDING] = "pending",
		[SIG_EV_FAILED] = "failed",
		[SIG_EV_KERNEL] = "kernel",
	},
	/* -e: each signal's own outcome, as killsnoop's RES column. */
	.event_key = "result",
	.label_name = "sig",
	.label_text = signal_label,
	.dev_key = signal_dev_key,
	.configure = signal_configure,
	/* Every exit signals the parent: a build's thousands of short-lived
	 * processes would each make a row of their own. */
	.exit_label = SIGCHLD,
};
