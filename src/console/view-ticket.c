/*
 * view-ticket.c — one ticket, as mutt's pager shows one message: a header block
 * (queue, service, status, priority, level, owner, requester, channel, due times,
 * dynamic fields, links, attachments, who else has it open), then the thread of
 * articles with Markdown bodies laid out by mdterm. Internal notes are marked with
 * a bar and their own colour, so that they cannot be mistaken for mail even on a
 * monochrome terminal. The ticket is reloaded when a NOTIFY names it; the
 * updated_at it was drawn from is what stale-write checks compare with.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"

/* Each part of the card is a function of src/sql/api/61-console-read.sql. */
static const char sql_ticket[] =
    "SELECT id, subject, status, priority, level, channel, seen, updated_by, queue_id, queue,"
    " queue_name, service, owner, owner_name, requester_name, requester_email,"
    " requester_phone, district, location, created, updated, first_response_due,"
    " first_response_at, resolution_due, pending_until, next_response_due, claim_lapses,"
    " claim_lapsed, due, time_spent, merged_into"
    " FROM guichet.ticket_card($1::bigint)";
static const char sql_fields[] = "SELECT label, value FROM guichet.ticket_fields($1::bigint)";
static const char sql_articles[] =
    "SELECT id, kind, at, subject, body, body_format, mail_to, time_spent, author, author_email,"
    " sender_unknown, duplicate_message_id FROM guichet.ticket_articles($1::bigint)";
static const char sql_attachments[] = "SELECT id, article_id, filename, content_type, size"
				      " FROM guichet.ticket_attachments($1::bigint)";
static const char sql_links[] =
    "SELECT kind, outgoing, other, status, subject FROM guichet.ticket_links($1::bigint)";

static const char sql_presence[] =
    "SELECT login, display_name, writing FROM guichet.presence_list($1::bigint)";
static const char sql_presence_leave[] = "SELECT guichet.presence_leave($1::bigint)";

#define PRESENCE_HEARTBEAT_MS 30000.0
/* Who has the ticket open is asked again at most this often. */
#define PRESENCE_MIN_INTERVAL_MS 1000.0

enum part { P_TICKET, P_FIELDS, P_ARTICLES, P_ATTACHMENTS, P_LINKS, P_COUNT };

struct tline {
	char *text; /* plain text, or NULL when md is used */
	const struct md_line *md;
	int color;
	int attr;
	bool note_bar; /* an internal note's body: drawn with a bar */
	int article;   /* index in articles, or -1 */
	bool head;     /* the first line of an article */
};

struct part_arg;

struct ticket_view {
	long long id;
	struct part_arg *staged[P_COUNT]; /* results of the load in progress */
	unsigned generation;
	int pending;
	PGresult *parts[P_COUNT];
	PGresult *presence;
	struct md_doc **docs;
	size_t ndocs;
	struct tline *lines;
	size_t nlines;
	int width; /* the width the lines were laid out for */
	size_t top;
	char *seen;
	char *title;
	int queue_id;
	double presence_at;
	double presence_loaded_at; /* the last presence_list sent */
	bool presence_due;	   /* a colleague came or went since */
	bool missing;
	bool left; /* it was shown, then left the agent's queues (moved, returned) */
};

static void
lines_free(struct ticket_view *tv)
{
	size_t i;

	for (i = 0; i < tv->nlines; i++)
		free(tv->lines[i].text);
	free(tv->lines);
	tv->lines = NULL;
	tv->nlines = 0;
	for (i = 0; i < tv->ndocs; i++)
		mdterm_free(tv->docs[i]);
	free(tv->docs);
	tv->docs = NULL;
	tv->ndocs = 0;
}

static struct tline *
add_line(struct ticket_view *tv, int color, int attr, const char *fmt, ...) GUICHET_PRINTF(4, 5);

static struct tline *
add_line(struct ticket_view *tv, int color, int attr, const char *fmt, ...)
{
	struct tline *l;
	va_list ap;

	tv->lines = xreallocarray(tv->lines, tv->nlines + 1, sizeof *tv->lines);
	l = &tv->lines[tv->nlines++];
	memset(l, 0, sizeof *l);
	l->color = color;
	l->attr = attr;
	l->article = -1;
	if (fmt != NULL) {
		va_start(ap, fmt);
		xvasprintf(&l->text, fmt, ap);
		va_end(ap);
	}
	return l;
}

