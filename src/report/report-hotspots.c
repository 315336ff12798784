/*
 * report-hotspots.c — where problems recur: places (districts, or the values
 * of a field) where a service has more tickets than usual in the period, with
 * the previous period of the same length for the trend. The SQL is
 * guichet.report_hotspots (src/sql/api/73-report-people.sql).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common.h"
#include "db.h"
#include "report.h"

static const char hotspots_sql[] =
    "SELECT place, service, tickets, previous, change, ratio "
    "FROM guichet.report_hotspots($1::date, $2::date, $3::text, $4::text[], "
    "$5::text[], $6::text, $7::integer, $8::integer)";

static const char *const dimensions[] = { "district", "field:" };

struct report *
report_hotspots(struct report_query *q, char **cause)
{
	const struct report_options *o = q->options;
	struct report *r;
	struct report_table *t;
	PGresult *res;
	const char *dim;
	char min[32], limit[32];

	if (report_query_dimension(q, dimensions, nitems(dimensions), &dim, cause) == -1)
		return NULL;
	snprintf(min, sizeof min, "%lld", o->min > 0 ? o->min : 3);
	snprintf(limit, sizeof limit, "%lld", o->limit > 0 ? o->limit : 20);
	report_query_set(q, 6, dim);
	report_query_set(q, 7, min);
	report_query_set(q, 8, limit);
	if ((res = report_exec(q, hotspots_sql, 8, cause)) == NULL)
		return NULL;
	r = report_new_main(o, _("Hot spots"), &t);
	table_add_column(t, "place",
	    strcmp(dim, "district") == 0 ? _("District") : dim + strlen("field:"), VT_TEXT,
	    COL_LABEL);
	table_add_column(t, "service", _("Service"), VT_TEXT, COL_LABEL);
	table_add_column(t, "tickets", _("Tickets"), VT_INT, COL_BAR);
	table_add_column(t, "previous", _("Before"), VT_INT, 0);
	table_add_column(t, "change", _("Change"), VT_CHANGE, 0);
	table_add_column(t, "ratio", _("× usual"), VT_NUMBER, 0);
	table_fill(t, res);
	PQclear(res);
	report_add_note(r,
	    _("At least %s tickets of a service in one place, more "
	      "than usual: × usual is the place's count divided by the service's "
	      "tickets per place. Before: the previous period of the same length."),
	    min);
	return r;
}
