/*
 * chart-svg.c — the charts of the html report, as inline SVG (no script, no
 * font or image to fetch): horizontal bars for categories, columns for a time
 * series. The chart shows the table's COL_BAR column against the row labels;
 * totals rows are not drawn, and a long table draws its first MAX_BARS rows.
 */
#include "config.h"

#include <stdlib.h>

#include "common.h"
#include "report.h"

#define MAX_BARS 60
#define ROW 20	  /* height of one horizontal bar's row */
#define LABEL 220 /* width of the labels' column */
#define WIDTH 640

static size_t
charted_rows(const struct report_table *t, int col, double *max)
{
	size_t i, n = 0;
	double v;

	*max = 0;
	for (i = 0; i < t->nrows && n < MAX_BARS; i++) {
		if (t->rows[i].total)
			continue;
		v = value_number(t->rows[i].values[col]);
		if (v > *max)
			*max = v;
		n++;
	}
	return n;
}

static void
svg_text(FILE *f, double x, double y, const char *anchor, const char *s)
{
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"%s\">", x, y, anchor);
	html_escape(f, s);
	fputs("</text>\n", f);
}

static void
chart_bars(FILE *f, const struct report_table *t, int col, size_t n, double max)
{
	size_t i, k = 0;
	double v, w;
	char *label, *clipped, *value;

	fprintf(f,
	    "<svg viewBox=\"0 0 %d %zu\" width=\"%d\" height=\"%zu\" "
	    "role=\"img\">\n",
	    WIDTH, n * ROW + 4, WIDTH, n * ROW + 4);
	for (i = 0; i < t->nrows && k < n; i++) {
		if (t->rows[i].total)
			continue;
		v = value_number(t->rows[i].values[col]);
		w = max > 0 ? v / max * (WIDTH - LABEL - 70) : 0;
		label = table_row_label(t, i);
		clipped = text_clip(label, 34);
		value = value_display(t->columns[col].type, t->rows[i].values[col]);
		svg_text(f, LABEL - 6, (double)k * ROW + 15, "end", clipped);
		fprintf(f, "<rect x=\"%d\" y=\"%zu\" width=\"%.1f\" height=\"%d\"/>\n", LABEL,
		    k * ROW + 3, w, ROW - 6);
		svg_text(f, LABEL + w + 4, (double)k * ROW + 15, "start", value);
		free(label);
		free(clipped);
		free(value);
		k++;
	}
	fputs("</svg>\n", f);
}

static void
chart_columns(FILE *f, const struct report_table *t, int col, size_t n, double max)
{
	size_t i, k = 0;
	double v, h, step;
	char *label;
	const int height = 180, base = 150;

	step = (double)(WIDTH - 20) / (double)n;
	fprintf(f,
	    "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	    "role=\"img\">\n",
	    WIDTH, height, WIDTH, height);
	for (i = 0; i < t->nrows && k < n; i++) {
		if (t->rows[i].total)
			continue;
		v = value_number(t->rows[i].values[col]);
		h = max > 0 ? v / max * (base - 10) : 0;
		fprintf(f,
		    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\"><title>",
		    10 + k * step + 1, base - h, step > 3 ? step - 2 : step, h);
		label = table_row_label(t, i);
		html_escape(f, label);
		fputs("</title></rect>\n", f);
		/* Label the first, the last and about eight between. */
		if (k == 0 || k + 1 == n || (n > 8 && k % (n / 8) == 0) || n <= 8)
			svg_text(f, 10 + k * step + step / 2, base + 16, "middle", label);
		free(label);
		k++;
	}
	fputs("</svg>\n", f);
}

void
chart_svg(FILE *f, const struct report_table *t)
{
	int col;
	size_t n;
	double max;

	if ((col = table_bar_column(t)) < 0)
		return;
	if ((n = charted_rows(t, col, &max)) == 0 || max <= 0)
		return;
	if (t->series)
		chart_columns(f, t, col, n, max);
	else
		chart_bars(f, t, col, n, max);
}
