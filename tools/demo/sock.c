// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets, the demo side of the socket module (bpf/sock.bpf.h, user/mechanisms/sock.c).
 *
 * unix: the three kinds of unix socket. A stream server does bind, listen
 *       and accept, a client connects and they exchange requests and replies;
 *       two senders send datagrams to one bound receiver; a parent and child
 *       talk over a socketpair, and the parent passes the child a descriptor
 *       (SCM_RIGHTS).
 * tcp:  a server and a client over loopback, IPv4 then IPv6.
 * udp:  a client sends datagrams to a server over loopback and each is sent
 *       back, IPv4 then IPv6.
 * netlink: a client sends messages to a server over NETLINK_USERSOCK, the
 *       netlink family for processes, and each is sent back.
 *
 * Sockets are endpoints: each process reports the inode of the socket at the
 * other end, which it learns from the others through shared memory, so that
 * telling it costs no IPC of its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/netlink.h>
#include "demo.h"

static unsigned long long ino_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		die("fstat: %s", strerror(errno));
	return st.st_ino;
}

static int must(int ret, const char *what)
{
	if (ret < 0)
		die("%s: %s", what, strerror(errno));
	return ret;
}

/* The name ipctrace gives a socket: see user/mechanisms/sock.c. */
static void unix_addr_text(const struct sockaddr_un *a, socklen_t len, char *buf, size_t size)
{
	size_t n = len > sizeof(sa_family_t) ? len - sizeof(sa_family_t) : 0;

	buf[0] = '\0';
	if (!n)
		return;
	if (a->sun_path[0] == '\0')
		snprintf(buf, size, "@%.*s", (int)(n - 1), a->sun_path + 1);
	else
		snprintf(buf, size, "%.*s", (int)strnlen(a->sun_path, n), a->sun_path);
}

void unix_object(int fd, bool listening, bool pair, char *buf, size_t size)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	char text[sizeof(a.sun_path) + 2];

	getsockname(fd, (struct sockaddr *)&a, &len);
	unix_addr_text(&a, len, text, sizeof(text));
	if (text[0]) {
		snprintf(buf, size, "unix:%s%s", text, listening ? " (listen)" : "");
		return;
	}
	len = sizeof(a);
	if (!pair && getpeername(fd, (struct sockaddr *)&a, &len) == 0) {
		unix_addr_text(&a, len, text, sizeof(text));
		if (text[0]) {
			snprintf(buf, size, "unix:->%s", text);
			return;
		}
	}
	snprintf(buf, size, pair ? "unix:socketpair" : "unix:unnamed");
}

static void inet_text(const struct sockaddr_storage *a, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)a;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(in->sin_port));
	} else {
		const struct sockaddr_in6 *in6 = (const void *)a;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(in6->sin6_port));
	}
}

void inet_object(int fd, const char *proto, bool listening, char *buf, size_t size)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);
	char local[64], remote[64];

	getsockname(fd, (struct sockaddr *)&a, &len);
	inet_text(&a, local, sizeof(local));
	len = sizeof(a);
	if (!listening && getpeername(fd, (struct sockaddr *)&a, &len) == 0) {
		inet_text(&a, remote, sizeof(remote));
		snprintf(buf, size, "%s %s->%s", proto, local, remote);
	} else {
		snprintf(buf, size, "%s %s%s", proto, local, listening ? " (listen)" : "");
	}
}

void sock_record(struct demo_record *r, const char *type, int fd, bool tx)
{
	record_init(r, type, fd, tx);
	r->endpoint = true;
}

/* Both directions of one socket: its end, and the end it talks to. */
void record_ends(struct demo_record *rx, struct demo_record *tx, int own, int peer)
{
	record_end(rx, own);
	record_end(tx, own);
	record_peer_end(rx, peer);
	record_peer_end(tx, peer);
}

/* A stream peer: answer every request with a reply of the same size, or
 * only the first `stop` (> 0) of them, then leave mid-stream. */
static void echo_stream(int fd, size_t size, long stop, struct demo_record *rx,
			struct demo_record *tx)
{
	char *buf = malloc(size);

