#!/bin/sh
# tests/grow/standby.sh — reports served by a streaming hot standby: a primary
# and a standby made by pg_basebackup -R, the report fixture loaded on the
# primary, and once the standby has replayed it, every case of
# tests/report/cases run on both: the standby's output is byte for byte the
# primary's (as the superuser, and every report as a supervisor with -o).
# What a standby cannot do is refused in one line naming the primary, with
# an exit status: guichet-admin (69) and guichet-mail import (75, the mail
# left in its maildir for the next run).

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/grow/lib.sh"

pg_start --replication
pg_install
pg_standby
psql -X -q -v ON_ERROR_STOP=1 -f "$top_srcdir/tests/report/fixture.sql" >&2 ||
    bail_out "loading tests/report/fixture.sql failed"
ok "the standby replays what the primary wrote" pg_wait_replay
is "$(psql -X -At -h "$STANDBY_HOST" -c 'SELECT pg_is_in_recovery()')" t \
    "the standby is in recovery: it is a standby"
is "$(psql -X -At -h "$STANDBY_HOST" -c 'SELECT count(*) FROM guichet.ticket')" \
    "$(psql -X -At -c 'SELECT count(*) FROM guichet.ticket')" \
    "the standby has the fixture's tickets"

standby=$(printf "host='%s' dbname=guichet" "$STANDBY_HOST")
compare_reports "the standby" "$standby"
reports_listed

out=$PGDIR/out
mkdir "$out"
guichet-admin -d "$standby" org add grow 'Grow' >"$out/admin.out" 2>&1
rc=$?
is "$rc" 69 "guichet-admin on the standby: refused, exit 69 (EX_UNAVAILABLE)"
like "$(cat "$out/admin.out")" "read-only .*connect to the primary" \
    "guichet-admin on the standby says why (read-only) and where to go"
is "$(wc -l <"$out/admin.out")" 1 "in one line" || diag "$(cat "$out/admin.out")"

sh "$top_srcdir/tests/mail/gen-maildir.sh" "$out/maildir" 3 0 s >/dev/null 2>&1
printf 'set mail.default_queue accueil\n' >"$out/guichet.conf"
guichet-mail -F "$out/guichet.conf" -d "$standby" import --maildir "$out/maildir" \
    >"$out/mail.out" 2>&1
rc=$?
is "$rc" 75 "guichet-mail import on the standby: refused, exit 75 (the MTA keeps the mail)"
like "$(cat "$out/mail.out")" "read-only .*connect to the primary" \
    "guichet-mail import on the standby says why and where to go"
is "$(ls "$out/maildir/new" | wc -l)" 3 "the three messages are left in the maildir"

done_testing
