#!/bin/sh
# tests/admin/citizen.sh — a person erased (GDPR art. 17): guichet-admin
# contact erase anonymises everything of hers (tickets in three queues, mail
# with attachments and raw messages, a reply in the outbox, notes, fields,
# history values) so that a dump of the whole database, bytea included,
# holds neither her name, address nor phone, in text or in hex; the history
# chains and checkpoints still verify; the reports of the year are the same
# byte for byte. Then contact export (art. 15), and retention set/show/run.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

run()
{
	out=$("$@" 2>&1)
	rc=$?
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }

pg_start
pg_install
pg_fixture

conf=$PGDIR/guichet.conf
printf 'set mail.default_queue voirie\n' >"$conf"
mailer=$(pg_conninfo mailer)
mails=$PGDIR/mails
mkdir -p "$mails"

# Three messages of Zoé Quintard, one with two attachments that name her.
for n in 1 2 3; do
	case $n in
	2) to=etat-civil@ville.example ;;
	*) to=voirie@ville.example ;;
	esac
	cat >"$mails/$n.eml" <<MAIL
From: Zoe Quintard <zoe.quintard@example.com>
To: $to
Subject: Demande $n de Zoe Quintard
Message-ID: <q$n.zoe.quintard@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

Bonjour, ici Zoe Quintard, joignable au 07 98 76 54 32 (demande $n).
--b
Content-Type: text/plain; name="quintard-$n.txt"
Content-Disposition: attachment; filename="quintard-$n.txt"

Attestation de Zoe Quintard, 12 impasse des Tilleuls, 07 98 76 54 32.
--b
Content-Type: application/octet-stream; name="scan-$n.bin"
Content-Disposition: attachment; filename="scan-$n.bin"
Content-Transfer-Encoding: base64

$(printf 'Quintard %s zoe.quintard@example.com' "$n" | base64)
--b--
MAIL
	run guichet-mail -F "$conf" -d "$mailer" import --stdin <"$mails/$n.eml"
	is "$rc" 0 "her message $n is imported" || diag "$out"
done
zoe=$(q "SELECT id FROM guichet.contact WHERE email = 'zoe.quintard@example.com'")
like "$zoe" '^[0-9]+$' "she is a contact"
t1=$(q "SELECT ticket_id FROM guichet.article WHERE message_id = '<q1.zoe.quintard@example.com>'")
t2=$(q "SELECT ticket_id FROM guichet.article WHERE message_id = '<q2.zoe.quintard@example.com>'")
t3=$(q "SELECT ticket_id FROM guichet.article WHERE message_id = '<q3.zoe.quintard@example.com>'")

# What agents add: her phone on her record, a reply (outbox), a note, a
# free-text field, a location, an escalation to level 2 whose reason names
# her; one ticket resolved.
q "UPDATE guichet.contact SET phone = '+33 7 98 76 54 32' WHERE id = $zoe;
   UPDATE guichet.ticket SET location = '12 impasse des Tilleuls' WHERE id = $t1" >/dev/null
psql_as alice -c "SELECT guichet.reply($t1, 'Bonjour Zoe Quintard, nous passons demain.');
    SELECT guichet.add_note($t1, 'Rappeler Mme Quintard au 07 98 76 54 32');
    SELECT guichet.set_field($t1, 'reference', 'Dossier Quintard');
    SELECT guichet.escalate($t3, NULL, 'Mme Quintard signale un danger');
    SELECT guichet.set_status($t1, 'resolved')" >/dev/null ||
    bail_out "the agents' work failed"
is "$(q "SELECT string_agg(DISTINCT q.code, ' ' ORDER BY q.code) FROM guichet.ticket t
    JOIN guichet.queue q ON q.id = t.queue_id WHERE t.requester_id = $zoe")" \
    "etat-civil voirie voirie-n2" "her tickets are in three queues"
is "$(q "SELECT count(*) FROM guichet.attachment x JOIN guichet.article a ON a.id = x.article_id
    JOIN guichet.ticket t ON t.id = a.ticket_id WHERE t.requester_id = $zoe")" 6 \
    "with six attachments"

# Art. 15: everything held on her, audited.
run guichet-admin contact export "$zoe"
is "$rc" 0 "contact export succeeds" || diag "$out"
printf '%s\n' "$out" >"$PGDIR/export.json"
is "$(perl -MJSON::PP -e 'local $/; my $d = decode_json(<STDIN>);
    print scalar(@{$d->{tickets}}), " ", $d->{contact}{email}, " ",
    join(",", sort map { $_->{filename} } map { @{$_->{attachments}} }
        map { @{$_->{articles}} } @{$d->{tickets}})' <"$PGDIR/export.json")" \
    "3 zoe.quintard@example.com quintard-1.txt,quintard-2.txt,quintard-3.txt,scan-1.bin,scan-2.bin,scan-3.bin" \
    "the export holds her record, her three tickets and their attachments"
like "$(cat "$PGDIR/export.json")" "Dossier Quintard" "…fields included"
is "$(q "SELECT action || ' ' || contact_id FROM guichet.contact_audit ORDER BY seq")" \
    "export $zoe" "the export is in the audit chain"

# The year's reports, and a checkpoint, before.
year=$(date -u +%Y)
reports()
{
	for r in volume sla agents; do
		guichet-report "$r" --from "$year-01-01" --to "$year-12-31" --format csv ||
		    echo "report $r failed"
	done
}
reports >"$PGDIR/before.csv" 2>&1
run guichet-admin history-checkpoint
digest=$(printf '%s\n' "$out" | sed -n 's/.*: \([0-9a-f]\{64\}\) .*/\1/p')
like "$digest" '^[0-9a-f]{64}$' "a checkpoint before the erasure"

