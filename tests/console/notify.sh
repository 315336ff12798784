# tests/console/notify.sh — an agent who is told: a follow-up arrives on her
# ticket and her console says so at once (status line, bell, terminal title);
# N lists her notifications, Enter opens the ticket and marks it read, r marks
# it unread again, R marks them all read; notify.bell no and notify.title no
# keep the terminal quiet. Whole screens at 80×24 where a person reads them.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture

# A follow-up from marie on ticket 2 (alice's), through the gateway's function.
followup()
{
	sql "SELECT o_outcome FROM guichet.ingest_message(convert_to('raw $1', 'UTF8'), 'test',
	    jsonb_build_object('message_id', '<$1@example.net>', 'tag', 2,
	        'from_addr', 'marie.martin@example.net', 'from_name', 'Marie Martin',
	        'subject', 'Re: dépôt', 'body', 'Toujours là ce matin.',
	        'to', jsonb_build_array('voirie@ville.example')))"
}

# A file not empty yet (tmux runs the bell hook in the background).
wait_file()
{
	wait_until test -s "$1"
}

# The terminal's title, as tmux keeps it for the pane.
title_says()
{
	tmux -L "$TMUX_SOCKET" display-message -p -t "$1" '#{pane_title}' | grep -q "$2"
}

bells=$CONSOLE_DIR/bells
tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -s keepalive -x 80 -y 24 "sleep 3600"
tmux -L "$TMUX_SOCKET" set-option -g bell-action any
tmux -L "$TMUX_SOCKET" set-option -g monitor-bell on
tmux -L "$TMUX_SOCKET" set-hook -g alert-bell "run-shell 'echo bell >> $bells'"

console_start main alice
ok "the console starts" wait_for main "voirie-n2"
unlike "$(screen main | tail -n 2)" "notification" "no notification yet: nothing in the status line"

is "$(followup f1)" imported "a follow-up arrives on alice's ticket 2"
ok "the status line counts it without a key press" wait_for main "N: 1 notification"
screen_is main notify-arrived "a follow-up arrived: the count in the status line, the message"
ok "the terminal's title says it" wait_until title_says main "guichet: 1 notification"
ok "the bell rang" wait_file "$bells"

keys main N
await main "follow-up"
screen_is main notify-list "N: the notifications, unread marked N"

keys main Enter
ok "Enter opens the ticket" wait_for main "Dépôt sauvage avenue Foch"
ok "and marks the notification read" wait_sql \
    "SELECT count(*) FROM guichet.notification WHERE read_at IS NULL" 0
ok "the status line forgets it" wait_gone main "N: 1 notification"
keys main q
ok "back to the list" wait_for main "follow-up"
keys main r
ok "r marks it unread again" wait_sql \
    "SELECT count(*) FROM guichet.notification WHERE read_at IS NULL" 1
ok "and the count comes back" wait_for main "N: 1 notification"
is "$(followup f2)" imported "a second follow-up"
ok "the list shows it at once" wait_for main "N: 2 notifications"
keys main R
ok "R marks all read" wait_sql "SELECT count(*) FROM guichet.notification WHERE read_at IS NULL" 0
ok "the count is gone" wait_gone main "N: 2 notifications"
keys main q

# notify.bell no, notify.title no: a quiet terminal.
printf 'set notify.bell no\nset notify.title no\n' > "$CONSOLE_DIR/quiet.conf"
console_start quiet alice -F "$CONSOLE_DIR/quiet.conf"
ok "a quiet console starts" wait_for quiet "voirie-n2"
tmux -L "$TMUX_SOCKET" select-pane -t quiet -T "untouched"
: > "$bells"
is "$(followup f3)" imported "a third follow-up"
ok "the quiet console counts it too" wait_for quiet "N: 1 notification"
ok "the other console rings (the bell was heard)" wait_for main "N: 1 notification"
sleep 0.3
is "$(grep -c bell "$bells")" 1 "one bell only: the quiet console does not ring"
is "$(tmux -L "$TMUX_SOCKET" display-message -p -t quiet '#{pane_title}')" "untouched" \
    "nor does it change the terminal's title"

done_testing
