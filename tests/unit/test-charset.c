/*
 * test-charset.c — charset_to_utf8 on the charsets mail really uses, labelled
 * right and labelled wrong: it never fails, and says when it had to guess.
 */
#include "unit.h"

/* Convert and compare; check the lossy flag too. */
static void
convert(const char *in, size_t len, const char *charset, const char *expected, bool expect_lossy)
{
	bool lossy = !expect_lossy;
	char *out;

	out = charset_to_utf8(in, len, charset, &lossy);
	assert_non_null(out);
	assert_string_equal(out, expected);
	if (lossy != expect_lossy)
		fail_msg("charset \"%s\": lossy is %d, expected %d", charset ? charset : "(null)",
		    lossy, expect_lossy);
	assert_true(utf8_valid(out, strlen(out)));
	free(out);
}

#define CONVERT(in, cs, out, lossy) convert((in), sizeof(in) - 1, (cs), (out), (lossy))

/* In these tables a literal is split ("\xff" "b") to end a hex escape. */
/* clang-format off */
static void
iso_8859_1(void **state)
{
	CONVERT("caf\xe9 cr\xe8me \xe0 l'\xe9t\xe9", "iso-8859-1", "café crème à l'été", false);
	CONVERT("Stra\xdf" "e", "ISO_8859-1", "Straße", false);
	CONVERT("\xa0\xa9\xff", "latin1", "\xc2\xa0©ÿ", false);
}

static void
latin1_label_hiding_windows_1252(void **state)
{
	/* The euro sign and curly quotes live in 0x80..0x9f only in windows-1252. */
	CONVERT("\x80 5, \x93" "devis\x94 \x85", "latin-1", "€ 5, “devis” …", false);
	CONVERT("l\x92" "avis", "iso-8859-1", "l’avis", false);
	CONVERT("\x80", "us-ascii", "€", false);
	CONVERT("\x96 \x97 \x99", "windows-1252", "– — ™", false);
}

static void
windows_1252_holes_become_c1_code_points(void **state)
{
	/* 0x81 is undefined in windows-1252: kept as U+0081 for the sanitiser to show. */
	CONVERT("a\x81" "b", "windows-1252", "a\xc2\x81" "b", false);
}

static void
ascii_or_latin1_label_hiding_utf8(void **state)
{
	CONVERT("d\xc3\xa9p\xc3\xb4t", "us-ascii", "dépôt", false);
	CONVERT("\xe2\x82\xac 12", "iso-8859-1", "€ 12", false);
}

static void
iso_8859_15(void **state)
{
	CONVERT("\xa4 \xa6\xa8 \xbc\xbd\xbe", "iso-8859-15", "€ Šš ŒœŸ", false);
}

static void
koi8_r(void **state)
{
	CONVERT("\xf0\xd2\xc9\xd7\xc5\xd4", "koi8-r", "Привет", false);
}

static void
shift_jis_is_read_as_cp932(void **state)
{
	CONVERT("\x93\xfa\x96\x7b", "shift_jis", "日本", false);
	/* ① is a Microsoft (CP932) extension, present in real "shift_jis" mail. */
	CONVERT("\x87\x40", "Shift_JIS", "①", false);
}

static void
gb2312_is_read_as_gbk(void **state)
{
	CONVERT("\xd6\xd0\xce\xc4", "gb2312", "中文", false);
	/* 丂 exists only in GBK: mailers label GBK as gb2312. */
	CONVERT("\xd6\xd0\x81\x40", "gb2312", "中丂", false);
	CONVERT("\xd6\xd0\xce\xc4", "GBK", "中文", false);
}

static void
other_asian_charsets(void **state)
{
	CONVERT("\xc7\xd1\xb1\xb9", "euc-kr", "한국", false);
	CONVERT("\x1b$B$3$s$K$A$O\x1b(B", "iso-2022-jp", "こんにちは", false);
}

static void
utf8_with_invalid_bytes_is_repaired(void **state)
{
	CONVERT("caf\xc3\xa9", "utf-8", "café", false);
	CONVERT("a\xff" "b", "utf-8", "a\xef\xbf\xbd" "b", true);
	CONVERT("caf\xe9", "UTF-8", "caf\xef\xbf\xbd", true);
	CONVERT("cut \xe2\x82", "utf8", "cut \xef\xbf\xbd", true);
	CONVERT("\xc0\xaf", "utf-8", "\xef\xbf\xbd\xef\xbf\xbd", true);
	/* A real U+FFFD in the input is not a loss. */
	CONVERT("\xef\xbf\xbd", "utf-8", "\xef\xbf\xbd", false);
}

