#!/bin/sh
# tests/report/security.sh — reports run as the caller's own role, so row-level
# security decides what they count: a supervisor of one organisation never
# sees another's numbers, not even by naming its queues.

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
psql -X -q -v ON_ERROR_STOP=1 -f "$top_srcdir/tests/report/fixture.sql" >&2 ||
    bail_out "loading tests/report/fixture.sql failed"

P="--from 2025-03-01 --to 2025-03-31"
as()
{
	_login=$1
	shift
	guichet-report -d "$(pg_conninfo "$_login")" "$@"
}
# csv, its CR LF line ends made LF for comparing
as_csv()
{
	as "$@" --format csv | tr -d '\r'
}
nl='
'

# rp_chef supervises nordville: without --org she gets nordville's figures,
# exactly those the superuser gets with --org nordville.
for r in volume sla quality agents escalations hotspots contacts trend; do
	# shellcheck disable=SC2086
	as rp_chef $r $P --format csv >"$PGDIR/chef.csv" 2>&1
	# shellcheck disable=SC2086
	guichet-report $r $P --org nordville --format csv >"$PGDIR/super.csv" 2>&1
	ok "$r: the supervisor of nordville sees nordville's figures" \
	    cmp "$PGDIR/chef.csv" "$PGDIR/super.csv"
done

# rp_sud supervises sudbourg: one ticket created and resolved in March, one open.
# shellcheck disable=SC2086
is "$(as_csv rp_sud volume $P)" "queue,created,share,resolved${nl}Mairie de Sudbourg,2,1.0000,1" \
    "volume: sudbourg's supervisor counts sudbourg's 2 tickets only"
# shellcheck disable=SC2086
out=$(as_csv rp_sud agents $P)
is "$out" "agent,claimed,resolved,replies,notes,escalations,time_spent,handling_median${nl}Zoé Dumas,1,1,1,0,0,900,3300" \
    "agents: sudbourg's supervisor sees Zoé only"
# shellcheck disable=SC2086
for r in volume sla quality backlog agents escalations hotspots contacts trend; do
	out=$(as rp_sud $r $P --format json 2>&1)
	unlike "$out" 'Accueil|Propreté|Technique|Anne|Bruno|Léa|Marc|Nina' \
	    "$r: no queue, agent or requester of nordville in sudbourg's report"
done
# shellcheck disable=SC2086
out=$(as_csv rp_sud backlog)
is "$out" "queue,age_1d,age_3d,age_7d,age_4w,age_older,open${nl}Mairie de Sudbourg,0,0,0,0,1,1" \
    "backlog now: sudbourg's one open ticket"

# Naming another organisation's queue or organisation does not reveal it.
# shellcheck disable=SC2086
out=$(as rp_sud volume $P --queue accueil 2>&1)
is "$?:$out" "64:guichet-report: --queue: no queue 'accueil'" \
    "--queue of another organisation: unknown to this supervisor"
# shellcheck disable=SC2086
out=$(as_csv rp_sud volume $P --org nordville 2>&1)
is "$out" "guichet-report: --org: no organisation 'nordville'" \
    "--org of another organisation: unknown to this supervisor, as its queues are"

# An agent sees her queues only: Zoé's report is sudbourg's mairie-sud.
# shellcheck disable=SC2086
is "$(as_csv rp_zoe volume $P)" "queue,created,share,resolved${nl}Mairie de Sudbourg,2,1.0000,1" \
    "an agent's report counts her queues"

# A login that is not a desk role may not run the report functions.
psql -X -q -c "CREATE ROLE rp_stranger LOGIN" >&2
# shellcheck disable=SC2086
out=$(as rp_stranger volume $P 2>&1)
rc=$?
isnt "$rc" 0 "a stranger's report fails"
like "$out" '^guichet-report: ' "a stranger gets one line naming the program"

done_testing
