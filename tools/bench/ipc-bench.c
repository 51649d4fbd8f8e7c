// SPDX-License-Identifier: GPL-2.0
/*
 * ipc-bench: micro-workloads for `make bench`. Each one moves 64-byte
 * messages over one IPC mechanism in a tight loop and prints the nanoseconds
 * one iteration took, so that the harness can compare the same loop untraced
 * and under ipctrace, bpftrace or strace.
 *
 *   ipc-bench WORKLOAD [-n ITERS] [-d SEC] [-r RATE] [-s BYTES] [-f]
 *
 * Only the loop is timed (after a short warm-up), never process start-up or
 * set-up, so a tracer's per-syscall cost is what the figure moves by.
 *
 * Before it, the process sleeps once, 10 ms in a private futex (which
 * ipctrace does not count), as nearly every thread of a long-running program
 * has: a tracer may keep state for a thread once it slept in a call that
 * can wait on IPC, and what that costs is part of the figure (ipctrace's
 * task storage did, 2026-12-05). -f skips it: a process that never slept.
 *
 * Output, one line of key=value pairs:
 *   workload=pipe1 iters=200000 ns_per_op=512.3 ipc_ops=400000 seconds=0.102
 * An op is one iteration (pipe1: write + read; ping-pongs: a round trip);
 * ipc_ops counts the syscalls on the IPC object, which is what ipctrace's
 * OPS column counts for pipes, queues and sockets.
 */
#include <errno.h>
#include <linux/futex.h>
#include <fcntl.h>
#include <liburing.h>
#include <mqueue.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MAX_MSG 4096

struct opts {
	long iters;		/* timed iterations; with duration, ignored */
	double duration;	/* seconds; 0: run iters */
	double rate;		/* iterations per second; 0: flat out */
	size_t size;		/* bytes per message */
	bool fresh;		/* -f: no sleep before the loop */
	int sink;		/* forks: the descriptor children write into; -1: own pipe */
};

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("ipc-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errno)
		fprintf(stderr, ": %s", strerror(errno));
	fputc('\n', stderr);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Stream sockets may return less than asked: a short read is not a message. */
static void read_full(int fd, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("read");
		got += r;
	}
}

static void write_full(int fd, const char *buf, size_t n)
{
	if (write(fd, buf, n) != (ssize_t)n)
		die("write");
}

/*
 * The loop driver every workload shares: warm-up first (a tracer creates its
 * row and resolves its object on the first operation, a one-off cost that is
 * not what a user pays per operation), then the timed part, by count or by
 * time, paced if asked. The duration check reads the clock every 256
 * iterations so that it stays out of the figure.
 */
struct loop {
	const struct opts *o;
	long warm, done;
	double t0, t1;
};

typedef void (*step_fn)(void *ctx);

static void run_loop(struct loop *l, step_fn step, void *ctx)
{
	const struct opts *o = l->o;
	double end, next_batch;

	l->warm = o->iters / 20 < 1000 ? o->iters / 20 : 1000;
	for (long i = 0; i < l->warm; i++)
		step(ctx);
	l->done = 0;
	l->t0 = now_s();
	end = o->duration > 0 ? l->t0 + o->duration : 0;
	next_batch = l->t0;
	for (;;) {
		if (!end && l->done >= o->iters)
			break;
		if ((l->done & 255) == 0) {
			double t = now_s();

			if (end && t >= end)
				break;
			/* Pacing: 256 iterations, then wait for their share of time. */
			if (o->rate > 0) {
				next_batch += 256.0 / o->rate;
				while (now_s() < next_batch) {
					double gap = next_batch - now_s();
					struct timespec ts = { 0, (long)(gap * 1e9) };

					if (gap > 0)
						nanosleep(&ts, NULL);
				}
			}
		}
		step(ctx);
		l->done++;
	}
	l->t1 = now_s();
}

static void report(const char *name, struct loop *l, long syscalls_per_iter)
{
	double secs = l->t1 - l->t0;

	printf("workload=%s iters=%ld ns_per_op=%.1f ipc_ops=%ld seconds=%.3f warmup=%ld\n", name,
	       l->done, l->done ? secs * 1e9 / (double)l->done : 0.0, l->done * syscalls_per_iter,
	       secs, l->warm);
	fflush(stdout);
}

