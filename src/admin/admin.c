/*
 * admin.c — guichet-admin: global options, the command table and the helpers
 * every command uses to reach the database (one connection, errors mapped to
 * sysexits codes).
 */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "db.h"
#include "admin.h"

static const struct admin_command admin_commands[] = {
	{ NULL, "init", cmd_init, "", N_("install the schema in an empty database") },
	{ NULL, "migrate", cmd_migrate, "", N_("apply the pending migrations") },
	{ NULL, "status", cmd_status, "", N_("show the installed and pending migrations") },
	{ "org", "add", cmd_org_add, N_("CODE NAME"), N_("add an organisation") },
	{ "org", "list", cmd_org_list, N_("[--format F]"), N_("list organisations") },
	{ "district", "add", cmd_district_add, N_("ORG NAME"), N_("add a district") },
	{ "district", "list", cmd_district_list, N_("[ORG] [--format F]"), N_("list districts") },
	{ "queue", "add", cmd_queue_add,
	    N_("CODE --org ORG --name NAME [--level 1|2] "
	       "[--escalate-to Q] [--sla POLICY] [--priority N] [--claim-timeout T] "
	       "[--address A]…"),
	    N_("add a queue") },
	{ "queue", "set", cmd_queue_set,
	    N_("CODE [--name NAME] [--level 1|2] "
	       "[--escalate-to Q|none] [--sla POLICY|none] [--priority N] "
	       "[--claim-timeout T|none] [--address A]… [--remove-address A]… "
	       "[--from-name NAME|none] [--closing TEMPLATE|none] [--active|--inactive] "
	       "[--reply-to-requester yes|no]"),
	    N_("change a queue") },
	{ "queue", "list", cmd_queue_list, N_("[--org ORG] [--format F]"), N_("list queues") },
	{ "queue", "remove", cmd_queue_remove, N_("CODE"),
	    N_("remove a queue (deactivate it when it has tickets)") },
	{ "agent", "add", cmd_agent_add,
	    N_("LOGIN --name NAME --org ORG [--level N] "
	       "[--email E] [--supervisor|--admin] [--password-prompt]"),
	    N_("add an agent and her login role") },
	{ "agent", "set", cmd_agent_set,
	    N_("LOGIN [--name NAME] [--org ORG] [--level N] "
	       "[--email E|none] [--role agent|supervisor|admin] [--active] "
	       "[--password-prompt]"),
	    N_("change an agent") },
	{ "agent", "list", cmd_agent_list, N_("[--org ORG] [--all] [--format F]"),
	    N_("list agents") },
	{ "agent", "remove", cmd_agent_remove, N_("LOGIN"),
	    N_("deactivate an agent and revoke her login") },
	{ "member", "add", cmd_member_add, N_("AGENT QUEUE [--read-only]"),
	    N_("make an agent a member of a queue") },
	{ "member", "remove", cmd_member_remove, N_("AGENT QUEUE"),
	    N_("remove an agent from a queue") },
	{ "member", "list", cmd_member_list, N_("[QUEUE] [--format F]"), N_("list queue members") },
	{ "field", "add", cmd_field_add,
	    N_("NAME --label L --kind text|number|date|enum "
	       "[--allowed a,b,c] [--required[=create|resolve]] [--position N] [--queue Q]…"),
	    N_("define a ticket field") },
	{ "field", "set", cmd_field_set,
	    N_("NAME [--label L] [--allowed a,b,c] [--required create|resolve|no] "
	       "[--position N] [--queue Q]… [--all-queues]"),
	    N_("change a ticket field") },
	{ "field", "list", cmd_field_list, N_("[--format F]"), N_("list ticket fields") },
	{ "field", "remove", cmd_field_remove, N_("NAME"), N_("remove a field no ticket uses") },
	{ "service", "add", cmd_service_add,
	    N_("CODE --org ORG --category C --name N "
	       "[--queue Q] [--sla P]"),
	    N_("add a service to the catalogue") },
	{ "service", "set", cmd_service_set,
	    N_("CODE [--category C] [--name N] [--queue Q|none] [--sla P|none] "
	       "[--active|--inactive]"),
	    N_("change a service of the catalogue") },
	{ "service", "list", cmd_service_list, N_("[--org ORG] [--format F]"),
	    N_("list the catalogue") },
	{ "service", "remove", cmd_service_remove, N_("CODE"),
	    N_("remove a service (deactivate it when tickets use it)") },
	{ "sla", "add", cmd_sla_add,
	    N_("NAME [--first-response T] [--next-response T] "
	       "[--resolution T] [--business-hours HH:MM-HH:MM] [--workdays 1-5] "
	       "[--timezone TZ]"),
	    N_("add an SLA policy") },
	{ "sla", "set", cmd_sla_set,
	    N_("NAME [--first-response T|none] [--next-response T|none] "
	       "[--resolution T|none] [--business-hours HH:MM-HH:MM|none] [--workdays 1-5] "
	       "[--timezone TZ] [--priority N [--clear]]"),
	    N_("change an SLA policy, or its targets for one priority") },
	{ "sla", "list", cmd_sla_list, N_("[--format F]"), N_("list SLA policies") },
	{ "holiday", "add", cmd_holiday_add, N_("YYYY-MM-DD NAME [--org ORG]"),
	    N_("add a holiday (every organisation's, or one's)") },
	{ "holiday", "list", cmd_holiday_list, N_("[--org ORG] [--year Y] [--format F]"),
	    N_("list holidays") },
	{ "holiday", "remove", cmd_holiday_remove, N_("YYYY-MM-DD [--org ORG]"),
	    N_("remove a holiday") },
	{ "template", "add", cmd_template_add, N_("NAME FILE.md [--subject S] [--org ORG]"),
	    N_("add or replace a reply template") },
	{ "template", "list", cmd_template_list, N_("[--format F]"), N_("list templates") },
	{ "template", "show", cmd_template_show, N_("NAME"), N_("print a template") },
	{ "template", "remove", cmd_template_remove, N_("NAME"), N_("remove a template") },
	{ "kb", "add", cmd_kb_add, N_("SLUG FILE.md [--title T] [--tag T]… [--org ORG]"),
	    N_("add or replace a knowledge-base article") },
	{ "kb", "list", cmd_kb_list, N_("[--tag T] [--format F]"),
	    N_("list knowledge-base articles") },
	{ "kb", "show", cmd_kb_show, N_("SLUG"), N_("print a knowledge-base article") },
	{ "kb", "remove", cmd_kb_remove, N_("SLUG"), N_("remove a knowledge-base article") },
	{ NULL, "verify-history", cmd_verify_history, N_("[--ticket N] [--checkpoint DIGEST]"),
	    N_("check the history hash chains and checkpoints") },
	{ NULL, "history-checkpoint", cmd_history_checkpoint, "",
	    N_("anchor the chains and print the digest to keep elsewhere") },
	{ "contact", "export", cmd_contact_export, N_("ID"),
	    N_("print everything held on a person, as JSON (audited)") },
	{ "contact", "erase", cmd_contact_erase, N_("ID --reason REASON"),
	    N_("anonymise everything of a person (audited)") },
	{ "retention", "set", cmd_retention_set, N_("--org ORG --closed-after PERIOD|none"),
	    N_("keep personal data of closed tickets that long") },
	{ "retention", "show", cmd_retention_show, N_("[--org ORG] [--format F]"),
	    N_("show retention periods and the tickets past them") },
	{ "retention", "run", cmd_retention_run, "",
	    N_("anonymise closed tickets past their retention (for cron)") },
	{ NULL, "expire-claims", cmd_expire_claims, "",
	    N_("release lapsed claims, hand absent agents' tickets over (for cron)") },
	{ "quarantine", "list", cmd_quarantine,
	    N_("[--outcome quarantined|held|pending|ignored] "
	       "[--limit N] [--format F]"),
	    N_("list mail the gateway could not import") },
	{ "quarantine", "show", cmd_quarantine, N_("ID [--raw]"),
	    N_("show a quarantined message") },
	{ "quarantine", "retry", cmd_quarantine, N_("ID…"),
	    N_("import quarantined messages again") },
	{ NULL, "demo", cmd_demo,
	    N_("[--tickets N] [--seed S] [--until DATE] "
	       "[--contacts N] [--force]"),
	    N_("fill the database with a realistic demo desk") },
};

