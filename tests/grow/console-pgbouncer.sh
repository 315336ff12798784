#!/bin/sh
# tests/grow/console-pgbouncer.sh — the console through PgBouncer: in session
# mode it works as connected directly, its prepared statements and its live
# updates included (a change committed by another connection shows on its
# screen without a key press: LISTEN/NOTIFY through the pooler); pointed at
# a transaction pool, which does not keep its session (tests/lib/pg.sh runs
# DISCARD ALL after every transaction there), it refuses to start, in one
# line that names session pooling, exit 78.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture
pg_bouncer

# console_start connects to $PGHOST:$PGPORT/$PGDATABASE: the pooler's.
keep_host=$PGHOST keep_port=$PGPORT
PGHOST=$BOUNCER_HOST PGPORT=6432
console_start alice alice
PGDATABASE=guichet_tx
console_start tx alice
PGHOST=$keep_host PGPORT=$keep_port PGDATABASE=guichet

ok "the console starts through the session pool" wait_for alice "voirie-n2"
clients=$(psql -X -At -F ' ' -d "$(pg_bouncer_conninfo postgres pgbouncer)" -c 'SHOW CLIENTS')
like "$clients" "^C alice guichet " "PgBouncer has alice's console among its session pool's clients"
keys alice '#'
type_text alice 6
keys alice Enter
ok "alice opens #6" wait_for alice "Arbre tombé sur la chaussée"
psql_as sam -c "SELECT guichet.set_priority(6, 4)" >/dev/null
ok "a change committed elsewhere reaches alice's screen without a key press" \
    wait_for alice "Priority: 4"
keys alice q
keys alice '#'
type_text alice 2
keys alice Enter
ok "alice opens #2 (prepared statements run again)" wait_for alice "Dépôt sauvage avenue Foch"
keys alice c
ok "alice claims #2 through the pooler" wait_for alice "Owner:     alice"
is "$(sql "SELECT a.login FROM guichet.ticket t JOIN guichet.agent a ON a.id = t.owner_id WHERE t.id = 2")" \
    alice "the claim is in the database"

ok "on the transaction pool the console exits" wait_until test -f "$CONSOLE_DIR/tx.exited"
is "$(cat "$CONSOLE_DIR/tx.exited")" 78 "with status 78 (EX_CONFIG)"
like "$(cat "$CONSOLE_DIR/tx.stderr")" "session pooling \(PgBouncer: pool_mode = session\)" \
    "saying it needs session pooling"
is "$(wc -l <"$CONSOLE_DIR/tx.stderr")" 1 "in one line" || diag "$(cat "$CONSOLE_DIR/tx.stderr")"

done_testing
