# tests/console/lib.sh — drive the real console in a real tmux, against the
# throwaway cluster of tests/lib/pg.sh with the fixture loaded.
#
#   console_start NAME LOGIN [ARGS…]  guichet as LOGIN in tmux session NAME (80×24)
#   screen NAME                       the text of its screen
#   keys NAME KEY…                    tmux key names (Enter, Escape, C-t, j…)
#   type_text NAME TEXT               literal text
#   wait_for NAME TEXT [SECONDS]      poll the screen until TEXT (fixed string) shows
#   wait_gone NAME TEXT [SECONDS]     … until it is gone
#   wait_line NAME N TEXT [SECONDS]   … until line N (1-based) holds TEXT
#   wait_sql SQL EXPECTED [SECONDS]   poll a superuser query until it prints EXPECTED
#                                     (SECONDS: at most, default $TEST_WAIT or 120)
#   sql SQL                           run it as the superuser, print the rows
#   screen_is NAME SCREEN DESC [SEC]  the whole 80×24 screen, masked, equals
#                                     tests/console/screens/SCREEN.screen (a diff
#                                     on failure); GUICHET_UPDATE_SCREENS=1 writes it
#   screen_mask                       filter: blank out what the clock changes
#
# The scripted $EDITOR writes $CONSOLE_DIR/body into an empty file and leaves a
# file that has text (a resumed draft) as it is; when $CONSOLE_DIR/editor-hook
# exists it runs first (a colleague acting while the agent writes).
# Polling never sleeps long, so a passing test is as fast as the console; its
# ceiling only bounds how long a broken console is waited for, and is far above
# what a loaded machine needs (tests/lib/tap.sh: no test depends on speed); a
# console that has exited ends the wait at once, its stderr shown.

. "$top_srcdir/tests/lib/pg.sh"

command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed (apt-get install tmux)"

unset TMUX TMUX_PANE
TMUX_SOCKET=guichet-test-$$
CONSOLE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/guichet-console.XXXXXX") ||
    bail_out "cannot create a temporary directory"
atexit 'tmux -L "$TMUX_SOCKET" kill-server >/dev/null 2>&1; rm -rf "$CONSOLE_DIR"'

cat > "$CONSOLE_DIR/editor" <<'EOS'
#!/bin/sh
dir=$(dirname "$0")
[ -x "$dir/editor-hook" ] && "$dir/editor-hook"
[ -s "$1" ] || cat "$dir/body" > "$1"
EOS
chmod +x "$CONSOLE_DIR/editor"
printf 'Default body from the scripted editor.\n' > "$CONSOLE_DIR/body"

