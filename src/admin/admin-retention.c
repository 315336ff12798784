/*
 * admin-retention.c — how long each organisation keeps personal data once a
 * ticket is resolved or closed (retention set/show), and the run that
 * anonymises what is past it (retention run, from cron). The work is the
 * server's (api/38-retention.sql): statistics stay, the audit chain stays
 * verifiable.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "admin.h"

struct retention_opts {
	const char *org;
	const char *closed_after;
	const char *format;
};

static void
retention_option(int ch, const char *arg, void *ctx)
{
	struct retention_opts *o = ctx;

	switch (ch) {
	case 'o':
		o->org = arg;
		break;
	case 'c':
		o->closed_after = arg;
		break;
	case 'f':
		admin_parse_format(arg);
		o->format = arg;
		break;
	}
}

/*
 * "3y", "18mon", "2y 6mon", "400d" or anything PostgreSQL reads as an
 * interval; "none": no limit (NULL).
 */
static char *
retention_period(const char *s)
{
	size_t n = strspn(s, "0123456789");
	char *years;

	if (strcmp(s, "none") == 0)
		return NULL;
	if (n > 0 && strcmp(s + n, "y") == 0) {
		xasprintf(&years, "%.*s years", (int)n, s);
		return years;
	}
	return admin_parse_interval("--closed-after", s);
}

int
cmd_retention_set(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ "closed-after", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct retention_opts o = { 0 };
	struct admin_args args;
	const char *params[2];
	char *period;
	PGresult *res;

	admin_parse("retention", "set", argc, argv, opts, retention_option, &o, 0, 0, &args);
	if (o.org == NULL || o.closed_after == NULL)
		admin_usage_of("retention", "set");
	period = retention_period(o.closed_after);
	params[0] = o.org;
	params[1] = period;
	res = admin_exec(a,
	    "UPDATE guichet.organisation SET retention_closed = $2::interval "
	    "WHERE code = $1 RETURNING code",
	    2, params);
	if (PQntuples(res) == 0)
		die(EX_DATAERR, _("no organisation \"%s\""), o.org);
	PQclear(res);
	free(period);
	return EX_OK;
}

int
cmd_retention_show(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct retention_opts o = { 0 };
	struct admin_args args;
	PGresult *res;

	admin_parse("retention", "show", argc, argv, opts, retention_option, &o, 0, 0, &args);
	if (o.org != NULL)
		free(admin_lookup(a, KIND_ORG, o.org));
	/* What a run would anonymise now, counted with the run's own rule. */
	res = admin_exec(a,
	    "SELECT g.code AS org, coalesce(g.retention_closed::text, 'none') AS closed_after, "
	    "(SELECT count(*) FROM guichet.ticket t WHERE t.organisation_id = g.id "
	    "AND t.anonymised_at IS NULL AND t.status IN ('resolved', 'closed', 'merged') "
	    "AND coalesce(t.closed_at, t.resolved_at, t.updated_at) "
	    "< now() - g.retention_closed) AS due "
	    "FROM guichet.organisation g WHERE $1::text IS NULL OR g.code = $1 ORDER BY g.code",
	    1, &o.org);
	admin_print_result(res, admin_parse_format(o.format != NULL ? o.format : "text"));
	PQclear(res);
	return EX_OK;
}

/* Quiet on success (cron); -v says what each organisation let go. */
int
cmd_retention_run(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	PGresult *res;
	int i;

	admin_parse("retention", "run", argc, argv, NULL, NULL, NULL, 0, 0, &args);
	res = admin_exec(a,
	    "SELECT org, period::text AS period, tickets, contacts "
	    "FROM guichet.retention_run()",
	    0, NULL);
	for (i = 0; i < PQntuples(res); i++)
		log_info("%s: %s tickets and %s contacts anonymised (closed more than %s ago)",
		    db_value(res, i, "org"), db_value(res, i, "tickets"),
		    db_value(res, i, "contacts"), db_value(res, i, "period"));
	PQclear(res);
	return EX_OK;
}
