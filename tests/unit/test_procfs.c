// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/io_uring.h>
#include <sys/wait.h>
#include "unit.h"
#include <fnmatch.h>
#include "model/glob.h"
#include "model/procfs.h"
#include "model/holders.h"
#include "model/mechanism.h"

/* The mode of one of this process's descriptors, as a scan reads it. */
static unsigned int scanned_mode(int fd)
{
	char name[16], link[64];
	int dirfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ssize_t n;
	unsigned int mode;

	assert_true(dirfd >= 0);
	snprintf(name, sizeof(name), "%d", fd);
	n = readlinkat(dirfd, name, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	struct fd_ref ref = { .pid = getpid(), .fd = fd, .link = link, .fdname = name,
			      .dirfd = dirfd };
	mode = proc_fd_ref_mode(&ref);
	close(dirfd);
	return mode;
}

/*
 * proc_fd_ref_mode() takes a socket as held for reading and writing without
 * asking: the kernel's fact it rests on is checked here, for sockets made
 * every way (fdinfo's flags), and the scan's answer for a pipe's two ends.
 */
static void test_socket_modes(void **state)
{
	int sv[2], p[2], lis, cli, acc, fds[6];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	lis = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(lis, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lis, 1), 0);
	assert_int_equal(getsockname(lis, (struct sockaddr *)&a, &len), 0);
	cli = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	connect(cli, (struct sockaddr *)&a, sizeof(a));
	acc = accept4(lis, NULL, NULL, SOCK_CLOEXEC);
	assert_true(acc >= 0);
	assert_int_equal(shutdown(acc, SHUT_WR), 0);
	memcpy(fds, (int[]){ sv[0], sv[1], lis, cli, acc, sv[0] }, sizeof(fds));
	for (int i = 0; i < 5; i++) {
		assert_int_equal(proc_fd_mode(getpid(), fds[i]), HOLD_READ | HOLD_WRITE);
		assert_int_equal(scanned_mode(fds[i]), HOLD_READ | HOLD_WRITE);
	}
	assert_int_equal(scanned_mode(p[0]), HOLD_READ);
	assert_int_equal(scanned_mode(p[1]), HOLD_WRITE);
	for (int i = 0; i < 5; i++)
		close(fds[i]);
	close(p[0]);
	close(p[1]);
}

static void test_self_and_missing(void **state)
{
	char comm[COMM_LEN];
	pid_t child = fork(), tgid = 0;

	(void)state;
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	assert_int_equal(proc_pid_state(getpid(), &tgid), PID_LIVE);
	assert_int_equal(tgid, getpid());
	assert_int_equal(proc_pid_state(child, NULL), PID_MISSING);
	assert_false(proc_alive(child));
	assert_int_equal(proc_comm(getpid(), comm, sizeof(comm)), 0);
	assert_string_equal(comm, "unit-tests");
}

/* USER's uid: the real one, the first of the Uid: line. */
static void test_status_uid(void **state)
{
	__u32 uid = 7;

	(void)state;
	assert_int_equal(proc_parse_status_uid("Name:\tx\nUmask:\t0022\nUid:\t1000\t0\t0\t0\n"
					       "Gid:\t5\t5\t5\t5\n", &uid), 0);
	assert_int_equal(uid, 1000);
	assert_int_equal(proc_parse_status_uid("Name:\tx\nGid:\t5\n", &uid), -1);
	assert_int_equal(proc_parse_status_uid("Name:\tx\nUid:\tabc\n", &uid), -1);
	assert_int_equal(proc_uid(getpid(), &uid), 0);
	assert_int_equal(uid, getuid());
}

static void test_start_time(void **state)
{
	/* A name with spaces and ')' must not shift the fields; 22nd is 4242. */
	const char *line = "77 (a) b (c)) S 1 77 77 0 -1 4194560 100 0 0 0 1 2 0 0 "
			   "20 0 1 0 4242 1000 50 18446744073709551615\n";
	pid_t child;
	unsigned long long self, kid;

	(void)state;
	assert_int_equal(proc_parse_stat_start_time(line), 4242);
	assert_int_equal(proc_parse_stat_start_time("77 (truncated) S 1 2 3"), 0);
	assert_int_equal(proc_parse_stat_start_time("no parenthesis"), 0);
	self = proc_start_time(getpid());
	assert_true(self > 0);
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	kid = proc_start_time(child);
	/* Started later than its parent, and one process has one start time. */
	assert_true(kid >= self);
	assert_int_equal(proc_start_time(child), kid);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_int_equal(proc_start_time(child), 0);
}

