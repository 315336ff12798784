/*
 * ui-prompt.c — modal input on the message line (a line of text, yes or no) and a
 * choice list over the view area. The prompt is modal for keys only: the main loop
 * keeps running under it, so results and NOTIFY messages still refresh the views.
 */
#include "config.h"

#include <sys/stat.h>

#include <curses.h>
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "console.h"

enum prompt_kind { P_LINE, P_YESNO, P_CHOICE };

static struct {
	bool active;
	enum prompt_kind kind;
	const char *question;
	struct strbuf buf;
	size_t cursor; /* byte offset in buf */
	bool done;
	bool cancelled;
	/* choice */
	const char *const *labels;
	size_t nlabels;
	size_t *shown; /* indexes of the labels matching the filter */
	size_t nshown;
	size_t sel;
	size_t top;
	int yes;
	/* line: Tab completes file names (prompt_path) */
	bool paths;
	char *hint; /* the names a Tab left to choose from, over the status line */
} P;

bool
prompt_active(void)
{
	return P.active;
}

void
prompt_cancel(void)
{
	if (P.active)
		P.cancelled = P.done = true;
}

static size_t
prev_char(const char *s, size_t at)
{
	if (at == 0)
		return 0;
	do
		at--;
	while (at > 0 && (s[at] & 0xC0) == 0x80);
	return at;
}

static size_t
next_char(const char *s, size_t len, size_t at)
{
	if (at >= len)
		return len;
	do
		at++;
	while (at < len && (s[at] & 0xC0) == 0x80);
	return at;
}

static void
buf_delete(size_t from, size_t to)
{
	memmove(P.buf.buf + from, P.buf.buf + to, P.buf.len - to + 1);
	P.buf.len -= to - from;
}

static void
buf_insert_wchar(wint_t wc)
{
	char mb[MB_LEN_MAX];
	mbstate_t ps;
	size_t n;
	char *tail;

	memset(&ps, 0, sizeof ps);
	n = wcrtomb(mb, (wchar_t)wc, &ps);
	if (n == (size_t)-1)
		return;
	tail = xstrdup(P.buf.buf + P.cursor);
	P.buf.len = P.cursor;
	P.buf.buf[P.cursor] = '\0';
	strbuf_add(&P.buf, mb, n);
	strbuf_puts(&P.buf, tail);
	P.cursor += n;
	free(tail);
}

static void
filter_choices(void)
{
	size_t i;

	P.nshown = 0;
	for (i = 0; i < P.nlabels; i++) {
		if (P.buf.len == 0 || strcasestr(P.labels[i], P.buf.buf) != NULL)
			P.shown[P.nshown++] = i;
	}
	if (P.sel >= P.nshown)
		P.sel = P.nshown > 0 ? P.nshown - 1 : 0;
}

/* Keys common to a line and a choice's filter; returns true when used. */
static bool
edit_key(int key, bool fkey)
{
	if (fkey) {
		switch (key) {
		case KEY_BACKSPACE:
			if (P.cursor > 0) {
				size_t p = prev_char(P.buf.buf, P.cursor);
				buf_delete(p, P.cursor);
				P.cursor = p;
			}
			return true;
		case KEY_DC:
			if (P.cursor < P.buf.len)
				buf_delete(P.cursor, next_char(P.buf.buf, P.buf.len, P.cursor));
			return true;
		case KEY_LEFT:
			P.cursor = prev_char(P.buf.buf, P.cursor);
			return true;
		case KEY_RIGHT:
			P.cursor = next_char(P.buf.buf, P.buf.len, P.cursor);
			return true;
		case KEY_HOME:
			P.cursor = 0;
			return true;
		case KEY_END:
			P.cursor = P.buf.len;
			return true;
		}
		return false;
	}
	switch (key) {
	case 127:
	case 8:
		return edit_key(KEY_BACKSPACE, true);
	case 1: /* ^A */
		P.cursor = 0;
		return true;
	case 5: /* ^E */
		P.cursor = P.buf.len;
		return true;
	case 21: /* ^U */
		buf_delete(0, P.cursor);
		P.cursor = 0;
		return true;
	case 23: /* ^W: the word before the cursor */
	{
		size_t p = P.cursor;
		while (p > 0 && P.buf.buf[p - 1] == ' ')
			p--;
		while (p > 0 && P.buf.buf[p - 1] != ' ')
			p--;
		buf_delete(p, P.cursor);
		P.cursor = p;
		return true;
	}
	}
	if (key >= 32 && key != 127) {
		buf_insert_wchar((wint_t)key);
		return true;
	}
	return false;
}

