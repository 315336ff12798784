#!/bin/sh
# tests/mail/concurrent.sh — two importers at once (and two on the same
# maildir), mbox import remembered between runs, and the exit statuses an MTA
# and cron rely on (75 when the database is away, 78 for a bad configuration).
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
is "$ra $rb $rc1 $rc2" "0 0 0 0" "four importers at once (two on the same maildir): all exit 0"
diag "$(cat "$PGDIR/ra" "$PGDIR/rb" "$PGDIR/rc1" "$PGDIR/rc2")"
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

done_testing
