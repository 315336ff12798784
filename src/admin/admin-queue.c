/*
 * admin-queue.c — queues: where tickets wait, with their level, escalation
 * target, SLA policy, default priority, claim lease, the mail addresses that
 * route to them and the way its mail is signed (a display name, a closing
 * notice).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "admin.h"

/* What add and set read from the command line; NULL fields are "not given". */
struct queue_opts {
	const char *org;
	const char *name;
	const char *level;
	const char *escalate_to; /* a code, or "none" */
	const char *sla;	 /* a policy name, or "none" */
	const char *priority;
	const char *claim_timeout; /* a duration, or "none" */
	const char *active;	   /* "true", "false" */
	const char *reply_to;	   /* "true", "false": the requester is Reply-To's */
	const char **add;	   /* --address */
	size_t nadd;
	const char **remove; /* --remove-address */
	size_t nremove;
	const char *from_name; /* --from-name, or "none" */
	const char *closing;   /* --closing TEMPLATE, or "none" */
};

static const struct option queue_options[] = {
	{ "org", required_argument, NULL, 'o' },
	{ "name", required_argument, NULL, 'n' },
	{ "level", required_argument, NULL, 'l' },
	{ "escalate-to", required_argument, NULL, 'e' },
	{ "sla", required_argument, NULL, 's' },
	{ "priority", required_argument, NULL, 'p' },
	{ "claim-timeout", required_argument, NULL, 'c' },
	{ "address", required_argument, NULL, 'A' },
	{ "remove-address", required_argument, NULL, 'R' },
	{ "active", no_argument, NULL, 'y' },
	{ "inactive", no_argument, NULL, 'x' },
	{ "reply-to-requester", required_argument, NULL, 'r' },
	{ "from-name", required_argument, NULL, 'F' },
	{ "closing", required_argument, NULL, 'C' },
	{ NULL, 0, NULL, 0 },
};

static void
queue_option(int ch, const char *arg, void *ctx)
{
	struct queue_opts *q = ctx;

	switch (ch) {
	case 'o':
		q->org = arg;
		break;
	case 'n':
		q->name = arg;
		break;
	case 'l':
		admin_parse_number("--level", arg, 1, 2);
		q->level = arg;
		break;
	case 'e':
		q->escalate_to = arg;
		break;
	case 's':
		q->sla = arg;
		break;
	case 'p':
		admin_parse_number("--priority", arg, 1, 5);
		q->priority = arg;
		break;
	case 'c':
		q->claim_timeout = arg;
		break;
	case 'A':
		q->add = xreallocarray(q->add, q->nadd + 1, sizeof *q->add);
		q->add[q->nadd++] = arg;
		break;
	case 'R':
		q->remove = xreallocarray(q->remove, q->nremove + 1, sizeof *q->remove);
		q->remove[q->nremove++] = arg;
		break;
	case 'y':
		q->active = "true";
		break;
	case 'x':
		q->active = "false";
		break;
	case 'r':
		if (strcmp(arg, "yes") != 0 && strcmp(arg, "no") != 0)
			die(EX_USAGE, _("--reply-to-requester: yes or no"));
		q->reply_to = strcmp(arg, "yes") == 0 ? "true" : "false";
		break;
	case 'F':
		admin_reject_control(_("name"), arg);
		q->from_name = arg;
		break;
	case 'C':
		q->closing = arg;
		break;
	}
}

/* Mail addresses are stored lower-case: the router compares them that way. */
static char *
queue_address(const char *s)
{
	const char *at = strchr(s, '@');
	char *lower, *p;

	admin_reject_control(_("address"), s);
	if (at == NULL || at == s || at[1] == '\0' || strchr(s, ' ') != NULL ||
	    strchr(at + 1, '@') != NULL)
		die(EX_DATAERR, _("invalid mail address \"%s\""), s);
	lower = xstrdup(s);
	for (p = lower; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	}
	return lower;
}

