// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <glib.h>
#include "common/common.h"
#include "common/confine.h"
#include "mechanisms/sockdiag.h"
#include "session/privileges.h"

static bool has_cap(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	return cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET;
}

int privileges_check(void)
{
	cap_t caps = cap_get_proc();
	bool bpf, perfmon, admin;

	if (!caps) {
		p_err("cannot read this process's capabilities: %s", strerror(errno));
		return -1;
	}
	bpf = has_cap(caps, CAP_BPF);
	perfmon = has_cap(caps, CAP_PERFMON);
	admin = has_cap(caps, CAP_SYS_ADMIN);
	cap_free(caps);
	if (admin || (bpf && perfmon))
		return 0;
	p_err("need root, or CAP_BPF and CAP_PERFMON (missing %s%s%s): run it with sudo",
	      bpf ? "" : "CAP_BPF", !bpf && !perfmon ? " and " : "", perfmon ? "" : "CAP_PERFMON");
	return -1;
}

/*
 * Once attached, the maps and links are open descriptors, which need no
 * privilege to use. What remains is naming peers: other users'
 * /proc/PID/fd, fdinfo and maps are behind a ptrace read check
 * (CAP_SYS_PTRACE), and /proc/PID/fd and fdinfo are directories of mode 0500
 * that only their owner may search, as their queues are files only their
 * owner may read (CAP_DAC_READ_SEARCH). Nothing is written after the drop
 * but through descriptors opened before, or by the output writer: no
 * CAP_DAC_OVERRIDE.
 */
static const cap_value_t kept_caps[] = { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH };

/*
 * Uid and gid 65534, the kernel's overflow ids (nobody and nogroup on
 * Debian): they own no file, so that without CAP_DAC_OVERRIDE ipctrace can
 * write none, root's (/etc, /proc/1/mem) included.
 */
#define DROP_ID 65534

/* Capabilities are per thread: a thread already running would keep all of them. */
static bool single_threaded(void)
{
	char *status = NULL;
	bool one;

	if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
		return false;
	one = strstr(status, "\nThreads:\t1\n") != NULL;
	g_free(status);
	return one;
}

/* Root, by its uid or its saved uid, becomes nobody; another user stays itself. */
static int leave_root(void)
{
	uid_t r, e, s;

	if (getresuid(&r, &e, &s) != 0)
		return -1;
	if (r != 0 && e != 0 && s != 0)
		return 0;
	/* Keep the permitted set across the change of uid: confine_caps() trims it. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 || setgroups(0, NULL) != 0 ||
	    setresgid(DROP_ID, DROP_ID, DROP_ID) != 0 || setresuid(DROP_ID, DROP_ID, DROP_ID) != 0)
		return -1;
	return prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
}

int privileges_give_up(void)
{
	/* Without PR_SET_KEEPCAPS, leaving uid 0 clears every capability. */
	if (setgroups(0, NULL) != 0 || setresgid(DROP_ID, DROP_ID, DROP_ID) != 0 ||
	    setresuid(DROP_ID, DROP_ID, DROP_ID) != 0)
		return -1;
	return 0;
}

int privileges_drop(char *err, size_t errlen)
{
	const char *step = "the process has threads already";

	errno = 0;
	if (!single_threaded())
		goto fail;
	/* What was opened as root is not kept (-p's scan asked sock_diag). */
	sockdiag_close();
	step = "cannot switch to uid 65534";
	if (leave_root())
		goto fail;
	step = "cannot set the capabilities";
	if (confine_caps(kept_caps, G_N_ELEMENTS(kept_caps)))
		goto fail;
	step = "cannot install the seccomp filter";
	if (confine_syscalls())
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "could not drop privileges after attaching: %s%s%s; "
		 "nothing is traced", step, errno ? ": " : "", errno ? strerror(errno) : "");
	return -1;
}

/* One forbidden action: 0 when refused as it should be, 1 when it was
 * allowed (a descriptor it opened is closed at once). */
static int refused(const char *what, int ret, bool is_fd)
{
	if (ret >= 0) {
		printf("%s: allowed\n", what);
		if (is_fd)
			close(ret);
		return 1;
	}
	printf("%s: %s\n", what, strerror(errno));
	return 0;
}

/* The credentials the drop left, as /proc/self/status shows them, for the
 * test to compare with a running ipctrace's. */
static void print_credentials(void)
{
	static const char *const fields[] = { "Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:",
					      "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:",
					      "Seccomp:" };
	char *status = NULL, **lines;

	if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
		return;
	lines = g_strsplit(status, "\n", -1);
	for (char **l = lines; *l; l++)
		for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
			if (g_str_has_prefix(*l, fields[i]))
				printf("%s\n", *l);
	g_strfreev(lines);
	g_free(status);
}

int privileges_self_test(pid_t pid, const char *path)
{
	char what[512], err[256];
	int allowed = 0, fd;

	if (privileges_drop(err, sizeof(err))) {
		p_err("%s", err);
		return 2;
	}
	print_credentials();
	snprintf(what, sizeof(what), "ptrace(PTRACE_SEIZE, %d)", pid);
	allowed += refused(what, (int)ptrace(PTRACE_SEIZE, pid, NULL, NULL), false);
	snprintf(what, sizeof(what), "/proc/%d/mem", pid);
	fd = open(what, O_RDWR | O_CLOEXEC);
	snprintf(what, sizeof(what), "open(/proc/%d/mem, O_RDWR)", pid);
	allowed += refused(what, fd, true);
	fd = open("/proc/1/mem", O_RDWR | O_CLOEXEC);
	allowed += refused("open(/proc/1/mem, O_RDWR)", fd, true);
	snprintf(what, sizeof(what), "open(%s, O_WRONLY)", path);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	allowed += refused(what, fd, true);
	/* Nothing is done with what was allowed (a ptrace ends as it exits):
	 * the test only says so. */
	return allowed ? 1 : 0;
}
