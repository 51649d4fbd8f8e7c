// SPDX-License-Identifier: GPL-2.0
/*
 * sock_diag: replies parsed from crafted messages (every length wrong in
 * turn), and the kernel's answers for sockets this test makes on loopback
 * (no root needed: ss works for any user).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <glib.h>
#include "unit.h"
#include "mechanisms/sockdiag.h"

#define SEQ 77

/* A reply being built: messages appended, each 4-byte aligned. */
struct reply {
	union {
		char bytes[8192];
		struct nlmsghdr align;
	};
	size_t len;
};

static struct nlmsghdr *add_msg(struct reply *r, __u16 type, __u16 flags, __u32 seq,
				const void *payload, size_t n)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(r->bytes + r->len);

	memset(h, 0, NLMSG_SPACE(n));
	h->nlmsg_len = NLMSG_LENGTH(n);
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = seq;
	memcpy(NLMSG_DATA(h), payload, n);
	r->len += NLMSG_SPACE(n);
	return h;
}

static struct inet_diag_msg inet_msg(int family, const char *src, int sport, const char *dst,
				     int dport, int state, __u32 ino)
{
	struct inet_diag_msg m;

	memset(&m, 0, sizeof(m));
	m.idiag_family = family;
	m.idiag_state = state;
	m.idiag_inode = ino;
	m.id.idiag_sport = htons(sport);
	m.id.idiag_dport = htons(dport);
	inet_pton(family, src, m.id.idiag_src);
	inet_pton(family, dst, m.id.idiag_dst);
	return m;
}

/* A unix_diag message with its attributes (type, length, data) after it. */
struct unix_msg {
	struct unix_diag_msg m;
	char attrs[512];
	size_t len;
};

static void add_attr(struct unix_msg *u, __u16 type, __u16 rta_len, const void *data, size_t n)
{
	struct rtattr a = { .rta_len = rta_len, .rta_type = type };

	memcpy(u->attrs + u->len, &a, sizeof(a));
	memcpy(u->attrs + u->len + sizeof(a), data, n);
	u->len += RTA_ALIGN(sizeof(a) + n);
}

static void add_unix(struct reply *r, const struct unix_msg *u, __u16 flags)
{
	char buf[sizeof(*u)];

	memcpy(buf, &u->m, sizeof(u->m));
	memcpy(buf + sizeof(u->m), u->attrs, u->len);
	add_msg(r, SOCK_DIAG_BY_FAMILY, flags, SEQ, buf, sizeof(u->m) + u->len);
}

static void add_done(struct reply *r, int err)
{
	add_msg(r, NLMSG_DONE, NLM_F_MULTI, SEQ, &err, sizeof(err));
}

static void add_error(struct reply *r, int err)
{
	struct nlmsgerr e = { .error = err };

	add_msg(r, NLMSG_ERROR, 0, SEQ, &e, sizeof(e));
}

static void collect(const struct sockdiag_sock *s, void *ctx)
{
	g_array_append_val((GArray *)ctx, *s);
}

static GArray *got;

static int parse(const struct reply *r, size_t len, unsigned int type)
{
	if (got)
		g_array_free(got, TRUE);
	got = g_array_new(FALSE, TRUE, sizeof(struct sockdiag_sock));
	return sockdiag_parse(r->bytes, len, SEQ, type, collect, got);
}

static const struct sockdiag_sock *sock_at(guint i)
{
	return &g_array_index(got, struct sockdiag_sock, i);
}

