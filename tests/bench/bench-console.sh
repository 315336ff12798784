#!/bin/bash
# tests/bench/bench-console.sh — the agents' console, driven in a real tmux
# (80×24) as an agent of the largest queue: start to the first drawn
# overview, open that queue, show all its statuses (the whole queue), go to
# its end, open a ticket of 50 articles, a search, and claim with a keypress
# until the console says so; then its resident memory.
#
# A step's time runs from the keypress (or exec) to the moment the screen
# shows what the step asked for, polled with capture-pane every few ms (so
# figures are ±5 ms). The console's own timing log (guichet -T) gives the
# time of each query it sent during the step: that is the floor, the
# database's share. Page queries are also reported alone, beside the bare
# keyset query timed by pgbench at the deep end of the queue.
set -u
. "$BENCH_DIR/lib.sh"

steps="start open all end ticket search claim"
diag=$BENCH_WORK/diag
mkdir -p "$diag"
sock=guichet-bench-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }

if ! command -v guichet >/dev/null || ! command -v tmux >/dev/null; then
	for s in $steps rss; do
		bench_want "console.$s" && bench_skip "console.$s" "guichet in tmux" \
		    "guichet or tmux is missing"
	done
	exit 0
fi

# --- setup ---------------------------------------------------------------------

# The largest queue, and a level-1 agent (not a supervisor) who works in it.
set -- $(bench_psql -F ' ' -c "SELECT q.id, q.code, count(*) FROM guichet.ticket t
    JOIN guichet.queue q ON q.id = t.queue_id WHERE q.active
    GROUP BY q.id, q.code ORDER BY count(*) DESC, q.id LIMIT 1")
queue=$1 code=$2 qsize=$3
login=$(bench_psql -c "SELECT a.login FROM guichet.agent a
    JOIN guichet.queue_member m ON m.agent_id = a.id
    WHERE m.queue_id = $queue AND m.may_write AND a.active
    AND NOT pg_has_role(a.login::text, 'guichet_supervisor', 'member')
    ORDER BY a.login LIMIT 1")
[ -n "$login" ] || { bench_skip console "console" "no agent works in queue $code"; exit 0; }
agent=$(bench_psql -c "SELECT id FROM guichet.agent WHERE login = '$login'")
conninfo=$(bench_conninfo "$login")
# The overview clips codes to 14 columns with an ellipsis.
shown=$code
[ ${#code} -le 14 ] || shown="${code:0:13}…"

# Where the queue sits in her overview: "my tickets", then per organisation
# a heading and its queues (the order of view-queue.c); the cursor starts on
# the first queue, row 2.
row=$(bench_psql -c "WITH v AS (SELECT o.name AS org, q.level, q.code, q.id
    FROM guichet.queue q JOIN guichet.organisation o ON o.id = q.organisation_id
    WHERE q.active AND EXISTS (SELECT 1 FROM guichet.queue_member m
    WHERE m.queue_id = q.id AND m.agent_id = $agent)),
    r AS (SELECT id, row_number() OVER (ORDER BY org, level, code) AS rn,
    dense_rank() OVER (ORDER BY org) AS orgs FROM v)
    SELECT rn + orgs FROM r WHERE id = $queue")

# A ticket of exactly 50 articles (the demo has ~2.5 a ticket): the oldest of
# the queue, filled up with Markdown notes and mails marked fil-bench-N.
thread=$(bench_psql -c "SELECT id FROM guichet.ticket WHERE queue_id = $queue
    ORDER BY created_at, id LIMIT 1")
bench_psql -v t="$thread" -v a="$agent" <<'EOF' >/dev/null || bench_die "console setup failed"
INSERT INTO guichet.article (ticket_id, kind, author_agent_id, body, created_at)
SELECT :t, CASE WHEN g % 3 = 0 THEN 'note' ELSE 'mail_in' END,
    CASE WHEN g % 3 = 0 THEN :a END,
    format(E'**fil-bench-%s** — suite du dossier\n\nBonjour,\n\nVoici *les précisions*'
    ' demandées :\n\n- passage prévu le %s\n- référence `DS-%s`\n\n> Merci de votre'
    ' patience.\n\n%s', g, to_char(now() + g * interval '1 day', 'DD/MM'), g,
    repeat('Le dépôt est toujours là, au coin de la rue des Lilas. ', 8)),
    now() - interval '60 days' + g * interval '1 hour'
FROM generate_series(1, greatest(0, 50 - (SELECT count(*) FROM guichet.article
    WHERE ticket_id = :t))) g;
EOF
# The last row of the whole queue (all statuses, last change first).
all='{new,open,pending,resolved,closed}'
last=$(bench_psql -c "SELECT id FROM guichet.ticket WHERE queue_id = $queue
    AND status = ANY ('$all') ORDER BY array_position('$all'::text[], status) DESC,
    updated_at, id LIMIT 1")

search_text=${BENCH_SEARCH:-'passeport status:open'}

# --- the tmux driver ---------------------------------------------------------------

screen() { tm capture-pane -p -t bench 2>/dev/null; }

# wait_for REGEX…: until every extended regex matches the screen (10 s).
wait_for() {
	local deadline=$(( $(bench_now_us) + 10000000 )) s re ok
	while :; do
		s=$(screen)
		ok=1
		for re in "$@"; do
			grep -Eq -- "$re" <<<"$s" || { ok=0; break; }
		done
		[ $ok = 1 ] && return 0
		if [ "$(bench_now_us)" -gt "$deadline" ]; then
			printf '%s\n' "$s" >"$diag/console-timeout.screen"
			bench_log "console: timed out waiting for: $* (screen in $BENCH_CACHE_DIR/last-run)"
			return 1
		fi
		sleep 0.004
	done
}

# The time of the queries logged since line $1 of the timing file (its
# screen: and startup lines are the console's own drawing times).
db_ms() {
	awk -v from="$1" 'NR > from && $1 == "timing" && $2 !~ /^(screen:|startup)/ { s += $3 }
	    END { printf "%.3f\n", s }' "$timing"
}
lines() { wc -l <"$timing"; }
# The console's own measure of the step: its last screen: or startup line.
screen_ms() {
	awk -v from="$1" 'NR > from && $1 == "timing" && $2 ~ /^(screen:|startup)/ { s = $3 }
	    END { print s == "" ? "-" : s }' "$timing"
}

# step NAME KEYS REGEX…: press KEYS, wait for the screen, note wall and DB time.
step() {
	local name=$1 keys=$2 from t0 t1
	shift 2
	from=$(lines)
	t0=$(bench_now_us)
	[ -n "$keys" ] && tm send-keys -t bench $keys
	wait_for "$@" || return 1
	t1=$(bench_now_us)
	sleep 0.05 # let late queries of the step land in the log
	printf '%s %s %s %s\n' "$name" "$(bench_ms "$t0" "$t1")" "$(db_ms "$from")" \
	    "$(screen_ms "$from")" >>"$result"
}

row_re() { printf '^[ *] *%s [1-5] ' "$1"; }
title_re() { printf '%s — (more than )?[0-9]+\+? tickets' "$1"; }

# One session: prints nothing, appends "step wall_ms db_ms screen_ms" lines to $result.
session() {
	local fresh i from t0 t1
	result=$1
	timing=$BENCH_WORK/console.timing
	: >"$timing" >"$result"
	# A new unclaimed ticket: the first line of her queue, to claim.
	fresh=$(bench_psql_as "$login" -c "SELECT guichet.create_ticket($queue,
	    'Bench: à prendre', 'Bonjour, merci de me rappeler.')") || return 1
	tm kill-server 2>/dev/null
	tm new-session -d -s idle -x 80 -y 24 || return 1
	from=0
	t0=$(bench_now_us)
	tm new-session -d -s bench -x 80 -y 24 \
	    "exec guichet -d '$conninfo' --timing='$timing' 2>>'$diag/console.stderr'" || return 1
	wait_for "^  $shown( .*)? L[12] +[0-9]+" || return 1
	t1=$(bench_now_us)
	sleep 0.05
	printf 'start %s %s %s\n' "$(bench_ms "$t0" "$t1")" "$(db_ms 0)" "$(screen_ms 0)" \
	    >>"$result"

	for ((i = 2; i < row; i++)); do
		tm send-keys -t bench j
	done
	sleep 0.2
	step open Enter "$(title_re "$code")" "$(row_re '[0-9]+')" || return 1
	step all z "$(title_re "$code") \\(all statuses\\)" "$(row_re '[0-9]+')" || return 1
	step end G "$(row_re "$last")" || return 1
	tm send-keys -t bench '#'
	wait_for 'open ticket #' || return 1
	tm send-keys -t bench -l "$thread"
	step ticket Enter "ticket #$thread — " '^── ' || return 1
	tm send-keys -t bench q
	wait_for "$(title_re "$code")" || return 1
	tm send-keys -t bench /
	wait_for 'search:' || return 1
	tm send-keys -t bench -l "$search_text"
	step search Enter '-- search: ' "($(row_re '[0-9]+')|no tickets)" || return 1
	tm send-keys -t bench q
	wait_for "$(title_re "$code") \\(all statuses\\)" || return 1
	tm send-keys -t bench g
	wait_for "$(row_re "$fresh")" || return 1
	step claim c "#$fresh: claimed" || return 1

	local pid
	pid=$(tm display-message -p -t bench '#{pane_pid}')
	awk '/^VmHWM:/ { printf "rss %.1f 0\n", $2 / 1024 }' "/proc/$pid/status" >>"$result"
	grep -h '^timing index:\(page\|next\|prev\|last\)' "$timing" |
	    awk '{ printf "page %s 0\n", $3 }' >>"$result"
	cp "$timing" "$diag/console.timing"
	screen >"$diag/console-last.screen"
	tm kill-server 2>/dev/null
	return 0
}
trap 'tm kill-server 2>/dev/null' EXIT

# --- runs ------------------------------------------------------------------------

for ((r = 0; r <= BENCH_RUNS; r++)); do
	if ! session "$BENCH_WORK/console-run-$r"; then
		bench_log "console: run $r failed; see $BENCH_CACHE_DIR/last-run"
		break
	fi
done

pick() { # pick STEP COLUMN: that column of every measured run
	local r out=
	for ((r = 1; r <= BENCH_RUNS; r++)); do
		[ -f "$BENCH_WORK/console-run-$r" ] || continue
		out="$out $(awk -v s="$1" -v c="$2" '$1 == s { print $c }' "$BENCH_WORK/console-run-$r")"
	done
	echo $out
}

declare -A what=(
	[start]="exec guichet until the overview shows queue $code"
	[open]="Enter on $code until its first page and count are drawn"
	[all]="show all statuses of $code ($qsize tickets) until drawn"
	[end]="G: from the top to the last of $qsize tickets, drawn"
	[ticket]="open ticket #$thread (50 articles, Markdown) until drawn"
	[search]="search $search_text until results and count are drawn"
	[claim]="c on a new ticket until \"#N: claimed\" is shown"
)
for s in $steps; do
	bench_want "console.$s" || continue
	wall=$(pick "$s" 2)
	if [ -z "$wall" ]; then
		bench_skip "console.$s" "${what[$s]}" "the tmux session failed (see $BENCH_CACHE_DIR/last-run)"
		continue
	fi
	inproc=$(bench_median $(pick "$s" 4 | tr -d -))
	bench_record "console.$s" ms "${what[$s]}" "$wall" "$(pick "$s" 3)" '<100' \
	    "floor: its queries' times (guichet -T); the console's own measure: ${inproc:-none} ms"
done
if bench_want console.rss && [ -n "$(pick rss 2)" ]; then
	bench_record console.rss MB "peak resident memory of the console after the steps" \
	    "$(pick rss 2)" "" '<30'
fi

# Page queries: what the console logged, and the bare keyset query at the
# deep end of the queue (the anchor is the 50th row from its end).
if bench_want console.page && [ -n "$(pick page 2)" ]; then
	set -- $(bench_psql -F ' ' -c "SELECT status, updated_at, id FROM guichet.ticket
	    WHERE queue_id = $queue AND status = 'closed' ORDER BY updated_at, id
	    OFFSET 50 LIMIT 1")
	floor=
	if [ $# -ge 4 ]; then
		cat >"$BENCH_WORK/keyset.sql" <<EOF
SELECT t.id, t.priority, t.status, t.subject, t.owner_id, t.requester_id
FROM guichet.ticket t WHERE t.queue_id = $queue AND t.status = '$1'
AND (t.updated_at, t.id) < ('$2 $3'::timestamptz, $4)
ORDER BY t.updated_at DESC, t.id DESC LIMIT 100;
EOF
		for ((r = 0; r < BENCH_RUNS; r++)); do
			floor="$floor $(pgbench -n -M prepared -t 500 -f "$BENCH_WORK/keyset.sql" 2>&1 |
			    awk '/latency average/ { print $4 }')"
		done
	fi
	bench_record console.page.db ms "one page query of the index as the console logged it" \
	    "$(pick page 2)" "$floor" '<5' "floor: the bare keyset query (100 rows) by pgbench"
fi
