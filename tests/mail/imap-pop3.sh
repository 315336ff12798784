#!/bin/sh
# tests/mail/imap-pop3.sh — import from IMAP and POP3 against a real dovecot
# started here on 127.0.0.1, on private ports, with a private configuration
# (maildir in a temp dir, passdb from a passwd-file, the password from
# mail.password_file); TLS on a self-signed certificate must be refused
# unless --insecure is given.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

DOVECOT=$(command -v dovecot || echo /usr/sbin/dovecot)
[ -x "$DOVECOT" ] || skip_all "dovecot is not installed (dovecot-imapd, dovecot-pop3d)"
[ -x /usr/lib/dovecot/imap ] || skip_all "dovecot-imapd is not installed"
[ -x /usr/lib/dovecot/pop3 ] || skip_all "dovecot-pop3d is not installed"

pg_start
pg_install
pg_fixture
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }

D=$(mktemp -d "${TMPDIR:-/tmp}/guichet-dovecot.XXXXXX")
atexit "[ -f '$D/run/master.pid' ] && kill \$(cat '$D/run/master.pid') 2>/dev/null; sleep 0.2; rm -rf '$D'"
chmod 755 "$D"
# Mail belongs to an unprivileged user: dovecot refuses to serve root's.
if [ "$(id -u)" -eq 0 ]; then
	owner=nobody
	group=$(id -gn nobody)
else
	owner=$(id -un)
	group=$(id -gn)
fi
uid=$(id -u "$owner")
gid=$(id -g "$owner")
mkdir -p "$D/run" "$D/mail/citizen/new" "$D/mail/citizen/cur" "$D/mail/citizen/tmp" \
    "$D/mail/citizen/.Archive/new" "$D/mail/citizen/.Archive/cur" "$D/mail/citizen/.Archive/tmp"
echo "citizen:{PLAIN}s3cret::::::" > "$D/passwd"
echo s3cret > "$D/password"
base=$((20000 + $$ % 20000))
imap_port=$base pop3_port=$((base + 1)) imaps_port=$((base + 2))
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -keyout "$D/key.pem" -out "$D/cert.pem" >/dev/null 2>&1
cat > "$D/dovecot.conf" <<EOC
base_dir = $D/run
state_dir = $D/run
log_path = $D/log
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <$D/cert.pem
ssl_key = <$D/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$D/mail/%u
first_valid_uid = $uid
passdb {
  driver = passwd-file
  args = scheme=PLAIN $D/passwd
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$D/mail/%u
}
service imap-login {
  inet_listener imap {
    port = $imap_port
  }
  inet_listener imaps {
    port = $imaps_port
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $pop3_port
  }
  inet_listener pop3s {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
EOC
put()
{
	# put N: a message for the citizen mailbox
	printf 'From: Lecteur %s <lecteur%s@example.org>\nTo: voirie@ville.example\nSubject: Demande IMAP %s\nMessage-ID: <net%s@example.org>\n\nTexte %s.\n' \
	    "$1" "$1" "$1" "$1" "$1" > "$D/mail/citizen/new/17000000$1.m$1.host"
}
for i in 1 2 3; do put $i; done
chown -R "$owner:$group" "$D/mail"
"$DOVECOT" -c "$D/dovecot.conf" 2>"$D/start.err"
# Ready when its three ports accept connections (not after a fixed time).
listening()
{
	for _p in "$imap_port" "$pop3_port" "$imaps_port"; do
		perl -MIO::Socket::INET -e \
		    'exit(IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $ARGV[0]) ? 0 : 1)' \
		    "$_p" || return 1
	done
}
started() { [ -f "$D/run/master.pid" ] && listening; }
if ! wait_until started; then
	diag "$(cat "$D/start.err" "$D/log" 2>/dev/null)"
	skip_all "dovecot did not start"
fi

conf=$PGDIR/guichet.conf
printf 'set mail.default_queue voirie\nset mail.password_file %s\n' "$D/password" > "$conf"
mailer=$(pg_conninfo mailer)
gm() { guichet-mail -F "$conf" -d "$mailer" "$@"; }

out=$(gm import --imap "imap://citizen@127.0.0.1:$imap_port/INBOX" --summary 2>&1)
is "$?" 0 "IMAP: exit 0"
is "$out" "3 messages: 3 imported (3 new tickets, 0 threaded), 0 duplicates, 0 quarantined, 0 loops, 0 held" \
    "IMAP: three unseen messages imported"
is "$(q "SELECT count(*) FROM guichet.raw_message WHERE source LIKE 'imap://citizen@127.0.0.1/INBOX'")" 3 \
    "IMAP: raw messages name their source"
is "$(ls "$D/mail/citizen/cur" | grep -c ':2,S$')" 3 "IMAP: flagged \\Seen on the server"
out=$(gm import --imap "imap://citizen@127.0.0.1:$imap_port/INBOX" --summary 2>&1)
is "$out" "0 messages: 0 imported (0 new tickets, 0 threaded), 0 duplicates, 0 quarantined, 0 loops, 0 held" \
    "IMAP: seen messages are not fetched again"

put 4
chown -R "$owner:$group" "$D/mail"
out=$(gm import --imap "imap://citizen@127.0.0.1:$imap_port/INBOX" --move-to Archive --summary 2>&1)
like "$out" "^1 messages: 1 imported" "IMAP --move-to: the new message imported"
is "$(ls "$D/mail/citizen/.Archive/cur" | wc -l | tr -d ' ')" 1 "IMAP --move-to: moved to the Archive folder"

out=$(printf 'set mail.password_file %s\n' "$D/passwd" > "$PGDIR/bad.conf"; \
    guichet-mail -F "$PGDIR/bad.conf" -d "$mailer" import --imap "imap://citizen@127.0.0.1:$imap_port/" 2>&1)
is "$?" 77 "IMAP wrong password: exit 77 (EX_NOPERM), the login will be refused again"
like "$out" "LOGIN" "IMAP wrong password: said so"

out=$(gm import --imap "imaps://citizen@localhost:$imaps_port/INBOX" 2>&1)
is "$?" 75 "IMAPS with a self-signed certificate: refused (exit 75)"
like "$out" "not trusted" "IMAPS: the certificate is not trusted"
put 5
chown -R "$owner:$group" "$D/mail"
out=$(gm import --imap "imaps://citizen@localhost:$imaps_port/INBOX" --insecure --summary 2>&1)
like "$out" "^1 messages: 1 imported" "IMAPS --insecure: imported over TLS"

# POP3: everything in the mailbox (seen or not), deleted once committed.
put 6
put 7
chown -R "$owner:$group" "$D/mail"
before=$(q "SELECT count(*) FROM guichet.raw_message")
out=$(gm import --pop3 "pop3://citizen@127.0.0.1:$pop3_port" --summary 2>&1)
is "$?" 0 "POP3: exit 0"
like "$out" "^6 messages: 2 imported .* 4 duplicates" "POP3: new ones imported, the ones already imported over IMAP are duplicates"
is "$(q "SELECT count(*) - $before FROM guichet.raw_message")" 2 "POP3: two new raw messages"
is "$(ls "$D/mail/citizen/new" "$D/mail/citizen/cur" | grep -c '\.host')" 0 "POP3: deleted from the server after commit"

done_testing
