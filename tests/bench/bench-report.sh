#!/bin/bash
# tests/bench/bench-report.sh — every report over the last 12 months, run as
# the demo's administrator (she sees every organisation, so the reports cover
# all N tickets): wall time of guichet-report from exec to exit, and the
# number of rows the server sent it. Floor: the server's own time (planning
# and execution, from pg_stat_statements) of the statements the report sent,
# i.e. the same SQL without the client, its connection and its formatting.
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

# The demo's administrator (any login with guichet_admin), else a supervisor.
login=$(bench_psql -c "SELECT a.login FROM guichet.agent a
    WHERE a.active AND pg_has_role(a.login::text, 'guichet_admin', 'member')
    ORDER BY a.login LIMIT 1")
[ -n "$login" ] || login=$(bench_psql -c "SELECT a.login FROM guichet.agent a
    WHERE a.active AND pg_has_role(a.login::text, 'guichet_supervisor', 'member')
    ORDER BY a.login LIMIT 1")
[ -n "$login" ] || { bench_skip report "reports" "no administrator or supervisor login in the demo"; exit 0; }
roleid=$(bench_psql -c "SELECT oid FROM pg_roles WHERE rolname = '$login'")
from=$(date -d '12 months ago' +%F)
to=$(date +%F)
conninfo=$(bench_conninfo "$login")
bench_psql -c "ALTER ROLE \"$login\" SET log_min_duration_statement = 0" >/dev/null
trap 'bench_psql -c "ALTER ROLE \"$login\" RESET log_min_duration_statement" >/dev/null' EXIT

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

for r in $reports; do
	bench_want "report.$r" || continue
	if ! report_once "$r" >/dev/null; then
		why=$(head -1 "$diag/report-$r.err")
		bench_skip "report.$r" "guichet-report $r" "${why:-stopped after $limit s}"
		continue
	fi
	wall= server= rows=
	for ((i = 0; i < BENCH_RUNS; i++)); do
		set -- $(report_once "$r") || break
		wall="$wall $1" server="$server $2" rows="$rows $3"
	done
	keep_slowest "$r"
	bench_record "report.$r" ms "guichet-report $r, 12 months, csv, as $login" \
	    "$wall" "$server" '<1000' "rows received: $(bench_median $rows)"
done
