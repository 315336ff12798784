# tests/console/screens.sh — what an agent sees, whole: each view and each prompt
# or picker at 80×24, compared with its expected screen in tests/console/screens/
# (the clock's columns masked: see screen_mask in lib.sh). After an intended
# change of the screens: make update-screens, then read the diff of the files.
#
# The behaviour behind these screens is tested line by line by the other files;
# this one pins down the layout as a person reads it.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture
sql "INSERT INTO guichet.kb_article (slug, title, body) VALUES ('encombrants',
    'Collecte des encombrants', E'Les **encombrants** sont collectés le premier lundi du mois.\n\n- un mètre cube au plus\n- sur le trottoir la veille')" ||
    bail_out "kb"

console_start main alice
wait_for main "voirie-n2" >/dev/null || bail_out "the console did not start"
screen_is main overview "the queue overview"
keys main '?'
await main "Keys of the overview view:"
screen_is main help-overview "help over the overview: its keys, then every view's"

keys main q Enter
await main "voirie — 3 tickets"
screen_is main index "a queue's index: id, priority, status, age, SLA, owner, requester, subject"
keys main o
await main "most urgent first"
screen_is main picker-sort "the sort picker"
keys main Escape
keys main '?'
await main "Keys of the index view:"
screen_is main help-index "help over an index"
keys main q

keys main Enter
await main "Bonjour, un nid de poule"
screen_is main ticket "a ticket: header, fields, the thread"
keys main h
await main "history of #1"
screen_is main history "a ticket's history"
keys main q q

keys main /
await main "search:"
type_text main "status:open,new prio:>=3"
screen_is main prompt-search "the search prompt, as typed"
keys main Enter
await main "search: queue:voirie status:open,new prio:>=3"
screen_is main search "search results: an index with the queue before the subject"
keys main q

keys main '#'
await main "open ticket #"
screen_is main prompt-open-ticket "the ticket-number prompt"
keys main Escape
keys main :
type_text main "sort prio"
screen_is main prompt-command "the command line"
keys main Escape

keys main B
await main "knowledge base:"
type_text main encombrants
keys main Enter
await main "Collecte des encombrants"
screen_is main kb "the knowledge base's results"
keys main Enter
await main "premier lundi du mois"
screen_is main kb-article "a knowledge-base article, its Markdown rendered"
keys main q q

keys main m
await main "which queue"
screen_is main picker-new-ticket-queue "a new ticket: the queue picker"
keys main Escape
keys main A
await main "I am away"
screen_is main prompt-absence "the absence prompt"
keys main Escape
done_testing
