/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's socket tables through NETLINK_SOCK_DIAG (inet_diag and
 * unix_diag, what ss uses), for mechanisms/sock.c. A netlink socket answers
 * for the network namespace it was made in: ipctrace's own. Each call says
 * when it could not answer (no diag module, an error, a malformed reply), so
 * that its caller reads /proc/net's text instead.
 */
#ifndef IPCTRACE_SOCKDIAG_H
#define IPCTRACE_SOCKDIAG_H
#include <stdbool.h>
#include <stddef.h>
#include <glib.h>
#include <linux/types.h>
#include "mechanisms/sock.h"

enum sockdiag_answer {
	SOCKDIAG_FAILED = -1,	/* not answered: read the text instead */
	SOCKDIAG_NONE = 0,	/* no such socket */
	SOCKDIAG_FOUND = 1,
};

/* One socket a reply described: net for inet_diag, unx (and its peer's
 * inode, 0 if none) for unix_diag. */
struct sockdiag_sock {
	bool is_unix;
	struct net_entry net;
	struct unix_entry unx;
	__u64 peer;
};

typedef void (*sockdiag_fn)(const struct sockdiag_sock *s, void *ctx);

/*
 * One datagram of replies to request seq, of inet_diag sockets of type
 * (IPC_TCP or IPC_UDP) or of unix_diag ones: each socket to fn. Every length
 * is checked against what was received. Returns 1 when the answer is
 * complete (NLMSG_DONE, or an exact request's one message), 0 when a dump
 * goes on in the next datagram, or a negative errno: the kernel's error
 * (-ENOENT: no such socket) or -EBADMSG for a malformed message.
 */
int sockdiag_parse(const void *buf, size_t len, __u32 seq, unsigned int type, sockdiag_fn fn,
		   void *ctx);

/*
 * The socket of type (IPC_TCP or IPC_UDP), protocol (IPPROTO_TCP, _UDP,
 * _UDPLITE) that a packet from `from` to `to` reaches, as the kernel looks
 * it up for one: the connected socket holding that tuple, else a TCP
 * listener or an unconnected UDP socket bound where `to` is (from NULL: from
 * no connected socket, so only those). Both addresses in one family: an
 * IPv4-mapped IPv6 pair given as IPv4 (UDP's IPv6 lookup does not see
 * IPv4 sockets through one; IPv4's sees dual-stack IPv6 ones).
 */
int sockdiag_inet_receiver(unsigned int type, int protocol, const struct ipc_sock_addr *from,
			   const struct ipc_sock_addr *to, struct net_entry *out);

/* Every socket of type (IPC_TCP or IPC_UDP, each of its protocols, IPv4
 * and IPv6) that has an inode, appended to out (struct net_entry);
 * SOCKDIAG_FAILED if a table could not be read. */
int sockdiag_inet_table(unsigned int type, GArray *out);

/* A unix socket by its inode: its name, type and state, and its peer's
 * inode. */
int sockdiag_unix_find(__u64 ino, struct unix_entry *out, __u64 *peer);

/* Every unix socket, appended to out (struct unix_entry). */
int sockdiag_unix_table(GArray *out);

/*
 * Closes the netlink socket (the next request opens another): at the
 * privilege drop, so that nothing opened as root is kept. (The kernel asks
 * CAP_NET_ADMIN of the caller as well as of the socket's opener before a
 * SOCK_DESTROY or a socket's mark, so a kept one would grant nothing; the
 * rule is simpler to check than that reasoning.)
 */
void sockdiag_close(void);

/* Whether sock_diag answers for TCP, UDP and unix sockets (for
 * --features; IPCTRACE_HIDE=sock_diag says no). */
bool sockdiag_available(void);

#endif
