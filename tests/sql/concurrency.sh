#!/bin/sh
# tests/sql/concurrency.sh — 1,000 tickets in one queue, 16 psql processes as
# 16 different agents calling next_ticket at once (each call its own
# transaction) until it returns NULL: every ticket is claimed exactly once,
# nobody waits on a lock (SKIP LOCKED), history stays chained. Then 8
# processes as one agent. The rates are printed as diag lines: over the claim
# window (first to last claim, from claimed_at) and wall clock (with the 16
# connections and the calls that found nothing).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

tickets=1000
procs=16
# Each process makes 4 × tickets / processes calls (16 × 250 = 4,000 calls for
# 1,000 tickets), so that the queue is drained even if some processes start
# late on a busy machine. What is checked is correctness (each ticket claimed
# once, by the session that got it), never how the scheduler shared the work.

pg_start
pg_install
pg_fixture

work=$PGDIR/concurrency
mkdir -p "$work"

# now: seconds since the epoch with nanoseconds (GNU date).
now()
{
	date +%s.%N
}

# setup QUEUE_CODE: a queue with $tickets new tickets, members c01…c16.
setup()
{
	psql -X -q -v ON_ERROR_STOP=1 -v code="$1" -v n="$tickets" >/dev/null <<'EOF'
SET guichet.notify = 'off';
INSERT INTO guichet.queue (organisation_id, code, name) VALUES (1, :'code', :'code');
INSERT INTO guichet.ticket (queue_id, organisation_id, subject, priority, created_at)
SELECT (SELECT id FROM guichet.queue WHERE code = :'code'), 1, 'bulk ' || g, 1 + g % 5,
    now() - g * interval '1 second'
FROM generate_series(1, :n) g;
INSERT INTO guichet.queue_member (agent_id, queue_id)
SELECT a.id, q.id FROM guichet.agent a, guichet.queue q
WHERE a.login LIKE 'c__' AND q.code = :'code';
ANALYZE guichet.ticket;
EOF
}

# login_of PATTERN I: the login of process I (c%02d: c01…c16).
login_of()
{
	case $1 in
	*%*) printf "$1" "$2" ;;
	*) printf '%s' "$1" ;;
	esac
}

# run QUEUE_CODE NPROCS LOGIN: NPROCS psql at once, process i as LOGIN with
# i formatted into it when it holds a printf conversion (c%02d: c01…c16);
# prints the elapsed seconds.
run()
{
	_q=$(psql -X -At -c "SELECT id FROM guichet.queue WHERE code = '$1'")
	calls=$(((4 * tickets + $2 - 1) / $2))
	_i=0
	while [ "$_i" -lt "$calls" ]; do
		echo "SELECT guichet.next_ticket($_q);"
		_i=$((_i + 1))
	done >"$work/calls-$1.sql"
	rm -f "$work"/out-"$1".*
	_t0=$(now)
	_i=1
	while [ "$_i" -le "$2" ]; do
		_login=$(login_of "$3" "$_i")
		psql_as "$_login" -f "$work/calls-$1.sql" >"$work/out-$1.$_i" 2>"$work/err-$1.$_i" &
		_i=$((_i + 1))
	done
	wait
	_t1=$(now)
	awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.3f\n", b - a }'
}

psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'EOF' || bail_out "cannot create the agents"
DO $$
BEGIN
	FOR i IN 1..16 LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = format('c%s', lpad(i::text, 2, '0'))) THEN
			EXECUTE format('CREATE ROLE %I LOGIN IN ROLE guichet_agent',
			    format('c%s', lpad(i::text, 2, '0')));
		END IF;
	END LOOP;
END
$$;
INSERT INTO guichet.agent (login, display_name, organisation_id)
SELECT format('c%s', lpad(i::text, 2, '0')), format('Agent %s', i), 1 FROM generate_series(1, 16) i;
EOF

