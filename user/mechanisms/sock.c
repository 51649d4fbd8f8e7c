// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets, user side: the socket module (bpf/sock.bpf.h, tools/demo/sock.c).
 *
 * Each socket is an endpoint object, named by its addresses. Its peer is
 * another socket: for unix sockets the kernel says which (unix_sock->peer);
 * for TCP and UDP on this host it is the socket holding the reversed address
 * tuple, found among the sockets seen or in /proc/net; a datagram socket's
 * peers are also wherever it sent. A peer elsewhere is named ip:port.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include "model/mechanism.h"
#include "mechanisms/sock.h"
#include "model/rows.h"
#include "model/holders.h"

/* Always: what the sock tracepoints cannot see. */
static const struct syscall_hook sock_syscalls[] = {
	{ __NR_sendto, IPCOP_SENDTO },
	{ __NR_recvfrom, IPCOP_RECVFROM },
	{ __NR_sendmsg, IPCOP_SENDMSG },
	{ __NR_recvmsg, IPCOP_RECVMSG },
	{ __NR_sendmmsg, IPCOP_SENDMMSG },
	{ __NR_recvmmsg, IPCOP_RECVMMSG },
	{ __NR_accept, IPCOP_ACCEPT },
	{ __NR_accept4, IPCOP_ACCEPT },
	{ __NR_connect, IPCOP_CONNECT },
	/* Their return ends the pieces the sock tracepoints saw (sock.bpf.h). */
	{ __NR_splice, IPCOP_SPLICE },
	{ __NR_sendfile, IPCOP_SENDFILE },
};

/* With -p: a target's listening socket makes its clients peers, and its
 * bound datagram socket its senders. */
static const struct syscall_hook sock_filter_syscalls[] = {
	{ __NR_listen, IPCOP_LISTEN },
	{ __NR_bind, IPCOP_BIND },
};

/* Without the sock tracepoints (before 6.3), bytes come from the syscalls,
 * the descriptor ones too. */
static const struct syscall_hook sock_fallback_syscalls[] = {
	{ __NR_read, IPCOP_READ },
	{ __NR_readv, IPCOP_READV },
	{ __NR_write, IPCOP_WRITE },
	{ __NR_writev, IPCOP_WRITEV },
	{ __NR_splice, IPCOP_SPLICE },
	{ __NR_sendfile, IPCOP_SENDFILE },
};

/* Socket inode -> type, for descriptors found in /proc ("socket:[ino]"). */
static GHashTable *sock_types;

static void remember_type(__u64 ino, unsigned int type)
{
	if (!sock_types)
		sock_types = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	g_hash_table_replace(sock_types, g_memdup2(&ino, sizeof(ino)), GUINT_TO_POINTER(type));
}

/* /proc/net/tcp prints addresses as the kernel holds them (network order in
 * host-order words), ports in host order. */
static void parse_inet(const char *text, int family, struct ipc_sock_addr *a)
{
	unsigned int words[4] = { 0 }, port = 0;

	memset(a, 0, sizeof(*a));
	a->family = family;
	if (family == AF_INET) {
		sscanf(text, "%8X:%X", &words[0], &port);
		memcpy(a->addr, &words[0], 4);
	} else {
		sscanf(text, "%8X%8X%8X%8X:%X", &words[0], &words[1], &words[2], &words[3], &port);
		memcpy(a->addr, words, 16);
	}
	a->port = (__u16)port;
}

bool sock_parse_net_line(const char *line, int family, struct net_entry *e)
{
	char local[64], remote[64];
	unsigned long long ino;

	/* sl local remote st tx:rx tr:when retrnsmt uid timeout inode */
	if (sscanf(line, " %*d: %63s %63s %X %*s %*s %*s %*u %*d %llu", local, remote, &e->state,
		   &ino) != 4)
		return false;
	parse_inet(local, family, &e->local);
	parse_inet(remote, family, &e->remote);
	e->ino = ino;
	return true;
}

