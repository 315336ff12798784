/*
 * admin-schema.c — init, migrate and status: the SQL directory's forward-only
 * schema migrations (schema/NNNN_name.sql, applied once each, checksummed)
 * and its API (api/NN-topic.sql: functions, triggers, views, policies and
 * grants, re-created from source whenever a migration is applied or the API's
 * checksum differs from the database's).
 *
 * An upgrade is one transaction: the pending migrations, then the API dropped
 * and created again, then the checksums recorded. The installer holds the
 * membership of guichet_owner for that transaction only (unless superuser).
 * Concurrent runs are serialised by an advisory lock.
 *
 * The files are SQL we ship, not user text, so each goes to the server whole
 * as one simple-query string; its statements run inside our BEGIN … COMMIT.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"
#include "db.h"
#include "admin.h"

/* No file we ship comes near this; a bigger file is a mistake. */
#define SQLFILE_MAX_BYTES (64 * 1024 * 1024)

enum sqlfile_state {
	SQLFILE_PENDING,
	SQLFILE_APPLIED,
	SQLFILE_CHANGED, /* applied, but the file's checksum is not the recorded one */
};

struct sqlfile {
	int version;	 /* migrations: NNNN; API files: 0 */
	char *file;	 /* "0001_base.sql", "10-history.sql" */
	char *name;	 /* "base" (migrations) */
	char *text;	 /* the file's bytes */
	char sha256[65]; /* of the bytes, hex */
	enum sqlfile_state state;
};

struct schema {
	char *schemadir, *apidir;
	struct sqlfile *mig, *api;
	size_t nmig, napi;
	char api_sha256[65]; /* over the API files: names, sizes and bytes */
	int installed;	     /* highest applied version, 0 when none */
	bool schema;	     /* schema guichet exists */
	bool has_versions;   /* guichet.schema_version exists */
	bool legacy;	     /* installed before 0.1.0: no checksums */
	char *db_api;	     /* the API checksum recorded, NULL when none */
	int *unknown;	     /* applied versions with no file here (a newer release) */
	size_t nunknown;
};

