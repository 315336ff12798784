/*
 * view-index.c — the ticket index: one line per ticket of a queue or of a
 * search, drawn in columns; tags, the sort orders, and the keys that act on
 * the selected or tagged tickets. Its rows are paged by view-index-page.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "view-index.h"

#define TAG_MAX 10000

static const char sql_tag_all[] =
    "SELECT id FROM guichet.ticket_index_ids($21::text[], $22::int, " QUERY_TERMS ")";

static bool
is_tagged(struct index_view *ix, long long id)
{
	size_t lo = 0, hi = ix->ntags;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ix->tags[mid] == id)
			return true;
		if (ix->tags[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int
cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void
tag_toggle(struct index_view *ix, long long id)
{
	size_t i;

	for (i = 0; i < ix->ntags; i++) {
		if (ix->tags[i] == id) {
			memmove(
			    ix->tags + i, ix->tags + i + 1, (ix->ntags - i - 1) * sizeof *ix->tags);
			ix->ntags--;
			return;
		}
	}
	ix->tags = xreallocarray(ix->tags, ix->ntags + 1, sizeof *ix->tags);
	ix->tags[ix->ntags++] = id;
	qsort(ix->tags, ix->ntags, sizeof *ix->tags, cmp_id);
}

/*
 * The columns after the fixed ones (id, priority, status, age, SLA end at 31).
 * The subject is what an agent reads: the requester (and a search's queue) get
 * a quarter of what is left each, 12 to 24 columns, and the subject the rest,
 * so that 80 columns still show most of it and 200 do not clip names.
 */
#define OWNER_WIDTH 8
struct columns {
	int owner_x, requester_x, requester, queue, subject_x;
};

static void
columns(const struct index_view *ix, int width, struct columns *c)
{
	int rest;

	c->owner_x = 31;
	c->requester_x = c->owner_x + OWNER_WIDTH + 1;
	rest = width - c->requester_x;
	c->requester = rest / 4 < 12 ? 12 : rest / 4 > 24 ? 24 : rest / 4;
	c->queue = ix->search ? c->requester : 0;
	c->subject_x = c->requester_x + c->requester + 1;
}

static void
draw_row(void *p, int y, int width, bool selected, void *arg)
{
	struct index_view *ix = arg;
	struct ticket_row *r = p;
	int base = selected ? C_CURSOR : C_DEFAULT, sla_color = base, x;
	struct columns c;
	char buf[32], *s;
	long long now = (long long)server_now();

	if (is_tagged(ix, r->id))
		ui_text(y, 0, 1, "*", selected ? C_CURSOR : C_TAGGED, UI_BOLD);
	snprintf(buf, sizeof buf, "%7lld", r->id);
	ui_text(y, 1, 7, buf, base, 0);
	snprintf(buf, sizeof buf, "%d", r->priority);
	ui_text(y, 9, 1, buf, selected ? C_CURSOR : (r->priority >= 4 ? C_WARN : C_DEFAULT), 0);
	ui_text(y, 11, 7, format_name(r->status), base, 0);
	s = format_age(now - r->created);
	ui_text(y, 19, 4, s, base, 0);
	free(s);
	if (r->due != 0) {
		long long left = r->due - now;

		s = format_countdown(left);
		if (!selected)
			sla_color = left < 0 ? C_BREACH : left < 7200 ? C_WARN : C_DEFAULT;
		ui_text(y, 24, 6, s, sla_color, 0);
		free(s);
	}
	columns(ix, width, &c);
	ui_text(y, c.owner_x, OWNER_WIDTH, r->owner, base, 0);
	ui_text(y, c.requester_x, c.requester, r->requester, base, 0);
	x = c.subject_x;
	if (ix->search) {
		snprintf(buf, sizeof buf, "[%s]", r->queue);
		x += ui_text(y, x, c.queue, buf, base, UI_BOLD) + 1;
	}
	ui_text(y, x, width - x, r->subject, base, 0);
}