static pid_t fork_or_die(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)	/* a child must not outlive the harness */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return pid;
}

static void wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		errno = 0;
		die("child %d failed", pid);
	}
}

/* An echo child: reads a message, writes it back, until end of file. */
static void echo_child(int in, int out, size_t size)
{
	char buf[MAX_MSG];

	for (;;) {
		size_t got = 0;

		while (got < size) {
			ssize_t r = read(in, buf + got, size - got);

			if (r < 0 && errno == EINTR)
				continue;
			if (r == 0)
				_exit(0);
			if (r < 0)
				_exit(1);
			got += r;
		}
		if (write(out, buf, size) != (ssize_t)size)
			_exit(1);
	}
}

/* --- pipe1: one process writes into a pipe and reads it back --- */

struct fd_pair {
	int wr, rd;
	size_t size;
	char buf[MAX_MSG];
};

static void write_read_step(void *ctx)
{
	struct fd_pair *p = ctx;

	write_full(p->wr, p->buf, p->size);
	read_full(p->rd, p->buf, p->size);
}

static int bench_pipe1(const struct opts *o)
{
	struct fd_pair p = { .size = o->size };
	struct loop l = { .o = o };
	int fds[2];

	if (pipe(fds))
		die("pipe");
	p.rd = fds[0];
	p.wr = fds[1];
	run_loop(&l, write_read_step, &p);
	report("pipe1", &l, 2);
	return 0;
}

/*
 * --- pty: pipe1 through a pseudo-terminal ---
 * Written to the master, read from the slave, in raw mode: the line
 * discipline passes the bytes as they are, with no echo to read back.
 */
static int bench_pty(const struct opts *o)
{
	struct fd_pair p = { .size = o->size };
	struct loop l = { .o = o };
	struct termios t;
	int master = posix_openpt(O_RDWR | O_NOCTTY);

	if (master < 0 || grantpt(master) || unlockpt(master))
		die("posix_openpt: %s", strerror(errno));
	p.rd = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (p.rd < 0 || tcgetattr(p.rd, &t))
		die("the pty's slave: %s", strerror(errno));
	cfmakeraw(&t);
	if (tcsetattr(p.rd, TCSANOW, &t))
		die("tcsetattr: %s", strerror(errno));
	p.wr = master;
	run_loop(&l, write_read_step, &p);
	report("pty", &l, 2);
	return 0;
}

/*
 * --- uring: pipe1's write and read as io_uring requests ---
 * Linked, so one io_uring_enter() submits both and waits for both: two
 * requests counted per iteration, as pipe1's two calls are.
 */
struct uring_ctx {
	struct io_uring ring;
	int wr, rd;
	size_t size;
	char out[MAX_MSG], in[MAX_MSG];
};

static void uring_step(void *ctx)
{
	struct uring_ctx *u = ctx;
	struct io_uring_sqe *w = io_uring_get_sqe(&u->ring), *r = io_uring_get_sqe(&u->ring);
	struct io_uring_cqe *cqe;

	io_uring_prep_write(w, u->wr, u->out, (unsigned)u->size, (__u64)-1);
	w->flags |= IOSQE_IO_LINK;
	io_uring_prep_read(r, u->rd, u->in, (unsigned)u->size, (__u64)-1);
	if (io_uring_submit_and_wait(&u->ring, 2) != 2)
		die("io_uring_submit_and_wait");
	for (int i = 0; i < 2; i++) {
		if (io_uring_wait_cqe(&u->ring, &cqe) || cqe->res != (int)u->size)
			die("an io_uring request on the pipe");
		io_uring_cqe_seen(&u->ring, cqe);
	}
}

