/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the module counting an operation hands to the counting code beside
 * its arguments: -x's payload (where the data sits in the caller's memory)
 * and WAIT's time asleep, and the end of an operation, which clears both.
 */
#ifndef IPCTRACE_CORE_OP_BPF_H
#define IPCTRACE_CORE_OP_BPF_H

#include "maps.bpf.h"

/*
 * What the module counting the current operation hands to the counting
 * code without a sixth argument: with -x, where the syscall's data sits in
 * the caller's memory; with WAIT, how long the call slept. Set just before
 * counting and taken by it; per CPU, since a program run does not migrate.
 */
struct op_context {
	__u64 payload_addr;
	__u64 payload_len;
	__u64 wait_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct op_context);
} op_contexts SEC(".maps");

static __always_inline struct op_context *op_context(void)
{
	return map_slot0(&op_contexts);
}

/* The end of an operation: what it handed over (-x's payload, the time it
 * slept) must not reach the next one. */
static __always_inline void end_op(void)
{
	struct op_context *ctx;

	if (!hex_cap && !wait_enabled)
		return;
	ctx = op_context();
	if (ctx) {
		ctx->payload_len = 0;
		ctx->wait_ns = 0;
	}
}


/*
 * -x: say where this syscall's data is, for the event about to be logged.
 * Nothing to do, and nothing compiled in, without -x.
 */
static __always_inline void set_payload(__u64 addr, __u64 len)
{
	struct op_context *ctx;

	if (!hex_cap)
		return;
	ctx = op_context();
	if (ctx) {
		ctx->payload_addr = addr;
		ctx->payload_len = len;
	}
}

/* -x: a vectored call's data: its first buffer, as far as the call went. */
static __always_inline void set_payload_iov(__u64 iov_addr, long moved)
{
	struct iovec iov;

	if (!hex_cap || moved <= 0 || !iov_addr ||
	    bpf_probe_read_user(&iov, sizeof(iov), (const void *)iov_addr))
		return;
	set_payload((__u64)iov.iov_base, iov.iov_len < (__u64)moved ? iov.iov_len : moved);
}

/* -x: a sendmsg/recvmsg's data, through its msghdr's first iovec. */
static __always_inline void set_payload_msghdr(__u64 msghdr_addr, long moved)
{
	__u64 iov_addr;

	if (!hex_cap || !msghdr_addr ||
	    bpf_probe_read_user(&iov_addr, sizeof(iov_addr),
				(const void *)msghdr_addr + offsetof(struct user_msghdr, msg_iov)))
		return;
	set_payload_iov(iov_addr, moved);
}

/* -x: take the payload set for this operation, so that no later one reuses it. */
static __always_inline void take_payload(struct ipc_event *e)
{
	struct op_context *ctx = op_context();
	__u32 len;

	if (!ctx || !ctx->payload_len)
		return;
	/* hex_cap is known at load, and the record has room for it: no other
	 * bound. A clamp to HEX_MAX after this one was a branch the 6.1
	 * verifier could not see was dead, and it refused the copy there. */
	len = ctx->payload_len < hex_cap ? ctx->payload_len : hex_cap;
	if (bpf_probe_read_user(e->payload, len, (const void *)ctx->payload_addr) == 0)
		e->payload_len = len;
	ctx->payload_len = 0;
}

#endif /* IPCTRACE_CORE_OP_BPF_H */
