/*
 * report-backlog.c — what is piling up: the open tickets (new, open, pending)
 * now, or at the end of an earlier day rebuilt from history (--at), per queue
 * by age (under a day, 1–3 days, 3–7 days, 1–4 weeks, older), and the ten
 * oldest. The SQL is in src/sql/api/71-report-backlog.sql.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "db.h"
#include "report.h"

static const char backlog_sql[] =
    "SELECT queue, age_1d, age_3d, age_7d, age_4w, age_older, open, total "
    "FROM guichet.report_backlog($1::date, $2::text, $3::text[], $4::text[])";

static const char oldest_sql[] =
    "SELECT id, queue, status, priority, owner, age, subject "
    "FROM guichet.report_backlog_oldest($1::date, $2::text, $3::text[], "
    "$4::text[], $5::integer)";

static void
add_buckets(struct report *r, const PGresult *res)
{
	struct report_table *t;

	t = report_add_table(r, "main", NULL);
	table_add_column(t, "queue", _("Queue"), VT_TEXT, COL_LABEL);
	table_add_column(t, "age_1d", _("<1 d"), VT_INT, 0);
	table_add_column(t, "age_3d", _("1–3 d"), VT_INT, 0);
	table_add_column(t, "age_7d", _("3–7 d"), VT_INT, 0);
	table_add_column(t, "age_4w", _("1–4 w"), VT_INT, 0);
	table_add_column(t, "age_older", _(">4 w"), VT_INT, 0);
	table_add_column(t, "open", _("Open"), VT_INT, COL_BAR);
	table_fill(t, res);
}

static void
add_oldest(struct report *r, const PGresult *res, long long limit)
{
	struct report_table *t;
	char *title;

	xasprintf(&title, _("The %lld oldest"), limit);
	t = report_add_table(r, "oldest", title);
	free(title);
	table_add_column(t, "id", _("Ticket"), VT_ID, 0);
	table_add_column(t, "queue", _("Queue"), VT_TEXT, 0);
	table_add_column(t, "status", _("Status"), VT_TEXT, 0);
	table_add_column(t, "priority", _("Prio"), VT_INT, 0);
	table_add_column(t, "age", _("Age"), VT_DURATION, 0);
	table_add_column(t, "owner", _("Owner"), VT_TEXT, 0);
	table_add_column(t, "subject", _("Subject"), VT_TEXT, 0);
	table_fill(t, res);
}

struct report *
report_backlog(struct report_query *q, char **cause)
{
	const struct report_options *o = q->options;
	struct report *r;
	PGresult *buckets, *oldest;
	const char *params[5], *at;
	char limit[32];
	long long n = o->limit > 0 ? o->limit : 10;

	snprintf(limit, sizeof limit, "%lld", n);
	/* A report of a period that --to ends is a state at its end, not
	 * now: run again later it gives the same figures. */
	at = o->at[0] != '\0' ? o->at : o->to_given ? o->to : NULL;
	params[0] = at;
	params[1] = q->params[2];
	params[2] = q->params[3];
	params[3] = q->params[4];
	params[4] = limit;
	if ((buckets = report_exec_params(q, backlog_sql, 4, params, cause)) == NULL)
		return NULL;
	if ((oldest = report_exec_params(q, oldest_sql, 5, params, cause)) == NULL) {
		PQclear(buckets);
		return NULL;
	}
	r = report_new(o, _("Backlog"));
	r->snapshot = true;
	if (at != NULL)
		r->at = xstrdup(at);
	report_add_common_filters(r, o);
	add_buckets(r, buckets);
	add_oldest(r, oldest, n);
	PQclear(buckets);
	PQclear(oldest);
	report_add_note(r, "%s",
	    _("Open: new, open or pending. Age: since the "
	      "ticket was created. With --at (or --to), the state at the end of "
	      "that day, rebuilt from history."));
	return r;
}