static int
sqlfile_cmp_version(const void *a, const void *b)
{
	const struct sqlfile *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

static int
sqlfile_cmp_name(const void *a, const void *b)
{
	const struct sqlfile *x = a, *y = b;

	return strcmp(x->file, y->file);
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

/* "NN-topic.sql": a digit first, ".sql" last. */
static bool
api_name(const char *file)
{
	size_t len = strlen(file);

	return len > 5 && file[0] >= '0' && file[0] <= '9' && strcmp(file + len - 4, ".sql") == 0;
}

static char *
sqlfile_read(const char *dir, const char *file)
{
	char *path, *text;
	struct stat st;

	xasprintf(&path, "%s/%s", dir, file);
	if (stat(path, &st) == -1)
		die(EX_CONFIG, _("%s: %s"), path, strerror(errno));
	if (st.st_size > SQLFILE_MAX_BYTES)
		die(EX_CONFIG, _("%s: larger than %d bytes"), path, SQLFILE_MAX_BYTES);
	text = admin_read_file(path, SQLFILE_MAX_BYTES);
	free(path);
	return text;
}

/* The files of one subdirectory, sorted: migrations by number, API files by name. */
static struct sqlfile *
sqlfiles_read(const char *dir, bool migrations, size_t *n)
{
	struct sqlfile *list = NULL, *x;
	struct dirent *de;
	DIR *d;
	size_t i;

	if ((d = opendir(dir)) == NULL)
		die(EX_CONFIG, _("SQL directory %s: %s (set --sqldir or GUICHET_SQLDIR)"), dir,
		    strerror(errno));
	*n = 0;
	while ((de = readdir(d)) != NULL) {
		int version = 0;
		char *name = NULL;

		if (migrations ? !migration_name(de->d_name, &version, &name) :
				 !api_name(de->d_name))
			continue;
		list = xreallocarray(list, *n + 1, sizeof *list);
		x = &list[(*n)++];
		memset(x, 0, sizeof *x);
		x->version = version;
		x->name = name;
		x->file = xstrdup(de->d_name);
		x->text = sqlfile_read(dir, x->file);
	}
	closedir(d);
	if (*n == 0)
		die(EX_CONFIG,
		    migrations ? _("SQL directory %s holds no migrations (NNNN_name.sql)") :
				 _("SQL directory %s holds no API files (NN-name.sql)"),
		    dir);
	qsort(list, *n, sizeof *list, migrations ? sqlfile_cmp_version : sqlfile_cmp_name);
	for (i = 1; migrations && i < *n; i++) {
		if (list[i].version == list[i - 1].version)
			die(EX_CONFIG, _("SQL directory %s: %s and %s have the same number"), dir,
			    list[i - 1].file, list[i].file);
	}
	return list;
}

/* sha256 of text, in hex, computed by the server (admin has no crypto library). */
static void
sha256_hex(struct admin *a, const char *text, char out[65])
{
	PGresult *res;

	res = admin_exec(a, "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS h", 1, &text);
	snprintf(out, 65, "%s", db_value(res, 0, "h"));
	PQclear(res);
}

/*
 * Each file's checksum, and the API's: sha256 over every API file in name
 * order as "NAME\nBYTES\n" followed by its bytes (Makefile.am computes the
 * same for the programs, in schema-version.h).
 */
static void
schema_checksums(struct admin *a, struct schema *s)
{
	struct strbuf all;
	size_t i;

	for (i = 0; i < s->nmig; i++)
		sha256_hex(a, s->mig[i].text, s->mig[i].sha256);
	strbuf_init(&all);
	for (i = 0; i < s->napi; i++) {
		strbuf_printf(&all, "%s\n%zu\n", s->api[i].file, strlen(s->api[i].text));
		strbuf_puts(&all, s->api[i].text);
	}
	sha256_hex(a, all.buf, s->api_sha256);
	strbuf_free(&all);
}

static struct sqlfile *
migration_find(struct schema *s, int version)
{
	struct sqlfile key = { .version = version };

	return bsearch(&key, s->mig, s->nmig, sizeof *s->mig, sqlfile_cmp_version);
}

/* What the database has: the schema, which versions were applied, with which checksums. */
static void
schema_read_db(struct admin *a, struct schema *s)
{
	struct sqlfile *x;
	PGresult *res;
	int i, v;

	res = admin_exec(a,
	    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'guichet') AS schema, "
	    "to_regclass('guichet.schema_version') IS NOT NULL AS has_versions, "
	    "to_regclass('guichet.schema_api') IS NULL AS legacy",
	    0, NULL);
	s->schema = db_bool(res, 0, "schema");
	s->has_versions = db_bool(res, 0, "has_versions");
	s->legacy = s->has_versions && db_bool(res, 0, "legacy");
	PQclear(res);
	if (!s->has_versions || s->legacy)
		return;
	res = admin_exec(a, "SELECT sha256 FROM guichet.schema_api", 0, NULL);
	if (PQntuples(res) > 0)
		s->db_api = xstrdup(db_value(res, 0, "sha256"));
	PQclear(res);
	res = admin_exec(
	    a, "SELECT version, sha256 FROM guichet.schema_version ORDER BY version", 0, NULL);
	for (i = 0; i < PQntuples(res); i++) {
		v = (int)db_int(res, i, "version", 0);
		if (v > s->installed)
			s->installed = v;
		if ((x = migration_find(s, v)) == NULL) {
			s->unknown = xreallocarray(s->unknown, s->nunknown + 1, sizeof *s->unknown);
			s->unknown[s->nunknown++] = v;
		} else if (strcmp(x->sha256, db_value(res, i, "sha256")) == 0)
			x->state = SQLFILE_APPLIED;
		else
			x->state = SQLFILE_CHANGED;
	}
	PQclear(res);
}

static void
sqlfiles_free(struct sqlfile *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].file);
		free(list[i].name);
		free(list[i].text);
	}
	free(list);
}

static void
schema_free(struct schema *s)
{
	sqlfiles_free(s->mig, s->nmig);
	sqlfiles_free(s->api, s->napi);
	free(s->schemadir);
	free(s->apidir);
	free(s->db_api);
	free(s->unknown);
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

/* Run one file in the open transaction; on failure roll back and exit, naming file and line. */
static void
sqlfile_run(struct admin *a, const char *dir, const struct sqlfile *x)
{
	char *cause, state[6] = "";
	const char *pos;
	PGresult *res;
	int line = 0, ex;

	log_info("applying %s/%s", dir, x->file);
	res = PQexec(a->conn, x->text);
	if (res != NULL && (pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION)) != NULL)
		line = line_of(x->text, atol(pos));
	if ((res = db_check(a->conn, res, &cause, state)) != NULL) {
		PQclear(res);
		/* A file's SET LOCAL ROLE must not outlive it. */
		PQclear(admin_exec(a, "RESET ROLE", 0, NULL));
		PQclear(admin_exec(a, "RESET search_path", 0, NULL));
		return;
	}
	ex = db_connection_lost(a->conn, state) ? EX_UNAVAILABLE : EX_SOFTWARE;
	PQclear(PQexec(a->conn, "ROLLBACK"));
	if (line > 0)
		die(ex, _("%s/%s:%d: %s"), dir, x->file, line, cause);
	die(ex, _("%s/%s: %s"), dir, x->file, cause);
}