static int bench_uring(const struct opts *o)
{
	static struct uring_ctx u;
	struct loop l = { .o = o };
	int fds[2];

	if (pipe(fds) || io_uring_queue_init(4, &u.ring, 0))
		die("pipe or io_uring_queue_init");
	u.wr = fds[1];
	u.rd = fds[0];
	u.size = o->size;
	run_loop(&l, uring_step, &u);
	report("uring", &l, 2);
	io_uring_queue_exit(&u.ring);
	return 0;
}

/*
 * --- Not IPC: what the rest of the machine pays ---
 * null: getppid(), a syscall no module asks for: the hook's fixed cost.
 * file: write 64 B to /dev/null, read 64 B from /dev/zero: descriptors
 * that read and write see, resolved and then rejected as not IPC.
 */
static void null_step(void *ctx)
{
	(void)ctx;
	syscall(SYS_getppid);	/* glibc may cache some ids; never this one */
}

static int bench_null(const struct opts *o)
{
	struct loop l = { .o = o };

	run_loop(&l, null_step, NULL);
	report("null", &l, 0);
	return 0;
}

static int bench_file(const struct opts *o)
{
	struct fd_pair p = { .size = o->size };
	struct loop l = { .o = o };

	p.wr = open("/dev/null", O_WRONLY);
	p.rd = open("/dev/zero", O_RDONLY);
	if (p.wr < 0 || p.rd < 0)
		die("open /dev/null, /dev/zero");
	run_loop(&l, write_read_step, &p);
	report("file", &l, 0);
	return 0;
}

/*
 * spawn: fork, exec /bin/true, wait. The parent first maps a file
 * MAP_SHARED read-only, as every bash has (glibc's gconv-modules.cache):
 * that makes it, and every process it forks, one whose page faults
 * ipctrace looks at, and a fork and an exec are mostly page faults.
 */
static void spawn_step(void *ctx)
{
	pid_t pid;
	int status;

	(void)ctx;
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		errno = 0;
		die("/bin/true failed");
	}
}

static int bench_spawn(const struct opts *o)
{
	struct loop l = { .o = o };
	int fd = open("/proc/self/exe", O_RDONLY);
	volatile const char *map;

	map = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap /proc/self/exe");
	(void)map[0];
	fflush(stdout);
	run_loop(&l, spawn_step, NULL);
	report("spawn", &l, 0);
	return 0;
}

/*
 * Ping-pong between two processes over a pair of descriptors each way:
 * the parent writes, the child echoes, the parent reads. One op is a round
 * trip, four syscalls.
 */
static int ping_pong(const char *name, const struct opts *o, int p_wr, int p_rd, int c_rd,
		     int c_wr)
{
	struct fd_pair p = { .wr = p_wr, .rd = p_rd, .size = o->size };
	struct loop l = { .o = o };
	pid_t child = fork_or_die();

	if (child == 0) {
		close(p_wr);
		if (p_rd != p_wr)
			close(p_rd);
		echo_child(c_rd, c_wr, o->size);
	}
	close(c_rd);
	if (c_wr != c_rd)
		close(c_wr);
	run_loop(&l, write_read_step, &p);
	/* End of file tells the child to stop. */
	close(p_wr);
	if (p_rd != p_wr)
		close(p_rd);
	wait_child(child);
	report(name, &l, 4);
	return 0;
}

static int bench_pipe2(const struct opts *o)
{
	int to_child[2], to_parent[2];

	if (pipe(to_child) || pipe(to_parent))
		die("pipe");
	return ping_pong("pipe2", o, to_child[1], to_parent[0], to_child[0], to_parent[1]);
}

static int bench_unix(const struct opts *o)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	return ping_pong("unix", o, sv[0], sv[0], sv[1], sv[1]);
}

static int bench_tcp(const struct opts *o)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int one = 1, lfd, cfd, sfd;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen))
		die("tcp listen");
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&a, sizeof(a)))
		die("tcp connect");
	sfd = accept(lfd, NULL, NULL);
	if (sfd < 0)
		die("accept");
	close(lfd);
	/* Without it, Nagle holds each small reply back for the delayed ACK. */
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return ping_pong("tcp", o, cfd, cfd, sfd, sfd);
}

/* --- mq: one process sends a message and receives it back --- */