/* The directory part of what was typed, ~/ read as $HOME/. */
static char *
path_dir(const char *typed, size_t dirlen)
{
	const char *home = getenv("HOME");
	char *dir;

	if (dirlen == 0)
		return xstrdup(".");
	if (typed[0] == '~' && (typed[1] == '/' || dirlen == 1) && home != NULL)
		xasprintf(&dir, "%s%.*s", home, (int)dirlen - 1, typed + 1);
	else
		dir = xstrndup(typed, dirlen);
	return dir;
}

/*
 * Tab in a file prompt: the names of the directory typed that start with what
 * follows its last /; one is completed (a directory with its /), several
 * are completed as far as they agree and listed over the status line.
 */
static void
complete_path(void)
{
	const char *typed = P.buf.buf != NULL ? P.buf.buf : "", *slash = strrchr(typed, '/');
	size_t dirlen = slash != NULL ? (size_t)(slash - typed) + 1 : 0, baselen, common = 0, n = 0;
	char *dir = path_dir(typed, dirlen), *first = NULL, *full;
	const char *base = typed + dirlen;
	struct strbuf hint;
	struct dirent *de;
	struct stat sb;
	DIR *d;

	free(P.hint);
	P.hint = NULL;
	baselen = strlen(base);
	if ((d = opendir(dir)) == NULL) {
		free(dir);
		ui_bell();
		return;
	}
	strbuf_init(&hint);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, base, baselen) != 0 || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 || (de->d_name[0] == '.' && base[0] != '.'))
			continue;
		if (first == NULL) {
			first = xstrdup(de->d_name);
			common = strlen(first);
		} else {
			while (common > 0 && strncmp(first, de->d_name, common) != 0)
				common--;
		}
		if (n++ < 20)
			strbuf_printf(&hint, "%s%s", hint.len > 0 ? "  " : "", de->d_name);
	}
	closedir(d);
	if (first == NULL) {
		ui_bell();
	} else {
		strbuf_puts(&P.buf, "");
		P.buf.len = dirlen;
		P.buf.buf[dirlen] = '\0';
		strbuf_printf(&P.buf, "%.*s", (int)common, first);
		if (n == 1) {
			xasprintf(&full, "%s/%s", dir, first);
			if (stat(full, &sb) == 0 && S_ISDIR(sb.st_mode))
				strbuf_addch(&P.buf, '/');
			free(full);
		} else
			P.hint = strbuf_detach(&hint);
		P.cursor = P.buf.len;
	}
	strbuf_free(&hint);
	free(first);
	free(dir);
}

static void
on_key(int key, bool fkey, void *arg)
{
	bool enter = (!fkey && (key == '\r' || key == '\n')) || (fkey && key == KEY_ENTER);
	bool cancel = !fkey && (key == 27 || key == 7 || key == 3);

	if (cancel) {
		P.cancelled = P.done = true;
		return;
	}
	switch (P.kind) {
	case P_YESNO:
		if (!fkey) {
			char mb[MB_LEN_MAX + 1];
			mbstate_t ps;
			size_t n;

			memset(&ps, 0, sizeof ps);
			n = wcrtomb(mb, (wchar_t)key, &ps);
			mb[n == (size_t)-1 ? 0 : n] = '\0';
			P.yes = key == 'y' || key == 'Y' || rpmatch(mb) == 1;
			P.done = true;
		}
		return;
	case P_LINE:
		if (enter)
			P.done = true;
		else if (P.paths && !fkey && key == '\t' && P.cursor == P.buf.len)
			complete_path();
		else
			edit_key(key, fkey);
		return;
	case P_CHOICE:
		if (enter) {
			if (P.nshown > 0)
				P.done = true;
			return;
		}
		if (fkey && key == KEY_DOWN) {
			if (P.sel + 1 < P.nshown)
				P.sel++;
			return;
		}
		if (fkey && key == KEY_UP) {
			if (P.sel > 0)
				P.sel--;
			return;
		}
		if (fkey && key == KEY_NPAGE) {
			P.sel = P.sel + 10 < P.nshown ? P.sel + 10 : (P.nshown ? P.nshown - 1 : 0);
			return;
		}
		if (fkey && key == KEY_PPAGE) {
			P.sel = P.sel > 10 ? P.sel - 10 : 0;
			return;
		}
		if (!fkey && (key == 14 || key == 16)) { /* ^N ^P as in Emacs and mutt */
			on_key(key == 14 ? KEY_DOWN : KEY_UP, true, arg);
			return;
		}
		if (edit_key(key, fkey))
			filter_choices();
		return;
	}
}

