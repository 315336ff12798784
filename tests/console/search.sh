# tests/console/search.sh — the search language from the console: keys and
# values, free words in subjects and bodies, phrases, comparisons, a syntax error
# that says where it is, and -e to start on a search.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture

console_start main alice
ok "the console starts" wait_for main "voirie-n2"

search()
{
	keys main '/'
	wait_for main "search:" >/dev/null
	type_text main "$1"
	keys main Enter
}

search "status:new queue:voirie"
ok "status and queue" wait_for main "search: status:new queue:voirie — 2 tickets"
like "$(screen main)" 'Nid de poule' "…#1 is new in voirie"
like "$(screen main)" 'Arbre tombé' "…#6 too"
unlike "$(screen main)" 'Dépôt sauvage' "…#2 is open, not listed"
keys main q

search "gravats"
ok "a free word is searched in the bodies" wait_for main "search: gravats — 1 tickets"
like "$(screen main)" '\[voirie\] Dépôt sauvage' "…and finds #2, its queue named"
keys main q

search '"dépôt sauvage" prio:>=4'
ok "a phrase with accents and a priority comparison" wait_for main "— 1 tickets"
like "$(screen main)" '^ +2 4 open' "…find #2"
keys main q

search "prio:>=4 owner:none"
ok "owner:none and prio:>=4" wait_for main "search: prio:>=4 owner:none — 1 tickets"
like "$(screen main)" 'Arbre tombé' "…#6 (priority 5, unclaimed)"
keys main q

search "district:nord owner:me"
ok "district (any case) and owner:me" wait_for main "— 1 tickets"
like "$(screen main)" 'Dépôt sauvage' "…#2"
keys main q

search "created:>2000-01-01 field:quartier=gare requester:dupont"
ok "dates, dynamic fields and the requester" wait_for main "[voirie] Nid de poule"
is "$(screen main | grep -c '\[voirie\]')" 1 "…find #1 alone"
keys main q

search "channel:phone"
ok "channel" wait_for main "search: channel:phone — 1 tickets"
keys main q

# Words are looked for among the statuses and queues searched (search_text's
# narrowed sets): in a body and in subjects.
search "gravats queue:voirie status:open"
ok "a word in a body, within a queue and a status" \
    wait_for main "search: gravats queue:voirie status:open — 1 tickets"
like "$(screen main)" 'Dépôt sauvage' "…finds #2"
keys main q

search "gravats status:new"
ok "…and not among the statuses its ticket is not in" wait_for main "no tickets"
keys main q

search "chaussée status:new"
ok "a word in subjects, within a status" wait_for main "search: chaussée status:new — 1 tickets"
like "$(screen main)" 'Arbre tombé' "…finds #6 (new), not #4 (open)"
keys main q

search "queue:etat-civil"
ok "a queue alice may not see gives nothing" wait_for main "no tickets"
keys main q

search "status:open statut:new"
ok "an unknown key is an error that says where it is" \
    wait_for main "column 13: unknown key: statut"
search 'prio:>=9'
ok "a bad value too" wait_for main "column 1: a priority is a number from 1 to 5: 9"
search 'subject:"nid de'
ok "an unterminated quote too" wait_for main "column 9: unterminated quote"

keys main Enter
wait_for main "voirie — 3 tickets" >/dev/null
keys main '/'
ok "/ in a queue's index starts from that queue" wait_for main "search: queue:voirie"
type_text main "prio:5"
keys main Enter
ok "…and narrows it" wait_for main "search: queue:voirie prio:5 — 1 tickets"
keys main '/'
ok "/ in results starts from their search" wait_for main "search: queue:voirie prio:5"
keys main Escape

keys main Q
wait_for main "guichet exited 0" >/dev/null
console_start second alice -e 'owner:me'
ok "-e starts on a search" wait_for second "search: owner:me — 1 tickets"
keys second Enter
ok "Enter opens the ticket found" wait_for second "Dépôt sauvage avenue Foch"
keys second q
ok "q goes back to the results" wait_for second "search: owner:me"
keys second q
ok "…and to the overview" wait_for second "My tickets"
done_testing
