/*
 * test-mime.c — mime.c and mime-scan.c: a raw message made into what
 * ingest_message needs. Transfer encodings as senders write them, RFC 2231
 * file names, the text chosen among alternatives, forwarded messages, bounce
 * reports; the bounds that keep one hostile message from stopping the mail
 * (checked before libetpan, across forwarded messages, in linear time); and
 * nothing cut without the article saying so.
 */
#include "unit.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail.h"

static struct mail_options options = {
	.max_size = 25 * 1024 * 1024,
	.max_attachment = 10 * 1024 * 1024,
	.tag_prefix = "Guichet",
};

#define HEAD                                                               \
	"From: Jean Dupont <jean@example.org>\nTo: voirie@ville.example\n" \
	"Subject: test\nMessage-ID: <t@example.org>\nMIME-Version: 1.0\n"

static void
parse(struct mail *m, const char *text, size_t len)
{
	mail_parse(m, text, len, &options);
}

static void
parse_string(struct mail *m, const char *text)
{
	parse(m, text, strlen(text));
}

/* The omission of that kind, or NULL. */
static const struct mail_omission *
omission(const struct mail *m, const char *what)
{
	size_t i;

	for (i = 0; i < m->nomitted; i++) {
		if (strcmp(m->omitted[i].what, what) == 0)
			return &m->omitted[i];
	}
	return NULL;
}

static void
utf8_prefix_cuts_between_characters(void **state)
{
	assert_int_equal(utf8_prefix("abc", 80), 3);
	assert_int_equal(utf8_prefix("ab\xc3\xa9", 3), 2);
	assert_int_equal(utf8_prefix("ab\xc3\xa9", 4), 4);
	assert_int_equal(utf8_prefix("\xe6\x97\xa5\xe6\x97\xa5", 4), 3);
}

static void
quoted_printable_as_senders_write_it(void **state)
{
	struct mail m;

	parse_string(&m,
	    HEAD "Content-Type: text/plain; charset=iso-8859-1\n"
		 "Content-Transfer-Encoding: quoted-printable\n\n"
		 "caf=E9 cr=E8me, une ligne coup=\n"
		 "=E9e, un = nu et =ZZ, une fin =  \n"
		 "suite=3D=3d\n");
	assert_null(m.error);
	assert_string_equal(m.body.buf,
	    "café crème, une ligne coupée, un = nu et =ZZ, une fin "
	    "suite==");
	mail_free(&m);
}

static void
base64_with_broken_lines(void **state)
{
	struct mail m;

	parse_string(&m,
	    HEAD "Content-Type: text/plain; charset=utf-8\n"
		 "Content-Transfer-Encoding: base64\n\n"
		 "TWVyY2kgZGUg\nZmFpcmUg\nbGUgbsOp\nY2Vzc2Fp\ncmU\n");
	assert_string_equal(m.body.buf, "Merci de faire le nécessaire");
	mail_free(&m);
}

static void
attachment_names(void **state)
{
	struct mail m;
	size_t i;
	static const char *const expected[] = { "été.pdf", "réponse mairie.pdf", "passwd",
		"part-4.png", "part-5" };

	parse_string(&m,
	    HEAD "Content-Type: multipart/mixed; boundary=b\n\n"
		 "--b\nContent-Type: text/plain\n\nVoir pièces.\n"
		 "--b\nContent-Type: application/pdf\n"
		 "Content-Disposition: attachment; filename*0*=utf-8''%C3%A9;\n"
		 " filename*1*=t%C3%A9.pdf\n\nPDF\n"
		 "--b\nContent-Type: application/pdf; "
		 "name=\"=?iso-8859-1?q?r=E9ponse_mairie.pdf?=\"\n\nPDF\n"
		 "--b\nContent-Type: text/plain\n"
		 "Content-Disposition: attachment; filename=\"../../etc/passwd\"\n\nx\n"
		 "--b\nContent-Type: image/png\nContent-ID: <img1>\n\nPNG\n"
		 "--b\nContent-Type: application/octet-stream\n"
		 "Content-Disposition: attachment; filename=\"..\"\n\nbin\n"
		 "--b--\n");
	assert_int_equal(m.nattachments, nitems(expected));
	for (i = 0; i < nitems(expected); i++)
		assert_string_equal(m.attachments[i].filename, expected[i]);
	assert_true(m.attachments[3].is_inline);
	assert_false(m.attachments[0].is_inline);
	mail_free(&m);
}

