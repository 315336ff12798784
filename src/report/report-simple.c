/*
 * report-simple.c — the reports that are one SQL function shown as one table:
 * agents, escalations and quality. Each is a row of simple_reports[] (its
 * title, its statement, whether it takes --by queue|service as $6, its columns
 * and its note, and at most one detail table: the escalations' returns to
 * level 1 with their reasons); report_simple() runs the row named by the
 * command line. A report with more to do (its own options) keeps its own file.
 */
#include "config.h"

#include <string.h>

#include "common.h"
#include "db.h"
#include "report.h"

struct simple_column {
	const char *key;	   /* the result's column, and the model's key */
	const char *label;	   /* N_() */
	const char *label_service; /* N_(): the label under --by service (a label column) */
	enum value_type type;
	int flags;
	bool key_is_dimension; /* the model's key is the dimension's name ("queue") */
};

/* A second table: its rows come from a statement of the five common parameters. */
struct simple_detail {
	const char *key;   /* for --table, csv and json */
	const char *title; /* N_() */
	const char *sql;
	struct simple_column columns[8];
};

struct simple_report {
	const char *name;
	const char *title; /* N_() */
	const char *sql;
	bool by_dimension; /* $6: queue (the default) or service */
	const char *note;  /* N_() */
	struct simple_column columns[10];
	struct simple_detail detail; /* .key NULL: none */
};

/* The common parameters: $1 from, $2 to, $3 organisation, $4 queues, $5 services. */
#define COMMON_ARGS "$1::date, $2::date, $3::text, $4::text[], $5::text[]"

static const struct simple_report simple_reports[] = {
	{
	    /* Who is overloaded (src/sql/api/73-report-people.sql). */
	    .name = "agents",
	    .title = N_("Agents"),
	    .sql = "SELECT agent, claimed, resolved, replies, notes, escalations, time_spent, "
		   "handling_median, total FROM guichet.report_agents(" COMMON_ARGS ")",
	    .note = N_("Time: minutes recorded on the agent's replies "
		       "and notes. Handling: median time from the agent's claim (or the "
		       "ticket's creation) to her resolution."),
	    .columns = {
		{ "agent", N_("Agent"), NULL, VT_TEXT, COL_LABEL },
		{ "claimed", N_("Claimed"), NULL, VT_INT, 0 },
		{ "resolved", N_("Resolved"), NULL, VT_INT, COL_BAR },
		{ "replies", N_("Replies"), NULL, VT_INT, 0 },
		{ "notes", N_("Notes"), NULL, VT_INT, 0 },
		{ "escalations", N_("Escal."), NULL, VT_INT, 0 },
		{ "time_spent", N_("Time"), NULL, VT_DURATION, 0 },
		{ "handling_median", N_("Handling"), NULL, VT_DURATION, 0 },
	    },
	},
	{
	    /* The level-1 → level-2 flow (src/sql/api/73-report-people.sql). */
	    .name = "escalations",
	    .title = N_("Escalations"),
	    .sql = "SELECT source, target, escalations, to_escalate, to_resolve, returned, "
		   "return_rate, total FROM guichet.report_escalations(" COMMON_ARGS
		   ", $6::text)",
	    .by_dimension = true,
	    .note = N_("Before: median time from creation to "
		       "escalation. L2 to solve: median time from escalation to resolution. "
		       "Back: returned to level 1 afterwards. Returns to level 1: each one "
		       "made in the period, with the reason level 2 gave."),
	    .columns = {
		{ "source", N_("From queue"), N_("Service"), VT_TEXT, COL_LABEL },
		{ "target", N_("To queue"), NULL, VT_TEXT, COL_LABEL },
		{ "escalations", N_("Escalated"), NULL, VT_INT, COL_BAR },
		{ "to_escalate", N_("Before"), NULL, VT_DURATION, 0 },
		{ "to_resolve", N_("L2 to solve"), NULL, VT_DURATION, 0 },
		{ "returned", N_("Back"), NULL, VT_INT, 0 },
		{ "return_rate", N_("Back %"), NULL, VT_RATIO, 0 },
	    },
	    .detail = {
		.key = "returns",
		.title = N_("Returns to level 1"),
		.sql = "SELECT ticket, returned_at::date AS day, from_queue, to_queue, agent, "
		       "reason FROM guichet.report_escalation_returns(" COMMON_ARGS ")",
		.columns = {
		    { "ticket", N_("Ticket"), NULL, VT_ID, 0 },
		    { "day", N_("Date"), NULL, VT_DATE, 0 },
		    { "from_queue", N_("From queue"), NULL, VT_TEXT, 0 },
		    { "to_queue", N_("To queue"), NULL, VT_TEXT, 0 },
		    { "agent", N_("By"), NULL, VT_TEXT, 0 },
		    { "reason", N_("Reason"), NULL, VT_TEXT, COL_WRAP },
		},
	    },
	},
	{
	    /* Reopens, first-contact resolution, assisted replies (src/sql/api/72-report-sla.sql). */
	    .name = "quality",
	    .title = N_("Quality"),
	    .sql = "SELECT grp, resolved, reopened, reopen_rate, fcr, fcr_rate, answered, "
		   "assisted, assisted_rate, total FROM guichet.report_quality(" COMMON_ARGS
		   ", $6::text)",
	    .by_dimension = true,
	    .note = N_("Tickets resolved in the period. FCR: "
		       "first-contact resolution, resolved at level 1 with a single reply and "
		       "never reopened. Tmpl/KB: answered tickets with a reply started from a "
		       "template or a knowledge-base article."),
	    .columns = {
		{ "grp", N_("Queue"), N_("Service"), VT_TEXT, COL_LABEL, true },
		{ "resolved", N_("Resolved"), NULL, VT_INT, 0 },
		{ "reopened", N_("Reopened"), NULL, VT_INT, 0 },
		{ "reopen_rate", N_("Reopen %"), NULL, VT_RATIO, 0 },
		{ "fcr", N_("FCR"), NULL, VT_INT, 0 },
		{ "fcr_rate", N_("FCR %"), NULL, VT_RATIO, COL_BAR },
		{ "answered", N_("Answered"), NULL, VT_INT, 0 },
		{ "assisted", N_("Tmpl/KB"), NULL, VT_INT, 0 },
		{ "assisted_rate", N_("Tmpl/KB %"), NULL, VT_RATIO, 0 },
	    },
	},
};

