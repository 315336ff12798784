#!/bin/sh
# tests/admin/desk.sh — what an administrator does weekly without SQL (issue 14):
# sla set (a policy's targets and hours, and its targets for one priority),
# service set (queue, policy, category, name, active), field set (label,
# values, required at creation or before resolving, its queues), holiday
# add/list/remove (every organisation's or one's) and queue set (addresses,
# display name, claim timeout). Each change is read back from the database
# and shown to take effect where it matters; bad input is named with the
# right exit code.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

run()
{
	out=$("$@" 2>&1)
	rc=$?
}

q()
{
	psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"
}

json_rows()
{
	printf '%s\n' "SELECT $2 FROM json_array_elements(:'j'::json) AS x;" |
	    psql -X -q -At -v j="$1"
}

GA=guichet-admin
pg_start
pg_install
pg_fixture

# --- sla set
ok "sla set: a target and the hours" $GA sla set ouvre --first-response 2h \
    --business-hours 09:00-18:00 --workdays 1-6
is "$(q "SELECT first_response, next_response, resolution, business_hours, day_start, day_end,
    workdays FROM guichet.sla_policy WHERE name = 'ouvre'")" \
    "02:00:00|1 day|5 days|t|09:00:00|18:00:00|{1,2,3,4,5,6}" \
    "sla set changes what is given and keeps the rest"
ok "sla set: none clears a target" $GA sla set ouvre --next-response none
is "$(q "SELECT next_response IS NULL FROM guichet.sla_policy WHERE name = 'ouvre'")" t \
    "…the next response has no target now"
ok "sla set: around the clock" $GA sla set ouvre --business-hours none
is "$(q "SELECT business_hours FROM guichet.sla_policy WHERE name = 'ouvre'")" f \
    "…business hours off"
ok "sla set --priority: targets of one priority" $GA sla set continu --priority 5 \
    --first-response 15min --resolution 4h
is "$(q "SELECT t.priority, t.first_response, t.next_response, t.resolution
    FROM guichet.sla_target t JOIN guichet.sla_policy p ON p.id = t.sla_policy_id
    WHERE p.name = 'continu'")" \
    "5|00:15:00||04:00:00" "…stored for priority 5 of continu"
j=$($GA sla list --format json)
is "$(json_rows "$j" "(x->>'name') || ' ' || coalesce(x->>'by_priority', '-')")" \
    "$(printf 'continu 5:00:15:00/-/04:00:00\nouvre -')" "sla list shows the targets per priority"
id=$(psql_as dave -c "SELECT guichet.create_ticket(4, 'Serveur arrêté', 'Appel', NULL,
    'phone', 5)")
is "$(q "SELECT first_response_due - created_at FROM guichet.ticket WHERE id = $id")" \
    "00:15:00" "a ticket of priority 5 in a continu queue gets its 15 minutes"
ok "sla set --priority: none clears one of them" $GA sla set continu --priority 5 \
    --resolution none
is "$(q "SELECT first_response, resolution IS NULL FROM guichet.sla_target")" "00:15:00|t" \
    "…the first response stays"
ok "sla set --priority --clear" $GA sla set continu --priority 5 --clear
is "$(q "SELECT count(*) FROM guichet.sla_target")" 0 "…the priority follows the policy again"
run $GA sla set continu --priority 7 --first-response 1h
is "$rc" 64 "a priority out of 1-5 exits EX_USAGE"
run $GA sla set continu --priority 4
is "$rc" 64 "--priority without a target exits EX_USAGE"
run $GA sla set continu --priority 4 --timezone UTC --first-response 1h
is "$rc" 64 "hours and zones belong to the policy, not to a priority"
run $GA sla set nosuch --first-response 1h
is "$rc/$out" "65/guichet-admin: no SLA policy \"nosuch\"" "an unknown policy is named"
run $GA sla set continu --first-response banana
is "$rc" 65 "a duration the server cannot read exits EX_DATAERR"
run $GA sla set continu --priority 3 --first-response 0min
is "$rc" 65 "a zero target exits EX_DATAERR"
run $GA sla set continu --timezone Mars/Olympus
is "$rc" 65 "an unknown time zone exits EX_DATAERR"
run $GA sla add fresh --first-response none
is "$rc" 64 "none is for sla set"