bool sock_parse_unix_line(const char *line, struct unix_entry *u)
{
	unsigned long long ino;
	const char *path;
	int at = 0;
	size_t len;

	memset(u, 0, sizeof(*u));
	/* Num RefCount Protocol Flags Type St Inode Path: the path is the rest
	 * of the line, spaces and all. */
	if (sscanf(line, "%*s %*s %*s %X %X %*s %llu %n", &u->flags, &u->type, &ino, &at) < 3)
		return false;
	u->ino = ino;
	path = line + at;
	len = strcspn(path, "\n");
	if (!at || !len)
		return true;
	if (len > SOCK_PATH_LEN)
		len = SOCK_PATH_LEN;
	u->name.family = AF_UNIX;
	/* The kernel keeps a path's name with its NUL; /proc shows an abstract
	 * name's leading NUL as '@'. */
	if (path[0] == '@') {
		u->name.path_len = (__u16)len;
		memcpy(u->name.path + 1, path + 1, len - 1);
	} else {
		u->name.path_len = (__u16)len + 1;
		memcpy(u->name.path, path, len);
	}
	return true;
}

static void read_net(const char *path, unsigned int type, int family, GArray *out)
{
	char line[512];
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		struct net_entry e = { .type = type };

		if (sock_parse_net_line(line, family, &e))
			g_array_append_val(out, e);
	}
	fclose(f);
}

static GArray *read_net_inet(void)
{
	GArray *all = g_array_new(FALSE, TRUE, sizeof(struct net_entry));

	read_net("/proc/net/tcp", IPC_TCP, AF_INET, all);
	read_net("/proc/net/tcp6", IPC_TCP, AF_INET6, all);
	read_net("/proc/net/udp", IPC_UDP, AF_INET, all);
	read_net("/proc/net/udp6", IPC_UDP, AF_INET6, all);
	return all;
}

/* Every socket's type, for a scan of a target's descriptors. */
static void learn_all_types(void)
{
	GArray *inet = read_net_inet();
	char line[512];
	FILE *f;

	for (guint i = 0; i < inet->len; i++) {
		struct net_entry *e = &g_array_index(inet, struct net_entry, i);

		remember_type(e->ino, e->type);
	}
	g_array_free(inet, TRUE);
	f = fopen("/proc/net/unix", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct unix_entry u;

		if (sock_parse_unix_line(line, &u))
			remember_type(u.ino, IPC_UNIX);
	}
	fclose(f);
}

static bool sock_fd_object(const struct fd_ref *ref, GHashTable *named, struct ipc_obj_key *out)
{
	unsigned long long ino;
	gpointer type;
	__u64 key;

	if (sscanf(ref->link, "socket:[%llu]", &ino) != 1)
		return false;
	key = ino;
	if (!sock_types || !g_hash_table_lookup_extended(sock_types, &key, NULL, &type)) {
		/* A target's scan wants all of them; a system scan only those seen. */
		if (named)
			return false;
		learn_all_types();
		if (!g_hash_table_lookup_extended(sock_types, &key, NULL, &type))
			return false;
	}
	memset(out, 0, sizeof(*out));
	out->type = GPOINTER_TO_UINT(type);
	out->ino = ino;
	return true;
}

/*
 * Two unix names: a path is a C string (bind may count the bytes after its
 * NUL or not); an abstract name is all its bytes.
 */
static bool same_unix(const struct ipc_sock_addr *x, const struct ipc_sock_addr *y)
{
	if (!x->path_len || !y->path_len)
		return false;
	if (x->path[0] == '\0' || y->path[0] == '\0')
		return x->path_len == y->path_len && !memcmp(x->path, y->path, x->path_len);
	return strncmp(x->path, y->path, SOCK_PATH_LEN) == 0;
}

static bool is_mapped_v4(const struct ipc_sock_addr *a)
{
	static const __u8 prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return a->family == AF_INET6 && memcmp(a->addr, prefix, 12) == 0;
}

/* An IPv4-mapped IPv6 address is the IPv4 address: compare them as one. */
static void normalize(const struct ipc_sock_addr *in, struct ipc_sock_addr *out)
{
	*out = *in;
	if (is_mapped_v4(in)) {
		out->family = AF_INET;
		memset(out->addr, 0, sizeof(out->addr));
		memcpy(out->addr, in->addr + 12, 4);
	}
}

