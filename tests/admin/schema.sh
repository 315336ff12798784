#!/bin/sh
# tests/admin/schema.sh — guichet-admin init, migrate and status: the schema
# is installed once, upgrades are idempotent and serialised, migrations are
# frozen once applied (checksums), the API is re-created from its files, the
# programs know which API they speak, mistakes are named.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

# run CMD…: $out is stdout and stderr together, $rc the exit status.
run()
{
	out=$("$@" 2>&1)
	rc=$?
}

# sqlcopy DIR: a private copy of the SQL directory (schema, api, demo).
sqlcopy()
{
	mkdir -p "$1" && cp -R "$tree"/schema "$tree"/api "$tree"/demo "$1"/
}

# The programs were built from the tree's files: a private copy keeps them
# apart from edits made while the test runs.
tree=$GUICHET_SQLDIR
shipped=$(mktemp -d "${TMPDIR:-/tmp}/gsql.XXXXXX")
atexit 'rm -rf "$shipped"'
sqlcopy "$shipped"
GUICHET_SQLDIR=$shipped
export GUICHET_SQLDIR

last=$(ls "$GUICHET_SQLDIR/schema" | sed -n 's/^\([0-9][0-9]*\)_.*\.sql$/\1/p' | sort -n | tail -1)
last=$(expr "$last" + 0)
count=$(ls "$GUICHET_SQLDIR/schema" | grep -c '^[0-9][0-9]*_.*\.sql$')

# Every function of schema guichet with the transaction that created it: a
# re-created function has a new oid and xmin.
functions()
{
	psql -X -At -c "SELECT md5(string_agg(oid::text || ':' || xmin::text, ',' ORDER BY oid))
	    FROM pg_proc WHERE pronamespace = 'guichet'::regnamespace"
}

pg_start

run guichet-admin status
is "$rc" 0 "status on an empty database succeeds"
like "$out" "not installed" "status says the schema is not installed"

run guichet-admin init
is "$rc" 0 "init on an empty database succeeds"
is "$out" "" "init is quiet on success"
is "$(psql -X -At -c 'SELECT max(version) FROM guichet.schema_version')" "$last" \
    "init applied every migration up to the last file"
is "$(psql -X -At -c 'SELECT count(*) FROM guichet.schema_version')" "$count" \
    "one schema_version row per migration file"
is "$(psql -X -At -c "SELECT name FROM guichet.schema_version WHERE version = 1")" \
    "base" "schema_version records the migration's name"
is "$(psql -X -At -c "SELECT sha256 FROM guichet.schema_version WHERE version = 1")" \
    "$(sha256sum <"$GUICHET_SQLDIR/schema/0001_base.sql" | cut -c1-64)" \
    "and the sha256 of its file"
is "$(psql -X -At -c "SELECT count(*) FROM pg_proc
    WHERE pronamespace = 'guichet'::regnamespace AND proname = 'create_ticket'")" "1" \
    "init created the API (create_ticket)"
is "$(psql -X -At -c "SELECT has_database_privilege('public', current_database(), 'TEMPORARY')")" \
    "f" "init revoked TEMPORARY on the database from PUBLIC"

run guichet-admin init
is "$rc" 64 "init on an installed schema exits EX_USAGE"
is "$out" "guichet-admin: schema guichet already installed (version $last): use guichet-admin migrate" \
    "init twice names the version and guichet-admin migrate"

before=$(functions)
run guichet-admin migrate
is "$rc" 0 "migrate with nothing pending succeeds"
is "$out" "" "migrate with nothing pending is quiet"
is "$(psql -X -At -c 'SELECT count(*) FROM guichet.schema_version')" "$count" \
    "migrate with nothing pending adds no row"
is "$(functions)" "$before" "migrate on an up-to-date database re-creates no function"

run guichet-admin status
is "$rc" 0 "status succeeds"
like "$out" "^schema guichet: version $last\$" "status prints the installed version"
like "$out" "^  0001_base.sql  *applied\$" "status shows each migration applied"
like "$out" "^api: current\$" "status says the API is current"
like "$out" "^up to date\$" "status says up to date"
# The server settings the reports need, with what to set when one is short.
like "$out" "^server settings for the reports [(]ticket and report_fact: " \
    "status names the server settings the reports need"
