#!/bin/sh
# tests/console/contact.sh — the contact view (R, from a ticket or a list):
# the requester's record and every ticket of hers the agent may see, across
# channels and queues, newest first, with a count of those she may not see;
# Enter opens one; e corrects a field of her record through contact_update
# (recorded in the contact audit); M merges her record into another (a
# supervisor may, an agent may not); a new phone ticket proposes the likely
# duplicates of a caller before a second record is made.
. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture
# Marie Martin also telephoned: a phone ticket of hers in voirie.
sql "INSERT INTO guichet.ticket (queue_id, organisation_id, subject, requester_id, channel,
    created_at) VALUES (1, 1, 'Encombrants rue Haute', 2, 'phone', now() + interval '1 minute')" \
    >/dev/null || bail_out "ticket 7"

console_start main alice
ok "the console starts" wait_for main "voirie-n2"
keys main '#'
type_text main 2
keys main Enter
ok "#2 opens" wait_for main "Dépôt sauvage avenue Foch"
keys main R
ok "R opens the requester's record" wait_for main "marie.martin@example.net"
ok "…her tickets alice may see, one she may not (etat-civil)" \
    wait_for main "Her tickets: 2 you may see, 1 you may not:"
screen_is main contact-marie "her name, address, phone, district; her tickets, newest first"
lines=$(screen main)
like "$lines" "#7 .*phone .*voirie .*Encombrants rue Haute" "…the phone ticket"
like "$lines" "#2 .*mail .*voirie .*Dépôt sauvage avenue Foch" "…and the mail one"
unlike "$lines" "passeport" "…not the one of a queue alice does not see"

keys main G Enter
ok "Enter on a ticket opens it" wait_for main "Dépôt sauvage avenue Foch"
keys main q
ok "q goes back to her record" wait_for main "Her tickets: 2 you may see"

keys main e
ok "e asks which field" wait_for main "correct which field?"
type_text main pho
keys main Enter
ok "…then the value" wait_for main "new value (empty: none):"
type_text main "+33 6 99 88 77 66"
keys main Enter
ok "the contact is corrected" wait_for main "contact corrected"
ok "…and the view shows it" wait_for main "+33 6 99 88 77 66"
is "$(sql "SELECT actor || ' ' || field || ' ' || old_value || ' > ' || new_value
    FROM guichet.contact_audit WHERE action = 'update'")" \
    "alice phone +33 6 12 34 56 78 > +33 6 99 88 77 66" "the correction is in the contact audit"

keys main M
ok "M asks into which record" wait_for main "merge this contact into contact number:"
type_text main 4
keys main Enter
ok "…and to confirm" wait_for main "move her tickets, addresses and phone there?"
keys main y
ok "an agent may not merge: the server says so" wait_for main "permission"
is "$(sql "SELECT count(*) FROM guichet.contact WHERE merged_into IS NOT NULL")" 0 \
    "nothing was merged"

keys main q q
ok "back to the list" wait_for main "voirie-n2"
keys main Enter
ok "a queue's list" wait_for main "Dépôt sauvage avenue Foch"
keys main R
ok "R from the list opens the selected ticket's requester" \
    wait_for main "contact "
keys main q

# A new phone ticket: a caller not found by name, whose phone is Mme Petit's
# written otherwise, is proposed as Mme Petit before a second record is made.
n_before=$(sql "SELECT count(*) FROM guichet.contact")
keys main m
await main "new ticket in which queue?"
keys main Enter
await main "requester (part of a name, mail or phone):"
type_text main "Marie-Line"
keys main Enter
await main "(a new contact)"
keys main Enter
await main "mail address (Enter: none):"
keys main Enter
await main "name:"
keys main Enter
await main "phone (Enter: none):"
type_text main "04 11 22 33 44"
keys main Enter
ok "she may be Mme Petit: the same phone" wait_for main "Mme Petit <> +33 4 11 22 33 44 (same phone)"
like "$(screen main)" "none of them: a new contact" "…or a new contact"
keys main Enter
ok "choosing her goes on to the channel" wait_for main "channel"
keys main Escape
is "$(sql "SELECT count(*) FROM guichet.contact")" "$n_before" "no second record was made"
keys main Q

# sam, a supervisor of ville, merges Mme Petit's record into Marie Martin's.
console_start sup sam
ok "sam's console starts" wait_for sup "voirie"
keys sup '#'
type_text sup 6
keys sup Enter
ok "#6 opens" wait_for sup "Arbre tombé sur la chaussée"
keys sup R
ok "R: Mme Petit's record" wait_for sup "Her tickets: 1 you may see, 0 you may not:"
keys sup M
await sup "merge this contact into contact number:"
type_text sup 2
keys sup Enter
await sup "move her tickets, addresses and phone there?"
keys sup y
ok "sam merges her record into Marie Martin's" wait_for sup "merged into contact 2: 1 tickets moved"
ok "…the view shows the survivor, Mme Petit's phone among her others" \
    wait_for sup "also         +33 4 11 22 33 44"
ok "…and her four tickets, the supervisor seeing every queue of ville" \
    wait_for sup "Her tickets: 4 you may see, 0 you may not:"
is "$(sql "SELECT requester_id FROM guichet.ticket WHERE id = 6")" 2 "her ticket is Marie's"
keys sup Q
done_testing