static void test_zombie(void **state)
{
	pid_t child = fork();

	(void)state;
	if (child == 0)
		_exit(0);
	/* Not reaped yet: a zombie. */
	for (int i = 0; i < 200 && proc_pid_state(child, NULL) != PID_ZOMBIE; i++)
		usleep(10000);
	assert_int_equal(proc_pid_state(child, NULL), PID_ZOMBIE);
	waitpid(child, NULL, 0);
}

static pid_t thread_id;
static pthread_barrier_t barrier;

static void *thread_main(void *arg)
{
	(void)arg;
	thread_id = gettid();
	pthread_barrier_wait(&barrier);
	pthread_barrier_wait(&barrier);
	return NULL;
}

static void test_thread(void **state)
{
	pthread_t t;
	pid_t tgid = 0;

	(void)state;
	pthread_barrier_init(&barrier, NULL, 2);
	pthread_create(&t, NULL, thread_main, NULL);
	pthread_barrier_wait(&barrier);
	assert_int_equal(proc_pid_state(thread_id, &tgid), PID_THREAD);
	assert_int_equal(tgid, getpid());
	pthread_barrier_wait(&barrier);
	pthread_join(t, NULL);
	pthread_barrier_destroy(&barrier);
}

static struct holder *holder_of(struct store *s, const struct ipc_obj_key *key, pid_t pid)
{
	struct object *o = g_hash_table_lookup(s->objects, key);

	for (guint i = 0; o && i < o->holders->len; i++)
		if (g_array_index(o->holders, struct holder, i).pid == pid)
			return &g_array_index(o->holders, struct holder, i);
	return NULL;
}

static void test_holders(void **state)
{
	char dir[] = "/tmp/ipctrace-unit.XXXXXX", path[64], name[64];
	struct store *s = store_new();
	struct holders_cache *c = holders_cache_new();
	int fds[2], fifo_rd;
	struct stat st;
	struct ipc_obj_key pipe_key = { .type = IPC_PIPE }, fifo_key = { .type = IPC_FIFO };
	struct holder *h;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	fifo_rd = open(path, O_RDONLY | O_NONBLOCK);
	assert_true(fifo_rd >= 0);
	assert_int_equal(pipe(fds), 0);

	holders_of_process(s, 1U << IPC_PIPE | 1U << IPC_FIFO, getpid());
	fstat(fds[0], &st);
	pipe_key.ino = st.st_ino;
	pipe_key.dev = mechanism_kernel_dev(st.st_dev);
	h = holder_of(s, &pipe_key, getpid());
	assert_non_null(h);
	assert_int_equal(h->mode, HOLD_READ | HOLD_WRITE);	/* both ends */
	snprintf(name, sizeof(name), "pipe:[%llu]", (unsigned long long)st.st_ino);
	assert_string_equal(((struct object *)g_hash_table_lookup(s->objects, &pipe_key))->name, name);
	fstat(fifo_rd, &st);
	fifo_key.ino = st.st_ino;
	fifo_key.dev = mechanism_kernel_dev(st.st_dev);
	h = holder_of(s, &fifo_key, getpid());
	assert_non_null(h);
	assert_int_equal(h->mode, HOLD_READ);
	assert_string_equal(((struct object *)g_hash_table_lookup(s->objects, &fifo_key))->name, path);

	/* The system-wide refresh finds the same holders again. */
	holders_refresh(s, 1U << IPC_PIPE | 1U << IPC_FIFO, 0, c, 1.0, false);
	assert_non_null(holder_of(s, &fifo_key, getpid()));
	assert_non_null(holder_of(s, &pipe_key, getpid()));
	/* One descriptor fewer: this process is read again, not replayed. */
	close(fds[1]);
	holders_refresh(s, 1U << IPC_PIPE | 1U << IPC_FIFO, 0, c, 2.0, false);
	assert_int_equal(holder_of(s, &pipe_key, getpid())->mode, HOLD_READ);
	/* Nothing changed: the same holders, from what the last read kept. */
	holders_refresh(s, 1U << IPC_PIPE | 1U << IPC_FIFO, 0, c, 3.0, false);
	assert_int_equal(holder_of(s, &pipe_key, getpid())->mode, HOLD_READ);
	assert_non_null(holder_of(s, &fifo_key, getpid()));

	close(fds[0]);
	close(fifo_rd);
	unlink(path);
	rmdir(dir);
	holders_cache_free(c);
	store_free(s);
}

