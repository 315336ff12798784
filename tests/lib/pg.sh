# tests/lib/pg.sh — a throwaway PostgreSQL cluster for one test file.
#
#   pg_start         start a private cluster (Unix socket only, in a fresh temp
#                    dir), export PGHOST PGPORT PGUSER (superuser) PGDATABASE
#                    (guichet, already created); stopped and removed on exit,
#                    even on failure or INT/TERM
#   pg_start --replication  the same, with the WAL a standby needs (wal_level
#                    replica and WAL senders)
#   pg_standby       a streaming hot standby of it (pg_basebackup -R) in a temp
#                    dir of its own; exports STANDBY_HOST (its socket directory,
#                    port 5432 too); stopped and removed on exit like the primary
#   pg_wait_replay   wait until the standby has replayed all the WAL the primary
#                    has written so far (1 when it has not after $TEST_WAIT s)
#   pg_bouncer       Debian's pgbouncer in front of the cluster, as the server
#                    user, with its own ini in a temp dir: database guichet in
#                    session mode and guichet_tx in transaction mode, trust
#                    authentication for every login role (its auth_file is made
#                    from pg_roles when it starts: create the roles first);
#                    exports BOUNCER_HOST (its socket directory, port 6432); the
#                    test is skipped when pgbouncer is not installed
#   pg_install       guichet-admin init on it
#   pg_fixture       load tests/lib/fixture.sql as superuser
#   pg_conninfo LOGIN  a libpq conninfo string to connect as LOGIN
#   psql_as LOGIN ARGS...  psql -X -q -At -v ON_ERROR_STOP=1, connected as LOGIN
#   no_rows DESC SQL   an assertion written as the query of the rows that break
#                    the rule ("tickets with two claims"): passes when it finds
#                    none; when it fails, the rows it found are printed (the first
#                    20, with the column names), not just "expected 0, got 3"
#
# Also exported: PG_BINDIR (put first in PATH: psql is the server's own), PGDIR (the temp dir; PGDATA is $PGDIR/data and the
# server log $PGDIR/log), and XDG_CONFIG_HOME / XDG_STATE_HOME / XDG_DATA_HOME
# pointing inside $PGDIR, so that no personal guichet.conf or draft leaks in.
#
# initdb runs once per build tree: its result is cached, under a lock since
# make -j runs tests in parallel, in $top_builddir/tests/.cache/pgtemplate-VER
# with the database guichet already created, and every test copies it. The
# cluster is tuned for speed, not durability (fsync, synchronous_commit and
# full_page_writes off), uses locale C.UTF-8 and time zone UTC so that
# results do not depend on the machine.
#
# initdb refuses to run as root: as root, the server runs as the system user
# postgres (its files and socket directory belong to it) and clients, still
# root, connect through the socket with trust authentication.
#
# POSIX sh (dash). Call pg_start in the test's main shell, not in $(…) or a
# subshell: the cleanup is registered with tap.sh's atexit.

if [ -z "${_pg_loaded:-}" ]; then
_pg_loaded=1
. "${top_srcdir:?top_srcdir is not set}/tests/lib/tap.sh"

PG_SERVER_USER=postgres
# Bump when the template's making changes (settings, databases): cached
# templates of another format are rebuilt.
_PG_TEMPLATE_FORMAT=1
PGDIR=
_pg_pid=
_pg_watchdog=

# Run a server-side command (initdb, postgres, pg_ctl) as the user the
# cluster belongs to.
_pg_server()
{
	if [ "$(id -u)" -eq 0 ]; then
		# From /, which the server user can always enter.
		(cd / && exec runuser -u "$PG_SERVER_USER" -- "$@")
	else
		"$@"
	fi
}