static void
queue_addresses(struct admin *a, const char *id, const struct queue_opts *q)
{
	const char *params[2];
	PGresult *res;
	char *addr;
	size_t i;

	params[1] = id;
	for (i = 0; i < q->nremove; i++) {
		addr = queue_address(q->remove[i]);
		params[0] = addr;
		res = admin_exec(a,
		    "DELETE FROM guichet.queue_address "
		    "WHERE address = $1 AND queue_id = $2 RETURNING address",
		    2, params);
		if (PQntuples(res) == 0) {
			PQclear(res);
			die(EX_DATAERR, _("%s does not route to this queue"), addr);
		}
		PQclear(res);
		free(addr);
	}
	for (i = 0; i < q->nadd; i++) {
		addr = queue_address(q->add[i]);
		params[0] = addr;
		res = admin_exec(a,
		    "INSERT INTO guichet.queue_address (address, queue_id) "
		    "VALUES ($1, $2) ON CONFLICT (address) DO UPDATE SET queue_id = "
		    "EXCLUDED.queue_id WHERE queue_address.queue_id = EXCLUDED.queue_id "
		    "RETURNING address",
		    2, params);
		if (PQntuples(res) == 0) {
			PQclear(res);
			die(EX_DATAERR, _("%s already routes to another queue"), addr);
		}
		PQclear(res);
		free(addr);
	}
}

/* "none" clears; otherwise the name must exist. Returns an id, "" for none, or NULL. */
static char *
queue_reference(struct admin *a, enum admin_kind kind, const char *value)
{
	if (value == NULL)
		return NULL;
	if (strcmp(value, "none") == 0)
		return xstrdup("");
	return admin_lookup(a, kind, value);
}

/* An escalation goes to a level-2 queue other than the queue itself. */
static void
queue_check_escalation(struct admin *a, const char *code, const char *target)
{
	const char *params[1];
	PGresult *res;

	if (target == NULL || strcmp(target, "none") == 0)
		return;
	if (strcmp(code, target) == 0)
		die(EX_DATAERR, _("a queue cannot escalate to itself"));
	params[0] = target;
	res = admin_exec(a, "SELECT level FROM guichet.queue WHERE code = $1", 1, params);
	if (PQntuples(res) == 0) {
		PQclear(res);
		die(EX_DATAERR, _("no queue \"%s\""), target);
	}
	if (db_int(res, 0, "level", 0) != 2) {
		PQclear(res);
		die(EX_DATAERR,
		    _("queue \"%s\" is not a level-2 queue: escalations go to "
		      "level 2"),
		    target);
	}
	PQclear(res);
}

static char *
queue_timeout(const char *value)
{
	if (value == NULL)
		return NULL;
	if (strcmp(value, "none") == 0)
		return xstrdup("");
	return admin_parse_interval("--claim-timeout", value);
}

/*
 * The name the queue's mail is signed with (From: "NAME" <address>; "none":
 * the organisation's) and its closing notice (a template; "none": no notice).
 */
static void
queue_mail(struct admin *a, const char *id, const struct queue_opts *q)
{
	const char *params[3];
	char *closing;

	if (q->from_name == NULL && q->closing == NULL)
		return;
	if (q->from_name != NULL && *q->from_name == '\0')
		die(EX_DATAERR, _("the name must not be empty"));
	closing = queue_reference(a, KIND_TEMPLATE, q->closing);
	params[0] = id;
	params[1] = q->from_name;
	params[2] = closing;
	PQclear(admin_exec(a,
	    "UPDATE guichet.queue SET "
	    "from_name = CASE WHEN $2::text IS NULL THEN from_name "
	    "WHEN $2 = 'none' THEN NULL ELSE $2 END, "
	    "closing_template_id = CASE WHEN $3::text IS NULL THEN closing_template_id "
	    "ELSE nullif($3, '')::int END "
	    "WHERE id = $1",
	    3, params));
	free(closing);
}

