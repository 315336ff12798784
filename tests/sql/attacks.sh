#!/bin/sh
# tests/sql/attacks.sh — issue 10's attacks, made by the people the rights are
# meant to hold: an agent (alice: voirie, reads voirie-n2), an agent of the
# other organisation (dave: agglo-it), a supervisor (sam: all of ville) and an
# administrator who is not a superuser (ada), each connected as herself with
# plain psql. Every check states what must hold after the fix; each failed
# before it (see the closing note of issue 10).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
pg_fixture

# as LOGIN SQL [psql -v assignments…]: run SQL (stdin) as LOGIN; $out is
# stdout+stderr, $rc psql's status.
as()
{
	_as_login=$1
	_as_sql=$2
	shift 2
	out=$(printf '%s\n' "$_as_sql" | psql_as "$_as_login" "$@" 2>&1)
	rc=$?
}
su()
{
	psql -X -q -At -v ON_ERROR_STOP=1 "$@"
}

# A level-2 queue of the other organisation, and the id of ticket 5's article.
su >/dev/null <<'EOF' || bail_out "setup failed"
INSERT INTO guichet.queue (organisation_id, code, name, level)
VALUES (2, 'agglo-n2', 'Support N2', 2);
EOF
agglo_n2=$(su -c "SELECT id FROM guichet.queue WHERE code = 'agglo-n2'")
article5=$(su -c "SELECT min(id) FROM guichet.article WHERE ticket_id = 5")
chains_ok()
{
	is "$(su -c "SELECT count(*) FROM guichet.verify_history()")" 0 "$1: every chain intact"
}

## 1. The temporary-schema hijack. The caller shadows every relation of
## schema guichet with a temporary table of the same name, filled with what
## would make her see and write everything (pg_temp is searched first for
## relations unless a function's search_path puts it last).
hijack_sql="
DO \$\$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	    WHERE n.nspname = 'guichet' AND c.relkind IN ('r', 'p', 'v') LOOP
		BEGIN
			-- the same columns, without their constraints
			EXECUTE format('CREATE TEMP TABLE %I AS SELECT * FROM guichet.%I WITH NO DATA',
			    r.relname, r.relname);
		EXCEPTION WHEN others THEN
			EXECUTE format('CREATE TEMP TABLE %I (id bigint)', r.relname);
		END;
	END LOOP;
END
\$\$;
INSERT INTO pg_temp.agent (id, login, display_name, organisation_id, level, active)
SELECT id, login, display_name, organisation_id, 2, true FROM guichet.agent
WHERE login = session_user;
INSERT INTO pg_temp.queue_member (agent_id, queue_id, may_write)
SELECT a.id, q, true FROM pg_temp.agent a, generate_series(1, 50) q;
INSERT INTO pg_temp.queue (id, organisation_id, code, name, level, active, default_priority)
SELECT q, 1, 'q' || q, 'q', 2, true, 3 FROM generate_series(1, 50) q;
GRANT ALL ON ALL TABLES IN SCHEMA pg_temp TO PUBLIC;
"
# hijack LOGIN SQL: SQL as LOGIN after the shadowing, in the same session.
hijack()
{
	as "$1" "$hijack_sql
$2"
}

# guichet-admin init took TEMPORARY away from PUBLIC: the attack cannot start.
as alice "CREATE TEMP TABLE agent (id int)"
like "$out" "permission denied to create temporary tables" \
    "by default an agent may not create temporary tables" || diag "$out"
# A site whose installer could not revoke it: the functions must hold alone.
su -c "GRANT TEMPORARY ON DATABASE $PGDATABASE TO PUBLIC" >/dev/null ||
    bail_out "cannot grant TEMPORARY"

for who in alice:4 sam:5 dave:1 ada:6; do
	login=${who%:*}
	n=${who#*:}
	hijack "$login" "SELECT count(*) FROM guichet.ticket"
	is "$(printf '%s\n' "$out" | tail -n 1)" "$n" \
	    "hijack as $login: RLS still gives her own $n tickets" || diag "$out"
	hijack "$login" "SELECT count(*) FROM guichet.contact WHERE email = 'paul.durand@agglo.example'"
	case $login in
	dave | ada) want=1 ;;
	*) want=0 ;;
	esac
	is "$(printf '%s\n' "$out" | tail -n 1)" "$want" \
	    "hijack as $login: the other organisation's contacts stay hidden" || diag "$out"
done
# alice (agent of voirie) may not touch agglo's ticket 5 and queue 4, carol's
# claim on ticket 4, nor etat-civil's ticket 3; sam (supervisor of ville)
# may do the last two in his organisation, but nothing in agglo's.
for sql in "SELECT guichet.add_note(5, 'injected')" "SELECT guichet.claim(5)" \
    "SELECT guichet.set_status(5, 'closed')" "SELECT guichet.merge(5, 1)" \
    "SELECT guichet.create_ticket(4, 'x', 'y')" "SELECT guichet.next_ticket(4)" \
    "SELECT guichet.release(4)" "SELECT guichet.set_priority(3, 1)"; do
	for login in alice sam; do
		case $login:$sql in
		sam:*"release(4)"* | sam:*"set_priority(3"*) continue ;;
		esac
		hijack "$login" "$sql"
		like "$out" "ERROR: +(no ticket|no queue|ticket #4 is claimed|you may not)" \
		    "hijack as $login: ${sql#SELECT guichet.} refused" || diag "$out"
	done
