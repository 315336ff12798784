#!/bin/bash
# tests/bench/bench-report.sh — every report over the last 12 months, run as
# the demo's administrator (she sees every organisation, so the reports cover
# all N tickets: report.NAME) and as a supervisor of one organisation
# (report.NAME.sup): wall time of guichet-report from exec to exit, and the
# number of rows the server sent it. Floor: the bare aggregate over the rows
# the report reads (the same period, the same tables, as the same role, so
# through the same row-level security), run by psql: a connection, one
# statement, its rows. The server's own time for the report's statements is
# in the note.
set -u
. "$BENCH_DIR/lib.sh"

limit=${BENCH_REPORT_TIMEOUT:-120}	# seconds: a slower run is stopped
reports=${BENCH_REPORTS:-"volume sla quality backlog agents escalations hotspots contacts trend"}
diag=$BENCH_WORK/diag
mkdir -p "$diag"

if ! command -v guichet-report >/dev/null; then
	for r in $reports; do
		bench_want "report.$r" && bench_skip "report.$r" "$r" "guichet-report is not built"
	done
	exit 0
fi

# The demo's administrator (any login with guichet_admin), else a supervisor;
# and a supervisor who is not an administrator.
admin=$(bench_psql -c "SELECT a.login FROM guichet.agent a
    WHERE a.active AND pg_has_role(a.login::text, 'guichet_admin', 'member')
    ORDER BY a.login LIMIT 1")
sup=$(bench_psql -c "SELECT a.login FROM guichet.agent a
    WHERE a.active AND pg_has_role(a.login::text, 'guichet_supervisor', 'member')
      AND NOT pg_has_role(a.login::text, 'guichet_admin', 'member')
    ORDER BY a.login LIMIT 1")
[ -n "$admin" ] || admin=$sup
[ -n "$admin" ] || { bench_skip report "reports" "no administrator or supervisor login in the demo"; exit 0; }
from=$(date -d '12 months ago' +%F)
to=$(date +%F)
trap 'for l in $admin $sup; do bench_psql -c "ALTER ROLE \"$l\" RESET log_min_duration_statement" >/dev/null; done' EXIT

# The bare aggregate over the rows report $1 reads: its period's tickets
# (or the open ones, or both periods of hotspots), or its facts.
floor_sql() {
	local p0="'$from'::date::timestamptz" p1="('$to'::date + 1)::timestamptz"
	local created="t.created_at >= $p0 AND t.created_at < $p1"
	case $1 in
	volume | trend) echo "SELECT count(*) FROM guichet.ticket t WHERE t.status <> 'merged'
	    AND ($created OR (t.resolved_at >= $p0 AND t.resolved_at < $p1))" ;;
	sla) echo "SELECT t.queue_id, count(*), sum(t.clock_fr), sum(t.clock_res),
	    sum(t.clock_l1), sum(t.clock_l2) FROM guichet.ticket t
	    WHERE t.status <> 'merged' AND $created GROUP BY 1" ;;
	quality) echo "SELECT t.queue_id, count(*), sum(t.replies) FROM guichet.ticket t
	    WHERE t.status <> 'merged' AND t.resolved_at >= $p0 AND t.resolved_at < $p1
	    GROUP BY 1" ;;
	backlog) echo "SELECT t.queue_id, count(*) FROM guichet.ticket t
	    WHERE t.status IN ('new', 'open', 'pending') GROUP BY 1" ;;
	agents) echo "SELECT f.agent_id, count(*) FROM guichet.report_fact f
	    WHERE f.at >= $p0 AND f.at < $p1 GROUP BY 1" ;;
	escalations) echo "SELECT f.queue_id, count(*) FROM guichet.report_fact f
	    WHERE f.kind = 'e' AND f.at >= $p0 AND f.at < $p1 GROUP BY 1" ;;
	hotspots) echo "SELECT t.district_id, t.service_id, count(*) FROM guichet.ticket t
	    WHERE t.status <> 'merged' AND t.created_at >= ('$from'::date
	        - ('$to'::date - '$from'::date + 1))::timestamptz AND t.created_at < $p1
	    GROUP BY 1, 2" ;;
	contacts) echo "SELECT t.requester_id, count(*) FROM guichet.ticket t
	    WHERE t.status <> 'merged' AND $created GROUP BY 1" ;;
	esac
}

