/* SPDX-License-Identifier: GPL-2.0 */
/* What the libFuzzer targets share. */
#ifndef IPCTRACE_FUZZ_H
#define IPCTRACE_FUZZ_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A broken property is a finding like a crash: abort, and libFuzzer keeps
 * the input that did it. */
#define FUZZ_CHECK(cond)                                                          \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                           \
			abort();                                                  \
		}                                                                 \
	} while (0)

/* The input as a string of exactly its length, NUL-terminated; to free. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

/* Reads the input front to back; past the end, zeros. */
struct fuzz_input {
	const uint8_t *data;
	size_t size, off;
};

static inline uint64_t fuzz_uint(struct fuzz_input *in, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | (in->off < in->size ? in->data[in->off++] : 0);
	return v;
}

/* Up to max bytes of the input, as they are (any byte but NUL), into buf. */
static inline void fuzz_string(struct fuzz_input *in, char *buf, size_t max)
{
	size_t n = fuzz_uint(in, 1) % (max + 1), i;

	for (i = 0; i < n && in->off < in->size && in->data[in->off]; i++)
		buf[i] = (char)in->data[in->off++];
	buf[i] = '\0';
}

#endif