done
is "$(su -c "SELECT count(*) FROM guichet.article WHERE body = 'injected'")" 0 \
    "hijack: no article was written into another organisation's ticket"
is "$(su -c "SELECT concat_ws(' ', status, owner_id, priority) FROM guichet.ticket WHERE id = 5")" \
    "new 2" "hijack: ticket 5 of agglo is untouched"
is "$(su -c "SELECT owner_id FROM guichet.ticket WHERE id = 4")" 3 \
    "hijack: carol's claim on ticket 4 stands"

# Writes she may make land in the real tables, with their history rows.
for login in alice sam ada; do
	before=$(su -c "SELECT history_seq FROM guichet.ticket WHERE id = 2")
	hijack "$login" "SELECT guichet.add_note(2, 'note by $login under hijack') > 0"
	is "$(printf '%s\n' "$out" | tail -n 1)" t "hijack as $login: her note on ticket 2 is accepted" ||
	    diag "$out"
	is "$(su -c "SELECT count(*) FROM guichet.article a JOIN guichet.history h
	    ON h.ticket_id = a.ticket_id AND h.field = 'article' AND h.new_value = a.id::text
	    WHERE a.body = 'note by $login under hijack'")" 1 \
	    "hijack as $login: the note and its history row are in guichet's tables"
	is "$(su -c "SELECT history_seq - $before FROM guichet.ticket WHERE id = 2")" 1 \
	    "hijack as $login: ticket 2's chain grew by one row"
done
as bob "SELECT guichet.add_note(3, 'after the hijacks') > 0"
is "$out" t "after the hijacks, another agent still writes (no chain is jammed)"
chains_ok "after the hijacks"

## 2. Contacts of the other organisation.
as dave "BEGIN;
SELECT guichet.create_ticket(4, 'x', 'y', 1);
SELECT email FROM guichet.contact WHERE id = 1;
ROLLBACK;"
unlike "$out" "jean.dupont" \
    "dave cannot reveal a ville contact by making it the requester of a rolled-back ticket"
like "$out" "no contact 1" "create_ticket refuses a requester dave may not see"
as dave "SELECT guichet.find_or_create_contact('Jean.Dupont@example.org', 'Jean', '+33 1 00 00 00 00')"
isnt "$out" 1 "find_or_create_contact does not hand dave ville's contact" || diag "$out"
is "$(su -c "SELECT coalesce(phone, '-') FROM guichet.contact WHERE id = 1")" - \
    "and does not fill in the phone of ville's contact"
as dave "SELECT c.name FROM guichet.contact c WHERE c.id = $(printf '%s' "$out" | tail -n 1)"
is "$out" Jean "dave's contact for that address is his organisation's own"

## 3. Escalation and split across organisations; errors naming the invisible.
as alice "SELECT guichet.escalate(2, $agglo_n2, 'to the other town')"
like "$out" "ERROR: " "alice cannot escalate into agglo's level-2 queue" || diag "$out"
unlike "$out" "agglo|Support" "and the error does not name it"
is "$(su -c "SELECT queue_id FROM guichet.ticket WHERE id = 2")" 1 "ticket 2 stayed in voirie"
as alice "SELECT guichet.escalate(2, 4, 'to agglo level 1')"
unlike "$out" "agglo-it|Support informatique" \
    "escalating to an invisible level-1 queue does not reveal its code" || diag "$out"
as alice "SELECT guichet.split_article($article5, 'mine now')"
like "$out" "no article $article5" "split_article of an invisible article says no such article"
unlike "$out" "#5" "and does not reveal its ticket's id" || diag "$out"

## 4. History forged through session settings.
as alice "SET guichet.action = 'claim_expired';
SELECT guichet.set_priority(2, 1);"
is "$(su -c "SELECT action FROM guichet.history WHERE ticket_id = 2 ORDER BY seq DESC LIMIT 1")" \
    set "SET guichet.action cannot rename alice's change in history" || diag "$out"
as alice "SET guichet.first_link = '5 duplicate';
SET guichet.first_article = '999999999 note';
SELECT guichet.create_ticket(1, 'forged link', 'body');"
t=$(printf '%s\n' "$out" | tail -n 1)
is "$(su -c "SELECT string_agg(action || ':' || coalesce(field, ''), ' ' ORDER BY seq)
    FROM guichet.history WHERE ticket_id = $t")" "create: phone:article" \
    "SET guichet.first_link/first_article put nothing into a new ticket's history" || diag "$out"
is "$(su -c "SELECT count(*) FROM guichet.history WHERE ticket_id = 5 AND action = 'linked'")" 0 \
    "and nothing into ticket 5's"
chains_ok "after the forged settings"