_pg_find_bindir()
{
	if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ]; then
		return 0
	fi
	PG_BINDIR=$(pg_config --bindir 2>/dev/null) || PG_BINDIR=
	if [ -n "$PG_BINDIR" ] && [ -x "$PG_BINDIR/initdb" ]; then
		return 0
	fi
	PG_BINDIR=
	for _pg_d in /usr/lib/postgresql/*/bin; do
		[ -x "$_pg_d/initdb" ] && PG_BINDIR=$_pg_d
	done
	[ -n "$PG_BINDIR" ]
}

# Libpq reads these from the environment: none may point the tests at
# another server or change how they connect.
_pg_clean_env()
{
	unset PGSERVICE PGSERVICEFILE PGSYSCONFDIR PGPASSWORD PGPASSFILE \
	    PGHOSTADDR PGOPTIONS PGSSLMODE PGREQUIRESSL PGSSLCERT PGSSLKEY \
	    PGSSLROOTCERT PGSSLCRL PGGSSENCMODE PGREQUIREAUTH PGCHANNELBINDING \
	    PGTARGETSESSIONATTRS PGCONNECT_TIMEOUT PGCLIENTENCODING \
	    PGDATESTYLE PGTZ PGAPPNAME PGDATA PGLOCALEDIR PGKRBSRVNAME \
	    PGGSSLIB PGLOADBALANCEHOSTS 2>/dev/null || true
}

# A fresh temp dir for a cluster. The socket path must fit in 107 bytes.
# Copying the template costs ~70 ms on tmpfs but ~500 ms on a busy ext4, so
# /dev/shm is preferred when it is roomy (containers often give it 64 MB);
# GUICHET_TEST_TMPDIR chooses the place explicitly.
_pg_mktemp()
{
	_pg_tmp=${GUICHET_TEST_TMPDIR:-}
	if [ -z "$_pg_tmp" ]; then
		_pg_tmp=${TMPDIR:-/tmp}
		if [ -d /dev/shm ] && [ -w /dev/shm ] &&
		    [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" -gt 1048576 ] 2>/dev/null; then
			_pg_tmp=/dev/shm
		fi
	fi
	[ ${#_pg_tmp} -le 60 ] || _pg_tmp=/tmp
	# As root the server user must be able to enter it (not /root/tmp).
	if [ "$_pg_tmp" != /dev/shm ] && [ "$(id -u)" -eq 0 ] &&
	    ! _pg_server test -x "$_pg_tmp"; then
		_pg_tmp=/tmp
	fi
	mktemp -d "$_pg_tmp/guichet-pg.XXXXXX"
}

# _pg_wait_ready DATADIR PID: wait until the postmaster says "ready" in its
# pid file (what pg_ctl -w does, but polling every 10 ms, not 100 ms), for as
# long as it lives, at most $TEST_WAIT seconds (a loaded machine starts late).
_pg_wait_ready()
{
	_pg_end=$(($(date +%s) + ${TEST_WAIT:-120}))
	while [ "$(date +%s)" -lt "$_pg_end" ]; do
		if [ -r "$1/postmaster.pid" ] &&
		    [ "$(sed -n "8s/ *$//p" "$1/postmaster.pid" 2>/dev/null)" = ready ]; then
			return 0
		fi
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.01
	done
	return 1
}

# _pg_launch DIR: start the server of DIR/data with its socket in DIR;
# sets _pg_pid.
_pg_launch()
{
	_pg_server "$PG_BINDIR/postgres" -D "$1/data" -k "$1" \
	    >>"$1/log" 2>&1 </dev/null &
	# As root, $! is runuser's pid, which waits for the postmaster and so
	# lives exactly as long; the postmaster's own pid is in its pid file.
	_pg_pid=$!
	_pg_wait_ready "$1/data" "$_pg_pid"
}

# _pg_halt DIR: immediate shutdown (SIGQUIT), waiting for the server to exit.
_pg_halt()
{
	_pg_pm=$(sed -n 1p "$1/data/postmaster.pid" 2>/dev/null) || _pg_pm=
	if [ -n "$_pg_pm" ]; then
		# What pg_ctl stop -m immediate does, polled every 10 ms.
		kill -QUIT "$_pg_pm" 2>/dev/null
		_pg_end=$(($(date +%s) + ${TEST_WAIT:-120}))
		while kill -0 "$_pg_pm" 2>/dev/null && [ "$(date +%s)" -lt "$_pg_end" ]; do
			sleep 0.01
		done
	fi
	if [ -n "$_pg_pid" ]; then
		wait "$_pg_pid" 2>/dev/null
	fi
	return 0
}

# The settings every test cluster shares (appended to postgresql.conf).
_pg_conf()
{
	cat <<'EOF'

# tests/lib/pg.sh: a throwaway cluster, fast rather than durable.
listen_addresses = ''
port = 5432
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 100
max_wal_size = 256MB
min_wal_size = 2MB
wal_level = minimal
max_wal_senders = 0
timezone = 'UTC'
log_timezone = 'UTC'
datestyle = 'iso, ymd'
lc_messages = 'C'
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

# Build the template under the cache lock: initdb in a temp dir the server
# user can reach (the build tree may be under /root), start it once to
# create the database guichet, stop it cleanly, then move it into place.
_pg_make_template()
{
	_pg_t=$(_pg_mktemp) || return 1
	[ "$(id -u)" -ne 0 ] || chown "$PG_SERVER_USER:" "$_pg_t" || return 1
	if ! _pg_server "$PG_BINDIR/initdb" -D "$_pg_t/data" -U postgres \
	    -A trust -E UTF8 --locale=C.UTF-8 --no-sync --wal-segsize=1 \
	    >"$_pg_t/log" 2>&1; then
		cat "$_pg_t/log" >&2
		rm -rf "$_pg_t"
		return 1
	fi
	_pg_conf >>"$_pg_t/data/postgresql.conf"
	_pg_pid=
	if ! _pg_launch "$_pg_t" ||
	    ! "$PG_BINDIR/psql" -X -q -h "$_pg_t" -p 5432 -U postgres \
	    -d postgres -v ON_ERROR_STOP=1 -c 'CREATE DATABASE guichet' \
	    >>"$_pg_t/log" 2>&1 ||
	    ! _pg_server "$PG_BINDIR/pg_ctl" -D "$_pg_t/data" -m fast -w stop \
	    >>"$_pg_t/log" 2>&1; then
		cat "$_pg_t/log" >&2
		_pg_halt "$_pg_t"
		rm -rf "$_pg_t"
		return 1
	fi
	wait "$_pg_pid" 2>/dev/null
	_pg_pid=
	rm -f "$_pg_t/data/postmaster.opts" "$_pg_t/data/log"
	rm -rf "$2.new"
	mv "$_pg_t/data" "$2.new" && mv "$2.new" "$2" &&
	    echo "$_PG_TEMPLATE_FORMAT" >"$2/.complete"
	_pg_st=$?
	rm -rf "$_pg_t"
	return $_pg_st
}

# The cached template, built on first use; prints its path.
_pg_template()
{
	_pg_ver=$("$PG_BINDIR/postgres" --version | sed -n 's/^[^0-9]*\([0-9][0-9]*\).*/\1/p')
	[ -n "$_pg_ver" ] || _pg_ver=unknown
	_pg_cache=${top_builddir:-.}/tests/.cache
	mkdir -p "$_pg_cache" || return 1
	_pg_tpl=$_pg_cache/pgtemplate-$_pg_ver
	if [ "$(cat "$_pg_tpl/.complete" 2>/dev/null)" != "$_PG_TEMPLATE_FORMAT" ]; then
		(
			flock 9 || exit 1
			[ "$(cat "$_pg_tpl/.complete" 2>/dev/null)" = "$_PG_TEMPLATE_FORMAT" ] &&
			    exit 0
			rm -rf "$_pg_tpl"
			_pg_make_template "$_pg_cache" "$_pg_tpl"
		) 9>"$_pg_cache/pgtemplate.lock" || return 1
	fi
	echo "$_pg_tpl"
}