static const char *
val(PGresult *res, int row, const char *name)
{
	const char *v = db_value(res, row, name);

	return v != NULL ? v : "";
}

static void
layout_header(struct ticket_view *tv, int width)
{
	PGresult *t = tv->parts[P_TICKET], *r;
	struct strbuf sb;
	const char *due;
	int i;

	add_line(tv, C_HEADING, UI_BOLD, "#%s  %s", val(t, 0, "id"), val(t, 0, "subject"));
	add_line(tv, C_DEFAULT, 0, _("Queue:     %s (%s)   Service: %s"), val(t, 0, "queue"),
	    val(t, 0, "queue_name"), *val(t, 0, "service") ? val(t, 0, "service") : "—");
	add_line(tv, C_DEFAULT, 0, _("Status:    %s   Priority: %s   Level: %s   Channel: %s"),
	    format_name(val(t, 0, "status")), val(t, 0, "priority"), val(t, 0, "level"),
	    format_name(val(t, 0, "channel")));
	if (db_value(t, 0, "owner") != NULL && *val(t, 0, "claim_lapses") != '\0')
		/* A claim nobody has acted on yet: when the queue takes it back (45-claims.sql). */
		add_line(tv, C_WARN, 0,
		    db_bool(t, 0, "claim_lapsed") ?
			_("Owner:     %s (%s) — lapsed at %s: anyone may take it") :
			_("Owner:     %s (%s) — free again at %s if untouched"),
		    val(t, 0, "owner"), val(t, 0, "owner_name"), val(t, 0, "claim_lapses"));
	else if (db_value(t, 0, "owner") != NULL)
		add_line(tv, C_DEFAULT, 0, _("Owner:     %s (%s)"), val(t, 0, "owner"),
		    val(t, 0, "owner_name"));
	else
		add_line(tv, C_DEFAULT, 0, "%s", _("Owner:     nobody (unclaimed)"));
	strbuf_init(&sb);
	strbuf_puts(&sb, val(t, 0, "requester_name"));
	if (*val(t, 0, "requester_email"))
		strbuf_printf(&sb, " <%s>", val(t, 0, "requester_email"));
	if (*val(t, 0, "requester_phone"))
		strbuf_printf(&sb, "  ☎ %s", val(t, 0, "requester_phone"));
	add_line(tv, C_DEFAULT, 0, _("Requester: %s"), sb.len ? sb.buf : "—");
	strbuf_free(&sb);
	if (*val(t, 0, "district") || *val(t, 0, "location"))
		add_line(tv, C_DEFAULT, 0, _("Place:     %s %s"), val(t, 0, "district"),
		    val(t, 0, "location"));
	add_line(tv, C_DEFAULT, 0, _("Created:   %s   Updated: %s by %s   Time spent: %s min"),
	    val(t, 0, "created"), val(t, 0, "updated"), val(t, 0, "updated_by"),
	    val(t, 0, "time_spent"));
	due = db_value(t, 0, "due");
	{
		long long left = due != NULL ? db_int(t, 0, "due", 0) - (long long)server_now() : 0;
		char *cd = due != NULL ? format_countdown(left) : xstrdup("");

		add_line(tv,
		    due != NULL ? (left < 0	      ? C_BREACH :
					  left < 7200 ? C_WARN :
							C_DEFAULT) :
				  C_DEFAULT,
		    /* The countdown first: at 80 columns the end of this line is clipped. */
		    0, _("Due:       %s%sfirst response %s%s%s   resolution %s"), cd,
		    *cd != '\0' ? "   " : "",
		    *val(t, 0, "first_response_due") ? val(t, 0, "first_response_due") : "—",
		    *val(t, 0, "first_response_at") ? _(", answered ") : "",
		    val(t, 0, "first_response_at"),
		    *val(t, 0, "resolution_due") ? val(t, 0, "resolution_due") : "—");
		free(cd);
	}
	if (*val(t, 0, "pending_until"))
		add_line(tv, C_DEFAULT, 0, _("Pending until %s"), val(t, 0, "pending_until"));
	if (*val(t, 0, "next_response_due"))
		add_line(tv, C_DEFAULT, 0, _("Follow-up: the requester wrote again: answer by %s"),
		    val(t, 0, "next_response_due"));
	if (*val(t, 0, "merged_into"))
		add_line(tv, C_WARN, 0, _("Merged into #%s"), val(t, 0, "merged_into"));
	r = tv->parts[P_FIELDS];
	if (r != NULL && PQntuples(r) > 0) {
		strbuf_init(&sb);
		for (i = 0; i < PQntuples(r); i++)
			strbuf_printf(&sb, "%s%s: %s", i ? "   " : "", val(r, i, "label"),
			    val(r, i, "value"));
		add_line(tv, C_DEFAULT, 0, _("Fields:    %s"), sb.buf);
		strbuf_free(&sb);
	}
	r = tv->parts[P_LINKS];
	for (i = 0; r != NULL && i < PQntuples(r); i++) {
		const char *kind = val(r, i, "kind");
		bool out = db_bool(r, i, "outgoing");
		const char *what = strcmp(kind, "parent") == 0 ?
		    (out ? _("parent of") : _("child of")) :
		    strcmp(kind, "duplicate") == 0 ?
		    (out ? _("duplicate of") : _("duplicated by")) :
		    strcmp(kind, "depends") == 0 ? (out ? _("depends on") : _("blocks")) :
						   _("relates to");

		add_line(tv, C_LABEL, 0, _("Link:      %s #%s (%s) %s"), what, val(r, i, "other"),
		    format_name(val(r, i, "status")), val(r, i, "subject"));
	}
	if (tv->presence != NULL && PQntuples(tv->presence) > 0) {
		strbuf_init(&sb);
		for (i = 0; i < PQntuples(tv->presence); i++)
			strbuf_printf(&sb, "%s%s%s", i ? ", " : "", val(tv->presence, i, "login"),
			    db_bool(tv->presence, i, "writing") ? _(" (writing)") : "");
		add_line(tv, C_PRESENCE, 0, _("Also here: %s"), sb.buf);
		strbuf_free(&sb);
	}
	(void)width;
}

