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
	IPC_SEM,	/* System V semaphore sets: how shared memory users synchronise */
	IPC_SIGNAL,	/* signals: the object is the target process */
	IPC_EVENTFD,	/* eventfd counters: the object is the eventfd's id */
	IPC_PTY,	/* pseudo-terminals: one object per end, by the pty's index */
	IPC_PROCESS_VM,	/* another process's memory: the object is the target process */
	IPC_NETLINK,	/* NETLINK_USERSOCK sockets: netlink between user processes */
	IPC_TYPE_MAX,
};

/* Sets of types, as the type masks of both halves hold them. */
#define IPC_TYPE_BIT(t) (1U << (t))
#define IPC_SOCK_TYPES (IPC_TYPE_BIT(IPC_UNIX) | IPC_TYPE_BIT(IPC_TCP) | IPC_TYPE_BIT(IPC_UDP) | \
			IPC_TYPE_BIT(IPC_NETLINK))
#define IPC_SHM_TYPES (IPC_TYPE_BIT(IPC_SHM) | IPC_TYPE_BIT(IPC_POSIX_SHM) | IPC_TYPE_BIT(IPC_MMAP))

/*
 * A pty's two ends are two objects, linked as a socket pair's are: the slave
 * (/dev/pts/N) is ino N, the master (the /dev/ptmx descriptor that made it)
 * N with this bit; dev is the devpts instance's.
 */
