# tests/console/find.sh — finding things from the console: words in the
# organisation's language (French stemming, accents ignored) and -word that
# leaves a ticket out; S saves a search, the overview lists it with a live
# count, Enter runs it, d forgets it; the history names names and shows the
# desk's time; V opens an attachment through the agent's mailcap from a
# private temporary file, removed afterwards; F asks for a file to attach to
# the reply, Tab completing its name.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture

# The viewer is the agent's mailcap's (run-mailcap reads $HOME/.mailcap). The
# consoles' HOME and TMPDIR are the tmux server's, set when it starts.
home=$CONSOLE_DIR/home
tmp=$CONSOLE_DIR/tmp
mkdir -p "$home" "$tmp"
cat > "$home/.mailcap" <<EOF
text/plain; stat -c %a %s > $CONSOLE_DIR/mode && ls $tmp > $CONSOLE_DIR/during && cp %s $CONSOLE_DIR/viewed
EOF
HOME=$home TMPDIR=$tmp tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -s keepalive "sleep 3600" ||
    bail_out "tmux"
printf 'rapport\n' > "$CONSOLE_DIR/rapport-voirie.pdf"
printf 'x\n' > "$CONSOLE_DIR/rappel.txt"

sql "UPDATE guichet.organisation SET text_search_config = 'french' WHERE code = 'ville';
    UPDATE guichet.setting SET value = 'Europe/Paris' WHERE key = 'time_zone';
    SELECT guichet.add_note(4, 'Intervention urgente demandée');
    INSERT INTO guichet.blob VALUES (sha256(convert_to(E'Plan du quartier\n', 'UTF8')), 17, convert_to(E'Plan du quartier\n', 'UTF8'));
    INSERT INTO guichet.attachment (article_id, filename, content_type, size, sha256)
    SELECT min(id), E'../plan du quartier\u00e9.txt', 'text/plain', 17,
        sha256(convert_to(E'Plan du quartier\n', 'UTF8')) FROM guichet.article WHERE ticket_id = 2" >/dev/null ||
    bail_out "setup"

# Poll the screen until a line matches an extended regular expression.
screen_re()
{
	screen "$1" | grep -E -q -- "$2"
}

wait_re()
{
	wait_until screen_re "$1" "$2" && return 0
	screen "$1" | sed 's/^/|/'
	return 1
}

console_start main alice
ok "the console starts" wait_for main "voirie-n2"

keys main /
wait_for main "search:" >/dev/null
type_text main "chaussées -urgent"
keys main Enter
ok "French stemming: chaussées finds the chaussée of #6" wait_for main "search: chaussées -urgent — 1 tickets"
ok "…#6 is listed" wait_for main 'Arbre tombé sur l'
unlike "$(screen main)" 'Affaissement' "…#4 is left out: a note of it has the word"
keys main q
keys main /
wait_for main "search:" >/dev/null
type_text main "chaussee"
keys main Enter
ok "accents ignored: chaussee finds both" wait_for main "search: chaussee — 2 tickets"

keys main S
ok "S asks the name" wait_for main "save this search as:"
type_text main "Chaussées"
keys main Enter
ok "saved" wait_for main 'saved as "Chaussées"'
is "$(sql "SELECT name || ' ' || query FROM guichet.saved_search")" "Chaussées chaussee" \
    "the search is saved for alice"
keys main q
ok "the overview lists it" wait_for main "Saved searches"
ok "with what it finds: 2 tickets" wait_re main '^  Chaussées +2$'
screen_is main overview-saved "the overview: queues, then the saved searches with their counts"

sql "INSERT INTO guichet.ticket (queue_id, organisation_id, subject) VALUES (1, 1, 'Chaussée déformée')" ||
    bail_out "a new ticket"
ok "the count follows without a key press" wait_re main '^  Chaussées +3$'

keys main G
keys main Enter
ok "Enter runs the saved search" wait_for main "search: chaussee — 3 tickets"
keys main q
keys main G d
ok "d asks to confirm" wait_for main 'forget the search "Chaussées"?'
keys main y
ok "forgotten" wait_gone main "Saved searches"
is "$(sql "SELECT count(*) FROM guichet.saved_search")" 0 "…in the database too"

# The history: names, and the desk's time (Europe/Paris).
keys main '#'
type_text main 2
keys main Enter
ok "ticket #2" wait_for main "Dépôt sauvage avenue Foch"
keys main c
ok "alice claims it again" wait_for main "Owner:     alice"
sql "UPDATE guichet.ticket SET history_intent = 'set', queue_id = 2 WHERE id = 2" >/dev/null
keys main h
ok "the history names queues" wait_for main "queue: voirie → voirie-n2"
at=$(sql "SELECT to_char(max(at) AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD HH24:MI:SS')
    FROM guichet.history WHERE ticket_id = 2")
like "$(screen main)" "$at" "times are the desk's (Europe/Paris): $at"
keys main q

# V: the attachment in the viewer of the agent's mailcap.
# The temporary directory holds nothing any more.
dir_empty()
{
	[ -z "$(ls "$1")" ]
}

keys main V
ok "V runs the viewer" wait_until test -s "$CONSOLE_DIR/viewed"
is "$(cat "$CONSOLE_DIR/viewed" 2>&1)" "Plan du quartier" "the viewer read the attachment's bytes"
is "$(cat "$CONSOLE_DIR/mode" 2>&1)" 600 "from a file only alice may read (0600)"
like "$(cat "$CONSOLE_DIR/during" 2>&1)" '^guichet-[A-Za-z0-9]{6}-plan_du_quartier_\.txt$' \
    "named from the attachment's safe characters, under \$TMPDIR"
ok "removed when the viewer returns" wait_until dir_empty "$tmp"
ok "and the ticket is back" wait_for main "Dépôt sauvage avenue Foch"

# F: a file for the reply, Tab completing its name.
keys main F
ok "F asks for the file" wait_for main "attach file:"
type_text main "$CONSOLE_DIR/ra"
keys main Tab
ok "Tab completes as far as the names agree, and lists them" wait_for main "rappel.txt  rapport-voirie.pdf"
like "$(screen main | tail -n 1)" "attach file: .*/rapp\$" "…to rapp"
type_text main "o"
keys main Tab
ok "then the one name" wait_for main "rapport-voirie.pdf"
keys main Enter
ok "the file will go with the reply" wait_for main "will be attached to the reply (1 file)"
like "$(cat "$XDG_STATE_HOME"/guichet/drafts/2-reply.attach 2>&1)" "rapport-voirie.pdf" \
    "listed beside the reply's draft"
keys main F
wait_for main "attach file:" >/dev/null
type_text main "$CONSOLE_DIR/nothing-here"
keys main Enter
ok "a file that does not exist is refused" wait_for main "No such file or directory"

done_testing
