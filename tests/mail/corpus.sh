#!/bin/sh
# tests/mail/corpus.sh — every message of tests/mail/corpus/ imported through
# `guichet-mail import --stdin`, one by one as an MTA would, against the
# fixture world; then what each became is checked in the database: decoding,
# threading (tag, In-Reply-To, References), routing, loops, bounces,
# duplicates, quarantine, rate cap and retry, the oversized message.
# tests/mail/corpus/README says what each message is and what it breaks.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

corpus=$top_srcdir/tests/mail/corpus

pg_start
pg_install
pg_fixture

conf=$PGDIR/guichet.conf
cat > "$conf" <<'EOF'
set mail.default_queue voirie
set mail.rate_cap 3
set mail.ack_template accuse
route Subject "passeport" queue=etat-civil priority=4 field.reference=PASS
EOF

q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }

# The world before the mail arrives: an acknowledgement template, a resolved
# ticket (5), an absent owner with a substitute (alice → sam), a reply of ours
# that will bounce.
q "SET search_path = guichet;
INSERT INTO template (name, subject, body) VALUES ('accuse', '{{ticket.subject}}',
    'Bonjour {{requester.name}}, votre demande n° {{ticket.id}} est enregistrée.');
UPDATE ticket SET status = 'resolved', resolved_at = now() WHERE id = 5;
UPDATE agent SET absent_from = now() - interval '1 day',
    absent_until = now() + interval '1 day', substitute_id = 5 WHERE login = 'alice';
INSERT INTO article (ticket_id, kind, body, message_id, mail_from, mail_to)
    VALUES (1, 'mail_out', 'Nous intervenons.', '<guichet.1.out.test@ville.example>',
        'voirie@ville.example', 'jean.dupont@example.org');
INSERT INTO outbox (ticket_id, article_id, mail_from, mail_to, subject, body, message_id, status, sent_at)
    SELECT 1, max(id), 'voirie@ville.example', 'jean.dupont@example.org', '[Guichet #1] x',
        'Nous intervenons.', '<guichet.1.out.test@ville.example>', 'sent', now() FROM article;" >/dev/null

mailer=$(pg_conninfo mailer)
imp()
{
	out=$(guichet-mail -F "$conf" -d "$mailer" import --stdin < "$1" 2>&1)
	rc=$?
}
# Of the article for a Message-ID: COLUMN.
art() { q "SELECT $2 FROM guichet.article WHERE message_id = '$1' ORDER BY id LIMIT 1"; }
raw() { q "SELECT $1 FROM guichet.raw_message ORDER BY id DESC LIMIT 1"; }

imp "$corpus/01-plain-utf8.eml"
is "$rc" 0 "01 plain: exit 0"
is "$(q "SELECT t.queue_id || ' ' || t.subject || ' ' || a.thread_rule || ' ' || t.requester_id
    FROM guichet.article a JOIN guichet.ticket t ON t.id = a.ticket_id
    WHERE a.message_id = '<c01.plain@example.org>'")" \
    "1 Trottoir défoncé rue Pasteur new 1" "01 plain: new ticket in voirie for the known contact"
t01=$(art '<c01.plain@example.org>' ticket_id)
is "$(q "SELECT kind || ' ' || mail_to || ' ' || in_reply_to || ' ' || (subject LIKE '[Guichet #$t01] %') FROM guichet.outbox WHERE ticket_id = $t01")" \
    "ack jean.dupont@example.org <c01.plain@example.org> true" "01 plain: acknowledgement queued, tagged, threaded"
like "$(q "SELECT body FROM guichet.outbox WHERE ticket_id = $t01")" "Bonjour Jean Dupont, votre demande n° $t01" \
    "01 plain: template placeholders filled"

imp "$corpus/02-latin1-qp.eml"
is "$(art '<c02.qp@example.fr>' subject)" "Dépôt sauvage près de l'école" "02 RFC 2047 Q subject in latin-1"
like "$(art '<c02.qp@example.fr>' body)" "ont été déposés près de l'école Jules-Ferry, côté parking" "02 quoted-printable body, soft breaks joined"
like "$(art '<c02.qp@example.fr>' body)" "un = nu et =ZZ invalide" "02 stray '=' kept literally"
is "$(q "SELECT name FROM guichet.contact WHERE email = 'renee.lefevre@example.fr'")" "Renée Lefèvre" \
    "02 sender becomes a contact with her decoded name"

