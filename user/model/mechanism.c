// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include "model/mechanism.h"
#include "model/rows.h"

/* The registry: a module's one line, in the order its types are listed. */
#define MECHANISMS(X) X(pipe) X(mq) X(msg) X(sock) X(shm) X(sem) X(signal) X(eventfd) X(pty) X(process_vm)

#define DECLARE(name) extern const struct mechanism name##_mechanism;
#define ENTRY(name) &name##_mechanism,
MECHANISMS(DECLARE)
const struct mechanism *const mechanisms[] = { MECHANISMS(ENTRY) };
const size_t nmechanisms = G_N_ELEMENTS(mechanisms);

/* A type's entry in its mechanism, NULL if no mechanism has it. */
static const struct mechanism_type *type_info(unsigned int type)
{
	const struct mechanism *m = type < IPC_TYPE_MAX ? mechanism_of(type) : NULL;

	for (size_t i = 0; m && i < MECHANISM_TYPES_MAX; i++)
		if (m->type_info[i].name && m->type_info[i].type == type)
			return &m->type_info[i];
	return NULL;
}

const char *ipc_type_name(unsigned int type)
{
	const struct mechanism_type *ti = type_info(type);

	return ti ? ti->name : "?";
}

int ipc_type_from_name(const char *name)
{
	for (int t = 1; t < IPC_TYPE_MAX; t++)
		if (type_info(t) && strcmp(type_info(t)->name, name) == 0)
			return t;
	return -1;
}

static const struct mechanism *find_mechanism(unsigned int type)
{
	for (size_t i = 0; i < nmechanisms; i++)
		if (mechanisms[i]->types & (1U << type))
			return mechanisms[i];
	return NULL;
}

/* Asked several times per row and interval: the search is done once. */
const struct mechanism *mechanism_of(unsigned int type)
{
	static const struct mechanism *of[IPC_TYPE_MAX];
	static gsize known;

	if (type >= IPC_TYPE_MAX)
		return find_mechanism(type);
	if (g_once_init_enter(&known)) {
		for (unsigned int t = 0; t < IPC_TYPE_MAX; t++)
			of[t] = find_mechanism(t);
		g_once_init_leave(&known, 1);
	}
	return of[type];
}

const char *mechanism_event_name(unsigned int type, unsigned int slot)
{
	const struct mechanism *m = mechanism_of(type);

	return m && slot < IPC_EVENTS ? m->event_names[slot] : NULL;
}

const char *mechanism_event_key(unsigned int type)
{
	const struct mechanism *m = mechanism_of(type);

	return m ? m->event_key : NULL;
}

const char *mechanism_label_name(unsigned int type)
{
	const struct mechanism *m = mechanism_of(type);

	return m ? m->label_name : NULL;
}

void mechanism_format_label(unsigned int type, __s64 label, char *buf, size_t len)
{
	const struct mechanism *m = mechanism_of(type);

	if (m && m->label_text)
		m->label_text(label, buf, len);
	else
		snprintf(buf, len, "%lld", (long long)label);
}

bool mechanism_labels_named(unsigned int type)
{
	const struct mechanism *m = mechanism_of(type);

	return m && m->label_text;
}

const char *mechanism_dev_key(unsigned int type)
{
	const struct mechanism *m = mechanism_of(type);

	return m && m->dev_key ? m->dev_key(type) : NULL;
}

void mechanism_format_dev(unsigned int type, __u32 dev, char *buf, size_t len)
{
	char text[24], *p = text + sizeof(text);
	__u32 minor, major;

	if (mechanism_dev_key(type))
		dev = 0;
	/* Every row's, each interval: without printf. */
	*--p = '\0';
	minor = dev & 0xfffff;
	major = dev >> 20;
	do {
		*--p = (char)('0' + minor % 10);
		minor /= 10;
	} while (minor);
	*--p = ':';
	do {
		*--p = (char)('0' + major % 10);
		major /= 10;
	} while (major);
	g_strlcpy(buf, p, len);
}

