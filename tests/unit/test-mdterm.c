/*
 * test-mdterm.c — Markdown and mail text laid out for a terminal: the lines
 * (as plain text) and the styles of their spans, wrapping in columns.
 */
#include "unit.h"

/* Render and compare the plain text of the layout. */
static void
render_is(const char *markdown, int width, const char *expected)
{
	struct md_doc *doc = mdterm_render(markdown, width);

	assert_take_string(mdterm_to_text(doc), expected);
	mdterm_free(doc);
}

static void
plain_is(const char *text, int width, const char *expected)
{
	struct md_doc *doc = mdterm_plain(text, width);

	assert_take_string(mdterm_to_text(doc), expected);
	mdterm_free(doc);
}

/* The style of the span holding needle, in any line; -1 when absent. */
static int
style_of(const struct md_doc *doc, const char *needle)
{
	size_t i, j;

	for (i = 0; i < doc->nlines; i++) {
		for (j = 0; j < doc->lines[i].nspans; j++) {
			if (strstr(doc->lines[i].spans[j].text, needle) != NULL)
				return doc->lines[i].spans[j].style;
		}
	}
	return -1;
}

/* No line is wider than the width. */
static void
assert_fits(const struct md_doc *doc, int width)
{
	struct strbuf sb;
	size_t i, j;

	for (i = 0; i < doc->nlines; i++) {
		strbuf_init(&sb);
		for (j = 0; j < doc->lines[i].nspans; j++)
			strbuf_puts(&sb, doc->lines[i].spans[j].text);
		if (text_width(sb.buf) > width)
			fail_msg("line %zu is %d columns, more than %d: \"%s\"", i,
			    text_width(sb.buf), width, sb.buf);
		strbuf_free(&sb);
	}
}

static void
paragraphs_wrap_at_spaces(void **state)
{
	render_is("The quick brown fox jumps over the lazy dog.", 20,
	    "The quick brown fox\njumps over the lazy\ndog.\n");
	render_is("one\ntwo\n\nthree", 80, "one two\n\nthree\n");
	render_is("", 80, "");
}

static void
words_longer_than_a_line_are_cut(void **state)
{
	render_is("abcdefghijklmnopqrstuvwxyz end", 10, "abcdefghij\nklmnopqrst\nuvwxyz end\n");
}

/* In these tables a literal is split ("\xff" "b") to end a hex escape. */
/* clang-format off */
static void
wide_characters_wrap_by_columns(void **state)
{
	struct md_doc *doc;

	/* Ten CJK characters are twenty columns. */
	render_is("漢字漢字漢字漢字漢字漢字", 10, "漢字漢字漢\n字漢字漢字\n漢字\n");
	/* Combining marks take no column and stay with their letter. */
	render_is("e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81"
		  "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "x",
	    10, "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81"
		"e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81\nx\n");
	doc = mdterm_render("Un texte en français, 漢字 et des mots assez longs pour "
			    "passer à la ligne plusieurs fois de suite.", 17);
	assert_fits(doc, 17);
	mdterm_free(doc);
}

/* clang-format on */

static void
inline_styles(void **state)
{
	struct md_doc *doc;

	doc = mdterm_render("plain *emph* **strong** `code` ***both***", 80);
	assert_take_string(mdterm_to_text(doc), "plain emph strong code both\n");
	assert_int_equal(style_of(doc, "plain"), MD_PLAIN);
	assert_int_equal(style_of(doc, "emph"), MD_EMPH);
	assert_int_equal(style_of(doc, "strong"), MD_STRONG);
	assert_int_equal(style_of(doc, "code"), MD_CODE);
	assert_int_equal(style_of(doc, "both"), MD_EMPH | MD_STRONG);
	mdterm_free(doc);
}

static void
links_show_their_address(void **state)
{
	struct md_doc *doc;

	doc = mdterm_render("See [the form](https://ville.example/form) now.", 80);
	assert_take_string(mdterm_to_text(doc), "See the form <https://ville.example/form> now.\n");
	assert_int_equal(style_of(doc, "the form"), MD_LINK);
	assert_int_equal(style_of(doc, "https://ville.example/form"), MD_URL);
	mdterm_free(doc);
	/* The address is not repeated when it is the text. */
	render_is("<https://ville.example/>", 80, "https://ville.example/\n");
	render_is("<agent@ville.example>", 80, "agent@ville.example\n");
	render_is("![plan](https://x.example/p.png)", 80, "[plan] <https://x.example/p.png>\n");
}

