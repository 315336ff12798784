/*
 * admin-schema.c — init, migrate and status: the numbered migrations of the SQL
 * directory (NNNN_name.sql) applied in numeric order, each in its own
 * transaction with its row in guichet.schema_version, serialised between
 * concurrent runs by an advisory lock.
 *
 * A migration is SQL we ship, not user text, so the whole file goes to the server
 * as one simple-query string; its statements run inside our BEGIN … COMMIT.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "db.h"
#include "admin.h"

/* No migration we ship comes near this; a bigger file is a mistake. */
#define MIGRATION_MAX_BYTES (64 * 1024 * 1024)

struct migration {
	int version;
	char *file; /* "0002_history.sql" */
	char *name; /* "history" */
	bool applied;
};

struct migrations {
	struct migration *list;
	size_t n;
	int installed;	   /* highest applied version, 0 when none */
	bool schema;	   /* schema guichet exists */
	bool has_versions; /* guichet.schema_version exists */
	int *unknown;	   /* applied versions with no file here (a newer release) */
	size_t nunknown;
};

static int
migration_cmp(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/* "NNNN_name.sql" → version and name; anything else (README.md, editor backups) is skipped. */
static bool
migration_name(const char *file, int *version, char **name)
{
	size_t len = strlen(file), digits = strspn(file, "0123456789");
	long long v;
	char *num;

	if (digits == 0 || digits > 9 || file[digits] != '_' || len < digits + 6 ||
	    strcmp(file + len - 4, ".sql") != 0)
		return false;
	num = xstrndup(file, digits);
	if (parse_int(num, 1, 999999999, &v) != 0) {
		free(num);
		return false;
	}
	free(num);
	*version = (int)v;
	*name = xstrndup(file + digits + 1, len - digits - 1 - 4);
	return true;
}

static void
migrations_read_dir(const char *dir, struct migrations *m)
{
	struct dirent *de;
	struct migration *x;
	DIR *d;
	size_t i;

	if ((d = opendir(dir)) == NULL)
		die(EX_CONFIG, _("SQL directory %s: %s (set --sqldir or GUICHET_SQLDIR)"), dir,
		    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		int version;
		char *name;

		if (!migration_name(de->d_name, &version, &name))
			continue;
		m->list = xreallocarray(m->list, m->n + 1, sizeof *m->list);
		x = &m->list[m->n++];
		x->version = version;
		x->name = name;
		x->file = xstrdup(de->d_name);
		x->applied = false;
	}
	closedir(d);
	if (m->n == 0)
		die(EX_CONFIG, _("SQL directory %s holds no migrations (NNNN_name.sql)"), dir);
	qsort(m->list, m->n, sizeof *m->list, migration_cmp);
	for (i = 1; i < m->n; i++) {
		if (m->list[i].version == m->list[i - 1].version)
			die(EX_CONFIG, _("SQL directory %s: %s and %s have the same number"), dir,
			    m->list[i - 1].file, m->list[i].file);
	}
}

static struct migration *
migrations_find(struct migrations *m, int version)
{
	struct migration key = { .version = version };

	return bsearch(&key, m->list, m->n, sizeof *m->list, migration_cmp);
}

/* What the database has: the schema, and which versions were applied. */
static void
migrations_read_db(struct admin *a, struct migrations *m)
{
	struct migration *x;
	PGresult *res;
	int i, v;

	res = admin_exec(a,
	    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'guichet') AS schema, "
	    "to_regclass('guichet.schema_version') IS NOT NULL AS has_versions",
	    0, NULL);
	m->schema = db_bool(res, 0, "schema");
	m->has_versions = db_bool(res, 0, "has_versions");
	PQclear(res);
	m->installed = 0;
	m->nunknown = 0;
	if (!m->has_versions)
		return;
	res = admin_exec(a, "SELECT version FROM guichet.schema_version ORDER BY version", 0, NULL);
	for (i = 0; i < PQntuples(res); i++) {
		v = (int)db_int(res, i, "version", 0);
		if (v > m->installed)
			m->installed = v;
		if ((x = migrations_find(m, v)) != NULL)
			x->applied = true;
		else {
			m->unknown = xreallocarray(m->unknown, m->nunknown + 1, sizeof *m->unknown);
			m->unknown[m->nunknown++] = v;
		}
	}
	PQclear(res);
}

static void
migrations_free(struct migrations *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->list[i].file);
		free(m->list[i].name);
	}
	free(m->list);
	free(m->unknown);
}

static char *
migration_text(const char *dir, const struct migration *x)
{
	char *path, *text;
	struct stat st;

	xasprintf(&path, "%s/%s", dir, x->file);
	if (stat(path, &st) == -1)
		die(EX_CONFIG, _("%s: %s"), path, strerror(errno));
	if (st.st_size > MIGRATION_MAX_BYTES)
		die(EX_CONFIG, _("%s: larger than %d bytes"), path, MIGRATION_MAX_BYTES);
	text = admin_read_file(path, MIGRATION_MAX_BYTES);
	free(path);
	return text;
}

/* The line of a character offset (1-based, counted in characters as the server does). */
static int
line_of(const char *text, long pos)
{
	const unsigned char *p;
	int line = 1;

	for (p = (const unsigned char *)text; *p != '\0' && pos > 1; p++) {
		if ((*p & 0xc0) != 0x80)
			pos--;
		if (*p == '\n')
			line++;
	}
	return line;
}

