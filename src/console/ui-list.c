/*
 * ui-list.c — the one scrolling list of the console (queues, tickets, search
 * results, history, help, knowledge base). A list holds a window of rows: views
 * that page with a keyset fetch more rows when the cursor reaches an edge of the
 * window (more_before / more_after) and trim the far end, so that scrolling
 * through 100,000 tickets never holds more than a few pages in memory.
 * The pagers (a ticket, a knowledge-base article) scroll a top line through
 * the same keys with pager_move, so that every view pages alike.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "console.h"

void
list_clear(struct list *l, void (*free_row)(void *))
{
	size_t i;

	for (i = 0; i < l->nrows; i++)
		if (free_row != NULL)
			free_row(l->rows[i]);
	free(l->rows);
	l->rows = NULL;
	l->nrows = l->cap = 0;
	l->cursor = l->top = 0;
	l->more_before = l->more_after = false;
}

static void
reserve(struct list *l, size_t n)
{
	size_t want = l->nrows + n;

	if (want <= l->cap)
		return;
	l->cap = want < 64 ? 64 : want * 3 / 2;
	l->rows = xreallocarray(l->rows, l->cap, sizeof *l->rows);
}

/* An empty page (n == 0) may come with rows == NULL, and an empty list has
 * l->rows == NULL: memcpy from or to NULL is undefined even for 0 bytes. */
void
list_append(struct list *l, void **rows, size_t n)
{
	if (n == 0)
		return;
	reserve(l, n);
	memcpy(l->rows + l->nrows, rows, n * sizeof *rows);
	l->nrows += n;
}

void
list_prepend(struct list *l, void **rows, size_t n)
{
	if (n == 0)
		return;
	reserve(l, n);
	memmove(l->rows + n, l->rows, l->nrows * sizeof *l->rows);
	memcpy(l->rows, rows, n * sizeof *rows);
	l->nrows += n;
	l->cursor += n;
	l->top += n;
}

void
list_trim(struct list *l, size_t max, void (*free_row)(void *))
{
	size_t drop, i;

	if (l->nrows <= max)
		return;
	drop = l->nrows - max;
	if (l->cursor >= l->nrows / 2) {
		/* The cursor is in the second half: forget the first rows. */
		if (drop > l->top)
			drop = l->top;
		for (i = 0; i < drop; i++)
			free_row(l->rows[i]);
		memmove(l->rows, l->rows + drop, (l->nrows - drop) * sizeof *l->rows);
		l->nrows -= drop;
		l->cursor -= drop;
		l->top -= drop;
		if (drop > 0)
			l->more_before = true;
	} else {
		size_t keep = l->nrows - drop;

		if (keep < l->top + 1)
			return;
		for (i = keep; i < l->nrows; i++)
			free_row(l->rows[i]);
		l->nrows = keep;
		if (drop > 0)
			l->more_after = true;
	}
}

void
list_fit(struct list *l, int height)
{
	size_t h = height > 0 ? (size_t)height : 1;

	if (l->nrows == 0) {
		l->cursor = l->top = 0;
		return;
	}
	if (l->cursor >= l->nrows)
		l->cursor = l->nrows - 1;
	if (l->cursor < l->top)
		l->top = l->cursor;
	if (l->cursor >= l->top + h)
		l->top = l->cursor - h + 1;
	if (l->top + h > l->nrows && l->nrows >= h && !l->more_after)
		l->top = l->nrows - h;
}

int
list_move(struct list *l, enum action a, int height)
{
	size_t h = height > 1 ? (size_t)height : 1, step;

	if (l->nrows == 0)
		return 0;
	switch (a) {
	case A_DOWN:
		if (l->cursor + 1 < l->nrows)
			l->cursor++;
		break;
	case A_UP:
		if (l->cursor > 0)
			l->cursor--;
		break;
	case A_PAGE_DOWN:
	case A_HALF_DOWN:
		step = a == A_PAGE_DOWN ? h : h / 2 + 1;
		l->cursor = l->cursor + step < l->nrows ? l->cursor + step : l->nrows - 1;
		l->top = l->top + step < l->nrows ? l->top + step : l->top;
		break;
	case A_PAGE_UP:
	case A_HALF_UP:
		step = a == A_PAGE_UP ? h : h / 2 + 1;
		l->cursor = l->cursor > step ? l->cursor - step : 0;
		l->top = l->top > step ? l->top - step : 0;
		break;
	case A_FIRST:
		l->cursor = l->top = 0;
		break;
	case A_LAST:
		l->cursor = l->nrows - 1;
		break;
	default:
		return 0;
	}
	list_fit(l, height);
	/* Ask for more a page ahead, so that scrolling does not stop at the edge. */
	if (l->more_after && l->cursor + h >= l->nrows)
		return 1;
	if (l->more_before && l->cursor < h)
		return -1;
	return 0;
}

void *
list_current(const struct list *l)
{
	if (l->nrows == 0 || l->cursor >= l->nrows)
		return NULL;
	return l->rows[l->cursor];
}

void
list_draw(struct list *l, int top, int height, list_draw_row draw_row, void *arg)
{
	int i, width = ui_cols();

	list_fit(l, height);
	for (i = 0; i < height; i++) {
		size_t k = l->top + (size_t)i;

		ui_fill(
		    top + i, 0, width, k == l->cursor && k < l->nrows ? C_CURSOR : C_DEFAULT, 0);
		if (k < l->nrows)
			draw_row(l->rows[k], top + i, width, k == l->cursor, arg);
	}
}

bool
action_is_motion(enum action a)
{
	switch (a) {
	case A_DOWN:
	case A_UP:
	case A_PAGE_DOWN:
	case A_PAGE_UP:
	case A_HALF_DOWN:
	case A_HALF_UP:
	case A_FIRST:
	case A_LAST:
		return true;
	default:
		return false;
	}
}

int
list_action(struct list *l, enum action a, int height)
{
	if (!action_is_motion(a))
		return 0;
	list_move(l, a, height);
	return 1;
}

void
list_text_row(void *row, int y, int width, bool selected, void *arg)
{
	ui_text(y, 0, width, row, selected ? C_CURSOR : C_DEFAULT, 0);
}

void
list_draw_or_empty(struct list *l, int top, int height, bool ready, const char *empty,
    list_draw_row draw_row, void *arg)
{
	if (l->nrows == 0) {
		ui_text(top, 2, ui_cols() - 2, ready ? empty : _("loading…"), C_DEFAULT, 0);
		return;
	}
	list_draw(l, top, height, draw_row, arg);
}

int
pager_move(size_t *top, size_t nlines, int visible, enum action a)
{
	/* A page keeps its last line on the screen, as less and mutt do. */
	long page = visible > 2 ? visible - 1 : 1, max = (long)nlines - visible;
	long t = (long)*top;

	switch (a) {
	case A_DOWN:
		t++;
		break;
	case A_UP:
		t--;
		break;
	case A_PAGE_DOWN:
		t += page;
		break;
	case A_PAGE_UP:
		t -= page;
		break;
	case A_HALF_DOWN:
		t += page / 2;
		break;
	case A_HALF_UP:
		t -= page / 2;
		break;
	case A_FIRST:
		t = 0;
		break;
	case A_LAST:
		t = max;
		break;
	default:
		return 0;
	}
	if (t > max)
		t = max;
	*top = t < 0 ? 0 : (size_t)t;
	return 1;
}
