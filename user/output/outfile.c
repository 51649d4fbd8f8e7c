// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib.h>
#include "common/confine.h"
#include "common/common.h"
#include "output/outfile.h"

/* A file's text, larger than any frame ipctrace writes: a bound on what the
 * writer allocates for one request. */
#define MAX_TEXT ((uint64_t)1 << 30)

/* One request: replace the index-th file with the len bytes that follow.
 * The answer is an int, 0 or the errno of the failure. */
struct request {
	uint32_t index;
	uint32_t reserved;
	uint64_t len;
};

static GPtrArray *replaced, *removed;	/* the paths named before the writer starts */
static int to_writer = -1, from_writer = -1;
static pid_t writer_pid;

/*
 * A hidden name in the same directory, so that rename() stays on one file
 * system and node_exporter, which reads *.prom only, skips it.
 */
static char *temp_template(const char *path)
{
	char *dir = g_path_get_dirname(path), *base = g_path_get_basename(path);
	char *name = g_strdup_printf(".%s.XXXXXX", base);
	char *tmpl = g_build_filename(dir, name, NULL);

	g_free(name);
	g_free(base);
	g_free(dir);
	return tmpl;
}

static void add_path(GPtrArray **list, const char *path)
{
	if (!*list)
		*list = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(*list, g_strdup(path));
}

int outfile_check(const char *path, const char *option, char *err, size_t errlen)
{
	char *tmpl = temp_template(path);
	struct stat st;
	int fd;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s %s is a directory: give a file name", option, path);
		g_free(tmpl);
		return -1;
	}
	/* A file renamed over a device, a FIFO or a link would take its place
	 * (as root, /dev/stdout's or /dev/null's). */
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s %s is not a regular file (a device, FIFO, socket or "
			 "symbolic link): it is replaced whole at each refresh, so give a "
			 "regular file's name", option, path);
		g_free(tmpl);
		return -1;
	}
	fd = mkstemp(tmpl);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s %s: %s: check that its directory "
			 "exists and is writable", option, path, strerror(errno));
		g_free(tmpl);
		return -1;
	}
	close(fd);
	unlink(tmpl);
	g_free(tmpl);
	add_path(&replaced, path);
	return 0;
}

void outfile_remove_at_exit(const char *path)
{
	add_path(&removed, path);
}

static bool write_all(int fd, const void *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data = (const char *)data + n;
		len -= (size_t)n;
	}
	return true;
}

static bool read_all(int fd, void *data, size_t len)
{
	while (len) {
		ssize_t n = read(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data = (char *)data + n;
		len -= (size_t)n;
	}
	return true;
}

/* The replacement itself: 0, or the errno of what failed. */
static int replace_here(const char *path, const char *data, size_t len)
{
	char *tmpl = temp_template(path);
	int fd = mkstemp(tmpl), saved;
	bool written;

	if (fd < 0) {
		saved = errno;
		g_free(tmpl);
		return saved;
	}
	/* No fsync: readers need a whole file, not one that survives a crash,
	 * and a sync every interval would cost the disk more than ipctrace. */
	written = fchmod(fd, 0644) == 0 && write_all(fd, data, len);
	saved = errno;
	if (close(fd) != 0 && written) {
		written = false;
		saved = errno;
	}
	if (written && rename(tmpl, path) == 0)
		saved = 0;
	else if (written)
		saved = errno;
	if (saved)
		unlink(tmpl);
	g_free(tmpl);
	return saved;
}

/* A socket ipctrace made; anything else there now is not its to remove. */
static void remove_socket(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
}

/* The writer's loop: requests until ipctrace's end closes the pipe. */
static void serve(int in, int out)
{
	struct request r;

	while (read_all(in, &r, sizeof(r)) && r.len <= MAX_TEXT && replaced &&
	       r.index < replaced->len) {
		char *text = g_try_malloc(r.len ? r.len : 1);
		int e;

		/* Without the memory, the text stays in the pipe: the writer ends,
		 * and ipctrace says the next write failed. */
		if (!text || !read_all(in, text, r.len)) {
			g_free(text);
			break;
		}
		e = replace_here(g_ptr_array_index(replaced, r.index), text, r.len);
		g_free(text);
		if (!write_all(out, &e, sizeof(e)))
			break;
	}
	for (guint i = 0; removed && i < removed->len; i++)
		remove_socket(g_ptr_array_index(removed, i));
}

/* Every descriptor but the standard ones and the writer's two pipes. */
static void close_others(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo > 3)
		close_range(3, lo - 1, 0);
	if (hi > lo + 1)
		close_range(lo + 1, hi - 1, 0);
	close_range(hi + 1, ~0U, 0);
}

