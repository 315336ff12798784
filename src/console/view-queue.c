/*
 * view-queue.c — the queue overview, the first screen: every queue the agent
 * works in (a supervisor: her organisation's; an admin: all), grouped by
 * organisation, with the counts of new, open, pending, mine and overdue
 * tickets, and a first line for "my tickets". Counts are computed in SQL, each one
 * an index scan; the view reloads when a NOTIFY says a ticket changed. The
 * agent's saved searches follow, each with what it finds (actions-search.c).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"

/*
 * Counts stop at console.count_cap + 1 (see queue_overview in src/sql/api/60-console.sql):
 * counting is proportional to what is counted, and "1000+" says enough.
 */
static const char sql_overview[] =
    "SELECT organisation, id, code, name, level, new, open, pending, mine, overdue"
    " FROM guichet.queue_overview($1::int)";

static const char sql_saved[] =
    "SELECT id, name, query FROM guichet.saved_search ORDER BY lower(name), id";

enum row_kind { ROW_MINE, ROW_ORG, ROW_QUEUE, ROW_SEARCH };

struct queue_row {
	enum row_kind kind;
	int id;
	int level;
	char *code;
	char *name;
	char *query; /* ROW_SEARCH */
	long long new, open, pending, mine, overdue;
	long long found; /* ROW_SEARCH: -1 until counted, -2 when the text does not parse */
};

struct overview {
	struct list list;
	bool loading;
	long long mine_total;
	size_t saved_cursor; /* the cursor was on a saved search (0: no): it stays there */
	int code_width;	     /* the widest code and name, for the layout */
	int name_width;
};

/* Where the columns go: counts follow the names rather than the right edge. */
struct columns {
	int code, name_x, name, counts_x;
};

static void
row_free(void *p)
{
	struct queue_row *r = p;

	free(r->code);
	free(r->name);
	free(r->query);
	free(r);
}

static struct queue_row *
row_new(enum row_kind kind, const char *code, const char *name)
{
	struct queue_row *r = xcalloc(1, sizeof *r);

	r->kind = kind;
	r->code = xstrdup(code != NULL ? code : "");
	r->name = xstrdup(name != NULL ? name : "");
	return r;
}

static void
widen(int *width, const char *text)
{
	char *clean = sanitize_text(text, 0);
	int w = text_width(clean);

	if (w > *width)
		*width = w;
	free(clean);
}

static void
on_found(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct view *v = owner;
	struct overview *ov = v->data;
	struct queue_row *r;
	size_t i;

	for (i = 0; i < ov->list.nrows; i++) {
		r = ov->list.rows[i];
		if (r->kind == ROW_SEARCH && r->id == (int)(intptr_t)arg)
			r->found = res != NULL ? db_int(res, 0, "n", 0) : -2;
	}
}

/* The saved searches, after the queues: their rows, then their counts. */
static void
on_saved(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct view *v = owner;
	struct overview *ov = v->data;
	struct queue_row *r;
	size_t i;
	int n;

	if (res == NULL)
		return;
	for (i = ov->list.nrows; i > 0; i--) {
		r = ov->list.rows[i - 1];
		if (r->kind != ROW_SEARCH && !(r->kind == ROW_ORG && r->id == -1))
			break;
		row_free(r);
		ov->list.nrows--;
	}
	if (PQntuples(res) > 0) {
		r = row_new(ROW_ORG, "", _("Saved searches"));
		r->id = -1;
		list_append(&ov->list, (void **)&r, 1);
	}
	for (n = 0; n < PQntuples(res); n++) {
		r = row_new(ROW_SEARCH, db_value(res, n, "name"), db_value(res, n, "name"));
		r->id = (int)db_int(res, n, "id", 0);
		r->query = xstrdup(db_value(res, n, "query"));
		r->found = -1;
		list_append(&ov->list, (void **)&r, 1);
		if (search_count(r->query, on_found, v, (void *)(intptr_t)r->id) != 0)
			r->found = -2;
	}
	if (ov->saved_cursor > 0 && ov->saved_cursor < ov->list.nrows)
		ov->list.cursor = ov->saved_cursor;
	if (ov->list.cursor >= ov->list.nrows)
		ov->list.cursor = ov->list.nrows > 0 ? ov->list.nrows - 1 : 0;
}

