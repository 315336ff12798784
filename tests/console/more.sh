# tests/console/more.sh — the rest of an agent's tools: next (the most urgent
# ticket of a queue), a new ticket for a phone call with its contact, link,
# split an article into a child ticket, merge, history, the knowledge base into
# a reply draft, absence with a substitute, and help.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture
sql "INSERT INTO guichet.kb_article (slug, title, body) VALUES ('encombrants',
    'Collecte des encombrants', E'Les **encombrants** sont collectés le premier lundi du mois.')" ||
    bail_out "kb"

console_start main alice
ok "the console starts" wait_for main "voirie-n2"
keys main '?'
ok "? lists the overview's keys" wait_for main "Keys of the overview view:"
like "$(screen main)" 'n +next-ticket +claim and open the most urgent' "…with their help"
keys main q

keys main n
ok "n on a queue claims and opens its most urgent ticket" wait_for main "#6 claimed"
ok "…#6, priority 5" wait_for main 'Arbre tombé sur la chaussée'
is "$(sql "SELECT owner_id FROM guichet.ticket WHERE id = 6")" 1 "alice owns #6"

keys main L
ok "L asks for the other ticket" wait_for main "link to ticket #"
type_text main 1
keys main Enter
ok "…and the kind of link" wait_for main "this ticket…"
keys main Enter
ok "the link shows in the header" wait_for main "Link:      relates to #1 (new)"
is "$(sql "SELECT a_id || ' ' || b_id || ' ' || kind FROM guichet.link")" "6 1 relates" \
    "the link is in the database"

keys main o
ok "o in a ticket offers its linked tickets" wait_for main "open which ticket?"
keys main Enter
ok "…and opens the one chosen" wait_for main "Nid de poule rue de la Gare"
keys main q
wait_for main "Arbre tombé sur la chaussée" >/dev/null

keys main h
ok "h shows the history" wait_for main "history of #6"
ok "…with the claim" wait_for main ' alice    claim'
keys main q

keys main '#'
type_text main 2
keys main Enter
wait_for main "Des gravats sont déposés" >/dev/null
keys main S
ok "S asks for the new ticket's subject" wait_for main "into a new ticket; its subject:"
type_text main "Gravats rue voisine"
keys main Enter
ok "the article becomes a new ticket" wait_for main "split from #2"
new=$(sql "SELECT max(id) FROM guichet.ticket")
ok "…a child of #2" wait_for main "Link:      child of #2"
like "$(screen main)" 'Des gravats sont déposés' "…with the article copied"
is "$(sql "SELECT kind FROM guichet.link WHERE a_id = 2 AND b_id = $new")" parent \
    "#2 is the new ticket's parent in the database"

keys main M
ok "M asks where to merge" wait_for main "merge this ticket into ticket #"
type_text main 6
keys main Enter
ok "…and asks to confirm" wait_for main "into #6? Its articles move there."
keys main y
ok "the ticket is merged" wait_for main "#$new: merged"
is "$(sql "SELECT status || ' ' || merged_into FROM guichet.ticket WHERE id = $new")" \
    "merged 6" "merged into #6 in the database"
keys main q q q

keys main m
ok "m starts a new ticket: which queue" wait_for main "new ticket in which queue?"
unlike "$(screen main)" 'voirie-n2 —' "only queues alice may write in are offered"
keys main Enter
ok "…who calls" wait_for main "requester (part of a name, mail or phone):"
type_text main Petit
keys main Enter
ok "known contacts are offered" wait_for main "Mme Petit"
keys main Enter
ok "…the channel" wait_for main "channel"
keys main Enter
ok "…the subject" wait_for main "subject:"
type_text main "Lampadaire éteint"
printf 'Mme Petit signale un lampadaire éteint rue Haute.\n' > "$CONSOLE_DIR/body"
keys main Enter
# What it is: no service, her district, voirie's priority, no field (desk.sh
# tries each).
ok "…the service" wait_for main "which service?"
keys main Enter
ok "…the district" wait_for main "which district?"
keys main Enter
ok "…the priority" wait_for main "priority"
keys main Enter
ok "…the fields" wait_for main "Quartier"
keys main Enter
wait_for main "Référence" >/dev/null
keys main Enter
wait_for main "Montant" >/dev/null
keys main Enter
wait_for main "Rendez-vous" >/dev/null
keys main Enter
ok "the ticket is created and shown" wait_for main "Lampadaire éteint"
is "$(sql "SELECT t.channel || ' ' || c.name || ' ' || a.kind FROM guichet.ticket t
    JOIN guichet.contact c ON c.id = t.requester_id JOIN guichet.article a ON a.ticket_id = t.id
    WHERE t.subject = 'Lampadaire éteint'")" "phone Mme Petit phone" \
    "a phone ticket for Mme Petit with the call as its first article"
keys main q

keys main B
ok "B searches the knowledge base" wait_for main "knowledge base:"
type_text main encombrants
keys main Enter
ok "the article is found" wait_for main "Collecte des encombrants"
keys main Enter
ok "Enter reads it, Markdown rendered" wait_for main "Les encombrants sont collectés"
keys main r
ok "r asks for the ticket" wait_for main "into the reply of ticket #"
type_text main 2
keys main Enter
ok "the article goes into that ticket's reply draft" wait_for main "added to the reply draft of #2"
like "$(cat "$XDG_STATE_HOME/guichet/drafts/2-reply.md")" 'Les \*\*encombrants\*\*' \
    "the draft has the article's Markdown"
keys main q q

keys main '/'
type_text main "id:2"
keys main Enter
wait_for main "search: id:2 — 1 tickets" >/dev/null
keys main r
ok "r in an index opens the ticket and offers the kept draft" \
    wait_for main "a reply draft was kept: resume it?"
keys main y
ok "…the reply is ready" wait_for main "the reply is ready"
keys main Enter
wait_for main "time spent" >/dev/null
keys main Enter
ok "…and queued" wait_for main "#2: reply queued for sending"
like "$(sql "SELECT body FROM guichet.outbox WHERE ticket_id = 2")" 'premier lundi du mois' \
    "the knowledge-base article went out in the reply"
is "$(sql "SELECT a.kb_article_id = k.id FROM guichet.article a
    JOIN guichet.kb_article k ON k.slug = 'encombrants'
    WHERE a.ticket_id = 2 AND a.kind = 'mail_out'")" t \
    "the reply records the knowledge-base article it was answered from"
keys main q q

keys main A
ok "A asks about the absence" wait_for main "I am away: set an absence"
keys main Down Enter
ok "…until when" wait_for main "away until"
type_text main 2030-01-01
keys main Enter
ok "…who substitutes" wait_for main "substitute's login"
type_text main sam
keys main Enter
ok "the absence is recorded" wait_for main "absence recorded"
is "$(sql "SELECT to_char(absent_until AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ' ' || substitute_id
    FROM guichet.agent WHERE login = 'alice'")" "2030-01-01 5" "until 2030-01-01, sam substitutes"
keys main A
wait_for main "I am back" >/dev/null
keys main Enter
ok "and ended" wait_for main "welcome back"
is "$(sql "SELECT absent_from IS NULL FROM guichet.agent WHERE login = 'alice'")" t \
    "no absence in the database"
done_testing
