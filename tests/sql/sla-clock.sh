#!/bin/sh
# tests/sql/sla-clock.sh — the SLA clock kept in each ticket row (0005's
# ticket_sla_clock: clock_l1, clock_l2, clock_since, clock_fr, clock_res,
# reopened, escalated) equals what history gives: ticket_level_time and the
# ticket_level_segment view (the history-based computation the reports used
# before) as the oracle, and sla_clock_compute/sla_clock_rebuild (0032) too;
# and the reply counts (replies, assisted: article_reply_count) equal what
# the quality report counted from article, after a merge too.
#
# The tickets go through the API, one transaction per step and a second
# between steps (the clock reads now(), so time must really pass): created,
# claimed (open), pending, open, escalated to level 2, answered, resolved,
# reopened, resolved again. Three tickets at once:
#   A  a service whose policy "fenetre" has business hours that open 1.5 s
#      after A was created and last 12 hours (every day a workday): the
#      first 1.5 s never count, whatever the machine's speed, and every
#      later stretch counts whole. Nothing here depends on how long a step
#      takes: a loaded machine only makes the stretches longer;
#   B  no service: the queue's policy "ouvre" (real business hours) until it
#      is escalated to voirie-n2, given policy "fenetre" here, so the
#      escalation changes its policy and the clock is rebuilt from history;
#   C  a service whose policy "continu" has no business hours.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

plan 33

pg_start
pg_install
pg_fixture

su()
{
	psql -X -q -At -v ON_ERROR_STOP=1 "$@"
}

# The policy "fenetre": its hours are set once ticket A exists (below).
su >/dev/null <<'EOF' || bail_out "policy setup failed"
SET search_path = guichet, public;
INSERT INTO sla_policy (name, first_response, resolution, business_hours, timezone,
    day_start, day_end, workdays)
VALUES ('fenetre', '1 hour', '1 day', true, 'UTC', '00:00', '23:59', '{1,2,3,4,5,6,7}');
INSERT INTO service (organisation_id, code, category, name, default_queue_id, sla_policy_id)
VALUES (1, 'fenetre', 'Test', 'Fenêtre', 1, (SELECT id FROM sla_policy WHERE name = 'fenetre'));
UPDATE queue SET sla_policy_id = (SELECT id FROM sla_policy WHERE name = 'fenetre')
WHERE code = 'voirie-n2';
EOF

ids=$(psql_as alice -c "SELECT guichet.create_ticket(1, 'A', 'x', 1, 'phone', NULL,
        (SELECT id FROM guichet.service WHERE code = 'fenetre'))" \
    -c "SELECT guichet.create_ticket(1, 'B', 'x', 1, 'phone')" \
    -c "SELECT guichet.create_ticket(1, 'C', 'x', 1, 'phone', NULL, 2)" | tr '\n' ' ') ||
    bail_out "create_ticket failed"
set -- $ids
a=$1 b=$2 c=$3
[ -n "$c" ] || bail_out "three tickets expected, got: $ids"

# The window: from A's creation + 1.5 s for 12 hours, in a fixed-offset zone
# where it starts between 06:00 and 07:00, so that it never crosses midnight.
# Before any step, so that every stretch the clock counts sees these hours.
su >/dev/null <<EOF || bail_out "window setup failed"
SET search_path = guichet, public;
UPDATE sla_policy p SET timezone = z.tz,
    day_start = ((SELECT created_at FROM ticket WHERE id = $a) AT TIME ZONE z.tz
        + interval '1.5 seconds')::time,
    day_end = ((SELECT created_at FROM ticket WHERE id = $a) AT TIME ZONE z.tz
        + interval '1.5 seconds' + interval '12 hours')::time
FROM (SELECT CASE WHEN o = 0 THEN 'Etc/GMT' WHEN o > 0 THEN 'Etc/GMT-' || o
        ELSE 'Etc/GMT+' || -o END AS tz
    FROM (SELECT CASE WHEN 6 - u >= -12 THEN 6 - u ELSE 30 - u END AS o
        FROM (SELECT extract(hour FROM created_at AT TIME ZONE 'UTC')::int AS u
            FROM ticket WHERE id = $a) h) x) z
WHERE p.name = 'fenetre';
EOF

# step LOGIN SQL: SQL for each ticket (:t), as LOGIN, in one transaction.
step()
{
	sleep 1
	_sql=
	for _t in $a $b $c; do
		_sql="$_sql $(printf '%s' "$2" | sed "s/:t/$_t/g");"
	done
	psql_as "$1" -c "BEGIN; $_sql COMMIT;" >/dev/null
}

