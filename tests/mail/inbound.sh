#!/bin/sh
# tests/mail/inbound.sh — mail a city really receives, server side: automatic
# mail filed on its ticket without waking it, or listed with its reason when
# it belongs to none; a Message-ID used again for other content; web forms and
# relays whose requester is in Reply-To; bounces that change a contact only
# when they are about mail the desk sent; a stranger writing on a resolved or
# closed ticket.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
pg_fixture
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
conf=$PGDIR/guichet.conf
cat > "$conf" <<'EOF'
set mail.default_queue voirie
set mail.rate_cap 2
set mail.ack_template accuse
set mail.form_senders "formulaire@ville-exemple.fr, ne-pas-repondre@%.service-public.example"
EOF
q "INSERT INTO guichet.template (name, subject, body) VALUES ('accuse', '{{ticket.subject}}',
    'Bonjour {{requester.name}}, votre demande n° {{ticket.id}} est enregistrée.')" >/dev/null
mailer=$(pg_conninfo mailer)
imp()
{
	out=$(guichet-mail -F "$conf" -d "$mailer" import --stdin 2>&1)
	rc=$?
	[ "$rc" = 0 ] || diag "import: exit $rc: $out"
}
art() { q "SELECT $2 FROM guichet.article WHERE message_id = '$1' ORDER BY id LIMIT 1"; }
raw() { q "SELECT $2 FROM guichet.raw_message WHERE message_id = '$1' ORDER BY id DESC LIMIT 1"; }
admin() { guichet-admin -d "$(pg_conninfo ada)" "$@"; }

# The world: a request from Jeanne (ticket t1), our reply to her.
imp <<'EOF'
From: Jeanne Arnaud <jeanne.arnaud@example.org>
To: voirie@ville.example
Subject: Lampadaire éteint rue Pasteur
Message-ID: <req1@example.org>
Date: Mon, 2 Mar 2026 10:00:00 +0100

Le lampadaire devant le 12 est éteint depuis trois jours.
EOF
t1=$(art '<req1@example.org>' ticket_id)
q "SET search_path = guichet;
INSERT INTO article (ticket_id, kind, body, message_id, mail_from, mail_to)
    VALUES ($t1, 'mail_out', 'Nous intervenons.', '<guichet.$t1.out@ville.example>',
        'voirie@ville.example', 'Jeanne Arnaud <jeanne.arnaud@example.org>');
INSERT INTO outbox (ticket_id, article_id, mail_from, mail_to, subject, body, message_id, status, sent_at)
    SELECT $t1, max(id), 'voirie@ville.example', 'Jeanne Arnaud <jeanne.arnaud@example.org>',
        '[Guichet #$t1] Lampadaire', 'Nous intervenons.', '<guichet.$t1.out@ville.example>', 'sent', now()
    FROM article;
INSERT INTO contact (organisation_id, email, name) VALUES (1, 'innocent@example.org', 'Innocent');" >/dev/null

