#!/bin/sh
# tests/mail/concurrent.sh — two importers at once (and two on the same
# maildir), a run that finds its source busy exits at once, mbox import
# remembered between runs, and the exit statuses an MTA and cron rely on (75
# when the database is away or the source busy, 77 when refused, 64 for a bad
# URL, 78 for a bad configuration).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
pg_fixture
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
conf=$PGDIR/guichet.conf
printf 'set mail.default_queue voirie\nset mail.batch 40\n' > "$conf"
mailer=$(pg_conninfo mailer)
gm() { guichet-mail -F "$conf" -d "$mailer" "$@"; }
base_tickets=$(q "SELECT count(*) FROM guichet.ticket")
base_articles=$(q "SELECT count(*) FROM guichet.article")

sh "$top_srcdir/tests/mail/gen-maildir.sh" "$PGDIR/a" 200 100 a
sh "$top_srcdir/tests/mail/gen-maildir.sh" "$PGDIR/b" 200 100 b
sh "$top_srcdir/tests/mail/gen-maildir.sh" "$PGDIR/c" 200 100 c
gm import --maildir "$PGDIR/a" > "$PGDIR/ra" 2>&1 & pa=$!
gm import --maildir "$PGDIR/b" > "$PGDIR/rb" 2>&1 & pb=$!
gm import --maildir "$PGDIR/c" > "$PGDIR/rc1" 2>&1 & pc1=$!
gm import --maildir "$PGDIR/c" > "$PGDIR/rc2" 2>&1 & pc2=$!
wait $pa; ra=$?
wait $pb; rb=$?
wait $pc1; rc1=$?
wait $pc2; rc2=$?
diag "$(cat "$PGDIR/ra" "$PGDIR/rb" "$PGDIR/rc1" "$PGDIR/rc2")"
is "$ra $rb" "0 0" "four importers at once: the two on maildirs of their own exit 0"
# The two on one maildir: whichever comes second either finds the first done
# (0) or busy (75, at once); how they overlap is the scheduler's business.
case "$rc1 $rc2" in
"0 0" | "0 75" | "75 0") pass "two importers on one maildir: 0, or 0 and 75 ($rc1 $rc2)" ;;
*) fail "two importers on one maildir: 0, or 0 and 75 ($rc1 $rc2)" ;;
esac
is "$(q "SELECT count(*) FROM guichet.raw_message")" 900 "900 raw messages, each once"
is "$(q "SELECT count(*) - $base_tickets FROM guichet.ticket")" 600 "600 tickets, each once"
is "$(q "SELECT count(*) - $base_articles FROM guichet.article")" 900 "900 articles, each once"
is "$(q "SELECT count(*) FROM guichet.article WHERE thread_rule = 'in_reply_to'")" 300 "every reply threaded"
is "$(ls "$PGDIR/a/new" "$PGDIR/b/new" "$PGDIR/c/new" | grep -c host)" 0 "all three maildirs emptied"

# mbox: read in place, the position remembered; ">From " lines unescaped.
mbox=$PGDIR/inbox.mbox
mb()
{
	printf 'From sender@example.org Mon Mar  2 10:00:00 2026\n'
	printf 'From: Lecteur %s <mbox%s@example.org>\nTo: voirie@ville.example\n' "$1" "$1"
	printf 'Subject: Par mbox %s\nMessage-ID: <mbox%s@example.org>\n\nPremière ligne.\n>From the start of a line.\n\n' "$1" "$1"
}
for i in 1 2 3; do mb $i; done > "$mbox"
out=$(gm import --mbox "$mbox" --summary 2>&1)
is "$?" 0 "mbox: exit 0"
like "$out" "^3 messages: 3 imported" "mbox: three messages"
is "$(q "SELECT body FROM guichet.article WHERE message_id = '<mbox2@example.org>'")" "Première ligne.
From the start of a line." "mbox: '>From ' unescaped, separator line not in the body"
for i in 4 5; do mb $i; done >> "$mbox"
out=$(gm import --mbox "$mbox" --summary 2>&1)
like "$out" "^2 messages: 2 imported .* 0 duplicates" "mbox appended to: only the new messages are read"
is "$(wc -c < "$mbox" | tr -d ' ')" "$(for i in 1 2 3 4 5; do mb $i; done | wc -c | tr -d ' ')" "mbox: the file is left as it was"
out=$(gm import --mbox "$mbox" --summary 2>&1)
like "$out" "^0 messages" "mbox: nothing new, nothing read"

# -v: one line per message.
printf 'From: v@example.org\nTo: voirie@ville.example\nSubject: verbeux\nMessage-ID: <v@example.org>\n\nx\n' > "$PGDIR/v.eml"
out=$(gm -v import --stdin < "$PGDIR/v.eml" 2>&1)
like "$out" "^guichet-mail: stdin: imported ticket #[0-9]+ by new$" "-v: a line per message"
out=$(gm import --stdin < "$PGDIR/v.eml" 2>&1)
is "$out" "" "quiet on success (a duplicate)"