static void test_inet_dump(void **state)
{
	struct reply r = { .len = 0 };
	struct inet_diag_msg a = inet_msg(AF_INET, "127.0.0.1", 5432, "127.0.0.1", 41234, 1, 4242);
	struct inet_diag_msg b = inet_msg(AF_INET6, "::1", 8080, "::", 0, TCP_LISTEN, 4343);
	struct inet_diag_msg other = inet_msg(AF_INET, "10.0.0.1", 1, "10.0.0.2", 2, 1, 9);
	const struct sockdiag_sock *s;

	(void)state;
	add_msg(&r, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, SEQ, &a, sizeof(a));
	/* An answer to another request (one given up on) is not this one's. */
	add_msg(&r, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, SEQ + 1, &other, sizeof(other));
	add_msg(&r, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, SEQ, &b, sizeof(b));
	/* Without its end the dump goes on in the next datagram. */
	assert_int_equal(parse(&r, r.len, IPC_TCP), 0);
	assert_int_equal(got->len, 2);
	add_done(&r, 0);
	assert_int_equal(parse(&r, r.len, IPC_TCP), 1);
	assert_int_equal(got->len, 2);
	s = sock_at(0);
	assert_false(s->is_unix);
	assert_int_equal(s->net.type, IPC_TCP);
	assert_int_equal(s->net.ino, 4242);
	assert_int_equal(s->net.state, 1);
	assert_int_equal(s->net.local.family, AF_INET);
	assert_int_equal(s->net.local.port, 5432);
	assert_int_equal(s->net.remote.port, 41234);
	assert_memory_equal(s->net.local.addr, "\x7f\0\0\x01", 4);
	s = sock_at(1);
	assert_int_equal(s->net.local.family, AF_INET6);
	assert_int_equal(s->net.state, TCP_LISTEN);
	assert_int_equal(s->net.local.port, 8080);
	assert_int_equal(s->net.local.addr[15], 1);
	assert_int_equal(s->net.remote.port, 0);
	/* A dump's end carrying an error. */
	r.len = 0;
	add_done(&r, -EINTR);
	assert_int_equal(parse(&r, r.len, IPC_TCP), -EINTR);
}

/* An exact request's answer: one message, or an error (ENOENT: none). */
static void test_exact_and_errors(void **state)
{
	struct reply r = { .len = 0 };
	struct inet_diag_msg a = inet_msg(AF_INET, "127.0.0.1", 53, "0.0.0.0", 0, 7, 99);
	struct nlmsghdr *h;

	(void)state;
	add_msg(&r, SOCK_DIAG_BY_FAMILY, 0, SEQ, &a, sizeof(a));
	assert_int_equal(parse(&r, r.len, IPC_UDP), 1);
	assert_int_equal(got->len, 1);
	assert_int_equal(sock_at(0)->net.type, IPC_UDP);
	r.len = 0;
	add_error(&r, -ENOENT);
	assert_int_equal(parse(&r, r.len, IPC_UDP), -ENOENT);
	r.len = 0;
	add_error(&r, 0);	/* an acknowledgement */
	assert_int_equal(parse(&r, r.len, IPC_UDP), 1);
	assert_int_equal(got->len, 0);
	/* An error message too short for its number; a positive "error". */
	r.len = 0;
	add_msg(&r, NLMSG_ERROR, 0, SEQ, "\0\0", 2);
	assert_int_equal(parse(&r, r.len, IPC_UDP), -EBADMSG);
	r.len = 0;
	add_error(&r, 5);
	assert_int_equal(parse(&r, r.len, IPC_UDP), -EBADMSG);
	/* A type that is no answer of sock_diag's. */
	r.len = 0;
	h = add_msg(&r, SOCK_DIAG_BY_FAMILY, 0, SEQ, &a, sizeof(a));
	h->nlmsg_type = RTM_NEWLINK;
	assert_int_equal(parse(&r, r.len, IPC_UDP), -EBADMSG);
	assert_int_equal(got->len, 0);
}

/* Every length that does not fit what was received: an error, and no
 * socket taken from past the end. */
static void test_lengths(void **state)
{
	struct reply r = { .len = 0 };
	struct inet_diag_msg a = inet_msg(AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1, 5);
	struct nlmsghdr *h;

	(void)state;
	h = add_msg(&r, SOCK_DIAG_BY_FAMILY, 0, SEQ, &a, sizeof(a));
	/* Cut short: the datagram ends inside the message. */
	assert_int_equal(parse(&r, r.len - 4, IPC_TCP), -EBADMSG);
	assert_int_equal(got->len, 0);
	/* Less than a header. */
	assert_int_equal(parse(&r, sizeof(*h) - 1, IPC_TCP), -EBADMSG);
	/* A length past the datagram, the largest one, and one below a header. */
	h->nlmsg_len = r.len + 4;
	assert_int_equal(parse(&r, r.len, IPC_TCP), -EBADMSG);
	h->nlmsg_len = 0xFFFFFFFF;
	assert_int_equal(parse(&r, r.len, IPC_TCP), -EBADMSG);
	h->nlmsg_len = sizeof(*h) - 1;
	assert_int_equal(parse(&r, r.len, IPC_TCP), -EBADMSG);
	assert_int_equal(got->len, 0);
	/* A whole message whose payload is shorter than inet_diag_msg. */
	r.len = 0;
	add_msg(&r, SOCK_DIAG_BY_FAMILY, 0, SEQ, &a, sizeof(a) - 1);
	assert_int_equal(parse(&r, r.len, IPC_TCP), -EBADMSG);
	assert_int_equal(got->len, 0);
	/* A family that is neither inet one. */
	r.len = 0;
	a.idiag_family = AF_PACKET;
	add_msg(&r, SOCK_DIAG_BY_FAMILY, 0, SEQ, &a, sizeof(a));
	assert_int_equal(parse(&r, r.len, IPC_TCP), -EBADMSG);
	/* A good message, then a few stray bytes: malformed. */
	r.len = 0;
	a.idiag_family = AF_INET;
	add_msg(&r, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, SEQ, &a, sizeof(a));
	assert_int_equal(parse(&r, r.len + 8, IPC_TCP), -EBADMSG);
}

