/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by the BPF programs and user space. Fixed-width kernel types
 * only and no libc includes, so both sides compile the same layout.
 */
#ifndef IPCTRACE_H
#define IPCTRACE_H

/* Every IPC mechanism ipctrace knows. The values are part of the map layout. */
enum ipc_type {
	IPC_NONE = 0,
	IPC_PIPE,
	IPC_FIFO,
	IPC_MQ,
	IPC_MSG,
	IPC_SHM,
	IPC_POSIX_SHM,
	IPC_MMAP,
	IPC_UNIX,
	IPC_TCP,
	IPC_UDP,
	IPC_TYPE_MAX,
};

enum ipc_dir {
	DIR_TX = 0,
	DIR_RX = 1,
};

/*
 * What a traced syscall does, independent of its architecture-specific
 * number. User space fills syscall_op[nr] from the host's __NR_* values, so the
 * BPF side never hard-codes a syscall number and one table lookup both filters
 * and dispatches.
 */
enum syscall_op {
	IPCOP_NONE = 0,
	IPCOP_READ,	/* read(fd, buf, n), readv, preadv2(offset -1) */
	IPCOP_WRITE,	/* write(fd, buf, n), writev, pwritev2(offset -1) */
	IPCOP_SPLICE,	/* splice(fd_in, off_in, fd_out, off_out, ...) */
	IPCOP_TEE,		/* tee(fd_in, fd_out, ...) */
	IPCOP_VMSPLICE,	/* vmsplice(fd, iov, ...): direction from the fd's mode */
	IPCOP_SENDFILE,	/* sendfile(out_fd, in_fd, ...) */
	IPCOP_OPEN,	/* open, openat, openat2: only traced with -p */
	IPCOP_MAX,
};

/* Large enough for every x86-64 syscall number (the highest is below 470). */
#define SYSCALL_TABLE_SIZE 512

/*
 * One counter row: a process, one IPC object, one direction.
 * (type, dev, ino) names the object; for pipes and FIFOs it is the inode.
 */
struct ipc_key {
	__u64 ino;
	__u32 dev;
	__u32 tgid;
	__u8 type;
	__u8 dir;
	__u8 pad[6];
};

struct ipc_counters {
	__u64 bytes;
	__u64 ops;
};

struct ipc_obj_key {
	__u64 ino;
	__u32 dev;
	__u8 type;
	__u8 pad[3];
};

#define IPC_NAME_LEN 256

/* A named object's name, from the first process that touched it; user space
 * deletes the entry once read. */
struct ipc_obj_info {
	char name[IPC_NAME_LEN]; /* a FIFO's path; empty for anonymous objects */
};

#define COMM_LEN 16

/* A process that has at least one counter row. */
struct ipc_proc {
	char comm[COMM_LEN];
	__u64 exit_ns;	/* 0 while alive; set when the whole thread group has exited */
};

/* Roles in the -p filter map. */
enum filter_role {
	ROLE_TARGET = 1,	/* named with -p */
	ROLE_PEER = 2,		/* may be at the other end of a target's channel */
};

/*
 * Losses, counted so that nothing disappears silently. Read by user space from
 * the .bss section; updated with atomic adds.
 */
struct ipc_loss {
	__u64 rows_dropped;	/* counter map full: the operation was not counted */
	__u64 objs_dropped;	/* name map full: an object shows by inode, not name */
	__u64 procs_dropped;	/* process map full: comm/exit taken from /proc */
	__u64 filter_dropped;	/* -p candidate map full: a peer may be missed */
};

/* Map sizes: the limits documented in the README. */
#define MAX_ROWS	65536
#define MAX_OBJECTS	32768
#define MAX_PROCS	16384
#define MAX_FILTER	8192

#endif /* IPCTRACE_H */
