// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include "model/procfs.h"
#include "model/rows.h"

enum pid_state proc_pid_state(pid_t pid, pid_t *tgid)
{
	char path[64], line[256];
	char state = '?';
	pid_t group = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return PID_MISSING;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "State:", 6) == 0)
			sscanf(line + 6, " %c", &state);
		else if (strncmp(line, "Tgid:", 5) == 0)
			sscanf(line + 5, "%d", &group);
	}
	fclose(f);
	if (tgid)
		*tgid = group;
	if (state == 'Z' || state == 'X')
		return PID_ZOMBIE;
	if (group > 0 && group != pid)
		return PID_THREAD;
	return PID_LIVE;
}

bool proc_alive(pid_t pid)
{
	return proc_pid_state(pid, NULL) == PID_LIVE;
}

bool proc_is(pid_t pid, __u32 start)
{
	return proc_alive(pid) && (__u32)proc_start_time(pid) == start;
}

/*
 * Field n (from 3, the state) of a /proc/PID/stat line, or NULL. The name in
 * parentheses may hold spaces and ')': fields count from the last ')'.
 */
static const char *stat_field(const char *stat_line, int n)
{
	const char *p = strrchr(stat_line, ')');

	if (!p)
		return NULL;
	for (int field = 2; field < n; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return NULL;
	}
	return p + 1;
}

unsigned long long proc_parse_stat_start_time(const char *stat_line)
{
	const char *p = stat_field(stat_line, 22);
	unsigned long long start = 0;

	if (!p || sscanf(p, "%llu", &start) != 1)
		return 0;
	return start;
}

pid_t proc_parse_stat_ppid(const char *stat_line)
{
	const char *p = stat_field(stat_line, 4);
	int ppid = 0;

	if (!p || sscanf(p, "%d", &ppid) != 1 || ppid < 0)
		return 0;
	return ppid;
}

/* Up to len bytes of /proc/PID/NAME into buf (not terminated): how many,
 * or -1 if the process is gone. */
static ssize_t read_proc(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

/* /proc/PID/stat's line into buf; false if the process is gone. */
static bool read_stat(pid_t pid, char *buf, size_t len)
{
	ssize_t n = read_proc(pid, "stat", buf, len - 1);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

unsigned long long proc_start_time(pid_t pid)
{
	char buf[1024];

	return read_stat(pid, buf, sizeof(buf)) ? proc_parse_stat_start_time(buf) : 0;
}

int proc_comm(pid_t pid, char *buf, size_t len)
{
	ssize_t n = read_proc(pid, "comm", buf, len - 1);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int proc_parse_status_uid(const char *status, __u32 *uid)
{
	const char *line = strstr(status, "\nUid:");
	unsigned long v;
	char *end;

	if (!line)
		return -1;
	line += strlen("\nUid:");
	errno = 0;
	v = strtoul(line, &end, 10);
	if (errno || end == line || v > UINT32_MAX)
		return -1;
	*uid = (__u32)v;
	return 0;
}

int proc_uid(pid_t pid, __u32 *uid)
{
	char path[64], *text = NULL;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return -1;
	ret = proc_parse_status_uid(text, uid);
	g_free(text);
	return ret;
}

unsigned int proc_fd_mode(pid_t pid, int fd)
{
	char path[64], line[128];
	unsigned int flags = 0, mode = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "flags: %o", &flags) == 1)
			break;
	fclose(f);
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		mode = HOLD_READ;
		break;
	case O_WRONLY:
		mode = HOLD_WRITE;
		break;
	default:
		mode = HOLD_READ | HOLD_WRITE;
	}
	return mode;
}

unsigned int proc_fd_ref_mode(const struct fd_ref *ref)
{
	struct stat st;
	unsigned int mode = 0;

	/* A socket's file is always opened for both (socket(2), accept(2) and
	 * socketpair(2) make it O_RDWR; shutdown(2) leaves it): no second
	 * call for it, where a server holds thousands. */
	if (strncmp(ref->link, "socket:[", 8) == 0)
		return HOLD_READ | HOLD_WRITE;

	if (fstatat(ref->dirfd, ref->fdname, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISLNK(st.st_mode))
		return proc_fd_mode(ref->pid, ref->fd);
	if (st.st_mode & S_IRUSR)
		mode |= HOLD_READ;
	if (st.st_mode & S_IWUSR)
		mode |= HOLD_WRITE;
	return mode ? mode : HOLD_READ | HOLD_WRITE;
}

bool proc_fd_set_mark(pid_t pid, struct fd_set_mark *mark)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	if (stat(path, &st) != 0)
		return false;
	mark->nfds = (long long)st.st_size;
	mark->made_ns = (long long)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
	return true;
}

