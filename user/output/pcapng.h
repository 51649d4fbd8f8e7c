/* SPDX-License-Identifier: GPL-2.0 */
/*
 * -w FILE: the data -x captures, as a pcapng file that Wireshark and tshark
 * open. One interface per IPC type (named "pipe", "unix", "tcp"...), one
 * packet per transfer, its process, direction, object and peers in the
 * packet's comment.
 */
#ifndef IPCTRACE_PCAPNG_H
#define IPCTRACE_PCAPNG_H

#include <stddef.h>
#include <linux/types.h>

struct pcapng;

/* Create (or truncate) path and write the section header. NULL, with the
 * reason in err, if it cannot be written. */
struct pcapng *pcapng_open(const char *path, char *err, size_t len);

/*
 * One packet: captured bytes data[0..caplen) of a transfer of origlen bytes
 * on an object of the given type, at ts_us (microseconds since the epoch),
 * with its comment (already escaped). Returns 0, or -1 on a write error.
 */
int pcapng_packet(struct pcapng *w, unsigned int type, __u64 ts_us, const __u8 *data,
		  __u32 caplen, __u64 origlen, const char *comment);

/* Flush and close; 0, or -1 if any write failed. */
int pcapng_close(struct pcapng *w);

#endif