# check QUEUE_CODE LABEL: the assertions on one run.
check()
{
	_all=$(cat "$work"/out-"$1".* | sed '/^$/d')
	is "$(printf '%s\n' "$_all" | sed '/^$/d' | wc -l | tr -d ' ')" "$tickets" \
	    "$2: $tickets claims returned in all"
	is "$(printf '%s\n' "$_all" | sort | uniq -d | tr '\n' ' ')" "" \
	    "$2: no ticket was returned twice (the ids returned twice)"
	is "$(cat "$work"/err-"$1".* | wc -c | tr -d ' ')" 0 "$2: no process saw an error" ||
	    diag "$(cat "$work"/err-"$1".* | head -5)"
	no_rows "$2: every ticket of the queue is owned" "SELECT t.id, t.status, t.owner_id
	    FROM guichet.ticket t JOIN guichet.queue q ON q.id = t.queue_id
	    WHERE q.code = '$1' AND t.owner_id IS NULL ORDER BY t.id"
	no_rows "$2: each ticket has exactly one claim in its history" "SELECT t.id,
	    count(h.id) AS claims, string_agg(h.new_value, ' ' ORDER BY h.id) AS owners
	    FROM guichet.ticket t JOIN guichet.queue q ON q.id = t.queue_id
	    LEFT JOIN guichet.history h ON h.ticket_id = t.id AND h.action = 'claim'
	        AND h.field = 'owner_id'
	    WHERE q.code = '$1' GROUP BY t.id HAVING count(h.id) <> 1 ORDER BY t.id"
	# Correctness, not fairness: whichever processes the scheduler ran, each
	# ticket a process got is owned by that process's agent, and the queue
	# is empty at the end (one more call finds nothing).
	_wrong=0
	for _f in "$work"/out-"$1".*; do
		_login=$(login_of "$4" "${_f##*.}")
		_ids=$(sed '/^$/d' "$_f" | paste -sd, -)
		[ -n "$_ids" ] || continue
		_bad=$(psql -X -At -c "SELECT string_agg(t.id || ':' || coalesce(a.login, '-'), ' ')
		    FROM guichet.ticket t LEFT JOIN guichet.agent a ON a.id = t.owner_id
		    WHERE t.id IN ($_ids) AND a.login IS DISTINCT FROM '$_login'")
		if [ -n "$_bad" ]; then
			_wrong=$((_wrong + $(printf '%s\n' "$_bad" | wc -w)))
			diag "session $_login got tickets owned by others (id:owner): $(printf '%s' "$_bad" | cut -c1-300)"
		fi
	done
	is "$_wrong" 0 "$2: each ticket is owned by the agent whose session got it"
	_q=$(psql -X -At -c "SELECT id FROM guichet.queue WHERE code = '$1'")
	is "$(psql_as "$(login_of "$4" 1)" -c "SELECT coalesce(guichet.next_ticket($_q)::text, 'none')")" \
	    none "$2: a further next_ticket finds the queue empty"
	_owners=$(psql -X -At -c "SELECT count(DISTINCT owner_id) FROM guichet.ticket t
	    JOIN guichet.queue q ON q.id = t.queue_id WHERE q.code = '$1'")
	ok "$2: between 1 and $3 agent(s) own the queue's tickets (got $_owners)" \
	    test "$_owners" -ge 1 -a "$_owners" -le "$3"
}

# window QUEUE_CODE: claims per second between the first and the last claim.
window()
{
	psql -X -At -c "SELECT (count(*) / greatest(extract(epoch FROM max(t.claimed_at)
	    - min(t.claimed_at)), 0.001))::int FROM guichet.ticket t
	    JOIN guichet.queue q ON q.id = t.queue_id WHERE q.code = '$1'"
}

setup bulk16
elapsed=$(run bulk16 "$procs" "c%02d")
check bulk16 "16 agents" 16 "c%02d"
wall=$(awk -v n="$tickets" -v t="$elapsed" 'BEGIN { printf "%d\n", n / t }')
rate=$(window bulk16)
diag "16 agents: $rate claims/s over the claim window; wall clock $wall claims/s ($tickets claims, ${elapsed}s)"
setup bulk1
elapsed=$(run bulk1 8 "c01")
check bulk1 "one agent in 8 sessions" 1 c01
wall=$(awk -v n="$tickets" -v t="$elapsed" 'BEGIN { printf "%d\n", n / t }')
diag "one agent, 8 sessions: $(window bulk1) claims/s over the claim window; wall clock $wall claims/s"

# claim_commit (default async): a claim in a transaction of its own commits without
# waiting for the WAL flush (NOTIFY's commit lock would serialise claims on
# it); after other writes in its transaction, the transaction stays durable.
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'EOF'
INSERT INTO guichet.queue (organisation_id, code, name) VALUES (1, 'async1', 'async1');
INSERT INTO guichet.ticket (queue_id, organisation_id, subject)
SELECT (SELECT id FROM guichet.queue WHERE code = 'async1'), 1, 'async ' || g
FROM generate_series(1, 4) g;
INSERT INTO guichet.queue_member (agent_id, queue_id)
SELECT a.id, q.id FROM guichet.agent a, guichet.queue q
WHERE a.login = 'c01' AND q.code = 'async1';
EOF
q=$(psql -X -At -c "SELECT id FROM guichet.queue WHERE code = 'async1'")
t=$(psql -X -At -c "SELECT min(id) FROM guichet.ticket WHERE queue_id = $q")
is "$(psql_as c01 -c 'SET synchronous_commit = on' -c 'BEGIN' \
    -c "SELECT guichet.next_ticket($q) = $t" -c "SELECT current_setting('synchronous_commit')" \
    -c 'COMMIT')" "t
off" "claim_commit async: a claim alone commits without waiting for the flush"
is "$(psql_as c01 -c 'SET synchronous_commit = on' -c 'BEGIN' \
    -c "SELECT guichet.add_note($t, 'x') > 0" -c "SELECT guichet.next_ticket($q) > $t" \
    -c "SELECT current_setting('synchronous_commit')" -c 'COMMIT')" "t
t
on" "claim_commit async: not after other writes in the transaction"
t4=$(psql -X -At -c "SELECT max(id) FROM guichet.ticket WHERE queue_id = $q")
is "$(psql_as c01 -c 'SET synchronous_commit = on' -c 'BEGIN' \
    -c "SELECT guichet.claim($t4)" -c "SELECT current_setting('synchronous_commit')" \
    -c 'COMMIT')" "
off" "claim_commit async: claim() of one ticket alone does not wait either"
psql -X -q -c "INSERT INTO guichet.setting (key, value) VALUES ('claim_commit', 'sync')"
is "$(psql_as c01 -c 'SET synchronous_commit = on' -c 'BEGIN' \
    -c "SELECT guichet.next_ticket($q) > $t" -c "SELECT current_setting('synchronous_commit')" \
    -c 'COMMIT')" "t
on" "claim_commit sync: a claim waits for the flush"
psql -X -q -c "DELETE FROM guichet.setting WHERE key = 'claim_commit'"

is "$(psql -X -At -c "SELECT count(*) FROM guichet.verify_history()")" 0 "every history chain is intact"

done_testing