static struct unix_msg unix_msg(__u32 ino, int type, int state)
{
	struct unix_msg u;

	memset(&u, 0, sizeof(u));
	u.m.udiag_family = AF_UNIX;
	u.m.udiag_type = type;
	u.m.udiag_state = state;
	u.m.udiag_ino = ino;
	return u;
}

static void test_unix_attrs(void **state)
{
	struct reply r = { .len = 0 };
	struct unix_msg u = unix_msg(19266, SOCK_STREAM, TCP_LISTEN);
	__u32 peer = 19267;
	char longname[200];
	const struct sockdiag_sock *s;

	(void)state;
	add_attr(&u, UNIX_DIAG_NAME, sizeof(struct rtattr) + sizeof("/tmp/a b"), "/tmp/a b",
		 sizeof("/tmp/a b"));
	add_attr(&u, UNIX_DIAG_PEER, sizeof(struct rtattr) + 4, &peer, 4);
	add_unix(&r, &u, NLM_F_MULTI);
	u = unix_msg(19300, SOCK_DGRAM, 7);
	add_attr(&u, UNIX_DIAG_NAME, sizeof(struct rtattr) + 4, "\0abs", 4);
	/* A peer attribute too short for an inode: left out. */
	add_attr(&u, UNIX_DIAG_PEER, sizeof(struct rtattr) + 2, &peer, 2);
	add_unix(&r, &u, NLM_F_MULTI);
	add_done(&r, 0);
	assert_int_equal(parse(&r, r.len, 0), 1);
	assert_int_equal(got->len, 2);
	s = sock_at(0);
	assert_true(s->is_unix);
	assert_true(s->unx.listening);
	assert_int_equal(s->unx.ino, 19266);
	assert_int_equal(s->unx.type, SOCK_STREAM);
	assert_int_equal(s->peer, 19267);
	assert_int_equal(s->unx.name.family, AF_UNIX);
	assert_int_equal(s->unx.name.path_len, sizeof("/tmp/a b"));
	assert_string_equal(s->unx.name.path, "/tmp/a b");
	s = sock_at(1);
	assert_false(s->unx.listening);
	assert_int_equal(s->unx.type, SOCK_DGRAM);
	assert_int_equal(s->unx.name.path_len, 4);
	assert_memory_equal(s->unx.name.path, "\0abs", 4);
	assert_int_equal(s->peer, 0);

	/* A name longer than sun_path: cut to it. */
	r.len = 0;
	memset(longname, 'n', sizeof(longname));
	u = unix_msg(1, SOCK_STREAM, 1);
	add_attr(&u, UNIX_DIAG_NAME, sizeof(struct rtattr) + sizeof(longname), longname,
		 sizeof(longname));
	add_unix(&r, &u, 0);
	assert_int_equal(parse(&r, r.len, 0), 1);
	assert_int_equal(sock_at(0)->unx.name.path_len, SOCK_PATH_LEN);

	/* An attribute whose length runs past its message, or is below its own
	 * header: malformed, nothing taken. */
	for (int bad = 0; bad < 2; bad++) {
		r.len = 0;
		u = unix_msg(2, SOCK_STREAM, 1);
		add_attr(&u, UNIX_DIAG_PEER, bad ? 2 : 64, &peer, 4);
		add_unix(&r, &u, 0);
		assert_int_equal(parse(&r, r.len, 0), -EBADMSG);
		assert_int_equal(got->len, 0);
	}
	/* A unix message shorter than unix_diag_msg. */
	r.len = 0;
	u = unix_msg(3, SOCK_STREAM, 1);
	add_msg(&r, SOCK_DIAG_BY_FAMILY, 0, SEQ, &u.m, sizeof(u.m) - 1);
	assert_int_equal(parse(&r, r.len, 0), -EBADMSG);
	g_array_free(got, TRUE);
	got = NULL;
}

