/*
 * test-sanitize.c — the terminal sanitiser, the UTF-8 decoder under it, widths
 * and clipping. Security-critical: whatever the input, no control character and
 * no escape sequence may come out, and the output is always valid UTF-8.
 */
#include "unit.h"

#define S(in, out) assert_take_string(sanitize_text((in), 0), (out))
#define SN(in, out) assert_take_string(sanitize_text((in), SANITIZE_KEEP_NEWLINES), (out))

static void
plain_text_passes_unchanged(void **state)
{
	S("", "");
	S("Dépôt sauvage rue Victor-Hugo", "Dépôt sauvage rue Victor-Hugo");
	S("漢字 and emoji 😀", "漢字 and emoji 😀");
	assert_take_string(sanitize_text(NULL, 0), "");
}

static void
c0_controls_become_caret_notation(void **state)
{
	S("a\x1b[31mred", "a^[[31mred");
	S("\x01\x07\x08\x1f", "^A^G^H^_");
	S("bell\a", "bell^G");
	S("\x0b\x0c", "^K^L");
}

/* In these tables a literal is split ("\xff" "b") to end a hex escape. */
/* clang-format off */
static void
del_becomes_caret_question_mark(void **state)
{
	S("a\x7f" "b", "a^?b");
}

static void
c1_controls_become_code_points(void **state)
{
	S("\xc2\x9b" "31m", "<U+009B>31m");
	S("\xc2\x80\xc2\x9f", "<U+0080><U+009F>");
	S("next\xc2\x85line", "next<U+0085>line");
	/* Just above C1 is printable. */
	S("\xc2\xa0", "\xc2\xa0");
}

static void
line_breaks_become_spaces_or_lf(void **state)
{
	S("a\nb\r\nc\rd", "a b c d");
	SN("a\nb\r\nc\rd", "a\nb\nc\nd");
	SN("a\r\n\r\nb", "a\n\nb");
	/* The Unicode line and paragraph separators are line breaks too. */
	SN("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", "a\nb\nc");
	S("a\xe2\x80\xa8" "b", "a b");
}

static void
tabs_expand_to_eight_columns(void **state)
{
	S("\tx", "        x");
	S("ab\tx", "ab      x");
	S("abcdefgh\tx", "abcdefgh        x");
	/* Columns, not bytes: é is one column, 漢 two. */
	S("é\tx", "é       x");
	S("漢\tx", "漢      x");
	/* A new line starts a new column count. */
	SN("abc\n\tx", "abc\n        x");
}

static void
bidi_and_zero_width_characters_are_dropped(void **state)
{
	/* The "Trojan Source" overrides and isolates. */
	S("a\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad\xe2\x80\xae" "b", "ab");
	S("a\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9" "b", "ab");
	S("a\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c" "b", "ab");
	/* Zero width space, non-joiner, joiner, word joiner, BOM. */
	S("a\xe2\x80\x8b\xe2\x80\x8c\xe2\x80\x8d\xe2\x81\xa0\xef\xbb\xbf" "b", "ab");
	/* Unicode tag characters hide text from the reader. */
	S("a\xf3\xa0\x80\x81\xf3\xa0\x81\xbf" "b", "ab");
}

/*
 * Every Unicode format control (Cf) and default-ignorable code point is dropped:
 * each range at both ends, and the printable neighbours around it are kept, so
 * that the table is neither short nor too wide.
 */
