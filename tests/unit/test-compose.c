/*
 * test-compose.c — compose.c and compose-text.c: the replies a citizen's
 * client receives. Headers folded under 78 characters where a fold is
 * possible and never past 998, display names in RFC 2047 words with the
 * address outside, no header injection, internationalised addresses only
 * with SMTPUTF8, Markdown as readable plain text and as safe HTML, RFC 2231
 * attachment names that read back whole (through mime.c's own parser).
 */
#include "unit.h"

#include "mail.h"

static struct outgoing
base(void)
{
	struct outgoing o = {
		.from = "voirie@ville.example",
		.to = "jean.dupont@example.org",
		.subject = "[Guichet #1] Nid de poule",
		.body = "Bonjour.",
		.message_id = "<guichet.1.2.x@ville.example>",
		.ticket = 1,
	};
	return o;
}

static char *
compose(const struct outgoing *o)
{
	size_t len;
	char *cause = NULL, *m = compose_message(o, &len, &cause);

	if (m == NULL)
		fail_msg("compose_message refused: %s", cause);
	assert_int_equal(strlen(m), len);
	return m;
}

/* The header block as lines (CR LF apart), each checked against the limits. */
static void
header_lines_fold(const char *m)
{
	const char *p = m, *eol;
	size_t n;

	while ((eol = strstr(p, "\r\n")) != NULL && eol != p) {
		n = eol - p;
		if (n > 998)
			fail_msg("a header line of %zu characters", n);
		/* Past 78 only as one token that no fold could break. */
		if (n > 78 && memchr(p + 1, ' ', n - 1) != NULL &&
		    !(p[0] == ' ' && memchr(p + 1, ' ', n - 1) == NULL))
			fail_msg(
			    "a header line of %zu characters that could fold: %.*s", n, (int)n, p);
		p = eol + 2;
	}
}

/* The value of a header, unfolded, as written (encoded words left as they are). */
static char *
header(const char *m, const char *name)
{
	struct headers h;
	const char *v;
	char *copy;

	headers_parse(&h, m, strlen(m));
	v = headers_get(&h, name);
	copy = v != NULL ? xstrdup(v) : NULL;
	headers_free(&h);
	return copy;
}

static struct mail_options options = {
	.max_size = 1 << 24, .max_attachment = 1 << 24, .tag_prefix = "Guichet"
};

static void
a_long_accented_subject_folds_and_reads_back(void **state)
{
	struct outgoing o = base();
	struct mail back;
	char *m;

	o.subject = "[Guichet #2] Demande d'intervention urgente : éclairage public défaillant "
		    "sur toute la rue Jean-Jaurès, près de l'école élémentaire Jules-Ferry";
	m = compose(&o);
	header_lines_fold(m);
	mail_parse(&back, m, strlen(m), &options);
	assert_string_equal(back.subject, o.subject);
	/* The tag stays readable in the raw header. */
	assert_non_null(strstr(m, "Subject: [Guichet #2] Demande"));
	mail_free(&back);
	free(m);
}

static void
an_unbreakable_subject_never_passes_998(void **state)
{
	struct outgoing o = base();
	struct strbuf s;
	struct mail back;
	char *m;
	int i;

	strbuf_init(&s);
	strbuf_puts(&s, "https://example.org/");
	for (i = 0; i < 300; i++)
		strbuf_puts(&s, "abcdefghij");
	o.subject = s.buf;
	m = compose(&o);
	header_lines_fold(m);
	mail_parse(&back, m, strlen(m), &options);
	assert_string_equal(back.subject, s.buf);
	mail_free(&back);
	free(m);
	strbuf_free(&s);
}

static void
display_names_encoded_with_the_address_outside(void **state)
{
	struct outgoing o = base();
	struct mail back;
	char *m, *to;

	o.from_name = "Ville d'Exemple – Voirie";
	o.to = "Renée Lefèvre <renee@example.fr>, \"Dupont, Jean\" <jd@example.org>, "
	       "=?utf-8?q?=E5=B1=B1=E7=94=B0?= <yamada@example.jp>";
	m = compose(&o);
	header_lines_fold(m);
	to = header(m, "To");
	/* RFC 2047 5: no address inside an encoded word. */
	assert_non_null(strstr(to, "?= <renee@example.fr>"));
	assert_non_null(strstr(to, "\"Dupont, Jean\" <jd@example.org>"));
	assert_non_null(strstr(to, "?= <yamada@example.jp>"));
	mail_parse(&back, m, strlen(m), &options);
	assert_string_equal(back.from_name, "Ville d'Exemple – Voirie");
	assert_string_equal(back.from_addr, "voirie@ville.example");
	assert_int_equal(back.nrecipients, 3);
	assert_string_equal(back.to,
	    "Renée Lefèvre <renee@example.fr>, \"Dupont, Jean\" "
	    "<jd@example.org>, 山田 <yamada@example.jp>");
	free(to);
	mail_free(&back);
	free(m);
}

static void
no_header_injection(void **state)
{
	struct outgoing o = base();
	char *m;

	o.subject = "Objet\r\nBcc: victime@example.org";
	o.to = "jean.dupont@example.org\r\nBcc: autre@example.org";
	m = compose(&o);
	assert_null(strstr(m, "\r\nBcc:"));
	assert_null(strstr(m, "\nBcc:"));
	free(m);
}

