// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets, user side: the socket module (bpf/sock.bpf.h, tools/demo/sock.c).
 *
 * Each socket is an endpoint object, named by its addresses. Its peer is
 * another socket: for unix sockets the kernel says which (unix_sock->peer);
 * for TCP and UDP on this host it is the socket holding the reversed address
 * tuple, found among the sockets seen or asked of the kernel; a datagram
 * socket's peers are also wherever it sent. A peer elsewhere is named
 * ip:port.
 *
 * An IP address or an abstract unix name means something in one network
 * namespace only (struct ipc_sock_addr): addresses match within one. The
 * kernel's socket tables of ipctrace's own namespace are asked through
 * sock_diag (sockdiag.h: one socket by its addresses or inode, where a
 * whole /proc/net file would be read and searched); another namespace's
 * are read as a process in it sees them (/proc/PID/net), since a netlink
 * socket answers for its own namespace only and ipctrace, its privileges
 * given up, cannot enter another. The text serves too when sock_diag
 * cannot answer. A socket in another namespace than ipctrace's says which
 * in its name.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include "model/mechanism.h"
#include "mechanisms/sock.h"
#include "mechanisms/sockdiag.h"
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

/*
 * Which end of a TCP or UDP connection a socket is: the client connected to a
 * service, the server accepted on it. Decided once (sock_decide_role).
 */
enum sock_role { ROLE_UNKNOWN, ROLE_CLIENT, ROLE_SERVER, ROLE_NONE };

/* A socket object's own data (object->priv). */
struct sock_priv {
	struct ipc_sock_info info;
	enum sock_role role;
};

static const struct ipc_sock_info *sock_info(const struct object *o)
{
	return o->priv ? &((const struct sock_priv *)o->priv)->info : NULL;
}

/* Socket inode -> type, for descriptors found in /proc ("socket:[ino]"). */
static GHashTable *sock_types;

static void remember_type(__u64 ino, unsigned int type)
{
	if (!sock_types)
		sock_types = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	g_hash_table_replace(sock_types, g_memdup2(&ino, sizeof(ino)), GUINT_TO_POINTER(type));
}

/*
 * A socket the kernel side could not describe (its object map was full)
 * still has a row, and a type from it: the system scan must find its
 * holders by that, or the row would be taken for closed and leave the
 * live intervals.
 */
