/*
 * actions.c — what an agent does to tickets. Each action asks what it needs
 * (a status, a queue and a reason — the choices among rows are actions-pick.c's —
 * a text in $EDITOR), then makes one API call per ticket through run_op
 * (actions-bulk.c). The server decides every rule; the console only reports its
 * sentence. A stale write (GU002) reloads the ticket and keeps the text as a draft.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "actions.h"

static const char sql_claim[] = "SELECT guichet.claim($1::bigint, $2::timestamptz)";
static const char sql_release[] = "SELECT guichet.release($1::bigint)";
static const char sql_note[] = "SELECT guichet.add_note($1::bigint, $2::text, $3::int)";
static const char sql_reply[] =
    "SELECT guichet.reply($1::bigint, $2::text, $3::int, $4::timestamptz, $5::text, $6::text,"
    " $7::int, $8::int, $9::jsonb)";
static const char sql_escalate[] = "SELECT guichet.escalate($1::bigint, $2::int, $3::text)";
static const char sql_status[] =
    "SELECT guichet.set_status($1::bigint, $2::text, $3::timestamptz, $4::timestamptz)";
static const char sql_priority[] = "SELECT guichet.set_priority($1::bigint, $2::int)";
static const char sql_field[] = "SELECT guichet.set_field($1::bigint, $2::text, $3::text)";
static const char sql_link[] = "SELECT guichet.link($1::bigint, $2::bigint, $3::text)";
static const char sql_merge[] = "SELECT guichet.merge($1::bigint, $2::bigint)";
static const char sql_next[] = "SELECT guichet.next_ticket($1::int) AS id";
static const char sql_split[] = "SELECT guichet.split_article($1::bigint, $2::text) AS id";
static const char sql_absence[] =
    "SELECT guichet.set_absence($1::timestamptz, $2::timestamptz, $3::name)";
static const char sql_presence_set[] = "SELECT guichet.presence_set($1::bigint, $2::bool)";
static const char sql_create[] =
    "SELECT guichet.create_ticket($1::int, $2::text, $3::text, $4::bigint, $5::text, $6::int,"
    " $7::int, $8::int, $9::jsonb) AS id";
static const char sql_attachment[] = "SELECT content FROM guichet.attachment_content($1::bigint)";

/* Tell the colleagues that we have the ticket open, or are writing in it (a
 * heartbeat: the server forgets it after a while); the answer does not matter. */
void
ticket_presence(long long ticket, bool writing)
{
	char id[32];
	const char *params[2] = { id, writing ? "true" : "false" };

	if (!conn_ready())
		return;
	snprintf(id, sizeof id, "%lld", ticket);
	conn_send("presence:set", sql_presence_set, 2, params, NULL, NULL, NULL);
}

/* Minutes spent, asked after a note or reply; empty is none. -1 when cancelled. */
static int
ask_time_spent(char *buf, size_t len)
{
	const char *ask = config_get_default(console.config, "console.ask_time_spent", "yes");
	char *s;
	long long v;

	snprintf(buf, len, "0");
	if (strcmp(ask, "yes") != 0)
		return 0;
	for (;;) {
		if ((s = prompt_line(_("time spent in minutes (Enter: none):"), NULL)) == NULL)
			return -1;
		if (*s == '\0' || parse_int(s, 0, 100000, &v) == 0) {
			snprintf(buf, len, "%lld", *s == '\0' ? 0 : v);
			free(s);
			return 0;
		}
		free(s);
		ui_error("%s", _("a number of minutes, please"));
	}
}

static char *
edit_text(long long draft_ticket, const char *kind, const char *initial)
{
	char *cause = NULL, *text, *q;

	if (draft_exists(draft_ticket, kind)) {
		xasprintf(&q, _("a %s draft was kept: resume it? (n: start again)"), kind);
		if (!prompt_yesno(q))
			draft_done(draft_ticket, kind);
		free(q);
	}
	if (draft_ticket != 0)
		ticket_presence(draft_ticket, true);
	text = draft_edit(draft_ticket, kind, initial, &cause);
	if (draft_ticket != 0)
		ticket_presence(draft_ticket, false);
	if (text == NULL) {
		ui_error("%s", cause);
		free(cause);
	}
	return text;
}

