/*
 * admin-agent.c — agents: a row in guichet.agent and a PostgreSQL login role of
 * the same name, member of guichet_agent (and guichet_supervisor or
 * guichet_admin). Roles are created and granted by the 0040 helper functions,
 * which quote the name server-side; passwords are sent as verifiers only.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common.h"
#include "admin.h"

struct agent_opts {
	const char *name;
	const char *org;
	const char *level;
	const char *email; /* "none" clears on set */
	const char *role;  /* agent, supervisor, admin */
	const char *active;
	bool password;
};

static const struct option agent_options[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "org", required_argument, NULL, 'o' },
	{ "level", required_argument, NULL, 'l' },
	{ "email", required_argument, NULL, 'e' },
	{ "supervisor", no_argument, NULL, 'S' },
	{ "admin", no_argument, NULL, 'A' },
	{ "role", required_argument, NULL, 'r' },
	{ "active", no_argument, NULL, 'y' },
	{ "password-prompt", no_argument, NULL, 'P' },
	{ NULL, 0, NULL, 0 },
};

static void
agent_option(int ch, const char *arg, void *ctx)
{
	struct agent_opts *o = ctx;

	switch (ch) {
	case 'n':
		o->name = arg;
		break;
	case 'o':
		o->org = arg;
		break;
	case 'l':
		admin_parse_number("--level", arg, 1, 2);
		o->level = arg;
		break;
	case 'e':
		o->email = arg;
		break;
	case 'S':
		o->role = "supervisor";
		break;
	case 'A':
		o->role = "admin";
		break;
	case 'r':
		if (strcmp(arg, "agent") != 0 && strcmp(arg, "supervisor") != 0 &&
		    strcmp(arg, "admin") != 0)
			die(EX_USAGE, _("--role must be agent, supervisor or admin"));
		o->role = arg;
		break;
	case 'y':
		o->active = "true";
		break;
	case 'P':
		o->password = true;
		break;
	}
}

static void
agent_check_email(const char *email)
{
	const char *at;

	if (email == NULL || strcmp(email, "none") == 0)
		return;
	admin_reject_control(_("mail address"), email);
	at = strchr(email, '@');
	if (at == NULL || at == email || at[1] == '\0' || strchr(email, ' ') != NULL)
		die(EX_DATAERR, _("invalid mail address \"%s\""), email);
}