## 5. A substitute from the other organisation.
as alice "SELECT guichet.set_absence(now(), now() + interval '1 day', 'dave')"
like "$out" "ERROR: " "alice cannot name dave (agglo) as her substitute" || diag "$out"
is "$(su -c "SELECT coalesce(substitute_id::text, '-') FROM guichet.agent WHERE login = 'alice'")" - \
    "alice has no substitute"

## 6. Live notifications: an agent hears only about tickets she may see.
# alice is put on her channels by guichet.listen() and also listens on the
# channels of round one; dave changes ticket 5 (agglo) and opens it, sam
# changes ticket 1 (voirie: hers to see).
as alice "SELECT guichet.listen() > 0; LISTEN guichet; LISTEN guichet_presence;
\\! psql -X -q -At -d '$(pg_conninfo dave)' -c 'SELECT guichet.set_priority(5, 4)' -c 'SELECT guichet.presence_set(5, true)' >/dev/null
\\! psql -X -q -At -d '$(pg_conninfo sam)' -c 'SELECT guichet.set_priority(1, 2)' >/dev/null
SELECT 'done';"
like "$out" 'payload "1"' "alice is told that ticket 1 changed" || diag "$out"
unlike "$out" 'payload "p?5"' "alice hears nothing of agglo's ticket 5" || diag "$out"
achans=$(psql_as alice -c "SELECT guichet.listen()" \
    -c "SELECT string_agg(c, ' ' ORDER BY c) FROM pg_listening_channels() c" | tail -n 1)
dchans=$(psql_as dave -c "SELECT guichet.listen()" \
    -c "SELECT string_agg(c, ' ' ORDER BY c) FROM pg_listening_channels() c" | tail -n 1)
common=
for c in $achans; do
	case " $dchans " in
	*" $c "*) common="$common $c" ;;
	esac
done
is "$common" "" "dave is put on none of alice's channels (alice: $achans)"
as dave "SELECT value FROM guichet.secret"
like "$out" "permission denied" "nobody may read the secret the channel names come from"
as dave "SELECT guichet.queue_channel(1)"
like "$out" "permission denied" "nor compute the channel of another organisation's queue"

## 7. Organisation-scoped configuration is not read across organisations.
su >/dev/null <<'EOF' || bail_out "setup of templates failed"
INSERT INTO guichet.template (name, organisation_id, subject, body)
VALUES ('ville-secret', 1, 'x', 'réponse de la ville'), ('commun', NULL, 'x', 'pour tous');
INSERT INTO guichet.kb_article (slug, title, body, organisation_id)
VALUES ('ville-procedure', 'Procédure interne', 'interne', 1);
EOF
for q in "template WHERE organisation_id = 1" "kb_article WHERE organisation_id = 1" \
    "queue_member m JOIN guichet.queue q ON q.id = m.queue_id WHERE q.organisation_id = 1" \
    "queue_address WHERE address LIKE '%ville.example'" \
    "organisation WHERE code = 'ville'" "service WHERE organisation_id = 1" \
    "district WHERE organisation_id = 1" "holiday WHERE organisation_id = 1"; do
	as dave "SELECT count(*) FROM guichet.$q"
	is "$out" 0 "dave reads nothing of ville from $q" || diag "$out"
done
as dave "SELECT count(*) FROM guichet.template WHERE name = 'commun'"
is "$out" 1 "dave reads the templates shared by everyone"
as alice "SELECT count(*) FROM guichet.template WHERE organisation_id = 1"
is "$out" 1 "alice reads her organisation's template"

## 8. The audit trail cannot be switched off short of a superuser.
as ada "SELECT guichet.demo_begin(true)"
like "$out" "ERROR: " "ada (admin, not superuser) cannot call a demo function"
is "$(su -c "SELECT count(*) FROM pg_proc WHERE pronamespace = 'guichet'::regnamespace
    AND proname LIKE 'demo%'")" 0 "the schema holds no demo code"
for q in "ALTER TABLE guichet.ticket DISABLE TRIGGER ALL" \
    "ALTER TABLE guichet.history DISABLE TRIGGER history_guard" \
    "SET session_replication_role = replica" \
    "UPDATE guichet.history SET new_value = 'x' WHERE ticket_id = 1" \
    "DELETE FROM guichet.history WHERE ticket_id = 1" \
    "SET ROLE guichet_owner" "SET ROLE guichet_api"; do
	as ada "$q"
	like "$out" "ERROR: " "ada cannot: $q" || diag "$out"
done
is "$(su -c "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE c.relnamespace = 'guichet'::regnamespace AND NOT t.tgisinternal
    AND t.tgenabled <> 'O'")" 0 "every trigger of schema guichet is enabled"
before=$(su -c "SELECT history_seq FROM guichet.ticket WHERE id = 2")
as alice "SELECT guichet.set_priority(2, 5)"
is "$(su -c "SELECT history_seq - $before FROM guichet.ticket WHERE id = 2")" 1 \
    "alice's set_priority still writes its history row"
chains_ok "after ada's attempts"

