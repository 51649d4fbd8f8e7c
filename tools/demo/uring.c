// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring, the demo of io_uring's requests (bpf/uring.bpf.h): the objects
 * of the other demos, moved through a ring instead of syscalls.
 *
 * io_uring: a writer submits every write through its ring (liburing): to a
 *   pipe and a socketpair that a reader also reads through a ring of its
 *   own; to a second pipe (vectored) and an eventfd that a plain reader
 *   takes with read(); over a TCP connection the plain reader accepts and
 *   receives from with recv(). Each pipe, socket and eventfd is counted under
 *   its own type, whichever way its bytes went, and once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include "demo.h"

enum uring_op { U_READ, U_WRITE, U_WRITEV, U_SEND, U_RECV };

/* Socket ends, for check.py to pair the TCP connection's two records. */
enum { END_CLIENT = 1, END_SERVER = 2 };

/* One request, submitted and waited for: its result, as a syscall's. */
static int uring_do(struct io_uring *ring, enum uring_op op, int fd, void *buf, size_t len)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct iovec iov[2] = { { buf, len / 2 }, { (char *)buf + len / 2, len - len / 2 } };
	struct io_uring_cqe *cqe;
	int ret;

	if (!sqe)
		die("io_uring: no free submission entry");
	switch (op) {
	case U_READ: io_uring_prep_read(sqe, fd, buf, (unsigned)len, (__u64)-1); break;
	case U_WRITE: io_uring_prep_write(sqe, fd, buf, (unsigned)len, (__u64)-1); break;
	case U_WRITEV: io_uring_prep_writev(sqe, fd, iov, 2, (__u64)-1); break;
	case U_SEND: io_uring_prep_send(sqe, fd, buf, len, MSG_NOSIGNAL); break;
	case U_RECV: io_uring_prep_recv(sqe, fd, buf, len, 0); break;
	}
	ret = io_uring_submit_and_wait(ring, 1);
	if (ret < 0)
		die("io_uring_submit_and_wait: %s", strerror(-ret));
	while ((ret = io_uring_wait_cqe(ring, &cqe)) == -EINTR)
		;
	if (ret < 0)
		die("io_uring_wait_cqe: %s", strerror(-ret));
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	if (ret < 0)
		die("an io_uring request on descriptor %d: %s", fd, strerror(-ret));
	return ret;
}

/* A request that moved n > 0 bytes is one operation, as a call would be. */
static void count(struct demo_record *r, int n)
{
	r->bytes += (unsigned long long)n;
	r->ops++;
}

/* All of a message, in as many requests as it takes. */
static void uring_send_all(struct io_uring *ring, enum uring_op op, int fd, char *buf,
			   size_t size, struct demo_record *r)
{
	for (size_t done = 0; done < size;) {
		int n = uring_do(ring, op, fd, buf + done, size - done);

		if (n == 0)
			die("an io_uring write moved nothing");
		count(r, n);
		done += (size_t)n;
	}
}

/* Until end of file. */
static void uring_drain(struct io_uring *ring, enum uring_op op, int fd, size_t size,
			struct demo_record *r)
{
	char *buf = malloc(size);
	int n;

	if (!buf)
		die("out of memory");
	while ((n = uring_do(ring, op, fd, buf, size)) > 0)
		count(r, n);
	free(buf);
}

static void ring_init(struct io_uring *ring)
{
	int ret = io_uring_queue_init(4, ring, 0);

	if (ret < 0)
		die("io_uring_queue_init: %s (is kernel.io_uring_disabled set?)", strerror(-ret));
}

static void pair_record(struct demo_record *r, int fd, unsigned long long other, bool tx)
{
	sock_record(r, "unix", fd, tx);
	snprintf(r->object, sizeof(r->object), "unix:socketpair");
	record_peer(r, other);
}

static unsigned long long ino_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		die("fstat: %s", strerror(errno));
	return st.st_ino;
}

/* The reader through a ring: the first pipe, then the socketpair. */
static int uring_reader(const struct demo_opts *o, int pipe_rd, int sock,
			unsigned long long other)
{
	struct demo_record r_pipe, r_sock;
	struct io_uring ring;

	name_process("uring-reader");
	ring_init(&ring);
	record_init(&r_pipe, "pipe", pipe_rd, false);
	pair_record(&r_sock, sock, other, false);
	uring_drain(&ring, U_READ, pipe_rd, o->size, &r_pipe);
	uring_drain(&ring, U_RECV, sock, o->size, &r_sock);
	io_uring_queue_exit(&ring);
	report(o, "io_uring", "uring-reader", &r_pipe);
	report(o, "io_uring", "uring-reader", &r_sock);
	return 0;
}

/* The reader with syscalls: the second pipe, the eventfd's whole count once
 * the pipe has ended (the writer added everything before), then TCP. */