/*
 * The installer acts as guichet_owner (which owns the tables) for this
 * transaction only: granted here, revoked by owner_release() before COMMIT.
 * A superuser needs no membership; a login already a member stays one (it was
 * made so by hand), with a warning: it can rewrite history.
 */
static const char sql_owner_hold[] =
    "DO $hold$\n"
    "BEGIN\n"
    "	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'guichet_owner') THEN\n"
    "		CREATE ROLE guichet_owner NOLOGIN;\n"
    "	END IF;\n"
    "	IF (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN\n"
    "		PERFORM set_config('guichet.owner_held', 'super', true);\n"
    "	ELSIF EXISTS (SELECT 1 FROM pg_auth_members m\n"
    "	    WHERE m.roleid = 'guichet_owner'::regrole\n"
    "	        AND m.member = (SELECT oid FROM pg_roles WHERE rolname = session_user)) THEN\n"
    "		PERFORM set_config('guichet.owner_held', 'member', true);\n"
    "	ELSE\n"
    "		GRANT guichet_owner TO SESSION_USER;\n"
    "		PERFORM set_config('guichet.owner_held', 'granted', true);\n"
    "	END IF;\n"
    "END\n"
    "$hold$";

static const char sql_owner_release[] =
    "DO $release$\n"
    "BEGIN\n"
    "	IF current_setting('guichet.owner_held') = 'granted' THEN\n"
    "		REVOKE guichet_owner FROM SESSION_USER;\n"
    "	END IF;\n"
    "END\n"
    "$release$";

static void
owner_hold(struct admin *a)
{
	PGresult *res;

	PQclear(admin_exec(a, sql_owner_hold, 0, NULL));
	res = admin_exec(a, "SELECT current_setting('guichet.owner_held') AS held", 0, NULL);
	if (strcmp(db_value(res, 0, "held"), "member") == 0)
		log_warnx(_("login %s is a permanent member of guichet_owner, which owns the "
			    "tables and may rewrite history: REVOKE guichet_owner FROM it unless "
			    "that is intended"),
		    PQuser(a->conn));
	PQclear(res);
}

/*
 * Read the files, connect, and read the database in a transaction. For init
 * and migrate: under the migration lock, held for the session (a second init
 * or migrate waits here, then sees the first's work), and with the membership
 * of guichet_owner held, in the transaction that will apply what is pending.
 * status reads as the owner only when it cannot read the schema otherwise,
 * and rolls back.
 */
static void
schema_open(struct admin *a, struct schema *s, bool upgrade)
{
	PGresult *res;
	bool hold = upgrade;

	memset(s, 0, sizeof *s);
	a->raw = true;
	xasprintf(&s->schemadir, "%s/schema", a->sqldir);
	xasprintf(&s->apidir, "%s/api", a->sqldir);
	s->mig = sqlfiles_read(s->schemadir, true, &s->nmig);
	s->api = sqlfiles_read(s->apidir, false, &s->napi);
	admin_connect(a);
	if (upgrade) {
		/* A migration may legitimately run long: no client-side timeouts. */
		PQclear(admin_exec(a, "SET statement_timeout = 0", 0, NULL));
		PQclear(admin_exec(a, "SET lock_timeout = 0", 0, NULL));
		PQclear(admin_exec(
		    a, "SELECT pg_advisory_lock(hashtext('guichet.schema_migrate'))", 0, NULL));
	}
	admin_begin(a);
	if (!hold) {
		res = admin_exec(a,
		    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'guichet' "
		    "AND NOT has_schema_privilege(oid, 'USAGE')) AS hold",
		    0, NULL);
		hold = db_bool(res, 0, "hold");
		PQclear(res);
	}
	if (hold)
		owner_hold(a);
	schema_checksums(a, s);
	schema_read_db(a, s);
}

