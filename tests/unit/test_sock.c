// SPDX-License-Identifier: GPL-2.0
/* The socket module's decoding: names, and peers as endpoints. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "unit.h"
#include "model/mechanism.h"
#include "model/rows.h"
#include "mechanisms/sock.h"

static struct ipc_obj_info unix_info(const char *local, const char *remote, __u64 peer)
{
	struct ipc_obj_info info = { .has_sock = 1 };

	info.sock.type = SOCK_STREAM;
	info.sock.peer_ino = peer;
	info.sock.local.family = info.sock.remote.family = AF_UNIX;
	if (local) {
		/* As the kernel keeps them: a path with its NUL, an abstract name without. */
		info.sock.local.path_len = local[0] == '@' ? strlen(local) : strlen(local) + 1;
		memcpy(info.sock.local.path, local, strlen(local));
		if (local[0] == '@')
			info.sock.local.path[0] = '\0';
	}
	if (remote) {
		info.sock.remote.path_len = strlen(remote) + 1;
		memcpy(info.sock.remote.path, remote, strlen(remote));
	}
	return info;
}

static struct ipc_obj_info inet_info(int family, const char *local, int lport, const char *remote,
				     int rport, int type)
{
	struct ipc_obj_info info = { .has_sock = 1 };

	info.sock.type = type;
	info.sock.local.family = info.sock.remote.family = family;
	inet_pton(family, local, info.sock.local.addr);
	info.sock.local.port = lport;
	if (remote) {
		inet_pton(family, remote, info.sock.remote.addr);
		info.sock.remote.port = rport;
	}
	return info;
}

static struct object *described(struct store *s, unsigned int type, __u64 ino,
				const struct ipc_obj_info *info)
{
	struct ipc_obj_key key = { .ino = ino, .type = type };
	struct object *o = store_object(s, &key);

	mechanism_of(type)->describe(o, info);
	return o;
}

static void test_names(void **state)
{
	struct store *s = store_new();
	struct ipc_obj_info info;

	(void)state;
	info = unix_info("/run/x.sock", NULL, 0);
	assert_string_equal(described(s, IPC_UNIX, 1, &info)->name, "unix:/run/x.sock");
	info.sock.listening = 1;
	assert_string_equal(described(s, IPC_UNIX, 2, &info)->name, "unix:/run/x.sock (listen)");
	info = unix_info("@name", NULL, 0);
	assert_string_equal(described(s, IPC_UNIX, 3, &info)->name, "unix:@name");
	info = unix_info(NULL, "/run/x.sock", 9);
	assert_string_equal(described(s, IPC_UNIX, 4, &info)->name, "unix:->/run/x.sock");
	info = unix_info(NULL, NULL, 9);
	assert_string_equal(described(s, IPC_UNIX, 5, &info)->name, "unix:socketpair");
	info = inet_info(AF_INET, "127.0.0.1", 5432, "127.0.0.1", 41234, SOCK_STREAM);
	assert_string_equal(described(s, IPC_TCP, 6, &info)->name,
			    "tcp 127.0.0.1:5432->127.0.0.1:41234");
	info = inet_info(AF_INET6, "::1", 53, NULL, 0, SOCK_DGRAM);
	assert_string_equal(described(s, IPC_UDP, 7, &info)->name, "udp [::1]:53");
	store_free(s);
}

static struct row *put(struct store *s, __u32 pid, unsigned int type, __u64 ino, __u8 dir)
{
	struct ipc_key k = { .ino = ino, .tgid = pid, .type = type, .dir = dir };
	bool created;
	struct row *r = store_update(s, &k, 10, 1, &created);

	snprintf(r->comm, sizeof(r->comm), "p%u", pid);
	return r;
}

