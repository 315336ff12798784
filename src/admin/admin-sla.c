/*
 * admin-sla.c — SLA policies: first-response, next-response and resolution
 * targets, counted in every minute or in business hours on workdays.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "admin.h"

struct sla_opts {
	char *first_response;
	char *next_response;
	char *resolution;
	const char *hours;
	const char *workdays;
	const char *timezone;
};

static void
sla_option(int ch, const char *arg, void *ctx)
{
	struct sla_opts *o = ctx;

	switch (ch) {
	case 'f':
		o->first_response = admin_parse_interval("--first-response", arg);
		break;
	case 'n':
		o->next_response = admin_parse_interval("--next-response", arg);
		break;
	case 'r':
		o->resolution = admin_parse_interval("--resolution", arg);
		break;
	case 'b':
		o->hours = arg;
		break;
	case 'w':
		o->workdays = arg;
		break;
	case 'z':
		o->timezone = arg;
		break;
	}
}

/* "08:30-17:30" → its two ends, checked by the server's time input. */
static void
sla_hours(const char *s, char **start, char **end)
{
	const char *dash = strchr(s, '-');

	if (dash == NULL || dash == s || dash[1] == '\0' || strchr(dash + 1, '-') != NULL ||
	    strspn(s, "0123456789:-") != strlen(s))
		die(EX_USAGE, _("--business-hours must look like 08:30-17:30"));
	*start = xstrndup(s, (size_t)(dash - s));
	*end = xstrdup(dash + 1);
}

/* "1-5", "1,2,3,4,5,6" or "1-3,5" (ISO days, 1 is Monday) → "{1,2,3,5}". */
static char *
sla_workdays(const char *s)
{
	struct strbuf b;
	bool day[8] = { false };
	const char *p = s;
	char *end;
	long from, to, d;
	int n = 0;

	while (*p != '\0') {
		from = strtol(p, &end, 10);
		if (end == p || from < 1 || from > 7)
			goto bad;
		to = from;
		if (*end == '-') {
			p = end + 1;
			to = strtol(p, &end, 10);
			if (end == p || to < from || to > 7)
				goto bad;
		}
		for (d = from; d <= to; d++)
			day[d] = true;
		if (*end == ',')
			end++;
		else if (*end != '\0')
			goto bad;
		p = end;
	}
	strbuf_init(&b);
	strbuf_addch(&b, '{');
	for (d = 1; d <= 7; d++) {
		if (day[d])
			strbuf_printf(&b, "%s%ld", n++ > 0 ? "," : "", d);
	}
	strbuf_addch(&b, '}');
	if (n > 0)
		return strbuf_detach(&b);
bad:
	die(EX_USAGE, _("--workdays must list ISO days 1 (Monday) to 7, as 1-5 or 1,2,3"));
}

int
cmd_sla_add(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "first-response", required_argument, NULL, 'f' },
		{ "next-response", required_argument, NULL, 'n' },
		{ "resolution", required_argument, NULL, 'r' },
		{ "business-hours", required_argument, NULL, 'b' },
		{ "workdays", required_argument, NULL, 'w' },
		{ "timezone", required_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 },
	};
	struct sla_opts o = { 0 };
	struct admin_args args;
	const char *params[9];
	char *start = NULL, *end = NULL, *days = NULL;
	PGresult *res;

	admin_parse("sla", "add", argc, argv, opts, sla_option, &o, 1, 1, &args);
	admin_reject_control(_("name"), args.argv[0]);
	if (*args.argv[0] == '\0')
		die(EX_DATAERR, _("the name must not be empty"));
	if (o.hours != NULL)
		sla_hours(o.hours, &start, &end);
	if (o.workdays != NULL) {
		if (o.hours == NULL)
			die(EX_USAGE, _("--workdays goes with --business-hours"));
		days = sla_workdays(o.workdays);
	}
	admin_begin(a);
	if (admin_exists(a, KIND_SLA, args.argv[0]))
		die(EX_DATAERR, _("SLA policy \"%s\" already exists"), args.argv[0]);
	if (o.timezone != NULL) {
		params[0] = o.timezone;
		res = admin_exec(a,
		    "SELECT EXISTS (SELECT 1 FROM pg_timezone_names "
		    "WHERE name = $1) AS known",
		    1, params);
		if (!db_bool(res, 0, "known")) {
			PQclear(res);
			die(EX_DATAERR, _("unknown time zone \"%s\""), o.timezone);
		}
		PQclear(res);
	}
	params[0] = args.argv[0];
	params[1] = o.first_response;
	params[2] = o.next_response;
	params[3] = o.resolution;
	params[4] = o.hours != NULL ? "true" : "false";
	params[5] = start;
	params[6] = end;
	params[7] = days;
	params[8] = o.timezone;
	PQclear(admin_exec(a,
	    "INSERT INTO guichet.sla_policy (name, first_response, "
	    "next_response, resolution, business_hours, day_start, day_end, workdays, "
	    "timezone) VALUES ($1, $2::interval, $3::interval, $4::interval, $5, "
	    "coalesce($6::time, '08:30'), coalesce($7::time, '17:30'), "
	    "coalesce($8::smallint[], '{1,2,3,4,5}'), coalesce($9, 'Europe/Paris'))",
	    9, params));
	admin_commit(a);
	free(o.first_response);
	free(o.next_response);
	free(o.resolution);
	free(start);
	free(end);
	free(days);
	return EX_OK;
}

int
cmd_sla_list(struct admin *a, int argc, char **argv)
{
	struct admin_list l;

	admin_list_args("sla", argc, argv, 0, &l);
	return admin_list_run(a,
	    "SELECT p.name, p.first_response::text AS first_response, "
	    "p.next_response::text AS next_response, p.resolution::text AS resolution, "
	    "CASE WHEN p.business_hours THEN to_char(p.day_start, 'HH24:MI') || '-' || "
	    " to_char(p.day_end, 'HH24:MI') ELSE '24/7' END AS hours, "
	    "array_to_string(p.workdays, ',') AS workdays, p.timezone, "
	    "(SELECT count(*) FROM guichet.queue q WHERE q.sla_policy_id = p.id) AS queues "
	    "FROM guichet.sla_policy p ORDER BY p.name",
	    &l);
}
