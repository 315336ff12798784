/*
 * send.c — guichet-mail send: the outbox delivered through sendmail -t -i
 * (mail.sendmail) or SMTP (mail.smtp = smtp://host:port, smtps://…,
 * submission://user@host for STARTTLS with authentication).
 *
 * Exactly once as far as a mail system allows: outbox_claim() marks rows
 * 'sending' and commits before anything leaves; outbox_done() records the
 * result. A row found still 'sending' after a crash is not sent again (the
 * server marks it failed, an admin can requeue it). Failures are retried with
 * backoff by the server; a permanent refusal (5xx, unknown user) is final.
 *
 * A reply leaves only from an address the desk owns: a queue's address or one
 * of mail.own_addresses, in a domain the world can answer. Anything else
 * (guichet@localhost, a queue without an address) is a configuration to mend:
 * the row waits, and send exits 78 naming the address.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "common.h"
#include "db.h"
#include "mail.h"

/*
 * Every column of outbox_claim(): besides the ones every version has, from_name
 * (the queue's or organisation's name for From, since 0.2.0) and body_format
 * ("markdown" or "text") are used when the server returns them.
 */
static const char sql_claim[] = "SELECT * FROM guichet.outbox_claim($1)";
static const char sql_done[] = "SELECT guichet.outbox_done($1, $2, $3, $4) AS status";
static const char sql_own[] = "SELECT lower(address) AS address FROM guichet.queue_address";
/* Agents' digests of unread notifications (api/36-notification.sql). */
static const char sql_digest[] = "SELECT * FROM guichet.notification_digest()";
static const char sql_attachments[] =
    "SELECT a.filename, a.content_type, b.content FROM guichet.attachment a "
    "JOIN guichet.blob b ON b.sha256 = a.sha256 WHERE a.article_id = $1 ORDER BY a.id";

struct delivery {
	bool ok;
	bool permanent;
	char *error;
};

struct sender {
	const struct mail_options *o;
	PGconn *conn;
	const char *sendmail;
	struct mail_url smtp_url;
	bool use_smtp;
	mailsmtp *smtp;
	bool smtp_broken; /* the server is unreachable: do not try again this run */
	bool smtputf8;	  /* mail.smtputf8: the sendmail relay takes UTF-8 addresses */
	char **own;	  /* the desk's addresses, lower case */
	size_t nown;
	size_t sent, failed, permanent, unsendable;
	char *unsendable_why; /* the first one's reason, for the exit message */
};

static int
run_sendmail(
    struct sender *s, const char *envelope_from, const char *msg, size_t len, struct delivery *d)
{
	int pipefd[2], status;
	pid_t pid;
	size_t off = 0;
	ssize_t n;
	void (*old)(int);