# One run of the floor of report $1 as $login: prints its wall time in ms.
floor_once() {
	local t0 t1
	t0=$(bench_now_us)
	bench_psql_as "$login" -c "$(floor_sql "$1")" >/dev/null 2>&1 || return 1
	t1=$(bench_now_us)
	bench_ms "$t0" "$t1"
}

# The server's time for what LOGIN ran: the durations it logged (every
# statement of that role is logged, see below) after byte $1 of the log.
# pg_stat_statements cannot be used: guichet-report ends its read-only
# transaction by disconnecting, and a statement whose transaction aborts is
# never counted there.
server_time() {
	tail -c +"$(($1 + 1))" "$BENCH_SERVER_LOG" | awk -v who="$login@guichet" '
	    $5 == who && $6 == "LOG:" && $7 == "duration:" { s += $8 }
	    END { printf "%.3f\n", s }'
}

# Rows the server sent: pg_stat_statements counts them when it can, the csv
# lines otherwise (a header line per table).
rows_sent() {
	local n
	n=$(bench_psql -c "SELECT coalesce(sum(rows), 0) FROM pg_stat_statements
	    WHERE userid = $roleid AND query NOT LIKE 'SELECT to_regclass%'
	    AND query NOT LIKE '%schema_version%'")
	[ "$n" -gt 0 ] 2>/dev/null || n=$(grep -c . "$diag/report-$1.csv")
	echo "$n"
}

# One run: prints "wall_ms server_ms rows".
report_once() {
	local r=$1 t0 t1 off
	bench_psql -c "SELECT pg_stat_statements_reset($roleid)" >/dev/null
	off=$(stat -c %s "$BENCH_SERVER_LOG")
	t0=$(bench_now_us)
	timeout "$limit" guichet-report -d "$conninfo" "$r" --from "$from" --to "$to" \
	    --format csv >"$diag/report-$r.csv" 2>"$diag/report-$r.err" || return 1
	t1=$(bench_now_us)
	sleep 0.1 # the log is written by the server process, a moment later
	echo "$(bench_ms "$t0" "$t1") $(server_time "$off") $(rows_sent "$r")"
}

# The slowest statement of the last run, kept for the closing note.
keep_slowest() {
	bench_psql -c "SELECT round((total_exec_time + total_plan_time)::numeric, 1) || ' ms, '
	    || rows || ' rows: ' || query FROM pg_stat_statements WHERE userid = $roleid
	    ORDER BY total_exec_time + total_plan_time DESC LIMIT 1" >"$diag/report-$1.slowest"
}

# Each report as each login: the administrator's rows are report.NAME, the
# supervisor's report.NAME.sup.
for login in $admin $sup; do
	roleid=$(bench_psql -c "SELECT oid FROM pg_roles WHERE rolname = '$login'")
	conninfo=$(bench_conninfo "$login")
	bench_psql -c "ALTER ROLE \"$login\" SET log_min_duration_statement = 0" >/dev/null
	suffix=
	[ "$login" = "$admin" ] || suffix=.sup
	for r in $reports; do
		name=report.$r$suffix
		bench_want "$name" || continue
		if ! report_once "$r" >/dev/null; then
			why=$(head -1 "$diag/report-$r.err")
			bench_skip "$name" "$r" "${why:-stopped after $limit s}"
			continue
		fi
		wall= server= rows= floor=
		for ((i = 0; i < BENCH_RUNS; i++)); do
			set -- $(report_once "$r") || break
			wall="$wall $1" server="$server $2" rows="$rows $3"
			floor="$floor $(floor_once "$r")"
		done
		keep_slowest "$r"
		[ -z "$suffix" ] || cp "$diag/report-$r.csv" "$diag/report-$r$suffix.csv"
		bench_record "$name" ms "guichet-report $r, 12 months, csv, as $login" \
		    "$wall" "$floor" '<1000' \
		    "rows received: $(bench_median $rows); server $(bench_median $server) ms"
	done
done
