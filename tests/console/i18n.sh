# tests/console/i18n.sh — French and German consoles: the key bar, statuses
# and channels in the agent's language (po/fr.po, po/de.po), from the
# catalogues of the build tree (GUICHET_LOCALEDIR).

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture

# The catalogues as they would be installed.
locales=$CONSOLE_DIR/locale
for l in fr de; do
	mkdir -p "$locales/$l/LC_MESSAGES"
	msgfmt -o "$locales/$l/LC_MESSAGES/guichet.mo" "$top_srcdir/po/$l.po" ||
	    bail_out "msgfmt $l.po"
done
# The consoles' environment is the tmux server's, set when it starts.
GUICHET_LOCALEDIR=$locales LANGUAGE=fr tmux -L "$TMUX_SOCKET" -f /dev/null \
    new-session -d -s keepalive "sleep 3600" || bail_out "tmux"

console_start fr alice -e "#6"
ok "a French console" wait_for fr "Arbre tombé sur l"
like "$(screen fr | head -n 1)" "^q:quitter  \?:aide  c:prendre  u:libérer" "the key bar is French"
like "$(screen fr)" "      6 5 nouveau " "the status is French"
keys fr Enter
ok "the ticket" wait_for fr "Statut"
like "$(screen fr)" "nouveau .*Canal *: téléphone" "status and channel in the header"
keys fr q q

tmux -L "$TMUX_SOCKET" set-environment -g LANGUAGE de
console_start de alice -e "#2"
ok "a German console" wait_for de "Dépôt sauvage"
like "$(screen de | head -n 1)" "^q:beenden  \?:Hilfe  c:übernehmen  u:freigeben" "the key bar is German"
like "$(screen de)" "      2 4 offen " "the status is German"
keys de Enter
ok "the ticket" wait_for de "E-Mail"
like "$(screen de)" "offen .*E-Mail" "status and channel in the header"

done_testing