like "$out" "^  shared_buffers  *[0-9][0-9]*[kMG]B  *ok\$" "…shared_buffers holds this small desk"
run env PGOPTIONS='-c max_parallel_workers_per_gather=0' guichet-admin status
like "$out" "^  max_parallel_workers_per_gather  *0  *set 2: " \
    "…and says what to set when a setting is short"
run env PGOPTIONS='-c max_parallel_workers_per_gather=2' guichet-admin status
like "$out" "^  max_parallel_workers_per_gather  *2  *ok\$" "…and not when it is not"

# A private SQL directory: the shipped files plus new ones.
sqldir=$(mktemp -d "${TMPDIR:-/tmp}/gsql.XXXXXX")
atexit 'rm -rf "$sqldir"'
sqlcopy "$sqldir"
cat >"$sqldir/schema/9001_extra.sql" <<'SQL'
SET LOCAL ROLE guichet_owner;
CREATE TABLE guichet.extra_one (a integer);
SQL
cat >"$sqldir/schema/9002_more.sql" <<'SQL'
SET LOCAL ROLE guichet_owner;
CREATE TABLE guichet.extra_two (a integer);
SQL

run guichet-admin --sqldir "$sqldir" status
like "$out" "^  9001_extra.sql  *pending\$" "status shows the first file pending"
like "$out" "^  9002_more.sql  *pending\$" "status shows the second file pending"
unlike "$out" "^up to date" "status does not say up to date"

# Two migrates at once: the advisory lock makes the second wait, then find
# nothing to do.
GUICHET_SQLDIR=$sqldir guichet-admin migrate >"$sqldir/a.out" 2>&1 &
pid=$!
GUICHET_SQLDIR=$sqldir guichet-admin migrate >"$sqldir/b.out" 2>&1
rc_b=$?
wait $pid
rc_a=$?
is "$rc_a/$rc_b" "0/0" "two concurrent migrates both succeed"
is "$(cat "$sqldir/a.out" "$sqldir/b.out")" "" "and neither reports an error"
is "$(psql -X -At -c 'SELECT count(*) FROM guichet.schema_version WHERE version > 9000')" \
    "2" "each new migration was applied once"

run guichet-admin --sqldir "$sqldir" migrate
is "$rc" 0 "migrate again is a no-op"

# A failing migration rolls back and names the file and line.
cat >"$sqldir/schema/9003_broken.sql" <<'SQL'
SET LOCAL ROLE guichet_owner;
CREATE TABLE guichet.extra_three (a integer);

SELECT no_such_column
  FROM guichet.extra_three;
SQL
run guichet-admin --sqldir "$sqldir" migrate
isnt "$rc" 0 "a broken migration fails"
like "$out" "^guichet-admin: .*/schema/9003_broken.sql:4: .*no_such_column" \
    "the error names the file, the line and the problem"
is "$(psql -X -At -c "SELECT to_regclass('guichet.extra_three') IS NULL")" "t" \
    "the broken migration left nothing behind"
is "$(psql -X -At -c 'SELECT max(version) FROM guichet.schema_version')" "9002" \
    "the broken migration is not recorded"
rm -f "$sqldir/schema/9003_broken.sql"

# An applied migration is frozen: migrate refuses a changed file, naming it.
cp "$sqldir/schema/9001_extra.sql" "$sqldir/9001.orig"
echo "-- an afterthought" >>"$sqldir/schema/9001_extra.sql"
before=$(functions)
run guichet-admin --sqldir "$sqldir" migrate
is "$rc" 65 "migrate refuses an applied migration that changed (EX_DATAERR)"
like "$out" "^guichet-admin: .*/schema/9001_extra.sql was changed after it was applied" \
    "and names the file"
is "$(functions)" "$before" "and changes nothing"
run guichet-admin --sqldir "$sqldir" status
like "$out" "^  9001_extra.sql  *changed since applied" "status shows it changed"
mv "$sqldir/9001.orig" "$sqldir/schema/9001_extra.sql"

