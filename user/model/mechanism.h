/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mechanism registry. A mechanism is a module: its BPF hooks
 * (bpf/<name>.bpf.h), its user-side description (mechanisms/<name>.c) and its
 * demo (tools/demo/<name>.c). Nothing outside a module knows one mechanism
 * from another: the outputs see rows, the loader sees syscall tables and asks
 * each module to configure its own settings; a module reaches the kernel side
 * only through struct kernel_ops.
 *
 * A new mechanism, user side: mechanisms/<name>.c (its struct mechanism,
 * its types' names and colours included) and its line in mechanisms[]
 * (mechanism.c). Nothing else in user/ changes.
 */
#ifndef IPCTRACE_MECHANISM_H
#define IPCTRACE_MECHANISM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <glib.h>
#include <linux/types.h>
#include "ipctrace.h"

#define MEASURED_BYTES "measured_bytes"

struct syscall_hook {
	int nr;			/* the host's __NR_* value */
	enum syscall_op op;
};

/* One shared mapping found in /proc/PID/maps. */
struct map_ref {
	int pid;
	unsigned long start, end;
	unsigned long long offset;	/* in the object */
	char perms[5];		/* "rw-s" */
	dev_t dev;
	__u64 ino;
	const char *path;	/* "" for none */
};

/* One open descriptor found under /proc/PID/fd. */
struct fd_ref {
	int pid;
	int fd;
	const char *link;	/* readlink of /proc/PID/fd/FD */
	const char *fdname;	/* "FD", relative to dirfd */
	int dirfd;		/* /proc/PID/fd, for a lazy fstatat */
};

struct store;
struct object;
struct ipctrace_bpf__rodata;

/*
 * What a module may ask of the kernel side once it is loaded. The loader
 * hands this in (ctx is its own), so a module never includes the loader and
 * the arrows run one way: loader -> mechanisms -> model.
 */
struct kernel_ops {
	void *ctx;
	/* A shared mapping made before ipctrace started: its process's page
	 * faults and futexes on it count, and its detach. */
	void (*add_range)(void *ctx, pid_t pid, const struct shared_range *r);
	/* -p: whoever connects to this address (a target's listener) is a peer;
	 * owner is the listening socket's inode: the entry goes when it closes. */
	void (*watch_listener)(void *ctx, const struct ipc_sock_addr *addr, __u64 owner);
	/* -p: count the socket with this tuple (the far end of a target's). */
	void (*watch_tuple)(void *ctx, const struct ipc_tuple *tuple, __u64 owner);
};

/* One IPC type of a mechanism: the name users type with -t and read in the
 * TYPE column and JSON, and its colour in the graph (one a projector and
 * print tell apart from the others'). */
struct mechanism_type {
	enum ipc_type type;
	const char *name;
	const char *colour;
};

#define MECHANISM_TYPES_MAX 4

struct mechanism {
	const char *name;
	unsigned int types;			/* bit (1 << enum ipc_type) */
	struct mechanism_type type_info[MECHANISM_TYPES_MAX];	/* one per bit of types */
	const struct syscall_hook *syscalls;	/* always traced when a type is on */
	size_t nsyscalls;
	/* Its objects are read and written with the pipe module's transfer
	 * syscalls (mechanism_transfer_syscalls), traced when a type is on. */
	bool transfers;
	const struct syscall_hook *filter_syscalls; /* traced only with -p */
	size_t nfilter_syscalls;
	/*
	 * The object an open descriptor refers to, if it is one of this
	 * module's. `named` holds the names of the named objects seen so far,
	 * so a scan of the whole system stats only descriptors that may match;
	 * a scan of one target stats everything (named == NULL). NULL for
	 * mechanisms without descriptors.
	 */
	bool (*fd_object)(const struct fd_ref *ref, GHashTable *named,
			  struct ipc_obj_key *out);
	/* The object a shared memory mapping maps, if it is one of this
	 * module's, and its access (enum hold_mode bits). NULL: none. */
	bool (*map_object)(const struct map_ref *ref, struct ipc_obj_key *out, unsigned int *mode);
	/* A readable name when the kernel recorded none. */
	void (*default_name)(const struct ipc_obj_key *obj, char *buf, size_t len);
	/* Once per interval: names and state (a queue's depth) of its objects. */
	void (*refresh)(struct store *s);
	/* What its rows' event slots count, as row attributes (NULL: unused). */
	const char *event_names[IPC_EVENTS];
	/*
	 * The key under which -e writes an operation's event when the event is
	 * what became of that one operation ("result": delivered, ignored...),
	 * not a count of its own. NULL: events are counts ("accepts+1").
	 */
	const char *event_key;
	/* What a row's labels are ("prio", "mtype"); NULL if it has none. */
	const char *label_name;
	/* A label's name (a signal's number as SIGUSR1); NULL: the number. */
	void (*label_text)(__s64 label, char *buf, size_t len);
	/*
	 * For a type whose object key's dev is not a device (an IPC namespace,
	 * a target's start time): the key JSON and CSV give it under, dev then
	 * being "0:0", no device, as /proc/PID/maps says. NULL: a device.
	 */
	const char *(*dev_key)(unsigned int type);
	/* Its objects are endpoints, one per end (sockets), not channels. */
	bool endpoints;
	/*
	 * Its objects are used only through a descriptor or a mapping, which
	 * the /proc scan sees: one nobody holds is closed, and its rows final.
	 * Without it (System V queues, semaphores), rows end when it is removed.
	 */
	bool held;
	/*
	 * An object of it is a channel only if someone writes into it: a file
	 * every process maps read-only (a locale cache) is shared, but nobody
	 * talks through it, so its rows are not shown.
	 */
	bool needs_writer;
	/*
	 * The kernel described a new object (struct ipc_obj_info): name it and
	 * keep what else the module needs. NULL: the name is the info's name.
	 */
	void (*describe)(struct object *o, const struct ipc_obj_info *info);
	/* Where one of its datagram sockets sent, and how many times. */
	void (*dest)(struct store *s, const struct ipc_obj_key *sock,
		     const struct ipc_sock_addr *dest, __u64 count);
	/* Before loading: settings of its own for the BPF side, in the
	 * skeleton's rodata (declared in its bpf/<name>.bpf.h). */
	void (*configure)(struct ipctrace_bpf__rodata *rodata);
	/* Once, after attaching: what the kernel side must know of the
	 * processes already running (who has a shared mapping). */
	void (*start)(struct store *s, const struct kernel_ops *kops);
	/* How bytes and ops are measured, when it is not by syscall (JSON).
	 * An event slot named MEASURED_BYTES says how many of a row's bytes
	 * calls moved all the same: the row is an estimate only beyond those. */
	const char *bytes_method;
	/* -p: tell the kernel side what to watch for a target's object. */
	void (*watch_target)(struct store *s, struct object *o, const struct kernel_ops *kops);
	/*
	 * The label an exiting process's notice to its parent carries (SIGCHLD):
	 * an exited process's tx row with this label alone says only that it
	 * exited, and the table folds such rows per parent. 0: none.
	 */
	__s64 exit_label;
	/*
	 * The service end of one of its endpoints, which lasts while clients
	 * come and go: the address a server listens on ("192.0.2.10:5432"), its
	 * own for a server's socket, the other end's for a client's. NULL, or
	 * false: none (a unix socket, an unconnected sender).
	 */
	bool (*service)(const struct object *o, char *buf, size_t len, bool *server);
	/* Syscalls that replace a missing tracepoint (sock_send_length). */
	const struct syscall_hook *fallback_syscalls;
	size_t nfallback_syscalls;
};

/* read, write and their vectored forms, as the pipe module maps them. */
extern const struct syscall_hook mechanism_transfer_syscalls[];
extern const size_t mechanism_ntransfer_syscalls;

/* All modules, in the order their types are listed. */
extern const struct mechanism *const mechanisms[];
extern const size_t nmechanisms;

const char *ipc_type_name(unsigned int type);
int ipc_type_from_name(const char *name);	/* -1 if unknown */
const struct mechanism *mechanism_of(unsigned int type);
const char *mechanism_event_name(unsigned int type, unsigned int slot);	/* NULL: unused */
const char *mechanism_event_key(unsigned int type);			/* NULL: counts */
const char *mechanism_label_name(unsigned int type);			/* NULL: none */
/* A label as shown: its name if the mechanism names its labels, else the number. */
void mechanism_format_label(unsigned int type, __s64 label, char *buf, size_t len);
bool mechanism_labels_named(unsigned int type);
/* dev as every output writes it: "major:minor" (struct mechanism, dev_key). */
void mechanism_format_dev(unsigned int type, __u32 dev, char *buf, size_t len);
const char *mechanism_dev_key(unsigned int type);	/* NULL: dev is a device */
bool mechanism_is_endpoint(unsigned int type);
/* An endpoint's service address (struct mechanism, service); false: none. */
bool mechanism_service(const struct object *o, char *buf, size_t len, bool *server);
bool mechanism_needs_writer(unsigned int type);
bool mechanism_is_held(unsigned int type);
__s64 mechanism_exit_label(unsigned int type);	/* 0: none */
const char *mechanism_bytes_method(unsigned int type);	/* NULL: counted per syscall */
unsigned int mechanism_types(void);
/* The graph's colour for a type's edges, "#rrggbb": per type, like its name. */
const char *mechanism_type_colour(unsigned int type);
/* "pipe,fifo": every implemented type, for help and error text. */
const char *mechanism_type_list(void);
/*
 * -t's list ("pipe,fifo", "all"), also typed into the interactive table's
 * filter: 0 with the types' bits in mask, or -1 with the reason in err.
 */
int mechanism_parse_types(const char *arg, unsigned int *mask, char *err, size_t errlen);

/*
 * Whether a descriptor's link names one of the named objects seen so far. An
 * object removed while open (a FIFO's file, a queue's name) shows as
 * "NAME (deleted)".
 */
bool mechanism_link_is_named(GHashTable *named, const char *link);

/* A kernel dev_t (major << 20 | minor) from a user-space st_dev. */
__u32 mechanism_kernel_dev(dev_t dev);

#endif
