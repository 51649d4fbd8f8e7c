// SPDX-License-Identifier: GPL-2.0
/*
 * Shared memory and memory maps, the demo side of the shm module
 * (bpf/shm.bpf.h, user/mechanisms/shm.c) and of System V semaphores (bpf/sem.bpf.h).
 *
 * shm:       System V. A writer fills a segment, a reader reads it, and they
 *            take turns through two semaphores of one set; a third process
 *            attaches read-only and never touches the segment. The parent
 *            waits on a third semaphore until all three are attached, then
 *            removes the segment, as System V programs do: it lives on until
 *            the last detaches.
 * posix-shm: shm_open, and two POSIX semaphores in the segment handing a
 *            buffer back and forth. Each side posts only once the other is
 *            asleep in the kernel, so every hand-off is exactly one futex
 *            wait and one futex wake.
 * mmap:      a writer fills a large file through a shared mapping, a reader
 *            maps it read-only and reads it, then unmaps it in two halves.
 *            They learn that the file is ready from shared anonymous memory
 *            their parent mapped before forking them.
 *
 * Shared memory moves data with no syscall: ipctrace sees the mapping, the
 * page faults of first touches, and the synchronisation. The reports say
 * how many bytes each process touched; ipctrace's estimate is in faults.
 */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "demo.h"

#define PAGE 4096

static int must(int ret, const char *what)
{
	if (ret < 0)
		die("%s: %s", what, strerror(errno));
	return ret;
}

static void shm_record(struct demo_record *r, const char *type, const char *object,
		       unsigned long long ino, bool tx)
{
	record_init(r, type, -1, tx);
	r->ino = ino;
	snprintf(r->object, sizeof(r->object), "%s", object);
	r->has_activity = true;
}

/* Touch every page: a write, or a read the compiler must not drop. */
static unsigned long long write_all(char *p, size_t size, char c)
{
	memset(p, c, size);
	return size;
}

static unsigned long long read_all(const volatile char *p, size_t size)
{
	unsigned long long sum = 0;

	for (size_t i = 0; i < size; i += 64)
		sum += p[i];
	(void)sum;
	return size;
}

/* System V: one semop on one semaphore of a set. */
static void sem_change(int set, unsigned short num, short op)
{
	struct sembuf b = { .sem_num = num, .sem_op = op };

	while (semop(set, &b, 1) != 0)
		if (errno != EINTR)
			die("semop: %s", strerror(errno));
}

enum { SEM_FILLED, SEM_EMPTIED, SEM_ATTACHED, NSEMS };

struct sysv {
	int seg, set;
	long key;
	char segment[64], sems[NSEMS][80];
};

static void sem_record(struct demo_record *r, const struct sysv *v, int num, bool tx)
{
	record_init(r, "sem", -1, tx);
	r->ino = (unsigned long long)v->set | (unsigned long long)num << 32;
	snprintf(r->object, sizeof(r->object), "%s", v->sems[num]);
}

/* Tell the parent this process has attached: it removes the segment once
 * all three have, since a removed segment takes no new attach. */
static void say_attached(const struct demo_opts *o, const struct sysv *v, const char *role)
{
	struct demo_record r;

	sem_record(&r, v, SEM_ATTACHED, true);
	sem_change(v->set, SEM_ATTACHED, 1);
	r.ops = 1;
	report(o, "shm", role, &r);
}

static int shm_writer(const struct demo_opts *o, const struct sysv *v)
{
	struct demo_record seg, posts, waits;
	char *p;

	name_process("shm-writer");
	p = shmat(v->seg, NULL, 0);
	if (p == (void *)-1)
		die("shmat: %s", strerror(errno));
	shm_record(&seg, "shm", v->segment, v->seg, true);
	record_event(&seg, "attaches", 1);
	say_attached(o, v, "writer");
	sem_record(&posts, v, SEM_FILLED, true);
	sem_record(&waits, v, SEM_EMPTIED, false);
	gate_child_ready(o);
	for (long i = 0; i < o->count; i++) {
		seg.activity += write_all(p, o->size, (char)i);
		sem_change(v->set, SEM_FILLED, 1);
		posts.ops++;
		sem_change(v->set, SEM_EMPTIED, -1);
		waits.ops++;
	}
	must(shmdt(p), "shmdt");
	record_event(&seg, "detaches", 1);
	report(o, "shm", "writer", &seg);
	report(o, "shm", "writer", &posts);
	report(o, "shm", "writer", &waits);
	return 0;
}