int proc_parse_fdinfo_field(const char *text, const char *name, long long *value)
{
	size_t n = strlen(name);

	/* "name:<tabs or spaces>value", one field per line. */
	for (const char *line = text; line; line = strchr(line, '\n')) {
		char *end;

		if (*line == '\n')
			line++;
		if (strncmp(line, name, n) != 0 || line[n] != ':')
			continue;
		*value = strtoll(line + n + 1, &end, 10);
		return end == line + n + 1 ? -1 : 0;
	}
	return -1;
}

int proc_fdinfo_field(pid_t pid, int fd, const char *name, long long *value)
{
	char path[64], text[1024];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	n = read(f, text, sizeof(text) - 1);
	close(f);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	return proc_parse_fdinfo_field(text, name, value);
}

/* An entry as getdents64(2) returns it (the kernel's linux_dirent64, which
 * no header exports). */
struct fd_dirent {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};
/* The longest such entry of /proc/PID/fd: a descriptor's number (at most
 * 10 digits) after the header, with its nul, 8-byte aligned. */
#define FD_DIRENT_MAX 32

int proc_scan_fds_from(pid_t pid, int from, unsigned int max, fd_visit_fn visit, void *ctx)
{
	char path[64], link[512];
	_Alignas(8) char buf[32768];
	/* A read of max descriptors asks for about as many entries: /proc
	 * makes a dentry for every entry it returns, and a whole buffer's (a
	 * thousand) for a few dozen read cost more than reading them. */
	size_t want = max ? MIN(sizeof(buf), (size_t)max * FD_DIRENT_MAX + 2 * FD_DIRENT_MAX)
			  : sizeof(buf);
	unsigned int seen = 0;
	int dirfd, next = INT_MAX;
	long n;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -1;	/* gone, or a kernel thread */
	/* Its entries are in descriptor order, descriptor N at offset N + 2
	 * (proc_readfd_common()): a read can start anywhere. */
	if (from > 0 && lseek(dirfd, (off_t)from + 2, SEEK_SET) < 0) {
		close(dirfd);
		return -1;
	}
	while ((n = syscall(SYS_getdents64, dirfd, buf, want)) > 0) {
		for (long at = 0; at < n;) {
			const struct fd_dirent *de = (const struct fd_dirent *)(buf + at);
			ssize_t len;
			int fd;

			at += de->reclen;
			if (!isdigit((unsigned char)de->name[0]))
				continue;
			fd = atoi(de->name);
			if (fd < from)
				continue;
			if (max && seen == max) {
				next = fd;
				goto out;
			}
			seen++;
			len = readlinkat(dirfd, de->name, link, sizeof(link) - 1);
			if (len <= 0)
				continue;
			link[len] = '\0';
			struct fd_ref ref = {
				.pid = pid, .fd = fd, .link = link, .fdname = de->name,
				.dirfd = dirfd,
			};
			visit(&ref, ctx);
		}
	}
out:
	close(dirfd);
	return next;
}

static void fds_one(pid_t pid, fd_visit_fn visit, void *ctx)
{
	proc_scan_fds_from(pid, 0, 0, visit, ctx);
}

static void maps_one(pid_t pid, map_visit_fn visit, void *ctx);

/* What one process's scan needs: its visitor, fds' or maps' (one of them). */
struct pid_scan {
	fd_visit_fn fd_visit;
	map_visit_fn map_visit;
	void *ctx;
};

static void scan_one(pid_t pid, const struct pid_scan *scan)
{
	if (scan->fd_visit)
		fds_one(pid, scan->fd_visit, scan->ctx);
	else
		maps_one(pid, scan->map_visit, scan->ctx);
}

void proc_pids(pid_t skip, GArray *out)
{
	struct dirent *de;
	DIR *proc = opendir("/proc");

	if (!proc)
		return;
	while ((de = readdir(proc))) {
		int p;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		p = atoi(de->d_name);
		if (p != skip)
			g_array_append_val(out, p);
	}
	closedir(proc);
}

/* pid's, or (pid 0) every process's but skip's. */
static void scan_pids(pid_t pid, pid_t skip, const struct pid_scan *scan)
{
	GArray *pids;

	if (pid > 0) {
		scan_one(pid, scan);
		return;
	}
	pids = g_array_new(FALSE, FALSE, sizeof(int));
	proc_pids(skip, pids);
	for (guint i = 0; i < pids->len; i++)
		scan_one(g_array_index(pids, int, i), scan);
	g_array_free(pids, TRUE);
}

