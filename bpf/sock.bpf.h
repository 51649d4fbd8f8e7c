/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sockets, unix domain, TCP and UDP: the kernel side of the socket module
 * (user/mechanisms/sock.c decodes its rows, tools/demo/sock.c exercises it).
 *
 * Bytes: on 6.3+ the sock:sock_send_length and sock:sock_recv_length
 * tracepoints fire in sock_sendmsg()/sock_recvmsg(), which every path goes
 * through (write, send, sendmsg, sendmmsg, splice to a socket, their receive
 * twins), with the struct sock and the byte count: one hook each. Older
 * kernels count the same from the syscalls (sock_via_syscalls).
 * The syscalls also give what the tracepoints cannot: accepts, connects,
 * descriptors passed with SCM_RIGHTS, and where an unconnected datagram
 * socket sends.
 *
 * A socket is an endpoint: the object is the socket's inode (sockfs, dev 0),
 * and its peer is another object: the connected unix socket, or the socket
 * holding the reversed address tuple, which user space matches.
 */
#ifndef IPCTRACE_SOCK_BPF_H
#define IPCTRACE_SOCK_BPF_H

#include "filetype.bpf.h"

#define SOCK_HOW(dir, event) HOW(dir, event, SOCK_TYPES)

static __always_inline const struct sock *fd_to_sock(long fd)
{
	struct ipc_obj_key obj = {};
	struct file *file = fd_to_file(fd);
	const struct sock *sk = NULL;

	if (file && classify_file(file, &obj, SOCK_TYPES, &sk) == IPC_NONE)
		return NULL;
	return sk;
}

/*
 * -p, kernels without the sock tracepoints: whether a call by a process
 * outside the filter moved bytes through a socket at a target's far end,
 * which counts like the sock tracepoints count it (sock_on_length). Every
 * such call's first argument is the socket, but splice's second end and
 * sendfile's source: those move bytes through pipes and files on that side.
 */
static __noinline bool sock_fd_watched(long fd)
{
	const struct sock *sk = fd_to_sock(fd);

	return sk && sock_watched(sk);
}

/*
 * -p: whether a is where a target listens or receives datagrams, or a port
 * it takes at every address (0.0.0.0 or ::). Clears a's address to look.
 */
static __always_inline bool addr_watched(struct ipc_sock_addr *a)
{
	if (bpf_map_lookup_elem(&watched_listeners, a))
		return true;
	if (a->family == AF_UNIX)
		return false;
	__builtin_memset(a->addr, 0, sizeof(a->addr));
	return bpf_map_lookup_elem(&watched_listeners, a) != NULL;
}

/*
 * A socket address in the caller's memory, as the kernel names a bound
 * socket: a unix path with its NUL whether or not the caller counted it
 * (bind and sendto take both), an abstract name as given, an inet port in
 * host order. False for another family or no name.
 */
static __always_inline bool user_sock_addr(__u64 uaddr, __u32 alen, struct ipc_sock_addr *a)
{
	__u16 family;
	__u16 port;

	if (bpf_probe_read_user(&family, sizeof(family), (void *)uaddr))
		return false;
	a->family = family;
	if (family == AF_UNIX) {
		__u32 len = path_len((int)alen - 2);
		char first;
		long n;

		if (!len || bpf_probe_read_user(&first, 1, (void *)uaddr + 2))
			return false;
		if (first) {
			/* One byte more than given: the NUL, or where the copy puts one. */
			n = bpf_probe_read_user_str(a->path, path_len(len + 1), (void *)uaddr + 2);
			if (n <= 0)
				return false;
			len = path_len(n);
		} else if (bpf_probe_read_user(a->path, len, (void *)uaddr + 2)) {
			return false;
		}
		a->path_len = len;
		return true;
	}
	/* sockaddr_nl: the port id at 4, where a netlink socket's own address
	 * keeps it (filetype/sock.bpf.h); 0 is the kernel, no process. */
	if (family == AF_NETLINK) {
		__u32 portid;

		if (bpf_probe_read_user(&portid, sizeof(portid), (void *)uaddr + 4) || !portid)
			return false;
		__builtin_memcpy(a->addr, &portid, sizeof(portid));
		return true;
	}
	if (family != AF_INET && family != AF_INET6)
		return false;
	/* sockaddr_in and sockaddr_in6 both keep the port at offset 2; the
	 * address is at 4 (IPv4) or 8 (IPv6). */
	bpf_probe_read_user(&port, sizeof(port), (void *)uaddr + 2);
	a->port = bpf_ntohs(port);
	if (family == AF_INET)
		bpf_probe_read_user(a->addr, 4, (void *)uaddr + 4);
	else
		bpf_probe_read_user(a->addr, 16, (void *)uaddr + 8);
	return true;
}