static void writer_main(int in, int out)
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
	static const cap_value_t keep[] = { CAP_DAC_OVERRIDE };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), e = 0;

	/* Ctrl-C reaches the whole process group: the writer must live on to
	 * write ipctrace's last frame, and ends when ipctrace's pipe does. */
	for (size_t i = 0; i < G_N_ELEMENTS(ignored); i++)
		signal(ignored[i], SIG_IGN);
	prctl(PR_SET_NAME, "ipctrace-writer", 0, 0, 0);
	close_others(in, out);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	if (confine_caps(keep, 1) != 0 || confine_syscalls() != 0)
		e = errno ? errno : EPERM;
	if (write_all(out, &e, sizeof(e)) && e == 0)
		serve(in, out);
	_exit(0);
}

pid_t outfile_writer_start(char *err, size_t errlen)
{
	int req[2], ans[2], e = 0;

	if (!replaced && !removed)
		return 0;
	if (pipe2(req, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "cannot start the output writer: %s", strerror(errno));
		return -1;
	}
	if (pipe2(ans, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "cannot start the output writer: %s", strerror(errno));
		close(req[0]);
		close(req[1]);
		return -1;
	}
	writer_pid = fork();
	if (writer_pid == 0)
		writer_main(req[0], ans[1]);
	close(req[0]);
	close(ans[1]);
	to_writer = req[1];
	from_writer = ans[0];
	if (writer_pid < 0 || !read_all(from_writer, &e, sizeof(e)) || e) {
		snprintf(err, errlen, "cannot start the output writer: %s",
			 strerror(writer_pid < 0 ? errno : e ? e : EPIPE));
		outfile_writer_stop();
		return -1;
	}
	return writer_pid;
}

/* The writer's answer to one request: 0, or an errno. */
static int replace_through_writer(const char *path, const char *data, size_t len)
{
	struct request r = { .len = len };
	int e = EPIPE;

	while (r.index < replaced->len && strcmp(g_ptr_array_index(replaced, r.index), path))
		r.index++;
	if (r.index == replaced->len)
		return EINVAL;	/* not one named before the drop */
	if (len > MAX_TEXT)
		return EFBIG;
	if (write_all(to_writer, &r, sizeof(r)) && write_all(to_writer, data, len))
		read_all(from_writer, &e, sizeof(e));
	return e;
}

int outfile_replace(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	int e = to_writer >= 0 ? replace_through_writer(path, data, len)
			       : replace_here(path, data, len);

	if (e == 0)
		return 0;
	snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
	return -1;
}

void outfile_writer_stop(void)
{
	if (to_writer >= 0)
		close(to_writer);
	if (from_writer >= 0)
		close(from_writer);
	to_writer = from_writer = -1;
	if (writer_pid > 0)
		while (waitpid(writer_pid, NULL, 0) < 0 && errno == EINTR)
			;
	writer_pid = 0;
	if (replaced)
		g_ptr_array_free(replaced, TRUE);
	if (removed)
		g_ptr_array_free(removed, TRUE);
	replaced = removed = NULL;
}

