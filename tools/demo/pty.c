// SPDX-License-Identifier: GPL-2.0
/*
 * pty, the demo side of the pty module (bpf/filetype/pty.bpf.h,
 * user/mechanisms/pty.c).
 *
 * pty: the parent opens a pseudo-terminal and writes messages to its master;
 *   a child on the slave reads what arrives and writes it back, and the
 *   parent reads each message back before it writes the next. The slave is
 *   in raw mode, so that the line discipline neither echoes nor rewrites a
 *   byte and each end reads exactly what the other wrote.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "demo.h"

/* A raw terminal's read buffer (N_TTY_BUF_SIZE): a larger message would
 * fill it while the parent still writes, and the echo would wait forever. */
#define PTY_MAX_MSG 4096

/* As ipctrace names each end: by the pty's index (include/ipctrace.h). */
static void pty_record(struct demo_record *r, unsigned int index, bool master, bool tx)
{
	unsigned long long slave_ino = index, master_ino = index | 1ULL << 32;

	record_init(r, "pty", -1, tx);
	r->endpoint = true;
	r->ino = master ? master_ino : slave_ino;
	snprintf(r->object, sizeof(r->object), "/dev/pts/%u%s", index, master ? " (master)" : "");
	record_peer(r, master ? slave_ino : master_ino);
}

/* The slave's side: echo what arrives until the master closes. */
static int pty_echo(const struct demo_opts *o, int slave, unsigned int index)
{
	struct demo_record rx, tx;
	char *buf = malloc(o->size);

	name_process("pty-echo");
	if (!buf)
		die("out of memory");
	pty_record(&rx, index, false, false);
	pty_record(&tx, index, false, true);
	gate_child_ready(o);
	for (;;) {
		ssize_t n = read(slave, buf, o->size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)	/* the master closed: EIO, or 0 once hung up */
			break;
		rx.bytes += (size_t)n;
		rx.ops++;
		send_msg(slave, buf, (size_t)n, &tx);
	}
	report(o, "pty", "echo", &rx);
	report(o, "pty", "echo", &tx);
	free(buf);
	return 0;
}

static int pty_terminal(const struct demo_opts *o, int master, unsigned int index)
{
	struct demo_record tx, rx;
	char *msg = malloc(o->size), *back = malloc(o->size);
	double start = now_s();

	if (!msg || !back)
		die("out of memory");
	pty_record(&tx, index, true, true);
	pty_record(&rx, index, true, false);
	memset(msg, 'p', o->size);
	for (long i = 0; keep_sending(o, i, start); i++) {
		send_msg(master, msg, o->size, &tx);
		if (recv_msg(master, back, o->size, &rx) != o->size)
			die("the echo on the slave stopped");
	}
	report(o, "pty", "terminal", &tx);
	report(o, "pty", "terminal", &rx);
	free(msg);
	free(back);
	return 0;
}

static int run_pty(const struct demo_opts *o)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), slave;
	unsigned int index;
	struct termios raw;
	pid_t kid;
	int rc;

	if (o->size > PTY_MAX_MSG)
		die("pty: -s is at most %d (a terminal's read buffer)", PTY_MAX_MSG);
	if (master < 0 || grantpt(master) || unlockpt(master) || ioctl(master, TIOCGPTN, &index))
		die("a pseudo-terminal: %s", strerror(errno));
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 || tcgetattr(slave, &raw))
		die("%s: %s", ptsname(master), strerror(errno));
	cfmakeraw(&raw);
	if (tcsetattr(slave, TCSANOW, &raw))
		die("raw mode: %s", strerror(errno));
	gate_prepare();
	kid = demo_fork();
	if (kid < 0)
		die("fork: %s", strerror(errno));
	if (kid == 0) {
		close(master);
		exit(pty_echo(o, slave, index));
	}
	/* Each end has one holder, so that each is the other's only peer. */
	close(slave);
	gate_open(o, "pty", &kid, 1, &kid, 1);
	rc = pty_terminal(o, master, index);
	close(master);
	return reap(&kid, 1) || rc;
}

const struct demo pty_demo = {
	"pty", "a terminal writing to a pty's master, a child on its slave echoing back",
	run_pty,
	.types = "pty",
	.explain =
		"A pseudo-terminal (pty) is a pair of devices joined by the kernel's\n"
		"terminal layer: what is written to the master is read from the slave,\n"
		"/dev/pts/N, and the other way round. A shell runs on the slave as if on\n"
		"a real terminal, and whoever holds the master is the terminal: a\n"
		"terminal emulator, sshd, tmux, script(1). Every keystroke and every\n"
		"line of output crosses it.\n"
		"Look for: OBJECT /dev/pts/N (master) and /dev/pts/N, one row per end and\n"
		"direction; the terminal's writes equal the echo's reads, and the other\n"
		"way round, and each end's PEERS is the process at the other end.",
};