static void
draw(struct view *v, int top, int height)
{
	struct index_view *ix = v->data;
	int width = ui_cols();
	struct columns c;

	columns(ix, width, &c);
	ui_text(top, 1, 7, _("     id"), C_LABEL, UI_BOLD);
	ui_text(top, 9, 1, _("p"), C_LABEL, UI_BOLD);
	ui_text(top, 11, 7, _("status"), C_LABEL, UI_BOLD);
	ui_text(top, 19, 4, _("age"), C_LABEL, UI_BOLD);
	ui_text(top, 24, 6, _("sla"), C_LABEL, UI_BOLD);
	ui_text(top, c.owner_x, OWNER_WIDTH, _("owner"), C_LABEL, UI_BOLD);
	ui_text(top, c.requester_x, c.requester, _("requester"), C_LABEL, UI_BOLD);
	ui_text(top, c.subject_x, width - c.subject_x, _("subject"), C_LABEL, UI_BOLD);
	if (ix->list.nrows == 0) {
		ui_text(top + 1, 2, width - 2, v->ready ? _("no tickets") : _("loading…"),
		    C_DEFAULT, 0);
		return;
	}
	list_draw(&ix->list, top + 1, height - 1, draw_row, ix);
}

static const char *
title(struct view *v)
{
	struct index_view *ix = v->data;
	char total[32] = "…";

	free(ix->title);
	if (!ix->total_known && ix->q.params[11] != NULL && v->ready)
		snprintf(total, sizeof total, "%zu%s", ix->list.nrows,
		    ix->list.more_after || ix->list.more_before ? "+" : "");
	else if (ix->total_known && ix->total > console.count_cap)
		snprintf(total, sizeof total, _("more than %d"), console.count_cap);
	else if (ix->total_known)
		snprintf(total, sizeof total, "%lld", ix->total);
	if (ix->search)
		xasprintf(&ix->title, _("search: %s — %s tickets%s — sorted: %s"), ix->text, total,
		    "", index_sorts[ix->sort].name);
	else
		xasprintf(&ix->title, _("%s — %s tickets%s — sorted: %s"), ix->code, total,
		    ix->show_all ? _(" (all statuses)") : "", index_sorts[ix->sort].name);
	if (ix->ntags > 0) {
		char *t;

		xasprintf(&t, _("%s — %zu tagged"), ix->title, ix->ntags);
		free(ix->title);
		ix->title = t;
	}
	return ix->title;
}

static void
on_tag_all(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct view *v = owner;
	struct index_view *ix = v->data;
	int i, n;

	if (res == NULL) {
		ui_error("%s", error);
		return;
	}
	n = PQntuples(res);
	free(ix->tags);
	ix->tags = xcalloc(n > 0 ? (size_t)n : 1, sizeof *ix->tags);
	for (i = 0; i < n; i++)
		ix->tags[i] = db_int(res, i, "id", 0);
	ix->ntags = (size_t)n;
	qsort(ix->tags, ix->ntags, sizeof *ix->tags, cmp_id);
	ui_message(
	    n >= TAG_MAX ? _("%d tickets tagged (the first 10000)") : _("%d tickets tagged"), n);
}

static void
tag_all(struct view *v)
{
	struct index_view *ix = v->data;
	const char *params[QUERY_NPARAMS + 2];
	char *statuses = index_status_literal(ix, false), limit[16];

	index_fill_params(ix, params);
	params[20] = statuses;
	snprintf(limit, sizeof limit, "%d", TAG_MAX);
	params[21] = limit;
	conn_send("index:tag-all", sql_tag_all, QUERY_NPARAMS + 2, params, on_tag_all, v, NULL);
	free(statuses);
}

static void
choose_sort(struct view *v, const char *arg)
{
	struct index_view *ix = v->data;
	const char *labels[index_nsorts];
	size_t i;
	int k = -1;

	if (arg != NULL) {
		for (i = 0; i < index_nsorts; i++)
			if (strcmp(arg, index_sorts[i].name) == 0)
				k = (int)i;
		if (k < 0) {
			ui_error(_("unknown order: %s (updated, oldest, priority)"), arg);
			return;
		}
	} else {
		for (i = 0; i < index_nsorts; i++)
			labels[i] = _(index_sorts[i].label);
		k = prompt_choice(_("order"), labels, index_nsorts, (size_t)ix->sort);
	}
	if (k < 0 || k == ix->sort)
		return;
	ix->sort = k;
	index_restart(v);
}

