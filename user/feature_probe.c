// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "feature_probe.h"

/* The BTF type every raw tracepoint has: btf_trace_<name>. */
static int tracepoint_btf_id(const struct btf *vmlinux, const char *tp)
{
	char name[128];

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF);
}

/* Load `return 0` as a tp_btf program on sys_exit: the hook we would use. */
static bool probe_tp_btf(const struct btf *vmlinux)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_RAW_TP);
	int id = tracepoint_btf_id(vmlinux, "sys_exit"), fd;

	if (id <= 0)
		return false;
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &opts);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool probe_batch_ops(void)
{
	__u32 keys[1], values[1], count = 1;
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, sizeof(__u32), sizeof(__u32), 1, NULL);
	bool ok;

	if (fd < 0)
		return false;
	/* An empty map answers ENOENT when batching is supported. */
	ok = bpf_map_lookup_batch(fd, NULL, &keys[0], keys, values, &count, NULL) == 0 ||
	     errno == ENOENT;
	close(fd);
	return ok;
}

void probe_features(struct features *f)
{
	struct btf *vmlinux;

	memset(f, 0, sizeof(*f));
	f->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	vmlinux = f->btf ? btf__load_vmlinux_btf() : NULL;
	if (vmlinux) {
		f->tp_btf = probe_tp_btf(vmlinux);
		f->sock_tp = tracepoint_btf_id(vmlinux, "sock_send_length") > 0 &&
			     tracepoint_btf_id(vmlinux, "sock_recv_length") > 0;
		btf__free(vmlinux);
	}
	f->batch_ops = probe_batch_ops();
}