static int
do_note(const long long *ids, size_t n)
{
	struct op op = { "note", N_("note added"), sql_note, 3, { 0 }, -1, "note" };
	char minutes[16];
	char *body;
	int r;

	if ((body = edit_text(n == 1 ? ids[0] : 0, "note", "")) == NULL)
		return -1;
	if (ask_time_spent(minutes, sizeof minutes) != 0) {
		free(body);
		ui_message("%s", _("note postponed: the draft is kept"));
		return -1;
	}
	op.params[1] = body;
	op.params[2] = minutes;
	r = run_op(&op, ids, n, NULL);
	free(body);
	return r;
}

/* Empty: the requester (To) or nobody (Cc); the server checks the addresses. */
static void
ask_recipients(char **to, char **cc)
{
	char *s;

	if ((s = prompt_line(_("to (Enter: the requester):"), *to)) == NULL)
		return;
	free(*to);
	*to = *s != '\0' ? s : NULL;
	if (*to == NULL)
		free(s);
	if ((s = prompt_line(_("cc:"), *cc)) == NULL)
		return;
	free(*cc);
	*cc = *s != '\0' ? s : NULL;
	if (*cc == NULL)
		free(s);
}

/* The reply as the requester's mail client will show it: Markdown as text. */
static void
preview(const char *body)
{
	struct md_doc *doc = mdterm_render(body, 72);
	char *text = mdterm_to_text(doc);

	run_pager_text(text);
	free(text);
	mdterm_free(doc);
}

/*
 * A reply's template and knowledge-base article, kept beside its draft (a
 * resumed draft still knows them), and the files attached with F: the
 * parameters p_template, p_kb and p_attachments of reply(). -1 when a file
 * cannot be sent (the draft is kept).
 */
static int
reply_extras(long long ticket, struct op *op, char *template_id, char *kb, size_t len, char **files)
{
	char *cause = NULL;
	long long n;

	if ((n = draft_number(ticket, "template")) > 0)
		snprintf(template_id, len, "%lld", n);
	op->params[6] = n > 0 ? template_id : NULL;
	if ((n = draft_number(ticket, "kb")) > 0)
		snprintf(kb, len, "%lld", n);
	op->params[7] = n > 0 ? kb : NULL;
	if (attachment_reply_files(ticket, files, &cause) != 0) {
		ui_error(_("%s: the reply is kept as a draft"), cause);
		free(cause);
		return -1;
	}
	op->params[8] = *files;
	return 0;
}

static int
do_reply(long long ticket, const char *seen)
{
	struct op op = { "reply", N_("reply queued for sending"), sql_reply, 9, { 0 }, 3, "reply" };
	static const char *const choices[] = {
		N_("send"),
		N_("edit again"),
		N_("preview"),
		N_("postpone (keep the draft)"),
		N_("cancel (discard the draft)"),
		N_("recipients (To, Cc)"),
	};
	char minutes[16], template_id[32] = "", kb[32], *initial = NULL, *body = NULL;
	char *title, *to = NULL, *cc = NULL, *files = NULL;
	int k, r = -1;

	/* The template is rendered by the server: the agent edits what will be sent. */
	if (!draft_exists(ticket, "reply")) {
		if ((initial = choose_template(ticket, template_id, sizeof template_id)) == NULL)
			return -1;
		draft_set_number(ticket, "template", atoll(template_id));
	}
	if ((body = edit_text(ticket, "reply", initial)) == NULL)
		goto out;
	for (;;) {
		xasprintf(&title, _("the reply is ready — to: %s%s%s"),
		    to != NULL ? to : _("the requester"), cc != NULL ? _(", cc: ") : "",
		    cc != NULL ? cc : "");
		k = prompt_choice_tr(title, choices, nitems(choices), 0);
		free(title);
		if (k == 5) {
			ask_recipients(&to, &cc);
			continue;
		}
		if (k == 2) {
			preview(body);
			continue;
		}
		if (k == 1) {
			free(body);
			if ((body = edit_text(ticket, "reply", NULL)) == NULL)
				goto out;
			continue;
		}
		break;
	}
	if (k == 4) {
		draft_done(ticket, "reply");
		ui_message("%s", _("reply discarded"));
		goto out;
	}
	if (k != 0 || ask_time_spent(minutes, sizeof minutes) != 0) {
		ui_message("%s", _("reply postponed: the draft is kept"));
		goto out;
	}
	op.params[1] = body;
	op.params[2] = minutes;
	op.params[4] = to;
	op.params[5] = cc;
	/* Read after editing: starting the draft again forgets what went with it. */
	if (reply_extras(ticket, &op, template_id, kb, sizeof kb, &files) == 0)
		r = run_op(&op, &ticket, 1, seen);
out:
	free(initial);
	free(body);
	free(to);
	free(cc);
	free(files);
	return r;
}

