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
	const char *queue;
	const char *sla;
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
	}
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
