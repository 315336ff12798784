# tests/console/escapes.sh — text from strangers is data: escape and control
# sequences in a subject, a requester's name, a body and an attachment's file
# name are shown visibly (^[) and never reach the terminal; wide and combining
# characters keep the columns in place. Run without colours (NO_COLOR) so that
# any colour sequence on the screen could only have come from the data.
#
# curses itself draws a raw ESC as ^[, so "^[ is on the screen" alone would pass
# without our sanitiser. What only the sanitiser gives, and is checked here: text
# measured as it is drawn (every cell in its column, a row clipped with … at the
# terminal's edge), C1 controls made visible, and a file name proposed for an
# attachment that holds no control character, C0 or C1.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture

sql "INSERT INTO guichet.contact (email, name, organisation_id) VALUES
    ('evil@example.org', E'Mallory\033[2J\033[H', 1)" || bail_out "contact"
sql "INSERT INTO guichet.ticket (queue_id, organisation_id, subject, requester_id, priority)
    VALUES (1, 1, E'\033]2;PWNED\007\033[31mRED\033[0m Trou \u202Eévil', (SELECT id FROM
    guichet.contact WHERE email = 'evil@example.org'), 1)" || bail_out "ticket"
sql "INSERT INTO guichet.article (ticket_id, kind, body, body_format)
    SELECT max(id), 'mail_in', E'Voir ci-joint.\033[5mBLINK\033[0m \u009b31m fin', 'text'
    FROM guichet.ticket" || bail_out "article"
sql "INSERT INTO guichet.blob VALUES (sha256('x'), 1, 'x')" || bail_out "blob"
sql "INSERT INTO guichet.attachment (article_id, filename, size, sha256)
    SELECT max(id), E'photo\033[8m\u009b1m.jpg', 1, sha256('x') FROM guichet.article" ||
    bail_out "attachment"
sql "INSERT INTO guichet.ticket (queue_id, organisation_id, subject, priority)
    VALUES (1, 1, '道路に大きな穴があります Cafe' || E'\u0301' || ' crème', 1)" || bail_out "wide"
id=$(sql "SELECT max(id) - 1 FROM guichet.ticket")

NO_COLOR=1
console_start main alice
ok "the console starts" wait_for main "voirie-n2"
keys main Enter
ok "the index shows the hostile subject with visible escapes" \
    wait_for main '^[]2;PWNED^G^[[31mRED^[['
esc=$(printf '\033')
like "$(screen main)" 'Mallory\^\[\[' "the requester's name too"
unlike "$(tmux -L "$TMUX_SOCKET" display -p -t main '#{pane_title}')" PWNED \
    "the window title was not changed"
unlike "$(tmux -L "$TMUX_SOCKET" capture-pane -e -p -t main)" "$esc\\[31m" \
    "no colour sequence from the subject reached the terminal"
like "$(tmux -L "$TMUX_SOCKET" capture-pane -e -p -t main)" "$esc\\[7m" \
    "(while the console's own attributes are seen by this check)"
# Widths in display columns (wc -L measures as the terminal draws, in UTF-8).
header=$(screen main | grep ' id p status')
subject_col=$(printf '%s\n' "${header%%subject*}" | wc -L)
hostile=$(screen main | grep 'PWNED')
is "$(printf '%s\n' "${hostile%%^[]2;PWNED*}" | wc -L)" "$subject_col" \
    "the hostile subject starts under 'subject': the name before it was measured as drawn"
width=$(printf '%s\n' "$hostile" | wc -L)
like "$hostile" '…$' "…and its row is clipped with an ellipsis"
is "$width" 80 "…at the terminal's edge: no wider than the terminal, and no narrower"
ok "wide characters are shown" wait_for main "道路に大きな穴"
wide=$(screen main | grep '道路')
is "$(printf '%s\n' "${wide%%道路*}" | wc -L)" "$subject_col" "…in the subject's column"
width=$(printf '%s\n' "$wide" | wc -L)
ok "…and the line is no wider than the terminal ($width columns)" test "$width" -le 80
like "$(screen main | grep '道路')" '^ +[0-9]+ 1 new ' "…and the columns before it are in place"

keys main '#'
type_text main "$id"
keys main Enter
ok "the ticket view shows the body's escapes visibly" wait_for main 'Voir ci-joint.^[[5mBLINK^[[0m'
like "$(screen main)" '<U\+009B>31m fin' "a C1 control is shown as <U+009B>"
like "$(screen main)" 'RED\^\[\[0m Trou évil' "a bidi override is dropped"
like "$(screen main)" 'photo\^\[\[8m<U\+009B>1m\.jpg' "the attachment's name is shown visibly"
unlike "$(tmux -L "$TMUX_SOCKET" capture-pane -e -p -t main)" "$esc\\[(5|8)m|$esc\\[2J" \
    "no blink, hidden text or clear sequence reached the terminal"
unlike "$(tmux -L "$TMUX_SOCKET" display -p -t main '#{pane_title}')" PWNED \
    "the window title is still ours"

keys main v
ok "saving the attachment proposes the name as shown" \
    wait_for main "save to: photo^[[8m<U+009B>1m.jpg"
keys main Enter
ok "the attachment is saved under that name" wait_for main "saved photo^[[8m<U+009B>1m.jpg (1 bytes)"
c0=$(printf '[\001-\037\177]')
c1=$(printf '\302[\200-\237]')
names=$(cd "$CONSOLE_DIR" && ls)
is "$(printf '%s\n' "$names" | LC_ALL=C grep -c -e "$c0" -e "$c1")" 0 \
    "the file name holds no control character, C0 or C1"
is "$(cat "$CONSOLE_DIR/photo^[[8m<U+009B>1m.jpg" 2>&1)" x "…and the file has the content"
done_testing