## 8b. Login roles: an admin needs no CREATEROLE to add agents, and the
## functions that have it manage plain logins only.
su >/dev/null <<'EOF' || bail_out "roles setup failed"
CREATE ROLE dba LOGIN CREATEROLE;
CREATE ROLE app_user LOGIN;
CREATE ROLE app_group NOLOGIN;
GRANT app_group TO app_user;
CREATE ROLE plain LOGIN;
EOF
is "$(su -c "SELECT rolcreaterole FROM pg_roles WHERE rolname = 'ada'")" f "ada has no CREATEROLE"
as ada "SELECT guichet.admin_create_login('newbie', NULL); SELECT guichet.admin_set_login_role('newbie', 'agent');"
is "$(su -c "SELECT pg_has_role('newbie', 'guichet_agent', 'MEMBER')")" t \
    "ada creates an agent's login through the API" || diag "$out"
for victim in postgres dba app_user app_group guichet_owner guichet_login; do
	as ada "SELECT guichet.admin_set_login_role('$victim', 'admin')"
	like "$out" "ERROR: " "ada cannot make $victim an admin" || diag "$out"
	as ada "SELECT guichet.admin_create_login('$victim', 'SCRAM-SHA-256\$4096:x')"
	like "$out" "ERROR: " "ada cannot adopt $victim nor set its password" || diag "$out"
done
as ada "SELECT guichet.admin_create_login('plain', 'SCRAM-SHA-256\$4096:x')"
like "$out" "its password is not guichet's to set" \
    "a plain role that existed before guichet keeps its password" || diag "$out"
as ada "SELECT guichet.admin_set_login_enabled('postgres', false)"
like "$out" "ERROR: " "ada cannot disable the superuser" || diag "$out"
as ada "GRANT guichet_owner TO ada"
like "$out" "ERROR: " "ada cannot grant herself the tables' owner"
as ada "GRANT guichet_login TO ada"
like "$out" "ERROR: " "nor the login manager"
is "$(su -c "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member
    WHERE m.roleid IN ('guichet_owner'::regrole, 'guichet_login'::regrole, 'guichet_api'::regrole)
        AND r.rolcanlogin")" 0 "no login is a member of guichet_owner, guichet_login or guichet_api"

## 9. The chain's verifier sees what a superuser does to it, given an
## exported checkpoint: a deleted middle row, a reordered chain, a tail
## rewound (last row removed and the ticket's head set back to match).
cp=$(su -c "SELECT digest FROM guichet.history_checkpoint()")
like "$cp" "^[0-9a-f]{64}$" "a checkpoint gives a digest to keep outside the database"
is "$(su -c "SELECT count(*) FROM guichet.verify_checkpoints('$cp')")" 0 \
    "the checkpoint verifies against its exported digest"
su >/dev/null <<'EOF' || bail_out "tampering failed"
ALTER TABLE guichet.history DISABLE TRIGGER history_guard;
-- ticket 2: the last row removed, the head rewound to the row before
DELETE FROM guichet.history WHERE ticket_id = 2
    AND seq = (SELECT history_seq FROM guichet.ticket WHERE id = 2);
ALTER TABLE guichet.ticket DISABLE TRIGGER USER;
UPDATE guichet.ticket t SET history_seq = h.seq, history_head = h.hash
FROM guichet.history h WHERE t.id = 2 AND h.ticket_id = 2
    AND h.seq = (SELECT max(seq) FROM guichet.history WHERE ticket_id = 2);
ALTER TABLE guichet.ticket ENABLE TRIGGER USER;
-- ticket 1: rows 1 and 2 swapped
UPDATE guichet.history SET seq = -seq WHERE ticket_id = 1 AND seq IN (1, 2);
UPDATE guichet.history SET seq = CASE seq WHEN -1 THEN 2 ELSE 1 END
WHERE ticket_id = 1 AND seq IN (-1, -2);
-- ticket 6: its middle row deleted
DELETE FROM guichet.history WHERE ticket_id = 6 AND seq = 2;
ALTER TABLE guichet.history ENABLE TRIGGER history_guard;
EOF
got=$(su -c "SELECT string_agg(DISTINCT ticket_id::text, ' ') FROM guichet.verify_history()")
is "$got" "1 6" "verify_history finds the reordered and the gap-holed chains, not the rewound one"
got=$(su -c "SELECT string_agg(DISTINCT ticket_id::text, ' ') FROM guichet.verify_checkpoints('$cp')")
is "$got" "2 6" "the checkpoint finds the rewound tail (and the removed last row)"
got=$(su -c "SELECT string_agg(DISTINCT ticket_id::text, ' ') FROM (
    SELECT ticket_id FROM guichet.verify_history()
    UNION ALL SELECT ticket_id FROM guichet.verify_checkpoints('$cp')) x")
is "$got" "1 2 6" "together they find all three"

# The superuser goes on: removes ticket 2's anchor and rewrites the
# checkpoint's digest to match. Only the digest kept outside shows it.
su >/dev/null <<'EOF' || bail_out "rewriting the checkpoint failed"
DELETE FROM guichet.history_anchor WHERE ticket_id IN (2, 6);
UPDATE guichet.history_checkpoint c SET digest = guichet.history_anchor_digest(NULL, c.id);
EOF
is "$(su -c "SELECT count(*) FROM guichet.verify_checkpoints()")" 0 \
    "without the digest kept outside, the rewritten checkpoint looks whole"