static int shm_reader(const struct demo_opts *o, const struct sysv *v)
{
	struct demo_record seg, posts, waits;
	const char *p;

	name_process("shm-reader");
	p = shmat(v->seg, NULL, SHM_RDONLY);
	if (p == (void *)-1)
		die("shmat: %s", strerror(errno));
	shm_record(&seg, "shm", v->segment, v->seg, false);
	record_event(&seg, "attaches", 1);
	say_attached(o, v, "reader");
	sem_record(&waits, v, SEM_FILLED, false);
	sem_record(&posts, v, SEM_EMPTIED, true);
	gate_child_ready(o);
	for (long i = 0; i < o->count; i++) {
		sem_change(v->set, SEM_FILLED, -1);
		waits.ops++;
		seg.activity += read_all(p, o->size);
		sem_change(v->set, SEM_EMPTIED, 1);
		posts.ops++;
	}
	must(shmdt(p), "shmdt");
	record_event(&seg, "detaches", 1);
	report(o, "shm", "reader", &seg);
	report(o, "shm", "reader", &waits);
	report(o, "shm", "reader", &posts);
	return 0;
}

/* Attached, and nothing else: ipctrace shows it sharing, with no activity. */
static int shm_idle(const struct demo_opts *o, const struct sysv *v, int done)
{
	struct demo_record seg;
	char byte;
	void *p;

	name_process("shm-idle");
	p = shmat(v->seg, NULL, SHM_RDONLY);
	if (p == (void *)-1)
		die("shmat: %s", strerror(errno));
	shm_record(&seg, "shm", v->segment, v->seg, false);
	record_event(&seg, "attaches", 1);
	say_attached(o, v, "idle");
	gate_child_ready(o);
	if (read(done, &byte, 1) < 0)	/* until the others are done */
		die("read: %s", strerror(errno));
	must(shmdt(p), "shmdt");
	record_event(&seg, "detaches", 1);
	report(o, "shm", "idle", &seg);
	return 0;
}

static int run_shm(const struct demo_opts *o)
{
	struct sysv v;
	pid_t kids[3];
	int done[2], failed, attempt = 0;

	do {
		v.key = o->key ? o->key : demo_ipc_key(0x5d000000L, attempt++);
		v.seg = shmget((key_t)v.key, o->size, IPC_CREAT | IPC_EXCL | 0600);
		if (v.seg >= 0 && (v.set = semget((key_t)v.key, NSEMS,
						  IPC_CREAT | IPC_EXCL | 0600)) < 0) {
			int err = errno;

			/* The key's semaphores are an earlier run's: both move on. */
			shmctl(v.seg, IPC_RMID, NULL);
			v.seg = -1;
			errno = err;
		}
	} while (v.seg < 0 && errno == EEXIST && !o->key);
	if (v.seg < 0)
		die("shmget/semget 0x%08lx: %s", v.key, strerror(errno));
	snprintf(v.segment, sizeof(v.segment), "key 0x%08lx id %d", v.key, v.seg);
	for (int i = 0; i < NSEMS; i++)
		snprintf(v.sems[i], sizeof(v.sems[i]), "key 0x%08lx id %d sem %d", v.key, v.set, i);
	/*
	 * The idle process waits on this pipe for the others to finish. It is
	 * the demo's own plumbing, not IPC ipctrace is asked to show: run with
	 * -t shm,sem to leave it out.
	 */
	must(pipe(done), "pipe");
	gate_prepare();
	if ((kids[0] = demo_fork()) == 0)
		exit(shm_writer(o, &v));
	if ((kids[1] = demo_fork()) == 0)
		exit(shm_reader(o, &v));
	if ((kids[2] = demo_fork()) == 0) {
		close(done[1]);
		exit(shm_idle(o, &v, done[0]));
	}
	close(done[0]);
	if (kids[0] < 0 || kids[1] < 0 || kids[2] < 0)
		die("fork: %s", strerror(errno));
	gate_open(o, "shm", kids, 3, kids, 3);
	/* Once all three are attached, mark it for removal, the usual way. */
	{
		struct demo_record waited;

		sem_record(&waited, &v, SEM_ATTACHED, false);
		sem_change(v.set, SEM_ATTACHED, -3);
		waited.ops = 1;
		report(o, "shm", "remover", &waited);
	}
	must(shmctl(v.seg, IPC_RMID, NULL), "shmctl IPC_RMID");
	report_removal(o, "shm", "shm", v.segment, v.seg);
	failed = reap(kids, 2);
	close(done[1]);
	failed |= reap(&kids[2], 1);
	must(semctl(v.set, 0, IPC_RMID), "semctl IPC_RMID");
	return failed;
}

