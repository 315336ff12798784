#!/bin/sh
# tests/mail/crash.sh — exactly once whatever happens: a 2,000-message import
# is killed with SIGKILL at random points of its progress (at least 5 times), then run to
# completion; every ticket, article and raw message exists exactly once and
# every file left new/ for cur/. Then importing again changes nothing.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
pg_fixture

q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
md=$PGDIR/maildir
sh "$top_srcdir/tests/mail/gen-maildir.sh" "$md" 1500 500 crash
is "$(ls "$md/new" | wc -l | tr -d ' ')" 2000 "2,000 messages generated"

conf=$PGDIR/guichet.conf
printf 'set mail.default_queue voirie\nset mail.batch 50\n' > "$conf"
mailer=$(pg_conninfo mailer)
base_tickets=$(q "SELECT count(*) FROM guichet.ticket")
base_articles=$(q "SELECT count(*) FROM guichet.article")

rand() { od -An -N2 -tu2 /dev/urandom | awk -v lo="$1" -v hi="$2" '{ print lo + $1 % (hi - lo) }'; }
left() { ls "$md/new" | wc -l | tr -d ' '; }
# Has the importer taken $1 messages out of new/ since the run began, or ended?
moved_or_gone() { [ "$(left)" -le "$1" ] || ! kill -0 "$pid" 2>/dev/null; }

# Each run is killed at a random point of its progress, not of the clock, so
# that neither a fast machine (which would finish between two kills) nor a
# loaded one (which would be killed before it began) changes what is tested:
# once 1-150 messages more have left new/ (batches of 50 commit, then move
# their files), plus up to 50 ms, so that the kill also lands inside a batch.
kills=0
while [ "$kills" -lt 6 ] && [ "$(left)" -gt 0 ]; do
	before=$(left)
	k=$(rand 1 150)
	guichet-mail -F "$conf" -d "$mailer" import --maildir "$md" >/dev/null 2>&1 &
	pid=$!
	wait_until moved_or_gone $((before - k))
	ms=$(rand 0 50)
	sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
	if kill -KILL "$pid" 2>/dev/null; then
		kills=$((kills + 1))
	fi
	wait "$pid" 2>/dev/null
	diag "killed $ms ms after $k messages: $(left) messages left in new/"
done
ok "killed at least 5 times mid-import ($kills)" test "$kills" -ge 5

guichet-mail -F "$conf" -d "$mailer" import --maildir "$md" --summary > "$PGDIR/summary" 2>&1
is "$?" 0 "the run after the crashes completes"
diag "$(cat "$PGDIR/summary")"
is "$(ls "$md/new" | wc -l | tr -d ' ')" 0 "new/ is empty"
is "$(ls "$md/cur" | grep -c ':2,S$')" 2000 "every message is in cur/ with the Seen flag"
is "$(q "SELECT count(*) FROM guichet.raw_message")" 2000 "2,000 raw messages, each once"
is "$(q "SELECT count(*) - $base_tickets FROM guichet.ticket")" 1500 "1,500 tickets, each once"
is "$(q "SELECT count(*) - $base_articles FROM guichet.article")" 2000 "2,000 articles, each once"
is "$(q "SELECT count(*) FROM guichet.article WHERE thread_rule = 'in_reply_to'")" 500 \
    "every reply threaded to its request"
is "$(q "SELECT count(*) FROM (SELECT message_id FROM guichet.article WHERE message_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1) d")" 0 \
    "no Message-ID twice"
is "$(q "SELECT count(*) FROM guichet.attachment")" 200 "200 attachments, each once"
is "$(q "SELECT count(*) FROM guichet.raw_message WHERE outcome <> 'imported'")" 0 "nothing quarantined or pending"

# The same mailbox again (the files put back in new/): nothing changes.
for f in "$md"/cur/*; do
	b=$(basename "$f")
	mv "$f" "$md/new/${b%:2,S}"
done
guichet-mail -F "$conf" -d "$mailer" import --maildir "$md" --summary > "$PGDIR/summary2" 2>&1
is "$?" 0 "importing the same mailbox twice: exit 0"
like "$(cat "$PGDIR/summary2")" "2000 messages: 0 imported .* 2000 duplicates" "second import: all duplicates"
is "$(q "SELECT count(*) FROM guichet.raw_message")" 2000 "second import: no new raw message"
is "$(q "SELECT count(*) - $base_articles FROM guichet.article")" 2000 "second import: no new article"
is "$(psql_as ada -c "SELECT count(*) FROM guichet.verify_history()")" 0 "history chains intact"

done_testing
