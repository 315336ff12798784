#!/bin/sh
# tests/admin/schema.sh — guichet-admin init, migrate and status: the schema
# is installed once, upgrades are idempotent and serialised, mistakes are named.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

# run CMD…: $out is stdout and stderr together, $rc the exit status.
run()
{
	out=$("$@" 2>&1)
	rc=$?
}

# A private copy of the migrations: the tree may change while the test runs.
shipped=$(mktemp -d "${TMPDIR:-/tmp}/gsql.XXXXXX")
atexit 'rm -rf "$shipped"'
cp "$GUICHET_SQLDIR"/[0-9]*.sql "$shipped"/
GUICHET_SQLDIR=$shipped
export GUICHET_SQLDIR

last=$(ls "$GUICHET_SQLDIR" | sed -n 's/^\([0-9][0-9]*\)_.*\.sql$/\1/p' | sort -n | tail -1)
last=$((10#$last))
count=$(ls "$GUICHET_SQLDIR" | grep -c '^[0-9][0-9]*_.*\.sql$')

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

run guichet-admin init
is "$rc" 64 "init on an installed schema exits EX_USAGE"
is "$out" "guichet-admin: schema guichet already installed (version $last): use guichet-admin migrate" \
    "init twice names the version and guichet-admin migrate"

run guichet-admin migrate
is "$rc" 0 "migrate with nothing pending succeeds"
is "$out" "" "migrate with nothing pending is quiet"
is "$(psql -X -At -c 'SELECT count(*) FROM guichet.schema_version')" "$count" \
    "migrate with nothing pending adds no row"

run guichet-admin status
is "$rc" 0 "status succeeds"
like "$out" "^schema guichet: version $last\$" "status prints the installed version"
like "$out" "^up to date\$" "status says up to date"

# A private SQL directory: the shipped files plus new ones.
sqldir=$(mktemp -d "${TMPDIR:-/tmp}/gsql.XXXXXX")
atexit 'rm -rf "$sqldir"'
cp "$GUICHET_SQLDIR"/[0-9]*.sql "$sqldir"/
cat >"$sqldir/9001_extra.sql" <<'SQL'
SET LOCAL ROLE guichet_owner;
CREATE TABLE guichet.extra_one (a integer);
SQL
cat >"$sqldir/9002_more.sql" <<'SQL'
SET LOCAL ROLE guichet_owner;
CREATE TABLE guichet.extra_two (a integer);
SQL

run guichet-admin --sqldir "$sqldir" status
like "$out" "^pending:" "status lists pending migrations"
like "$out" "^  9001_extra.sql\$" "status names the first pending file"
like "$out" "^  9002_more.sql\$" "status names the second pending file"

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
cat >"$sqldir/9003_broken.sql" <<'SQL'
SET LOCAL ROLE guichet_owner;
CREATE TABLE guichet.extra_three (a integer);

SELECT no_such_column
  FROM guichet.extra_three;
SQL
run guichet-admin --sqldir "$sqldir" migrate
isnt "$rc" 0 "a broken migration fails"
like "$out" "^guichet-admin: .*/9003_broken.sql:4: .*no_such_column" \
    "the error names the file, the line and the problem"
is "$(psql -X -At -c "SELECT to_regclass('guichet.extra_three') IS NULL")" "t" \
    "the broken migration left nothing behind"
is "$(psql -X -At -c 'SELECT max(version) FROM guichet.schema_version')" "9002" \
    "the broken migration is not recorded"
rm -f "$sqldir/9003_broken.sql"

# The SQL directory: missing, empty, ambiguous.
run guichet-admin --sqldir /nonexistent/sql status
is "$rc" 78 "a missing SQL directory exits EX_CONFIG"
like "$out" "^guichet-admin: SQL directory /nonexistent/sql: " "and names the directory"
emptydir=$sqldir/empty
mkdir "$emptydir"
run guichet-admin --sqldir "$emptydir" migrate
is "$rc" 78 "an SQL directory without migrations exits EX_CONFIG"
cp "$sqldir/9001_extra.sql" "$sqldir/9001_again.sql"
run guichet-admin --sqldir "$sqldir" migrate
is "$rc" 78 "two migrations with one number exit EX_CONFIG"
like "$out" "9001_again.sql and 9001_extra.sql have the same number" \
    "and name both files"
rm -f "$sqldir/9001_again.sql"

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

done_testing
