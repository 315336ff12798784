#!/bin/sh
# tests/sql/security.sh — what alice can and cannot do, connected as herself
# with plain psql (a real login, not SET SESSION AUTHORIZATION), and hostile
# strings in every text parameter of the API stored verbatim as data.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
pg_fixture

# as LOGIN SQL [psql -v assignments…]: run SQL (from stdin, so that :'var'
# is interpolated) as LOGIN; $out is stdout+stderr, $rc psql's status.
as()
{
	_as_login=$1
	_as_sql=$2
	shift 2
	out=$(printf '%s\n' "$_as_sql" | psql_as "$_as_login" "$@" 2>&1)
	rc=$?
}

# Something private in etat-civil (ticket 3): an attachment and a note.
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'EOF' || bail_out "setup failed"
INSERT INTO guichet.blob (sha256, size, content) VALUES (sha256('secret'), 6, 'secret');
INSERT INTO guichet.attachment (article_id, filename, size, sha256)
    VALUES (3, 'acte.pdf', 6, sha256('secret'));
SET SESSION AUTHORIZATION bob;
SELECT guichet.add_note(3, 'confidentiel');
EOF

# Reading what is not hers.
for q in "ticket WHERE queue_id = 3" "ticket WHERE id = 3" "article WHERE ticket_id = 3" \
    "attachment" "blob" "history WHERE ticket_id = 3" "ticket_field WHERE ticket_id = 3" \
    "outbox WHERE ticket_id = 3"; do
	as alice "SELECT count(*) FROM guichet.$q"
	is "$out" 0 "alice reads nothing from $q"
done
as alice "SELECT count(*) FROM guichet.ticket"
is "$out" 4 "alice reads her 4 tickets (voirie and voirie-n2)"
as bob "SELECT count(*) FROM guichet.article WHERE ticket_id = 3"
is "$out" 2 "bob, in etat-civil, reads ticket 3's articles"

# Writing directly: refused.
for q in "UPDATE guichet.ticket SET priority = 5 WHERE id = 1" \
    "DELETE FROM guichet.ticket WHERE id = 1" \
    "INSERT INTO guichet.ticket (queue_id, organisation_id, subject) VALUES (1, 1, 'x')" \
    "UPDATE guichet.article SET body = 'x' WHERE ticket_id = 1" \
    "DELETE FROM guichet.article WHERE ticket_id = 1" \
    "INSERT INTO guichet.article (ticket_id, kind) VALUES (1, 'note')" \
    "UPDATE guichet.history SET new_value = 'x' WHERE ticket_id = 1" \
    "DELETE FROM guichet.history WHERE ticket_id = 1" \
    "TRUNCATE guichet.history" \
    "INSERT INTO guichet.history (ticket_id, seq, action, hash) VALUES (1, 99, 'x', '\\x00')" \
    "UPDATE guichet.agent SET level = 2 WHERE login = 'alice'" \
    "INSERT INTO guichet.queue_member (agent_id, queue_id) VALUES (1, 3)"; do
	as alice "$q"
	like "$out" "permission denied" "alice: $q refused" || diag "$out"
done

# Functions she may not call, and the API outside her queues.
as alice "SELECT * FROM guichet.verify_history()"
like "$out" "permission denied for function verify_history" "alice cannot call verify_history"
as alice "SELECT guichet.history_append(1, 'forged', NULL, NULL, 'x')"
like "$out" "permission denied for function history_append" "alice cannot call internal helpers"
as alice "SELECT guichet.claim(3)"
like "$out" "no ticket #3" "alice cannot claim in etat-civil" || diag "$out"
as alice "SELECT guichet.next_ticket(3)"
like "$out" "no queue 3" "alice cannot take from etat-civil" || diag "$out"
as alice "SELECT guichet.add_note(3, 'x')"
like "$out" "no ticket #3" "alice cannot annotate in etat-civil"
as alice "SELECT guichet.claim(4)"
like "$out" "may not change tickets of queue voirie-n2" "alice cannot claim where she only reads"
as alice "SELECT guichet.merge(1, 3)"
like "$out" "no ticket #3" "alice cannot merge into etat-civil"
as alice "SET ROLE guichet_owner"
like "$out" "permission denied to set role" "alice cannot become the owner"
as alice "SET ROLE guichet_admin"
like "$out" "permission denied to set role" "alice cannot become an admin"