	if (!buf)
		die("out of memory");
	for (long i = 0; (stop <= 0 || i < stop) && recv_msg(fd, buf, size, rx) == size; i++)
		send_msg(fd, buf, size, tx);
	free(buf);
}

/* A stream client: send requests, wait for each reply. */
static void ask_stream(const struct demo_opts *o, int fd, struct demo_record *tx,
		       struct demo_record *rx)
{
	char *buf = calloc(1, o->size);
	double start = now_s();

	if (!buf)
		die("out of memory");
	for (long i = 0; keep_sending(o, i, start); i++) {
		if (send_msg(fd, buf, o->size, tx) == o->size &&
		    recv_msg(fd, buf, o->size, rx) == o->size)
			continue;
		if (o->peer_exits > 0)
			break;	/* it was told to leave: report what went through */
		die("the server stopped replying");
	}
	free(buf);
}

enum slot {
	SLOT_STREAM_SERVER, SLOT_STREAM_CLIENT, SLOT_DGRAM_RECEIVER, SLOT_DGRAM_SENDER1,
	SLOT_DGRAM_SENDER2, SLOT_SERVER, SLOT_CLIENT,
};

/* Server side of a connection-oriented exchange: accept one, echo it. */
static int serve_stream(const struct demo_opts *o, const char *demo, const char *type,
			const char *role, int listener, int own, int peer)
{
	struct demo_record lr, rx, tx;
	char lname[160], cname[160];
	int conn;

	name_process(role);
	sock_record(&lr, type, listener, false);
	if (strcmp(type, "unix") == 0)
		unix_object(listener, true, false, lname, sizeof(lname));
	else
		inet_object(listener, type, true, lname, sizeof(lname));
	snprintf(lr.object, sizeof(lr.object), "%s", lname);
	conn = must(accept(listener, NULL, NULL), "accept");
	record_event(&lr, "accepts", 1);	/* reported only without --wait */
	sock_record(&rx, type, conn, false);
	sock_record(&tx, type, conn, true);
	record_ends(&rx, &tx, own, peer);
	if (strcmp(type, "unix") == 0)
		unix_object(conn, false, false, cname, sizeof(cname));
	else
		inet_object(conn, type, false, cname, sizeof(cname));
	echo_stream(conn, o->size, o->peer_exits, &rx, &tx);
	snprintf(rx.object, sizeof(rx.object), "%s", cname);
	snprintf(tx.object, sizeof(tx.object), "%s", cname);
	close(conn);
	if (!o->wait)
		report(o, demo, "listener", &lr);
	report(o, demo, "server", &rx);
	report(o, demo, "server", &tx);
	return 0;
}

static int connect_stream(const struct demo_opts *o, const char *demo, const char *type,
			  const char *role, int fd, const struct sockaddr *to, socklen_t tolen,
			  int own, int peer)
{
	struct demo_record rx, tx;
	char name[160];

	name_process(role);
	must(connect(fd, to, tolen), "connect");
	sock_record(&tx, type, fd, true);
	sock_record(&rx, type, fd, false);
	record_ends(&rx, &tx, own, peer);
	/*
	 * With --wait the connection is made before the go, so that a tracer
	 * started in between sees one that existed before it: then it cannot
	 * have seen the connect, and the demo does not claim it.
	 */
	if (!o->wait)
		record_event(&tx, "connects", 1);
	gate_child_ready(o);
	/* Named while connected: once closed, a socket has no peer name. */
	if (strcmp(type, "unix") == 0)
		unix_object(fd, false, false, name, sizeof(name));
	else
		inet_object(fd, type, false, name, sizeof(name));
	ask_stream(o, fd, &tx, &rx);
	shutdown(fd, SHUT_WR);	/* the server reads end of file and finishes */
	snprintf(tx.object, sizeof(tx.object), "%s", name);
	snprintf(rx.object, sizeof(rx.object), "%s", name);
	close(fd);
	report(o, demo, "client", &tx);
	report(o, demo, "client", &rx);
	return 0;
}

/* The datagram receiver stops after one 1-byte end marker per sender. */
#define DGRAM_SENDERS 2