static void know_type(const struct object *o)
{
	__u64 key = o->key.ino;

	if (!sock_types || !g_hash_table_contains(sock_types, &key))
		remember_type(o->key.ino, o->key.type);
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
	unsigned int flags;
	unsigned long long ino;
	const char *path;
	int at = 0;
	size_t len;

	memset(u, 0, sizeof(*u));
	/* Num RefCount Protocol Flags Type St Inode Path: the path is the rest
	 * of the line, spaces and all. */
	if (sscanf(line, "%*s %*s %*s %X %X %*s %llu %n", &flags, &u->type, &ino, &at) < 3)
		return false;
	u->ino = ino;
	u->listening = flags & 0x10000;	/* __SO_ACCEPTCON */
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

/* ipctrace's own network namespace: a socket in another one says which. */
static __u32 own_netns(void)
{
	static __u32 netns;
	struct stat st;

	if (!netns && stat("/proc/self/ns/net", &st) == 0)
		netns = (__u32)st.st_ino;
	return netns;
}

/* The network namespace of a process, 0 if it cannot be told (it exited). */
static __u32 netns_of(int pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	return stat(path, &st) == 0 ? (__u32)st.st_ino : 0;
}

/* Where /proc lists the sockets of a process's network namespace, and which
 * namespace that is. */
struct net_dir {
	char path[48];		/* "/proc/PID/net" */
	__u32 netns;
};

static bool net_dir_of(int pid, struct net_dir *d)
{
	d->netns = netns_of(pid);
	snprintf(d->path, sizeof(d->path), "/proc/%d/net", pid);
	return d->netns != 0;
}

static void read_net(const struct net_dir *d, const char *file, unsigned int type, int family,
		     GArray *out)
{
	char line[512], path[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", d->path, file);
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		struct net_entry e = { .type = type };

		if (sock_parse_net_line(line, family, &e)) {
			e.local.netns = e.remote.netns = d->netns;
			g_array_append_val(out, e);
		}
	}
	fclose(f);
}

static GArray *read_net_inet(const struct net_dir *d, GArray *all)
{
	read_net(d, "tcp", IPC_TCP, AF_INET, all);
	read_net(d, "tcp6", IPC_TCP, AF_INET6, all);
	read_net(d, "udp", IPC_UDP, AF_INET, all);
	read_net(d, "udp6", IPC_UDP, AF_INET6, all);
	read_net(d, "udplite", IPC_UDP, AF_INET, all);
	read_net(d, "udplite6", IPC_UDP, AF_INET6, all);
	return all;
}

/* An abstract name is its namespace's. */
static void name_in(struct unix_entry *u, __u32 netns)
{
	if (u->name.path_len && !u->name.path[0])
		u->name.netns = netns;
}

static void read_net_unix(const struct net_dir *d, GArray *all)
{
	char line[512], path[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/unix", d->path);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct unix_entry u;

		if (!sock_parse_unix_line(line, &u))
			continue;
		name_in(&u, d->netns);
		g_array_append_val(all, u);
	}
	fclose(f);
}

/*
 * The TCP and UDP sockets (of type, or both: 0) of d's namespace that a
 * process may hold (an inode, not 0), e.g. to find one by its inode: one
 * dump per protocol and family through sock_diag in ipctrace's namespace
 * (TIME_WAIT and request sockets left out by state), else /proc/PID/net.
 */
static GArray *net_table(const struct net_dir *d, unsigned int type)
{
	GArray *all = g_array_new(FALSE, TRUE, sizeof(struct net_entry));

	if (d->netns == own_netns() &&
	    (type == IPC_UDP || sockdiag_inet_table(IPC_TCP, all) == SOCKDIAG_FOUND) &&
	    (type == IPC_TCP || sockdiag_inet_table(IPC_UDP, all) == SOCKDIAG_FOUND)) {
		for (guint i = 0; i < all->len; i++) {
			struct net_entry *e = &g_array_index(all, struct net_entry, i);

			e->local.netns = e->remote.netns = d->netns;
		}
		return all;
	}
	g_array_set_size(all, 0);
	return read_net_inet(d, all);
}

/* The unix sockets of d's namespace (sock_diag's without their names). */
static GArray *unix_table(const struct net_dir *d)
{
	GArray *all = g_array_new(FALSE, TRUE, sizeof(struct unix_entry));

	if (d->netns == own_netns() && sockdiag_unix_table(all) == SOCKDIAG_FOUND)
		return all;
	g_array_set_size(all, 0);
	read_net_unix(d, all);
	return all;
}

/* Every socket's type in a process's namespace, for a scan of a target's
 * descriptors (socket inode numbers are unique across namespaces). */
static void learn_all_types(int pid)
{
	struct net_dir d;
	GArray *inet, *unx;

	if (!net_dir_of(pid, &d))
		return;
	inet = net_table(&d, 0);
	for (guint i = 0; i < inet->len; i++) {
		struct net_entry *e = &g_array_index(inet, struct net_entry, i);

		remember_type(e->ino, e->type);
	}
	g_array_free(inet, TRUE);
	unx = unix_table(&d);
	for (guint i = 0; i < unx->len; i++)
		remember_type(g_array_index(unx, struct unix_entry, i).ino, IPC_UNIX);
	g_array_free(unx, TRUE);
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
		learn_all_types(ref->pid);
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
 * NUL or not); an abstract name is all its bytes, in one namespace.
 */
static bool same_unix(const struct ipc_sock_addr *x, const struct ipc_sock_addr *y)
{
	if (!x->path_len || !y->path_len)
		return false;
	if (x->path[0] == '\0' || y->path[0] == '\0')
		return x->path_len == y->path_len && x->netns == y->netns &&
		       !memcmp(x->path, y->path, x->path_len);
	return strncmp(x->path, y->path, SOCK_PATH_LEN) == 0;
}

static bool is_mapped_v4(const struct ipc_sock_addr *a)
{
	static const __u8 prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return a->family == AF_INET6 && memcmp(a->addr, prefix, 12) == 0;
}

/*
 * An IP endpoint as it is compared: an IPv4-mapped IPv6 address is the IPv4
 * address, and the bytes an address does not use are zero, so that two
 * endpoints are the same exactly when their bytes are (a hash key too).
 */
struct endpoint {
	__u32 netns;
	__u16 family, port;
	__u8 addr[16];
};

static void endpoint_of(const struct ipc_sock_addr *a, struct endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->netns = a->netns;
	e->port = a->port;
	if (is_mapped_v4(a)) {
		e->family = AF_INET;
		memcpy(e->addr, a->addr + 12, 4);
	} else {
		e->family = a->family;
		memcpy(e->addr, a->addr, a->family == AF_INET ? 4 : 16);
	}
}

static bool endpoint_is_any(const struct endpoint *e)
{
	static const __u8 zero[16];

	return memcmp(e->addr, zero, sizeof(zero)) == 0;
}

static bool same_inet(const struct ipc_sock_addr *x, const struct ipc_sock_addr *y)
{
	struct endpoint a, b;

	endpoint_of(x, &a);
	endpoint_of(y, &b);
	return memcmp(&a, &b, sizeof(a)) == 0;
}

/* Whether a bound address receives what is sent to dest (0.0.0.0, :: bind all). */
static bool receives(const struct ipc_sock_addr *bound, const struct ipc_sock_addr *dest)
{
	struct endpoint b, d;

	endpoint_of(bound, &b);
	endpoint_of(dest, &d);
	if (b.port != d.port || b.netns != d.netns)
		return false;
	if (endpoint_is_any(&b))
		return b.family == d.family || bound->family == AF_INET6;
	return memcmp(&b, &d, sizeof(b)) == 0;
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
	if (type == IPC_TCP)
		return "tcp";
	if (type == IPC_NETLINK)
		return "netlink";
	return info->protocol == IPPROTO_UDPLITE ? "udplite" : "udp";
}

/* A netlink socket's port id, or the one it connected to (0: none), as the
 * kernel side puts it in an address (bpf/filetype/sock.bpf.h). */
static __u32 netlink_port(const struct ipc_sock_addr *a)
{
	__u32 port;

	memcpy(&port, a->addr, sizeof(port));
	return port;
}

/*
 * unix:/run/x.sock (the bound end), unix:->/run/x.sock (a client connected to
 * it), unix:@name (abstract), unix:socketpair; tcp L->R; udp L, udp L->R;
 * netlink:PORT, netlink:PORT->PORT.
 */
static void sock_base_name(const struct object *o, const struct ipc_sock_info *info, char *buf,
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
	if (o->key.type == IPC_NETLINK) {
		snprintf(buf, len, "netlink:%u", netlink_port(&info->local));
		if (netlink_port(&info->remote))
			snprintf(buf + strlen(buf), len - strlen(buf), "->%u",
				 netlink_port(&info->remote));
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

/* A name, and " [net:INODE]" after it for a socket in another network
 * namespace than ipctrace's: its addresses are that namespace's. */
static void add_netns(char *buf, size_t len, __u32 netns)
{
	size_t n = strlen(buf);

	if (netns && netns != own_netns() && n < len)
		snprintf(buf + n, len - n, " [net:%u]", netns);
}

static void sock_name(const struct object *o, const struct ipc_sock_info *info, char *buf,
		      size_t len)
{
	sock_base_name(o, info, buf, len);
	add_netns(buf, len, info->netns);
}

static void sock_describe(struct object *o, const struct ipc_obj_info *info)
{
	char name[IPC_NAME_LEN];
	struct sock_priv *priv;

	if (!info->has_sock) {
		object_set_name(o, NULL);
		return;
	}
	priv = g_new0(struct sock_priv, 1);
	priv->info = info->sock;
	g_free(o->priv);
	o->priv = priv;
	sock_name(o, &info->sock, name, sizeof(name));
	object_name_replace(o, name);
	remember_type(o->key.ino, o->key.type);
}

static void sock_default_name(const struct ipc_obj_key *obj, char *buf, size_t len)
{
	static const struct ipc_sock_info none;

	snprintf(buf, len, "%s:[%llu]", type_name_of(&none, obj->type), (unsigned long long)obj->ino);
}

static bool is_socket(const struct object *o)
{
	return IPC_SOCK_TYPES & (1U << o->key.type);
}

/* Addresses of this host, to tell a local peer from a remote one. */
static bool is_local(const struct ipc_sock_addr *a)
{
	struct endpoint n;
	struct ifaddrs *ifs, *i;
	bool local = false;

	endpoint_of(a, &n);
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
	GHashTable *nets;	/* netns -> GArray of its /proc/net sockets, read when
				 * first needed */
	GHashTable *conns;	/* conn_key -> the first of socks bound and connected
				 * so, made when first needed */
	GHashTable *unbound;	/* an unconnected UDP socket's (netns, port) ->
				 * GPtrArray of those of socks */
};

/* A socket of socks by its type and address pair: one lookup finds a
 * connection's other end however many sockets there are. */
struct conn_key {
	__u32 type;
	struct endpoint local, remote;
};

static guint conn_key_hash(gconstpointer p)
{
	const struct conn_key *k = p;
	guint64 h = k->type;

	for (int i = 0; i < 2; i++) {
		const struct endpoint *e = i ? &k->remote : &k->local;
		guint64 a, b;

		memcpy(&a, e->addr, 8);
		memcpy(&b, e->addr + 8, 8);
		h = (h ^ ((guint64)e->port << 32 | e->netns) ^ a ^ b * 0xC2B2AE3D27D4EB4FULL) *
		    0x9E3779B97F4A7C15ULL;
	}
	return (guint)(h ^ h >> 32);
}

static gboolean conn_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct conn_key)) == 0;
}

