// SPDX-License-Identifier: GPL-2.0
/*
 * Socket tables through NETLINK_SOCK_DIAG (mechanisms/sockdiag.h).
 *
 * One netlink socket, opened at first use and kept: opening one per request
 * would cost more than the request. Nothing here needs a capability (ss
 * works for any user), so it serves after ipctrace has given its privileges
 * up. A reply is kernel data, but every length in it is checked before it is
 * read: a short or overlong message ends the answer as malformed, never a
 * read past what was received.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include "mechanisms/sockdiag.h"

/* A request socket (TCP_NEW_SYN_RECV, not in the C library's list): like a
 * TIME_WAIT one, it has no inode, so no process holds it. */
#define NEW_SYN_RECV 12
#define NO_INODE_STATES ((1U << TCP_TIME_WAIT) | (1U << TCP_SYN_RECV) | (1U << NEW_SYN_RECV))

/* The diag modules a request goes to: one per inet protocol, and unix. */
enum diag_kind { DIAG_TCP, DIAG_UDP, DIAG_UDPLITE, DIAG_UNIX, DIAG_KINDS };

struct inet_request {
	struct nlmsghdr nlh;
	struct inet_diag_req_v2 req;
};

struct unix_request {
	struct nlmsghdr nlh;
	struct unix_diag_req req;
};

static int diag_fd = -1;
static __u32 diag_seq;
/* A dump's datagram is at most 32 KiB (the kernel's cap); room for twice
 * that, and a longer one is refused (MSG_TRUNC), not cut. */
#define REPLY_BUF 65536
static union {
	char bytes[REPLY_BUF];
	struct nlmsghdr align;
} *reply;

static void fill_addr(struct ipc_sock_addr *a, int family, const __be32 *addr, __be16 port)
{
	memset(a, 0, sizeof(*a));
	a->family = (__u16)family;
	a->port = ntohs(port);
	memcpy(a->addr, addr, family == AF_INET ? 4 : 16);
}

static int decode_inet(const char *p, size_t len, unsigned int type, struct sockdiag_sock *s)
{
	struct inet_diag_msg m;

	if (len < sizeof(m))
		return -EBADMSG;
	memcpy(&m, p, sizeof(m));
	if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6)
		return -EBADMSG;
	s->net.type = type;
	s->net.state = m.idiag_state;
	s->net.ino = m.idiag_inode;
	fill_addr(&s->net.local, m.idiag_family, m.id.idiag_src, m.id.idiag_sport);
	fill_addr(&s->net.remote, m.idiag_family, m.id.idiag_dst, m.id.idiag_dport);
	return 0;
}

/* A unix socket's name as the kernel keeps it: a path with its NUL, an
 * abstract name from its leading NUL (what /proc/net/unix shows as '@'). */
static void unix_attr(const struct rtattr *a, const char *data, size_t len,
		      struct sockdiag_sock *s)
{
	if (a->rta_type == UNIX_DIAG_NAME && len) {
		if (len > SOCK_PATH_LEN)
			len = SOCK_PATH_LEN;
		s->unx.name.family = AF_UNIX;
		s->unx.name.path_len = (__u16)len;
		memcpy(s->unx.name.path, data, len);
	} else if (a->rta_type == UNIX_DIAG_PEER && len >= sizeof(__u32)) {
		__u32 peer;

		memcpy(&peer, data, sizeof(peer));
		s->peer = peer;
	}
}

static int decode_unix(const char *p, size_t len, struct sockdiag_sock *s)
{
	size_t off = NLMSG_ALIGN(sizeof(struct unix_diag_msg));
	struct unix_diag_msg m;

	if (len < sizeof(m))
		return -EBADMSG;
	memcpy(&m, p, sizeof(m));
	s->is_unix = true;
	s->unx.ino = m.udiag_ino;
	s->unx.type = m.udiag_type;
	s->unx.listening = m.udiag_state == TCP_LISTEN;
	/* The attributes: each header's length checked against what is left
	 * (a shorter rest than a header is padding). */
	while (off + sizeof(struct rtattr) <= len) {
		struct rtattr a;

		memcpy(&a, p + off, sizeof(a));
		if (a.rta_len < sizeof(a) || a.rta_len > len - off)
			return -EBADMSG;
		unix_attr(&a, p + off + RTA_LENGTH(0), a.rta_len - RTA_LENGTH(0), s);
		off += RTA_ALIGN(a.rta_len);
	}
	return 0;
}