void proc_scan_fds(pid_t pid, pid_t skip, fd_visit_fn visit, void *ctx)
{
	const struct pid_scan scan = { .fd_visit = visit, .ctx = ctx };

	scan_pids(pid, skip, &scan);
}

bool proc_parse_maps_line(char *line, struct map_ref *ref)
{
	unsigned int major, minor;
	unsigned long long ino;
	int name = 0;

	ref->path = "";
	/* start-end perms offset major:minor inode   path */
	if (sscanf(line, "%lx-%lx %4s %llx %x:%x %llu %n", &ref->start, &ref->end, ref->perms,
		   &ref->offset, &major, &minor, &ino, &name) < 7 || strlen(ref->perms) != 4 ||
	    ref->perms[3] != 's' ||
	    ino == 0)
		return false;
	line[strcspn(line, "\n")] = '\0';
	ref->dev = makedev(major, minor);
	ref->ino = ino;
	if (name > 0)
		ref->path = line + name;
	return true;
}

static void maps_one(pid_t pid, map_visit_fn visit, void *ctx)
{
	char path[64], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct map_ref ref = { .pid = pid };

		if (proc_parse_maps_line(line, &ref))
			visit(&ref, ctx);
	}
	fclose(f);
}

void proc_scan_maps(pid_t pid, pid_t skip, map_visit_fn visit, void *ctx)
{
	const struct pid_scan scan = { .map_visit = visit, .ctx = ctx };

	scan_pids(pid, skip, &scan);
}

static void note_socket(const struct fd_ref *ref, void *ctx)
{
	unsigned long long ino;

	if (sscanf(ref->link, "socket:[%llu]", &ino) == 1)
		g_hash_table_add(ctx, g_memdup2(&ino, sizeof(ino)));
}

GHashTable *proc_sockets_held(const GArray *pids)
{
	GHashTable *held = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);

	for (guint i = 0; i < pids->len; i++)
		proc_scan_fds(g_array_index(pids, int, i), 0, note_socket, held);
	return held;
}

/* The initial PID namespace, as its link reads (PROC_PID_INIT_INO,
 * include/linux/proc_ns.h: fixed in the kernel). */
#define PID_NS_INIT "pid:[4026531836]"

int proc_check_host_view(char *err, size_t len)
{
	char self[32], ns[64];
	ssize_t n;

	if (access("/proc/self/stat", R_OK) != 0) {
		snprintf(err, len, "/proc is not mounted, and ipctrace names processes from it: "
			 "mount -t proc proc /proc");
		return -1;
	}
	/*
	 * The kernel side counts PIDs as the initial namespace sees them. This
	 * /proc shows the same ones if it is ipctrace's own namespace's (its
	 * "self" is ipctrace's PID) and that namespace is the initial one.
	 */
	n = readlink("/proc/self", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	n = readlink("/proc/self/ns/pid", ns, sizeof(ns) - 1);
	ns[n > 0 ? n : 0] = '\0';
	if (atoi(self) != getpid() || strcmp(ns, PID_NS_INIT) != 0) {
		snprintf(err, len, "ipctrace is not in the host's PID namespace, or its /proc "
			 "shows another (a container's): the kernel counts host PIDs, which it "
			 "could not name; run it in the host's (docker run --pid=host with the "
			 "host's /proc, or nsenter -t 1 -p -m)");
		return -1;
	}
	return 0;
}

/* Whether this kernel has /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN). */
static bool have_children_files(void)
{
	return access("/proc/thread-self/children", R_OK) == 0;
}

/* pid's children, from its threads' children files: a child is listed
 * under the thread that forked it. */
static void children_from_files(pid_t pid, GArray *kids)
{
	char path[64], file[128];
	struct dirent *de;
	DIR *task;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	task = opendir(path);
	if (!task)
		return;
	while ((de = readdir(task))) {
		FILE *f;
		int kid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(file, sizeof(file), "%s/%.16s/children", path, de->d_name);
		f = fopen(file, "re");
		if (!f)
			continue;
		while (fscanf(f, "%d", &kid) == 1)
			g_array_append_val(kids, kid);
		fclose(f);
	}
	closedir(task);
}

static void free_pid_array(gpointer a)
{
	g_array_free(a, TRUE);
}

/* Every process's children by its parent's PID, from each /proc/PID/stat:
 * int -> GArray of int. */
static GHashTable *children_by_parent(void)
{
	GHashTable *t = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_pid_array);
	struct dirent *de;
	DIR *proc = opendir("/proc");

	while (proc && (de = readdir(proc))) {
		char line[1024];
		pid_t pid, ppid;
		GArray *kids;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (!read_stat(pid, line, sizeof(line)) || !(ppid = proc_parse_stat_ppid(line)))
			continue;
		kids = g_hash_table_lookup(t, GINT_TO_POINTER(ppid));
		if (!kids) {
			kids = g_array_new(FALSE, FALSE, sizeof(int));
			g_hash_table_insert(t, GINT_TO_POINTER(ppid), kids);
		}
		g_array_append_val(kids, pid);
	}
	if (proc)
		closedir(proc);
	return t;
}

