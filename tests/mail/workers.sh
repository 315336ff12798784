#!/bin/sh
# tests/mail/workers.sh — threading does not depend on mail.workers: one
# maildir of 2,000 messages (requests, replies of their sender, and replies of
# a neighbour delivered right after the request they answer), imported with 1,
# 2 and 4 workers into three fresh databases, gives the same tickets, the same
# articles in the same order and the same thread rules, row by row. A ticket
# is named by the Message-ID of its first article (ticket numbers are the
# sequence's business). The rate of each import is printed, never judged.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
pg_fixture
template=$PGDATABASE
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }

sh "$top_srcdir/tests/mail/gen-maildir.sh" "$PGDIR/orig" 1200 400 w 400
is "$(ls "$PGDIR/orig/new" | wc -l | tr -d ' ')" 2000 "a maildir of 2,000 messages"

for w in 1 2 4; do
	q "CREATE DATABASE workers$w TEMPLATE \"$template\"" >/dev/null
	PGDATABASE=workers$w
	export PGDATABASE
	rm -rf "$PGDIR/md$w"
	cp -r "$PGDIR/orig" "$PGDIR/md$w"
	printf 'set mail.default_queue voirie\nset mail.rate_cap 0\nset mail.workers %s\n' "$w" \
	    > "$PGDIR/w$w.conf"
	start=$(date +%s.%N)
	out=$(guichet-mail -F "$PGDIR/w$w.conf" -d "$(pg_conninfo mailer)" import \
	    --maildir "$PGDIR/md$w" --summary 2>&1)
	rc=$?
	end=$(date +%s.%N)
	diag "workers $w: $(echo "$start $end" | awk '{ printf "%.1f s, %.0f msgs/s", $2 - $1, 2000 / ($2 - $1) }') (load $(cut -d' ' -f1-3 /proc/loadavg))"
	is "$rc" 0 "workers $w: exit 0"
	like "$out" "^2000 messages: 2000 imported \(1200 new tickets, 800 threaded\)" \
	    "workers $w: 1,200 tickets, 800 replies threaded ($out)"
	# Every incoming article: its Message-ID, its ticket's first Message-ID,
	# its place on the ticket and the rule that put it there.
	q "SELECT a.message_id, f.message_id, row_number() OVER (PARTITION BY a.ticket_id ORDER BY a.id),
	    a.thread_rule
	    FROM guichet.article a JOIN LATERAL (SELECT message_id FROM guichet.article x
	        WHERE x.ticket_id = a.ticket_id AND x.kind = 'mail_in' ORDER BY x.id LIMIT 1) f ON true
	    WHERE a.kind = 'mail_in' AND a.message_id LIKE '<w.%'
	    ORDER BY a.message_id" > "$PGDIR/rows$w"
done
PGDATABASE=$template
export PGDATABASE

is "$(wc -l < "$PGDIR/rows1" | tr -d ' ')" 2000 "2,000 articles compared"
is "$(grep -c '|in_reply_to$' "$PGDIR/rows1")" 800 "one worker: every reply threaded"
for w in 2 4; do
	d=$(diff "$PGDIR/rows1" "$PGDIR/rows$w" | grep -c '^[<>]')
	is "$d" 0 "workers $w: the same tickets, article order and rules as one worker"
	[ "$d" = 0 ] || diag "$(diff "$PGDIR/rows1" "$PGDIR/rows$w" | head -10)"
done

done_testing
