// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <ftw.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <glib.h>
#include "common/common.h"
#include "model/cgroup.h"

#define CGROUP2_SUPER_MAGIC 0x63677270
/* A miss rescans the tree, but not more often than this: a cgroup that
 * came and went in between stays unnamed rather than costing a scan each. */
#define RESCAN_S 2.0

static GHashTable *paths;	/* id -> path below the root */
static char *root;		/* where cgroup2 is mounted */
static double last_scan = -RESCAN_S;

char *cgroup_parse_mountinfo(const char *line)
{
	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS... - FSTYPE SOURCE ..." */
	const char *dash = strstr(line, " - ");
	char mnt[4096];

	if (!dash || strncmp(dash + 3, "cgroup2 ", 8) != 0 ||
	    sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
		return NULL;
	return g_strcompress(mnt);	/* mountinfo escapes spaces as \040 */
}

const char *cgroup2_root(void)
{
	FILE *f;
	char line[4096];

	if (root)
		return root;
	/* /sys/fs/cgroup on a unified system, /sys/fs/cgroup/unified on a hybrid one. */
	f = fopen("/proc/self/mountinfo", "re");
	while (f && fgets(line, sizeof(line), f) && !root)
		root = cgroup_parse_mountinfo(line);
	if (f)
		fclose(f);
	return root;
}

int cgroup_open(const char *path, char *err, size_t errlen)
{
	const char *top = cgroup2_root();
	char *full;
	struct statfs sfs;
	int fd;

	if (!top) {
		snprintf(err, errlen, "no cgroup v2 hierarchy is mounted, which --cgroup needs "
			 "(mount -t cgroup2 none /sys/fs/cgroup/unified)");
		return -1;
	}
	/* A path under the mount, or relative to it as the JSON names cgroups
	 * ("/system.slice/x.service"); a directory elsewhere (a cgroup v1
	 * hierarchy on a hybrid system) is said to be wrong rather than taken
	 * for a missing v2 one. */
	/* A path under the mount, or relative to it as the JSON names cgroups
	 * ("/system.slice/x.service"). A directory elsewhere (a cgroup v1
	 * hierarchy on a hybrid system) is said to be the wrong kind, not missing. */
	full = g_str_has_prefix(path, top) ? g_strdup(path) : g_build_filename(top, path, NULL);
	fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && path[0] == '/' && g_file_test(path, G_FILE_TEST_IS_DIR))
		snprintf(err, errlen, "%s is not in the cgroup v2 hierarchy: give a path under %s",
			 path, top);
	else if (fd < 0)
		snprintf(err, errlen, "no cgroup at %s: %s (see systemd-cgls, or the directories "
			 "under %s)", full, strerror(errno), top);
	else if (fstatfs(fd, &sfs) != 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
		snprintf(err, errlen, "%s is not in the cgroup v2 hierarchy: give a path under %s",
			 full, top);
	else {
		g_free(full);
		return fd;
	}
	if (fd >= 0)
		close(fd);
	g_free(full);
	return -1;
}

static int remember(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *below = path + strlen(root);

	(void)ftw;
	if (type == FTW_D)
		g_hash_table_insert(paths, GSIZE_TO_POINTER(st->st_ino),
				    g_strdup(*below ? below : "/"));
	return 0;
}

const char *cgroup_path(__u64 id)
{
	const char *path;

	if (!id || !cgroup2_root())
		return "";
	if (!paths)
		paths = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	path = g_hash_table_lookup(paths, GSIZE_TO_POINTER(id));
	if (path || now_s() - last_scan < RESCAN_S)
		return path ? path : "";
	/* FTW_PHYS: a cgroup tree has no links to follow. */
	nftw(root, remember, 16, FTW_PHYS);
	last_scan = now_s();
	path = g_hash_table_lookup(paths, GSIZE_TO_POINTER(id));
	return path ? path : "";
}

const char *cgroup_short(const char *path)
{
	const char *last = strrchr(path, '/');

	return last && last[1] ? last + 1 : path;
}

void cgroup_names_free(void)
{
	if (paths)
		g_hash_table_destroy(paths);
	paths = NULL;
	g_free(root);
	root = NULL;
}
