/*
 * report-escalations.c — the level-1 → level-2 flow: escalations made in the
 * period per source queue (or service) and target queue, how long tickets
 * waited before being escalated, how long level 2 took to resolve them, and
 * how many came back to level 1. The SQL is guichet.report_escalations
 * (src/sql/api/73-report-people.sql).
 */
#include "config.h"

#include "common.h"
#include "db.h"
#include "report.h"

static const char escalations_sql[] =
    "SELECT source, target, escalations, to_escalate, to_resolve, returned, "
    "return_rate, total "
    "FROM guichet.report_escalations($1::date, $2::date, $3::text, $4::text[], "
    "$5::text[], $6::text)";

static const char *const dimensions[] = { "queue", "service" };

struct report *
report_escalations(struct report_query *q, char **cause)
{
	const struct report_options *o = q->options;
	struct report *r;
	struct report_table *t;
	PGresult *res;
	const char *dim;

	if (report_query_dimension(q, dimensions, nitems(dimensions), &dim, cause) == -1)
		return NULL;
	report_query_set(q, 6, dim);
	if ((res = report_exec(q, escalations_sql, 6, cause)) == NULL)
		return NULL;
	r = report_new(o, _("Escalations"));
	report_add_common_filters(r, o);
	t = report_add_table(r, "main", NULL);
	table_add_column(
	    t, "source", dim[0] == 's' ? _("Service") : _("From queue"), VT_TEXT, COL_LABEL);
	table_add_column(t, "target", _("To queue"), VT_TEXT, COL_LABEL);
	table_add_column(t, "escalations", _("Escalated"), VT_INT, COL_BAR);
	table_add_column(t, "to_escalate", _("Before"), VT_DURATION, 0);
	table_add_column(t, "to_resolve", _("L2 to solve"), VT_DURATION, 0);
	table_add_column(t, "returned", _("Back"), VT_INT, 0);
	table_add_column(t, "return_rate", _("Back %"), VT_RATIO, 0);
	table_fill(t, res);
	PQclear(res);
	report_add_note(r, "%s",
	    _("Before: median time from creation to "
	      "escalation. L2 to solve: median time from escalation to resolution. "
	      "Back: returned to level 1 afterwards."));
	return r;
}
