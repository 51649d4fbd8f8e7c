/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names come from users: a comm, a path, a cgroup, a process title may hold
 * any byte but NUL, escape sequences that drive a terminal included, and
 * bytes that are not UTF-8. Every name that leaves the program goes through
 * here first: printable, valid UTF-8, and unable to pass for other text.
 */
#ifndef IPCTRACE_SANITIZE_H
#define IPCTRACE_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

/*
 * Append name to out, with each control character (C0, DEL, C1), each byte
 * that is not part of valid UTF-8 and each backslash escaped as strace
 * shows them: "\x1b", "\xff", "\\". Valid printable UTF-8 stays as it is.
 */
void name_escape(GString *out, const char *name);

/* The same into buf (always terminated, cut at a character, never inside
 * an escape or a UTF-8 sequence). Returns buf. */
char *name_escape_buf(char *buf, size_t len, const char *name);

/*
 * One word, for text that awk splits at blanks (-e's lines): as
 * name_escape_buf, and each space "\x20" too; an empty name is "-", and a
 * name that is "-" is "\x2d".
 */
char *name_escape_word_buf(char *buf, size_t len, const char *name);

/* A new string (g_free it). */
char *name_escaped(const char *name);

/* Whether name is already safe as it is (nothing would be escaped). */
bool name_is_clean(const char *name);

/* A byte every form shows as it is, with no look at what follows: printable
 * ASCII but the backslash (a word escapes its spaces besides). */
static inline bool name_byte_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

/*
 * A spreadsheet takes a CSV cell starting with =, +, -, @, a tab or a
 * carriage return for a formula: such a name gets a leading ' (OWASP's
 * advice), which spreadsheets show as text and do not display.
 */
bool name_needs_formula_guard(const char *escaped);

#endif
