/*
 * view-history.c — the audit trail of one ticket: who changed what, when, from
 * what to what, in the order of its hash chain; with names rather than ids and
 * times in the desk's time zone (ticket_history, 61-console-read.sql).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "console.h"

static const char sql_history[] = "SELECT seq, at, actor, action, field, old_value, new_value"
				  " FROM guichet.ticket_history($1::bigint)";

struct history_view {
	long long id;
	struct list list;
	char *title;
};

static void
on_result(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct view *v = owner;
	struct history_view *hv = v->data;
	size_t cursor = hv->list.cursor;
	int i;

	if (res == NULL) {
		ui_error("%s", error);
		return;
	}
	list_clear(&hv->list, free);
	for (i = 0; i < PQntuples(res); i++) {
		const char *field = db_value(res, i, "field");
		const char *old = db_value(res, i, "old_value");
		const char *new = db_value(res, i, "new_value");
		char *line;

		xasprintf(&line, "%s  %-8s %-12s %s%s%s%s%s", db_value(res, i, "at"),
		    db_value(res, i, "actor"), db_value(res, i, "action"),
		    field != NULL ? field : "", field != NULL ? ": " : "", old != NULL ? old : "",
		    old != NULL || new != NULL ? " → " : "", new != NULL ? new : "");
		list_append(&hv->list, (void **)&line, 1);
	}
	hv->list.cursor = cursor;
	if (!v->ready && hv->list.nrows > 0)
		hv->list.cursor = hv->list.nrows - 1;
	v->ready = true;
}

static void
load(struct view *v)
{
	struct history_view *hv = v->data;
	char id[32];
	const char *params[1] = { id };

	snprintf(id, sizeof id, "%lld", hv->id);
	conn_send_prepared("history", sql_history, 1, params, on_result, v, NULL);
}

static void
open_view(struct view *v)
{
	load(v);
	v->loaded_at = now_ms();
}

static void
draw(struct view *v, int top, int height)
{
	struct history_view *hv = v->data;

	list_draw_or_empty(&hv->list, top, height, v->ready, _("no history"), list_text_row, NULL);
}

static int
action(struct view *v, enum action a, const char *arg)
{
	struct history_view *hv = v->data;

	if (list_action(&hv->list, a, ui_lines() - 3))
		return 1;
	if (a == A_ENTER) {
		view_pop();
		return 1;
	}
	return 0;
}

static void
on_notify(struct view *v, long long ticket_id)
{
	struct history_view *hv = v->data;

	if (ticket_id == hv->id)
		v->dirty = true;
}

static void
close_view(struct view *v)
{
	struct history_view *hv = v->data;

	list_clear(&hv->list, free);
	free(hv->title);
	free(hv);
}

static const char *
title(struct view *v)
{
	struct history_view *hv = v->data;

	free(hv->title);
	xasprintf(&hv->title, _("history of #%lld — %zu changes"), hv->id, hv->list.nrows);
	return hv->title;
}

const struct view_ops view_history_ops = {
	.name = "history",
	.keymap = KM_HISTORY,
	.open = open_view,
	.load = load,
	.draw = draw,
	.action = action,
	.on_notify = on_notify,
	.close = close_view,
	.title = title,
};

void
view_history_open(long long id)
{
	struct history_view *hv = xcalloc(1, sizeof *hv);

	hv->id = id;
	view_push(&view_history_ops, hv);
}
