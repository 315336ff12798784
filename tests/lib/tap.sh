# tests/lib/tap.sh — TAP output for shell tests, sourced by every tests/*/*.sh.
#
# POSIX sh: the tests run under $(SHELL), which is dash on Debian, so nothing
# here (or in a test) may rely on bash.
#
#   plan N                  announce N assertions (or call done_testing at the end)
#   ok DESC CMD [ARGS...]   passes when CMD exits 0; its output is shown on failure
#   is GOT EXPECTED DESC    string equality       isnt GOT UNEXPECTED DESC
#   like GOT ERE DESC       some line of GOT matches the extended regex (grep -E)
#   unlike GOT ERE DESC     no line of GOT matches
#   pass DESC / fail DESC   an assertion decided by the test itself
#   skip REASON [N]         count N (default 1) assertions as skipped
#   diag MSG...             a comment in the TAP stream (and so in the .log)
#   skip_all REASON         the whole file is skipped (before any assertion)
#   bail_out REASON         abort the whole file: reported as an ERROR
#   done_testing            print the plan now that the count is known
#   atexit CMD              run CMD (eval'd) when the test exits, even on failure
#                           or on INT/TERM; last registered runs first.
#   wait_until CMD [ARGS…]  run CMD every 50 ms until it succeeds: 0, or 1 once
#                           $TEST_WAIT seconds of wall time (default 120) went by
#
# No test may depend on the machine's speed or the scheduler (the suite must pass
# on a loaded machine, make check-loaded): wait for a condition with wait_until,
# never for a fixed time, and never assert that something took less than some
# time. TEST_WAIT only bounds how long something broken is waited for.
#
# Every check returns its result (0 or 1) so that `is … || diag …` works: do
# not run tests under set -e, a failing check would end the file. Do not set
# your own EXIT/INT/TERM traps: use atexit, which pg.sh uses to stop clusters.

if [ -z "${_tap_loaded:-}" ]; then
_tap_loaded=1
_tap_n=0
_tap_failed=0
_tap_plan=
_tap_atexit=
_tap_out=

# The exit status a test file ends with: 0 when the TAP stream is complete
# (the stream then says what failed, and a non-zero status would add a
# spurious ERROR), else whatever stopped the script, so that the driver
# reports a file that died half-way as an ERROR.
_tap_exit()
{
	_tap_rc=$1
	set +e
	trap - EXIT INT TERM HUP
	eval "$_tap_atexit"
	_tap_atexit=
	if [ -n "$_tap_plan" ] && [ "$_tap_n" -eq "$_tap_plan" ]; then
		exit 0
	fi
	if [ -n "$_tap_plan" ]; then
		echo "# planned $_tap_plan assertions but ran $_tap_n"
		[ "$_tap_rc" -ne 0 ] || _tap_rc=1
	fi
	exit "$_tap_rc"
}
trap '_tap_exit $?' EXIT
trap '_tap_exit 129' HUP
trap '_tap_exit 130' INT
trap '_tap_exit 143' TERM

atexit()
{
	_tap_atexit="$*
$_tap_atexit"
}

# Each line of the arguments as a TAP comment.
diag()
{
	printf '%s\n' "$*" | sed 's/^/# /'
}

plan()
{
	case $1 in
	''|*[!0-9]*) bail_out "plan: not a number: $1" ;;
	esac
	_tap_plan=$1
	echo "1..$1"
}

done_testing()
{
	if [ -z "$_tap_plan" ]; then
		_tap_plan=$_tap_n
		echo "1..$_tap_n"
	fi
}

skip_all()
{
	if [ "$_tap_n" -gt 0 ] || [ -n "$_tap_plan" ]; then
		bail_out "skip_all after the plan or an assertion: $*"
	fi
	_tap_plan=0
	echo "1..0 # SKIP $*"
	exit 0
}

bail_out()
{
	echo "Bail out! $*"
	_tap_plan=
	exit 1
}

# A description on one line, with the TAP directive character escaped.
_tap_desc()
{
	printf '%s' "$*" | tr '\n\r' '  ' | sed 's/#/\\#/g'
}

# _tap_result STATUS DESC: print the result line; return STATUS (0 or 1).
_tap_result()
{
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $(_tap_desc "$2")"
		return 0
	fi
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $(_tap_desc "$2")"
	echo "#   Failed test '$(_tap_desc "$2")'"
	return 1
}

# _tap_show LABEL VALUE: "#   LABEL: 'value'", continuation lines aligned.
_tap_show()
{
	printf '%s\n' "$2" | awk -v label="$1" -v q="'" '
		NR == 1 { printf "#   %8s: %s%s", label, q, $0; next }
		{ printf "\n#             %s", $0 }
		END { print q }'
}

pass()
{
	_tap_result 0 "$*"
}

fail()
{
	_tap_result 1 "$*"
}

ok()
{
	_tap_d=$1
	shift
	if [ $# -eq 0 ]; then
		bail_out "ok: no command given for '$_tap_d'"
	fi
	if [ -z "$_tap_out" ]; then
		_tap_out=$(mktemp "${TMPDIR:-/tmp}/tap.XXXXXX") ||
		    bail_out "cannot create a temporary file"
		atexit 'rm -f "$_tap_out"'
	fi
	# The command runs in this shell (its assignments and cd stay) and
	# keeps the caller's stdin (ok "…" prog <msg.eml); its output is kept
	# aside and shown only when the check fails.
	_tap_st=0
	"$@" >"$_tap_out" 2>&1 || _tap_st=$?
	if [ "$_tap_st" -eq 0 ]; then
		_tap_result 0 "$_tap_d"
		return 0
	fi
	_tap_result 1 "$_tap_d" || true
	echo "#   command: $*"
	echo "#    status: $_tap_st"
	if [ -s "$_tap_out" ]; then
		echo "#    output:"
		tail -n 40 "$_tap_out" | sed 's/^/#     /'
	fi
	return 1
}

is()
{
	if [ "$1" = "$2" ]; then
		_tap_result 0 "$3"
		return 0
	fi
	_tap_result 1 "$3" || true
	_tap_show expected "$2"
	_tap_show got "$1"
	return 1
}

isnt()
{
	if [ "$1" != "$2" ]; then
		_tap_result 0 "$3"
		return 0
	fi
	_tap_result 1 "$3" || true
	echo "#   expected: anything else"
	_tap_show got "$1"
	return 1
}

like()
{
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		_tap_result 0 "$3"
		return 0
	fi
	_tap_result 1 "$3" || true
	echo "#   expected: a line matching /$2/"
	_tap_show got "$1"
	return 1
}

unlike()
{
	if ! printf '%s\n' "$1" | grep -Eq -- "$2"; then
		_tap_result 0 "$3"
		return 0
	fi
	_tap_result 1 "$3" || true
	echo "#   expected: no line matching /$2/"
	_tap_show got "$1"
	return 1
}

wait_until()
{
	_wu_end=$(($(date +%s) + ${TEST_WAIT:-120}))
	until "$@"; do
		[ "$(date +%s)" -lt "$_wu_end" ] || return 1
		sleep 0.05
	done
	return 0
}

skip()
{
	_tap_k=${2:-1}
	while [ "$_tap_k" -gt 0 ]; do
		_tap_n=$((_tap_n + 1))
		echo "ok $_tap_n # SKIP $(_tap_desc "$1")"
		_tap_k=$((_tap_k - 1))
	done
}
fi
