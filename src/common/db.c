/*
 * db.c — the libpq connection, the schema version check and the one gate every
 * result goes through. Statements are constant text with $n parameters; errors
 * come back as one sanitised sentence, translated for guichet's own SQLSTATEs,
 * because they end up on a status line in front of an agent.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "db.h"
#include "schema-version.h"

/* Server messages can quote what a user typed: one line, no controls. */
static char *
db_one_line(const char *message)
{
	char *s;
	size_t len;

	s = sanitize_text(message != NULL ? message : "", 0);
	len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		s[--len] = '\0';
	return s;
}

/*
 * Notices would be printed on stderr by libpq, in the middle of a curses screen:
 * route them to the log, where -v shows warnings and -vv everything.
 */
static void
db_notice(void *arg, const PGresult *res)
{
	const char *severity, *message;
	char *line;

	(void)arg;
	severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	line = db_one_line(message);
	if (severity != NULL && strcmp(severity, "WARNING") == 0)
		log_info("server warning: %s", line);
	else
		log_debug("server notice: %s", line);
	free(line);
}

/*
 * libpq reads a conninfo as a connection string when it holds '=' or starts
 * with a URI prefix; anything else is a database name (psql's "-d guichet").
 */
static bool
db_is_connection_string(const char *conninfo)
{
	return strchr(conninfo, '=') != NULL || strncmp(conninfo, "postgresql://", 13) == 0 ||
	    strncmp(conninfo, "postgres://", 11) == 0;
}

int
db_conninfo_check(const char *conninfo, char **cause)
{
	PQconninfoOption *options;
	char *error = NULL;

	if (conninfo == NULL || !db_is_connection_string(conninfo))
		return 0;
	if ((options = PQconninfoParse(conninfo, &error)) != NULL) {
		PQconninfoFree(options);
		return 0;
	}
	if (error != NULL) {
		*cause = db_one_line(error);
		PQfreemem(error);
	} else
		*cause = xstrdup(_("cannot parse the connection string: out of memory"));
	return -1;
}