static void
draw_choice(void)
{
	int height = ui_lines() - 4, width = ui_cols() - 2, y, i;

	if (height < 3)
		return;
	if ((size_t)height > P.nshown + 2)
		height = (int)P.nshown + 2 < 5 ? 5 : (int)P.nshown + 2;
	y = 1;
	if (P.sel < P.top)
		P.top = P.sel;
	if (P.sel >= P.top + (size_t)(height - 2))
		P.top = P.sel - (size_t)(height - 2) + 1;
	ui_fill(y, 0, width + 2, C_TITLE, 0);
	ui_text(y, 1, width, P.question, C_TITLE, 0);
	for (i = 0; i < height - 2; i++) {
		size_t k = P.top + (size_t)i;

		ui_fill(
		    y + 1 + i, 0, width + 2, k == P.sel && k < P.nshown ? C_CURSOR : C_DEFAULT, 0);
		if (k >= P.nshown)
			continue;
		ui_text(y + 1 + i, 1, width, P.labels[P.shown[k]],
		    k == P.sel ? C_CURSOR : C_DEFAULT, 0);
	}
	ui_fill(y + height - 1, 0, width + 2, C_TITLE, 0);
	ui_text(y + height - 1, 1, width,
	    _("type to filter, arrows to move, Enter to choose, Esc to cancel"), C_TITLE, 0);
}

void
prompt_redraw(void)
{
	if (!P.active)
		return;
	switch (P.kind) {
	case P_YESNO:
		ui_prompt_draw(P.question, "", 0);
		break;
	case P_LINE:
		if (P.hint != NULL) {
			ui_fill(ui_lines() - 2, 0, ui_cols(), C_STATUS, 0);
			ui_text(ui_lines() - 2, 0, ui_cols(), P.hint, C_STATUS, 0);
		}
		ui_prompt_draw(P.question, P.buf.buf, P.cursor);
		break;
	case P_CHOICE:
		draw_choice();
		ui_prompt_draw(_("filter:"), P.buf.buf, P.cursor);
		break;
	}
}

static void
run(enum prompt_kind kind, const char *question, const char *initial)
{
	if (P.active)
		fatalx("nested prompt");
	P.active = true;
	P.kind = kind;
	P.question = question;
	P.done = P.cancelled = false;
	P.yes = 0;
	strbuf_init(&P.buf);
	strbuf_puts(&P.buf, initial != NULL ? initial : "");
	P.cursor = P.buf.len;
	ui_message_clear();
	loop_set_key_handler(on_key, NULL);
	while (!P.done && !console.quit)
		loop_iterate(LOOP_KEYS, -1);
	if (console.quit)
		P.cancelled = true;
	loop_set_key_handler(NULL, NULL);
	P.active = false;
	P.paths = false;
	free(P.hint);
	P.hint = NULL;
}

/* prompt_choice among labels marked N_(): translated here, so that callers keep
 * one static table of them. */
int
prompt_choice_tr(const char *title, const char *const *labels, size_t n, size_t initial)
{
	const char **tr = xcalloc(n > 0 ? n : 1, sizeof *tr);
	size_t i;
	int k;

	for (i = 0; i < n; i++)
		tr[i] = _(labels[i]);
	k = prompt_choice(title, tr, n, initial);
	free(tr);
	return k;
}

/* A file name, Tab completing it. */
char *
prompt_path(const char *question, const char *initial)
{
	P.paths = true;
	return prompt_line(question, initial);
}

char *
prompt_line(const char *question, const char *initial)
{
	char *s;

	run(P_LINE, question, initial);
	if (P.cancelled) {
		strbuf_free(&P.buf);
		return NULL;
	}
	s = strbuf_detach(&P.buf);
	strbuf_free(&P.buf);
	return s;
}

bool
prompt_yesno(const char *question)
{
	run(P_YESNO, question, NULL);
	strbuf_free(&P.buf);
	return !P.cancelled && P.yes;
}

int
prompt_choice(const char *title, const char *const *labels, size_t n, size_t initial)
{
	int answer = -1;

	if (n == 0)
		return -1;
	P.labels = labels;
	P.nlabels = n;
	P.shown = xcalloc(n, sizeof *P.shown);
	P.buf.len = 0;
	P.sel = initial < n ? initial : 0;
	P.top = 0;
	P.nshown = n;
	for (size_t i = 0; i < n; i++)
		P.shown[i] = i;
	run(P_CHOICE, title, NULL);
	if (!P.cancelled && P.nshown > 0)
		answer = (int)P.shown[P.sel];
	free(P.shown);
	P.shown = NULL;
	strbuf_free(&P.buf);
	return answer;
}
