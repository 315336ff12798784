/*
 * admin-quarantine.c — guichet-admin quarantine list|show|retry: the mail
 * the gateway could not import (quarantined), held back by the rate cap
 * (held) or waiting for a retry (pending), and, when asked, the automatic mail
 * that belongs to no ticket (ignored), with its reason. Retrying marks the raw
 * message; the next guichet-mail import, whatever its source, parses it again.
 *
 *   quarantine list [--outcome quarantined|held|pending|ignored] [--limit N] [--format F]
 *   quarantine show ID [--raw]
 *   quarantine retry ID…
 *
 * One entry point, cmd_quarantine(), for the three rows of the command table:
 * argv[0] is "list", "show" or "retry".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "admin.h"

int cmd_quarantine(struct admin *, int, char **);

struct quarantine_opts {
	enum admin_format format;
	const char *outcome;
	const char *limit;
	bool raw;
};

static void
quarantine_option(int ch, const char *arg, void *ctx)
{
	struct quarantine_opts *o = ctx;

	switch (ch) {
	case 'f':
		o->format = admin_parse_format(arg);
		break;
	case 'o':
		if (strcmp(arg, "ignored") == 0)
			arg = "ignored_loop"; /* raw_message.outcome */
		else if (strcmp(arg, "quarantined") != 0 && strcmp(arg, "held") != 0 &&
		    strcmp(arg, "pending") != 0)
			die(EX_USAGE, _("--outcome: quarantined, held, pending or ignored"));
		o->outcome = arg;
		break;
	case 'n':
		admin_parse_number("--limit", arg, 1, 100000);
		o->limit = arg;
		break;
	case 'r':
		o->raw = true;
		break;
	}
}

static int
quarantine_list(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "outcome", required_argument, NULL, 'o' },
		{ "limit", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct quarantine_opts o = { FORMAT_TEXT, NULL, "100", false };
	struct admin_args args;
	const char *params[2];
	PGresult *res;

	admin_parse("quarantine", "list", argc, argv, opts, quarantine_option, &o, 0, 0, &args);
	params[0] = o.limit;
	params[1] = o.outcome;
	res = admin_exec(a,
	    "SELECT id, to_char(received_at, 'YYYY-MM-DD HH24:MI') AS received, "
	    "outcome, mail_from AS \"from\", subject, size, error "
	    "FROM guichet.quarantine_list($1::integer, NULL, $2)",
	    2, params);
	admin_print_result(res, o.format);
	PQclear(res);
	return EX_OK;
}

static int
quarantine_show(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct quarantine_opts o = { FORMAT_TEXT, NULL, NULL, false };
	struct admin_args args;
	const char *id;
	PGresult *res;
	char *text;
	size_t len;

	admin_parse("quarantine", "show", argc, argv, opts, quarantine_option, &o, 1, 1, &args);
	id = args.argv[0];
	admin_parse_number("ID", id, 1, 9223372036854775807LL);
	if (o.raw) {
		/* The bytes as received, for a file or a pipe (never a terminal as is). */
		res = PQexecParams(admin_connect(a),
		    "SELECT bytes FROM guichet.quarantine_show($1)", 1, NULL, &id, NULL, NULL, 1);
		{
			char *cause = NULL;

			if ((res = db_check(a->conn, res, &cause, NULL)) == NULL)
				die(EX_DATAERR, "%s", cause);
		}
		len = PQgetlength(res, 0, 0);
		if (isatty(STDOUT_FILENO)) {
			text = sanitize_text(PQgetvalue(res, 0, 0), SANITIZE_KEEP_NEWLINES);
			fputs(text, stdout);
			free(text);
		} else
			fwrite(PQgetvalue(res, 0, 0), 1, len, stdout);
		PQclear(res);
		return EX_OK;
	}
	res = admin_exec(a,
	    "SELECT id, received_at, outcome, source, size, message_id, retries, "
	    "error, encode(substring(bytes FROM 1 FOR 4096), 'escape') AS body "
	    "FROM guichet.quarantine_show($1)",
	    1, &id);
	admin_print_record(res, 0);
	PQclear(res);
	return EX_OK;
}

static int
quarantine_retry(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	int i;
	PGresult *res;

	admin_parse("quarantine", "retry", argc, argv, NULL, NULL, NULL, 1, 1000, &args);
	for (i = 0; i < args.argc; i++)
		admin_parse_number("ID", args.argv[i], 1, 9223372036854775807LL);
	admin_begin(a);
	for (i = 0; i < args.argc; i++) {
		const char *id = args.argv[i];

		res = admin_exec(a, "SELECT guichet.quarantine_retry($1)", 1, &id);
		PQclear(res);
	}
	admin_commit(a);
	log_info("%d messages will be imported again by the next guichet-mail import", args.argc);
	return EX_OK;
}

int
cmd_quarantine(struct admin *a, int argc, char **argv)
{
	if (argc < 1)
		admin_usage_of("quarantine", NULL);
	if (strcmp(argv[0], "list") == 0)
		return quarantine_list(a, argc, argv);
	if (strcmp(argv[0], "show") == 0)
		return quarantine_show(a, argc, argv);
	if (strcmp(argv[0], "retry") == 0)
		return quarantine_retry(a, argc, argv);
	admin_usage_of("quarantine", NULL);
}
