# tests/console/desk.sh — moving and classifying work from the console, each
# key checked on the screen and in the database: O gives a ticket to a
# colleague (picker by login, a note), on one ticket and on tagged ones; W
# moves a misrouted ticket (picker by queue code, a reason); b returns a
# level-2 ticket to level 1 (its origin, a reason); C sets the service (the
# catalogue filtered as one types) and D the district and place; a new phone
# ticket asks its service, district, priority and the queue's fields (a
# required one cannot be skipped, a refused value is asked again with the
# server's reason); a claim nobody acted on says when it goes back to the
# queue, and going back shows live in the ticket and in the index.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture
# bob writes in voirie too; alice in etat-civil too (to move misrouted mail).
sql "INSERT INTO guichet.queue_member (agent_id, queue_id, may_write) VALUES (2, 1, true),
    (1, 3, true)" >/dev/null || bail_out "memberships"
sql "INSERT INTO guichet.ticket (queue_id, organisation_id, subject, requester_id)
    VALUES (1, 1, 'Copie d''acte de naissance', 2)" >/dev/null || bail_out "ticket 7"

console_start main alice
ok "the console starts" wait_for main "voirie-n2"

# --- O: give a ticket to a colleague
keys main '#'
type_text main 2
keys main Enter
ok "#2 opens" wait_for main "Dépôt sauvage avenue Foch"
keys main O
ok "O asks to whom, among those who may write in voirie" wait_for main "give it to whom?"
like "$(screen main)" 'bob — Bob Leroy' "…bob is offered"
unlike "$(screen main)" 'carol' "…carol (level 2, not a writer of voirie) is not"
type_text main bo
keys main Enter
ok "…then a note" wait_for main "a note for bob (Enter: none):"
type_text main "Il connaît le prestataire."
keys main Enter
ok "the ticket is given" wait_for main "#2: given to the colleague"
ok "…the owner shows at once" wait_for main "Owner:     bob (Bob Leroy)"
ok "…and the note in the thread" wait_for main "│ Il connaît le prestataire."
is "$(sql "SELECT a.login || ' ' || t.owner_settled FROM guichet.ticket t
    JOIN guichet.agent a ON a.id = t.owner_id WHERE t.id = 2")" "bob true" \
    "bob owns #2 in the database, settled"
is "$(sql "SELECT new_value FROM guichet.history WHERE ticket_id = 2 AND action = 'assign'
    AND field = 'note'")" "Il connaît le prestataire." "the note is in history"
keys main O
wait_for main "give it to whom?" >/dev/null
type_text main sam
keys main Enter
wait_for main "a note for sam" >/dev/null
keys main Enter
ok "alice may not give what is no longer hers: the server's sentence" \
    wait_for main "#2: You are not allowed to do this: ticket #2 is not yours to give"
keys main q

# --- W: a misrouted ticket to another queue
keys main '#'
type_text main 7
keys main Enter
ok "#7 opens" wait_for main "Copie d'acte de naissance"
keys main W
ok "W asks which queue, among those of level 1 alice writes in" \
    wait_for main "move to which queue?"
like "$(screen main)" 'etat-civil — État civil' "…etat-civil is offered"
unlike "$(screen main)" 'voirie-n2 —' "…a level-2 queue is not"
type_text main etat
keys main Enter
ok "…then why" wait_for main "reason for the move (required):"
keys main Enter
ok "an empty reason is refused" wait_for main "a move needs a reason: nothing done"
is "$(sql "SELECT queue_id FROM guichet.ticket WHERE id = 7")" 1 "…nothing moved"
keys main : 
type_text main "move etat-civil"
keys main Enter
ok ":move etat-civil takes the queue by its code" wait_for main "reason for the move"
type_text main "Demande d'état civil arrivée à la voirie."
keys main Enter
ok "the ticket is moved" wait_for main "#7: moved"
ok "…and shows its new queue" wait_for main "Queue:     etat-civil (État civil)"
is "$(sql "SELECT q.code || ' ' || t.level FROM guichet.ticket t JOIN guichet.queue q
    ON q.id = t.queue_id WHERE t.id = 7")" "etat-civil 1" "etat-civil, level 1, in the database"
is "$(sql "SELECT new_value FROM guichet.history WHERE ticket_id = 7 AND action = 'move'
    AND field = 'reason'")" "Demande d'état civil arrivée à la voirie." "the reason is in history"
keys main q

