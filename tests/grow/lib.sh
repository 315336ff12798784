# tests/grow/lib.sh — what the tests of tests/grow share.
#
#   compare_reports WHERE CONNINFO  every case of tests/report/cases run against
#                 the cluster of tests/lib/pg.sh (as its superuser) and against
#                 CONNINFO: one assertion per case, that CONNINFO's output is
#                 byte for byte the direct one (WHERE names CONNINFO: "the
#                 standby"); then every report as nordville's supervisor
#                 (rp_chef), csv, written with -o: CONNINFO must not hold a user
#   reports_listed  one assertion per report guichet-report --help lists: it has
#                 a case in tests/report/cases
# The report fixture (tests/report/fixture.sql) must be loaded.

. "$top_srcdir/tests/lib/pg.sh"

_grow_cases=$top_srcdir/tests/report/cases

# _grow_same WHAT A B ERR: one assertion, A and B non-empty and identical.
_grow_same()
{
	if [ -s "$3" ] && cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1"
		diag "$(cat "$4")"
		diff -u "$2" "$3" | sed 's/^/# /' | head -40
	fi
}

compare_reports()
{
	_gr_out=$PGDIR/grow-reports
	mkdir -p "$_gr_out"
	_gr_n=0
	while IFS='	' read -r _gr_name _gr_args; do
		case $_gr_name in
		'#'*|'') continue ;;
		esac
		_gr_n=$((_gr_n + 1))
		_gr_f=$_gr_out/$_gr_name
		# shellcheck disable=SC2086 # the arguments are words
		guichet-report $_gr_args >"$_gr_f.direct" 2>"$_gr_f.err"
		# shellcheck disable=SC2086
		guichet-report -d "$2" $_gr_args >"$_gr_f.there" 2>>"$_gr_f.err"
		_grow_same "$_gr_name: $1 gives the same output, byte for byte" \
		    "$_gr_f.direct" "$_gr_f.there" "$_gr_f.err"
	done <"$_grow_cases"
	diag "$_gr_n report runs compared"
	# A cron job logs in as a supervisor, under row-level security.
	for _gr_r in volume sla quality backlog agents escalations hotspots contacts trend; do
		_gr_when="--from 2025-03-01 --to 2025-03-31"
		[ "$_gr_r" != backlog ] || _gr_when="--at 2025-03-06"
		_gr_f=$_gr_out/$_gr_r.chef
		# shellcheck disable=SC2086
		guichet-report -d "$(pg_conninfo rp_chef)" $_gr_r $_gr_when --format csv \
		    >"$_gr_f.direct" 2>"$_gr_f.err"
		# shellcheck disable=SC2086
		guichet-report -d "$2 user=rp_chef" $_gr_r $_gr_when --format csv \
		    -o "$_gr_f.there" 2>>"$_gr_f.err"
		_grow_same "$_gr_r as nordville's supervisor, -o: $1 gives the same csv" \
		    "$_gr_f.direct" "$_gr_f.there" "$_gr_f.err"
	done
}

reports_listed()
{
	for _gr_r in $(guichet-report --help 2>&1 | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p'); do
		like "$(cut -f2 "$_grow_cases" | cut -d' ' -f1 | sort -u)" "^$_gr_r\$" \
		    "report $_gr_r is among the cases compared"
	done
}