static int dgram_receiver(const struct demo_opts *o, int fd)
{
	struct demo_record rx;
	char *buf = malloc(o->size + 1);
	int ends = 0;

	name_process("unix-dgram-recv");
	if (!buf)
		die("out of memory");
	sock_record(&rx, "unix", fd, false);
	record_end(&rx, SLOT_DGRAM_RECEIVER);
	unix_object(fd, false, false, rx.object, sizeof(rx.object));
	while (ends < DGRAM_SENDERS) {
		ssize_t n = recv(fd, buf, o->size + 1, 0);

		if (n < 0 && errno == EINTR)
			continue;
		must((int)n, "recv");
		rx.bytes += (size_t)n;
		rx.ops++;
		ends += n == 1;
	}
	for (int i = 0; i < DGRAM_SENDERS; i++)
		record_peer_end(&rx, SLOT_DGRAM_SENDER1 + i);
	report(o, "unix", "dgram-receiver", &rx);
	free(buf);
	return 0;
}

static int dgram_sender(const struct demo_opts *o, const char *path, int slot)
{
	struct sockaddr_un to = { .sun_family = AF_UNIX };
	struct demo_record tx;
	char *buf = calloc(1, o->size);
	int fd = must(socket(AF_UNIX, SOCK_DGRAM, 0), "socket");
	double start;

	name_process("unix-dgram-send");
	if (!buf)
		die("out of memory");
	snprintf(to.sun_path, sizeof(to.sun_path), "%s", path);
	sock_record(&tx, "unix", fd, true);
	record_end(&tx, slot);
	unix_object(fd, false, false, tx.object, sizeof(tx.object));
	gate_child_ready(o);
	start = now_s();
	for (long i = 0; keep_sending(o, i, start); i++) {
		/* A full receive queue makes sendto wait (unix datagrams are not lost). */
		must((int)sendto(fd, buf, o->size, 0, (struct sockaddr *)&to, sizeof(to)), "sendto");
		tx.bytes += o->size;
		tx.ops++;
	}
	must((int)sendto(fd, "E", 1, 0, (struct sockaddr *)&to, sizeof(to)), "sendto");
	tx.bytes++;
	tx.ops++;
	record_peer_end(&tx, SLOT_DGRAM_RECEIVER);
	report(o, "unix", "dgram-sender", &tx);
	free(buf);
	return 0;
}

/* The socketpair parent first hands its child a descriptor, then talks. */
static void pass_descriptor(int fd, struct demo_record *tx)
{
	char data = 'F';
	struct iovec iov = { &data, 1 };
	union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			    .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	int passed = must(open("/dev/null", O_RDONLY | O_CLOEXEC), "open /dev/null");

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &passed, sizeof(int));
	must((int)sendmsg(fd, &m, 0), "sendmsg");
	close(passed);
	tx->bytes++;
	tx->ops++;
	record_event(tx, "scm_rights", 1);
	record_event(tx, "fds_passed", 1);
}

static void take_descriptor(int fd, struct demo_record *rx)
{
	char data;
	struct iovec iov = { &data, 1 };
	union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			    .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *c;
	int got;

	if (must((int)recvmsg(fd, &m, MSG_CMSG_CLOEXEC), "recvmsg") != 1)
		die("recvmsg: expected the descriptor's one byte");
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		die("recvmsg: no descriptor came");
	memcpy(&got, CMSG_DATA(c), sizeof(int));
	close(got);
	rx->bytes++;
	rx->ops++;
	record_event(rx, "scm_rights", 1);
	record_event(rx, "fds_passed", 1);
}

