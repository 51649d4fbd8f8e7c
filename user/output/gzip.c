// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <glib.h>
#include <zlib.h>
#include "output/gzip.h"

/* windowBits 15 + 16: a gzip header and trailer rather than zlib's. */
#define GZIP_WINDOW (15 + 16)

char *gzip_text(const char *text, size_t len, size_t *out_len)
{
	z_stream z = { 0 };
	size_t cap;
	char *out;

	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, GZIP_WINDOW, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&z, len);
	out = g_malloc(cap);
	z.next_in = (Bytef *)text;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		g_free(out);
		return NULL;
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

bool gzip_accepted(const char *accept_encoding)
{
	gchar **codings;
	bool yes = false;

	if (!accept_encoding)
		return false;
	codings = g_strsplit(accept_encoding, ",", -1);
	for (gchar **c = codings; *c; c++) {
		gchar **parts = g_strsplit(*c, ";", 2);
		const char *name = g_strstrip(parts[0]);
		const char *q = parts[1] ? strstr(g_strstrip(parts[1]), "q=") : NULL;
		bool refused = q && g_ascii_strtod(q + 2, NULL) <= 0;

		if (!g_ascii_strcasecmp(name, "gzip") || !strcmp(name, "*"))
			yes = !refused;
		g_strfreev(parts);
		if (yes)
			break;
	}
	g_strfreev(codings);
	return yes;
}
