# tests/console/reconnect.sh — the connection is killed under the console and
# logins are refused for a while: the status line says "reconnecting…", the
# ticket stays readable, a note written meanwhile is kept as a draft, the
# console reconnects by itself and shows what changed meanwhile; the draft is
# announced at the next start and sent from there.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture

console_start main alice
ok "the console starts" wait_for main "voirie-n2"
keys main '#'
type_text main 2
keys main Enter
ok "alice reads #2" wait_for main "Des gravats sont déposés"

sql "ALTER ROLE alice NOLOGIN" >/dev/null
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'alice'" >/dev/null
ok "the status line says reconnecting" wait_for main "reconnecting…"
like "$(screen main)" 'Des gravats sont déposés' "the ticket stays on the screen"
psql_as sam -c "SELECT guichet.add_note(2, 'Note de sam pendant la coupure')" >/dev/null

printf 'Note écrite pendant la coupure.\n' > "$CONSOLE_DIR/body"
keys main a
ok "a note can still be written" wait_for main "time spent"
keys main Enter
ok "sending it fails and says why" wait_for main "#2: not connected to the database"
ok "the note is kept as a draft" test -s "$XDG_STATE_HOME/guichet/drafts/2-note.md"
is "$(sql "SELECT count(*) FROM guichet.article WHERE ticket_id = 2 AND body LIKE 'Note écrite%'")" \
    0 "nothing reached the database"

sql "ALTER ROLE alice LOGIN" >/dev/null
ok "the console reconnects by itself" wait_gone main "reconnecting…"
keys main G
ok "…and shows the colleague's note written meanwhile" wait_for main "Note de sam pendant la coupure"

keys main Q
ok "alice leaves" wait_for main "guichet exited 0"
ok "the draft survives the console" test -s "$XDG_STATE_HOME/guichet/drafts/2-note.md"
tmux -L "$TMUX_SOCKET" kill-session -t main
console_start again alice
ok "the next start announces the draft" wait_for again "drafts kept: #2 note"
keys again '#'
type_text again 2
keys again Enter
wait_for again "Des gravats sont déposés" >/dev/null
keys again a
ok "a note on #2 offers to resume it" wait_for again "a note draft was kept: resume it?"
keys again y
ok "the editor opens on it" wait_for again "time spent"
keys again Enter
ok "this time it is sent" wait_for again "#2: note added"
is "$(sql "SELECT body FROM guichet.article WHERE ticket_id = 2 AND body LIKE 'Note écrite%'")" \
    "Note écrite pendant la coupure." "the database has the text written during the outage"
ok "and the draft is gone" test ! -e "$XDG_STATE_HOME/guichet/drafts/2-note.md"
done_testing
