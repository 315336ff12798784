#!/bin/sh
# tests/grow/pgbouncer-mail.sh — guichet-mail through PgBouncer in transaction
# mode (tests/lib/pg.sh: pg_bouncer, DISCARD ALL after every transaction):
# a maildir imported by two workers, each message once; the source's lock
# still keeps a second run off the same maildir (it is held in an open
# transaction, which pins a server connection, not as a session lock that
# would stay behind on a pooled server) and nothing is left locked after the
# runs; one message from --stdin; the outbox sent to the SMTP sink.

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
pg_fixture
pg_bouncer

q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
tx=$(pg_bouncer_conninfo mailer guichet_tx)
conf=$PGDIR/guichet.conf
printf 'set mail.default_queue voirie\nset mail.batch 40\n' >"$conf"
gm() { guichet-mail -F "$conf" -d "$tx" "$@"; }
base_tickets=$(q "SELECT count(*) FROM guichet.ticket")
source_locks="SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
    AND classid = 1735289203 AND objid NOT IN (1, 2)"
no_lock() { [ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = 0 ]; }

sh "$top_srcdir/tests/mail/gen-maildir.sh" "$PGDIR/a" 200 100 a
gm import --maildir "$PGDIR/a" --summary >"$PGDIR/out" 2>&1
is "$?" 0 "a maildir through the transaction pool, two workers: exit 0"
like "$(cat "$PGDIR/out")" "^300 messages: 300 imported \(200 new tickets, 100 threaded\)" \
    "every message imported, the replies threaded" || diag "$(cat "$PGDIR/out")"
is "$(q "SELECT count(*) - $base_tickets FROM guichet.ticket")" 200 "200 tickets, each once"
is "$(ls "$PGDIR/a/new" | wc -l)" 0 "the maildir is emptied"
ok "no advisory lock is left on the pooled server connections" wait_until no_lock

# A second run on a maildir being imported: told so at once (lock_wait 0).
# The first is held at its first batch by a transaction that has the batch
# lock: it then holds the source's lock, and nothing depends on speed.
printf 'set mail.workers 1\nset mail.lock_wait 0\n' >>"$conf"
sh "$top_srcdir/tests/mail/gen-maildir.sh" "$PGDIR/b" 50 0 b
mkfifo "$PGDIR/hold"
psql -X -q -At -v ON_ERROR_STOP=1 <"$PGDIR/hold" >"$PGDIR/hold.out" 2>&1 &
holder=$!
exec 3>"$PGDIR/hold"
atexit "exec 3>&-; kill $holder 2>/dev/null"
echo "BEGIN; SELECT pg_advisory_xact_lock(1735289203, 1); SELECT 'held';" >&3
wait_until grep -q held "$PGDIR/hold.out" || bail_out "the batch lock was not taken"
gm import --maildir "$PGDIR/b" --summary >"$PGDIR/first" 2>&1 &
first=$!
held() { [ "$(q "$source_locks")" = 1 ]; }
# Should the lock not show, the first run is let go before the second starts:
# that one would otherwise wait for the batch lock for ever.
ok "the first run holds the source's lock" wait_until held || echo "COMMIT;" >&3
gm import --maildir "$PGDIR/b" >"$PGDIR/second" 2>&1
is "$?" 75 "a second run on the same maildir: exit 75 at once"
like "$(cat "$PGDIR/second")" "another import from .* is running" "and says why"
echo "COMMIT;" >&3
wait "$first"
is "$?" 0 "the first run, let go, imports"
like "$(cat "$PGDIR/first")" "^50 messages: 50 imported" "all of it, once" ||
    diag "$(cat "$PGDIR/first")"
ok "no advisory lock is left after the runs" wait_until no_lock

printf 'From: stdin@example.org\nTo: voirie@ville.example\nSubject: Par le pool\nMessage-ID: <pool@example.org>\n\nUne ligne.\n' |
    gm import --stdin >"$PGDIR/out" 2>&1
is "$?" 0 "one message on stdin through the transaction pool"
is "$(q "SELECT count(*) FROM guichet.article WHERE message_id = '<pool@example.org>'")" 1 \
    "it is stored once"

# The outbox, through the pool, to the SMTP sink.
sink=$PGDIR/sink
mkdir -p "$sink"
perl "$top_srcdir/tests/mail/smtp-sink.pl" "$sink" &
sinkpid=$!
atexit "touch '$sink/stop'; kill $sinkpid 2>/dev/null"
wait_until test -f "$sink/port" || bail_out "the SMTP sink did not start"
printf 'set mail.smtp smtp://127.0.0.1:%s\n' "$(cat "$sink/port")" >"$conf"
psql_as alice -c "SELECT guichet.reply(1, 'Par le pool.')" >/dev/null
psql_as alice -c "SELECT guichet.reply(2, 'Encore par le pool.')" >/dev/null
gm send --summary >"$PGDIR/out" 2>&1
is "$?" 0 "send through the transaction pool: exit 0"
is "$(cat "$PGDIR/out")" "2 sent, 0 to retry, 0 failed" "two replies sent"
is "$(ls "$sink" | grep -c '\.eml$')" 2 "the SMTP sink has them"
is "$(q "SELECT count(*) FROM guichet.outbox WHERE status = 'sent'")" 2 "the outbox says sent"

done_testing