#define PTY_MASTER_BIT (1ULL << 32)

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
	/* Generic descriptor syscalls: most calls are not IPC, so with -p the
	 * filter runs before the descriptor walk. */
	IPCOP_READ,	/* read(fd, buf, n) */
	IPCOP_WRITE,	/* write(fd, buf, n) */
	IPCOP_READV,	/* readv(fd, iov, n), preadv2(offset -1) */
	IPCOP_WRITEV,	/* writev(fd, iov, n), pwritev2(offset -1) */
	IPCOP_SPLICE,	/* splice(fd_in, off_in, fd_out, off_out, ...) */
	IPCOP_TEE,	/* tee(fd_in, fd_out, ...) */
	IPCOP_VMSPLICE,	/* vmsplice(fd, iov, ...): direction from the fd's mode */
	IPCOP_SENDFILE,	/* sendfile(out_fd, in_fd, ...) */
	/* Socket syscalls. With the sock tracepoints (6.3+) those count every
	 * byte and these only add what the tracepoints cannot see: accepts,
	 * connects, passed descriptors, datagram destinations. */
	IPCOP_SENDTO,	/* sendto(fd, buf, len, flags, dest, addrlen); send() */
	IPCOP_RECVFROM,	/* recvfrom(fd, buf, len, flags, src, &addrlen); recv() */
	IPCOP_SENDMSG,	/* sendmsg(fd, msghdr, flags) */
	IPCOP_RECVMSG,	/* recvmsg(fd, msghdr, flags) */
	IPCOP_SENDMMSG,	/* sendmmsg(fd, mmsghdr[], vlen, flags): ret = messages */
	IPCOP_RECVMMSG,	/* recvmmsg(fd, mmsghdr[], vlen, flags, timeout) */
	IPCOP_ACCEPT,	/* accept(fd, ...), accept4: ret = the new socket */
	IPCOP_CONNECT,	/* connect(fd, addr, len) */
	IPCOP_LISTEN,	/* listen(fd, backlog): only traced with -p */
	IPCOP_BIND,	/* bind(fd, addr, len): only traced with -p */
	/* Memory syscalls every process makes; only shared mappings count. */
	IPCOP_MMAP,	/* mmap(addr, len, prot, flags, fd, off): ret = the address */
	IPCOP_MUNMAP,	/* munmap(addr, len) */
	IPCOP_MREMAP,	/* mremap(old, old_len, new_len, flags, new): ret = new address */
	IPCOP_FUTEX,	/* futex(uaddr, op, val, ...): shared (not PRIVATE) ones only */
	IPCOP_OPEN,	/* open, openat, openat2: only traced with -p */
	IPCOP_MADVISE,	/* madvise(addr, len, advice): MADV_POPULATE_* on shared memory */
	/* Dedicated IPC syscalls: every call is IPC, so all are counted and -p
	 * filters them in user space, which needs no peer discovery. */
	IPCOP_DEDICATED,
	IPCOP_MQ_SEND = IPCOP_DEDICATED, /* mq_timedsend(mqd, ptr, len, prio, timeout) */
	IPCOP_MQ_RECV,	/* mq_timedreceive(mqd, ptr, len, &prio, timeout) */
	IPCOP_MQ_NOTIFY, /* mq_notify(mqd, sevp) */
	IPCOP_MQ_UNLINK, /* mq_unlink(name) */
	IPCOP_MSG_SND,	/* msgsnd(id, msgp, size, flags) */
	IPCOP_MSG_RCV,	/* msgrcv(id, msgp, size, type, flags) */
	IPCOP_MSG_CTL,	/* msgctl(id, cmd, buf) */
	IPCOP_MSG_GET,	/* msgget(key, flags): the key of a new id */
	IPCOP_SHM_GET,	/* shmget(key, size, flags): the key and size of a new id */
	IPCOP_SHM_AT,	/* shmat(id, addr, flags): ret = the address */
	IPCOP_SHM_DT,	/* shmdt(addr) */
	IPCOP_SHM_CTL,	/* shmctl(id, cmd, buf) */
	IPCOP_SEM_GET,	/* semget(key, nsems, flags) */
	IPCOP_SEM_OP,	/* semop(id, sops, nsops), semtimedop */
	IPCOP_SEM_CTL,	/* semctl(id, num, cmd, ...) */
	IPCOP_MEMFD,	/* memfd_create(name, flags): ret = the descriptor */
	IPCOP_UNLINK,	/* unlink(path): shm_unlink is an unlink under /dev/shm */
	IPCOP_UNLINKAT,	/* unlinkat(dirfd, path, flags) */
	IPCOP_PVM_READ,	/* process_vm_readv(pid, local, n, remote, n, flags): ret = bytes */
	IPCOP_PVM_WRITE, /* process_vm_writev(pid, local, n, remote, n, flags) */
	IPCOP_PIDFD_GETFD, /* pidfd_getfd(pidfd, targetfd, flags): ret = the new descriptor */
	IPCOP_MAX,
	/* Not a 64-bit op: the number is an IPC syscall's for 32-bit (compat)
	 * processes only (user/loader/compat.c), counted in lost.compat. */
	IPCOP_COMPAT = IPCOP_MAX,
	/* Not IPC: a call that may take a descriptor away or put another object
	 * under its number (close, close_range, dup2, dup3), which only bumps its
	 * process's fd_changes bucket (bpf/core/fdset.bpf.h). */
	IPCOP_FD_CHANGE,
};

/*
 * The buckets of tgids whose descriptor tables the kernel side says changed
 * (bucket = tgid & (FD_CHANGE_BUCKETS - 1)): a counter each, and a flag each
 * for a table it cannot vouch for. 8192 keeps two processes of a few hundred
 * rarely in one bucket, for 40 KB of .bss.
 */
#define FD_CHANGE_BUCKETS 8192

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
	__u32 start;	/* the process's start time (struct ipc_proc_key) */
	__u8 type;
	__u8 dir;
	__u8 pad[2];
};

/* Per-row counters of control operations, named by each mechanism
 * (user/<mechanism>.c): notify registrations, attaches, accepts... */
#define IPC_EVENTS 8

