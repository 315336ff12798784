/*
 * format-json.c — one JSON document with stable keys in a fixed order: the
 * report, its period (or snapshot), filters, notes and tables; each table has
 * its columns (key, label, type), its rows as objects keyed by column, and its
 * totals apart. Numbers are JSON numbers exactly as the database computed them,
 * dates ISO 8601 strings, SQL NULL is null.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "report.h"

static void
json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
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
		json_string(f, v);
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
		json_string(f, t->columns[j].key);
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
	json_string(f, t->key);
	fputs(",\n      \"title\": ", f);
	json_string(f, t->title);
	fputs(",\n      \"columns\": [", f);
	for (j = 0; j < t->ncolumns; j++) {
		fputs(j > 0 ? ",\n        {\"key\": " : "\n        {\"key\": ", f);
		json_string(f, t->columns[j].key);
		fputs(", \"label\": ", f);
		json_string(f, t->columns[j].label);
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
	json_string(f, r->name);
	fputs(",\n  \"title\": ", f);
	json_string(f, r->title);
	if (r->snapshot) {
		fputs(",\n  \"at\": ", f);
		json_string(f, r->at);
	} else {
		fputs(",\n  \"period\": {\"from\": ", f);
		json_string(f, r->from);
		fputs(", \"to\": ", f);
		json_string(f, r->to);
		fputs("}", f);
	}
	fputs(",\n  \"filters\": {", f);
	for (i = 0; i < r->nfilters; i++) {
		if (i > 0)
			fputs(", ", f);
		json_string(f, r->filters[i].key);
		fputs(": ", f);
		json_string(f, r->filters[i].value);
	}
	fputs("}", f);
	if (r->stamp != NULL) {
		fputs(",\n  \"generated\": ", f);
		json_string(f, r->stamp);
	}
	fputs(",\n  \"notes\": [", f);
	for (i = 0; i < r->nnotes; i++) {
		if (i > 0)
			fputs(", ", f);
		json_string(f, r->notes[i]);
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
