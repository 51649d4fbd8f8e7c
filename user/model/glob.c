// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "model/glob.h"

/* The byte set of a bracket at p (just past its [); returns the bytes it
 * took, its ] included, 0 if it has no ], -1 for a class. */
static int bracket(const char *p, __u64 bit, struct comm_glob *g)
{
	const char *q = p;
	bool negate = *q == '!' || *q == '^';
	bool take[256] = { false };

	if (negate)
		q++;
	/* A ] first is itself. */
	do {
		unsigned char lo = (unsigned char)*q, hi;

		if (!lo)
			return 0;
		if (lo == '[' && (q[1] == ':' || q[1] == '=' || q[1] == '.'))
			return -1;
		if (lo == '\\' && q[1])
			lo = (unsigned char)*++q;
		hi = lo;
		if (q[1] == '-' && q[2] && q[2] != ']') {
			q += 2;
			if (*q == '\\' && q[1])
				q++;
			hi = (unsigned char)*q;
		}
		for (unsigned int c = lo; c <= hi; c++)
			take[c] = true;
		q++;
	} while (*q != ']');
	for (unsigned int c = 1; c < 256; c++)
		if (take[c] != negate)
			g->accept[c] |= bit;
	return (int)(q + 1 - p);
}

int comm_glob_compile(const char *pattern, struct comm_glob *g)
{
	const char *p = pattern;
	__u32 t = 0;

	memset(g, 0, sizeof(*g));
	while (*p) {
		__u64 bit = 1ULL << t;
		int n;

		if (t >= GLOB_TOKENS)
			return -1;
		if (*p == '*') {
			g->stars |= bit;
			while (*p == '*')
				p++;
		} else if (*p == '?') {
			for (unsigned int c = 1; c < 256; c++)
				g->accept[c] |= bit;
			p++;
		} else if (*p == '[' && (n = bracket(p + 1, bit, g)) != 0) {
			if (n < 0)
				return -1;
			p += 1 + n;
		} else {
			if (*p == '\\' && p[1])
				p++;
			g->accept[(unsigned char)*p] |= bit;
			p++;
		}
		t++;
	}
	g->ntokens = t;
	return 0;
}
