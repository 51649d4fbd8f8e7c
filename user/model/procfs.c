// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

unsigned long long proc_parse_stat_start_time(const char *stat_line)
{
	/* The name in parentheses may hold spaces and ')': fields count from the last ')'. */
	const char *p = strrchr(stat_line, ')');
	unsigned long long start = 0;

	if (!p)
		return 0;
	/* After ')': state is field 3, starttime field 22. */
	for (int field = 2; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return 0;
	}
	if (sscanf(p + 1, "%llu", &start) != 1)
		return 0;
	return start;
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return proc_parse_stat_start_time(buf);
}

int proc_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
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

static void fds_one(pid_t pid, fd_visit_fn visit, void *ctx)
{
	char path[64], link[512];
	struct dirent *de;
	int dirfd;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return;	/* gone, or a kernel thread */
	dir = fdopendir(dirfd);
	if (!dir) {
		close(dirfd);
		return;
	}
	while ((de = readdir(dir))) {
		ssize_t n;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		n = readlinkat(dirfd, de->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		struct fd_ref ref = {
			.pid = pid, .fd = atoi(de->d_name), .link = link,
			.fdname = de->d_name, .dirfd = dirfd,
		};
		visit(&ref, ctx);
	}
	closedir(dir);
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

/* pid's, or (pid 0) every process's but skip's. */
static void scan_pids(pid_t pid, pid_t skip, const struct pid_scan *scan)
{
	struct dirent *de;
	DIR *proc;

	if (pid > 0) {
		scan_one(pid, scan);
		return;
	}
	proc = opendir("/proc");
	if (!proc)
		return;
	while ((de = readdir(proc))) {
		pid_t p;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		p = atoi(de->d_name);
		if (p != skip)
			scan_one(p, scan);
	}
	closedir(proc);
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
