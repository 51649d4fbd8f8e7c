// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <glib.h>
#include "model/sysv.h"
#include "model/rows.h"
#include "model/holders.h"

__u32 sysv_own_ipc_ns(void)
{
	static __u32 inum;
	struct stat st;

	if (!inum && stat("/proc/self/ns/ipc", &st) == 0)
		inum = (__u32)st.st_ino;
	return inum;
}

bool sysv_parse_line(const char *line, struct sysv_entry *e)
{
	const char *p = line;
	char *end;

	e->ncols = 0;
	while (e->ncols < SYSV_COLUMNS) {
		long long v = strtoll(p, &end, 10);

		if (end == p)
			break;
		e->col[e->ncols++] = v;
		p = end;
	}
	return e->ncols >= 2;
}

/* id -> struct sysv_entry, from one read of the file. */
static GHashTable *read_entries(const char *file)
{
	GHashTable *entries = g_hash_table_new_full(g_int_hash, g_int_equal, g_free, g_free);
	char path[64], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sysvipc/%s", file);
	f = fopen(path, "re");
	if (!f)
		return entries;
	if (!fgets(line, sizeof(line), f)) {	/* the header */
		fclose(f);
		return entries;
	}
	while (fgets(line, sizeof(line), f)) {
		struct sysv_entry e;
		int id;

		if (!sysv_parse_line(line, &e))
			continue;
		id = (int)e.col[1];
		g_hash_table_insert(entries, g_memdup2(&id, sizeof(id)), g_memdup2(&e, sizeof(e)));
	}
	fclose(f);
	return entries;
}

/* A semaphore's object carries its number in the inode's top half. */
static void name_object(struct object *o, __s64 key)
{
	char name[80];
	int n;

	/* /proc prints the key as a signed int. */
	n = snprintf(name, sizeof(name), "key 0x%08x id %u", (unsigned int)key,
		     (unsigned int)o->key.ino);
	if (o->key.type == IPC_SEM)
		snprintf(name + n, sizeof(name) - n, " sem %u", (unsigned int)(o->key.ino >> 32));
	object_name_replace(o, name);
}

/* Per type: the keys of every object listed so far, kept after it goes. */
static GHashTable *known_keys[IPC_TYPE_MAX];

void sysv_refresh(struct store *s, unsigned int type, const char *file,
		  void (*state)(struct object *o, const struct sysv_entry *e))
{
	GHashTable *entries = read_entries(file);
	GHashTable **known = &known_keys[type];
	GHashTableIter it;
	gpointer k, v;

	if (!*known)
		*known = g_hash_table_new_full(g_int_hash, g_int_equal, g_free, g_free);
	g_hash_table_iter_init(&it, entries);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_replace(*known, g_memdup2(k, sizeof(int)),
				     g_memdup2(&((struct sysv_entry *)v)->col[0], sizeof(__s64)));

	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct object *o = v;
		int id = (int)o->key.ino;
		struct sysv_entry *e;
		__s64 *key;

		if (o->key.type != type || o->key.dev != sysv_own_ipc_ns())
			continue;
		key = g_hash_table_lookup(*known, &id);
		if (key && (!o->name || strncmp(o->name, "key ", 4)))
			name_object(o, *key);
		if (store_attr_find(o->attrs, o->nattrs, "removed"))
			continue;
		e = g_hash_table_lookup(entries, &id);
		if (!e)
			store_attr_set(&o->attrs, &o->nattrs, "removed", 1);
		else if (state)
			state(o, e);
	}
	g_hash_table_destroy(entries);
}

void sysv_describe(struct object *o, const struct ipc_obj_info *info)
{
	if (!info->has_key) {
		object_set_name(o, NULL);
		return;
	}
	name_object(o, info->sysv_key);
	if (info->size)
		store_attr_set(&o->attrs, &o->nattrs, "size", (__s64)info->size);
}

void sysv_default_name(const struct ipc_obj_key *obj, char *buf, size_t len)
{
	int n = snprintf(buf, len, "id %u", (unsigned int)obj->ino);

	if (obj->type == IPC_SEM)
		snprintf(buf + n, len - n, " sem %u", (unsigned int)(obj->ino >> 32));
}

const char *sysv_dev_key(unsigned int type)
{
	return type == IPC_MSG || type == IPC_SHM || type == IPC_SEM ? "ipc_ns" : NULL;
}
