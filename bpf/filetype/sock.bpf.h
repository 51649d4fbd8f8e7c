/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a socket is, for the file-type layer: its type and inode, what it is
 * bound and connected to (described once, when its first row appears), and,
 * with -p, which far end of a target's socket to count. The socket
 * mechanism's hooks (sock.bpf.h) sit above the file-type layer.
 */
#ifndef IPCTRACE_FILETYPE_SOCK_BPF_H
#define IPCTRACE_FILETYPE_SOCK_BPF_H

#include "../core.bpf.h"

/*
 * Every socket send and receive on the machine reads these fields (the sock
 * tracepoints), so they are loads where the cast allows (KREAD), not helper
 * calls. struct sock's type and protocol were bitfields before 5.6, which
 * only the copies meet (the cast came later): the probed read handles both
 * layouts.
 */
#define SOCK_READ_U16(sk, field) \
	(direct_loads ? KREAD(struct sock, sk, field) : BPF_CORE_READ_BITFIELD_PROBED(sk, field))

static __always_inline __u8 sock_ipc_type(const struct sock *sk, __u16 *stype)
{
	__u16 family = KREAD(struct sock, sk, __sk_common.skc_family);
	__u16 type, proto;

	if (family != AF_UNIX && family != AF_INET && family != AF_INET6) {
		/* Of netlink, only the family that joins user processes: the
		 * others talk to the kernel (routes, audit, uevents...). */
		if (family != AF_NETLINK || SOCK_READ_U16(sk, sk_protocol) != NETLINK_USERSOCK)
			return IPC_NONE;
		*stype = SOCK_READ_U16(sk, sk_type);
		return IPC_NETLINK;
	}
	type = SOCK_READ_U16(sk, sk_type);
	*stype = type;
	if (family == AF_UNIX)
		return IPC_UNIX;
	proto = SOCK_READ_U16(sk, sk_protocol);
	if (proto == IPPROTO_TCP && type == SOCK_STREAM)
		return IPC_TCP;
	/* UDP-Lite is UDP with a partial checksum: the same datagrams and
	 * peers; its description's protocol tells it apart. */
	if ((proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE) && type == SOCK_DGRAM)
		return IPC_UDP;
	return IPC_NONE;
}

/* The socket's network namespace, by its inode as /proc/PID/ns/net shows it:
 * where its addresses mean something (struct ipc_sock_addr). */
static __always_inline __u32 sock_netns(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

/* The socket's inode number, as /proc/PID/fd shows it ("socket:[ino]"):
 * struct socket sits in struct socket_alloc beside its inode. */
static __always_inline __u64 sock_ino(const struct sock *sk)
{
	struct socket *sock = KREAD(struct sock, sk, sk_socket);
	struct inode *inode;

	if (!sock)
		return 0;
	inode = (void *)sock - bpf_core_field_offset(struct socket_alloc, socket) +
		bpf_core_field_offset(struct socket_alloc, vfs_inode);
	return KREAD(struct inode, inode, i_ino);
}

static __always_inline __u8 sock_classify_file(struct file *file, struct ipc_obj_key *obj,
					       const struct sock **skp)
{
	struct socket *sock = BPF_CORE_READ(file, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	__u16 stype;
	__u8 type;

	if (!sk)
		return IPC_NONE;
	type = sock_ipc_type(sk, &stype);
	if (type == IPC_NONE)
		return IPC_NONE;
	obj->ino = BPF_CORE_READ(file, f_inode, i_ino);
	obj->dev = 0;
	obj->type = type;
	*skp = sk;
	return type;
}

/* A length the verifier can prove in bounds: clamped, then masked. */
static __always_inline __u32 path_len(int len)
{
	__u64 n;

	if (len <= 0)
		return 0;
	n = len > SOCK_PATH_LEN ? SOCK_PATH_LEN : len;
	/* In asm, so that the compiler cannot hand the helper the unmasked copy. */
	asm volatile("%[n] &= 0x7f" : [n] "+r"(n));
	return n;
}

/* A unix socket's bound name: sun_path after the 2-byte family. An abstract
 * name (a leading NUL) is its namespace's, a path the filesystem's. */
static __always_inline void unix_name(const struct sock *sk, struct ipc_sock_addr *out)
{
	const struct unix_address *a = BPF_CORE_READ((const struct unix_sock *)sk, addr);
	__u32 len;

	out->family = AF_UNIX;
	if (!a)
		return;
	len = path_len(BPF_CORE_READ(a, len) - 2);
	if (!len)
		return;
	out->path_len = len;
	bpf_probe_read_kernel(out->path, len,
			      (void *)a + bpf_core_field_offset(struct unix_address, name) + 2);
	if (!out->path[0])
		out->netns = sock_netns(sk);
}

static __always_inline void sock_describe(const struct sock *sk, struct ipc_sock_info *info)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family), stype = 0;

	__builtin_memset(info, 0, sizeof(*info));
	sock_ipc_type(sk, &stype);
	info->type = stype;
	info->protocol = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
	info->listening = BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_LISTEN;
	info->netns = sock_netns(sk);
	if (family == AF_UNIX) {
		const struct sock *peer = BPF_CORE_READ((const struct unix_sock *)sk, peer);

		unix_name(sk, &info->local);
		if (peer) {
			info->peer_ino = sock_ino(peer);
			unix_name(peer, &info->remote);
		}
		return;
	}
	info->local.family = info->remote.family = family;
	info->local.netns = info->remote.netns = info->netns;
	if (family == AF_NETLINK) {
		/* Its port id, and the one it connected to (0: none), in addr. */
		*(__u32 *)info->local.addr = BPF_CORE_READ((const struct netlink_sock *)sk, portid);
		*(__u32 *)info->remote.addr =
			BPF_CORE_READ((const struct netlink_sock *)sk, dst_portid);
		return;
	}
	info->local.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	info->remote.port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		BPF_CORE_READ_INTO(&info->local.addr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO(&info->remote.addr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(&info->local.addr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&info->remote.addr, sk, __sk_common.skc_v6_daddr);
	}
}

/*
 * -p. The far end of a target's socket counts whoever holds it: a unix peer
 * by its struct sock, an inet socket by the reversed address tuple (its
 * struct sock is out of reach from here) in the target's network namespace.
 * A target's listening address makes whoever connects to it a peer.
 */
static __always_inline void inet_addrs(const struct sock *sk, __u16 family, __u8 *local,
				       __u8 *remote)
{
	if (family == AF_INET) {
		BPF_CORE_READ_INTO((__u32 *)local, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)remote, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO((struct in6_addr *)local, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)remote, sk, __sk_common.skc_v6_daddr);
	}
}