# --- service set
ok "service set" $GA service set proprete-depot-sauvage --sla ouvre --queue etat-civil \
    --name "Dépôts sauvages" --category "Propreté urbaine"
is "$(q "SELECT s.category, s.name, q.code, p.name FROM guichet.service s
    JOIN guichet.queue q ON q.id = s.default_queue_id
    JOIN guichet.sla_policy p ON p.id = s.sla_policy_id
    WHERE s.code = 'proprete-depot-sauvage'")" "Propreté urbaine|Dépôts sauvages|etat-civil|ouvre" \
    "service set stores queue, policy, category and name"
run $GA service set proprete-depot-sauvage --queue agglo-it
is "$rc/$out" "65/guichet-admin: queue agglo-it is another organisation's" \
    "a queue of another organisation is refused"
ok "service set none" $GA service set proprete-depot-sauvage --queue none --sla none --inactive
is "$(q "SELECT default_queue_id IS NULL, sla_policy_id IS NULL, active FROM guichet.service
    WHERE code = 'proprete-depot-sauvage'")" "t|t|f" "none clears, --inactive withdraws it"
ok "service set --active" $GA service set proprete-depot-sauvage --active
run $GA service set nosuch --name X
is "$rc" 65 "an unknown service exits EX_DATAERR"
run $GA service set voirie-nid-de-poule --name ""
is "$rc" 65 "an empty name exits EX_DATAERR"
run $GA service set voirie-nid-de-poule --colour red
is "$rc" 64 "an unknown option exits EX_USAGE"

# --- field set
ok "field set: required at creation, in voirie only" $GA field set quartier \
    --required create --queue voirie
is "$(q "SELECT f.required, f.required_at, string_agg(q.code, ',') FROM guichet.field f
    JOIN guichet.field_queue fq ON fq.field_id = f.id JOIN guichet.queue q ON q.id = fq.queue_id
    WHERE f.name = 'quartier' GROUP BY 1, 2")" "t|create|voirie" "…stored"
run psql_as alice -c "SELECT guichet.create_ticket(1, 'Trottoir', 'Appel')"
like "$out" 'field "Quartier" \(quartier\) required to create a ticket in queue voirie' \
    "…and create_ticket in voirie demands it"
ok "…not in etat-civil" psql_as bob -c "SELECT guichet.create_ticket(3, 'Acte', 'Appel')"
ok "field set: values and label" $GA field set quartier --allowed "Nord, Sud,,Est" \
    --label "Quartier de la ville"
is "$(q "SELECT label, allowed FROM guichet.field WHERE name = 'quartier'")" \
    "Quartier de la ville|{Nord,Sud,Est}" "…values trimmed, empty ones dropped"
run $GA field set reference --allowed a,b
is "$rc/$out" "65/guichet-admin: --allowed is for an enum field; reference is a text field" \
    "values only for an enum"
run $GA field set quartier --required maybe
is "$rc" 64 "--required takes create, resolve or no"
run $GA field set quartier --queue nowhere
is "$rc/$out" "65/guichet-admin: no queue \"nowhere\"" "an unknown queue is named"
run $GA field set quartier --queue voirie --all-queues
is "$rc" 64 "--queue and --all-queues exclude each other"
run $GA field set quartier --label ""
is "$rc" 65 "an empty label exits EX_DATAERR"
ok "field set --all-queues --required no" $GA field set quartier --all-queues --required no
is "$(q "SELECT required, (SELECT count(*) FROM guichet.field_queue)
    FROM guichet.field WHERE name = 'quartier'")" "f|0" "…optional, in every queue again"
ok "field add --required=create --queue" $GA field add dossier --label Dossier --kind text \
    --required=create --queue etat-civil
