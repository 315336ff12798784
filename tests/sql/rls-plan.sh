#!/bin/sh
# tests/sql/rls-plan.sh — row-level security does not cost the lists their
# index: with 100,000 tickets in voirie (40,000 open), a keyset page of 50 read by alice
# (RLS on) is an index scan on ticket_queue_list, in index order (no Sort),
# with visible_queues() evaluated once (an InitPlan), and so is the console's
# page (guichet.ticket_index_page) at depth. Timings are diag lines.
# Also: every change NOTIFYs guichet with the ticket id.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
pg_fixture

t0=$(date +%s.%N)
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'EOF' || bail_out "cannot load the tickets"
-- This test is about plans: the triggers (history, SLA, FK checks) are off
-- for the load, so that it takes seconds.
SET session_replication_role = replica;
INSERT INTO guichet.ticket (queue_id, organisation_id, subject, status, priority, created_at,
    updated_at, first_response_due, resolution_due)
SELECT CASE WHEN g % 6 = 0 THEN 3 ELSE 1 END, 1, 'ticket ' || g,
    (ARRAY['new', 'open', 'open', 'pending', 'resolved', 'closed'])[1 + g % 6], 1 + g % 5,
    now() - g * interval '1 minute', now() - g * interval '1 minute' + (g % 97) * interval '1 second',
    now(), now()
FROM generate_series(1, 120000) g;
RESET session_replication_role;
VACUUM ANALYZE guichet.ticket;
EOF
t1=$(date +%s.%N)
diag "loaded 120,000 tickets (triggers off) in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s"

page="SELECT id, subject, status, priority, updated_at FROM guichet.ticket
    WHERE queue_id = 1 AND status = 'open' ORDER BY updated_at DESC, id DESC LIMIT 50"

# explain LOGIN SQL: EXPLAIN ANALYZE as LOGIN, after running SQL twice in the
# same session (warm cache, PL/pgSQL helpers compiled, as in a console that
# keeps its connection).
explain()
{
	# The plan starts at its first node; the rows before it are the data.
	printf '%s;\n' "$2" "$2" "EXPLAIN (ANALYZE, COSTS OFF) $2" | psql_as "$1" |
	    sed -n '/^Limit\|^Sort\|^Index\|^Result\|^Nested/,$p'
}
# ms PLAN: the execution time it reports.
ms()
{
	printf '%s\n' "$1" | sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p'
}

plan=$(explain alice "$page")
like "$plan" "Index Scan using ticket_queue_list on ticket" \
    "alice's first page is an index scan on ticket_queue_list" || diag "$plan"
like "$plan" "Index Cond: \(\(queue_id = ANY \(\\\$0\)\) AND \(queue_id = 1\) AND \(status = 'open'::text\)\)" \
    "the RLS condition is an index condition on the InitPlan's array" || diag "$plan"
like "$plan" "InitPlan 1 \(returns \\\$0\)" "visible_queues() is evaluated once (InitPlan)"
unlike "$plan" "Sort" "no sort: the index order is the list order"
like "$plan" "rows=50 loops=1" "50 rows"
first=$(ms "$plan")
diag "alice, first page of 50 among 100,000 voirie tickets under RLS: $first ms"

last=$(psql_as alice -c "SELECT updated_at, id FROM ($page OFFSET 30000) x LIMIT 1" 2>/dev/null |
    head -1)
at=${last%|*}
id=${last#*|}
deep="SELECT id, subject, status, priority, updated_at FROM guichet.ticket
    WHERE queue_id = 1 AND status = 'open' AND (updated_at, id) < ('$at', $id)
    ORDER BY updated_at DESC, id DESC LIMIT 50"
plan=$(explain alice "$deep")
like "$plan" "Index Scan using ticket_queue_list on ticket" "a deep keyset page is an index scan too"
unlike "$plan" "Sort" "and needs no sort"
diag "alice, keyset page of 50 after 30,000 rows: $(ms "$plan") ms"

# The console's page, guichet.ticket_index_page, at the same depth: the
# statement it runs (EXECUTE, planned with the arguments' values) is an index
# scan of the sort's index with the keyset as its index condition, and no
# sort below the page's LIMIT. auto_explain hands the nested plan back.
page_plan()
{
	psql -X -q -v ON_ERROR_STOP=1 2>&1 <<SQL
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_timing = off;
SET auto_explain.log_level = notice;
SET client_min_messages = notice;
SET SESSION AUTHORIZATION alice;
SELECT count(*) FROM guichet.ticket_index_page('$1', false, '{new,open}', 2, '$2', $3, 50,
    ROW(1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL, NULL, NULL, NULL)::guichet.search_terms);
SQL
}
plan=$(page_plan updated "$at" "$id")
like "$plan" "Index Scan using ticket_queue_list on ticket" \
    "ticket_index_page, 30,000 rows deep: an index scan on ticket_queue_list" || diag "$plan"
like "$plan" "Index Cond: .*ROW\(updated_at, id\) < ROW\(" "the keyset is its index condition"
like "$plan" "Index Scan using ticket_queue_list on ticket t +\(.*actual rows=50 loops=1\)" \
    "it reads the page's 50 rows, no more"
unlike "$plan" "Sort Key: t\.updated_at" "no sort below the page's LIMIT"
last=$(psql_as alice -c "SELECT priority, id FROM guichet.ticket WHERE queue_id = 1 AND status = 'open'
    ORDER BY priority DESC, id DESC OFFSET 30000 LIMIT 1")
plan=$(page_plan priority "${last%|*}" "${last#*|}")
like "$plan" "Index Scan using ticket_queue_priority on ticket" \
    "by priority, 30,000 rows deep: an index scan on ticket_queue_priority" || diag "$plan"
like "$plan" "Index Cond: .*ROW\(priority, id\) < ROW\(" "the keyset is its index condition"

plan=$(explain sam "$page")
like "$plan" "Index Scan using ticket_queue_list on ticket" "sam (supervisor): index scan as well"
diag "sam, first page: $(ms "$plan") ms"
plan=$(explain ada "$page")
like "$plan" "Index Scan using ticket_queue_list on ticket" "ada (admin): index scan as well"
diag "ada, first page: $(ms "$plan") ms"

plan=$(explain alice "SELECT id FROM guichet.ticket WHERE queue_id = 3 AND status = 'open'
    ORDER BY updated_at DESC, id DESC LIMIT 50")
like "$plan" "rows=0 loops=1" "alice reads nothing from etat-civil"
diag "alice, a page of etat-civil (none visible): $(ms "$plan") ms"

plan=$(explain alice "SELECT a.id FROM guichet.article a WHERE a.ticket_id = 2
    ORDER BY a.created_at, a.id")
like "$plan" "Index .*Scan using article_ticket on article" "a ticket's thread: index scan under RLS"
diag "alice, a ticket's articles: $(ms "$plan") ms"

ok "a first page under RLS takes less than 5 ms (got $first)" \
    awk -v t="$first" 'BEGIN { exit !(t < 5) }'

# NOTIFY: a session put on its queues' channels by guichet.listen() receives
# the id of each ticket changed (its own changes too).
out=$(printf '%s\n' "SELECT guichet.listen();" "SELECT guichet.add_note(2, 'x');" \
    "SELECT guichet.set_priority(6, 1);" | psql_as alice 2>&1)
like "$out" 'Asynchronous notification "guichet_[0-9a-f]{32}" with payload "2" received' \
    "a note notifies the ticket id" || diag "$out"
like "$out" 'Asynchronous notification "guichet_[0-9a-f]{32}" with payload "6" received' \
    "a priority change notifies the ticket id"

done_testing
