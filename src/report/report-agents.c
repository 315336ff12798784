/*
 * report-agents.c — who is overloaded: per agent, in the period, tickets
 * claimed, resolved, replies, notes, escalations, time spent and the median
 * handling time (from her claim to the resolution). The SQL is
 * guichet.report_agents (src/sql/api/73-report-people.sql).
 */
#include "config.h"

#include "common.h"
#include "db.h"
#include "report.h"

static const char agents_sql[] =
    "SELECT agent, claimed, resolved, replies, notes, escalations, time_spent, "
    "handling_median, total "
    "FROM guichet.report_agents($1::date, $2::date, $3::text, $4::text[], "
    "$5::text[])";

struct report *
report_agents(struct report_query *q, char **cause)
{
	const struct report_options *o = q->options;
	struct report *r;
	struct report_table *t;
	PGresult *res;

	if ((res = report_exec(q, agents_sql, 5, cause)) == NULL)
		return NULL;
	r = report_new(o, _("Agents"));
	report_add_common_filters(r, o);
	t = report_add_table(r, "main", NULL);
	table_add_column(t, "agent", _("Agent"), VT_TEXT, COL_LABEL);
	table_add_column(t, "claimed", _("Claimed"), VT_INT, 0);
	table_add_column(t, "resolved", _("Resolved"), VT_INT, COL_BAR);
	table_add_column(t, "replies", _("Replies"), VT_INT, 0);
	table_add_column(t, "notes", _("Notes"), VT_INT, 0);
	table_add_column(t, "escalations", _("Escal."), VT_INT, 0);
	table_add_column(t, "time_spent", _("Time"), VT_DURATION, 0);
	table_add_column(t, "handling_median", _("Handling"), VT_DURATION, 0);
	table_fill(t, res);
	PQclear(res);
	report_add_note(r, "%s",
	    _("Time: minutes recorded on the agent's replies "
	      "and notes. Handling: median time from the agent's claim (or the "
	      "ticket's creation) to her resolution."));
	return r;
}