imp "$corpus/03-mislabelled-latin1.eml"
is "$(art '<c03.cp1252@example.com>' subject)" "Facture de 120 € ?" "03 raw 8-bit subject: windows-1252 guessed"
like "$(art '<c03.cp1252@example.com>' body)" "l’enlèvement d’un “encombrant”" "03 'latin-1' label read as windows-1252"

imp "$corpus/04-base64-broken.eml"
like "$(art '<c04.b64@example.net>' body)" "Merci de faire le nécessaire" "04 base64 with bad padding and line lengths decoded"

imp "$corpus/05-html-only.eml"
body=$(art '<c05.html@example.org>' body)
like "$body" "voir la carte <https://carte.example.org/p/12>" "05 HTML only: link text then address"
like "$body" "- Adresse : 3 allée des Tilleuls" "05 HTML only: list items, windows-1252"
unlike "$body" "alert|color:red|<p>" "05 HTML only: no script, style or tags left"

imp "$corpus/06-thunderbird-alternative.eml"
body=$(art '<c06.tb@example.org>' body)
like "$body" "^Le panneau stop à l'angle" "06 alternative: text/plain preferred"
unlike "$body" "HTML version" "06 alternative: the HTML twin is not appended"

imp "$corpus/07-outlook-reply-tag.eml"
is "$(art '<DB7PR01MB1234.eurprd01.prod.outlook.com>' "ticket_id || ' ' || thread_rule")" "1 tag" \
    "07 Outlook reply joins ticket 1 by its subject tag"

imp "$corpus/08-thunderbird-reply-irt.eml"
is "$(art '<c08.reply@example.net>' "ticket_id || ' ' || thread_rule || ' ' || sender_unknown")" "2 in_reply_to false" \
    "08 reply joins ticket 2 by In-Reply-To"
is "$(q "SELECT status || ' ' || owner_id FROM guichet.ticket WHERE id = 2")" "open 5" \
    "08 owner alice is absent: the ticket goes to her substitute sam"

imp "$corpus/09-references-only.eml"
is "$(art '<c09.refs@example.net>' "ticket_id || ' ' || thread_rule")" "3 references" \
    "09 joins ticket 3 through References"

imp "$corpus/10-forwarded.eml"
a10=$(art '<c10.fwd@example.org>' id)
is "$(q "SELECT filename || ' ' || content_type FROM guichet.attachment WHERE article_id = $a10")" \
    "Bruit nocturne.eml message/rfc822" "10 forwarded message kept as an .eml attachment"
like "$(art "<c10.fwd@example.org>" body)" "^Les travaux de nuit" "10 forwarded text shown"

imp "$corpus/28-forwarded-long-subject.eml"
is "$rc" 0 "28 forwarded message with a long accented subject: imported, not quarantined"
is "$(q "SELECT filename FROM guichet.attachment WHERE article_id = $(art '<c28.fwdlong@example.org>' id)")" \
    "Demande de riverains concernant la circulation des poids lourds rue du Moulin e.eml" \
    "28 its .eml name cut at 80 bytes between characters, not inside 'é'"

imp "$corpus/11-attachments-names.eml"
a11=$(art '<c11.att@example.org>' id)
is "$(q "SELECT string_agg(filename || ':' || inline, '|' ORDER BY id) FROM guichet.attachment WHERE article_id = $a11")" \
    "part-1.png:true|devis été 2026.pdf:false|工事見積.pdf:false|réponse mairie.pdf:false|passwd:false" \
    "11 inline image, RFC 2231 (whole and continued, CJK), RFC 2047 names, no path"
is "$(q "SELECT count(DISTINCT sha256) FROM guichet.attachment WHERE article_id = $a11")" 3 \
    "11 identical attachments share one blob"