like "$(su -c "SELECT problem FROM guichet.verify_checkpoints('$cp')")" \
    "no checkpoint gives the digest kept outside" \
    "with it, the rewriting is found"
as ada "SELECT count(*) FROM guichet.history_checkpoint()"
is "$out" 1 "an admin makes a checkpoint"
as alice "SELECT guichet.history_checkpoint()"
like "$out" "permission denied" "an agent may not"
as alice "SELECT count(*) FROM guichet.history_anchor"
like "$out" "permission denied" "nor read the anchors, which name every ticket of the desk"

# Outbound mail (issues 13 and 14): reply's attachments, the template
# language, closing notices, the queues without a sender.
blobs=$(su -c "SELECT count(*) FROM guichet.blob")
as dave "SELECT guichet.reply(1, 'x', p_attachments => '[{\"name\": \"a\", \"data\": \"aGk=\"}]')"
like "$out" "no ticket #1" "an agent of another organisation cannot attach to a reply on ticket 1"
as alice "SELECT guichet.reply(4, 'x', p_attachments => '[{\"name\": \"a\", \"data\": \"aGk=\"}]')"
like "$out" "may not change tickets" "nor can alice on a ticket she only reads"
as ada "SELECT guichet.reply(1, 'x', p_attachments => (SELECT jsonb_agg(jsonb_build_object('name', g, 'data', 'aGk=')) FROM generate_series(1, 51) g))"
like "$out" "at most 50 files" "an admin cannot attach more than 50 files"
is "$(su -c "SELECT count(*) FROM guichet.blob")" "$blobs" "…and no bytes were stored by any of them"
for f in "reply_attachments(1, '[]')" "closing_notice(t) FROM guichet.ticket t WHERE id = 1" \
    "template_mail(t, p, 'ack') FROM guichet.ticket t, guichet.template p" \
    "mail_out(t, 'reply', 'x', 'x', 'x@example.org') FROM guichet.ticket t WHERE id = 1" \
    "reply_sender(t) FROM guichet.ticket t WHERE id = 1" \
    "mail_acknowledge(1, 'x', '{}')"; do
	as alice "SELECT guichet.$f"
	like "$out" "permission denied" "an agent cannot call guichet.${f%%(*} herself"
done
as alice "SELECT guichet.render_template(5, '{{requester.name}} {{requester.email}}')"
like "$out" "no ticket #5" "an agent renders no template on a ticket she does not see (no requester leaks)"
as sam "SELECT * FROM guichet.queue_sender_missing()"
like "$out" "permission denied" "a supervisor does not list the queues without a sender (admins do)"
as alice "INSERT INTO guichet.template (name, body) VALUES ('t1', 'x')"
like "$out" "permission denied" "an agent cannot save a template"
as ada "INSERT INTO guichet.template (name, body) VALUES ('t2', 'Bonjour {{contact.name}}')"
like "$out" "unknown placeholder \{\{contact.name\}\}" "an admin with psql cannot save one the language does not know"
as ada "INSERT INTO guichet.template (name, body) VALUES ('t3', 'Bonjour {{requester.name}}');
UPDATE guichet.template SET subject = '{{ ticket.tag' WHERE name = 't3'"
like "$out" "without its" "…nor make a saved one invalid"
as alice "UPDATE guichet.queue SET closing_template_id = NULL, from_name = 'x' WHERE id = 1"
like "$out" "permission denied" "an agent cannot change how a queue signs its mail"
as sam "UPDATE guichet.queue SET from_name = 'x' WHERE id = 1"
like "$out" "permission denied" "nor can a supervisor"

## Personal data (api/37-contact.sql, api/38-retention.sql): who may export
## or erase a person, and what the erasers' door lets through.
as alice "SELECT guichet.contact_export(1)"
like "$out" "permission denied" "an agent may not export a person's data"
as alice "SELECT guichet.contact_erase(1, 'request')"
like "$out" "permission denied" "nor erase her"
as alice "SELECT guichet.retention_run()"
like "$out" "permission denied" "nor run the retention"
as sam "SELECT guichet.contact_erase(3, 'request')"
like "$out" "no contact 3" \
    "a supervisor may not erase a contact of another organisation (nor learn she exists)"
as sam "SELECT guichet.contact_export(3)"
like "$out" "no contact 3" "nor export her"
as sam "SELECT guichet.retention_run()"
like "$out" "permission denied" "nor run the retention (admins)"
as sam "SET ROLE guichet_eraser"
like "$out" "permission denied" "nobody may act as the erasers' role"
as ada "SET ROLE guichet_eraser"
like "$out" "permission denied" "not even an admin"
as ada "UPDATE guichet.history SET new_value = NULL,
    new_digest = guichet.history_value_digest(new_value) WHERE ticket_id = 1"
