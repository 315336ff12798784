/*
 * format-text.c — the report for a terminal or a mail body: a header naming the
 * period and the filters, tables with aligned columns clipped to fit the width
 * (80 by default), and a bar chart in the space left on the right, drawn with
 * Unicode eighth blocks or, with --ascii, with '#'.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "report.h"

#define GAP 2	    /* spaces between columns */
#define MIN_BAR 10  /* narrower than this, no chart */
#define MIN_TEXT 8  /* a text column is never clipped narrower */
#define MIN_WRAP 20 /* nor a wrapped one made narrower */

struct text_table {
	const struct report_table *t;
	char ***cells; /* displayed values, sanitised */
	int *width;
	int bar;       /* the charted column or -1 */
	int bar_width; /* 0: no chart */
	double bar_max;
};

static void
pad(FILE *f, int n)
{
	while (n-- > 0)
		fputc(' ', f);
}

static void
put_cell(FILE *f, const char *s, int width, bool right)
{
	int w;

	w = text_width(s);
	if (right)
		pad(f, width - w);
	fputs(s, f);
	if (!right)
		pad(f, width - w);
}

static void
rule(FILE *f, int width, bool ascii)
{
	while (width-- > 0)
		fputs(ascii ? "-" : "─", f);
	fputc('\n', f);
}

static void
measure(struct text_table *tt)
{
	const struct report_table *t = tt->t;
	size_t i, j;
	int w;

	tt->width = xcalloc(t->ncolumns, sizeof *tt->width);
	tt->cells = xcalloc(t->nrows, sizeof *tt->cells);
	for (j = 0; j < t->ncolumns; j++)
		tt->width[j] = text_width(t->columns[j].label);
	for (i = 0; i < t->nrows; i++) {
		tt->cells[i] = xcalloc(t->ncolumns, sizeof **tt->cells);
		for (j = 0; j < t->ncolumns; j++) {
			tt->cells[i][j] = table_cell_display(t, i, j);
			w = text_width(tt->cells[i][j]);
			if (w > tt->width[j])
				tt->width[j] = w;
		}
	}
}

static int
total_width(const struct text_table *tt)
{
	size_t j;
	int sum = 0;

	for (j = 0; j < tt->t->ncolumns; j++)
		sum += tt->width[j] + (j > 0 ? GAP : 0);
	return sum;
}

/* Is column j the last one, to be wrapped rather than clipped (COL_WRAP)? */
static bool
wraps(const struct report_table *t, size_t j)
{
	return j + 1 == t->ncolumns && (t->columns[j].flags & COL_WRAP) != 0;
}

/*
 * A wrapped last column first gives up what it can (down to MIN_WRAP: its
 * cells are wrapped when printed); then the widest text column is clipped,
 * one column at a time, until the table fits.
 */
static void
fit(struct text_table *tt, int width)
{
	const struct report_table *t = tt->t;
	size_t i, j;
	int widest, excess;
	char *clipped;

	if (t->ncolumns > 0 && wraps(t, t->ncolumns - 1) &&
	    (excess = total_width(tt) - width) > 0) {
		j = t->ncolumns - 1;
		tt->width[j] = tt->width[j] - excess < MIN_WRAP ? MIN_WRAP : tt->width[j] - excess;
	}
	while ((excess = total_width(tt) - width) > 0) {
		widest = -1;
		for (j = 0; j < t->ncolumns; j++) {
			if (t->columns[j].type == VT_TEXT && tt->width[j] > MIN_TEXT &&
			    !wraps(t, j) && (widest < 0 || tt->width[j] > tt->width[widest]))
				widest = (int)j;
		}
		if (widest < 0)
			return;
		tt->width[widest] -= excess;
		if (tt->width[widest] < MIN_TEXT)
			tt->width[widest] = MIN_TEXT;
		for (i = 0; i < t->nrows; i++) {
			clipped = text_clip(tt->cells[i][widest], tt->width[widest]);
			free(tt->cells[i][widest]);
			tt->cells[i][widest] = clipped;
		}
	}
}

static void
plan_bars(struct text_table *tt, int width)
{
	const struct report_table *t = tt->t;
	size_t i;
	double v;

	tt->bar = table_bar_column(t);
	tt->bar_width = 0;
	tt->bar_max = 0;
	if (tt->bar < 0)
		return;
	for (i = 0; i < t->nrows; i++) {
		v = value_number(t->rows[i].values[tt->bar]);
		if (!t->rows[i].total && v > tt->bar_max)
			tt->bar_max = v;
	}
	tt->bar_width = width - total_width(tt) - GAP;
	if (tt->bar_width > 40)
		tt->bar_width = 40;
	if (tt->bar_width < MIN_BAR || tt->bar_max <= 0)
		tt->bar_width = 0;
}

static void
bar(FILE *f, const struct text_table *tt, double v, bool ascii)
{
	static const char *const eighths[] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" };
	long n;

	if (v <= 0)
		return;
	n = (long)(v / tt->bar_max * tt->bar_width * 8 + 0.5);
	if (n == 0)
		n = 1; /* a value, however small, shows */
	pad(f, GAP);
	if (ascii) {
		n = (n + 4) / 8;
		if (n == 0)
			n = 1;
		while (n-- > 0)
			fputc('#', f);
		return;
	}
	for (; n >= 8; n -= 8)
		fputs("█", f);
	fputs(eighths[n], f);
}