static int plain_reader(const struct demo_opts *o, int pipe_rd, int efd, int listener)
{
	struct demo_record r_pipe, r_efd, r_listen, r_tcp;
	char name[160];
	uint64_t value;
	int conn;

	name_process("plain-reader");
	record_init(&r_pipe, "pipe", pipe_rd, false);
	efd_record(&r_efd, efd, false);
	drain(pipe_rd, o->size, &r_pipe);
	/* Non-blocking: the writer may have added nothing (-n 0, a short -d). */
	if (read(efd, &value, sizeof(value)) == sizeof(value)) {
		count(&r_efd, sizeof(value));
		record_event(&r_efd, "consumed", value);
	} else if (errno != EAGAIN) {
		die("read from an eventfd: %s", strerror(errno));
	}
	sock_record(&r_listen, "tcp", listener, false);
	inet_object(listener, "tcp", true, r_listen.object, sizeof(r_listen.object));
	conn = accept(listener, NULL, NULL);
	if (conn < 0)
		die("accept: %s", strerror(errno));
	record_event(&r_listen, "accepts", 1);
	sock_record(&r_tcp, "tcp", conn, false);
	record_end(&r_tcp, END_SERVER);
	record_peer_end(&r_tcp, END_CLIENT);
	inet_object(conn, "tcp", false, name, sizeof(name));
	drain(conn, o->size, &r_tcp);
	snprintf(r_tcp.object, sizeof(r_tcp.object), "%s", name);
	report(o, "io_uring", "plain-reader", &r_pipe);
	report(o, "io_uring", "plain-reader", &r_efd);
	report(o, "io_uring", "plain-reader", &r_listen);
	report(o, "io_uring", "plain-reader", &r_tcp);
	return 0;
}

/* Over TCP to the listener at a, through the ring. */
static void uring_tcp(const struct demo_opts *o, struct io_uring *ring,
		      const struct sockaddr_in *a, char *buf, struct demo_record *r)
{
	char name[160];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)a, sizeof(*a)) != 0)
		die("connect to the plain reader: %s", strerror(errno));
	sock_record(r, "tcp", fd, true);
	record_end(r, END_CLIENT);
	record_peer_end(r, END_SERVER);
	record_event(r, "connects", 1);
	inet_object(fd, "tcp", false, name, sizeof(name));
	double start = now_s();

	for (long i = 0; keep_sending(o, i, start); i++)
		uring_send_all(ring, U_SEND, fd, buf, o->size, r);
	snprintf(r->object, sizeof(r->object), "%s", name);
	close(fd);
}

struct uring_fds {
	int pipe_a[2], pipe_b[2], pair[2], efd, listener;
	unsigned long long pair_ino[2];
	struct sockaddr_in addr;
};

static void make_fds(struct uring_fds *f)
{
	socklen_t len = sizeof(f->addr);

	if (pipe(f->pipe_a) || pipe(f->pipe_b) || socketpair(AF_UNIX, SOCK_STREAM, 0, f->pair))
		die("pipe/socketpair: %s", strerror(errno));
	f->pair_ino[0] = ino_of(f->pair[0]);
	f->pair_ino[1] = ino_of(f->pair[1]);
	f->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->listener = socket(AF_INET, SOCK_STREAM, 0);
	memset(&f->addr, 0, sizeof(f->addr));
	f->addr.sin_family = AF_INET;
	f->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (f->efd < 0 || f->listener < 0 ||
	    bind(f->listener, (struct sockaddr *)&f->addr, sizeof(f->addr)) ||
	    listen(f->listener, 1) || getsockname(f->listener, (struct sockaddr *)&f->addr, &len))
		die("eventfd/listener: %s", strerror(errno));
}

/* The writer: every write a request of its ring. Five phases, each with a
 * fifth of -d. */
static void uring_writer(const struct demo_opts *all, const struct uring_fds *f)
{
	struct demo_record w_a, w_pair, w_efd, w_b, w_tcp;
	struct demo_opts phase = *all, *o = &phase;
	char *buf = demo_message(all->size);
	struct io_uring ring;
	double start;
	long i;

	name_process("uring-writer");
	ring_init(&ring);
	record_init(&w_a, "pipe", f->pipe_a[1], true);
	pair_record(&w_pair, f->pair[0], f->pair_ino[1], true);
	efd_record(&w_efd, f->efd, true);
	record_init(&w_b, "pipe", f->pipe_b[1], true);
	phase.duration = all->duration / 5;
	for (i = 0, start = now_s(); keep_sending(o, i, start); i++)
		uring_send_all(&ring, U_WRITE, f->pipe_a[1], buf, o->size, &w_a);
	close(f->pipe_a[1]);
	for (i = 0, start = now_s(); keep_sending(o, i, start); i++)
		uring_send_all(&ring, U_SEND, f->pair[0], buf, o->size, &w_pair);
	/* The end of the stream, with the socket kept open until the reader
	 * has gone: a socketpair's end is named as one while its peer lives. */
	shutdown(f->pair[0], SHUT_WR);
	for (i = 0, start = now_s(); keep_sending(o, i, start); i++) {
		uint64_t value = (uint64_t)(i % 7 + 1);

		if (uring_do(&ring, U_WRITE, f->efd, &value, sizeof(value)) != sizeof(value))
			die("a short write to an eventfd");
		count(&w_efd, sizeof(value));
		record_event(&w_efd, "added", value);
	}
	close(f->efd);
	for (i = 0, start = now_s(); keep_sending(o, i, start); i++)
		uring_send_all(&ring, U_WRITEV, f->pipe_b[1], buf, o->size, &w_b);
	close(f->pipe_b[1]);
	uring_tcp(o, &ring, &f->addr, buf, &w_tcp);
	io_uring_queue_exit(&ring);
	report(o, "io_uring", "uring-writer", &w_a);
	report(o, "io_uring", "uring-writer", &w_pair);
	report(o, "io_uring", "uring-writer", &w_efd);
	report(o, "io_uring", "uring-writer", &w_b);
	report(o, "io_uring", "uring-writer", &w_tcp);
	free(buf);
}