# Hostile strings in every text parameter: stored verbatim, nothing executed.
# (psql variables are sent as literals quoted by psql: the point is what the
# server does with them, e.g. no dynamic SQL built from them.)
esc=$(printf '\033')
cr=$(printf '\r')
i=0
for s in "'); DROP TABLE guichet.ticket; --" \
    "\$\$; DROP TABLE guichet.article; \$\$" \
    "%s %n %x %% %1\$s {{name}} \${HOME} \`id\`" \
    "\\'; SELECT pg_sleep(10); -- \\\\ \\x41" \
    "Robert\"); DELETE FROM guichet.history; --" \
    "Zoë ✓ 日本語 🚧 ‮gnp.exe ${esc}[31mred${esc}[0m ${esc}]0;title" \
    "line one${cr}
Bcc: victim@example.org

two"; do
	i=$((i + 1))
	as alice "
SELECT guichet.find_or_create_contact('nasty$i@example.org', :'s', :'s') AS c \\gset
SELECT guichet.create_ticket(1, :'s', :'s', :c, 'phone') AS t \\gset
SELECT guichet.add_note(:t, :'s') AS note \\gset
SELECT guichet.reply(:t, :'s', 0, NULL, NULL, :'s') AS rep \\gset
SELECT guichet.set_field(:t, 'reference', :'s');
SELECT guichet.escalate(:t, 2, :'s');
SELECT concat_ws(' ',
    (SELECT subject = :'s' FROM guichet.ticket WHERE id = :t),
    (SELECT body = :'s' FROM guichet.article WHERE ticket_id = :t ORDER BY id LIMIT 1),
    (SELECT body = :'s' FROM guichet.article WHERE id = :note),
    (SELECT body = :'s' FROM guichet.article WHERE id = :rep),
    (SELECT body = :'s' FROM guichet.outbox WHERE article_id = :rep),
    (SELECT mail_cc = guichet.header_value(:'s') AND mail_cc !~ '[\\r\\n]'
        FROM guichet.outbox WHERE article_id = :rep),
    (SELECT value = :'s' FROM guichet.ticket_field WHERE ticket_id = :t),
    (SELECT name = :'s' AND phone = :'s' FROM guichet.contact WHERE id = :c),
    (SELECT body = :'s' FROM guichet.article WHERE ticket_id = :t ORDER BY id DESC LIMIT 1),
    (SELECT new_value = :'s' FROM guichet.history WHERE ticket_id = :t
        AND field = 'reason'));
" -v s="$s"
	is "$(printf '%s\n' "$out" | sed '/^$/d')" "t t t t t t t t t t" \
	    "hostile string $i: subject, bodies, cc, field, contact, reason stored verbatim"
	for q in "SELECT guichet.set_status(1, :'s')" \
	    "SELECT guichet.set_field(1, :'s', 'x')" \
	    "SELECT guichet.link(1, 2, :'s')" \
	    "SELECT guichet.set_absence(now(), NULL, :'s')" \
	    "SELECT guichet.create_ticket(1, 'x', 'x', NULL, :'s')" \
	    "SELECT guichet.find_or_create_contact(:'s', 'x')"; do
		as alice "$q" -v s="$s"
		like "$out" "ERROR: " "hostile string $i refused as data: ${q%%(*}" || diag "$out"
	done
done
# The hostile string as a whole JSON document and as a field name in it.
as alice "SELECT guichet.create_ticket(1, 'x', 'x', NULL, 'phone', NULL, NULL, NULL,
    jsonb_build_object('reference', :'s'))" -v s="'); DROP TABLE guichet.ticket; --"
is "$rc" 0 "a hostile field value in p_fields is data" || diag "$out"
as alice "SELECT guichet.create_ticket(1, 'x', 'x', NULL, 'phone', NULL, NULL, NULL,
    jsonb_build_object(:'s', 'x'))" -v s="'); DROP TABLE guichet.ticket; --"
like "$out" "no field" "a hostile field name in p_fields is an unknown field"

is "$(psql -X -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'guichet'
    AND tablename IN ('ticket', 'article', 'history', 'agent')")" 4 "every table still exists"
is "$(psql -X -At -c "SELECT count(*) FROM guichet.verify_history()")" 0 \
    "every history chain is intact"
is "$(psql -X -At -c "SELECT count(*) FROM guichet.history WHERE ticket_id = 1")" \
    "$(psql -X -At -c "SELECT history_seq FROM guichet.ticket WHERE id = 1")" \
    "no history row was deleted"

done_testing
