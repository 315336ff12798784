#!/bin/sh
# tests/grow/standby.sh — reports served by a streaming hot standby: a primary
# and a standby made by pg_basebackup -R, the report fixture loaded on the
# primary, and once the standby has replayed it, every case of
# tests/report/cases run on both: the standby's output is byte for byte the
# primary's. Also what a standby cannot do is refused in one clear line:
# guichet-admin and guichet-mail import, which write.

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

cases=$top_srcdir/tests/report/cases

pg_start --replication
pg_install
pg_standby
psql -X -q -v ON_ERROR_STOP=1 -f "$top_srcdir/tests/report/fixture.sql" >&2 ||
    bail_out "loading tests/report/fixture.sql failed"
ok "the standby replays what the primary wrote" pg_wait_replay
is "$(psql -X -At -h "$STANDBY_HOST" -c 'SELECT pg_is_in_recovery()')" t \
    "the standby is in recovery: it is a standby"
is "$(psql -X -At -h "$STANDBY_HOST" -c 'SELECT count(*) FROM guichet.ticket')" \
    "$(psql -X -At -c 'SELECT count(*) FROM guichet.ticket')" \
    "the standby has the fixture's tickets"

out=$PGDIR/out
mkdir "$out" && chmod 777 "$out"
standby=$(printf 'host=%s dbname=guichet' "$STANDBY_HOST")

n=0
while IFS='	' read -r name args; do
	case $name in
	'#'*|'') continue ;;
	esac
	n=$((n + 1))
	# shellcheck disable=SC2086 # the arguments are words
	guichet-report $args >"$out/$name.primary" 2>"$out/$name.primary.err"
	rcp=$?
	# shellcheck disable=SC2086
	guichet-report -d "$standby" $args >"$out/$name.standby" 2>"$out/$name.standby.err"
	rcs=$?
	if [ "$rcp" -ne 0 ] || [ "$rcs" -ne 0 ]; then
		fail "$name: runs on the primary and on the standby"
		diag "primary: exit $rcp: $(cat "$out/$name.primary.err")"
		diag "standby: exit $rcs: $(cat "$out/$name.standby.err")"
		continue
	fi
	if [ -s "$out/$name.standby" ] && cmp -s "$out/$name.primary" "$out/$name.standby"; then
		pass "$name: the standby's output is the primary's, byte for byte"
	else
		fail "$name: the standby's output is the primary's, byte for byte"
		diff -u "$out/$name.primary" "$out/$name.standby" | sed 's/^/# /' | head -40
	fi
done <"$cases"
diag "$n report runs compared"

# Every report guichet-report --help lists is among the cases.
for r in $(guichet-report --help 2>&1 | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p'); do
	like "$(cut -f2 "$cases" | cut -d' ' -f1 | sort -u)" "^$r\$" \
	    "report $r is compared on the standby"
done

# A cron job logs in as a supervisor, under row-level security: every
# report as nordville's supervisor, csv, from the standby with -o.
for r in volume sla quality backlog agents escalations hotspots contacts trend; do
	when="--from 2025-03-01 --to 2025-03-31"
	[ "$r" != backlog ] || when="--at 2025-03-06"
	# shellcheck disable=SC2086
	guichet-report -d "$(pg_conninfo rp_chef)" $r $when --format csv \
	    >"$out/$r.chef.primary" 2>&1
	# shellcheck disable=SC2086
	guichet-report -d "$standby user=rp_chef" $r $when --format csv \
	    -o "$out/$r.chef.standby" >"$out/$r.chef.err" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && [ -s "$out/$r.chef.standby" ] &&
	    cmp -s "$out/$r.chef.primary" "$out/$r.chef.standby"; then
		pass "$r as the supervisor, -o, on the standby: the primary's output"
	else
		fail "$r as the supervisor, -o, on the standby: the primary's output"
		diag "exit $rc: $(cat "$out/$r.chef.err")"
		diff -u "$out/$r.chef.primary" "$out/$r.chef.standby" | sed 's/^/# /' | head -20
	fi
done

guichet-admin -d "$standby" org add grow 'Grow' >"$out/admin.out" 2>&1
rc=$?
is "$rc" 69 "guichet-admin on the standby: refused, exit 69 (EX_UNAVAILABLE)"
like "$(cat "$out/admin.out")" "read-only .*connect to the primary" "guichet-admin on the standby says why (read-only) and where to go"
is "$(wc -l <"$out/admin.out")" 1 "in one line" || diag "$(cat "$out/admin.out")"
diag "guichet-admin: exit $rc: $(cat "$out/admin.out")"

# guichet-mail import on the standby: refused, the mail left where it was.
sh "$top_srcdir/tests/mail/gen-maildir.sh" "$out/maildir" 3 0 s >/dev/null 2>&1
printf 'set mail.default_queue accueil\n' >"$out/guichet.conf"
guichet-mail -F "$out/guichet.conf" -d "$standby" import --maildir "$out/maildir" \
    >"$out/mail.out" 2>&1
rc=$?
is "$rc" 75 "guichet-mail import on the standby: refused, exit 75 (the MTA keeps the mail)"
like "$(cat "$out/mail.out")" "read-only .*connect to the primary" \
    "guichet-mail import on the standby says why and where to go"
is "$(ls "$out/maildir/new" | wc -l)" 3 "the three messages are left in the maildir"
diag "guichet-mail import: exit $rc: $(cat "$out/mail.out")"

done_testing