# Exit statuses.
out=$(guichet-mail -F "$conf" -d "host=$PGDIR/nonexistent dbname=guichet" import --stdin < "$PGDIR/v.eml" 2>&1)
is "$?" 75 "database unreachable: exit 75, the MTA will retry"
like "$out" "^guichet-mail: " "database unreachable: a one-line message"
printf 'route Subject x colour=blue\n' > "$PGDIR/bad.conf"
out=$(guichet-mail -F "$PGDIR/bad.conf" -d "$mailer" import --stdin < "$PGDIR/v.eml" 2>&1)
is "$?" 78 "bad route rule: exit 78 (EX_CONFIG)"
like "$out" "bad.conf:1: unknown route key \"colour\"" "bad route rule: file, line and problem"
out=$(guichet-mail -F "$conf" import 2>&1)
is "$?" 64 "no source: exit 64 (EX_USAGE)"
out=$(guichet-mail -F "$conf" -d "$mailer" import --maildir "$PGDIR/none" 2>&1)
is "$?" 75 "missing maildir: exit 75"
out=$(guichet-mail -F "$conf" -d "$(pg_conninfo alice)" import --stdin < "$PGDIR/v.eml" 2>&1)
is "$?" 77 "a login that is not the gateway's: exit 77 (EX_NOPERM), not retried forever"
like "$out" "permission denied" "refused: says so"
out=$(gm import --imap 'imap://' 2>&1)
is "$?" 64 "--imap URL without a host: exit 64 (EX_USAGE)"
out=$(gm import --imap 'mailbox' 2>&1)
is "$?" 64 "--imap that is not a URL: exit 64"
like "$out" "mailbox: not a URL" "bad URL: says which"

# A message over 4 x mail.max_size is never stored cut: refused (69, which an
# MTA bounces), nothing committed; in a maildir it stays in new/.
printf 'set mail.default_queue voirie\nset mail.max_size 1k\n' > "$PGDIR/small.conf"
{
	printf 'From: gros@example.org\nTo: voirie@ville.example\nSubject: trop gros\nMessage-ID: <toobig@example.org>\n\n'
	i=0
	while [ $i -lt 100 ]; do printf 'Ligne de remplissage numéro %s du message.\n' $i; i=$((i + 1)); done
} > "$PGDIR/toobig.eml"
before=$(q "SELECT count(*) FROM guichet.raw_message")
out=$(guichet-mail -F "$PGDIR/small.conf" -d "$mailer" import --stdin < "$PGDIR/toobig.eml" 2>&1)
is "$?" 69 "--stdin, over 4 x mail.max_size: exit 69 (EX_UNAVAILABLE), the MTA bounces it"
like "$out" "stdin: [0-9]+ bytes, over the limit of 4096 \(4 times mail.max_size\): refused" "refused: says why"
is "$(q "SELECT count(*) FROM guichet.raw_message")" "$before" "refused: nothing stored, not even cut"
sh "$top_srcdir/tests/mail/gen-maildir.sh" "$PGDIR/e" 3 0 e
cp "$PGDIR/toobig.eml" "$PGDIR/e/new/1700000002.toobig.host"
out=$(guichet-mail -F "$PGDIR/small.conf" -d "$mailer" import --maildir "$PGDIR/e" --summary 2>&1)
is "$?" 69 "maildir with a message too big: exit 69"
like "$out" "4 messages: 3 imported .*, 1 refused \(too big, left in place\)" "the others imported"
is "$(ls "$PGDIR/e/new")" "1700000002.toobig.host" "the refused message is still in new/"

# A run that finds another one on its maildir waits mail.lock_wait seconds at
# most, then exits 75 without importing anything. The other run is played by
# a session holding both workers' source locks.
sh "$top_srcdir/tests/mail/gen-maildir.sh" "$PGDIR/d" 20 0 d
printf 'set mail.default_queue voirie\nset mail.lock_wait 1\n' > "$PGDIR/wait.conf"
PGAPPNAME=lock-holder psql -X -q -c "SELECT pg_advisory_lock(1735289203, hashtext('maildir:$PGDIR/d#0')),
    pg_advisory_lock(1735289203, hashtext('maildir:$PGDIR/d#1')), pg_sleep(600)" >/dev/null 2>&1 &
holder=$!
atexit "kill $holder 2>/dev/null"
held() { q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1735289203 AND granted"; }
held_is() { [ "$(held)" = "$1" ]; }
wait_until held_is 2 || bail_out "the lock holder did not get its locks"
before=$(q "SELECT count(*) FROM guichet.raw_message")
out=$(guichet-mail -F "$PGDIR/wait.conf" -d "$mailer" import --maildir "$PGDIR/d" 2>&1)
is "$?" 75 "source busy: exit 75 (EX_TEMPFAIL) after mail.lock_wait"
like "$out" "another import from maildir:$PGDIR/d is running \(waited 1 s\): nothing imported" \
    "source busy: a one-line message naming the source"
is "$(q "SELECT count(*) FROM guichet.raw_message") $(ls "$PGDIR/d/new" | wc -l | tr -d ' ')" "$before 20" \
    "source busy: nothing imported, every message still in new/"
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock-holder'" >/dev/null
wait $holder 2>/dev/null
wait_until held_is 0 || bail_out "the lock holder's locks stayed"
out=$(guichet-mail -F "$PGDIR/wait.conf" -d "$mailer" import --maildir "$PGDIR/d" 2>&1)
is "$?" 0 "the source free again: the next run imports"

done_testing
