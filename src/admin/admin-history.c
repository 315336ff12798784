/*
 * admin-history.c — the audit trail: verify-history checks every ticket's hash
 * chain with the server's guichet.verify_history() and the checkpoints with
 * guichet.verify_checkpoints(); history-checkpoint anchors the chains' tails
 * and prints the digest to keep outside the database (and sends it to
 * syslog); expire-claims gives back tickets whose claim lease ran out (run it
 * from cron).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "common.h"
#include "admin.h"

struct verify_opts {
	const char *ticket;
	const char *digest;
};

static void
verify_option(int ch, const char *arg, void *ctx)
{
	struct verify_opts *o = ctx;

	if (ch == 't') {
		admin_parse_number("--ticket", arg, 1, 9223372036854775807LL);
		o->ticket = arg;
	} else if (ch == 'c') {
		if (strlen(arg) != 64 || strspn(arg, "0123456789abcdefABCDEF") != 64)
			die(EX_USAGE, _("--checkpoint: a digest is 64 hexadecimal digits: %s"),
			    arg);
		o->digest = arg;
	}
}

/* Print the problems of one result: "ticket T, history row S: problem". */
static int
print_problems(PGresult *res)
{
	const char *t, *seq;
	char *problem;
	int i, n = PQntuples(res);

	for (i = 0; i < n; i++) {
		t = db_value(res, i, "ticket_id");
		seq = db_value(res, i, "seq");
		problem = sanitize_text(
		    db_value(res, i, "problem") != NULL ? db_value(res, i, "problem") : "", 0);
		if (t == NULL)
			printf(_("checkpoints: %s\n"), problem);
		else
			printf(_("ticket %s, history row %s: %s\n"), t, seq != NULL ? seq : "-",
			    problem);
		free(problem);
	}
	return n;
}

/* The chain of erasures and exports (api/37-contact.sql). */
static int
verify_contact_audit(struct admin *a)
{
	PGresult *res;
	char *problem;
	int i, n;

	res = admin_exec(a, "SELECT seq, problem FROM guichet.verify_contact_audit()", 0, NULL);
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		problem = sanitize_text(db_value(res, i, "problem"), 0);
		printf(_("contact audit row %s: %s\n"), db_value(res, i, "seq"), problem);
		free(problem);
	}
	PQclear(res);
	return n;
}

/*
 * Exit 0 when every chain (and, with --checkpoint or without --ticket, every
 * checkpoint) is intact, EX_DATAERR with one line per problem when not.
 */
int
cmd_verify_history(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ticket", required_argument, NULL, 't' },
		{ "checkpoint", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct admin_args args;
	struct verify_opts o = { NULL, NULL };
	PGresult *res;
	int n;

	admin_parse(NULL, "verify-history", argc, argv, opts, verify_option, &o, 0, 0, &args);
	res = admin_exec(a,
	    "SELECT ticket_id, seq, problem FROM guichet.verify_history($1) "
	    "ORDER BY ticket_id, seq",
	    1, &o.ticket);
	n = print_problems(res);
	PQclear(res);
	if (o.ticket == NULL)
		n += verify_contact_audit(a);
	if (o.ticket == NULL || o.digest != NULL) {
		res = admin_exec(a,
		    "SELECT ticket_id, seq, problem FROM guichet.verify_checkpoints($1)", 1,
		    &o.digest);
		n += print_problems(res);
		PQclear(res);
	}
	if (n > 0) {
		log_warnx(_("%d problems in the history: it was altered"), n);
		return EX_DATAERR;
	}
	log_info("history intact");
	return EX_OK;
}

/*
 * A new checkpoint: its number, time, the chains it anchored and the digest,
 * on standard output and to syslog (authpriv), so that a copy lives where the
 * database's own superuser cannot change it.
 */
int
cmd_history_checkpoint(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	PGresult *res;

	admin_parse(NULL, "history-checkpoint", argc, argv, NULL, NULL, NULL, 0, 0, &args);
	res = admin_exec(a,
	    "SELECT checkpoint, to_char(made_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS made_at, tickets, digest "
	    "FROM guichet.history_checkpoint()",
	    0, NULL);
	printf(_("checkpoint %s at %s: %s (%s chains anchored)\n"), db_value(res, 0, "checkpoint"),
	    db_value(res, 0, "made_at"), db_value(res, 0, "digest"), db_value(res, 0, "tickets"));
	openlog("guichet-admin", LOG_PID, LOG_AUTHPRIV);
	syslog(LOG_NOTICE, "history checkpoint %s at %s: %s (%s chains anchored)",
	    db_value(res, 0, "checkpoint"), db_value(res, 0, "made_at"), db_value(res, 0, "digest"),
	    db_value(res, 0, "tickets"));
	closelog();
	PQclear(res);
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
