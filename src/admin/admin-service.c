/*
 * admin-service.c — the catalogue of what citizens ask for ("Voirie / Nid de
 * poule"): a category, a name, the queue that receives it and its SLA policy.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "admin.h"

struct service_opts {
	const char *org;
	const char *category;
	const char *name;
	const char *queue; /* a code, or "none" (set) */
	const char *sla;   /* a policy, or "none" (set) */
	const char *active;
};

static void
service_option(int ch, const char *arg, void *ctx)
{
	struct service_opts *o = ctx;

	switch (ch) {
	case 'o':
		o->org = arg;
		break;
	case 'c':
		o->category = arg;
		break;
	case 'n':
		o->name = arg;
		break;
	case 'q':
		o->queue = arg;
		break;
	case 's':
		o->sla = arg;
		break;
	case 'y':
		o->active = "true";
		break;
	case 'x':
		o->active = "false";
		break;
	}
}

/* "none" clears; otherwise the name must exist. An id, "" for none, or NULL. */
static char *
service_reference(struct admin *a, enum admin_kind kind, const char *value)
{
	if (value == NULL)
		return NULL;
	if (strcmp(value, "none") == 0)
		return xstrdup("");
	return admin_lookup(a, kind, value);
}

/*
 * Change a service: its category and name, the queue that receives it, its
 * SLA policy (tickets of the service get the policy's due times when they
 * are created or their service changes), whether it is offered. The queue
 * must be of the service's organisation.
 */
int
cmd_service_set(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "category", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "queue", required_argument, NULL, 'q' },
		{ "sla", required_argument, NULL, 's' },
		{ "active", no_argument, NULL, 'y' },
		{ "inactive", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	struct service_opts o = { 0 };
	struct admin_args args;
	const char *params[6];
	char *id, *queue, *sla;
	PGresult *res;

	admin_parse("service", "set", argc, argv, opts, service_option, &o, 1, 1, &args);
	if (o.category != NULL) {
		admin_reject_control(_("category"), o.category);
		if (*o.category == '\0')
			die(EX_DATAERR, _("the category must not be empty"));
	}
	if (o.name != NULL) {
		admin_reject_control(_("name"), o.name);
		if (*o.name == '\0')
			die(EX_DATAERR, _("the name must not be empty"));
	}
	admin_begin(a);
	id = admin_lookup(a, KIND_SERVICE, args.argv[0]);
	queue = service_reference(a, KIND_QUEUE, o.queue);
	sla = service_reference(a, KIND_SLA, o.sla);
	if (queue != NULL && *queue != '\0') {
		params[0] = id;
		params[1] = queue;
		res = admin_exec(a,
		    "SELECT s.organisation_id = q.organisation_id AS same FROM guichet.service s, "
		    "guichet.queue q WHERE s.id = $1 AND q.id = $2",
		    2, params);
		if (!db_bool(res, 0, "same"))
			die(EX_DATAERR, _("queue %s is another organisation's"), o.queue);
		PQclear(res);
	}
	params[0] = id;
	params[1] = o.category;
	params[2] = o.name;
	params[3] = queue;
	params[4] = sla;
	params[5] = o.active;
	/* A NULL parameter keeps the column; "" (from "none") clears it. */
	PQclear(admin_exec(a,
	    "UPDATE guichet.service SET category = coalesce($2, category), "
	    "name = coalesce($3, name), "
	    "default_queue_id = CASE WHEN $4::text IS NULL THEN default_queue_id "
	    " ELSE nullif($4, '')::int END, "
	    "sla_policy_id = CASE WHEN $5::text IS NULL THEN sla_policy_id "
	    " ELSE nullif($5, '')::int END, "
	    "active = coalesce($6::boolean, active) WHERE id = $1",
	    6, params));
	admin_commit(a);
	free(id);
	free(queue);
	free(sla);
	return EX_OK;
}

int
cmd_service_add(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ "category", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "queue", required_argument, NULL, 'q' },
		{ "sla", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct service_opts o = { 0 };
	struct admin_args args;
	const char *params[6];
	char *org, *queue = NULL, *sla = NULL;

	admin_parse("service", "add", argc, argv, opts, service_option, &o, 1, 1, &args);
	if (o.org == NULL || o.category == NULL || o.name == NULL)
		die(EX_USAGE, _("service add needs --org, --category and --name"));
	if (o.active != NULL)
		die(EX_USAGE, _("--active and --inactive are for service set"));
	admin_check_code(_("service code"), args.argv[0]);
	admin_reject_control(_("category"), o.category);
	admin_reject_control(_("name"), o.name);
	if (*o.category == '\0' || *o.name == '\0')
		die(EX_DATAERR, _("the category and the name must not be empty"));
	admin_begin(a);
	if (admin_exists(a, KIND_SERVICE, args.argv[0]))
		die(EX_DATAERR, _("service \"%s\" already exists"), args.argv[0]);
	org = admin_lookup(a, KIND_ORG, o.org);
	if (o.queue != NULL)
		queue = admin_lookup(a, KIND_QUEUE, o.queue);
	if (o.sla != NULL)
		sla = admin_lookup(a, KIND_SLA, o.sla);
	params[0] = org;
	params[1] = args.argv[0];
	params[2] = o.category;
	params[3] = o.name;
	params[4] = queue;
	params[5] = sla;
	PQclear(admin_exec(a,
	    "INSERT INTO guichet.service (organisation_id, code, "
	    "category, name, default_queue_id, sla_policy_id) "
	    "VALUES ($1, $2, $3, $4, $5, $6)",
	    6, params));
	admin_commit(a);
	free(org);
	free(queue);
	free(sla);
	return EX_OK;
}

int
cmd_service_list(struct admin *a, int argc, char **argv)
{
	struct admin_list l;

	admin_list_args("service", argc, argv, 0, &l);
	if (l.org != NULL)
		free(admin_lookup(a, KIND_ORG, l.org));
	return admin_list_run(a,
	    "SELECT s.code, o.code AS org, s.category, s.name, q.code AS queue, "
	    "p.name AS sla, s.active "
	    "FROM guichet.service s JOIN guichet.organisation o ON o.id = s.organisation_id "
	    "LEFT JOIN guichet.queue q ON q.id = s.default_queue_id "
	    "LEFT JOIN guichet.sla_policy p ON p.id = s.sla_policy_id "
	    "WHERE ($2::text IS NULL OR o.code = $2) "
	    "ORDER BY o.code, s.category, s.name",
	    &l);
}

/* Tickets keep naming their service: such a service is only deactivated. */
int
cmd_service_remove(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	const char *params[1];
	PGresult *res;
	char *id;
	bool used;

	admin_parse("service", "remove", argc, argv, NULL, NULL, NULL, 1, 1, &args);
	admin_begin(a);
	id = admin_lookup(a, KIND_SERVICE, args.argv[0]);
	params[0] = id;
	res = admin_exec(a,
	    "SELECT EXISTS (SELECT 1 FROM guichet.ticket "
	    "WHERE service_id = $1) AS used",
	    1, params);
	used = db_bool(res, 0, "used");
	PQclear(res);
	if (used)
		PQclear(admin_exec(a,
		    "UPDATE guichet.service SET active = false "
		    "WHERE id = $1",
		    1, params));
	else
		PQclear(admin_exec(a, "DELETE FROM guichet.service WHERE id = $1", 1, params));
	admin_commit(a);
	if (used)
		printf(_("service %s is used by tickets: deactivated instead of removed\n"),
		    args.argv[0]);
	free(id);
	return EX_OK;
}
