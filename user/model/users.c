// SPDX-License-Identifier: GPL-2.0
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>
#include <glib.h>
#include "model/users.h"

/* uid -> name. A table of a few users, looked up once each: NSS may read a
 * file or ask a daemon, and the table asks for every row each interval. */
static GHashTable *names;

const char *user_name(__u32 uid)
{
	struct passwd pw, *found = NULL;
	char buf[4096], *name;

	if (!names)
		names = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	name = g_hash_table_lookup(names, GUINT_TO_POINTER(uid));
	if (name)
		return name;
	if (getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &found) == 0 && found && pw.pw_name[0])
		name = g_strdup(pw.pw_name);
	else
		name = g_strdup_printf("%u", uid);
	g_hash_table_insert(names, GUINT_TO_POINTER(uid), name);
	return name;
}

void users_free(void)
{
	if (names)
		g_hash_table_destroy(names);
	names = NULL;
}
