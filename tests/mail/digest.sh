#!/bin/sh
# tests/mail/digest.sh — guichet-mail send mails an agent who asked for it
# (set_notify_digest) a digest of her notifications left unread longer than
# her delay: plain text, automatic (Auto-Submitted), from an address of the
# desk, to her; once; never for read ones, never before the delay.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
pg_fixture

q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
check() { python3 "$top_srcdir/tests/mail/check-mail.py" "$@"; }
mailer=$(pg_conninfo mailer)
rec=$PGDIR/sent
mkdir -p "$rec"
fake=$PGDIR/fake-sendmail
cat > "$fake" <<EOS
#!/bin/sh
n=\$(ls "$rec" | grep -c '\.eml\$')
cat > "$rec/\$((n + 1)).eml"
EOS
chmod +x "$fake"
conf=$PGDIR/guichet.conf
printf 'set mail.sendmail %s\n' "$fake" > "$conf"
sendmail() { guichet-mail -F "$conf" -d "$mailer" send --summary > "$PGDIR/out" 2>&1; }

q "UPDATE guichet.agent SET email = 'alice@ville.example' WHERE login = 'alice';
    UPDATE guichet.agent SET email = 'bob@ville.example' WHERE login = 'bob'" ||
    bail_out "addresses"
psql_as alice -c "SELECT guichet.set_notify_digest(30)" >/dev/null || bail_out "set_notify_digest"
q "SELECT guichet.agent_notify(1, 'mention', 2, '#2 Dépôt sauvage avenue Foch — sam: @alice regarde');
    SELECT guichet.agent_notify(1, 'followup', 1, '#1 Nid de poule rue de la Gare — Jean Dupont');
    SELECT guichet.agent_notify(2, 'followup', 3, '#3 Renouvellement de passeport — Marie Martin');" \
    >/dev/null || bail_out "notifications"

sendmail
is "$?" 0 "send: exit 0"
is "$(ls "$rec")" "" "nothing before the delay (30 minutes)"

q "UPDATE guichet.notification SET created_at = created_at - interval '1 hour'" >/dev/null
psql_as alice -c "SELECT guichet.notification_read(ARRAY[(SELECT min(id) FROM guichet.notification WHERE agent_id = 1)])" >/dev/null
sendmail
is "$?" 0 "send: exit 0"
is "$(ls "$rec")" "1.eml" "one digest: alice's (bob did not ask for one)"
m=$(tr -d '\r' < "$rec/1.eml")
like "$m" "^To: alice@ville.example$" "to alice"
like "$m" "^From: .*etat-civil@ville.example" "from an address of the desk"
like "$m" "^Auto-Submitted: auto-" "automatic (RFC 3834): no vacation replies to it"
like "$m" "^Subject: \[Guichet\] 1 unread notification$" "its subject counts the unread"
like "$m" "#1 Nid de poule rue de la Gare =E2=80=94 Jean Dupont" "the unread notification is in it"
unlike "$m" "regarde" "the one she read is not"
ok "a well-formed message" check "$rec/1.eml"
sendmail
is "$(ls "$rec")" "1.eml" "sent once"
is "$(q "SELECT count(*) FROM guichet.notification WHERE mailed_at IS NOT NULL")" 1 \
    "the mailed notification is marked, and stays unread for the console"

done_testing
