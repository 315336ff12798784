#!/bin/sh
# tests/report/facts.sh — the reports' facts (guichet.report_fact, read by the
# agents and escalations reports) that the triggers write in each writer's
# transaction are those a rebuild from history and article gives: after
# claims, notes, an escalation and its return, a move, a change of service, a
# merge and a resolution made through the API, and the reports read from them
# change as the work does. Also: an agent reads only the facts of her
# queues, and writes none.

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
psql -X -q -v ON_ERROR_STOP=1 -f "$top_srcdir/tests/report/fixture.sql" >&2 ||
    bail_out "loading tests/report/fixture.sql failed"

q()
{
	psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"
}
# The facts as they are, less those a rebuild gives, and the other way round
# (none when they agree).
differ()
{
	psql -X -q -At -v ON_ERROR_STOP=1 <<'EOF'
BEGIN;
CREATE TEMP TABLE kept AS SELECT * FROM guichet.report_fact;
SELECT guichet.report_fact_rebuild() \g /dev/null
SELECT count(*) FROM ((TABLE kept EXCEPT ALL TABLE guichet.report_fact)
    UNION ALL (TABLE guichet.report_fact EXCEPT ALL TABLE kept)) x;
ROLLBACK;
EOF
}
P="--from 2025-03-01 --to $(date +%F) --format csv"
agents() {
	# shellcheck disable=SC2086
	guichet-report agents $P | tr -d '\r' | grep '^Chloé Marchand,'
}

n0=$(q "SELECT count(*) FROM guichet.report_fact")
ok "sla_clock_rebuild (the fixture's last step) wrote the facts" test "$n0" -gt 0
is "$(differ)" 0 "the fixture's facts are a rebuild's"
before=$(agents)

psql_as rp_chef -c "SELECT guichet.claim(8)" -c "SELECT guichet.add_note(8, 'vu', 5)" \
    -c "SELECT guichet.claim(7)" -c "SELECT guichet.add_note(7, 'doublon de 8 ?', 3)" \
    -c "SELECT guichet.merge(8, 7)" \
    -c "SELECT guichet.escalate(9, 2, 'trop technique')" \
    -c "SELECT guichet.return_to_level1(9, 'finalement simple')" \
    -c "SELECT guichet.move(7, 1, 'mauvaise file')" \
    -c "SELECT guichet.set_service(7, 1)" \
    -c "SELECT guichet.set_status(7, 'resolved')" >/dev/null 2>"$PGDIR/ops.err"
is "$(cat "$PGDIR/ops.err")" "" "the supervisor's work went through the API"

is "$(q "SELECT string_agg(kind::text, '' ORDER BY kind) FROM guichet.report_fact
    WHERE at > now() - interval '1 hour'")" "bcccennnnnr" \
    "claims, notes (and the reasons kept as notes), an escalation, its return and a resolution written as facts"
is "$(q "SELECT f.ticket_id FROM guichet.report_fact f
    JOIN guichet.article a ON a.id = f.article_id WHERE a.body = 'vu'")" 7 \
    "the note on ticket 8 moved with it into 7"
is "$(q "SELECT count(DISTINCT (queue_id, service_id)) || ' ' || min(queue_id) || ' ' ||
    min(service_id) FROM guichet.report_fact WHERE ticket_id = 7")" "1 1 1" \
    "ticket 7's facts carry its new queue and service"
is "$(differ)" 0 "the facts the triggers wrote are a rebuild's"
after=$(agents)
isnt "$after" "$before" "the agents report counts Chloé's work"
like "$after" '^Chloé Marchand,3,1,0,5,1,480,' \
    "…three claims, a resolution, five notes, an escalation, eight minutes"

# Row-level security: rp_anne (member of accueil) reads the facts of her
# queues only; nobody but the triggers writes them.
is "$(psql_as rp_anne -c "SELECT count(*) FROM guichet.report_fact
    WHERE queue_id <> ALL (guichet.visible_queues())")" 0 \
    "an agent reads only the facts of her queues"
ok "…and some of them" test "$(psql_as rp_anne -c "SELECT count(*) FROM guichet.report_fact")" -gt 0
like "$(psql_as rp_chef -c "INSERT INTO guichet.report_fact (ticket_id, queue_id, at, kind)
    VALUES (1, 1, now(), 'r')" 2>&1)" "permission denied" "a supervisor cannot write a fact"
like "$(psql_as rp_chef -c "SELECT guichet.report_fact_rebuild()" 2>&1)" "permission denied" \
    "…nor rebuild them"

done_testing
