// SPDX-License-Identifier: GPL-2.0
/*
 * eventfd, the demo side of the eventfd module (bpf/filetype/eventfd.bpf.h,
 * user/mechanisms/eventfd.c).
 *
 * eventfd: a writer and a reader that inherit two eventfds from their parent,
 *   the way an event loop is woken. The writer adds the values 1 to 7 in
 *   turn to the first, with write() and writev() alternately; the reader
 *   polls both and reads the first's count, with read() and readv(), which
 *   takes everything added since its last read. So the reads are fewer than
 *   the writes when the writer runs ahead, and their values add up to the
 *   same. At the end the writer adds 1 to the second, a semaphore (each read
 *   takes 1), and the reader, woken by it, takes what is left and stops.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include "demo.h"

/* As ipctrace names it: by the eventfd-id /proc/PID/fdinfo shows. */
void efd_record(struct demo_record *r, int fd, bool tx)
{
	char path[64], line[128];
	long long id = -1;
	FILE *f;

	record_init(r, "eventfd", -1, tx);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "eventfd-id: %lld", &id) == 1)
			break;
	fclose(f);
	if (id < 0)
		die("%s has no eventfd-id (Linux 5.2 or later has one)", path);
	r->ino = (unsigned long long)id;
	snprintf(r->object, sizeof(r->object), "eventfd:[%lld]", id);
	record_event(r, tx ? "added" : "consumed", 0);
}

/* One 8-byte write or read, plain or vectored: an op of 8 bytes. */
static void efd_write(int fd, uint64_t value, bool vectored, struct demo_record *r)
{
	struct iovec iov = { &value, sizeof(value) };
	ssize_t n;

	do
		n = vectored ? writev(fd, &iov, 1) : write(fd, &value, sizeof(value));
	while (n < 0 && errno == EINTR);
	if (n != sizeof(value))
		die("write to an eventfd: %s", n < 0 ? strerror(errno) : "short");
	r->bytes += sizeof(value);
	r->ops++;
	record_event(r, "added", value);
}

static uint64_t efd_read(int fd, bool vectored, struct demo_record *r)
{
	uint64_t value;
	struct iovec iov = { &value, sizeof(value) };
	ssize_t n;

	do
		n = vectored ? readv(fd, &iov, 1) : read(fd, &value, sizeof(value));
	while (n < 0 && errno == EINTR);
	if (n != sizeof(value))
		die("read from an eventfd: %s", n < 0 ? strerror(errno) : "short");
	r->bytes += sizeof(value);
	r->ops++;
	record_event(r, "consumed", value);
	return value;
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static int efd_writer(const struct demo_opts *o, int counter, int done)
{
	struct demo_record w_counter, w_done;
	double start;

	name_process("efd-writer");
	efd_record(&w_counter, counter, true);
	efd_record(&w_done, done, true);
	gate_child_ready(o);
	start = now_s();
	for (long i = 0; keep_sending(o, i, start); i++)
		efd_write(counter, (uint64_t)(i % 7 + 1), i % 2, &w_counter);
	efd_write(done, 1, false, &w_done);
	report(o, "eventfd", "writer", &w_counter);
	report(o, "eventfd", "writer", &w_done);
	return 0;
}

static int efd_reader(const struct demo_opts *o, int counter, int done)
{
	struct demo_record r_counter, r_done;
	struct pollfd fds[2] = { { .fd = counter, .events = POLLIN }, { .fd = done, .events = POLLIN } };
	long reads = 0;

	name_process("efd-reader");
	efd_record(&r_counter, counter, false);
	efd_record(&r_done, done, false);
	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (fds[0].revents & POLLIN)
			efd_read(counter, reads++ % 2, &r_counter);
		if (fds[1].revents & POLLIN) {
			efd_read(done, false, &r_done);
			/* The writer added its last value before this: take it. */
			if (readable(counter))
				efd_read(counter, false, &r_counter);
			break;
		}
	}
	report(o, "eventfd", "reader", &r_counter);
	report(o, "eventfd", "reader", &r_done);
	return 0;
}

static int run_eventfd(const struct demo_opts *o)
{
	int counter = eventfd(0, EFD_CLOEXEC), done = eventfd(0, EFD_CLOEXEC | EFD_SEMAPHORE);
	pid_t kids[2];

	if (counter < 0 || done < 0)
		die("eventfd: %s", strerror(errno));
	gate_prepare();
	kids[0] = demo_fork();
	if (kids[0] == 0)
		exit(efd_reader(o, counter, done));
	kids[1] = demo_fork();
	if (kids[1] == 0)
		exit(efd_writer(o, counter, done));
	if (kids[0] < 0 || kids[1] < 0)
		die("fork: %s", strerror(errno));
	/* Only the two ends hold them: a third holder would be a peer of both. */
	close(counter);
	close(done);
	gate_open(o, "eventfd", kids, 2, &kids[1], 1);
	return reap(kids, 2);
}

const struct demo eventfd_demo = {
	"eventfd", "a writer adding to an eventfd, a reader polling it and taking the count",
	run_eventfd,
	.types = "eventfd",
	.explain =
		"An eventfd is a 64-bit counter behind a file descriptor: write() adds to\n"
		"it, read() takes the whole count and resets it, and poll() says when it\n"
		"is not zero. It carries no data, only \"something happened, this many\n"
		"times\": event loops, thread pools and virtual machines use it to wake\n"
		"each other.\n"
		"Look for: OBJECT eventfd:[N]; the writer's ops and the reader's fewer\n"
		"reads, each taking several writes at once: DETAIL's added and consumed\n"
		"are equal though the op counts are not.",
};
