/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the System V mechanisms (msg, shm, sem) share: an object is (IPC
 * namespace, id), named "key 0x... id N"; /proc/sysvipc/<file> lists the
 * objects of ipctrace's own namespace, with their state.
 */
#ifndef IPCTRACE_SYSV_H
#define IPCTRACE_SYSV_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "ipctrace.h"

struct store;
struct object;

#define SYSV_COLUMNS 16

/* One line of /proc/sysvipc/<file>: its numbers, in order (the key first). */
struct sysv_entry {
	__s64 col[SYSV_COLUMNS];
	int ncols;
};

/* A line's leading numbers; false if it has no key and id (the header). */
bool sysv_parse_line(const char *line, struct sysv_entry *e);

/*
 * Once per interval, for every object of `type` in the store: name it from
 * the key the kernel side recorded or the file lists (kept after the object
 * goes), mark it "removed" once gone, and hand its line to `state` to set
 * the object's attributes. Columns: 0 the key, 1 the id.
 */
void sysv_refresh(struct store *s, unsigned int type, const char *file,
		  void (*state)(struct object *o, const struct sysv_entry *e));

/* The kernel side saw msgget/shmget/semget: the key, and a segment's size. */
void sysv_describe(struct object *o, const struct ipc_obj_info *info);

void sysv_default_name(const struct ipc_obj_key *obj, char *buf, size_t len);

/* A System V object's dev is its IPC namespace, named as /proc/PID/ns/ipc
 * names it; other types' a device. */
/* A System V object's dev is its IPC namespace's inode: "ipc_ns". */
const char *sysv_dev_key(unsigned int type);

__u32 sysv_own_ipc_ns(void);

#endif
