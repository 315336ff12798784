#!/bin/sh
# tests/mail/send.sh — guichet-mail send: agents' replies leave as proper
# MIME (UTF-8 quoted-printable, RFC 2047 subject and display names with the
# address outside the encoded word, headers folded under 78, a Markdown reply
# as text/plain and safe text/html, RFC 2231 attachment names) with the tag,
# Message-ID, In-Reply-To and References, through a recording sendmail
# stand-in and through a local SMTP listener; each exactly once; failures
# retried with backoff; a row interrupted mid-delivery is not sent twice; an
# internationalised address only where the relay takes SMTPUTF8; never from
# an address the desk does not own (exit 78). Every message sent is read back
# with Python's email package (tests/mail/check-mail.py): no defect.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
pg_fixture

q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
mailer=$(pg_conninfo mailer)
rec=$PGDIR/sent
mkdir -p "$rec"
fake=$PGDIR/fake-sendmail
cat > "$fake" <<EOS
#!/bin/sh
# Records its arguments and the message; exits with \$(cat $PGDIR/sendmail-exit) if present.
n=\$(ls "$rec" | grep -c '\.eml\$')
n=\$((n + 1))
printf '%s\n' "\$@" > "$rec/\$n.args"
cat > "$rec/\$n.eml"
if [ -f "$PGDIR/sendmail-exit" ]; then rm -f "$rec/\$n.eml" "$rec/\$n.args"; exit \$(cat "$PGDIR/sendmail-exit"); fi
exit 0
EOS
chmod +x "$fake"
conf=$PGDIR/guichet.conf
printf 'set mail.sendmail %s\n' "$fake" > "$conf"

