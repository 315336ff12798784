/*
 * admin-history.c — the audit trail: verify-history checks every ticket's hash
 * chain with the server's guichet.verify_history(), and expire-claims gives back
 * tickets whose claim lease ran out (run it from cron).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "admin.h"

static void
verify_option(int ch, const char *arg, void *ctx)
{
	const char **ticket = ctx;

	if (ch == 't') {
		admin_parse_number("--ticket", arg, 1, 9223372036854775807LL);
		*ticket = arg;
	}
}

/* Exit 0 when every chain is intact, EX_DATAERR with one line per problem when not. */
int
cmd_verify_history(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ticket", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct admin_args args;
	const char *ticket = NULL;
	PGresult *res;
	char *problem;
	int i, n;

	admin_parse(NULL, "verify-history", argc, argv, opts, verify_option, &ticket, 0, 0, &args);
	res = admin_exec(a,
	    "SELECT ticket_id, seq, problem FROM guichet.verify_history($1) "
	    "ORDER BY ticket_id, seq",
	    1, &ticket);
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		problem = sanitize_text(
		    db_value(res, i, "problem") != NULL ? db_value(res, i, "problem") : "", 0);
		printf(_("ticket %s, history row %s: %s\n"), db_value(res, i, "ticket_id"),
		    db_value(res, i, "seq") != NULL ? db_value(res, i, "seq") : "-", problem);
		free(problem);
	}
	PQclear(res);
	if (n > 0) {
		log_warnx(_("%d problems in the history: it was altered"), n);
		return EX_DATAERR;
	}
	log_info("history intact");
	return EX_OK;
}

int
cmd_expire_claims(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	PGresult *res;

	admin_parse(NULL, "expire-claims", argc, argv, NULL, NULL, NULL, 0, 0, &args);
	res = admin_exec(a, "SELECT guichet.expire_claims() AS released", 0, NULL);
	log_info("%s claims released", PQgetvalue(res, 0, 0));
	PQclear(res);
	return EX_OK;
}
