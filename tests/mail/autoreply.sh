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
# database.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

corpus=$top_srcdir/tests/mail/corpus
pg_start
pg_install
pg_fixture
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
conf=$PGDIR/guichet.conf
printf 'set mail.default_queue voirie\nset mail.rate_cap 0\nset mail.ack_template accuse\n' > "$conf"
q "INSERT INTO guichet.template (name, subject, body) VALUES ('accuse', '{{ticket.subject}}',
    'Bonjour {{requester.name}}, votre demande n° {{ticket.id}} est enregistrée.')" >/dev/null
mailer=$(pg_conninfo mailer)
n=$(grep -c '^auto-' "$corpus/auto.expected")
ok "at least 20 realistic messages ($n)" test "$n" -ge 20

field() { python3 -c "import json, sys; v = json.load(sys.stdin).get('$1'); print('-' if v is None else ('yes' if v is True else ('no' if v is False else v)))"; }

# Read in the main shell (not a pipe's subshell): tap.sh counts the tests.
grep '^auto-' "$corpus/auto.expected" > "$PGDIR/expected"
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
done < "$PGDIR/expected"

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
# A request whose subject only looks automatic is a ticket, but not acknowledged (no_ack).
is "$(q "SELECT count(*) FROM guichet.outbox o JOIN guichet.ticket t ON t.id = o.ticket_id
    WHERE o.kind = 'ack' AND t.subject IN ('Absence du bureau de poste de la place du Marché',
    'Réponse automatique de mon voisin ?', 'Out of office hours noise from the building site on rue Pasteur')")" 0 \
    "a subject that looks like an out-of-office reply: a ticket, no acknowledgement (no_ack)"
is "$(q "SELECT status FROM guichet.ticket WHERE id = 1")" "new" "out-of-office replies filed on ticket 1 did not wake it"

done_testing