static void
on_result(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct view *v = owner;
	struct overview *ov = v->data;
	struct queue_row *r, *mine;
	const char *org = NULL, *cur_code = NULL;
	size_t keep_cursor = ov->list.cursor;
	int i;

	ov->loading = false;
	if (res == NULL) {
		ui_error("%s", error);
		return;
	}
	if (ov->list.nrows > 0) {
		r = list_current(&ov->list);
		if (r != NULL && r->kind == ROW_QUEUE)
			cur_code = xstrdup(r->code);
		ov->saved_cursor = r != NULL && r->kind == ROW_SEARCH ? ov->list.cursor : 0;
	}
	list_clear(&ov->list, row_free);
	ov->code_width = ov->name_width = 0;
	mine = row_new(ROW_MINE, "", _("My tickets"));
	list_append(&ov->list, (void **)&mine, 1);
	for (i = 0; i < PQntuples(res); i++) {
		const char *o = db_value(res, i, "organisation");

		if (org == NULL || strcmp(org, o) != 0) {
			r = row_new(ROW_ORG, "", o);
			list_append(&ov->list, (void **)&r, 1);
			org = o;
		}
		r = row_new(ROW_QUEUE, db_value(res, i, "code"), db_value(res, i, "name"));
		r->id = (int)db_int(res, i, "id", 0);
		r->level = (int)db_int(res, i, "level", 1);
		r->new = db_int(res, i, "new", 0);
		r->open = db_int(res, i, "open", 0);
		r->pending = db_int(res, i, "pending", 0);
		r->mine = db_int(res, i, "mine", 0);
		r->overdue = db_int(res, i, "overdue", 0);
		widen(&ov->code_width, r->code);
		widen(&ov->name_width, r->name);
		mine->new += r->new;
		mine->mine += r->mine;
		list_append(&ov->list, (void **)&r, 1);
		if (cur_code != NULL && strcmp(cur_code, r->code) == 0)
			keep_cursor = ov->list.nrows - 1;
	}
	ov->list.cursor = keep_cursor < ov->list.nrows ? keep_cursor : (ov->list.nrows > 2 ? 2 : 0);
	/* Start on the first queue rather than on "my tickets" or a heading. */
	if (!v->ready && ov->list.nrows > 2)
		ov->list.cursor = 2;
	free((char *)cur_code);
	v->ready = true;
	conn_send("overview:saved", sql_saved, 0, NULL, on_saved, v, NULL);
}

static void
load(struct view *v)
{
	struct overview *ov = v->data;
	char cap[24];
	const char *params[1] = { cap };

	snprintf(cap, sizeof cap, "%d", console.count_cap);
	ov->loading = true;
	conn_send("overview", sql_overview, 1, params, on_result, v, NULL);
}

static void
open_view(struct view *v)
{
	load(v);
	v->loaded_at = now_ms();
}

static const char *
count_text(long long n, char *buf)
{
	if (n > console.count_cap)
		snprintf(buf, 24, "%d+", console.count_cap);
	else
		snprintf(buf, 24, "%lld", n);
	return buf;
}

/*
 * At 80 columns codes get 14 and names what the counts (37) leave; wider
 * screens give codes and names their full width, up to 24 and 48, and the
 * counts follow them instead of standing a screen's width away.
 */
static void
columns(struct view *v, int width, struct columns *c)
{
	struct overview *ov = v->data;
	int code_max = width > 80 ? 14 + (width - 80) : 14, room;

	if (code_max > 24)
		code_max = 24;
	c->code = ov->code_width < 5 ? 5 : ov->code_width > code_max ? code_max : ov->code_width;
	c->name_x = 2 + c->code + 1;
	room = width - c->name_x - 1 - 37 - 1;
	c->name = ov->name_width > 48 ? 48 : ov->name_width;
	if (c->name > room)
		c->name = room;
	if (c->name < 8)
		c->name = 8;
	c->counts_x = c->name_x + c->name + 1;
}

