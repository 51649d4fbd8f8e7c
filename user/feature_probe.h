/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel feature probes, run once at start. This is the one place that says
 * which code path a kernel gets.
 */
#ifndef IPCTRACE_FEATURES_H
#define IPCTRACE_FEATURES_H

#include <stdbool.h>

struct features {
	bool btf;		/* /sys/kernel/btf/vmlinux */
	bool tp_btf;		/* BTF-typed raw tracepoints (5.5+) */
	bool batch_ops;		/* BPF_MAP_LOOKUP_BATCH on hash maps (5.6+) */
	bool sock_tp;		/* sock:sock_send_length/sock_recv_length (6.3+) */
};

void probe_features(struct features *f);

#endif
