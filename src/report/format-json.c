/*
 * format-json.c — one JSON document with stable keys in a fixed order: the
 * report, its period (or snapshot), filters, notes and tables; each table has
 * its columns (key, label, type), its rows as objects keyed by column, and its
 * totals apart. Numbers are JSON numbers exactly as the database computed them,
 * dates ISO 8601 strings, SQL NULL is null. Strings hold the text exactly,
 * but controls, bidi and invisible characters are escaped (\uXXXX), so that
 * the document can be shown on a terminal as it is.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "report.h"

/* A JSON string (or null), escaped by libguichet's json_string: see json.c. */
static void
json_put(FILE *f, const char *s)
{
	struct strbuf sb;

	strbuf_init(&sb);
	json_string(&sb, s);
	fwrite(sb.buf, 1, sb.len, f);
	strbuf_free(&sb);
}

/* A JSON number must look like one: PostgreSQL's NaN or Infinity become null. */
static bool
json_number_ok(const char *s)
{
	size_t digits;

	if (*s == '-')
		s++;
	digits = strspn(s, "0123456789");
	if (digits == 0 || (digits > 1 && s[0] == '0'))
		return false;
	s += digits;
	if (*s == '.') {
		s++;
		digits = strspn(s, "0123456789");
		if (digits == 0)
			return false;
		s += digits;
	}
	return *s == '\0';
}

static void
json_value(FILE *f, enum value_type type, const char *v)
{
	if (v == NULL ||
	    ((type != VT_TEXT && type != VT_DATE && type != VT_MONTH) && !json_number_ok(v)))
		fputs("null", f);
	else if (type == VT_TEXT || type == VT_DATE || type == VT_MONTH)
		json_put(f, v);
	else
		fputs(v, f);
}

static void
json_row(FILE *f, const struct report_table *t, size_t i)
{
	size_t j;

	fputs("{", f);
	for (j = 0; j < t->ncolumns; j++) {
		if (j > 0)
			fputs(", ", f);
		json_put(f, t->columns[j].key);
		fputs(": ", f);
		json_value(f, t->columns[j].type, t->rows[i].values[j]);
	}
	fputs("}", f);
}

static void
json_rows(FILE *f, const struct report_table *t, bool totals)
{
	size_t i;
	bool first = true;

	fputs("[", f);
	for (i = 0; i < t->nrows; i++) {
		if (t->rows[i].total != totals)
			continue;
		fputs(first ? "\n        " : ",\n        ", f);
		json_row(f, t, i);
		first = false;
	}
	fputs(first ? "]" : "\n      ]", f);
}

static void
json_table(FILE *f, const struct report_table *t)
{
	size_t j;

	fputs("    {\n      \"key\": ", f);
	json_put(f, t->key);
	fputs(",\n      \"title\": ", f);
	json_put(f, t->title);
	fputs(",\n      \"columns\": [", f);
	for (j = 0; j < t->ncolumns; j++) {
		fputs(j > 0 ? ",\n        {\"key\": " : "\n        {\"key\": ", f);
		json_put(f, t->columns[j].key);
		fputs(", \"label\": ", f);
		json_put(f, t->columns[j].label);
		fprintf(f, ", \"type\": \"%s\"}", value_type_name(t->columns[j].type));
	}
	fputs("\n      ],\n      \"rows\": ", f);
	json_rows(f, t, false);
	fputs(",\n      \"totals\": ", f);
	json_rows(f, t, true);
	fputs("\n    }", f);
}

static void
json_header(FILE *f, const struct report *r)
{
	size_t i;

	fputs("{\n  \"report\": ", f);
	json_put(f, r->name);
	fputs(",\n  \"title\": ", f);
	json_put(f, r->title);
	if (r->snapshot) {
		fputs(",\n  \"at\": ", f);
		json_put(f, r->at);
	} else {
		fputs(",\n  \"period\": {\"from\": ", f);
		json_put(f, r->from);
		fputs(", \"to\": ", f);
		json_put(f, r->to);
		fputs("}", f);
	}
	fputs(",\n  \"filters\": {", f);
	for (i = 0; i < r->nfilters; i++) {
		if (i > 0)
			fputs(", ", f);
		json_put(f, r->filters[i].key);
		fputs(": ", f);
		json_put(f, r->filters[i].value);
	}
	fputs("}", f);
	if (r->stamp != NULL) {
		fputs(",\n  \"generated\": ", f);
		json_put(f, r->stamp);
	}
	fputs(",\n  \"notes\": [", f);
	for (i = 0; i < r->nnotes; i++) {
		if (i > 0)
			fputs(", ", f);
		json_put(f, r->notes[i]);
	}
	fputs("]", f);
}

void
format_json(FILE *f, const struct report *r, const struct report_options *o)
{
	size_t i;
	bool first = true;

	json_header(f, r);
	fprintf(f, ",\n  \"empty\": %s", report_is_empty(r) ? "true" : "false");
	fputs(",\n  \"tables\": [", f);
	for (i = 0; i < r->ntables; i++) {
		if (!table_selected(o, r->tables[i]))
			continue;
		fputs(first ? "\n" : ",\n", f);
		json_table(f, r->tables[i]);
		first = false;
	}
	fputs(first ? "]\n}\n" : "\n  ]\n}\n", f);
}
