/*
 * report-sla.c — are we within our SLAs: per queue or service, the clock until
 * the first response and until resolution (median, 90th and 95th percentile;
 * business hours when the policy has them; pending time excluded), breaches
 * of the due times, and which tier used the clock: the average time the
 * resolved tickets spent at level 1 and at level 2. One statement, three
 * tables. The SQL is in src/sql/api/72-report-sla.sql.
 */
#include "config.h"

#include <stdlib.h>

#include "common.h"
#include "db.h"
#include "report.h"

static const char sla_sql[] =
    "SELECT grp, tickets, answered, fr_median, fr_p90, fr_p95, fr_breaches, "
    "fr_breach_rate, resolved, res_median, res_p90, res_p95, res_breaches, "
    "res_breach_rate, escalated, level1_avg, level2_avg, level2_share, total "
    "FROM guichet.report_sla($1::date, $2::date, $3::text, $4::text[], "
    "$5::text[], $6::text)";

static const char *const dimensions[] = { "queue", "service" };

static struct report_table *
group_table(struct report *r, const char *key, const char *title, const char *dim)
{
	struct report_table *t;

	t = report_add_table(r, key, title);
	table_add_column_as(
	    t, dim, "grp", dim[0] == 's' ? _("Service") : _("Queue"), VT_TEXT, COL_LABEL);
	return t;
}

static void
add_tables(struct report *r, const PGresult *res, const char *dim)
{
	struct report_table *t;

	t = group_table(r, "response", _("First response"), dim);
	table_add_column(t, "tickets", _("Tickets"), VT_INT, 0);
	table_add_column(t, "answered", _("Answered"), VT_INT, 0);
	table_add_column(t, "fr_median", _("Median"), VT_DURATION, COL_BAR);
	table_add_column(t, "fr_p90", _("90 %"), VT_DURATION, 0);
	table_add_column(t, "fr_p95", _("95 %"), VT_DURATION, 0);
	table_add_column(t, "fr_breaches", _("Breaches"), VT_INT, 0);
	table_add_column(t, "fr_breach_rate", _("Rate"), VT_RATIO, 0);
	table_fill(t, res);

	t = group_table(r, "resolution", _("Resolution"), dim);
	table_add_column(t, "resolved", _("Resolved"), VT_INT, 0);
	table_add_column(t, "res_median", _("Median"), VT_DURATION, COL_BAR);
	table_add_column(t, "res_p90", _("90 %"), VT_DURATION, 0);
	table_add_column(t, "res_p95", _("95 %"), VT_DURATION, 0);
	table_add_column(t, "res_breaches", _("Breaches"), VT_INT, 0);
	table_add_column(t, "res_breach_rate", _("Rate"), VT_RATIO, 0);
	table_fill(t, res);

	t = group_table(r, "tiers", _("Clock used by tier"), dim);
	table_add_column(t, "resolved", _("Resolved"), VT_INT, 0);
	table_add_column(t, "escalated", _("Escalated"), VT_INT, 0);
	table_add_column(t, "level1_avg", _("Level 1"), VT_DURATION, 0);
	table_add_column(t, "level2_avg", _("Level 2"), VT_DURATION, 0);
	table_add_column(t, "level2_share", _("L2 share"), VT_RATIO, COL_BAR);
	table_fill(t, res);
}

struct report *
report_sla(struct report_query *q, char **cause)
{
	const struct report_options *o = q->options;
	struct report *r;
	PGresult *res;
	const char *dim;

	if (report_query_dimension(q, dimensions, nitems(dimensions), &dim, cause) == -1)
		return NULL;
	report_query_set(q, 6, dim);
	if ((res = report_exec(q, sla_sql, 6, cause)) == NULL)
		return NULL;
	r = report_new(o, _("Service levels"));
	report_add_common_filters(r, o);
	add_tables(r, res, dim);
	PQclear(res);
	report_add_note(r, "%s",
	    _("Tickets created in the period. Times are the "
	      "SLA clock: business hours when the policy has them, time pending on "
	      "the requester excluded."));
	report_add_note(r, "%s",
	    _("A breach is a response or resolution later "
	      "than its due time, or still missing after it."));
	report_add_note(r, "%s",
	    _("Level 1 and Level 2: the average clock the "
	      "resolved tickets used at each level."));
	return r;
}