static __always_inline void sock_tuple(const struct sock *sk, __u16 family, bool reversed,
				       struct ipc_tuple *t)
{
	__u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	__u16 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));

	t->family = family;
	t->netns = sock_netns(sk);
	if (reversed) {
		t->lport = rport;
		t->rport = lport;
		inet_addrs(sk, family, t->raddr, t->laddr);
	} else {
		t->lport = lport;
		t->rport = rport;
		inet_addrs(sk, family, t->laddr, t->raddr);
	}
}

static __always_inline void watch_listener(const struct sock *sk, __u16 family, __u64 owner)
{
	struct name_scratch *s = scratch_area();
	struct ipc_sock_addr *a;
	__u8 remote[16];

	if (!s)
		return;
	a = &s->addr;
	__builtin_memset(a, 0, sizeof(*a));
	if (family == AF_UNIX) {
		unix_name(sk, a);
	} else {
		a->family = family;
		a->netns = sock_netns(sk);
		a->port = BPF_CORE_READ(sk, __sk_common.skc_num);
		inet_addrs(sk, family, a->addr, remote);
	}
	if (bpf_map_update_elem(&watched_listeners, a, &owner, BPF_ANY) == -E2BIG)
		__sync_fetch_and_add(&loss.filter_dropped, 1);
}

/* A bound datagram socket with no peer: it receives from whoever sends to
 * its address (syslog's /dev/log, a DNS server's port). */
static __always_inline bool dgram_receiver(const struct sock *sk, __u16 family)
{
	__u16 stype = 0;

	sock_ipc_type(sk, &stype);
	if (stype != SOCK_DGRAM)
		return false;
	if (family == AF_UNIX)
		return BPF_CORE_READ((const struct unix_sock *)sk, addr) &&
		       !BPF_CORE_READ((const struct unix_sock *)sk, peer);
	return BPF_CORE_READ(sk, __sk_common.skc_num) && !BPF_CORE_READ(sk, __sk_common.skc_dport);
}

static __noinline void sock_watch_far_end(const struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	/* The value is the target's socket: once it is closed, the user side
	 * releases the entry (prune_watched in user/loader/tracer.c). */
	__u64 owner = sock_ino(sk);
	long err = 0;

	if (family == AF_NETLINK)
		return;	/* -p does not follow netlink's far ends */
	if (BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_LISTEN || dgram_receiver(sk, family)) {
		watch_listener(sk, family, owner);
		return;
	}
	if (family == AF_UNIX) {
		__u64 peer = (__u64)BPF_CORE_READ((const struct unix_sock *)sk, peer);

		if (peer)
			err = bpf_map_update_elem(&watched_socks, &peer, &owner, BPF_ANY);
	} else if (BPF_CORE_READ(sk, __sk_common.skc_dport)) {
		/* In the scratch area: this is the last frame of the syscall
		 * hook's deepest chain (tests/lint-bpf-stack.py). */
		struct name_scratch *s = scratch_area();
		struct ipc_tuple *t;

		if (!s)
			return;
		t = &s->tuple;
		barrier_var(t);
		__builtin_memset(t, 0, sizeof(*t));
		sock_tuple(sk, family, true, t);
		err = bpf_map_update_elem(&watched_tuples, t, &owner, BPF_ANY);
	}
	if (err == -E2BIG)
		__sync_fetch_and_add(&loss.filter_dropped, 1);
}

/* Is this socket the far end of a target's? Asked for every other process's
 * socket operation with -p: a hash lookup, two for inet. */
static __always_inline bool sock_watched(const struct sock *sk)
{
	__u64 p = (__u64)sk;
	__u16 family;
	struct ipc_tuple t = {};

	if (bpf_map_lookup_elem(&watched_socks, &p))
		return true;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return false;
	sock_tuple(sk, family, false, &t);
	return bpf_map_lookup_elem(&watched_tuples, &t) != NULL;
}

#endif /* IPCTRACE_FILETYPE_SOCK_BPF_H */
