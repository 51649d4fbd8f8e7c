// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib.h>
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