static bool addr_is_any(const struct ipc_sock_addr *a)
{
	static const __u8 zero[16];

	return memcmp(a->addr, zero, a->family == AF_INET ? 4 : 16) == 0;
}

static bool same_inet(const struct ipc_sock_addr *x, const struct ipc_sock_addr *y)
{
	struct ipc_sock_addr a, b;

	normalize(x, &a);
	normalize(y, &b);
	return a.family == b.family && a.port == b.port &&
	       memcmp(a.addr, b.addr, a.family == AF_INET ? 4 : 16) == 0;
}

/* Whether a bound address receives what is sent to dest (0.0.0.0, :: bind all). */
static bool receives(const struct ipc_sock_addr *bound, const struct ipc_sock_addr *dest)
{
	struct ipc_sock_addr b, d;

	normalize(bound, &b);
	normalize(dest, &d);
	if (b.port != d.port)
		return false;
	if (addr_is_any(&b))
		return b.family == d.family || bound->family == AF_INET6;
	return same_inet(&b, &d);
}

static void format_inet(const struct ipc_sock_addr *a, char *buf, size_t len)
{
	char text[INET6_ADDRSTRLEN];

	if (a->family == AF_INET) {
		inet_ntop(AF_INET, a->addr, text, sizeof(text));
		snprintf(buf, len, "%s:%u", text, a->port);
	} else {
		inet_ntop(AF_INET6, a->addr, text, sizeof(text));
		snprintf(buf, len, "[%s]:%u", text, a->port);
	}
}

/* "/run/x.sock", "@name" (abstract: the first byte is 0), "" unnamed. */
static void format_unix(const struct ipc_sock_addr *a, char *buf, size_t len)
{
	size_t n = a->path_len;

	buf[0] = '\0';
	if (!n)
		return;
	if (a->path[0] == '\0') {
		snprintf(buf, len, "@%.*s", (int)(n - 1), a->path + 1);
		return;
	}
	snprintf(buf, len, "%.*s", (int)strnlen(a->path, n), a->path);
}

static const char *type_name_of(const struct ipc_sock_info *info, unsigned int type)
{
	if (type == IPC_UNIX)
		return info->type == SOCK_DGRAM ? "unix-dgram" :
		       info->type == SOCK_SEQPACKET ? "unix-seqpacket" : "unix";
	return type == IPC_TCP ? "tcp" : "udp";
}

/*
 * unix:/run/x.sock (the bound end), unix:->/run/x.sock (a client connected to
 * it), unix:@name (abstract), unix:socketpair; tcp L->R; udp L, udp L->R.
 */
static void sock_name(const struct object *o, const struct ipc_sock_info *info, char *buf,
		      size_t len)
{
	char local[SOCK_PATH_LEN + 8], remote[SOCK_PATH_LEN + 8];

	if (o->key.type == IPC_UNIX) {
		format_unix(&info->local, local, sizeof(local));
		format_unix(&info->remote, remote, sizeof(remote));
		if (local[0])
			snprintf(buf, len, "unix:%s%s", local, info->listening ? " (listen)" : "");
		else if (remote[0])
			snprintf(buf, len, "unix:->%s", remote);
		else if (info->peer_ino)
			snprintf(buf, len, "unix:socketpair");
		else
			snprintf(buf, len, "unix:unnamed");
		return;
	}
	format_inet(&info->local, local, sizeof(local));
	if (info->remote.port) {
		format_inet(&info->remote, remote, sizeof(remote));
		snprintf(buf, len, "%s %s->%s", type_name_of(info, o->key.type), local, remote);
	} else {
		snprintf(buf, len, "%s %s%s", type_name_of(info, o->key.type), local,
			 info->listening ? " (listen)" : "");
	}
}

static void sock_describe(struct object *o, const struct ipc_obj_info *info)
{
	char name[IPC_NAME_LEN];

	if (!info->has_sock) {
		object_set_name(o, NULL);
		return;
	}
	g_free(o->priv);
	o->priv = g_memdup2(&info->sock, sizeof(info->sock));
	sock_name(o, &info->sock, name, sizeof(name));
	g_free(o->name);
	o->name = g_strdup(name);
	remember_type(o->key.ino, o->key.type);
}

