/*
 * view.c — the registry and the stack of views (overview, index, ticket, history,
 * help, kb): every view is opened through view_open_*() here, so that the views and
 * the actions depend on this file and not on each other. Also key dispatch through
 * the action table, the actions every view shares (quit, help, search, the `:`
 * command line), painting a pass, and the clock that reloads views marked dirty
 * by NOTIFY, at most about three times a second.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "console.h"

#define VIEW_MAX 32
#define RELOAD_MIN_MS 300.0

static struct view *stack[VIEW_MAX];
static int depth;
static const char *pending_draw_label;
static double pending_draw_since;
static int (*global_actions)(enum action, const char *);

/* The registry: the only callers of the views' own openers. */
void
view_open_overview(void)
{
	view_queue_open();
}

void
view_open_queue(int queue_id, const char *code, const char *name)
{
	view_index_open_queue(queue_id, code, name);
}

int
view_open_search(const char *text, char **cause)
{
	return view_index_open_search(text, cause);
}

void
view_open_ticket(long long id)
{
	view_ticket_open(id);
}

void
view_open_history(long long id)
{
	view_history_open(id);
}

void
view_open_contact(long long ticket)
{
	view_contact_open(ticket);
}

void
view_open_help(enum keymap map)
{
	view_help_open(map);
}

void
view_open_kb(const char *words, long long for_ticket)
{
	view_kb_open(words, for_ticket);
}

long long
view_current_ticket(void)
{
	return view_ticket_current();
}

void
view_open_notify(void)
{
	view_notify_open();
}

void
view_set_global_actions(int (*fn)(enum action, const char *arg))
{
	global_actions = fn;
}

struct view *
view_push(const struct view_ops *ops, void *data)
{
	struct view *v;

	if (depth == VIEW_MAX) {
		ui_error("%s", _("too many views open: press q to close some"));
		return NULL;
	}
	v = xcalloc(1, sizeof *v);
	v->ops = ops;
	v->data = data;
	v->opened_at = now_ms();
	stack[depth++] = v;
	if (ops->open != NULL)
		ops->open(v);
	return v;
}

static void
view_free(struct view *v)
{
	conn_forget(v);
	if (v->ops->close != NULL)
		v->ops->close(v);
	free(v);
}

void
view_pop(void)
{
	if (depth == 0)
		return;
	view_free(stack[--depth]);
	stack[depth] = NULL;
}

void
view_close_all(void)
{
	while (depth > 0)
		view_pop();
}

struct view *
view_top(void)
{
	return depth > 0 ? stack[depth - 1] : NULL;
}

int
view_depth(void)
{
	return depth;
}

struct hint_state {
	struct strbuf sb;
	int count;
};

static void
add_hint(int key, enum action action, void *arg)
{
	struct hint_state *hs = arg;
	const struct action_info *ai = action_info(action);
	char *name;

	if (ai == NULL || hs->count >= 12)
		return;
	if (action_is_motion(action) || action == A_REDRAW || action == A_REFRESH ||
	    action == A_UNTAG_ALL || action == A_ENTER || action == A_COMMAND)
		return;
	name = keys_name(key);
	if (strlen(name) <= 2) {
		/* The action's name in the agent's language (bind takes the English one). */
		strbuf_printf(&hs->sb, "%s:%s  ", name, format_ctx("action", ai->name));
		hs->count++;
	}
	free(name);
}

/* The first line: the most useful keys of this view, as mutt's help line. */
static void
draw_hints(struct view *v)
{
	struct hint_state hs;

	strbuf_init(&hs.sb);
	hs.count = 0;
	strbuf_printf(
	    &hs.sb, "q:%s  ?:%s  ", format_ctx("action", "quit"), format_ctx("action", "help"));
	if (v->ops->keymap != KM_GENERIC)
		keys_each(v->ops->keymap, add_hint, &hs);
	strbuf_printf(&hs.sb, "/:%s", format_ctx("action", "search"));
	ui_title("%s", hs.sb.buf);
	strbuf_free(&hs.sb);
}