int outsink_open(struct outsink *k, const char *path, bool replace, char *err, size_t errlen)
{
	struct stat st;

	/* The table into a device or a FIFO: its frames go there one after
	 * another, as to standard output, where a file renamed over it would
	 * take the node's place. A link is refused (outfile_check()): opening
	 * it would follow it wherever it points. */
	if (replace && path && lstat(path, &st) == 0 &&
	    (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)))
		replace = false;
	*k = (struct outsink){ .path = path, .replace = replace, .fd = -1 };
	if (!path)
		return 0;
	if (replace)
		return outfile_check(path, "-o", err, errlen);
	/* Mode 0644, as the graph's: the reader is usually not root. */
	k->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (k->fd < 0) {
		snprintf(err, errlen, "cannot write -o %s: %s: check that it is a file and "
			 "that its directory exists and is writable", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void sink_failed(struct outsink *k, const char *why)
{
	if (!k->failing)
		p_err("%s: tracing goes on; this is said once", why);
	k->failing = true;
}

/*
 * An appended frame larger than this goes out in pieces of it as it is
 * written: a frame of 100,000 rows held whole was 37 MB of ipctrace's
 * memory. Smaller frames (most) are still one write.
 */
#define FRAME_PIECE ((size_t)4 << 20)

static void frame_append(struct outsink *k)
{
	char err[512];

	if (k->frame->len && !write_all(k->fd, k->frame->str, k->frame->len)) {
		snprintf(err, sizeof(err), "cannot write %s: %s", k->path, strerror(errno));
		sink_failed(k, err);
	}
	g_string_truncate(k->frame, 0);
}

static ssize_t frame_write(void *cookie, const char *buf, size_t size)
{
	struct outsink *k = cookie;

	g_string_append_len(k->frame, buf, (gssize)size);
	if (!k->replace && k->frame->len >= FRAME_PIECE)
		frame_append(k);
	return (ssize_t)size;
}

FILE *outsink_begin(struct outsink *k)
{
	if (!k->path)
		return stdout;
	if (!k->frame)
		k->frame = g_string_new(NULL);
	if (!k->mem) {
		g_string_truncate(k->frame, 0);
		k->mem = fopencookie(k, "w", (cookie_io_functions_t){ .write = frame_write });
	}
	if (!k->mem) {
		/* Never into standard output, which a command may own: this frame
		 * is lost, and said so. */
		static FILE *nowhere;

		sink_failed(k, "cannot hold a frame in memory for -o");
		if (!nowhere)
			nowhere = fopen("/dev/null", "we");
		return nowhere ? nowhere : stderr;
	}
	return k->mem;
}

void outsink_commit(struct outsink *k)
{
	char err[512];

	if (!k->mem) {
		if (!k->path)
			fflush(stdout);
		return;
	}
	fclose(k->mem);
	k->mem = NULL;
	if (!k->replace) {
		frame_append(k);
		return;
	}
	if (outfile_replace(k->path, k->frame->str, k->frame->len, err, sizeof(err)))
		sink_failed(k, err);
	else
		k->failing = false;
	g_string_truncate(k->frame, 0);
}

static bool is_null_device(const struct stat *st)
{
	struct stat null;

	return S_ISCHR(st->st_mode) && stat("/dev/null", &null) == 0 && S_ISCHR(null.st_mode) &&
	       st->st_rdev == null.st_rdev;
}

bool outsink_discards(const struct outsink *k)
{
	struct stat st;

	if (k->path && k->fd < 0)
		return stat(k->path, &st) == 0 && is_null_device(&st);
	return fstat(k->fd >= 0 ? k->fd : STDOUT_FILENO, &st) == 0 && is_null_device(&st);
}

bool outsink_gone(const struct outsink *k)
{
	return !k->path && ferror(stdout);
}

void outsink_close(struct outsink *k)
{
	if (k->mem)
		outsink_commit(k);
	/* A session that failed early has a zeroed sink: no path, no file. */
	if (k->path && k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	if (k->frame)
		g_string_free(k->frame, TRUE);
	k->frame = NULL;
}