struct ipc_counters {
	__u64 bytes;
	__u64 ops;
	__u64 events[IPC_EVENTS];
	__u64 wait_ns;	/* time its operations spent asleep in the kernel, waiting */
	/*
	 * The label (priority, message type, signal...) of the operation that
	 * made the row, or NO_LABEL, counted here rather than in the labels
	 * map: most rows carry one label, and this spares them that map's
	 * lookup. Set once, when the row is inserted, so that a label is
	 * counted in one place only.
	 */
	__s64 first_label;
	__u64 first_label_ops;
	__u64 first_label_bytes;
	__u32 uid;	/* whose operation made the row: its share of the rows (rows_share) */
	__u32 gen;	/* the read generation in which it last said it moved (moved0/1) */
};

/*
 * Rows that cannot be blinded. An object's row is refused once the counter
 * map has no room left but its reserve (user space sets its size), or once the user whose process
 * makes it holds its share of the rows; its operations then count on its
 * process's overflow row for that type and direction: key { .ino = tgid,
 * .dev = IPC_OVERFLOW_DEV }. Per process, type and direction the totals stay
 * exact; only which object is lost, and lost.rows counts those operations.
 */
#define IPC_OVERFLOW_DEV 0xffffffffu
#define UID_BUCKETS 1024	/* users' rows, counted by bucket: 2^10 */
/* The bucket a user's rows are counted in (Fibonacci hashing into 10 bits,
 * so that neighbouring uids fall apart); root's rows are not limited. */
#define UID_BUCKET(uid) ((__u32)((__u32)(uid) * 2654435761u) >> 22)

/* Event slots, per mechanism; user/<mechanism>.c names them. */
enum mq_event {
	MQ_EV_NOTIFY = 0,	/* mq_notify registrations, on the registrant's rx row */
};

enum sock_event {
	SOCK_EV_ACCEPT = 0,	/* connections accepted, on the listener's rx row */
	SOCK_EV_CONNECT,	/* connect() calls, on the socket's tx row */
	SOCK_EV_SCM_MSGS,	/* messages carrying SCM_RIGHTS descriptors */
	SOCK_EV_SCM_FDS,	/* descriptors passed in them */
};

enum shm_event {
	SHM_EV_ATTACH = 0,	/* shmat, mmap(MAP_SHARED): tx if writable, rx if read-only */
	SHM_EV_DETACH,		/* shmdt, munmap of a whole mapping */
	SHM_EV_PARTIAL,		/* munmap of part of a mapping */
	SHM_EV_REMAP,		/* mremap */
	SHM_EV_FUTEX_WAIT,	/* futex waits woken on an address in the mapping (rx) */
	SHM_EV_FUTEX_WAKE,	/* tasks woken by futex wakes on it (tx) */
	SHM_EV_CREATE,		/* memfd_create */
	SHM_EV_MEASURED,	/* of the row's bytes, those read or written by calls on
				 * a descriptor (the rest are page faults' estimate) */
};

/* What became of a signal (the signal_generate tracepoint's result), on both
 * rows, and whether the kernel sent it, on the target's row. */
enum signal_event {
	SIG_EV_DELIVERED = 0,	/* queued for the target (TRACE_SIGNAL_DELIVERED, LOSE_INFO) */
	SIG_EV_IGNORED,		/* discarded: ignored by the target (TRACE_SIGNAL_IGNORED) */
	SIG_EV_PENDING,		/* merged into the same signal already pending (ALREADY_PENDING) */
	SIG_EV_FAILED,		/* a real-time signal over the queue limit (OVERFLOW_FAIL) */
	SIG_EV_KERNEL,		/* sent by the kernel, not by a process: no sender row */
};

enum process_vm_event {
	PVM_EV_FDS_PASSED = 0,	/* descriptors taken with pidfd_getfd: rx on the
				 * taker's row, tx on its owner's */
};

enum eventfd_event {
	EVENTFD_EV_ADDED = 0,	/* the sum of the values written, on tx rows */
	EVENTFD_EV_CONSUMED,	/* the sum of the values read, on rx rows */
};

/*
 * Operations of a row by a label a message carries: a POSIX message's
 * priority, a System V message's type. User space derives min and max.
 */