void
view_draw_all(void)
{
	struct view *v = view_top();

	ui_clear();
	if (v == NULL)
		return;
	draw_hints(v);
	if (v->ops->draw != NULL && ui_lines() > 3)
		v->ops->draw(v, 1, ui_lines() - 3);
	if (v->ready && !v->first_drawn) {
		v->first_drawn = true;
		pending_draw_label = v->ops->name;
		pending_draw_since = v->opened_at;
	}
}

/* One pass's screen: the views, the status line, a prompt, then one doupdate. */
void
view_paint(void)
{
	struct view *v = view_top();

	view_draw_all();
	ui_status_draw(
	    v != NULL && v->ops->title != NULL ? v->ops->title(v) : NULL, conn_state_text());
	if (prompt_active())
		prompt_redraw();
	ui_flush(prompt_active());
	view_after_flush();
}

/* The time to a drawn screen, for --timing: measured once the screen is updated. */
void
view_after_flush(void)
{
	char label[64];

	if (pending_draw_label == NULL)
		return;
	snprintf(label, sizeof label, "screen:%s", pending_draw_label);
	conn_timing(label, now_ms() - pending_draw_since, 0);
	if (console.started_ms > 0) {
		conn_timing("startup", now_ms() - console.started_ms, 0);
		console.started_ms = 0;
	}
	pending_draw_label = NULL;
}

/* A ticket changed (or its presence did): every view that shows it hears of it;
 * at_once skips the reload throttle (our own change should show now). */
static void
dispatch(long long ticket_id, bool presence, bool at_once)
{
	void (*hook)(struct view *, long long);
	int i;

	for (i = 0; i < depth; i++) {
		hook = presence ? stack[i]->ops->on_presence : stack[i]->ops->on_notify;
		if (hook == NULL)
			continue;
		hook(stack[i], ticket_id);
		if (at_once && stack[i]->dirty)
			stack[i]->loaded_at = 0;
	}
}

void
view_dispatch_notify(long long ticket_id)
{
	dispatch(ticket_id, false, false);
}

void
view_dispatch_own_change(long long ticket_id)
{
	dispatch(ticket_id, false, true);
}

/* The agent's unread notifications (conn's event): the count, the bell, the list. */
void
view_dispatch_unread(long long count)
{
	notify_unread(count);
}

void
view_dispatch_presence(long long ticket_id)
{
	dispatch(ticket_id, true, false);
}

/* For the views that reload on any change at all (the overview, an index). */
void
view_dirty_on_notify(struct view *v, long long ticket_id)
{
	v->dirty = true;
}

void
view_dispatch_reconnect(void)
{
	int i;

	for (i = 0; i < depth; i++) {
		stack[i]->dirty = true;
		if (stack[i]->ops->on_reconnect != NULL)
			stack[i]->ops->on_reconnect(stack[i]);
	}
}

void
view_tick(void)
{
	struct view *v = view_top();

	if (v == NULL || !conn_ready())
		return;
	if (v->dirty && v->ops->load != NULL &&
	    now_ms() - v->loaded_at >=
		(v->ops->reload_ms > 0 ? v->ops->reload_ms : RELOAD_MIN_MS)) {
		v->dirty = false;
		v->loaded_at = now_ms();
		v->ops->load(v);
	}
	if (v->ops->tick != NULL)
		v->ops->tick(v);
}

