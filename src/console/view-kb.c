/*
 * view-kb.c — the knowledge base: a full-text search over titles and bodies,
 * then one article read as Markdown. From an article, `reply` puts its text into
 * the reply draft of the ticket the knowledge base was opened from (or of a ticket
 * named at the prompt), so that the next reply starts from it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "console.h"

static const char sql_kb[] =
    "SELECT id, slug, title, body, updated FROM guichet.kb_search($1::text)";

struct kb_row {
	long long id;
	char *slug;
	char *title;
	char *body;
	char *updated;
};

struct kb_view {
	char *words;
	long long for_ticket;
	struct list list;
	struct md_doc *doc; /* the article being read, or NULL for the list */
	size_t top;
	int width;
	char *title;
};

static void
row_free(void *p)
{
	struct kb_row *r = p;

	free(r->slug);
	free(r->title);
	free(r->body);
	free(r->updated);
	free(r);
}

static void
on_result(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct view *v = owner;
	struct kb_view *kv = v->data;
	int i;

	if (res == NULL) {
		ui_error("%s", error);
		return;
	}
	list_clear(&kv->list, row_free);
	for (i = 0; i < PQntuples(res); i++) {
		struct kb_row *r = xcalloc(1, sizeof *r);

		r->id = db_int(res, i, "id", 0);
		r->slug = xstrdup(db_value(res, i, "slug"));
		r->title = xstrdup(db_value(res, i, "title"));
		r->body = xstrdup(db_value(res, i, "body"));
		r->updated = xstrdup(db_value(res, i, "updated"));
		list_append(&kv->list, (void **)&r, 1);
	}
	v->ready = true;
}

static void
load(struct view *v)
{
	struct kb_view *kv = v->data;
	const char *params[1] = { kv->words };

	conn_send("kb", sql_kb, 1, params, on_result, v, NULL);
}

static void
open_view(struct view *v)
{
	load(v);
	v->loaded_at = now_ms();
}

static void
draw_row(void *p, int y, int width, bool selected, void *arg)
{
	struct kb_row *r = p;
	int base = selected ? C_CURSOR : C_DEFAULT;

	ui_text(y, 1, 10, r->updated, base, 0);
	ui_text(y, 12, 24, r->slug, base, 0);
	ui_text(y, 37, width - 37, r->title, base, UI_BOLD);
}

static void
draw(struct view *v, int top, int height)
{
	struct kb_view *kv = v->data;
	struct kb_row *r = list_current(&kv->list);
	int width = ui_cols(), i;
	size_t k;

	if (kv->doc == NULL) {
		list_draw_or_empty(
		    &kv->list, top, height, v->ready, _("no article matches"), draw_row, NULL);
		return;
	}
	if (kv->width != width && r != NULL) {
		mdterm_free(kv->doc);
		kv->doc = mdterm_render(r->body, width);
		kv->width = width;
	}
	ui_text(top, 0, width, r != NULL ? r->title : "", C_HEADING, UI_BOLD);
	for (i = 1; i < height && kv->top + (size_t)i - 1 < kv->doc->nlines; i++) {
		const struct md_line *l = &kv->doc->lines[kv->top + (size_t)i - 1];
		int x = 0;

		for (k = 0; k < l->nspans && x < width; k++)
			x += ui_text(top + i, x, width - x, l->spans[k].text, C_DEFAULT,
			    UI_MD(l->spans[k].style));
	}
}

/* Append the article to the ticket's reply draft. */
static void
insert_into_reply(struct kb_view *kv, const char *arg)
{
	struct kb_row *r = list_current(&kv->list);
	long long ticket = kv->for_ticket;
	char *path, *dir, *s, *body, *title;
	long long kb;
	FILE *f;

	if (r == NULL)
		return;
	/* Copies: the list may be reloaded while the prompt is open. */
	kb = r->id;
	body = xstrdup(r->body);
	title = xstrdup(r->title);
	if (ticket == 0) {
		s = arg != NULL ? xstrdup(arg) : prompt_line(_("into the reply of ticket #"), NULL);
		if (s == NULL || parse_int(*s == '#' ? s + 1 : s, 1, INT64_MAX, &ticket) != 0) {
			free(s);
			free(body);
			free(title);
			return;
		}
		free(s);
	}
	if ((path = draft_path(ticket, "reply")) == NULL) {
		free(body);
		free(title);
		return;
	}
	dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	if (mkdir_p(dir, 0700) != 0 || (f = fopen(path, "a")) == NULL) {
		ui_error("%s: %s", path, strerror(errno));
	} else {
		fprintf(f, "\n%s\n", body);
		fclose(f);
		/* So that the reply tells the quality report it came from the KB. */
		draft_set_number(ticket, "kb", kb);
		ui_message(_("“%s” added to the reply draft of #%lld: press r in the ticket"),
		    title, ticket);
	}
	free(dir);
	free(path);
	free(body);
	free(title);
}

static int
action(struct view *v, enum action a, const char *arg)
{
	struct kb_view *kv = v->data;
	struct kb_row *r = list_current(&kv->list);
	int visible = ui_lines() - 4; /* below the article's title */

	if (a == A_REPLY) {
		insert_into_reply(kv, arg);
		return 1;
	}
	if (kv->doc != NULL) {
		if (a == A_QUIT) {
			mdterm_free(kv->doc);
			kv->doc = NULL;
			return 1;
		}
		/* Enter reads on, page after page, as in a pager. */
		return pager_move(
		    &kv->top, kv->doc->nlines, visible, a == A_ENTER ? A_PAGE_DOWN : a);
	}
	if (list_action(&kv->list, a, ui_lines() - 3))
		return 1;
	if (a == A_ENTER && r != NULL) {
		kv->width = ui_cols();
		kv->doc = mdterm_render(r->body, kv->width);
		kv->top = 0;
	}
	return a == A_ENTER;
}

static void
close_view(struct view *v)
{
	struct kb_view *kv = v->data;

	list_clear(&kv->list, row_free);
	if (kv->doc != NULL)
		mdterm_free(kv->doc);
	free(kv->words);
	free(kv->title);
	free(kv);
}

static const char *
title(struct view *v)
{
	struct kb_view *kv = v->data;

	free(kv->title);
	xasprintf(&kv->title, _("knowledge base: %s — %zu articles"),
	    *kv->words ? kv->words : _("all"), kv->list.nrows);
	return kv->title;
}

const struct view_ops view_kb_ops = {
	.name = "kb",
	.keymap = KM_KB,
	.open = open_view,
	.load = load,
	.draw = draw,
	.action = action,
	.close = close_view,
	.title = title,
};

void
view_kb_open(const char *words, long long for_ticket)
{
	struct kb_view *kv = xcalloc(1, sizeof *kv);

	kv->words = xstrdup(words);
	kv->for_ticket = for_ticket;
	view_push(&view_kb_ops, kv);
}
