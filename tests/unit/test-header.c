/*
 * test-header.c — header.c, the header block of mail from the wild: folding
 * and line ends, RFC 2047 encoded words (split characters, mixed charsets,
 * words that never end), RFC 2231 values, addresses and Message-IDs, control
 * bytes that must neither cut a value short nor glue its words, and a scan
 * that stays linear on hostile input.
 */
#include "unit.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail.h"

#define PARSE(h, text) headers_parse((h), (text), sizeof(text) - 1)

static void
decode_is(const char *value, const char *expected, bool expect_lossy)
{
	bool lossy = false;
	char *got = header_decode(value, &lossy);

	if (strcmp(got, expected) != 0)
		fail_msg(
		    "header_decode(\"%s\"): expected \"%s\", got \"%s\"", value, expected, got);
	if (lossy != expect_lossy)
		fail_msg(
		    "header_decode(\"%s\"): lossy %d, expected %d", value, lossy, expect_lossy);
	free(got);
}

static void
folded_lines_are_unfolded_and_the_body_offset_returned(void **state)
{
	struct headers h;
	size_t off = PARSE(&h, "Subject: un\r\n\tdeux\r\n trois\r\nFrom: a@b.example\r\n\r\nbody");

	assert_int_equal(h.n, 2);
	assert_string_equal(headers_get(&h, "subject"), "un\tdeux trois");
	assert_string_equal(headers_get(&h, "FROM"), "a@b.example");
	assert_int_equal(
	    off, sizeof("Subject: un\r\n\tdeux\r\n trois\r\nFrom: a@b.example\r\n\r\n") - 1);
	headers_free(&h);
}

static void
bare_lf_mbox_separator_and_stray_lines(void **state)
{
	struct headers h;

	/* The "From " line of an mbox (or an Exim pipe) is not a header. */
	PARSE(&h,
	    "From sender@example.org Mon Mar  2 10:00:00 2026\nTo: x@y.example\n"
	    "broken line without a colon\nSubject:  s \n\nbody\n");
	assert_int_equal(h.n, 2);
	assert_string_equal(headers_get(&h, "To"), "x@y.example");
	assert_string_equal(headers_get(&h, "Subject"), "s ");
	assert_null(headers_get(&h, "From"));
	headers_free(&h);
}

static void
no_header_block_at_all(void **state)
{
	struct headers h;

	assert_int_equal(PARSE(&h, "\x89PNG\r\n\x1a\n binary"), 0);
	assert_int_equal(h.n, 0);
	headers_free(&h);
}

static void
nul_and_control_bytes_become_spaces(void **state)
{
	struct headers h;
	char *addr, *name;

	/* A NUL used to end the value there: the address after it was lost. */
	PARSE(&h,
	    "From: Jean\0Dupont <jean.dupont@example.org>\nSubject: a\x01"
	    "b\x1b[31mc\x7f"
	    "d\n\n");
	assert_string_equal(headers_get(&h, "From"), "Jean Dupont <jean.dupont@example.org>");
	assert_string_equal(headers_get(&h, "Subject"), "a b [31mc d");
	assert_int_equal(header_mailbox(headers_get(&h, "From"), &addr, &name), 0);
	assert_string_equal(addr, "jean.dupont@example.org");
	assert_string_equal(name, "Jean Dupont");
	free(addr);
	free(name);
	headers_free(&h);
}

static void
headers_past_the_thousandth_are_counted(void **state)
{
	struct strbuf sb;
	struct headers h;
	int i;

	strbuf_init(&sb);
	for (i = 0; i < 1005; i++)
		strbuf_printf(&sb, "X-N: %d\n", i);
	strbuf_puts(&sb, "\nbody");
	headers_parse(&h, sb.buf, sb.len);
	assert_int_equal(h.n, 1000);
	assert_int_equal(h.dropped, 5);
	headers_free(&h);
	strbuf_free(&sb);
}

static void
encoded_words_q_and_b(void **state)
{
	decode_is("=?iso-8859-1?q?D=E9p=F4t_sauvage?=", "Dépôt sauvage", false);
	decode_is("=?UTF-8?B?QnJ1aXQgbm9jdHVybmU=?=", "Bruit nocturne", false);
	/* Missing padding, as some clients write it. */
	decode_is("=?utf-8?b?w6l0w6k?=", "été", false);
	/* RFC 2231 adds a language to the charset (RFC 2047 as amended). */
	decode_is("=?utf-8*fr?q?=C3=A9t=C3=A9?=", "été", false);
}