static __u64 ino_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

static struct ipc_sock_addr addr_of(int fd, bool peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct ipc_sock_addr a;

	memset(&a, 0, sizeof(a));
	assert_int_equal((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &len), 0);
	a.family = ss.ss_family;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;

		a.port = ntohs(in->sin_port);
		memcpy(a.addr, &in->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;

		a.port = ntohs(in6->sin6_port);
		memcpy(a.addr, &in6->sin6_addr, 16);
	}
	return a;
}

/* A socket of type bound to the loopback address of family (port 0: any). */
static int bound(int family, int type)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(family, type | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, family == AF_INET ? (struct sockaddr *)&in : (struct sockaddr *)&in6,
			      family == AF_INET ? sizeof(in) : sizeof(in6)), 0);
	return fd;
}

static void connect_to(int fd, int to)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	assert_int_equal(getsockname(to, (struct sockaddr *)&ss, &len), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&ss, len), 0);
}

/* The kernel's answers, both families: a TCP connection's other end by its
 * tuple, the listener where nobody connected from, none for a tuple nobody
 * holds. */
static void test_live_tcp(void **state)
{
	(void)state;
	for (int family = AF_INET; family; family = family == AF_INET ? AF_INET6 : 0) {
		int lfd = bound(family, SOCK_STREAM), cfd, afd;
		struct ipc_sock_addr local, remote;
		struct net_entry e;

		assert_int_equal(listen(lfd, 4), 0);
		cfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		connect_to(cfd, lfd);
		afd = accept(lfd, NULL, NULL);
		assert_true(afd >= 0);
		local = addr_of(cfd, false);
		remote = addr_of(cfd, true);
		/* The client's other end: what a packet from it reaches. */
		assert_int_equal(sockdiag_inet_receiver(IPC_TCP, IPPROTO_TCP, &local, &remote, &e),
				 SOCKDIAG_FOUND);
		assert_int_equal(e.ino, ino_of(afd));
		assert_int_equal(e.local.port, remote.port);
		assert_int_equal(e.remote.port, local.port);
		assert_int_equal(e.type, IPC_TCP);
		/* And the other way. */
		assert_int_equal(sockdiag_inet_receiver(IPC_TCP, IPPROTO_TCP, &remote, &local, &e),
				 SOCKDIAG_FOUND);
		assert_int_equal(e.ino, ino_of(cfd));
		assert_int_equal(sockdiag_inet_receiver(IPC_TCP, IPPROTO_TCP, NULL, &remote, &e),
				 SOCKDIAG_FOUND);
		assert_int_equal(e.ino, ino_of(lfd));
		assert_int_equal(e.state, TCP_LISTEN);
		close(lfd);
		/* No listener, no such connection. */
		assert_int_equal(sockdiag_inet_receiver(IPC_TCP, IPPROTO_TCP, NULL, &remote, &e),
				 SOCKDIAG_NONE);
		close(cfd);
		close(afd);
	}
}

/* A connected UDP socket's other end: the connected socket with the
 * reversed tuple when there is one, else the unconnected one bound there. */
static void test_live_udp(void **state)
{
	int server = bound(AF_INET, SOCK_DGRAM), client = bound(AF_INET, SOCK_DGRAM), reply;
	struct ipc_sock_addr local, remote;
	struct net_entry e;

	(void)state;
	connect_to(client, server);
	local = addr_of(client, false);
	remote = addr_of(client, true);
	assert_int_equal(sockdiag_inet_receiver(IPC_UDP, IPPROTO_UDP, &local, &remote, &e),
			 SOCKDIAG_FOUND);
	assert_int_equal(e.ino, ino_of(server));
	assert_int_equal(e.remote.port, 0);
	assert_int_equal(sockdiag_inet_receiver(IPC_UDP, IPPROTO_UDP, NULL, &remote, &e),
			 SOCKDIAG_FOUND);
	assert_int_equal(e.ino, ino_of(server));
	/* A socket connected back to the client on the server's port: the
	 * kernel delivers to it first. */
	reply = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(setsockopt(reply, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int)), 0);
	assert_int_equal(setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int)), 0);
	{
		struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(remote.port) };

		memcpy(&in.sin_addr, remote.addr, 4);
		assert_int_equal(bind(reply, (struct sockaddr *)&in, sizeof(in)), 0);
	}
	connect_to(reply, client);
	assert_int_equal(sockdiag_inet_receiver(IPC_UDP, IPPROTO_UDP, &local, &remote, &e),
			 SOCKDIAG_FOUND);
	assert_int_equal(e.ino, ino_of(reply));
	assert_int_equal(e.remote.port, local.port);
	close(reply);
	close(server);
	close(client);
}