static void
alternative_prefers_plain_and_html_alone_is_converted(void **state)
{
	struct mail m;

	parse_string(&m,
	    HEAD "Content-Type: multipart/alternative; boundary=a\n\n"
		 "--a\nContent-Type: text/plain; charset=utf-8\n\nLe texte.\n"
		 "--a\nContent-Type: text/html\n\n<p>HTML version</p>\n--a--\n");
	assert_string_equal(m.body.buf, "Le texte.");
	assert_int_equal(m.nattachments, 0);
	mail_free(&m);
	parse_string(&m,
	    HEAD "Content-Type: text/html; charset=windows-1252\n\n"
		 "<p>Voir <a href=\"https://x.example/p\">la carte</a></p>\n");
	assert_string_equal(m.body.buf, "Voir la carte <https://x.example/p>");
	mail_free(&m);
}

/* An "mbox" line left in front by an MTA's pipe. */
static void
a_leading_from_line_is_not_the_message(void **state)
{
	struct mail m;

	parse_string(&m,
	    "From jean@example.org Mon Mar  2 10:00:00 2026\n" HEAD
	    "Content-Type: text/plain\n\nCorps.\n");
	assert_null(m.error);
	assert_string_equal(m.from_addr, "jean@example.org");
	assert_string_equal(m.body.buf, "Corps.");
	mail_free(&m);
}

static void
nul_and_controls_in_the_body_are_shown(void **state)
{
	struct mail m;
	static const char msg[] = HEAD "Content-Type: text/plain; charset=iso-8859-1\n\n"
				       "rue\0Pasteur\x1b[2J fin\tok\n";

	parse(&m, msg, sizeof msg - 1);
	assert_string_equal(m.body.buf, "rue\xef\xbf\xbdPasteur\xef\xbf\xbd[2J fin\tok");
	mail_free(&m);
}

static void
forwarded_messages_inline_once_as_eml(void **state)
{
	struct mail m;

	/* A forward of a forward: both texts inline, one .eml (holding both). */
	parse_string(&m,
	    HEAD "Content-Type: multipart/mixed; boundary=o\n\n"
		 "--o\nContent-Type: text/plain\n\nJe transfère.\n"
		 "--o\nContent-Type: message/rfc822\n\n"
		 "From: Voisin <voisin@example.org>\nSubject: =?utf-8?q?Bruit?=\n"
		 "Content-Type: multipart/mixed; boundary=i\n\n"
		 "--i\nContent-Type: text/plain\n\nLes travaux de nuit.\n"
		 "--i\nContent-Type: application/pdf; name=plan.pdf\n\nPDF\n"
		 "--i\nContent-Type: message/rfc822\n\n"
		 "From: Chantier <chantier@example.org>\nSubject: Planning\n\n"
		 "Travaux de 22 h à 5 h.\n"
		 "--i--\n--o--\n");
	assert_null(m.error);
	assert_non_null(strstr(m.body.buf, "Je transfère."));
	assert_non_null(strstr(m.body.buf,
	    "From: Voisin <voisin@example.org>\nSubject: Bruit\n\n"
	    "Les travaux de nuit."));
	assert_non_null(strstr(m.body.buf, "Subject: Planning\n\nTravaux de 22 h à 5 h."));
	assert_int_equal(m.nattachments, 1);
	assert_string_equal(m.attachments[0].filename, "Bruit.eml");
	assert_string_equal(m.attachments[0].content_type, "message/rfc822");
	mail_free(&m);
}

