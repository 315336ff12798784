#!/bin/bash
# tests/bench/bench-api.sh — the ticket API under load: claims per second with
# 1, 8 and 32 agents on one queue (and the proof that no ticket was claimed
# twice), notes and replies per second. Each agent is its own login, as at a
# real desk. Floor: the same rows written by the bare SQL statement (the
# SKIP LOCKED claim, the INSERT of an article) as the superuser with triggers
# off — what the database alone costs, without guichet's rights checks,
# history chain and NOTIFY.
set -u
. "$BENCH_DIR/lib.sh"

claims=${BENCH_CLAIMS:-2000}	# claims per measurement
writes=${BENCH_WRITES:-1000}	# notes or replies per measurement
agents=32
client=$BENCH_WORK/bench-client

cc -std=c11 -O2 -Wall -Wextra $(pkg-config --cflags libpq) -o "$client" \
    "$BENCH_DIR/bench-client.c" $(pkg-config --libs libpq) -pthread ||
    bench_die "cannot compile bench-client.c"

for fn in next_ticket add_note reply; do
	if [ "$(bench_psql -c "SELECT count(*) FROM pg_proc WHERE proname = '$fn'
	    AND pronamespace = 'guichet'::regnamespace")" = 0 ]; then
		bench_skip "api.$fn" "guichet.$fn" "guichet.$fn() is not installed yet"
	fi
done
[ "$(bench_psql -c "SELECT count(*) FROM pg_proc WHERE proname = 'next_ticket'
    AND pronamespace = 'guichet'::regnamespace")" = 1 ] || exit 0

# --- setup: a queue of our own, 32 agent logins, a requester ----------------

logins=$(seq -f 'bench%02g' 1 $agents | paste -sd,)
bench_psql -v logins="$logins" <<'EOF' || bench_die "api setup failed"
SELECT format('CREATE ROLE %I LOGIN', l) FROM unnest(string_to_array(:'logins', ',')) l
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = l) \gexec
SELECT format('GRANT guichet_agent TO %I', l)
FROM unnest(string_to_array(:'logins', ',')) l \gexec
WITH org AS (SELECT organisation_id AS id FROM guichet.queue ORDER BY id LIMIT 1)
INSERT INTO guichet.queue (organisation_id, code, name, level)
SELECT id, 'bench-claims', 'Bench: claims', 1 FROM org
ON CONFLICT (code) DO NOTHING;
INSERT INTO guichet.agent (login, display_name, email, organisation_id, level)
SELECT l, 'Bench agent ' || l, l || '@bench.example',
    (SELECT organisation_id FROM guichet.queue WHERE code = 'bench-claims'), 1