	if (pipe(pipefd) != 0) {
		xasprintf(&d->error, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) < 0) {
		xasprintf(&d->error, "fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(pipefd[0], STDIN_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		if (envelope_from != NULL)
			execl(s->sendmail, s->sendmail, "-t", "-i", "-f", envelope_from,
			    (char *)NULL);
		else
			execl(s->sendmail, s->sendmail, "-t", "-i", (char *)NULL);
		_exit(EX_UNAVAILABLE);
	}
	close(pipefd[0]);
	old = signal(SIGPIPE, SIG_IGN);
	while (off < len) {
		if ((n = write(pipefd[1], msg + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += n;
	}
	close(pipefd[1]);
	signal(SIGPIPE, old);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && off == len) {
		d->ok = true;
		return 0;
	}
	if (WIFEXITED(status)) {
		int ex = WEXITSTATUS(status);

		xasprintf(&d->error, "%s exited with status %d", s->sendmail, ex);
		/* An unknown user or bad data will not get better by waiting. */
		d->permanent = ex == EX_NOUSER || ex == EX_DATAERR || ex == EX_NOHOST;
	} else
		xasprintf(&d->error, "%s killed by signal %d", s->sendmail, WTERMSIG(status));
	return 0;
}

static void
smtp_close(struct sender *s)
{
	if (s->smtp != NULL) {
		mailsmtp_quit(s->smtp);
		mailsmtp_free(s->smtp);
		s->smtp = NULL;
	}
}

static int
smtp_open(struct sender *s, char **cause)
{
	struct mail_url *u = &s->smtp_url;
	bool starttls = strcasecmp(u->scheme, "submission") == 0;
	char *password = NULL;
	int r;

	s->smtp = mailsmtp_new(0, NULL);
	mailsmtp_set_timeout(s->smtp, 60);
	if (u->tls)
		r = mailsmtp_ssl_connect(s->smtp, u->host, u->port);
	else
		r = mailsmtp_socket_connect(s->smtp, u->host, u->port);
	if (r != MAILSMTP_NO_ERROR) {
		xasprintf(
		    cause, _("%s:%d: cannot connect: %s"), u->host, u->port, mailsmtp_strerror(r));
		goto fail;
	}
	if (u->tls && !s->o->insecure && tls_verify(s->smtp->stream, u->host, cause) != 0)
		goto fail;
	if ((r = mailesmtp_ehlo(s->smtp)) == MAILSMTP_ERROR_NOT_IMPLEMENTED)
		r = mailsmtp_helo(s->smtp);
	if (r != MAILSMTP_NO_ERROR) {
		xasprintf(cause, _("%s: greeting refused: %s"), u->host, mailsmtp_strerror(r));
		goto fail;
	}
	if (starttls) {
		if ((r = mailsmtp_socket_starttls(s->smtp)) != MAILSMTP_NO_ERROR) {
			xasprintf(
			    cause, _("%s: STARTTLS failed: %s"), u->host, mailsmtp_strerror(r));
			goto fail;
		}
		if (!s->o->insecure && tls_verify(s->smtp->stream, u->host, cause) != 0)
			goto fail;
		if (mailesmtp_ehlo(s->smtp) != MAILSMTP_NO_ERROR) {
			xasprintf(cause, _("%s: EHLO after STARTTLS refused"), u->host);
			goto fail;
		}
	}
	if (u->user != NULL) {
		if ((password = mail_password(s->o, u, cause)) == NULL)
			goto fail;
		r = mailsmtp_auth(s->smtp, u->user, password);
		free(password);
		if (r != MAILSMTP_NO_ERROR) {
			xasprintf(cause, _("%s: authentication failed: %s"), u->host,
			    mailsmtp_strerror(r));
			goto fail;
		}
	}
	return 0;
fail:
	smtp_close(s);
	return -1;
}

static bool
smtp_permanent(const struct sender *s)
{
	return s->smtp != NULL && s->smtp->response_code >= 500 && s->smtp->response_code < 600;
}

static int
run_smtp(struct sender *s, const char *envelope_from, char **rcpts, size_t nrcpts, const char *msg,
    size_t len, struct delivery *d)
{
	size_t i, accepted = 0;
	int r;

	if (s->smtp_broken) {
		d->error = xstrdup(_("SMTP server unreachable"));
		return 0;
	}
	if (s->smtp == NULL && smtp_open(s, &d->error) != 0) {
		s->smtp_broken = true;
		return 0;
	}
	if ((r = mailsmtp_mail(s->smtp, envelope_from ? envelope_from : "")) != MAILSMTP_NO_ERROR) {
		xasprintf(&d->error, "MAIL FROM: %s",
		    s->smtp->response ? s->smtp->response : mailsmtp_strerror(r));
		d->permanent = smtp_permanent(s);
		goto reset;
	}
	for (i = 0; i < nrcpts; i++) {
		if (mailsmtp_rcpt(s->smtp, rcpts[i]) == MAILSMTP_NO_ERROR)
			accepted++;
		else if (d->error == NULL) {
			xasprintf(&d->error, "RCPT TO %s: %s", rcpts[i],
			    s->smtp->response ? s->smtp->response : "refused");
			d->permanent = smtp_permanent(s);
		}
	}
	if (accepted == 0)
		goto reset;
	free(d->error);
	d->error = NULL;
	d->permanent = false;
	if ((r = mailsmtp_data(s->smtp)) != MAILSMTP_NO_ERROR ||
	    (r = mailsmtp_data_message(s->smtp, msg, len)) != MAILSMTP_NO_ERROR) {
		xasprintf(&d->error, "DATA: %s",
		    s->smtp->response ? s->smtp->response : mailsmtp_strerror(r));
		d->permanent = smtp_permanent(s);
		goto reset;
	}
	d->ok = true;
	return 0;
reset:
	if (mailsmtp_reset(s->smtp) != MAILSMTP_NO_ERROR)
		smtp_close(s);
	return 0;
}

/* The attachments of the reply's article, read in binary. */
static void
load_attachments(struct sender *s, const char *article, struct outgoing *out)
{
	PGresult *res;
	char *cause = NULL;
	int i, n;

	res = PQexecParams(s->conn, sql_attachments, 1, NULL, &article, NULL, NULL, 1);
	if ((res = db_check(s->conn, res, &cause, NULL)) == NULL) {
		log_warnx("%s", cause);
		free(cause);
		return;
	}
	n = PQntuples(res);
	out->attachments = xcalloc(n + 1, sizeof *out->attachments);
	for (i = 0; i < n; i++) {
		struct mail_attachment *a = &out->attachments[i];
		int len = PQgetlength(res, i, 2);

		a->filename = xstrndup(PQgetvalue(res, i, 0), PQgetlength(res, i, 0));
		a->content_type = xstrndup(PQgetvalue(res, i, 1), PQgetlength(res, i, 1));
		a->data = xmalloc(len + 1);
		memcpy(a->data, PQgetvalue(res, i, 2), len);
		a->size = len;
	}
	out->nattachments = n;
	PQclear(res);
}

static void
free_outgoing(struct outgoing *out)
{
	size_t i;

	for (i = 0; i < out->nattachments; i++) {
		free(out->attachments[i].filename);
		free(out->attachments[i].content_type);
		free(out->attachments[i].data);
	}
	free(out->attachments);
}

static int
record(struct sender *s, const char *id, const struct delivery *d)
{
	const char *values[4] = { id, d->ok ? "t" : "f", d->error, d->permanent ? "t" : "f" };
	PGresult *res;
	char *cause = NULL;

	if ((res = db_exec(s->conn, sql_done, 4, values, &cause, NULL)) == NULL) {
		log_warnx("outbox %s: %s", id, cause);
		free(cause);
		return -1;
	}
	if (d->ok)
		s->sent++;
	else if (strcmp(db_value(res, 0, "status"), "failed") == 0)
		s->permanent++;
	else
		s->failed++;
	PQclear(res);
	return 0;
}

static void
own_add(struct sender *s, const char *addr)
{
	char *a = xstrdup(addr), *p;

	for (p = a; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	s->own = xreallocarray(s->own, s->nown + 1, sizeof *s->own);
	s->own[s->nown++] = a;
}

/* The queues' addresses and mail.own_addresses: where replies may come from. */
static int
load_own(struct sender *s, char **cause)
{
	const char *list = config_get(s->o->config, "mail.own_addresses");
	PGresult *res;
	char *copy, *tok, *save = NULL;
	int i;

	if ((res = db_exec(s->conn, sql_own, 0, NULL, cause, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		own_add(s, db_value(res, i, "address"));
	PQclear(res);
	if (list != NULL) {
		copy = xstrdup(list);
		for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
		     tok = strtok_r(NULL, ", \t", &save))
			own_add(s, tok);
		free(copy);
	}
	return 0;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Why a reply cannot leave from this address, or NULL when it can. */
static char *
sender_problem(const struct sender *s, const char *from)
{
	char *addr = NULL, *name = NULL, *why = NULL;
	const char *domain;
	size_t i;

	if (from == NULL || header_mailbox(from, &addr, &name) != 0) {
		xasprintf(&why, _("no usable sender address (\"%s\")"), from ? from : "");
		return why;
	}
	domain = strchr(addr, '@') + 1;
	if (strchr(domain, '.') == NULL || ends_with(domain, ".localdomain") ||
	    ends_with(domain, ".localhost") || ends_with(domain, ".local") ||
	    ends_with(domain, ".invalid")) {
		xasprintf(&why, _("the sender %s is not an address anyone can answer"), addr);
		goto done;
	}
	for (i = 0; i < s->nown; i++) {
		if (strcmp(s->own[i], addr) == 0)
			goto done;
	}
	xasprintf(&why,
	    _("the sender %s is not one of the desk's addresses (a queue's address or "
	      "mail.own_addresses)"),
	    addr);
done:
	free(addr);
	free(name);
	return why;
}

/* A column the server may not return yet: NULL when absent. */
static const char *
optional(const PGresult *res, int row, const char *name)
{
	int col = PQfnumber(res, name);

	return col < 0 || PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static int
deliver_row(struct sender *s, const PGresult *res, int row)
{
	struct outgoing out;
	struct delivery d = { false, false, NULL };
	char *msg, *addr = NULL, *name = NULL, **rcpts = NULL, *shown;
	const char *v;
	size_t len, nrcpts = 0, i;
	int rc;

	memset(&out, 0, sizeof out);
	out.from = db_value(res, row, "mail_from");
	out.to = db_value(res, row, "mail_to");
	out.cc = db_value(res, row, "mail_cc");
	out.subject = db_value(res, row, "subject");
	out.body = db_value(res, row, "body");
	out.message_id = db_value(res, row, "message_id");
	out.in_reply_to = db_value(res, row, "in_reply_to");
	out.refs = db_value(res, row, "refs");
	out.ticket = db_int(res, row, "ticket_id", 0);
	/* Acknowledgements and closing notices are automatic (RFC 3834): no autoresponder answers. */
	out.auto_submitted = strcmp(db_value(res, row, "kind"), "reply") != 0;
	out.from_name = optional(res, row, "from_name");
	out.plain_text = (v = optional(res, row, "body_format")) != NULL && strcmp(v, "text") == 0;
	out.smtputf8 = s->smtputf8 && !s->use_smtp;
	if ((d.error = sender_problem(s, out.from)) != NULL) {
		/* A configuration to mend: the row waits for it (not a permanent failure). */
		s->unsendable++;
		if (s->unsendable_why == NULL)
			s->unsendable_why = xstrdup(d.error);
		msg = NULL;
		goto recorded;
	}
	load_attachments(s, db_value(res, row, "article_id"), &out);
	if ((msg = compose_message(&out, &len, &d.error)) == NULL) {
		/* An internationalised address the relay cannot take: not until it can. */
		d.permanent = true;
		goto recorded;
	}
	header_mailbox(out.from, &addr, &name);
	header_addresses(out.to, &rcpts, &nrcpts);
	header_addresses(out.cc, &rcpts, &nrcpts);
	if (nrcpts == 0) {
		d.error = xstrdup(_("no recipient address"));
		d.permanent = true;
	} else if (s->use_smtp)
		run_smtp(s, addr, rcpts, nrcpts, msg, len, &d);
	else
		run_sendmail(s, addr, msg, len, &d);
recorded:
	shown = sanitize_text(out.to ? out.to : "", 0);
	if (d.ok)
		log_info("outbox %s: ticket #%lld sent to %s", db_value(res, row, "id"), out.ticket,
		    shown);
	else {
		char *e = sanitize_text(d.error ? d.error : "?", 0);

		log_warnx(_("outbox %s: ticket #%lld to %s: %s"), db_value(res, row, "id"),
		    out.ticket, shown, e);
		free(e);
	}
	free(shown);
	rc = record(s, db_value(res, row, "id"), &d);
	free(d.error);
	free(msg);
	free(addr);
	free(name);
	for (i = 0; i < nrcpts; i++)
		free(rcpts[i]);
	free(rcpts);
	free_outgoing(&out);
	return rc;
}

/*
 * The digests the server has for agents away from their console: plain text,
 * automatic (RFC 3834), from an address of the desk. The server marks their
 * notifications mailed when it hands them over: at most once, never retried.
 */
static void
send_digests(struct sender *s)
{
	PGresult *res;
	char *cause = NULL, *msg, *addr, *name, *rcpt, *shown;
	struct outgoing out;
	struct delivery d;
	size_t len;
	int i;

	if ((res = db_exec(s->conn, sql_digest, 0, NULL, &cause, NULL)) == NULL) {
		log_warnx("%s", cause);
		free(cause);
		return;
	}
	for (i = 0; i < PQntuples(res); i++) {
		memset(&out, 0, sizeof out);
		memset(&d, 0, sizeof d);
		out.from = db_value(res, i, "mail_from");
		out.to = rcpt = (char *)db_value(res, i, "email");
		out.subject = db_value(res, i, "subject");
		out.body = db_value(res, i, "body");
		out.message_id = db_value(res, i, "message_id");
		out.plain_text = out.auto_submitted = true;
		out.smtputf8 = s->smtputf8 && !s->use_smtp;
		addr = name = msg = NULL;
		if ((d.error = sender_problem(s, out.from)) == NULL &&
		    (msg = compose_message(&out, &len, &d.error)) != NULL) {
			header_mailbox(out.from, &addr, &name);
			if (s->use_smtp)
				run_smtp(s, addr, &rcpt, 1, msg, len, &d);
			else
				run_sendmail(s, addr, msg, len, &d);
		}
		shown = sanitize_text(out.to, 0);
		if (d.ok)
			log_info("digest sent to %s", shown);
		else
			log_warnx(_("digest to %s: %s"), shown, d.error != NULL ? d.error : "?");
		free(shown);
		free(d.error);
		free(msg);
		free(addr);
		free(name);
	}
	PQclear(res);
}

int
send_run(const struct mail_options *o)
{
	struct sender s;
	PGresult *res;
	const char *smtp, *limit = "50";
	char *cause = NULL;
	int i, n, ex = 0;

	memset(&s, 0, sizeof s);
	s.o = o;
	s.sendmail = config_get_default(o->config, "mail.sendmail", "/usr/sbin/sendmail");
	if ((smtp = config_get(o->config, "mail.smtp")) != NULL) {
		if (mail_url_parse(smtp, &s.smtp_url, &cause) != 0)
			die(EX_CONFIG, "mail.smtp: %s", cause);
		s.use_smtp = true;
	}
	if (config_get_bool(o->config, "mail.smtputf8", false, &s.smtputf8, &cause) != 0)
		die(EX_CONFIG, "%s", cause);
	if ((s.conn = db_connect(o->conninfo, &cause)) == NULL)
		die(EX_TEMPFAIL, "%s", cause);
	if ((ex = db_check_schema(s.conn, &cause)) != 0)
		die(ex, "%s", cause);
	if (load_own(&s, &cause) != 0)
		die(EX_TEMPFAIL, "%s", cause);
	for (;;) {
		if ((res = db_exec(s.conn, sql_claim, 1, &limit, &cause, NULL)) == NULL) {
			log_warnx("%s", cause);
			ex = EX_TEMPFAIL;
			break;
		}
		if ((n = PQntuples(res)) == 0) {
			PQclear(res);
			break;
		}
		for (i = 0; i < n; i++) {
			if (deliver_row(&s, res, i) != 0)
				ex = EX_TEMPFAIL;
		}
		PQclear(res);
		if (ex != 0 || s.smtp_broken)
			break;
	}
	if (ex == 0 && !s.smtp_broken)
		send_digests(&s);
	smtp_close(&s);
	if (s.use_smtp)
		mail_url_free(&s.smtp_url);
	if (o->summary)
		printf(_("%zu sent, %zu to retry, %zu failed\n"), s.sent, s.failed, s.permanent);
	log_info("%zu sent, %zu to retry, %zu failed", s.sent, s.failed, s.permanent);
	PQfinish(s.conn);
	for (i = 0; i < (int)s.nown; i++)
		free(s.own[i]);
	free(s.own);
	if (ex == 0 && s.unsendable > 0) {
		/* Said last, on its own line: what the admin must mend. */
		log_warnx(_("%zu replies not sent: %s"), s.unsendable, s.unsendable_why);
		ex = EX_CONFIG;
	}
	free(s.unsendable_why);
	if (ex == 0 && s.failed > s.unsendable)
		ex = EX_TEMPFAIL;
	if (ex == 0 && s.permanent > 0)
		ex = EX_DATAERR;
	return ex;
}