imp "$corpus/12-no-message-id.eml"
is "$rc" 0 "12 no Message-ID: imported"
n=$(q "SELECT count(*) FROM guichet.raw_message")
imp "$corpus/12-no-message-id.eml"
is "$rc" 0 "12 again: exit 0"
is "$(q "SELECT count(*) FROM guichet.raw_message")" "$n" "12 again: recognised by its bytes, nothing stored"

imp "$corpus/13-dup-message-id-a.eml"
imp "$corpus/14-dup-message-id-b.eml"
is "$(raw "outcome || ' ' || (article_id = (SELECT id FROM guichet.article WHERE message_id = '<c13.dup@example.com>'))")" \
    "duplicate true" "14 same Message-ID and sender, other bytes: a duplicate of 13"
is "$(q "SELECT count(*) FROM guichet.article WHERE message_id = '<c13.dup@example.com>'")" 1 "14 no second article"

imp "$corpus/15-reused-message-id.eml"
is "$(q "SELECT count(DISTINCT ticket_id) FROM guichet.article WHERE message_id = '<c13.dup@example.com>'")" 2 \
    "15 Message-ID reused by another sender: a ticket of its own"

imp "$corpus/16-broken-mime.eml"
is "$rc" 0 "16 broken MIME: imported"
is "$(art '<c16.broken@example.org>' "body || ' ' || decode_lossy")" "Texte avec un jeu de caractères inconnu. true" \
    "16 unknown charset and missing end boundary: text kept, article flagged"

imp "$corpus/17-autoreply.eml"
is "$(raw outcome)" "ignored_loop" "17 auto-reply: recognised as a loop"
is "$(art '<c17.ooo@example.net>' ticket_id)" 2 "17 auto-reply filed on ticket 2"
is "$(q "SELECT count(*) FROM guichet.outbox WHERE ticket_id = 2")" 0 "17 auto-reply never answered"

imp "$corpus/18-bounce.eml"
is "$(raw "outcome || ' ' || ticket_id")" "ignored_loop 1" "18 bounce filed on the ticket whose reply bounced"
is "$(q "SELECT undeliverable FROM guichet.contact WHERE email = 'jean.dupont@example.org'")" t \
    "18 permanent failure: the address is marked undeliverable"

imp "$corpus/19-not-a-mail.eml"
is "$rc" 65 "19 not a mail: exit 65 (EX_DATAERR)"
like "$out" "quarantined" "19 not a mail: reported"
is "$(raw "outcome || ' ' || error")" "quarantined no header block: not a mail message" \
    "19 not a mail: kept raw, quarantined with the reason"
q19=$(raw id)

imp "$corpus/20-cjk.eml"
is "$(art '<c20.cjk@example.jp>' subject)" "道路の穴について" "20 ISO-2022-JP encoded word"
like "$(art '<c20.cjk@example.jp>' body)" "道路に穴があります" "20 Shift_JIS body"
is "$(q "SELECT name FROM guichet.contact WHERE email = 'yamada@example.jp'")" "山田 太郎" "20 CJK sender name"

imp "$corpus/21-raw-8bit-headers.eml"
is "$(art '<c21.raw8bit@example.fr>' subject)" "Café fermé, terrasse sur le trottoir" "21 raw UTF-8 subject"
is "$(q "SELECT name FROM guichet.contact WHERE email = 'francois.garnier@example.fr'")" "François Garnier" \
    "21 raw latin-1 display name"

imp "$corpus/22-list-mail.eml"
t22=$(art '<c22.list@liste.example>' ticket_id)
isnt "$t22" "" "22 list mail: stored as a ticket"
is "$(q "SELECT count(*) FROM guichet.outbox WHERE ticket_id = $t22")" 0 "22 list mail: no acknowledgement"

imp "$corpus/23-followup-resolved.eml"
is "$(q "SELECT status FROM guichet.ticket WHERE id = 5")" open "23 follow-up reopens resolved ticket 5"

imp "$corpus/24-stranger-followup.eml"
is "$(art '<c24.stranger@example.com>' "ticket_id || ' ' || sender_unknown")" "3 true" \
    "24 follow-up from outside the ticket's contacts is flagged"