static int
do_escalate(const long long *ids, size_t n, const char *arg)
{
	struct op op = { "escalate", N_("escalated"), sql_escalate, 3, { 0 }, -1, NULL };
	PGresult *res;
	char *reason;
	int k, r;

	if ((k = pick_level2_queue(ids[0], &res)) < 0)
		return -1;
	reason = arg != NULL ? xstrdup(arg) : prompt_line(_("reason (required):"), NULL);
	if (reason == NULL || *reason == '\0') {
		ui_error("%s", _("an escalation needs a reason: nothing done"));
		free(reason);
		PQclear(res);
		return -1;
	}
	op.params[1] = db_value(res, k, "id");
	op.params[2] = reason;
	r = run_op(&op, ids, n, NULL);
	free(reason);
	PQclear(res);
	return r;
}

static int
do_status(const long long *ids, size_t n, const char *seen, const char *arg)
{
	static const char *const statuses[] = { "open", "pending", "resolved", "closed" };
	struct op op = { "status", N_("status changed"), sql_status, 4, { 0 }, 2, NULL };
	char *until = NULL;
	int k = -1, r;
	size_t i;

	if (arg != NULL) {
		for (i = 0; i < nitems(statuses); i++)
			if (strcmp(arg, statuses[i]) == 0)
				k = (int)i;
		if (k < 0) {
			ui_error(_("unknown status: %s"), arg);
			return -1;
		}
	} else if ((k = prompt_choice(_("new status"), statuses, nitems(statuses), 0)) < 0)
		return -1;
	if (k == 1 && arg == NULL) {
		until = prompt_line(_("pending until (YYYY-MM-DD [HH:MM], Enter: no date):"), NULL);
		if (until == NULL)
			return -1;
	}
	op.params[1] = statuses[k];
	op.params[3] = until != NULL && *until != '\0' ? until : NULL;
	r = run_op(&op, ids, n, seen);
	free(until);
	return r;
}

static int
do_priority(const long long *ids, size_t n, const char *arg)
{
	struct op op = { "priority", N_("priority changed"), sql_priority, 2, { 0 }, -1, NULL };
	char buf[4];
	long long v;
	int k;

	if (arg != NULL) {
		if (parse_int(arg, 1, 5, &v) != 0) {
			ui_error("%s", _("a priority is a number from 1 to 5"));
			return -1;
		}
	} else {
		if ((k = prompt_choice_tr(_("new priority"), priority_labels, 5, 2)) < 0)
			return -1;
		v = 5 - k;
	}
	snprintf(buf, sizeof buf, "%lld", v);
	op.params[1] = buf;
	return run_op(&op, ids, n, NULL);
}

