# tests/console/overview.sh — start-up checks and exit codes, the queue
# overview, a queue's index paged with the keyset to its end and back, help,
# rebinding from the configuration file, and a terminal resize.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture

# Problems end before curses, with one line and a sysexits(3) code.
out=$(guichet -d "host=$PGDIR/nonexistent dbname=guichet user=alice" </dev/null 2>&1)
is "$?" 69 "an unreachable server exits with EX_UNAVAILABLE"
like "$out" '^guichet: ' "…and says so on one line starting with the program's name"
out=$(guichet -d "$(pg_conninfo mailer)" </dev/null 2>&1)
is "$?" 77 "a login that is not an agent exits with EX_NOPERM"
like "$out" 'mailer is not a guichet agent' "…and names the login"
out=$(guichet -d "host='$PGHOST' port=$PGPORT dbname=postgres user=alice" </dev/null 2>&1)
isnt "$?" 0 "a database without the schema is refused"
like "$out" 'guichet-admin' "…with a message naming guichet-admin"
out=$(guichet -d "$(pg_conninfo alice)" </dev/null 2>&1)
is "$?" 64 "without a terminal the console exits with EX_USAGE"
out=$(guichet -x 2>&1)
is "$?" 64 "an unknown option exits with EX_USAGE"

# 250 more open tickets in voirie, one minute apart, for the pages.
sql "INSERT INTO guichet.ticket (queue_id, organisation_id, subject, status, priority)
    SELECT 1, 1, 'Ticket de masse ' || g, 'open', 2 FROM generate_series(1, 250) g" ||
    bail_out "cannot add tickets"
sql "UPDATE guichet.ticket SET updated_at = now() - (id || ' minutes')::interval
    WHERE subject LIKE 'Ticket de masse %'" >/dev/null
last=$(sql "SELECT subject FROM guichet.ticket WHERE queue_id = 1 AND status = 'open'
    ORDER BY updated_at, id LIMIT 1")

# A small page, so that paging to the end trims the window; a rebinding.
mkdir -p "$XDG_CONFIG_HOME/guichet"
cat > "$XDG_CONFIG_HOME/guichet/guichet.conf" <<'EOC'
set console.page_size 20
bind index x claim
EOC

console_start main alice
ok "the overview shows alice's queues" wait_for main "voirie-n2"
like "$(screen main)" 'Ville de Sainte-Claire' "queues are grouped by organisation"
like "$(screen main)" '^  voirie +Voirie +L1 +2 +251 +0 +1 ' \
    "voirie: 2 new, 251 open, 0 pending, 1 mine"
unlike "$(screen main)" 'etat-civil' "a queue alice is not a member of is not listed"
like "$(screen main)" 'My tickets \(1\)' "the first line counts my tickets"

keys main Enter
ok "Enter opens the queue's index" wait_for main "voirie — 253 tickets"
like "$(screen main)" 'Mme Petit +Arbre tombé sur la chaussée' \
    "at 80 columns the subject has the room: the requester column gives way"
like "$(screen main)" '^ +6 5 new ' "new tickets come first, the last changed first"

keys main G
ok "G goes to the last ticket at once (one backward page)" wait_for main "$last"
keys main g
ok "g comes back to the first page" wait_for main "Nid de poule"
i=0
while [ $i -lt 14 ]; do
	keys main NPage
	i=$((i + 1))
done
ok "paging down page after page reaches the end" wait_for main "$last"
keys main j j
like "$(screen main)" "$last" "…and stops there"
i=0
while [ $i -lt 14 ]; do
	keys main PPage
	i=$((i + 1))
done
ok "paging up walks back to the first ticket" wait_for main "Arbre tombé"

keys main o
ok "o offers the orders" wait_for main "most urgent first"
type_text main urgent
keys main Enter
ok "the index is sorted by priority" wait_for main "sorted: priority"
like "$(screen main | sed -n 3p)" '^ +6 5 new ' "…the most urgent first"
sql "UPDATE guichet.ticket SET status = 'resolved' WHERE id = 2" >/dev/null
ok "a change made elsewhere shows without a key press" wait_for main "voirie — 252 tickets"
keys main z
ok "z shows resolved and closed tickets too" wait_for main "253 tickets (all statuses)"
keys main z
ok "…and hides them again" wait_for main "voirie — 252 tickets — sorted"

keys main '?'
ok "? shows the key bindings of the index" wait_for main "Keys of the index view:"
# The index's keys fill more than a screen: the user's binding comes after them.
keys main Space
ok "…with the rebinding from guichet.conf" wait_for main '  x            claim'
like "$(screen main)" 'x +claim +claim the ticket' "…x is bound to claim"
keys main q

tmux -L "$TMUX_SOCKET" resize-window -t main -x 120 -y 40
ok "after a resize the whole subject fits" wait_for main "Arbre tombé sur la chaussée"
# The subject shows at 80 columns already: wait for the redraw at the new size.
ok "the status line moved to the new bottom" wait_line main 39 'guichet: alice'
tmux -L "$TMUX_SOCKET" resize-window -t main -x 80 -y 24
ok "and back to 80 columns, the requester column narrower" \
    wait_for main "requester    subject"

keys main '/'
wait_for main "search: queue:voirie" >/dev/null
keys main C-c
ok "^C cancels a prompt" wait_gone main "search: queue:voirie"
keys main q
ok "q in the index goes back to the overview" wait_for main "My tickets"
keys main C-c
ok "^C in a view leaves guichet with status 0" wait_for main "guichet exited 0"
done_testing
