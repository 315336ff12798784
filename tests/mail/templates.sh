#!/bin/sh
# tests/mail/templates.sh — no placeholder reaches a citizen. Every template
# the project ships (the demo's, and every example of the documentation) is
# valid in the one template language and renders without a "{{" left; then,
# on the demo's desk, mail comes in and is acknowledged (list and bulk mail
# are not), agents reply from every template through render_template and
# resolve the tickets (closing notices): every outbox row's subject and body
# is free of "{{", and none leaves from an address the desk does not own.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
guichet-admin demo --tickets 100 --seed 7 >&2 || bail_out "the demo failed"

# The demo's templates: valid, and rendered for a ticket of every queue.
is "$(q "SELECT string_agg(name, ',' ORDER BY name) FROM guichet.template
    WHERE guichet.template_check(coalesce(subject, '') || body) <> '{}'")" "" \
    "every demo template is valid"
ok "the demo has templates" test "$(q "SELECT count(*) FROM guichet.template")" -ge 3
is "$(q "SELECT count(*) FROM guichet.template p
    CROSS JOIN LATERAL (SELECT DISTINCT ON (t.queue_id) t.id FROM guichet.ticket t
        ORDER BY t.queue_id, t.id) t
    WHERE guichet.render_template(t.id, coalesce(p.subject, '') || p.body) ~ '\\{\\{'")" 0 \
    "rendered for a ticket of every queue, no demo template leaves a {{"

# Every example in the documentation and the sample configuration.
docs=$(cd "$top_srcdir" && grep -ho '{{[^{}]*}}' README etc/guichet.conf man/*.[0-9] \
    src/sql/demo/demo.sql | sort -u)
ok "the documentation shows placeholders" test -n "$docs"
is "$(echo "SELECT guichet.template_check(:'t')" | psql -X -q -At -v ON_ERROR_STOP=1 -v t="$docs")" \
    "{}" "every placeholder the documentation shows is one of the language"

# Mail comes in: acknowledged, unless it is list or bulk mail.
conf=$PGDIR/guichet.conf
printf 'set mail.ack_template accuse-reception\nset mail.rate_cap 0\n' > "$conf"
mail()
{
	# FROM NAME, TO, SUBJECT, EXTRA HEADER, N
	printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <tpl.%s@example.org>\nDate: Mon, 2 Mar 2026 10:00:00 +0100\n%s\nBonjour, voici ma demande.\n' \
	    "$1" "$2" "$3" "$5" "$4" |
	    guichet-mail -F "$conf" -d "$(pg_conninfo demo_mail)" import --stdin >&2
}
i=0
for to in accueil@ville-psm.example etat-civil@ville-psm.example voirie@ville-psm.example \
    mairie@ville-psm.example; do
	i=$((i + 1))
	mail "Zoé Lenoir-$i <zoe.lenoir$i@example.org>" "Mairie <$to>" "Demande $i" "X-Test: $i" "$i"
done
mail "sans.nom@example.org" "accueil@ville-psm.example" "Demande sans nom" "X-Test: 0" 5
mail "Lettre <lettre@lists.example.org>" "accueil@ville-psm.example" "La lettre de mars" \
    "List-Id: <lettre.lists.example.org>" 6
mail "Relais <relais@example.org>" "accueil@ville-psm.example" "Formulaire" "Precedence: bulk" 7
tickets=$(q "SELECT string_agg(ticket_id::text, ' ' ORDER BY id) FROM guichet.raw_message
    WHERE message_id LIKE '<tpl.%'")
is "$(echo "$tickets" | wc -w)" 7 "seven requests, seven tickets"
is "$(q "SELECT string_agg(r.message_id, ' ' ORDER BY r.message_id) FROM guichet.raw_message r
    WHERE r.message_id LIKE '<tpl.%' AND NOT EXISTS (SELECT 1 FROM guichet.outbox o
        WHERE o.ticket_id = r.ticket_id AND o.kind = 'ack')")" \
    "<tpl.6@example.org> <tpl.7@example.org>" \
    "acknowledged, but for the mailing list (List-Id) and the bulk mail"
is "$(q "SELECT string_agg(DISTINCT o.mail_from, ' ' ORDER BY o.mail_from) FROM guichet.outbox o
    JOIN guichet.raw_message r ON r.ticket_id = o.ticket_id WHERE r.message_id IN
    ('<tpl.2@example.org>', '<tpl.4@example.org>')")" \
    "etat-civil@ville-psm.example mairie@ville-psm.example" \
    "each acknowledgement comes from the address the citizen wrote to"

# Agents reply from every template, then resolve: closing notices.
for t in $tickets; do
	login=$(q "SELECT a.login FROM guichet.agent a JOIN guichet.queue_member m ON m.agent_id = a.id
	    JOIN guichet.ticket t ON t.queue_id = m.queue_id WHERE t.id = $t AND m.may_write
	    ORDER BY a.login LIMIT 1")
	for name in $(q "SELECT name FROM guichet.template ORDER BY name"); do
		psql_as "$login" -c "SELECT guichet.reply($t, guichet.render_template($t,
		    (SELECT body FROM guichet.template WHERE name = '$name')), 0, NULL, NULL, NULL,
		    (SELECT id FROM guichet.template WHERE name = '$name'))" >/dev/null ||
			bail_out "$login cannot reply to #$t with $name"
	done
	psql_as "$login" -c "SELECT guichet.set_status($t, 'resolved')" >/dev/null ||
		bail_out "$login cannot resolve #$t"
done
is "$(q "SELECT count(*) FROM guichet.outbox WHERE kind = 'closing'")" 7 \
    "a closing notice for each resolved ticket"
is "$(q "SELECT count(*) FROM guichet.article a JOIN guichet.outbox o ON o.article_id = a.id
    WHERE o.kind <> 'reply' AND a.author_agent_id IS NOT NULL")" 0 \
    "acknowledgements and closing notices are not agents' replies"

n=$(q "SELECT count(*) FROM guichet.outbox")
diag "outbox rows checked: $n"
ok "the run queued mail ($n rows)" test "$n" -ge 30
is "$(q "SELECT string_agg(id::text, ' ') FROM guichet.outbox
    WHERE subject LIKE '%{{%' OR body LIKE '%{{%' OR coalesce(from_name, '') LIKE '%{{%'")" "" \
    "no outbox row's subject or body holds a {{"
is "$(q "SELECT count(*) FROM guichet.outbox o
    WHERE NOT EXISTS (SELECT 1 FROM guichet.queue_address a WHERE a.address = o.mail_from)")" 0 \
    "every row leaves from an address of the desk"
like "$(q "SELECT o.body FROM guichet.outbox o JOIN guichet.raw_message r ON r.ticket_id = o.ticket_id
    WHERE r.message_id = '<tpl.5@example.org>' AND o.kind = 'ack'")" "^Bonjour Madame, Monsieur,$" \
    "a requester without a name is greeted with the template's default"
like "$(q "SELECT o.body FROM guichet.outbox o JOIN guichet.raw_message r ON r.ticket_id = o.ticket_id
    WHERE r.message_id = '<tpl.1@example.org>' AND o.kind = 'ack'")" "^Bonjour Zoé Lenoir-1,$" \
    "…one with a name by her name"

done_testing