/*
 * Drop the API: every policy and user trigger on guichet's tables, then the
 * views, aggregates and functions of schema guichet that no table, index,
 * constraint or column default needs (those belong to the migrations), those
 * that others depend on last. Nothing is dropped with CASCADE: an object
 * outside guichet that uses one of ours makes the upgrade fail, by name.
 */
static const char sql_api_drop[] =
    "DO $drop$\n"
    "DECLARE\n"
    "	r record;\n"
    "BEGIN\n"
    "	FOR r IN SELECT p.polname, p.polrelid::regclass AS tbl FROM pg_policy p\n"
    "	    JOIN pg_class c ON c.oid = p.polrelid\n"
    "	    WHERE c.relnamespace = 'guichet'::regnamespace LOOP\n"
    "		EXECUTE format('DROP POLICY %I ON %s', r.polname, r.tbl);\n"
    "	END LOOP;\n"
    "	FOR r IN SELECT t.tgname, t.tgrelid::regclass AS tbl FROM pg_trigger t\n"
    "	    JOIN pg_class c ON c.oid = t.tgrelid\n"
    "	    WHERE c.relnamespace = 'guichet'::regnamespace AND NOT t.tgisinternal LOOP\n"
    "		EXECUTE format('DROP TRIGGER %I ON %s', r.tgname, r.tbl);\n"
    "	END LOOP;\n"
    "	FOR r IN\n"
    "	WITH RECURSIVE needed (classid, objid) AS (\n"
    "		SELECT d.refclassid, d.refobjid FROM pg_depend d\n"
    "		WHERE d.classid IN ('pg_constraint'::regclass, 'pg_attrdef'::regclass)\n"
    "		    OR (d.classid = 'pg_class'::regclass AND d.objid IN (SELECT c.oid\n"
    "		        FROM pg_class c WHERE c.relkind IN ('r', 'p', 'i', 'I', 'S', 'm')))\n"
    "		UNION\n"
    "		SELECT d.refclassid, d.refobjid FROM needed n\n"
    "		JOIN pg_depend d ON d.classid = n.classid AND d.objid = n.objid\n"
    "	), obj (classid, objid, kind) AS (\n"
    "		SELECT 'pg_class'::regclass, c.oid, 'VIEW' FROM pg_class c\n"
    "		WHERE c.relnamespace = 'guichet'::regnamespace AND c.relkind = 'v'\n"
    "		UNION ALL\n"
    "		SELECT 'pg_proc'::regclass, p.oid, 'ROUTINE' FROM pg_proc p\n"
    "		WHERE p.pronamespace = 'guichet'::regnamespace\n"
    "	), api AS (\n"
    "		SELECT o.* FROM obj o WHERE NOT EXISTS (SELECT 1 FROM needed n\n"
    "		    WHERE n.classid = o.classid AND n.objid = o.objid)\n"
    "	), edge (dep, ref) AS (\n"
    "		SELECT DISTINCT coalesce(w.ev_class, d.objid), d.refobjid\n"
    "		FROM pg_depend d LEFT JOIN pg_rewrite w\n"
    "		    ON d.classid = 'pg_rewrite'::regclass AND w.oid = d.objid\n"
    "		WHERE d.deptype = 'n' AND d.refobjid IN (SELECT a.objid FROM api a)\n"
    "		    AND coalesce(w.ev_class, d.objid) IN (SELECT a.objid FROM api a)\n"
    "		    AND coalesce(w.ev_class, d.objid) <> d.refobjid\n"
    "	), walk (objid, depth) AS (\n"
    "		SELECT a.objid, 0 FROM api a\n"
    "		UNION ALL\n"
    "		SELECT e.ref, w.depth + 1 FROM walk w JOIN edge e ON e.dep = w.objid\n"
    "	)\n"
    "	SELECT a.kind, CASE a.kind WHEN 'VIEW' THEN a.objid::regclass::text\n"
    "	    ELSE a.objid::regprocedure::text END AS name\n"
    "	FROM api a JOIN (SELECT w.objid, max(w.depth) AS depth FROM walk w\n"
    "	    GROUP BY w.objid) w ON w.objid = a.objid\n"
    "	ORDER BY w.depth, a.kind DESC, 2 LOOP\n"
    "		EXECUTE format('DROP %s %s', r.kind, r.name);\n"
    "	END LOOP;\n"
    "END\n"
    "$drop$";

