#!/bin/sh
# tests/mail/mta.sh — the MTA examples as shipped: every message of the corpus
# piped through the exact command line of contrib/mail/exim-transport.conf
# and of contrib/mail/postfix-master.cf (only the program's path changed to
# the one built), as each MTA writes the message (Exim without its "From "
# line, Postfix with Return-Path and Delivered-To; and Exim's default "From "
# line, which must be tolerated). The exit-status contract: 0 only once the
# message is stored (a quarantined one is), 69 for a message refused for
# good, 75 (defer) for any fault of ours, never a bounce for one.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

corpus=$top_srcdir/tests/mail/corpus
pg_start
pg_install
pg_fixture
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }

# What the MTAs run the command with: the configuration of the system, here
# the user's (pg.sh points XDG_CONFIG_HOME into the test's directory).
mkdir -p "$XDG_CONFIG_HOME/guichet"
printf 'set database "%s"\nset mail.default_queue voirie\nset mail.rate_cap 0\n' \
    "$(pg_conninfo mailer)" > "$XDG_CONFIG_HOME/guichet/guichet.conf"

exim=$(sed -n 's/^  command = //p' "$top_srcdir/contrib/mail/exim-transport.conf")
postfix=$(sed -n 's/^  flags=.* argv=//p' "$top_srcdir/contrib/mail/postfix-master.cf")
isnt "$exim" "" "the Exim transport has a command"
isnt "$postfix" "" "the Postfix transport has an argv"
# Both MTAs expand "$" in the command: there must be none (the old examples
# had "s=$?" in a shell, which neither MTA passes through).
unlike "$exim$postfix" '\$' "no \"\$\" for the MTA to expand"
like "$(grep -c '^  message_prefix =$' "$top_srcdir/contrib/mail/exim-transport.conf")" '^1$' \
    "Exim: message_prefix emptied (no mbox \"From \" line)"
like "$(grep -c '^  message_suffix =$' "$top_srcdir/contrib/mail/exim-transport.conf")" '^1$' \
    "Exim: message_suffix emptied (no blank line added)"
like "$(sed -n 's/^  temp_errors = //p' "$top_srcdir/contrib/mail/exim-transport.conf")" '^75$' \
    "Exim: 75 defers"
built=$top_builddir/guichet-mail
exim=$(echo "$exim" | sed "s|/usr/sbin/guichet-mail|$built|")
postfix=$(echo "$postfix" | sed "s|/usr/sbin/guichet-mail|$built|")
diag "exim: $exim"
diag "postfix: $postfix"

stored() { q "SELECT count(*) FROM guichet.raw_message WHERE sha256 = decode('$(sha256sum < "$1" | cut -d' ' -f1)', 'hex')"; }

# Each MTA writes the message its own way; the command runs as the MTA runs
# it: split on white space, no shell.
as_exim() { cat "$1"; }
as_exim_default() { printf 'From sender@example.org Mon Mar  2 10:00:00 2026\n'; cat "$1"; }
as_postfix()
{
	printf 'Return-Path: <sender@example.org>\nDelivered-To: voirie@ville.example\n'
	cat "$1"
}

for mta in exim postfix; do
	eval cmd=\$$mta
	bad=
	for f in "$corpus"/*.eml; do
		as_$mta "$f" > "$PGDIR/in.eml"
		$cmd < "$PGDIR/in.eml" > "$PGDIR/out" 2>&1
		rc=$?
		if [ "$rc" != 0 ]; then
			bad="$bad $(basename "$f"):exit-$rc"
		elif [ "$(stored "$PGDIR/in.eml")" != 1 ]; then
			bad="$bad $(basename "$f"):exit-0-but-not-stored"
		fi
	done
	is "$bad" "" "$mta: the whole corpus through the shipped command: exit 0, each stored"
done
is "$(q "SELECT outcome FROM guichet.raw_message WHERE sha256 = decode('$(sha256sum < "$corpus/19-not-a-mail.eml" | cut -d' ' -f1)', 'hex')")" \
    quarantined "a message that is not mail: quarantined and stored, so 0 is the truth"

# Exim's default prefix, an mbox "From " line: not part of the message.
printf 'From: prefixe@example.org\nTo: voirie@ville.example\nSubject: Avec ligne From\nMessage-ID: <prefix@example.org>\n\nCorps.\n' > "$PGDIR/p.eml"
as_exim_default "$PGDIR/p.eml" | $exim > "$PGDIR/out" 2>&1
is "$?" 0 "Exim without message_prefix =: the \"From \" line is tolerated"
is "$(stored "$PGDIR/p.eml")" 1 "the message is stored without the \"From \" line"
is "$(q "SELECT a.subject || ' ' || c.email FROM guichet.article a JOIN guichet.contact c ON c.id = a.author_contact_id WHERE a.message_id = '<prefix@example.org>'")" \
    "Avec ligne From prefixe@example.org" "and read as the message it is"

# Faults of ours defer; only a message too big for good bounces.
conf=$XDG_CONFIG_HOME/guichet/guichet.conf
cp "$conf" "$PGDIR/good.conf"
printf 'From: x@example.org\nTo: voirie@ville.example\nSubject: x\nMessage-ID: <contract@example.org>\n\nx\n' > "$PGDIR/c.eml"
printf 'set database "host=%s/nonexistent dbname=guichet"\n' "$PGDIR" > "$conf"
$exim < "$PGDIR/c.eml" > "$PGDIR/out" 2>&1
is "$?" 75 "database unreachable: 75, the MTA defers"
printf 'set database "%s"\nroute Subject x colour=blue\n' "$(pg_conninfo mailer)" > "$conf"
$exim < "$PGDIR/c.eml" > "$PGDIR/out" 2>&1
is "$?" 75 "a bad configuration: 75 (a bounce would blame the sender)"
printf 'set database "%s"\nset mail.default_queue voirie\n' "$(pg_conninfo alice)" > "$conf"
$postfix < "$PGDIR/c.eml" > "$PGDIR/out" 2>&1
is "$?" 75 "a login without the gateway's rights: 75"
is "$(stored "$PGDIR/c.eml")" 0 "none of these stored it: none said 0"
printf 'set database "%s"\nset mail.default_queue voirie\nset mail.max_size 1k\n' "$(pg_conninfo mailer)" > "$conf"
{ cat "$PGDIR/c.eml"; i=0; while [ $i -lt 200 ]; do echo "Ligne $i de remplissage."; i=$((i + 1)); done; } > "$PGDIR/big.eml"
$postfix < "$PGDIR/big.eml" > "$PGDIR/out" 2>&1
is "$?" 69 "too big to store whole: 69, the MTA bounces it to its sender"
cp "$PGDIR/good.conf" "$conf"
$postfix < "$PGDIR/c.eml" > "$PGDIR/out" 2>&1
is "$?" 0 "the fault mended: 0"
is "$(stored "$PGDIR/c.eml")" 1 "and stored"

done_testing