# The API, in a database of its own at the programs' schema version: a
# changed file makes the programs refuse until migrate re-creates it.
psql -X -q -c 'CREATE DATABASE apitest'
PGDATABASE=apitest
apisql=$sqldir/apitest
sqlcopy "$apisql"
ok "init the API test's database" guichet-admin init
run guichet-admin queue list
is "$rc" 0 "the programs run while the API is current"
echo "-- a change" >>"$apisql/api/10-history.sql"
run guichet-admin --sqldir "$apisql" migrate
is "$rc" 0 "migrate re-creates a changed API"
run guichet-admin queue list
is "$rc" 78 "a program whose API differs from the database's exits EX_CONFIG"
like "$out" "run guichet-admin migrate" "and says to run guichet-admin migrate"
run guichet-report volume
is "$rc" 78 "guichet-report refuses it too"
run guichet-admin status
like "$out" "^api: differs: run guichet-admin migrate\$" "status says the API differs"
run guichet-admin migrate
is "$rc" 0 "migrate with the program's own files"
run guichet-admin queue list
is "$rc" 0 "after which the programs run again"

# What the API files no longer hold is gone after migrate; grants are what they say.
cat >"$apisql/api/99-extra.sql" <<'SQL'
SET LOCAL ROLE guichet_owner;
CREATE FUNCTION guichet.extra_probe() RETURNS integer LANGUAGE sql RETURN 1;
GRANT EXECUTE ON FUNCTION guichet.extra_probe() TO guichet_agent;
GRANT EXECUTE ON FUNCTION guichet.setting(text) TO PUBLIC;
CREATE VIEW guichet.extra_view AS SELECT guichet.extra_probe() AS one;
SQL
run guichet-admin --sqldir "$apisql" migrate
is "$rc" 0 "migrate with an API file added"
is "$(psql -X -At -c "SELECT guichet.extra_probe(), (SELECT one FROM guichet.extra_view),
    has_function_privilege('public', 'guichet.setting(text)', 'EXECUTE')")" "1|1|t" \
    "its function, view and grant exist"
rm "$apisql/api/99-extra.sql"
run guichet-admin --sqldir "$apisql" migrate
is "$rc" 0 "migrate with that file removed"
is "$(psql -X -At -c "SELECT to_regprocedure('guichet.extra_probe()') IS NULL,
    to_regclass('guichet.extra_view') IS NULL,
    has_function_privilege('public', 'guichet.setting(text)', 'EXECUTE')")" "t|t|f" \
    "its function and view are gone, the grant is revoked"

# A database newer than this guichet: migrate says so, exits EX_CONFIG, changes nothing.
psql -X -q -c "INSERT INTO guichet.schema_version (version, name, sha256)
    VALUES (9999, 'future', repeat('0', 64))"
before=$(functions)
run guichet-admin --sqldir "$apisql" migrate
is "$rc" 78 "migrate against a newer schema exits EX_CONFIG"
like "$out" "migration 9999.*older than the database" "and says the program is older"
is "$(functions)" "$before" "and changes nothing"
run guichet-admin --sqldir "$apisql" status
like "$out" "^  9999  *applied, not in this guichet" "status shows the unknown migration"
run guichet-admin queue list
is "$rc" 78 "the programs refuse a newer schema"
like "$out" "this program is older than the database" "and say why"
psql -X -q -c "DELETE FROM guichet.schema_version WHERE version = 9999"
PGDATABASE=guichet

# The SQL directory: missing, empty, ambiguous.
run guichet-admin --sqldir /nonexistent/sql status
is "$rc" 78 "a missing SQL directory exits EX_CONFIG"
like "$out" "^guichet-admin: SQL directory /nonexistent/sql/schema: " "and names the directory"
emptydir=$sqldir/empty
mkdir -p "$emptydir/schema" "$emptydir/api"
run guichet-admin --sqldir "$emptydir" migrate
is "$rc" 78 "an SQL directory without migrations exits EX_CONFIG"
cp "$sqldir/schema/9001_extra.sql" "$sqldir/schema/9001_again.sql"
run guichet-admin --sqldir "$sqldir" migrate
is "$rc" 78 "two migrations with one number exit EX_CONFIG"
like "$out" "9001_again.sql and 9001_extra.sql have the same number" \
    "and name both files"
rm -f "$sqldir/schema/9001_again.sql"

# Without GUICHET_SQLDIR nor --sqldir, the installed directory is used.
run env -u GUICHET_SQLDIR guichet-admin --sqldir "" status
isnt "$rc" 0 "an empty --sqldir is not the current directory"

