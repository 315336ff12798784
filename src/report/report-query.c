/*
 * report-query.c — what every report shares on the SQL side: the common
 * parameters ($1 from, $2 to, $3 organisation, $4 queues, $5 services), the
 * check that the named filters exist (for this role: RLS hides the others, so a
 * supervisor cannot probe another organisation's codes), and the result gate.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "db.h"
#include "report.h"

/* A text[] literal for a parameter: every element quoted and escaped. */
char *
sql_text_array(const char **items, size_t n)
{
	struct strbuf sb;
	const char *p;
	size_t i;

	strbuf_init(&sb);
	strbuf_addch(&sb, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_addch(&sb, ',');
		strbuf_addch(&sb, '"');
		for (p = items[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				strbuf_addch(&sb, '\\');
			strbuf_addch(&sb, *p);
		}
		strbuf_addch(&sb, '"');
	}
	strbuf_addch(&sb, '}');
	return strbuf_detach(&sb);
}

void
report_query_init(struct report_query *q, PGconn *conn, const struct report_options *o)
{
	memset(q, 0, sizeof *q);
	q->conn = conn;
	q->options = o;
	q->params[0] = o->from;
	q->params[1] = o->to;
	q->params[2] = o->org;
	q->owned[3] = sql_text_array(o->queues, o->nqueues);
	q->params[3] = q->owned[3];
	q->owned[4] = sql_text_array(o->services, o->nservices);
	q->params[4] = q->owned[4];
}

/* Extra parameters from $6 on; the string is copied. */
void
report_query_set(struct report_query *q, int n, const char *value)
{
	if (n < 6 || n > (int)nitems(q->params))
		fatalx("report_query_set: $%d", n);
	free(q->owned[n - 1]);
	q->owned[n - 1] = value != NULL ? xstrdup(value) : NULL;
	q->params[n - 1] = q->owned[n - 1];
}

void
report_query_free(struct report_query *q)
{
	size_t i;

	for (i = 0; i < nitems(q->owned); i++)
		free(q->owned[i]);
}

/*
 * Run one of the report's statements with the first nparams parameters. On
 * error the exit status is chosen from the SQLSTATE: a lost connection is
 * EX_UNAVAILABLE, a refused right EX_NOPERM, anything else EX_SOFTWARE.
 */
PGresult *
report_exec(struct report_query *q, const char *sql, int nparams, char **cause)
{
	return report_exec_params(q, sql, nparams, q->params, cause);
}

/* The same with parameters of its own (PostgreSQL wants every $n used). */
PGresult *
report_exec_params(
    struct report_query *q, const char *sql, int nparams, const char *const *params, char **cause)
{
	PGresult *res;
	char state[6] = "";

	res = db_exec(q->conn, sql, nparams, params, cause, state);
	if (res != NULL)
		return res;
	if (db_connection_lost(q->conn, state))
		q->exit_code = EX_UNAVAILABLE;
	else if (strcmp(state, "42501") == 0 || strcmp(state, GU_DENIED) == 0)
		q->exit_code = EX_NOPERM;
	else if (strcmp(state, GU_INVALID) == 0 || strcmp(state, GU_NOTFOUND) == 0)
		q->exit_code = EX_USAGE;
	else
		q->exit_code = EX_SOFTWARE;
	return NULL;
}

static const char check_sql[] =
    "SELECT problem FROM guichet.report_check_filters($1::text, $2::text[], "
    "$3::text[])";

/*
 * The organisation, queues and services named must exist and be visible;
 * returns 0, or -1 with the one-line sentence naming the argument.
 */
int
report_query_check_filters(struct report_query *q, char **cause)
{
	const char *params[3];
	PGresult *res;
	const char *problem;
	char state[6] = "";
	bool bad;

	params[0] = q->params[2];
	params[1] = q->params[3];
	params[2] = q->params[4];
	res = db_exec(q->conn, check_sql, 3, params, cause, state);
	if (res == NULL) {
		q->exit_code = strcmp(state, "42501") == 0 ? EX_NOPERM : EX_SOFTWARE;
		return -1;
	}
	problem = PQntuples(res) > 0 ? db_value(res, 0, "problem") : NULL;
	if (problem != NULL) {
		if (strncmp(problem, "org:", 4) == 0)
			xasprintf(cause, _("--org: no organisation '%s'"), problem + 4);
		else if (strncmp(problem, "queue:", 6) == 0)
			xasprintf(cause, _("--queue: no queue '%s'"), problem + 6);
		else
			xasprintf(cause, _("--service: no service '%s'"), problem + 8);
		q->exit_code = EX_USAGE;
	}
	bad = problem != NULL;
	PQclear(res);
	return bad ? -1 : 0;
}

static void
add_list_filter(struct report *r, const char *key, const char *label, const char **items, size_t n)
{
	struct strbuf sb;
	size_t i;

	if (n == 0)
		return;
	strbuf_init(&sb);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_puts(&sb, ", ");
		strbuf_puts(&sb, items[i]);
	}
	report_add_filter(r, key, label, sb.buf);
	strbuf_free(&sb);
}

/* The filters every report names in its header. */
/* A new report with the common filters and its one table, "main", in *main. */
struct report *
report_new_main(const struct report_options *o, const char *title, struct report_table **main)
{
	struct report *r = report_new(o, title);

	report_add_common_filters(r, o);
	*main = report_add_table(r, "main", NULL);
	return r;
}

void
report_add_common_filters(struct report *r, const struct report_options *o)
{
	if (o->org != NULL)
		report_add_filter(r, "org", _("organisation"), o->org);
	add_list_filter(r, "queue", _("queue"), o->queues, o->nqueues);
	add_list_filter(r, "service", _("service"), o->services, o->nservices);
}

/*
 * The one dimension a report groups by: the --by given, which must be one of
 * allowed (a name, or "field:" for any field), else allowed[0]. Returns 0, or
 * -1 with *cause naming the argument.
 */
int
report_query_dimension(
    struct report_query *q, const char *const *allowed, size_t n, const char **dim, char **cause)
{
	const struct report_options *o = q->options;
	size_t i;

	*dim = allowed[0];
	if (o->nby == 0)
		return 0;
	if (o->nby > 1) {
		xasprintf(
		    cause, _("--by: report %s groups by one dimension, not %zu"), o->name, o->nby);
		q->exit_code = EX_USAGE;
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(o->by[0], allowed[i]) == 0 ||
		    (strcmp(allowed[i], "field:") == 0 && strncmp(o->by[0], "field:", 6) == 0)) {
			*dim = o->by[0];
			return 0;
		}
	}
	xasprintf(cause, _("--by: report %s cannot group by '%s'"), o->name, o->by[0]);
	q->exit_code = EX_USAGE;
	return -1;
}
