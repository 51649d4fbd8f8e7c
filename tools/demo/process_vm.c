// SPDX-License-Identifier: GPL-2.0
/*
 * process_vm, the demo side of the process_vm module
 * (bpf/process_vm.bpf.h, user/mechanisms/process_vm.c).
 *
 * process-vm: a target process holds a buffer and stops itself; a writer
 *   copies -n messages of -s bytes into it with process_vm_writev(), a
 *   reader copies -n of two thirds of that out of it with
 *   process_vm_readv() and takes one of its descriptors with pidfd_getfd().
 *   The buffer's address is the same in all three, allocated before they
 *   were forked, so no IPC of the demo's own tells them where it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include "demo.h"

static void pvm_record(struct demo_record *r, pid_t target, bool tx)
{
	record_init(r, "process_vm", -1, tx);
	r->ino = (unsigned long long)target;
	snprintf(r->object, sizeof(r->object), "pid %d", (int)target);
	record_event(r, "fds_passed", 0);
}

static size_t read_size(const struct demo_opts *o)
{
	return o->size - o->size / 3;
}

/* Copies into (write) or out of the target's buffer, one call a message. */
static int pvm_copy(const struct demo_opts *o, pid_t target, char *buf, bool write, int fd)
{
	size_t n = write ? o->size : read_size(o);
	char *local = malloc(n);
	struct demo_record r;
	double start;

	name_process(write ? "pvm-writer" : "pvm-reader");
	if (!local)
		die("out of memory");
	memset(local, 'v', n);
	pvm_record(&r, target, write);
	start = now_s();
	for (long i = 0; keep_sending(o, i, start); i++) {
		struct iovec l = { local, n }, t = { buf, n };
		ssize_t got = write ? process_vm_writev(target, &l, 1, &t, 1, 0)
				    : process_vm_readv(target, &l, 1, &t, 1, 0);

		if (got != (ssize_t)n)
			die("process_vm_%sv: %s", write ? "write" : "read",
			    got < 0 ? strerror(errno) : "short");
		r.bytes += n;
		r.ops++;
	}
	if (!write) {
		int pidfd = (int)syscall(SYS_pidfd_open, target, 0);
		int taken = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);

		if (taken < 0)
			die("pidfd_getfd: %s", strerror(errno));
		record_event(&r, "fds_passed", 1);
		close(taken);
		close(pidfd);
	}
	report(o, "process-vm", write ? "writer" : "reader", &r);
	free(local);
	return 0;
}

/* The target: what the others did to it, by the demo's own figures (each
 * of their calls copied all it asked, or they failed). With -d it cannot
 * know how many calls they made, and reports nothing. */
static int pvm_target(const struct demo_opts *o)
{
	struct demo_record rx, tx;

	name_process("pvm-target");
	/* Yama's ptrace_scope 1 lets only ancestors in: the writer and reader are
	 * its siblings. EINVAL without Yama, which needs nothing. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	raise(SIGSTOP);	/* until the copies are done: the parent waits for it */
	if (o->duration > 0)
		return 0;
	pvm_record(&rx, getpid(), false);
	pvm_record(&tx, getpid(), true);
	rx.bytes = o->count * o->size;
	rx.ops = o->count;
	tx.bytes = o->count * read_size(o);
	tx.ops = o->count;
	record_event(&tx, "fds_passed", 1);
	report(o, "process-vm", "target", &rx);
	report(o, "process-vm", "target", &tx);
	return 0;
}

/* With -d, the writer and then the reader take half of it each. */
static int run_process_vm(const struct demo_opts *opts)
{
	struct demo_opts half = *opts, *o = &half;
	char *buf = calloc(1, o->size);
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), status, rc;
	pid_t kids[3];

	half.duration /= 2;
	if (!buf || fd < 0)
		die("process-vm: %s", strerror(errno));
	kids[0] = demo_fork();
	if (kids[0] == 0)
		exit(pvm_target(o));
	while (waitpid(kids[0], &status, WUNTRACED) < 0 && errno == EINTR)
		;
	if (kids[0] < 0 || !WIFSTOPPED(status))
		die("the target did not stop");
	kids[1] = demo_fork();
	if (kids[1] == 0)
		exit(pvm_copy(o, kids[0], buf, true, fd));
	rc = reap(&kids[1], 1);
	kids[2] = demo_fork();
	if (kids[2] == 0)
		exit(pvm_copy(o, kids[0], buf, false, fd));
	rc |= reap(&kids[2], 1);
	kill(kids[0], SIGCONT);
	rc |= reap(kids, 1);
	free(buf);
	return rc;
}

const struct demo process_vm_demo = {
	"process-vm", "a writer and a reader copying into and out of a third process's memory",
	run_process_vm,
	.types = "process_vm",
	.explain =
		"process_vm_writev() and process_vm_readv() copy straight between two\n"
		"processes' memory, with no pipe or socket between them and one copy:\n"
		"MPI libraries pass large messages between ranks this way, and debuggers\n"
		"read the programs they debug. pidfd_getfd() takes a copy of another\n"
		"process's file descriptor. Both need the right to ptrace the target.\n"
		"Look for: OBJECT pid N, the target: the writer's tx row and the reader's\n"
		"rx row on it, and the target's own rx and tx rows with the same figures;\n"
		"DETAIL fds_passed=1 for the descriptor the reader took.",
};
