// SPDX-License-Identifier: GPL-2.0
/*
 * A pcapng writer (draft-ietf-opsawg-pcapng): a section header, an interface
 * description per IPC type as it first appears, an enhanced packet block per
 * transfer. Written here rather than through libpcap: Debian 12's libpcap
 * (1.10) writes only the older pcap format, which has neither interfaces of
 * different names nor per-packet comments, and pcapng's three blocks are a
 * few dozen lines.
 *
 * The data is what a process handed the kernel, not a frame of a network:
 * every interface is LINKTYPE_USER0 (147), which Wireshark shows as raw
 * bytes (or decodes as any protocol through its DLT_USER preferences).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output/pcapng.h"
#include "model/mechanism.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define LINKTYPE_USER0 147
#define OPT_END 0
#define OPT_COMMENT 1
#define IF_NAME 2
#define SNAPLEN 0	/* no limit: -x's cap is the limit */

struct pcapng {
	FILE *f;
	int ifaces;			/* interfaces described so far */
	int iface_of[IPC_TYPE_MAX];	/* a type's interface + 1; 0: none yet */
	bool failed;
};

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void put(struct pcapng *w, const void *p, size_t n)
{
	static const __u8 zeros[4];

	if (n && fwrite(p, 1, n, w->f) != n)
		w->failed = true;
	if (pad4(n) > n && fwrite(zeros, 1, pad4(n) - n, w->f) != pad4(n) - n)
		w->failed = true;
}

static void put32(struct pcapng *w, __u32 v)
{
	put(w, &v, sizeof(v));
}

/* An option: code, length, value padded to 32 bits. */
static void put_option(struct pcapng *w, __u16 code, const char *text)
{
	__u16 head[2] = { code, (__u16)strlen(text) };

	put(w, head, sizeof(head));
	put(w, text, head[1]);
}

static size_t option_size(const char *text)
{
	return 4 + pad4(strlen(text));
}

struct pcapng *pcapng_open(const char *path, char *err, size_t len)
{
	struct pcapng *w = calloc(1, sizeof(*w));
	__u32 total = 28;
	__u16 version[2] = { 1, 0 };
	__s64 section_len = -1;		/* not known: the file is a stream */

	if (!w || !(w->f = fopen(path, "we"))) {
		snprintf(err, len, "cannot write %s: %s (choose a writable path for -w)", path,
			 strerror(errno ? errno : ENOMEM));
		free(w);
		return NULL;
	}
	put32(w, BT_SHB);
	put32(w, total);
	put32(w, BYTE_ORDER_MAGIC);
	put(w, version, sizeof(version));
	put(w, &section_len, sizeof(section_len));
	put32(w, total);
	return w;
}

/* A type's interface, described in the file the first time it is needed. */
static __u32 iface(struct pcapng *w, unsigned int type)
{
	const char *name = ipc_type_name(type);
	__u16 link[2] = { LINKTYPE_USER0, 0 };
	__u32 total;

	if (type < IPC_TYPE_MAX && w->iface_of[type])
		return (__u32)w->iface_of[type] - 1;
	total = 20 + (__u32)option_size(name) + 4;
	put32(w, BT_IDB);
	put32(w, total);
	put(w, link, sizeof(link));
	put32(w, SNAPLEN);
	put_option(w, IF_NAME, name);
	put_option(w, OPT_END, "");
	put32(w, total);
	if (type < IPC_TYPE_MAX)
		w->iface_of[type] = w->ifaces + 1;
	return (__u32)w->ifaces++;
}

int pcapng_packet(struct pcapng *w, unsigned int type, __u64 ts_us, const __u8 *data,
		  __u32 caplen, __u64 origlen, const char *comment)
{
	__u32 id = iface(w, type);
	__u32 total = 32 + (__u32)pad4(caplen) + (__u32)option_size(comment) + 4;

	put32(w, BT_EPB);
	put32(w, total);
	put32(w, id);
	put32(w, (__u32)(ts_us >> 32));		/* if_tsresol: microseconds, the default */
	put32(w, (__u32)ts_us);
	put32(w, caplen);
	put32(w, origlen > UINT32_MAX ? UINT32_MAX : (__u32)origlen);
	put(w, data, caplen);
	put_option(w, OPT_COMMENT, comment);
	put_option(w, OPT_END, "");
	put32(w, total);
	return w->failed ? -1 : 0;
}

int pcapng_close(struct pcapng *w)
{
	int ret;

	if (!w)
		return 0;
	ret = fclose(w->f) || w->failed ? -1 : 0;
	free(w);
	return ret;
}