# Stop the server (the watchdog first, so that it does not race us) and
# remove the directory.
_pg_cleanup()
{
	[ -n "$PGDIR" ] || return 0
	if [ -n "$_pg_watchdog" ]; then
		kill "$_pg_watchdog" 2>/dev/null
		_pg_watchdog=
	fi
	_pg_halt "$PGDIR"
	rm -rf "$PGDIR"
	PGDIR=
}

# _pg_watch DIR PID: a test killed by SIGKILL (a timeout, a runaway kill)
# runs no trap; this background loop outlives it and then stops its server
# and removes DIR, so that no cluster is left behind.
_pg_watch()
{
	while kill -0 "$2" 2>/dev/null; do
		sleep 1
	done
	_pg_pid=
	_pg_halt "$1"
	rm -rf "$1"
}

pg_start()
{
	_pg_replication=no
	[ "${1:-}" != --replication ] || _pg_replication=yes
	if [ -n "$PGDIR" ]; then
		bail_out "pg_start: a cluster is already running in $PGDIR"
	fi
	_pg_clean_env
	if ! _pg_find_bindir; then
		skip_all "PostgreSQL server programs not found (apt-get install postgresql-15)"
	fi
	if [ "$(id -u)" -eq 0 ] && ! id "$PG_SERVER_USER" >/dev/null 2>&1; then
		skip_all "running as root and there is no $PG_SERVER_USER user to run the server"
	fi
	export PG_BINDIR
	_pg_tpl=$(_pg_template) || bail_out "pg_start: cannot create the template cluster"
	PGDIR=$(_pg_mktemp) || bail_out "pg_start: cannot create a temporary directory"
	atexit _pg_cleanup
	mkdir "$PGDIR/config" "$PGDIR/state" "$PGDIR/share" ||
	    bail_out "pg_start: cannot populate $PGDIR"
	cp -a "$_pg_tpl" "$PGDIR/data" || bail_out "pg_start: cannot copy $_pg_tpl"
	rm -f "$PGDIR/data/.complete"
	if [ "$(id -u)" -eq 0 ]; then
		chown "$PG_SERVER_USER:" "$PGDIR" || bail_out "pg_start: chown $PGDIR"
		# A template made by another user (a copied build tree) must be
		# given to the server user; normally it already belongs to it.
		if [ "$(stat -c %U "$PGDIR/data")" != "$PG_SERVER_USER" ]; then
			chown -R "$PG_SERVER_USER:" "$PGDIR/data"
		fi
	fi
	if [ "$_pg_replication" = yes ]; then
		printf '%s\n' 'wal_level = replica' 'max_wal_senders = 4' \
		    >>"$PGDIR/data/postgresql.conf"
	fi
	if ! _pg_launch "$PGDIR"; then
		sed 's/^/# /' "$PGDIR/log"
		bail_out "pg_start: the server did not start"
	fi
	_pg_watch "$PGDIR" $$ </dev/null >/dev/null 2>&1 &
	_pg_watchdog=$!
	# psql and friends of the server's version, without Debian's wrapper.
	PATH=$PG_BINDIR:$PATH
	PGHOST=$PGDIR
	PGPORT=5432
	PGUSER=postgres
	PGDATABASE=guichet
	XDG_CONFIG_HOME=$PGDIR/config
	XDG_STATE_HOME=$PGDIR/state
	XDG_DATA_HOME=$PGDIR/share
	export PATH PGDIR PGHOST PGPORT PGUSER PGDATABASE \
	    XDG_CONFIG_HOME XDG_STATE_HOME XDG_DATA_HOME
}