int
cmd_queue_add(struct admin *a, int argc, char **argv)
{
	struct queue_opts q = { 0 };
	struct admin_args args;
	const char *params[8];
	char *org, *escalate, *sla, *timeout;
	PGresult *res;

	admin_parse("queue", "add", argc, argv, queue_options, queue_option, &q, 1, 1, &args);
	if (q.org == NULL || q.name == NULL)
		die(EX_USAGE, _("queue add needs --org and --name"));
	if (q.nremove > 0 || q.active != NULL)
		die(EX_USAGE, _("--remove-address, --active and --inactive are for queue set"));
	if (q.reply_to != NULL)
		die(EX_USAGE, _("--reply-to-requester is for queue set"));
	admin_check_code(_("queue code"), args.argv[0]);
	admin_reject_control(_("name"), q.name);
	if (*q.name == '\0')
		die(EX_DATAERR, _("the name must not be empty"));
	admin_begin(a);
	if (admin_exists(a, KIND_QUEUE, args.argv[0]))
		die(EX_DATAERR, _("queue \"%s\" already exists"), args.argv[0]);
	org = admin_lookup(a, KIND_ORG, q.org);
	queue_check_escalation(a, args.argv[0], q.escalate_to);
	escalate = queue_reference(a, KIND_QUEUE, q.escalate_to);
	sla = queue_reference(a, KIND_SLA, q.sla);
	timeout = queue_timeout(q.claim_timeout);
	params[0] = org;
	params[1] = args.argv[0];
	params[2] = q.name;
	params[3] = q.level != NULL ? q.level : "1";
	params[4] = escalate;
	params[5] = sla;
	params[6] = q.priority != NULL ? q.priority : "3";
	params[7] = timeout;
	res = admin_exec(a,
	    "INSERT INTO guichet.queue (organisation_id, code, name, level, "
	    "escalate_to, sla_policy_id, default_priority, claim_timeout) "
	    "VALUES ($1, $2, $3, $4, nullif($5, '')::int, nullif($6, '')::int, $7, "
	    "nullif($8, '')::interval) RETURNING id",
	    8, params);
	queue_addresses(a, PQgetvalue(res, 0, 0), &q);
	queue_mail(a, PQgetvalue(res, 0, 0), &q);
	PQclear(res);
	admin_commit(a);
	free(org);
	free(escalate);
	free(sla);
	free(timeout);
	free(q.add);
	return EX_OK;
}

int
cmd_queue_set(struct admin *a, int argc, char **argv)
{
	struct queue_opts q = { 0 };
	struct admin_args args;
	const char *params[10];
	char *id, *org, *escalate, *sla, *timeout;

	admin_parse("queue", "set", argc, argv, queue_options, queue_option, &q, 1, 1, &args);
	if (q.name != NULL) {
		admin_reject_control(_("name"), q.name);
		if (*q.name == '\0')
			die(EX_DATAERR, _("the name must not be empty"));
	}
	admin_begin(a);
	id = admin_lookup(a, KIND_QUEUE, args.argv[0]);
	org = q.org != NULL ? admin_lookup(a, KIND_ORG, q.org) : NULL;
	queue_check_escalation(a, args.argv[0], q.escalate_to);
	escalate = queue_reference(a, KIND_QUEUE, q.escalate_to);
	sla = queue_reference(a, KIND_SLA, q.sla);
	timeout = queue_timeout(q.claim_timeout);
	params[0] = id;
	params[1] = q.name;
	params[2] = q.level;
	params[3] = escalate;
	params[4] = sla;
	params[5] = q.priority;
	params[6] = timeout;
	params[7] = q.active;
	params[8] = org;
	params[9] = q.reply_to;
	/* A NULL parameter keeps the column; "" (from "none") clears it. */
	PQclear(admin_exec(a,
	    "UPDATE guichet.queue SET "
	    "name = coalesce($2, name), "
	    "level = coalesce($3::smallint, level), "
	    "escalate_to = CASE WHEN $4::text IS NULL THEN escalate_to "
	    "ELSE nullif($4, '')::int END, "
	    "sla_policy_id = CASE WHEN $5::text IS NULL THEN sla_policy_id "
	    "ELSE nullif($5, '')::int END, "
	    "default_priority = coalesce($6::smallint, default_priority), "
	    "claim_timeout = CASE WHEN $7::text IS NULL THEN claim_timeout "
	    "ELSE nullif($7, '')::interval END, "
	    "active = coalesce($8::boolean, active), "
	    "organisation_id = coalesce($9::int, organisation_id), "
	    "reply_to_is_requester = coalesce($10::boolean, reply_to_is_requester) "
	    "WHERE id = $1",
	    10, params));
	queue_addresses(a, id, &q);
	queue_mail(a, id, &q);
	admin_commit(a);
	free(id);
	free(org);
	free(escalate);
	free(sla);
	free(timeout);
	free(q.add);
	free(q.remove);
	return EX_OK;
}