bool mechanism_is_endpoint(unsigned int type)
{
	const struct mechanism *m = mechanism_of(type);

	return m && m->endpoints;
}

bool mechanism_service(const struct object *o, char *buf, size_t len, bool *server)
{
	const struct mechanism *m = mechanism_of(o->key.type);

	return m && m->service && m->service(o, buf, len, server);
}

bool mechanism_is_held(unsigned int type)
{
	const struct mechanism *m = mechanism_of(type);

	return m && m->held;
}

bool mechanism_needs_writer(unsigned int type)
{
	const struct mechanism *m = mechanism_of(type);

	return m && m->needs_writer;
}

__s64 mechanism_exit_label(unsigned int type)
{
	const struct mechanism *m = mechanism_of(type);

	return m ? m->exit_label : 0;
}

const struct syscall_hook mechanism_transfer_syscalls[] = {
	{ __NR_read, IPCOP_READ },
	{ __NR_readv, IPCOP_READV },
	{ __NR_preadv2, IPCOP_READV },	/* offset -1 works on a pipe */
	{ __NR_write, IPCOP_WRITE },
	{ __NR_writev, IPCOP_WRITEV },
	{ __NR_pwritev2, IPCOP_WRITEV },
};
const size_t mechanism_ntransfer_syscalls = G_N_ELEMENTS(mechanism_transfer_syscalls);

const char *mechanism_bytes_method(unsigned int type)
{
	const struct mechanism *m = mechanism_of(type);

	return m ? m->bytes_method : NULL;
}

bool mechanism_link_is_named(GHashTable *named, const char *link)
{
	static const char deleted[] = " (deleted)";
	size_t n = strlen(link), d = sizeof(deleted) - 1;
	char *base;
	bool found;

	if (g_hash_table_contains(named, link))
		return true;
	if (n <= d || strcmp(link + n - d, deleted) != 0)
		return false;
	base = g_strndup(link, n - d);
	found = g_hash_table_contains(named, base);
	g_free(base);
	return found;
}

unsigned int mechanism_types(void)
{
	unsigned int mask = 0;

	for (size_t i = 0; i < nmechanisms; i++)
		mask |= mechanisms[i]->types;
	return mask;
}

const char *mechanism_type_list(void)
{
	static char list[128];

	if (list[0])
		return list;
	for (int t = 1; t < IPC_TYPE_MAX; t++) {
		if (!(mechanism_types() & (1U << t)))
			continue;
		if (list[0])
			strncat(list, ",", sizeof(list) - strlen(list) - 1);
		strncat(list, ipc_type_name(t), sizeof(list) - strlen(list) - 1);
	}
	return list;
}

/* include/linux/kdev_t.h: the kernel keeps dev_t as major << 20 | minor. */
__u32 mechanism_kernel_dev(dev_t dev)
{
	return (__u32)major(dev) << 20 | minor(dev);
}

int mechanism_parse_types(const char *arg, unsigned int *mask, char *err, size_t errlen)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	unsigned int m = 0;
	int ret = 0;

	if (!copy) {
		snprintf(err, errlen, "out of memory parsing '%s'", arg);
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int t = strcmp(tok, "all") == 0 ? 0 : ipc_type_from_name(tok);

		if (t == 0) {
			m |= mechanism_types();
		} else if (t < 0 || !(mechanism_types() & (1U << t))) {
			snprintf(err, errlen, "unknown type '%s': expected a list of %s", tok,
				 mechanism_type_list());
			ret = -1;
			break;
		} else {
			m |= 1U << t;
		}
	}
	free(copy);
	if (ret == 0 && m == 0) {
		snprintf(err, errlen, "empty type list '%s': expected e.g. pipe,fifo", arg);
		return -1;
	}
	if (ret == 0)
		*mask = m;
	return ret;
}

const char *mechanism_type_colour(unsigned int type)
{
	const struct mechanism_type *ti = type_info(type);

	return ti && ti->colour ? ti->colour : "#000000";
}