static void conn_key_of(unsigned int type, const struct ipc_sock_addr *local,
			const struct ipc_sock_addr *remote, struct conn_key *k)
{
	k->type = type;
	endpoint_of(local, &k->local);
	endpoint_of(remote, &k->remote);
}

static gpointer unbound_key(__u32 netns, __u16 port)
{
	return GSIZE_TO_POINTER((gsize)netns << 16 | port);
}

static void linker_index(struct linker *l)
{
	if (l->conns)
		return;
	l->conns = g_hash_table_new_full(conn_key_hash, conn_key_equal, g_free, NULL);
	l->unbound = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)g_ptr_array_unref);
	for (guint i = 0; i < l->socks->len; i++) {
		struct object *p = g_ptr_array_index(l->socks, i);
		const struct ipc_sock_info *pi = sock_info(p);
		struct conn_key *k = g_new(struct conn_key, 1);
		GPtrArray *at;

		conn_key_of(p->key.type, &pi->local, &pi->remote, k);
		if (g_hash_table_contains(l->conns, k))
			g_free(k);	/* the first one stands, as a scan would find it */
		else
			g_hash_table_insert(l->conns, k, p);
		if (p->key.type != IPC_UDP || pi->remote.port)
			continue;
		at = g_hash_table_lookup(l->unbound, unbound_key(k->local.netns, k->local.port));
		if (!at) {
			at = g_ptr_array_new();
			g_hash_table_insert(l->unbound, unbound_key(k->local.netns, k->local.port), at);
		}
		g_ptr_array_add(at, p);
	}
}

