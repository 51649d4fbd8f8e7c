// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <seccomp.h>
#include "common/confine.h"

/* A change of uid empties the effective set, and dropping from the bounding
 * set needs CAP_SETPCAP there: whatever is permitted is made effective. */
static void raise_permitted(cap_t caps)
{
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		cap_flag_value_t v = CAP_CLEAR;

		if (cap_get_flag(caps, c, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET);
	}
	cap_set_proc(caps);
}

static void drop_bounds_but(const cap_value_t *keep, int n)
{
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		bool kept = false;

		for (int i = 0; i < n; i++)
			kept |= keep[i] == c;
		if (!kept)
			cap_drop_bound(c);	/* fails without CAP_SETPCAP: then the rest only */
	}
}

int confine_caps(const cap_value_t *keep, int n)
{
	cap_t now = cap_get_proc(), set = cap_init();
	cap_value_t have[CAP_LAST_CAP + 1];
	int nhave = 0, ret = -1;

	if (!now || !set)
		goto out;
	raise_permitted(now);
	/* Keep those we have: with CAP_BPF and CAP_PERFMON alone, none. */
	for (int i = 0; i < n; i++) {
		cap_flag_value_t v = CAP_CLEAR;

		if (cap_get_flag(now, keep[i], CAP_PERMITTED, &v) == 0 && v == CAP_SET)
			have[nhave++] = keep[i];
	}
	drop_bounds_but(have, nhave);
	if (nhave && (cap_set_flag(set, CAP_EFFECTIVE, nhave, have, CAP_SET) ||
		      cap_set_flag(set, CAP_PERMITTED, nhave, have, CAP_SET)))
		goto out;
	if (cap_set_proc(set) == 0 && cap_reset_ambient() == 0)
		ret = 0;
out:
	cap_free(set);
	cap_free(now);
	return ret;
}

/*
 * What CAP_SYS_PTRACE (and CAP_DAC_READ_SEARCH) allow beyond reading /proc:
 * taking control of a process (ptrace), reading or writing its memory
 * (process_vm_*), taking its descriptors (pidfd_getfd), comparing its
 * objects (kcmp), sampling it (perf_event_open), opening any file by handle
 * past every directory's permissions (open_by_handle_at), and moving or
 * advising its pages. io_uring's operations are not seen by seccomp at all.
 */
static const int denied[] = {
	SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
	SCMP_SYS(pidfd_getfd), SCMP_SYS(kcmp), SCMP_SYS(perf_event_open),
	SCMP_SYS(open_by_handle_at), SCMP_SYS(process_madvise),
	SCMP_SYS(move_pages), SCMP_SYS(migrate_pages), SCMP_SYS(io_uring_setup),
	SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register),
};

int confine_syscalls(void)
{
	scmp_filter_ctx ctx;
	int ret = -EINVAL;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		goto out;
	/* Every thread: capabilities are per thread, the filter must not be. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
#ifdef __x86_64__
	/* A 64-bit process may call through the 32-bit and x32 ABIs too, where
	 * the same calls have other numbers: each gets the same rules. */
	for (size_t i = 0; ret == 0 && i < 2; i++) {
		ret = seccomp_arch_add(ctx, i ? SCMP_ARCH_X32 : SCMP_ARCH_X86);
		ret = ret == -EEXIST ? 0 : ret;
	}
#endif
	for (size_t i = 0; ret == 0 && i < sizeof(denied) / sizeof(denied[0]); i++)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), denied[i], 0);
	if (ret == 0)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
out:
	if (ret == 0)
		return 0;
	errno = ret < 0 ? -ret : EINVAL;
	return -1;
}