# The oracle: ticket_level_time for the levels, and the running stretches of
# ticket_level_segment (each counted with sla_elapsed under the ticket's
# policy now) until the first response and the resolution.
oracle_sql="
SET search_path = guichet, public;
CREATE OR REPLACE FUNCTION pg_temp.oracle(p bigint,
    OUT l1 float8, OUT l2 float8, OUT fr float8, OUT res float8)
LANGUAGE sql AS \$\$
	SELECT extract(epoch FROM lt.level1)::float8, extract(epoch FROM lt.level2)::float8,
	    (SELECT CASE WHEN t.first_response_at IS NOT NULL THEN coalesce(sum(extract(epoch FROM
	        guichet.sla_elapsed(guichet.ticket_policy(t.service_id, t.queue_id), s.since,
	            least(s.until, t.first_response_at), t.organisation_id))), 0) END
	     FROM guichet.ticket_level_segment s
	     WHERE s.ticket_id = t.id AND s.status IN ('new', 'open'))::float8,
	    (SELECT CASE WHEN t.status IN ('resolved', 'closed') THEN coalesce(sum(extract(epoch FROM
	        guichet.sla_elapsed(guichet.ticket_policy(t.service_id, t.queue_id), s.since,
	            least(s.until, t.resolved_at), t.organisation_id))), 0) END
	     FROM guichet.ticket_level_segment s
	     WHERE s.ticket_id = t.id AND s.status IN ('new', 'open'))::float8
	FROM guichet.ticket t, guichet.ticket_level_time(t.id) lt
	WHERE t.id = p
\$\$;"

# check NAME WHAT: the stored clock of ticket $t against the oracle.
near()
{
	# Equal within a millisecond (float8 against interval arithmetic), or both NULL.
	echo "(abs($1 - $2) < 0.001 OR ($1 IS NULL AND $2 IS NULL))"
}
check()
{
	_name=$1 _t=$2 _what=$3
	# The clock now: the finished stretches, and the running one (if any)
	# until now at the ticket's level, as a reader of the row counts it.
	_got=$(su -c "$oracle_sql" -c "SELECT concat_ws(' ',
	        $(near t.l1 o.l1), $(near t.l2 o.l2),
	        $(near t.clock_fr o.fr), $(near t.clock_res o.res),
	        '|', round(t.l1::numeric, 3), round(o.l1::numeric, 3),
	        round(t.l2::numeric, 3), round(o.l2::numeric, 3),
	        round(t.clock_fr::numeric, 3), round(o.fr::numeric, 3),
	        round(t.clock_res::numeric, 3), round(o.res::numeric, 3))
	    FROM (SELECT t.*,
	        t.clock_l1 + CASE WHEN t.level = 1 THEN r.run ELSE 0 END AS l1,
	        t.clock_l2 + CASE WHEN t.level = 2 THEN r.run ELSE 0 END AS l2
	        FROM guichet.ticket t, LATERAL (SELECT coalesce(extract(epoch FROM
	            guichet.sla_elapsed(guichet.ticket_policy(t.service_id, t.queue_id),
	                t.clock_since, now(), t.organisation_id)), 0)::float8 AS run) r) t,
	        pg_temp.oracle(t.id) o WHERE t.id = $_t")
	case $_got in
	"t t t t |"*) pass "$_name: $_what" ;;
	*) fail "$_name: $_what"; diag "l1 l2 fr res equal? stored/oracle: $_got" ;;
	esac
}
# An ok with a condition given as SQL.
sql_ok()
{
	is "$(su -c "SELECT ($2)::text FROM guichet.ticket t WHERE t.id = $1")" true "$3" ||
	    diag "the row checked: $(su -c "SELECT concat_ws(' ', 'status=' || status,
	        'level=' || level, 'created=' || created_at, 'resolved=' || resolved_at,
	        'l1=' || clock_l1, 'l2=' || clock_l2, 'since=' || clock_since,
	        'fr=' || clock_fr, 'res=' || clock_res, 'reopened=' || reopened,
	        'escalated=' || escalated) FROM guichet.ticket WHERE id = $1")"
}

for t in $a $b $c; do
	sql_ok $t "t.clock_since = t.created_at AND t.clock_l1 = 0 AND t.clock_fr IS NULL" \
	    "ticket $t: the clock starts at creation"
done

step alice "SELECT guichet.claim(:t)"
step alice "SELECT guichet.set_status(:t, 'pending')"
for t in $a $b $c; do
	sql_ok $t "t.clock_since IS NULL" "ticket $t: pending stops the clock"
