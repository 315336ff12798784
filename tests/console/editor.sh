# tests/console/editor.sh — with neither $VISUAL, $EDITOR, console.editor nor
# $PAGER set, the console falls back to Debian's sensible-editor and
# sensible-pager when they are installed (stand-ins first in PATH here, which
# record how they were called), and the reply preview is a private file under
# $TMPDIR (mode 0600, removed after).

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture

mkdir -p "$CONSOLE_DIR/bin" "$CONSOLE_DIR/tmp"
cat >"$CONSOLE_DIR/bin/sensible-editor" <<EOS
#!/bin/sh
echo "\$0 \$*" >>'$CONSOLE_DIR/editor.log'
[ -s "\$1" ] || cat '$CONSOLE_DIR/body' >"\$1"
EOS
cat >"$CONSOLE_DIR/bin/sensible-pager" <<EOS
#!/bin/sh
echo "\$1 \$(stat -c %a "\$1")" >>'$CONSOLE_DIR/pager.log'
cat "\$1" >'$CONSOLE_DIR/paged'
EOS
chmod +x "$CONSOLE_DIR/bin/sensible-editor" "$CONSOLE_DIR/bin/sensible-pager"

# console_start, without the editor and pager lib.sh sets, with TMPDIR set.
{
	echo "cd $(_console_quote "$CONSOLE_DIR")"
	echo "trap true INT"
	echo "PATH=$(_console_quote "$CONSOLE_DIR/bin:$PATH"); export PATH"
	echo "unset VISUAL EDITOR PAGER"
	echo "TERM=xterm-256color LC_ALL=C.UTF-8 NO_COLOR="
	echo "TMPDIR=$(_console_quote "$CONSOLE_DIR/tmp")"
	echo "XDG_CONFIG_HOME=$(_console_quote "$XDG_CONFIG_HOME")"
	echo "XDG_STATE_HOME=$(_console_quote "$XDG_STATE_HOME")"
	echo "export TERM LC_ALL NO_COLOR TMPDIR XDG_CONFIG_HOME XDG_STATE_HOME"
	echo "guichet -d $(_console_quote "$(pg_conninfo alice)") 2>>$(_console_quote "$CONSOLE_DIR/main.stderr")"
	echo "st=\$?; printf '\\nguichet exited %s\\n' \"\$st\"; echo \"\$st\" >$(_console_quote "$CONSOLE_DIR/main.exited")"
	echo 'exec sleep 3600'
} >"$CONSOLE_DIR/main.sh"
tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -s main -x 80 -y 24 \
    "sh $(_console_quote "$CONSOLE_DIR/main.sh")" || bail_out "tmux new-session failed"

ok "the console starts" wait_for main "voirie-n2"
keys main '#'
type_text main 1
keys main Enter
ok "ticket 1 opens" wait_for main "Nid de poule rue de la Gare"
keys main c
ok "alice claims it" wait_for main "Owner:     alice"

printf 'Note written in sensible-editor.\n' >"$CONSOLE_DIR/body"
keys main a
ok "a runs an editor, then asks for the time spent" wait_for main "time spent"
keys main Enter
ok "the note is added" wait_for main "#1: note added"
like "$(cat "$CONSOLE_DIR/editor.log" 2>/dev/null)" "^$CONSOLE_DIR/bin/sensible-editor .*/1-note\\.md\$" \
    "the editor was sensible-editor, on the draft"
is "$(sql "SELECT body FROM guichet.article WHERE ticket_id = 1 AND kind = 'note'")" \
    "Note written in sensible-editor." "the database holds what it wrote"

printf 'Bonjour,\n\nle **trou** sera bouché jeudi.\n' >"$CONSOLE_DIR/body"
keys main r
ok "r writes a reply" wait_for main "the reply is ready"
type_text main prev
keys main Enter
# The choice never left the screen: wait for what the pager wrote last.
ok "preview runs the pager" wait_until test -s "$CONSOLE_DIR/paged"
ok "then the choice again" wait_for main "the reply is ready"
log=$(cat "$CONSOLE_DIR/pager.log" 2>/dev/null)
like "$log" "^$CONSOLE_DIR/tmp/guichet-preview-[A-Za-z0-9]{6} 600\$" \
    "the pager was sensible-pager, on a 0600 file under \$TMPDIR"
is "$(cat "$CONSOLE_DIR/paged" 2>/dev/null)" "Bonjour,

le trou sera bouché jeudi." "the preview is the reply rendered as text"
ok "the preview file is removed after" wait_until test ! -e "${log% *}"
type_text main cancel
keys main Enter
ok "the reply is cancelled" wait_gone main "the reply is ready"

done_testing