# --- C and D: classify
keys main '#'
type_text main 1
keys main Enter
wait_for main "Nid de poule rue de la Gare" >/dev/null
keys main C
ok "C offers the catalogue, voirie's services first" wait_for main "which service? (type to filter)"
like "$(screen main | sed -n 3,4p)" 'Propreté / Dépôt sauvage' "…the queue's own services first"
type_text main "dépôt"
keys main Enter
ok "the service is set" wait_for main "Service: Propreté / Dépôt sauvage"
is "$(sql "SELECT s.code FROM guichet.ticket t JOIN guichet.service s ON s.id = t.service_id
    WHERE t.id = 1")" "proprete-depot-sauvage" "the service in the database"
is "$(sql "SELECT count(*) FROM guichet.history WHERE ticket_id = 1
    AND field IN ('first_response_due', 'resolution_due')")" 2 \
    "its policy (continu) changed the due times, in history"
keys main D
ok "D offers the districts, the requester's first" wait_for main "which district?"
like "$(screen main | sed -n 4p)" 'Gare' "…Jean Dupont's district (Gare) first"
keys main Enter
ok "…then the place" wait_for main "the place: street, building"
type_text main "12 rue de la Gare"
keys main Enter
ok "district and place are set" wait_for main "Place:     Gare 12 rue de la Gare"

# A catalogue of a hundred services: typing part of a code finds one.
sql "INSERT INTO guichet.service (organisation_id, code, category, name)
    SELECT 1, 'prestation-' || g, 'Catalogue', 'Prestation ' || g
    FROM generate_series(1, 96) g" >/dev/null
keys main C
wait_for main "which service?" >/dev/null
type_text main "tion-57"
ok "typing part of a code narrows a catalogue of 100 to one" \
    wait_for main "Catalogue / Prestation 57 (prestation-57)"
is "$(screen main | sed -n 3,4p | sed 's/ *$//')" "$(printf ' Catalogue / Prestation 57 (prestation-57)\n')" \
    "…and only that one"
keys main Enter
ok "…chosen" wait_for main "Service: Catalogue / Prestation 57"

# --- e then b: a level-2 agent returns it
keys main e
wait_for main "escalate to which level-2 queue?" >/dev/null
keys main Enter
wait_for main "reason (required):" >/dev/null
type_text main "Affaissement possible"
keys main Enter
ok "alice escalates #1" wait_for main "Queue:     voirie-n2"
console_start l2 carol
wait_for l2 "voirie-n2" >/dev/null
keys l2 '#'
type_text l2 1
keys l2 Enter
wait_for l2 "Nid de poule rue de la Gare" >/dev/null
keys l2 c
wait_for l2 "Owner:     carol" >/dev/null
keys l2 b
ok "b asks where to return it, the queue it came from first" \
    wait_for l2 "return to which level-1 queue?"
like "$(screen l2 | sed -n 3p)" '(the level-1 queue it came from)' "…by default where it came from"
keys l2 Enter
ok "…then a reason" wait_for l2 "reason (required):"
type_text l2 "Simple nid de poule."
keys l2 Enter
ok "carol's view says the ticket left her queues" wait_for l2 "#1 has left your queues"
ok "alice sees it come back to her, live" wait_for main "Owner:     alice (Alice Martin)"
like "$(screen main)" 'Level: 1' "…at level 1"
is "$(sql "SELECT q.code || ' ' || t.level || ' ' || a.login FROM guichet.ticket t
    JOIN guichet.queue q ON q.id = t.queue_id JOIN guichet.agent a ON a.id = t.owner_id
    WHERE t.id = 1")" "voirie 1 alice" "voirie, level 1, alice's, in the database"
keys main q

# --- Bulk: O on tagged tickets
keys main '/'
type_text main "id:1,6"
keys main Enter
wait_for main "search: id:1,6 — 2 tickets" >/dev/null
sql "UPDATE guichet.ticket SET owner_id = 1 WHERE id = 6" >/dev/null
keys main T
wait_for main "2 tickets tagged" >/dev/null
keys main O
ok "O on tagged tickets asks first" wait_for main "assign: apply to the 2 tagged tickets? (y/n)"
keys main y
wait_for main "give it to whom?" >/dev/null
type_text main bob
keys main Enter
wait_for main "a note for bob" >/dev/null
keys main Enter
ok "one line says how many changed" wait_for main "assign: 2 changed"
is "$(sql "SELECT string_agg(owner_id::text, ',' ORDER BY id) FROM guichet.ticket
    WHERE id IN (1, 6)")" "2,2" "both are bob's"
