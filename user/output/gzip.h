/* SPDX-License-Identifier: GPL-2.0 */
/* gzip, for scrapers that send Accept-Encoding: gzip (zlib). */
#ifndef IPCTRACE_GZIP_H
#define IPCTRACE_GZIP_H

#include <stdbool.h>
#include <stddef.h>

/* A new buffer (g_free it) holding text gzipped, its length in *out_len;
 * NULL if zlib fails. */
char *gzip_text(const char *text, size_t len, size_t *out_len);

/* Whether an Accept-Encoding header's value accepts gzip (RFC 9110: a
 * coding named, or "*", without q=0). */
bool gzip_accepted(const char *accept_encoding);

#endif
