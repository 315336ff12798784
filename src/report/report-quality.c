/*
 * report-quality.c — per queue or service, of the tickets resolved in the
 * period: the reopen rate, first-contact resolution (resolved at level 1 with
 * a single reply and never reopened), and the share of answered tickets that
 * had a reply started from a template or a knowledge-base article. The SQL is
 * guichet.report_quality (src/sql/api/72-report-sla.sql).
 */
#include "config.h"

#include "common.h"
#include "db.h"
#include "report.h"

static const char quality_sql[] =
    "SELECT grp, resolved, reopened, reopen_rate, fcr, fcr_rate, answered, "
    "assisted, assisted_rate, total "
    "FROM guichet.report_quality($1::date, $2::date, $3::text, $4::text[], "
    "$5::text[], $6::text)";

static const char *const dimensions[] = { "queue", "service" };

struct report *
report_quality(struct report_query *q, char **cause)
{
	const struct report_options *o = q->options;
	struct report *r;
	struct report_table *t;
	PGresult *res;
	const char *dim;

	if (report_query_dimension(q, dimensions, nitems(dimensions), &dim, cause) == -1)
		return NULL;
	report_query_set(q, 6, dim);
	if ((res = report_exec(q, quality_sql, 6, cause)) == NULL)
		return NULL;
	r = report_new(o, _("Quality"));
	report_add_common_filters(r, o);
	t = report_add_table(r, "main", NULL);
	table_add_column_as(
	    t, dim, "grp", dim[0] == 's' ? _("Service") : _("Queue"), VT_TEXT, COL_LABEL);
	table_add_column(t, "resolved", _("Resolved"), VT_INT, 0);
	table_add_column(t, "reopened", _("Reopened"), VT_INT, 0);
	table_add_column(t, "reopen_rate", _("Reopen %"), VT_RATIO, 0);
	table_add_column(t, "fcr", _("FCR"), VT_INT, 0);
	table_add_column(t, "fcr_rate", _("FCR %"), VT_RATIO, COL_BAR);
	table_add_column(t, "answered", _("Answered"), VT_INT, 0);
	table_add_column(t, "assisted", _("Tmpl/KB"), VT_INT, 0);
	table_add_column(t, "assisted_rate", _("Tmpl/KB %"), VT_RATIO, 0);
	table_fill(t, res);
	PQclear(res);
	report_add_note(r, "%s",
	    _("Tickets resolved in the period. FCR: "
	      "first-contact resolution, resolved at level 1 with a single reply and "
	      "never reopened. Tmpl/KB: answered tickets with a reply started from a "
	      "template or a knowledge-base article."));
	return r;
}
