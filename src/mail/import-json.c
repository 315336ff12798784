/*
 * import-json.c — a parsed message as the JSON document ingest_message()
 * receives (p_mail, see guichet-mail(8)), the run's options inside it, and
 * guichet-mail parse, which prints that document without a database.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "mail.h"

/* A setting's words (separated by commas or blanks) as a JSON array. */
static void
json_words(struct strbuf *sb, bool *first, const char *key, const char *value)
{
	char *copy, *tok, *save = NULL;
	bool f = true;

	json_key(sb, first, key);
	strbuf_addch(sb, '[');
	if (value != NULL) {
		copy = xstrdup(value);
		for (tok = strtok_r(copy, ", \t", &save); tok;
		     tok = strtok_r(NULL, ", \t", &save)) {
			if (!f)
				strbuf_addch(sb, ',');
			f = false;
			json_string(sb, tok);
		}
		free(copy);
	}
	strbuf_addch(sb, ']');
}

char *
import_options_json(const struct mail_options *o)
{
	struct strbuf sb;
	bool first = true;

	strbuf_init(&sb);
	strbuf_addch(&sb, '{');
	json_key(&sb, &first, "default_queue");
	json_string(&sb, o->default_queue);
	json_key(&sb, &first, "rate_cap");
	strbuf_printf(&sb, "%lld", o->rate_cap);
	json_key(&sb, &first, "ack_template");
	json_string(&sb, o->ack_template);
	json_words(&sb, &first, "own_addresses", config_get(o->config, "mail.own_addresses"));
	json_words(&sb, &first, "form_senders", config_get(o->config, "mail.form_senders"));
	strbuf_addch(&sb, '}');
	return strbuf_detach(&sb);
}

static const char *
loop_name(enum mail_loop l)
{
	switch (l) {
	case LOOP_AUTOREPLY:
		return "autoreply";
	case LOOP_BULK:
		return "bulk";
	case LOOP_BOUNCE:
		return "bounce";
	default:
		return NULL;
	}
}

static void
json_list(struct strbuf *js, bool *first, const char *key, char **list, size_t n)
{
	size_t i;

	json_key(js, first, key);
	strbuf_addch(js, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_addch(js, ',');
		json_string(js, list[i]);
	}
	strbuf_addch(js, ']');
}

/* What limits left out, for the server's note: [{"what", "name", "count", "limit"}]. */
static void
omitted_json(struct strbuf *js, bool *first, const struct mail *m)
{
	size_t i;
	bool f;

	json_key(js, first, "omitted");
	strbuf_addch(js, '[');
	for (i = 0; i < m->nomitted; i++) {
		const struct mail_omission *o = &m->omitted[i];

		f = true;
		strbuf_puts(js, i > 0 ? ",{" : "{");
		json_key(js, &f, "what");
		json_string(js, o->what);
		if (o->name != NULL) {
			json_key(js, &f, "name");
			json_string(js, o->name);
		}
		strbuf_printf(js, ",\"count\":%zu,\"limit\":%zu}", o->count, o->limit);
	}
	strbuf_addch(js, ']');
}

