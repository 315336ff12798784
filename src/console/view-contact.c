/*
 * view-contact.c — one citizen's record: name, addresses, phones, district,
 * and every ticket of hers the agent may see, across channels and queues,
 * newest first, with a count of those she may not see (contact_card and
 * contact_tickets, api/37-contact.sql). Opened from a ticket or a list of
 * tickets, on the ticket's requester; Enter opens one of her tickets, e
 * corrects a field of her record (contact_update, recorded in the contact
 * audit), M merges her record into another of hers (contact_merge).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "console.h"

static const char sql_card[] =
    "SELECT id, name, email, phone, district, addresses, merged_into, erased, hidden"
    " FROM guichet.contact_card(guichet.ticket_requester($1::bigint))";
static const char sql_tickets[] =
    "SELECT t.id, to_char(t.created_at, 'YYYY-MM-DD') AS created, t.status, t.channel,"
    " t.queue, t.subject"
    " FROM guichet.contact_tickets(guichet.ticket_requester($1::bigint)) t";
static const char sql_update[] = "SELECT guichet.contact_update($1::bigint, $2, $3)";
static const char sql_merge[] = "SELECT guichet.contact_merge($1::bigint, $2::bigint) AS moved";

/* A row: a line of text, and the ticket it names (0: a line of her record). */
struct contact_row {
	long long ticket;
	char *text;
};

struct contact_view {
	long long ticket; /* the ticket whose requester she is */
	long long id;	  /* her contact id, once loaded */
	struct list list;
	char *title;
	long long hidden;
	bool card_ready;
};

static void
row_free(void *p)
{
	struct contact_row *r = p;

	free(r->text);
	free(r);
}

static void
add_line(struct contact_view *cv, long long ticket, char *text)
{
	struct contact_row *r = xcalloc(1, sizeof *r);

	r->ticket = ticket;
	r->text = text;
	list_append(&cv->list, (void **)&r, 1);
}

static void
add_field(struct contact_view *cv, const char *label, const char *value)
{
	char *line;

	if (value == NULL || *value == '\0')
		return;
	xasprintf(&line, "%-12s %s", label, value);
	add_line(cv, 0, line);
}

static void
on_tickets(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct view *v = owner;
	struct contact_view *cv = v->data;
	char *line;
	int i;

	if (res == NULL) {
		ui_error("%s", error);
		return;
	}
	xasprintf(
	    &line, _("Her tickets: %d you may see, %lld you may not:"), PQntuples(res), cv->hidden);
	add_line(cv, 0, line);
	for (i = 0; i < PQntuples(res); i++) {
		xasprintf(&line, "  #%-7s %s  %-8s %-8s %-12s %s", db_value(res, i, "id"),
		    db_value(res, i, "created"), _(db_value(res, i, "status")),
		    _(db_value(res, i, "channel")), db_value(res, i, "queue"),
		    db_value(res, i, "subject"));
		add_line(cv, strtoll(db_value(res, i, "id"), NULL, 10), line);
	}
	v->ready = true;
}

static void
on_card(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct view *v = owner;
	struct contact_view *cv = v->data;
	char id[32];
	const char *params[1] = { id };

	if (res == NULL) {
		ui_error("%s", error);
		return;
	}
	list_clear(&cv->list, row_free);
	if (PQntuples(res) == 0) {
		add_line(cv, 0, xstrdup(_("this ticket has no requester")));
		v->ready = true;
		return;
	}
	cv->id = strtoll(db_value(res, 0, "id"), NULL, 10);
	cv->hidden = strtoll(db_value(res, 0, "hidden"), NULL, 10);
	add_field(cv, _("name"), db_value(res, 0, "name"));
	add_field(cv, _("mail"), db_value(res, 0, "email"));
	add_field(cv, _("phone"), db_value(res, 0, "phone"));
	add_field(cv, _("district"), db_value(res, 0, "district"));
	add_field(cv, _("also"), db_value(res, 0, "addresses"));
	add_field(cv, _("merged into"), db_value(res, 0, "merged_into"));
	if (strcmp(db_value(res, 0, "erased"), "t") == 0)
		add_line(cv, 0, xstrdup(_("her personal data were erased")));
	add_line(cv, 0, xstrdup(""));
	snprintf(id, sizeof id, "%lld", cv->ticket);
	conn_send("contact tickets", sql_tickets, 1, params, on_tickets, v, NULL);
}

static void
load(struct view *v)
{
	struct contact_view *cv = v->data;
	char id[32];
	const char *params[1] = { id };

	snprintf(id, sizeof id, "%lld", cv->ticket);
	conn_send("contact", sql_card, 1, params, on_card, v, NULL);
}

