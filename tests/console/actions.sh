# tests/console/actions.sh — an agent's day on one ticket through the console:
# claim, an internal note and a reply written in (a scripted) $EDITOR with the
# time spent, a template with its placeholders filled, status, priority, a
# dynamic field from its list of values, escalation (a reason is required),
# and bulk claiming of tagged tickets with a refusal reported. Every step is
# checked on the screen and in the database.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture
sql "INSERT INTO guichet.template (name, body) VALUES ('accuse-reception',
    E'Bonjour {{requester.name}},\n\nVotre demande « {{ticket.subject}} » (#{{ticket.id}}) est prise en charge.\n\n{{agent.name}}')" ||
    bail_out "cannot add a template"

console_start main alice
ok "the console starts" wait_for main "voirie-n2"
keys main '#'
type_text main 1
keys main Enter
ok "# opens a ticket by its number" wait_for main "Nid de poule rue de la Gare"
like "$(screen main)" 'Owner: +nobody' "ticket 1 is unclaimed"

keys main c
ok "c claims it: the owner shows at once" wait_for main "Owner:     alice"
is "$(sql "SELECT a.login || ' ' || t.status FROM guichet.ticket t
    JOIN guichet.agent a ON a.id = t.owner_id WHERE t.id = 1")" "alice open" \
    "the database says alice owns it and it is open"

printf 'Rappeler **M. Dupont** demain.\n\n- vérifier le trou\n- photo\n' > "$CONSOLE_DIR/body"
keys main a
ok "a runs the editor, then asks for the time spent" wait_for main "time spent"
type_text main 12
keys main Enter
ok "the note is added" wait_for main "#1: note added"
ok "…and shown as an internal note" wait_for main "internal note by Alice Martin"
like "$(screen main)" '^│ Rappeler M. Dupont demain.' "the note's Markdown is rendered behind a bar"
like "$(screen main)" '^│ +• vérifier le trou' "…lists included"
is "$(sql "SELECT time_spent || '|' || body FROM guichet.article WHERE ticket_id = 1
    AND kind = 'note'")" "12|Rappeler **M. Dupont** demain.

- vérifier le trou
- photo" "the database holds the note as written, with its 12 minutes"
ok "the draft is removed once the note is accepted" test ! -e "$XDG_STATE_HOME/guichet/drafts/1-note.md"

keys main r
ok "r offers the templates" wait_for main "reply with which template?"
type_text main accuse
keys main Enter
ok "after the editor, the reply waits for a decision" wait_for main "the reply is ready — to: the requester"
type_text main recip
keys main Enter
ok "the recipients can be changed" wait_for main "to (Enter: the requester):"
keys main Enter
wait_for main "cc:" >/dev/null
type_text main "chef@ville.example"
keys main Enter
ok "…and the choice says so" wait_for main "to: the requester, cc: chef@ville.example"
keys main Enter
ok "send asks for the time spent" wait_for main "time spent"
keys main Enter
ok "the reply is queued" wait_for main "#1: reply queued for sending"
ok "…and shown in the thread" wait_for main "reply by Alice Martin"
like "$(sql "SELECT body FROM guichet.outbox WHERE ticket_id = 1")" \
    '^Bonjour Jean Dupont,$' "the outbox has the reply with the requester's name filled in"
is "$(sql "SELECT mail_to || ' ' || mail_cc FROM guichet.outbox WHERE ticket_id = 1")" \
    "jean.dupont@example.org chef@ville.example" "…to the requester, with the Cc"
like "$(sql "SELECT body FROM guichet.outbox WHERE ticket_id = 1")" \
    'Nid de poule rue de la Gare» \(#1\)|« Nid de poule rue de la Gare » \(#1\)' \
    "…the subject and the ticket number too"

keys main s
ok "s offers the statuses" wait_for main "new status"
type_text main pend
keys main Enter
ok "pending asks until when" wait_for main "pending until"
keys main Enter
ok "the status changes" wait_for main "Status:    pending"
is "$(sql "SELECT status FROM guichet.ticket WHERE id = 1")" "pending" "pending in the database"

keys main p
ok "p offers the priorities" wait_for main "most urgent"
keys main Up Up Enter
ok "the priority changes" wait_for main "Priority: 5"
is "$(sql "SELECT priority FROM guichet.ticket WHERE id = 1")" "5" "priority 5 in the database"

keys main f
ok "f offers the fields" wait_for main "set which field?"
type_text main quartier
keys main Enter
ok "an enum field offers its values" wait_for main "Centre"
type_text main Sud
keys main Enter
ok "the field is set" wait_for main "Quartier: Sud"
is "$(sql "SELECT value FROM guichet.ticket_field tf JOIN guichet.field f ON f.id = tf.field_id
    WHERE tf.ticket_id = 1 AND f.name = 'quartier'")" "Sud" "Sud in the database"

keys main e
ok "e offers the level-2 queues" wait_for main "escalate to which level-2 queue?"
keys main Enter
ok "a reason is asked for" wait_for main "reason (required):"
keys main Enter
ok "an empty reason is refused" wait_for main "an escalation needs a reason"
is "$(sql "SELECT queue_id FROM guichet.ticket WHERE id = 1")" "1" "nothing changed"
keys main e
wait_for main "escalate to which level-2 queue?" >/dev/null
keys main Enter
wait_for main "reason (required):" >/dev/null
type_text main "Affaissement sous la chaussée"
keys main Enter
ok "the ticket is escalated" wait_for main "#1: escalated"
ok "…and the view shows its new queue" wait_for main "Queue:     voirie-n2"
is "$(sql "SELECT q.code || ' ' || t.level FROM guichet.ticket t JOIN guichet.queue q
    ON q.id = t.queue_id WHERE t.id = 1")" "voirie-n2 2" "voirie-n2, level 2 in the database"
keys main G
ok "the reason is at the end of the thread, as a note" wait_for main "│ Affaissement sous la chaussée"

# Bulk: sam has taken #6; alice tags #2 and #6 and claims both.
psql_as sam -c "SELECT guichet.claim(6)" >/dev/null
keys main '/'
type_text main "id:2,6"
keys main Enter
ok "a search by ticket numbers lists them" wait_for main "search: id:2,6 — 2 tickets"
keys main T
ok "T tags all that match" wait_for main "2 tickets tagged"
keys main c
ok "an action asks before applying to the tagged tickets" wait_for main "apply to the 2 tagged"
keys main y
ok "one line says how many changed and which were refused" \
    wait_for main "claim: 1 changed, 1 refused (#6: already claimed by sam)"
is "$(sql "SELECT owner_id FROM guichet.ticket WHERE id = 6")" "5" "#6 stays sam's"
done_testing