/* One message of the answer: 1 at its end, 0 if more follow, or an error. */
static int one_message(const struct nlmsghdr *h, const char *p, size_t len, unsigned int type,
		       sockdiag_fn fn, void *ctx)
{
	struct sockdiag_sock s;
	int err;

	if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
		/* A dump's end may carry an error; an error message always does
		 * (0: an acknowledgement). */
		if (len < sizeof(err))
			return h->nlmsg_type == NLMSG_DONE ? 1 : -EBADMSG;
		memcpy(&err, p, sizeof(err));
		return err < 0 ? err : err ? -EBADMSG : 1;
	}
	if (h->nlmsg_type < NLMSG_MIN_TYPE)
		return 0;	/* NLMSG_NOOP */
	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || len < 1)
		return -EBADMSG;
	memset(&s, 0, sizeof(s));
	err = p[0] == AF_UNIX ? decode_unix(p, len, &s) : decode_inet(p, len, type, &s);
	if (err)
		return err;
	fn(&s, ctx);
	return h->nlmsg_flags & NLM_F_MULTI ? 0 : 1;
}

int sockdiag_parse(const void *buf, size_t len, __u32 seq, unsigned int type, sockdiag_fn fn,
		   void *ctx)
{
	const char *p = buf;
	int done = 0;

	while (len > 0 && !done) {
		struct nlmsghdr h;
		size_t step;

		if (len < sizeof(h))
			return -EBADMSG;
		memcpy(&h, p, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len)
			return -EBADMSG;
		/* Another request's (one given up on): not this answer. */
		if (h.nlmsg_seq == seq) {
			done = one_message(&h, p + NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN, type, fn,
					   ctx);
			if (done < 0)
				return done;
		}
		step = NLMSG_ALIGN(h.nlmsg_len);
		step = step < len ? step : len;
		p += step;
		len -= step;
	}
	return done;
}

