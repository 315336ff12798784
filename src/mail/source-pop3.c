/*
 * source-pop3.c — a POP3 mailbox (pop3://user@host, pop3s://… verified).
 * Messages are retrieved one at a time; a committed one is marked for
 * deletion (DELE), which POP3 applies only at QUIT: a crash before then
 * leaves it on the server and the next run sees a duplicate.
 */
#include "config.h"

#include <string.h>

#include <libetpan/libetpan.h>

#include "common.h"
#include "mail.h"

struct pop3 {
	mailpop3 *pop;
	struct mail_url url;
	carray *list;
	unsigned int next;
};

static int
pop3_next(struct source *src, struct source_msg *msg, char **cause)
{
	struct pop3 *p = src->data;
	struct mailpop3_msg_info *info;
	char *data;
	size_t len;
	int r;

	while (p->next < carray_count(p->list)) {
		info = carray_get(p->list, p->next++);
		if (info == NULL || info->msg_deleted)
			continue;
		if ((r = mailpop3_retr(p->pop, info->msg_index, &data, &len)) !=
		    MAILPOP3_NO_ERROR) {
			xasprintf(
			    cause, "pop3 %s: RETR %u: error %d", p->url.host, info->msg_index, r);
			return -1;
		}
		memset(msg, 0, sizeof *msg);
		msg->data = xmalloc(len + 1);
		memcpy(msg->data, data, len);
		msg->data[len] = '\0';
		msg->len = len;
		mailpop3_retr_free(data);
		xasprintf(&msg->id, "%u", info->msg_index);
		return 1;
	}
	return 0;
}

static int
pop3_done(struct source *src, struct source_msg *msg, char **cause)
{
	struct pop3 *p = src->data;
	unsigned int index = (unsigned int)strtoul(msg->id, NULL, 10);
	int r;

	if ((r = mailpop3_dele(p->pop, index)) != MAILPOP3_NO_ERROR) {
		xasprintf(cause, "pop3 %s: DELE %u: error %d", p->url.host, index, r);
		return -1;
	}
	return 0;
}

static int
pop3_sync(struct source *src, char **cause)
{
	return 0;
}

static void
pop3_close(struct source *src)
{
	struct pop3 *p = src->data;

	/* QUIT applies the deletions of what was committed. */
	mailpop3_quit(p->pop);
	mailpop3_free(p->pop);
	mail_url_free(&p->url);
	free(p);
	free(src->label);
}

static const struct source_ops pop3_ops = {
	.name = "pop3",
	.next = pop3_next,
	.done = pop3_done,
	.sync = pop3_sync,
	.close = pop3_close,
};

int
source_pop3_open(struct source *src, const char *url, char **cause)
{
	struct pop3 *p = xcalloc(1, sizeof *p);
	char *password = NULL;
	int r, ex = EX_TEMPFAIL;

	if (mail_url_parse(url, &p->url, cause) != 0 || strncasecmp(p->url.scheme, "pop3", 4)) {
		if (*cause == NULL)
			xasprintf(cause, _("%s: not a pop3:// or pop3s:// URL"), url);
		mail_url_free(&p->url);
		free(p);
		return EX_USAGE;
	}
	if (p->url.user == NULL) {
		xasprintf(cause, _("%s: no user name"), url);
		ex = EX_USAGE;
		goto early;
	}
	if ((password = mail_password(src->options, &p->url, cause)) == NULL) {
		ex = EX_CONFIG;
		goto early;
	}
	p->pop = mailpop3_new(0, NULL);
	mailpop3_set_timeout(p->pop, 60);
	r = p->url.tls ? mailpop3_ssl_connect(p->pop, p->url.host, p->url.port) :
			 mailpop3_socket_connect(p->pop, p->url.host, p->url.port);
	if (r != MAILPOP3_NO_ERROR) {
		xasprintf(
		    cause, _("%s:%d: cannot connect (POP3 error %d)"), p->url.host, p->url.port, r);
		goto fail;
	}
	if (p->url.tls && !src->options->insecure &&
	    tls_verify(p->pop->pop3_stream, p->url.host, cause) != 0)
		goto fail;
	if ((r = mailpop3_login(p->pop, p->url.user, password)) != MAILPOP3_NO_ERROR) {
		xasprintf(
		    cause, "pop3 %s: login as %s refused (error %d)", p->url.host, p->url.user, r);
		ex = r == MAILPOP3_ERROR_BAD_PASSWORD || r == MAILPOP3_ERROR_BAD_USER ? EX_NOPERM :
											EX_TEMPFAIL;
		goto fail;
	}
	if ((r = mailpop3_list(p->pop, &p->list)) != MAILPOP3_NO_ERROR) {
		xasprintf(cause, "pop3 %s: LIST: error %d", p->url.host, r);
		goto fail;
	}
	free(password);
	src->ops = &pop3_ops;
	src->data = p;
	src->total = carray_count(p->list);
	xasprintf(&src->label, "pop3://%s@%s", p->url.user, p->url.host);
	return 0;
fail:
	free(password);
	mailpop3_free(p->pop);
early:
	mail_url_free(&p->url);
	free(p);
	return ex;
}
