#!/bin/sh
# tests/admin/manage.sh — guichet-admin's management commands: each adds,
# lists (text, CSV and JSON, parsed back by the server), changes and removes
# what it manages; bad input is named with the right exit code.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

run()
{
	out=$("$@" 2>&1)
	rc=$?
}

# json_rows JSON SQL: evaluate SQL over the rows of a JSON array (as x).
json_rows()
{
	printf '%s\n' "SELECT $2 FROM json_array_elements(:'j'::json) AS x;" |
	    psql -X -q -At -v j="$1"
}

# csv_rows CSV COLUMNS SQL: load CSV with a header into temp table c, query it.
csv_rows()
{
	{
		printf '%s\n' "CREATE TEMP TABLE c ($2);" \
		    "COPY c FROM STDIN WITH (FORMAT csv, HEADER);"
		# COPY wants one line ending throughout: the CSV's CR LF become LF.
		printf '%s\n' "$1" | tr -d '\r'
		printf '%s\n' '\.' "$3"
	} | psql -X -q -At
}

GA=guichet-admin
pg_start
pg_install
tmp=$PGDIR/files
mkdir -p "$tmp"

# --- organisations and districts
ok "org add" $GA org add ville "Ville de Test"
ok "org add a second" $GA org add agglo "Agglo du Test"
run $GA org add ville "Encore"
is "$rc/$out" "65/guichet-admin: organisation \"ville\" already exists" \
    "org add of an existing code exits EX_DATAERR and says so"
run $GA org add "Bad Code" "Nom"
is "$rc" 65 "org add with an invalid code exits EX_DATAERR"
like "$out" "invalid organisation code" "and names the problem"
run $GA org add lonely
is "$rc" 64 "org add without a name exits EX_USAGE"
like "$out" "^usage: guichet-admin org add CODE NAME" "and prints the command's usage"
run $GA org list
like "$out" "^code +name +districts +queues +agents$" "org list has a header"
like "$out" "^ville +Ville de Test +0 +0 +0$" "org list shows the organisation aligned"
ok "district add" $GA district add ville Nord
ok "district add another" $GA district add ville "Vieux Port"
run $GA district add ville Nord
is "$rc" 65 "a district twice is refused"
run $GA district add nowhere Sud
is "$rc/$out" "65/guichet-admin: no organisation \"nowhere\"" \
    "an unknown organisation is named"
run $GA district list ville --format csv
is "$out" "$(printf 'org,name\r\nville,Nord\r\nville,Vieux Port\r')" \
    "district list --format csv"

# --- SLA policies
ok "sla add with business hours" $GA sla add standard --first-response 4h \
    --resolution 5d --business-hours 08:30-17:30 --workdays 1-5
ok "sla add around the clock" $GA sla add urgent --first-response 30min --resolution 1d
run $GA sla add bad --business-hours 8h-17h
is "$rc" 64 "sla add with malformed hours exits EX_USAGE"
run $GA sla add bad2 --workdays 1-5
is "$rc" 64 "--workdays without --business-hours exits EX_USAGE"
run $GA sla add bad3 --resolution 3 --timezone Mars/Olympus
is "$rc" 65 "an unknown time zone exits EX_DATAERR"
is "$(psql -X -At -c "SELECT first_response, resolution, business_hours, day_start, \
    day_end, workdays FROM guichet.sla_policy WHERE name = 'standard'")" \
    "04:00:00|5 days|t|08:30:00|17:30:00|{1,2,3,4,5}" "sla add stores what was asked"
j=$($GA sla list --format json)
is "$(json_rows "$j" "x->>'name' || ':' || (x->>'hours') || ':' || (x->>'queues')")" \
    "$(printf 'standard:08:30-17:30:0\nurgent:24/7:0')" "sla list --format json parses back"

# --- queues
ok "queue add level 2" $GA queue add voirie-n2 --org ville --name "Voirie N2" --level 2
ok "queue add level 1 with everything" $GA queue add voirie --org ville \
    --name "Voirie" --escalate-to voirie-n2 --sla standard --priority 4 \
    --claim-timeout 30min --address Voirie@Ville.Example --address rue@ville.example