static void GUICHET_DEAD
usage(FILE *f, int ex)
{
	const struct admin_command *c;
	char *left;
	size_t i;

	fprintf(f,
	    _("usage: %s [-v] [-d CONNINFO] [-F CONFIG] [--sqldir DIR] "
	      "COMMAND [ARGS…]\n\ncommands:\n"),
	    log_progname());
	for (i = 0; i < nitems(admin_commands); i++) {
		c = &admin_commands[i];
		if (c->group != NULL)
			xasprintf(&left, "%s %s", c->group, c->name);
		else
			left = xstrdup(c->name);
		fprintf(f, "  %-16s %s\n", left, _(c->help));
		free(left);
	}
	fprintf(f, _("\nSee guichet-admin(8).\n"));
	exit(ex);
}

/* The usage line of one command (or of every command of a group). */
void
admin_usage_of(const char *group, const char *name)
{
	const struct admin_command *c;
	size_t i;

	for (i = 0; i < nitems(admin_commands); i++) {
		c = &admin_commands[i];
		if ((group == NULL) != (c->group == NULL))
			continue;
		if (group != NULL && strcmp(group, c->group) != 0)
			continue;
		if (name != NULL && strcmp(name, c->name) != 0)
			continue;
		fprintf(stderr, _("usage: %s %s%s%s %s\n"), log_progname(),
		    group != NULL ? group : "", group != NULL ? " " : "", c->name, _(c->args));
	}
	exit(EX_USAGE);
}