struct ipc_label_key {
	struct ipc_key row;
	__s64 label;
};

struct ipc_label_counts {
	__u64 ops;
	__u64 bytes;
};

#define NO_LABEL ((__s64)0x8000000000000000ULL)

/*
 * Who removed an object (mq_unlink, msgctl IPC_RMID). A POSIX queue is
 * unlinked by name, a System V queue removed by id; the other field is 0.
 */
#define REMOVAL_NAME_LEN 64

struct ipc_removal_key {
	__u64 id;
	__u32 dev;
	__u8 type;
	__u8 pad[3];
	char name[REMOVAL_NAME_LEN];
};

struct ipc_obj_key {
	__u64 ino;
	__u32 dev;
	__u8 type;
	__u8 pad[3];
};

/*
 * The shared mappings of one process, as ipctrace saw them made (or found
 * them in /proc/PID/maps at start): a page fault or futex address is looked
 * up here, which is cheap and needs no lock, and a munmap or shmdt, whose
 * mapping is gone by its exit, learns what it took away. Every sharer has
 * SHARED_RANGES slots; one with more mappings gets a second table of
 * MORE_RANGES (a Python program's locks are a mapping each), up to
 * MAX_MORE_SHARERS processes. Only past those are mappings looked up in the
 * kernel's own tree, which a fault storm can make fail (lost.faults).
 */
#define SHARED_RANGES 8
#define MORE_RANGES 248
#define MAX_MORE_SHARERS 1024

struct shared_range {
	__u64 start, end;	/* end 0: a free slot */
	__u64 off;		/* the object's offset mapped at start */
	struct ipc_obj_key obj;
	__u8 dir;		/* DIR_TX if writable */
	__u8 pad[7];
};

struct shared_ranges {
	__u32 overflow;		/* mappings that found no free slot */
	__u32 more;		/* it has a second table (struct more_ranges) */
	struct shared_range r[SHARED_RANGES];
};

struct more_ranges {
	__u32 used;		/* slots past this one are all free */
	__u32 pad;
	struct shared_range r[MORE_RANGES];
};

/* The last waker of a futex (an object and an offset in it) or poster of a
 * semaphore set (offset 0): whom a waiter that resumes has to thank. */
struct ipc_wake_key {
	struct ipc_obj_key obj;
	__u64 offset;
};

#define IPC_NAME_LEN 256

/*
 * A socket address: IPv4 (in the first 4 bytes) or IPv6, or a unix name.
 * An IP address and port, or an abstract unix name, means something only in
 * one network namespace: two containers may each have 127.0.0.1:5000. netns
 * says which (the namespace's inode, as /proc/PID/ns/net shows it), so that
 * addresses never match across namespaces. A unix path is a filesystem
 * object, reachable from any namespace that sees the file: netns 0.
 */
#define SOCK_PATH_LEN 108	/* sun_path */
#define SOCK_PATH_BUF 128	/* room for any length the BPF side can prove */

struct ipc_sock_addr {
	__u16 family;		/* AF_INET, AF_INET6, AF_UNIX; 0: none */
	__u16 port;		/* host order */
	__u16 path_len;		/* unix: bytes of path; an abstract name starts with '\0' */
	__u16 pad;
	__u32 netns;		/* 0: a unix path, or not known */
	__u8 addr[16];
	char path[SOCK_PATH_BUF];
};

/* What a socket is and whom it is connected to, read from struct sock. */
struct ipc_sock_info {
	__u64 peer_ino;		/* unix: the connected peer socket's inode */
	__u16 type;		/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	__u16 protocol;
	__u32 netns;		/* the socket's network namespace (its inode) */
	__u8 listening;
	__u8 pad[7];
	struct ipc_sock_addr local, remote;	/* unix: remote is the peer's name */
};

/* A named object's name, from the first process that touched it; user space
 * deletes the entry once read. */