void proc_descendants(const GArray *roots, GArray *out)
{
	GHashTable *by_parent = have_children_files() ? NULL : children_by_parent();
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	GArray *queue = g_array_new(FALSE, FALSE, sizeof(int));
	GArray *kids = g_array_new(FALSE, FALSE, sizeof(int));

	g_array_append_vals(queue, roots->data, roots->len);
	for (guint i = 0; i < queue->len; i++)
		g_hash_table_add(seen, GINT_TO_POINTER(g_array_index(queue, int, i)));
	/* Breadth first: the queue grows by each generation as it is read. */
	for (guint i = 0; i < queue->len; i++) {
		int pid = g_array_index(queue, int, i);
		GArray *listed = by_parent ? g_hash_table_lookup(by_parent, GINT_TO_POINTER(pid)) : NULL;

		g_array_set_size(kids, 0);
		if (by_parent && listed)
			g_array_append_vals(kids, listed->data, listed->len);
		else if (!by_parent)
			children_from_files(pid, kids);
		for (guint j = 0; j < kids->len; j++) {
			int kid = g_array_index(kids, int, j);

			if (!g_hash_table_add(seen, GINT_TO_POINTER(kid)))
				continue;
			g_array_append_val(queue, kid);
			g_array_append_val(out, kid);
		}
	}
	g_array_free(kids, TRUE);
	g_array_free(queue, TRUE);
	g_hash_table_destroy(seen);
	if (by_parent)
		g_hash_table_destroy(by_parent);
}

/* Whether the process has a user space: a kernel thread's cmdline is empty. */
static bool proc_has_mm(pid_t pid)
{
	char c;

	return read_proc(pid, "cmdline", &c, 1) == 1;
}

/* The effective UID on /proc/PID/status's Uid: line (real, effective, ...). */
static bool proc_euid(pid_t pid, uid_t *uid)
{
	char path[64], line[256];
	unsigned int real, effective;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "Uid: %u %u", &real, &effective) == 2;
	fclose(f);
	*uid = effective;
	return found;
}

bool proc_matches(pid_t pid, const struct proc_selector *sel)
{
	char comm[COMM_LEN];
	uid_t uid;

	if (sel->comm && (proc_comm(pid, comm, sizeof(comm)) ||
			  fnmatch(sel->comm, comm, 0) != 0))
		return false;
	return !sel->by_uid || (proc_euid(pid, &uid) && uid == sel->uid);
}

void proc_select(const struct proc_selector *sel, pid_t skip, GArray *out)
{
	struct dirent *de;
	DIR *proc = opendir("/proc");

	while (proc && (de = readdir(proc))) {
		int pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		/* Kernel threads have no user space, so no IPC of their own. */
		if (pid != skip && proc_matches(pid, sel) && proc_has_mm(pid))
			g_array_append_val(out, pid);
	}
	if (proc)
		closedir(proc);
}

/* What name holds in the directory dirfd, like read_proc(). */
static ssize_t read_at(int dirfd, const char *name, char *buf, size_t len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

char *proc_title(pid_t pid, __u32 start)
{
	char buf[PROC_TITLE_MAX + 1], stat[1024], path[32];
	ssize_t n;
	int dirfd;

	/* Both files through one directory: it stays the process it was opened
	 * for (a reused PID is another directory), so the title read is the
	 * process whose start time was checked, not one given its PID since. */
	snprintf(path, sizeof(path), "/proc/%d", pid);
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return NULL;
	n = read_at(dirfd, "stat", stat, sizeof(stat) - 1);
	if (n > 0) {
		stat[n] = '\0';
		n = (__u32)proc_parse_stat_start_time(stat) == start ?
			read_at(dirfd, "cmdline", buf, PROC_TITLE_MAX) : -1;
	}
	close(dirfd);
	if (n <= 0)
		return NULL;
	/* Arguments are NUL-separated; a title set over them ends in NULs. */
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return n ? g_strdup(buf) : NULL;
}