static int
do_field(const long long *ids, size_t n)
{
	struct op op = { "field", N_("field set"), sql_field, 3, { 0 }, -1, NULL };
	PGresult *res;
	char *value = NULL, *q;
	int k, r = -1;

	if ((k = pick_field(&res)) < 0)
		return -1;
	if (strcmp(db_value(res, k, "kind"), "enum") == 0) {
		/* The allowed values, offered as a list (and a way to clear). */
		char *allowed = xstrdup(db_value(res, k, "allowed")), *s, *save = NULL;
		const char **vals = NULL;
		size_t nv = 0;
		int c;

		for (s = strtok_r(allowed, "\x1f", &save); s != NULL;
		     s = strtok_r(NULL, "\x1f", &save)) {
			vals = xreallocarray(vals, nv + 2, sizeof *vals);
			vals[nv++] = s;
		}
		vals = xreallocarray(vals, nv + 1, sizeof *vals);
		vals[nv++] = _("(clear)");
		c = prompt_choice(db_value(res, k, "label"), vals, nv, 0);
		if (c >= 0 && (size_t)c < nv - 1)
			value = xstrdup(vals[c]);
		free(vals);
		free(allowed);
		if (c < 0)
			goto out;
	} else {
		xasprintf(&q, _("%s (%s; Enter: clear):"), db_value(res, k, "label"),
		    db_value(res, k, "kind"));
		value = prompt_line(q, NULL);
		free(q);
		if (value == NULL)
			goto out;
		if (*value == '\0') {
			free(value);
			value = NULL;
		}
	}
	op.params[1] = db_value(res, k, "name");
	op.params[2] = value;
	r = run_op(&op, ids, n, NULL);
out:
	free(value);
	PQclear(res);
	return r;
}

static int
ask_ticket_number(const char *question, const char *arg, long long *out)
{
	char *s = arg != NULL ? xstrdup(arg) : prompt_line(question, NULL);
	int r;

	if (s == NULL)
		return -1;
	r = parse_int(*s == '#' ? s + 1 : s, 1, INT64_MAX, out);
	if (r != 0)
		ui_error(_("not a ticket number: %s"), s);
	free(s);
	return r;
}

static int
do_link(long long id, const char *arg)
{
	static const char *const kinds[] = { "relates", "parent", "duplicate", "depends" };
	static const char *const labels[] = {
		N_("relates to it"),
		N_("is its parent"),
		N_("duplicates it"),
		N_("depends on it"),
	};
	struct op op = { "link", N_("linked"), sql_link, 3, { 0 }, -1, NULL };
	char other[32];
	long long b;
	int k;

	if (ask_ticket_number(_("link to ticket #"), arg, &b) != 0)
		return -1;
	if ((k = prompt_choice_tr(_("this ticket…"), labels, nitems(labels), 0)) < 0)
		return -1;
	snprintf(other, sizeof other, "%lld", b);
	op.params[1] = other;
	op.params[2] = kinds[k];
	return run_op(&op, &id, 1, NULL);
}

static int
do_merge(long long id, const char *arg)
{
	struct op op = { "merge", N_("merged"), sql_merge, 2, { 0 }, -1, NULL };
	char other[32], *q;
	long long into;
	bool yes;

	if (ask_ticket_number(_("merge this ticket into ticket #"), arg, &into) != 0)
		return -1;
	xasprintf(&q, _("merge #%lld into #%lld? Its articles move there. (y/n)"), id, into);
	yes = prompt_yesno(q);
	free(q);
	if (!yes)
		return -1;
	snprintf(other, sizeof other, "%lld", into);
	op.params[1] = other;
	return run_op(&op, &id, 1, NULL);
}