struct mq_ctx {
	mqd_t q;
	size_t size;
	char buf[MAX_MSG];
};

static void mq_step(void *ctx)
{
	struct mq_ctx *m = ctx;
	unsigned int prio;

	if (mq_send(m->q, m->buf, m->size, 1))
		die("mq_send");
	if (mq_receive(m->q, m->buf, MAX_MSG, &prio) != (ssize_t)m->size)
		die("mq_receive");
}

static int bench_mq(const struct opts *o)
{
	struct mq_attr attr = { .mq_maxmsg = 8, .mq_msgsize = MAX_MSG };
	struct mq_ctx m = { .size = o->size };
	struct loop l = { .o = o };
	char name[64];

	snprintf(name, sizeof(name), "/ipc-bench.%d", (int)getpid());
	m.q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	if (m.q == (mqd_t)-1)
		die("mq_open %s", name);
	/* The queue lives on while it is open: nothing left behind if killed. */
	mq_unlink(name);
	run_loop(&l, mq_step, &m);
	report("mq", &l, 2);
	mq_close(m.q);
	return 0;
}

/* --- msg: System V msgsnd and msgrcv, one process --- */

struct msg_ctx {
	int id;
	size_t size;
	struct {
		long mtype;
		char mtext[MAX_MSG];
	} m;
};

static void msg_step(void *ctx)
{
	struct msg_ctx *c = ctx;

	c->m.mtype = 1;
	if (msgsnd(c->id, &c->m, c->size, 0))
		die("msgsnd");
	if (msgrcv(c->id, &c->m, MAX_MSG, 0, 0) != (ssize_t)c->size)
		die("msgrcv");
}

static int bench_msg(const struct opts *o)
{
	struct msg_ctx c = { .size = o->size };
	struct loop l = { .o = o };

	c.id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (c.id < 0)
		die("msgget");
	run_loop(&l, msg_step, &c);
	msgctl(c.id, IPC_RMID, NULL);
	report("msg", &l, 2);
	return 0;
}

/*
 * --- shm: System V shared memory handed back and forth ---
 * Each turn, a process waits for its semaphore, attaches the segment,
 * touches it (a page fault: the mapping is new), detaches, and posts the
 * other's semaphore. One op is a round: both processes took a turn.
 */
struct shm_ctx {
	int shm, sem;
	unsigned short mine, theirs;
	size_t size;
	char buf[MAX_MSG];
};

static void sem_add(int sem, unsigned short num, short delta)
{
	struct sembuf b = { .sem_num = num, .sem_op = delta };

	while (semop(sem, &b, 1)) {
		if (errno != EINTR)
			die("semop");
	}
}

static void shm_turn(struct shm_ctx *c)
{
	char *p;

	sem_add(c->sem, c->mine, -1);
	p = shmat(c->shm, NULL, 0);
	if (p == (void *)-1)
		die("shmat");
	memcpy(p, c->buf, c->size);	/* the parent writes, the child reads */
	if (shmdt(p))
		die("shmdt");
	sem_add(c->sem, c->theirs, 1);
}

static void shm_step(void *ctx)
{
	shm_turn(ctx);
}

