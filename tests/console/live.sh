# tests/console/live.sh — two agents at once: presence (who has the ticket open,
# who is writing), a colleague's change shown without a key press (how fast is
# said, not asserted: that is the benchmark's business, tests/bench), a claim lost to a colleague naming who has it, and a stale reply
# refused with "changed by X at HH:MM" while the text is kept as a draft.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture

now_ms()
{
	echo $(( $(date +%s%N) / 1000000 ))
}

console_start alice alice
console_start sam sam
ok "alice's console starts" wait_for alice "voirie-n2"
ok "sam's console starts" wait_for sam "etat-civil"

keys alice '#'
type_text alice 6
keys alice Enter
ok "alice opens #6" wait_for alice "Arbre tombé sur la chaussée"
keys sam '#'
type_text sam 6
keys sam Enter
ok "sam opens #6" wait_for sam "Arbre tombé sur la chaussée"
ok "alice sees that sam has it open" wait_for alice "Also here: sam"
ok "sam sees alice" wait_for sam "Also here: alice"

keys sam c
ok "sam claims #6" wait_for sam "Owner:     sam"
ok "alice's screen shows sam as the owner without a key press" wait_for alice "Owner:     sam"
t0=$(now_ms)
psql_as sam -c "SELECT guichet.set_priority(6, 4)" >/dev/null
ok "a change committed elsewhere reaches alice's screen without a key press" \
    wait_for alice "Priority: 4"
t1=$(now_ms)
diag "the change was on alice's screen after $((t1 - t0)) ms"


keys alice c
ok "alice's claim is refused and names the owner" wait_for alice "#6: already claimed by sam"
is "$(sql "SELECT owner_id FROM guichet.ticket WHERE id = 6")" 5 "#6 is still sam's"

# alice answers #2 while sam changes its priority: the reply is stale.
keys alice q
keys sam q
keys alice '#'
type_text alice 2
keys alice Enter
ok "alice opens #2" wait_for alice "Dépôt sauvage avenue Foch"
keys sam '#'
type_text sam 2
keys sam Enter
wait_for sam "Dépôt sauvage avenue Foch" >/dev/null
cat > "$CONSOLE_DIR/editor-hook" <<EOH
#!/bin/sh
# While alice writes: does sam see it? Then sam changes the ticket.
n=0
while [ \$n -lt 2400 ]; do
	if tmux -L '$TMUX_SOCKET' capture-pane -p -t sam | grep -q 'alice (writing)'; then
		echo yes > '$CONSOLE_DIR/seen-writing'
		break
	fi
	sleep 0.05
	n=\$((n + 1))
done
PGHOST='$PGHOST' PGPORT='$PGPORT' PGDATABASE='$PGDATABASE' PGUSER=sam \
    '$PG_BINDIR/psql' -X -q -At -c 'SELECT guichet.set_priority(2, 1)' >/dev/null
EOH
chmod +x "$CONSOLE_DIR/editor-hook"
printf 'Bonjour Madame,\n\nNous passons jeudi.\n' > "$CONSOLE_DIR/body"
keys alice r
ok "the reply is written" wait_for alice "the reply is ready"
is "$(cat "$CONSOLE_DIR/seen-writing" 2>/dev/null)" yes \
    "while alice was in her editor sam's screen said she was writing"
rm -f "$CONSOLE_DIR/editor-hook"
keys alice Enter
wait_for alice "time spent" >/dev/null
keys alice Enter
ok "the stale reply is refused: changed by sam at HH:MM" \
    wait_for alice "#2: changed by sam at"
is "$(sql "SELECT count(*) FROM guichet.outbox WHERE ticket_id = 2")" 0 "nothing was queued"
ok "the draft is kept" test -s "$XDG_STATE_HOME/guichet/drafts/2-reply.md"
ok "the fresh ticket is shown" wait_for alice "Priority: 1"
keys alice r
ok "the next reply offers the draft" wait_for alice "a reply draft was kept: resume it?"
keys alice y
ok "…and goes on from it" wait_for alice "the reply is ready"
keys alice Enter
wait_for alice "time spent" >/dev/null
keys alice Enter
ok "this time the reply is queued" wait_for alice "#2: reply queued for sending"
is "$(sql "SELECT body FROM guichet.outbox WHERE ticket_id = 2")" "Bonjour Madame,

Nous passons jeudi." "the outbox holds the text typed before the refusal"
ok "the draft is gone once accepted" test ! -e "$XDG_STATE_HOME/guichet/drafts/2-reply.md"
ok "sam sees the reply appear" wait_for sam "reply by Alice Martin"
keys alice q
ok "sam sees that alice left" wait_gone sam "Also here: alice"
done_testing
