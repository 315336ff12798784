/*
 * format-md.c — the report as GitHub-flavoured Markdown: a heading, the period
 * and filters, one pipe table per table with numbers right-aligned, notes as a
 * list. Values are localised and sanitised like the text report, then every
 * character Markdown would interpret is escaped, so that a subject such as
 * "<img src=…>" or "| a | b |" stays text. The html format renders the same
 * heading block with cmark.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "report.h"

void
md_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (strchr("\\`*_[]<>|~&#!", *s) != NULL)
			fputc('\\', f);
		fputc(*s, f);
	}
}

/* Title, period or snapshot, filters, generation time: shared with html. */
void
md_heading_block(FILE *f, const struct report *r)
{
	char *at;
	size_t i;

	fputs("# ", f);
	md_escape(f, r->title);
	fputs("\n\n", f);
	/* The header lines end with a backslash: CommonMark's hard break. */
	if (r->snapshot && r->at != NULL) {
		at = value_date_display(r->at);
		fprintf(f, _("At: %s"), at);
		free(at);
	} else if (r->snapshot)
		fputs(_("At: now"), f);
	else
		fprintf(f, _("Period: %s"), r->period);
	if (r->nfilters > 0) {
		fputs("\\\n", f);
		fputs(_("Filters:"), f);
		for (i = 0; i < r->nfilters; i++) {
			fprintf(f, "%s %s ", i > 0 ? ";" : "", r->filters[i].label);
			md_escape(f, r->filters[i].value);
		}
	}
	if (r->stamp != NULL) {
		fputs("\\\n", f);
		fprintf(f, _("Generated: %s"), r->stamp);
	}
	fputc('\n', f);
	if (report_is_empty(r))
		fprintf(f, "\n%s\n",
		    _("Nothing to report: no tickets match this "
		      "period and these filters."));
}

static void
md_row(FILE *f, const struct report_table *t, size_t i)
{
	size_t j;
	char *v;
	bool total = t->rows[i].total;

	fputs("|", f);
	for (j = 0; j < t->ncolumns; j++) {
		v = table_cell_display(t, i, j);
		fputs(total ? " **" : " ", f);
		md_escape(f, v);
		fputs(total ? "** |" : " |", f);
		free(v);
	}
	fputc('\n', f);
}

static void
md_table(FILE *f, const struct report_table *t)
{
	size_t i, j;

	if (t->title != NULL) {
		fputs("\n## ", f);
		md_escape(f, t->title);
		fputc('\n', f);
	}
	fputs("\n|", f);
	for (j = 0; j < t->ncolumns; j++) {
		fputc(' ', f);
		md_escape(f, t->columns[j].label);
		fputs(" |", f);
	}
	fputs("\n|", f);
	for (j = 0; j < t->ncolumns; j++)
		fputs(value_right_aligned(t->columns[j].type) ? " ---: |" : " --- |", f);
	fputc('\n', f);
	for (i = 0; i < t->nrows; i++)
		md_row(f, t, i);
	if (t->nrows == 0 || (t->nrows == 1 && t->rows[0].total))
		fprintf(f, "\n%s\n", _("None."));
}

void
format_md(FILE *f, const struct report *r, const struct report_options *o)
{
	size_t i;

	md_heading_block(f, r);
	if (report_is_empty(r))
		return;
	for (i = 0; i < r->ntables; i++) {
		if (table_selected(o, r->tables[i]))
			md_table(f, r->tables[i]);
	}
	if (r->nnotes > 0)
		fputc('\n', f);
	for (i = 0; i < r->nnotes; i++) {
		fputs("- ", f);
		md_escape(f, r->notes[i]);
		fputc('\n', f);
	}
}