static void
open_view(struct view *v)
{
	load(v);
	v->loaded_at = now_ms();
}

static void
draw_row(void *row, int y, int width, bool selected, void *arg)
{
	struct contact_row *r = row;

	list_text_row(r->text, y, width, selected, arg);
}

static void
draw(struct view *v, int top, int height)
{
	struct contact_view *cv = v->data;

	list_draw_or_empty(&cv->list, top, height, v->ready, _("no contact"), draw_row, NULL);
}

/* Correct one field of her record: which, then the new value. */
static void
edit(struct view *v)
{
	static const char *const fields[] = { "name", "email", "phone", "district" };
	static const char *const labels[] = { N_("name"), N_("mail"), N_("phone"), N_("district") };
	struct contact_view *cv = v->data;
	char id[32], *value, *cause = NULL;
	const char *params[3];
	PGresult *res;
	int f;

	if (cv->id == 0)
		return;
	f = prompt_choice_tr(_("correct which field?"), labels, nitems(labels), 0);
	if (f < 0 || (value = prompt_line(_("new value (empty: none):"), NULL)) == NULL)
		return;
	snprintf(id, sizeof id, "%lld", cv->id);
	params[0] = id;
	params[1] = fields[f];
	params[2] = value;
	res = conn_call("contact update", sql_update, 3, params, &cause, NULL, NULL);
	if (res == NULL)
		ui_error("%s", cause);
	else
		ui_message("%s", _("contact corrected"));
	PQclear(res);
	free(cause);
	free(value);
	v->dirty = true;
}

/*
 * Merge this record into another of the same person (supervisors: the server
 * refuses others): her tickets, articles, addresses and phone move there.
 */
static void
merge(struct view *v)
{
	struct contact_view *cv = v->data;
	char id[32], *into, *cause = NULL;
	const char *params[2];
	PGresult *res;

	if (cv->id == 0 ||
	    (into = prompt_line(_("merge this contact into contact number:"), NULL)) == NULL)
		return;
	snprintf(id, sizeof id, "%lld", cv->id);
	params[0] = id;
	params[1] = into;
	if (*into != '\0' && prompt_yesno(_("move her tickets, addresses and phone there?"))) {
		res = conn_call("contact merge", sql_merge, 2, params, &cause, NULL, NULL);
		if (res == NULL)
			ui_error("%s", cause);
		else
			ui_message(_("merged into contact %s: %s tickets moved"), into,
			    db_value(res, 0, "moved"));
		PQclear(res);
		free(cause);
		v->dirty = true;
	}
	free(into);
}

static int
action(struct view *v, enum action a, const char *arg)
{
	struct contact_view *cv = v->data;
	struct contact_row *r = list_current(&cv->list);

	if (list_action(&cv->list, a, ui_lines() - 3))
		return 1;
	switch (a) {
	case A_ENTER:
		if (r != NULL && r->ticket != 0)
			view_open_ticket(r->ticket);
		return 1;
	case A_CONTACT_EDIT:
		edit(v);
		return 1;
	case A_CONTACT_MERGE:
		merge(v);
		return 1;
	default:
		return 0;
	}
}

static void
on_notify(struct view *v, long long ticket_id)
{
	struct contact_view *cv = v->data;
	size_t i;

	for (i = 0; i < cv->list.nrows; i++)
		if (((struct contact_row *)cv->list.rows[i])->ticket == ticket_id)
			v->dirty = true;
}

static void
close_view(struct view *v)
{
	struct contact_view *cv = v->data;

	list_clear(&cv->list, row_free);
	free(cv->title);
	free(cv);
}

static const char *
title(struct view *v)
{
	struct contact_view *cv = v->data;

	free(cv->title);
	/* Her name is in the view, where rows are sanitised; not in the title. */
	if (cv->id == 0)
		xasprintf(&cv->title, _("requester of #%lld"), cv->ticket);
	else
		xasprintf(&cv->title, _("contact %lld, requester of #%lld"), cv->id, cv->ticket);
	return cv->title;
}

const struct view_ops view_contact_ops = {
	.name = "contact",
	.keymap = KM_CONTACT,
	.open = open_view,
	.load = load,
	.draw = draw,
	.action = action,
	.on_notify = on_notify,
	.close = close_view,
	.title = title,
};

void
view_contact_open(long long ticket)
{
	struct contact_view *cv = xcalloc(1, sizeof *cv);

	cv->ticket = ticket;
	view_push(&view_contact_ops, cv);
}
