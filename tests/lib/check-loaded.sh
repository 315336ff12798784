#!/bin/sh
# tests/lib/check-loaded.sh — `make check-loaded`: the whole suite, several
# times in a row, on a machine whose every core is kept busy by a busy loop,
# as a developer's or a CI's machine is while other builds run. No test may
# depend on wall-clock speed or scheduling: every run must pass.
#
#   check-loaded.sh MAKE [RUNS] [LOOPS] [TARGET]
#
# MAKE is the make command to run TARGET (default check; distcheck works too)
# with (the caller's, with its -j); RUNS defaults to 3, LOOPS (the busy loops)
# to the number of cores. The loops are this script's children, stopped by
# their process ids when it ends, even on failure or ^C. Prints a line per run
# (seconds, the counts of the test suite's summary in the run's output) and
# exits 1 when any run failed.

make=${1:?usage: check-loaded.sh MAKE [RUNS] [LOOPS] [TARGET]}
runs=${2:-3}
loops=${3:-$(nproc 2>/dev/null || echo 2)}
target=${4:-check}

pids=
stop_loops()
{
	# shellcheck disable=SC2086 # a list of process ids
	[ -z "$pids" ] || kill $pids 2>/dev/null
	pids=
}
trap 'stop_loops' EXIT
trap 'stop_loops; exit 130' INT
trap 'stop_loops; exit 143' TERM HUP

i=0
while [ "$i" -lt "$loops" ]; do
	sh -c 'while :; do :; done' &
	pids="$pids $!"
	i=$((i + 1))
done
echo "check-loaded: $loops busy loops (pids$pids), $runs runs of make $target"

failed=0
summary=
run=1
while [ "$run" -le "$runs" ]; do
	start=$(date +%s)
	$make "$target" >check-loaded-$run.out 2>&1
	rc=$?
	end=$(date +%s)
	# The summary automake prints (colours off: the output is a file).
	counts=$(sed -n 's/^# \(TOTAL\|PASS\|SKIP\|XFAIL\|FAIL\|XPASS\|ERROR\): *\([0-9]*\)$/\1 \2/p' \
	    "check-loaded-$run.out" | tr '\n' ' ')
	line="run $run: $((end - start)) s, exit $rc, $counts"
	echo "check-loaded: $line"
	summary="$summary$line
"
	if [ "$rc" -ne 0 ]; then
		failed=1
		grep -E '^(FAIL|ERROR):' "check-loaded-$run.out" | sed 's/^/check-loaded:   /'
		[ "$target" != check ] || cp test-suite.log "check-loaded-$run.log" 2>/dev/null
	fi
	run=$((run + 1))
done
stop_loops
printf '%s' "$summary" >check-loaded.summary
echo "check-loaded: load average now $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
exit "$failed"
