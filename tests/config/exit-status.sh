#!/bin/sh
# tests/config/exit-status.sh — the four programs share guichet.conf and the
# connection: a mistake is the user's, said in one line, with the exit status
# sysexits(3) gives it, never the "try again later" of 69 or 75 (an MTA would
# retry forever):
#   a connection string that does not parse, given with -d     64 (EX_USAGE)
#   the same in the configuration file's "set database"        78 (EX_CONFIG), file:line
#   an unknown command or setting in the configuration file    78, file:line
# and -F FILE replaces the user's file (the user's file is then not read);
# the sample configuration and the man page name only settings that exist.
# No server is needed: each mistake is found before connecting.

. "$top_srcdir/tests/lib/tap.sh"

D=$(mktemp -d "${TMPDIR:-/tmp}/guichet-config.XXXXXX") || bail_out "mktemp failed"
atexit 'rm -rf "$D"'
XDG_CONFIG_HOME=$D/xdg
export XDG_CONFIG_HOME
mkdir -p "$XDG_CONFIG_HOME/guichet"
# Nothing listens there: a well-formed conninfo fails to connect (69 or 75).
unreachable="host=$D/nowhere dbname=guichet connect_timeout=2"

# Run one of the four programs as far as it connects; prints "status:stderr".
run()
{
	_prog=$1
	shift
	case $_prog in
	guichet) _out=$(guichet "$@" </dev/null 2>&1) ;;
	guichet-mail) _out=$(guichet-mail "$@" import --stdin </dev/null 2>&1) ;;
	guichet-report) _out=$(guichet-report "$@" volume 2>&1) ;;
	guichet-admin) _out=$(guichet-admin "$@" status 2>&1) ;;
	esac
	echo "$?:$_out"
}

printf 'set database "host=/tmp dbname"\n' >"$D/badconn.conf"
printf '# ok\nset report.width 90\nset databse "%s"\n' "$unreachable" >"$D/typo.conf"
printf 'set database "%s"\nbnid index x claim\n' "$unreachable" >"$D/command.conf"
printf 'set database "%s"\n' "$unreachable" >"$D/good.conf"

for p in guichet guichet-mail guichet-report guichet-admin; do
	is "$(run $p -d "host=/tmp dbname")" \
	    "64:$p: -d: missing \"=\" after \"dbname\" in connection info string" \
	    "$p -d with a malformed conninfo: 64, libpq's reason"
	is "$(run $p -d "postgresql://h/db?sslmod=require")" \
	    "64:$p: -d: invalid URI query parameter: \"sslmod\"" \
	    "$p -d with a malformed URI: 64"
	is "$(run $p -F "$D/badconn.conf")" \
	    "78:$p: $D/badconn.conf:1: database: missing \"=\" after \"dbname\" in connection info string" \
	    "$p: a malformed set database: 78, file and line"
	is "$(run $p -F "$D/typo.conf")" \
	    "78:$p: $D/typo.conf:3: unknown setting \"databse\" (see guichet.conf(5))" \
	    "$p: an unknown setting: 78, file and line"
	is "$(run $p -F "$D/command.conf")" \
	    "78:$p: $D/command.conf:2: unknown command \"bnid\" (set, bind, color or route)" \
	    "$p: an unknown command: 78, file and line"
	# A well-formed conninfo to a server that is not there is not a usage error.
	out=$(run $p -F "$D/good.conf")
	like "$out" '^(69|75):' "$p: an unreachable server is still 69 or 75"
done

# The user's file is read when no -F is given, and -F replaces it.
cp "$D/typo.conf" "$XDG_CONFIG_HOME/guichet/guichet.conf"
is "$(run guichet-report)" \
    "78:guichet-report: $XDG_CONFIG_HOME/guichet/guichet.conf:3: unknown setting \"databse\" (see guichet.conf(5))" \
    "the user's file is read: its error names it"
like "$(run guichet-report -F "$D/good.conf")" '^69:' \
    "-F FILE replaces the user's file: the user's file is not read"

# The sample etc/guichet.conf with every example uncommented names only
# settings that exist, in the right syntax: the table of config.c and the
# documentation agree.
sed -n 's/^#\(set\|bind\|color\|route\) /\1 /p' "$top_srcdir/etc/guichet.conf" >"$D/sample.conf"
like "$(run guichet-report -F "$D/sample.conf" -d "$unreachable")" '^69:' \
    "etc/guichet.conf, every example uncommented, loads"
# So do the settings guichet.conf(5) documents (guichet-admin reads no value
# but database's, so "x" is not refused for its kind).
sed -n 's/^\.It Cm \([a-z_.]*\) .*/set \1 x/p' "$top_srcdir/man/guichet.conf.5" |
    grep -v '^set database ' >"$D/man.conf"
like "$(run guichet-admin -F "$D/man.conf" -d "$unreachable")" '^69:' \
    "every setting of guichet.conf(5) is known"

done_testing