run guichet-admin contact erase "$zoe" --reason "Demande de Zoe Quintard"
is "$rc" 65 "a reason that names her is refused (EX_DATAERR)"
like "$out" "must not hold" "…and says why"
run guichet-admin contact erase "$zoe"
is "$rc" 64 "no reason: a usage error"
run psql_as alice -c "SELECT guichet.contact_erase($zoe, 'demande')"
like "$out" "permission denied" "an agent may not erase anyone"

run guichet-admin -v contact erase "$zoe" --reason "demande écrite du 2 décembre, art. 17"
is "$rc" 0 "contact erase succeeds" || diag "$out"
like "$out" "3 tickets anonymised" "…and says how many tickets"
run guichet-admin contact erase "$zoe" --reason "encore"
is "$rc" 65 "erasing her twice is refused"

run guichet-admin verify-history --checkpoint "$digest"
is "$rc/$out" "0/" "verify-history and the checkpoint kept outside still pass"
reports >"$PGDIR/after.csv" 2>&1
if cmp -s "$PGDIR/before.csv" "$PGDIR/after.csv"; then
	pass "the year's volume, sla and agents reports are the same byte for byte"
else
	fail "the year's volume, sla and agents reports are the same byte for byte"
	diff -u "$PGDIR/before.csv" "$PGDIR/after.csv" | sed 's/^/# /' | head -40
fi
like "$(head -3 "$PGDIR/before.csv")" "[0-9]" "…which counted something"

# A dump of the whole database, bytea in hex: nothing of her.
pg_dump --data-only >"$PGDIR/dump.sql"
like "$(wc -c <"$PGDIR/dump.sql")" '^[0-9]{5,}$' "the dump holds the database"
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
for s in Quintard zoe.quintard quintard "98 76 54 32" 0798765432 798765432 "Tilleuls"; do
	n=$(grep -ci -- "$s" "$PGDIR/dump.sql")
	is "$n" 0 "the dump does not hold \"$s\"" ||
	    diag "$(grep -i -- "$s" "$PGDIR/dump.sql" | cut -c1-200 | head -5)"
	n=$(grep -ci -- "$(hex "$s")" "$PGDIR/dump.sql")
	is "$n" 0 "…nor its hex encoding"
done
isnt "$(grep -c 'Jean Dupont' "$PGDIR/dump.sql")" 0 "other people's data stay (Jean Dupont)"

is "$(q "SELECT action || ' ' || contact_id || ' ' || tickets || ' ' || reason
    FROM guichet.contact_audit WHERE action = 'erase'")" \
    "erase $zoe 3 demande écrite du 2 décembre, art. 17" \
    "the erasure is audited: who, what, why"
is "$(q "SELECT count(*) FROM guichet.history WHERE ticket_id IN ($t1, $t2, $t3)
    AND action = 'erase' AND field = 'reason'")" 3 "and recorded on each of her tickets"
is "$(q "SELECT count(*) FROM guichet.history WHERE ticket_id = $t1 AND new_value IS NULL
    AND new_digest IS NOT NULL")" "$(q "SELECT count(*) FROM guichet.history
    WHERE ticket_id = $t1 AND new_digest IS NOT NULL")" \
    "her history values are redacted, their digests kept"
is "$(q "SELECT status || ' ' || queue_id FROM guichet.ticket WHERE id = $t1")" \
    "resolved 1" "statuses and queues stay"

# Someone who may not erase cannot use the door either.
run q "UPDATE guichet.history SET new_value = 'forged' WHERE ticket_id = $t1 AND seq = 1"
like "$out" "append-only" "the superuser acting as herself may not rewrite history"
run q "SET ROLE guichet_eraser; UPDATE guichet.history SET new_value = 'forged',
    new_digest = NULL WHERE ticket_id = $t1 AND seq = 1"
like "$out" "append-only" "nor, as the eraser's role, write anything but a redaction"

# Retention: a ticket closed two years ago goes; the others stay.
q "UPDATE guichet.ticket SET status = 'closed', closed_at = now() - interval '2 years',
    resolved_at = now() - interval '2 years' WHERE id = 2" >/dev/null
run guichet-admin retention set --org ville --closed-after 1y
is "$rc" 0 "retention set" || diag "$out"
run guichet-admin retention show --org ville --format csv
like "$out" "ville,1 year,1" "retention show: the period and the tickets past it"
run guichet-admin retention set --org nowhere --closed-after 1y
is "$rc" 65 "an unknown organisation is a data error"
run guichet-admin -v retention run
is "$rc" 0 "retention run succeeds" || diag "$out"
like "$out" "ville: 1 tickets and 0 contacts anonymised" "…and says what went"
is "$(q "SELECT subject || '|' || (SELECT body FROM guichet.article WHERE ticket_id = 2
    ORDER BY id LIMIT 1) FROM guichet.ticket WHERE id = 2")" "[erased]|" \
    "the old ticket's subject and body are gone"
is "$(q "SELECT subject FROM guichet.ticket WHERE id = 1")" "Nid de poule rue de la Gare" \
    "a live ticket keeps its subject"
run guichet-admin -v retention run
like "$out" "ville: 0 tickets" "a second run has nothing left to do"
run guichet-admin verify-history --checkpoint "$digest"
is "$rc/$out" "0/" "verify-history still passes after the retention run"
is "$(q "SELECT string_agg(action, ' ' ORDER BY seq) FROM guichet.contact_audit")" \
    "export erase retention" "the audit chain: the export, the erasure, the run"

done_testing