static void test_tcp_peers_by_tuple(void **state)
{
	struct store *s = store_new();
	struct ipc_obj_info a = inet_info(AF_INET, "127.0.0.1", 5432, "127.0.0.1", 41234, SOCK_STREAM);
	struct ipc_obj_info b = inet_info(AF_INET, "127.0.0.1", 41234, "127.0.0.1", 5432, SOCK_STREAM);
	struct row *server_tx, *client_rx, *client_tx;

	(void)state;
	server_tx = put(s, 10, IPC_TCP, 100, DIR_TX);
	client_rx = put(s, 20, IPC_TCP, 200, DIR_RX);
	client_tx = put(s, 20, IPC_TCP, 200, DIR_TX);
	mechanism_of(IPC_UNIX)->describe(server_tx->obj, &a);
	mechanism_of(IPC_UNIX)->describe(client_rx->obj, &b);
	mechanism_of(IPC_UNIX)->refresh(s);
	store_compute_peers(s);
	/* The server's sending row's peer reads at the other end. */
	assert_int_equal(server_tx->peers->len, 1);
	assert_int_equal(g_array_index(server_tx->peers, struct peer, 0).pid, 20);
	assert_int_equal(client_rx->peers->len, 1);
	/* The client's sending row has nobody reading at the server yet. */
	assert_int_equal(client_tx->peers->len, 0);
	store_free(s);
}

static void in_netns(struct ipc_obj_info *info, __u32 netns)
{
	info->sock.netns = info->sock.local.netns = info->sock.remote.netns = netns;
}

/*
 * Many connections to one port, a dual-stack server seeing half of its
 * clients as IPv4-mapped IPv6: each socket's peer is exactly its own
 * client's or server's, however many share the server's address.
 */
static void test_many_connections(void **state)
{
	enum { N = 3000, SERVER = 1, CLIENT = 1000, NETNS = 0x7fff0001 };
	struct store *s = store_new();
	struct row *srx[N], *ctx[N];

	(void)state;
	for (int i = 0; i < N; i++) {
		int family = i % 2 ? AF_INET : AF_INET6;
		const char *addr = i % 2 ? "127.0.0.1" : "::ffff:127.0.0.1";
		struct ipc_obj_info server = inet_info(family, addr, 8080, addr, 20000 + i,
						       SOCK_STREAM);
		struct ipc_obj_info client = inet_info(AF_INET, "127.0.0.1", 20000 + i,
						       "127.0.0.1", 8080, SOCK_STREAM);

		/* A namespace no process here is in, as the kernel side
		 * gives it: no /proc/net to read. */
		in_netns(&server, NETNS);
		in_netns(&client, NETNS);
		srx[i] = put(s, SERVER, IPC_TCP, 100000 + i, DIR_RX);
		ctx[i] = put(s, CLIENT + i, IPC_TCP, 200000 + i, DIR_TX);
		mechanism_of(IPC_TCP)->describe(srx[i]->obj, &server);
		mechanism_of(IPC_TCP)->describe(ctx[i]->obj, &client);
	}
	mechanism_of(IPC_TCP)->refresh(s);
	store_compute_peers(s);
	for (int i = 0; i < N; i++) {
		assert_int_equal(srx[i]->peers->len, 1);
		assert_int_equal(g_array_index(srx[i]->peers, struct peer, 0).pid, CLIENT + i);
		assert_int_equal(ctx[i]->peers->len, 1);
		assert_int_equal(g_array_index(ctx[i]->peers, struct peer, 0).pid, SERVER);
	}
	store_free(s);
}

static void test_datagram_senders(void **state)
{
	struct store *s = store_new();
	struct ipc_obj_info recv_info = unix_info("/run/log.sock", NULL, 0);
	struct ipc_obj_info send_info = unix_info(NULL, NULL, 0);
	struct row *rx = put(s, 1, IPC_UNIX, 100, DIR_RX);
	struct row *tx1 = put(s, 2, IPC_UNIX, 201, DIR_TX);
	struct row *tx2 = put(s, 3, IPC_UNIX, 202, DIR_TX);
	struct ipc_sock_addr dest = { .family = AF_UNIX, .path_len = 108 };

	(void)state;
	recv_info.sock.type = send_info.sock.type = SOCK_DGRAM;
	mechanism_of(IPC_UNIX)->describe(rx->obj, &recv_info);
	mechanism_of(IPC_UNIX)->describe(tx1->obj, &send_info);
	mechanism_of(IPC_UNIX)->describe(tx2->obj, &send_info);
	assert_string_equal(tx1->obj->name, "unix:unnamed");
	/* sendto() passes the whole sockaddr_un: the name ends at its NUL. */
	strcpy(dest.path, "/run/log.sock");
	mechanism_of(IPC_UNIX)->dest(s, &tx1->obj->key, &dest, 5);
	mechanism_of(IPC_UNIX)->dest(s, &tx2->obj->key, &dest, 7);
	store_compute_peers(s);
	assert_int_equal(rx->peers->len, 2);
	assert_int_equal(g_array_index(rx->peers, struct peer, 0).pid, 2);
	assert_int_equal(g_array_index(rx->peers, struct peer, 1).pid, 3);
	assert_int_equal(tx1->peers->len, 1);
	store_free(s);
}

