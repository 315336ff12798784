/*
 * report-contacts.c — the engaged citizens: requesters whose tickets of the
 * period span several services or districts, most varied first. Requesters
 * flagged no_contact are never listed; the report says how many were left
 * out. The SQL is guichet.report_contacts (src/sql/api/73-report-people.sql).
 */
#include "config.h"

#include <stdio.h>

#include "common.h"
#include "db.h"
#include "report.h"

static const char contacts_sql[] =
    "SELECT contact, email, tickets, services, districts, last_date, withheld "
    "FROM guichet.report_contacts($1::date, $2::date, $3::text, $4::text[], "
    "$5::text[], $6::integer, $7::integer)";

static const char withheld_sql[] =
    "SELECT guichet.report_contacts_withheld($1::date, $2::date, $3::text, "
    "$4::text[], $5::text[], $6::integer) AS withheld";

struct report *
report_contacts(struct report_query *q, char **cause)
{
	const struct report_options *o = q->options;
	struct report *r;
	struct report_table *t;
	PGresult *res, *withheld = NULL;
	char min[32], limit[32];
	long long n;

	snprintf(min, sizeof min, "%lld", o->min > 0 ? o->min : 2);
	snprintf(limit, sizeof limit, "%lld", o->limit > 0 ? o->limit : 20);
	report_query_set(q, 6, min);
	report_query_set(q, 7, limit);
	if ((res = report_exec(q, contacts_sql, 7, cause)) == NULL)
		return NULL;
	/* The rows say how many were withheld; without rows, ask. */
	if (PQntuples(res) == 0 && (withheld = report_exec(q, withheld_sql, 6, cause)) == NULL) {
		PQclear(res);
		return NULL;
	}
	r = report_new_main(o, _("Engaged requesters"), &t);
	table_add_column(t, "contact", _("Requester"), VT_TEXT, COL_LABEL);
	table_add_column(t, "email", _("Mail"), VT_TEXT, 0);
	table_add_column(t, "tickets", _("Tickets"), VT_INT, 0);
	table_add_column(t, "services", _("Services"), VT_INT, COL_BAR);
	table_add_column(t, "districts", _("Districts"), VT_INT, 0);
	table_add_column(t, "last_date", _("Last"), VT_DATE, 0);
	table_fill(t, res);
	n = withheld != NULL ? db_int(withheld, 0, "withheld", 0) : db_int(res, 0, "withheld", 0);
	PQclear(res);
	if (withheld != NULL)
		PQclear(withheld);
	report_add_note(r,
	    _("Requesters with tickets about at least %s services "
	      "or in at least %s districts in the period."),
	    min, min);
	if (n > 0)
		report_add_note(r,
		    ngettext("%lld more asked not to be contacted and "
			     "is left out.",
			"%lld more asked not to be contacted and are "
			"left out.",
			(unsigned long)n),
		    n);
	return r;
}
