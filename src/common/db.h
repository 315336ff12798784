/*
 * db.h — the libpq connection and the one gate every result goes through.
 * SQL text is constant with $n parameters; user text is never spliced into SQL.
 */
#ifndef GUICHET_DB_H
#define GUICHET_DB_H

#include <libpq-fe.h>
#include <stdbool.h>

/*
 * guichet's own SQLSTATEs, raised by the server-side API (src/sql). db.c turns
 * each into one translated sentence; the server's message text is the detail.
 */
#define GU_CLAIMED "GU001"    /* ticket claimed by someone else (DETAIL: login) */
#define GU_STALE "GU002"      /* ticket changed since it was read (DETAIL: "login|time") */
#define GU_TRANSITION "GU003" /* illegal status transition */
#define GU_DENIED "GU004"     /* the caller may not do this */
#define GU_INVALID "GU005"    /* invalid argument (bad field value, empty reason…) */
#define GU_NOTFOUND "GU006"   /* no such ticket, queue, agent… */

/*
 * Connect with a libpq conninfo string (NULL or "" means the PG* environment and
 * defaults, as psql). Sets application_name to the program's name and
 * client_encoding to UTF8. Returns NULL and sets *cause on failure. A
 * connection string that does not parse exits at once with EX_USAGE ("-d: …"):
 * the configuration file's was checked when it was loaded, so it came from -d.
 */
PGconn *db_connect(const char *conninfo, char **cause);
/*
 * Does a conninfo parse (libpq's PQconninfoParse, before any connection)? A
 * plain database name always does. 0, or -1 with *cause (libpq's sentence).
 */
int db_conninfo_check(const char *conninfo, char **cause);

/*
 * Check that the schema is installed, at the version this program was built
 * for (GUICHET_SCHEMA_VERSION) and with the same API (GUICHET_API_SHA256, the
 * checksum of src/sql/api). Returns 0, or a sysexits code and *cause
 * ("schema 3 is older than this program (4): run guichet-admin migrate").
 */
int db_check_schema(PGconn *, char **cause);

/*
 * The result gate. Runs a parameterised statement (params are text, NULL for SQL
 * NULL). On success returns the result (PGRES_TUPLES_OK or PGRES_COMMAND_OK); on
 * error returns NULL, clears the result and sets *cause to a one-line sentence
 * (translated for guichet's SQLSTATEs) and, when sqlstate is not NULL, copies the
 * five-character SQLSTATE into it (char[6]).
 */
PGresult *db_exec(PGconn *, const char *sql, int nparams, const char *const *params, char **cause,
    char *sqlstate);
/* Same for a result that arrived asynchronously (PQgetResult): clears it on error. */
PGresult *db_check(PGconn *, PGresult *, char **cause, char *sqlstate);
/* Run a statement that returns nothing interesting; 0 or -1 with *cause. */
int db_command(PGconn *, const char *sql, int nparams, const char *const *params, char **cause);
/*
 * Is a pooler (PgBouncer) between us and the server? 1 or 0; -1 with *cause
 * and sqlstate when the question itself failed.
 */
int db_pooled(PGconn *, char **cause, char *sqlstate);

/* One sentence for an error result: guichet's SQLSTATEs translated, others as sent. */
char *db_error_message(const PGresult *);
/* Is this a lost connection (as opposed to an error in the statement)? */
bool db_connection_lost(PGconn *, const char *sqlstate);

/* Read columns by name; a missing column is a bug (fatalx). NULL for SQL NULL. */
int db_column(const PGresult *, const char *name);
const char *db_value(const PGresult *, int row, const char *name);
long long db_int(const PGresult *, int row, const char *name, long long if_null);
bool db_bool(const PGresult *, int row, const char *name);

#endif
