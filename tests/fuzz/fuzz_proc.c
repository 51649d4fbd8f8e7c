// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: every parser of text ipctrace reads from /proc, fed the
 * same input. /proc is the kernel's, but a parser that trusts its shape
 * turns a format change, a path with spaces or a truncated read into a
 * crash on a production machine.
 *
 * The input is copied to a buffer of its exact length plus the NUL, so
 * AddressSanitizer sees any read past the end; line parsers get each line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <glib.h>
#include "model/cgroup.h"
#include "model/procfs.h"
#include "mechanisms/sock.h"
#include "model/sysv.h"
#include "fuzz.h"

static void parse_line(const char *line)
{
	size_t n = strlen(line);
	char *copy = malloc(n + 1);	/* proc_parse_maps_line writes into its line */
	struct map_ref ref = { 0 };
	struct sysv_entry sysv;
	struct net_entry net;
	struct unix_entry unx;
	char *mnt;

	memcpy(copy, line, n + 1);
	if (proc_parse_maps_line(copy, &ref))
		FUZZ_CHECK(ref.ino != 0 && ref.perms[3] == 's' && ref.path >= copy &&
			   ref.path <= copy + n);
	if (sysv_parse_line(line, &sysv))
		FUZZ_CHECK(sysv.ncols >= 2 && sysv.ncols <= SYSV_COLUMNS);
	sock_parse_net_line(line, AF_INET, &net);
	sock_parse_net_line(line, AF_INET6, &net);
	if (sock_parse_unix_line(line, &unx) && unx.name.family)
		FUZZ_CHECK(unx.name.path_len > 0 && unx.name.path_len <= SOCK_PATH_LEN + 1);
	mnt = cgroup_parse_mountinfo(line);
	g_free(mnt);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *line, *save = NULL;
	long long value;

	proc_parse_stat_start_time(text);
	proc_parse_fdinfo_field(text, "eventfd-id", &value);
	proc_parse_fdinfo_field(text, "flags", &value);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		parse_line(line);
	free(text);
	return 0;
}
