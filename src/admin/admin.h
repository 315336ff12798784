/*
 * admin.h — guichet-admin: the command table, the shared state of one run, and
 * what the command files share (argument parsing, list output).
 */
#ifndef GUICHET_ADMIN_H
#define GUICHET_ADMIN_H

#include <getopt.h>
#include <stdbool.h>

#include "db.h"

/* What every command gets: the options before the command, a lazy connection. */
struct admin {
	const char *conninfo; /* -d, else the config's "database", else NULL */
	const char *sqldir;   /* --sqldir, else $GUICHET_SQLDIR, else PKGDATADIR/sql */
	struct config *config;
	int verbosity;
	PGconn *conn; /* opened by admin_connect() */
	bool raw;     /* init/migrate/status: no schema version check on connect */
};

struct admin_command {
	const char *group; /* "queue", or NULL for a one-word command */
	const char *name;  /* "add" */
	int (*run)(struct admin *, int argc, char **argv);
	const char *args; /* N_("CODE --org ORG --name NAME …") for usage */
	const char *help; /* N_("one line") */
};

/* admin.c */
PGconn *admin_connect(struct admin *);
void admin_usage_of(const char *group, const char *name) GUICHET_DEAD;
PGresult *admin_exec(struct admin *, const char *sql, int n, const char *const *params);
PGresult *admin_try(struct admin *, const char *sql, int n, const char *const *params, char **cause,
    char *sqlstate);
void admin_begin(struct admin *);
void admin_commit(struct admin *);

/* admin-settings.c: the server settings the reports need, for status. */
void status_settings(struct admin *);

/* What a name on the command line refers to; admin_lookup() returns its id. */
enum admin_kind {
	KIND_ORG,
	KIND_QUEUE,
	KIND_AGENT,
	KIND_SLA,
	KIND_SERVICE,
	KIND_FIELD,
	KIND_TEMPLATE,
	KIND_KB,
};
/* The id (caller frees) of an existing object, or exit EX_DATAERR naming it. */
char *admin_lookup(struct admin *, enum admin_kind, const char *key);
/* Does it exist? (for "already exists" messages before an INSERT) */
bool admin_exists(struct admin *, enum admin_kind, const char *key);
/* Codes of organisations, queues, services, knowledge-base slugs. */
void admin_check_code(const char *what, const char *s);

/* admin-args.c — per-command options; each command lists its own. */
struct admin_args {
	int argc;
	char **argv; /* the positional arguments after options */
};
/*
 * Parse argv (argv[0] is the command's name) with getopt_long; calls
 * on_option(opt, optarg, ctx) for each option; a bad option prints usage of the
 * command and exits EX_USAGE. Positional count must be in [min, max].
 */
void admin_parse(const char *group, const char *name, int argc, char **argv,
    const struct option *longopts, void (*on_option)(int, const char *, void *), void *ctx, int min,
    int max, struct admin_args *out);
long long admin_parse_number(const char *what, const char *s, long long min, long long max);
char *admin_parse_interval(const char *what, const char *s);
char *admin_read_file(const char *path, size_t max);
void admin_reject_control(const char *what, const char *s);

/* admin-output.c — list output: an aligned table, CSV or JSON. */
enum admin_format {
	FORMAT_TEXT,
	FORMAT_CSV,
	FORMAT_JSON,
};
enum admin_format admin_parse_format(const char *);
/* Print every column of a result, headers from the column names. */
void admin_print_result(const PGresult *, enum admin_format);
/* Print one row as "name: value" lines (show commands). */
void admin_print_record(const PGresult *, int row);
/* The usual list command: --format, at most one positional filter. */
struct admin_list {
	enum admin_format format;
	const char *filter; /* the positional argument, or NULL */
	const char *org;    /* --org */
	bool all;	    /* --all */
	const char *tag;    /* --tag */
};
void admin_list_args(const char *group, int argc, char **argv, int maxpos, struct admin_list *);
/* Run a list query ($1 = filter, $2 = org, $3 = all, $4 = tag) and print it. */
int admin_list_run(struct admin *, const char *sql, const struct admin_list *);

/* admin-contact.c */
int cmd_contact_export(struct admin *, int, char **);
int cmd_contact_erase(struct admin *, int, char **);

/* admin-retention.c */
int cmd_retention_set(struct admin *, int, char **);
int cmd_retention_show(struct admin *, int, char **);
int cmd_retention_run(struct admin *, int, char **);

/* admin-schema.c */
int cmd_init(struct admin *, int, char **);
int cmd_migrate(struct admin *, int, char **);
int cmd_status(struct admin *, int, char **);

/* admin-org.c */
int cmd_org_add(struct admin *, int, char **);
int cmd_org_list(struct admin *, int, char **);
int cmd_district_add(struct admin *, int, char **);
int cmd_district_list(struct admin *, int, char **);

/* admin-queue.c */
int cmd_queue_add(struct admin *, int, char **);
int cmd_queue_set(struct admin *, int, char **);
int cmd_queue_list(struct admin *, int, char **);
int cmd_queue_remove(struct admin *, int, char **);

/* admin-agent.c */
int cmd_agent_add(struct admin *, int, char **);
int cmd_agent_set(struct admin *, int, char **);
int cmd_agent_list(struct admin *, int, char **);
int cmd_agent_remove(struct admin *, int, char **);

/* admin-member.c */
int cmd_member_add(struct admin *, int, char **);
int cmd_member_remove(struct admin *, int, char **);
int cmd_member_list(struct admin *, int, char **);

/* admin-field.c */
int cmd_field_add(struct admin *, int, char **);
int cmd_field_set(struct admin *, int, char **);
int cmd_field_list(struct admin *, int, char **);
int cmd_field_remove(struct admin *, int, char **);

/* admin-service.c */
int cmd_service_add(struct admin *, int, char **);
int cmd_service_set(struct admin *, int, char **);
int cmd_service_list(struct admin *, int, char **);
int cmd_service_remove(struct admin *, int, char **);

/* admin-sla.c */
int cmd_sla_add(struct admin *, int, char **);
int cmd_sla_set(struct admin *, int, char **);
int cmd_sla_list(struct admin *, int, char **);

/* admin-holiday.c */
int cmd_holiday_add(struct admin *, int, char **);
int cmd_holiday_list(struct admin *, int, char **);
int cmd_holiday_remove(struct admin *, int, char **);

/* admin-template.c */
int cmd_template_add(struct admin *, int, char **);
int cmd_template_list(struct admin *, int, char **);
int cmd_template_show(struct admin *, int, char **);
int cmd_template_remove(struct admin *, int, char **);

/* admin-kb.c */
int cmd_kb_add(struct admin *, int, char **);
int cmd_kb_list(struct admin *, int, char **);
int cmd_kb_show(struct admin *, int, char **);
int cmd_kb_remove(struct admin *, int, char **);

/* admin-history.c */
int cmd_verify_history(struct admin *, int, char **);
int cmd_history_checkpoint(struct admin *, int, char **);
int cmd_expire_claims(struct admin *, int, char **);

/* admin-quarantine.c (written by the mail gateway's engineer) */
int cmd_quarantine(struct admin *, int, char **);

/* admin-demo.c */
int cmd_demo(struct admin *, int, char **);

#endif
