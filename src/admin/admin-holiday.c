/*
 * admin-holiday.c — public holidays: days that do not count in business hours
 * (api/40-sla.sql), for every organisation or for one (--org). A holiday added
 * or removed changes the due times computed from then on; those already set
 * stay as they were.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "admin.h"

struct holiday_opts {
	const char *org;
	const char *year;
	const char *format;
};

static void
holiday_option(int ch, const char *arg, void *ctx)
{
	struct holiday_opts *o = ctx;

	switch (ch) {
	case 'o':
		o->org = arg;
		break;
	case 'y':
		admin_parse_number("--year", arg, 1900, 9999);
		o->year = arg;
		break;
	case 'f':
		admin_parse_format(arg);
		o->format = arg;
		break;
	}
}

/* A day as YYYY-MM-DD; the server says whether it exists (2026-02-30 does not). */
static void
holiday_check_day(const char *s)
{
	if (strlen(s) != 10 || strspn(s, "0123456789-") != 10 || s[4] != '-' || s[7] != '-')
		die(EX_DATAERR, _("invalid day \"%s\": YYYY-MM-DD"), s);
}

int
cmd_holiday_add(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct holiday_opts o = { 0 };
	struct admin_args args;
	const char *params[3];
	char *org = NULL;
	PGresult *res;

	admin_parse("holiday", "add", argc, argv, opts, holiday_option, &o, 2, 2, &args);
	holiday_check_day(args.argv[0]);
	admin_reject_control(_("name"), args.argv[1]);
	if (*args.argv[1] == '\0')
		die(EX_DATAERR, _("the name must not be empty"));
	admin_begin(a);
	if (o.org != NULL)
		org = admin_lookup(a, KIND_ORG, o.org);
	params[0] = args.argv[0];
	params[1] = org;
	params[2] = args.argv[1];
	res = admin_exec(a,
	    "INSERT INTO guichet.holiday (day, organisation_id, name) "
	    "VALUES ($1::date, $2::int, $3) ON CONFLICT DO NOTHING RETURNING day",
	    3, params);
	if (PQntuples(res) == 0) {
		PQclear(res);
		die(EX_DATAERR,
		    o.org != NULL ? _("%s is already a holiday of %s") :
				    _("%s is already a holiday of every organisation"),
		    args.argv[0], o.org);
	}
	PQclear(res);
	admin_commit(a);
	free(org);
	return EX_OK;
}

int
cmd_holiday_list(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ "year", required_argument, NULL, 'y' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct holiday_opts o = { 0 };
	struct admin_args args;
	const char *params[2];
	PGresult *res;

	admin_parse("holiday", "list", argc, argv, opts, holiday_option, &o, 0, 0, &args);
	if (o.org != NULL)
		free(admin_lookup(a, KIND_ORG, o.org));
	params[0] = o.org;
	params[1] = o.year;
	/* --org: that organisation's holidays and those of every organisation. */
	res = admin_exec(a,
	    "SELECT h.day::text AS day, to_char(h.day, 'Dy') AS weekday, "
	    "coalesce(g.code, '*') AS org, h.name FROM guichet.holiday h "
	    "LEFT JOIN guichet.organisation g ON g.id = h.organisation_id "
	    "WHERE ($1::text IS NULL OR g.code = $1 OR h.organisation_id IS NULL) "
	    "AND ($2::int IS NULL OR extract(year FROM h.day) = $2::int) "
	    "ORDER BY h.day, g.code NULLS FIRST",
	    2, params);
	admin_print_result(res, admin_parse_format(o.format != NULL ? o.format : "text"));
	PQclear(res);
	return EX_OK;
}

int
cmd_holiday_remove(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct holiday_opts o = { 0 };
	struct admin_args args;
	const char *params[2];
	char *org = NULL;
	PGresult *res;

	admin_parse("holiday", "remove", argc, argv, opts, holiday_option, &o, 1, 1, &args);
	holiday_check_day(args.argv[0]);
	admin_begin(a);
	if (o.org != NULL)
		org = admin_lookup(a, KIND_ORG, o.org);
	params[0] = args.argv[0];
	params[1] = org;
	res = admin_exec(a,
	    "DELETE FROM guichet.holiday WHERE day = $1::date "
	    "AND organisation_id IS NOT DISTINCT FROM $2::int RETURNING day",
	    2, params);
	if (PQntuples(res) == 0)
		die(EX_DATAERR,
		    o.org != NULL ? _("%s is not a holiday of %s") :
				    _("%s is not a holiday of every organisation (--org?)"),
		    args.argv[0], o.org);
	PQclear(res);
	admin_commit(a);
	free(org);
	return EX_OK;
}
