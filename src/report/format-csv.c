/*
 * format-csv.c — RFC 4180: one header row of stable keys, CRLF line ends,
 * fields quoted when they hold a comma, a quote or a line break. A csv file is
 * one table: the report's main table, or the one named by --table. Values are
 * as the database computed them (ISO dates, seconds, ratios); totals rows are
 * left out, as a spreadsheet sums by itself.
 *
 * Text (subjects, names, queues: what strangers and agents typed) is made safe
 * as in the text format: controls shown as ^[, invisible characters dropped,
 * line breaks and tabs made spaces, so that `| cat` prints no escape sequence.
 * A text cell that a spreadsheet would take for a formula (starting with =, +,
 * -, @, a tab or a CR) gets a leading ', as OWASP recommends against CSV
 * injection; numbers the report computed are never text and stay numbers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "report.h"

static void
csv_quoted(FILE *f, const char *s)
{
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

/* Would a spreadsheet read this text cell as a formula? */
static bool
csv_formula(const char *raw, const char *clean)
{
	if (raw[0] == '\t' || raw[0] == '\r')
		return true;
	clean += strspn(clean, " ");
	return *clean != '\0' && strchr("=+-@", *clean) != NULL;
}

static void
csv_field(FILE *f, enum value_type type, const char *s)
{
	char *clean, *guarded;

	if (s == NULL)
		return;
	if (type != VT_TEXT) {
		csv_quoted(f, s);
		return;
	}
	clean = sanitize_text(s, 0);
	if (csv_formula(s, clean)) {
		xasprintf(&guarded, "'%s", clean);
		free(clean);
		clean = guarded;
	}
	csv_quoted(f, clean);
	free(clean);
}

static void
csv_table(FILE *f, const struct report_table *t)
{
	size_t i, j;

	for (j = 0; j < t->ncolumns; j++) {
		if (j > 0)
			fputc(',', f);
		csv_quoted(f, t->columns[j].key);
	}
	fputs("\r\n", f);
	for (i = 0; i < t->nrows; i++) {
		if (t->rows[i].total)
			continue;
		for (j = 0; j < t->ncolumns; j++) {
			if (j > 0)
				fputc(',', f);
			csv_field(f, t->columns[j].type, t->rows[i].values[j]);
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