ok "queue add another" $GA queue add etat-civil --org ville --name "État civil"
run $GA queue add x --org ville --name X --escalate-to etat-civil
is "$rc" 65 "escalating to a level-1 queue is refused"
like "$out" "not a level-2 queue" "and says why"
run $GA queue add y --org ville --name Y --level 3
is "$rc" 64 "a level other than 1 or 2 exits EX_USAGE"
run $GA queue add z --org ville --name Z --address voirie@ville.example
is "$rc" 65 "an address already routed elsewhere is refused"
run $GA queue add w --name W
is "$rc" 64 "queue add without --org exits EX_USAGE"
is "$(psql -X -At -c "SELECT q.level, e.code, s.name, q.default_priority, q.claim_timeout, \
    (SELECT string_agg(address, ' ' ORDER BY address) FROM guichet.queue_address a \
    WHERE a.queue_id = q.id) FROM guichet.queue q LEFT JOIN guichet.queue e \
    ON e.id = q.escalate_to LEFT JOIN guichet.sla_policy s ON s.id = q.sla_policy_id \
    WHERE q.code = 'voirie'")" "1|voirie-n2|standard|4|00:30:00|rue@ville.example voirie@ville.example" \
    "queue add stores level, escalation, SLA, priority, lease and lower-cased addresses"
ok "queue set" $GA queue set voirie --name "Voirie et propreté" --sla none \
    --claim-timeout none --remove-address rue@ville.example --address propre@ville.example
is "$(psql -X -At -c "SELECT q.name, q.sla_policy_id IS NULL, q.claim_timeout IS NULL, \
    q.default_priority, (SELECT string_agg(address, ' ' ORDER BY address) \
    FROM guichet.queue_address a WHERE a.queue_id = q.id) FROM guichet.queue q \
    WHERE q.code = 'voirie'")" "Voirie et propreté|t|t|4|propre@ville.example voirie@ville.example" \
    "queue set changes what is given, clears \"none\", keeps the rest"
csv=$($GA queue list --format csv)
is "$(csv_rows "$csv" "code text, org text, name text, level int, escalate_to text, \
    sla text, priority int, claim_timeout text, active bool, addresses text, \
    from_name text, closing text, members int, open_tickets int" \
    "SELECT code || '|' || level || '|' || coalesce(escalate_to, '-') FROM c ORDER BY code;")" \
    "$(printf 'etat-civil|1|-\nvoirie|1|voirie-n2\nvoirie-n2|2|-')" \
    "queue list --format csv parses back"
run $GA queue list --format yaml
is "$rc" 64 "an unknown --format exits EX_USAGE"

# --- fields
ok "field add enum" $GA field add quartier --label Quartier --kind enum \
    --allowed "Nord, Sud,,Centre"
ok "field add text" $GA field add dossier --label "N° de dossier" --kind text --required
run $GA field add other --label X --kind enum
is "$rc" 64 "an enum field without --allowed exits EX_USAGE"
run $GA field add Bad --label X --kind text
is "$rc" 65 "an invalid field name exits EX_DATAERR"
run $GA field add other --label X --kind colour
is "$rc" 64 "an unknown kind exits EX_USAGE"
j=$($GA field list --format json)
is "$(json_rows "$j" "(x->>'name') || '=' || coalesce(x->>'allowed', '') || ':' || (x->>'required')")" \
    "$(printf 'quartier=Nord,Sud,Centre:no\ndossier=:resolve')" \
    "field list --format json: values trimmed, empty ones dropped, order kept"

# --- services
ok "service add" $GA service add nid-de-poule --org ville --category Voirie \
    --name "Nid de poule" --queue voirie --sla urgent
ok "service add another" $GA service add passeport --org ville --category "État civil" \
    --name Passeport --queue etat-civil
run $GA service add passeport --org ville --category X --name Y
is "$rc" 65 "a service code twice is refused"
run $GA service list
like "$out" "^nid-de-poule +ville +Voirie +Nid de poule +voirie +urgent +t$" \
    "service list shows the catalogue"

# --- agents and members
ok "agent add with a new login" $GA agent add zoe --name "Zoé Martin" --org ville \
    --email zoe@ville.example
ok "agent add a supervisor" $GA agent add sam --name "Sam" --org ville --level 2 \
    --supervisor
psql -X -q -c 'CREATE ROLE existing LOGIN'
ok "agent add adopts an existing role" $GA agent add existing --name "Ex" --org agglo
echo "s3cret pass" >"$tmp/pw"
ok "agent add --password-prompt reads a line from standard input" \
    sh -c "$GA agent add pat --name Pat --org ville --password-prompt <'$tmp/pw'"
