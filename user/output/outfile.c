// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib.h>
#include "common/common.h"
#include "output/outfile.h"

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
	return 0;
}

static bool write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

int outfile_replace(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	char *tmpl = temp_template(path);
	int fd = mkstemp(tmpl), saved;
	bool written;

	if (fd < 0) {
		saved = errno;
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(saved));
		g_free(tmpl);
		return -1;
	}
	/* No fsync: readers need a whole file, not one that survives a crash,
	 * and a sync every interval would cost the disk more than ipctrace. */
	written = fchmod(fd, 0644) == 0 && write_all(fd, data, len);
	saved = errno;
	if (close(fd) != 0 && written) {
		written = false;
		saved = errno;
	}
	if (written && rename(tmpl, path) == 0) {
		g_free(tmpl);
		return 0;
	}
	if (written)
		saved = errno;
	unlink(tmpl);
	snprintf(err, errlen, "cannot write %s: %s", path, strerror(saved));
	g_free(tmpl);
	return -1;
}

int outsink_open(struct outsink *k, const char *path, bool replace, char *err, size_t errlen)
{
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

FILE *outsink_begin(struct outsink *k)
{
	if (!k->path)
		return stdout;
	if (!k->mem)
		k->mem = open_memstream(&k->buf, &k->len);
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
	if (k->replace) {
		if (outfile_replace(k->path, k->buf, k->len, err, sizeof(err)))
			sink_failed(k, err);
		else
			k->failing = false;
	} else if (k->len && !write_all(k->fd, k->buf, k->len)) {
		snprintf(err, sizeof(err), "cannot write %s: %s", k->path, strerror(errno));
		sink_failed(k, err);
	}
	free(k->buf);
	k->buf = NULL;
	k->len = 0;
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
}
