// SPDX-License-Identifier: GPL-2.0
/*
 * Pipes and FIFOs, the demo side of the pipe module (bpf/pipe.bpf.h,
 * user/mechanisms/pipe.c).
 *
 * pipe:       a pipe is half-duplex, so a parent talks to its child over one
 *             pipe, and a request/reply exchange needs two.
 * pipe-calls: one process moves data through pipes with every transfer
 *             syscall ipctrace counts: writev/readv, vmsplice, sendfile,
 *             splice, tee, pwritev2/preadv2.
 * fifo:       two processes that share nothing but a name in the filesystem.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include "demo.h"

static void make_pipe(int fds[2])
{
	if (pipe(fds) != 0)
		die("pipe: %s", strerror(errno));
}

/* With a duration, each phase of a two-phase demo gets half of it. */
static struct demo_opts phase_opts(const struct demo_opts *o)
{
	struct demo_opts p = *o;

	p.duration = o->duration / 2;
	return p;
}

static int run_pipe(const struct demo_opts *o)
{
	int oneway[2], request[2], reply[2];
	struct demo_record r_oneway, r_request, r_reply;
	struct demo_opts phase = phase_opts(o);
	char *buf = demo_message(o->size);
	double start;
	pid_t child;
	long i;

	make_pipe(oneway);
	make_pipe(request);
	make_pipe(reply);
	child = demo_fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		name_process("pipe-child");
		close(oneway[1]);
		close(request[1]);
		close(reply[0]);
		record_init(&r_oneway, "pipe", oneway[0], false);
		record_init(&r_request, "pipe", request[0], false);
		record_init(&r_reply, "pipe", reply[1], true);
		drain(oneway[0], o->size, &r_oneway);
		/* Echo every request back on the second pipe. */
		while (recv_msg(request[0], buf, o->size, &r_request) == o->size && o->size)
			send_msg(reply[1], buf, o->size, &r_reply);
		report(o, "pipe", "child", &r_oneway);
		report(o, "pipe", "child", &r_request);
		report(o, "pipe", "child", &r_reply);
		exit(0);
	}
	name_process("pipe-parent");
	close(oneway[0]);
	close(request[0]);
	close(reply[1]);
	record_init(&r_oneway, "pipe", oneway[1], true);
	record_init(&r_request, "pipe", request[1], true);
	record_init(&r_reply, "pipe", reply[0], false);
	wait_for_go(o, "pipe", &child, 1);

	/* Half-duplex: parent -> child, then end of file. */
	start = now_s();
	for (i = 0; keep_sending(&phase, i, start); i++)
		send_msg(oneway[1], buf, o->size, &r_oneway);
	close(oneway[1]);

	/* Full duplex takes two pipes: request on one, reply on the other. */
	start = now_s();
	for (i = 0; keep_sending(&phase, i, start); i++) {
		send_msg(request[1], buf, o->size, &r_request);
		if (recv_msg(reply[0], buf, o->size, &r_reply) != o->size)
			die("the child stopped replying");
	}
	close(request[1]);
	close(reply[0]);
	if (reap(&child, 1))
		die("the child failed");
	report(o, "pipe", "parent", &r_oneway);
	report(o, "pipe", "parent", &r_request);
	report(o, "pipe", "parent", &r_reply);
	free(buf);
	return 0;
}

const struct demo pipe_demo = {
	"pipe", "parent -> child over one pipe, then request/reply over two", run_pipe,
	.types = "pipe",
	.explain =
		"An anonymous pipe is a one-way channel in the kernel: bytes written at one\n"
		"end come out of the other, in order, with no message boundaries. It has no\n"
		"name, so only related processes share one: the parent makes it with pipe()\n"
		"and its child inherits both ends across fork(). One pipe is half-duplex; a\n"
		"conversation in both directions takes two pipes.\n"
		"Look for: the parent's tx row and the child's rx row on the same\n"
		"pipe:[inode], each naming the other in PEERS; then a request/reply exchange\n"
		"on two more pipes, one for each direction.",
};