int
action_ticket(enum action a, const long long *ids, size_t n, const char *seen, const char *arg)
{
	/* Claiming is not guarded against stale views: only replies and status are. */
	struct op claim = { "claim", N_("claimed"), sql_claim, 2, { 0 }, -1, NULL };
	struct op release = { "release", N_("released"), sql_release, 1, { 0 }, -1, NULL };

	if (n == 0)
		return -1;
	switch (a) {
	case A_CLAIM:
		return run_op(&claim, ids, n, seen);
	case A_RELEASE:
		return run_op(&release, ids, n, NULL);
	case A_NOTE:
		return do_note(ids, n);
	case A_REPLY:
		if (n != 1) {
			ui_error("%s", _("one reply per ticket: untag, then reply in the ticket"));
			return -1;
		}
		return do_reply(ids[0], seen);
	case A_ESCALATE:
		return do_escalate(ids, n, arg);
	case A_STATUS:
		return do_status(ids, n, seen, arg);
	case A_PRIORITY:
		return do_priority(ids, n, arg);
	case A_FIELD:
		return do_field(ids, n);
	case A_LINK:
		return do_link(ids[0], arg);
	case A_MERGE:
		return do_merge(ids[0], arg);
	case A_ASSIGN:
	case A_MOVE:
	case A_RETURN_L1:
	case A_SERVICE:
	case A_DISTRICT:
		return desk_action(a, ids, n, arg);
	default:
		return -1;
	}
}

static void
next_ticket(const char *queue)
{
	const char *params[1] = { queue };
	PGresult *res;
	long long id;

	if ((res = action_call("next-ticket", sql_next, 1, params)) == NULL)
		return;
	id = db_int(res, 0, "id", 0);
	PQclear(res);
	if (id == 0) {
		ui_message("%s", _("nothing left to take in this queue"));
		return;
	}
	action_refresh(id);
	view_open_ticket(id);
	ui_message(_("#%lld claimed: the most urgent of the queue"), id);
}

static void
absence(const char *arg)
{
	static const char *const labels[] = {
		N_("I am back: end my absence"),
		N_("I am away: set an absence"),
	};
	const char *params[3];
	char *until = NULL, *sub = NULL;
	PGresult *res;
	int k;

	if (arg != NULL)
		k = strcmp(arg, "off") == 0 ? 0 : 1;
	else if ((k = prompt_choice_tr(_("absence"), labels, nitems(labels), 0)) < 0)
		return;
	params[0] = params[1] = params[2] = NULL;
	if (k == 1) {
		until = prompt_line(_("away until (YYYY-MM-DD [HH:MM]):"), NULL);
		if (until == NULL)
			return;
		sub = prompt_line(_("substitute's login (Enter: none):"), NULL);
		if (sub == NULL) {
			free(until);
			return;
		}
		params[0] = "now";
		params[1] = *until != '\0' ? until : NULL;
		params[2] = *sub != '\0' ? sub : NULL;
	}
	if ((res = action_call("absence", sql_absence, 3, params)) != NULL) {
		PQclear(res);
		ui_message("%s", k == 0 ? _("welcome back: absence ended") : _("absence recorded"));
	}
	free(until);
	free(sub);
}

/*
 * A ticket for a phone call or a visit: the queue, who, the channel, the
 * subject, then what it is (service, district, priority, the queue's fields:
 * desk_classify), then the text in $EDITOR.
 */
static void
new_ticket(void)
{
	static const char *const channels[] = { "phone", "desk", "mail", "web", "internal" };
	struct new_ticket nt = { .fields = NULL };
	PGresult *queues, *res;
	char *contact = NULL, *subject = NULL, *body = NULL;
	const char *params[9];
	int k, c;
	long long id;

	if ((k = pick_writable_queue(&queues)) < 0)
		return;
	if ((contact = choose_contact()) == NULL)
		goto out;
	if ((c = prompt_choice(_("channel"), channels, nitems(channels), 0)) < 0)
		goto out;
	if ((subject = prompt_line(_("subject:"), NULL)) == NULL || *subject == '\0')
		goto out;
	if (desk_classify(db_value(queues, k, "id"), contact,
		db_value(queues, k, "default_priority"), &nt) != 0)
		goto out;
	if ((body = edit_text(0, "new", "")) == NULL)
		goto out;
	params[0] = db_value(queues, k, "id");
	params[1] = subject;
	params[2] = body;
	params[3] = contact;
	params[4] = channels[c];
	params[5] = nt.priority;
	params[6] = nt.service[0] != '\0' ? nt.service : NULL;
	params[7] = nt.district[0] != '\0' ? nt.district : NULL;
	params[8] = nt.fields;
	if ((res = action_call("create-ticket", sql_create, 9, params)) == NULL)
		goto out;
	id = db_int(res, 0, "id", 0);
	PQclear(res);
	draft_done(0, "new");
	view_open_ticket(id);
	ui_message(_("ticket #%lld created"), id);
out:
	desk_classify_free(&nt);
	free(contact);
	free(subject);
	free(body);
	PQclear(queues);
}

