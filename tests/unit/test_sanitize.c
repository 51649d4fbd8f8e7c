// SPDX-License-Identifier: GPL-2.0
/* The one sanitiser every name goes through on its way out (common/sanitize.h). */
#include <string.h>
#include <glib.h>
#include "unit.h"
#include "common/sanitize.h"

static void test_escapes(void **state)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "cat", "cat" },
		{ "", "" },
		{ "/tmp/caf\xc3\xa9", "/tmp/caf\xc3\xa9" },		/* UTF-8 stays */
		{ "\xe2\x9c\x93 ok", "\xe2\x9c\x93 ok" },
		{ "x\xff", "x\\xff" },					/* not UTF-8 */
		{ "f\x1b]2;PWNED\a\x1b[2J", "f\\x1b]2;PWNED\\x07\\x1b[2J" },	/* OSC, CSI */
		{ "a\nb\rc\td", "a\\x0ab\\x0dc\\x09d" },
		{ "del\x7f", "del\\x7f" },
		{ "c1\xc2\x9b" "2J", "c1\\xc2\\x9b2J" },			/* U+009B is CSI */
		{ "back\\slash", "back\\\\slash" },			/* cannot forge \x.. */
		{ "cut\xe2\x9c", "cut\\xe2\\x9c" },			/* a truncated sequence */
		{ "\xc0\xaf", "\\xc0\\xaf" },				/* overlong '/' */
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },			/* a surrogate */
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = name_escaped(cases[i].in);
		char buf[256];

		assert_string_equal(got, cases[i].want);
		assert_true(g_utf8_validate(got, -1, NULL));
		assert_string_equal(name_escape_buf(buf, sizeof(buf), cases[i].in), cases[i].want);
		assert_int_equal(name_is_clean(cases[i].in), strcmp(cases[i].in, got) == 0);
		g_free(got);
	}
	{
		char *none = name_escaped(NULL);

		assert_string_equal(none, "");
		g_free(none);
	}
}

/* A short buffer cuts between characters: never inside an escape or a
 * UTF-8 sequence. */
static void test_cut(void **state)
{
	char buf[6];

	(void)state;
	assert_string_equal(name_escape_buf(buf, sizeof(buf), "abcdefgh"), "abcde");
	assert_string_equal(name_escape_buf(buf, sizeof(buf), "ab\x1b" "cd"), "ab");
	assert_string_equal(name_escape_buf(buf, sizeof(buf), "abc\xc3\xa9xy"), "abc\xc3\xa9");
	assert_string_equal(name_escape_buf(buf, sizeof(buf), "abcd\xc3\xa9"), "abcd");
	assert_string_equal(name_escape_buf(buf, 1, "abc"), "");
}

/* Every byte value, alone and after a lead byte: the result is valid
 * UTF-8 with no control character, whatever went in. */
static void test_every_byte(void **state)
{
	(void)state;
	for (int lead = 0; lead < 256; lead++) {
		for (int b = 1; b < 256; b++) {
			char in[3] = { (char)(lead ? lead : b), (char)(lead ? b : 0), 0 };
			char *got = name_escaped(in);

			assert_true(g_utf8_validate(got, -1, NULL));
			for (const gchar *p = got; *p; p = g_utf8_next_char(p)) {
				gunichar c = g_utf8_get_char(p);

				assert_false(c < 0x20 || (c >= 0x7f && c <= 0x9f));
			}
			g_free(got);
		}
	}
}

/* -e's words: no blank left for awk, and nothing empty or mistaken for "-". */
static void test_word(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(name_escape_word_buf(buf, sizeof(buf), "a b=\"c\"\\"),
			    "a\\x20b=\"c\"\\\\");
	assert_string_equal(name_escape_word_buf(buf, sizeof(buf), "tab\there"), "tab\\x09here");
	assert_string_equal(name_escape_word_buf(buf, sizeof(buf), ""), "-");
	assert_string_equal(name_escape_word_buf(buf, sizeof(buf), "-"), "\\x2d");
	assert_string_equal(name_escape_word_buf(buf, sizeof(buf), "--"), "--");
	/* Cut at a whole escape, never inside one. */
	assert_string_equal(name_escape_word_buf(buf, 6, "ab cd"), "ab");
}

static void test_formula_guard(void **state)
{
	(void)state;
	assert_true(name_needs_formula_guard("=1+1"));
	assert_true(name_needs_formula_guard("+1"));
	assert_true(name_needs_formula_guard("-bash"));
	assert_true(name_needs_formula_guard("@x"));
	assert_false(name_needs_formula_guard("bash"));
	assert_false(name_needs_formula_guard(""));
	assert_false(name_needs_formula_guard("/tmp/=x"));
}

int run_sanitize_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_formula_guard),
		cmocka_unit_test(test_word),
	};

	return cmocka_run_group_tests_name("sanitize", tests, NULL, NULL);
}
