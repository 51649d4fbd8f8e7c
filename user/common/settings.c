// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "common/settings.h"

static const char *const sort_names[SORT_KEYS] = {
	[SORT_BYTES] = "bytes", [SORT_OPS] = "ops", [SORT_TOTAL] = "total",
	[SORT_PID] = "pid", [SORT_COMM] = "comm", [SORT_TYPE] = "type",
};

const char *sort_key_name(enum sort_key key)
{
	return sort_names[key];
}

int sort_key_from_name(const char *name)
{
	for (int i = 0; i < SORT_KEYS; i++)
		if (strcmp(name, sort_names[i]) == 0)
			return i;
	return -1;
}