/* A DSN whose first failed block names no readable recipient (a fuzzer's). */
static void
bounce_report(void **state)
{
	struct mail m;

	parse_string(&m,
	    "From: MAILER-DAEMON@mx.example.org\nTo: voirie@ville.example\n"
	    "Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n"
	    "--r\nContent-Type: text/plain\n\nDelivery failed.\n"
	    "--r\nContent-Type: message/delivery-status\n\n"
	    "Reporting-MTA: dns; mx.example.org\n\n"
	    "Final-Recipient: rfc822; no address here\nAction: failed\nStatus: 4.0.0\n\n"
	    "Final-Recipient: rfc822; Jean.Dupont@example.org\nAction: failed\n"
	    "Status: 5.1.1 (unknown user)\n\n"
	    "--r\nContent-Type: text/rfc822-headers\n\n"
	    "Message-ID: <guichet.1.out@ville.example>\nSubject: x\n\n--r--\n");
	assert_int_equal(m.loop, LOOP_BOUNCE);
	assert_string_equal(m.bounce_recipient, "jean.dupont@example.org");
	assert_string_equal(m.bounce_status, "5.1.1");
	assert_true(m.bounce_permanent);
	assert_string_equal(m.bounce_msgid, "<guichet.1.out@ville.example>");
	mail_free(&m);
}

/* n levels of multipart/mixed, each opening the next. */
static char *
nested(int n, size_t *len)
{
	struct strbuf sb;
	int i;

	strbuf_init(&sb);
	strbuf_puts(&sb, HEAD);
	for (i = 0; i < n; i++)
		strbuf_printf(
		    &sb, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i);
	strbuf_puts(&sb, "Content-Type: text/plain\n\nAu fond.\n");
	for (i = n - 1; i >= 0; i--)
		strbuf_printf(&sb, "--b%d--\n", i);
	*len = sb.len;
	return strbuf_detach(&sb);
}

static void
nesting_within_the_bound_is_read(void **state)
{
	struct mail m;
	size_t len;
	char *msg = nested(MIME_MAX_DEPTH - 1, &len);

	parse(&m, msg, len);
	assert_null(m.error);
	assert_string_equal(m.body.buf, "Au fond.");
	assert_int_equal(m.nomitted, 0);
	mail_free(&m);
	free(msg);
}

static void
nesting_past_the_bound_is_quarantined_unread(void **state)
{
	struct mail m;
	size_t len;
	char *msg = nested(MIME_MAX_DEPTH + 1, &len);

	parse(&m, msg, len);
	assert_non_null(m.error);
	assert_string_equal(m.error, "MIME parts nested more than 100 deep");
	/* What the quarantine list shows is still read. */
	assert_string_equal(m.message_id, "<t@example.org>");
	assert_string_equal(m.from_addr, "jean@example.org");
	mail_free(&m);
	free(msg);
}

/*
 * Forwards each wrapped in a multipart: each alone is shallow; together
 * they are deep. Each forwarded message used to restart at depth 0.
 */
static char *
forward_chain(int n, size_t *len)
{
	struct strbuf inner, outer;
	int i;

	strbuf_init(&inner);
	strbuf_puts(&inner, "From: a@example.org\nSubject: fond\n\nLe message d'origine.\n");
	for (i = 0; i < n; i++) {
		strbuf_init(&outer);
		strbuf_printf(&outer,
		    "From: f%d@example.org\nSubject: Fwd %d\nMIME-Version: 1.0\n"
		    "Content-Type: multipart/mixed; boundary=\"f%d\"\n\n--f%d\n"
		    "Content-Type: text/plain\n\nTransfert %d.\n--f%d\n"
		    "Content-Type: message/rfc822\n\n",
		    i, i, i, i, i, i);
		strbuf_add(&outer, inner.buf, inner.len);
		strbuf_printf(&outer, "--f%d--\n", i);
		strbuf_free(&inner);
		inner = outer;
	}
	strbuf_init(&outer);
	strbuf_puts(&outer, HEAD "Content-Type: message/rfc822\n\n");
	strbuf_add(&outer, inner.buf, inner.len);
	strbuf_free(&inner);
	*len = outer.len;
	return strbuf_detach(&outer);
}

static void
forwarded_parts_count_against_the_whole_message(void **state)
{
	struct mail m;
	size_t len;
	char *msg;

	/* Two levels a forward (the multipart, then its part: the message inside). */
	msg = forward_chain(30, &len);
	parse(&m, msg, len);
	assert_null(m.error);
	assert_non_null(strstr(m.body.buf, "Transfert 0."));
	assert_non_null(strstr(m.body.buf, "Le message d'origine."));
	mail_free(&m);
	free(msg);
	msg = forward_chain(60, &len);
	parse(&m, msg, len);
	assert_non_null(m.error);
	assert_string_equal(m.error, "MIME parts nested more than 100 deep");
	mail_free(&m);
	free(msg);
}

