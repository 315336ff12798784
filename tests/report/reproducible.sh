#!/bin/sh
# tests/report/reproducible.sh — a report of a period that --to ends gives the
# same bytes when run again later: nothing in it depends on the time it runs.
# backlog given --to is the state at the end of that day (its ages too), as
# --at says; sla counts a ticket still unanswered as breached when its due
# time was past at the end of the period, not now.

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
psql -X -q -v ON_ERROR_STOP=1 -f "$top_srcdir/tests/report/fixture.sql" >&2 ||
    bail_out "loading tests/report/fixture.sql failed"

out=$PGDIR/out
mkdir "$out"
today=$(date +%F)

# Every report, twice, a second and more apart (ages in csv are seconds).
for r in volume sla quality agents escalations hotspots contacts trend backlog; do
	for to in 2025-03-31 "$today"; do
		guichet-report "$r" --from 2025-03-01 --to "$to" --format csv >"$out/$r.1" 2>&1
		sleep 1.1
		guichet-report "$r" --from 2025-03-01 --to "$to" --format csv >"$out/$r.2" 2>&1
		ok "$r --to $to: a second run a second later is byte-identical" \
		    cmp "$out/$r.1" "$out/$r.2"
	done
done

guichet-report backlog --to 2025-03-06 --format csv >"$out/to.csv" 2>&1
guichet-report backlog --at 2025-03-06 --format csv >"$out/at.csv" 2>&1
ok "backlog --to DAY is backlog --at DAY" cmp "$out/to.csv" "$out/at.csv"
guichet-report backlog --to "$today" --format csv --table oldest >"$out/today.csv" 2>&1
guichet-report backlog --format csv --table oldest >"$out/now.csv" 2>&1
isnt "$(cat "$out/today.csv")" "$(cat "$out/now.csv")" \
    "backlog --to today: ages at the end of today, not now"

# A ticket of March in Propreté still unanswered today, due on April 2nd: breached now,
# not at the end of March. Its arrival adds a ticket to March's report, and
# no breach.
total_fr() {
	guichet-report sla --from 2025-03-01 --to 2025-03-31 --format csv |
	    tr -d '\r' | awk -F, '$1 == "Propreté" { print $2, $7 }'
}
before=$(total_fr)
psql -X -q -v ON_ERROR_STOP=1 >&2 <<'EOF' || bail_out "cannot add the ticket"
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO guichet.ticket (queue_id, organisation_id, subject, status, priority, created_at,
    updated_at, first_response_due, resolution_due, level)
VALUES (3, 1, 'Tag sur le mur du port', 'new', 3, '2025-03-31 22:00+00', '2025-03-31 22:00+00',
    '2025-04-02 10:00+00', '2025-04-03 10:00+00', 1);
COMMIT;
EOF
after=$(total_fr)
is "${after#* }" "${before#* }" "sla of March: a ticket due in April is no breach of March"
is "${after% *}" "$((${before% *} + 1))" "…though it counts in March's tickets"

done_testing
