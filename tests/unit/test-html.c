/*
 * test-html.c — html.c: HTML-only mail made into text an agent can read:
 * blocks and line breaks, lists, quotes, links with their address, images by
 * their alt text, what is not text dropped, entities decoded, tag soup read
 * without failing, and linear on hostile input.
 */
#include "unit.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail.h"

static void
text_is(const char *html, const char *expected)
{
	char *got = html_to_text(html, strlen(html));

	if (strcmp(got, expected) != 0)
		fail_msg("html_to_text(\"%s\"):\n expected \"%s\"\n      got \"%s\"", html,
		    expected, got);
	free(got);
}

static void
paragraphs_and_line_breaks(void **state)
{
	text_is("<p>un</p><p>deux<br>trois</p>", "un\n\ndeux\ntrois");
	text_is("<div>a</div><div>b</div>", "a\nb");
	text_is("<h1>Titre</h1>texte", "Titre\n\ntexte");
	/* Blank lines never pile up, trailing blanks go. */
	text_is("<p></p><p></p><br><br><br><p>x   </p>\n\n", "x");
	text_is("  espaces\n\n  et \t lignes  ", "espaces et lignes");
}

static void
lists_quotes_and_rules(void **state)
{
	text_is("<ul><li>un</li><li>deux</li></ul>", "- un\n- deux");
	text_is("<blockquote>cité<blockquote>deux fois</blockquote></blockquote>après",
	    "> cité\n> > deux fois\napr\xc3\xa8s");
	text_is("a<hr>b", "a\n----\nb");
	text_is("<table><tr><td>c1</td><td>c2</td></tr><tr><td>c3</td></tr></table>", "c1 c2\nc3");
}

static void
preformatted_text_keeps_its_lines(void **state)
{
	text_is("<pre>  a\n  b</pre>", "  a\n  b");
}

static void
links_and_images(void **state)
{
	text_is("Voir <a href=\"https://carte.example.org/p/12\">la carte</a>.",
	    "Voir la carte <https://carte.example.org/p/12>.");
	/* The address is not repeated when the text already shows it. */
	text_is("<a href='https://x.example'>https://x.example</a>", "https://x.example");
	/* Only addresses worth following are shown. */
	text_is("<a href=\"mailto:a@b.example\">écrire</a>", "écrire");
	text_is("<a href=javascript:alert(1)>clic</a>", "clic");
	text_is("<img src=x alt=\"plan du quartier\"><img src=y alt=\"\">", "[plan du quartier]");
}

static void
what_is_not_text_is_dropped(void **state)
{
	text_is("<html><head><title>T</title><style>p{color:red}</style></head>"
		"<body>corps<script>alert('x')</script> fin</body></html>",
	    "corps fin");
	text_is("a<!-- caché -->b", "ab");
	text_is("a<!-- jamais fermé", "a");
	text_is("<SCRIPT>x</SCRIPT>y", "y");
}

static void
entities(void **state)
{
	text_is("&eacute;t&#233; &#x20AC; &lt;b&gt; &quot;&apos;&amp;", "été € <b> \"'&");
	text_is("a&nbsp;b&#160;c", "a b c");
	/* Not entities: kept as written. */
	text_is("&amp &unknown; AT&T", "&amp &unknown; AT&T");
	/* NUL and controls vanish, what is no character becomes U+FFFD. */
	text_is("a&#0;b&#x1b;c&#99999999;d&#xD800;e",
	    "abc\xef\xbf\xbd"
	    "d\xef\xbf\xbd"
	    "e");
	text_is("&shy;&zwj;x", "x");
}

static void
tag_soup(void **state)
{
	text_is("a < b et c > d", "a < b et c > d");
	text_is("1<2", "1<2");
	text_is("<p class=\"x>y\">ok</p>", "ok");
	text_is("avant<a href=\"jamais fermé", "avant");
	text_is("<b>gras<i>et</b>italique</i>",
	    "graset"
	    "italique");
	text_is("", "");
}

static void
quotes_are_bounded(void **state)
{
	struct strbuf sb;
	char *got;
	int i;

	strbuf_init(&sb);
	for (i = 0; i < 50; i++)
		strbuf_puts(&sb, "<blockquote>");
	strbuf_puts(&sb, "x");
	got = html_to_text(sb.buf, sb.len);
	assert_string_equal(got, "> > > > > > > > x");
	free(got);
	strbuf_free(&sb);
}

static void
hostile_soup(void)
{
	static const char *const pieces[] = { "<!--", "<a href=\"http://x.example/", "&#",
		"&eacute", "<li>", "<blockquote>", "<p>", "<pre>", "<img alt='", "<" };
	struct strbuf sb;
	size_t i, k;
	char *got;

	for (k = 0; k < nitems(pieces); k++) {
		strbuf_init(&sb);
		for (i = 0; sb.len < 4 * 1024 * 1024; i++)
			strbuf_puts(&sb, pieces[k]);
		got = html_to_text(sb.buf, sb.len);
		free(got);
		strbuf_free(&sb);
	}
}

/* As in test-header.c: a CPU budget a linear scan meets a hundred times over. */
static void
hostile_input_stays_linear(void **state)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 20, 21 };

		setrlimit(RLIMIT_CPU, &rl);
		hostile_soup();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("killed by signal %d after 20 s of CPU: not linear", WTERMSIG(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paragraphs_and_line_breaks),
		cmocka_unit_test(lists_quotes_and_rules),
		cmocka_unit_test(preformatted_text_keeps_its_lines),
		cmocka_unit_test(links_and_images),
		cmocka_unit_test(what_is_not_text_is_dropped),
		cmocka_unit_test(entities),
		cmocka_unit_test(tag_soup),
		cmocka_unit_test(quotes_are_bounded),
		cmocka_unit_test(hostile_input_stays_linear),
	};

	log_open("test-html", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
