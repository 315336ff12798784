/*
 * ui-keys.c — the action table and the key bindings.
 *
 * Every user-visible operation is one line of ACTION_LIST (console.h), which
 * makes both enum action and actions[] here: its name (what `bind` and the `:`
 * command line take) and its help text. The default bindings are
 * written in the configuration file's own syntax and go through the same parser
 * as the user's `bind` lines, so that the help screen and guichet(1) show one truth.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "console.h"

const struct action_info actions[] = {
#define ACTION_ROW(id, name, help) { A_##id, name, help },
	ACTION_LIST(ACTION_ROW)
#undef ACTION_ROW
	    { A_NONE, NULL, NULL },
};

const char *const keymap_names[KM_COUNT] = {
	[KM_GENERIC] = "generic",
	[KM_OVERVIEW] = "overview",
	[KM_INDEX] = "index",
	[KM_TICKET] = "ticket",
	[KM_HISTORY] = "history",
	[KM_HELP] = "help",
	[KM_KB] = "kb",
	[KM_NOTIFY] = "notify",
	[KM_CONTACT] = "contact",
};

/* The defaults, in the syntax of guichet.conf; guichet.conf(5) shows the same. */
static const char default_bindings[] = "bind generic q quit\n"
				       "bind generic Q quit-all\n"
				       "bind generic ? help\n"
				       "bind generic ^L redraw\n"
				       "bind generic ^R refresh\n"
				       "bind generic j move-down\n"
				       "bind generic <Down> move-down\n"
				       "bind generic k move-up\n"
				       "bind generic <Up> move-up\n"
				       "bind generic <PageDown> page-down\n"
				       "bind generic <Space> page-down\n"
				       "bind generic <PageUp> page-up\n"
				       "bind generic - page-up\n"
				       "bind generic ^D half-page-down\n"
				       "bind generic ^U half-page-up\n"
				       "bind generic g first\n"
				       "bind generic <Home> first\n"
				       "bind generic G last\n"
				       "bind generic <End> last\n"
				       "bind generic <Enter> enter\n"
				       "bind generic / search\n"
				       "bind generic : command\n"
				       "bind generic i mine\n"
				       "bind generic \"#\" open-ticket\n"
				       "bind generic B kb\n"
				       "bind generic A absence\n"
				       "bind generic m new-ticket\n"
				       "bind generic N notifications\n"
				       "bind overview n next-ticket\n"
				       "bind index c claim\n"
				       "bind index u release\n"
				       "bind index n next-ticket\n"
				       "bind index a note\n"
				       "bind index r reply\n"
				       "bind index e escalate\n"
				       "bind index s status\n"
				       "bind index p priority\n"
				       "bind index f field\n"
				       "bind index t tag\n"
				       "bind index T tag-all\n"
				       "bind index ^T untag-all\n"
				       "bind index o sort\n"
				       "bind index z show-all\n"
				       "bind index h history\n"
				       "bind index L link\n"
				       "bind index M merge\n"
				       "bind index O assign\n"
				       "bind index W move\n"
				       "bind index b return\n"
				       "bind index C service\n"
				       "bind index D district\n"
				       "bind ticket c claim\n"
				       "bind ticket u release\n"
				       "bind ticket n next-ticket\n"
				       "bind ticket a note\n"
				       "bind ticket r reply\n"
				       "bind ticket e escalate\n"
				       "bind ticket s status\n"
				       "bind ticket p priority\n"
				       "bind ticket f field\n"
				       "bind ticket L link\n"
				       "bind ticket M merge\n"
				       "bind ticket O assign\n"
				       "bind ticket W move\n"
				       "bind ticket b return\n"
				       "bind ticket C service\n"
				       "bind ticket D district\n"
				       "bind ticket S split\n"
				       "bind ticket h history\n"
				       "bind ticket v save-attachment\n"
				       "bind ticket o open-link\n"
				       "bind ticket J next-article\n"
				       "bind ticket K prev-article\n"
				       "bind kb r reply\n"
				       "bind index S save-search\n"
				       "bind overview d forget-search\n"
				       "bind ticket V view-attachment\n"
				       "bind ticket F attach\n"
				       "bind notify r mark-read\n"
				       "bind notify R mark-all-read\n"
				       "bind index R contact\n"
				       "bind ticket R contact\n"
				       "bind contact e contact-edit\n"
				       "bind contact M contact-merge\n";