# Connection and usage errors.
run guichet-admin -d "host=$PGDIR/nonexistent" status
is "$rc" 69 "an unreachable server exits EX_UNAVAILABLE"
like "$out" "^guichet-admin: " "with one line naming the program"
run guichet-admin frobnicate
is "$rc" 64 "an unknown command exits EX_USAGE"
like "$out" "unknown command \"frobnicate\"" "and names it"
run guichet-admin init extra
is "$rc" 64 "init takes no argument"
run guichet-admin
is "$rc" 64 "no command exits EX_USAGE"
run guichet-admin --help
is "$rc" 0 "--help exits 0"
like "$out" "^  migrate " "--help lists the commands"

# A schema guichet made by hand is not ours to install over.
psql -X -q -c 'CREATE DATABASE other'
run guichet-admin -d "dbname=other" init
is "$rc" 0 "init in a second database of the cluster (roles exist already)"
psql -X -q -c 'CREATE DATABASE third'
psql -X -q -d third -c 'CREATE SCHEMA guichet'
run guichet-admin -d "dbname=third" migrate
is "$rc" 64 "migrate refuses a schema guichet it did not install"
like "$out" "no guichet.schema_version" "and says why"

# migrate on an empty database installs, like init.
psql -X -q -c 'CREATE DATABASE fourth'
run guichet-admin -d "dbname=fourth" migrate
is "$rc" 0 "migrate on an empty database installs the schema"
is "$(psql -X -At -d fourth -c 'SELECT max(version) FROM guichet.schema_version')" \
    "$last" "up to the last migration"

# A database installed before 0.1.0 (no checksums) is refused by name.
psql -X -q -c 'CREATE DATABASE fifth'
psql -X -q -d fifth -c 'CREATE SCHEMA guichet' \
    -c 'CREATE TABLE guichet.schema_version (version integer, name text)' \
    -c "INSERT INTO guichet.schema_version VALUES (1, 'base')"
run guichet-admin -d "dbname=fifth" migrate
is "$rc" 78 "migrate refuses a database of a development version before 0.1.0"
like "$out" "installed by a development version before 0.1.0: re-create the database" \
    "and says to re-create it"
run guichet-admin -d "dbname=fifth" queue list
is "$rc" 78 "so do the programs"
like "$out" "before 0.1.0: re-create the database" "with the same words"

# An installer who is not a superuser holds guichet_owner for init only.
psql -X -q -c 'CREATE ROLE installer LOGIN CREATEROLE' -c 'CREATE DATABASE sixth OWNER installer'
run guichet-admin -d "dbname=sixth user=installer" init
is "$rc/$out" "0/" "init by a non-superuser CREATEROLE database owner"
is "$(psql -X -At -c "SELECT pg_has_role('installer', 'guichet_owner', 'MEMBER')")" "f" \
    "who is no longer a member of guichet_owner afterwards"
is "$(psql -X -At -d sixth -c "SELECT has_database_privilege('public', 'sixth', 'TEMPORARY')")" \
    "f" "and revoked TEMPORARY from PUBLIC on its database"
echo "-- a change" >>"$sqldir/api/10-history.sql"
run guichet-admin -d "dbname=sixth user=installer" --sqldir "$sqldir" migrate
is "$rc/$out" "0/" "migrate by the same installer"
is "$(psql -X -At -c "SELECT pg_has_role('installer', 'guichet_owner', 'MEMBER')")" "f" \
    "who is again not a member afterwards"
psql -X -q -c 'CREATE DATABASE seventh OWNER installer'
ok "init of another database by the installer" \
    guichet-admin -d "dbname=seventh user=installer" init
run guichet-admin -d "dbname=seventh user=installer" demo --tickets 40
is "$rc/$out" "0/" "the installer runs the demo"
is "$(psql -X -At -d seventh -c 'SELECT count(*) FROM guichet.ticket')" "40" "which made its tickets"
is "$(psql -X -At -c "SELECT pg_has_role('installer', 'guichet_owner', 'MEMBER')")" "f" \
    "and is not a member of guichet_owner afterwards"
is "$(psql -X -At -d seventh -c "SELECT count(*) FROM pg_proc WHERE proname LIKE 'demo\\_%'")" \
    "0" "and no demo function is left"
is "$(psql -X -At -d seventh -c 'SELECT count(*) FROM guichet.verify_history()')" "0" \
    "the demo's history chains verify"

done_testing