_console_quote()
{
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

console_start()
{
	_cs_name=$1
	_cs_login=$2
	shift 2
	{
		echo "cd $(_console_quote "$CONSOLE_DIR")"
		# ^C is for guichet: the wrapper survives it to report the exit status.
		echo "trap true INT"
		echo "PATH=$(_console_quote "$PATH"); export PATH"
		echo "TERM=xterm-256color LC_ALL=C.UTF-8 PAGER=cat VISUAL= NO_COLOR=${NO_COLOR:-}"
		echo "EDITOR=$(_console_quote "$CONSOLE_DIR/editor")"
		echo "XDG_CONFIG_HOME=$(_console_quote "$XDG_CONFIG_HOME")"
		echo "XDG_STATE_HOME=$(_console_quote "$XDG_STATE_HOME")"
		echo "export TERM LC_ALL PAGER VISUAL EDITOR XDG_CONFIG_HOME XDG_STATE_HOME NO_COLOR"
		printf 'guichet -d %s' "$(_console_quote "$(pg_conninfo "$_cs_login")")"
		for _cs_a in "$@"; do
			printf ' %s' "$(_console_quote "$_cs_a")"
		done
		echo " 2>>$(_console_quote "$CONSOLE_DIR/$_cs_name.stderr")"
		# On a line of its own (a console killed by a signal leaves the
		# cursor anywhere), and in a file for _console_gone.
		echo "st=\$?; printf '\\nguichet exited %s\\n' \"\$st\"; echo \"\$st\" >$(_console_quote "$CONSOLE_DIR/$_cs_name.exited")"
		echo 'exec sleep 3600'
	} > "$CONSOLE_DIR/$_cs_name.sh"
	tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -s "$_cs_name" -x 80 -y 24 \
	    "sh $(_console_quote "$CONSOLE_DIR/$_cs_name.sh")" ||
	    bail_out "console_start: tmux new-session failed"
}

screen()
{
	tmux -L "$TMUX_SOCKET" capture-pane -p -t "$1"
}

keys()
{
	_k_name=$1
	shift
	for _k in "$@"; do
		tmux -L "$TMUX_SOCKET" send-keys -t "$_k_name" "$_k"
	done
}

type_text()
{
	tmux -L "$TMUX_SOCKET" send-keys -t "$1" -l "$2"
}

# Has the console of session $1 exited (the wrapper then says so)? Waiting
# longer could not help: the waits give up at once.
_console_gone()
{
	test -e "$CONSOLE_DIR/$1.exited"
}

wait_for()
{
	_wf_n=$(( ${3:-${TEST_WAIT:-120}} * 20 ))
	while [ "$_wf_n" -gt 0 ]; do
		# Gone first, then the text: what it printed before leaving counts.
		_wf_gone=0
		_console_gone "$1" && _wf_gone=1
		if screen "$1" | grep -F -q -- "$2"; then
			return 0
		fi
		[ "$_wf_gone" -eq 0 ] || break
		sleep 0.05
		_wf_n=$((_wf_n - 1))
	done
	if _console_gone "$1"; then
		echo "the console exited while waiting for: $2"
		[ ! -s "$CONSOLE_DIR/$1.stderr" ] || sed 's/^/stderr: /' "$CONSOLE_DIR/$1.stderr" | tail -20
	else
		echo "timed out waiting for: $2"
	fi
	echo "screen of $1:"
	screen "$1" | sed 's/^/|/'
	return 1
}

wait_gone()
{
	_wg_n=$(( ${3:-${TEST_WAIT:-120}} * 20 ))
	while [ "$_wg_n" -gt 0 ]; do
		_wg_gone=0
		_console_gone "$1" && _wg_gone=1
		if ! screen "$1" | grep -F -q -- "$2"; then
			return 0
		fi
		[ "$_wg_gone" -eq 0 ] || break
		sleep 0.05
		_wg_n=$((_wg_n - 1))
	done
	echo "timed out waiting for this to go: $2"
	screen "$1" | sed 's/^/|/'
	return 1
}

wait_line()
{
	_wl_n=$(( ${4:-5} * 20 ))
	while [ "$_wl_n" -gt 0 ]; do
		if screen "$1" | sed -n "$2p" | grep -F -q -- "$3"; then
			return 0
		fi
		sleep 0.05
		_wl_n=$((_wl_n - 1))
	done
	echo "timed out waiting for line $2 to hold: $3"
	screen "$1" | sed 's/^/|/'
	return 1
}

sql()
{
	"$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -c "$1"
}

wait_sql()
{
	_ws_n=$(( ${3:-${TEST_WAIT:-120}} * 20 ))
	while [ "$_ws_n" -gt 0 ]; do
		_ws_got=$(sql "$1" 2>&1)
		[ "$_ws_got" = "$2" ] && return 0
		sleep 0.05
		_ws_n=$((_ws_n - 1))
	done
	echo "timed out: $1"
	echo "expected: $2"
	echo "     got: $_ws_got"
	return 1
}

# Whole screens (tig's way). The expected screens are the text of the 80×24
# pane; what depends on the wall clock is masked, in the screen and in the file
# alike, and only that:
#   - dates and times, "2026-12-02", "2026-12-02 13:26" and "…:11", become
#     YYYY-MM-DD, YYYY-MM-DD hh:mm and YYYY-MM-DD hh:mm:ss;
#   - in an index (the line under the header " id p status age sla owner"), the
#     age and sla columns, from "age" up to "owner", become ~ (the SLA countdown
#     follows the business hours of the day the test runs);
#   - the countdown after "Due:" in a ticket's header becomes ~~.
# Everything else (ids, subjects, statuses, owners, counts, the status line,
# prompts and pickers) is compared to the letter.
SCREENS_DIR=$top_srcdir/tests/console/screens

screen_mask()
{
	sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}/YYYY-MM-DD hh:mm:ss/g
	    s/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}/YYYY-MM-DD hh:mm/g
	    s/[0-9]{4}-[0-9]{2}-[0-9]{2}/YYYY-MM-DD/g
	    s/^(Due: +)-?[0-9]+[smhdwy] /\1~~ /' |
	    awk '
	    / id p status +age +sla +owner/ { a = index($0, "age"); o = index($0, "owner"); print; next }
	    a > 0 && $0 ~ /^[ *+]* *[0-9]+ [1-5] [a-z]+ / && length($0) >= o {
		    fill = ""
		    while (length(fill) < o - a - 1)
			    fill = fill "~"
		    print substr($0, 1, a - 1) fill " " substr($0, o)
		    next
	    }
	    { print }'
}

# wait_for, and a failed assertion when the text never shows (the screen then
# compared or written would not be the one meant).
await()
{
	wait_for "$@" > "$CONSOLE_DIR/await.out" && return 0
	fail "the screen shows: $2"
	sed 's/^/# /' "$CONSOLE_DIR/await.out"
	return 1
}

# Poll the screen until it equals the expected one (it is drawn asynchronously).
screen_is()
{
	_si_file=$SCREENS_DIR/$2.screen
	_si_got=$CONSOLE_DIR/$2.got
	if [ -n "${GUICHET_UPDATE_SCREENS:-}" ]; then
		# Write it once two captures 0.3 s apart agree (the screen has settled).
		: > "$_si_got.prev"
		_si_n=40
		while [ "$_si_n" -gt 0 ]; do
			screen "$1" | screen_mask > "$_si_got"
			cmp -s "$_si_got" "$_si_got.prev" && break
			cp "$_si_got" "$_si_got.prev"
			sleep 0.3
			_si_n=$((_si_n - 1))
		done
		mkdir -p "$SCREENS_DIR" && cp "$_si_got" "$_si_file"
		pass "$3 (screen $2 written)"
		return 0
	fi
	if [ ! -f "$_si_file" ]; then
		fail "$3: there is no $2.screen (GUICHET_UPDATE_SCREENS=1 or make update-screens)"
		return 1
	fi
	_si_n=$(( ${4:-10} * 20 ))
	while :; do
		screen "$1" | screen_mask > "$_si_got"
		if cmp -s "$_si_got" "$_si_file"; then
			pass "$3"
			return 0
		fi
		[ "$_si_n" -le 0 ] && break
		sleep 0.05
		_si_n=$((_si_n - 1))
	done
	fail "$3 (screens/$2.screen)"
	diff -u "$_si_file" "$_si_got" | sed 's/^/# /'
	return 1
}