/*
 * A long text in lines of at most width columns, cut between words (a word
 * longer than a line is clipped); the lines after the first start at x.
 */
static void
put_wrapped(FILE *f, const char *s, int width, int x)
{
	struct strbuf line;
	char *copy = xstrdup(s), *word, *save = NULL, *cut;
	bool first = true;

	strbuf_init(&line);
	for (word = strtok_r(copy, " ", &save); word != NULL; word = strtok_r(NULL, " ", &save)) {
		if (line.len > 0 && text_width(line.buf) + 1 + text_width(word) > width) {
			if (!first) {
				fputc('\n', f);
				pad(f, x);
			}
			fputs(line.buf, f);
			first = false;
			strbuf_reset(&line);
		}
		if (line.len > 0)
			strbuf_addch(&line, ' ');
		cut = text_width(word) > width ? text_clip(word, width) : xstrdup(word);
		strbuf_puts(&line, cut);
		free(cut);
	}
	if (line.len > 0) {
		if (!first) {
			fputc('\n', f);
			pad(f, x);
		}
		fputs(line.buf, f);
	}
	strbuf_free(&line);
	free(copy);
}

static void
print_row(FILE *f, const struct text_table *tt, char **cells)
{
	const struct report_table *t = tt->t;
	size_t j;
	int x = 0;

	for (j = 0; j < t->ncolumns; j++) {
		if (j > 0) {
			pad(f, GAP);
			x += GAP;
		}
		/* The last column is not padded: no trailing blanks. */
		if (wraps(t, j) && text_width(cells[j]) > tt->width[j])
			put_wrapped(f, cells[j], tt->width[j], x);
		else if (j + 1 == t->ncolumns && !value_right_aligned(t->columns[j].type))
			fputs(cells[j], f);
		else
			put_cell(
			    f, cells[j], tt->width[j], value_right_aligned(t->columns[j].type));
		x += tt->width[j];
	}
}

static void
print_table(FILE *f, const struct report_table *t, const struct report_options *o)
{
	struct text_table tt = { .t = t };
	char **heads;
	size_t i, j;
	bool ruled = false;

	if (t->title != NULL)
		fprintf(f, "%s\n\n", t->title);
	measure(&tt);
	fit(&tt, o->width);
	plan_bars(&tt, o->width);
	heads = xcalloc(t->ncolumns, sizeof *heads);
	for (j = 0; j < t->ncolumns; j++)
		heads[j] = t->columns[j].label;
	print_row(f, &tt, heads);
	fputc('\n', f);
	rule(f, total_width(&tt), o->ascii);
	for (i = 0; i < t->nrows; i++) {
		if (t->rows[i].total && !ruled) {
			rule(f, total_width(&tt), o->ascii);
			ruled = true;
		}
		print_row(f, &tt, tt.cells[i]);
		if (tt.bar_width > 0 && !t->rows[i].total)
			bar(f, &tt, value_number(t->rows[i].values[tt.bar]), o->ascii);
		fputc('\n', f);
	}
	if (t->nrows == 0 || (t->nrows == 1 && t->rows[0].total))
		fprintf(f, "%s\n", _("None."));
	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->ncolumns; j++)
			free(tt.cells[i][j]);
		free(tt.cells[i]);
	}
	free(tt.cells);
	free(tt.width);
	free(heads);
}

static void
print_header(FILE *f, const struct report *r)
{
	char *at;
	size_t i;

	fprintf(f, "%s\n", r->title);
	if (r->at != NULL) {
		at = value_date_display(r->at);
		fprintf(f, _("At: %s\n"), at);
		free(at);
	} else if (r->snapshot)
		fprintf(f, "%s\n", _("At: now"));
	else
		fprintf(f, _("Period: %s\n"), r->period);
	if (r->nfilters > 0) {
		fputs(_("Filters:"), f);
		for (i = 0; i < r->nfilters; i++)
			fprintf(f, "%s %s %s", i > 0 ? ";" : "", r->filters[i].label,
			    r->filters[i].value);
		fputc('\n', f);
	}
	if (r->stamp != NULL)
		fprintf(f, _("Generated: %s\n"), r->stamp);
}

/* A note as a list item, its words wrapped to the width. */
static void
print_note(FILE *f, const char *note, int width)
{
	char *copy, *word, *save = NULL;
	int col = 0, w;

	copy = sanitize_text(note, 0);
	fputs("* ", f);
	col = 2;
	for (word = strtok_r(copy, " ", &save); word != NULL; word = strtok_r(NULL, " ", &save)) {
		w = text_width(word);
		if (col > 2 && col + 1 + w > width) {
			fputs("\n  ", f);
			col = 2;
		} else if (col > 2) {
			fputc(' ', f);
			col++;
		}
		fputs(word, f);
		col += w;
	}
	fputc('\n', f);
	free(copy);
}

void
format_text(FILE *f, const struct report *r, const struct report_options *o)
{
	size_t i;

	print_header(f, r);
	if (report_is_empty(r)) {
		fprintf(f, "\n%s\n",
		    _("Nothing to report: no tickets match this "
		      "period and these filters."));
		return;
	}
	for (i = 0; i < r->ntables; i++) {
		if (!table_selected(o, r->tables[i]))
			continue;
		fputc('\n', f);
		print_table(f, r->tables[i], o);
	}
	if (r->nnotes > 0)
		fputc('\n', f);
	for (i = 0; i < r->nnotes; i++)
		print_note(f, r->notes[i], o->width);
}
