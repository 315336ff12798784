# tests/console/screens-desk.sh — a piece of a day at the desk, whole screens at
# 80×24: a level-1 agent (alice) takes a phone call and creates the ticket with
# its service, district, priority and field; gives one of her tickets to a
# colleague; moves a misrouted one to the queue it belongs to; escalates one;
# a level-2 agent (carol) returns it to level 1 with a reason, and it comes back
# to alice live. Expected screens are in tests/console/screens/desk-*.screen
# (clock columns masked, see lib.sh); make update-screens rewrites them.
# desk.sh checks the same keys in the database.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture
# bob writes in voirie too; alice in etat-civil too. #7 came to voirie by mistake.
sql "INSERT INTO guichet.queue_member (agent_id, queue_id, may_write) VALUES (2, 1, true),
    (1, 3, true)" >/dev/null || bail_out "memberships"
sql "INSERT INTO guichet.ticket (queue_id, organisation_id, subject, requester_id, channel)
    VALUES (1, 1, 'Copie d''acte de naissance', 2, 'mail')" >/dev/null || bail_out "ticket 7"

console_start main alice
wait_for main "voirie-n2" >/dev/null || bail_out "the console did not start"

# 1. A phone call: Mme Petit, a street light out.
printf 'Mme Petit signale un lampadaire éteint depuis trois jours, rue Haute.\n' \
    > "$CONSOLE_DIR/body"
keys main m
await main "new ticket in which queue?"
type_text main voirie
keys main Enter
await main "requester (part of a name"
type_text main Petit
keys main Enter
await main "Mme Petit"
keys main Enter
await main "channel"
keys main Enter
await main "subject:"
type_text main "Lampadaire éteint rue Haute"
keys main Enter
await main "which service?"
type_text main nid
screen_is main desk-picker-service "new ticket: the service catalogue, filtered as one types"
keys main Enter
await main "which district?"
screen_is main desk-picker-district "new ticket: the districts, the requester's first"
keys main Enter
await main "priority"
keys main Up Enter
await main "Quartier"
type_text main Sud
keys main Enter
await main "Référence"
keys main Enter
await main "Montant"
keys main Enter
await main "Rendez-vous"
keys main Enter
await main "ticket #8 created"
screen_is main desk-new-ticket "the phone ticket, classified: service, place, priority 4, field"
keys main q

# 2. Alice's #2 goes to bob, who knows the contractor.
keys main '#'
type_text main 2
keys main Enter
await main "Dépôt sauvage avenue Foch"
keys main O
await main "give it to whom?"
screen_is main desk-picker-assign "assign: the colleagues who may write in voirie"
type_text main bob
keys main Enter
await main "a note for bob"
type_text main "Il connaît le prestataire du quartier."
screen_is main desk-prompt-assign-note "assign: a note for the colleague"
keys main Enter
await main "#2: given to the colleague"
screen_is main desk-assigned "assigned: bob owns it, the note in the thread"
keys main q

# 3. #7 is for the registry office, not for the roads.
keys main '#'
type_text main 7
keys main Enter
await main "Copie d'acte de naissance"
keys main W
await main "move to which queue?"
screen_is main desk-picker-move "move: the queues of level 1 alice writes in"
type_text main etat
keys main Enter
await main "reason for the move (required):"
type_text main "Demande d'acte : pour l'état civil."
screen_is main desk-prompt-move-reason "move: the reason, required"
keys main Enter
await main "#7: moved"
screen_is main desk-moved "moved: etat-civil, the reason as an internal note"
keys main q

# 4. #1 looks worse than a pothole: level 2.
keys main '#'
type_text main 1
keys main Enter
await main "Nid de poule rue de la Gare"
keys main c
await main "Owner:     alice"
keys main e
await main "escalate to which level-2 queue?"
keys main Enter
await main "reason (required):"
type_text main "La chaussée s'affaisse autour du trou."
keys main Enter
await main "Queue:     voirie-n2"

# 5. Carol (level 2) looks, and hands it back.
console_start l2 carol
wait_for l2 "voirie-n2" >/dev/null || bail_out "carol's console did not start"
keys l2 '#'
type_text l2 1
keys l2 Enter
await l2 "Nid de poule rue de la Gare"
keys l2 c
await l2 "Owner:     carol"
keys l2 b
await l2 "return to which level-1 queue?"
screen_is l2 desk-picker-return "return: where it came from first"
keys l2 Enter
await l2 "reason (required):"
type_text l2 "Simple nid de poule : le niveau 1 peut le traiter."
screen_is l2 desk-prompt-return-reason "return: the reason, required"
keys l2 Enter
await l2 "#1 has left your queues"
screen_is l2 desk-returned-l2 "returned: carol's view says it left her queues"

# 6. …and it is back with alice, live, at level 1, with carol's reason
# (carol, who no longer sees it, is no longer "here").
await main "Level: 1"
wait_gone main "Also here: carol" >/dev/null
keys main G
await main "Simple nid de poule : le niveau 1 peut le traiter."
screen_is main desk-returned-l1 "returned: alice has it again, level 1, the reason in the thread"
done_testing
