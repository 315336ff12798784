# tests/lib/selftest.sh — the harness checks itself: tap.sh's output and
# wait_until, pg.sh's no_rows and clusters (start, socket, parallel clusters, cleanup after a failure
# and after a signal).

. "$top_srcdir/tests/lib/pg.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/selftest.XXXXXX") || bail_out "mktemp"
atexit 'rm -rf "$work"'

# A child test file: $1 is its body, run after sourcing the harness.
child()
{
	printf '. "$top_srcdir/tests/lib/pg.sh"\n%s\n' "$1" >"$work/child.sh"
	sh "$work/child.sh"
}

## tap.sh

out=$(child 'plan 3; ok "runs" true; is a b "compares"; like "x
yz" "^y" "searches lines"')
rc=$?
like "$out" "^not ok 2 - compares$" "a failing is is reported as not ok"
like "$out" "^#   expected: 'b'$" "a failing is prints what was expected"
like "$out" "^#        got: 'a'$" "a failing is prints what was got"
like "$out" "^ok 3 - searches lines$" "like matches any line"
is "$rc" 0 "a complete stream with failures exits 0"
out=$(child 'plan 2; ok "only one" true')
isnt "$?" 0 "a file that runs fewer assertions than planned exits non-zero"
out=$(child 'ok "fails" sh -c "echo boom; exit 4"; done_testing')
like "$out" "^#     boom$" "ok shows the output of a failing command"
like "$out" "^#    status: 4$" "ok shows the exit status of a failing command"
like "$out" "^1\.\.1$" "done_testing prints the plan"
ok "ok passes its stdin to the command" grep -qx hello <<EOF
hello
EOF
out=$(child 'ok "desc # not a directive" true; done_testing')
like "$out" '^ok 1 - desc \\# not a directive$' "a # in a description is escaped"

## wait_until

ok "wait_until: a true condition returns at once" wait_until true
TEST_WAIT=1 wait_until false
is "$?" 1 "wait_until: a condition that never holds fails once TEST_WAIT is over"
flag=$(mktemp -u "${TMPDIR:-/tmp}/selftest-flag.XXXXXX")
(sleep 0.3; touch "$flag") &
ok "wait_until: waits for a condition that comes true later" wait_until test -e "$flag"
wait
rm -f "$flag"

## pg.sh

PGSERVICE=leaked; export PGSERVICE
PGPASSWORD=leaked; export PGPASSWORD
t0=$(date +%s%N)
pg_start
t1=$(date +%s%N)
diag "pg_start took $(( (t1 - t0) / 1000000 )) ms"

ok "the server answers on its socket" test -S "$PGHOST/.s.PGSQL.$PGPORT"
is "$(psql -X -At -c 'SELECT current_database()')" guichet \
    "PGDATABASE is guichet and exists"
is "$(psql -X -At -c 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user')" \
    t "PGUSER is a superuser"
is "$(psql -X -At -c "SELECT current_setting('listen_addresses') || '|' || current_setting('fsync') || '|' || current_setting('server_encoding') || '|' || current_setting('TimeZone')")" \
    "|off|UTF8|UTC" "no TCP, fsync off, UTF8, UTC"
is "${PGSERVICE:-unset} ${PGPASSWORD:-unset}" "unset unset" \
    "PGSERVICE and PGPASSWORD from the caller are unset"
if [ "$(id -u)" -eq 0 ]; then
	expected_owner=postgres
else
	expected_owner=$(id -un)
fi
is "$(stat -c %U "$PGDIR/data")" "$expected_owner" \
    "the cluster belongs to $expected_owner"
ok "the template is cached" test -f "$top_builddir/tests/.cache/pgtemplate-$(cat "$PGDIR/data/PG_VERSION")/.complete"

psql -X -q -c 'CREATE ROLE probe LOGIN' || bail_out "CREATE ROLE"
is "$(psql_as probe -c 'SELECT current_user')" probe "psql_as connects as the login"
is "$(psql -X -At -d "$(pg_conninfo probe)" -c 'SELECT session_user')" probe \
    "pg_conninfo gives a conninfo for the login"
out=$(psql_as probe -c 'SELECT 1/0' -c 'SELECT 42' 2>&1)
unlike "$out" '^42$' "psql_as runs with ON_ERROR_STOP"

t0=$(date +%s%N)
pg_install
t1=$(date +%s%N)
pg_fixture
t2=$(date +%s%N)
diag "pg_install took $(( (t1 - t0) / 1000000 )) ms, pg_fixture $(( (t2 - t1) / 1000000 )) ms"
is "$(psql -X -At -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'guichet'")" 1 \
    "pg_install creates the schema guichet"
