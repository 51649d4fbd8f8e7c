// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "model/holders.h"
#include "model/mechanism.h"
#include "model/procfs.h"

struct scan {
	struct store *store;
	unsigned int type_mask;
	GHashTable *named;	/* names of named objects, for the system-wide scan */
	bool create;		/* add objects not yet in the store */
	GHashTable *comms;	/* pid -> struct scanned */
};

void object_set_name(struct object *o, const char *kernel_name)
{
	char buf[IPC_NAME_LEN];
	const struct mechanism *m;

	if (o->name && (!kernel_name || !kernel_name[0]))
		return;
	g_free(o->name);
	if (object_is_overflow(o)) {
		o->name = g_strdup(OVERFLOW_NAME);
		return;
	}
	o->name_is_default = !(kernel_name && kernel_name[0]);
	if (!o->name_is_default) {
		o->name = g_strdup(kernel_name);
		return;
	}
	m = mechanism_of(o->key.type);
	if (m && m->default_name)
		m->default_name(&o->key, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "%u:%llu", o->key.dev, (unsigned long long)o->key.ino);
	o->name = g_strdup(buf);
}

/* Its name and start time (who it is, with the PID), read once per scan. */
struct scanned {
	char comm[COMM_LEN];
	__u32 start;
};

static const struct scanned *scan_proc(struct scan *sc, int pid)
{
	struct scanned *p = g_hash_table_lookup(sc->comms, GINT_TO_POINTER(pid));

	if (p)
		return p;
	p = g_new0(struct scanned, 1);
	if (proc_comm(pid, p->comm, sizeof(p->comm)) != 0)
		strcpy(p->comm, "?");
	p->start = (__u32)proc_start_time(pid);
	g_hash_table_insert(sc->comms, GINT_TO_POINTER(pid), p);
	return p;
}

/* fd: one of its descriptors for the object, or -1 for a memory mapping. */
static void add_holder_mode(struct scan *sc, struct object *o, int pid, int fd, unsigned int mode)
{
	for (guint i = 0; i < o->holders->len; i++) {
		struct holder *h = &g_array_index(o->holders, struct holder, i);

		if (h->pid == pid) {
			h->mode |= mode;
			if (h->fd < 0)
				h->fd = fd;
			return;
		}
	}
	const struct scanned *p = scan_proc(sc, pid);
	struct holder h = { .pid = pid, .start = p->start, .fd = fd, .mode = mode };

	g_strlcpy(h.comm, p->comm, sizeof(h.comm));
	g_array_append_val(o->holders, h);
}

static void add_holder(struct scan *sc, struct object *o, const struct fd_ref *ref)
{
	add_holder_mode(sc, o, ref->pid, ref->fd, proc_fd_mode(ref->pid, ref->fd));
}

/*
 * A path a scan found (a descriptor's link, a mapping's path) names an
 * object the way the kernel's walk of that file would: through its
 * mechanism's describe, "(deleted)" left out, so that an object has one name
 * whether a row or a scan found it first ("[shared anonymous]", not
 * "/dev/zero (deleted)" under -p and "mmap:[ino]" without).
 */
static void name_from_path(struct object *o, const char *path)
{
	static const char deleted[] = " (deleted)";
	const struct mechanism *m = mechanism_of(o->key.type);
	struct ipc_obj_info info = {};
	size_t n;

	if (path[0] != '/') {
		object_set_name(o, NULL);
		return;
	}
	g_strlcpy(info.name, path, sizeof(info.name));
	n = strlen(info.name);
	if (n > sizeof(deleted) - 1 && strcmp(info.name + n - (sizeof(deleted) - 1), deleted) == 0)
		info.name[n - (sizeof(deleted) - 1)] = '\0';
	if (m && m->describe && !mechanism_is_endpoint(o->key.type))
		m->describe(o, &info);
	else
		object_set_name(o, info.name);
}

/*
 * The object a scan found, if its type is traced: known already, or new
 * when the scan may create (a descriptor's link or a mapping's path names
 * a named object, a FIFO's path).
 */
static struct object *scanned_object(struct scan *sc, const struct ipc_obj_key *key,
				     const char *path)
{
	struct object *o;

	if (!(sc->type_mask & (1U << key->type)))
		return NULL;
	o = g_hash_table_lookup(sc->store->objects, key);
	if (!o && sc->create) {
		o = store_object(sc->store, key);
		name_from_path(o, path);
	} else if (o && o->name_is_default) {
		name_from_path(o, path);	/* counted before anyone named it */
	}
	return o;
}

static void visit_fd(const struct fd_ref *ref, void *ctx)
{
	struct scan *sc = ctx;

	for (size_t i = 0; i < nmechanisms; i++) {
		const struct mechanism *m = mechanisms[i];
		struct ipc_obj_key key;
		struct object *o;

		if (!(m->types & sc->type_mask) || !m->fd_object ||
		    !m->fd_object(ref, sc->named, &key))
			continue;
		o = scanned_object(sc, &key, ref->link);
		if (o)
			add_holder(sc, o, ref);
		return;
	}
}

static void visit_map(const struct map_ref *ref, void *ctx)
{
	struct scan *sc = ctx;

	for (size_t i = 0; i < nmechanisms; i++) {
		const struct mechanism *m = mechanisms[i];
		struct ipc_obj_key key;
		unsigned int mode = 0;
		struct object *o;

		if (!(m->types & sc->type_mask) || !m->map_object || !m->map_object(ref, &key, &mode))
			continue;
		o = scanned_object(sc, &key, ref->path);
		if (o)
			add_holder_mode(sc, o, ref->pid, -1, mode);
		return;
	}
}

/* Whether a scan of /proc/PID/maps can find anything the store wants. */
static bool wants_maps(struct store *s, unsigned int type_mask, bool create)
{
	GHashTableIter it;
	gpointer v;
	bool any = false;

	for (size_t i = 0; i < nmechanisms; i++)
		any |= mechanisms[i]->map_object && (mechanisms[i]->types & type_mask);
	if (!any || create)
		return any;
	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const struct mechanism *m = mechanism_of(((struct object *)v)->key.type);

		if (m && m->map_object)
			return true;
	}
	return false;
}

static void scan_init(struct scan *sc, struct store *s, unsigned int type_mask)
{
	memset(sc, 0, sizeof(*sc));
	sc->store = s;
	sc->type_mask = type_mask;
	sc->comms = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
}

void holders_refresh(struct store *s, unsigned int type_mask, pid_t self)
{
	struct scan sc;
	GHashTableIter it;
	gpointer v;

	if (g_hash_table_size(s->objects) == 0)
		return;
	scan_init(&sc, s, type_mask);
	sc.named = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct object *o = v;

		g_array_set_size(o->holders, 0);
		if (o->name && o->name[0] == '/')
			g_hash_table_add(sc.named, o->name);
	}
	proc_scan_fds(0, self, visit_fd, &sc);
	if (wants_maps(s, type_mask, false))
		proc_scan_maps(0, self, visit_map, &sc);
	g_hash_table_destroy(sc.named);
	g_hash_table_destroy(sc.comms);
}

void holders_of_process(struct store *s, unsigned int type_mask, pid_t pid)
{
	struct scan sc;

	scan_init(&sc, s, type_mask);
	sc.create = true;
	proc_scan_fds(pid, 0, visit_fd, &sc);
	if (wants_maps(s, type_mask, true))
		proc_scan_maps(pid, 0, visit_map, &sc);
	g_hash_table_destroy(sc.comms);
}