/* The group roles lose every privilege on guichet's objects: the API files grant them again. */
static const char *const sql_api_revoke[] = {
	"REVOKE ALL ON ALL TABLES IN SCHEMA guichet FROM PUBLIC, guichet_agent, "
	"guichet_supervisor, guichet_admin, guichet_mail, guichet_api",
	"REVOKE ALL ON ALL SEQUENCES IN SCHEMA guichet FROM PUBLIC, guichet_agent, "
	"guichet_supervisor, guichet_admin, guichet_mail, guichet_api",
	"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA guichet FROM PUBLIC, guichet_agent, "
	"guichet_supervisor, guichet_admin, guichet_mail, guichet_api",
	/* The erasers' role exists from migration 0008 on (api/38-retention.sql). */
	"DO $eraser$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'guichet_eraser') "
	"THEN REVOKE ALL ON ALL TABLES IN SCHEMA guichet FROM guichet_eraser; "
	"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA guichet FROM guichet_eraser; END IF; END $eraser$",
};

/* Drop the API and create it again from the files, in the open transaction. */
static void
api_recreate(struct admin *a, struct schema *s)
{
	const char *param[1] = { s->api_sha256 };
	size_t i;

	PQclear(admin_exec(a, "SET LOCAL ROLE guichet_owner", 0, NULL));
	PQclear(admin_exec(a, sql_api_drop, 0, NULL));
	for (i = 0; i < nitems(sql_api_revoke); i++)
		PQclear(admin_exec(a, sql_api_revoke[i], 0, NULL));
	PQclear(admin_exec(a, "RESET ROLE", 0, NULL));
	for (i = 0; i < s->napi; i++)
		sqlfile_run(a, s->apidir, &s->api[i]);
	PQclear(admin_exec(a,
	    "INSERT INTO guichet.schema_api (sha256) VALUES ($1) "
	    "ON CONFLICT (one) DO UPDATE SET sha256 = EXCLUDED.sha256, created_at = now(), "
	    "created_by = session_user",
	    1, param));
}

static void
migration_apply(struct admin *a, struct schema *s, const struct sqlfile *x)
{
	const char *params[3];
	char version[16];

	sqlfile_run(a, s->schemadir, x);
	snprintf(version, sizeof version, "%d", x->version);
	params[0] = version;
	params[1] = x->name;
	params[2] = x->sha256;
	PQclear(admin_exec(a,
	    "INSERT INTO guichet.schema_version (version, name, sha256) "
	    "VALUES ($1, $2, $3)",
	    3, params));
}

/*
 * Revoke TEMPORARY on the database from PUBLIC where the installer may (its
 * owner, a superuser): no agent needs temporary tables, and a temporary
 * table is the first thing a caller would use to shadow one of ours.
 */
static void
revoke_temporary(struct admin *a)
{
	PGresult *res;

	res = admin_exec(a,
	    "SELECT d.datname, (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user) "
	    "OR pg_has_role(session_user, d.datdba, 'MEMBER') AS may "
	    "FROM pg_database d WHERE d.datname = current_database()",
	    0, NULL);
	if (db_bool(res, 0, "may"))
		PQclear(admin_exec(a,
		    "DO $temp$ BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', "
		    "current_database()); END $temp$",
		    0, NULL));
	else
		log_warnx(_("only the owner of database %s may revoke TEMPORARY from PUBLIC: "
			    "ask it to run REVOKE TEMPORARY ON DATABASE %s FROM PUBLIC"),
		    db_value(res, 0, "datname"), db_value(res, 0, "datname"));
	PQclear(res);
}

/* Refuse what init and migrate must not touch. */
static void
schema_check(struct schema *s)
{
	size_t i;

	if (s->schema && !s->has_versions)
		die(EX_USAGE,
		    _("a schema guichet exists but was not installed by "
		      "guichet-admin (no guichet.schema_version): drop it or use another database"));
	if (s->legacy)
		die(EX_CONFIG,
		    _("schema guichet was installed by a development version before "
		      "0.1.0: re-create the database"));
	if (s->nunknown > 0)
		die(EX_CONFIG,
		    _("the database has migration %d, which %s does not have: this program is "
		      "older than the database (upgrade guichet)"),
		    s->unknown[s->nunknown - 1], s->schemadir);
	for (i = 0; i < s->nmig; i++) {
		if (s->mig[i].state == SQLFILE_CHANGED)
			die(EX_DATAERR,
			    _("%s/%s was changed after it was applied: a migration is frozen once "
			      "applied (restore it, and put the change in a new migration)"),
			    s->schemadir, s->mig[i].file);
	}
}

static bool
api_current(const struct schema *s)
{
	return s->db_api != NULL && strcmp(s->db_api, s->api_sha256) == 0;
}

