// SPDX-License-Identifier: GPL-2.0
/* One sanitiser for every name that leaves the program (sanitize.h). */
#include <stdio.h>
#include <string.h>
#include "common/sanitize.h"

/*
 * Length of the valid, printable UTF-8 character at s (1 to 4 bytes), or 0
 * if the byte at s must be escaped: a control, DEL, a C1 control (U+0080 to
 * U+009F, which some terminals obey as escapes: U+009B is CSI), or a byte
 * that does not start a well-formed sequence (overlong forms, surrogates and
 * code points past U+10FFFF included, as g_utf8_validate() judges them).
 * A word has no space either.
 */
static size_t printable_char(const unsigned char *s, bool word)
{
	gunichar c;
	size_t n;

	if (*s < 0x20 || *s == 0x7f || *s == '\\' || (word && *s == ' '))
		return 0;
	if (*s < 0x80)
		return 1;
	n = *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : *s >= 0xc0 ? 2 : 0;
	if (!n || strnlen((const char *)s, n) < n || !g_utf8_validate((const char *)s, n, NULL))
		return 0;
	c = g_utf8_get_char((const char *)s);
	if (c >= 0x80 && c <= 0x9f)
		return 0;
	return n;
}

/*
 * The next piece of the shown name: the character at *s as it is, or its
 * escape in esc. Sets *piece and returns its length, and moves *s past it.
 */
static size_t next_piece(const unsigned char **s, char esc[5], const char **piece, bool word)
{
	size_t n = printable_char(*s, word);

	if (n) {
		*piece = (const char *)*s;
		*s += n;
		return n;
	}
	if (**s == '\\')
		memcpy(esc, "\\\\", 3);
	else
		snprintf(esc, 5, "\\x%02x", **s);
	*piece = esc;
	(*s)++;
	return strlen(esc);
}

void name_escape(GString *out, const char *name)
{
	const unsigned char *s = (const unsigned char *)(name ? name : "");
	const char *piece;
	char esc[5];

	while (*s) {
		size_t n = next_piece(&s, esc, &piece, false);

		g_string_append_len(out, piece, n);
	}
}

static char *escape_buf(char *buf, size_t len, const char *name, bool word)
{
	const unsigned char *s = (const unsigned char *)(name ? name : "");
	const char *piece;
	size_t off = 0;
	char esc[5];

	if (!len)
		return buf;
	while (*s) {
		size_t n;

		/* Printable ASCII goes as it is, without a call: most names are. */
		if (name_byte_plain(*s) && !(word && *s == ' ')) {
			if (off + 1 >= len)
				break;
			buf[off++] = (char)*s++;
			continue;
		}
		n = next_piece(&s, esc, &piece, word);

		if (off + n >= len)
			break;
		memcpy(buf + off, piece, n);
		off += n;
	}
	buf[off] = '\0';
	return buf;
}

char *name_escape_buf(char *buf, size_t len, const char *name)
{
	return escape_buf(buf, len, name, false);
}

char *name_escape_word_buf(char *buf, size_t len, const char *name)
{
	/* Nothing would leave the field empty, and "-" says nothing: an empty
	 * name is "-", and a name that is "-" its escape. */
	if (!name || !name[0])
		name = "-";
	else if (!strcmp(name, "-"))
		name = "\\x2d";
	else
		return escape_buf(buf, len, name, true);
	snprintf(buf, len, "%s", name);
	return buf;
}

char *name_escaped(const char *name)
{
	GString *out = g_string_new(NULL);

	name_escape(out, name);
	return g_string_free(out, FALSE);
}

bool name_is_clean(const char *name)
{
	const unsigned char *s = (const unsigned char *)(name ? name : "");

	while (*s) {
		size_t n;

		/* Printable ASCII, told without a call: most names are. */
		if (name_byte_plain(*s)) {
			s++;
			continue;
		}
		n = printable_char(s, false);
		if (!n)
			return false;
		s += n;
	}
	return true;
}

bool name_needs_formula_guard(const char *escaped)
{
	return escaped && strchr("=+-@\t\r", escaped[0]) && escaped[0];
}