static void
too_many_parts(void **state)
{
	struct strbuf sb;
	struct mail m;
	int i;

	strbuf_init(&sb);
	strbuf_puts(&sb, HEAD "Content-Type: multipart/mixed; boundary=p\n\n");
	for (i = 0; i < MIME_MAX_PARTS; i++)
		strbuf_printf(&sb, "--p\nContent-Type: text/plain\n\nPartie %d.\n", i);
	strbuf_puts(&sb, "--p--\n");
	parse(&m, sb.buf, sb.len);
	assert_non_null(m.error);
	assert_string_equal(m.error, "more than 10000 MIME parts");
	mail_free(&m);
	strbuf_free(&sb);
}

static void
a_huge_header_block(void **state)
{
	struct strbuf sb;
	struct mail m;
	int i;

	strbuf_init(&sb);
	strbuf_puts(&sb, HEAD "X-Filler: ");
	for (i = 0; i < MIME_MAX_HEADER / 10 + 1; i++)
		strbuf_puts(&sb, "0123456789");
	strbuf_puts(&sb, "\n\nCorps.\n");
	parse(&m, sb.buf, sb.len);
	assert_non_null(m.error);
	assert_string_equal(m.error, "a header block of more than 262144 bytes");
	mail_free(&m);
	strbuf_free(&sb);
}

static void
boundaries_match_whole(void **state)
{
	struct mail m;

	/* "--b" inside the part is not "--b2"'s boundary, and "--b2 " is. */
	parse_string(&m,
	    HEAD "Content-Type: multipart/mixed; boundary=b2\n\n"
		 "--b2 \nContent-Type: text/plain\n\nun\n--b\n--b22\ndeux\n"
		 "--b2--\n");
	assert_null(m.error);
	assert_string_equal(m.body.buf, "un\n--b\n--b22\ndeux");
	mail_free(&m);
	/* A closing boundary never written: tolerated. */
	parse_string(&m,
	    HEAD "Content-Type: multipart/mixed; boundary=x\n\n"
		 "--x\nContent-Type: text/plain\n\nsans fin\n");
	assert_null(m.error);
	assert_string_equal(m.body.buf, "sans fin");
	mail_free(&m);
}

/* Hostile shapes, each measured well inside a CPU budget. */
static void
hostile_shapes(void)
{
	struct strbuf sb;
	struct mail m;
	size_t len, i;
	char *msg;

	/* 50,000 levels: libetpan's recursion used to overflow the stack. */
	msg = nested(50000, &len);
	parse(&m, msg, len);
	if (m.error == NULL)
		_exit(1);
	mail_free(&m);
	free(msg);
	/* 3,000 bare forwards, in 130 KB. */
	strbuf_init(&sb);
	strbuf_puts(&sb, HEAD "Content-Type: message/rfc822\n\n");
	for (i = 0; i < 3000; i++)
		strbuf_printf(&sb, "Subject: %zu\nContent-Type: message/rfc822\n\n", i);
	strbuf_puts(&sb, "Subject: fond\n\nx\n");
	parse(&m, sb.buf, sb.len);
	if (m.error == NULL)
		_exit(2);
	mail_free(&m);
	strbuf_free(&sb);
	/* 100 open multiparts with long boundaries, then many lines that almost match. */
	strbuf_init(&sb);
	strbuf_puts(&sb, HEAD);
	for (i = 0; i < 90; i++)
		strbuf_printf(&sb,
		    "Content-Type: multipart/mixed; boundary=\"%0150zu\"\n\n--%0150zu\n", i, i);
	strbuf_puts(&sb, "Content-Type: text/plain\n\n");
	while (sb.len < 20 * 1024 * 1024)
		strbuf_printf(&sb, "--%0150d\n", 999);
	parse(&m, sb.buf, sb.len);
	mail_free(&m);
	strbuf_free(&sb);
}

static void
hostile_shapes_cost_linear_time(void **state)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 20, 21 };

		setrlimit(RLIMIT_CPU, &rl);
		hostile_shapes();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("killed by signal %d after 20 s of CPU", WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("hostile shape %d was not quarantined", WEXITSTATUS(status));
}