/* A resolver's connected UDP socket, and the DNS server's unconnected one
 * (bound to every address) beside another server's connected socket on the
 * same port: the exact tuple first, else the socket that receives there. */
static void test_udp_connected_to_server(void **state)
{
	struct store *s = store_new();
	struct ipc_obj_info server = inet_info(AF_INET, "0.0.0.0", 53, NULL, 0, SOCK_DGRAM);
	struct ipc_obj_info client = inet_info(AF_INET, "127.0.0.1", 40000, "127.0.0.1", 53,
					       SOCK_DGRAM);
	struct ipc_obj_info other = inet_info(AF_INET, "127.0.0.1", 40001, "127.0.0.1", 53,
					      SOCK_DGRAM);
	struct ipc_obj_info reply = inet_info(AF_INET, "127.0.0.1", 53, "127.0.0.1", 40001,
					      SOCK_DGRAM);
	struct row *rx = put(s, 1, IPC_UDP, 100, DIR_RX);
	struct row *tx = put(s, 2, IPC_UDP, 200, DIR_TX);
	struct row *tx2 = put(s, 3, IPC_UDP, 300, DIR_TX);
	struct row *rx2 = put(s, 4, IPC_UDP, 400, DIR_RX);

	(void)state;
	mechanism_of(IPC_UDP)->describe(rx->obj, &server);
	mechanism_of(IPC_UDP)->describe(tx->obj, &client);
	mechanism_of(IPC_UDP)->describe(tx2->obj, &other);
	mechanism_of(IPC_UDP)->describe(rx2->obj, &reply);
	mechanism_of(IPC_UDP)->refresh(s);
	store_compute_peers(s);
	assert_int_equal(rx->peers->len, 1);
	assert_int_equal(g_array_index(rx->peers, struct peer, 0).pid, 2);
	assert_int_equal(tx->peers->len, 1);
	assert_int_equal(g_array_index(tx->peers, struct peer, 0).pid, 1);
	assert_int_equal(tx2->peers->len, 1);
	assert_int_equal(g_array_index(tx2->peers, struct peer, 0).pid, 4);
	store_free(s);
}

/* A connected client seen before its server names the server's address a
 * remote; once the server, unconnected, sends to it, the server is its one
 * peer, not the server and a remote. */
static void test_udp_reply_replaces_remote(void **state)
{
	struct store *s = store_new();
	struct ipc_obj_info client = inet_info(AF_INET, "127.0.0.1", 40000, "127.0.0.1", 9,
					       SOCK_DGRAM);
	struct ipc_obj_info server = inet_info(AF_INET, "127.0.0.1", 9, NULL, 0, SOCK_DGRAM);
	struct ipc_sock_addr to_client = client.sock.local;
	struct row *tx = put(s, 2, IPC_UDP, 200, DIR_TX), *srv;

	(void)state;
	mechanism_of(IPC_UDP)->describe(tx->obj, &client);
	mechanism_of(IPC_UDP)->refresh(s);
	store_compute_peers(s);
	assert_int_equal(tx->peers->len, 1);
	assert_int_equal(g_array_index(tx->peers, struct peer, 0).pid, 0);
	srv = put(s, 1, IPC_UDP, 100, DIR_TX);
	put(s, 1, IPC_UDP, 100, DIR_RX);	/* what the client sent */
	mechanism_of(IPC_UDP)->describe(srv->obj, &server);
	mechanism_of(IPC_UDP)->dest(s, &srv->obj->key, &to_client, 30);
	mechanism_of(IPC_UDP)->refresh(s);
	store_compute_peers(s);
	assert_int_equal(tx->peers->len, 1);
	assert_int_equal(g_array_index(tx->peers, struct peer, 0).pid, 1);
	store_free(s);
}