struct binding {
	int key;
	enum action action;
};
static struct binding *bindings[KM_COUNT];
static size_t nbindings[KM_COUNT];

struct named_key {
	const char *name;
	int key;
};
static const struct named_key named_keys[] = {
	{ "<Enter>", '\r' },
	{ "<Return>", '\r' },
	{ "<Space>", ' ' },
	{ "<Tab>", '\t' },
	{ "<Esc>", 27 },
	{ "<Backspace>", KEY_BACKSPACE + KEYS_FUNC },
	{ "<Down>", KEY_DOWN + KEYS_FUNC },
	{ "<Up>", KEY_UP + KEYS_FUNC },
	{ "<Left>", KEY_LEFT + KEYS_FUNC },
	{ "<Right>", KEY_RIGHT + KEYS_FUNC },
	{ "<PageDown>", KEY_NPAGE + KEYS_FUNC },
	{ "<PageUp>", KEY_PPAGE + KEYS_FUNC },
	{ "<Home>", KEY_HOME + KEYS_FUNC },
	{ "<End>", KEY_END + KEYS_FUNC },
	{ "<Insert>", KEY_IC + KEYS_FUNC },
	{ "<Delete>", KEY_DC + KEYS_FUNC },
	{ "<F1>", KEY_F(1) + KEYS_FUNC },
	{ "<F2>", KEY_F(2) + KEYS_FUNC },
	{ "<F3>", KEY_F(3) + KEYS_FUNC },
	{ "<F4>", KEY_F(4) + KEYS_FUNC },
	{ "<F5>", KEY_F(5) + KEYS_FUNC },
};

/* A key name: one character, ^X, or <Name>; -1 when unknown. */
static int
parse_key(const char *s)
{
	size_t i;
	wchar_t wc;
	mbstate_t ps;
	size_t n;

	for (i = 0; i < nitems(named_keys); i++)
		if (strcasecmp(s, named_keys[i].name) == 0)
			return named_keys[i].key;
	if (s[0] == '^' && s[1] != '\0' && s[2] == '\0') {
		if (s[1] == '?')
			return 127;
		if (s[1] >= '@' && s[1] <= '_')
			return s[1] - '@';
		if (s[1] >= 'a' && s[1] <= 'z')
			return s[1] - 'a' + 1;
		return -1;
	}
	memset(&ps, 0, sizeof ps);
	n = mbrtowc(&wc, s, strlen(s), &ps);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0 || s[n] != '\0')
		return -1;
	return (int)wc;
}

char *
keys_name(int key)
{
	size_t i;
	char buf[16];
	mbstate_t ps;
	size_t n;

	for (i = 0; i < nitems(named_keys); i++)
		if (named_keys[i].key == key)
			return xstrdup(named_keys[i].name);
	if (key == KEY_ENTER + KEYS_FUNC || key == '\n')
		return xstrdup("<Enter>");
	if (key >= KEYS_FUNC) {
		const char *kn = keyname(key - KEYS_FUNC);

		return xstrdup(kn != NULL ? kn : "?");
	}
	if (key >= 0 && key < 32) {
		snprintf(buf, sizeof buf, "^%c", key + '@');
		return xstrdup(buf);
	}
	if (key == 127)
		return xstrdup("^?");
	memset(&ps, 0, sizeof ps);
	n = wcrtomb(buf, (wchar_t)key, &ps);
	if (n == (size_t)-1)
		return xstrdup("?");
	buf[n] = '\0';
	return xstrdup(buf);
}