/*
 * --role unseen: -n writes of -s bytes to a pipe, each submitted with
 * IOSQE_CQE_SKIP_SUCCESS, so that none posts a completion, and read by a
 * child with read(). What ipctrace cannot count, and says in lost.uring:
 * only the reader reports.
 */
static int run_unseen(const struct demo_opts *o)
{
	struct demo_record r;
	struct io_uring ring;
	char *buf = demo_message(o->size);
	int fds[2];
	pid_t kid;

	if ((size_t)o->count * o->size > 65536)
		die("--role unseen: at most 65536 bytes in all (one pipe buffer)");
	if (pipe(fds))
		die("pipe: %s", strerror(errno));
	kid = demo_fork();
	if (kid < 0)
		die("fork: %s", strerror(errno));
	if (kid == 0) {
		name_process("unseen-reader");
		close(fds[1]);
		record_init(&r, "pipe", fds[0], false);
		drain(fds[0], o->size, &r);
		report(o, "io_uring", "unseen-reader", &r);
		exit(0);
	}
	name_process("unseen-writer");
	close(fds[0]);
	ring_init(&ring);
	for (long i = 0; i < o->count; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		io_uring_prep_write(sqe, fds[1], buf, (unsigned)o->size, (__u64)-1);
		sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
		if (io_uring_submit(&ring) != 1)
			die("io_uring_submit");
	}
	/* A last request, with a completion: the ring keeps order for none, but
	 * writes into a pipe with room complete as they are submitted. */
	if (uring_do(&ring, U_WRITE, fds[1], buf, 0) != 0)
		die("an empty io_uring write");
	io_uring_queue_exit(&ring);
	close(fds[1]);
	free(buf);
	return reap(&kid, 1);
}

static int run_uring(const struct demo_opts *o)
{
	struct uring_fds f;
	pid_t kids[2];

	if (o->role && strcmp(o->role, "unseen") == 0)
		return run_unseen(o);
	if (o->role)
		die("io_uring: --role is unseen or nothing");

	make_fds(&f);
	/* Each process keeps only its own ends: a holder of an end it never
	 * uses would be a peer ipctrace shows. */
	kids[0] = demo_fork();
	if (kids[0] == 0) {
		close(f.pipe_a[1]);
		close(f.pipe_b[0]);
		close(f.pipe_b[1]);
		close(f.pair[0]);
		close(f.efd);
		close(f.listener);
		exit(uring_reader(o, f.pipe_a[0], f.pair[1], f.pair_ino[0]));
	}
	kids[1] = demo_fork();
	if (kids[1] == 0) {
		close(f.pipe_a[0]);
		close(f.pipe_a[1]);
		close(f.pipe_b[1]);
		close(f.pair[0]);
		close(f.pair[1]);
		exit(plain_reader(o, f.pipe_b[0], f.efd, f.listener));
	}
	if (kids[0] < 0 || kids[1] < 0)
		die("fork: %s", strerror(errno));
	close(f.pipe_a[0]);
	close(f.pipe_b[0]);
	close(f.pair[1]);
	close(f.listener);
	wait_for_go(o, "io_uring", kids, 2);
	uring_writer(o, &f);
	if (reap(kids, 2))
		return 1;
	close(f.pair[0]);
	return 0;
}

const struct demo uring_demo = {
	"io_uring", "pipes, a socketpair, an eventfd and TCP written through io_uring",
	run_uring,
	.types = "pipe,eventfd,unix,tcp",
	.explain =
		"io_uring is a pair of rings a process shares with the kernel: it puts\n"
		"requests (read this descriptor, write that one) in one ring and takes\n"
		"their results from the other, with no read() or write() call per\n"
		"operation, sometimes with no syscall at all. A tracer that watches\n"
		"syscalls sees none of this traffic; ipctrace counts each request as it\n"
		"completes, under the object it moved bytes through: a pipe written\n"
		"through a ring is a pipe, and its reader its peer, ring or not.\n"
		"Look for: uring-writer's tx rows on two pipes, a socketpair, an eventfd\n"
		"and a TCP connection; uring-reader reading through its own ring and\n"
		"plain-reader with read(), each the writer's peer; the bytes once each.",
};
