/*
 * admin-contact.c — one person's data as a whole: contact export writes
 * everything the desk holds on her as JSON (GDPR art. 15), contact erase
 * anonymises it (art. 17) and says why. Both are audited by the server
 * (guichet.contact_audit, api/37-contact.sql and api/38-retention.sql).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "admin.h"

static void
contact_option(int ch, const char *arg, void *ctx)
{
	const char **reason = ctx;

	if (ch == 'r')
		*reason = arg;
}

/* A contact's id, as the server will read it. */
static const char *
contact_id(const char *s)
{
	admin_parse_number(_("contact"), s, 1, 9223372036854775807LL);
	return s;
}

/* Print the export (jsonb, pretty) on standard output. */
int
cmd_contact_export(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	const char *id;
	PGresult *res;

	admin_parse("contact", "export", argc, argv, NULL, NULL, NULL, 1, 1, &args);
	id = contact_id(args.argv[0]);
	res = admin_exec(
	    a, "SELECT jsonb_pretty(guichet.contact_export($1::bigint)) AS doc", 1, &id);
	printf("%s\n", db_value(res, 0, "doc"));
	PQclear(res);
	return EX_OK;
}

int
cmd_contact_erase(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct admin_args args;
	const char *reason = NULL, *params[2];
	PGresult *res;

	admin_parse("contact", "erase", argc, argv, opts, contact_option, &reason, 1, 1, &args);
	params[0] = contact_id(args.argv[0]);
	if (reason == NULL || *reason == '\0')
		die(EX_USAGE, _("contact erase needs --reason (which must not name the person)"));
	admin_reject_control(_("reason"), reason);
	params[1] = reason;
	res = admin_exec(a, "SELECT guichet.contact_erase($1::bigint, $2) AS tickets", 2, params);
	log_info(
	    "contact %s erased (%s tickets anonymised)", params[0], db_value(res, 0, "tickets"));
	PQclear(res);
	return EX_OK;
}
