/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cgroup (v2) names. The kernel gives a process's cgroup as an id, the
 * inode number of its directory under /sys/fs/cgroup; this finds the path
 * that names it, "/system.slice/nginx.service", the way a container or
 * service is known.
 */
#ifndef IPCTRACE_CGROUP_H
#define IPCTRACE_CGROUP_H

#include <linux/types.h>

/* Where the cgroup v2 hierarchy is mounted; NULL if nowhere. */
const char *cgroup2_root(void);
/* A line of /proc/PID/mountinfo: its mount point, unescaped, to g_free, if
 * it mounts cgroup2; else NULL. */
char *cgroup_parse_mountinfo(const char *line);

/* --cgroup: a cgroup directory, by path under the mount or relative to it;
 * -1 with one line in err saying what is wrong. */
int cgroup_open(const char *path, char *err, size_t errlen);

/* The cgroup's path below the cgroup root ("/" for the root), or "" when
 * unknown (gone, or not under the mount). Valid until the next call. */
const char *cgroup_path(__u64 id);

/* The short form for a table: a container's or service's own name. */
const char *cgroup_short(const char *path);

void cgroup_names_free(void);

#endif