static int bench_shm(const struct opts *o)
{
	struct shm_ctx c = { .size = o->size, .mine = 0, .theirs = 1 };
	struct loop l = { .o = o };
	unsigned short init[2] = { 1, 0 };
	pid_t child;

	c.shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	c.sem = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	if (c.shm < 0 || c.sem < 0)
		die("shmget/semget");
	if (semctl(c.sem, 0, SETALL, init))
		die("semctl SETALL");
	child = fork_or_die();
	if (child == 0) {
		struct shm_ctx r = c;	/* reads semaphore 1's turns, posts 0 */
		volatile char sink = 0;

		/* The child's turns, inline: it stops when the parent removes
		 * the set (EIDRM) while it waits for its next turn. */
		for (;;) {
			struct sembuf b = { .sem_num = 1, .sem_op = -1 };
			char *p;

			if (semop(r.sem, &b, 1)) {
				if (errno == EINTR)
					continue;
				_exit(errno == EIDRM || errno == EINVAL ? 0 : 1);
			}
			p = shmat(r.shm, NULL, 0);
			if (p == (void *)-1)
				_exit(1);
			/* Into a volatile sink: a copy nobody reads would be
			 * optimised away, and with it the read fault. */
			memcpy(r.buf, p, r.size);
			sink += r.buf[r.size - 1];
			if (shmdt(p))
				_exit(1);
			b.sem_num = 0;
			b.sem_op = 1;
			if (semop(r.sem, &b, 1))
				_exit(errno == EIDRM || errno == EINVAL ? 0 : 1);
		}
	}
	run_loop(&l, shm_step, &c);
	/* Wait for the child's last turn, then removing the set wakes it. */
	sem_add(c.sem, 0, -1);
	semctl(c.sem, 0, IPC_RMID);
	shmctl(c.shm, IPC_RMID, NULL);
	wait_child(child);
	/* Per round: shmat, shmdt and two semops in each process. */
	report("shm", &l, 8);
	return 0;
}

/*
 * --- forks: a fork storm ---
 * Each iteration makes a process that writes one byte into a pipe and
 * exits, and waits for it. vfork: the child borrows the parent's memory
 * instead of copying its page tables, so that a VM whose fork() costs
 * milliseconds still makes thousands of processes a second, as a busy
 * build or shell-script host does. With -w FD the children write into FD
 * (someone else reads it); else into a pipe of this process, read back.
 */
struct forks_ctx {
	int wr, rd;
};

static void forks_step(void *ctx)
{
	struct forks_ctx *c = ctx;
	pid_t pid = vfork();
	char x;

	if (pid < 0)
		die("vfork");
	if (pid == 0) {
		if (write(c->wr, "c", 1) != 1)
			_exit(1);
		_exit(0);
	}
	wait_child(pid);
	if (c->rd >= 0)
		read_full(c->rd, &x, 1);
}

static int bench_forks(const struct opts *o)
{
	struct forks_ctx c = { .wr = o->sink, .rd = -1 };
	struct loop l = { .o = o };
	int p[2];

	if (o->sink < 0) {
		if (pipe(p))
			die("pipe");
		c.rd = p[0];
		c.wr = p[1];
	}
	run_loop(&l, forks_step, &c);
	report("forks", &l, c.rd >= 0 ? 2 : 1);
	return 0;
}

/*
 * --- many-pipes: N live pipes, for the refresh cost ---
 * N pipes held open and one byte written into each, once a second, until
 * the duration ends: N live rows for ipctrace to read, rate and print every
 * interval. One process holds as many as its descriptor limit allows (2 per
 * pipe); raising the hard limit needs CAP_SYS_RESOURCE, which a container's
 * root may lack, so more pipes than fit go to forked helpers. Prints
 * "ready" once every pipe has been written.
 */
static void hold_pipes(long n, double end, int ready_fd)
{
	int (*fds)[2] = calloc(n, sizeof(*fds));

	if (!fds)
		die("calloc");
	for (long i = 0; i < n; i++)
		if (pipe(fds[i]))
			die("pipe %ld of %ld", i, n);
	for (int round = 0; now_s() < end; round++) {
		double next = now_s() + 1;

		for (long i = 0; i < n; i++)
			write_full(fds[i][1], "x", 1);
		if (round == 0)
			write_full(ready_fd, "r", 1);
		while (now_s() < next && now_s() < end)
			usleep(10000);
	}
}

