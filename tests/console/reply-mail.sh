# tests/console/reply-mail.sh — a reply as the citizen gets it: a template
# rendered by the server (defaults, the caller's name) shown in $EDITOR, a
# postponed draft that keeps its template when resumed, a file attached with
# F sent with the reply as a MIME attachment (read back by Python's email
# package), a file over mail.max_attachment refused with the draft kept.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture
sql "UPDATE guichet.contact SET name = '' WHERE id = 1;
INSERT INTO guichet.template (name, subject, body) VALUES ('prise-en-charge', NULL,
    E'Bonjour {{ requester.name | Madame, Monsieur }},\n\nVotre demande {{ticket.tag}} '
    '« {{ticket.subject}} » est prise en charge par {{queue.name}}.\n\n{{agent.name}}')" >/dev/null ||
    bail_out "cannot add a template"
tid=$(sql "SELECT id FROM guichet.template WHERE name = 'prise-en-charge'")
mkdir -p "$XDG_CONFIG_HOME/guichet"
printf 'set mail.max_attachment 4k\n' > "$XDG_CONFIG_HOME/guichet/guichet.conf"
printf 'Plan de la rue, côté école.\n' > "$CONSOLE_DIR/plan école.txt"
head -c 6000 /dev/zero > "$CONSOLE_DIR/trop-gros.bin"
drafts=$XDG_STATE_HOME/guichet/drafts

console_start main alice
ok "the console starts" wait_for main "voirie-n2"
keys main '#'
type_text main 1
keys main Enter
ok "ticket 1 opens" wait_for main "Nid de poule rue de la Gare"

# The template, rendered by the server, is what the editor gets.
keys main r
ok "r offers the templates" wait_for main "reply with which template?"
type_text main prise
keys main Enter
ok "after the editor, the reply waits" wait_for main "the reply is ready"
is "$(cat "$drafts/1-reply.md")" "Bonjour Madame, Monsieur,

Votre demande [Guichet #1] « Nid de poule rue de la Gare » est prise en charge par Voirie.

Alice Martin" "the editor had the template rendered: a default for the empty name, the tag, the agent"
type_text main postp
keys main Enter
ok "postponed" wait_for main "reply postponed: the draft is kept"
is "$(cat "$drafts/1-reply.template" 2>&1)" "$tid" "the draft keeps its template beside it"

# A file attached with F, then the draft resumed and sent.
keys main F
ok "F asks for a file" wait_for main "attach file:"
type_text main "$CONSOLE_DIR/plan école.txt"
keys main Enter
ok "it will go with the reply" wait_for main "will be attached to the reply (1 file)"
keys main r
ok "the kept draft is offered" wait_for main "resume it?"
type_text main y
ok "the reply is ready again" wait_for main "the reply is ready"
keys main Enter
ok "send asks for the time spent" wait_for main "time spent"
keys main Enter
ok "the reply is queued" wait_for main "#1: reply queued for sending"
is "$(sql "SELECT a.template_id || '|' || o.kind || '|' || o.mail_from || '|' || o.from_name
    FROM guichet.outbox o JOIN guichet.article a ON a.id = o.article_id WHERE o.ticket_id = 1")" \
    "$tid|reply|voirie@ville.example|Ville de Sainte-Claire" \
    "the resumed draft's reply names its template, from the queue with the organisation's name"
is "$(sql "SELECT t.filename || '|' || t.content_type || '|' || convert_from(b.content, 'UTF8')
    FROM guichet.attachment t JOIN guichet.blob b ON b.sha256 = t.sha256
    JOIN guichet.outbox o ON o.article_id = t.article_id WHERE o.ticket_id = 1")" \
    "plan école.txt|text/plain|Plan de la rue, côté école." "the file is an attachment of the reply"
ok "the draft, its template and its list are gone" \
    test ! -e "$drafts/1-reply.md" -a ! -e "$drafts/1-reply.template" -a ! -e "$drafts/1-reply.attach"

# The message as it leaves: a proper MIME attachment.
rec=$CONSOLE_DIR/sent
mkdir -p "$rec"
cat > "$CONSOLE_DIR/fake-sendmail" <<EOS
#!/bin/sh
cat > "$rec/\$\$.eml"
EOS
chmod +x "$CONSOLE_DIR/fake-sendmail"
printf 'set mail.sendmail %s\n' "$CONSOLE_DIR/fake-sendmail" > "$CONSOLE_DIR/mail.conf"
guichet-mail -F "$CONSOLE_DIR/mail.conf" -d "$(pg_conninfo mailer)" send >/dev/null 2>&1
is "$?" 0 "guichet-mail send: exit 0"
msg=$(ls "$rec"/*.eml 2>/dev/null | head -n 1)
json=$(python3 "$top_srcdir/tests/mail/check-mail.py" "$msg" 2>"$CONSOLE_DIR/defects")
is "$?" 0 "Python's email package reads the reply without a defect"
is "$(printf '%s' "$json" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["from"][0]["name"], d["from"][0]["addr"], [a["name"] for a in d["attachments"]])')" \
    "Ville de Sainte-Claire voirie@ville.example ['plan école.txt']" \
    "From: the queue with its display name; the attachment by its name"

# Too big for mail.max_attachment: said, and the draft stays.
keys main F
wait_for main "attach file:" >/dev/null
type_text main "$CONSOLE_DIR/trop-gros.bin"
keys main Enter
wait_for main "will be attached" >/dev/null
keys main r
wait_for main "reply with which template?" >/dev/null
keys main Enter
ok "no template: straight to the reply" wait_for main "the reply is ready"
keys main Enter
wait_for main "time spent" >/dev/null
keys main Enter
ok "a file over mail.max_attachment stops the reply" wait_for main "larger than mail.max_attachment"
ok "…the draft is kept" test -s "$drafts/1-reply.md"
is "$(sql "SELECT count(*) FROM guichet.outbox WHERE ticket_id = 1")" 1 "…and nothing was queued"

done_testing