/* Apply what is pending and re-create the API, in one transaction; quiet when nothing is. */
static int
schema_upgrade(struct admin *a, struct schema *s, bool init)
{
	size_t i, done = 0;

	schema_check(s);
	for (i = 0; i < s->nmig; i++)
		done += s->mig[i].state == SQLFILE_PENDING;
	if (done == 0 && api_current(s)) {
		PQclear(admin_exec(a, "ROLLBACK", 0, NULL));
		log_info(
		    "schema guichet at version %d, its API current: nothing to do", s->installed);
		return EX_OK;
	}
	for (i = 0; i < s->nmig; i++) {
		if (s->mig[i].state == SQLFILE_PENDING)
			migration_apply(a, s, &s->mig[i]);
	}
	api_recreate(a, s);
	if (init)
		revoke_temporary(a);
	PQclear(admin_exec(a, sql_owner_release, 0, NULL));
	admin_commit(a);
	log_info("schema guichet at version %d, %zu migrations applied, API re-created",
	    s->mig[s->nmig - 1].version > s->installed ? s->mig[s->nmig - 1].version : s->installed,
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
	struct schema s;
	int ex;

	schema_args("init", argc, argv, a);
	schema_open(a, &s, true);
	if (s.has_versions)
		die(EX_USAGE,
		    _("schema guichet already installed (version %d): "
		      "use guichet-admin migrate"),
		    s.installed);
	ex = schema_upgrade(a, &s, true);
	schema_free(&s);
	return ex;
}

int
cmd_migrate(struct admin *a, int argc, char **argv)
{
	struct schema s;
	int ex;

	schema_args("migrate", argc, argv, a);
	schema_open(a, &s, true);
	ex = schema_upgrade(a, &s, !s.schema);
	schema_free(&s);
	return ex;
}

static void
status_migrations(const struct schema *s)
{
	static const char *const words[] = {
		[SQLFILE_PENDING] = N_("pending"),
		[SQLFILE_APPLIED] = N_("applied"),
		[SQLFILE_CHANGED] = N_("changed since applied: migrate refuses"),
	};
	size_t i;

	printf(_("migrations in %s:\n"), s->schemadir);
	for (i = 0; i < s->nmig; i++)
		printf("  %-32s %s\n", s->mig[i].file, _(words[s->mig[i].state]));
	for (i = 0; i < s->nunknown; i++)
		printf(_("  %-32d applied, not in this guichet: the database is newer\n"),
		    s->unknown[i]);
}

/*
 * The queues whose mail would have no address to leave from (no address of
 * their own, nor one of a level-1 queue escalating to them): replies to their
 * tickets are refused, acknowledgements and closing notices not sent. Said
 * only to those who may ask (admins), once the API is current.
 */
static void
status_senders(struct admin *a)
{
	PGresult *res;
	int i;

	res = PQexec(a->conn, "SELECT code FROM guichet.queue_sender_missing()");
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		for (i = 0; i < PQntuples(res); i++)
			printf(_("queue %s: no mail address to write from (guichet-admin queue set "
				 "%s --address …)\n"),
			    PQgetvalue(res, i, 0), PQgetvalue(res, i, 0));
	}
	PQclear(res);
}

int
cmd_status(struct admin *a, int argc, char **argv)
{
	struct schema s;
	size_t i, pending = 0;

	schema_args("status", argc, argv, a);
	schema_open(a, &s, false);
	PQclear(admin_exec(a, "ROLLBACK", 0, NULL));
	if (s.legacy) {
		printf(_("schema guichet: installed by a development version before 0.1.0: "
			 "re-create the database\n"));
		schema_free(&s);
		return EX_OK;
	}
	if (!s.has_versions)
		printf(_("schema guichet: not installed (run guichet-admin init)\n"));
	else
		printf(_("schema guichet: version %d\n"), s.installed);
	status_migrations(&s);
	for (i = 0; i < s.nmig; i++)
		pending += s.mig[i].state != SQLFILE_APPLIED;
	if (s.db_api == NULL)
		printf(_("api: not installed\n"));
	else if (api_current(&s)) {
		printf(_("api: current\n"));
		status_senders(a);
	} else
		printf(_("api: differs: run guichet-admin migrate\n"));
	if (pending == 0 && s.nunknown == 0 && api_current(&s))
		printf(_("up to date\n"));
	if (s.has_versions)
		status_settings(a);
	schema_free(&s);
	return EX_OK;
}