static void sock_default_name(const struct ipc_obj_key *obj, char *buf, size_t len)
{
	snprintf(buf, len, "%s:[%llu]", obj->type == IPC_UNIX ? "unix" :
		 obj->type == IPC_TCP ? "tcp" : "udp", (unsigned long long)obj->ino);
}

static bool is_socket(const struct object *o)
{
	return o->key.type == IPC_UNIX || o->key.type == IPC_TCP || o->key.type == IPC_UDP;
}

/* Addresses of this host, to tell a local peer from a remote one. */
static bool is_local(const struct ipc_sock_addr *a)
{
	struct ipc_sock_addr n;
	struct ifaddrs *ifs, *i;
	bool local = false;

	normalize(a, &n);
	if ((n.family == AF_INET && n.addr[0] == 127) ||
	    (n.family == AF_INET6 && IN6_IS_ADDR_LOOPBACK((struct in6_addr *)n.addr)))
		return true;
	if (getifaddrs(&ifs) != 0)
		return false;
	for (i = ifs; i && !local; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET && n.family == AF_INET)
			local = !memcmp(&((struct sockaddr_in *)i->ifa_addr)->sin_addr, n.addr, 4);
		else if (i->ifa_addr->sa_family == AF_INET6 && n.family == AF_INET6)
			local = !memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, n.addr, 16);
	}
	freeifaddrs(ifs);
	return local;
}

struct linker {
	struct store *store;
	GPtrArray *socks;	/* socket objects with a description */
	GArray *net;		/* /proc/net, read when first needed */
};

static struct object *object_for(struct linker *l, unsigned int type, __u64 ino)
{
	struct ipc_obj_key key = { .ino = ino, .type = (__u8)type };
	struct object *o = g_hash_table_lookup(l->store->objects, &key);

	if (!o) {
		/* A peer with no traffic yet: its holders are still worth a scan. */
		o = store_object(l->store, &key);
		object_set_name(o, NULL);
	}
	remember_type(ino, type);
	return o;
}

/* A socket found in /proc/net, not seen itself: named from there, linked. */
static void link_net_entry(struct linker *l, struct object *o, const struct net_entry *e)
{
	struct object *p = object_for(l, e->type, e->ino);
	char name[160], a[64], b[64];

	if (!p->name || p->name[0] != o->name[0]) {
		format_inet(&e->local, a, sizeof(a));
		if (e->remote.port) {
			format_inet(&e->remote, b, sizeof(b));
			snprintf(name, sizeof(name), "%s %s->%s", e->type == IPC_TCP ? "tcp" : "udp",
				 a, b);
		} else {
			snprintf(name, sizeof(name), "udp %s", a);
		}
		g_free(p->name);
		p->name = g_strdup(name);
	}
	object_link(o, p);
}

/*
 * Whether a socket bound at local (connected to remote, or not) is the other
 * end of a connected one: the reversed tuple (pass 0) or, for UDP, the
 * unconnected socket that receives at its remote address (pass 1: a
 * server's, as logger and resolvers connect to syslog's or DNS's). Exact
 * first, as the kernel delivers to a connected socket first.
 */
static bool other_end(int pass, unsigned int type, const struct ipc_sock_addr *local,
		      const struct ipc_sock_addr *remote, const struct ipc_sock_info *info)
{
	if (pass == 0)
		return same_inet(local, &info->remote) && same_inet(remote, &info->local);
	return type == IPC_UDP && !remote->port && receives(local, &info->remote);
}