/* Actions on tickets: the tagged ones, or else the selected one. */
static int
ticket_action(struct view *v, enum action a, const char *arg)
{
	struct index_view *ix = v->data;
	struct ticket_row *r = list_current(&ix->list);
	const struct action_info *ai = action_info(a);
	long long id, *ids;
	size_t n;
	char *q;
	bool yes;

	/*
	 * The list may be reloaded while the action prompts or waits (the loop
	 * keeps running): it works on copies of the ticket numbers.
	 */
	if (ix->ntags > 0) {
		xasprintf(&q, _("%s: apply to the %zu tagged tickets? (y/n)"), ai->name, ix->ntags);
		yes = prompt_yesno(q);
		free(q);
		if (!yes || ix->ntags == 0)
			return 1;
		n = ix->ntags;
		ids = xreallocarray(NULL, n, sizeof *ids);
		memcpy(ids, ix->tags, n * sizeof *ids);
		if (action_ticket(a, ids, n, NULL, arg) == 0) {
			free(ix->tags);
			ix->tags = NULL;
			ix->ntags = 0;
		}
		free(ids);
		return 1;
	}
	if (r == NULL) {
		ui_error("%s", _("no ticket selected"));
		return 1;
	}
	id = r->id;
	action_ticket(a, &id, 1, NULL, arg);
	return 1;
}

/*
 * Up, down and pages within the rows loaded, fetching the next page ahead of
 * the cursor; the steps a page not yet arrived could not take are owed and paid
 * when it comes. First and last restart from an end rather than page through.
 */
static void
move(struct view *v, enum action a, int height)
{
	struct index_view *ix = v->data;
	size_t before = ix->list.cursor;
	long step = a == A_DOWN || a == A_UP   ? 1 :
	    a == A_PAGE_DOWN || a == A_PAGE_UP ? height :
						 height / 2 + 1;
	bool down = a == A_DOWN || a == A_PAGE_DOWN || a == A_HALF_DOWN;
	int more;

	if (a == A_FIRST && ix->list.more_before) {
		index_restart(v);
		return;
	}
	if (a == A_LAST && ix->list.more_after) {
		ix->generation++;
		ix->fetching = false;
		ix->owed = 0;
		index_fetch(v, F_LAST);
		return;
	}
	more = list_move(&ix->list, a, height);
	if (a == A_FIRST || a == A_LAST)
		return;
	if (down && ix->list.more_after)
		ix->owed += step - (long)(ix->list.cursor - before);
	else if (!down && ix->list.more_before)
		ix->owed -= step - (long)(before - ix->list.cursor);
	if (more > 0)
		index_fetch(v, F_AFTER);
	else if (more < 0)
		index_fetch(v, F_BEFORE);
}

/* A reply is written from the ticket, once it is drawn. */
static void
reply_in_ticket(long long id, const char *arg)
{
	struct view *tv;

	view_open_ticket(id);
	tv = view_top();
	while (tv == view_top() && !tv->ready && conn_ready() && !console.quit)
		loop_iterate(0, 100);
	if (tv == view_top() && tv->ready)
		view_run_action(A_REPLY, arg);
}

/* Narrow this list: the search starts from what it shows. */
static void
narrow(struct index_view *ix)
{
	char *initial, *text, *cause = NULL;

	if (ix->search)
		xasprintf(&initial, "%s ", ix->text);
	else
		xasprintf(&initial, "queue:%s ", ix->code);
	text = prompt_line(_("search:"), initial);
	free(initial);
	if (text != NULL && *text != '\0' && view_open_search(text, &cause) != 0) {
		ui_error("%s", cause);
		free(cause);
	}
	free(text);
}

