/*
 * thread.c — what the headers say about a message's place in a conversation:
 * the subject tag ("[Guichet #123]") and whether it is an automatic message
 * (auto-reply, bulk or list mail, bounce) that must never be answered.
 * Matching tags and Message-IDs against tickets happens in ingest_message().
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "mail.h"

long long
thread_tag(const char *subject, const char *prefix)
{
	size_t plen = strlen(prefix);
	const char *p, *q;
	long long n;

	if (subject == NULL || plen == 0)
		return 0;
	for (p = subject; (p = strchr(p, '[')) != NULL; p++) {
		q = p + 1;
		while (*q == ' ')
			q++;
		if (strncasecmp(q, prefix, plen) != 0)
			continue;
		q += plen;
		while (*q == ' ')
			q++;
		if (*q++ != '#' || !isdigit((unsigned char)*q))
			continue;
		for (n = 0; isdigit((unsigned char)*q) && n < 1000000000000LL; q++)
			n = n * 10 + (*q - '0');
		while (*q == ' ')
			q++;
		if (*q == ']')
			return n;
	}
	return 0;
}

static bool
has_prefix_ci(const char *s, const char *prefix)
{
	return s != NULL && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Subjects of auto-replies from clients that set no header at all. */
static const char *const autoreply_subjects[] = {
	"auto:",
	"automatic reply",
	"autoreply",
	"auto-reply",
	"out of office",
	"réponse automatique",
	"absence du bureau",
	"abwesenheitsnotiz",
	"automatische antwort",
	"risposta automatica",
	"respuesta automática",
};

static const char *
autoreply_subject(const char *subject)
{
	size_t i;

	if (subject == NULL)
		return NULL;
	while (*subject == ' ')
		subject++;
	for (i = 0; i < nitems(autoreply_subjects); i++) {
		if (has_prefix_ci(subject, autoreply_subjects[i]))
			return "subject";
	}
	return NULL;
}

static bool
null_sender(const struct headers *h)
{
	const char *rp = headers_get(h, "Return-Path");

	if (rp == NULL)
		return false;
	while (*rp == ' ')
		rp++;
	return strncmp(rp, "<>", 2) == 0 || *rp == '\0';
}

static bool
daemon_sender(const char *addr)
{
	return has_prefix_ci(addr, "mailer-daemon@") || has_prefix_ci(addr, "postmaster@");
}

void
thread_detect_loop(struct mail *m)
{
	const struct headers *h = &m->headers;
	const char *v;

	if (m->loop == LOOP_BOUNCE) /* multipart/report, set by mime.c */
		return;
	if (daemon_sender(m->from_addr) && (null_sender(h) || m->bounce_msgid != NULL)) {
		m->loop = LOOP_BOUNCE;
		m->loop_reason = "mailer-daemon";
		return;
	}
	if ((v = headers_get(h, "Auto-Submitted")) != NULL && !has_prefix_ci(v, "no")) {
		if (has_prefix_ci(v, "auto-replied")) {
			m->loop = LOOP_AUTOREPLY;
			m->loop_reason = "auto-submitted";
		} else {
			m->loop = LOOP_BULK;
			m->loop_reason = "auto-submitted";
		}
		return;
	}
	if (headers_get(h, "X-Autoreply") != NULL || headers_get(h, "X-Autorespond") != NULL ||
	    headers_get(h, "X-Autoresponse") != NULL) {
		m->loop = LOOP_AUTOREPLY;
		m->loop_reason = "x-autoreply";
		return;
	}
	if ((v = headers_get(h, "Precedence")) != NULL) {
		while (*v == ' ')
			v++;
		if (has_prefix_ci(v, "auto_reply")) {
			m->loop = LOOP_AUTOREPLY;
			m->loop_reason = "precedence";
			return;
		}
		if (has_prefix_ci(v, "bulk") || has_prefix_ci(v, "junk") ||
		    has_prefix_ci(v, "list")) {
			m->loop = LOOP_BULK;
			m->loop_reason = "precedence";
			return;
		}
	}
	if (headers_get(h, "List-Id") != NULL || headers_get(h, "List-Unsubscribe") != NULL) {
		m->loop = LOOP_BULK;
		m->loop_reason = "list";
		return;
	}
	if ((m->loop_reason = autoreply_subject(m->subject)) != NULL) {
		m->loop = LOOP_AUTOREPLY;
		return;
	}
	if (null_sender(h) || daemon_sender(m->from_addr)) {
		/* RFC 3834 answers come from the null sender. */
		m->loop = LOOP_AUTOREPLY;
		m->loop_reason = "null-sender";
	}
}