/*
 * Where /proc lists the sockets of o's network namespace: /proc/self/net for
 * ipctrace's own, else /proc/PID/net of a process holding or using o that
 * is in netns (whichever, if netns is 0: o's own namespace is not known;
 * then ipctrace's own if none is left).
 */
static bool object_net_dir(const struct object *o, __u32 netns, struct net_dir *d)
{
	if (netns && netns == own_netns()) {
		snprintf(d->path, sizeof(d->path), "/proc/self/net");
		d->netns = netns;
		return true;
	}
	for (guint i = 0; i < o->holders->len; i++)
		if (net_dir_of(g_array_index(o->holders, struct holder, i).pid, d) &&
		    (!netns || d->netns == netns))
			return true;
	for (guint i = 0; i < o->rows->len; i++)
		if (net_dir_of(((const struct row *)g_ptr_array_index(o->rows, i))->key.tgid, d) &&
		    (!netns || d->netns == netns))
			return true;
	if (netns)
		return false;
	snprintf(d->path, sizeof(d->path), "/proc/self/net");
	d->netns = own_netns();
	return true;
}

/* The TCP and UDP sockets of o's network namespace; NULL if no process in
 * it is left to read them through. */
static GArray *linker_net(struct linker *l, const struct object *o, __u32 netns)
{
	GArray *net = g_hash_table_lookup(l->nets, GUINT_TO_POINTER(netns));
	struct net_dir d;

	if (net || !object_net_dir(o, netns, &d))
		return net;
	net = read_net_inet(&d, g_array_new(FALSE, TRUE, sizeof(struct net_entry)));
	/* Kept by the namespace it is: one read serves its every socket. */
	g_hash_table_replace(l->nets, GUINT_TO_POINTER(d.netns), net);
	return net;
}

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
		add_netns(name, sizeof(name), e->local.netns);
		object_name_replace(p, name);
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

/*
 * o's other end p, seen: linked. If p was linked first, unseen, to o's
 * address (o had no description yet), the address stood for o: p's peer is
 * now o itself, not both.
 */
static void link_found(struct object *o, struct object *p, const struct ipc_sock_info *info)
{
	char local[64];

	format_inet(&info->local, local, sizeof(local));
	object_drop_remote(p, local);
	object_link(o, p);
}

