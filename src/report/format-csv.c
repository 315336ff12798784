/*
 * format-csv.c — RFC 4180: one header row of stable keys, CRLF line ends,
 * fields quoted when they hold a comma, a quote or a line break. A csv file is
 * one table: the report's main table, or the one named by --table. Values are
 * as the database computed them (ISO dates, seconds, ratios); totals rows are
 * left out, as a spreadsheet sums by itself.
 */
#include "config.h"

#include <string.h>

#include "common.h"
#include "report.h"

static void
csv_field(FILE *f, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
csv_table(FILE *f, const struct report_table *t)
{
	size_t i, j;

	for (j = 0; j < t->ncolumns; j++) {
		if (j > 0)
			fputc(',', f);
		csv_field(f, t->columns[j].key);
	}
	fputs("\r\n", f);
	for (i = 0; i < t->nrows; i++) {
		if (t->rows[i].total)
			continue;
		for (j = 0; j < t->ncolumns; j++) {
			if (j > 0)
				fputc(',', f);
			csv_field(f, t->rows[i].values[j]);
		}
		fputs("\r\n", f);
	}
}

void
format_csv(FILE *f, const struct report *r, const struct report_options *o)
{
	size_t i;

	for (i = 0; i < r->ntables; i++) {
		if (o->table != NULL ? table_selected(o, r->tables[i]) : i == 0) {
			csv_table(f, r->tables[i]);
			return;
		}
	}
}
