/*
 * view-help.c — `?`: the key bindings of the current view and the generic ones,
 * read from the binding tables (defaults and the user's `bind` lines alike),
 * with each action's help text from the action table.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "console.h"

struct help_view {
	enum keymap map;
	struct list list;
	char *title;
};

static void
add_row(struct help_view *hv, const char *text)
{
	char *line = xstrdup(text);

	list_append(&hv->list, (void **)&line, 1);
}

static void
add_binding(int key, enum action action, void *arg)
{
	struct help_view *hv = arg;
	const struct action_info *ai = action_info(action);
	char *name = keys_name(key), *line;

	xasprintf(&line, "  %-12s %-16s %s", name, ai != NULL ? ai->name : "?",
	    ai != NULL ? _(ai->help) : "");
	list_append(&hv->list, (void **)&line, 1);
	free(name);
}

static void
open_view(struct view *v)
{
	struct help_view *hv = v->data;
	char *head;

	if (hv->map != KM_GENERIC) {
		xasprintf(&head, _("Keys of the %s view:"), keymap_names[hv->map]);
		add_row(hv, head);
		free(head);
		keys_each(hv->map, add_binding, hv);
		add_row(hv, "");
	}
	add_row(hv, _("Keys of every view:"));
	keys_each(KM_GENERIC, add_binding, hv);
	add_row(hv, "");
	xasprintf(&head, _("Search keys: %s"), query_keys);
	add_row(hv, head);
	free(head);
	add_row(hv, _("Search: status:open queue:voirie owner:me prio:>=3 district:Nord"));
	add_row(hv, _("        created:>2026-01-01 updated:<7d subject:word requester:name"));
	add_row(
	    hv, _("        level:2 channel:phone service:code field:NAME=VALUE #123 \"words\""));
	add_row(hv,
	    _("Commands (:): an action name and its argument, a ticket number, bind MAP KEY ACTION"));
	v->ready = true;
}

static void
draw_row(void *p, int y, int width, bool selected, void *arg)
{
	const char *line = p;

	ui_text(
	    y, 0, width, line, selected ? C_CURSOR : (line[0] != ' ' ? C_HEADING : C_DEFAULT), 0);
}

static void
draw(struct view *v, int top, int height)
{
	struct help_view *hv = v->data;

	list_draw(&hv->list, top, height, draw_row, NULL);
}

static int
action(struct view *v, enum action a, const char *arg)
{
	struct help_view *hv = v->data;

	if (list_action(&hv->list, a, ui_lines() - 3))
		return 1;
	switch (a) {
	case A_HELP:
	case A_ENTER:
		view_pop();
		return 1;
	default:
		return 0;
	}
}

static void
close_view(struct view *v)
{
	struct help_view *hv = v->data;

	list_clear(&hv->list, free);
	free(hv->title);
	free(hv);
}

static const char *
title(struct view *v)
{
	return _("help");
}

const struct view_ops view_help_ops = {
	.name = "help",
	.keymap = KM_HELP,
	.open = open_view,
	.draw = draw,
	.action = action,
	.close = close_view,
	.title = title,
};

void
view_help_open(enum keymap map)
{
	struct help_view *hv = xcalloc(1, sizeof *hv);

	hv->map = map;
	view_push(&view_help_ops, hv);
}