/* The first socket seen (not o) that is o's other end by other_end()'s pass. */
static struct object *seen_other_end(struct linker *l, const struct object *o, int pass,
				     const struct ipc_sock_info *info)
{
	GPtrArray *cand = l->socks;
	struct conn_key k;
	struct object *p;

	linker_index(l);
	if (pass == 0) {
		conn_key_of(o->key.type, &info->remote, &info->local, &k);
		p = g_hash_table_lookup(l->conns, &k);
		if (p != o)
			return p;
		/* Connected to itself: another socket of that pair, if any. */
	} else {
		if (o->key.type != IPC_UDP)
			return NULL;
		endpoint_of(&info->remote, &k.remote);
		cand = g_hash_table_lookup(l->unbound, unbound_key(k.remote.netns, k.remote.port));
	}
	for (guint i = 0; cand && i < cand->len; i++) {
		const struct ipc_sock_info *pi;

		p = g_ptr_array_index(cand, i);
		pi = sock_info(p);
		if (p != o && p->key.type == o->key.type &&
		    other_end(pass, o->key.type, &pi->local, &pi->remote, info))
			return p;
	}
	return NULL;
}

/* Whether o's namespace is ipctrace's own, where sock_diag answers. */
static bool in_own_net(const struct object *o, __u32 netns)
{
	struct net_dir d;

	return netns == own_netns() ||
	       (!netns && object_net_dir(o, 0, &d) && d.netns == own_netns());
}

static int protocol_of(unsigned int type, const struct ipc_sock_info *info)
{
	if (type == IPC_TCP)
		return IPPROTO_TCP;
	return info && info->protocol == IPPROTO_UDPLITE ? IPPROTO_UDPLITE : IPPROTO_UDP;
}

/* An address as sock_diag is asked it: an IPv4-mapped one as IPv4. */
static void as_asked(const struct ipc_sock_addr *in, struct ipc_sock_addr *out)
{
	struct endpoint e;

	endpoint_of(in, &e);
	memset(out, 0, sizeof(*out));
	out->family = e.family;
	out->port = e.port;
	memcpy(out->addr, e.addr, sizeof(e.addr));
}

/* The socket in ipctrace's namespace that a packet from `from` (NULL: from
 * no connected socket) to `to` reaches, asked of sock_diag. */
static int diag_receiver(unsigned int type, int protocol, const struct ipc_sock_addr *from,
			 const struct ipc_sock_addr *to, struct net_entry *e)
{
	struct ipc_sock_addr f, t;
	int r;

	as_asked(to, &t);
	if (from)
		as_asked(from, &f);
	r = sockdiag_inet_receiver(type, protocol, from ? &f : NULL, &t, e);
	if (r == SOCKDIAG_FOUND)
		e->local.netns = e->remote.netns = own_netns();
	return r;
}

/*
 * o's other end (see other_end()) in its namespace's tables: the one socket
 * sock_diag finds for o's tuple in ipctrace's namespace, else (another
 * namespace, or no answer) the socket of /proc/PID/net's text.
 */
static bool net_other_end(struct linker *l, struct object *o, const struct ipc_sock_info *info,
			  int pass, struct net_entry *out)
{
	unsigned int type = o->key.type;
	GArray *net;

	if (pass == 1 && type != IPC_UDP)
		return false;
	if (in_own_net(o, info->netns)) {
		int r = diag_receiver(type, protocol_of(type, info), &info->local, &info->remote,
				      out);

		if (r != SOCKDIAG_FAILED)
			return r == SOCKDIAG_FOUND && out->ino != o->key.ino &&
			       other_end(pass, type, &out->local, &out->remote, info);
	}
	net = linker_net(l, o, info->netns);
	for (guint i = 0; net && i < net->len; i++) {
		const struct net_entry *e = &g_array_index(net, struct net_entry, i);

		if (e->type == type && e->ino != o->key.ino &&
		    other_end(pass, type, &e->local, &e->remote, info)) {
			*out = *e;
			return true;
		}
	}
	return false;
}

/* The socket at the other end of a connected TCP or UDP socket. */
static void link_inet(struct linker *l, struct object *o, const struct ipc_sock_info *info)
{
	struct net_entry e;
	struct object *p;
	char remote[64];

	for (int pass = 0; pass < 2; pass++) {
		p = seen_other_end(l, o, pass, info);
		if (p) {
			link_found(o, p, info);
			return;
		}
		if (is_local(&info->remote) && net_other_end(l, o, info, pass, &e)) {
			/* Inode 0: no process holds the other end yet (not
			 * accepted) or any more (TIME_WAIT). The one that
			 * accepts it links itself; until then no peer, rather
			 * than a "[0]" or a remote. */
			if (e.ino)
				link_net_entry(l, o, &e);
			return;
		}
	}
	format_inet(&info->remote, remote, sizeof(remote));
	object_add_remote(o, remote);
}