# Alice answers ticket 1 (with an attachment): one outbox row.
art=$(psql_as alice -c "SELECT guichet.reply(1, 'Bonjour,

Nous intervenons demain matin. Café offert ☕ à l''équipe = merci.
.
From here on, a line that starts with From.')")
q "INSERT INTO guichet.blob VALUES (sha256('plan'::bytea), 4, 'plan'::bytea);
INSERT INTO guichet.attachment (article_id, filename, content_type, size, sha256)
    VALUES ($art, 'plan d''accès.pdf', 'application/pdf', 4, sha256('plan'::bytea));" >/dev/null
msgid=$(q "SELECT message_id FROM guichet.outbox WHERE article_id = $art")

guichet-mail -F "$conf" -d "$mailer" send --summary > "$PGDIR/out" 2>&1
is "$?" 0 "send: exit 0"
is "$(cat "$PGDIR/out")" "1 sent, 0 to retry, 0 failed" "send: summary line"
is "$(q "SELECT status || ' ' || attempts || ' ' || (sent_at IS NOT NULL) FROM guichet.outbox WHERE article_id = $art")" \
    "sent 1 true" "the outbox row is marked sent"
is "$(tr '\n' ' ' < "$rec/1.args")" "-t -i -f voirie@ville.example " "sendmail -t -i with the queue address as envelope sender"
m=$(tr -d '\r' < "$rec/1.eml")
like "$m" "^To: jean.dupont@example.org$" "To: the requester"
like "$m" "^Subject: \[Guichet #1\] Nid de poule rue de la Gare$" "Subject with the tag"
like "$m" "^Message-ID: $msgid$" "Message-ID of the outbox row"
like "$m" "^In-Reply-To: <f1.jean@example.org>$" "In-Reply-To the citizen's message"
like "$m" "^References: <f1.jean@example.org>$" "References"
like "$m" "^Content-Transfer-Encoding: quoted-printable$" "text in quoted-printable"
like "$m" "filename\*=UTF-8''plan%20d%27acc%C3%A8s.pdf" "attachment name in RFC 2231"
# What a mail client makes of it: our own parser reads it back.
parsed=$(guichet-mail -F /dev/null parse < "$rec/1.eml")
like "$parsed" "Café offert ☕ à l'équipe = merci\.\\\\n\.\\\\nFrom here on" "the body reads back intact (UTF-8, '=', leading dot and From)"
like "$parsed" "\"name\":\"plan d'accès.pdf\",\"type\":\"application/pdf\"" "the attachment reads back"

guichet-mail -F "$conf" -d "$mailer" send > /dev/null 2>&1
is "$(ls "$rec" | grep -c '\.eml$')" 1 "a second run sends nothing again"

# A non-ASCII subject is RFC 2047 encoded.
q "UPDATE guichet.ticket SET subject = 'Dépôt sauvage près de l''école' WHERE id = 2" >/dev/null
psql_as alice -c "SELECT guichet.reply(2, 'Merci.')" >/dev/null
guichet-mail -F "$conf" -d "$mailer" send > /dev/null 2>&1
m=$(tr -d '\r' < "$rec/2.eml")
like "$m" "^Subject: \[Guichet #2\] =\?UTF-8\?B\?" "non-ASCII subject: the tag as it is, the rest in encoded words"
like "$(guichet-mail -F /dev/null parse < "$rec/2.eml")" "\"subject\":\"\[Guichet #2\] Dépôt sauvage près de l'école\"" \
    "the encoded subject reads back"

# A temporary failure: retried later, with backoff.
echo 75 > "$PGDIR/sendmail-exit"
id3=$(psql_as alice -c "SELECT guichet.reply(1, 'Encore un mot.')")
guichet-mail -F "$conf" -d "$mailer" send > "$PGDIR/out" 2>&1
is "$?" 75 "sendmail failing: exit 75 (EX_TEMPFAIL)"
is "$(q "SELECT status || ' ' || attempts || ' ' || (next_attempt_at > now()) || ' ' || (last_error LIKE '%status 75%') FROM guichet.outbox WHERE article_id = $id3")" \
    "queued 1 true true" "the row waits for a retry, later, with the error"
rm -f "$PGDIR/sendmail-exit"
q "UPDATE guichet.outbox SET next_attempt_at = now() WHERE article_id = $id3" >/dev/null
guichet-mail -F "$conf" -d "$mailer" send > /dev/null 2>&1
is "$(q "SELECT status || ' ' || attempts FROM guichet.outbox WHERE article_id = $id3")" "sent 2" "the retry succeeds"

# A crash between claiming and recording: not sent a second time.
id4=$(psql_as alice -c "SELECT guichet.reply(1, 'Interrompu.')")
q "UPDATE guichet.outbox SET status = 'sending', attempts = 1, next_attempt_at = now() - interval '1 minute' WHERE article_id = $id4" >/dev/null
n=$(ls "$rec" | grep -c '\.eml$')
guichet-mail -F "$conf" -d "$mailer" send > /dev/null 2>&1
is "$(ls "$rec" | grep -c '\.eml$')" "$n" "an interrupted delivery is not resent"
like "$(q "SELECT status || ' ' || last_error FROM guichet.outbox WHERE article_id = $id4")" "^failed interrupted" \
    "it is marked failed with the reason"
psql_as ada -c "SELECT guichet.outbox_requeue((SELECT id FROM guichet.outbox WHERE article_id = $id4))" >/dev/null
guichet-mail -F "$conf" -d "$mailer" send > /dev/null 2>&1
is "$(q "SELECT status FROM guichet.outbox WHERE article_id = $id4")" sent "an admin requeues it: sent"

# Read back by a standard library: names, a long subject, Markdown, a long
# attachment name.
check() { python3 "$top_srcdir/tests/mail/check-mail.py" "$@"; }
field() { python3 -c "import json, sys; d = json.loads(sys.stdin.readline()); print($1)"; }
q "UPDATE guichet.ticket SET subject = 'Demande d''intervention urgente : éclairage public défaillant sur toute la rue Jean-Jaurès, près de l''école élémentaire Jules-Ferry' WHERE id = 2" >/dev/null
art5=$(psql_as alice -c "SELECT guichet.reply(2, '# Intervention prévue

Nous passerons **mardi** entre 8 h et 10 h : voir [le plan](https://plan.ville.example/p/12).

- barrières posées
- circulation *alternée*

> Votre message : « un trou dangereux ».

<script>alert(1)</script>', 0, NULL, 'Renée Lefèvre-Müller <renee.lefevre@example.fr>, \"Dupont, Jean\" <jean.dupont@example.org>')")
q "INSERT INTO guichet.blob VALUES (sha256('plan2'::bytea), 5, 'plan2'::bytea);
INSERT INTO guichet.attachment (article_id, filename, content_type, size, sha256)
    VALUES ($art5, 'Plan détaillé des travaux de réfection de la chaussée — rue de la Gare, côté école.pdf',
        'application/pdf', 5, sha256('plan2'::bytea));" >/dev/null
guichet-mail -F "$conf" -d "$mailer" send > /dev/null 2>&1
n5=$(ls "$rec" | grep -c '\.eml$')
m=$(tr -d '\r' < "$rec/$n5.eml")
like "$m" "^To: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <renee.lefevre@example.fr>,$" \
    "a non-ASCII display name is an encoded word, the address outside it (RFC 2047 5)"
like "$m" "\"Dupont, Jean\" <jean.dupont@example.org>$" "a name with a comma is quoted"
json=$(check "$rec/$n5.eml" 2> "$PGDIR/defects")
is "$?" 0 "Python's email package reads it without a defect, no header line past 78"
diag "$(cat "$PGDIR/defects")"
is "$(echo "$json" | field "' | '.join(a['name'] + ' ' + a['addr'] for a in d['to'])")" \
    "Renée Lefèvre-Müller renee.lefevre@example.fr | Dupont, Jean jean.dupont@example.org" \
    "the names and addresses read back"
is "$(echo "$json" | field "d['subject']")" \
    "[Guichet #2] Demande d'intervention urgente : éclairage public défaillant sur toute la rue Jean-Jaurès, près de l'école élémentaire Jules-Ferry" \
    "the long accented subject reads back whole"
is "$(echo "$json" | field "d['content_type'] + ' ' + ' '.join(sorted(d['parts']))")" \
    "multipart/mixed text/html text/plain" "Markdown: text/plain and text/html alternatives, then the attachment"
plain=$(echo "$json" | field "d['parts']['text/plain']" | tr -d '\r')
like "$plain" "^Intervention prévue$" "text/plain: the heading without \"#\""
like "$plain" "^Nous passerons mardi entre 8 h et 10 h : voir le plan <https://plan.ville.example/p/12>\.$" \
    "text/plain: no \"**\", the link followed by its address"
like "$plain" "^- circulation alternée$" "text/plain: list items, no \"*\""
like "$plain" "^> Votre message : « un trou dangereux »\.$" "text/plain: the quote"
unlike "$plain" '\*\*|^#' "text/plain: no Markdown markup left"
html=$(echo "$json" | field "d['parts']['text/html']")
like "$html" "<strong>mardi</strong>" "text/html: rendered by cmark"
like "$html" '<a href="https://plan.ville.example/p/12">le plan</a>' "text/html: the link"
unlike "$html" "<script" "text/html: safe mode, the raw HTML left out"
is "$(echo "$json" | field "d['attachments'][0]['name']")" \
    "Plan détaillé des travaux de réfection de la chaussée — rue de la Gare, côté école.pdf" \
    "the long attachment name (RFC 2231, continued) reads back whole"
like "$m" "filename\*0\*=UTF-8''Plan%20d%C3%A9taill" "RFC 2231 continuations"

# An internationalised address: refused without SMTPUTF8, sent with it.
art6=$(psql_as alice -c "SELECT guichet.reply(1, 'Pour Jürgen.', 0, NULL, 'Jürgen <jürgen@müller.example>')")
guichet-mail -F "$conf" -d "$mailer" send > "$PGDIR/out" 2>&1
is "$?" 65 "an internationalised address without SMTPUTF8: refused (65)"
like "$(q "SELECT status || ' ' || last_error FROM guichet.outbox WHERE article_id = $art6")" \
    "^failed jürgen@müller.example: an internationalised address needs SMTPUTF8" "with a clear error"
printf 'set mail.sendmail %s\nset mail.smtputf8 yes\n' "$fake" > "$PGDIR/utf8.conf"
psql_as ada -c "SELECT guichet.outbox_requeue((SELECT id FROM guichet.outbox WHERE article_id = $art6))" >/dev/null
guichet-mail -F "$PGDIR/utf8.conf" -d "$mailer" send > "$PGDIR/out" 2>&1
is "$?" 0 "with mail.smtputf8 (the relay takes it): sent"
n6=$(ls "$rec" | grep -c '\.eml$')
is "$(check --smtputf8 "$rec/$n6.eml" | field "d['to'][0]['addr']")" "jürgen@müller.example" \
    "the address as it is (RFC 6532), read back"

# Never from an address the desk does not own: the row waits, send exits 78.
art7=$(psql_as alice -c "SELECT guichet.reply(1, 'Depuis nulle part.')")
q "UPDATE guichet.outbox SET mail_from = 'guichet@localhost' WHERE article_id = $art7" >/dev/null
n=$(ls "$rec" | grep -c '\.eml$')
out=$(guichet-mail -F "$conf" -d "$mailer" send 2>&1)
is "$?" 78 "a sender like guichet@localhost: exit 78 (EX_CONFIG)"
like "$out" "1 replies not sent: the sender guichet@localhost is not an address anyone can answer" \
    "one line saying what to mend"
is "$(ls "$rec" | grep -c '\.eml$') $(q "SELECT status FROM guichet.outbox WHERE article_id = $art7")" "$n queued" \
    "nothing left; the row waits"
q "UPDATE guichet.outbox SET mail_from = 'voirie@autre-ville.example', next_attempt_at = now() WHERE article_id = $art7" >/dev/null
out=$(guichet-mail -F "$conf" -d "$mailer" send 2>&1)
is "$?" 78 "an address of another domain: exit 78"
like "$out" "voirie@autre-ville.example is not one of the desk's addresses" "says so"
q "UPDATE guichet.outbox SET mail_from = 'voirie@ville.example', next_attempt_at = now() WHERE article_id = $art7" >/dev/null
guichet-mail -F "$conf" -d "$mailer" send > /dev/null 2>&1
is "$?" 0 "the address mended: sent"

# SMTP, to a listener on the loopback.
sink=$PGDIR/sink
mkdir -p "$sink"
perl "$top_srcdir/tests/mail/smtp-sink.pl" "$sink" &
sinkpid=$!
atexit "touch '$sink/stop'; kill $sinkpid 2>/dev/null"
wait_until test -f "$sink/port" || bail_out "the SMTP sink did not start"
printf 'set mail.smtp smtp://127.0.0.1:%s\n' "$(cat "$sink/port")" > "$conf"
psql_as alice -c "SELECT guichet.reply(1, 'Par SMTP.', 0, NULL, 'jean.dupont@example.org', 'refuse@example.org, copie@example.org')" >/dev/null
psql_as alice -c "SELECT guichet.reply(2, 'Deuxième par SMTP.')" >/dev/null
guichet-mail -F "$conf" -d "$mailer" send --summary > "$PGDIR/out" 2>&1
is "$?" 0 "SMTP: exit 0"
is "$(cat "$PGDIR/out")" "2 sent, 0 to retry, 0 failed" "SMTP: two messages over one connection"
is "$(tr '\n' ' ' < "$sink/1.env")" "from voirie@ville.example rcpt jean.dupont@example.org rcpt copie@example.org " \
    "SMTP: envelope from the queue address, To and Cc (the refused one skipped)"
like "$(tr -d '\r' < "$sink/1.eml")" "^Cc: refuse@example.org, copie@example.org$" "SMTP: Cc header"
like "$(guichet-mail -F /dev/null parse < "$sink/2.eml")" "\"body\":\"Deuxième par SMTP.\"" "SMTP: body intact"

# Only refused recipients: a permanent failure, not retried.
psql_as alice -c "SELECT guichet.reply(2, 'Refusé.', 0, NULL, 'refuse@example.org')" >/dev/null
guichet-mail -F "$conf" -d "$mailer" send > /dev/null 2>&1
is "$?" 65 "SMTP 550: exit 65"
like "$(q "SELECT status || ' ' || last_error FROM guichet.outbox ORDER BY id DESC LIMIT 1")" "^failed RCPT TO refuse@example.org: 5.1.1 no such user" \
    "SMTP 550: failed for good, with the server's answer"

# Unreachable SMTP server: EX_TEMPFAIL, the row stays queued.
printf 'set mail.smtp smtp://127.0.0.1:1\n' > "$conf"
psql_as alice -c "SELECT guichet.reply(2, 'Serveur absent.')" >/dev/null
guichet-mail -F "$conf" -d "$mailer" send > /dev/null 2>&1
is "$?" 75 "SMTP server down: exit 75"
is "$(q "SELECT status FROM guichet.outbox ORDER BY id DESC LIMIT 1")" queued "SMTP server down: still queued"

# Every message that left, through sendmail or SMTP, read by a standard library.
check $(ls "$rec"/*.eml "$sink"/*.eml | grep -v "/$n6.eml") > /dev/null 2> "$PGDIR/defects"
is "$?" 0 "every message sent: no defect for Python's email package, headers folded"
diag "$(cat "$PGDIR/defects")"

done_testing
