#!/bin/sh
# tests/mail/parser.sh — one message cannot stop the mail. In the middle of a
# maildir of 200, messages that kill the parser (through the test hooks of
# tests/mail/guichet-mail-hooks: a crash, an abort, an endless loop, memory
# without end) and one nested past the bound: each is quarantined with its
# reason and named in the log, the 200 others are imported, each once, every
# file leaves new/. The same through --stdin, as an MTA pipes it; and the
# installed guichet-mail has no hooks.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

hooks=$top_builddir/tests/mail/guichet-mail-hooks
[ -x "$hooks" ] || skip_all "tests/mail/guichet-mail-hooks is not built"

pg_start
pg_install
pg_fixture
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
mailer=$(pg_conninfo mailer)
conf=$PGDIR/guichet.conf
# One CPU second for a message: the endless loop ends there. 128 MB of
# memory: the memory killer reaches it in a small part of that second (with
# the default 2 GB, touching every page took more than a second of CPU on a
# loaded machine, and the CPU limit stopped it first).
printf 'set mail.default_queue voirie\nset mail.batch 40\nset mail.parse_timeout 1\nset mail.parse_memory 128M\n' > "$conf"
base_tickets=$(q "SELECT count(*) FROM guichet.ticket")

md=$PGDIR/maildir
sh "$top_srcdir/tests/mail/gen-maildir.sh" "$md" 150 50 p
perl "$top_srcdir/tests/mail/gen-hostile.pl" "$PGDIR/hostile"

# Killers, delivered between the 100th and the 101st message.
killer()
{
	printf 'From: Casseur %s <casseur.%s@example.org>\nTo: voirie@ville.example\n' "$1" "$1"
	printf 'Subject: %s\nMessage-ID: <killer.%s@example.org>\nX-Guichet-Test-Parser: %s\n\nx\n' "$1" "$1" "$1"
}
hooks_list="crash abort loop"
# ASan reserves terabytes of address space: the parser has no memory limit
# there; and its own SIGSEGV handler would turn the crash into an exit.
if ! ldd "$hooks" 2>/dev/null | grep -q libasan; then
	hooks_list="$hooks_list memory"
fi
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0"
export ASAN_OPTIONS
for h in $hooks_list; do
	killer "$h" > "$md/new/1700000100.killer-$h.host"
done
cp "$PGDIR/hostile/depth.eml" "$md/new/1700000100.killer-depth.host"
nkillers=$(($(echo $hooks_list | wc -w) + 1))
is "$(ls "$md/new" | wc -l | tr -d ' ')" $((200 + nkillers)) "200 messages and $nkillers killers in new/"

"$hooks" -F "$conf" -d "$mailer" import --maildir "$md" --summary > "$PGDIR/out" 2> "$PGDIR/err"
is "$?" 65 "exit 65: something quarantined, everything stored"
diag "$(cat "$PGDIR/out" "$PGDIR/err")"
like "$(cat "$PGDIR/out")" "^$((200 + nkillers)) messages: 200 imported \(150 new tickets, 50 threaded\), 0 duplicates, $nkillers quarantined" \
    "summary: the 200 imported, the killers quarantined"
is "$(ls "$md/new" | wc -l | tr -d ' ')" 0 "new/ is empty: the killers too are done with"
is "$(q "SELECT count(*) - $base_tickets FROM guichet.ticket")" 150 "150 tickets, each once"
is "$(q "SELECT count(*) FROM guichet.article WHERE thread_rule = 'in_reply_to'")" 50 \
    "every reply threaded to its request"
is "$(q "SELECT count(*) FROM guichet.raw_message WHERE outcome = 'imported'")" 200 "200 raw messages imported"

reason() { q "SELECT outcome || ': ' || error FROM guichet.raw_message WHERE message_id = '$1'"; }
is "$(reason '<killer.crash@example.org>')" \
    "quarantined: the parser crashed on this message (signal 11, Segmentation fault)" \
    "a crash: quarantined, with the signal"
is "$(reason '<killer.abort@example.org>')" \
    "quarantined: the parser crashed on this message (signal 6, Aborted)" "an abort: quarantined"
is "$(reason '<killer.loop@example.org>')" \
    "quarantined: the parser used more than 1 s of CPU on this message" \
    "an endless loop: stopped after mail.parse_timeout seconds of CPU, quarantined"
if echo "$hooks_list" | grep -q memory; then
	like "$(reason '<killer.memory@example.org>')" \
	    "^quarantined: the parser stopped on this message \(status 70: out of memory" \
	    "memory without end: stopped by mail.parse_memory, quarantined"
else
	skip "memory without end (no address-space limit under ASan)"
fi
is "$(reason '<depth50000@example.org>')" "quarantined: MIME parts nested more than 100 deep" \
    "nested 50,000 deep: quarantined before libetpan, with the bound"
is "$(q "SELECT count(*) FROM guichet.raw_message WHERE outcome = 'quarantined' AND mail_from LIKE 'casseur.%'")" \
    "$((nkillers - 1))" "the quarantine list shows each killer's sender"
like "$(cat "$PGDIR/err")" "new/1700000100.killer-crash.host: the parser crashed on this message \(signal 11" \
    "the log names the message that crashed the parser"
like "$(cat "$PGDIR/err")" "new/1700000100.killer-loop.host: the parser used more than 1 s" \
    "the log names the message that hung the parser"

# --stdin, as an MTA pipes one message: quarantined (stored), exit 65.
killer crash > "$PGDIR/crash.eml"
sed -i 's/killer.crash@/killer.crash.stdin@/' "$PGDIR/crash.eml"
"$hooks" -F "$conf" -d "$mailer" import --stdin < "$PGDIR/crash.eml" > "$PGDIR/out" 2>&1
is "$?" 65 "--stdin: a message that crashes the parser is stored and quarantined (65)"
is "$(reason '<killer.crash.stdin@example.org>')" \
    "quarantined: the parser crashed on this message (signal 11, Segmentation fault)" \
    "--stdin: the reason is stored"

# The installed program reads the header as any other: no hooks in it.
sed -i 's/killer.crash.stdin@/killer.crash.real@/' "$PGDIR/crash.eml"
guichet-mail -F "$conf" -d "$mailer" import --stdin < "$PGDIR/crash.eml" > "$PGDIR/out" 2>&1
is "$?" 0 "guichet-mail itself has no test hooks: the message is imported"

is "$(psql_as ada -c "SELECT count(*) FROM guichet.verify_history()")" 0 "history chains intact"

done_testing