like "$out" "permission denied" "an admin may not redact history by hand"
as ada "SELECT guichet.contact_erase(3, 'paul.durand asked')"
like "$out" "must not hold" "a reason naming the person is refused"
before5=$(su -c "SELECT count(*) FROM guichet.verify_history(5)")
as ada "SELECT guichet.contact_erase(3, 'written request, art. 17')"
is "$out" 1 "an admin who is not superuser erases a person: her one ticket"
as ada "SELECT guichet.contact_erase(3, 'again')"
like "$out" "was erased" "once"
is "$(su -c "SELECT name || '|' || coalesce(phone, '-') FROM guichet.contact WHERE id = 3")" \
    "|-" "her record is empty"
is "$(su -c "SELECT count(*) FROM guichet.verify_history(5)")" "$before5" \
    "her ticket's chain shows no new problem"
as alice "SELECT count(*) FROM guichet.contact_audit"
is "$out" 0 "an agent sees no audit row"
as sam "SELECT count(*) FROM guichet.contact_audit"
is "$out" 0 "nor does another organisation's supervisor"
# The erasers' role may only redact: a value or a false digest is refused.
su -c "SET ROLE guichet_eraser" -c "UPDATE guichet.history SET new_value = 'forged',
    new_digest = NULL WHERE ticket_id = 3 AND action = 'create'" >/dev/null 2>&1
is "$(su -c "SELECT new_value FROM guichet.history WHERE ticket_id = 3 AND action = 'create'")" \
    "$(su -c "SELECT subject FROM guichet.ticket WHERE id = 3")" \
    "the erasers' role cannot write a value into history"
su -c "SET ROLE guichet_eraser" -c "UPDATE guichet.history SET new_value = NULL,
    new_digest = '\x00' WHERE ticket_id = 3 AND action = 'create'" >/dev/null 2>&1
is "$(su -c "SELECT count(*) FROM guichet.history WHERE ticket_id = 3
    AND new_digest IS NOT NULL")" 0 "nor a digest that is not the value's"

# The contact record's functions: another organisation's contact does not
# exist for an agent; merging is for supervisors; the audit is append-only.
as dave "SELECT guichet.contact_update(1, 'name', 'Mallory')"
like "$out" "no contact 1" "an agent may not correct another organisation's contact"
as dave "SELECT guichet.contact_add_address(1, 'email', 'mallory@evil.example')"
like "$out" "no contact 1" "nor give her an address (mail to it would reach her record)"
as dave "SELECT guichet.contact_remove_address(1, 'email', 'jean.dupont@example.org')"
like "$out" "no contact 1" "nor remove one"
as dave "SELECT guichet.contact_hidden_tickets(1)"
like "$out" "no contact 1" "nor count her tickets"
as alice "SELECT guichet.contact_merge(1, 2)"
like "$out" "permission denied" "an agent may not merge contacts"
as sam "SELECT guichet.contact_merge(1, 3)"
like "$out" "no contact 3" "a supervisor may not merge across organisations"
as ada "SELECT guichet.contact_update(1, 'email', 'MARIE.martin@example.net')"
like "$out" "is the address of contact 2" "an address cannot be taken from another contact"
as ada "SELECT guichet.contact_update(1, 'name', E'Jean\x1b[2J')"
like "$out" "invalid name" "nor a name with control characters"
as ada "UPDATE guichet.contact_audit SET reason = 'nothing happened'"
like "$out" "permission denied" "an admin may not rewrite the contact audit"
su -c "UPDATE guichet.contact_audit SET reason = 'nothing happened'" >/dev/null 2>&1
is "$(su -c "SELECT count(*) FROM guichet.contact_audit WHERE reason = 'nothing happened'")" 0 \
    "nor the superuser acting as herself"
is "$(su -c "SELECT count(*) FROM guichet.verify_contact_audit()")" 0 "the audit chain verifies"

## The review of the SECURITY DEFINER functions merged for 0.2.0: the contact
## record, templates, replies with files, the report facts, the parallel plans
## and the settings the functions read.

# Another organisation's contact is not there for dave, whatever he calls.
as dave "SELECT count(*) FROM guichet.contact_card(1)"
is "$out" 0 "dave: no card of a contact of ville"
as dave "SELECT count(*) FROM guichet.contact_tickets(1, 50)"
is "$out" 0 "nor her tickets"
as dave "SELECT coalesce(string_agg(id::text, ','), '0') FROM guichet.contact_duplicates('',
    'Jean Dupont', NULL, 'jean.dupont@example.org', 50)"
is "$(su -c "SELECT count(*) FROM guichet.contact WHERE organisation_id <> 2
    AND id IN (${out:-0})")" 0 "nor a duplicate of another organisation that would name her"