done
step alice "SELECT guichet.set_status(:t, 'open')"
step alice "SELECT guichet.escalate(:t, NULL, 'level 2 please')"
step carol "SELECT guichet.reply(:t, 'answer')"
check A $a "answered at level 2: levels and first response"
check B $b "answered after its policy changed (clock rebuilt from history)"
check C $c "answered, no business hours"
step carol "SELECT guichet.set_status(:t, 'resolved')"
check A $a "resolved"
check B $b "resolved"
check C $c "resolved"
step carol "SELECT guichet.set_status(:t, 'open')"
for t in $a $b $c; do
	sql_ok $t "t.clock_res IS NULL AND t.reopened = 1 AND t.clock_since = (SELECT max(h.at)
	    FROM guichet.history h WHERE h.ticket_id = t.id AND h.field = 'status')" \
	    "ticket $t: reopened: counted, the clock runs again"
done
step carol "SELECT guichet.set_status(:t, 'resolved')"
check A $a "resolved again: the reopening went on from the clock at resolution"
check B $b "resolved again"
check C $c "resolved again"
for t in $a $b $c; do
	sql_ok $t "t.escalated AND t.reopened = 1 AND t.clock_since IS NULL
	    AND t.clock_res = t.clock_l1 + t.clock_l2 AND t.clock_l2 > 0" \
	    "ticket $t: escalated, reopened once, stopped, resolution = level 1 + level 2"
done
# Every second new or open counts for A but the first 1.5 s after its creation,
# which are before its business hours.
stopped_sql="(SELECT extract(epoch FROM sum(s.until - s.since)) FROM guichet.ticket_level_segment s
        WHERE s.ticket_id = t.id AND s.status NOT IN ('new', 'open') AND s.until < now())"
sql_ok $a "abs(t.clock_l1 + t.clock_l2 - (extract(epoch FROM t.resolved_at - t.created_at)
    - $stopped_sql - 1.5)) < 0.001" \
    "ticket $a: business hours left out exactly the 1.5 s before they opened"
sql_ok $c "abs(t.clock_l1 + t.clock_l2 - (extract(epoch FROM t.resolved_at - t.created_at)
    - $stopped_sql)) < 0.001" "ticket $c: without business hours, every second new or open counts"

# The replies kept by article_reply_count: two each (the phone call alice took
# down at creation is a phone article by an agent, then carol's mail), no
# template; for every ticket, what the quality report used to count from
# article.
replies_sql="SELECT count(*) FROM guichet.ticket t LEFT JOIN (SELECT a.ticket_id,
        count(*) AS n, bool_or(a.template_id IS NOT NULL OR a.kb_article_id IS NOT NULL) AS x
    FROM guichet.article a
    WHERE a.kind = 'mail_out' OR (a.kind = 'phone' AND a.author_agent_id IS NOT NULL)
    GROUP BY a.ticket_id) r ON r.ticket_id = t.id
    WHERE (t.replies, t.assisted) IS DISTINCT FROM (coalesce(r.n, 0), coalesce(r.x, false))"
is "$(su -c "SELECT string_agg(replies || ' ' || assisted, ',' ORDER BY id) FROM guichet.ticket
    WHERE id IN ($a, $b, $c)")" "2 false,2 false,2 false" "two replies each, none assisted"
is "$(su -c "$replies_sql")" 0 "every ticket's replies and assisted match its articles"

# The history-based rebuild agrees with what the trigger kept, for these and
# every fixture ticket (within a millisecond: two ways of counting).
is "$(su -c "SELECT count(*) FROM guichet.ticket t
    JOIN guichet.sla_clock_compute(NULL, NULL, NULL) k ON k.id = t.id
    WHERE NOT ($(near t.clock_l1 k.clock_l1) AND $(near t.clock_l2 k.clock_l2)
        AND $(near t.clock_fr k.clock_fr) AND $(near t.clock_res k.clock_res)
        AND t.clock_since IS NOT DISTINCT FROM k.clock_since
        AND t.reopened = k.reopened AND t.escalated = k.escalated)")" 0 \
    "sla_clock_compute rebuilds from history what ticket_sla_clock kept"
su -c "UPDATE guichet.ticket SET clock_l1 = 0, clock_l2 = 0, clock_fr = NULL,
    clock_res = NULL, clock_since = NULL, reopened = 0, escalated = false
    WHERE id IN ($a, $b, $c)" >/dev/null
is "$(su -c "SELECT guichet.sla_clock_rebuild()")" 3 "sla_clock_rebuild rewrites the three cleared tickets"
check A $a "rebuilt"
check B $b "rebuilt"
check C $c "rebuilt"
is "$(su -c "SELECT guichet.sla_clock_rebuild()")" 0 "a second rebuild changes nothing"

# A merge moves the replies: C's two now count for B.
psql_as carol -c "SELECT guichet.merge($c, $b)" >/dev/null
is "$(su -c "SELECT string_agg(replies::text, ',' ORDER BY id) FROM guichet.ticket
    WHERE id IN ($b, $c)")" "4,0" "a merge moves the reply count"
is "$(su -c "$replies_sql")" 0 "and every ticket's replies still match its articles"