/* ":" — an action name and its argument, a ticket number, or a bind line. */
static void
command_line(void)
{
	char *line, *cause = NULL, *arg;
	const struct action_info *ai;
	struct config *cf;
	long long id;

	if ((line = prompt_line(":", NULL)) == NULL)
		return;
	arg = line + strcspn(line, " \t");
	if (*arg != '\0') {
		*arg++ = '\0';
		arg += strspn(arg, " \t");
	}
	if (*line == '\0')
		;
	else if (parse_int(*line == '#' ? line + 1 : line, 1, INT64_MAX, &id) == 0)
		view_open_ticket(id);
	else if (strcmp(line, "bind") == 0) {
		char *full;

		xasprintf(&full, "bind %s", arg);
		cf = config_parse_string(full, ":", &cause);
		if (cf == NULL || cf->nlines != 1 ||
		    keys_bind_line(cf->lines[0].argc, cf->lines[0].argv, &cause) != 0)
			ui_error("%s", cause != NULL ? cause : _("usage: bind MAP KEY ACTION"));
		else
			ui_message("%s", _("bound"));
		if (cf != NULL)
			config_free(cf);
		free(full);
		free(cause);
	} else if (strcmp(line, "q") == 0 || strcmp(line, "quit") == 0)
		console.quit = true;
	else if ((ai = action_by_name(line)) != NULL)
		view_run_action(ai->action, *arg != '\0' ? arg : NULL);
	else
		ui_error(_("unknown command: %s"), line);
	free(line);
}

static void
search(const char *arg)
{
	char *text, *cause = NULL;

	text = arg != NULL ? xstrdup(arg) : prompt_line(_("search:"), NULL);
	if (text == NULL || *text == '\0') {
		free(text);
		return;
	}
	if (view_open_search(text, &cause) != 0) {
		ui_error("%s", cause);
		free(cause);
	}
	free(text);
}

static void
open_ticket(const char *arg)
{
	char *text;
	long long id;

	text = arg != NULL ? xstrdup(arg) : prompt_line(_("open ticket #"), NULL);
	if (text == NULL)
		return;
	if (parse_int(*text == '#' ? text + 1 : text, 1, INT64_MAX, &id) != 0)
		ui_error(_("not a ticket number: %s"), text);
	else
		view_open_ticket(id);
	free(text);
}

int
view_run_action(enum action action, const char *arg)
{
	struct view *v = view_top();
	char *words;

	if (v != NULL && v->ops->action != NULL && v->ops->action(v, action, arg))
		return 1;
	/* A motion the view does not take (an empty view) is not an error. */
	if (action_is_motion(action))
		return 1;
	switch (action) {
	case A_QUIT:
		view_pop();
		return 1;
	case A_QUIT_ALL:
		console.quit = true;
		return 1;
	case A_HELP:
		view_open_help(v != NULL ? v->ops->keymap : KM_GENERIC);
		return 1;
	case A_REDRAW:
		ui_resize();
		return 1;
	case A_REFRESH:
		if (v != NULL) {
			v->dirty = true;
			v->loaded_at = 0;
		}
		return 1;
	case A_SEARCH:
		search(arg);
		return 1;
	case A_COMMAND:
		command_line();
		return 1;
	case A_MINE:
		search("owner:me status:active");
		return 1;
	case A_NOTIFICATIONS:
		view_open_notify();
		return 1;
	case A_OPEN_TICKET:
		open_ticket(arg);
		return 1;
	case A_KB:
		words = arg != NULL ? xstrdup(arg) : prompt_line(_("knowledge base:"), NULL);
		if (words != NULL)
			view_open_kb(words, view_current_ticket());
		free(words);
		return 1;
	default:
		if (global_actions != NULL && global_actions(action, arg))
			return 1;
		ui_error(_("%s: not available in this view"),
		    action_info(action) != NULL ? action_info(action)->name : "?");
		return 0;
	}
}

void
view_handle_key(int key)
{
	struct view *v = view_top();
	enum action a;
	char *name;

	if (v == NULL)
		return;
	ui_message_clear();
	a = keys_lookup(v->ops->keymap, key);
	if (a == A_NONE) {
		name = keys_name(key);
		ui_error(_("key %s is not bound: press ? for help"), name);
		free(name);
		return;
	}
	view_run_action(a, NULL);
}