as dave "SELECT count(*) FROM guichet.contact_search('dupont', 50)"
is "$out" 0 "nor a search hit"
as dave "SELECT guichet.contact_export(1)"
like "$out" "permission denied" "an agent exports nobody"
# A supervisor of ville cannot tell another organisation's contact from none.
as sam "SELECT guichet.contact_export(3)"
out3=$(printf '%s\n' "$out" | sed -n 's/^ERROR: *//p' | sed 's/[0-9][0-9]*//g')
as sam "SELECT guichet.contact_export(999999)"
out9=$(printf '%s\n' "$out" | sed -n 's/^ERROR: *//p' | sed 's/[0-9][0-9]*//g')
is "$out3" "$out9" "sam: agglo's contact 3 and no contact at all read the same"
as sam "SELECT guichet.contact_erase(3, 'a request')"
like "$out" "no contact 3" "sam cannot erase another organisation's contact"

# Nor may one organisation's district or a header line reach a record.
as alice "SELECT guichet.contact_update(1, 'district', '$(su -c "SELECT id FROM guichet.district
    WHERE organisation_id = 2 LIMIT 1")')"
like "$out" "no district" "alice may not put her contact in agglo's district by id"
agglo_contact=$(su -c "INSERT INTO guichet.contact (organisation_id, name)
    VALUES (2, 'Luc Bernard') RETURNING id")
as dave "SELECT guichet.contact_update(${agglo_contact:-0}, 'district', 'Nord')"
like "$out" "no district" "nor dave his in ville's by name"
as alice "SELECT guichet.contact_add_address(1, 'email', E'x@example.org\r\nBcc: y@example.org')"
like "$out" "invalid email" "an address with a line break is refused"
as sam "UPDATE guichet.organisation SET retention_closed = '1 day'"
like "$out" "permission denied" "a supervisor may not shorten the retention by hand"

# render_template reads as the caller: another organisation's ticket is
# not there, and its values never come out.
as dave "SELECT guichet.render_template(1, '{{ticket.subject}} {{requester.name}}')"
out1=$(printf '%s\n' "$out" | sed -n 's/^ERROR: *//p' | sed 's/[0-9][0-9]*//g')
unlike "$out" "Nid de poule|Jean" "render_template shows dave nothing of ticket 1"
as dave "SELECT guichet.render_template(999999, 'x')"
is "$out1" "$(printf '%s\n' "$out" | sed -n 's/^ERROR: *//p' | sed 's/[0-9][0-9]*//g')" \
    "and its answer is the one for a ticket that does not exist"
as dave "SELECT guichet.template_values(1)"
unlike "$out" "Nid de poule|Jean|Dupont" "template_values gives dave nothing of ticket 1"

# The From of a reply: a sender who writes to another organisation's address
# (agglo's) with ville's ticket tag must not make ville's desk sign as agglo.
as mailer "SELECT o_outcome FROM guichet.ingest_message(convert_to('raw review1', 'UTF8'),
    'test', jsonb_build_object('message_id', '<review1@example.org>', 'tag', 1,
    'from_addr', 'jean.dupont@example.org', 'subject', 'Re', 'body', 'encore',
    'to', jsonb_build_array('support@agglo.example')))"
is "$out" imported "a follow-up of ticket 1 sent to agglo's address is imported"
as alice "SELECT guichet.reply(1, 'Bonjour')"
art=$(printf '%s\n' "$out" | grep -E '^[0-9]+$')
like "$art" '^[0-9]+$' "alice replies on ticket 1"
is "$(su -c "SELECT q.organisation_id FROM guichet.outbox x
    JOIN guichet.queue_address qa ON qa.address = x.mail_from
    JOIN guichet.queue q ON q.id = qa.queue_id WHERE x.article_id = ${art:-0}")" 1 \
    "the reply goes out from an address of ville, not agglo's"
isnt "$(su -c "SELECT x.from_name FROM guichet.outbox x WHERE x.article_id = ${art:-0}")" \
    "$(su -c "SELECT name FROM guichet.organisation WHERE id = 2")" "nor under agglo's name"
as alice "SELECT guichet.reply(1, 'x', p_to => E'jean.dupont@example.org\r\nBcc: evil@example.org')"
is "$(su -c "SELECT count(*) FROM guichet.outbox WHERE mail_to ~ '[\r\n]'")" 0 \
    "no line break reaches a recipient header"

# Files of a reply: names lose directories and control characters, types
# that are not types become octet-stream; too many or too big is refused.
as alice "SELECT guichet.reply(2, 'pj', p_attachments => jsonb_build_array(
    jsonb_build_object('name', '../../etc/passwd', 'data', 'eA=='),
    jsonb_build_object('name', E'C:\\\\x\\\\..\\\\boot.ini', 'data', 'eA=='),
    jsonb_build_object('name', E'a\r\nBcc: evil@example.org', 'data', 'eA==',
        'type', E'text/plain\r\nBcc: evil@example.org'),
    jsonb_build_object('name', E'photo\\u202egpj.exe', 'data', 'eA=='),
    jsonb_build_object('name', repeat('n', 5000), 'data', 'eA==')))"
art=$out
is "$(su -c "SELECT string_agg(filename, '|' ORDER BY id) FROM guichet.attachment
    WHERE article_id = ${art:-0} AND length(filename) < 255")" \
    "passwd|boot.ini|aBcc: evil@example.org|photogpj.exe" \
    "attachment names lose their directories, line breaks and bidi overrides"