static void count(struct demo_record *r, ssize_t n, const char *what)
{
	if (n < 0)
		die("%s: %s", what, strerror(errno));
	if (n > 0) {
		r->bytes += (size_t)n;
		r->ops++;
	}
}

enum { VEC, VMSPLICE, SENDFILE, SPLICED, TEED, V2, NPIPES };

static int run_pipe_calls(const struct demo_opts *o)
{
	static const char *const names[NPIPES] = {
		"writev/readv", "vmsplice", "sendfile/splice", "splice/tee+read", "tee/read",
		"pwritev2/preadv2",
	};
	int p[NPIPES][2], file;
	struct demo_record tx[NPIPES], rx[NPIPES], memfd, memfd_rx;
	size_t half = o->size / 2;
	char *buf = demo_message(o->size), *in = malloc(o->size ? o->size : 1);
	double start = now_s();

	name_process("pipe-calls");
	if (!in || o->size > 65536)
		die("pipe-calls moves at most 65536 bytes per call (one pipe buffer)");
	for (int k = 0; k < NPIPES; k++) {
		make_pipe(p[k]);
		record_init(&tx[k], "pipe", p[k][1], true);
		record_init(&rx[k], "pipe", p[k][0], false);
	}
	/* sendfile needs a file to read from. A memfd is shared memory in the
	 * making: its creation, the write that fills it and each sendfile out
	 * of it are its rows' (measured) bytes. */
	file = memfd_create("ipc-demo", MFD_CLOEXEC);
	record_init(&memfd, "mmap", file, true);
	record_init(&memfd_rx, "mmap", file, false);
	count(&memfd, file < 0 ? -1 : write(file, buf, o->size), "memfd");
	snprintf(memfd.object, sizeof(memfd.object), "memfd:ipc-demo");
	snprintf(memfd_rx.object, sizeof(memfd_rx.object), "memfd:ipc-demo");
	record_event(&memfd, "creates", 1);
	wait_for_go(o, "pipe-calls", NULL, 0);

	for (long i = 0; keep_sending(o, i, start); i++) {
		struct iovec out[2] = { { buf, half }, { buf + half, o->size - half } };
		struct iovec back[2] = { { in, half }, { in + half, o->size - half } };
		struct iovec whole = { in, o->size };
		off_t off = 0;

		count(&tx[VEC], writev(p[VEC][1], out, 2), "writev");
		count(&rx[VEC], readv(p[VEC][0], back, 2), "readv");

		whole.iov_base = buf;
		count(&tx[VMSPLICE], vmsplice(p[VMSPLICE][1], &whole, 1, 0), "vmsplice");
		whole.iov_base = in;
		count(&rx[VMSPLICE], vmsplice(p[VMSPLICE][0], &whole, 1, 0), "vmsplice");

		ssize_t sent = sendfile(p[SENDFILE][1], file, &off, o->size);

		count(&tx[SENDFILE], sent, "sendfile");
		count(&memfd_rx, sent, "sendfile");
		ssize_t moved = splice(p[SENDFILE][0], NULL, p[SPLICED][1], NULL, o->size, 0);

		count(&rx[SENDFILE], moved, "splice");
		count(&tx[SPLICED], moved, "splice");
		ssize_t copied = tee(p[SPLICED][0], p[TEED][1], o->size, 0);

		count(&rx[SPLICED], copied, "tee");
		count(&tx[TEED], copied, "tee");
		count(&rx[SPLICED], read(p[SPLICED][0], in, o->size), "read");
		count(&rx[TEED], read(p[TEED][0], in, o->size), "read");

		whole.iov_base = buf;
		count(&tx[V2], pwritev2(p[V2][1], &whole, 1, -1, 0), "pwritev2");
		whole.iov_base = in;
		count(&rx[V2], preadv2(p[V2][0], &whole, 1, -1, 0), "preadv2");
	}
	for (int k = 0; k < NPIPES; k++) {
		report(o, "pipe-calls", names[k], &tx[k]);
		report(o, "pipe-calls", names[k], &rx[k]);
	}
	report(o, "pipe-calls", "memfd", &memfd);
	report(o, "pipe-calls", "memfd", &memfd_rx);
	free(buf);
	free(in);
	return 0;
}