static void
invalid_bytes_in_a_multibyte_charset(void **state)
{
	/* 0x80 starts nothing in GB18030; a lead byte cut off at the end. */
	CONVERT("\xd6\xd0\x80" "x", "gbk", "中\xef\xbf\xbdx", true);
	CONVERT("\xd6\xd0\xce", "gbk", "中\xef\xbf\xbd", true);
}

static void
utf8_behind_a_wrong_multibyte_label(void **state)
{
	/* Not valid Shift_JIS, valid UTF-8: the label lies. */
	CONVERT("d\xc3\xa9p\xc3\xb4t \xe2\x80\x93 \xe2\x82\xac", "shift_jis", "dépôt – €", true);
}

static void
unknown_charset_names(void **state)
{
	CONVERT("plain", "x-made-up", "plain", false);
	CONVERT("d\xc3\xa9j\xc3\xa0", "x-made-up", "déjà", false);
	CONVERT("d\xe9j\xe0 \x80", "x-made-up", "déjà €", true);
	CONVERT("d\xe9j\xe0", "", "déjà", true);
	CONVERT("d\xe9j\xe0", NULL, "déjà", true);
	CONVERT("ok", NULL, "ok", false);
}

static void
labels_are_normalised(void **state)
{
	CONVERT("caf\xe9", "\"ISO-8859-1\"", "café", false);
	CONVERT("caf\xe9", " Windows-1252 ", "café", false);
	CONVERT("\xf0\xd2\xc9\xd7\xc5\xd4", "KOI8-R", "Привет", false);
	/* Anything but a plain name is not given to iconv: the fallbacks decide. */
	CONVERT("caf\xe9", "koi8-r//TRANSLIT", "café", true);
	CONVERT("\xc3\xa9", "../../../tmp/evil", "é", false);
	CONVERT("caf\xe9", "iso-8859-1\x1b[2J", "café", true);
}

static void
nul_bytes_do_not_truncate(void **state)
{
	CONVERT("a\0b", "utf-8", "a\xef\xbf\xbd" "b", true);
	CONVERT("a\0b", "iso-8859-1", "a\xef\xbf\xbd" "b", true);
	CONVERT("a\0b", "koi8-r", "a\xef\xbf\xbd" "b", true);
}

/* clang-format on */

static void
empty_and_null_input(void **state)
{
	bool lossy = true;

	assert_take_string(charset_to_utf8("", 0, "utf-8", &lossy), "");
	assert_false(lossy);
	assert_take_string(charset_to_utf8(NULL, 0, "utf-8", &lossy), "");
	assert_take_string(charset_to_utf8("x", 1, "koi8-r", NULL), "x");
}

static void
long_input_grows_the_buffer(void **state)
{
	char in[20001], *out;
	size_t i;
	bool lossy;

	/* Each KOI8-R byte becomes two UTF-8 bytes: the output outgrows the input. */
	for (i = 0; i < sizeof in - 1; i++)
		in[i] = (char)0xf0;
	in[sizeof in - 1] = '\0';
	out = charset_to_utf8(in, sizeof in - 1, "koi8-r", &lossy);
	assert_int_equal(strlen(out), 2 * (sizeof in - 1));
	assert_false(lossy);
	assert_memory_equal(out + strlen(out) - 2, "П", 2);
	free(out);
}

static void
utf8_valid_is_strict(void **state)
{
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid("abc é 漢 😀", strlen("abc é 漢 😀")));
	assert_false(utf8_valid("\xc0\x80", 2));
	assert_false(utf8_valid("\xed\xa0\x80", 3));
	assert_false(utf8_valid("\xe2\x82", 2));
	assert_false(utf8_valid("\xf5\x80\x80\x80", 4));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(iso_8859_1),
		cmocka_unit_test(latin1_label_hiding_windows_1252),
		cmocka_unit_test(windows_1252_holes_become_c1_code_points),
		cmocka_unit_test(ascii_or_latin1_label_hiding_utf8),
		cmocka_unit_test(iso_8859_15),
		cmocka_unit_test(koi8_r),
		cmocka_unit_test(shift_jis_is_read_as_cp932),
		cmocka_unit_test(gb2312_is_read_as_gbk),
		cmocka_unit_test(other_asian_charsets),
		cmocka_unit_test(utf8_with_invalid_bytes_is_repaired),
		cmocka_unit_test(invalid_bytes_in_a_multibyte_charset),
		cmocka_unit_test(utf8_behind_a_wrong_multibyte_label),
		cmocka_unit_test(unknown_charset_names),
		cmocka_unit_test(labels_are_normalised),
		cmocka_unit_test(nul_bytes_do_not_truncate),
		cmocka_unit_test(empty_and_null_input),
		cmocka_unit_test(long_input_grows_the_buffer),
		cmocka_unit_test(utf8_valid_is_strict),
	};

	log_open("test-charset", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