static void
an_internationalised_address_needs_smtputf8(void **state)
{
	struct outgoing o = base();
	size_t len;
	char *cause = NULL, *m;

	o.to = "Jürgen <jürgen@müller.example>";
	assert_null(compose_message(&o, &len, &cause));
	assert_non_null(
	    strstr(cause, "jürgen@müller.example: an internationalised address needs SMTPUTF8"));
	free(cause);
	o.smtputf8 = true;
	m = compose(&o);
	assert_non_null(strstr(m, "?= <jürgen@müller.example>"));
	free(m);
}

static void
markdown_as_plain_text(void **state)
{
	char *t = markdown_to_plain(
	    "# Intervention\n\nNous passerons **mardi** et _jeudi_.\n"
	    "Deuxième ligne.\n\n- un\n- deux\n  suite\n\n1. premier\n2. second\n\n"
	    "> cité\n> encore\n\nVoir [le plan](https://x.example/p) ou "
	    "<https://x.example/q>.\n\n    code\n\n---\n\n## Suite\n");

	assert_string_equal(t,
	    "Intervention\n============\n\n"
	    "Nous passerons mardi et jeudi.\nDeuxième ligne.\n\n"
	    "- un\n- deux\n  suite\n\n1. premier\n2. second\n\n"
	    "> cité\n> encore\n\n"
	    "Voir le plan <https://x.example/p> ou https://x.example/q.\n\n"
	    "    code\n\n----\n\nSuite\n-----\n");
	free(t);
}

static void
markdown_as_safe_html(void **state)
{
	char *h = markdown_to_html("**gras** <script>alert(1)</script>\n\n"
				   "[piège](javascript:alert(1)) <b onclick=x>b</b>\n");

	assert_non_null(strstr(h, "<strong>gras</strong>"));
	assert_null(strstr(h, "<script"));
	assert_null(strstr(h, "javascript:"));
	assert_null(strstr(h, "onclick"));
	assert_non_null(strstr(h, "<meta charset=\"utf-8\">"));
	free(h);
}

static void
a_markdown_reply_is_an_alternative(void **state)
{
	struct outgoing o = base();
	struct mail back;
	char *m;

	o.body = "Nous passerons **mardi**.\n.\nFrom here on.";
	m = compose(&o);
	assert_non_null(strstr(m, "Content-Type: multipart/alternative;"));
	assert_non_null(strstr(m, "Content-Type: text/html; charset=UTF-8"));
	/* A leading dot or From is quoted-printable, for SMTP and mbox. */
	assert_non_null(strstr(m, "\r\n=2E\r\n=46rom here on."));
	mail_parse(&back, m, strlen(m), &options);
	assert_string_equal(back.body.buf, "Nous passerons mardi.\n.\nFrom here on.");
	mail_free(&back);
	free(m);
	o.plain_text = true;
	m = compose(&o);
	assert_null(strstr(m, "multipart/alternative"));
	free(m);
}

static void
attachment_names_read_back(void **state)
{
	static const char *const names[] = { "plan.pdf", "plan d'accès.pdf",
		"Plan détaillé des travaux de réfection de la chaussée — rue de la Gare, côté "
		"école.pdf",
		"工事見積書と図面の最終版と追加資料一式を含む添付ファイル.pdf",
		"devis \"final\" (v2).txt" };
	struct mail_attachment a[nitems(names)];
	struct outgoing o = base();
	struct mail back;
	size_t i;
	char *m;

	for (i = 0; i < nitems(names); i++) {
		memset(&a[i], 0, sizeof a[i]);
		a[i].filename = (char *)names[i];
		a[i].content_type = (char *)(i == 1 ? "text/plain\r\nX-Evil: 1" :
						      "application/pdf");
		a[i].data = (char *)"data";
		a[i].size = 4;
	}
	o.attachments = a;
	o.nattachments = nitems(names);
	m = compose(&o);
	header_lines_fold(m);
	assert_non_null(strstr(m, "filename=\"plan.pdf\""));
	assert_null(strstr(m, "X-Evil"));
	mail_parse(&back, m, strlen(m), &options);
	assert_int_equal(back.nattachments, nitems(names));
	for (i = 0; i < nitems(names); i++)
		assert_string_equal(back.attachments[i].filename, names[i]);
	assert_string_equal(back.attachments[1].content_type, "application/octet-stream");
	mail_free(&back);
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_long_accented_subject_folds_and_reads_back),
		cmocka_unit_test(an_unbreakable_subject_never_passes_998),
		cmocka_unit_test(display_names_encoded_with_the_address_outside),
		cmocka_unit_test(no_header_injection),
		cmocka_unit_test(an_internationalised_address_needs_smtputf8),
		cmocka_unit_test(markdown_as_plain_text),
		cmocka_unit_test(markdown_as_safe_html),
		cmocka_unit_test(a_markdown_reply_is_an_alternative),
		cmocka_unit_test(attachment_names_read_back),
	};

	log_open("test-compose", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