int
action_global(enum action a, const char *arg)
{
	switch (a) {
	case A_NEXT_TICKET:
		if (arg == NULL)
			return 0;
		next_ticket(arg);
		return 1;
	case A_ABSENCE:
		absence(arg);
		return 1;
	case A_NEW_TICKET:
		new_ticket();
		return 1;
	default:
		return 0;
	}
}

int
action_split(long long ticket, long long article, const char *arg)
{
	char art[32], *subject, *q;
	const char *params[2] = { art, NULL };
	PGresult *res;
	long long id;

	xasprintf(&q, _("split article %lld into a new ticket; its subject:"), article);
	subject = arg != NULL ? xstrdup(arg) : prompt_line(q, NULL);
	free(q);
	if (subject == NULL || *subject == '\0') {
		free(subject);
		return -1;
	}
	snprintf(art, sizeof art, "%lld", article);
	params[1] = subject;
	res = action_call("split", sql_split, 2, params);
	free(subject);
	if (res == NULL)
		return -1;
	id = db_int(res, 0, "id", 0);
	PQclear(res);
	action_refresh(ticket);
	view_open_ticket(id);
	ui_message(_("ticket #%lld split from #%lld"), id, ticket);
	return 0;
}

/* A file name from a stranger, made safe to create in the current directory. */
static char *
safe_filename(const char *name)
{
	char *s = sanitize_text(name != NULL && *name != '\0' ? name : "attachment", 0), *p;

	for (p = s; *p != '\0'; p++)
		if (*p == '/' || *p == '\\' || (unsigned char)*p < 32)
			*p = '_';
	if (s[0] == '.')
		s[0] = '_';
	return s;
}

int
attachment_save(long long attachment, const char *filename, const char *path_arg)
{
	char id[32], *path, *def, *cause = NULL, *q;
	const char *params[1] = { id };
	PGresult *res;
	int fd, len;
	bool yes;

	def = safe_filename(filename);
	path = path_arg != NULL ? xstrdup(path_arg) : prompt_line(_("save to:"), def);
	free(def);
	if (path == NULL || *path == '\0') {
		free(path);
		return -1;
	}
	snprintf(id, sizeof id, "%lld", attachment);
	res = conn_call_binary("attachment", sql_attachment, 1, params, &cause);
	if (res == NULL) {
		ui_error("%s", cause);
		free(cause);
		free(path);
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 && errno == EEXIST) {
		xasprintf(&q, _("%s exists: overwrite? (y/n)"), path);
		yes = prompt_yesno(q);
		free(q);
		if (yes)
			fd = open(path, O_WRONLY | O_TRUNC, 0600);
		else
			errno = EEXIST;
	}
	if (fd == -1 || PQntuples(res) != 1) {
		ui_error("%s: %s", path, fd == -1 ? strerror(errno) : _("no such attachment"));
		if (fd != -1)
			close(fd);
		PQclear(res);
		free(path);
		return -1;
	}
	len = PQgetlength(res, 0, 0);
	if (write(fd, PQgetvalue(res, 0, 0), (size_t)len) != len || close(fd) != 0)
		ui_error("%s: %s", path, strerror(errno));
	else
		ui_message(_("saved %s (%d bytes)"), path, len);
	PQclear(res);
	free(path);
	return 0;
}