/*
 * -p: a process outside the filter connected. It becomes a peer if it
 * reached a target's listening address: a unix client's peer is the
 * server's new socket, which shares the listener's name.
 */
static __noinline void sock_on_connect_filter(long fd, __u32 tgid)
{
	const struct sock *sk = fd_to_sock(fd), *peer;
	struct name_scratch *s = scratch_area();
	struct ipc_sock_addr *a;
	__u8 local[16];
	__u16 family;

	if (!sk || !s)
		return;
	a = &s->addr;
	__builtin_memset(a, 0, sizeof(*a));
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family == AF_UNIX) {
		peer = BPF_CORE_READ((const struct unix_sock *)sk, peer);
		if (!peer)
			return;
		unix_name(peer, a);
	} else {
		a->family = family;
		a->netns = sock_netns(sk);
		a->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		inet_addrs(sk, family, local, a->addr);
	}
	if (addr_watched(a))
		add_peer(tgid);
}

/*
 * sendfile() and splice() into a socket send in pieces (a pipe's worth of
 * buffers each), and the sock tracepoint fires for each: 100 KiB sent by
 * one call were two operations. An operation is one call, as strace counts
 * it: the pieces of a call add up here, per thread, and count as one
 * operation when the call returns (sock_batch_end, at sys_exit, or at the
 * thread's exit if it dies in the call). A full map counts piece by piece.
 */
struct sock_batch {
	struct ipc_key key;	/* the row, made when the first piece went */
	__u64 bytes;
	__u64 wait_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_BATCHES);
	__type(key, __u32);	/* the thread */
	__type(value, struct sock_batch);
} sock_batches SEC(".maps");

/* Whether the running thread is inside a call that sends in pieces. */
static __always_inline bool in_batching_call(void)
{
	__u64 nr = current_syscall_nr();
	__u8 op;

	if (nr >= SYSCALL_TABLE_SIZE)
		return false;
	op = syscall_op[nr];
	return op == IPCOP_SENDFILE || op == IPCOP_SPLICE;
}

/* A piece: added to its call's total, the row made now, while the socket
 * is at hand to name it. False: count it on its own. */
static __always_inline bool sock_batch_add(struct ipc_key *key, const struct sock *sk,
					   __u64 bytes)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sock_batch *b = bpf_map_lookup_elem(&sock_batches, &tid);
	struct op_context *ctx = wait_enabled ? op_context() : NULL;
	__u64 slept = ctx ? ctx->wait_ns : 0;

	if (b) {
		b->bytes += bytes;
		b->wait_ns += slept;
		return true;
	}
	if (!row_counters(key, NULL, sk, NO_LABEL))
		return false;
	struct sock_batch fresh = { .key = *key, .bytes = bytes, .wait_ns = slept };

	return bpf_map_update_elem(&sock_batches, &tid, &fresh, BPF_NOEXIST) == 0;
}

/* The call returned (or its thread died in it): its pieces, one operation. */
static __noinline void sock_batch_end(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sock_batch *b = bpf_map_lookup_elem(&sock_batches, &tid);
	struct ipc_counters *c;
	struct ipc_key key;
	bool created;
	__u64 bytes;

	if (!b)
		return;
	key = b->key;
	bytes = b->bytes;
	set_wait(b->wait_ns);
	bpf_map_delete_elem(&sock_batches, &tid);
	/* The row may have gone meanwhile (its socket closed): made again,
	 * without the naming a first piece did (a shallower call chain). */
	c = row_get(&key, NO_LABEL, &created);
	if (c)
		count_row(&key, c, SOCK_HOW(key.dir, NO_EVENT), bytes, NO_LABEL);
	end_op();
}

/* Inline: a typed (tp_btf) struct sock cannot be passed as a scalar. */
static __always_inline void count_sock(const struct sock *sk, __u32 dir, __u64 bytes, __u32 tgid,
				       bool piece)
{
	__u16 stype = 0;
	__u8 type = sock_ipc_type(sk, &stype);

	if (type == IPC_NONE || !type_enabled(type))
		return;
	/* 0 bytes is the end of a stream, but an empty datagram is a message. */
	if (bytes == 0 && stype == SOCK_STREAM)
		return;

	struct ipc_key key = {
		.ino = sock_ino(sk), .tgid = tgid, .start = current_start(), .type = type,
		.dir = (__u8)dir,
	};
	if (!key.ino)
		return;
	if (piece && sock_batch_add(&key, sk, bytes))
		return;
	count_key(&key, NULL, sk, SOCK_HOW(dir, NO_EVENT), bytes, NO_LABEL);
}