is "$(psql -X -At -c "SELECT rolpassword LIKE 'SCRAM-SHA-256\$%' FROM pg_authid \
    WHERE rolname = 'pat'")" "t" "the password is stored as a SCRAM verifier"
run $GA agent add zoe --name Z --org ville
is "$rc" 65 "an agent twice is refused"
run $GA agent add "Robert'); DROP TABLE x; --" --name R --org ville
is "$rc" 65 "a login that is not a plain name is refused"
run $GA agent add guichet_admin --name R --org ville
is "$rc" 65 "a group role cannot become an agent"
run $GA agent add nobody --name N --org nowhere
is "$rc" 65 "an unknown organisation is refused"
is "$(psql -X -At -c "SELECT 'nobody' IN (SELECT rolname FROM pg_roles)")" "f" \
    "and no role is left behind"
is "$(psql -X -At -c "SELECT pg_has_role('zoe', 'guichet_agent', 'MEMBER'), \
    pg_has_role('zoe', 'guichet_supervisor', 'MEMBER'), \
    pg_has_role('sam', 'guichet_supervisor', 'MEMBER'), \
    pg_has_role('existing', 'guichet_agent', 'MEMBER')")" "t|f|t|t" \
    "agent add grants the group roles"
ok "member add" $GA member add zoe voirie
ok "member add read-only" $GA member add zoe voirie-n2 --read-only
ok "member add another" $GA member add sam etat-civil
run $GA member add zoe nowhere
is "$rc/$out" "65/guichet-admin: no queue \"nowhere\"" "an unknown queue is named"
run $GA member list voirie-n2 --format csv
is "$out" "$(printf 'queue,agent,name,access,active\r\nvoirie-n2,zoe,Zoé Martin,read,t\r')" \
    "member list QUEUE --format csv"
run $GA agent list
like "$out" "^zoe +Zoé Martin +zoe@ville.example +ville +1 +agent +t +t +voirie voirie-n2\(ro\)" \
    "agent list shows role, login and queues"
like "$out" "^sam .* supervisor " "agent list shows a supervisor"

# The agent logs in as herself and sees only her queues' tickets.
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO guichet.ticket (queue_id, organisation_id, subject)
SELECT q.id, q.organisation_id, 'Ticket de ' || q.code
FROM guichet.queue q WHERE q.code IN ('voirie', 'voirie-n2', 'etat-civil');
SQL
is "$(psql_as zoe -c 'SELECT session_user')" "zoe" "the new agent can log in"
is "$(psql_as zoe -c "SELECT string_agg(subject, ', ' ORDER BY subject) FROM guichet.ticket")" \
    "Ticket de voirie, Ticket de voirie-n2" "she sees the tickets of her queues only"
is "$(psql_as sam -c 'SELECT count(*) FROM guichet.ticket')" "3" \
    "the supervisor sees her organisation's tickets"

ok "agent set" $GA agent set zoe --name "Zoé Martin-Roux" --level 2 --email none \
    --role supervisor
is "$(psql -X -At -c "SELECT display_name, level, email IS NULL, \
    pg_has_role('zoe', 'guichet_supervisor', 'MEMBER') FROM guichet.agent \
    WHERE login = 'zoe'")" "Zoé Martin-Roux|2|t|t" "agent set changes name, level, mail, role"
ok "agent set back to agent" $GA agent set zoe --role agent
is "$(psql -X -At -c "SELECT pg_has_role('zoe', 'guichet_supervisor', 'MEMBER')")" "f" \
    "--role agent revokes the supervisor role"
ok "member remove" $GA member remove zoe voirie-n2
run $GA member remove zoe voirie-n2
is "$rc" 65 "removing a membership twice is refused"
ok "agent remove" $GA agent remove existing
is "$(psql -X -At -c "SELECT a.active, r.rolcanlogin FROM guichet.agent a \
    JOIN pg_roles r ON r.rolname = a.login WHERE a.login = 'existing'")" "f|f" \
    "agent remove deactivates the agent and her login"
run psql_as existing -c 'SELECT 1'
isnt "$rc" 0 "a removed agent can no longer log in"
run $GA agent list
unlike "$out" "^existing " "agent list hides inactive agents"
run $GA agent list --all
like "$out" "^existing " "agent list --all shows them"
ok "agent set --active gives the login back" $GA agent set existing --active
is "$(psql_as existing -c 'SELECT session_user')" "existing" "she can log in again"

