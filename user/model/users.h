/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User names, for the USER column and JSON's "user": a process's uid as the
 * password database names it, looked up once per uid.
 */
#ifndef IPCTRACE_USERS_H
#define IPCTRACE_USERS_H

#include <linux/types.h>

/* The name of uid, or its number when it has none. As the database gives
 * it: a name is a user's choice, escaped where it leaves the program. Valid
 * until users_free(). */
const char *user_name(__u32 uid);

void users_free(void);

#endif