static const char *const dimensions[] = { "queue", "service" };

static const struct simple_report *
simple_find(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(simple_reports); i++)
		if (strcmp(simple_reports[i].name, name) == 0)
			return &simple_reports[i];
	fatalx("report_simple: no row for report %s", name);
}

static void
add_columns(struct report_table *t, const struct simple_column *columns, size_t n, const char *dim)
{
	const struct simple_column *c;
	bool by_service = dim != NULL && strcmp(dim, "service") == 0;
	const char *label;

	for (c = columns; c < columns + n && c->key != NULL; c++) {
		label = by_service && c->label_service != NULL ? c->label_service : c->label;
		table_add_column_as(
		    t, c->key_is_dimension ? dim : c->key, c->key, _(label), c->type, c->flags);
	}
}

struct report *
report_simple(struct report_query *q, char **cause)
{
	const struct report_options *o = q->options;
	const struct simple_report *def = simple_find(o->name);
	const char *dim = NULL;
	struct report *r;
	struct report_table *t;
	PGresult *res, *detail = NULL;

	if (def->by_dimension) {
		if (report_query_dimension(q, dimensions, nitems(dimensions), &dim, cause) == -1)
			return NULL;
		report_query_set(q, 6, dim);
	}
	if ((res = report_exec(q, def->sql, def->by_dimension ? 6 : 5, cause)) == NULL)
		return NULL;
	if (def->detail.key != NULL &&
	    (detail = report_exec(q, def->detail.sql, 5, cause)) == NULL) {
		PQclear(res);
		return NULL;
	}
	r = report_new_main(o, _(def->title), &t);
	add_columns(t, def->columns, nitems(def->columns), dim);
	table_fill(t, res);
	PQclear(res);
	if (detail != NULL) {
		t = report_add_table(r, def->detail.key, _(def->detail.title));
		add_columns(t, def->detail.columns, nitems(def->detail.columns), NULL);
		table_fill(t, detail);
		PQclear(detail);
	}
	report_add_note(r, "%s", _(def->note));
	return r;
}