/* Unix sockets by inode: a socketpair's peers, a listener's name. */
static void test_live_unix(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct unix_entry u;
	int sv[2], lfd;
	__u64 peer, gone;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(sockdiag_unix_find(ino_of(sv[0]), &u, &peer), SOCKDIAG_FOUND);
	assert_int_equal(peer, ino_of(sv[1]));
	assert_int_equal(u.name.family, 0);
	snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1, "ipctrace-unit-%d", getpid());
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun,
			      offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sun.sun_path + 1)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(sockdiag_unix_find(ino_of(lfd), &u, &peer), SOCKDIAG_FOUND);
	assert_true(u.listening);
	assert_int_equal(peer, 0);
	assert_int_equal(u.name.path_len, 1 + strlen(sun.sun_path + 1));
	assert_memory_equal(u.name.path, sun.sun_path, u.name.path_len);
	gone = ino_of(lfd);
	close(lfd);
	close(sv[0]);
	close(sv[1]);
	/* A socket closed: none; not a 32-bit number: not asked. */
	assert_int_equal(sockdiag_unix_find(gone, &u, &peer), SOCKDIAG_NONE);
	assert_int_equal(sockdiag_unix_find((__u64)UINT32_MAX + 1, &u, &peer), SOCKDIAG_FAILED);
}

static bool net_has(GArray *t, __u64 ino)
{
	for (guint i = 0; i < t->len; i++)
		if (g_array_index(t, struct net_entry, i).ino == ino)
			return true;
	return false;
}

static bool unix_has(GArray *t, __u64 ino)
{
	for (guint i = 0; i < t->len; i++)
		if (g_array_index(t, struct unix_entry, i).ino == ino)
			return true;
	return false;
}

/* The tables: every socket with an inode, both families. */
static void test_live_tables(void **state)
{
	int l4 = bound(AF_INET, SOCK_STREAM), l6 = bound(AF_INET6, SOCK_STREAM);
	int u4 = bound(AF_INET, SOCK_DGRAM), sv[2];
	GArray *tcp = g_array_new(FALSE, TRUE, sizeof(struct net_entry));
	GArray *udp = g_array_new(FALSE, TRUE, sizeof(struct net_entry));
	GArray *unx = g_array_new(FALSE, TRUE, sizeof(struct unix_entry));

	(void)state;
	assert_int_equal(listen(l4, 1), 0);
	assert_int_equal(listen(l6, 1), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(sockdiag_inet_table(IPC_TCP, tcp), SOCKDIAG_FOUND);
	assert_int_equal(sockdiag_inet_table(IPC_UDP, udp), SOCKDIAG_FOUND);
	assert_int_equal(sockdiag_unix_table(unx), SOCKDIAG_FOUND);
	/* Sockets nobody holds (TIME_WAIT's) are left out. */
	assert_false(net_has(tcp, 0));
	assert_true(net_has(tcp, ino_of(l4)));
	assert_true(net_has(tcp, ino_of(l6)));
	assert_true(net_has(udp, ino_of(u4)));
	assert_false(net_has(udp, ino_of(l4)));
	assert_true(unix_has(unx, ino_of(sv[0])));
	assert_true(unix_has(unx, ino_of(sv[1])));
	g_array_free(tcp, TRUE);
	g_array_free(udp, TRUE);
	g_array_free(unx, TRUE);
	close(l4);
	close(l6);
	close(u4);
	close(sv[0]);
	close(sv[1]);
}

int run_sockdiag_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inet_dump),
		cmocka_unit_test(test_exact_and_errors),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_unix_attrs),
		cmocka_unit_test(test_live_tcp),
		cmocka_unit_test(test_live_udp),
		cmocka_unit_test(test_live_unix),
		cmocka_unit_test(test_live_tables),
	};

	return cmocka_run_group_tests_name("sockdiag", tests, NULL, NULL);
}
