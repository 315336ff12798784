#!/bin/sh
# tests/grow/pgbouncer-report.sh — guichet-report through PgBouncer in
# transaction mode (tests/lib/pg.sh: pg_bouncer; the pool runs DISCARD ALL
# after every transaction, so that session state a program relied on would be
# lost at once rather than under load): every case of tests/report/cases gives
# byte for byte what it gives connected directly, as the superuser and as a
# supervisor. A report is one read-only transaction and prepares nothing.

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/grow/lib.sh"

pg_start
pg_install
psql -X -q -v ON_ERROR_STOP=1 -f "$top_srcdir/tests/report/fixture.sql" >&2 ||
    bail_out "loading tests/report/fixture.sql failed"
pg_bouncer

tx=$(pg_bouncer_conninfo postgres guichet_tx)
isnt "$(psql -X -At -d "$tx" -c 'SELECT pg_backend_pid()')" "" \
    "the transaction pool answers"
compare_reports "PgBouncer in transaction mode" "$tx"
reports_listed
# PgBouncer's own count: the runs did go through the transaction pool.
xacts=$(psql -X -At -F ' ' -d "$(pg_bouncer_conninfo postgres pgbouncer)" -c 'SHOW STATS' |
    awk '$1 == "guichet_tx" { print $2 }')
ok "PgBouncer counted the reports' transactions in its transaction pool ($xacts)" \
    test "${xacts:-0}" -ge 71

done_testing
