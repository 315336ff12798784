/*
 * admin-org.c — organisations (the tenants: a city, an agglomeration, an agency)
 * and their districts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "admin.h"

int
cmd_org_add(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	const char *params[2];

	admin_parse("org", "add", argc, argv, NULL, NULL, NULL, 2, 2, &args);
	admin_check_code(_("organisation code"), args.argv[0]);
	admin_reject_control(_("name"), args.argv[1]);
	if (*args.argv[1] == '\0')
		die(EX_DATAERR, _("the name must not be empty"));
	if (admin_exists(a, KIND_ORG, args.argv[0]))
		die(EX_DATAERR, _("organisation \"%s\" already exists"), args.argv[0]);
	params[0] = args.argv[0];
	params[1] = args.argv[1];
	PQclear(admin_exec(a,
	    "INSERT INTO guichet.organisation (code, name) "
	    "VALUES ($1, $2)",
	    2, params));
	return EX_OK;
}

int
cmd_org_list(struct admin *a, int argc, char **argv)
{
	struct admin_list l;

	admin_list_args("org", argc, argv, 0, &l);
	return admin_list_run(a,
	    "SELECT o.code, o.name, "
	    "(SELECT count(*) FROM guichet.district d WHERE d.organisation_id = o.id) "
	    "AS districts, "
	    "(SELECT count(*) FROM guichet.queue q WHERE q.organisation_id = o.id "
	    "AND q.active) AS queues, "
	    "(SELECT count(*) FROM guichet.agent g WHERE g.organisation_id = o.id "
	    "AND g.active) AS agents "
	    "FROM guichet.organisation o ORDER BY o.code",
	    &l);
}

int
cmd_district_add(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	const char *params[2];
	PGresult *res;
	char *org;

	admin_parse("district", "add", argc, argv, NULL, NULL, NULL, 2, 2, &args);
	admin_reject_control(_("name"), args.argv[1]);
	if (*args.argv[1] == '\0')
		die(EX_DATAERR, _("the name must not be empty"));
	org = admin_lookup(a, KIND_ORG, args.argv[0]);
	params[0] = org;
	params[1] = args.argv[1];
	res = admin_exec(a,
	    "INSERT INTO guichet.district (organisation_id, name) "
	    "VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id",
	    2, params);
	if (PQntuples(res) == 0) {
		PQclear(res);
		die(EX_DATAERR, _("district \"%s\" already exists in %s"), args.argv[1],
		    args.argv[0]);
	}
	PQclear(res);
	free(org);
	return EX_OK;
}

int
cmd_district_list(struct admin *a, int argc, char **argv)
{
	struct admin_list l;

	admin_list_args("district", argc, argv, 1, &l);
	if (l.filter != NULL)
		free(admin_lookup(a, KIND_ORG, l.filter));
	return admin_list_run(a,
	    "SELECT o.code AS org, d.name "
	    "FROM guichet.district d JOIN guichet.organisation o ON o.id = d.organisation_id "
	    "WHERE $1::text IS NULL OR o.code = $1 ORDER BY o.code, d.name",
	    &l);
}