static void
headings_are_styled_and_underlined(void **state)
{
	struct md_doc *doc;

	doc = mdterm_render("# Title\n\n## Part\n\n### Small\n\ntext", 80);
	assert_take_string(mdterm_to_text(doc), "Title\n═════\n\nPart\n────\n\nSmall\n\ntext\n");
	assert_int_equal(style_of(doc, "Title"), MD_HEADING);
	assert_int_equal(style_of(doc, "Small"), MD_HEADING);
	assert_int_equal(style_of(doc, "text"), MD_PLAIN);
	mdterm_free(doc);
}

static void
block_quotes_are_prefixed(void **state)
{
	struct md_doc *doc;

	doc = mdterm_render("> quoted words that wrap\n>\n> > inner", 16);
	assert_take_string(mdterm_to_text(doc), "> quoted words\n> that wrap\n>\n> > inner\n");
	assert_true(style_of(doc, "quoted") & MD_QUOTE);
	assert_true(style_of(doc, "inner") & MD_QUOTE);
	assert_int_equal(doc->lines[0].indent, 2);
	assert_int_equal(doc->lines[3].indent, 4);
	mdterm_free(doc);
}

static void
lists_have_hanging_indents(void **state)
{
	struct md_doc *doc;

	doc = mdterm_render("- first item that wraps\n- second\n  - nested", 16);
	assert_take_string(
	    mdterm_to_text(doc), "• first item\n  that wraps\n• second\n  ◦ nested\n");
	assert_int_equal(doc->lines[1].indent, 2);
	assert_int_equal(doc->lines[3].indent, 4);
	mdterm_free(doc);
	render_is("3. three\n4. four wraps here", 12, "3. three\n4. four wraps\n   here\n");
	render_is("1) a\n2) b", 80, "1) a\n2) b\n");
	/* A loose list keeps blank lines between its items. */
	render_is("- a\n\n- b", 80, "• a\n\n• b\n");
	render_is("- \n- b", 80, "•\n• b\n");
}

static void
code_blocks_are_indented_not_wrapped(void **state)
{
	struct md_doc *doc;

	doc = mdterm_render("text\n\n```\nif (x)\n\treturn a_very_long_identifier;\n```\n", 20);
	assert_take_string(mdterm_to_text(doc),
	    "text\n\n    if (x)\n            return a_very_long_identifier;\n");
	assert_true(style_of(doc, "if (x)") & MD_CODE);
	mdterm_free(doc);
	render_is("    indented code", 80, "    indented code\n");
}

static void
breaks_and_rules(void **state)
{
	render_is("line one  \nline two", 80, "line one\nline two\n");
	render_is("line one\\\nline two", 80, "line one\nline two\n");
	render_is("a\n\n---\n\nb", 10, "a\n\n──────────\n\nb\n");
}

static void
raw_html_is_shown_as_text(void **state)
{
	render_is("a <b>bold</b> c", 80, "a <b>bold</b> c\n");
	render_is("<div>\n<script>x</script>\n</div>", 80, "<div>\n<script>x</script>\n</div>\n");
}

/* In these tables a literal is split ("\xff" "b") to end a hex escape. */
/* clang-format off */
static void
text_is_sanitised(void **state)
{
	render_is("evil \x1b[2J and \xe2\x80\xae" "drow", 80, "evil ^[[2J and drow\n");
	render_is("`\x1b]0;title\x07`", 80, "^[]0;title^G\n");
	render_is("```\n\x1b[31mred\n```", 80, "    ^[[31mred\n");
	render_is("[x](javascript:\x1b[1m)", 80, "x <javascript:^[[1m>\n");
	plain_is("bad\xff" "byte \x9b", 80, "bad\xef\xbf\xbd" "byte \xef\xbf\xbd\n");
}

/* clang-format on */

static void
hostile_nesting_does_not_explode(void **state)
{
	struct strbuf sb;
	struct md_doc *doc;
	int i;

	strbuf_init(&sb);
	for (i = 0; i < 500; i++)
		strbuf_puts(&sb, "> ");
	strbuf_puts(&sb, "deep");
	doc = mdterm_render(sb.buf, 80);
	assert_true(style_of(doc, "deep") & MD_QUOTE);
	mdterm_free(doc);
	strbuf_reset(&sb);
	for (i = 0; i < 200; i++) {
		strbuf_printf(&sb, "%*s- x\n", i * 2, "");
	}
	doc = mdterm_render(sb.buf, 80);
	assert_true(doc->nlines > 0);
	mdterm_free(doc);
	strbuf_free(&sb);
}

