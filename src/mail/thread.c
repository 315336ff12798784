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

/*
 * Subjects people give their out-of-office replies. Never evidence that a
 * message is automatic ("Absence du bureau de poste", "Réponse automatique
 * de mon voisin ?" are requests): a subject that starts with one only keeps
 * the desk from acknowledging, in case an auto-reply came without headers.
 */
static const char *const autoreply_subjects[] = {
	"auto:",
	"automatic reply",
	"autoreply",
	"auto-reply",
	"out of office",
	"out of the office",
	"réponse automatique",
	"reponse automatique",
	"absence du bureau",
	"absent du bureau",
	"abwesenheitsnotiz",
	"automatische antwort",
	"abwesend",
	"risposta automatica",
	"respuesta automática",
};

static bool
autoreply_subject(const char *subject)
{
	size_t i;

	if (subject == NULL)
		return false;
	while (*subject == ' ')
		subject++;
	for (i = 0; i < nitems(autoreply_subjects); i++) {
		if (has_prefix_ci(subject, autoreply_subjects[i]))
			return true;
	}
	return false;
}

/* The envelope sender an MTA recorded: null ("<>") or MAILER-DAEMON. */
static bool
null_sender(const struct headers *h)
{
	const char *rp = headers_get(h, "Return-Path");

	if (rp == NULL)
		return false;
	while (*rp == ' ' || *rp == '\t')
		rp++;
	if (*rp == '<')
		rp++;
	while (*rp == ' ')
		rp++;
	return *rp == '>' || *rp == '\0' || has_prefix_ci(rp, "mailer-daemon");
}

static bool
daemon_sender(const char *addr)
{
	return has_prefix_ci(addr, "mailer-daemon@");
}

static void
mark(struct mail *m, enum mail_loop loop, const char *reason)
{
	m->loop = loop;
	m->loop_reason = reason;
}

/* The header evidence of RFC 3834 and of list and bulk mail, strongest first. */
static void
header_evidence(struct mail *m)
{
	const struct headers *h = &m->headers;
	const char *v;

	if ((v = headers_get(h, "Content-Type")) != NULL) {
		while (*v == ' ')
			v++;
		/* A delivery report unread by mime.c, a read receipt (MDN): never a request. */
		if (has_prefix_ci(v, "multipart/report")) {
			mark(m, LOOP_AUTOREPLY, "multipart-report");
			return;
		}
	}
	if (null_sender(h)) {
		/* RFC 3834 3.3: automatic answers go out from the null sender. */
		mark(m, LOOP_AUTOREPLY, "null-sender");
		return;
	}
	if ((v = headers_get(h, "Auto-Submitted")) != NULL) {
		while (*v == ' ')
			v++;
		if (has_prefix_ci(v, "auto-replied")) {
			mark(m, LOOP_AUTOREPLY, "auto-submitted");
			return;
		}
		if (*v != '\0' && !has_prefix_ci(v, "no")) {
			/* auto-generated, auto-notified: a ticket, never acknowledged. */
			mark(m, LOOP_BULK, "auto-submitted");
			return;
		}
	}
	if (headers_get(h, "X-Autoreply") != NULL || headers_get(h, "X-Autorespond") != NULL ||
	    headers_get(h, "X-Autoresponse") != NULL) {
		mark(m, LOOP_AUTOREPLY, "x-autoreply");
		return;
	}
	if ((v = headers_get(h, "Precedence")) != NULL) {
		while (*v == ' ')
			v++;
		if (has_prefix_ci(v, "auto_reply")) {
			mark(m, LOOP_AUTOREPLY, "precedence");
			return;
		}
		if (has_prefix_ci(v, "bulk") || has_prefix_ci(v, "junk") ||
		    has_prefix_ci(v, "list")) {
			mark(m, LOOP_BULK, "precedence");
			return;
		}
	}
	if (headers_get(h, "List-Id") != NULL || headers_get(h, "List-Unsubscribe") != NULL)
		mark(m, LOOP_BULK, "list");
}

/*
 * Automatic only on evidence in the headers (RFC 3834 Auto-Submitted,
 * X-Autoreply and X-Autorespond, Precedence, List-Id and List-Unsubscribe,
 * a null or MAILER-DAEMON return path or sender, multipart/report), never on
 * the subject alone: the subject may only ask for no acknowledgement.
 */
void
thread_detect_loop(struct mail *m)
{
	if (m->loop == LOOP_BOUNCE) /* a delivery-status part, read by mime.c */
		return;
	if (daemon_sender(m->from_addr) ||
	    (has_prefix_ci(m->from_addr, "postmaster@") && null_sender(&m->headers))) {
		/* A report without its machine-readable part: still a bounce. */
		mark(m,
		    m->bounce_msgid != NULL || null_sender(&m->headers) ? LOOP_BOUNCE :
									  LOOP_AUTOREPLY,
		    "mailer-daemon");
		return;
	}
	header_evidence(m);
	if (m->loop == LOOP_NONE && autoreply_subject(m->subject)) {
		m->no_ack = true;
		m->no_ack_reason = "subject";
	}
}