/* A parent and its child over a socketpair: both ends known to both. */
static int socketpair_parent(const struct demo_opts *o)
{
	struct demo_record ptx, prx, ctx, crx;
	unsigned long long ino[2];
	int sv[2];
	pid_t child;

	name_process("unix-pair-parent");
	must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	ino[0] = ino_of(sv[0]);
	ino[1] = ino_of(sv[1]);
	child = demo_fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		name_process("unix-pair-child");
		close(sv[0]);
		sock_record(&crx, "unix", sv[1], false);
		sock_record(&ctx, "unix", sv[1], true);
		take_descriptor(sv[1], &crx);
		echo_stream(sv[1], o->size, 0, &crx, &ctx);
		snprintf(crx.object, sizeof(crx.object), "unix:socketpair");
		snprintf(ctx.object, sizeof(ctx.object), "unix:socketpair");
		record_peer(&crx, ino[0]);
		record_peer(&ctx, ino[0]);
		report(o, "unix", "pair-child", &crx);
		report(o, "unix", "pair-child", &ctx);
		exit(0);
	}
	close(sv[1]);
	sock_record(&ptx, "unix", sv[0], true);
	sock_record(&prx, "unix", sv[0], false);
	gate_child_ready(o);
	pass_descriptor(sv[0], &ptx);
	ask_stream(o, sv[0], &ptx, &prx);
	shutdown(sv[0], SHUT_WR);
	if (reap(&child, 1))
		die("the socketpair child failed");
	snprintf(ptx.object, sizeof(ptx.object), "unix:socketpair");
	snprintf(prx.object, sizeof(prx.object), "unix:socketpair");
	record_peer(&ptx, ino[1]);
	record_peer(&prx, ino[1]);
	report(o, "unix", "pair-parent", &ptx);
	report(o, "unix", "pair-parent", &prx);
	return 0;
}

static int run_unix(const struct demo_opts *o)
{
	char dir[] = "/tmp/ipc-demo.XXXXXX", stream[64], dgram[64];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	pid_t kids[6], gated[4];
	int listener, receiver, nkids = 0, ngated = 0, failed;

	if (!mkdtemp(dir))
		die("mkdtemp: %s", strerror(errno));
	snprintf(stream, sizeof(stream), "%s/stream.sock", dir);
	snprintf(dgram, sizeof(dgram), "%s/dgram.sock", dir);

	/* Bound here, before the forks, so that no client finds them missing. */
	listener = must(socket(AF_UNIX, SOCK_STREAM, 0), "socket");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", stream);
	must(bind(listener, (struct sockaddr *)&sa, sizeof(sa)), "bind");
	must(listen(listener, 4), "listen");
	receiver = must(socket(AF_UNIX, SOCK_DGRAM, 0), "socket");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", dgram);
	must(bind(receiver, (struct sockaddr *)&sa, sizeof(sa)), "bind");

	/*
	 * Each child closes the sockets it inherited but does not use: a
	 * process holding a socket open is shown as being at its end.
	 */
	gate_prepare();
	if ((kids[nkids++] = demo_fork()) == 0) {
		close(receiver);
		exit(serve_stream(o, "unix", "unix", "unix-server", listener,
				  SLOT_STREAM_SERVER, SLOT_STREAM_CLIENT));
	}
	if ((kids[nkids++] = gated[ngated++] = demo_fork()) == 0) {
		int fd = must(socket(AF_UNIX, SOCK_STREAM, 0), "socket");

		close(listener);
		close(receiver);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", stream);
		exit(connect_stream(o, "unix", "unix", "unix-client", fd, (struct sockaddr *)&sa,
				    sizeof(sa), SLOT_STREAM_CLIENT, SLOT_STREAM_SERVER));
	}
	if ((kids[nkids++] = demo_fork()) == 0) {
		close(listener);
		exit(dgram_receiver(o, receiver));
	}
	for (int i = 0; i < DGRAM_SENDERS; i++) {
		if ((kids[nkids++] = gated[ngated++] = demo_fork()) == 0) {
			close(listener);
			close(receiver);
			exit(dgram_sender(o, dgram, SLOT_DGRAM_SENDER1 + i));
		}
	}
	if ((kids[nkids++] = gated[ngated++] = demo_fork()) == 0) {
		close(listener);
		close(receiver);
		exit(socketpair_parent(o));
	}
	for (int i = 0; i < nkids; i++)
		if (kids[i] < 0)
			die("fork: %s", strerror(errno));
	close(listener);
	close(receiver);
	gate_open(o, "unix", kids, nkids, gated, ngated);
	failed = reap(kids, nkids);
	unlink(stream);
	unlink(dgram);
	rmdir(dir);
	return failed;
}

