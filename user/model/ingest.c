// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <sys/types.h>
#include "model/ingest.h"
#include "model/holders.h"
#include "model/mechanism.h"
#include "model/procfs.h"

GHashTable *ingest_procs_new(void)
{
	return g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
}

/* Titles not read for this many reads belong to processes gone or idle. */
#define TITLE_SWEEP 64

static gboolean title_stale(gpointer k, gpointer v, gpointer reads)
{
	(void)k;
	return GPOINTER_TO_UINT(reads) - ((struct title_memo *)v)->read > TITLE_SWEEP;
}

void ingest_begin(struct store *s)
{
	if (++s->reads % TITLE_SWEEP == 0)
		g_hash_table_foreach_remove(s->titles, title_stale, GUINT_TO_POINTER(s->reads));
}

/* The process's real uid from /proc, read once per read of the maps. */
static int memo_uid(struct proc_info *p, pid_t pid, __u32 *uid)
{
	if (!p)
		return proc_uid(pid, uid);
	if (!p->uid_read) {
		p->uid_ret = proc_uid(pid, &p->uid);
		p->uid_read = true;
	}
	*uid = p->uid;
	return p->uid_ret;
}

/*
 * Processes with one name (postgres, nginx) differ by the title they set, and
 * a title changes (a PostgreSQL backend's starts empty, then says `startup`,
 * then `idle`): every row of a process gets its latest, read once per
 * process and read of the maps while it runs. An empty read (a title being
 * rewritten) keeps the last one; a process gone keeps what was last read.
 */
static void ingest_title(struct store *s, struct row *r, bool gone)
{
	gpointer id = row_proc(r);
	struct title_memo *m = g_hash_table_lookup(s->titles, id);

	if (!m) {
		if (gone)
			return;
		m = g_new0(struct title_memo, 1);
		m->read = s->reads - 1;
		g_hash_table_insert(s->titles, id, m);
	}
	if (!gone && m->read != s->reads) {
		char *title = proc_title((pid_t)r->key.tgid, r->key.start);

		m->read = s->reads;
		if (title && g_strcmp0(title, m->title)) {
			if (m->title)
				g_ref_string_release(m->title);
			m->title = g_ref_string_new(title);
		}
		g_free(title);
	}
	/* One copy per process, its rows' references to it: 10,000 rows of a
	 * process held 10,000 copies. */
	if (m->title && r->title != m->title) {
		if (r->title)
			g_ref_string_release(r->title);
		r->title = g_ref_string_acquire(m->title);
	}
}

const struct proc_info *ingest_proc(GHashTable *procs, const struct ipc_proc_key *who,
				    const struct ipc_proc *kp)
{
	struct proc_info *p = g_new0(struct proc_info, 1);

	memcpy(p->comm, kp->comm, sizeof(p->comm));
	p->comm[COMM_LEN - 1] = '\0';
	p->exited = kp->exit_ns != 0;
	p->target = kp->target;
	p->cgroup_id = kp->cgroup_id;
	g_hash_table_insert(procs, proc_id(who->tgid, who->start), p);
	return p;
}

/*
 * A digest of what ingest_events() takes into a row's attrs and labels.
 * Seeded at random, so that no one can choose counts whose digest matches
 * another's: only a change that is missed could make it lie, and for that
 * 64 bits must collide by chance.
 */
static __u64 events_digest(const struct ipc_counters *c)
{
	static __u64 seed;
	__u64 words[IPC_EVENTS + 3], h;

	if (!seed)
		seed = ((__u64)g_random_int() << 32 | g_random_int()) | 1;
	memcpy(words, c->events, sizeof(c->events));
	words[IPC_EVENTS] = (__u64)c->first_label;
	words[IPC_EVENTS + 1] = c->first_label_ops;
	words[IPC_EVENTS + 2] = c->first_label_bytes;
	h = seed;
	for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
		h = (h ^ words[i]) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 32;
	}
	return h;
}

void ingest_events(struct row *r, const struct ipc_counters *c)
{
	__u64 digest = events_digest(c);

	r->wait_ns = c->wait_ns;
	/* Most rows' events do not move from one read to the next. The row is
	 * in the cache already; its attrs and labels are elsewhere in memory,
	 * and at thousands of rows a read waited on them for each. */
	if (r->events_seen && r->events_digest == digest)
		return;
	r->events_seen = true;
	r->events_digest = digest;
	if (c->first_label_ops)
		row_set_label(r, c->first_label, c->first_label_ops, c->first_label_bytes);
	for (unsigned int e = 0; e < IPC_EVENTS; e++) {
		const char *name = mechanism_event_name(r->key.type, e);

		if (name)
			store_attr_set(&r->attrs, &r->nattrs, name, (__s64)c->events[e]);
	}
}

bool ingest_counters(struct store *s, GHashTable *procs, const struct ipc_key *key,
		     const struct ipc_counters *c, struct row **row, bool *created)
{
	struct proc_info *p = g_hash_table_lookup(procs, proc_id(key->tgid, key->start));
	struct row *r = store_update(s, key, c->bytes, c->ops, created);
	bool gone;

	*row = r;
	ingest_events(r, c);
	/* A target the kernel made (-f, a command): its rows stay the
	 * target's after it exits, whatever its PID becomes. */
	if (p && p->target)
		r->of_target = true;
	if (p && *created)
		r->cgroup_id = p->cgroup_id;
	/* The process's own, from /proc while it runs: the kernel's is the
	 * uid of whoever made the row, a signal's sender for its target. */
	if (*created && ((p && p->exited) || memo_uid(p, (pid_t)key->tgid, &r->uid) != 0))
		r->uid = c->uid;
	if (!*created && p)
		row_set_comm(r, p->comm);	/* renamed by exec */
	/* No process entry (its map was full): ask /proc instead. */
	gone = p ? p->exited : !proc_is((pid_t)key->tgid, key->start);
	ingest_title(s, r, gone);
	if (gone)
		row_set_exited(r);
	return gone;
}