const struct demo pipe_calls_demo = {
	"pipe-calls", "one process, every transfer syscall: readv, vmsplice, splice, tee...",
	run_pipe_calls,
	/* For the tests: the pipe stop of the tour already explains pipes. */
	.types = NULL, .explain = NULL,
};

static int fifo_reader(const struct demo_opts *o, const char *path)
{
	struct demo_record r;
	int fd;

	name_process("fifo-reader");
	fd = open(path, O_RDONLY);	/* blocks until a writer opens */
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	record_init(&r, "fifo", fd, false);
	snprintf(r.object, sizeof(r.object), "%s", path);
	drain(fd, o->size, &r);
	close(fd);
	report(o, "fifo", "reader", &r);
	return 0;
}

static int fifo_writer(const struct demo_opts *o, const char *path, bool go_from_parent)
{
	struct demo_record r;
	char *buf = demo_message(o->size);
	double start;
	int fd;

	name_process("fifo-writer");
	fd = open(path, O_WRONLY);	/* blocks until a reader opens */
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	record_init(&r, "fifo", fd, true);
	snprintf(r.object, sizeof(r.object), "%s", path);
	if (go_from_parent) {
		/* With --wait, the parent says "ready" only once both ends are open. */
		gate_child_ready(o);
	} else {
		wait_for_go(o, "fifo", NULL, 0);
	}
	start = now_s();
	for (long i = 0; keep_sending(o, i, start); i++)
		send_msg(fd, buf, o->size, &r);
	close(fd);
	report(o, "fifo", "writer", &r);
	free(buf);
	return 0;
}

static int run_fifo(const struct demo_opts *o)
{
	char dir[] = "/tmp/ipc-demo.XXXXXX", path[sizeof(dir) + 8];
	pid_t kids[2];
	int failed;

	if (o->role && !o->path)
		die("--role needs --path: the FIFO both sides open");
	if (o->role && strcmp(o->role, "reader") == 0)
		return fifo_reader(o, o->path);
	if (o->role && strcmp(o->role, "writer") == 0)
		return fifo_writer(o, o->path, false);
	if (o->role)
		die("unknown role '%s': expected reader or writer", o->role);

	if (!mkdtemp(dir))
		die("mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600) != 0)
		die("mkfifo %s: %s", path, strerror(errno));
	gate_prepare();
	kids[0] = demo_fork();
	if (kids[0] == 0)
		exit(fifo_reader(o, path));
	kids[1] = demo_fork();
	if (kids[1] == 0)
		exit(fifo_writer(o, path, true));
	if (kids[0] < 0 || kids[1] < 0)
		die("fork: %s", strerror(errno));
	gate_open(o, "fifo", kids, 2, &kids[1], 1);
	failed = reap(kids, 2);
	unlink(path);
	rmdir(dir);
	return failed;
}

const struct demo fifo_demo = {
	"fifo", "a writer and a reader that meet only through a FIFO's name", run_fifo,
	.types = "fifo",
	.explain =
		"A FIFO, or named pipe, is a pipe with a name in the filesystem (mkfifo).\n"
		"Unrelated processes meet through that name: one opens it to write, another\n"
		"to read, and neither started the other. The data never touches the disk;\n"
		"only the name lives there.\n"
		"Look for: OBJECT is the FIFO's path; the writer and the reader are each\n"
		"other's PEERS, found through that path alone.",
};