static void note_fd(const struct fd_ref *ref, void *ctx)
{
	g_array_append_val((GArray *)ctx, ref->fd);
}

/* A read of part of a process's descriptors: from one on, at most so many. */
static void test_fds_from(void **state)
{
	GArray *seen = g_array_new(FALSE, FALSE, sizeof(int));
	int fds[40][2], from, next, want[7], n = 0;
	pid_t child = fork();

	(void)state;
	if (child == 0)
		_exit(0);
	for (int i = 0; i < 40; i++)
		assert_int_equal(pipe(fds[i]), 0);
	from = fds[10][1];
	/* The 7 descriptors open from there on (others may be open between). */
	for (int fd = from; n < 7; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			want[n++] = fd;
	next = proc_scan_fds_from(getpid(), from, 7, note_fd, seen);
	assert_int_equal(seen->len, 7);
	for (int i = 0; i < 7; i++)
		assert_int_equal(g_array_index(seen, int, i), want[i]);
	assert_true(next > want[6] && fcntl(next, F_GETFD) != -1);
	/* From there to the end: the last pipe's write end is among them. */
	g_array_set_size(seen, 0);
	assert_int_equal(proc_scan_fds_from(getpid(), next, 0, note_fd, seen), INT_MAX);
	assert_int_equal(g_array_index(seen, int, 0), next);
	assert_true(g_array_index(seen, int, seen->len - 1) >= fds[39][1]);
	waitpid(child, NULL, 0);
	assert_int_equal(proc_scan_fds_from(child, 0, 0, note_fd, seen), -1);
	for (int i = 0; i < 40; i++) {
		close(fds[i][0]);
		close(fds[i][1]);
	}
	g_array_free(seen, TRUE);
}

static struct ipc_obj_key pipe_key_of(int fd)
{
	struct ipc_obj_key k = { .type = IPC_PIPE };
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	k.ino = st.st_ino;
	k.dev = mechanism_kernel_dev(st.st_dev);
	return k;
}

/*
 * A descriptor swapped for another object under the same count (dup2): a
 * refresh cannot tell, and the sweep reads it again within HOLDERS_SWEEP_S.
 * An object that comes after its holder was read gets its holder from what
 * that read kept.
 */
static void test_holders_sweep(void **state)
{
	struct store *s = store_new();
	struct holders_cache *c = holders_cache_new();
	unsigned int mask = 1U << IPC_PIPE;
	int filler[200][2], x[2], y[2], z[2];
	struct ipc_obj_key xk, yk, zk;

	(void)state;
	/* Many descriptors before X's: the sweep reads them a share at a time. */
	for (int i = 0; i < 200; i++)
		assert_int_equal(pipe(filler[i]), 0);
	assert_int_equal(pipe(x), 0);
	assert_int_equal(pipe(y), 0);
	assert_int_equal(pipe(z), 0);
	xk = pipe_key_of(x[0]);
	yk = pipe_key_of(y[0]);
	zk = pipe_key_of(z[0]);
	store_object(s, &xk);
	store_object(s, &yk);
	holders_refresh(s, mask, 0, c, 1.0, false);
	assert_int_equal(holder_of(s, &xk, getpid())->mode, HOLD_READ | HOLD_WRITE);
	assert_int_equal(holder_of(s, &yk, getpid())->mode, HOLD_READ | HOLD_WRITE);
	/* Z is new to the store: its holder, from the last read, without a read. */
	store_object(s, &zk);
	/* X's read end becomes a second read end of Y: as many descriptors as before. */
	assert_int_equal(dup2(y[0], x[0]), x[0]);
	holders_refresh(s, mask, 0, c, 1.0, false);
	assert_int_equal(holder_of(s, &zk, getpid())->mode, HOLD_READ | HOLD_WRITE);
	assert_int_equal(holder_of(s, &xk, getpid())->mode, HOLD_READ | HOLD_WRITE);
	for (double t = 2.0; t <= 2.0 + HOLDERS_SWEEP_S; t += 1.0)
		holders_sweep(s, mask, c, t);
	assert_int_equal(holder_of(s, &xk, getpid())->mode, HOLD_WRITE);
	assert_int_equal(holder_of(s, &yk, getpid())->mode, HOLD_READ | HOLD_WRITE);
	assert_int_equal(holder_of(s, &zk, getpid())->mode, HOLD_READ | HOLD_WRITE);
	for (int i = 0; i < 200; i++) {
		close(filler[i][0]);
		close(filler[i][1]);
	}
	close(x[0]);
	close(x[1]);
	close(y[0]);
	close(y[1]);
	close(z[0]);
	close(z[1]);
	holders_cache_free(c);
	store_free(s);
}

/* Both ends of pipes from to n of fds. */
static void close_pipes(int (*fds)[2], int from, int n)
{
	for (int i = from; i < n; i++) {
		close(fds[i][0]);
		close(fds[i][1]);
	}
}

/*
 * The kernel side's word (holders_fd_changes(), faked here): a process it
 * vouches for is not swept within HOLDERS_SWEEP_S, only within
 * HOLDERS_SWEEP_VOUCHED_S; its bucket moving has it read at the next
 * refresh; a bucket said unsure, or an io_uring held, has it swept as
 * before.
 */
static void test_holders_fd_changes(void **state)
{
	static __u32 changes[FD_CHANGE_BUCKETS];
	static __u8 unsure[FD_CHANGE_BUCKETS];
	unsigned int mask = 1U << IPC_PIPE, b = (unsigned int)getpid() & (FD_CHANGE_BUCKETS - 1);
	int x[2], y[2], ring;
	struct ipc_obj_key xk, yk;
	double t = 1.0;

	(void)state;
	assert_int_equal(pipe(x), 0);
	assert_int_equal(pipe(y), 0);
	xk = pipe_key_of(x[0]);
	yk = pipe_key_of(y[0]);
	/* 0: vouched, swept slowly; 1: the bucket moves; 2: unsure; 3: an io_uring. */
	for (int how = 0; how < 4; how++) {
		struct store *s = store_new();
		struct holders_cache *c = holders_cache_new();

		memset(unsure, 0, sizeof(unsure));
		holders_fd_changes(c, changes, unsure);
		ring = -1;
		if (how == 3) {
			struct io_uring_params p = { 0 };

			ring = (int)syscall(__NR_io_uring_setup, 4, &p);
			assert_true(ring >= 0);
		}
		store_object(s, &xk);
		store_object(s, &yk);
		holders_refresh(s, mask, 0, c, t, false);
		assert_int_equal(holder_of(s, &xk, getpid())->mode, HOLD_READ | HOLD_WRITE);
		/* X's read end becomes Y's under the same count, unseen but as said. */
		assert_int_equal(dup2(y[0], x[0]), x[0]);
		if (how == 1)
			changes[b]++;
		if (how == 2)
			unsure[b] = 1;
		holders_refresh(s, mask, 0, c, t, false);
		for (double end = t + HOLDERS_SWEEP_S; t <= end; t += 1.0)
			holders_sweep(s, mask, c, t);
		assert_int_equal(holder_of(s, &xk, getpid())->mode,
				 how == 0 ? HOLD_READ | HOLD_WRITE : HOLD_WRITE);
		if (how == 0) {
			/* What neither sees the slow sweep finds. */
			for (double end = t + HOLDERS_SWEEP_VOUCHED_S; t <= end; t += 1.0)
				holders_sweep(s, mask, c, t);
			assert_int_equal(holder_of(s, &xk, getpid())->mode, HOLD_WRITE);
		}
		assert_int_equal(holder_of(s, &yk, getpid())->mode, HOLD_READ | HOLD_WRITE);
		/* X's read end again, for the next round. */
		close(x[0]);
		close(x[1]);
		assert_int_equal(pipe(x), 0);
		xk = pipe_key_of(x[0]);
		if (ring >= 0)
			close(ring);
		holders_cache_free(c);
		store_free(s);
	}
	close_pipes(&x, 0, 1);
	close_pipes(&y, 0, 1);
}

/*
 * A process with more descriptors than a refresh's budget is read over
 * several refreshes: until it is through, its rows are not taken for
 * closed though some of its objects have no holder yet, and at the end it
 * holds what a whole read finds.
 */
static void test_holders_read_in_parts(void **state)
{
	enum { PIPES = 300, BUDGET = 100 };
	struct store *s = store_new(), *whole = store_new();
	struct holders_cache *c = holders_cache_new(), *cw = holders_cache_new();
	unsigned int mask = 1U << IPC_PIPE;
	int fds[PIPES][2], refreshes = 1, unheld = 0;
	struct ipc_obj_key keys[PIPES];
	GPtrArray *closed;

	(void)state;
	for (int i = 0; i < PIPES; i++) {
		struct ipc_key k = { .tgid = (__u32)getpid(), .type = IPC_PIPE, .dir = DIR_TX };
		bool created;

		assert_int_equal(pipe(fds[i]), 0);
		keys[i] = pipe_key_of(fds[i][0]);
		k.ino = keys[i].ino;
		k.dev = keys[i].dev;
		store_update(s, &k, 1, 1, &created);
		store_object(whole, &keys[i]);
	}
	holders_read_budget(c, BUDGET);
	holders_refresh(s, mask, 0, c, 1.0, false);
	assert_true(g_hash_table_contains(holders_pending(c),
					  GINT_TO_POINTER(getpid())));
	for (int i = 0; i < PIPES; i++)
		unheld += holder_of(s, &keys[i], getpid()) == NULL;
	assert_true(unheld > 0);
	closed = store_mark_closed(s, holders_pending(c));
	assert_int_equal(closed->len, 0);
	g_ptr_array_free(closed, TRUE);
	while (g_hash_table_contains(holders_pending(c), GINT_TO_POINTER(getpid()))) {
		assert_true(refreshes < 100000);
		holders_refresh(s, mask, 0, c, 1.0 + refreshes++, false);
	}
	/* 2 * PIPES descriptors, BUDGET a refresh at most. */
	assert_true(refreshes >= 2 * PIPES / BUDGET);
	holders_refresh(whole, mask, 0, cw, 1.0, true);
	for (int i = 0; i < PIPES; i++) {
		const struct holder *h = holder_of(s, &keys[i], getpid());

		assert_non_null(h);
		assert_int_equal(h->mode, holder_of(whole, &keys[i], getpid())->mode);
		assert_int_equal(h->mode, HOLD_READ | HOLD_WRITE);
	}
	closed = store_mark_closed(s, holders_pending(c));
	assert_int_equal(closed->len, 0);
	g_ptr_array_free(closed, TRUE);
	/* Closed now: the next refresh's read (one read, the count changed) says so. */
	close_pipes(fds, 0, PIPES);
	holders_refresh(s, mask, 0, c, 1.0 + refreshes, false);
	closed = store_mark_closed(s, holders_pending(c));
	assert_int_equal(closed->len, PIPES);
	g_ptr_array_free(closed, TRUE);
	holders_cache_free(c);
	holders_cache_free(cw);
	store_free(s);
	store_free(whole);
}

/*
 * Reads under way take turns: a process whose count keeps changing (this
 * one, a descriptor made or closed before every refresh) is read again and
 * again, and another with more than a budget's worth (a child holding the
 * same pipes) is still read through.
 */
static void test_holders_reads_take_turns(void **state)
{
	enum { PIPES = 300, BUDGET = 100 };
	struct store *s = store_new();
	struct holders_cache *c = holders_cache_new();
	unsigned int mask = 1U << IPC_PIPE;
	int fds[PIPES][2], go[2], extra = -1, refreshes = 0;
	struct ipc_obj_key key;
	pid_t child;

	(void)state;
	for (int i = 0; i < PIPES; i++)
		assert_int_equal(pipe(fds[i]), 0);
	assert_int_equal(pipe(go), 0);
	child = fork();
	if (child == 0) {
		char b;

		close(go[1]);
		(void)!read(go[0], &b, 1);
		_exit(0);
	}
	close(go[0]);
	key = pipe_key_of(fds[PIPES - 1][0]);
	store_object(s, &key);
	holders_read_budget(c, BUDGET);
	holders_refresh(s, mask, 0, c, 1.0, false);
	while (g_hash_table_contains(holders_pending(c), GINT_TO_POINTER(child))) {
		assert_true(refreshes < 400);
		if (extra < 0) {
			extra = dup(fds[0][0]);
		} else {
			close(extra);
			extra = -1;
		}
		holders_refresh(s, mask, 0, c, 2.0 + refreshes++, false);
	}
	/* In turns, the child's 600 descriptors take about 12 refreshes (every
	 * other budget); served in PID order, after this process's every read,
	 * about 48. Room for another process or two reading meanwhile. */
	if (refreshes > 30)
		fail_msg("the child's read took %d refreshes: reads did not take turns", refreshes);
	assert_non_null(holder_of(s, &key, child));
	close(go[1]);
	waitpid(child, NULL, 0);
	if (extra >= 0)
		close(extra);
	close_pipes(fds, 0, PIPES);
	holders_cache_free(c);
	store_free(s);
}

/*
 * While a read goes on, a new pipe takes the lowest free numbers, where the
 * read had been (and one descriptor more changes the count): once the read
 * is through, the new pipe has its holder, and its row is not taken for
 * closed.
 */
static void test_holders_read_sees_what_came_behind(void **state)
{
	enum { PIPES = 300, BUDGET = 100 };
	struct store *s = store_new();
	struct holders_cache *c = holders_cache_new();
	unsigned int mask = 1U << IPC_PIPE;
	int fds[PIPES][2], np[2], extra, refreshes = 1;
	struct ipc_key k = { .tgid = (__u32)getpid(), .type = IPC_PIPE, .dir = DIR_TX };
	struct ipc_obj_key first, fresh;
	GPtrArray *closed;
	bool created;

	(void)state;
	for (int i = 0; i < PIPES; i++)
		assert_int_equal(pipe(fds[i]), 0);
	first = pipe_key_of(fds[0][0]);
	store_object(s, &first);
	holders_read_budget(c, BUDGET);
	holders_refresh(s, mask, 0, c, 1.0, false);
	/* Until the read has been past the first pipe, and is not through. */
	while (!holder_of(s, &first, getpid())) {
		assert_true(refreshes < 1000);
		holders_refresh(s, mask, 0, c, 1.0 + refreshes++, false);
	}
	assert_true(g_hash_table_contains(holders_pending(c), GINT_TO_POINTER(getpid())));
	close(fds[0][0]);
	close(fds[0][1]);
	assert_int_equal(pipe(np), 0);
	assert_true(np[0] < fds[1][0] && np[1] < fds[1][0]);
	extra = dup(fds[1][0]);
	fresh = pipe_key_of(np[0]);
	k.ino = fresh.ino;
	k.dev = fresh.dev;
	store_update(s, &k, 1, 1, &created);
	while (g_hash_table_contains(holders_pending(c), GINT_TO_POINTER(getpid()))) {
		assert_true(refreshes < 100000);
		holders_refresh(s, mask, 0, c, 1.0 + refreshes++, false);
	}
	assert_non_null(holder_of(s, &fresh, getpid()));
	closed = store_mark_closed(s, holders_pending(c));
	assert_int_equal(closed->len, 0);
	g_ptr_array_free(closed, TRUE);
	close(extra);
	close(np[0]);
	close(np[1]);
	close_pipes(fds, 1, PIPES);
	holders_cache_free(c);
	store_free(s);
}

static void test_ppid(void **state)
{
	(void)state;
	/* The name may hold ") " and digits: the parent is field 4 after the last ')'. */
	assert_int_equal(proc_parse_stat_ppid("77 (a) 9 (c)) S 1234 77 77 0 -1\n"), 1234);
	assert_int_equal(proc_parse_stat_ppid("1 (init) S 0 1 1 0"), 0);
	assert_int_equal(proc_parse_stat_ppid("77 (cut) S"), 0);
	assert_int_equal(proc_parse_stat_ppid("no parenthesis"), 0);
}

static bool has_pid(const GArray *pids, int pid)
{
	for (guint i = 0; i < pids->len; i++)
		if (g_array_index(pids, int, i) == pid)
			return true;
	return false;
}

/* A child that forks a grandchild and says its PID, then waits; a second child. */
static void test_descendants(void **state)
{
	GArray *roots = g_array_new(FALSE, FALSE, sizeof(int));
	GArray *found = g_array_new(FALSE, FALSE, sizeof(int));
	int p[2], self = getpid(), grandchild = 0;
	pid_t child, second;

	(void)state;
	assert_int_equal(pipe(p), 0);
	child = fork();
	if (child == 0) {
		pid_t g = fork();

		if (g == 0) {
			pause();
			_exit(0);
		}
		if (write(p[1], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		pause();
		_exit(0);
	}
	second = fork();
	if (second == 0) {
		pause();
		_exit(0);
	}
	assert_int_equal(read(p[0], &grandchild, sizeof(grandchild)), sizeof(grandchild));
	g_array_append_val(roots, self);
	proc_descendants(roots, found);
	assert_true(has_pid(found, child));
	assert_true(has_pid(found, second));
	assert_true(has_pid(found, grandchild));
	assert_false(has_pid(found, self));
	assert_false(has_pid(found, getppid()));
	/* From the child: its own child only. */
	g_array_set_size(roots, 0);
	g_array_set_size(found, 0);
	g_array_append_val(roots, child);
	proc_descendants(roots, found);
	assert_int_equal(found->len, 1);
	assert_int_equal(g_array_index(found, int, 0), grandchild);
	kill(grandchild, SIGKILL);
	kill(child, SIGKILL);
	kill(second, SIGKILL);
	waitpid(child, NULL, 0);
	waitpid(second, NULL, 0);
	close(p[0]);
	close(p[1]);
	g_array_free(roots, TRUE);
	g_array_free(found, TRUE);
}

/* The kernel's glob matcher (include/ipctrace.h) says what fnmatch(3) says,
 * or its pattern is refused (then user space alone matches). */
static void test_comm_glob_is_fnmatch(void **state)
{
	static const char *const patterns[] = {
		"postgres", "post*", "*gres", "p*s*s", "*", "**", "?", "p?stgres", "*-*",
		"[pq]ostgres", "[!p]ostgres", "[^p]*", "[a-z]*", "[]x]*", "[!]x]*", "x[-]", "[a-]*",
		"\\*x", "a\\?", "[", "a[b", "[*]", "*[0-9]", "late-p*", "ipc-demo", "*.*",
		"a*b*c*d*e*f*g*h*", "sixteen-bytes-xx", "[[:alpha:]]*",
	};
	static const char *const names[] = {
		"postgres", "qostgres", "post", "gres", "p", "", "x-y", "*x", "a?", "ab", "[",
		"a[b", "*", "x9", "x-", "a", "]x", "late-pipe", "ipc-demo", "a.b", "abcdefgh",
		"aXbXcXdXeXfXgXh", "sixteen-bytes-x", "-", "\\x",
	};
	struct comm_glob g;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(patterns); i++) {
		if (comm_glob_compile(patterns[i], &g)) {
			assert_non_null(strstr(patterns[i], "[:"));
			continue;
		}
		for (size_t j = 0; j < G_N_ELEMENTS(names); j++) {
			bool want = fnmatch(patterns[i], names[j], 0) == 0;

			if ((bool)comm_glob_match(&g, names[j]) != want)
				fail_msg("'%s' on '%s': fnmatch says %d", patterns[i], names[j], want);
		}
	}
}

int run_procfs_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comm_glob_is_fnmatch),
		cmocka_unit_test(test_self_and_missing),
		cmocka_unit_test(test_socket_modes),
		cmocka_unit_test(test_start_time),
		cmocka_unit_test(test_ppid),
		cmocka_unit_test(test_descendants),
		cmocka_unit_test(test_zombie),
		cmocka_unit_test(test_thread),
		cmocka_unit_test(test_holders),
		cmocka_unit_test(test_holders_sweep),
		cmocka_unit_test(test_holders_fd_changes),
		cmocka_unit_test(test_holders_read_in_parts),
		cmocka_unit_test(test_holders_reads_take_turns),
		cmocka_unit_test(test_holders_read_sees_what_came_behind),
		cmocka_unit_test(test_fds_from),
		cmocka_unit_test(test_status_uid),
	};

	return cmocka_run_group_tests_name("procfs", tests, NULL, NULL);
}
