/*
 * report-model.c — building the report model. Reports add tables and columns,
 * then copy a result into a table by column name; formats only read the model.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "db.h"
#include "report.h"

struct report *
report_new(const struct report_options *o, const char *title)
{
	struct report *r;
	char *from, *to;

	r = xcalloc(1, sizeof *r);
	r->name = xstrdup(o->name);
	r->title = xstrdup(title);
	r->from = xstrdup(o->from);
	r->to = xstrdup(o->to);
	from = value_date_display(o->from);
	to = value_date_display(o->to);
	/* TRANSLATORS: a period, "from – to" */
	xasprintf(&r->period, _("%s – %s"), from, to);
	free(from);
	free(to);
	return r;
}

static void
table_free(struct report_table *t)
{
	size_t i, j;

	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->ncolumns; j++)
			free(t->rows[i].values[j]);
		free(t->rows[i].values);
	}
	for (j = 0; j < t->ncolumns; j++) {
		free(t->columns[j].key);
		free(t->columns[j].source);
		free(t->columns[j].label);
	}
	free(t->rows);
	free(t->columns);
	free(t->key);
	free(t->title);
	free(t);
}

void
report_free(struct report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ntables; i++)
		table_free(r->tables[i]);
	for (i = 0; i < r->nfilters; i++) {
		free(r->filters[i].key);
		free(r->filters[i].label);
		free(r->filters[i].value);
	}
	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->tables);
	free(r->filters);
	free(r->notes);
	free(r->name);
	free(r->title);
	free(r->period);
	free(r->from);
	free(r->to);
	free(r->at);
	free(r->stamp);
	free(r);
}

void
report_add_filter(struct report *r, const char *key, const char *label, const char *value)
{
	struct report_filter *f;

	r->filters = xreallocarray(r->filters, r->nfilters + 1, sizeof *r->filters);
	f = &r->filters[r->nfilters++];
	f->key = xstrdup(key);
	f->label = xstrdup(label);
	f->value = xstrdup(value);
}

void
report_add_note(struct report *r, const char *fmt, ...)
{
	va_list ap;

	r->notes = xreallocarray(r->notes, r->nnotes + 1, sizeof *r->notes);
	va_start(ap, fmt);
	xvasprintf(&r->notes[r->nnotes++], fmt, ap);
	va_end(ap);
}

struct report_table *
report_add_table(struct report *r, const char *key, const char *title)
{
	struct report_table *t;

	t = xcalloc(1, sizeof *t);
	t->key = xstrdup(key);
	t->title = title != NULL ? xstrdup(title) : NULL;
	r->tables = xreallocarray(r->tables, r->ntables + 1, sizeof *r->tables);
	r->tables[r->ntables++] = t;
	return t;
}

void
table_add_column(
    struct report_table *t, const char *key, const char *label, enum value_type type, int flags)
{
	table_add_column_as(t, key, key, label, type, flags);
}

void
table_add_column_as(struct report_table *t, const char *key, const char *source, const char *label,
    enum value_type type, int flags)
{
	struct report_column *c;

	t->columns = xreallocarray(t->columns, t->ncolumns + 1, sizeof *t->columns);
	c = &t->columns[t->ncolumns++];
	c->key = xstrdup(key);
	c->source = xstrdup(source);
	c->label = xstrdup(label);
	c->type = type;
	c->flags = flags;
}

/*
 * Copy the rows of a result into the table, reading each column by its key
 * (a missing column is a bug in the report's SQL, and db_column says so). A
 * boolean column "total", when the result has one, marks the totals rows.
 */
void
table_fill(struct report_table *t, const PGresult *res)
{
	int *index, total, nrows, i;
	size_t j;
	struct report_row *row;

	index = xcalloc(t->ncolumns, sizeof *index);
	for (j = 0; j < t->ncolumns; j++)
		index[j] = db_column(res, t->columns[j].source);
	total = PQfnumber(res, "total");
	nrows = PQntuples(res);
	t->rows = xreallocarray(t->rows, t->nrows + nrows, sizeof *t->rows);
	for (i = 0; i < nrows; i++) {
		row = &t->rows[t->nrows++];
		row->values = xcalloc(t->ncolumns, sizeof *row->values);
		for (j = 0; j < t->ncolumns; j++) {
			if (!PQgetisnull(res, i, index[j]))
				row->values[j] = xstrdup(PQgetvalue(res, i, index[j]));
		}
		row->total = total >= 0 && !PQgetisnull(res, i, total) &&
		    strcmp(PQgetvalue(res, i, total), "t") == 0;
	}
	free(index);
}

/* A report is empty when none of its tables has a row other than totals. */
bool
report_is_empty(const struct report *r)
{
	size_t i, j;

	for (i = 0; i < r->ntables; i++) {
		for (j = 0; j < r->tables[i]->nrows; j++) {
			if (!r->tables[i]->rows[j].total)
				return false;
		}
	}
	return true;
}

int
table_bar_column(const struct report_table *t)
{
	size_t j;

	for (j = 0; j < t->ncolumns; j++) {
		if (t->columns[j].flags & COL_BAR)
			return (int)j;
	}
	return -1;
}

/* The label of a row in a chart: its COL_LABEL values joined with " · ". */
char *
table_row_label(const struct report_table *t, size_t row)
{
	struct strbuf sb;
	size_t j;
	char *v;

	strbuf_init(&sb);
	for (j = 0; j < t->ncolumns; j++) {
		if (!(t->columns[j].flags & COL_LABEL))
			continue;
		if (sb.len > 0)
			strbuf_puts(&sb, " · ");
		v = table_cell_display(t, row, j);
		strbuf_puts(&sb, v);
		free(v);
	}
	return strbuf_detach(&sb);
}

/*
 * A cell as a person reads it: localised and sanitised; the first cell of a
 * totals row, empty in the data, says "Total", and its other empty labels
 * stay blank.
 */
char *
table_cell_display(const struct report_table *t, size_t row, size_t col)
{
	const struct report_row *r = &t->rows[row];

	if (r->total && r->values[col] == NULL)
		return xstrdup(col == 0 ? _("Total") : "");
	return value_display(t->columns[col].type, r->values[col]);
}

const char *
value_type_name(enum value_type type)
{
	switch (type) {
	case VT_TEXT:
		return "text";
	case VT_INT:
		return "integer";
	case VT_NUMBER:
		return "number";
	case VT_RATIO:
		return "ratio";
	case VT_DURATION:
		return "seconds";
	case VT_DATE:
		return "date";
	case VT_CHANGE:
		return "change";
	case VT_MONTH:
		return "date";
	case VT_ID:
		return "integer";
	}
	fatalx("value_type_name: %d", (int)type);
}

/* --table NAME prints only that table; without it every table is printed. */
bool
table_selected(const struct report_options *o, const struct report_table *t)
{
	return o->table == NULL || strcmp(o->table, t->key) == 0;
}