static void
white_space_between_encoded_words_is_not_text(void **state)
{
	decode_is("=?utf-8?q?un?= =?utf-8?q?_deux?=", "un deux", false);
	decode_is("=?utf-8?q?un?=\t =?utf-8?q?deux?=", "undeux", false);
	/* Between a word and text it stays. */
	decode_is("Re: =?utf-8?q?caf=C3=A9?= fermé", "Re: café fermé", false);
}

static void
a_character_split_across_two_words_is_joined(void **state)
{
	/* "é" is C3 A9: each half alone is invalid UTF-8. */
	decode_is("=?utf-8?q?caf=C3?= =?utf-8?q?=A9?=", "café", false);
	decode_is("=?UTF-8?B?Y2Fmww==?= =?UTF-8?B?qQ==?=", "café", false);
}

static void
words_in_different_charsets(void **state)
{
	decode_is("=?iso-8859-1?q?=E9?= =?utf-8?q?=C3=A9?= =?iso-2022-jp?B?GyRCRnw4bBsoQg==?=",
	    "éé日語", false);
}

static void
what_is_not_an_encoded_word_stays_as_written(void **state)
{
	decode_is("=?utf-8?q?never ends", "=?utf-8?q?never ends", false);
	decode_is("=?utf-8?x?unknown encoding?=", "=?utf-8?x?unknown encoding?=", false);
	decode_is("=?utf-8?q?has space?=", "=?utf-8?q?has space?=", false);
	decode_is("=??q?no charset?=", "=??q?no charset?=", false);
	decode_is("a =? b ?= c", "a =? b ?= c", false);
	decode_is("", "", false);
}

static void
raw_8bit_headers(void **state)
{
	decode_is("Caf\xc3\xa9 ferm\xc3\xa9", "Café fermé", false);
	decode_is("Fran\xe7ois", "François", false);
}

static void
unknown_charset_is_decoded_best_effort_and_flagged(void **state)
{
	bool lossy = false;
	char *got = header_decode("=?x-unheard-of?q?caf=E9?=", &lossy);

	assert_true(utf8_valid(got, strlen(got)));
	assert_non_null(strstr(got, "caf"));
	assert_true(lossy);
	free(got);
	/* A clean word after the guess does not clear the flag. */
	lossy = false;
	got = header_decode("=?x-unheard-of?q?caf=E9?= =?utf-8?q?_ok?=", &lossy);
	assert_true(lossy);
	free(got);
}

static void
encoded_controls_become_spaces(void **state)
{
	decode_is("=?utf-8?q?a=00b=0Dc=0Ad?=", "a b c d", false);
	decode_is("=?utf-8?b?YQBi?=", "a b", false);
}

/*
 * Run fn in a child with a CPU budget a hundred times what a linear scan
 * needs: a quadratic one (a 4 MB subject took 21 s) is killed by SIGXCPU.
 * CPU time, not wall time: a loaded machine does not change the outcome.
 */
static void
within_cpu_budget(void (*fn)(void), int seconds)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { (rlim_t)seconds, (rlim_t)seconds + 1 };

		setrlimit(RLIMIT_CPU, &rl);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("killed by signal %d after %d s of CPU: the scan is not linear",
		    WTERMSIG(status), seconds);
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
decode_unterminated_words(void)
{
	struct strbuf sb;
	bool lossy = false;
	char *got;
	size_t i;

	strbuf_init(&sb);
	for (i = 0; i < 8 * 1024 * 1024 / 12; i++)
		strbuf_puts(&sb, "=?utf-8?q?a ");
	got = header_decode(sb.buf, &lossy);
	if (strcmp(got, sb.buf) != 0)
		_exit(1);
	free(got);
	/* The same with no blank at all: "=?" after "=?" up to the end. */
	for (i = 0; i < sb.len; i++) {
		if (sb.buf[i] == ' ')
			sb.buf[i] = 'b';
	}
	got = header_decode(sb.buf, &lossy);
	if (strcmp(got, sb.buf) != 0)
		_exit(1);
	free(got);
	strbuf_free(&sb);
}

static void
unterminated_words_are_scanned_once(void **state)
{
	within_cpu_budget(decode_unterminated_words, 10);
}

static void
decode_2231(void **state)
{
	bool lossy = false;

	assert_take_string(header_decode_2231("utf-8'fr'%C3%A9t%C3%A9.pdf", &lossy), "été.pdf");
	assert_take_string(header_decode_2231("iso-8859-1''d%E9p%F4t.txt", &lossy), "dépôt.txt");
	/* No charset part: plain (or RFC 2047) text. */
	assert_take_string(header_decode_2231("plain.txt", &lossy), "plain.txt");
	assert_take_string(header_decode_2231("''%41%42", &lossy), "AB");
	/* A stray "%" or "%4" stays. */
	assert_take_string(header_decode_2231("utf-8''100%25 %4", &lossy), "100% %4");
	assert_take_string(header_decode_2231("utf-8''a%00b", &lossy), "a b");
	assert_false(lossy);
}

