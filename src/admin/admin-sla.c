/*
 * admin-sla.c — SLA policies: first-response, next-response and resolution
 * targets, counted in every minute or in business hours on workdays, and the
 * targets a policy gives one priority (table sla_target).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "admin.h"

struct sla_opts {
	char *first_response; /* "" for none (set only) */
	char *next_response;
	char *resolution;
	const char *hours;
	const char *workdays;
	const char *timezone;
	const char *priority; /* set: the targets of this priority */
	bool clear;	      /* set --priority N --clear */
};

/* A target: a duration, or "none" (sla set) for no target: "". */
static char *
sla_target(const char *what, const char *arg, bool none_ok)
{
	if (none_ok && strcmp(arg, "none") == 0)
		return xstrdup("");
	return admin_parse_interval(what, arg);
}

static void
sla_option(int ch, const char *arg, void *ctx)
{
	struct sla_opts *o = ctx;

	switch (ch) {
	case 'f':
		o->first_response = sla_target("--first-response", arg, true);
		break;
	case 'n':
		o->next_response = sla_target("--next-response", arg, true);
		break;
	case 'r':
		o->resolution = sla_target("--resolution", arg, true);
		break;
	case 'p':
		admin_parse_number("--priority", arg, 1, 5);
		o->priority = arg;
		break;
	case 'c':
		o->clear = true;
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

static void
sla_check_timezone(struct admin *a, const char *tz)
{
	const char *params[1] = { tz };
	PGresult *res;

	if (tz == NULL)
		return;
	res = admin_exec(a,
	    "SELECT EXISTS (SELECT 1 FROM pg_timezone_names "
	    "WHERE name = $1) AS known",
	    1, params);
	if (!db_bool(res, 0, "known")) {
		PQclear(res);
		die(EX_DATAERR, _("unknown time zone \"%s\""), tz);
	}
	PQclear(res);
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

	admin_parse("sla", "add", argc, argv, opts, sla_option, &o, 1, 1, &args);
	if ((o.first_response != NULL && *o.first_response == '\0') ||
	    (o.next_response != NULL && *o.next_response == '\0') ||
	    (o.resolution != NULL && *o.resolution == '\0'))
		die(EX_USAGE, _("none is for sla set: leave the target out"));
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
	sla_check_timezone(a, o.timezone);
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

/*
 * The targets of one priority: a row of sla_target, each target given
 * replacing its own ("none" keeps the policy's); --clear removes the row.
 */
static void
sla_set_priority(struct admin *a, const char *id, const struct sla_opts *o)
{
	const char *params[5];

	params[0] = id;
	params[1] = o->priority;
	if (o->clear) {
		PQclear(admin_exec(a,
		    "DELETE FROM guichet.sla_target WHERE sla_policy_id = $1 "
		    "AND priority = $2::smallint",
		    2, params));
		return;
	}
	params[2] = o->first_response;
	params[3] = o->next_response;
	params[4] = o->resolution;
	/* A NULL parameter keeps the target; "" (from "none") clears it. */
	PQclear(admin_exec(a,
	    "INSERT INTO guichet.sla_target AS t (sla_policy_id, priority, first_response, "
	    "next_response, resolution) VALUES ($1, $2::smallint, nullif($3, '')::interval, "
	    "nullif($4, '')::interval, nullif($5, '')::interval) "
	    "ON CONFLICT (sla_policy_id, priority) DO UPDATE SET "
	    "first_response = CASE WHEN $3 IS NULL THEN t.first_response "
	    " ELSE EXCLUDED.first_response END, "
	    "next_response = CASE WHEN $4 IS NULL THEN t.next_response "
	    " ELSE EXCLUDED.next_response END, "
	    "resolution = CASE WHEN $5 IS NULL THEN t.resolution ELSE EXCLUDED.resolution END",
	    5, params));
}

int
cmd_sla_set(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "first-response", required_argument, NULL, 'f' },
		{ "next-response", required_argument, NULL, 'n' },
		{ "resolution", required_argument, NULL, 'r' },
		{ "business-hours", required_argument, NULL, 'b' },
		{ "workdays", required_argument, NULL, 'w' },
		{ "timezone", required_argument, NULL, 'z' },
		{ "priority", required_argument, NULL, 'p' },
		{ "clear", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct sla_opts o = { 0 };
	struct admin_args args;
	const char *params[9];
	char *id, *start = NULL, *end = NULL, *days = NULL;
	bool targets;

	admin_parse("sla", "set", argc, argv, opts, sla_option, &o, 1, 1, &args);
	targets = o.first_response != NULL || o.next_response != NULL || o.resolution != NULL;
	if (o.clear && (o.priority == NULL || targets))
		die(EX_USAGE, _("--clear goes with --priority and no target"));
	if (o.priority != NULL && (o.hours != NULL || o.workdays != NULL || o.timezone != NULL))
		die(EX_USAGE, _("with --priority, only targets: hours belong to the policy"));
	if (o.priority != NULL && !targets && !o.clear)
		die(EX_USAGE, _("--priority needs a target to set, or --clear"));
	if (o.hours != NULL && strcmp(o.hours, "none") != 0)
		sla_hours(o.hours, &start, &end);
	if (o.workdays != NULL) {
		if (o.hours != NULL && strcmp(o.hours, "none") == 0)
			die(EX_USAGE, _("--workdays goes with business hours"));
		days = sla_workdays(o.workdays);
	}
	admin_begin(a);
	id = admin_lookup(a, KIND_SLA, args.argv[0]);
	sla_check_timezone(a, o.timezone);
	if (o.priority != NULL)
		sla_set_priority(a, id, &o);
	else {
		params[0] = id;
		params[1] = o.first_response;
		params[2] = o.next_response;
		params[3] = o.resolution;
		params[4] = o.hours == NULL	 ? NULL :
		    strcmp(o.hours, "none") == 0 ? "false" :
						   "true";
		params[5] = start;
		params[6] = end;
		params[7] = days;
		params[8] = o.timezone;
		/* A NULL parameter keeps the column; "" (from "none") clears a target. */
		PQclear(admin_exec(a,
		    "UPDATE guichet.sla_policy SET "
		    "first_response = CASE WHEN $2::text IS NULL THEN first_response "
		    " ELSE nullif($2, '')::interval END, "
		    "next_response = CASE WHEN $3::text IS NULL THEN next_response "
		    " ELSE nullif($3, '')::interval END, "
		    "resolution = CASE WHEN $4::text IS NULL THEN resolution "
		    " ELSE nullif($4, '')::interval END, "
		    "business_hours = coalesce($5::boolean, business_hours), "
		    "day_start = coalesce($6::time, day_start), "
		    "day_end = coalesce($7::time, day_end), "
		    "workdays = coalesce($8::smallint[], workdays), "
		    "timezone = coalesce($9, timezone) WHERE id = $1",
		    9, params));
	}
	admin_commit(a);
	free(id);
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
	/* by_priority: "5:1 hour/-/1 day" per priority with targets of its own. */
	return admin_list_run(a,
	    "SELECT p.name, p.first_response::text AS first_response, "
	    "p.next_response::text AS next_response, p.resolution::text AS resolution, "
	    "CASE WHEN p.business_hours THEN to_char(p.day_start, 'HH24:MI') || '-' || "
	    " to_char(p.day_end, 'HH24:MI') ELSE '24/7' END AS hours, "
	    "array_to_string(p.workdays, ',') AS workdays, p.timezone, "
	    "(SELECT count(*) FROM guichet.queue q WHERE q.sla_policy_id = p.id) AS queues, "
	    "(SELECT string_agg(t.priority || ':' || concat_ws('/', "
	    "  coalesce(t.first_response::text, '-'), coalesce(t.next_response::text, '-'), "
	    "  coalesce(t.resolution::text, '-')), ' ' ORDER BY t.priority) "
	    " FROM guichet.sla_target t WHERE t.sla_policy_id = p.id) AS by_priority "
	    "FROM guichet.sla_policy p ORDER BY p.name",
	    &l);
}