/* A unix peer not seen itself: its name is the one we are connected to, in
 * our namespace if unnamed (a socketpair), in none if a path. */
static void name_unix_peer(struct object *p, const struct ipc_sock_info *info)
{
	char remote[SOCK_PATH_LEN + 8], name[SOCK_PATH_LEN + 40];

	format_unix(&info->remote, remote, sizeof(remote));
	snprintf(name, sizeof(name), "unix:%s", remote[0] ? remote : "socketpair");
	add_netns(name, sizeof(name), remote[0] ? info->remote.netns : info->netns);
	object_name_replace(p, name);
}

/* Whether one of o's rows connected it (while traced). */
static bool connected_out(const struct object *o)
{
	for (guint i = 0; i < o->rows->len; i++) {
		const struct row *r = g_ptr_array_index(o->rows, i);
		const struct attr *a = store_attr_find(r->attrs, r->nattrs, "connects");

		if (a && a->value > 0)
			return true;
	}
	return false;
}

/* A TCP listener, or an unconnected UDP socket. */
static bool is_server(unsigned int type, const struct net_entry *e)
{
	return type == IPC_TCP ? e->state == TCP_LISTEN : !e->remote.port;
}

/* Whether something on this host listens where addr is: a TCP listener, or
 * an unconnected UDP socket bound there (a wildcard address included). */
static bool serves_here(struct linker *l, const struct object *o, unsigned int type,
			const struct ipc_sock_addr *addr)
{
	struct net_entry found;
	GArray *net;

	if (in_own_net(o, addr->netns)) {
		int r = diag_receiver(type, protocol_of(type, sock_info(o)), NULL, addr, &found);

		if (r != SOCKDIAG_FAILED)
			return r == SOCKDIAG_FOUND && is_server(type, &found) &&
			       receives(&found.local, addr);
	}
	net = linker_net(l, o, addr->netns);
	for (guint i = 0; net && i < net->len; i++) {
		const struct net_entry *e = &g_array_index(net, struct net_entry, i);

		if (e->type == type && is_server(type, e) && receives(&e->local, addr))
			return true;
	}
	return false;
}

