/* SPDX-License-Identifier: GPL-2.0 */
/* What ipctrace reads from /proc: process state, names, open descriptors. */
#ifndef IPCTRACE_PROCFS_H
#define IPCTRACE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "model/mechanism.h"

enum pid_state {
	PID_LIVE,
	PID_MISSING,
	PID_ZOMBIE,
	PID_THREAD,	/* a thread ID that is not its process's ID */
};

/* *tgid gets the thread group for PID_THREAD. */
enum pid_state proc_pid_state(pid_t pid, pid_t *tgid);
bool proc_alive(pid_t pid);
/* PID is live and is the process that started then (struct ipc_proc_key). */
bool proc_is(pid_t pid, __u32 start);

/*
 * Whether this /proc shows the processes the kernel side names: the host's
 * PID namespace, in full. 0, or -1 with one line in err saying what to run
 * instead (a container's own /proc, none at all, one that hides processes).
 */
int proc_check_host_view(char *err, size_t len);

/*
 * When the process started, in clock ticks since boot (0 if it is gone): a
 * PID and its start time name one process, where a PID alone may be reused.
 */
unsigned long long proc_start_time(pid_t pid);
/* The start time field of a /proc/PID/stat line; 0 if malformed. */
unsigned long long proc_parse_stat_start_time(const char *stat_line);
/* The parent's PID in a /proc/PID/stat line (field 4); 0 if malformed. */
pid_t proc_parse_stat_ppid(const char *stat_line);
int proc_comm(pid_t pid, char *buf, size_t len);
/* The process's real uid (the Uid: line of /proc/PID/status); -1 if gone. */
int proc_uid(pid_t pid, __u32 *uid);
/* The real uid in the text of /proc/PID/status; -1 if it has none. */
int proc_parse_status_uid(const char *status, __u32 *uid);

/*
 * Every process below roots (int) in the process tree, at any depth, appended
 * to out (int); the roots themselves are not. Children come from the threads'
 * /proc/PID/task/TID/children where the kernel has them
 * (CONFIG_PROC_CHILDREN), else from every process's parent in
 * /proc/PID/stat. A snapshot: a process forked during the walk may be missed.
 */
void proc_descendants(const GArray *roots, GArray *out);

/* HOLD_READ / HOLD_WRITE from the access mode in /proc/PID/fdinfo/FD. */
unsigned int proc_fd_mode(pid_t pid, int fd);
/* The same from the link's own permissions, which procfs sets from the
 * file's mode: one lstat, where fdinfo is an open, a read and a close. */
unsigned int proc_fd_ref_mode(const struct fd_ref *ref);

/*
 * What says that a process's descriptors may have changed, in one stat of
 * /proc/PID/fd: how many it has open (6.2+; 0 before, which says nothing)
 * and when the directory's inode was made (a new process with a reused PID
 * has a new one). ok false: the process is gone.
 */
struct fd_set_mark {
	long long nfds;
	long long made_ns;
};
bool proc_fd_set_mark(pid_t pid, struct fd_set_mark *mark);

/* Every process's PID but skip's, appended to out (int). */
void proc_pids(pid_t skip, GArray *out);

/*
 * A decimal field of /proc/PID/fdinfo/FD ("eventfd-id"): 0, or -1 if the
 * descriptor is gone or has no such field. proc_parse_fdinfo_field reads text.
 */
int proc_fdinfo_field(pid_t pid, int fd, const char *name, long long *value);
int proc_parse_fdinfo_field(const char *text, const char *name, long long *value);

typedef void (*fd_visit_fn)(const struct fd_ref *ref, void *ctx);

/* Visit every open descriptor of pid, or of every process if pid is 0. */
void proc_scan_fds(pid_t pid, pid_t skip, fd_visit_fn visit, void *ctx);
/*
 * Visit pid's open descriptors from number from on, at most max of them (0:
 * all). Returns the descriptor it stopped before (INT_MAX: it read them
 * all), or -1 if the process is gone.
 */
int proc_scan_fds_from(pid_t pid, int from, unsigned int max, fd_visit_fn visit, void *ctx);

typedef void (*map_visit_fn)(const struct map_ref *ref, void *ctx);

/* Visit every shared mapping of a file (inode not 0) of pid, or of all. */
/*
 * One line of /proc/PID/maps: false unless it maps a file shared (perms
 * "...s"). ref->path points into line, whose newline is cut.
 */
bool proc_parse_maps_line(char *line, struct map_ref *ref);
void proc_scan_maps(pid_t pid, pid_t skip, map_visit_fn visit, void *ctx);

/*
 * The process title: /proc/PID/cmdline with its arguments joined by spaces,
 * as ps -o args shows it, or what the process set there (setproctitle,
 * Perl's $0), at most PROC_TITLE_MAX bytes and not yet escaped, of the
 * process PID that started at start (clock ticks, as stat's field 22); NULL
 * if gone, another process, or empty (a kernel thread, or caught while the
 * process rewrites its title: setproctitle clears the old one first).
 * To g_free.
 */
#define PROC_TITLE_MAX 256
char *proc_title(pid_t pid, __u32 start);

/* -c and -u: a process's name (exact, or a glob as fnmatch(3) reads it) and
 * effective user; a NULL comm or !by_uid matches any. */
struct proc_selector {
	const char *comm;
	bool by_uid;
	uid_t uid;
};

bool proc_matches(pid_t pid, const struct proc_selector *sel);
/* Every process with a user space that matches, but skip, appended to out (int). */
void proc_select(const struct proc_selector *sel, pid_t skip, GArray *out);

/* The inodes of the sockets the processes pids (int) hold open: a set of
 * unsigned long long, to destroy with g_hash_table_destroy. */
GHashTable *proc_sockets_held(const GArray *pids);

#endif