struct ipc_obj_info {
	union {
		char name[IPC_NAME_LEN]; /* a FIFO's path, a POSIX queue's /name */
		struct ipc_sock_info sock;
	};
	__s64 sysv_key;		 /* a System V object's key, if has_key */
	__u32 has_key;
	__u32 has_sock;
	__u64 size;		 /* a shared memory object's size in bytes, if known */
};

/*
 * -p: an inet socket's addresses, as a key. A target's socket watches the
 * reversed tuple, so the socket at the other end counts too.
 */
struct ipc_tuple {
	__u16 family;
	__u16 lport, rport;
	__u16 pad;
	__u32 netns;		/* the namespace both ends are in (struct ipc_sock_addr) */
	__u8 laddr[16], raddr[16];
};

/* Where an unconnected datagram socket sent: one entry per destination.
 * dest.netns is left 0 (nothing more per datagram): the destination is in
 * the sending socket's namespace, which its description says. */
struct ipc_dest_key {
	struct ipc_obj_key sock;
	struct ipc_sock_addr dest;
};

#define COMM_LEN 16

/* A process that has at least one counter row. */
/*
 * A process: its PID and when it started, in clock ticks since boot as
 * /proc/PID/stat's 22nd field gives it (modulo 2^32). A PID alone is reused,
 * and an unprivileged user can make it come round on purpose; a PID and a
 * start time cannot name two processes, since PIDs are allocated in turn
 * and going round all of them takes longer than a tick (only root can hand
 * a PID back at once, through the host's ns_last_pid).
 */
#define IPC_CLOCK_TICK_NS 10000000ULL	/* USER_HZ is 100 on every architecture built for */

struct ipc_proc_key {
	__u32 tgid;
	__u32 start;
};

struct ipc_proc {
	char comm[COMM_LEN];
	__u64 exit_ns;	/* 0 while alive; set when the whole thread group has exited */
	__u64 cgroup_id;	/* its cgroup (v2): the cgroup directory's inode */
	__u8 target;	/* -p: a target (named, forked from one with -f, or the command) */
	__u8 pad[7];
};

/*
 * -c's glob (fnmatch(3) without flags: * ? [...] and escapes), compiled by user
 * space for the kernel, which makes a process a target when it starts to
 * match (at exec, and a matching parent's fork). A bit-parallel automaton:
 * the pattern is a row of tokens, each a * or a set of bytes (a literal, ?,
 * a bracket), and bit t of a state means "the name so far matches the
 * tokens before t". One byte is one step: a few operations and one load,
 * with no branch, so 15 bytes of a name cost the verifier 15 steps. The
 * same steps serve user space's unit tests against fnmatch().
 */
#define GLOB_TOKENS 63

struct comm_glob {
	__u64 accept[256];	/* bit t: token t (not a *) takes this byte */
	__u64 stars;		/* bit t: token t is a * (runs of * are one) */
	__u32 ntokens;
	__u32 pad;
};

/* Read as volatile: the kernel's copy is read-only data written at load,
 * which the compiler would otherwise take for its all-zero initializer. */

/* A * may match nothing: a state before one is also past it. */
static __inline__ __u64 comm_glob_skip(const volatile struct comm_glob *g, __u64 s)
{
	return s | (s & g->stars) << 1;
}

static __inline__ __u64 comm_glob_step(const volatile struct comm_glob *g, __u64 s, __u8 c)
{
	return comm_glob_skip(g, (s & ~g->stars & g->accept[c]) << 1 | (s & g->stars));
}

/* Whether the name (up to NUL or COMM_LEN bytes) matches. */
static __inline__ int comm_glob_match(const volatile struct comm_glob *g, const char *name)
{
	__u64 s = comm_glob_skip(g, 1);

	for (int i = 0; i < COMM_LEN && name[i]; i++)
		s = comm_glob_step(g, s, (__u8)name[i]);
	return (s >> (g->ntokens & GLOB_TOKENS)) & 1;
}