/*
 * splice() out of a stream socket: unix_stream_splice_read() and
 * tcp_splice_read() take the data without sock_recvmsg(), so the sock
 * tracepoint never fires for it; the call's return says how much. Other
 * sockets' splice reads go through their read_iter and sock_recvmsg(),
 * where the tracepoint counts them. Without the tracepoints, the pipe
 * module's syscall path counts every socket (pipe_count).
 */
static __noinline void sock_on_splice_out(long fd, long bytes, __u32 tgid)
{
	const struct sock *sk;
	__u16 stype = 0;
	__u8 type;

	if (sock_via_syscalls || bytes <= 0 || !(sk = fd_to_sock(fd)))
		return;
	type = sock_ipc_type(sk, &stype);
	if (stype == SOCK_STREAM && (type == IPC_UNIX || type == IPC_TCP))
		count_sock(sk, DIR_RX, bytes, tgid, false);
}

/* A peek leaves the data to be read again: only the read counts. */
static __always_inline int sock_on_length(const struct sock *sk, int ret, int flags, __u8 dir)
{
	__u64 slept = 0;
	__u32 tgid;

	if (ret < 0 || (dir == DIR_RX && (flags & MSG_PEEK)) || !in_scope())
		return 0;
	tgid = current_tgid();
	if (is_self(tgid) ||
	    (filter_enabled && !is_candidate(tgid) && !sock_watched(sk)))
		return 0;
	/* Inside the call, once it has waited: whatever call it is, its sleep
	 * was for this socket. */
	if (wait_enabled)
		slept = take_sleep((__u64)-1);
	set_wait(slept);
	count_sock(sk, dir, ret, tgid, dir == DIR_TX && in_batching_call());
	end_op();
	return 0;
}

/*
 * Where an unconnected datagram socket sends: one entry per (socket,
 * destination), which user space matches with the socket bound there.
 */
__noinline int sock_dest(int fd, __u64 uaddr, __u32 alen)
{
	struct name_scratch *s = scratch_area();
	struct file *file = fd_to_file(fd);
	struct ipc_dest_key *dk;
	const struct sock *sk;
	__u64 one = 1, *count;

	if (!s || !file || !uaddr)
		return 0;
	dk = &s->dest;
	__builtin_memset(dk, 0, sizeof(*dk));
	if (classify_file(file, &dk->sock, TYPE_BIT(IPC_UNIX) | TYPE_BIT(IPC_UDP) | TYPE_BIT(IPC_NETLINK),
			  &sk) == IPC_NONE ||
	    dk->sock.type == IPC_TCP || !type_enabled(dk->sock.type))
		return 0;
	if (!user_sock_addr(uaddr, alen, &dk->dest))
		return 0;
	count = bpf_map_lookup_elem(&dests, dk);
	if (count) {
		__sync_fetch_and_add(count, 1);
		return 0;
	}
	if (bpf_map_update_elem(&dests, dk, &one, BPF_NOEXIST) == -E2BIG)
		__sync_fetch_and_add(&loss.dests_dropped, 1);
	return 0;
}

#define MMSG_MAX 32	/* messages of one sendmmsg/recvmmsg looked at */

/*
 * A sendmmsg that made its caller a peer (sock_on_send_filter): each
 * message's bytes, counted here as sendto's are, and where it went. Only
 * what that needs: a call deeper (sock_msghdr's descriptors passed) takes
 * the chain past the verifier's 512 bytes of stack; m is the caller's.
 */
static __always_inline void sock_mmsg_first(long fd, __u64 umsgs, long n, __u32 tgid,
					    struct user_msghdr *m)
{
	for (int i = 0; i < MMSG_MAX && i < n; i++) {
		__u64 mm = umsgs + i * sizeof(struct mmsghdr);
		unsigned int len;

		if (bpf_probe_read_user(&len, sizeof(len),
					(void *)mm + offsetof(struct mmsghdr, msg_len)) ||
		    bpf_probe_read_user(m, sizeof(*m), (void *)mm))
			break;
		set_payload_msghdr(mm, len);	/* msg_hdr comes first */
		count_fd(fd, SOCK_HOW(DIR_TX, NO_EVENT), len, NO_LABEL, tgid);
		if (m->msg_name && m->msg_namelen > 0)
			sock_dest(fd, (__u64)m->msg_name, m->msg_namelen);
	}
}

