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
};

static void GUICHET_DEAD
usage(FILE *f, int ex)
{
	const struct admin_command *c;
	char *left;
	size_t i;

	fprintf(f, _("usage: %s [-v] [-d CONNINFO] [-F CONFIG] [--sqldir DIR] "
	    "COMMAND [ARGS…]\n\ncommands:\n"), log_progname());
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
		    group != NULL ? group : "", group != NULL ? " " : "", c->name,
		    _(c->args));
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

	if (a->conn != NULL)
		return a->conn;
	if ((a->conn = db_connect(a->conninfo, &cause)) == NULL)
		die(EX_UNAVAILABLE, "%s", cause);
	PQsetNoticeProcessor(a->conn, admin_notice, NULL);
	return a->conn;
}

/* A failed statement's sysexits code, from its SQLSTATE. */
static int
admin_exit_code(struct admin *a, const char *sqlstate)
{
	if (db_connection_lost(a->conn, sqlstate) || strncmp(sqlstate, "08", 2) == 0)
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
admin_try(struct admin *a, const char *sql, int n, const char *const *params,
    char **cause, char *sqlstate)
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