/* Roles in the -p filter map. */
enum filter_role {
	ROLE_TARGET = 1,	/* named with -p, forked from one with -f, the command */
	ROLE_PEER = 2,		/* may be at the other end of a target's channel */
};

/*
 * Losses, counted so that nothing disappears silently. Read by user space from
 * the .bss section; updated with atomic adds.
 */
struct ipc_loss {
	__u64 rows_dropped;	/* no row of its own for the object (the counter map full,
				 * or its user at its share): counted on the process's
				 * overflow row */
	__u64 overflow_dropped;	/* not even an overflow row: the operation went uncounted */
	__u64 objs_dropped;	/* name map full: an object shows by inode, not name */
	__u64 procs_dropped;	/* process map full: comm/exit taken from /proc */
	__u64 filter_dropped;	/* -p candidate map full: a peer may be missed */
	__u64 labels_dropped;	/* label map full: a priority/type went uncounted */
	__u64 removals_dropped;	/* removal map full: who removed an object is unknown */
	__u64 dests_dropped;	/* destination map full: a datagram peer may be missed */
	__u64 mappings_dropped;	/* shared mappings past every table's slots */
	__u64 sharers_dropped;	/* sharer map full: a process's page faults go uncounted */
	__u64 faults_missed;	/* an overflowing process's fault could not be looked up
				 * (another BPF program was looking one up on that CPU) */
	__u64 events_dropped;	/* -e: the ring buffer was full, an event was not logged */
	__u64 waits_dropped;	/* sleeper map full: a blocked call's wait went unmeasured */
	__u64 hists_dropped;	/* --hist: histogram map full: a row has none */
	__u64 compat_skipped;	/* 32-bit syscalls skipped, of numbers the table traces */
	__u64 uring_unseen;	/* io_uring requests on IPC objects not counted (bpf/uring.bpf.h) */
};

/*
 * --hist: per row, log2 histograms of the bytes each transfer moved and of
 * how long each call that slept waited (microseconds). Slot i counts
 * values in [2^i, 2^(i+1)), slot 0 also 0.
 */
#define HIST_SLOTS 32

struct ipc_hist {
	__u32 size[HIST_SLOTS];
	__u32 wait_us[HIST_SLOTS];
};

/*
 * -e: one operation, as the ring buffer carries it. With -x, up to hex_cap
 * bytes of the data follow (payload_len of them), read from the caller's
 * buffer at sys_exit, when it holds what was sent or received.
 */
#define HEX_MAX 1024	/* the largest -x cap; a power of two */
#define NO_EVENT_SLOT 0xff

struct ipc_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	struct ipc_key key;	/* the row: process, object, direction */
	__u64 bytes;		/* bytes moved, or the event's increment */
	__s64 label;		/* priority, type... or NO_LABEL */
	__u32 tid;
	__u32 payload_len;	/* bytes of payload[] that follow */
	__u8 event;		/* an event slot, or NO_EVENT_SLOT for a transfer */
	__u8 pad[7];
	__u8 payload[];
};

/* Map sizes: the limits documented in the README. */
#define MAX_ROWS	65536
#define MAX_OBJECTS	32768
#define MAX_PROCS	32768
#define MAX_FILTER	8192
#define MAX_LABELS	16384
#define MAX_REMOVALS	1024
#define MAX_DESTS	4096
#define MAX_WATCHED	8192
#define MAX_SHARERS	16384
#define EVENTS_RINGBUF_SIZE (8u << 20)	/* bytes; -e only */
#define EVENTS_RINGBUF_HEX_SIZE (32u << 20)	/* -x: each event carries its data */
#define MAX_WAKERS	4096
#define MAX_SLEEPERS	65536
#define MAX_BATCHES	4096	/* threads inside a sendfile or splice to a socket */
#define MAX_HISTS	8192	/* rows with histograms: 256 bytes each */
/* Rows marked moved in one read generation: past that, a read is of every
 * row, as it would be cheaper then anyway. */
#define MAX_MOVED	8192

#endif /* IPCTRACE_H */
