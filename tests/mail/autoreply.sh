#!/bin/sh
# tests/mail/autoreply.sh — mail a city really receives that looks automatic:
# out-of-office replies of Outlook/Exchange (French, German, 2010 and online),
# Gmail, Zimbra, SOGo and Roundcube (Sieve vacation), hosting autoresponders,
# a read receipt, delivery reports, municipal web forms, a newsletter, and
# people who write those same words. Automatic only on header evidence
# (RFC 3834 Auto-Submitted, X-Autoreply/X-Autorespond, Precedence, List-*,
# a null or MAILER-DAEMON return path, multipart/report), never on the
# subject alone: each auto-* message of the corpus becomes what
# tests/mail/corpus/auto.expected says, through the parser and in the
# database. The web forms are named in mail.form_senders: their requester is
# the citizen of Reply-To. A table of what became of each message is printed.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

corpus=$top_srcdir/tests/mail/corpus
pg_start
pg_install
pg_fixture
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
conf=$PGDIR/guichet.conf
printf 'set mail.default_queue voirie\nset mail.rate_cap 0\nset mail.ack_template accuse\n' > "$conf"
printf 'set mail.form_senders "formulaire@ville.example noreply@stadt-partner.example ne-pas-repondre@%%"\n' >> "$conf"
q "INSERT INTO guichet.template (name, subject, body) VALUES ('accuse', '{{ticket.subject}}',
    'Bonjour {{requester.name}}, votre demande n° {{ticket.id}} est enregistrée.')" >/dev/null
mailer=$(pg_conninfo mailer)
n=$(grep -c '^auto-' "$corpus/auto.expected")
ok "at least 20 realistic messages ($n)" test "$n" -ge 20

field() { python3 -c "import json, sys; v = json.load(sys.stdin).get('$1'); print('-' if v is None else ('yes' if v is True else ('no' if v is False else v)))"; }

# Read in the main shell (not a pipe's subshell): tap.sh counts the tests.
grep '^auto-' "$corpus/auto.expected" > "$PGDIR/expected"
table=
while read -r file outcome loop reason no_ack ticket; do
	f=$corpus/$file.eml
	json=$(guichet-mail -F "$conf" parse < "$f")
	got="$(echo "$json" | field loop) $(echo "$json" | field loop_reason) $(echo "$json" | field no_ack)"
	is "$got" "$loop $reason $no_ack" "$file: parsed as $loop/$reason, no_ack $no_ack"
	msgid=$(echo "$json" | field message_id)
	guichet-mail -F "$conf" -d "$mailer" import --stdin < "$f" > "$PGDIR/out" 2>&1
	rc=$?
	row=$(q "SELECT r.outcome || ' ' || coalesce(a.thread_rule, '-') || ' ' || coalesce(r.ticket_id::text, '-')
	    FROM guichet.raw_message r LEFT JOIN guichet.article a ON a.id = r.article_id
	    WHERE r.message_id = '$msgid'")
	case "$outcome $ticket" in
	"loop -") want="ignored_loop - -" ;;
	"loop "*) want="ignored_loop [a-z_]+ $ticket" ;;
	"ticket new") want="imported new [0-9]+" ;;
	esac
	like "$row" "^$want\$" "$file: $outcome (exit $rc)"
	table="$table
$(q "SELECT format('%-48s %-62s %-4s %s', '$file',
	    CASE WHEN r.outcome = 'imported' AND a.thread_rule = 'new' THEN 'new ticket #' || r.ticket_id
	        WHEN r.outcome = 'imported' THEN 'follow-up on #' || r.ticket_id
	        WHEN r.outcome = 'ignored_loop' AND r.ticket_id IS NOT NULL
	            THEN 'filed on #' || r.ticket_id || ', not woken'
	        WHEN r.outcome = 'ignored_loop' THEN 'listed: ' || r.error
	        ELSE r.outcome END,
	    CASE WHEN EXISTS (SELECT 1 FROM guichet.outbox o WHERE o.kind = 'ack'
	        AND o.in_reply_to = r.message_id) THEN 'ack' ELSE '-' END,
	    coalesce((SELECT c.email FROM guichet.ticket t JOIN guichet.contact c ON c.id = t.requester_id
	        WHERE t.id = r.ticket_id AND a.thread_rule = 'new'), '-'))
	    FROM guichet.raw_message r LEFT JOIN guichet.article a ON a.id = r.article_id
	    WHERE r.message_id = '$msgid'")"
done < "$PGDIR/expected"
diag "$(printf '%-48s %-62s %-4s %s' message outcome ack requester)$table"

# Web forms and relays: the citizen of Reply-To is the requester, never the form.
is "$(q "SELECT string_agg(c.email, ' ' ORDER BY c.email) FROM guichet.raw_message r
    JOIN guichet.ticket t ON t.id = r.ticket_id JOIN guichet.contact c ON c.id = t.requester_id
    WHERE r.message_id IN ('<b7c2d1e0f9a8@web.ville.example>', '<4e1f9a0c7d3b2a1e@stadt-partner.example>',
        '<20260302T161500.88213@formulaires-en-ligne.example>')")" \
    "jacques.morin@example.fr nadia.benali@example.net petra.lang@example.de" \
    "the three web forms (mail.form_senders): each requester is the citizen of Reply-To"

# A request that only looks automatic is a ticket, and the agent sees it.
is "$(q "SELECT count(*) FROM guichet.ticket t WHERE t.subject IN ('Absence du bureau de poste de la place du Marché',
    'Réponse automatique de mon voisin ?', 'Out of office hours noise from the building site on rue Pasteur')")" 3 \
    "the brief's three requests are tickets"
# Loops and bulk mail are never acknowledged (the server's rule, on the gateway's evidence).
is "$(q "SELECT count(*) FROM guichet.outbox o JOIN guichet.raw_message r ON r.ticket_id = o.ticket_id
    WHERE o.kind = 'ack' AND r.message_id IN ('<4e1f9a0c7d3b2a1e@stadt-partner.example>',
    '<20260302T161500.88213@formulaires-en-ligne.example>', '<nl-2026-03.4711@newsletter.verkehrsverbund.example>')")" 0 \
    "bulk and list mail (web forms marked so, a newsletter): a ticket, no acknowledgement"
is "$(q "SELECT count(*) FROM guichet.outbox o JOIN guichet.raw_message r ON r.ticket_id = o.ticket_id
    WHERE o.kind = 'ack' AND r.message_id = '<b7c2d1e0f9a8@web.ville.example>'")" 1 \
    "a web form without automatic headers: acknowledged like any request"
# A request whose subject reads like an out-of-office reply: a ticket, no
# acknowledgement (it could be one, and two robots would answer each other).
is "$(q "SELECT count(*) || ' ' || count(o.id) FROM guichet.ticket t
    LEFT JOIN guichet.outbox o ON o.ticket_id = t.id AND o.kind = 'ack'
    WHERE t.subject IN ('Absence du bureau de poste de la place du Marché',
    'Réponse automatique de mon voisin ?', 'Out of office hours noise from the building site on rue Pasteur')")" "3 0" \
    "no_ack: the three requests that read automatic are not acknowledged"
is "$(q "SELECT status FROM guichet.ticket WHERE id = 1")" "new" "out-of-office replies filed on ticket 1 did not wake it"

done_testing