/* Ports the kernel hands out to sockets that bind none: a client's. */
static bool port_is_ephemeral(unsigned int port)
{
	static unsigned int low, high;
	FILE *f;

	if (!low && (f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re"))) {
		if (fscanf(f, "%u %u", &low, &high) != 2)
			low = high = 0;
		fclose(f);
	}
	if (!low) {
		low = 32768;	/* the kernel's default range */
		high = 60999;
	}
	return port >= low && port <= high;
}

/*
 * Client or server, once: a socket that connected is a client, the other end
 * of one a server; a connection made before ipctrace started is a server's
 * if its local address is one this host listens on. An unconnected UDP
 * socket serves its address unless the kernel chose its port.
 */
static void sock_decide_role(struct linker *l, struct object *o)
{
	struct sock_priv *priv = o->priv;
	const struct ipc_sock_info *info = &priv->info;
	bool server;

	if (priv->role != ROLE_UNKNOWN || o->key.type == IPC_UNIX)
		return;
	if (!info->remote.port) {
		server = info->listening || (o->key.type == IPC_UDP &&
					     !port_is_ephemeral(info->local.port));
		priv->role = server ? ROLE_SERVER : ROLE_NONE;
		return;
	}
	if (connected_out(o)) {
		priv->role = ROLE_CLIENT;
		return;
	}
	for (guint i = 0; i < o->peer_objs->len; i++)
		if (connected_out(g_ptr_array_index(o->peer_objs, i))) {
			priv->role = ROLE_SERVER;
			return;
		}
	priv->role = serves_here(l, o, o->key.type, &info->local) ? ROLE_SERVER : ROLE_CLIENT;
}

/*
 * A service as a metric label: its address and port, but a port the kernel
 * hands out (a server that bound port 0, as test servers and some RPC
 * daemons do) is "ephemeral", or every such server would be a series of
 * its own. Both ends fold alike, so a join across hosts still matches.
 */
static void format_service(const struct ipc_sock_addr *a, char *buf, size_t len)
{
	char *colon;

	format_inet(a, buf, len);
	colon = strrchr(buf, ':');
	if (colon && port_is_ephemeral(a->port))
		snprintf(colon + 1, len - (size_t)(colon + 1 - buf), "ephemeral");
}

static bool sock_service(const struct object *o, char *buf, size_t len, bool *server)
{
	const struct sock_priv *priv = o->priv;

	if (!is_socket(o) || o->key.type == IPC_UNIX || !priv ||
	    (priv->role != ROLE_CLIENT && priv->role != ROLE_SERVER))
		return false;
	*server = priv->role == ROLE_SERVER;
	format_service(*server ? &priv->info.local : &priv->info.remote, buf, len);
	return true;
}

/* A connected netlink socket's other end: the socket seen with that port
 * id in its namespace (a receiver whose sender connected to it is linked
 * from the sender). */
static void link_netlink(struct linker *l, struct object *o, const struct ipc_sock_info *info)
{
	__u32 dst = netlink_port(&info->remote);

	for (guint i = 0; dst && i < l->socks->len; i++) {
		struct object *p = g_ptr_array_index(l->socks, i);
		const struct ipc_sock_info *pi = sock_info(p);

		if (p != o && p->key.type == IPC_NETLINK && pi->netns == info->netns &&
		    netlink_port(&pi->local) == dst) {
			object_link(o, p);
			return;
		}
	}
}

static void sock_refresh(struct store *s)
{
	struct linker l = { .store = s, .socks = g_ptr_array_new(),
			    .nets = g_hash_table_new_full(NULL, NULL, NULL,
							  (GDestroyNotify)g_array_unref) };
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct object *o = v;

		if (!is_socket(o))
			continue;
		if (o->priv)
			g_ptr_array_add(l.socks, o);
		else
			know_type(o);
	}
	for (guint i = 0; i < l.socks->len; i++) {
		struct object *o = g_ptr_array_index(l.socks, i);
		const struct ipc_sock_info *info = sock_info(o);

		if (o->key.type == IPC_UNIX) {
			struct object *p;

			if (!info->peer_ino)
				continue;
			p = object_for(&l, IPC_UNIX, info->peer_ino);
			if (!p->priv)
				name_unix_peer(p, info);
			object_link(o, p);
		} else if (o->key.type == IPC_NETLINK) {
			link_netlink(&l, o, info);
		} else if (info->remote.port && !o->peer_objs->len && !o->remotes->len) {
			link_inet(&l, o, info);
		}
	}
	/* After linking: a socket's role may be told by its other end's. */
	for (guint i = 0; i < l.socks->len; i++)
		sock_decide_role(&l, g_ptr_array_index(l.socks, i));
	g_ptr_array_free(l.socks, TRUE);
	g_hash_table_destroy(l.nets);
	if (l.conns) {
		g_hash_table_destroy(l.conns);
		g_hash_table_destroy(l.unbound);
	}
}

/* Whether the socket of ti is the one bound at dest (in dest's namespace). */
static bool dest_is(const struct ipc_sock_info *ti, const struct ipc_sock_addr *dest)
{
	if (dest->family == AF_UNIX)
		return same_unix(&ti->local, dest);
	if (dest->family == AF_NETLINK)
		return ti->netns == dest->netns && netlink_port(&ti->local) == netlink_port(dest);
	return receives(&ti->local, dest);
}

/*
 * An unconnected datagram socket sent to dest: the socket bound there is its
 * peer, or dest is a remote endpoint. Many senders to one receiver each get
 * linked to it, so the receiver lists every one. An address or an abstract
 * name is looked up in the sender's namespace (the kernel side leaves it to
 * its description); a sender not described matches nothing of those.
 */
static void sock_dest(struct store *s, const struct ipc_obj_key *sock,
		      const struct ipc_sock_addr *raw, __u64 count)
{
	struct object *from = g_hash_table_lookup(s->objects, sock);
	const struct ipc_sock_info *fi;
	struct ipc_sock_addr d = *raw, *dest = &d;
	GHashTableIter it;
	gpointer v;
	char name[SOCK_PATH_LEN + 8];

	(void)count;
	if (!from)
		return;
	fi = sock_info(from);
	if (fi && (raw->family != AF_UNIX || (raw->path_len && !raw->path[0])))
		d.netns = fi->netns;
	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct object *to = v;
		const struct ipc_sock_info *ti = sock_info(to);

		if (to == from || !ti || to->key.type != sock->type)
			continue;
		if (dest_is(ti, dest)) {
			/* A connected receiver that named this socket's address a
			 * remote before this socket was seen has it as its peer now
			 * (link_found() does the same the other way). */
			if (fi && dest->family != AF_UNIX && dest->family != AF_NETLINK)
				link_found(from, to, fi);
			else
				object_link(from, to);
			return;
		}
	}
	/* A local receiver not seen yet is linked once it receives. */
	if (dest->family != AF_UNIX && dest->family != AF_NETLINK && !is_local(dest)) {
		format_inet(dest, name, sizeof(name));
		object_add_remote(from, name);
	}
}