/*
 * -p: a process outside the filter sent a datagram to a target's address
 * (a logger to syslog's socket, a resolver to dnsmasq's), without
 * connecting: a peer from now on, as one that connects is. This call went
 * past the sock tracepoint before it was one, so its bytes are counted
 * here, once, and where it sent, so that the target's row names it.
 * Returns whether it counted.
 */
static __noinline bool sock_on_send_filter(__u8 op, struct pt_regs *regs, long ret, __u32 tgid,
					   const bool btf)
{
	struct name_scratch *s = scratch_area();
	long fd = SYSCALL_ARG(regs, 1, btf);
	__u64 arg = SYSCALL_ARG(regs, 2, btf), uaddr = 0;
	struct user_msghdr *m;
	__u32 alen = 0;

	if (!s)
		return false;
	/* In the scratch area: this frame is the second of the syscall hook's
	 * deepest chain, and older verifiers allow 512 bytes for all of it
	 * (tests/lint-bpf-stack.py). */
	m = &s->msg;
	barrier_var(m);
	if (op == IPCOP_SENDTO) {	/* sendto(fd, buf, len, flags, dest, addrlen) */
		uaddr = SYSCALL_ARG(regs, 5, btf);
		alen = SYSCALL_ARG(regs, 6, btf);
	} else if (!bpf_probe_read_user(m, sizeof(*m), (void *)arg)) {
		/* sendmsg's msghdr, or sendmmsg's first message's, which leads
		 * its mmsghdr: where the first goes says whether it is a peer. */
		uaddr = (__u64)m->msg_name;
		alen = m->msg_namelen;
	}
	__builtin_memset(&s->addr, 0, sizeof(s->addr));
	if (!uaddr || !user_sock_addr(uaddr, alen, &s->addr))
		return false;
	/* An address, or an abstract unix name, is one in the sender's network
	 * namespace, as the watched ones are in the target's. */
	if (s->addr.family != AF_UNIX || (s->addr.path_len && !s->addr.path[0])) {
		const struct sock *sk = fd_to_sock(fd);

		if (!sk)
			return false;
		s->addr.netns = sock_netns(sk);
	}
	if (!addr_watched(&s->addr))
		return false;
	add_peer(tgid);
	if (op == IPCOP_SENDMMSG) {
		sock_mmsg_first(fd, arg, ret, tgid, m);
		return true;
	}
	if (op == IPCOP_SENDTO)
		set_payload(arg, ret);
	else
		set_payload_msghdr(arg, ret);
	count_fd(fd, SOCK_HOW(DIR_TX, NO_EVENT), ret, NO_LABEL, tgid);
	sock_dest(fd, uaddr, alen);
	return true;
}

/*
 * A msghdr after sendmsg or recvmsg: its destination (sending), and the
 * descriptors passed in SCM_RIGHTS control messages; on receipt the kernel
 * has written those and their length back into the caller's msghdr.
 */
#define CMSG_MAX 4

__noinline int sock_msghdr(int fd, __u64 umsg, __u32 dir, __u32 tgid)
{
	struct user_msghdr m;
	__u64 off = 0, fds = 0;
	bool rights = false;

	if (!umsg || bpf_probe_read_user(&m, sizeof(m), (void *)umsg))
		return 0;
	if (dir == DIR_TX && m.msg_name && m.msg_namelen > 0)
		sock_dest(fd, (__u64)m.msg_name, m.msg_namelen);
	if (!m.msg_control)
		return 0;
	for (int i = 0; i < CMSG_MAX; i++) {
		struct cmsghdr c;

		if (off + sizeof(c) > m.msg_controllen ||
		    bpf_probe_read_user(&c, sizeof(c), m.msg_control + off) || c.cmsg_len < sizeof(c))
			break;
		if (c.cmsg_level == SOL_SOCKET && c.cmsg_type == SCM_RIGHTS) {
			rights = true;
			fds += (c.cmsg_len - sizeof(c)) / sizeof(int);
		}
		off += (c.cmsg_len + 7) & ~7ULL;	/* CMSG_ALIGN */
	}
	if (!rights)
		return 0;
	count_fd(fd, SOCK_HOW(dir, SOCK_EV_SCM_MSGS), 1, NO_LABEL, tgid);
	count_fd(fd, SOCK_HOW(dir, SOCK_EV_SCM_FDS), fds, NO_LABEL, tgid);
	return 0;
}

