// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "mechanisms/sockdiag.h"
#include "loader/feature_probe.h"

#define TRACEFS_MAGIC 0x74726163

const char *const features_tracepoint_names[TP_COUNT] = {
	[TP_SYS_EXIT] = "sys_exit",
	[TP_SCHED_EXIT] = "sched_process_exit",
	[TP_SCHED_FORK] = "sched_process_fork",
	[TP_SCHED_EXEC] = "sched_process_exec",
	[TP_SOCK_SEND] = "sock_send_length",
	[TP_SOCK_RECV] = "sock_recv_length",
	[TP_PAGE_FAULT] = "page_fault_user",
	[TP_SCHED_SWITCH] = "sched_switch",
	[TP_SIGNAL_GENERATE] = "signal_generate",
	[TP_URING_COMPLETE] = "io_uring_complete",
	[TP_URING_SUBMIT] = "io_uring_submit_req",
	[TP_URING_SUBMIT_SQE] = "io_uring_submit_sqe",
};

/* Whether the struct of BTF id has a member of that name at its top level. */
static bool struct_has(const struct btf *vmlinux, int id, const char *member)
{
	const struct btf_type *t = btf__type_by_id(vmlinux, id);
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++)
		if (strcmp(btf__name_by_offset(vmlinux, m->name_off), member) == 0)
			return true;
	return false;
}

/* The BTF type every raw tracepoint has: btf_trace_<name>. */
static int tracepoint_btf_id(const struct btf *vmlinux, const char *tp)
{
	char name[128];

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF);
}

/*
 * io_uring_complete passes the request (struct io_kiocb) as its second
 * argument since 5.19, before it a number (the request's user data); and
 * the request has the fields bpf/uring.bpf.h reads.
 */
static bool probe_uring(const struct btf *vmlinux)
{
	int id = tracepoint_btf_id(vmlinux, "io_uring_complete");
	const struct btf_type *t = id > 0 ? btf__type_by_id(vmlinux, id) : NULL;
	const struct btf_param *params;
	int req;

	/* typedef -> pointer -> prototype (void *data, ring, request, ...) */
	for (int i = 0; t && i < 2; i++)
		t = btf__type_by_id(vmlinux, t->type);
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 3)
		return false;
	params = btf_params(t);
	if (!btf_is_ptr(btf__type_by_id(vmlinux, params[2].type)))
		return false;
	req = btf__find_by_name_kind(vmlinux, "io_kiocb", BTF_KIND_STRUCT);
	return req > 0 && struct_has(vmlinux, req, "opcode") && struct_has(vmlinux, req, "cqe");
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

/*
 * IPCTRACE_HIDE=btf,tp_btf,direct,sock_tp,batch,find_vma,ringbuf,<tracepoint>...:
 * pretend this kernel lacks them, so that the tests walk each older kernel's
 * path, and its messages, on this one.
 */
static void hide_features(struct features *f, const char *list)
{
	static const struct {
		const char *name;
		size_t offset;
	} flags[] = {
		{ "btf", offsetof(struct features, btf) },
		{ "tp_btf", offsetof(struct features, tp_btf) },
		{ "direct", offsetof(struct features, direct_loads) },
		{ "sock_tp", offsetof(struct features, sock_tp) },
		{ "batch", offsetof(struct features, batch_ops) },
		{ "find_vma", offsetof(struct features, find_vma) },
		{ "ringbuf", offsetof(struct features, ringbuf) },
		{ "uring", offsetof(struct features, uring) },
	};
	gchar **names = g_strsplit(list, ",", -1);

	for (gchar **n = names; *n; n++) {
		for (size_t i = 0; i < G_N_ELEMENTS(flags); i++)
			if (strcmp(*n, flags[i].name) == 0)
				*(bool *)((char *)f + flags[i].offset) = false;
		for (int i = 0; i < TP_COUNT; i++)
			if (strcmp(*n, features_tracepoint_names[i]) == 0)
				f->tracepoint[i] = false;
	}
	g_strfreev(names);
	f->sock_tp = f->sock_tp && f->tracepoint[TP_SOCK_SEND] && f->tracepoint[TP_SOCK_RECV];
	f->direct_loads = f->direct_loads && f->tp_btf;
	f->uring = f->uring && f->tracepoint[TP_URING_COMPLETE];
}

