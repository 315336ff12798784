/*
 * admin-template.c — reply templates: Markdown with {{placeholders}} that the
 * console offers before opening $EDITOR. Adding a template with an existing
 * name replaces it, so a directory of .md files can be loaded again and again.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "admin.h"

#define TEMPLATE_MAX_BYTES (1024 * 1024)

struct template_opts {
	const char *subject;
	const char *org;
};

static void
template_option(int ch, const char *arg, void *ctx)
{
	struct template_opts *o = ctx;

	if (ch == 's')
		o->subject = arg;
	else if (ch == 'o')
		o->org = arg;
}

int
cmd_template_add(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "subject", required_argument, NULL, 's' },
		{ "org", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct template_opts o = { 0 };
	struct admin_args args;
	const char *params[4];
	char *body, *org = NULL;

	admin_parse("template", "add", argc, argv, opts, template_option, &o, 2, 2, &args);
	admin_reject_control(_("name"), args.argv[0]);
	if (*args.argv[0] == '\0')
		die(EX_DATAERR, _("the name must not be empty"));
	if (o.subject != NULL)
		admin_reject_control(_("subject"), o.subject);
	body = admin_read_file(args.argv[1], TEMPLATE_MAX_BYTES);
	if (o.org != NULL)
		org = admin_lookup(a, KIND_ORG, o.org);
	params[0] = args.argv[0];
	params[1] = org;
	params[2] = o.subject;
	params[3] = body;
	PQclear(admin_exec(a,
	    "INSERT INTO guichet.template (name, organisation_id, "
	    "subject, body) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET "
	    "organisation_id = EXCLUDED.organisation_id, subject = EXCLUDED.subject, "
	    "body = EXCLUDED.body, updated_at = now()",
	    4, params));
	free(body);
	free(org);
	return EX_OK;
}

int
cmd_template_list(struct admin *a, int argc, char **argv)
{
	struct admin_list l;

	admin_list_args("template", argc, argv, 0, &l);
	return admin_list_run(a,
	    "SELECT t.name, o.code AS org, t.subject, "
	    "length(t.body) AS characters, to_char(t.updated_at, 'YYYY-MM-DD HH24:MI') "
	    "AS updated FROM guichet.template t "
	    "LEFT JOIN guichet.organisation o ON o.id = t.organisation_id "
	    "WHERE ($2::text IS NULL OR o.code = $2) ORDER BY t.name",
	    &l);
}

int
cmd_template_show(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	const char *params[1];
	PGresult *res;

	admin_parse("template", "show", argc, argv, NULL, NULL, NULL, 1, 1, &args);
	params[0] = args.argv[0];
	res = admin_exec(a,
	    "SELECT t.name, o.code AS org, t.subject, "
	    "to_char(t.updated_at, 'YYYY-MM-DD HH24:MI') AS updated, t.body "
	    "FROM guichet.template t LEFT JOIN guichet.organisation o "
	    "ON o.id = t.organisation_id WHERE t.name = $1",
	    1, params);
	if (PQntuples(res) == 0) {
		PQclear(res);
		die(EX_DATAERR, _("no template \"%s\""), args.argv[0]);
	}
	admin_print_record(res, 0);
	PQclear(res);
	return EX_OK;
}

int
cmd_template_remove(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	const char *params[1];
	PGresult *res;

	admin_parse("template", "remove", argc, argv, NULL, NULL, NULL, 1, 1, &args);
	params[0] = args.argv[0];
	res = admin_exec(a, "DELETE FROM guichet.template WHERE name = $1 RETURNING id", 1, params);
	if (PQntuples(res) == 0) {
		PQclear(res);
		die(EX_DATAERR, _("no template \"%s\""), args.argv[0]);
	}
	PQclear(res);
	return EX_OK;
}