const struct demo unix_demo = {
	"unix", "unix sockets: stream (bind/listen/accept/connect), datagrams, socketpair", run_unix,
	.types = "unix",
	.explain =
		"A unix domain socket connects processes on the same host. Unlike a pipe it\n"
		"is bidirectional: each end both sends and receives. A server bind()s a path\n"
		"(or an @abstract name), listen()s and accept()s; a client connect()s.\n"
		"Datagram sockets keep message boundaries; socketpair() makes a connected\n"
		"pair without any name, and a socket can carry open file descriptors\n"
		"(SCM_RIGHTS).\n"
		"Look for: tx and rx rows at both ends of each connection; the client's\n"
		"connects; the datagram receiver naming both senders; scm_rights and\n"
		"fds_passed on the socketpair.",
};

/* Loopback, with an ephemeral port the kernel picks. */
static socklen_t loopback(int family, struct sockaddr_storage *a)
{
	memset(a, 0, sizeof(*a));
	a->ss_family = family;
	if (family == AF_INET) {
		((struct sockaddr_in *)a)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(struct sockaddr_in);
	}
	((struct sockaddr_in6 *)a)->sin6_addr = in6addr_loopback;
	return sizeof(struct sockaddr_in6);
}

static int bound_socket(int family, int type, struct sockaddr_storage *a, socklen_t *len)
{
	int fd = must(socket(family, type, 0), "socket");

	*len = loopback(family, a);
	must(bind(fd, (struct sockaddr *)a, *len), "bind");
	must(getsockname(fd, (struct sockaddr *)a, len), "getsockname");
	return fd;
}

/* The two sides of a TCP exchange, in the shape run_loopback() calls. */
static int tcp_server(const struct demo_opts *o, int listener, const char *role,
		      int own, int peer)
{
	return serve_stream(o, "tcp", "tcp", role, listener, own, peer);
}

static int tcp_client(const struct demo_opts *o, int family, const struct sockaddr_storage *to,
		      socklen_t tolen, const char *role, int own, int peer)
{
	return connect_stream(o, "tcp", "tcp", role, must(socket(family, SOCK_STREAM, 0), "socket"),
			      (const struct sockaddr *)to, tolen, own, peer);
}

typedef int (*server_fn)(const struct demo_opts *o, int fd, const char *role,
			 int own, int peer);
typedef int (*client_fn)(const struct demo_opts *o, int family,
			 const struct sockaddr_storage *to, socklen_t tolen, const char *role,
			 int own, int peer);

/*
 * A server and a client over loopback, IPv4 then IPv6. The server's socket is
 * bound (and listening, for a stream) before the forks, so the client always
 * finds it. roles: IPv4 server, IPv4 client, IPv6 server, IPv6 client.
 */
static int run_loopback(const struct demo_opts *o, const char *demo, int socktype,
			server_fn server, client_fn client, const char *const roles[4])
{
	static const int families[] = { AF_INET, AF_INET6 };
	pid_t kids[4], gated[2];
	int nkids = 0, ngated = 0;

	gate_prepare();
	for (int f = 0; f < 2; f++) {
		struct sockaddr_storage a;
		socklen_t len;
		int fd = bound_socket(families[f], socktype, &a, &len);
		int server_slot = SLOT_SERVER + 2 * f, client_slot = SLOT_CLIENT + 2 * f;

		if (socktype == SOCK_STREAM)
			must(listen(fd, 4), "listen");
		if ((kids[nkids++] = demo_fork()) == 0)
			exit(server(o, fd, roles[2 * f], server_slot, client_slot));
		close(fd);
		if ((kids[nkids++] = gated[ngated++] = demo_fork()) == 0)
			exit(client(o, families[f], &a, len, roles[2 * f + 1], client_slot,
				    server_slot));
	}
	for (int i = 0; i < nkids; i++)
		if (kids[i] < 0)
			die("fork: %s", strerror(errno));
	gate_open(o, demo, kids, nkids, gated, ngated);
	return reap(kids, nkids);
}

static int run_tcp(const struct demo_opts *o)
{
	static const char *const roles[4] = {
		"tcp-server", "tcp-client", "tcp6-server", "tcp6-client",
	};

	return run_loopback(o, "tcp", SOCK_STREAM, tcp_server, tcp_client, roles);
}

