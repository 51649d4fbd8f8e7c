// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "model/mechanism.h"

const struct mechanism *const mechanisms[] = {
	&pipe_mechanism,
	&mq_mechanism,
	&msg_mechanism,
	&sock_mechanism,
	&shm_mechanism,
	&sem_mechanism,
	&signal_mechanism,
	&eventfd_mechanism,
};
const size_t nmechanisms = G_N_ELEMENTS(mechanisms);

/* The names users type with -t and read in the TYPE column and JSON. */
static const char *const type_names[IPC_TYPE_MAX] = {
	[IPC_PIPE] = "pipe",
	[IPC_FIFO] = "fifo",
	[IPC_MQ] = "mq",
	[IPC_MSG] = "msg",
	[IPC_SHM] = "shm",
	[IPC_POSIX_SHM] = "posix_shm",
	[IPC_MMAP] = "mmap",
	[IPC_UNIX] = "unix",
	[IPC_TCP] = "tcp",
	[IPC_UDP] = "udp",
	[IPC_SEM] = "sem",
	[IPC_SIGNAL] = "signal",
	[IPC_EVENTFD] = "eventfd",
};

const char *ipc_type_name(unsigned int type)
{
	if (type < IPC_TYPE_MAX && type_names[type])
		return type_names[type];
	return "?";
}

int ipc_type_from_name(const char *name)
{
	for (int t = 1; t < IPC_TYPE_MAX; t++)
		if (type_names[t] && strcmp(type_names[t], name) == 0)
			return t;
	return -1;
}

const struct mechanism *mechanism_of(unsigned int type)
{
	for (size_t i = 0; i < nmechanisms; i++)
		if (mechanisms[i]->types & (1U << type))
			return mechanisms[i];
	return NULL;
}

const char *mechanism_event_name(unsigned int type, unsigned int slot)
{
	const struct mechanism *m = mechanism_of(type);

	return m && slot < IPC_EVENTS ? m->event_names[slot] : NULL;
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

void mechanism_format_dev(unsigned int type, __u32 dev, char *buf, size_t len)
{
	const struct mechanism *m = mechanism_of(type);

	if (m && m->format_dev)
		m->format_dev(type, dev, buf, len);
	else
		snprintf(buf, len, "%u:%u", dev >> 20, dev & 0xfffff);
}

bool mechanism_is_endpoint(unsigned int type)
{
	const struct mechanism *m = mechanism_of(type);

	return m && m->endpoints;
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
		strncat(list, type_names[t], sizeof(list) - strlen(list) - 1);
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

/*
 * One colour per type, told apart on a projector and in print; the graph's
 * legend lists those drawn. Edges of a type not listed here are black.
 */
static const char *const type_colour[IPC_TYPE_MAX] = {
	[IPC_PIPE] = "#1f77b4",		/* blue */
	[IPC_FIFO] = "#17becf",		/* cyan */
	[IPC_MQ] = "#2ca02c",		/* green */
	[IPC_MSG] = "#8c9a00",		/* olive */
	[IPC_SHM] = "#d62728",		/* red */
	[IPC_POSIX_SHM] = "#ff7f0e",	/* orange */
	[IPC_MMAP] = "#8c564b",		/* brown */
	[IPC_SEM] = "#e377c2",		/* pink */
	[IPC_UNIX] = "#9467bd",		/* purple */
	[IPC_TCP] = "#393b79",		/* navy */
	[IPC_UDP] = "#7f7f7f",		/* grey */
};

const char *mechanism_type_colour(unsigned int type)
{
	return type < IPC_TYPE_MAX && type_colour[type] ? type_colour[type] : "#000000";
}
