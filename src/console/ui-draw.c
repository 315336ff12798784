/*
 * ui-draw.c — the only code that writes text to curses. Every string passes
 * through sanitize_text and text_clip first, so that nothing from a subject, a
 * name or a body can move the cursor or change the terminal; colours come from a
 * table that `color` lines of the configuration may change, with attributes
 * alone when the terminal has no colours or NO_COLOR is set.
 */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "console.h"

struct color_entry {
	const char *name;
	short fg, bg;
	attr_t color_attr; /* added to the pair when colours are on */
	attr_t mono_attr;  /* used alone when they are off */
};

static struct color_entry colors[C_COUNT] = {
	[C_DEFAULT] = { "normal", -1, -1, A_NORMAL, A_NORMAL },
	[C_TITLE] = { "title", COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE },
	[C_STATUS] = { "status", COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE },
	[C_CURSOR] = { "cursor", COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[C_TAGGED] = { "tagged", COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
	[C_LABEL] = { "label", COLOR_CYAN, -1, A_NORMAL, A_BOLD },
	[C_NOTE] = { "note", COLOR_YELLOW, -1, A_NORMAL, A_BOLD },
	[C_MAIL_IN] = { "mail_in", COLOR_GREEN, -1, A_BOLD, A_UNDERLINE },
	[C_MAIL_OUT] = { "mail_out", COLOR_BLUE, -1, A_BOLD, A_UNDERLINE },
	[C_SYSTEM] = { "system", -1, -1, A_DIM, A_DIM },
	[C_WARN] = { "warn", COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[C_BREACH] = { "breach", COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[C_ERROR] = { "error", COLOR_RED, -1, A_BOLD, A_BOLD },
	[C_QUOTE] = { "quote", COLOR_GREEN, -1, A_NORMAL, A_DIM },
	[C_CODE] = { "code", COLOR_CYAN, -1, A_NORMAL, A_BOLD },
	[C_URL] = { "url", COLOR_BLUE, -1, A_UNDERLINE, A_UNDERLINE },
	[C_HEADING] = { "heading", COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
	[C_PRESENCE] = { "presence", COLOR_RED, -1, A_BOLD, A_BOLD | A_REVERSE },
	[C_ORG] = { "organisation", COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
};

static bool use_color;
static char *message;
static bool message_is_error;
static char *pending_title; /* ui_set_title: sent after the next doupdate */

static const char *const color_names[] = {
	"black",
	"red",
	"green",
	"yellow",
	"blue",
	"magenta",
	"cyan",
	"white",
};

static int
parse_color(const char *s, short *out)
{
	size_t i;
	long long v;

	if (strcasecmp(s, "default") == 0) {
		*out = -1;
		return 0;
	}
	for (i = 0; i < nitems(color_names); i++) {
		if (strcasecmp(s, color_names[i]) == 0) {
			*out = (short)i;
			return 0;
		}
	}
	if (strncasecmp(s, "color", 5) == 0 && parse_int(s + 5, 0, 255, &v) == 0) {
		*out = (short)v;
		return 0;
	}
	return -1;
}

int
ui_color_config(const char *object, const char *fg, const char *bg, const char *attr, char **cause)
{
	struct color_entry *e = NULL;
	size_t i;

	for (i = 0; i < C_COUNT; i++)
		if (strcmp(colors[i].name, object) == 0)
			e = &colors[i];
	if (e == NULL) {
		xasprintf(cause, _("unknown colour object: %s"), object);
		return -1;
	}
	if (parse_color(fg, &e->fg) != 0 || parse_color(bg, &e->bg) != 0) {
		xasprintf(cause, _("unknown colour: %s %s"), fg, bg);
		return -1;
	}
	if (attr != NULL) {
		if (strcmp(attr, "bold") == 0)
			e->color_attr = A_BOLD;
		else if (strcmp(attr, "underline") == 0)
			e->color_attr = A_UNDERLINE;
		else if (strcmp(attr, "reverse") == 0)
			e->color_attr = A_REVERSE;
		else if (strcmp(attr, "dim") == 0)
			e->color_attr = A_DIM;
		else if (strcmp(attr, "normal") == 0)
			e->color_attr = A_NORMAL;
		else {
			xasprintf(cause, _("unknown attribute: %s"), attr);
			return -1;
		}
	}
	return 0;
}

static attr_t md_attr(int);

static attr_t
extra_attr_of(int extra)
{
	attr_t a = A_NORMAL;

	if (extra & UI_BOLD)
		a |= A_BOLD;
	if (extra & UI_UNDERLINE)
		a |= A_UNDERLINE;
	if (extra & UI_REVERSE)
		a |= A_REVERSE;
	if (extra & UI_DIM)
		a |= A_DIM;
	if (extra >> 8)
		a |= md_attr(extra >> 8);
	return a;
}

static attr_t
attr_of(int color)
{
	if (color < 0 || color >= C_COUNT)
		color = C_DEFAULT;
	if (!use_color)
		return colors[color].mono_attr;
	return COLOR_PAIR(color) | colors[color].color_attr;
}

void
ui_init(void)
{
	const char *no_color = getenv("NO_COLOR");
	const char *setting = config_get(console.config, "console.color");
	int i;

	initscr();
	/* cbreak, not raw: ^Z suspends and ^C interrupts, as in any terminal program. */
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(50);
	curs_set(0);
	use_color = has_colors() && (no_color == NULL || *no_color == '\0') &&
	    (setting == NULL || strcmp(setting, "no") != 0);
	if (use_color) {
		start_color();
		use_default_colors();
		for (i = 1; i < C_COUNT; i++) {
			short fg = colors[i].fg, bg = colors[i].bg;

			if (fg >= COLORS)
				fg = -1;
			if (bg >= COLORS)
				bg = -1;
			init_pair((short)i, fg, bg);
		}
	}
	console.color = use_color;
}

void
ui_end(void)
{
	endwin();
	free(message);
	message = NULL;
}

void
ui_suspend(void)
{
	def_prog_mode();
	endwin();
}

void
ui_resume(void)
{
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
}

void
ui_resize(void)
{
	/* curses has already resized stdscr; views lay themselves out at the next draw. */
	clearok(curscr, TRUE);
}

int
ui_lines(void)
{
	return LINES;
}

int
ui_cols(void)
{
	return COLS;
}

void
ui_clear(void)
{
	erase();
}

int
ui_text(int y, int x, int width, const char *text, int color, int extra_attr)
{
	char *clean, *clipped;
	int w;

	if (width <= 0 || y < 0 || y >= LINES || x >= COLS || text == NULL)
		return 0;
	if (x + width > COLS)
		width = COLS - x;
	clean = sanitize_text(text, 0);
	clipped = text_clip(clean, width);
	w = text_width(clipped);
	attrset(attr_of(color) | extra_attr_of(extra_attr));
	mvaddstr(y, x, clipped);
	attrset(A_NORMAL);
	free(clipped);
	free(clean);
	return w;
}

void
ui_fill(int y, int x, int width, int color, int extra_attr)
{
	int i;

	if (y < 0 || y >= LINES)
		return;
	if (x + width > COLS)
		width = COLS - x;
	attrset(attr_of(color) | extra_attr_of(extra_attr));
	move(y, x);
	for (i = 0; i < width; i++)
		addch(' ');
	attrset(A_NORMAL);
}

void
ui_title(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	ui_fill(0, 0, COLS, C_TITLE, 0);
	ui_text(0, 0, COLS, s, C_TITLE, 0);
	free(s);
}

/* The last line's message (ui_message, ui_error): an error beeps too. */
void
ui_say(bool is_error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(message);
	xvasprintf(&message, fmt, ap);
	va_end(ap);
	message_is_error = is_error;
	if (is_error)
		beep();
}

void
ui_message_clear(void)
{
	free(message);
	message = NULL;
}

/* The status bar (second line from the bottom) and the message line. */
void
ui_status_draw(const char *title, const char *state)
{
	char *left;
	int w;

	ui_fill(LINES - 2, 0, COLS, C_STATUS, 0);
	xasprintf(&left, "-- guichet: %s -- %s", console.login != NULL ? console.login : "",
	    title != NULL ? title : "");
	ui_text(LINES - 2, 0, COLS, left, C_STATUS, 0);
	free(left);
	if (state != NULL) {
		w = text_width(state) + 2;
		ui_text(LINES - 2, COLS - w, w, state, C_ERROR, UI_REVERSE);
	} else if (console.unread > 0) {
		/* The unread notifications, and the key that lists them (view-notify.c). */
		xasprintf(&left,
		    ngettext("N: %lld notification", "N: %lld notifications",
			(unsigned long)console.unread),
		    console.unread);
		w = text_width(left) + 1;
		ui_text(LINES - 2, COLS - w, w, left, C_STATUS, UI_BOLD);
		free(left);
	}
	ui_fill(LINES - 1, 0, COLS, C_DEFAULT, 0);
	if (message != NULL)
		ui_text(LINES - 1, 0, COLS, message, message_is_error ? C_ERROR : C_DEFAULT, 0);
}

void
ui_prompt_draw(const char *question, const char *buf, size_t cursor)
{
	int qw, x, w, cw;
	char *clean, *before;

	ui_fill(LINES - 1, 0, COLS, C_DEFAULT, 0);
	qw = ui_text(LINES - 1, 0, COLS, question, C_DEFAULT, UI_BOLD);
	x = qw + 1;
	before = xstrndup(buf, cursor);
	clean = sanitize_text(before, 0);
	cw = text_width(clean);
	w = COLS - x - 1;
	/* Scroll the input so that the cursor stays visible: show its last part. */
	if (cw > w && w > 0) {
		char *tail = clean;
		while (*tail != '\0' && text_width(tail) > w - 1) {
			do
				tail++;
			while ((*tail & 0xC0) == 0x80);
		}
		ui_text(LINES - 1, x, 1, "<", C_DEFAULT, UI_BOLD);
		ui_text(LINES - 1, x + 1, w, tail, C_DEFAULT, 0);
		cw = text_width(tail) + 1;
	} else {
		char *all = sanitize_text(buf, 0);
		ui_text(LINES - 1, x, w, all, C_DEFAULT, 0);
		free(all);
	}
	free(clean);
	free(before);
	move(LINES - 1, x + cw < COLS ? x + cw : COLS - 1);
	curs_set(1);
}

void
ui_flush(bool keep_cursor)
{
	if (!keep_cursor)
		curs_set(0);
	wnoutrefresh(stdscr);
	doupdate();
	if (pending_title != NULL) {
		/* OSC 2, after curses has written its own: the terminal's title. */
		printf("\033]2;%s\007", pending_title);
		fflush(stdout);
		free(pending_title);
		pending_title = NULL;
	}
}

void
ui_bell(void)
{
	beep();
}

void
ui_set_title(const char *title)
{
	free(pending_title);
	pending_title = sanitize_text(title, 0);
}

static attr_t
md_attr(int style)
{
	attr_t a = A_NORMAL;

	if (style & MD_CODE)
		a |= attr_of(C_CODE);
	if (style & MD_QUOTE)
		a |= attr_of(C_QUOTE);
	if (style & MD_HEADING)
		a |= attr_of(C_HEADING);
	if (style & MD_URL)
		a |= attr_of(C_URL);
	if (style & MD_STRONG)
		a |= A_BOLD;
	if (style & MD_EMPH)
		a |= A_UNDERLINE;
	if (style & MD_LINK)
		a |= A_UNDERLINE;
	return a;
}