const struct demo shm_demo = {
	"shm", "System V: a writer, a reader taking turns by semaphore, an idle attacher", run_shm,
	.types = "shm,sem",
	.explain =
		"System V shared memory (shmget, shmat) maps the same pages into several\n"
		"processes. After the attach, data moves with ordinary loads and stores: no\n"
		"syscall, no copy through the kernel, which is why it is the fastest IPC.\n"
		"ipctrace sees the page faults on the segment and counts them as activity,\n"
		"while the processes take turns with System V semaphores (semop).\n"
		"Look for: the writer and the reader with activity on the segment, the idle\n"
		"attacher at none, and the sem rows: each hand-off is a semop, and WAIT and\n"
		"woken_by tell who waited for whom.",
};

/* POSIX: the segment starts with the two semaphores and both PIDs. */
struct handoff {
	sem_t filled, emptied;
	pid_t writer, reader;
	char buffer[];
};

/* Whether pid is asleep in a futex call now (/proc/PID/syscall starts with
 * the call's number: this architecture's, 202 on x86-64, 98 on arm64). */
static bool in_futex(pid_t pid)
{
	char path[64], line[64], nr[16];
	bool yes = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	snprintf(nr, sizeof(nr), "%d ", SYS_futex);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fgets(line, sizeof(line), f))
		yes = strncmp(line, nr, strlen(nr)) == 0;
	fclose(f);
	return yes;
}

/*
 * Post only once the other side sleeps on the semaphore: then sem_post
 * wakes it through the kernel every time, and sem_wait always slept first.
 */
static void post_to_sleeper(sem_t *s, pid_t sleeper)
{
	while (!in_futex(sleeper))
		usleep(100);
	if (sem_post(s) != 0)
		die("sem_post: %s", strerror(errno));
}

static void wait_sem(sem_t *s)
{
	while (sem_wait(s) != 0)
		if (errno != EINTR)
			die("sem_wait: %s", strerror(errno));
}

static struct handoff *map_handoff(const char *name, size_t size, int *fd)
{
	struct handoff *h;