static const struct {
	uint32_t first, last; /* dropped */
	uint32_t before, after; /* printable, kept (0: none to check) */
} invisible_cases[] = {
	{ 0x00ad, 0x00ad, 0x00ac, 0x00ae },    /* soft hyphen */
	{ 0x034f, 0x034f, 0x034e, 0x0350 },    /* combining grapheme joiner */
	{ 0x0600, 0x0605, 0, 0x0606 },	       /* Arabic number signs */
	{ 0x061c, 0x061c, 0x061b, 0 },	       /* Arabic letter mark */
	{ 0x06dd, 0x06dd, 0x06dc, 0x06de },    /* Arabic end of ayah */
	{ 0x070f, 0x070f, 0x070d, 0x0710 },    /* Syriac abbreviation mark */
	{ 0x0890, 0x0891, 0x088e, 0x0898 },    /* Arabic pound and piastre marks above */
	{ 0x08e2, 0x08e2, 0x08e1, 0x08e3 },    /* Arabic disputed end of ayah */
	{ 0x115f, 0x1160, 0x115e, 0x1161 },    /* Hangul choseong and jungseong fillers */
	{ 0x17b4, 0x17b5, 0x17b3, 0x17b6 },    /* Khmer inherent vowels */
	{ 0x180b, 0x180f, 0x180a, 0x1810 },    /* Mongolian variation selectors, vowel separator */
	{ 0x200b, 0x200f, 0x200a, 0x2010 },    /* zero width space … right-to-left mark */
	{ 0x202a, 0x202e, 0x2027, 0x202f },    /* bidi embeddings and overrides */
	{ 0x2060, 0x206f, 0x205f, 0x2070 },    /* word joiner, invisible operators, isolates */
	{ 0x3164, 0x3164, 0x3163, 0x3165 },    /* Hangul filler */
	{ 0xfe00, 0xfe0f, 0xfdfd, 0xfe10 },    /* variation selectors */
	{ 0xfeff, 0xfeff, 0xfefc, 0xff01 },    /* zero width no-break space (BOM) */
	{ 0xffa0, 0xffa0, 0xff9f, 0xffa1 },    /* halfwidth Hangul filler */
	{ 0xfff0, 0xfffb, 0xffee, 0xfffc },    /* interlinear annotation (and reserved) */
	{ 0x110bd, 0x110bd, 0x110bc, 0x110be }, /* Kaithi number sign */
	{ 0x110cd, 0x110cd, 0x110c1, 0 },      /* Kaithi number sign above */
	{ 0x13430, 0x1343f, 0x1342e, 0 },      /* Egyptian hieroglyph format controls */
	{ 0x1bca0, 0x1bca3, 0x1bc9f, 0 },      /* shorthand format controls */
	{ 0x1d173, 0x1d17a, 0x1d172, 0x1d17b }, /* musical symbol beams and phrases */
	{ 0xe0000, 0xe0fff, 0, 0 },	       /* tags, variation selectors supplement */
};

static void
assert_dropped(uint32_t cp)
{
	char in[16], enc[4];
	size_t n = utf8_encode(cp, enc);
	char *out;

	memcpy(in, "a", 1);
	memcpy(in + 1, enc, n);
	memcpy(in + 1 + n, "b", 2);
	out = sanitize_text(in, 0);
	if (strcmp(out, "ab") != 0)
		fail_msg("U+%04X: sanitize_text gave \"%s\", expected \"ab\"", cp, out);
	free(out);
	out = sanitize_header(in);
	if (strcmp(out, "ab") != 0)
		fail_msg("U+%04X: sanitize_header gave \"%s\", expected \"ab\"", cp, out);
	free(out);
	assert_true(text_invisible(cp));
}

static void
assert_kept(uint32_t cp)
{
	char in[8];
	size_t n = utf8_encode(cp, in);
	char *out;

	in[n] = '\0';
	out = sanitize_text(in, 0);
	if (strcmp(out, in) != 0)
		fail_msg("U+%04X: a printable neighbour was not kept", cp);
	free(out);
	assert_false(text_invisible(cp));
}

static void
every_format_control_is_dropped(void **state)
{
	size_t i;
	uint32_t cp;

	for (i = 0; i < nitems(invisible_cases); i++) {
		for (cp = invisible_cases[i].first; cp <= invisible_cases[i].last; cp++)
			assert_dropped(cp);
		if (invisible_cases[i].before != 0)
			assert_kept(invisible_cases[i].before);
		if (invisible_cases[i].after != 0)
			assert_kept(invisible_cases[i].after);
	}
	/* Ordinary text around them is untouched. */
	assert_kept('a');
	assert_kept(0xe9);
	assert_kept(0x1f600);
}

