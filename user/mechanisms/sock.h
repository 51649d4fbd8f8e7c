/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's socket tables: the lines of /proc/net that name sockets,
 * parsed (mechanisms/sock.c), and what sock_diag says (sockdiag.h). */
#ifndef IPCTRACE_SOCK_H
#define IPCTRACE_SOCK_H
#include <stdbool.h>
#include "ipctrace.h"

/* One socket of /proc/net/{tcp,tcp6,udp,udp6,udplite,udplite6}. */
struct net_entry {
	unsigned int type;
	struct ipc_sock_addr local, remote;
	__u64 ino;
	unsigned int state;
};

/* One socket of /proc/net/unix. */
struct unix_entry {
	__u64 ino;
	bool listening;
	unsigned int type;		/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	struct ipc_sock_addr name;	/* family 0: unnamed */
};

/* A line of /proc/net/tcp (family AF_INET) or tcp6 (AF_INET6); false for
 * the header or a malformed line. e->type is left as it was. */
bool sock_parse_net_line(const char *line, int family, struct net_entry *e);
bool sock_parse_unix_line(const char *line, struct unix_entry *u);

#endif