static int diag_open(void)
{
	/* A reply that never comes (it always does) must not hang a refresh. */
	struct timeval wait = { .tv_sec = 2 };

	if (diag_fd >= 0)
		return diag_fd;
	diag_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (diag_fd >= 0)
		setsockopt(diag_fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
	return diag_fd;
}

/* After a failure the socket may still hold the rest of an answer: a new
 * one starts clean. */
void sockdiag_close(void)
{
	if (diag_fd >= 0)
		close(diag_fd);
	diag_fd = -1;
}

/* Sends a request and reads its whole answer: 1, or a negative errno. */
static int diag_ask(struct nlmsghdr *req, unsigned int type, sockdiag_fn fn, void *ctx)
{
	int fd = diag_open(), r = 0;

	if (fd < 0)
		return -EIO;
	if (!reply)
		reply = g_malloc(sizeof(*reply));
	req->nlmsg_seq = ++diag_seq;
	if (send(fd, req, req->nlmsg_len, 0) != (ssize_t)req->nlmsg_len)
		r = -EIO;
	while (r == 0) {
		struct iovec iov = { .iov_base = reply->bytes, .iov_len = sizeof(reply->bytes) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(fd, &m, 0);

		if (n <= 0 || (m.msg_flags & MSG_TRUNC))
			r = -EIO;
		else
			r = sockdiag_parse(reply->bytes, (size_t)n, req->nlmsg_seq, type, fn, ctx);
	}
	if (r < 0 && r != -ENOENT)
		sockdiag_close();
	return r;
}

static void ignore(const struct sockdiag_sock *s, void *ctx)
{
	(void)s;
	(void)ctx;
}

/* IPCTRACE_HIDE=sock_diag: as if the kernel had no diag modules, so that
 * the tests walk the /proc/net path on this kernel too. */
static bool hidden(void)
{
	const char *hide = getenv("IPCTRACE_HIDE");
	gchar **names;
	bool found;

	if (!hide)
		return false;
	names = g_strsplit(hide, ",", -1);
	found = g_strv_contains((const gchar *const *)names, "sock_diag");
	g_strfreev(names);
	return found;
}

static const int kind_protocol[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE, 0 };

static enum diag_kind kind_of(int protocol)
{
	return protocol == IPPROTO_TCP ? DIAG_TCP :
	       protocol == IPPROTO_UDPLITE ? DIAG_UDPLITE : DIAG_UDP;
}

/*
 * Whether the kernel has that diag module: asked once with a dump that
 * matches no state (cheap). Without the answer an exact request's ENOENT
 * could mean a missing module as well as a missing socket.
 */
static bool works(enum diag_kind k)
{
	static signed char known[DIAG_KINDS];

	if (!known[k]) {
		struct inet_request in = {
			.nlh = { .nlmsg_len = sizeof(in), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
				 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
			.req = { .sdiag_family = AF_INET, .sdiag_protocol = (__u8)kind_protocol[k] },
		};
		struct unix_request un = {
			.nlh = { .nlmsg_len = sizeof(un), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
				 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
			.req = { .sdiag_family = AF_UNIX },
		};

		known[k] = !hidden() && diag_ask(k == DIAG_UNIX ? &un.nlh : &in.nlh, 0, ignore,
						 NULL) == 1 ? 1 : -1;
	}
	return known[k] > 0;
}

static void set_end(__be32 *addr, __be16 *port, const struct ipc_sock_addr *a)
{
	if (!a)
		return;
	*port = htons(a->port);
	memcpy(addr, a->addr, a->family == AF_INET ? 4 : 16);
}

struct one {
	struct sockdiag_sock s;
	bool got;
};

static void keep_one(const struct sockdiag_sock *s, void *ctx)
{
	struct one *o = ctx;

	o->s = *s;
	o->got = true;
}

/* An exact request's answer: the one socket, none, or not answered. */
static int answer(int r, const struct one *o)
{
	if (r == -ENOENT)
		return SOCKDIAG_NONE;
	return r == 1 && o->got ? SOCKDIAG_FOUND : SOCKDIAG_FAILED;
}

int sockdiag_inet_receiver(unsigned int type, int protocol, const struct ipc_sock_addr *from,
			   const struct ipc_sock_addr *to, struct net_entry *out)
{
	struct inet_request r = {
		.nlh = { .nlmsg_len = sizeof(r), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST },
		.req = { .sdiag_protocol = (__u8)protocol, .idiag_states = ~0U,
			 .id = { .idiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE } } },
	};
	struct inet_diag_sockid *id = &r.req.id;
	struct one o = { .got = false };
	int ret;

	r.req.sdiag_family = (__u8)to->family;
	if ((to->family != AF_INET && to->family != AF_INET6) || (from && from->family != to->family) ||
	    !works(kind_of(protocol)))
		return SOCKDIAG_FAILED;
	/* TCP's lookup takes the id as the socket to find (src its own end);
	 * UDP's as the packet (src where it comes from), "swapped for
	 * historical reasons" (net/ipv4/udp_diag.c). */
	if (type == IPC_TCP) {
		set_end(id->idiag_src, &id->idiag_sport, to);
		set_end(id->idiag_dst, &id->idiag_dport, from);
	} else {
		set_end(id->idiag_src, &id->idiag_sport, from);
		set_end(id->idiag_dst, &id->idiag_dport, to);
	}
	ret = answer(diag_ask(&r.nlh, type, keep_one, &o), &o);
	if (ret == SOCKDIAG_FOUND && o.s.is_unix)
		ret = SOCKDIAG_FAILED;
	if (ret == SOCKDIAG_FOUND)
		*out = o.s.net;
	return ret;
}

static void append_net(const struct sockdiag_sock *s, void *ctx)
{
	if (!s->is_unix && s->net.ino)
		g_array_append_val((GArray *)ctx, s->net);
}

static int inet_dump(unsigned int type, int protocol, int family, __u32 states, GArray *out)
{
	struct inet_request r = {
		.nlh = { .nlmsg_len = sizeof(r), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.req = { .sdiag_family = (__u8)family, .sdiag_protocol = (__u8)protocol,
			 .idiag_states = states },
	};

	return diag_ask(&r.nlh, type, append_net, out) == 1 ? 0 : -1;
}

/* UDP-Lite may be gone from the kernel altogether (no /proc/net/udplite
 * either): then there is none to list. */
static bool udplite_exists(void)
{
	return access("/proc/self/net/udplite", F_OK) == 0;
}

int sockdiag_inet_table(unsigned int type, GArray *out)
{
	static const int tcp[] = { IPPROTO_TCP }, udp[] = { IPPROTO_UDP, IPPROTO_UDPLITE };
	const int *protocols = type == IPC_TCP ? tcp : udp;
	size_t n = type == IPC_TCP ? G_N_ELEMENTS(tcp) : G_N_ELEMENTS(udp);
	__u32 states = type == IPC_TCP ? ~NO_INODE_STATES : ~0U;

	for (size_t i = 0; i < n; i++) {
		if (!works(kind_of(protocols[i]))) {
			if (protocols[i] == IPPROTO_UDPLITE && !udplite_exists())
				continue;
			return SOCKDIAG_FAILED;
		}
		if (inet_dump(type, protocols[i], AF_INET, states, out) ||
		    inet_dump(type, protocols[i], AF_INET6, states, out))
			return SOCKDIAG_FAILED;
	}
	return SOCKDIAG_FOUND;
}

bool sockdiag_available(void)
{
	bool yes = works(DIAG_TCP) && works(DIAG_UDP) && works(DIAG_UNIX);

	/* Asked at start, before ipctrace-writer is forked: not its socket. */
	sockdiag_close();
	return yes;
}

int sockdiag_unix_find(__u64 ino, struct unix_entry *out, __u64 *peer)
{
	struct unix_request r = {
		.nlh = { .nlmsg_len = sizeof(r), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST },
		.req = { .sdiag_family = AF_UNIX, .udiag_states = ~0U, .udiag_ino = (__u32)ino,
			 .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER,
			 .udiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE } },
	};
	struct one o = { .got = false };
	int ret;

	*peer = 0;
	/* Socket inodes are 32-bit numbers (get_next_ino()). */
	if (ino > UINT32_MAX || !works(DIAG_UNIX))
		return SOCKDIAG_FAILED;
	ret = answer(diag_ask(&r.nlh, 0, keep_one, &o), &o);
	if (ret == SOCKDIAG_FOUND && (!o.s.is_unix || o.s.unx.ino != ino))
		ret = SOCKDIAG_FAILED;
	if (ret == SOCKDIAG_FOUND) {
		*out = o.s.unx;
		*peer = o.s.peer;
	}
	return ret;
}

static void append_unix(const struct sockdiag_sock *s, void *ctx)
{
	if (s->is_unix)
		g_array_append_val((GArray *)ctx, s->unx);
}

int sockdiag_unix_table(GArray *out)
{
	struct unix_request r = {
		.nlh = { .nlmsg_len = sizeof(r), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.req = { .sdiag_family = AF_UNIX, .udiag_states = ~0U },
	};

	if (!works(DIAG_UNIX))
		return SOCKDIAG_FAILED;
	return diag_ask(&r.nlh, 0, append_unix, out) == 1 ? SOCKDIAG_FOUND : SOCKDIAG_FAILED;
}