/* The socket at the other end of a connected TCP or UDP socket. */
static void link_inet(struct linker *l, struct object *o, const struct ipc_sock_info *info)
{
	char remote[64];

	for (int pass = 0; pass < 2; pass++) {
		for (guint i = 0; i < l->socks->len; i++) {
			struct object *p = g_ptr_array_index(l->socks, i);
			const struct ipc_sock_info *pi = p->priv;

			if (p != o && p->key.type == o->key.type &&
			    other_end(pass, o->key.type, &pi->local, &pi->remote, info)) {
				object_link(o, p);
				return;
			}
		}
		if (!is_local(&info->remote))
			continue;
		if (!l->net)
			l->net = read_net_inet();
		for (guint i = 0; i < l->net->len; i++) {
			struct net_entry *e = &g_array_index(l->net, struct net_entry, i);

			if (e->type == o->key.type && e->ino != o->key.ino &&
			    other_end(pass, e->type, &e->local, &e->remote, info)) {
				link_net_entry(l, o, e);
				return;
			}
		}
	}
	format_inet(&info->remote, remote, sizeof(remote));
	object_add_remote(o, remote);
}

static void sock_refresh(struct store *s)
{
	struct linker l = { .store = s, .socks = g_ptr_array_new() };
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (is_socket(v) && ((struct object *)v)->priv)
			g_ptr_array_add(l.socks, v);
	for (guint i = 0; i < l.socks->len; i++) {
		struct object *o = g_ptr_array_index(l.socks, i);
		const struct ipc_sock_info *info = o->priv;

		if (o->key.type == IPC_UNIX) {
			struct object *p;

			if (!info->peer_ino)
				continue;
			p = object_for(&l, IPC_UNIX, info->peer_ino);
			if (!p->priv) {
				/* Not seen itself: its name is the one we are connected to. */
				char name[SOCK_PATH_LEN + 8];

				format_unix(&info->remote, name, sizeof(name));
				g_free(p->name);
				p->name = g_strdup_printf("unix:%s", name[0] ? name : "socketpair");
			}
			object_link(o, p);
		} else if (info->remote.port && !o->peer_objs->len && !o->remotes->len) {
			link_inet(&l, o, info);
		}
	}
	g_ptr_array_free(l.socks, TRUE);
	if (l.net)
		g_array_free(l.net, TRUE);
}

/*
 * An unconnected datagram socket sent to dest: the socket bound there is its
 * peer, or dest is a remote endpoint. Many senders to one receiver each get
 * linked to it, so the receiver lists every one.
 */
static void sock_dest(struct store *s, const struct ipc_obj_key *sock,
		      const struct ipc_sock_addr *dest, __u64 count)
{
	struct object *from = g_hash_table_lookup(s->objects, sock);
	GHashTableIter it;
	gpointer v;
	char name[SOCK_PATH_LEN + 8];

	(void)count;
	if (!from)
		return;
	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct object *to = v;
		const struct ipc_sock_info *ti = to->priv;

		if (to == from || !ti || to->key.type != sock->type)
			continue;
		if (dest->family == AF_UNIX ? same_unix(&ti->local, dest) : receives(&ti->local, dest)) {
			object_link(from, to);
			return;
		}
	}
	/* A local receiver not seen yet is linked once it receives. */
	if (dest->family != AF_UNIX && !is_local(dest)) {
		format_inet(dest, name, sizeof(name));
		object_add_remote(from, name);
	}
}

/*
 * The inode of a unix socket's peer, from the kernel's sock_diag netlink
 * interface (what ss -x uses): /proc/net/unix does not say. 0 if none.
 */
static __u64 unix_peer_ino(__u64 ino)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} ask = {
		.nlh = { .nlmsg_len = sizeof(ask), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST },
		.req = { .sdiag_family = AF_UNIX, .udiag_states = ~0U, .udiag_ino = (__u32)ino,
			 .udiag_show = UDIAG_SHOW_PEER,
			 .udiag_cookie = { ~0U, ~0U } },	/* INET_DIAG_NOCOOKIE */
	};
	union { char bytes[4096]; struct nlmsghdr align; } reply;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	__u64 peer = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	if (send(fd, &ask, sizeof(ask), 0) == sizeof(ask) &&
	    (n = recv(fd, reply.bytes, sizeof(reply.bytes), 0)) > 0) {
		struct nlmsghdr *h = &reply.align;

		if (NLMSG_OK(h, (__u32)n) && h->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
			struct unix_diag_msg *m = NLMSG_DATA(h);
			struct rtattr *a = (struct rtattr *)(m + 1);
			int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));

			for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
				if (a->rta_type == UNIX_DIAG_PEER)
					peer = *(__u32 *)RTA_DATA(a);
		}
	}
	close(fd);
	return peer;
}