/* Bytes from a socket syscall, when the tracepoints are missing. */
static __always_inline void sock_count_fd(long fd, __u32 dir, long bytes, __u32 tgid)
{
	/* Without the socket's type at hand, 0 could be either end of a stream
	 * or an empty datagram: left out on this path. */
	if (sock_via_syscalls && bytes > 0)
		count_fd(fd, SOCK_HOW(dir, NO_EVENT), bytes, NO_LABEL, tgid);
}

static __always_inline void sock_on_mmsg(long fd, __u64 umsgs, long n, __u32 dir, __u32 tgid)
{
	for (int i = 0; i < MMSG_MAX && i < n; i++) {
		__u64 mm = umsgs + i * sizeof(struct mmsghdr);
		unsigned int len;

		if (bpf_probe_read_user(&len, sizeof(len),
					(void *)mm + offsetof(struct mmsghdr, msg_len)))
			break;
		set_payload_msghdr(mm, len);	/* msg_hdr comes first */
		sock_count_fd(fd, dir, len, tgid);
		sock_msghdr(fd, mm, dir, tgid);
	}
}

static __noinline void sock_on_syscall(__u8 op, struct pt_regs *regs, long ret,
					    __u32 tgid, const bool btf)
{
	long fd = SYSCALL_ARG(regs, 1, btf);

	switch (op) {
	case IPCOP_SENDTO:	/* sendto(fd, buf, len, flags, dest, addrlen) */
		set_payload(SYSCALL_ARG(regs, 2, btf), ret);
		sock_count_fd(fd, DIR_TX, ret, tgid);
		if (SYSCALL_ARG(regs, 5, btf))
			sock_dest(fd, SYSCALL_ARG(regs, 5, btf), SYSCALL_ARG(regs, 6, btf));
		break;
	case IPCOP_RECVFROM:	/* recvfrom(fd, buf, len, flags, src, &addrlen) */
		set_payload(SYSCALL_ARG(regs, 2, btf), ret);
		if (!(SYSCALL_ARG(regs, 4, btf) & MSG_PEEK))
			sock_count_fd(fd, DIR_RX, ret, tgid);
		break;
	case IPCOP_SENDMSG:	/* sendmsg(fd, msghdr, flags) */
		set_payload_msghdr(SYSCALL_ARG(regs, 2, btf), ret);
		sock_count_fd(fd, DIR_TX, ret, tgid);
		sock_msghdr(fd, SYSCALL_ARG(regs, 2, btf), DIR_TX, tgid);
		break;
	case IPCOP_RECVMSG:
		set_payload_msghdr(SYSCALL_ARG(regs, 2, btf), ret);
		if (!(SYSCALL_ARG(regs, 3, btf) & MSG_PEEK))
			sock_count_fd(fd, DIR_RX, ret, tgid);
		sock_msghdr(fd, SYSCALL_ARG(regs, 2, btf), DIR_RX, tgid);
		break;
	case IPCOP_SENDMMSG:	/* ret: messages sent; each one's length in msg_len */
		sock_on_mmsg(fd, SYSCALL_ARG(regs, 2, btf), ret, DIR_TX, tgid);
		break;
	case IPCOP_RECVMMSG:
		sock_on_mmsg(fd, SYSCALL_ARG(regs, 2, btf), ret, DIR_RX, tgid);
		break;
	case IPCOP_ACCEPT:	/* counted on the listening socket */
		count_fd(fd, SOCK_HOW(DIR_RX, SOCK_EV_ACCEPT), 1, NO_LABEL, tgid);
		if (filter_enabled && is_target(tgid)) {
			const struct sock *sk = fd_to_sock(fd), *conn = fd_to_sock(ret);

			if (sk)
				sock_watch_far_end(sk);
			if (conn)
				sock_watch_far_end(conn);
		}
		break;
	case IPCOP_CONNECT:	/* 0, or -EINPROGRESS when non-blocking */
		count_fd(fd, SOCK_HOW(DIR_TX, SOCK_EV_CONNECT), 1, NO_LABEL, tgid);
		if (filter_enabled && is_target(tgid)) {
			const struct sock *sk = fd_to_sock(fd);

			if (sk)
				sock_watch_far_end(sk);
		}
		break;
	case IPCOP_LISTEN:	/* only with -p */
	case IPCOP_BIND:	/* only with -p: a datagram socket's address */
		if (is_target(tgid)) {
			const struct sock *sk = fd_to_sock(fd);

			if (sk)
				sock_watch_far_end(sk);
		}
		break;
	}
}

#endif /* IPCTRACE_SOCK_BPF_H */

