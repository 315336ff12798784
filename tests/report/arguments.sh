#!/bin/sh
# tests/report/arguments.sh — a bad argument is one line "guichet-report: …"
# naming it, and exit status 64 (EX_USAGE); --help and --version succeed.
# No database is needed except for the filters that name rows.

. "$top_srcdir/tests/lib/tap.sh"

bad()
{
	_want=$1
	shift
	_out=$(guichet-report "$@" 2>&1 >/dev/null)
	_rc=$?
	is "$_rc" 64 "$*: exit 64"
	like "$_out" "^guichet-report: .*$_want" "$*: names $_want"
	is "$(printf '%s\n' "$_out" | wc -l)" 1 "$*: one line"
}

bad "no report named"
bad "unknown report 'nope'" nope
bad "--per" volume --per year
bad "--from" volume --from 2025-02-30
bad "--to" volume --to tomorrow
bad "--at" backlog --at 2025-13-01
bad "--from: 2025-03-02 is after" volume --from 2025-03-02 --to 2025-03-01
bad "--by: unknown dimension 'colour'" volume --by colour
bad "--by: at most three" volume --by queue --by service --by channel --by status
bad "--by: not accepted by report backlog" backlog --by queue
bad "--at: not accepted by report volume" volume --at 2025-03-01
bad "--format" volume --format pdf
bad "--queue: invalid code" volume --queue 'a b'
bad "--org: invalid code" volume --org "x';DROP"
bad "--width" volume --width 10
bad "--limit" contacts --limit 0
bad "unknown option '--colour'" volume --colour
bad "'--from' needs a value" volume --from
bad "unexpected argument 'extra'" volume extra

. "$top_srcdir/tests/lib/pg.sh"
pg_start
pg_install
psql -X -q -v ON_ERROR_STOP=1 -f "$top_srcdir/tests/report/fixture.sql" >&2 ||
    bail_out "loading tests/report/fixture.sql failed"

bad "--queue: no queue 'nowhere'" volume --queue nowhere
bad "--service: no service 'nothing'" volume --service voirie-trou --service nothing
bad "--org: no organisation 'atlantis'" volume --org atlantis
bad "--by: report sla cannot group by 'district'" sla --by district
bad "--by: report hotspots cannot group by 'queue'" hotspots --by queue
bad "--by: trend follows one dimension" trend --by queue --by service
bad "--table: report volume has no table 'oldest'" volume --table oldest

ok "--help: exit 0" guichet-report --help
like "$(guichet-report --help)" '^  backlog ' "--help lists the reports"
like "$(guichet-report --version)" '^guichet-report [0-9]' "--version"

# A database that cannot be reached: EX_UNAVAILABLE, one line.
out=$(guichet-report -d "host=$PGDIR port=1 dbname=none" volume 2>&1)
is "$?" 69 "unreachable database: exit 69"
is "$(printf '%s\n' "$out" | wc -l)" 1 "unreachable database: one line"

done_testing