FROM unnest(string_to_array(:'logins', ',')) l
ON CONFLICT (login) DO NOTHING;
INSERT INTO guichet.queue_member (agent_id, queue_id, may_write)
SELECT a.id, q.id, true FROM guichet.agent a, guichet.queue q
WHERE a.login LIKE 'bench__' AND q.code = 'bench-claims'
ON CONFLICT DO NOTHING;
INSERT INTO guichet.contact (email, name, organisation_id)
SELECT 'citizen@bench.example', 'Bench Citizen', organisation_id FROM guichet.queue
WHERE code = 'bench-claims'
ON CONFLICT DO NOTHING;
EOF
queue=$(bench_psql -c "SELECT id FROM guichet.queue WHERE code = 'bench-claims'")
org=$(bench_psql -c "SELECT organisation_id FROM guichet.queue WHERE id = $queue")
agent1=$(bench_psql -c "SELECT id FROM guichet.agent WHERE login = 'bench01'")
requester=$(bench_psql -c "SELECT id FROM guichet.contact WHERE lower(email) = 'citizen@bench.example'
    AND organisation_id = $org")

# N claimable tickets in the bench queue, created as a desk would (history
# and all), outside the measured time.
fill_queue() {
	bench_psql -v n="$1" -v q="$queue" -v org="$org" -v req="$requester" <<'EOF'
INSERT INTO guichet.ticket (queue_id, organisation_id, subject, priority, requester_id,
    created_at, updated_at)
SELECT :q, :org, 'Bench: demande n° ' || g, 1 + g % 5, :req,
    now() - interval '1 hour' + g * interval '1 ms', now()
FROM generate_series(1, :n) g;
EOF
}

ours_info=$(bench_conninfo x | sed 's/ user=x//')
floor_info="$ours_info options='-c session_replication_role=replica'"
# The raw claim: the most urgent unclaimed ticket, SKIP LOCKED, in one statement.
floor_claim="UPDATE guichet.ticket t SET owner_id = \$2::int, claimed_at = now(),
    updated_at = now(), status = CASE status WHEN 'new' THEN 'open' ELSE status END
WHERE t.id = (SELECT id FROM guichet.ticket WHERE queue_id = \$1::int
    AND owner_id IS NULL AND status IN ('new', 'open')
    ORDER BY priority DESC, created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING t.id"

# One measurement: fill, claim $claims tickets with C clients, print claims/s.
claim_once() {
	local c=$1 kind=$2 out ids
	ids=$BENCH_WORK/claims-$kind-$c.$RANDOM
	fill_queue $((claims + 2 * c)) >/dev/null || return 1
	if [ "$kind" = ours ]; then
		out=$("$client" -d "$ours_info" -c "$c" -n "$claims" -u "$logins" \
		    -s 'SELECT guichet.next_ticket($1::int)' -p "$queue" -o "$ids") || return 1
	elif [ "$kind" = notify ]; then
		out=$("$client" -d "$floor_info" -c "$c" -n "$claims" -u postgres \
		    -s "WITH c AS ($floor_claim) SELECT id, pg_notify('guichet', id::text) FROM c" \
		    -p "$queue" -p "$agent1" -o "$ids") || return 1
	else
		out=$("$client" -d "$floor_info" -c "$c" -n "$claims" -u postgres \
		    -s "$floor_claim" -p "$queue" -p "$agent1" -o "$ids") || return 1
	fi
	cat "$ids" >>"$BENCH_WORK/claims-all"
	set -- $out
	[ "$1" -ge "$claims" ] || { bench_log "only $1 of $claims claims"; return 1; }
	echo "$3"
}

: >"$BENCH_WORK/claims-all"
for c in 1 8 32; do
	bench_want "api.claim.$c" || continue
	ours=$(bench_repeat claim_once "$c" ours) || { bench_skip "api.claim.$c" \
	    "next_ticket" "the run failed: see the messages above"; continue; }
	floor=$(bench_repeat claim_once "$c" floor) || floor=
	target=
	[ "$c" = 32 ] && target='>=1000'
	bench_record "api.claim.$c" claims/s \
	    "guichet.next_ticket(queue), $c agents, $claims claims a run" \
	    "$ours" "$floor" "$target"
	# What NOTIFY alone costs: the bare claim and one pg_notify, as every
	# change of the API sends. Its commit takes a database-wide lock.
	if [ -n "$floor" ] && bench_want "api.claim.$c.notify"; then
		notify=$(bench_repeat claim_once "$c" notify) &&
		    bench_record "api.claim.$c.notify" claims/s \
		    "the floor's bare claim plus pg_notify(), $c clients" "$notify" "$floor"
	fi
done
if [ -s "$BENCH_WORK/claims-all" ]; then
	total=$(wc -l <"$BENCH_WORK/claims-all")
	doubles=$(sort "$BENCH_WORK/claims-all" | uniq -d | wc -l)
	owned=$(bench_psql -c "SELECT count(*) FROM guichet.ticket
	    WHERE queue_id = $queue AND owner_id IS NOT NULL")
	bench_record api.claim.double claims "tickets returned twice by the claims above" \
	    "$doubles" "" "<=0" "$total claims returned, $owned tickets owned in the queue"
fi

# --- notes and replies ---------------------------------------------------------

# The tickets written to: one per client, consecutive ids, claimed by bench01.
fill_queue $agents >/dev/null
first=$(bench_psql -c "SELECT min(id) FROM (SELECT id FROM guichet.ticket
    WHERE queue_id = $queue ORDER BY id DESC LIMIT $agents) t")
bench_psql -c "UPDATE guichet.ticket SET owner_id = $agent1, claimed_at = now(), status = 'open'
    WHERE id BETWEEN $first AND $first + $agents - 1" >/dev/null
body='Bonjour,

Nous avons bien reçu votre demande concernant le **dépôt sauvage** rue des Lilas.
Une équipe de la propreté urbaine passera *dans la semaine*.

- enlèvement des encombrants
- constat pour la police municipale

Cordialement,
Le guichet'

floor_note="INSERT INTO guichet.article (ticket_id, kind, author_agent_id, body)
VALUES (\$1::bigint + \$2::int, 'note', $agent1, \$3) RETURNING id"
floor_reply="WITH a AS (INSERT INTO guichet.article (ticket_id, kind, author_agent_id, body,
    mail_to, message_id)
  VALUES (\$1::bigint + \$2::int, 'mail_out', $agent1, \$3, 'citizen@bench.example',
    gen_random_uuid() || '@bench.example') RETURNING id, ticket_id, message_id)
, o AS (INSERT INTO guichet.outbox (ticket_id, article_id, mail_from, mail_to, subject, body, message_id)
SELECT ticket_id, id, 'guichet@bench.example', 'citizen@bench.example', 'Re: bench', \$3,
    message_id FROM a RETURNING article_id), u AS (UPDATE guichet.ticket
    SET first_response_at = coalesce(first_response_at, now()) WHERE id = \$1::bigint + \$2::int)
SELECT article_id FROM o"

write_once() {
	local what=$1 c=$2 kind=$3 out
	if [ "$kind" = ours ]; then
		local login=bench01
		out=$("$client" -d "$ours_info" -c "$c" -n "$writes" -u "$login" \
		    -s "SELECT guichet.$what(\$1::bigint + \$2::int, \$3)" \
		    -p "$first" -p '{i}' -p "$body") || return 1
	else
		local sql=$floor_note
		[ "$what" = reply ] && sql=$floor_reply
		out=$("$client" -d "$floor_info" -c "$c" -n "$writes" -u postgres \
		    -s "$sql" -p "$first" -p '{i}' -p "$body") || return 1
	fi
	set -- $out
	echo "$3"
}

for what in add_note reply; do
	name=api.note
	[ $what = reply ] && name=api.reply
	for c in 1 8; do
		n=$name
		[ $c = 1 ] || n=$name.$c
		bench_want "$n" || continue
		ours=$(bench_repeat write_once $what $c ours) || { bench_skip "$n" \
		    "guichet.$what" "the run failed: see the messages above"; continue; }
		floor=$(bench_repeat write_once $what $c floor) || floor=
		bench_record "$n" "$what/s" \
		    "guichet.$what(), $c connection(s) as one agent, one commit each" \
		    "$ours" "$floor"
	done
done
