#!/bin/sh
# tests/grow/console-standby.sh — the console pointed at a streaming hot
# standby: it opens, shows the queues and tickets the primary has, says on
# its status bar that it is read-only, and a change refused by the standby
# is explained in one line (connect to the primary) while the primary is left
# untouched. The same agent on the primary has no such mark.

. "$top_srcdir/tests/console/lib.sh"

pg_start --replication
pg_install
pg_fixture
pg_standby
ok "the standby has replayed the fixture" pg_wait_replay

# console_start connects to $PGHOST: the standby's, for this console.
primary_host=$PGHOST
PGHOST=$STANDBY_HOST
console_start standby alice
PGHOST=$primary_host
console_start primary alice

ok "the console opens on the standby" wait_for standby "voirie-n2"
ok "the console opens on the primary" wait_for primary "voirie-n2"
ok "the standby's console says it is read-only" wait_line standby 23 "read-only"
ok "and why, once" wait_for standby "this database is a standby"
unlike "$(screen primary | sed -n 23p)" "read-only" "the primary's console is not read-only"

keys standby '#'
type_text standby 6
keys standby Enter
ok "the standby shows ticket #6" wait_for standby "Arbre tombé sur la chaussée"
keys standby c
ok "a claim on the standby is refused, naming the primary" \
    wait_for standby "connect to the primary"
is "$(sql "SELECT coalesce(owner_id::text, 'none') FROM guichet.ticket WHERE id = 6")" none \
    "#6 is still unclaimed on the primary"

# The primary's console can claim it; the standby shows it once replayed.
keys primary '#'
type_text primary 6
keys primary Enter
ok "the primary shows ticket #6" wait_for primary "Arbre tombé sur la chaussée"
keys primary c
ok "the claim on the primary is taken" wait_for primary "Owner:     alice"
ok "the standby has replayed the claim" pg_wait_replay
keys standby q
keys standby '#'
type_text standby 6
keys standby Enter
ok "the standby's console shows the claim after reopening the ticket" \
    wait_for standby "Owner:     alice"
ok "still read-only" wait_line standby 23 "read-only"

done_testing
