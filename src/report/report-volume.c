/*
 * report-volume.c — how many tickets came in and how many were resolved in the
 * period, by up to three dimensions (queue, service, district, channel,
 * status, priority, field:NAME) and optionally per day, week or month, with
 * each row's share of its period and the total. The SQL is
 * guichet.report_volume (src/sql/api/70-report.sql).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "db.h"
#include "report.h"

static const char volume_sql[] =
    "SELECT period, dim1, dim2, dim3, created, resolved, share, total "
    "FROM guichet.report_volume($1::date, $2::date, $3::text, $4::text[], "
    "$5::text[], $6::text[], $7::text)";

static const char *const default_by[] = { "queue" };

/* The heading of a dimension: its name, or the field's name for field:NAME. */
static const char *
dimension_label(const char *dim)
{
	static const struct {
		const char *dim;
		const char *label; /* N_() */
	} labels[] = {
		{ "queue", N_("Queue") },
		{ "service", N_("Service") },
		{ "district", N_("District") },
		{ "channel", N_("Channel") },
		{ "status", N_("Status") },
		{ "priority", N_("Priority") },
	};
	size_t i;

	for (i = 0; i < nitems(labels); i++)
		if (strcmp(dim, labels[i].dim) == 0)
			return _(labels[i].label);
	return dim + strlen("field:"); /* field:NAME: the field's name */
}

/* csv/json keys: "queue", or "field_quartier" for field:quartier. */
static char *
dimension_key(const char *dim)
{
	char *key;

	if (strncmp(dim, "field:", 6) == 0)
		xasprintf(&key, "field_%s", dim + 6);
	else
		key = xstrdup(dim);
	return key;
}

void
volume_add_period_column(struct report_table *t, const char *per)
{
	if (per == NULL)
		return;
	if (strcmp(per, "day") == 0)
		table_add_column(t, "period", _("Day"), VT_DATE, COL_LABEL);
	else if (strcmp(per, "week") == 0)
		table_add_column(t, "period", _("Week of"), VT_DATE, COL_LABEL);
	else
		table_add_column(t, "period", _("Month"), VT_MONTH, COL_LABEL);
}

void
volume_add_dimension_columns(struct report_table *t, const char *const *by, size_t nby)
{
	static const char *const sources[] = { "dim1", "dim2", "dim3" };
	size_t i;
	char *key;

	for (i = 0; i < nby && i < nitems(sources); i++) {
		key = dimension_key(by[i]);
		table_add_column_as(t, key, sources[i], dimension_label(by[i]), VT_TEXT, COL_LABEL);
		free(key);
	}
}

struct report *
report_volume(struct report_query *q, char **cause)
{
	const struct report_options *o = q->options;
	const char *const *by = o->nby > 0 ? o->by : default_by;
	size_t nby = o->nby > 0 ? o->nby : 1;
	struct report *r;
	struct report_table *t;
	PGresult *res;
	char *array;

	array = sql_text_array((const char **)by, nby);
	report_query_set(q, 6, array);
	free(array);
	report_query_set(q, 7, o->per);
	if ((res = report_exec(q, volume_sql, 7, cause)) == NULL)
		return NULL;
	r = report_new_main(o, _("Ticket volume"), &t);
	volume_add_period_column(t, o->per);
	volume_add_dimension_columns(t, by, nby);
	table_add_column(t, "created", _("Created"), VT_INT, COL_BAR);
	table_add_column(t, "share", _("Share"), VT_RATIO, 0);
	table_add_column(t, "resolved", _("Resolved"), VT_INT, 0);
	table_fill(t, res);
	PQclear(res);
	report_add_note(r, "%s",
	    _("Created: tickets opened in the period. Resolved: "
	      "tickets resolved in the period, whenever they were opened. Share: part "
	      "of the tickets created in the same period."));
	return r;
}