static int bench_many_pipes(const struct opts *o)
{
	double end = now_s() + (o->duration > 0 ? o->duration : 10);
	long n = o->iters, per, left;
	struct rlimit rl;
	int ready[2], procs = 0;
	char c;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit");
	per = ((long)rl.rlim_max - 64) / 2;
	if (per < 1 || pipe(ready))
		die("descriptor limit %ld too low", (long)rl.rlim_max);
	for (left = n; left > 0; left -= per, procs++) {
		pid_t pid = fork_or_die();

		if (pid == 0) {
			close(ready[0]);
			hold_pipes(left < per ? left : per, end, ready[1]);
			_exit(0);
		}
	}
	close(ready[1]);
	for (int i = 0; i < procs; i++)
		if (read(ready[0], &c, 1) != 1)
			die("a helper holding pipes failed");
	printf("ready pipes=%ld processes=%d\n", n, procs);
	fflush(stdout);
	while (wait(NULL) > 0)
		;
	printf("workload=many-pipes pipes=%ld processes=%d\n", n, procs);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(const struct opts *o);
	const char *what;
} workloads[] = {
	{ "pipe1", bench_pipe1, "one process: write 64 B into a pipe, read it back" },
	{ "uring", bench_uring, "pipe1 as two linked io_uring requests, one io_uring_enter" },
	{ "pty", bench_pty, "pipe1 through a pseudo-terminal: master to slave, raw mode" },
	{ "pipe2", bench_pipe2, "two processes ping-pong over two pipes" },
	{ "mq", bench_mq, "POSIX queue: mq_send then mq_receive, one process" },
	{ "msg", bench_msg, "System V queue: msgsnd then msgrcv, one process" },
	{ "unix", bench_unix, "two processes ping-pong over a unix socketpair" },
	{ "tcp", bench_tcp, "two processes ping-pong over TCP on 127.0.0.1" },
	{ "shm", bench_shm, "System V segment: shmat, touch, shmdt; semaphore hand-off" },
	{ "null", bench_null, "getppid(): a syscall ipctrace does not trace" },
	{ "spawn", bench_spawn, "fork + exec /bin/true + wait, holding a shared file map" },
	{ "file", bench_file, "write 64 B to /dev/null, read 64 B from /dev/zero" },
	{ "many-pipes", bench_many_pipes, "-n pipes held open, one byte into each per second" },
	{ "forks", bench_forks, "vfork a child writing one byte into a pipe, wait for it" },
};

/* A wait on a private futex word that nobody wakes: it times out. */
static void sleep_once(void)
{
	struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
	int word = 0;

	syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ipc-bench WORKLOAD [-n ITERS] [-d SEC] [-r RATE] [-s BYTES] [-f] [-w FD]\n"
		   "  -n  timed iterations (default 100000; many-pipes: pipes)\n"
		   "  -d  run for SEC seconds instead\n"
		   "  -r  iterations per second (paced); default flat out\n"
		   "  -s  bytes per message (default 64)\n"
		   "  -f  fresh: skip the 10 ms futex sleep before the loop\n"
		   "  -w  forks: children write into descriptor FD (default: a pipe of its own)\n"
		   "workloads:\n");
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		fprintf(f, "  %-11s %s\n", workloads[i].name, workloads[i].what);
}

static double parse_num(const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || v < 0) {
		errno = 0;
		die("bad %s: %s", what, s);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct opts o = { .iters = 100000, .size = 64, .sink = -1 };
	int c;

	if (argc < 2 || argv[1][0] == '-') {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	optind = 2;
	while ((c = getopt(argc, argv, "n:d:r:s:w:fh")) != -1) {
		switch (c) {
		case 'f':
			o.fresh = true;
			break;
		case 'n':
			o.iters = (long)parse_num(optarg, "iteration count");
			break;
		case 'd':
			o.duration = parse_num(optarg, "duration");
			break;
		case 'r':
			o.rate = parse_num(optarg, "rate");
			break;
		case 's':
			o.size = (size_t)parse_num(optarg, "size");
			if (o.size < 1 || o.size > MAX_MSG)
				die("size must be 1..%d", MAX_MSG);
			break;
		case 'w':
			o.sink = (int)parse_num(optarg, "descriptor");
			if (fcntl(o.sink, F_GETFD) < 0)
				die("-w %d: not an open descriptor", o.sink);
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	/* A read end closed by a dying peer must be an error, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		if (strcmp(argv[1], workloads[i].name) == 0) {
			if (!o.fresh)
				sleep_once();
			return workloads[i].run(&o);
		}
	fprintf(stderr, "ipc-bench: unknown workload %s\n", argv[1]);
	usage(stderr);
	return 2;
}