/* One line without its newline; echo off when it comes from a terminal. */
static char *
agent_read_line(FILE *f, const char *prompt, bool tty)
{
	struct termios old, quiet;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		tcgetattr(fileno(f), &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(f), TCSAFLUSH, &quiet);
	}
	n = getline(&line, &cap, f);
	if (tty) {
		tcsetattr(fileno(f), TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n <= 0) {
		free(line);
		die(EX_NOINPUT, _("no password given"));
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

/*
 * The password, asked twice on a terminal or read as one line from standard
 * input (scripts), turned into a SCRAM verifier with the server's settings.
 */
static char *
agent_password(struct admin *a, const char *login)
{
	bool tty = isatty(STDIN_FILENO);
	char *first, *second, *verifier, *result;

	first = agent_read_line(stdin, _("Password: "), tty);
	if (tty) {
		second = agent_read_line(stdin, _("Again: "), tty);
		if (strcmp(first, second) != 0)
			die(EX_DATAERR, _("the passwords differ"));
		free(second);
	}
	if (*first == '\0')
		die(EX_DATAERR, _("the password must not be empty"));
	admin_connect(a);
	if ((verifier = PQencryptPasswordConn(a->conn, first, login, NULL)) == NULL)
		die(EX_SOFTWARE, _("cannot encrypt the password: %s"), PQerrorMessage(a->conn));
	explicit_bzero(first, strlen(first));
	free(first);
	result = xstrdup(verifier);
	PQfreemem(verifier);
	return result;
}

int
cmd_agent_add(struct admin *a, int argc, char **argv)
{
	struct agent_opts o = { 0 };
	struct admin_args args;
	const char *params[5];
	char *org, *password = NULL;
	PGresult *res;
	bool created;

	admin_parse("agent", "add", argc, argv, agent_options, agent_option, &o, 1, 1, &args);
	if (o.name == NULL || o.org == NULL)
		die(EX_USAGE, _("agent add needs --name and --org"));
	admin_reject_control(_("name"), o.name);
	if (*o.name == '\0')
		die(EX_DATAERR, _("the name must not be empty"));
	agent_check_email(o.email);
	if (o.password)
		password = agent_password(a, args.argv[0]);
	admin_begin(a);
	if (admin_exists(a, KIND_AGENT, args.argv[0]))
		die(EX_DATAERR, _("agent \"%s\" already exists (agent set changes her)"),
		    args.argv[0]);
	org = admin_lookup(a, KIND_ORG, o.org);

	params[0] = args.argv[0];
	params[1] = password;
	res = admin_exec(a, "SELECT guichet.admin_create_login($1, $2) AS created", 2, params);
	created = db_bool(res, 0, "created");
	PQclear(res);
	params[1] = o.role != NULL ? o.role : "agent";
	PQclear(admin_exec(a, "SELECT guichet.admin_set_login_role($1, $2)", 2, params));
	params[1] = o.name;
	params[2] = o.email;
	params[3] = org;
	params[4] = o.level != NULL ? o.level : "1";
	PQclear(admin_exec(a,
	    "INSERT INTO guichet.agent (login, display_name, email, "
	    "organisation_id, level) VALUES ($1, $2, $3, $4, $5)",
	    5, params));
	admin_commit(a);
	log_info("agent %s added (%s login role)", args.argv[0], created ? "new" : "existing");
	free(org);
	free(password);
	return EX_OK;
}

int
cmd_agent_set(struct admin *a, int argc, char **argv)
{
	struct agent_opts o = { 0 };
	struct admin_args args;
	const char *params[6];
	char *id, *org = NULL, *password = NULL;

	admin_parse("agent", "set", argc, argv, agent_options, agent_option, &o, 1, 1, &args);
	if (o.name != NULL) {
		admin_reject_control(_("name"), o.name);
		if (*o.name == '\0')
			die(EX_DATAERR, _("the name must not be empty"));
	}
	agent_check_email(o.email);
	if (o.password)
		password = agent_password(a, args.argv[0]);
	admin_begin(a);
	id = admin_lookup(a, KIND_AGENT, args.argv[0]);
	if (o.org != NULL)
		org = admin_lookup(a, KIND_ORG, o.org);
	params[0] = id;
	params[1] = o.name;
	params[2] = o.email;
	params[3] = org;
	params[4] = o.level;
	params[5] = o.active;
	PQclear(admin_exec(a,
	    "UPDATE guichet.agent SET "
	    "display_name = coalesce($2, display_name), "
	    "email = CASE WHEN $3::text IS NULL THEN email "
	    "WHEN $3 = 'none' THEN NULL ELSE $3 END, "
	    "organisation_id = coalesce($4::int, organisation_id), "
	    "level = coalesce($5::smallint, level), "
	    "active = coalesce($6::boolean, active) WHERE id = $1",
	    6, params));
	params[0] = args.argv[0];
	if (o.role != NULL) {
		params[1] = o.role;
		PQclear(admin_exec(a, "SELECT guichet.admin_set_login_role($1, $2)", 2, params));
	}
	if (o.active != NULL)
		PQclear(
		    admin_exec(a, "SELECT guichet.admin_set_login_enabled($1, true)", 1, params));
	if (password != NULL) {
		params[1] = password;
		PQclear(admin_exec(a, "SELECT guichet.admin_create_login($1, $2)", 2, params));
	}
	admin_commit(a);
	free(id);
	free(org);
	free(password);
	return EX_OK;
}

int
cmd_agent_list(struct admin *a, int argc, char **argv)
{
	struct admin_list l;

	admin_list_args("agent", argc, argv, 0, &l);
	if (l.org != NULL)
		free(admin_lookup(a, KIND_ORG, l.org));
	return admin_list_run(a,
	    "SELECT g.login, g.display_name AS name, g.email, o.code AS org, g.level, "
	    "guichet.admin_login_role(g.login) AS role, g.active, "
	    "coalesce(r.rolcanlogin, false) AS can_login, "
	    "(SELECT string_agg(q.code || CASE WHEN m.may_write THEN '' ELSE '(ro)' END, "
	    " ' ' ORDER BY q.code) FROM guichet.queue_member m "
	    " JOIN guichet.queue q ON q.id = m.queue_id WHERE m.agent_id = g.id) AS queues, "
	    "CASE WHEN g.absent_from <= now() AND (g.absent_until IS NULL "
	    " OR g.absent_until > now()) THEN 'absent' ELSE '' END AS presence "
	    "FROM guichet.agent g JOIN guichet.organisation o ON o.id = g.organisation_id "
	    "LEFT JOIN pg_roles r ON r.rolname = g.login "
	    "WHERE ($2::text IS NULL OR o.code = $2) AND (g.active OR $3) "
	    "ORDER BY o.code, g.login",
	    &l);
}

/*
 * Removing an agent keeps her row (history and tickets name her) but she can no
 * longer log in, and her claims are given back to the queue so that nothing
 * waits on someone who left.
 */
int
cmd_agent_remove(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	const char *params[1];
	PGresult *res;
	char *id;

	admin_parse("agent", "remove", argc, argv, NULL, NULL, NULL, 1, 1, &args);
	admin_begin(a);
	id = admin_lookup(a, KIND_AGENT, args.argv[0]);
	params[0] = id;
	PQclear(admin_exec(a, "UPDATE guichet.agent SET active = false WHERE id = $1", 1, params));
	res = admin_exec(a,
	    "SELECT count(guichet.release(t.id)) AS n FROM guichet.ticket t "
	    "WHERE t.owner_id = $1 AND t.status IN ('new', 'open', 'pending')",
	    1, params);
	log_info("%s: %lld tickets released", args.argv[0], db_int(res, 0, "n", 0));
	PQclear(res);
	params[0] = args.argv[0];
	PQclear(admin_exec(a, "SELECT guichet.admin_set_login_enabled($1, false)", 1, params));
	admin_commit(a);
	free(id);
	return EX_OK;
}