# 1. Automatic mail: on its ticket, seen, not waking it; else listed with its reason.
q "UPDATE guichet.ticket SET status = 'resolved', resolved_at = now() WHERE id = $t1" >/dev/null
imp <<EOF
From: Jeanne Arnaud <jeanne.arnaud@example.org>
To: voirie@ville.example
Subject: Réponse automatique : [Guichet #$t1] Lampadaire
Message-ID: <oof1@example.org>
Auto-Submitted: auto-replied
In-Reply-To: <guichet.$t1.out@ville.example>

Je suis absent jusqu'au 9 mars.
EOF
is "$(raw '<oof1@example.org>' "outcome || ' ' || ticket_id")" "ignored_loop $t1" \
    "an out-of-office reply that matches a ticket: filed on it"
is "$(q "SELECT status FROM guichet.ticket WHERE id = $t1")" resolved "it does not reopen the ticket"
is "$(psql_as alice -c "SELECT kind || ' ' || author FROM guichet.ticket_articles($t1)
    WHERE body LIKE 'Je suis absent%'")" "mail_in Jeanne Arnaud" "the agent sees it among the ticket's articles"
imp <<'EOF'
From: Marie Curie <marie@example.net>
To: voirie@ville.example
Subject: Abwesenheitsnotiz: Ihre Nachricht
Message-ID: <oof2@example.net>
Auto-Submitted: auto-replied

Ich bin bis zum 9. März nicht im Büro.
EOF
is "$(raw '<oof2@example.net>' "outcome || ' ' || coalesce(ticket_id::text, '-')")" "ignored_loop -" \
    "an out-of-office reply that matches no ticket: no ticket"
list=$(admin quarantine list --outcome ignored --format csv 2>&1)
like "$list" "ignored_loop,marie@example.net,Abwesenheitsnotiz: Ihre Nachricht,[0-9]+,\"automatic \(autoreply: auto-submitted\), matches no ticket\"" \
    "quarantine list --outcome ignored: listed with its reason"
unlike "$list" "oof1@example.org|Réponse automatique" "the one filed on its ticket is not listed"
unlike "$(admin quarantine list --format csv 2>&1)" "marie@example.net" "not among the quarantined by default"
admin quarantine list --outcome nonsense >/dev/null 2>&1
is "$?" 64 "--outcome nonsense: exit 64"

# 2. The same Message-ID and sender again.
msg2() {
	printf 'From: Paul Morel <paul.morel@example.org>\nTo: voirie@ville.example\n'
	printf 'Received: from %s by mx.ville.example\nSubject: %s\n' "$1" "$2"
	printf 'Message-ID: <same-id@example.org>\n\n%s\n' "$3"
}
msg2 mx1 "Poubelles non ramassées" "Les poubelles de la rue Haute n'ont pas été ramassées." | imp
t2=$(art '<same-id@example.org>' ticket_id)
msg2 mx2 "Poubelles non ramassées" "Les poubelles de la rue Haute n'ont pas été ramassées." | imp
is "$(raw '<same-id@example.org>' outcome)" duplicate "the same message by another route: a duplicate"
msg2 mx1 "Banc cassé au square" "Le banc du square Victor-Hugo est cassé." | imp
is "$rc" 0 "other content under the same Message-ID: exit 0"
is "$(raw '<same-id@example.org>' outcome)" imported "other content under the same Message-ID: imported"
is "$(q "SELECT count(*) || ' ' || count(*) FILTER (WHERE duplicate_message_id)
    || ' ' || count(*) FILTER (WHERE subject = 'Banc cassé au square' AND duplicate_message_id)
    FROM guichet.article WHERE message_id = '<same-id@example.org>'")" "2 1 1" \
    "an article of its own, flagged duplicate_message_id; the first one not"
msg2 mx2 "Banc cassé au square" "Le banc du square Victor-Hugo est cassé." | imp
is "$(raw '<same-id@example.org>' outcome)" duplicate "that second content by another route: a duplicate"
is "$(q "SELECT count(*) FROM guichet.article WHERE message_id = '<same-id@example.org>'")" 2 "still two articles"

# 3. Web forms and relays: the requester is in Reply-To.
form() {
	printf 'From: Formulaire de contact <formulaire@ville-exemple.fr>\n'
	[ -n "$1" ] && printf 'Reply-To: %s\n' "$1"
	printf 'To: voirie@ville.example\nSubject: [Formulaire de contact] %s\n' "$2"
	printf 'Message-ID: <%s@ville-exemple.fr>\nContent-Type: text/plain; charset=utf-8\n\n' "$3"
	printf 'Nom : %s\nMessage : %s\n\n-- \nEnvoyé depuis le site de la ville\n' "$1" "$2"
}
for i in 1 2 3; do
	form "Lucie Bernard <lucie.bernard$i@example.fr>" "Trou dans la chaussée n°$i" "form$i" | imp
done
is "$(q "SELECT string_agg(c.email, ' ' ORDER BY c.email) FROM guichet.ticket t JOIN guichet.contact c ON c.id = t.requester_id
    JOIN guichet.article a ON a.ticket_id = t.id WHERE a.message_id LIKE '<form%@ville-exemple.fr>'")" \
    "lucie.bernard1@example.fr lucie.bernard2@example.fr lucie.bernard3@example.fr" \
    "a web form (mail.form_senders): each ticket's requester is the citizen of Reply-To"
is "$(q "SELECT count(*) FROM guichet.contact WHERE email = 'formulaire@ville-exemple.fr'")" 0 \
    "the form is nobody's requester, not even a contact"
is "$(q "SELECT count(*) FROM guichet.raw_message WHERE message_id LIKE '<form%@ville-exemple.fr>' AND outcome = 'imported'")" 3 \
    "three requests through one form, over the rate cap of 2 for one sender: none held"
is "$(q "SELECT count(*) FROM guichet.outbox WHERE mail_to LIKE 'lucie.bernard%'")" 3 "each citizen is acknowledged"
is "$(art '<form1@ville-exemple.fr>' mail_from)" "Formulaire de contact <formulaire@ville-exemple.fr>" \
    "the article still shows who sent it"
form "" "Tag sur le mur de l'école" "form-noreply" | imp
is "$(raw '<form-noreply@ville-exemple.fr>' outcome) $(q "SELECT coalesce(t.requester_id::text, 'none') FROM guichet.ticket t
    JOIN guichet.article a ON a.ticket_id = t.id WHERE a.message_id = '<form-noreply@ville-exemple.fr>'")" "imported none" \
    "a form without Reply-To: imported, no requester (never the form)"
form "Formulaire <formulaire@ville-exemple.fr>" "Graffiti rue Haute" "form-self" | imp
is "$(q "SELECT coalesce(t.requester_id::text, 'none') FROM guichet.ticket t
    JOIN guichet.article a ON a.ticket_id = t.id WHERE a.message_id = '<form-self@ville-exemple.fr>'")" none \
    "a form whose Reply-To is itself: no requester either"
printf 'From: Relais <relais@mairie-annexe.example>\nReply-To: Hans Weber <hans.weber@example.de>\nTo: etat-civil@ville.example\nSubject: Geburtsurkunde\nMessage-ID: <relay1@mairie-annexe.example>\n\nBitte um eine Geburtsurkunde.\n' > "$PGDIR/relay.eml"
printf '%s' "$(sed 's/relay1/relay0/' "$PGDIR/relay.eml")" | imp
is "$(q "SELECT c.email FROM guichet.ticket t JOIN guichet.contact c ON c.id = t.requester_id JOIN guichet.article a
    ON a.ticket_id = t.id WHERE a.message_id = '<relay0@mairie-annexe.example>'")" relais@mairie-annexe.example \
    "a relay's Reply-To is not honoured by default"
admin queue set etat-civil --reply-to-requester yes
is "$?" 0 "queue set --reply-to-requester yes"
imp < "$PGDIR/relay.eml"
is "$(q "SELECT c.email FROM guichet.ticket t JOIN guichet.contact c ON c.id = t.requester_id JOIN guichet.article a
    ON a.ticket_id = t.id WHERE a.message_id = '<relay1@mairie-annexe.example>'")" hans.weber@example.de \
    "a queue that takes the requester from Reply-To"
admin queue set etat-civil --reply-to-requester maybe >/dev/null 2>&1
is "$?" 64 "--reply-to-requester maybe: exit 64"

# 5. Bounces.
bounce() {
	printf 'From: MAILER-DAEMON@mx.example.org\nTo: voirie@ville.example\nSubject: Undelivered Mail Returned to Sender\n'
	printf 'Message-ID: <%s@mx.example.org>\nMIME-Version: 1.0\n' "$1"
	printf 'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
	printf -- '--b\nContent-Type: text/plain\n\nDelivery failed.\n\n--b\nContent-Type: message/delivery-status\n\n'
	printf 'Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; %s\nAction: failed\nStatus: 5.1.1\n\n' "$2"
	printf -- '--b\nContent-Type: text/rfc822-headers\n\nFrom: voirie@ville.example\nTo: %s\nSubject: x\nMessage-ID: %s\n\n--b--\n' "$2" "$3"
}
bounce forged1 innocent@example.org '<guichet.999.forged@ville.example>' | imp
is "$(raw '<forged1@mx.example.org>' "outcome || ' ' || coalesce(ticket_id::text, '-')")" "ignored_loop -" \
    "a report about mail we never sent: stored, on no ticket"
is "$(q "SELECT undeliverable FROM guichet.contact WHERE email = 'innocent@example.org'")" f \
    "a report about mail we never sent changes no contact"
like "$(admin quarantine list --outcome ignored --format csv 2>&1)" "automatic \(bounce: [a-z-]+\), matches no ticket" \
    "and it is listed"
bounce forged2 innocent@example.org "<guichet.$t1.out@ville.example>" | imp
is "$(q "SELECT undeliverable FROM guichet.contact WHERE email = 'innocent@example.org'")" f \
    "a report on our mail naming someone it was not sent to changes nothing"
is "$(raw '<forged2@mx.example.org>' ticket_id)" "$t1" "(it is filed on that mail's ticket)"
bounce real jeanne.arnaud@example.org "<guichet.$t1.out@ville.example>" | imp
is "$(q "SELECT undeliverable FROM guichet.contact WHERE email = 'jeanne.arnaud@example.org'")" t \
    "a report on mail we sent to that address: undeliverable"

# 6. A stranger with a ticket's tag on a resolved, then a closed ticket.
t6=$(art '<form1@ville-exemple.fr>' ticket_id)
q "UPDATE guichet.ticket SET status = 'resolved', resolved_at = now() WHERE id = $t6" >/dev/null
stranger() {
	printf 'From: Inconnu <inconnu@example.com>\nTo: voirie@ville.example\n'
	printf 'Subject: Re: [Guichet #%s] Trou dans la chaussée\nMessage-ID: <%s@example.com>\n\nC'\''est toujours pareil.\n' "$t6" "$1"
}
stranger s1 | imp
is "$(art '<s1@example.com>' "ticket_id || ' ' || thread_rule || ' ' || sender_unknown")" "$t6 tag true" \
    "a stranger with the tag of a resolved ticket: filed on it, flagged"
is "$(q "SELECT status FROM guichet.ticket WHERE id = $t6")" resolved "it does not reopen it"
like "$(q "SELECT body FROM guichet.article WHERE ticket_id = $t6 AND kind = 'system' ORDER BY id DESC LIMIT 1")" \
    "^Mail from inconnu@example.com, who is not among the people of this resolved ticket, filed without reopening it" \
    "a system note tells the agent"
q "UPDATE guichet.ticket SET status = 'closed' WHERE id = $t6" >/dev/null
n=$(q "SELECT count(*) FROM guichet.ticket")
stranger s2 | imp
is "$(art '<s2@example.com>' ticket_id) $(q "SELECT count(*) FROM guichet.ticket") $(q "SELECT status FROM guichet.ticket WHERE id = $t6")" \
    "$t6 $n closed" "on a closed ticket: filed on it too, no new ticket, still closed"
printf 'From: Lucie Bernard <lucie.bernard1@example.fr>\nTo: voirie@ville.example\nSubject: Re: [Guichet #%s] Trou\nMessage-ID: <lucie-back@example.fr>\n\nMerci, mais le trou est revenu.\n' "$t6" | imp
isnt "$(art '<lucie-back@example.fr>' ticket_id)" "$t6" "the requester on a closed ticket: a new ticket, as before"
q "UPDATE guichet.ticket SET status = 'resolved', resolved_at = now() WHERE id = $t1" >/dev/null
printf 'From: Jeanne Arnaud <jeanne.arnaud@example.org>\nTo: voirie@ville.example\nSubject: Re: [Guichet #%s] Lampadaire\nMessage-ID: <jean-back@example.org>\n\nIl est encore éteint.\n' "$t1" | imp
is "$(q "SELECT status FROM guichet.ticket WHERE id = $t1")" open "the requester on a resolved ticket reopens it, as before"

done_testing