/*
 * -p, before any traffic: what the kernel side must watch for a target's
 * socket so that the other end counts from its first byte. A listening
 * socket's address (TCP_LISTEN is state 0x0A in /proc/net; a listening unix
 * socket has __SO_ACCEPTCON, 0x10000), and a bound datagram socket's, where
 * anyone may send (a UDP socket with no remote port, a named unix one); an
 * established TCP or UDP socket's reversed tuple; a connected unix socket's
 * peer, whose holders are then found in /proc.
 */
static void sock_watch_target(struct store *s, struct object *o, const struct kernel_ops *kops)
{
	struct ipc_sock_addr a;
	char line[512];
	__u64 peer;
	FILE *f;

	if (o->key.type == IPC_TCP || o->key.type == IPC_UDP) {
		GArray *net = read_net_inet();

		for (guint i = 0; i < net->len; i++) {
			struct net_entry *e = &g_array_index(net, struct net_entry, i);
			struct ipc_tuple tuple = { .family = e->local.family };

			if (e->ino != o->key.ino || e->type != o->key.type)
				continue;
			if ((e->type == IPC_TCP && e->state == 0x0A) ||
			    (e->type == IPC_UDP && e->local.port && !e->remote.port)) {
				a = e->local;
				a.path_len = 0;
				kops->watch_listener(kops->ctx, &a, o->key.ino);
			} else if (e->remote.port) {
				tuple.lport = e->remote.port;
				tuple.rport = e->local.port;
				memcpy(tuple.laddr, e->remote.addr, sizeof(tuple.laddr));
				memcpy(tuple.raddr, e->local.addr, sizeof(tuple.raddr));
				kops->watch_tuple(kops->ctx, &tuple, o->key.ino);
			}
		}
		g_array_free(net, TRUE);
		return;
	}
	if (o->key.type != IPC_UNIX)
		return;
	peer = unix_peer_ino(o->key.ino);
	if (peer) {
		struct ipc_obj_key pk = { .ino = peer, .type = IPC_UNIX };
		struct object *p = store_object(s, &pk);

		if (!p->name)
			object_set_name(p, NULL);
		remember_type(peer, IPC_UNIX);
		object_link(o, p);
	}
	if (o->key.type != IPC_UNIX || !(f = fopen("/proc/net/unix", "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		struct unix_entry u;

		/* __SO_ACCEPTCON: listening */
		if (!sock_parse_unix_line(line, &u) || u.ino != o->key.ino ||
		    !((u.flags & 0x10000) || u.type == SOCK_DGRAM) || !u.name.family)
			continue;
		a = u.name;
		kops->watch_listener(kops->ctx, &a, o->key.ino);
	}
	fclose(f);
}

const struct mechanism sock_mechanism = {
	.name = "socket",
	.types = IPC_SOCK_TYPES,
	.type_info = {
		{ IPC_UNIX, "unix", "#9467bd" },	/* purple */
		{ IPC_TCP, "tcp", "#393b79" },	/* navy */
		{ IPC_UDP, "udp", "#7f7f7f" },	/* grey */
	},
	.syscalls = sock_syscalls,
	.nsyscalls = G_N_ELEMENTS(sock_syscalls),
	.filter_syscalls = sock_filter_syscalls,
	.nfilter_syscalls = G_N_ELEMENTS(sock_filter_syscalls),
	.fallback_syscalls = sock_fallback_syscalls,
	.nfallback_syscalls = G_N_ELEMENTS(sock_fallback_syscalls),
	.fd_object = sock_fd_object,
	.held = true,
	.default_name = sock_default_name,
	.refresh = sock_refresh,
	.describe = sock_describe,
	.dest = sock_dest,
	.watch_target = sock_watch_target,
	.endpoints = true,
	.event_names = {
		[SOCK_EV_ACCEPT] = "accepts",
		[SOCK_EV_CONNECT] = "connects",
		[SOCK_EV_SCM_MSGS] = "scm_rights",
		[SOCK_EV_SCM_FDS] = "fds_passed",
	},
};