static void
draw_row(void *p, int y, int width, bool selected, void *arg)
{
	struct queue_row *r = p;
	int color = selected ? C_CURSOR : C_DEFAULT;
	struct columns col;
	char *counts, a[24], b[24], c[24], d[24];

	switch (r->kind) {
	case ROW_ORG:
		ui_text(y, 0, width, r->name, selected ? C_CURSOR : C_ORG, 0);
		return;
	case ROW_MINE:
		xasprintf(&counts, _("%s (%lld)"), r->name, r->mine);
		ui_text(y, 2, width - 2, counts, color, UI_BOLD);
		free(counts);
		return;
	case ROW_SEARCH:
		/* What it finds, under the "new" column (after "lv"). */
		columns(arg, width, &col);
		xasprintf(&counts, "%6s",
		    r->found == -2   ? "?" :
			r->found < 0 ? "…" :
				       count_text(r->found, a));
		ui_text(y, 2, col.counts_x + 3 - 2, r->name, color, 0);
		ui_text(y, col.counts_x + 3, 6, counts, color, 0);
		free(counts);
		return;
	case ROW_QUEUE:
		break;
	}
	columns(arg, width, &col);
	ui_text(y, 2, col.code, r->code, color, 0);
	ui_text(y, col.name_x, col.name, r->name, color, 0);
	xasprintf(&counts, "L%d %6s %6s %6s %6s", r->level, count_text(r->new, a),
	    count_text(r->open, b), count_text(r->pending, c), count_text(r->mine, d));
	ui_text(y, col.counts_x, 30, counts, color, 0);
	free(counts);
	/* Under its heading: "lv" and five counts of "%6s" each after a space. */
	xasprintf(&counts, "%6s", count_text(r->overdue, a));
	ui_text(y, col.counts_x + 31, 6, counts,
	    selected ? C_CURSOR : (r->overdue > 0 ? C_BREACH : C_DEFAULT), 0);
	free(counts);
}

static void
draw(struct view *v, int top, int height)
{
	struct overview *ov = v->data;
	int width = ui_cols();
	struct columns col;
	char *head;

	columns(v, width, &col);
	ui_text(top, 2, col.code, _("queue"), C_LABEL, UI_BOLD);
	ui_text(top, col.name_x, col.name, _("name"), C_LABEL, UI_BOLD);
	xasprintf(&head, "%-2s %6s %6s %6s %6s %6s", _("lv"), _("new"), _("open"), _("pend"),
	    _("mine"), _("late"));
	ui_text(top, col.counts_x, 37, head, C_LABEL, UI_BOLD);
	free(head);
	if (ov->list.nrows == 0 && ov->loading) {
		ui_text(top + 1, 2, width - 2, _("loading…"), C_DEFAULT, 0);
		return;
	}
	list_draw(&ov->list, top + 1, height - 1, draw_row, v);
}

static struct queue_row *
selected_queue(struct view *v)
{
	struct overview *ov = v->data;
	struct queue_row *r = list_current(&ov->list);

	return r != NULL && r->kind == ROW_QUEUE ? r : NULL;
}

static int
action(struct view *v, enum action a, const char *arg)
{
	struct overview *ov = v->data;
	struct queue_row *r;

	switch (a) {
	case A_ENTER:
		r = list_current(&ov->list);
		if (r == NULL)
			return 1;
		if (r->kind == ROW_MINE)
			view_run_action(A_MINE, NULL);
		else if (r->kind == ROW_QUEUE)
			view_open_queue(r->id, r->code, r->name);
		else if (r->kind == ROW_SEARCH)
			view_run_action(A_SEARCH, r->query);
		return 1;
	case A_FORGET_SEARCH:
		r = list_current(&ov->list);
		if (r == NULL || r->kind != ROW_SEARCH) {
			ui_error("%s", _("choose a saved search first"));
			return 1;
		}
		if (search_forget(r->name) == 0) {
			v->dirty = true;
			v->loaded_at = 0;
		}
		return 1;
	case A_NEXT_TICKET:
		if ((r = selected_queue(v)) == NULL) {
			ui_error("%s", _("choose a queue first"));
			return 1;
		}
		{
			char id[16];

			snprintf(id, sizeof id, "%d", r->id);
			action_global(A_NEXT_TICKET, id);
		}
		return 1;
	default:
		return list_action(&ov->list, a, ui_lines() - 4);
	}
}

static void
close_view(struct view *v)
{
	struct overview *ov = v->data;

	list_clear(&ov->list, row_free);
	free(ov);
}

static const char *
title(struct view *v)
{
	return _("queues");
}

const struct view_ops view_queue_ops = {
	.name = "overview",
	.keymap = KM_OVERVIEW,
	/* Every change of every ticket refreshes the counts: once a second is enough. */
	.reload_ms = 1000,
	.open = open_view,
	.load = load,
	.draw = draw,
	.action = action,
	.on_notify = view_dirty_on_notify,
	.close = close_view,
	.title = title,
};

void
view_queue_open(void)
{
	view_push(&view_queue_ops, xcalloc(1, sizeof(struct overview)));
}