# --- removals that must not lose history
ok "queue remove of an unused queue" $GA queue add tmp --org agglo --name Tmp
ok "queue remove" $GA queue remove tmp
is "$(psql -X -At -c "SELECT count(*) FROM guichet.queue WHERE code = 'tmp'")" "0" \
    "an unused queue is deleted"
run $GA queue remove etat-civil
is "$rc" 0 "queue remove of a queue with tickets succeeds"
like "$out" "has 1 tickets: deactivated instead of removed" "and says it deactivated it"
is "$(psql -X -At -c "SELECT active FROM guichet.queue WHERE code = 'etat-civil'")" "f" \
    "the queue with tickets is inactive, not gone"
psql -X -q -c "UPDATE guichet.ticket SET service_id = (SELECT id FROM guichet.service \
    WHERE code = 'nid-de-poule') WHERE subject = 'Ticket de voirie'"
run $GA service remove nid-de-poule
like "$rc/$out" "^0/.*deactivated" "a service used by tickets is deactivated"
ok "an unused service is removed" $GA service remove passeport
is "$(psql -X -At -c "SELECT string_agg(code || ':' || active, ' ') FROM guichet.service")" \
    "nid-de-poule:false" "only the used service remains, inactive"
psql -X -q -c "INSERT INTO guichet.ticket_field (ticket_id, field_id, value) \
    SELECT min(t.id), f.id, 'Nord' FROM guichet.ticket t, guichet.field f \
    WHERE f.name = 'quartier' GROUP BY f.id"
run $GA field remove quartier
is "$rc" 65 "a field with values stays"
ok "an unused field is removed" $GA field remove dossier

# --- templates and the knowledge base
printf 'Bonjour {{requester.name}},\n\nMerci.\n' >"$tmp/merci.md"
ok "template add" $GA template add merci "$tmp/merci.md" --subject "Merci"
run $GA template show merci
is "$out" "$(printf 'name: merci\norg: \nsubject: Merci\nupdated: %s\n\nBonjour {{requester.name}},\n\nMerci.' \
    "$(psql -X -At -c "SELECT to_char(updated_at, 'YYYY-MM-DD HH24:MI') FROM guichet.template")")" \
    "template show prints the fields and the body"
printf 'Bonjour,\n\nAutre texte.\n' >"$tmp/merci2.md"
ok "template add again replaces" $GA template add merci "$tmp/merci2.md"
is "$(psql -X -At -c "SELECT count(*), min(body) FROM guichet.template")" \
    "$(printf '1|Bonjour,\n\nAutre texte.\n')" "one template, the new body"
run $GA template add other "$tmp/nonexistent.md"
is "$rc" 66 "a missing file exits EX_NOINPUT"
printf 'bad\001\n' | sed 's/\x01/\x00/' >"$tmp/nul.md"
run $GA template add nul "$tmp/nul.md"
is "$rc" 65 "a file with NUL bytes exits EX_DATAERR"
ok "template remove" $GA template remove merci
run $GA template remove merci
is "$rc" 65 "removing a missing template exits EX_DATAERR"

# One template language: an unknown placeholder is refused, by name.
printf 'Bonjour {{name}},\n\nVotre demande {{ ticket.tag }}.\n' >"$tmp/vieux.md"
run $GA template add vieux "$tmp/vieux.md"
is "$rc/$out" "65/guichet-admin: Invalid value: template \"vieux\": unknown placeholder {{name}}" \
    "template add: an unknown placeholder exits 65 naming it"
run $GA template add vieux "$tmp/merci2.md" --subject "Re: {{ticket.subject"
like "$rc/$out" "^65/.*subject: a \"\{\{\" without its \"\}\}\"" "…in the subject too"
is "$(psql -X -At -c "SELECT count(*) FROM guichet.template WHERE name = 'vieux'")" 0 "…nothing saved"
printf 'Bonjour {{ requester.name | Madame, Monsieur }},\n\n{{ticket.tag}} est traitée.\n' >"$tmp/cloture.md"
ok "template add: the language's names and a default" $GA template add cloture "$tmp/cloture.md"