PGconn *
db_connect(const char *conninfo, char **cause)
{
	/*
	 * application_name comes first so that one written in the conninfo wins;
	 * client_encoding comes last because every byte we read must be UTF-8.
	 */
	const char *keywords[] = { "application_name", "dbname", "client_encoding", NULL };
	const char *values[] = { log_progname(), conninfo, "UTF8", NULL };
	PGconn *conn;
	char *why;

	if (conninfo != NULL && *conninfo == '\0')
		values[1] = NULL;
	/*
	 * A connection string that does not parse is the user's mistake, not an
	 * unavailable server: retrying (an MTA on 75, cron on 69) cannot help.
	 * The configuration file's "set database" was checked when it was loaded
	 * (config.c, EX_CONFIG with its file and line), so this one came from -d.
	 */
	if (db_conninfo_check(values[1], &why) == -1)
		die(EX_USAGE, _("-d: %s"), why);
	conn = PQconnectdbParams(keywords, values, 1);
	if (conn == NULL) {
		*cause = xstrdup(_("cannot connect to the database: out of memory"));
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		*cause = db_one_line(PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeReceiver(conn, db_notice, NULL);
	return conn;
}

/*
 * The schema this program was built for: the last migration's number and the
 * API's checksum (src/common/schema-version.h, generated from src/sql). The
 * API is re-created by every migrate, so a differing checksum at the same
 * version also means "run guichet-admin migrate".
 */
int
db_check_schema(PGconn *conn, char **cause)
{
	static const char sql_installed[] =
	    "SELECT to_regclass('guichet.schema_version') IS NOT NULL AS installed, "
	    "to_regclass('guichet.schema_api') IS NOT NULL AS checksummed";
	static const char sql_version[] =
	    "SELECT (SELECT max(version) FROM guichet.schema_version) AS version, "
	    "(SELECT sha256 FROM guichet.schema_api) AS api";
	PGresult *res;
	char sqlstate[6];
	long long version = 0;
	bool installed, checksummed, api_same = false;

	if ((res = db_exec(conn, sql_installed, 0, NULL, cause, sqlstate)) == NULL)
		goto failed;
	installed = db_bool(res, 0, "installed");
	checksummed = db_bool(res, 0, "checksummed");
	PQclear(res);
	if (installed && !checksummed) {
		*cause = xstrdup(_("schema guichet was installed by a development version before "
				   "0.1.0: re-create the database"));
		return EX_CONFIG;
	}
	if (installed) {
		if ((res = db_exec(conn, sql_version, 0, NULL, cause, sqlstate)) == NULL)
			goto failed;
		version = db_int(res, 0, "version", 0);
		api_same = db_value(res, 0, "api") != NULL &&
		    strcmp(db_value(res, 0, "api"), GUICHET_API_SHA256) == 0;
		PQclear(res);
	}

	if (version == 0) {
		*cause = xstrdup(_("schema not installed: run guichet-admin init"));
		return EX_CONFIG;
	}
	if (version < GUICHET_SCHEMA_VERSION) {
		xasprintf(cause,
		    _("schema %lld is older than this program (%d): "
		      "run guichet-admin migrate"),
		    version, GUICHET_SCHEMA_VERSION);
		return EX_CONFIG;
	}
	if (version > GUICHET_SCHEMA_VERSION) {
		xasprintf(cause,
		    _("schema %lld is newer than this program (%d): "
		      "this program is older than the database (upgrade guichet)"),
		    version, GUICHET_SCHEMA_VERSION);
		return EX_CONFIG;
	}
	if (!api_same) {
		*cause = xstrdup(_("the database's SQL API differs from this program's: "
				   "run guichet-admin migrate"));
		return EX_CONFIG;
	}
	return 0;

failed:
	if (strcmp(sqlstate, "42501") == 0)
		return EX_NOPERM;
	return EX_UNAVAILABLE;
}

PGresult *
db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params, char **cause,
    char *sqlstate)
{
	PGresult *res;

	res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	return db_check(conn, res, cause, sqlstate);
}

static void
db_set_state(char *sqlstate, const char *state)
{
	memcpy(sqlstate, state, 6);
}

/* Was the statement refused because the connection is gone? */
static bool
db_lost_state(const char *state)
{
	return strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0;
}

PGresult *
db_check(PGconn *conn, PGresult *res, char **cause, char *sqlstate)
{
	const char *state;
	char scratch[6];

	if (sqlstate == NULL)
		sqlstate = scratch;
	if (res == NULL) {
		/* libpq returns no result when out of memory or the link broke. */
		db_set_state(sqlstate, PQstatus(conn) == CONNECTION_BAD ? "08006" : "58000");
		*cause = db_one_line(PQerrorMessage(conn));
		if (**cause == '\0') {
			free(*cause);
			*cause = xstrdup(_("the database did not answer"));
		}
		return NULL;
	}
	switch (PQresultStatus(res)) {
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
	case PGRES_SINGLE_TUPLE:
	case PGRES_EMPTY_QUERY:
	case PGRES_COPY_IN:
	case PGRES_COPY_OUT:
	case PGRES_COPY_BOTH:
		db_set_state(sqlstate, "00000");
		return res;
	default:
		break;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state != NULL && strlen(state) == 5)
		db_set_state(sqlstate, state);
	else if (PQstatus(conn) == CONNECTION_BAD)
		db_set_state(sqlstate, "08006"); /* libpq's "server closed the connection" */
	else
		db_set_state(sqlstate, "XX000");
	*cause = db_error_message(res);
	PQclear(res);
	return NULL;
}

int
db_command(PGconn *conn, const char *sql, int nparams, const char *const *params, char **cause)
{
	PGresult *res;

	if ((res = db_exec(conn, sql, nparams, params, cause, NULL)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/*
 * A pooler answers the startup itself, with a cancel key of its own: the
 * backend pid libpq was given is not the one of the backend that runs our
 * statements. (Session state, a session lock for one, does not outlive a
 * transaction behind a pooler in transaction mode.)
 */
int
db_pooled(PGconn *conn, char **cause, char *sqlstate)
{
	PGresult *res;
	long long pid;

	if ((res = db_exec(conn, "SELECT pg_backend_pid() AS pid", 0, NULL, cause, sqlstate)) ==
	    NULL)
		return -1;
	pid = db_int(res, 0, "pid", 0);
	PQclear(res);
	return pid != PQbackendPID(conn);
}

/* GU002's DETAIL is "login|time": who changed the ticket, and when. */
static char *
db_stale_message(const char *detail)
{
	char *who, *when, *s;

	if (detail == NULL || strchr(detail, '|') == NULL)
		return xstrdup(_("This ticket was changed since you read it: reload it first."));
	s = xstrdup(detail);
	when = strchr(s, '|');
	*when++ = '\0';
	who = s;
	xasprintf(&s, _("This ticket was changed by %s at %s: reload it first."), who, when);
	free(who);
	return s;
}

char *
db_error_message(const PGresult *res)
{
	const char *state, *primary, *detail;
	char *message = NULL, *line, *clean_detail;

	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	if (primary == NULL)
		primary = PQresultErrorMessage(res);
	if (primary == NULL || *primary == '\0')
		primary = _("unknown database error");
	if (state == NULL)
		state = "";
	clean_detail = detail != NULL ? db_one_line(detail) : NULL;

	if (strcmp(state, GU_CLAIMED) == 0) {
		if (clean_detail != NULL && *clean_detail != '\0')
			xasprintf(
			    &message, _("This ticket is already claimed by %s."), clean_detail);
		else
			message = xstrdup(_("This ticket is already claimed by someone else."));
	} else if (strcmp(state, GU_STALE) == 0)
		message = db_stale_message(clean_detail);
	else if (strcmp(state, GU_TRANSITION) == 0)
		xasprintf(&message, _("This status change is not allowed: %s"), primary);
	else if (strcmp(state, GU_DENIED) == 0)
		xasprintf(&message, _("You are not allowed to do this: %s"), primary);
	else if (strcmp(state, GU_INVALID) == 0)
		xasprintf(&message, _("Invalid value: %s"), primary);
	else if (strcmp(state, GU_NOTFOUND) == 0)
		xasprintf(&message, _("Not found: %s"), primary);
	else if (strcmp(state, "25006") == 0)
		/*
		 * A hot standby's refusal ("cannot execute UPDATE in a read-only
		 * transaction"): what was refused matters less than where to go.
		 */
		message = xstrdup(
		    _("the database is read-only (a standby?): connect to the primary"));
	else
		message = xstrdup(primary);
	free(clean_detail);
	line = db_one_line(message);
	free(message);
	return line;
}

bool
db_connection_lost(PGconn *conn, const char *sqlstate)
{
	if (conn == NULL || PQstatus(conn) == CONNECTION_BAD)
		return true;
	return sqlstate != NULL && db_lost_state(sqlstate);
}

int
db_column(const PGresult *res, const char *name)
{
	int col;

	if ((col = PQfnumber(res, name)) < 0)
		fatalx("result has no column \"%s\"", name);
	return col;
}

const char *
db_value(const PGresult *res, int row, const char *name)
{
	int col = db_column(res, name);

	if (row < 0 || row >= PQntuples(res))
		fatalx("row %d of column \"%s\" out of range (%d rows)", row, name, PQntuples(res));
	if (PQgetisnull(res, row, col))
		return NULL;
	return PQgetvalue(res, row, col);
}

long long
db_int(const PGresult *res, int row, const char *name, long long if_null)
{
	const char *v;
	char *end;
	long long n;

	if ((v = db_value(res, row, name)) == NULL)
		return if_null;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0')
		fatalx("column \"%s\" is not an integer: \"%s\"", name, v);
	return n;
}

bool
db_bool(const PGresult *res, int row, const char *name)
{
	const char *v = db_value(res, row, name);

	return v != NULL && strcmp(v, "t") == 0;
}