/* The parsed message as ingest_message's p_mail, attachments end to end in att. */
void
import_mail_json(
    const struct import *im, const struct mail *m, struct strbuf *js, struct strbuf *att)
{
	bool first = true, f;
	size_t i;
	char *route;

	strbuf_addch(js, '{');
	if (m->error != NULL) {
		json_key(js, &first, "error");
		json_string(js, m->error);
	}
	json_key(js, &first, "message_id");
	json_string(js, m->message_id);
	json_key(js, &first, "in_reply_to");
	json_string(js, m->in_reply_to);
	json_list(js, &first, "refs", m->refs, m->nrefs);
	json_key(js, &first, "from_addr");
	json_string(js, m->from_addr);
	json_key(js, &first, "from_name");
	json_string(js, m->from_name);
	json_key(js, &first, "reply_to_addr");
	json_string(js, m->reply_to_addr);
	json_key(js, &first, "reply_to_name");
	json_string(js, m->reply_to_name);
	json_key(js, &first, "from");
	json_string(js, m->from);
	json_key(js, &first, "to");
	json_string(js, m->to);
	json_key(js, &first, "cc");
	json_string(js, m->cc);
	json_list(js, &first, "recipients", m->recipients, m->nrecipients);
	json_key(js, &first, "subject");
	json_string(js, m->subject);
	json_key(js, &first, "body");
	json_string(js, m->body.buf ? m->body.buf : "");
	json_key(js, &first, "notes");
	json_string(js, m->notes.buf);
	omitted_json(js, &first, m);
	strbuf_printf(js, ",\"lossy\":%s,\"oversized\":%s,\"tag\":%lld",
	    m->lossy ? "true" : "false", m->oversized ? "true" : "false", m->tag);
	json_key(js, &first, "loop");
	json_string(js, loop_name(m->loop));
	json_key(js, &first, "loop_reason");
	json_string(js, m->loop_reason);
	strbuf_printf(js, ",\"no_ack\":%s", m->no_ack ? "true" : "false");
	json_key(js, &first, "no_ack_reason");
	json_string(js, m->no_ack_reason);
	if (m->loop == LOOP_BOUNCE) {
		json_key(js, &first, "bounce");
		strbuf_addch(js, '{');
		f = true;
		json_key(js, &f, "msgid");
		json_string(js, m->bounce_msgid);
		json_key(js, &f, "recipient");
		json_string(js, m->bounce_recipient);
		json_key(js, &f, "status");
		json_string(js, m->bounce_status);
		strbuf_printf(js, ",\"permanent\":%s}", m->bounce_permanent ? "true" : "false");
	}
	json_key(js, &first, "attachments");
	strbuf_addch(js, '[');
	for (i = 0; i < m->nattachments; i++) {
		const struct mail_attachment *a = &m->attachments[i];

		f = true;
		strbuf_puts(js, i > 0 ? ",{" : "{");
		json_key(js, &f, "name");
		json_string(js, a->filename);
		json_key(js, &f, "type");
		json_string(js, a->content_type);
		strbuf_printf(js, ",\"inline\":%s,\"oversized\":%s,\"offset\":%zu,\"size\":%zu}",
		    a->is_inline ? "true" : "false", a->oversized ? "true" : "false", att->len,
		    a->oversized ? 0 : a->size);
		if (!a->oversized)
			strbuf_add(att, a->data, a->size);
	}
	strbuf_addch(js, ']');
	if ((route = route_match(im->o.config, m)) != NULL) {
		json_key(js, &first, "route");
		strbuf_puts(js, route);
		free(route);
	}
	json_key(js, &first, "options");
	strbuf_puts(js, im->options_json);
	strbuf_addch(js, '}');
}

/*
 * guichet-mail parse: one message on stdin, printed as the JSON that
 * ingest_message() would receive. No database: for tests and for admins
 * wondering what the gateway makes of a message.
 */
int
parse_run(const struct mail_options *o)
{
	struct import im;
	struct source_msg msg;
	struct mail m;
	struct strbuf js, att;
	bool truncated;

	memset(&im, 0, sizeof im);
	im.o = *o;
	im.options_json = import_options_json(o);
	memset(&msg, 0, sizeof msg);
	if (read_fd(STDIN_FILENO, o->max_size * 4, &msg.data, &msg.len, &truncated,
		&msg.real_size) != 0)
		die(EX_IOERR, "stdin: %s", strerror(errno));
	mail_parse(&m, msg.data, msg.len, o);
	strbuf_init(&js);
	strbuf_init(&att);
	import_mail_json(&im, &m, &js, &att);
	printf("%s\n", js.buf);
	strbuf_free(&js);
	strbuf_free(&att);
	mail_free(&m);
	free(msg.data);
	free(im.options_json);
	return 0;
}