imp "$corpus/25-tag-unknown-ticket.eml"
is "$(art '<c25.notag@example.org>' thread_rule)" new "25 tag of a ticket that does not exist: a new ticket"

imp "$corpus/26-own-address.eml"
is "$(raw "outcome || ' ' || coalesce(ticket_id::text, '-')")" "ignored_loop -" "26 mail from our own address: a loop"

imp "$corpus/27-crlf-line-ends.eml"
is "$(art '<c27.crlf@example.com>' body)" "Lignes terminées par CR LF." "27 CR LF line ends"

imp "$corpus/29-nul-bytes.eml"
is "$(q "SELECT c.email || ' ' || c.name FROM guichet.article a JOIN guichet.contact c ON c.id = a.author_contact_id
    WHERE a.message_id = '<c29.nul@example.org>'")" "paul.morel@example.org Paul Morel" \
    "29 NUL in the From display name: the sender's address is kept, the words apart"
is "$(art '<c29.nul@example.org>' subject)" "Lampadaire en panne" "29 NUL in the subject: a space"
is "$(art '<c29.nul@example.org>' body)" "Le lampadaire de la rue�Pasteur clignote� depuis lundi." \
    "29 NUL and BEL in the body: U+FFFD where they were, words not glued"

# Routing rule from guichet.conf: no queue address matches, the rule does.
printf 'From: x@example.org\nTo: nobody@example.org\nSubject: Mon passeport\nMessage-ID: <route@example.org>\n\nBonjour\n' > "$PGDIR/route.eml"
imp "$PGDIR/route.eml"
is "$(q "SELECT q.code || ' ' || t.priority || ' ' || f.value FROM guichet.article a JOIN guichet.ticket t ON t.id = a.ticket_id JOIN guichet.queue q ON q.id = t.queue_id JOIN guichet.ticket_field f ON f.ticket_id = t.id WHERE a.message_id = '<route@example.org>'")" \
    "etat-civil 4 PASS" "route rule: queue, priority and field from the config"

# Rate cap: 5 new requests from one sender, cap 3 a day.
for i in 1 2 3 4 5; do
	printf 'From: flood@example.org\nTo: voirie@ville.example\nSubject: Demande %s\nMessage-ID: <flood%s@example.org>\n\nEncore.\n' $i $i > "$PGDIR/flood$i.eml"
	imp "$PGDIR/flood$i.eml"
done
is "$(q "SELECT count(*) FROM guichet.ticket t JOIN guichet.contact c ON c.id = t.requester_id WHERE c.email = 'flood@example.org'")" 3 \
    "rate cap: 3 tickets for a sender over the cap"
is "$(q "SELECT count(*) FROM guichet.raw_message WHERE outcome = 'held'")" 2 "rate cap: the excess is held, not lost"

# Retry from the quarantine: an admin releases a held message and retries the
# quarantined junk; the next import run (whatever its source) takes them.
held=$(q "SELECT min(id) FROM guichet.raw_message WHERE outcome = 'held'")
psql_as ada -c "SELECT guichet.quarantine_retry($held), guichet.quarantine_retry($q19)" >/dev/null
is "$(psql_as ada -c "SELECT count(*) FROM guichet.quarantine_list() WHERE outcome = 'pending'")" 2 \
    "quarantine_list shows the messages waiting for a retry"
mkdir -p "$PGDIR/empty/new" "$PGDIR/empty/cur" "$PGDIR/empty/tmp"
out=$(guichet-mail -F "$conf" -d "$mailer" import --maildir "$PGDIR/empty" 2>&1)
rc=$?
diag "$out"
is "$rc" 65 "retry run: exit 65, the junk is still quarantined"
is "$(q "SELECT outcome || ' ' || (ticket_id IS NOT NULL) FROM guichet.raw_message WHERE id = $held")" "imported true" \
    "retry: the held message becomes a ticket, past the cap"
