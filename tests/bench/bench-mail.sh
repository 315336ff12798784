#!/bin/bash
# tests/bench/bench-mail.sh — the mail gateway: import of a 10,000-message
# maildir (genmail.pl: 2–8 KB, 10% with attachments, 20% follow-ups onto
# tickets and messages of the demo desk), committed, in messages/s, and the
# importer's peak resident memory; then --stdin, one process per message as
# an MTA runs it. Each measured run imports a maildir of its own (different
# Message-IDs), so none of the work is skipped as a duplicate.
#
# Floors: for the maildir, COPY of exactly the rows our import wrote (raw
# messages, contacts, tickets, articles, attachments, blobs, history, outbox)
# into empty tables with the same indexes, in one transaction; for --stdin,
# one process and one connection per message doing nothing (psql -c 'SELECT 1').
set -u
. "$BENCH_DIR/lib.sh"

count=${BENCH_MAIL_COUNT:-10000}
stdin_count=${BENCH_MAIL_STDIN_COUNT:-500}
maildirs=$BENCH_CACHE_DIR/maildirs
diag=$BENCH_WORK/diag
mkdir -p "$maildirs" "$diag"

if ! command -v guichet-mail >/dev/null; then
	for n in mail.maildir mail.maildir.rss mail.stdin; do
		bench_want "$n" && bench_skip "$n" "guichet-mail import" "guichet-mail is not built"
	done
	exit 0
fi

# The gateway's own login, as in production.
bench_psql <<'EOF' || bench_die "mail setup failed"
SELECT 'CREATE ROLE bench_mail LOGIN' WHERE NOT EXISTS
    (SELECT 1 FROM pg_roles WHERE rolname = 'bench_mail') \gexec
GRANT guichet_mail TO bench_mail;
EOF
conninfo=$(bench_conninfo bench_mail)
conf=$BENCH_WORK/mail.conf
: >"$conf"

# What follow-ups thread onto: tickets, stored Message-IDs, the desk's
# addresses and known requesters, chosen deterministically.
lists=$BENCH_WORK/mail-lists
mkdir -p "$lists"
bench_psql -c "SELECT id FROM guichet.ticket WHERE status <> 'merged'
    ORDER BY id % 997, id LIMIT 2000" >"$lists/tickets"
bench_psql -c "SELECT message_id FROM guichet.article WHERE message_id IS NOT NULL
    ORDER BY id % 991, id LIMIT 2000" >"$lists/message-ids"
bench_psql -c "SELECT address FROM guichet.queue_address ORDER BY address" >"$lists/to"
bench_psql -c "SELECT email FROM guichet.contact WHERE email IS NOT NULL
    ORDER BY id % 983, id LIMIT 3000" >"$lists/from"

# maildir_for RUN COUNT: a cached generated maildir (kept with the cluster).
maildir_for() {
	local dir=$maildirs/run-$1-$2
	if [ ! -d "$dir/new" ]; then
		rm -rf "$dir.tmp"
		perl "$BENCH_DIR/genmail.pl" --out "$dir.tmp" --count "$2" --seed "$BENCH_SEED" \
		    --run "$1" --tickets "$lists/tickets" --message-ids "$lists/message-ids" \
		    --to "$lists/to" --from "$lists/from" || return 1
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir"
}

tables="raw_message contact ticket article attachment history outbox"
high_marks() {
	local t sql=
	for t in $tables; do
		sql="$sql${sql:+, }(SELECT coalesce(max(id), 0) FROM guichet.$t)"
	done
	bench_psql -F ' ' -c "SELECT $sql"
}

# Each measured import gets its own maildir; a file counts the runs because
# bench_repeat runs us in a subshell.
next_run() {
	local n
	n=$(( $(cat "$BENCH_WORK/mail-run" 2>/dev/null || echo 0) + 1 ))
	echo "$n" >"$BENCH_WORK/mail-run"
	echo "$n"
}

# One import: prints "messages_per_second peak_rss_MB".
maildir_once() {
	local src work=$BENCH_WORK/maildir t0 t1 left st
	src=$(maildir_for "$(next_run)" "$count") || return 1
	rm -rf "$work" && cp -a "$src" "$work" || return 1
	high_marks >"$BENCH_WORK/marks-before"
	t0=$(bench_now_us)
	/usr/bin/time -f '%M' -o "$BENCH_WORK/rss" guichet-mail -d "$conninfo" -F "$conf" \
	    import --maildir "$work" --summary >"$diag/mail-maildir.out" 2>&1
	st=$?
	t1=$(bench_now_us)
	if [ $st != 0 ] && [ $st != 65 ]; then
		bench_log "guichet-mail import exited $st: $(tail -1 "$diag/mail-maildir.out")"
		return 1
	fi
	left=$(find "$work/new" -type f | wc -l)
	[ "$left" = 0 ] || bench_log "$left messages left in new/ after the import"
	awk -v n="$count" -v a="$t0" -v b="$t1" -v kb="$(tail -1 "$BENCH_WORK/rss")" \
	    'BEGIN { printf "%.1f %.1f\n", n / ((b - a) / 1e6), kb / 1024 }'
}