/* Apply one migration in its own transaction; on failure roll back and exit. */
static void
migration_apply(struct admin *a, const char *dir, const struct migration *x)
{
	const char *params[2];
	char *text, *cause, state[6] = "", version[16];
	const char *pos;
	PGresult *res;
	int line = 0;

	text = migration_text(dir, x);
	log_info("applying %s", x->file);
	admin_begin(a);
	res = PQexec(a->conn, text);
	if (res != NULL && (pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION)) != NULL)
		line = line_of(text, atol(pos));
	if ((res = db_check(a->conn, res, &cause, state)) == NULL) {
		PQclear(PQexec(a->conn, "ROLLBACK"));
		if (line > 0)
			die(db_connection_lost(a->conn, state) ? EX_UNAVAILABLE : EX_SOFTWARE,
			    _("%s/%s:%d: %s"), dir, x->file, line, cause);
		die(db_connection_lost(a->conn, state) ? EX_UNAVAILABLE : EX_SOFTWARE,
		    _("%s/%s: %s"), dir, x->file, cause);
	}
	PQclear(res);
	free(text);
	snprintf(version, sizeof version, "%d", x->version);
	params[0] = version;
	params[1] = x->name;
	PQclear(admin_exec(a,
	    "INSERT INTO guichet.schema_version (version, name) "
	    "VALUES ($1, $2)",
	    2, params));
	admin_commit(a);
}

/*
 * Connect, take the migration lock and read both sides. The lock is held for
 * the session: a second init or migrate waits here, then sees the first's work.
 */
static void
migrations_open(struct admin *a, struct migrations *m, bool lock)
{
	memset(m, 0, sizeof *m);
	a->raw = true;
	migrations_read_dir(a->sqldir, m);
	admin_connect(a);
	if (lock) {
		/* A migration may legitimately run long: no client-side timeouts. */
		PQclear(admin_exec(a, "SET statement_timeout = 0", 0, NULL));
		PQclear(admin_exec(a, "SET lock_timeout = 0", 0, NULL));
		PQclear(admin_exec(
		    a, "SELECT pg_advisory_lock(hashtext('guichet.schema_migrate'))", 0, NULL));
	}
	migrations_read_db(a, m);
}

static int
migrations_run(struct admin *a, struct migrations *m)
{
	size_t i, done = 0;

	for (i = 0; i < m->n; i++) {
		if (m->list[i].applied)
			continue;
		migration_apply(a, a->sqldir, &m->list[i]);
		done++;
	}
	if (m->nunknown > 0)
		log_warnx(_("the database has migrations newer than %s (version %d): "
			    "this guichet is older than the schema"),
		    a->sqldir, m->installed);
	log_info("schema guichet at version %d, %zu migrations applied",
	    m->n > 0 ? (m->list[m->n - 1].version > m->installed ? m->list[m->n - 1].version :
								   m->installed) :
		       0,
	    done);
	return EX_OK;
}

static void
schema_option(int ch, const char *arg, void *ctx)
{
	struct admin *a = ctx;

	if (ch == 'S')
		a->sqldir = arg;
}

static void
schema_args(const char *name, int argc, char **argv, struct admin *a)
{
	static const struct option opts[] = {
		{ "sqldir", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct admin_args args;

	admin_parse(NULL, name, argc, argv, opts, schema_option, a, 0, 0, &args);
}

int
cmd_init(struct admin *a, int argc, char **argv)
{
	struct migrations m;
	int ex;

	schema_args("init", argc, argv, a);
	migrations_open(a, &m, true);
	if (m.has_versions)
		die(EX_USAGE,
		    _("schema guichet already installed (version %d): "
		      "use guichet-admin migrate"),
		    m.installed);
	if (m.schema)
		die(EX_USAGE,
		    _("a schema guichet exists but was not installed by "
		      "guichet-admin (no guichet.schema_version): drop it or use another database"));
	ex = migrations_run(a, &m);
	migrations_free(&m);
	return ex;
}

int
cmd_migrate(struct admin *a, int argc, char **argv)
{
	struct migrations m;
	int ex;

	schema_args("migrate", argc, argv, a);
	migrations_open(a, &m, true);
	if (m.schema && !m.has_versions)
		die(EX_USAGE,
		    _("a schema guichet exists but was not installed by "
		      "guichet-admin (no guichet.schema_version): drop it or use another database"));
	ex = migrations_run(a, &m);
	migrations_free(&m);
	return ex;
}

int
cmd_status(struct admin *a, int argc, char **argv)
{
	struct migrations m;
	size_t i, pending = 0;

	schema_args("status", argc, argv, a);
	migrations_open(a, &m, false);
	if (!m.has_versions)
		printf(_("schema guichet: not installed (run guichet-admin init)\n"));
	else
		printf(_("schema guichet: version %d\n"), m.installed);
	printf(_("migrations in %s: %d to %d\n"), a->sqldir, m.list[0].version,
	    m.list[m.n - 1].version);
	for (i = 0; i < m.n; i++) {
		if (m.list[i].applied)
			continue;
		if (pending++ == 0)
			printf(_("pending:\n"));
		printf("  %s\n", m.list[i].file);
	}
	if (pending == 0)
		printf(_("up to date\n"));
	for (i = 0; i < m.nunknown; i++)
		printf(_("applied but unknown here: %d (the schema is newer than this "
			 "guichet)\n"),
		    m.unknown[i]);
	migrations_free(&m);
	return EX_OK;
}