static const char *
kind_label(const char *kind)
{
	static const struct {
		const char *kind;
		const char *label; /* N_() */
	} labels[] = {
		{ "mail_in", N_("mail from") },
		{ "mail_out", N_("reply by") },
		{ "note", N_("internal note by") },
		{ "phone", N_("phone call, noted by") },
	};
	size_t i;

	for (i = 0; i < nitems(labels); i++)
		if (strcmp(kind, labels[i].kind) == 0)
			return _(labels[i].label);
	return _("system");
}

static int
kind_color(const char *kind)
{
	if (strcmp(kind, "mail_in") == 0 || strcmp(kind, "phone") == 0)
		return C_MAIL_IN;
	if (strcmp(kind, "mail_out") == 0)
		return C_MAIL_OUT;
	if (strcmp(kind, "note") == 0)
		return C_NOTE;
	return C_SYSTEM;
}

static void
layout_articles(struct ticket_view *tv, int width)
{
	PGresult *r = tv->parts[P_ARTICLES], *att = tv->parts[P_ATTACHMENTS];
	int i, j, n = r != NULL ? PQntuples(r) : 0, natt = att != NULL ? PQntuples(att) : 0;
	size_t k;

	tv->docs = xcalloc(n > 0 ? (size_t)n : 1, sizeof *tv->docs);
	tv->ndocs = (size_t)n;
	for (i = 0; i < n; i++) {
		const char *kind = val(r, i, "kind");
		bool note = strcmp(kind, "note") == 0;
		int body_width = note ? width - 2 : width;
		struct tline *l;
		char *extra = NULL;
		long long minutes = db_int(r, i, "time_spent", 0);

		add_line(tv, C_DEFAULT, 0, "%s", "");
		if (minutes > 0)
			xasprintf(&extra, _(" · %lld min"), minutes);
		l = add_line(tv, kind_color(kind), UI_BOLD, "── %s %s · %s%s%s%s ──",
		    kind_label(kind), val(r, i, "author"), val(r, i, "at"),
		    extra != NULL ? extra : "", *val(r, i, "mail_to") ? " · to " : "",
		    val(r, i, "mail_to"));
		l->article = i;
		l->head = true;
		free(extra);
		if (*val(r, i, "subject") && !note) {
			l = add_line(tv, C_LABEL, 0, _("Subject: %s"), val(r, i, "subject"));
			l->article = i;
		}
		/* What the gateway could not vouch for (guichet-mail(8)). */
		if (db_bool(r, i, "sender_unknown")) {
			l = add_line(tv, C_LABEL, UI_BOLD, "%s",
			    _("(!) Unverified sender: not among this ticket's people"));
			l->article = i;
		}
		if (db_bool(r, i, "duplicate_message_id")) {
			l = add_line(tv, C_LABEL, UI_BOLD, "%s",
			    _("(!) Message-ID seen before from this sender, with other content"));
			l->article = i;
		}
		if (body_width < 20)
			body_width = 20;
		tv->docs[i] = strcmp(val(r, i, "body_format"), "text") == 0 ?
		    mdterm_plain(val(r, i, "body"), body_width) :
		    mdterm_render(val(r, i, "body"), body_width);
		for (k = 0; k < tv->docs[i]->nlines; k++) {
			l = add_line(tv, note ? C_NOTE : C_DEFAULT, 0, NULL);
			l->md = &tv->docs[i]->lines[k];
			l->note_bar = note;
			l->article = i;
		}
		for (j = 0; j < natt; j++) {
			char *size;

			if (strcmp(val(att, j, "article_id"), val(r, i, "id")) != 0)
				continue;
			size = format_size(db_int(att, j, "size", 0));
			l = add_line(tv, C_LABEL, 0, _("  [attachment %d] %s  (%s, %s)"), j + 1,
			    val(att, j, "filename"), val(att, j, "content_type"), size);
			l->article = i;
			free(size);
		}
	}
}

