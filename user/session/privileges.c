// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <glib.h>
#include "common/common.h"
#include "session/privileges.h"

static bool has_cap(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	return cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET;
}

int privileges_check(void)
{
	cap_t caps = cap_get_proc();
	bool bpf, perfmon, admin;

	if (!caps) {
		p_err("cannot read this process's capabilities: %s", strerror(errno));
		return -1;
	}
	bpf = has_cap(caps, CAP_BPF);
	perfmon = has_cap(caps, CAP_PERFMON);
	admin = has_cap(caps, CAP_SYS_ADMIN);
	cap_free(caps);
	if (admin || (bpf && perfmon))
		return 0;
	p_err("need root, or CAP_BPF and CAP_PERFMON (missing %s%s%s): run it with sudo",
	      bpf ? "" : "CAP_BPF", !bpf && !perfmon ? " and " : "", perfmon ? "" : "CAP_PERFMON");
	return -1;
}

/*
 * Once attached, the maps and links are open descriptors, which need no
 * privilege to use. What remains is reading other users' /proc/PID/fd, maps
 * and fdinfo (CAP_SYS_PTRACE), and opening their queues and files to read a
 * depth (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH). Everything else goes, from
 * the bounding set too, so the demo child cannot get it back through exec.
 */
static const cap_value_t kept_caps[] = { CAP_SYS_PTRACE, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH };

void privileges_drop(void)
{
	cap_t now = cap_get_proc(), keep = cap_init();
	cap_value_t have[G_N_ELEMENTS(kept_caps)];
	int n = 0;

	/* Keep those we have: with CAP_BPF and CAP_PERFMON alone, none. */
	for (size_t i = 0; now && i < G_N_ELEMENTS(kept_caps); i++)
		if (has_cap(now, kept_caps[i]))
			have[n++] = kept_caps[i];
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		bool kept = false;

		for (int i = 0; i < n; i++)
			kept |= have[i] == c;
		if (!kept)
			cap_drop_bound(c);	/* fails without CAP_SETPCAP: then E and P only */
	}
	if (keep && n) {
		cap_set_flag(keep, CAP_EFFECTIVE, n, have, CAP_SET);
		cap_set_flag(keep, CAP_PERMITTED, n, have, CAP_SET);
	}
	if (!keep || cap_set_proc(keep) != 0)
		p_err("could not drop privileges: %s", strerror(errno));
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	cap_free(keep);
	cap_free(now);
}