# How a queue signs its mail, its closing notice, and the queues with no sender.
ok "queue set --from-name --closing" $GA queue set voirie --from-name "Mairie — voirie" --closing cloture
is "$(psql -X -At -c "SELECT q.from_name || '|' || t.name FROM guichet.queue q
    JOIN guichet.template t ON t.id = q.closing_template_id WHERE q.code = 'voirie'")" \
    "Mairie — voirie|cloture" "…stored"
run $GA queue set voirie --closing nothing-such
is "$rc" 65 "an unknown closing template exits EX_DATAERR"
ok "queue set --from-name none --closing none" $GA queue set voirie --from-name none --closing none
is "$(psql -X -At -c "SELECT coalesce(from_name, '-') || '|' || coalesce(closing_template_id::text, '-')
    FROM guichet.queue WHERE code = 'voirie'")" "-|-" "…cleared"
ok "a queue without an address" $GA queue add sans-adresse --org ville --name "Sans adresse"
run $GA status
like "$out" "^queue sans-adresse: no mail address to write from" \
    "status names the queue whose mail would have no address to leave from"
unlike "$out" "^queue voirie:" "…and not a queue that has one"

printf '# Horaires de la mairie\n\nOuvert de 8 h 30 à 17 h 30.\n' >"$tmp/horaires.md"
ok "kb add takes the title from the heading" $GA kb add horaires "$tmp/horaires.md" \
    --tag accueil --tag 'ho"raires'
ok "kb add with --title" $GA kb add autre "$tmp/horaires.md" --title "Autre titre"
j=$($GA kb list --format json)
is "$(json_rows "$j" "(x->>'slug') || '|' || (x->>'title') || '|' || (x->>'tags')")" \
    "$(printf 'autre|Autre titre|\nhoraires|Horaires de la mairie|accueil,ho"raires')" \
    "kb list --format json: titles and tags"
run $GA kb list --tag accueil
like "$out" "^horaires " "kb list --tag filters"
unlike "$out" "^autre " "and leaves out the others"
run $GA kb show horaires
like "$out" "^title: Horaires de la mairie$" "kb show prints the title"
like "$out" "^Ouvert de 8 h 30" "and the body"
ok "kb remove" $GA kb remove autre
is "$(psql -X -At -c "SELECT string_agg(slug, ' ') FROM guichet.kb_article")" "horaires" \
    "kb remove removed one article"

# Untrusted text is sanitised in tables.
psql -X -q -c "UPDATE guichet.organisation SET name = E'Evil\\033[2J name' WHERE code = 'agglo'"
run $GA org list
unlike "$out" "$(printf '\033')" "org list does not print escape characters"
like "$out" "Evil\^\[\[2J name" "it shows them visibly"

# --- history
ok "verify-history on intact chains" $GA verify-history
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
BEGIN;
SET LOCAL ROLE guichet_owner;
UPDATE guichet.history SET new_value = 'Autre sujet' WHERE seq = 1
    AND ticket_id = (SELECT min(id) FROM guichet.ticket);
COMMIT;
SQL
run $GA verify-history
is "$rc" 65 "verify-history exits EX_DATAERR on an altered row"
like "$out" "^ticket [0-9]+, history row 1: altered row$" "and names the row"
t=$(psql -X -At -c "SELECT max(id) FROM guichet.ticket")
ok "verify-history --ticket of an intact ticket" $GA verify-history --ticket "$t"
run $GA verify-history --ticket abc
is "$rc" 64 "verify-history --ticket needs a number"

# --- rights: the statements run as the caller's own role
psql -X -q -c 'CREATE ROLE boss LOGIN CREATEROLE' -c 'GRANT guichet_admin TO boss'
ok "an administrator who is not a superuser adds an agent" \
    $GA -d "$(pg_conninfo boss)" agent add robin --name Robin --org ville
ok "and makes her a member of a queue" $GA -d "$(pg_conninfo boss)" member add robin voirie
run $GA -d "$(pg_conninfo zoe)" org add rogue "Rogue"
is "$rc" 77 "an agent may not change the configuration: EX_NOPERM"
like "$out" "^guichet-admin: " "with one line saying so"

# --- general
run $GA queue
is "$rc" 64 "a group without a command exits EX_USAGE"
like "$out" "^usage: guichet-admin queue add " "and lists the group's commands"
run $GA queue frobnicate
is "$rc" 64 "an unknown command in a group exits EX_USAGE"
run $GA -d "host=$PGDIR/none" org list
is "$rc" 69 "an unreachable server exits EX_UNAVAILABLE"

done_testing