keys main q

# --- A new phone ticket: classification and a required field
sql "UPDATE guichet.field SET required = true, required_at = 'create' WHERE name = 'reference'" \
    >/dev/null
printf 'Mme Petit signale un banc cassé place du Marché.\n' > "$CONSOLE_DIR/body"
keys main m
wait_for main "new ticket in which queue?" >/dev/null
type_text main "voirie"
keys main Enter
wait_for main "requester (part of a name" >/dev/null
type_text main Petit
keys main Enter
wait_for main "Mme Petit" >/dev/null
keys main Enter
wait_for main "channel" >/dev/null
keys main Enter
wait_for main "subject:" >/dev/null
type_text main "Banc cassé"
keys main Enter
ok "the service is asked" wait_for main "which service?"
type_text main nid
keys main Enter
ok "the district, Mme Petit's (Sud) first" wait_for main "which district?"
like "$(screen main | sed -n 4p)" 'Sud' "…Sud offered first"
keys main Enter
ok "the priority" wait_for main "priority"
keys main Up Enter
ok "the queue's fields, an enum as a list" wait_for main "Quartier"
keys main Enter
ok "a required field says so" wait_for main "Référence (text, required):"
keys main Enter
ok "…and cannot be skipped" wait_for main "Référence is required for a ticket of this queue"
type_text main "BANC-12"
keys main Enter
ok "a number field" wait_for main "Montant (number; Enter: none):"
type_text main "12,5x"
keys main Enter
ok "a value the server refuses is asked again, with its reason" \
    wait_for main '"12,5x" is not a number — Montant:'
keys main BSpace
keys main Enter
wait_for main "Rendez-vous (date; Enter: none):" >/dev/null
keys main Enter
ok "the ticket is created" wait_for main "Banc cassé"
is "$(sql "SELECT s.code || ' ' || d.name || ' ' || t.priority || ' ' || t.channel
    FROM guichet.ticket t JOIN guichet.service s ON s.id = t.service_id
    JOIN guichet.district d ON d.id = t.district_id WHERE t.subject = 'Banc cassé'")" \
    "voirie-nid-de-poule Sud 4 phone" "service, district, priority 4 (one above voirie's 3)"
is "$(sql "SELECT string_agg(f.name || '=' || tf.value, ' ' ORDER BY f.name)
    FROM guichet.ticket_field tf JOIN guichet.field f ON f.id = tf.field_id
    JOIN guichet.ticket t ON t.id = tf.ticket_id WHERE t.subject = 'Banc cassé'")" \
    "montant=12.5 reference=BANC-12" "the fields as the server stores them"
keys main q

# --- Ownership: a claim nobody acted on, going back to the queue live
sql "UPDATE guichet.ticket SET owner_id = NULL WHERE id = 6" >/dev/null
keys main '/'
type_text main "id:6"
keys main Enter
wait_for main "search: id:6 — 1 tickets" >/dev/null
keys main Enter
wait_for main "Arbre tombé" >/dev/null
keys main c
ok "a fresh claim says when it goes back to the queue" \
    wait_for main "Owner:     alice (Alice Martin) — free again at"
printf 'Appelé, les services techniques passent.\n' > "$CONSOLE_DIR/body"
keys main a
wait_for main "time spent" >/dev/null
keys main Enter
ok "a note settles it: the owner line is plain again" wait_gone main "free again at"
is "$(sql "SELECT owner_settled FROM guichet.ticket WHERE id = 6")" t "settled in the database"
keys main u
wait_for main "Owner:     nobody" >/dev/null
keys main c
wait_for main "free again at" >/dev/null
sql "UPDATE guichet.ticket SET claimed_at = now() - interval '31 minutes' WHERE id = 6" >/dev/null
keys main C-r
ok "once the timeout is past, the header says anyone may take it" \
    wait_for main "— lapsed at"
sql "SELECT guichet.expire_claims()" >/dev/null
ok "expire_claims gives it back: the ticket shows nobody, live" \
    wait_for main "Owner:     nobody (unclaimed)"
keys main q
ok "…and so does the index under it" wait_for main "search: id:6 — 1 tickets"
unlike "$(screen main | grep 'Arbre tombé')" 'alice' "…with no owner"
is "$(sql "SELECT action FROM guichet.history WHERE ticket_id = 6 ORDER BY seq DESC LIMIT 1")" \
    claim_expired "history says claim_expired"
done_testing
