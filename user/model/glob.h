/* SPDX-License-Identifier: GPL-2.0 */
/* -c's glob, compiled for the kernel's matcher (struct comm_glob). */
#ifndef IPCTRACE_MODEL_GLOB_H
#define IPCTRACE_MODEL_GLOB_H

#include <stdbool.h>
#include <linux/types.h>
#include "ipctrace.h"

/*
 * pattern as fnmatch(pattern, name, 0) reads it: * ? [...] ([!...] or
 * [^...] for the others, a-z for a range, ] first for itself) and \ before
 * a byte for that byte, a [ without its ] for itself. Returns 0, or -1 for
 * what the kernel's matcher does not do: more than GLOB_TOKENS tokens, or a
 * class ([:alpha:], [=a=], [.a.]), which only user space matches.
 */
int comm_glob_compile(const char *pattern, struct comm_glob *g);

#endif /* IPCTRACE_MODEL_GLOB_H */