void features_probe(struct features *f)
{
	const char *hide = getenv("IPCTRACE_HIDE");
	struct btf *vmlinux;
	struct statfs sfs;
	struct utsname u;

	memset(f, 0, sizeof(*f));
	if (uname(&u) == 0)
		snprintf(f->kernel, sizeof(f->kernel), "%s", u.release);
	f->tracefs = statfs("/sys/kernel/tracing", &sfs) == 0 && sfs.f_type == TRACEFS_MAGIC;
	f->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	vmlinux = f->btf ? btf__load_vmlinux_btf() : NULL;
	if (vmlinux) {
		/* Every tracepoint compiled into the kernel has its BTF typedef,
		 * which is what both the tp_btf and the raw_tp hooks attach to. */
		for (int i = 0; i < TP_COUNT; i++)
			f->tracepoint[i] = tracepoint_btf_id(vmlinux, features_tracepoint_names[i]) > 0;
		f->tp_btf = probe_tp_btf(vmlinux);
		f->uring = probe_uring(vmlinux);
		/* Only the tp_btf hooks have the typed task the direct loads
		 * start from. */
		f->direct_loads = f->tp_btf &&
				  btf__find_by_name_kind(vmlinux, "bpf_rdonly_cast", BTF_KIND_FUNC) > 0;
		btf__free(vmlinux);
	}
	f->sock_tp = f->tracepoint[TP_SOCK_SEND] && f->tracepoint[TP_SOCK_RECV];
	f->batch_ops = probe_batch_ops();
	f->find_vma = libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_find_vma,
					      NULL) == 1;
	f->ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	f->sock_diag = sockdiag_available();
	if (hide)
		hide_features(f, hide);
}

void features_line(FILE *out, const char *what, bool yes, const char *chosen, const char *why)
{
	fprintf(out, "%-22s %-4s %s\n%-27s %s\n", what, yes ? "yes" : "no", chosen, "", why);
}

void features_print(FILE *out, const struct features *f)
{
	fprintf(out, "kernel                 %s\n", f->kernel);
	features_line(out, "BTF", f->btf, f->btf ? "CO-RE relocations against /sys/kernel/btf/vmlinux"
				      : "ipctrace cannot run",
	     "needs CONFIG_DEBUG_INFO_BTF=y");
	features_line(out, "tp_btf hooks", f->tp_btf, f->tp_btf ? "hooks: tp_btf" : "hooks: raw_tp",
	     "typed tracepoint arguments and direct loads (5.5+); raw_tp reads them by copy");
	features_line(out, "direct loads", f->direct_loads,
	     f->direct_loads ? "BPF build: default" : "BPF build: portable",
	     "kernel fields read without helper calls: bpf_rdonly_cast() (6.2+) and tp_btf");
	features_line(out, "sock tracepoints", f->sock_tp,
	     f->sock_tp ? "socket bytes: sock_send_length/sock_recv_length"
			: "socket bytes: the send/recv/read/write syscalls",
	     "one hook for every socket path (6.3+)");
	features_line(out, "batch map reads", f->batch_ops,
	     f->batch_ops ? "maps read in batches" : "maps read one key at a time",
	     "BPF_MAP_LOOKUP_BATCH on hash maps (5.6+)");
	features_line(out, "bpf_find_vma", f->find_vma,
	     f->find_vma ? "shared memory and memory maps traced"
			 : "shared memory and memory maps left out",
	     "finds the mapping at an address (5.17+)");
	features_line(out, "ring buffer", f->ringbuf, f->ringbuf ? "available" : "not available",
	     "BPF_MAP_TYPE_RINGBUF (5.8+)");
	features_line(out, "io_uring requests", f->uring,
	     f->uring ? "io_uring reads and writes on IPC objects counted as they complete"
		      : "io_uring's requests not seen: their bytes go uncounted",
	     "io_uring_complete with the request (5.19+)");
	features_line(out, "socket tables", f->sock_diag,
	     f->sock_diag ? "sock_diag in ipctrace's network namespace, /proc/PID/net in others"
			  : "the text of /proc/PID/net",
	     "NETLINK_SOCK_DIAG: inet_diag, udp_diag, unix_diag");
	features_line(out, "tracefs", f->tracefs, f->tracefs ? "mounted, not used" : "not mounted, not needed",
	     "raw tracepoints attach without it");
	for (int i = 0; i < TP_COUNT; i++)
		fprintf(out, "tracepoint %-22s %s\n", features_tracepoint_names[i],
			f->tracepoint[i] ? "present" : "missing");
}