void ingest_new_row(struct row *r, GHashTable *procs, struct ipc_obj_info *info)
{
	struct proc_info *p = g_hash_table_lookup(procs, row_proc(r));
	const struct mechanism *m = mechanism_of(r->key.type);

	char comm[COMM_LEN];

	if (p)
		memcpy(comm, p->comm, sizeof(comm));
	else if (!proc_is((pid_t)r->key.tgid, r->key.start) ||
		 proc_comm((pid_t)r->key.tgid, comm, sizeof(comm)) != 0)
		strcpy(comm, "?");
	row_set_comm(r, comm);
	if (!info) {
		object_set_name(r->obj, NULL);
		return;
	}
	info->name[IPC_NAME_LEN - 1] = '\0';
	if (m && m->describe)
		m->describe(r->obj, info);
	else
		object_set_name(r->obj, info->name);
}

bool ingest_label(struct store *s, const struct ipc_label_key *key,
		  const struct ipc_label_counts *v)
{
	struct row *r = g_hash_table_lookup(s->live, &key->row);

	/* No row yet: it was created after the counters were read; next time. */
	if (!r)
		return false;
	row_set_label(r, key->label, v->ops, v->bytes);
	return r->exited;
}

bool ingest_hist(struct store *s, const struct ipc_key *key, const struct ipc_hist *h)
{
	struct row *r = g_hash_table_lookup(s->live, key);

	if (!r)
		return false;	/* created after the counters were read: next time */
	if (!r->hist)
		r->hist = g_new(struct ipc_hist, 1);
	*r->hist = *h;
	return r->exited;
}

/* Marks the objects key names as removed by tgid; false if there is none. */
static bool mark_removed(struct store *s, const struct ipc_removal_key *key, __u32 tgid)
{
	GHashTableIter it;
	gpointer v;
	bool found = false;

	g_hash_table_iter_init(&it, s->objects);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct object *o = v;
		bool same = o->key.type == key->type && o->key.dev == key->dev &&
			    (key->name[0] ? o->name && o->name[0] == '/' &&
					    strcmp(o->name + 1, key->name) == 0
					  : (__u32)o->key.ino == key->id);

		found |= same;
		if (same && !store_attr_find(o->attrs, o->nattrs, "removed_by"))
			store_attr_set(&o->attrs, &o->nattrs, "removed_by", tgid);
	}
	return found;
}

/* Reads a removal waits for its object: rows made while the kernel's
 * counters were being read are seen only at the next read, and a removal
 * read just after them would find nothing. */
#define REMOVAL_TRIES 8

void ingest_removal(struct store *s, struct ipc_removal_key *key, __u32 tgid)
{
	struct pending_removal p = { .key = *key, .tgid = tgid };

	key->name[REMOVAL_NAME_LEN - 1] = '\0';
	p.key.name[REMOVAL_NAME_LEN - 1] = '\0';
	if (!mark_removed(s, &p.key, tgid) && s->pending_removals->len < MAX_REMOVALS)
		g_array_append_val(s->pending_removals, p);
}

void ingest_pending_removals(struct store *s)
{
	for (guint i = 0; i < s->pending_removals->len;) {
		struct pending_removal *p = &g_array_index(s->pending_removals, struct pending_removal, i);

		if (mark_removed(s, &p->key, p->tgid) || ++p->tries >= REMOVAL_TRIES)
			g_array_remove_index_fast(s->pending_removals, i);
		else
			i++;
	}
}

bool ingest_dest(struct store *s, const struct ipc_dest_key *key, __u64 count)
{
	const struct mechanism *m = mechanism_of(key->sock.type);
	struct object *o = g_hash_table_lookup(s->objects, &key->sock);
	bool live = false;

	if (m && m->dest)
		m->dest(s, &key->sock, &key->dest, count);
	for (guint j = 0; o && j < o->rows->len; j++)
		live |= !((struct row *)g_ptr_array_index(o->rows, j))->exited;
	return o && !live && o->rows->len;
}

void ingest_refresh(struct store *s, unsigned int type_mask)
{
	for (size_t m = 0; m < nmechanisms; m++)
		if ((mechanisms[m]->types & type_mask) && mechanisms[m]->refresh)
			mechanisms[m]->refresh(s);
}

void ingest_start(struct store *s, unsigned int type_mask, const struct kernel_ops *kops)
{
	for (size_t i = 0; i < nmechanisms; i++)
		if ((mechanisms[i]->types & type_mask) && mechanisms[i]->start)
			mechanisms[i]->start(s, kops);
}

void ingest_watch_target(struct store *s, struct object *o, const struct kernel_ops *kops)
{
	const struct mechanism *m = mechanism_of(o->key.type);

	if (m && m->watch_target)
		m->watch_target(s, o, kops);
}