/* -p: a target's TCP or UDP socket, as its namespace's table lists it. */
static void watch_inet_target(const struct object *o, const struct net_dir *d,
			      const struct kernel_ops *kops)
{
	GArray *net = net_table(d, o->key.type);

	for (guint i = 0; i < net->len; i++) {
		struct net_entry *e = &g_array_index(net, struct net_entry, i);
		struct ipc_tuple tuple = { .family = e->local.family, .netns = d->netns };

		if (e->ino != o->key.ino || e->type != o->key.type)
			continue;
		if ((e->type == IPC_TCP && e->state == TCP_LISTEN) ||
		    (e->type == IPC_UDP && e->local.port && !e->remote.port)) {
			struct ipc_sock_addr a = e->local;

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
}

/* -p: a target's listening or bound datagram unix socket, by its name. */
static void watch_unix_entry(const struct object *o, const struct unix_entry *u,
			     const struct kernel_ops *kops)
{
	if (u->ino == o->key.ino && (u->listening || u->type == SOCK_DGRAM) && u->name.family)
		kops->watch_listener(kops->ctx, &u->name, o->key.ino);
}

/* The same, found in the text of /proc/PID/net/unix. */
static void watch_unix_listener(const struct object *o, const struct net_dir *d,
				const struct kernel_ops *kops)
{
	GArray *unx = g_array_new(FALSE, TRUE, sizeof(struct unix_entry));

	read_net_unix(d, unx);
	for (guint i = 0; i < unx->len; i++)
		watch_unix_entry(o, &g_array_index(unx, struct unix_entry, i), kops);
	g_array_free(unx, TRUE);
}

/* A target's connected unix socket's peer (its inode, from sock_diag:
 * /proc/net/unix does not say), whose holders are then found in /proc. */
static void link_unix_peer(struct store *s, struct object *o, __u64 peer)
{
	struct ipc_obj_key pk = { .ino = peer, .type = IPC_UNIX };
	struct object *p = store_object(s, &pk);

	if (!p->name)
		object_set_name(p, NULL);
	remember_type(peer, IPC_UNIX);
	object_link(o, p);
}

/*
 * -p, before any traffic: what the kernel side must watch for a target's
 * socket so that the other end counts from its first byte. A listening
 * socket's address, and a bound datagram socket's, where anyone may send (a
 * UDP socket with no remote port, a named unix one); an established TCP or
 * UDP socket's reversed tuple; a connected unix socket's peer. Each in the
 * target's network namespace: a unix socket of ipctrace's is one sock_diag
 * request (name, state and peer); another namespace's tables are read
 * through a process in it, and there a unix peer is found at the target's
 * first byte instead.
 */
static void sock_watch_target(struct store *s, struct object *o, const struct kernel_ops *kops)
{
	const struct ipc_sock_info *info = sock_info(o);
	struct unix_entry u;
	struct net_dir d;
	__u64 peer;
	int r;

	if (!is_socket(o) || o->key.type == IPC_NETLINK ||
	    !object_net_dir(o, info ? info->netns : 0, &d))
		return;
	if (o->key.type != IPC_UNIX) {
		watch_inet_target(o, &d, kops);
		return;
	}
	r = d.netns == own_netns() ? sockdiag_unix_find(o->key.ino, &u, &peer) : SOCKDIAG_FAILED;
	if (r == SOCKDIAG_FAILED) {
		watch_unix_listener(o, &d, kops);
		return;
	}
	if (r == SOCKDIAG_FOUND) {
		if (peer)
			link_unix_peer(s, o, peer);
		name_in(&u, d.netns);
		watch_unix_entry(o, &u, kops);
	}
}

const struct mechanism sock_mechanism = {
	.name = "socket",
	.types = IPC_SOCK_TYPES,
	.type_info = {
		{ IPC_UNIX, "unix", "#9467bd" },	/* purple */
		{ IPC_TCP, "tcp", "#393b79" },	/* navy */
		{ IPC_UDP, "udp", "#7f7f7f" },	/* grey */
		{ IPC_NETLINK, "netlink", "#e7ba52" },	/* mustard */
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
	.service = sock_service,
	.event_names = {
		[SOCK_EV_ACCEPT] = "accepts",
		[SOCK_EV_CONNECT] = "connects",
		[SOCK_EV_SCM_MSGS] = "scm_rights",
		[SOCK_EV_SCM_FDS] = "fds_passed",
	},
};
