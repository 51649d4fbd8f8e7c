/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The core of the BPF side, in the order its parts build on each other. It
 * calls no mechanism and knows no kind of object: the file-type layer
 * (filetype.bpf.h) and the mechanisms build on it.
 */
#ifndef IPCTRACE_CORE_BPF_H
#define IPCTRACE_CORE_BPF_H

#include "core/settings.bpf.h"	/* rodata settings, loss counters, field reads */
#include "core/maps.bpf.h"	/* the shared maps, map_lookup_or_try_init() */
#include "core/read.bpf.h"	/* fd -> file, inode identity, paths */
#include "core/filter.bpf.h"	/* --cgroup and -p */
#include "core/op.bpf.h"	/* one operation's context: -x payload, end_op() */
#include "core/wait.bpf.h"	/* WAIT: sleepers and their gate */
#include "core/count.bpf.h"	/* rows, labels, histograms, the event log */
#include "core/fdset.bpf.h"	/* which processes' descriptor tables changed */

#endif /* IPCTRACE_CORE_BPF_H */