static void
plain_mail_text_keeps_lines_and_wraps(void **state)
{
	struct md_doc *doc;

	plain_is("Bonjour,\n\n*not emphasis* and # not a heading\n", 80,
	    "Bonjour,\n\n*not emphasis* and # not a heading\n");
	plain_is("a long line of mail text\r\nnext", 10, "a long\nline of\nmail text\nnext\n");
	plain_is("\tindented", 80, "        indented\n");
	doc = mdterm_plain("> quoted\nnormal", 80);
	assert_true(style_of(doc, "quoted") & MD_QUOTE);
	assert_int_equal(style_of(doc, "normal"), MD_PLAIN);
	mdterm_free(doc);
	plain_is("", 80, "");
	plain_is(NULL, 80, "");
}

static void
zero_width_means_no_wrapping(void **state)
{
	render_is("a long paragraph that would wrap at any sensible width", 0,
	    "a long paragraph that would wrap at any sensible width\n");
	plain_is("a long line that would wrap", -1, "a long line that would wrap\n");
}

static void
everything_fits_its_width(void **state)
{
	static const char md[] =
	    "# Demande de passeport pour un enfant mineur\n\n"
	    "Bonjour, je souhaite **renouveler** le passeport de ma fille. "
	    "Voir [le formulaire](https://www.service-public.fr/particuliers/vosdroits/F1342).\n\n"
	    "> Citation d'un message précédent qui est assez longue pour être coupée.\n\n"
	    "1. Pièce d'identité du parent\n2. Justificatif de domicile de moins de trois mois\n"
	    "   - facture d'électricité\n   - avis d'imposition\n";
	struct md_doc *doc;
	int width;

	for (width = 20; width <= 100; width += 7) {
		doc = mdterm_render(md, width);
		assert_fits(doc, width);
		mdterm_free(doc);
	}
}

/* A small deterministic generator (xorshift), so that a failure can be replayed. */
static uint32_t fuzz_state = 88172645u;

static uint32_t
fuzz_next(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 17;
	fuzz_state ^= fuzz_state << 5;
	return fuzz_state;
}

/* Every span of every line is valid UTF-8 without a control character. */
static void
assert_doc_safe(const struct md_doc *doc)
{
	const unsigned char *p;
	size_t i, j;

	for (i = 0; i < doc->nlines; i++) {
		for (j = 0; j < doc->lines[i].nspans; j++) {
			p = (const unsigned char *)doc->lines[i].spans[j].text;
			if (!utf8_valid((const char *)p, strlen((const char *)p)))
				fail_msg("line %zu span %zu is not valid UTF-8", i, j);
			for (; *p != '\0'; p++) {
				if (*p < 0x20 || *p == 0x7f ||
				    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0))
					fail_msg("line %zu span %zu holds a control", i, j);
			}
		}
	}
}

static void
fuzzed_markdown_is_always_safe(void **state)
{
	static const char pieces[][8] = { "*", "_", "**", "`", "```", "[", "](", ")", "<", ">",
		"> ", "# ", "- ", "1. ", "\n", "\n\n", "  \n", "\t", "\\", "\x1b[", "\xc2\x9b",
		"\xe2\x80\xae", "\xff", "\xe2\x82", "漢", "e\xcc\x81", "http:", "word", " ", "    ",
		"<b>", "---" };
	struct strbuf sb;
	struct md_doc *doc;
	int round, n;

	strbuf_init(&sb);
	for (round = 0; round < 3000; round++) {
		strbuf_reset(&sb);
		for (n = (int)(fuzz_next() % 60); n > 0; n--)
			strbuf_puts(&sb, pieces[fuzz_next() % nitems(pieces)]);
		doc = mdterm_render(sb.buf, (int)(fuzz_next() % 100));
		assert_doc_safe(doc);
		mdterm_free(doc);
		doc = mdterm_plain(sb.buf, (int)(fuzz_next() % 100));
		assert_doc_safe(doc);
		mdterm_free(doc);
	}
	strbuf_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paragraphs_wrap_at_spaces),
		cmocka_unit_test(words_longer_than_a_line_are_cut),
		cmocka_unit_test(wide_characters_wrap_by_columns),
		cmocka_unit_test(inline_styles),
		cmocka_unit_test(links_show_their_address),
		cmocka_unit_test(headings_are_styled_and_underlined),
		cmocka_unit_test(block_quotes_are_prefixed),
		cmocka_unit_test(lists_have_hanging_indents),
		cmocka_unit_test(code_blocks_are_indented_not_wrapped),
		cmocka_unit_test(breaks_and_rules),
		cmocka_unit_test(raw_html_is_shown_as_text),
		cmocka_unit_test(text_is_sanitised),
		cmocka_unit_test(hostile_nesting_does_not_explode),
		cmocka_unit_test(plain_mail_text_keeps_lines_and_wraps),
		cmocka_unit_test(zero_width_means_no_wrapping),
		cmocka_unit_test(everything_fits_its_width),
		cmocka_unit_test(fuzzed_markdown_is_always_safe),
	};

	log_open("test-mdterm", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
