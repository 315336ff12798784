/*
 * report-trend.c — the weekly (or daily, monthly) series of created and
 * resolved tickets, for all tickets or per value of one volume dimension, with
 * the change against the previous period; periods without tickets are zeros.
 * The SQL is guichet.report_trend (src/sql/api/70-report.sql).
 */
#include "config.h"

#include <stdlib.h>

#include "common.h"
#include "db.h"
#include "report.h"

static const char trend_sql[] =
    "SELECT period, dim1, created, resolved, change, total "
    "FROM guichet.report_trend($1::date, $2::date, $3::text, $4::text[], "
    "$5::text[], $6::text, $7::text)";

struct report *
report_trend(struct report_query *q, char **cause)
{
	const struct report_options *o = q->options;
	const char *per = o->per != NULL ? o->per : "week";
	struct report *r;
	struct report_table *t;
	PGresult *res;

	if (o->nby > 1) {
		xasprintf(cause, _("--by: trend follows one dimension, not %zu"), o->nby);
		q->exit_code = EX_USAGE;
		return NULL;
	}
	report_query_set(q, 6, o->nby == 1 ? o->by[0] : NULL);
	report_query_set(q, 7, per);
	if ((res = report_exec(q, trend_sql, 7, cause)) == NULL)
		return NULL;
	r = report_new_main(o, _("Trend"), &t);
	t->series = o->nby == 0;
	if (o->nby == 1)
		volume_add_dimension_columns(t, o->by, 1);
	volume_add_period_column(t, per);
	table_add_column(t, "created", _("Created"), VT_INT, COL_BAR);
	table_add_column(t, "resolved", _("Resolved"), VT_INT, 0);
	table_add_column(t, "change", _("Change"), VT_CHANGE, 0);
	table_fill(t, res);
	PQclear(res);
	report_add_note(r, "%s",
	    _("Change: created tickets against the previous "
	      "period (none when that had no ticket)."));
	return r;
}