j=$($GA field list --format json)
is "$(json_rows "$j" "(x->>'name') || ':' || (x->>'required') || ':' || (x->>'queues')")" \
    "$(printf 'quartier:no:\nreference:no:\nmontant:no:\nrendez_vous:no:\ndossier:create:etat-civil')" \
    "field list says when each is required and where"

# --- holidays
ok "holiday add (every organisation)" $GA holiday add 2026-11-11 Armistice
ok "holiday add --org" $GA holiday add 2026-12-24 "Veille de Noël" --org ville
run $GA holiday add 2026-11-11 "Encore"
is "$rc/$out" "65/guichet-admin: 2026-11-11 is already a holiday of every organisation" \
    "a holiday twice is refused"
run $GA holiday add 2026-02-30 Trente
is "$rc" 65 "a day that does not exist exits EX_DATAERR"
run $GA holiday add 26-1-1 X
is "$rc/$out" "65/guichet-admin: invalid day \"26-1-1\": YYYY-MM-DD" "a malformed day is named"
run $GA holiday add 2026-12-25
is "$rc" 64 "a holiday needs a name"
run $GA holiday add 2026-12-26 X --org nowhere
is "$rc/$out" "65/guichet-admin: no organisation \"nowhere\"" "an unknown organisation is named"
run $GA holiday list --org ville --year 2026
like "$out" "^day +weekday +org +name$" "holiday list has a header"
like "$out" "^2026-09-08 +Tue +ville +Fête de la ville$" "…the organisation's own"
like "$out" "^2026-11-11 +Wed +\\* +Armistice$" "…and everyone's"
is "$($GA holiday list --org agglo --year 2026 --format csv | tr -d '\r' | cut -d, -f1 |
    tr '\n' ' ')" "day 2026-05-01 2026-07-14 2026-11-11 " \
    "another organisation does not get ville's"
ok "a policy in business hours" $GA sla add bureau --first-response 4h \
    --business-hours 09:00-17:00 --workdays 1-5 --timezone UTC
is "$(q "SELECT guichet.sla_due((SELECT id FROM guichet.sla_policy WHERE name = 'bureau'),
    '2026-11-10 16:00+00', '4 hours', 1)")" \
    "2026-11-12 12:00:00+00" "the holiday counts: 4 hours from Tuesday 16:00 end on Thursday"
run $GA holiday remove 2026-12-24
is "$rc/$out" "65/guichet-admin: 2026-12-24 is not a holiday of every organisation (--org?)" \
    "removing names which holiday is meant"
ok "holiday remove --org" $GA holiday remove 2026-12-24 --org ville
is "$(q "SELECT count(*) FROM guichet.holiday WHERE day = '2026-12-24'")" 0 "…removed"

# --- queue set: addresses, display name, claim timeout
ok "queue set" $GA queue set voirie --name "Voirie et espaces publics" --claim-timeout 45min \
    --address Espaces@Ville.example
is "$(q "SELECT q.name, q.claim_timeout, (SELECT string_agg(address, ' ' ORDER BY address)
    FROM guichet.queue_address a WHERE a.queue_id = q.id) FROM guichet.queue q
    WHERE q.code = 'voirie'")" \
    "Voirie et espaces publics|00:45:00|espaces@ville.example voirie@ville.example" \
    "…display name, timeout and a lower-cased address"
run $GA queue set voirie --claim-timeout 0min
is "$rc" 65 "a zero claim timeout exits EX_DATAERR"
run $GA queue set voirie --claim-timeout banana
is "$rc" 65 "a timeout the server cannot read exits EX_DATAERR"
run $GA queue set voirie --address not-an-address
is "$rc/$out" "65/guichet-admin: invalid mail address \"not-an-address\"" "a bad address is named"
run $GA queue set voirie --address support@agglo.example
is "$rc/$out" "65/guichet-admin: support@agglo.example already routes to another queue" \
    "an address of another queue is refused"
run $GA queue set voirie --remove-address nobody@ville.example
is "$rc" 65 "removing an address the queue does not have exits EX_DATAERR"
run $GA queue set voirie --name ""
is "$rc" 65 "an empty display name exits EX_DATAERR"
done_testing