static const struct admin_command *
find_command(int argc, char **argv, int *used)
{
	const struct admin_command *c;
	bool group_known = false;
	size_t i;

	for (i = 0; i < nitems(admin_commands); i++) {
		c = &admin_commands[i];
		if (c->group == NULL && strcmp(argv[0], c->name) == 0) {
			*used = 1;
			return c;
		}
		if (c->group == NULL || strcmp(argv[0], c->group) != 0)
			continue;
		group_known = true;
		if (argc > 1 && strcmp(argv[1], c->name) == 0) {
			*used = 2;
			return c;
		}
	}
	if (group_known) {
		if (argc > 1)
			log_warnx(_("unknown command \"%s %s\""), argv[0], argv[1]);
		admin_usage_of(argv[0], NULL);
	}
	die(EX_USAGE, _("unknown command \"%s\": see %s --help"), argv[0], log_progname());
}

/* Server notices (CREATE … IF NOT EXISTS skipping) are chatter: only with -v. */
static void
admin_notice(void *arg, const char *message)
{
	char *clean;

	clean = sanitize_text(message, 0);
	log_info("%s", clean);
	free(clean);
}

PGconn *
admin_connect(struct admin *a)
{
	char *cause;
	int ex;

	if (a->conn != NULL)
		return a->conn;
	if ((a->conn = db_connect(a->conninfo, &cause)) == NULL)
		die(EX_UNAVAILABLE, "%s", cause);
	PQsetNoticeProcessor(a->conn, admin_notice, NULL);
	if (!a->raw && (ex = db_check_schema(a->conn, &cause)) != 0)
		die(ex, "%s", cause);
	return a->conn;
}

/* A failed statement's sysexits code, from its SQLSTATE. */
static int
admin_exit_code(struct admin *a, const char *sqlstate)
{
	/* A standby (25006) is a server that cannot serve this, not a bug. */
	if (db_connection_lost(a->conn, sqlstate) || strncmp(sqlstate, "08", 2) == 0 ||
	    strcmp(sqlstate, "25006") == 0)
		return EX_UNAVAILABLE;
	if (strcmp(sqlstate, "42501") == 0 || strcmp(sqlstate, GU_DENIED) == 0 ||
	    strcmp(sqlstate, "28000") == 0 || strcmp(sqlstate, "28P01") == 0)
		return EX_NOPERM;
	if (strncmp(sqlstate, "22", 2) == 0 || strncmp(sqlstate, "23", 2) == 0 ||
	    strncmp(sqlstate, "GU", 2) == 0 || strcmp(sqlstate, "P0001") == 0)
		return EX_DATAERR;
	return EX_SOFTWARE;
}

/* Run a statement that must succeed: on error, one line and the mapped exit code. */
PGresult *
admin_exec(struct admin *a, const char *sql, int n, const char *const *params)
{
	PGresult *res;
	char *cause, state[6] = "";

	if ((res = admin_try(a, sql, n, params, &cause, state)) == NULL)
		die(admin_exit_code(a, state), "%s", cause);
	return res;
}

/* Run a statement whose failure the caller handles (NULL, *cause, sqlstate). */
PGresult *
admin_try(struct admin *a, const char *sql, int n, const char *const *params, char **cause,
    char *sqlstate)
{
	admin_connect(a);
	return db_exec(a->conn, sql, n, params, cause, sqlstate);
}

void
admin_begin(struct admin *a)
{
	PQclear(admin_exec(a, "BEGIN", 0, NULL));
}

void
admin_commit(struct admin *a)
{
	PQclear(admin_exec(a, "COMMIT", 0, NULL));
}