static void
invalid_utf8_becomes_replacement_characters(void **state)
{
	S("a\xff" "b", "a\xef\xbf\xbd" "b");
	S("\x80", "\xef\xbf\xbd");
	/* A truncated sequence is one replacement, not one per byte. */
	S("a\xe2\x82" "b", "a\xef\xbf\xbd" "b");
	S("end\xe2\x82", "end\xef\xbf\xbd");
	/* Overlong forms: "\xc0\x9b" must not sneak an ESC through. */
	S("\xc0\x9b", "\xef\xbf\xbd\xef\xbf\xbd");
	S("\xe0\x80\x9b", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* Surrogates and code points above U+10FFFF. */
	S("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	S("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* A raw C1 byte (an 8-bit CSI) is invalid UTF-8, not a control. */
	S("\x9b" "2J", "\xef\xbf\xbd" "2J");
}

/* clang-format on */

static void
utf8_decoder_reads_every_length(void **state)
{
	uint32_t cp;

	assert_int_equal(utf8_decode("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(utf8_decode("\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(utf8_decode("\xe2\x82\xac", 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	/* The length bounds the read: a sequence cut by len is invalid. */
	assert_int_equal(utf8_decode("\xe2\x82\xac", 2, &cp), 2);
	assert_int_equal(cp, UTF8_REPLACEMENT);
}

static void
utf8_encoder_round_trips(void **state)
{
	static const uint32_t cps[] = { 0, 0x7f, 0x80, 0x7ff, 0x800, 0xfffd, 0x10000, 0x10ffff };
	char buf[4];
	uint32_t cp;
	size_t i, n;

	for (i = 0; i < nitems(cps); i++) {
		n = utf8_encode(cps[i], buf);
		assert_int_equal(utf8_decode(buf, n, &cp), n);
		assert_int_equal(cp, cps[i]);
	}
	n = utf8_encode(0xd800, buf);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "\xef\xbf\xbd", 3);
}

static void
width_counts_columns(void **state)
{
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width(NULL), 0);
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("é"), 1);
	/* e + combining acute accent is one column. */
	assert_int_equal(text_width("e\xcc\x81"), 1);
	assert_int_equal(text_width("漢字"), 4);
	assert_int_equal(text_width("한국어"), 6);
	assert_int_equal(text_width("😀"), 2);
	assert_int_equal(text_width("…"), 1);
}

static void
clip_keeps_text_that_fits(void **state)
{
	assert_take_string(text_clip("hello", 5), "hello");
	assert_take_string(text_clip("hello", 80), "hello");
	assert_take_string(text_clip("", 3), "");
	assert_take_string(text_clip("漢字", 4), "漢字");
}

static void
clip_cuts_with_an_ellipsis(void **state)
{
	assert_take_string(text_clip("hello world", 8), "hello w…");
	assert_take_string(text_clip("hello", 4), "hel…");
	assert_take_string(text_clip("hello", 1), "…");
	assert_take_string(text_clip("hello", 0), "");
	assert_take_string(text_clip("hello", -3), "");
}

static void
clip_never_splits_a_wide_character(void **state)
{
	/* 漢字漢 is 6 columns; in 4 there is room for 漢 and the ellipsis only. */
	assert_take_string(text_clip("漢字漢", 4), "漢…");
	assert_take_string(text_clip("漢字漢", 5), "漢字…");
	assert_take_string(text_clip("a漢字", 3), "a…");
	assert_take_string(text_clip("漢字", 2), "…");
}

/* In these tables a literal is split ("\xff" "b") to end a hex escape. */
/* clang-format off */
static void
clip_keeps_combining_marks_with_their_base(void **state)
{
	/* "éé" written as e + U+0301 twice: two columns, four characters. */
	assert_take_string(text_clip("e\xcc\x81" "e\xcc\x81", 2), "e\xcc\x81" "e\xcc\x81");
	assert_take_string(text_clip("e\xcc\x81" "e\xcc\x81" "e", 2), "e\xcc\x81…");
	assert_take_string(text_clip("e\xcc\x81\xcc\x82xyz", 3), "e\xcc\x81\xcc\x82x…");
}

/* clang-format on */

static void
clip_sanitises_what_it_is_given(void **state)
{
	assert_take_string(text_clip("a\x1b[2Jb", 10), "a^[[2Jb");
	assert_take_string(text_clip("a\nb", 10), "a b");
	assert_take_string(text_clip("\x1b\x1b\x1b", 3), "^[…");
}

static void
header_values_lose_line_breaks_and_controls(void **state)
{
	assert_take_string(sanitize_header("Re: hello"), "Re: hello");
	assert_take_string(
	    sanitize_header("a\r\nBcc: victim@example.org"), "a Bcc: victim@example.org");
	assert_take_string(sanitize_header("a\nb\rc"), "a b c");
	assert_take_string(sanitize_header("  folded\r\n\tvalue  "), "folded value");
	assert_take_string(sanitize_header("x\x1b\x7f\xc2\x9by"), "xy");
	assert_take_string(sanitize_header("Réponse \xe2\x80\xae"
					   "evil"),
	    "Réponse evil");
	assert_take_string(sanitize_header("bad\xff"), "bad\xef\xbf\xbd");
	assert_take_string(sanitize_header(NULL), "");
}

/* --- Fuzzing ---------------------------------------------------------------- */

/* A small deterministic generator (xorshift), so that a failure can be replayed. */
static uint32_t fuzz_state = 2463534242u;

static uint32_t
fuzz_next(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 17;
	fuzz_state ^= fuzz_state << 5;
	return fuzz_state;
}

/*
 * Random bytes biased towards the dangerous ones: ESC, CSI, the lead bytes of
 * C1, bidi and overlong encodings, continuation bytes.
 */
static void
fuzz_fill(char *buf, size_t len)
{
	static const unsigned char hot[] = { 0x1b, 0x9b, 0x9d, 0x07, 0x08, 0x0d, 0x0a, 0x09, 0x7f,
		0xc2, 0xc0, 0xc1, 0xe0, 0xe2, 0x80, 0x81, 0xae, 0xa6, 0xef, 0xbb, 0xbf, 0xed, 0xf0,
		0xf4, 0xff, '[', ']', ';', 'P', '\\' };
	size_t i;
	uint32_t r;

	for (i = 0; i < len; i++) {
		r = fuzz_next();
		if (r % 3 == 0)
			buf[i] = (char)hot[(r >> 8) % sizeof hot];
		else
			buf[i] = (char)(1 + (r >> 8) % 255);
	}
	buf[len] = '\0';
}

/* The properties every sanitised string has, whatever went in. */
static void
assert_terminal_safe(const char *out, bool newlines, const char *in)
{
	const unsigned char *p;
	size_t len = strlen(out), i, n;
	uint32_t cp;

	if (!utf8_valid(out, len))
		fail_msg("invalid UTF-8 out of input of %zu bytes", strlen(in));
	for (p = (const unsigned char *)out; *p != '\0'; p++) {
		if (*p == '\n' && newlines)
			continue;
		if (*p < 0x20 || *p == 0x7f)
			fail_msg("control byte 0x%02x at offset %td", *p,
			    p - (const unsigned char *)out);
	}
	for (i = 0; i < len; i += n) {
		n = utf8_decode(out + i, len - i, &cp);
		if (cp >= 0x80 && cp < 0xa0)
			fail_msg("C1 control U+%04X at offset %zu", cp, i);
		if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
		    cp == 0x200e || cp == 0x200f || cp == 0x061c || cp == 0x00ad ||
		    (cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 || cp == 0xfeff ||
		    (cp >= 0xfe00 && cp <= 0xfe0f))
			fail_msg("invisible U+%04X at offset %zu", cp, i);
	}
}

static void
fuzzed_input_never_yields_a_control(void **state)
{
	char in[300], *out, *clipped;
	size_t len;
	int round, width;

	for (round = 0; round < 20000; round++) {
		len = fuzz_next() % (sizeof in - 1);
		fuzz_fill(in, len);
		out = sanitize_text(in, 0);
		assert_terminal_safe(out, false, in);
		assert_null(strchr(out, '\n'));
		free(out);

		out = sanitize_text(in, SANITIZE_KEEP_NEWLINES);
		assert_terminal_safe(out, true, in);
		assert_null(strchr(out, '\r'));
		free(out);

		out = sanitize_header(in);
		assert_terminal_safe(out, false, in);
		free(out);

		width = (int)(fuzz_next() % 40);
		clipped = text_clip(in, width);
		assert_terminal_safe(clipped, false, in);
		assert_true(text_width(clipped) <= width);
		free(clipped);
	}
}

static void
sanitising_twice_changes_nothing(void **state)
{
	char in[200], *once, *twice;
	int round;

	for (round = 0; round < 2000; round++) {
		fuzz_fill(in, fuzz_next() % (sizeof in - 1));
		once = sanitize_text(in, 0);
		twice = sanitize_text(once, 0);
		assert_string_equal(once, twice);
		free(once);
		free(twice);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_text_passes_unchanged),
		cmocka_unit_test(c0_controls_become_caret_notation),
		cmocka_unit_test(del_becomes_caret_question_mark),
		cmocka_unit_test(c1_controls_become_code_points),
		cmocka_unit_test(line_breaks_become_spaces_or_lf),
		cmocka_unit_test(tabs_expand_to_eight_columns),
		cmocka_unit_test(bidi_and_zero_width_characters_are_dropped),
		cmocka_unit_test(every_format_control_is_dropped),
		cmocka_unit_test(invalid_utf8_becomes_replacement_characters),
		cmocka_unit_test(utf8_decoder_reads_every_length),
		cmocka_unit_test(utf8_encoder_round_trips),
		cmocka_unit_test(width_counts_columns),
		cmocka_unit_test(clip_keeps_text_that_fits),
		cmocka_unit_test(clip_cuts_with_an_ellipsis),
		cmocka_unit_test(clip_never_splits_a_wide_character),
		cmocka_unit_test(clip_keeps_combining_marks_with_their_base),
		cmocka_unit_test(clip_sanitises_what_it_is_given),
		cmocka_unit_test(header_values_lose_line_breaks_and_controls),
		cmocka_unit_test(fuzzed_input_never_yields_a_control),
		cmocka_unit_test(sanitising_twice_changes_nothing),
	};

	log_open("test-sanitize", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
