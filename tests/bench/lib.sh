# tests/bench/lib.sh — what every benchmark script shares: the persistent
# cluster, psql helpers, timing and the results file the runner summarises.
#
# Sourced by tests/bench/run and by each bench-*.sh it starts. The runner
# exports BENCH_* variables (see run); a benchmark script only calls the
# functions below and bench_record.

# Clock in microseconds, without forking (bash 5's EPOCHREALTIME).
bench_now_us() {
	local t=${EPOCHREALTIME/[.,]/}
	printf '%s\n' "$t"
}

# Milliseconds between two bench_now_us readings, 3 decimals.
bench_ms() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", (b - a) / 1000 }'
}

bench_log() {
	printf 'bench: %s\n' "$*" >&2
}

bench_die() {
	printf 'bench: %s\n' "$*" >&2
	exit 69
}

# Does the user want benchmark NAME? --only takes a comma-separated list of
# names or prefixes ("api", "report.sla", "console.open").
bench_want() {
	local name=$1 pat
	[ -z "${BENCH_ONLY:-}" ] && return 0
	local IFS=,
	for pat in $BENCH_ONLY; do
		case $name in
		"$pat" | "$pat".* | "$pat"*) return 0 ;;
		esac
	done
	return 1
}

# bench_record NAME UNIT WHAT SAMPLES [FLOOR_SAMPLES [TARGET [NOTE]]]
# SAMPLES and FLOOR_SAMPLES are space-separated numbers in UNIT. TARGET is a
# bound such as "<100" or ">=1000" in UNIT (empty: none). One TSV line per
# benchmark; the runner computes median/min/max and the ratio to the floor.
bench_record() {
	local name=$1 unit=$2 what=$3 samples=$4 floor=${5:-} target=${6:-} note=${7:-}
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$unit" "$what" \
	    "$(echo $samples)" "$(echo $floor)" "$target" "$note" >>"$BENCH_RESULTS"
	bench_log "$name: $samples $unit${floor:+ (floor: $floor)}"
}

# Median of numbers on the command line.
bench_median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
	    if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2];
	    else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_repeat CMD ARGS…: one warm-up run, then BENCH_RUNS measured runs; CMD
# prints one number (its measurement) on stdout; the numbers are printed
# space-separated. A run that prints nothing is an error.
bench_repeat() {
	local i out all=
	"$@" >/dev/null || return 1
	for ((i = 0; i < BENCH_RUNS; i++)); do
		out=$("$@") || return 1
		[ -n "$out" ] || return 1
		all="$all $out"
	done
	echo $all
}

# --- the cluster ----------------------------------------------------------

# Server programs run as postgres when we are root (initdb refuses root).
bench_as_server() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# psql as the superuser on the benchmark database (or $BENCH_DB_OVERRIDE).
bench_psql() {
	psql -X -q -At -v ON_ERROR_STOP=1 "$@"
}

# psql as a login role (trust authentication on the private socket).
bench_psql_as() {
	local login=$1
	shift
	PGUSER=$login psql -X -q -At -v ON_ERROR_STOP=1 "$@"
}

bench_conninfo() {
	printf 'host=%s port=%s dbname=%s user=%s\n' "$PGHOST" "$PGPORT" \
	    "${PGDATABASE:-guichet}" "$1"
}

# Does --only select anything in AREA ("report" for "report.sla")?
bench_want_area() {
	local area=$1 pat
	[ -z "${BENCH_ONLY:-}" ] && return 0
	local IFS=,
	for pat in $BENCH_ONLY; do
		case $pat in
		"$area"*) return 0 ;;
		esac
		case $area in
		"$pat"*) return 0 ;;
		esac
	done
	return 1
}

# A benchmark that could not run is a row in the table saying why.
bench_skip() {
	bench_want_area "$1" || return 0
	bench_record "$1" - "$2" "" "" "" "skipped: $3"
}