static void test_remote_peer(void **state)
{
	struct store *s = store_new();
	struct ipc_obj_info info = inet_info(AF_INET, "10.0.0.1", 50000, "192.0.2.7", 443,
					     SOCK_STREAM);
	struct row *r = put(s, 10, IPC_TCP, 100, DIR_TX);

	(void)state;
	mechanism_of(IPC_UNIX)->describe(r->obj, &info);
	mechanism_of(IPC_UNIX)->refresh(s);
	store_compute_peers(s);
	assert_int_equal(r->peers->len, 1);
	assert_int_equal(g_array_index(r->peers, struct peer, 0).pid, 0);
	assert_string_equal(g_array_index(r->peers, struct peer, 0).remote, "192.0.2.7:443");
	store_free(s);
}

/* This process's network namespace, and another one. */
static __u32 own_net(void)
{
	struct stat st;

	assert_int_equal(stat("/proc/self/ns/net", &st), 0);
	return (__u32)st.st_ino;
}

#define OTHER_NET 4026532999u

/* A socket in ipctrace's namespace is named as ever; another's says which. */
static void test_netns_names(void **state)
{
	struct store *s = store_new();
	struct ipc_obj_info info = inet_info(AF_INET, "127.0.0.1", 5000, "127.0.0.1", 40000,
					     SOCK_STREAM);

	(void)state;
	info.sock.netns = own_net();
	assert_string_equal(described(s, IPC_TCP, 1, &info)->name,
			    "tcp 127.0.0.1:5000->127.0.0.1:40000");
	info.sock.netns = OTHER_NET;
	assert_string_equal(described(s, IPC_TCP, 2, &info)->name,
			    "tcp 127.0.0.1:5000->127.0.0.1:40000 [net:4026532999]");
	info = unix_info("@name", NULL, 0);
	info.sock.netns = info.sock.local.netns = OTHER_NET;
	info.sock.listening = 1;
	assert_string_equal(described(s, IPC_UNIX, 3, &info)->name,
			    "unix:@name (listen) [net:4026532999]");
	store_free(s);
}

/* The same address tuple in two namespaces: two connections, never peers of
 * each other's. */
static void test_tuples_in_two_namespaces(void **state)
{
	struct store *s = store_new();
	__u32 nets[2] = { own_net(), OTHER_NET };
	struct row *server[2], *client[2];

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct ipc_obj_info a = inet_info(AF_INET, "127.0.0.1", 5000, "127.0.0.1", 40000,
						  SOCK_STREAM);
		struct ipc_obj_info b = inet_info(AF_INET, "127.0.0.1", 40000, "127.0.0.1", 5000,
						  SOCK_STREAM);

		a.sock.netns = a.sock.local.netns = a.sock.remote.netns = nets[i];
		b.sock.netns = b.sock.local.netns = b.sock.remote.netns = nets[i];
		server[i] = put(s, 10 + i, IPC_TCP, 100 + i, DIR_TX);
		client[i] = put(s, 20 + i, IPC_TCP, 200 + i, DIR_RX);
		mechanism_of(IPC_TCP)->describe(server[i]->obj, &a);
		mechanism_of(IPC_TCP)->describe(client[i]->obj, &b);
	}
	mechanism_of(IPC_TCP)->refresh(s);
	store_compute_peers(s);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(server[i]->peers->len, 1);
		assert_int_equal(g_array_index(server[i]->peers, struct peer, 0).pid, 20 + i);
		assert_int_equal(client[i]->peers->len, 1);
		assert_int_equal(g_array_index(client[i]->peers, struct peer, 0).pid, 10 + i);
	}
	store_free(s);
}

/* One abstract name bound in two namespaces: each sender's datagrams reach
 * the receiver of its own namespace (the kernel side leaves the
 * destination's namespace 0: it is the sender's). */
