// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <glib.h>
#include "common/common.h"
#include "session/children.h"
#include "session/privileges.h"

/*
 * The demo next to ipctrace: ipc-demo, or, beside make dist's
 * ipctrace-VERSION-ARCH, ipc-demo-VERSION-ARCH (the two are copied
 * together, named alike).
 */
static char *demo_beside(const char *self)
{
	char *dir = g_path_get_dirname(self), *base = g_path_get_basename(self);
	const char *suffix = g_str_has_prefix(base, "ipctrace-") ? base + strlen("ipctrace") : "";
	char *name = g_strconcat("ipc-demo", suffix, NULL);
	char *path = g_build_filename(dir, name, NULL);

	g_free(dir);
	g_free(base);
	g_free(name);
	if (access(path, X_OK) == 0)
		return path;
	g_free(path);
	return NULL;
}

char *child_find_demo(void)
{
	char *self = g_file_read_link("/proc/self/exe", NULL);
	char *path = self ? demo_beside(self) : NULL;

	g_free(self);
	return path ? path : g_find_program_in_path("ipc-demo");
}

bool child_command_exists(const char *argv0)
{
	char *found = strchr(argv0, '/') ? g_strdup(argv0) : g_find_program_in_path(argv0);
	bool ok = found && access(found, X_OK) == 0;

	g_free(found);
	return ok;
}

pid_t child_start_stopped(char **argv, int out_fd, bool unprivileged)
{
	pid_t parent = getpid(), pid = fork();
	int status, exe = -1;

	if (pid == 0) {
		/*
		 * Stopped until ipctrace has attached: if ipctrace dies first (a
		 * SIGKILL during the load), the command must not wait forever,
		 * stopped, nor run untraced. Once continued it outlives ipctrace.
		 */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);	/* died before the line above */
		/* ipctrace ignores SIGPIPE; the command must not inherit that. */
		signal(SIGPIPE, SIG_DFL);
		if (out_fd >= 0)
			dup2(out_fd, STDOUT_FILENO);
		/* The program opened while still root: a demo in a directory
		 * only root may search (a build tree under /root) still runs. */
		if (unprivileged && ((exe = open(argv[0], O_PATH | O_CLOEXEC)) < 0 ||
				     privileges_give_up() != 0)) {
			p_err("cannot run %s as uid 65534: %s", argv[0], strerror(errno));
			_exit(127);
		}
		raise(SIGSTOP);
		prctl(PR_SET_PDEATHSIG, 0);
		if (exe >= 0)
			fexecve(exe, argv, environ);
		else
			execvp(argv[0], argv);
		p_err("cannot run %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		return 0;
	while (waitpid(pid, &status, WUNTRACED) < 0 && errno == EINTR)
		;
	return pid;
}

int child_exit_status(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

pid_t child_start_demo(const char *path, double duration_s)
{
	char secs[32], *argv[] = { (char *)path, "all", "--duration", secs, NULL };
	/* Its chatter would be pipe traffic of its own on the terminal. */
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	pid_t pid;

	snprintf(secs, sizeof(secs), "%g", duration_s);
	pid = child_start_stopped(argv, null, true);
	if (null >= 0)
		close(null);
	return pid;
}