is "$(psql -X -At -c "SELECT login FROM guichet.agent WHERE login = 'alice'")" \
    alice "pg_fixture loads the agents"
is "$(psql_as alice -c 'SELECT current_user')" alice "the fixture's agents can log in"

# no_rows: passes on no row, shows the rows found when it fails.
out=$(child 'no_rows "none" "SELECT 1 AS n WHERE false"
no_rows "two" "SELECT g AS ticket, g * 10 AS claims FROM generate_series(1, 2) g"
done_testing' 2>&1)
like "$out" "^ok 1 - none$" "no_rows passes when the query finds no row"
like "$out" "^not ok 2 - two$" "no_rows fails when it finds rows"
like "$out" "^#     +ticket \| claims *$" "…and prints their column names"
like "$out" "^#     +2 \| +20$" "…and the rows it found"

# A second file running at the same time gets its own cluster.
out=$(child 'pg_start
echo "$PGHOST"
psql -X -q -At -c "CREATE TABLE only_here (); SELECT 1"')
other=$(printf '%s\n' "$out" | sed -n 1p)
is "$(printf '%s\n' "$out" | sed -n 2p)" 1 "a second cluster starts beside the first"
isnt "$other" "$PGHOST" "the second cluster has its own directory"
is "$(psql -X -At -c "SELECT count(*) FROM pg_class WHERE relname = 'only_here'")" 0 \
    "the clusters do not share data"
ok "the second cluster's directory is removed" test ! -e "$other"

# A file that fails half-way still stops its server and removes its dir.
out=$(child 'pg_start
echo "$PGDIR $(sed -n 1p "$PGDIR/data/postmaster.pid")"
ok "a failing command" false
exit 3')
rc=$?
set -- $(printf '%s\n' "$out" | sed -n 1p)
is "$rc" 3 "the failing file keeps its exit status"
ok "its directory is removed" test ! -e "$1"
ok "its server is stopped" sh -c "! kill -0 $2 2>/dev/null"

# So does a file killed by TERM.
printf '. "$top_srcdir/tests/lib/pg.sh"\npg_start\necho "$PGDIR $(sed -n 1p "$PGDIR/data/postmaster.pid")" >"%s/started"\nwhile :; do sleep 0.1; done\n' \
    "$work" >"$work/killed.sh"
sh "$work/killed.sh" >/dev/null 2>&1 &
victim=$!
wait_until test -s "$work/started" || bail_out "the child's cluster did not start"
set -- $(cat "$work/started")
kill -TERM "$victim"
wait "$victim"
is "$?" 143 "a file killed by TERM exits 143"
ok "its directory is removed" test ! -e "$1"
ok "its server is stopped" sh -c "! kill -0 $2 2>/dev/null"

# And a file killed by KILL, which runs no trap: its watchdog cleans up.
rm -f "$work/started"
sh "$work/killed.sh" >/dev/null 2>&1 &
victim=$!
wait_until test -s "$work/started" || bail_out "the child's cluster did not start"
set -- $(cat "$work/started")
kill -KILL "$victim"
wait "$victim"
wait_until test ! -e "$1"
ok "the directory of a file killed by KILL is removed" test ! -e "$1"
ok "its server is stopped" sh -c "! kill -0 $2 2>/dev/null"

done_testing