static int
action(struct view *v, enum action a, const char *arg)
{
	struct index_view *ix = v->data;
	struct ticket_row *r = list_current(&ix->list);
	int height = ui_lines() - 4;

	if (action_is_motion(a)) {
		move(v, a, height);
		return 1;
	}
	switch (a) {
	case A_ENTER:
		if (r != NULL)
			view_open_ticket(r->id);
		return 1;
	case A_HISTORY:
		if (r != NULL)
			view_open_history(r->id);
		return 1;
	case A_CONTACT:
		if (r != NULL)
			view_open_contact(r->id);
		return 1;
	case A_REPLY:
		if (r != NULL)
			reply_in_ticket(r->id, arg);
		return 1;
	case A_TAG:
		if (r != NULL) {
			tag_toggle(ix, r->id);
			list_move(&ix->list, A_DOWN, height);
		}
		return 1;
	case A_TAG_ALL:
		tag_all(v);
		return 1;
	case A_UNTAG_ALL:
		free(ix->tags);
		ix->tags = NULL;
		ix->ntags = 0;
		return 1;
	case A_SEARCH:
		if (arg == NULL) {
			narrow(ix);
			return 1;
		}
		return 0;
	case A_SORT:
		choose_sort(v, arg);
		return 1;
	case A_SAVE_SEARCH:
		if (ix->search)
			search_save(ix->text);
		else
			ui_error("%s", _("only a search can be saved: press / first"));
		return 1;
	case A_SHOW_ALL:
		if (ix->search) {
			ui_error("%s", _("a search shows every status: add status: to narrow it"));
			return 1;
		}
		ix->show_all = !ix->show_all;
		index_restart(v);
		return 1;
	case A_NEXT_TICKET:
		if (!ix->search) {
			char id[16];

			snprintf(id, sizeof id, "%d", ix->queue_id);
			action_global(A_NEXT_TICKET, id);
			return 1;
		}
		return 0;
	case A_CLAIM:
	case A_RELEASE:
	case A_NOTE:
	case A_ESCALATE:
	case A_STATUS:
	case A_PRIORITY:
	case A_FIELD:
	case A_ASSIGN:
	case A_MOVE:
	case A_RETURN_L1:
	case A_SERVICE:
	case A_DISTRICT:
		return ticket_action(v, a, arg);
	case A_LINK:
	case A_MERGE:
		if (r != NULL) {
			long long id = r->id;

			action_ticket(a, &id, 1, NULL, arg);
		}
		return 1;
	default:
		return 0;
	}
}

static void
close_view(struct view *v)
{
	struct index_view *ix = v->data;

	list_clear(&ix->list, index_row_free);
	index_statuses_free(ix);
	query_free(&ix->q);
	free(ix->code);
	free(ix->name);
	free(ix->text);
	free(ix->tags);
	free(ix->title);
	free(ix);
}

const struct view_ops view_index_ops = {
	.name = "index",
	.keymap = KM_INDEX,
	/* Any ticket may enter the list: reload it, but not more than that. */
	.reload_ms = 700,
	.open = index_start,
	.load = index_load,
	.draw = draw,
	.action = action,
	.on_notify = view_dirty_on_notify,
	.close = close_view,
	.title = title,
};

static int
default_sort(void)
{
	const char *s = config_get(console.config, "console.sort");
	size_t i;

	for (i = 0; s != NULL && i < index_nsorts; i++)
		if (strcmp(s, index_sorts[i].name) == 0)
			return (int)i;
	return 0;
}

void
view_index_open_queue(int queue_id, const char *code, const char *name)
{
	struct index_view *ix = xcalloc(1, sizeof *ix);

	ix->queue_id = queue_id;
	ix->code = xstrdup(code);
	ix->name = xstrdup(name);
	ix->sort = default_sort();
	query_set_queue(&ix->q, queue_id);
	view_push(&view_index_ops, ix);
}

int
view_index_open_search(const char *text, char **cause)
{
	struct index_view *ix = xcalloc(1, sizeof *ix);

	if (query_parse(&ix->q, text, console.login, server_now(), cause) != 0) {
		free(ix);
		return -1;
	}
	ix->search = true;
	ix->text = xstrdup(text);
	ix->sort = default_sort();
	view_push(&view_index_ops, ix);
	return 0;
}