const struct action_info *
action_by_name(const char *name)
{
	const struct action_info *a;

	for (a = actions; a->name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

const struct action_info *
action_info(enum action action)
{
	const struct action_info *a;

	for (a = actions; a->name != NULL; a++)
		if (a->action == action)
			return a;
	return NULL;
}

static void
bind_key(enum keymap map, int key, enum action action)
{
	size_t i;

	for (i = 0; i < nbindings[map]; i++) {
		if (bindings[map][i].key == key) {
			bindings[map][i].action = action;
			return;
		}
	}
	bindings[map] = xreallocarray(bindings[map], nbindings[map] + 1, sizeof *bindings[map]);
	bindings[map][nbindings[map]].key = key;
	bindings[map][nbindings[map]].action = action;
	nbindings[map]++;
}

int
keys_bind_line(int argc, char **argv, char **cause)
{
	const struct action_info *a;
	enum action action;
	int map, key;

	if (argc != 4) {
		*cause = xstrdup(_("usage: bind MAP KEY ACTION"));
		return -1;
	}
	for (map = 0; map < KM_COUNT; map++)
		if (strcmp(keymap_names[map], argv[1]) == 0)
			break;
	if (map == KM_COUNT) {
		xasprintf(cause, _("unknown key map: %s"), argv[1]);
		return -1;
	}
	if ((key = parse_key(argv[2])) < 0) {
		xasprintf(cause, _("unknown key: %s"), argv[2]);
		return -1;
	}
	if (strcmp(argv[3], "none") == 0)
		action = A_NONE;
	else if ((a = action_by_name(argv[3])) != NULL)
		action = a->action;
	else {
		xasprintf(cause, _("unknown action: %s"), argv[3]);
		return -1;
	}
	bind_key((enum keymap)map, key, action);
	/* The keypad's Enter and a line feed do what Return does. */
	if (key == '\r') {
		bind_key((enum keymap)map, '\n', action);
		bind_key((enum keymap)map, KEY_ENTER + KEYS_FUNC, action);
	}
	return 0;
}

void
keys_init(void)
{
	struct config *cf;
	char *cause = NULL;
	size_t i;

	cf = config_parse_string(default_bindings, "default bindings", &cause);
	if (cf == NULL)
		fatalx("default bindings: %s", cause);
	for (i = 0; i < cf->nlines; i++)
		if (keys_bind_line(cf->lines[i].argc, cf->lines[i].argv, &cause) != 0)
			fatalx("default bindings line %d: %s", cf->lines[i].lineno, cause);
	config_free(cf);
}

enum action
keys_lookup(enum keymap map, int key)
{
	size_t i;

	for (i = 0; i < nbindings[map]; i++)
		if (bindings[map][i].key == key)
			return bindings[map][i].action;
	if (map != KM_GENERIC)
		return keys_lookup(KM_GENERIC, key);
	return A_NONE;
}

struct print_state {
	FILE *fp;
	enum keymap map;
};

static void
print_binding(int key, enum action action, void *arg)
{
	struct print_state *ps = arg;
	const struct action_info *ai = action_info(action);
	char *name = keys_name(key);

	fprintf(ps->fp, "%s\t%s\t%s\t%s\n", keymap_names[ps->map], name,
	    ai != NULL ? ai->name : "?", ai != NULL ? ai->help : "");
	free(name);
}

/* guichet --keys: every binding in force, "map key action help" separated by tabs. */
void
keys_print(FILE *fp)
{
	struct print_state ps;
	int map;

	ps.fp = fp;
	for (map = 0; map < KM_COUNT; map++) {
		ps.map = (enum keymap)map;
		keys_each(ps.map, print_binding, &ps);
	}
}

void
keys_each(enum keymap map, void (*fn)(int, enum action, void *), void *arg)
{
	size_t i;

	for (i = 0; i < nbindings[map]; i++) {
		int key = bindings[map][i].key;

		/* The aliases of Return are not worth a line of help. */
		if (key == '\n' || key == KEY_ENTER + KEYS_FUNC)
			continue;
		if (bindings[map][i].action != A_NONE)
			fn(key, bindings[map][i].action, arg);
	}
}