is "$(q "SELECT outcome || ' ' || retries FROM guichet.raw_message WHERE id = $q19")" "quarantined 1" \
    "retry: unreadable junk goes back to the quarantine"

# A follow-up to a closed ticket from its requester (a stranger's is filed on
# it: tests/mail/inbound.sh): a new ticket, linked to the old one. The
# new ticket's chain starts with its creation, the article and the link
# (written with the ticket: no second version of the fresh row), then comes
# the acknowledgement; the old one says 'linked'; the raw message names the
# new ticket and its article.
tclosed=$(q "SELECT id FROM guichet.ticket WHERE status NOT IN ('closed', 'merged') ORDER BY id DESC LIMIT 1")
q "WITH c AS (INSERT INTO guichet.contact (organisation_id, email, name)
    SELECT organisation_id, 'lucie.martin@example.net', 'Lucie Martin' FROM guichet.ticket WHERE id = $tclosed
    RETURNING id)
UPDATE guichet.ticket SET status = 'closed', closed_at = now(), resolved_at = now(),
    requester_id = (SELECT id FROM c) WHERE id = $tclosed" >/dev/null
printf 'From: lucie.martin@example.net\nTo: voirie@ville.example\nSubject: Re: [Guichet #%s] encore\nMessage-ID: <closed@example.org>\n\nToujours pas.\n' "$tclosed" > "$PGDIR/closed.eml"
imp "$PGDIR/closed.eml"
tnew=$(art '<closed@example.org>' ticket_id)
is "$(art '<closed@example.org>' "thread_rule || ' ' || (ticket_id <> $tclosed)")" "new true" \
    "follow-up to a closed ticket: a new ticket"
is "$(q "SELECT string_agg(seq || ' ' || action || ' ' || coalesce(field, '-') || ' ' || new_value, ', ' ORDER BY seq)
    FROM guichet.history WHERE ticket_id = $tnew AND seq <= 3")" \
    "1 create - Re: [Guichet #$tclosed] encore, 2 mail_in article $(art '<closed@example.org>' id), 3 link relates $tclosed" \
    "follow-up to a closed ticket: created, article and link in the new ticket's chain"
is "$(q "SELECT action || ' ' || field || ' ' || new_value FROM guichet.history WHERE ticket_id = $tclosed ORDER BY seq DESC LIMIT 1")" \
    "linked relates $tnew" "follow-up to a closed ticket: the old ticket says it was linked"
is "$(q "SELECT count(*) FROM guichet.link WHERE a_id = $tnew AND b_id = $tclosed AND kind = 'relates'")" 1 \
    "follow-up to a closed ticket: one link"
is "$(raw "outcome || ' ' || (ticket_id = $tnew) || ' ' || (article_id = $(art '<closed@example.org>' id))")" \
    "imported true true" "follow-up to a closed ticket: the raw message names its ticket and article"

# A 30 MB message: over the 25 MB limit, kept raw, the ticket says so.
big=$PGDIR/big.eml
{
	printf 'From: gros@example.org\nTo: voirie@ville.example\nSubject: Plans du quartier\n'
	printf 'Message-ID: <big@example.org>\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nVoir plans.\n'
	printf -- '--b\nContent-Type: application/pdf; name=plans.pdf\nContent-Transfer-Encoding: base64\n\n'
	head -c 22500000 /dev/zero | base64
	printf -- '--b--\n'
} > "$big"
imp "$big"
is "$rc" 0 "30 MB message: exit 0"
is "$(raw "outcome || ' ' || size")" "oversized $(wc -c < "$big" | tr -d ' ')" "30 MB message: stored raw, whole, as oversized"
tbig=$(raw ticket_id)
is "$(q "SELECT subject FROM guichet.ticket WHERE id = $tbig")" "Plans du quartier" "30 MB message: a ticket from its headers"
like "$(q "SELECT body FROM guichet.article WHERE ticket_id = $tbig AND kind = 'system'")" "exceeds the limit" \
    "30 MB message: the ticket has a note saying why the body is missing"

is "$(psql_as ada -c "SELECT count(*) FROM guichet.verify_history()")" 0 "history chains intact after all that"

done_testing
