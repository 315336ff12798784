#!/bin/sh
# tests/sql/notify-live.sh — an agent's notifications reach her consoles live,
# and only hers: guichet.listen() puts a session on its agent's own channel
# (named from the server's secret, as the queues' are), where a follow-up on
# her ticket says 'n<unread count>'; a colleague of the same organisation,
# and one of another, hear nothing of it and cannot name her channel.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
pg_fixture

# listen_as LOGIN: LISTEN through guichet.listen(), then a follow-up on ticket
# 2 (alice's) arrives from another connection; psql prints what it heard.
listen_as()
{
	n=$1
	printf '%s\n' "SELECT guichet.listen() > 0;" \
	    "\\! psql -X -q -At -d '$(pg_conninfo mailer)' -c \"SELECT o_outcome FROM guichet.ingest_message(convert_to('raw $1 $n', 'UTF8'), 'test', jsonb_build_object('message_id', '<live$n@example.net>', 'tag', 2, 'from_addr', 'marie.martin@example.net', 'subject', 'Re', 'body', 'encore', 'to', jsonb_build_array('voirie@ville.example')))\" >/dev/null" \
	    "SELECT 'done';" | psql_as "$1" 2>&1
}

out=$(listen_as alice)
like "$out" 'Asynchronous notification "guichet_[0-9a-f]{32}" with payload "n1" received' \
    "alice hears her unread count on her own channel" || diag "$out"
chan=$(psql -X -q -At -c "SELECT guichet.agent_channel(1)")
like "$out" "\"$chan\" with payload \"n1\"" "…the channel agent_channel() names for her"
unlike "$(psql -X -q -At -c "SELECT guichet.queue_channel(id) FROM guichet.queue")" "$chan" \
    "no queue has that channel"
out=$(listen_as bob)
unlike "$out" 'payload "n' "bob (ville, another queue) hears no count" || diag "$out"
out=$(listen_as dave)
unlike "$out" 'payload "n' "dave (agglo) hears no count" || diag "$out"
out=$(psql_as dave -c "SELECT guichet.agent_channel(1)" 2>&1)
like "$out" "permission denied" "nobody may compute an agent's channel"
is "$(psql_as alice -c "SELECT guichet.notification_unread()")" 3 "alice has three unread follow-ups"

done_testing