static void test_abstract_names_in_two_namespaces(void **state)
{
	struct store *s = store_new();
	__u32 nets[2] = { own_net(), OTHER_NET };
	struct ipc_sock_addr dest = { .family = AF_UNIX, .path_len = 5 };
	struct row *rx[2], *tx[2];

	(void)state;
	memcpy(dest.path, "\0name", 5);
	for (int i = 0; i < 2; i++) {
		struct ipc_obj_info recv_info = unix_info("@name", NULL, 0);
		struct ipc_obj_info send_info = unix_info(NULL, NULL, 0);

		recv_info.sock.type = send_info.sock.type = SOCK_DGRAM;
		recv_info.sock.netns = recv_info.sock.local.netns = nets[i];
		send_info.sock.netns = nets[i];
		rx[i] = put(s, 1 + i, IPC_UNIX, 100 + i, DIR_RX);
		tx[i] = put(s, 3 + i, IPC_UNIX, 200 + i, DIR_TX);
		mechanism_of(IPC_UNIX)->describe(rx[i]->obj, &recv_info);
		mechanism_of(IPC_UNIX)->describe(tx[i]->obj, &send_info);
	}
	for (int i = 0; i < 2; i++)
		mechanism_of(IPC_UNIX)->dest(s, &tx[i]->obj->key, &dest, 1);
	store_compute_peers(s);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(rx[i]->peers->len, 1);
		assert_int_equal(g_array_index(rx[i]->peers, struct peer, 0).pid, 3 + i);
		assert_int_equal(tx[i]->peers->len, 1);
		assert_int_equal(g_array_index(tx[i]->peers, struct peer, 0).pid, 1 + i);
	}
	store_free(s);
}

/* /proc/net: a listener's name is the rest of the line, spaces and all. */
static void test_proc_net_lines(void **state)
{
	struct unix_entry u;
	struct net_entry e;

	(void)state;
	assert_true(sock_parse_unix_line("0000: 00000002 00000000 00010000 0001 01 19266 "
				    "/tmp/a b c\n", &u));
	assert_int_equal(u.ino, 19266);
	assert_int_equal(u.flags, 0x10000);
	assert_int_equal(u.type, SOCK_STREAM);
	assert_int_equal(u.name.path_len, sizeof("/tmp/a b c"));
	assert_string_equal(u.name.path, "/tmp/a b c");
	assert_true(sock_parse_unix_line("0000: 00000002 00000000 00010000 0001 01 19265 @abs\n", &u));
	assert_int_equal(u.name.path_len, 4);
	assert_memory_equal(u.name.path, "\0abs", 4);
	assert_true(sock_parse_unix_line("0000: 00000003 00000000 00000000 0002 03 19267\n", &u));
	assert_int_equal(u.name.family, 0);
	assert_int_equal(u.type, SOCK_DGRAM);
	assert_false(sock_parse_unix_line("Num       RefCount Protocol Flags    Type St Inode Path\n", &u));

	assert_true(sock_parse_net_line("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 "
				   "00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n",
				   AF_INET, &e));
	assert_int_equal(e.ino, 4242);
	assert_int_equal(e.state, 0x0A);
	assert_int_equal(e.local.port, 8080);
	assert_memory_equal(e.local.addr, "\x7f\0\0\x01", 4);
	assert_false(sock_parse_net_line("  sl  local_address rem_address   st tx_queue rx_queue\n",
				    AF_INET, &e));
	/* Not accepted yet, or TIME_WAIT: no inode (link_inet waits for it). */
	assert_true(sock_parse_net_line("   1: 0100007F:1F90 0100007F:A1B2 06 00000000:00000000 "
				    "03:00000F9A 00000000     0        0 0 3 0000000000000000\n",
				    AF_INET, &e));
	assert_int_equal(e.ino, 0);
}

int run_sock_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_tcp_peers_by_tuple),
		cmocka_unit_test(test_many_connections),
		cmocka_unit_test(test_datagram_senders),
		cmocka_unit_test(test_udp_connected_to_server),
		cmocka_unit_test(test_remote_peer),
		cmocka_unit_test(test_udp_reply_replaces_remote),
		cmocka_unit_test(test_proc_net_lines),
		cmocka_unit_test(test_netns_names),
		cmocka_unit_test(test_tuples_in_two_namespaces),
		cmocka_unit_test(test_abstract_names_in_two_namespaces),
	};

	return cmocka_run_group_tests_name("sock", tests, NULL, NULL);
}
