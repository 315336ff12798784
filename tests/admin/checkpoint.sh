#!/bin/sh
# tests/admin/checkpoint.sh — guichet-admin history-checkpoint and
# verify-history --checkpoint: the digest printed (and sent to syslog) is what
# shows a chain's tail rewound by someone who may write every table, which no
# chain can show by itself.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

run()
{
	out=$("$@" 2>&1)
	rc=$?
}

pg_start
pg_install
pg_fixture

run guichet-admin history-checkpoint
is "$rc" 0 "history-checkpoint succeeds" || diag "$out"
like "$out" '^checkpoint 1 at [0-9-]{10}T[0-9:]{8}Z: [0-9a-f]{64} \(6 chains anchored\)$' \
    "it prints the checkpoint, its time, the digest and the chains anchored"
digest=$(printf '%s\n' "$out" | sed -n 's/.*: \([0-9a-f]\{64\}\) .*/\1/p')
run guichet-admin history-checkpoint
like "$out" '\(0 chains anchored\)$' "a second checkpoint anchors only the chains that grew: none"
last=$(printf '%s\n' "$out" | sed -n 's/.*: \([0-9a-f]\{64\}\) .*/\1/p')
isnt "$last" "$digest" "each checkpoint's digest chains the previous one"

run guichet-admin verify-history --checkpoint "$digest"
is "$rc/$out" "0/" "verify-history with the first digest: intact, silent"
run guichet-admin verify-history --checkpoint "$last"
is "$rc/$out" "0/" "and with the last"
run guichet-admin verify-history --checkpoint nothex
is "$rc" 64 "a digest that is not 64 hex digits is a usage error"
like "$out" "64 hexadecimal digits" "…and says what a digest is"

# A superuser rewinds ticket 2's tail: its last row goes, the head follows.
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || bail_out "tampering failed"
ALTER TABLE guichet.history DISABLE TRIGGER history_guard;
DELETE FROM guichet.history WHERE ticket_id = 2
    AND seq = (SELECT history_seq FROM guichet.ticket WHERE id = 2);
ALTER TABLE guichet.ticket DISABLE TRIGGER USER;
UPDATE guichet.ticket t SET history_seq = h.seq, history_head = h.hash
FROM guichet.history h WHERE t.id = 2 AND h.ticket_id = 2
    AND h.seq = (SELECT max(seq) FROM guichet.history WHERE ticket_id = 2);
ALTER TABLE guichet.ticket ENABLE TRIGGER USER;
ALTER TABLE guichet.history ENABLE TRIGGER history_guard;
SQL
run guichet-admin verify-history --ticket 2
is "$rc" 0 "the rewound chain alone looks intact (--ticket checks the chain only)"
run guichet-admin verify-history --checkpoint "$digest"
is "$rc" 65 "verify-history with the digest finds it: EX_DATAERR"
like "$out" "^ticket 2, history row [0-9]+: anchored row missing \(checkpoint 1\)$" \
    "…naming the ticket, the row and the checkpoint"

# And rewrites the checkpoints to hide it.
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || bail_out "rewriting failed"
DELETE FROM guichet.history_anchor WHERE ticket_id = 2;
UPDATE guichet.history_checkpoint c SET digest = x.d
FROM (SELECT c1.id, guichet.history_anchor_digest(NULL, 1) AS d FROM guichet.history_checkpoint c1
    WHERE c1.id = 1) x WHERE c.id = x.id;
UPDATE guichet.history_checkpoint c SET digest = guichet.history_anchor_digest(
    (SELECT digest FROM guichet.history_checkpoint WHERE id = 1), 2) WHERE c.id = 2;
SQL
run guichet-admin verify-history
is "$rc" 0 "without the digest kept outside, the rewriting goes unseen"
run guichet-admin verify-history --checkpoint "$last"
is "$rc" 65 "with it, it is found"
like "$out" "^checkpoints: no checkpoint gives the digest kept outside" "…and said"

done_testing