const struct demo tcp_demo = {
	"tcp", "TCP over loopback, IPv4 and IPv6: connect, accept, request and reply", run_tcp,
	.types = "tcp",
	.explain =
		"A TCP socket is a bidirectional byte stream that works the same between\n"
		"two processes on one host (here over loopback, IPv4 and IPv6) as across a\n"
		"network. The server bind()s a port, listen()s and accept()s; the client\n"
		"connect()s. ipctrace finds the process at the other end by matching the\n"
		"reversed address pair; a peer on another host would show as ip:port.\n"
		"Look for: OBJECT as local->remote addresses; the client and the server as\n"
		"each other's PEERS; the listening socket's accepts.",
};

/* A datagram server: every datagram back to where it came from, but the
 * 1-byte end marker, which ends it. */
static void echo_dgrams(int fd, char *buf, size_t size, struct demo_record *rx,
			struct demo_record *tx)
{
	for (;;) {
		struct sockaddr_storage from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, size + 1, 0, (struct sockaddr *)&from, &len);

		if (n < 0 && errno == EINTR)
			continue;
		must((int)n, "recvfrom");
		rx->bytes += (size_t)n;
		rx->ops++;
		if (n == 1)
			break;
		must((int)sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len), "sendto");
		tx->bytes += (size_t)n;
		tx->ops++;
	}
}

/* Its client: a datagram at a time to `to` (NULL: where it is connected),
 * each read back, then the end marker. One in flight: none is lost. */
static void send_dgrams(const struct demo_opts *o, int fd, const struct sockaddr *to,
			socklen_t tolen, char *buf, struct demo_record *tx, struct demo_record *rx)
{
	double start = now_s();

	for (long i = 0; keep_sending(o, i, start); i++) {
		must((int)sendto(fd, buf, o->size, 0, to, tolen), "sendto");
		tx->bytes += o->size;
		tx->ops++;
		must((int)recv(fd, buf, o->size, 0), "recv");
		rx->bytes += o->size;
		rx->ops++;
	}
	must((int)sendto(fd, "E", 1, 0, to, tolen), "sendto");
	tx->bytes++;
	tx->ops++;
}

/* The UDP server sends every datagram back but the 1-byte end marker. */
static int udp_server(const struct demo_opts *o, int fd, const char *role,
		      int own, int peer)
{
	struct demo_record rx, tx;
	char *buf = malloc(o->size + 1);

	name_process(role);
	if (!buf)
		die("out of memory");
	sock_record(&rx, "udp", fd, false);
	sock_record(&tx, "udp", fd, true);
	record_ends(&rx, &tx, own, peer);
	echo_dgrams(fd, buf, o->size, &rx, &tx);
	inet_object(fd, "udp", false, rx.object, sizeof(rx.object));
	snprintf(tx.object, sizeof(tx.object), "%s", rx.object);
	report(o, "udp", "server", &rx);
	report(o, "udp", "server", &tx);
	free(buf);
	return 0;
}

static int udp_client(const struct demo_opts *o, int family, const struct sockaddr_storage *to,
		      socklen_t tolen, const char *role, int own, int peer)
{
	struct demo_record rx, tx;
	char *buf = calloc(1, o->size);
	int fd = must(socket(family, SOCK_DGRAM, 0), "socket");

	name_process(role);
	if (!buf)
		die("out of memory");
	sock_record(&tx, "udp", fd, true);
	sock_record(&rx, "udp", fd, false);
	record_ends(&rx, &tx, own, peer);
	gate_child_ready(o);
	send_dgrams(o, fd, (const struct sockaddr *)to, tolen, buf, &tx, &rx);
	inet_object(fd, "udp", false, tx.object, sizeof(tx.object));
	snprintf(rx.object, sizeof(rx.object), "%s", tx.object);
	report(o, "udp", "client", &tx);
	report(o, "udp", "client", &rx);
	free(buf);
	return 0;
}

static int run_udp(const struct demo_opts *o)
{
	static const char *const roles[4] = {
		"udp-server", "udp-client", "udp6-server", "udp6-client",
	};

	return run_loopback(o, "udp", SOCK_DGRAM, udp_server, udp_client, roles);
}

