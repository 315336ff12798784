# tests/console/screens-actions.sh — the main actions as an agent sees them, whole
# screens at 80×24: claim, a note, a reply (templates, the decision, the thread),
# status, link, escalation, merge and a bulk claim, each prompt or picker on the
# way and the ticket after. Expected screens are in tests/console/screens/ (clock
# columns masked, see lib.sh); make update-screens rewrites them. actions.sh and
# more.sh check the same steps in the database.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture
sql "INSERT INTO guichet.template (name, body) VALUES ('accuse-reception',
    E'Bonjour {{requester.name}},\n\nVotre demande « {{ticket.subject}} » (#{{ticket.id}}) est prise en charge.\n\n{{agent.name}}')" ||
    bail_out "cannot add a template"
sql "INSERT INTO guichet.ticket (queue_id, organisation_id, subject, priority)
    VALUES (1, 1, 'Nid de poule, le même', 3)" || bail_out "cannot add a ticket"

console_start main alice
wait_for main "voirie-n2" >/dev/null || bail_out "the console did not start"
keys main '#'
type_text main 1
keys main Enter
await main "Bonjour, un nid de poule"

keys main c
await main "Owner:     alice"
screen_is main action-claim "claim: the owner and the status change at once"

printf 'Rappeler **M. Dupont** demain.\n\n- vérifier le trou\n- photo\n' > "$CONSOLE_DIR/body"
keys main a
await main "time spent"
screen_is main prompt-time-spent "a note: after the editor, the time spent"
type_text main 12
keys main Enter
await main "internal note by Alice Martin"
screen_is main action-note "the note, rendered behind its bar"

printf 'Le trou sera rebouché cette semaine.\n' > "$CONSOLE_DIR/body"
keys main r
await main "reply with which template?"
screen_is main picker-template "a reply: the template picker"
keys main Enter
await main "the reply is ready"
screen_is main picker-reply "a reply: send, edit, preview, postpone, cancel, recipients"
keys main Enter
await main "time spent"
keys main Enter
await main "reply by Alice Martin"
screen_is main action-reply "the reply queued and shown in the thread"

keys main s
await main "new status"
screen_is main picker-status "the status picker"
type_text main pend
keys main Enter
await main "pending until"
keys main Enter
await main "Status:    pending"
screen_is main action-status "status: pending"

keys main L
await main "link to ticket #"
type_text main 6
keys main Enter
await main "this ticket…"
screen_is main picker-link "link: the kinds of link"
keys main Enter
await main "Link:      relates to #6"
screen_is main action-link "the link in the header"

keys main e
await main "escalate to which level-2 queue?"
screen_is main picker-escalate "escalation: the level-2 queues"
keys main Enter
await main "reason (required):"
type_text main "Affaissement sous la chaussée"
screen_is main prompt-escalate-reason "escalation: the reason, required"
keys main Enter
await main "Queue:     voirie-n2"
screen_is main action-escalate "escalated: the new queue and level"

keys main q

keys main '#'
type_text main 7
keys main Enter
await main "Nid de poule, le même"
keys main M
await main "merge this ticket into ticket #"
type_text main 2
keys main Enter
await main "Its articles move there."
screen_is main prompt-merge "merge: asks to confirm"
keys main y
await main "#7: merged"
screen_is main action-merge "the merged ticket"
keys main q

psql_as sam -c "SELECT guichet.claim(6)" >/dev/null
keys main /
type_text main "id:2,6"
keys main Enter
await main "2 tickets"
keys main T
await main "2 tickets tagged"
screen_is main bulk-tagged "bulk: two tickets tagged (#6 claimed by sam meanwhile)"
keys main c
await main "apply to the 2 tagged"
screen_is main prompt-bulk "bulk: asks before applying to the tagged tickets"
keys main y
await main "claim: 1 changed, 1 refused"
screen_is main action-bulk "bulk: one line says how many changed and which were refused"
done_testing