/* Constant SQL per kind: the name on the command line is always a parameter. */
static const struct {
	const char *what;
	const char *sql;
} admin_kinds[] = {
	[KIND_ORG] = { N_("organisation"), "SELECT id FROM guichet.organisation WHERE code = $1" },
	[KIND_QUEUE] = { N_("queue"), "SELECT id FROM guichet.queue WHERE code = $1" },
	[KIND_AGENT] = { N_("agent"), "SELECT id FROM guichet.agent WHERE login = $1" },
	[KIND_SLA] = { N_("SLA policy"), "SELECT id FROM guichet.sla_policy WHERE name = $1" },
	[KIND_SERVICE] = { N_("service"), "SELECT id FROM guichet.service WHERE code = $1" },
	[KIND_FIELD] = { N_("field"), "SELECT id FROM guichet.field WHERE name = $1" },
	[KIND_TEMPLATE] = { N_("template"), "SELECT id FROM guichet.template WHERE name = $1" },
	[KIND_KB] = { N_("knowledge-base article"),
	    "SELECT id FROM guichet.kb_article WHERE slug = $1" },
};

static char *
admin_find(struct admin *a, enum admin_kind kind, const char *key)
{
	PGresult *res;
	char *id = NULL;

	res = admin_exec(a, admin_kinds[kind].sql, 1, &key);
	if (PQntuples(res) > 0)
		id = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return id;
}

char *
admin_lookup(struct admin *a, enum admin_kind kind, const char *key)
{
	char *id, *clean;

	if ((id = admin_find(a, kind, key)) == NULL) {
		clean = sanitize_text(key, 0);
		die(EX_DATAERR, _("no %s \"%s\""), _(admin_kinds[kind].what), clean);
	}
	return id;
}

bool
admin_exists(struct admin *a, enum admin_kind kind, const char *key)
{
	char *id;

	if ((id = admin_find(a, kind, key)) == NULL)
		return false;
	free(id);
	return true;
}

/* The same rule as the tables' CHECK, said before the server says it less kindly. */
void
admin_check_code(const char *what, const char *s)
{
	size_t len = strlen(s);
	char *clean;

	if (len == 0 || len > 64 || strchr("abcdefghijklmnopqrstuvwxyz0123456789", *s) == NULL ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != len) {
		clean = sanitize_text(s, 0);
		die(EX_DATAERR,
		    _("invalid %s \"%s\": lower-case letters, digits, \"_\", "
		      "\".\" and \"-\", starting with a letter or digit"),
		    what, clean);
	}
}

static const struct option global_options[] = {
	{ "database", required_argument, NULL, 'd' },
	{ "config", required_argument, NULL, 'F' },
	{ "sqldir", required_argument, NULL, 'S' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int
main(int argc, char **argv)
{
	struct admin a = { 0 };
	const struct admin_command *c;
	const char *config_path = NULL;
	char *cause;
	int ch, used, ex;

	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, LOCALEDIR);
	textdomain(PACKAGE);
	log_open("guichet-admin", 0, 0);

	/* "+": options after the command belong to the command. */
	while ((ch = getopt_long(argc, argv, "+d:F:vhV", global_options, NULL)) != -1) {
		switch (ch) {
		case 'd':
			a.conninfo = optarg;
			break;
		case 'F':
			config_path = optarg;
			break;
		case 'S':
			a.sqldir = optarg;
			break;
		case 'v':
			a.verbosity++;
			break;
		case 'h':
			usage(stdout, EX_OK);
		case 'V':
			printf("guichet-admin %s\n", PACKAGE_VERSION);
			return EX_OK;
		default:
			usage(stderr, EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	log_open("guichet-admin", a.verbosity, 0);
	if (argc == 0)
		usage(stderr, EX_USAGE);

	if ((a.config = config_load(config_path, &cause)) == NULL)
		die(EX_CONFIG, "%s", cause);
	if (a.conninfo == NULL)
		a.conninfo = config_get(a.config, "database");
	if (a.sqldir == NULL)
		a.sqldir = getenv("GUICHET_SQLDIR");
	if (a.sqldir == NULL || *a.sqldir == '\0')
		a.sqldir = PKGDATADIR "/sql";

	c = find_command(argc, argv, &used);
	/* The command sees its own name as argv[0], as getopt expects. */
	ex = c->run(&a, argc - used + 1, argv + used - 1);

	if (a.conn != NULL)
		PQfinish(a.conn);
	config_free(a.config);
	return ex;
}
