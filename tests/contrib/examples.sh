#!/bin/sh
# tests/contrib/examples.sh — the cron.d files and systemd units of contrib/
# do what their heads say, run as cron and systemd would run them:
#   cron/weekly-report    mails the page when the report succeeds; when it
#                         fails nothing is mailed, the command exits non-zero
#                         and the report's reason is what cron mails
#   cron/expire-claims    releases expired claims and wakes pending tickets,
#                         quietly, as a member of guichet_mail
#   systemd units         pass systemd-analyze verify
# sendmail is the one stand-in: a script that keeps what it is given.

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
pg_fixture

D=$PGDIR/contrib
mkdir -p "$D/bin"
cat >"$D/bin/sendmail" <<'SH'
#!/bin/sh
cat >"$SENT"
exit "${SENDMAIL_STATUS:-0}"
SH
chmod +x "$D/bin/sendmail"
SENT=$D/sent
export SENT

# The command of a cron.d line (after five times and a user), with cron's \%
# made %, as cron hands it to $SHELL -c.
cron_command()
{
	sed -n 's/^[0-9*][^ ]* *[^ ]* *[^ ]* *[^ ]* *[^ ]* *[^ ]* *//p' "$1" | sed 's/\\%/%/g'
}
cron_shell()
{
	sed -n 's/^SHELL=//p' "$1"
}

# --- weekly-report ---------------------------------------------------------
f=$top_srcdir/contrib/cron/weekly-report
cmd=$(cron_command "$f")
sh=$(cron_shell "$f")
is "$sh" /bin/bash "weekly-report runs under bash (dash has no pipefail)"
like "$cmd" 'set -o pipefail' "weekly-report sets pipefail"

rm -f "$SENT"
out=$(PATH=$D/bin:$PATH "$sh" -c "$cmd" 2>&1)
is "$?:$out" "0:" "weekly-report: quiet when the report and the mail succeed"
like "$(cat "$SENT" 2>/dev/null)" '^Subject: Guichet, semaine du [0-9]{4}-[0-9]{2}-[0-9]{2}$' \
    "weekly-report: the mail's subject has the week's first day"
like "$(cat "$SENT" 2>/dev/null)" '</html>' "weekly-report: the whole page is mailed"

# The database is down: no mail, a non-zero status, the reason for cron's mail.
rm -f "$SENT"
out=$(PATH=$D/bin:$PATH PGHOST=$D/nowhere "$sh" -c "$cmd" 2>&1)
rc=$?
isnt "$rc" 0 "weekly-report: a failed report fails the command (status $rc)"
like "$out" '^guichet-report: ' "weekly-report: the report's reason is printed for cron's mail"
ok "weekly-report: nothing is mailed when the report failed" test ! -e "$SENT"

# sendmail refuses: pipefail makes the command fail.
out=$(PATH=$D/bin:$PATH SENDMAIL_STATUS=75 "$sh" -c "$cmd" 2>&1)
is "$?" 75 "weekly-report: a failing sendmail fails the command"

# --- expire-claims ---------------------------------------------------------
f=$top_srcdir/contrib/cron/expire-claims
cmd=$(cron_command "$f")
is "$cmd" "guichet-admin expire-claims" "expire-claims: the cron line runs guichet-admin expire-claims"
# A pending ticket whose wake-up time has passed.
id=$(psql -X -At -v ON_ERROR_STOP=1 -c "UPDATE guichet.ticket
    SET status = 'pending', pending_until = now() - interval '1 minute'
    WHERE id = (SELECT min(id) FROM guichet.ticket WHERE status = 'open') RETURNING id" | head -1)
like "$id" '^[0-9]+$' "a pending ticket whose time has come (#$id)"
out=$(PGUSER=mailer PATH=$top_builddir:$PATH "$(cron_shell "$f")" -c "$cmd" 2>&1)
is "$?:$out" "0:" "expire-claims: exit 0 and quiet, as the mail gateway's role"
is "$(psql -X -At -c "SELECT status FROM guichet.ticket WHERE id = $id")" open \
    "expire-claims: the pending ticket is open again"

# --- systemd units -----------------------------------------------------------
if ! command -v systemd-analyze >/dev/null 2>&1; then
	skip "systemd-analyze is not installed" 2
else
	# The units name the installed programs: point them at the build's.
	mkdir "$D/units"
	for u in "$top_srcdir"/contrib/systemd/*.service "$top_srcdir"/contrib/systemd/*.timer \
	    "$top_srcdir"/contrib/mail/*.service "$top_srcdir"/contrib/mail/*.timer; do
		sed "s|/usr/sbin/\(guichet[a-z-]*\)|$top_builddir/\1|g" "$u" >"$D/units/${u##*/}"
	done
	ok "contrib/systemd: guichet-expire-claims units pass systemd-analyze verify" \
	    systemd-analyze verify "$D/units/guichet-expire-claims.timer" \
	    "$D/units/guichet-expire-claims.service"
	ok "contrib/mail: guichet-mail-import units pass systemd-analyze verify" \
	    systemd-analyze verify "$D/units/guichet-mail-import.timer" \
	    "$D/units/guichet-mail-import.service"
fi

done_testing