const struct demo udp_demo = {
	"udp", "UDP over loopback, IPv4 and IPv6: every datagram sent back", run_udp,
	.types = "udp",
	.explain =
		"UDP sends datagrams: each send is one whole message, with no connection,\n"
		"no ordering and no retransmission. One socket can hear from many senders.\n"
		"Look for: OPS counts datagrams, one per send; the server's rx row names the\n"
		"client that sent them, and its tx row the same client getting each\n"
		"datagram back.",
};

/* A NETLINK_USERSOCK socket, bound to a port id the kernel picks. */
static int netlink_socket(unsigned int *port)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(a);
	int fd = must(socket(AF_NETLINK, SOCK_RAW, NETLINK_USERSOCK), "netlink socket");

	must(bind(fd, (struct sockaddr *)&a, sizeof(a)), "bind");
	must(getsockname(fd, (struct sockaddr *)&a, &len), "getsockname");
	*port = a.nl_pid;
	return fd;
}

static void netlink_connect(int fd, unsigned int port)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_pid = port };

	must(connect(fd, (struct sockaddr *)&a, sizeof(a)), "connect");
}

/* The server answers each message on the port it came from (unconnected:
 * its client's connection links the two); the 1-byte end marker ends it. */
static int netlink_server(const struct demo_opts *o, int fd, unsigned int port)
{
	struct demo_record rx, tx;
	char *buf = malloc(o->size + 1);

	name_process("nl-server");
	if (!buf)
		die("out of memory");
	sock_record(&rx, "netlink", fd, false);
	sock_record(&tx, "netlink", fd, true);
	record_ends(&rx, &tx, SLOT_SERVER, SLOT_CLIENT);
	echo_dgrams(fd, buf, o->size, &rx, &tx);
	snprintf(rx.object, sizeof(rx.object), "netlink:%u", port);
	snprintf(tx.object, sizeof(tx.object), "netlink:%u", port);
	report(o, "netlink", "server", &rx);
	report(o, "netlink", "server", &tx);
	free(buf);
	return 0;
}

static int netlink_client(const struct demo_opts *o, unsigned int server)
{
	struct demo_record rx, tx;
	char *buf = calloc(1, o->size);
	unsigned int port;
	int fd;

	name_process("nl-client");
	if (!buf)
		die("out of memory");
	fd = netlink_socket(&port);
	netlink_connect(fd, server);
	sock_record(&tx, "netlink", fd, true);
	sock_record(&rx, "netlink", fd, false);
	record_ends(&rx, &tx, SLOT_CLIENT, SLOT_SERVER);
	gate_child_ready(o);
	send_dgrams(o, fd, NULL, 0, buf, &tx, &rx);
	snprintf(tx.object, sizeof(tx.object), "netlink:%u->%u", port, server);
	snprintf(rx.object, sizeof(rx.object), "netlink:%u->%u", port, server);
	report(o, "netlink", "client", &tx);
	report(o, "netlink", "client", &rx);
	free(buf);
	return 0;
}

static int run_netlink(const struct demo_opts *o)
{
	unsigned int port;
	int fd;
	pid_t kids[2];

	if (o->size < 2)
		die("netlink: -s must be at least 2 (1 byte is the end marker)");
	gate_prepare();
	fd = netlink_socket(&port);
	if ((kids[0] = demo_fork()) == 0)
		exit(netlink_server(o, fd, port));
	close(fd);
	if ((kids[1] = demo_fork()) == 0)
		exit(netlink_client(o, port));
	for (int i = 0; i < 2; i++)
		if (kids[i] < 0)
			die("fork: %s", strerror(errno));
	gate_open(o, "netlink", kids, 2, &kids[1], 1);
	return reap(kids, 2);
}

const struct demo netlink_demo = {
	"netlink", "NETLINK_USERSOCK between two processes: every message sent back", run_netlink,
	.types = "netlink",
	.explain =
		"Netlink is how the kernel and processes exchange messages (routes,\n"
		"audit, device events); its NETLINK_USERSOCK family is left to processes\n"
		"to talk among themselves. Each socket is bound to a port id, and a\n"
		"message goes to a port id, as a datagram. Here a client connects to the\n"
		"server's port and each of its messages comes back.\n"
		"Look for: OBJECT as netlink:PORT (the server) and netlink:PORT->PORT\n"
		"(the client, connected to the server's port); OPS counts messages; each\n"
		"side names the other in PEERS.",
};