static void
layout(struct ticket_view *tv, int width)
{
	lines_free(tv);
	tv->width = width;
	if (tv->parts[P_TICKET] == NULL)
		return;
	layout_header(tv, width);
	layout_articles(tv, width);
}

static void
parts_clear(struct ticket_view *tv)
{
	int i;

	for (i = 0; i < P_COUNT; i++) {
		if (tv->parts[i] != NULL)
			PQclear(tv->parts[i]);
		tv->parts[i] = NULL;
	}
}

static void presence_leave(long long ticket);

struct part_arg {
	unsigned generation;
	enum part part;
	PGresult *res;
};

static void
on_part(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct view *v = owner;
	struct ticket_view *tv = v->data;
	struct part_arg *pa = arg;
	int i;

	if (pa->generation != tv->generation) {
		free(pa);
		return;
	}
	if (res == NULL) {
		ui_error("%s", error);
		tv->pending = -1;
		free(pa);
		return;
	}
	/* Keep the result until every part of this load has arrived. */
	tv->staged[pa->part] = pa;
	pa->res = PQcopyResult(res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
	if (tv->pending > 0 && --tv->pending > 0)
		return;
	if (tv->pending < 0)
		return;
	parts_clear(tv);
	for (i = 0; i < P_COUNT; i++) {
		if (tv->staged[i] != NULL) {
			tv->parts[i] = tv->staged[i]->res;
			free(tv->staged[i]);
			tv->staged[i] = NULL;
		}
	}
	if (PQntuples(tv->parts[P_TICKET]) == 0) {
		/*
		 * Moved or returned out of the agent's queues, or never hers. Her
		 * colleagues are told she no longer has it open.
		 */
		if (tv->seen != NULL) {
			ui_message(_("#%lld has left your queues"), tv->id);
			tv->left = true;
			presence_leave(tv->id);
		} else
			ui_error(_("no ticket #%lld (or you may not see it)"), tv->id);
		tv->missing = true;
		parts_clear(tv);
	} else {
		free(tv->seen);
		tv->seen = xstrdup(db_value(tv->parts[P_TICKET], 0, "seen"));
		tv->queue_id = (int)db_int(tv->parts[P_TICKET], 0, "queue_id", 0);
	}
	layout(tv, ui_cols());
	if (tv->top >= tv->nlines)
		tv->top = tv->nlines > 0 ? tv->nlines - 1 : 0;
	v->ready = true;
}

static void
load(struct view *v)
{
	struct ticket_view *tv = v->data;
	static const char *const sqls[P_COUNT] = {
		[P_TICKET] = sql_ticket,
		[P_FIELDS] = sql_fields,
		[P_ARTICLES] = sql_articles,
		[P_ATTACHMENTS] = sql_attachments,
		[P_LINKS] = sql_links,
	};
	static const char *const labels[P_COUNT] = {
		[P_TICKET] = "ticket",
		[P_FIELDS] = "ticket:fields",
		[P_ARTICLES] = "ticket:articles",
		[P_ATTACHMENTS] = "ticket:attachments",
		[P_LINKS] = "ticket:links",
	};
	char id[32];
	const char *params[1] = { id };
	int i;

	for (i = 0; i < P_COUNT; i++) {
		if (tv->staged[i] != NULL) {
			if (tv->staged[i]->res != NULL)
				PQclear(tv->staged[i]->res);
			free(tv->staged[i]);
			tv->staged[i] = NULL;
		}
	}
	tv->generation++;
	tv->pending = P_COUNT;
	snprintf(id, sizeof id, "%lld", tv->id);
	for (i = 0; i < P_COUNT; i++) {
		struct part_arg *pa = xcalloc(1, sizeof *pa);

		pa->generation = tv->generation;
		pa->part = (enum part)i;
		conn_send_prepared(labels[i], sqls[i], 1, params, on_part, v, pa);
	}
}

static void
on_presence_list(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct view *v = owner;
	struct ticket_view *tv = v->data;

	/* Presence is a courtesy: without the presence functions the ticket still works. */
	if (res == NULL)
		return;
	if (tv->presence != NULL)
		PQclear(tv->presence);
	tv->presence = PQcopyResult(res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
	layout(tv, ui_cols());
}

static void
ignore_result(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	if (error != NULL)
		log_debug("presence: %s", error);
}

static void
presence_leave(long long ticket)
{
	char id[32];
	const char *params[1] = { id };

	if (!conn_ready())
		return;
	snprintf(id, sizeof id, "%lld", ticket);
	conn_send("presence:leave", sql_presence_leave, 1, params, ignore_result, NULL, NULL);
}

static void
presence_load(struct view *v)
{
	struct ticket_view *tv = v->data;
	char id[32];
	const char *params[1] = { id };

	snprintf(id, sizeof id, "%lld", tv->id);
	tv->presence_loaded_at = now_ms();
	tv->presence_due = false;
	conn_send_prepared("presence", sql_presence, 1, params, on_presence_list, v, NULL);
}

/*
 * A colleague opened or left the ticket: list who is here, at most once a
 * second. Presence notifications come from anyone who may see the queue, so a
 * burst of them (or a colleague's script sending them in a loop) costs one
 * query a second, not one each.
 */
static void
presence_changed(struct view *v)
{
	struct ticket_view *tv = v->data;

	if (now_ms() - tv->presence_loaded_at >= PRESENCE_MIN_INTERVAL_MS)
		presence_load(v);
	else
		tv->presence_due = true;
}

static void
open_view(struct view *v)
{
	struct ticket_view *tv = v->data;

	load(v);
	v->loaded_at = now_ms();
	ticket_presence(tv->id, false);
	tv->presence_at = now_ms();
	presence_load(v);
}

static void
tick(struct view *v)
{
	struct ticket_view *tv = v->data;

	if (tv->left)
		return;
	if (now_ms() - tv->presence_at >= PRESENCE_HEARTBEAT_MS) {
		tv->presence_at = now_ms();
		ticket_presence(tv->id, false);
		presence_load(v);
	} else if (tv->presence_due && v == view_top()) {
		presence_changed(v);
	}
}

static void
draw_line(struct ticket_view *tv, const struct tline *l, int y, int width)
{
	int x = 0;
	size_t i;

	if (l->note_bar) {
		ui_text(y, 0, 2, "│ ", C_NOTE, UI_BOLD);
		x = 2;
	}
	if (l->md == NULL) {
		ui_text(y, x, width - x, l->text, l->color, l->attr);
		return;
	}
	for (i = 0; i < l->md->nspans && x < width; i++) {
		const struct md_span *sp = &l->md->spans[i];

		x += ui_text(
		    y, x, width - x, sp->text, l->note_bar ? C_NOTE : C_DEFAULT, UI_MD(sp->style));
	}
}

static void
draw(struct view *v, int top, int height)
{
	struct ticket_view *tv = v->data;
	int width = ui_cols(), i;

	if (tv->width != width && tv->parts[P_TICKET] != NULL)
		layout(tv, width);
	if (tv->nlines == 0) {
		ui_text(top, 2, width - 2,
		    tv->left	    ? _("this ticket is no longer in your queues") :
			tv->missing ? _("no such ticket") :
				      _("loading…"),
		    C_DEFAULT, 0);
		return;
	}
	if (tv->top + (size_t)height > tv->nlines)
		tv->top = tv->nlines > (size_t)height ? tv->nlines - (size_t)height : 0;
	for (i = 0; i < height && tv->top + (size_t)i < tv->nlines; i++)
		draw_line(tv, &tv->lines[tv->top + (size_t)i], top + i, width);
}

static const char *
title(struct view *v)
{
	struct ticket_view *tv = v->data;
	int pct = tv->nlines > 0 ? (int)((tv->top * 100) / tv->nlines) : 0;

	free(tv->title);
	xasprintf(&tv->title, _("ticket #%lld — %d%%"), tv->id, pct);
	return tv->title;
}

static void
jump_article(struct ticket_view *tv, int dir)
{
	size_t i;

	if (dir > 0) {
		for (i = tv->top + 1; i < tv->nlines; i++)
			if (tv->lines[i].head) {
				tv->top = i;
				return;
			}
	} else {
		for (i = tv->top; i-- > 0;)
			if (tv->lines[i].head) {
				tv->top = i;
				return;
			}
		tv->top = 0;
	}
}

/* The article at the top of the screen (the first one while in the header). */
static long long
current_article(struct ticket_view *tv)
{
	PGresult *r = tv->parts[P_ARTICLES];
	size_t i;
	int a = 0;

	if (r == NULL || PQntuples(r) == 0)
		return 0;
	for (i = 0; i <= tv->top && i < tv->nlines; i++)
		if (tv->lines[i].head)
			a = tv->lines[i].article;
	return db_int(r, a, "id", 0);
}

/* Save (view false: to a file) or view one of the ticket's attachments. */
static void
use_attachment(struct ticket_view *tv, const char *arg, bool view)
{
	PGresult *att = tv->parts[P_ATTACHMENTS];
	char **labels, **names, **types;
	long long *ids;
	int n = att != NULL ? PQntuples(att) : 0, i, k = 0;

	if (n == 0) {
		ui_error("%s", _("this ticket has no attachments"));
		return;
	}
	/* Copies: a reload may replace the results while the choice is open. */
	labels = xcalloc((size_t)n, sizeof *labels);
	names = xcalloc((size_t)n, sizeof *names);
	types = xcalloc((size_t)n, sizeof *types);
	ids = xcalloc((size_t)n, sizeof *ids);
	for (i = 0; i < n; i++) {
		xasprintf(&labels[i], "%d. %s (%s)", i + 1, val(att, i, "filename"),
		    val(att, i, "content_type"));
		names[i] = xstrdup(val(att, i, "filename"));
		types[i] = xstrdup(val(att, i, "content_type"));
		ids[i] = db_int(att, i, "id", 0);
	}
	if (n > 1)
		k = prompt_choice(view ? _("view which attachment?") : _("save which attachment?"),
		    (const char *const *)labels, (size_t)n, 0);
	if (k >= 0 && view)
		attachment_open(ids[k], names[k], types[k]);
	else if (k >= 0)
		attachment_save(ids[k], names[k], arg);
	for (i = 0; i < n; i++) {
		free(labels[i]);
		free(names[i]);
		free(types[i]);
	}
	free(labels);
	free(names);
	free(types);
	free(ids);
}

/* The linked tickets to choose from; 0 when there are none. */
static int
open_link(struct ticket_view *tv)
{
	PGresult *r = tv->parts[P_LINKS];
	char **labels;
	int n = r != NULL ? PQntuples(r) : 0, i, k;
	long long id = 0, *ids;

	if (n == 0)
		return 0;
	labels = xcalloc((size_t)n, sizeof *labels);
	ids = xcalloc((size_t)n, sizeof *ids);
	for (i = 0; i < n; i++) {
		xasprintf(&labels[i], "#%s (%s) %s", val(r, i, "other"),
		    format_name(val(r, i, "status")), val(r, i, "subject"));
		ids[i] = db_int(r, i, "other", 0);
	}
	k = prompt_choice(_("open which ticket?"), (const char *const *)labels, (size_t)n, 0);
	for (i = 0; i < n; i++)
		free(labels[i]);
	free(labels);
	if (k >= 0)
		id = ids[k];
	free(ids);
	if (id != 0)
		view_open_ticket(id);
	return 1;
}

static int
action(struct view *v, enum action a, const char *arg)
{
	struct ticket_view *tv = v->data;

	/* Enter moves a line on, as in mutt's pager. */
	if (pager_move(&tv->top, tv->nlines, ui_lines() - 3, a == A_ENTER ? A_DOWN : a))
		return 1;
	switch (a) {
	case A_NEXT_ARTICLE:
		jump_article(tv, 1);
		return 1;
	case A_PREV_ARTICLE:
		jump_article(tv, -1);
		return 1;
	case A_OPEN_LINK:
		if (!open_link(tv))
			ui_error("%s", _("this ticket has no links"));
		return 1;
	case A_HISTORY:
		view_open_history(tv->id);
		return 1;
	case A_CONTACT:
		view_open_contact(tv->id);
		return 1;
	case A_SAVE_ATTACHMENT:
		use_attachment(tv, arg, false);
		return 1;
	case A_VIEW_ATTACHMENT:
		use_attachment(tv, NULL, true);
		return 1;
	case A_ATTACH:
		attachment_attach(tv->id);
		return 1;
	case A_NEXT_TICKET:
		if (tv->queue_id != 0) {
			char q[16];

			snprintf(q, sizeof q, "%d", tv->queue_id);
			action_global(A_NEXT_TICKET, q);
		}
		return 1;
	case A_SPLIT: {
		long long art = current_article(tv);

		if (art == 0) {
			ui_error("%s", _("no article to split"));
			return 1;
		}
		action_split(tv->id, art, arg);
	}
		return 1;
	case A_CLAIM:
	case A_RELEASE:
	case A_NOTE:
	case A_REPLY:
	case A_ESCALATE:
	case A_STATUS:
	case A_PRIORITY:
	case A_FIELD:
	case A_LINK:
	case A_MERGE:
	case A_ASSIGN:
	case A_MOVE:
	case A_RETURN_L1:
	case A_SERVICE:
	case A_DISTRICT:
		if (tv->seen == NULL) {
			ui_error("%s", _("the ticket is not loaded yet"));
			return 1;
		}
		{
			char *seen = xstrdup(tv->seen);
			long long id = tv->id;

			/* The view may be reloaded while the action prompts: keep copies. */
			action_ticket(a, &id, 1, seen, arg);
			free(seen);
		}
		return 1;
	default:
		return 0;
	}
}

static void
on_notify(struct view *v, long long ticket_id)
{
	struct ticket_view *tv = v->data;

	if (ticket_id == tv->id)
		v->dirty = true;
}

static void
on_presence(struct view *v, long long ticket_id)
{
	struct ticket_view *tv = v->data;

	if (ticket_id == tv->id && v == view_top())
		presence_changed(v);
}

static void
on_reconnect(struct view *v)
{
	struct ticket_view *tv = v->data;

	if (tv->left)
		return;
	ticket_presence(tv->id, false);
	presence_load(v);
}

static void
close_view(struct view *v)
{
	struct ticket_view *tv = v->data;

	presence_leave(tv->id);
	lines_free(tv);
	parts_clear(tv);
	for (int i = 0; i < P_COUNT; i++) {
		if (tv->staged[i] != NULL) {
			if (tv->staged[i]->res != NULL)
				PQclear(tv->staged[i]->res);
			free(tv->staged[i]);
		}
	}
	if (tv->presence != NULL)
		PQclear(tv->presence);
	free(tv->seen);
	free(tv->title);
	free(tv);
}

const struct view_ops view_ticket_ops = {
	.name = "ticket",
	.keymap = KM_TICKET,
	.open = open_view,
	.load = load,
	.draw = draw,
	.action = action,
	.on_notify = on_notify,
	.on_presence = on_presence,
	.on_reconnect = on_reconnect,
	.tick = tick,
	.close = close_view,
	.title = title,
};

void
view_ticket_open(long long id)
{
	struct ticket_view *tv = xcalloc(1, sizeof *tv);

	tv->id = id;
	view_push(&view_ticket_ops, tv);
}

/* The ticket shown on top, or 0: actions use it to refresh at once. */
long long
view_ticket_current(void)
{
	struct view *v = view_top();

	if (v == NULL || v->ops != &view_ticket_ops)
		return 0;
	return ((struct ticket_view *)v->data)->id;
}