pg_install()
{
	[ -n "$PGDIR" ] || bail_out "pg_install: call pg_start first"
	# Its output goes to the log, not into the TAP stream.
	guichet-admin init "$@" >&2 ||
	    bail_out "pg_install: guichet-admin init failed (exit $?)"
}

pg_fixture()
{
	[ -n "$PGDIR" ] || bail_out "pg_fixture: call pg_start first"
	_pg_fx=$top_srcdir/tests/lib/fixture.sql
	[ -r "$_pg_fx" ] || bail_out "pg_fixture: $_pg_fx is missing"
	"$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -f "$_pg_fx" >&2 ||
	    bail_out "pg_fixture: loading fixture.sql failed"
}

# libpq conninfo values are quoted so that any socket path works.
_pg_quote()
{
	printf "'%s'" "$(printf '%s' "$1" | sed "s/[\\\\']/\\\\&/g")"
}

pg_conninfo()
{
	[ -n "$PGDIR" ] || bail_out "pg_conninfo: call pg_start first"
	printf 'host=%s port=%s dbname=%s user=%s\n' "$(_pg_quote "$PGHOST")" \
	    "$PGPORT" "$(_pg_quote "$PGDATABASE")" "$(_pg_quote "$1")"
}

no_rows()
{
	_nr_out=$("$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -P pager=off -P footer=off \
	    -c "$2" 2>&1)
	_nr_rc=$?
	# With a header and no row, psql prints the header and its rule only.
	if [ "$_nr_rc" -eq 0 ] && [ "$(printf '%s\n' "$_nr_out" | sed '/^$/d' | wc -l)" -le 2 ]; then
		_tap_result 0 "$1"
		return 0
	fi
	_tap_result 1 "$1" || true
	if [ "$_nr_rc" -ne 0 ]; then
		echo "#   the query failed (psql exited $_nr_rc):"
	else
		echo "#   expected: no row; the rows found:"
	fi
	printf '%s\n' "$_nr_out" | sed '/^$/d' | head -22 | sed 's/^/#     /'
	return 1
}

psql_as()
{
	_pg_login=$1
	shift
	PGUSER=$_pg_login "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"
}

## The standby and the pooler (tests/grow).

STANDBY_DIR=
_pg_standby_pid=
_pg_standby_watchdog=

# A temp dir that belongs to the server user when we are root.
_pg_server_dir()
{
	_pg_sd=$(_pg_mktemp) || return 1
	if [ "$(id -u)" -eq 0 ]; then
		chown "$PG_SERVER_USER:" "$_pg_sd" || return 1
	fi
	echo "$_pg_sd"
}

_pg_standby_cleanup()
{
	[ -n "$STANDBY_DIR" ] || return 0
	if [ -n "$_pg_standby_watchdog" ]; then
		kill "$_pg_standby_watchdog" 2>/dev/null
		_pg_standby_watchdog=
	fi
	# _pg_halt waits for $_pg_pid: the standby's, for this once.
	_pg_keep=$_pg_pid
	_pg_pid=$_pg_standby_pid
	_pg_halt "$STANDBY_DIR"
	_pg_pid=$_pg_keep
	rm -rf "$STANDBY_DIR"
	STANDBY_DIR=
}

pg_standby()
{
	[ -n "$PGDIR" ] || bail_out "pg_standby: call pg_start --replication first"
	[ -z "$STANDBY_DIR" ] || bail_out "pg_standby: a standby is already running"
	STANDBY_DIR=$(_pg_server_dir) || bail_out "pg_standby: cannot create a temporary directory"
	atexit _pg_standby_cleanup
	# -R writes primary_conninfo and standby.signal: the copy of a running
	# cluster starts as a hot standby that streams from it.
	if ! _pg_server "$PG_BINDIR/pg_basebackup" -h "$PGDIR" -p 5432 -U postgres \
	    -D "$STANDBY_DIR/data" -R -X stream -c fast --no-sync >>"$STANDBY_DIR/log" 2>&1; then
		sed 's/^/# /' "$STANDBY_DIR/log"
		bail_out "pg_standby: pg_basebackup failed (was the primary started with --replication?)"
	fi
	_pg_keep=$_pg_pid
	if ! _pg_launch "$STANDBY_DIR"; then
		_pg_pid=$_pg_keep
		sed 's/^/# /' "$STANDBY_DIR/log"
		bail_out "pg_standby: the standby did not start"
	fi
	_pg_standby_pid=$_pg_pid
	_pg_pid=$_pg_keep
	_pg_watch "$STANDBY_DIR" $$ </dev/null >/dev/null 2>&1 &
	_pg_standby_watchdog=$!
	STANDBY_HOST=$STANDBY_DIR
	export STANDBY_HOST
}

_pg_replayed()
{
	[ "$("$PG_BINDIR/psql" -X -At -h "$STANDBY_HOST" -p 5432 -U postgres -d guichet \
	    -c "SELECT pg_last_wal_replay_lsn() >= '$1'::pg_lsn" 2>/dev/null)" = t ]
}

pg_wait_replay()
{
	[ -n "$STANDBY_DIR" ] || bail_out "pg_wait_replay: call pg_standby first"
	# The insert position: with synchronous_commit off, what was committed
	# may not be written yet, and the standby must have it all.
	_pg_lsn=$("$PG_BINDIR/psql" -X -At -h "$PGDIR" -p 5432 -U postgres -d guichet \
	    -c 'SELECT pg_current_wal_insert_lsn()') ||
	    bail_out "pg_wait_replay: cannot read the primary's WAL position"
	wait_until _pg_replayed "$_pg_lsn"
}

BOUNCER_DIR=
_pg_bouncer_pid=
_pg_bouncer_watchdog=

# _pg_bouncer_stop DIR: SIGTERM, waiting for it to exit (SIGINT, the "safe"
# shutdown, would wait for every session client, a console, to leave).
_pg_bouncer_stop()
{
	_pg_bp=$(cat "$1/pid" 2>/dev/null) || _pg_bp=
	if [ -n "$_pg_bp" ]; then
		kill -TERM "$_pg_bp" 2>/dev/null
		_pg_end=$(($(date +%s) + ${TEST_WAIT:-120}))
		while kill -0 "$_pg_bp" 2>/dev/null && [ "$(date +%s)" -lt "$_pg_end" ]; do
			sleep 0.01
		done
		kill -KILL "$_pg_bp" 2>/dev/null
	fi
}

_pg_bouncer_cleanup()
{
	[ -n "$BOUNCER_DIR" ] || return 0
	if [ -n "$_pg_bouncer_watchdog" ]; then
		kill "$_pg_bouncer_watchdog" 2>/dev/null
		_pg_bouncer_watchdog=
	fi
	_pg_bouncer_stop "$BOUNCER_DIR"
	[ -z "$_pg_bouncer_pid" ] || wait "$_pg_bouncer_pid" 2>/dev/null
	rm -rf "$BOUNCER_DIR"
	BOUNCER_DIR=
}

# As _pg_watch: a test killed by SIGKILL leaves no pgbouncer behind.
_pg_bouncer_watch()
{
	while kill -0 "$2" 2>/dev/null; do
		sleep 1
	done
	_pg_bouncer_stop "$1"
	rm -rf "$1"
}

_pg_bouncer_ini()
{
	cat <<EOF
; tests/lib/pg.sh: a pooler in front of the throwaway cluster.
[databases]
guichet = host=$PGDIR port=5432 dbname=guichet pool_mode=session
guichet_tx = host=$PGDIR port=5432 dbname=guichet pool_mode=transaction

[pgbouncer]
unix_socket_dir = $BOUNCER_DIR
listen_port = 6432
auth_type = trust
auth_file = $BOUNCER_DIR/users.txt
admin_users = postgres
pidfile = $BOUNCER_DIR/pid
logfile = $BOUNCER_DIR/log
max_client_conn = ${BOUNCER_MAX_CLIENTS:-100}
default_pool_size = ${BOUNCER_POOL_SIZE:-10}
; DISCARD ALL after every transaction of the transaction pool too, so that
; session state a program wrongly relies on there is lost at once, not only
; under load when another client's transaction comes between.
server_reset_query = DISCARD ALL
server_reset_query_always = 1
EOF
}

_pg_bouncer_up()
{
	kill -0 "$_pg_bouncer_pid" 2>/dev/null || return 0
	[ -S "$BOUNCER_DIR/.s.PGSQL.6432" ]
}

pg_bouncer()
{
	[ -n "$PGDIR" ] || bail_out "pg_bouncer: call pg_start first"
	[ -z "$BOUNCER_DIR" ] || bail_out "pg_bouncer: a pgbouncer is already running"
	_pg_bb=$(command -v pgbouncer 2>/dev/null || echo /usr/sbin/pgbouncer)
	[ -x "$_pg_bb" ] || skip_all "pgbouncer is not installed (apt-get install pgbouncer)"
	BOUNCER_DIR=$(_pg_server_dir) || bail_out "pg_bouncer: cannot create a temporary directory"
	atexit _pg_bouncer_cleanup
	"$PG_BINDIR/psql" -X -At -h "$PGDIR" -p 5432 -U postgres -d guichet -c \
	    "SELECT format('\"%s\" \"\"', replace(rolname, '\"', '\"\"')) FROM pg_roles WHERE rolcanlogin" \
	    >"$BOUNCER_DIR/users.txt" || bail_out "pg_bouncer: cannot list the login roles"
	_pg_bouncer_ini >"$BOUNCER_DIR/pgbouncer.ini"
	[ "$(id -u)" -ne 0 ] || chown "$PG_SERVER_USER:" "$BOUNCER_DIR"/*
	_pg_server "$_pg_bb" "$BOUNCER_DIR/pgbouncer.ini" >>"$BOUNCER_DIR/stderr" 2>&1 </dev/null &
	_pg_bouncer_pid=$!
	if ! wait_until _pg_bouncer_up || ! kill -0 "$_pg_bouncer_pid" 2>/dev/null; then
		sed 's/^/# /' "$BOUNCER_DIR/stderr" "$BOUNCER_DIR/log" 2>/dev/null
		bail_out "pg_bouncer: pgbouncer did not start"
	fi
	_pg_bouncer_watch "$BOUNCER_DIR" $$ </dev/null >/dev/null 2>&1 &
	_pg_bouncer_watchdog=$!
	BOUNCER_HOST=$BOUNCER_DIR
	export BOUNCER_HOST
}

# pg_bouncer_conninfo LOGIN DB: LOGIN through the pooler, in its session
# (DB guichet) or transaction (DB guichet_tx) pool.
pg_bouncer_conninfo()
{
	printf 'host=%s port=6432 dbname=%s user=%s\n' "$(_pg_quote "$BOUNCER_HOST")" \
	    "$2" "$(_pg_quote "$1")"
}
fi