	*fd = must(shm_open(name, O_RDWR, 0), "shm_open");
	h = mmap(NULL, sizeof(*h) + size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (h == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	return h;
}

static void posix_record(struct demo_record *r, const char *object, int fd, bool tx)
{
	struct stat st;

	must(fstat(fd, &st), "fstat");
	shm_record(r, "posix_shm", object, st.st_ino, tx);
}

static int posix_side(const struct demo_opts *o, const char *name, const char *object,
		      bool writer)
{
	struct demo_record tx, rx;
	struct handoff *h;
	int fd;

	name_process(writer ? "pshm-writer" : "pshm-reader");
	h = map_handoff(name, o->size, &fd);
	posix_record(&tx, object, fd, true);
	posix_record(&rx, object, fd, false);
	record_event(&tx, "attaches", 1);
	/* Its PID, and then the semaphores (whose every operation is a write),
	 * are this side's writes to the segment's first page. */
	if (writer)
		h->writer = getpid();
	else
		h->reader = getpid();
	tx.activity += sizeof(pid_t);
	gate_child_ready(o);
	while (!h->writer || !h->reader)
		usleep(100);
	for (long i = 0; i < o->count; i++) {
		if (writer) {
			tx.activity += write_all(h->buffer, o->size, (char)i);
			post_to_sleeper(&h->filled, h->reader);
			wait_sem(&h->emptied);
		} else {
			wait_sem(&h->filled);
			rx.activity += read_all(h->buffer, o->size);
			post_to_sleeper(&h->emptied, h->writer);
		}
		record_event(&tx, "futex_wakes", 1);
		record_event(&rx, "futex_waits", 1);
	}
	must(munmap(h, sizeof(*h) + o->size), "munmap");
	record_event(&tx, "detaches", 1);
	close(fd);
	report(o, "posix-shm", writer ? "writer" : "reader", &tx);
	report(o, "posix-shm", writer ? "writer" : "reader", &rx);
	return 0;
}

static int run_posix_shm(const struct demo_opts *o)
{
	char name[64], object[80];
	struct demo_record init;
	struct handoff *h;
	pid_t kids[2];
	int fd, failed, attempt = 0;

	/* The parent makes the segment and its semaphores, shared between processes. */
	do {
		demo_ipc_name(name, sizeof(name), attempt++);
		fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	} while (fd < 0 && errno == EEXIST);
	must(fd, "shm_open");
	snprintf(object, sizeof(object), "/dev/shm%s", name);
	must(ftruncate(fd, (off_t)(sizeof(*h) + o->size)), "ftruncate");
	close(fd);
	h = map_handoff(name, o->size, &fd);
	posix_record(&init, object, fd, true);
	if (sem_init(&h->filled, 1, 0) || sem_init(&h->emptied, 1, 0))
		die("sem_init: %s", strerror(errno));
	init.activity = sizeof(*h);
	must(munmap(h, sizeof(*h) + o->size), "munmap");
	close(fd);
	record_event(&init, "attaches", 1);
	record_event(&init, "detaches", 1);
	report(o, "posix-shm", "creator", &init);

	gate_prepare();
	if ((kids[0] = demo_fork()) == 0)
		exit(posix_side(o, name, object, true));
	if ((kids[1] = demo_fork()) == 0)
		exit(posix_side(o, name, object, false));
	if (kids[0] < 0 || kids[1] < 0)
		die("fork: %s", strerror(errno));
	gate_open(o, "posix-shm", kids, 2, kids, 2);
	failed = reap(kids, 2);
	{
		struct stat st;
		int again = must(shm_open(name, O_RDONLY, 0), "shm_open");

		must(fstat(again, &st), "fstat");
		close(again);
		must(shm_unlink(name), "shm_unlink");
		report_removal(o, "posix-shm", "posix_shm", object, st.st_ino);
	}
	return failed;
}

const struct demo posix_shm_demo = {
	"posix-shm", "shm_open, and POSIX semaphores handing a buffer back and forth",
	run_posix_shm,
	.types = "posix_shm",
	.explain =
		"POSIX shared memory is a file in /dev/shm (shm_open) that processes map\n"
		"with mmap(MAP_SHARED). The two POSIX semaphores they hand the buffer back\n"
		"and forth with live inside the shared memory itself: a hand-off costs a\n"
		"futex syscall only when someone has to sleep or be woken.\n"
		"Look for: OBJECT under /dev/shm; futex_waits and futex_wakes in DETAIL,\n"
		"and woken_by naming the process at the other end of each hand-off.",
};

/* mmap: the ready flag lives in shared anonymous memory, inherited by fork. */
static int mmap_writer(const struct demo_opts *o, const char *path, volatile int *ready,
		       unsigned long long anon)
{
	struct demo_record file, flag;
	int fd = must(open(path, O_RDWR), "open");
	struct stat st;
	char *p;

	name_process("mmap-writer");
	must(fstat(fd, &st), "fstat");
	shm_record(&file, "mmap", path, st.st_ino, true);
	shm_record(&flag, "mmap", "[shared anonymous]", anon, true);
	gate_child_ready(o);
	p = mmap(NULL, o->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	record_event(&file, "attaches", 1);
	file.activity = write_all(p, o->size, 'w');
	must(munmap(p, o->size), "munmap");
	record_event(&file, "detaches", 1);
	close(fd);
	*ready = 1;
	flag.activity = sizeof(*ready);
	report(o, "mmap", "writer", &file);
	report(o, "mmap", "writer", &flag);
	return 0;
}

static int mmap_reader(const struct demo_opts *o, const char *path, volatile int *ready,
		       unsigned long long anon)
{
	struct demo_record file, flag;
	size_t half = o->size / 2 / PAGE * PAGE;
	struct stat st;
	int fd;
	char *p;

	name_process("mmap-reader");
	shm_record(&flag, "mmap", "[shared anonymous]", anon, false);
	gate_child_ready(o);
	while (!*ready)
		usleep(1000);
	flag.activity = sizeof(*ready);
	fd = must(open(path, O_RDONLY), "open");
	must(fstat(fd, &st), "fstat");
	shm_record(&file, "mmap", path, st.st_ino, false);
	p = mmap(NULL, o->size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	record_event(&file, "attaches", 1);
	file.activity = read_all(p, o->size);
	/* In two halves: the second half first, then what is left. */
	must(munmap(p + half, o->size - half), "munmap");
	record_event(&file, "partial_detaches", 1);
	must(munmap(p, half), "munmap");
	record_event(&file, "detaches", 1);
	close(fd);
	report(o, "mmap", "reader", &file);
	report(o, "mmap", "reader", &flag);
	return 0;
}

/*
 * The inode behind a shared anonymous mapping ("/dev/zero (deleted)"), from
 * /proc/self/maps: /proc/self/map_files would say it too, but needs
 * CAP_SYS_ADMIN, which ipctrace --demo does not pass on.
 */
static unsigned long long mapping_inode(const volatile void *addr)
{
	FILE *f = fopen("/proc/self/maps", "re");
	unsigned long start, end, ino;
	char line[512];

	if (!f)
		die("/proc/self/maps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu", &start, &end, &ino) == 3 &&
		    start == (unsigned long)addr) {
			fclose(f);
			return ino;
		}
	}
	fclose(f);
	die("no mapping at %p in /proc/self/maps", (const void *)addr);
}

static int run_mmap(const struct demo_opts *given)
{
	/* The reader unmaps in two halves, a page or more each: the file is at
	 * least two pages, whatever -s says (ipc-demo all's 512 bytes too). */
	struct demo_opts sized = *given;
	const struct demo_opts *o = &sized;
	char dir[] = "/tmp/ipc-demo.XXXXXX", path[64];
	struct demo_record flag;
	volatile int *ready;
	unsigned long long anon_ino;
	pid_t kids[2];
	int fd, failed;

	if (sized.size < 2 * PAGE)
		sized.size = 2 * PAGE;
	if (!mkdtemp(dir))
		die("mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/data", dir);
	fd = must(open(path, O_CREAT | O_RDWR, 0600), "open");
	must(ftruncate(fd, (off_t)o->size), "ftruncate");
	close(fd);
	ready = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ready == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	anon_ino = mapping_inode(ready);
	shm_record(&flag, "mmap", "[shared anonymous]", anon_ino, true);
	record_event(&flag, "attaches", 1);

	gate_prepare();
	if ((kids[0] = demo_fork()) == 0)
		exit(mmap_writer(o, path, ready, anon_ino));
	if ((kids[1] = demo_fork()) == 0)
		exit(mmap_reader(o, path, ready, anon_ino));
	if (kids[0] < 0 || kids[1] < 0)
		die("fork: %s", strerror(errno));
	gate_open(o, "mmap", kids, 2, kids, 2);
	failed = reap(kids, 2);
	must(munmap((void *)ready, PAGE), "munmap");
	record_event(&flag, "detaches", 1);
	report(o, "mmap", "parent", &flag);
	unlink(path);
	rmdir(dir);
	return failed;
}

const struct demo mmap_demo = {
	"mmap", "a writer and a reader sharing a large file through memory maps", run_mmap,
	.types = "mmap",
	.explain =
		"A file mapped with mmap(MAP_SHARED) into two processes is shared memory\n"
		"backed by a file: what one process stores, the other reads, and the kernel\n"
		"writes it back to the file. It is how large data is shared without copying\n"
		"it through a pipe or a socket.\n"
		"Look for: the file's path in OBJECT with the writer and the reader as each\n"
		"other's PEERS, and a [shared anonymous] mapping the parent made before\n"
		"fork(), which its children share too.",
};