# The rows the last import wrote, COPYed into empty twins of their tables.
copy_floor_setup() {
	local t i=1 marks
	marks=($(cat "$BENCH_WORK/marks-before"))
	mkdir -p "$BENCH_WORK/copy"
	bench_psql -c 'DROP SCHEMA IF EXISTS bench_floor CASCADE' -c 'CREATE SCHEMA bench_floor'
	for t in $tables blob; do
		bench_psql -c "CREATE TABLE bench_floor.$t (LIKE guichet.$t INCLUDING DEFAULTS
		    INCLUDING CONSTRAINTS INCLUDING INDEXES)" || return 1
	done
	for t in $tables; do
		bench_psql -c "\\copy (SELECT * FROM guichet.$t WHERE id > ${marks[$((i - 1))]}) TO '$BENCH_WORK/copy/$t' (FORMAT binary)" || return 1
		i=$((i + 1))
	done
	bench_psql -c "\\copy (SELECT * FROM guichet.blob WHERE sha256 IN (SELECT sha256
	    FROM guichet.attachment WHERE id > ${marks[4]})) TO '$BENCH_WORK/copy/blob' (FORMAT binary)"
	{
		echo 'BEGIN;'
		for t in $tables blob; do
			echo "\\copy bench_floor.$t FROM '$BENCH_WORK/copy/$t' (FORMAT binary)"
		done
		echo 'COMMIT;'
	} >"$BENCH_WORK/copy.sql"
}

copy_floor_once() {
	local t t0 t1
	for t in $tables blob; do
		bench_psql -c "TRUNCATE bench_floor.$t" || return 1
	done
	t0=$(bench_now_us)
	bench_psql -f "$BENCH_WORK/copy.sql" || return 1
	t1=$(bench_now_us)
	awk -v n="$count" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", n / ((b - a) / 1e6) }'
}

if bench_want mail.maildir; then
	rates= rss= floor=
	if maildir_once >/dev/null; then
		for ((i = 0; i < BENCH_RUNS; i++)); do
			set -- $(maildir_once) || break
			rates="$rates $1" rss="$rss $2"
		done
	fi
	if [ -n "$rates" ]; then
		outcome=$(bench_psql -F ' ' -c "SELECT string_agg(outcome || ' ' || n, ', ')
		    FROM (SELECT outcome, count(*) n FROM guichet.raw_message
		    WHERE id > $(cut -d' ' -f1 "$BENCH_WORK/marks-before")
		    GROUP BY outcome ORDER BY outcome) o")
		threaded=$(bench_psql -c "SELECT count(*) FILTER (WHERE thread_rule <> 'new')
		    || ' follow-ups threaded, ' || count(*) FILTER (WHERE thread_rule = 'new')
		    || ' new tickets' FROM guichet.article
		    WHERE id > $(cut -d' ' -f4 "$BENCH_WORK/marks-before")")
		copy_floor_setup >/dev/null && floor=$(bench_repeat copy_floor_once) || floor=
		bench_record mail.maildir msg/s \
		    "guichet-mail import --maildir, $count messages, committed" \
		    "$rates" "$floor" '>=1000' "last run: $outcome; $threaded"
		bench_record mail.maildir.rss MB "peak resident memory of that import" \
		    "$rss" "" '<64'
	else
		bench_skip mail.maildir "guichet-mail import --maildir" \
		    "the import failed: $(tail -1 "$diag/mail-maildir.out")"
	fi
fi

# --stdin: one process per message, as an MTA's pipe transport runs it.
stdin_once() {
	local src f t0 t1 n=0 st
	src=$(maildir_for "$((1000 + $(next_run)))" "$stdin_count") || return 1
	t0=$(bench_now_us)
	for f in "$src"/new/*; do
		guichet-mail -d "$conninfo" -F "$conf" import --stdin <"$f" \
		    >>"$diag/mail-stdin.out" 2>&1
		st=$?
		[ $st = 0 ] || [ $st = 65 ] || return 1
		n=$((n + 1))
	done
	t1=$(bench_now_us)
	awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", n / ((b - a) / 1e6) }'
}

connect_once() {
	local src f t0 t1 n=0
	src=$(maildir_for 1001 "$stdin_count") || return 1
	t0=$(bench_now_us)
	for f in "$src"/new/*; do
		psql -X -q -At -c 'SELECT 1' <"$f" >/dev/null || return 1
		n=$((n + 1))
	done
	t1=$(bench_now_us)
	awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", n / ((b - a) / 1e6) }'
}

if bench_want mail.stdin; then
	echo 0 >"$BENCH_WORK/mail-run"
	: >"$diag/mail-stdin.out"
	if ours=$(bench_repeat stdin_once); then
		floor=$(bench_repeat connect_once) || floor=
		bench_record mail.stdin msg/s \
		    "guichet-mail import --stdin, one process per message, $stdin_count messages" \
		    "$ours" "$floor" "" "floor: one psql process and connection per message"
	else
		bench_skip mail.stdin "guichet-mail import --stdin" \
		    "the import failed: $(tail -1 "$diag/mail-stdin.out")"
	fi
fi