int
cmd_queue_list(struct admin *a, int argc, char **argv)
{
	struct admin_list l;

	admin_list_args("queue", argc, argv, 0, &l);
	if (l.org != NULL)
		free(admin_lookup(a, KIND_ORG, l.org));
	/* Open counts use the (queue_id, status, …) index, one probe per status. */
	return admin_list_run(a,
	    "SELECT q.code, o.code AS org, q.name, q.level, e.code AS escalate_to, "
	    "s.name AS sla, q.default_priority AS priority, "
	    "q.claim_timeout::text AS claim_timeout, q.active, "
	    "(SELECT string_agg(qa.address, ' ' ORDER BY qa.address) "
	    " FROM guichet.queue_address qa WHERE qa.queue_id = q.id) AS addresses, "
	    "q.from_name, (SELECT tp.name FROM guichet.template tp "
	    " WHERE tp.id = q.closing_template_id) AS closing, "
	    "(SELECT count(*) FROM guichet.queue_member m WHERE m.queue_id = q.id) "
	    "AS members, "
	    "(SELECT count(*) FROM guichet.ticket t WHERE t.queue_id = q.id "
	    " AND t.status IN ('new', 'open', 'pending')) AS open_tickets "
	    "FROM guichet.queue q JOIN guichet.organisation o ON o.id = q.organisation_id "
	    "LEFT JOIN guichet.queue e ON e.id = q.escalate_to "
	    "LEFT JOIN guichet.sla_policy s ON s.id = q.sla_policy_id "
	    "WHERE ($2::text IS NULL OR o.code = $2) "
	    "ORDER BY o.code, q.level, q.code",
	    &l);
}

/*
 * A queue with tickets is history: it is deactivated (no new tickets, hidden
 * from lists) rather than deleted. So is one still named by an escalation or a
 * service, which the foreign keys would refuse.
 */
int
cmd_queue_remove(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	const char *params[1];
	PGresult *res;
	char *id, *cause, state[6] = "";
	long long tickets;

	admin_parse("queue", "remove", argc, argv, NULL, NULL, NULL, 1, 1, &args);
	admin_begin(a);
	id = admin_lookup(a, KIND_QUEUE, args.argv[0]);
	params[0] = id;
	res = admin_exec(
	    a, "SELECT count(*) AS n FROM guichet.ticket WHERE queue_id = $1", 1, params);
	tickets = db_int(res, 0, "n", 0);
	PQclear(res);
	if (tickets == 0) {
		PQclear(admin_exec(a, "SAVEPOINT remove", 0, NULL));
		res = admin_try(
		    a, "DELETE FROM guichet.queue WHERE id = $1", 1, params, &cause, state);
		if (res != NULL) {
			PQclear(res);
			admin_commit(a);
			free(id);
			return EX_OK;
		}
		if (strcmp(state, "23503") != 0)
			die(EX_SOFTWARE, "%s", cause);
		free(cause);
		PQclear(admin_exec(a, "ROLLBACK TO SAVEPOINT remove", 0, NULL));
	}
	PQclear(admin_exec(a, "UPDATE guichet.queue SET active = false WHERE id = $1", 1, params));
	admin_commit(a);
	if (tickets > 0)
		printf(_("queue %s has %lld tickets: deactivated instead of removed\n"),
		    args.argv[0], tickets);
	else
		printf(_("queue %s is still named by another queue's escalation or a "
			 "service: deactivated instead of removed\n"),
		    args.argv[0]);
	free(id);
	return EX_OK;
}