static void
mailbox_forms(void **state)
{
	static const struct {
		const char *value, *addr, *name;
	} cases[] = {
		{ "Jean Dupont <Jean.Dupont@Example.ORG>", "jean.dupont@example.org",
		    "Jean Dupont" },
		{ "\"Dupont, Jean\" <jd@example.org>", "jd@example.org", "Dupont, Jean" },
		{ "\"Jean \\\"JD\\\" Dupont\" <jd@example.org>", "jd@example.org",
		    "Jean \"JD\" Dupont" },
		{ "=?utf-8?q?Ren=C3=A9e?= <r@example.fr>", "r@example.fr", "Renée" },
		{ "jd@example.org (Jean Dupont)", "jd@example.org", "Jean Dupont" },
		{ "  jd@example.org  ", "jd@example.org", "" },
		{ "\"a <b@c>\" <real@example.org>", "real@example.org", "a <b@c>" },
	};
	char *addr, *name;
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		if (header_mailbox(cases[i].value, &addr, &name) != 0)
			fail_msg("\"%s\": no mailbox found", cases[i].value);
		assert_string_equal(addr, cases[i].addr);
		assert_string_equal(name, cases[i].name);
		free(addr);
		free(name);
	}
	assert_int_equal(header_mailbox("Undisclosed recipients:;", &addr, &name), -1);
	assert_int_equal(header_mailbox("@example.org", &addr, &name), -1);
	assert_int_equal(header_mailbox(NULL, &addr, &name), -1);
}

static void
address_lists_and_groups(void **state)
{
	char **list = NULL;
	size_t n = 0, i;

	header_addresses(
	    "\"Dupont, Jean\" <JD@example.org>, b@example.org; "
	    "Équipe: c@example.org, d@example.org;, (commentaire, virgule) e@example.org",
	    &list, &n);
	assert_int_equal(n, 5);
	assert_string_equal(list[0], "jd@example.org");
	assert_string_equal(list[1], "b@example.org");
	assert_string_equal(list[2], "c@example.org");
	assert_string_equal(list[3], "d@example.org");
	assert_string_equal(list[4], "e@example.org");
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

static void
message_ids(void **state)
{
	char **list = NULL;
	size_t n = 0, i;
	struct strbuf sb;

	header_msgids("<a@x> <b @ y>\n <c@z>", &list, &n);
	assert_int_equal(n, 3);
	assert_string_equal(list[1], "<b@y>");
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	list = NULL;
	n = 0;
	header_msgids("bare.id@example.org (comment)", &list, &n);
	assert_int_equal(n, 1);
	assert_string_equal(list[0], "<bare.id@example.org>");
	free(list[0]);
	free(list);

	/* A long References keeps the newest 64: they are the ones that thread. */
	strbuf_init(&sb);
	for (i = 0; i < 100; i++)
		strbuf_printf(&sb, "<id%zu@example.org> ", i);
	list = NULL;
	n = 0;
	header_msgids(sb.buf, &list, &n);
	assert_int_equal(n, 64);
	assert_string_equal(list[0], "<id36@example.org>");
	assert_string_equal(list[63], "<id99@example.org>");
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	strbuf_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(folded_lines_are_unfolded_and_the_body_offset_returned),
		cmocka_unit_test(bare_lf_mbox_separator_and_stray_lines),
		cmocka_unit_test(no_header_block_at_all),
		cmocka_unit_test(nul_and_control_bytes_become_spaces),
		cmocka_unit_test(headers_past_the_thousandth_are_counted),
		cmocka_unit_test(encoded_words_q_and_b),
		cmocka_unit_test(white_space_between_encoded_words_is_not_text),
		cmocka_unit_test(a_character_split_across_two_words_is_joined),
		cmocka_unit_test(words_in_different_charsets),
		cmocka_unit_test(what_is_not_an_encoded_word_stays_as_written),
		cmocka_unit_test(raw_8bit_headers),
		cmocka_unit_test(unknown_charset_is_decoded_best_effort_and_flagged),
		cmocka_unit_test(encoded_controls_become_spaces),
		cmocka_unit_test(unterminated_words_are_scanned_once),
		cmocka_unit_test(decode_2231),
		cmocka_unit_test(mailbox_forms),
		cmocka_unit_test(address_lists_and_groups),
		cmocka_unit_test(message_ids),
	};

	log_open("test-header", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