static void
a_cut_text_is_said(void **state)
{
	struct strbuf sb;
	struct mail m;
	const struct mail_omission *o;

	strbuf_init(&sb);
	strbuf_puts(&sb, HEAD "Content-Type: text/plain\n\n");
	while (sb.len < 5 * 1024 * 1024)
		strbuf_puts(&sb, "Une ligne de texte qui se répète.\n");
	parse(&m, sb.buf, sb.len);
	assert_null(m.error);
	assert_true(m.body.len <= 4 * 1024 * 1024);
	assert_non_null(o = omission(&m, "text"));
	assert_int_equal(o->limit, 4 * 1024 * 1024);
	assert_true(o->count > 900 * 1024);
	assert_non_null(strstr(m.notes.buf, "The text was cut"));
	mail_free(&m);
	strbuf_free(&sb);
}

static void
an_oversized_attachment_is_said(void **state)
{
	struct mail_options small = options;
	struct mail m;
	const struct mail_omission *o;
	static const char msg[] = HEAD "Content-Type: multipart/mixed; boundary=b\n\n"
				       "--b\nContent-Type: text/plain\n\nPlan joint.\n"
				       "--b\nContent-Type: application/pdf; name=plan.pdf\n\n"
				       "0123456789012345678901234567890123456789\n--b--\n";

	small.max_attachment = 16;
	mail_parse(&m, msg, sizeof msg - 1, &small);
	assert_true(m.attachments[0].oversized);
	assert_null(m.attachments[0].data);
	assert_non_null(o = omission(&m, "attachment"));
	assert_string_equal(o->name, "plan.pdf");
	assert_int_equal(o->limit, 16);
	assert_non_null(strstr(m.notes.buf, "plan.pdf"));
	mail_free(&m);

	small.max_size = 64;
	mail_parse(&m, msg, sizeof msg - 1, &small);
	assert_true(m.oversized);
	assert_non_null(o = omission(&m, "message"));
	assert_int_equal(o->count, sizeof msg - 1);
	assert_string_equal(m.subject, "test");
	mail_free(&m);
}

static void
headers_and_recipients_left_out_are_said(void **state)
{
	struct strbuf sb;
	struct mail m;
	int i;

	strbuf_init(&sb);
	strbuf_puts(&sb, HEAD "Cc: ");
	for (i = 0; i < MAX_ADDRESSES + 4; i++)
		strbuf_printf(&sb, "%sa%d@example.org", i > 0 ? ", " : "", i);
	strbuf_puts(&sb, "\n");
	for (i = 0; i < MAX_HEADERS; i++)
		strbuf_printf(&sb, "X-N: %d\n", i);
	strbuf_puts(&sb, "\nCorps.\n");
	parse(&m, sb.buf, sb.len);
	assert_null(m.error);
	assert_int_equal(omission(&m, "recipients")->count, 5); /* and To */
	assert_int_equal(omission(&m, "headers")->count, 6);
	assert_non_null(strstr(m.notes.buf, "header fields past the first 1000"));
	mail_free(&m);
	strbuf_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8_prefix_cuts_between_characters),
		cmocka_unit_test(quoted_printable_as_senders_write_it),
		cmocka_unit_test(base64_with_broken_lines),
		cmocka_unit_test(attachment_names),
		cmocka_unit_test(alternative_prefers_plain_and_html_alone_is_converted),
		cmocka_unit_test(a_leading_from_line_is_not_the_message),
		cmocka_unit_test(nul_and_controls_in_the_body_are_shown),
		cmocka_unit_test(forwarded_messages_inline_once_as_eml),
		cmocka_unit_test(bounce_report),
		cmocka_unit_test(nesting_within_the_bound_is_read),
		cmocka_unit_test(nesting_past_the_bound_is_quarantined_unread),
		cmocka_unit_test(forwarded_parts_count_against_the_whole_message),
		cmocka_unit_test(too_many_parts),
		cmocka_unit_test(a_huge_header_block),
		cmocka_unit_test(boundaries_match_whole),
		cmocka_unit_test(hostile_shapes_cost_linear_time),
		cmocka_unit_test(a_cut_text_is_said),
		cmocka_unit_test(an_oversized_attachment_is_said),
		cmocka_unit_test(headers_and_recipients_left_out_are_said),
	};

	log_open("test-mime", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