is "$(su -c "SELECT count(*) FROM guichet.attachment WHERE article_id = ${art:-0}
    AND (content_type ~ '[\r\n]' OR length(filename) > 255)")" 0 \
    "no line break in a type, no name longer than 255 characters"
as alice "SELECT guichet.reply(2, 'pj', p_attachments => (SELECT jsonb_agg(jsonb_build_object(
    'name', 'f' || i, 'data', 'eA==')) FROM generate_series(1, 51) i))"
like "$out" "at most 50 files" "51 files are refused"
as alice "SELECT guichet.reply(2, 'pj', p_attachments => jsonb_build_array(jsonb_build_object(
    'name', 'big', 'data', encode(convert_to(repeat('x', 25 * 1024 * 1024 + 1), 'UTF8'), 'base64'))))"
like "$out" "larger than 25 MB" "a file over 25 MB is refused"

# The report facts: nobody writes them by hand, and each reads only the facts
# of the queues she sees.
for who in dave sam ada; do
	as $who "INSERT INTO guichet.report_fact (ticket_id, queue_id, at, kind)
	    VALUES (1, 1, now(), 'c')"
	like "$out" "permission denied" "$who may not write a report fact"
	as $who "DELETE FROM guichet.report_fact"
	like "$out" "permission denied" "nor delete them"
	as $who "SELECT guichet.report_fact_rebuild()"
	like "$out" "permission denied" "nor rebuild them"
done

# visible_queues is PARALLEL SAFE: forced into parallel workers (the leader
# not taking part), the policies still hold for dave.
par="SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET min_parallel_index_scan_size = 0;
SET force_parallel_mode = on; SET parallel_leader_participation = off;
SET enable_indexscan = off; SET enable_bitmapscan = off;"
as dave "$par EXPLAIN (COSTS OFF) SELECT id FROM guichet.ticket"
like "$out" "Gather" "the plan of dave's ticket query is parallel"
as dave "$par SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM guichet.ticket"
is "$out" 5 "in parallel workers dave still sees his ticket only"
as dave "$par SELECT DISTINCT guichet.visible_queues()::text FROM guichet.ticket"
is "$out" "{$(su -c "SELECT id FROM guichet.queue WHERE code = 'agglo-it'")}" \
    "visible_queues run in a worker still knows who is calling"
as dave "$par SELECT count(*) FROM guichet.article"
is "$out" "$(su -c "SELECT count(*) FROM guichet.article a JOIN guichet.ticket t ON t.id = a.ticket_id
    WHERE t.queue_id = (SELECT id FROM guichet.queue WHERE code = 'agglo-it')")" \
    "nor articles of queues he does not see"
ok "there are ville facts to hide" test "$(su -c "SELECT count(*) FROM guichet.report_fact f
    JOIN guichet.queue q ON q.id = f.queue_id WHERE q.organisation_id = 1")" -gt 0
as dave "$par SELECT count(*) FROM guichet.report_fact f WHERE f.queue_id IN
    (SELECT id FROM guichet.queue WHERE organisation_id = 1)"
is "$out" 0 "dave reads no fact of ville's queues, in parallel either"

# The settings the history triggers read: a forged guichet.chained_article
# does not make a reply skip its history row.
next=$(su -c "SELECT last_value + 1 FROM guichet.article_id_seq")
as alice "BEGIN; SET LOCAL guichet.chained_article = '$next reply';
SET LOCAL guichet.ticket_intent = '2||'; SELECT guichet.reply(2, 'x'); COMMIT;"
art=$(printf '%s\n' "$out" | grep -E '^[0-9]+$')
is "$(su -c "SELECT count(*) FROM guichet.history WHERE ticket_id = 2 AND action = 'reply'
    AND new_value = '${art:-0}'")" 1 "a forged guichet.chained_article skips no history"
is "$(su -c "SELECT count(*) FROM guichet.verify_history(2)")" 0 "ticket 2's chain is intact"

# The erasers' door: no login but the owner's may become guichet_eraser, and
# the only functions it owns are contact_erase and retention_run.
no_rows "logins that may act as guichet_eraser" "SELECT m.rolname FROM pg_auth_members a
    JOIN pg_roles m ON m.oid = a.member WHERE a.roleid = 'guichet_eraser'::regrole
    AND m.rolname NOT IN ('guichet_owner')"
no_rows "functions owned by guichet_eraser other than the two erasers" "SELECT p.oid::regprocedure
    FROM pg_proc p WHERE p.proowner = 'guichet_eraser'::regrole
    AND p.proname NOT IN ('contact_erase', 'retention_run')"
as ada "UPDATE guichet.history SET new_value = NULL WHERE ticket_id = 1"
like "$out" "permission denied" "ada cannot redact history by hand"
as ada "SELECT guichet.contact_update(1, 'name', 'Jean Dupont-Martin')"
as ada "SELECT guichet.retention_run()"
is "$(su -c "SELECT count(*) FROM guichet.verify_history(2)")" 0 \
    "after ada's correction and the retention too"

done_testing
