/*
 * view-notify.c — the agent's notifications (src/sql/api/36-notification.sql):
 * a follow-up on her ticket, a ticket given or handed over to her, her claim
 * expired, a breach coming, a colleague's @mention. The list, newest first,
 * unread ones marked; Enter opens the ticket and marks the row read. Also the
 * unread count the server says on the agent's channel ('n<count>'), shown in
 * the status line, with the bell and the terminal's title when it grows.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "console.h"

/* Hers only, by the table's policy: the newest 200 are enough to read. */
static const char sql_list[] =
    "SELECT n.id, n.kind, n.ticket_id, n.text, to_char(n.created_at, 'YYYY-MM-DD HH24:MI') AS at,"
    " n.read_at IS NOT NULL AS read FROM guichet.notification n ORDER BY n.id DESC LIMIT 200";
static const char sql_read[] = "SELECT guichet.notification_read($1::bigint[], $2::boolean) AS n";

struct notify_row {
	long long id;
	long long ticket;
	char *kind;
	char *text;
	char *at;
	bool read;
};

struct notify_view {
	struct list list;
};

static struct view *shown; /* the open list, told when the count changes */

/* The kinds' names as the list shows them. */
static const struct {
	const char *kind;
	const char *label;
} kinds[] = {
	{ "followup", N_("follow-up") },
	{ "assigned", N_("assigned") },
	{ "handover", N_("handed over") },
	{ "claim_expired", N_("claim expired") },
	{ "sla_soon", N_("breach soon") },
	{ "mention", N_("mentioned") },
};

static const char *
kind_label(const char *kind)
{
	size_t i;

	for (i = 0; i < nitems(kinds); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return _(kinds[i].label);
	return kind;
}

void
notify_unread(long long count)
{
	long long before = console.unread;
	char *title;

	console.unread = count;
	if (shown != NULL)
		shown->dirty = true;
	if (before < 0 || count == before)
		return;
	if (count > before && console.bell)
		ui_bell();
	if (console.title) {
		if (count > 0)
			xasprintf(&title,
			    ngettext("guichet: %lld notification", "guichet: %lld notifications",
				(unsigned long)count),
			    count);
		else
			title = xstrdup("guichet");
		ui_set_title(title);
		free(title);
	}
	if (count > before)
		ui_message("%s", _("a new notification: press N to read it"));
}

static void
row_free(void *p)
{
	struct notify_row *r = p;

	free(r->kind);
	free(r->text);
	free(r->at);
	free(r);
}

static void
on_result(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct view *v = owner;
	struct notify_view *nv = v->data;
	size_t cursor = nv->list.cursor;
	int i;

	if (res == NULL) {
		ui_error("%s", error);
		return;
	}
	list_clear(&nv->list, row_free);
	for (i = 0; i < PQntuples(res); i++) {
		struct notify_row *r = xcalloc(1, sizeof *r);

		r->id = db_int(res, i, "id", 0);
		r->ticket = db_int(res, i, "ticket_id", 0);
		r->kind = xstrdup(db_value(res, i, "kind"));
		r->text = xstrdup(db_value(res, i, "text"));
		r->at = xstrdup(db_value(res, i, "at"));
		r->read = db_bool(res, i, "read");
		list_append(&nv->list, (void **)&r, 1);
	}
	nv->list.cursor = cursor < nv->list.nrows ? cursor : 0;
	v->ready = true;
}

static void
load(struct view *v)
{
	conn_send("notify", sql_list, 0, NULL, on_result, v, NULL);
}

static void
open_view(struct view *v)
{
	shown = v;
	load(v);
	v->loaded_at = now_ms();
}

static void
draw_row(void *p, int y, int width, bool selected, void *arg)
{
	struct notify_row *r = p;
	int color = selected ? C_CURSOR : C_DEFAULT;
	char *line;

	ui_fill(y, 0, width, color, 0);
	xasprintf(
	    &line, "%s %s  %-13s %s", r->read ? " " : "N", r->at, kind_label(r->kind), r->text);
	ui_text(y, 0, width, line, color, r->read ? 0 : UI_BOLD);
	free(line);
}

static void
draw(struct view *v, int top, int height)
{
	struct notify_view *nv = v->data;

	list_draw_or_empty(&nv->list, top, height, v->ready, _("no notifications"), draw_row, NULL);
}

static void
on_marked(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	if (res == NULL)
		ui_error("%s", error);
}

/* Mark one row (or, r NULL, every one) read or unread; the count follows by NOTIFY. */
static void
mark(struct view *v, struct notify_row *r, bool read)
{
	char ids[32];
	const char *params[2] = { NULL, read ? "t" : "f" };

	if (r != NULL) {
		snprintf(ids, sizeof ids, "{%lld}", r->id);
		params[0] = ids;
		r->read = read;
	}
	conn_send("notify:read", sql_read, 2, params, on_marked, v, NULL);
	v->dirty = true;
}

static int
action(struct view *v, enum action a, const char *arg)
{
	struct notify_view *nv = v->data;
	struct notify_row *r = list_current(&nv->list);
	size_t i;

	if (list_action(&nv->list, a, ui_lines() - 3))
		return 1;
	switch (a) {
	case A_ENTER:
		if (r == NULL)
			return 1;
		if (!r->read)
			mark(v, r, true);
		if (r->ticket > 0)
			view_open_ticket(r->ticket);
		return 1;
	case A_MARK_READ:
		if (r != NULL)
			mark(v, r, !r->read);
		return 1;
	case A_MARK_ALL_READ:
		for (i = 0; i < nv->list.nrows; i++)
			((struct notify_row *)nv->list.rows[i])->read = true;
		mark(v, NULL, true);
		return 1;
	case A_NOTIFICATIONS:
		return 1;
	default:
		return 0;
	}
}

static void
close_view(struct view *v)
{
	struct notify_view *nv = v->data;

	if (shown == v)
		shown = NULL;
	list_clear(&nv->list, row_free);
	free(nv);
}

static const char *
title(struct view *v)
{
	return _("notifications");
}

const struct view_ops view_notify_ops = {
	.name = "notify",
	.keymap = KM_NOTIFY,
	.open = open_view,
	.load = load,
	.draw = draw,
	.action = action,
	.close = close_view,
	.title = title,
};

void
view_notify_open(void)
{
	struct view *v = view_top();

	/* N again in the list does not stack a second one. */
	if (v != NULL && v->ops == &view_notify_ops)
		return;
	view_push(&view_notify_ops, xcalloc(1, sizeof(struct notify_view)));
}
