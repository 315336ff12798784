# tests/console/keys.sh — guichet(1)'s key tables are the bindings the console
# compiles in: the page's block between its KEY TABLES markers is exactly what
# tests/console/man-keys.sh makes from `guichet --keys`. After changing a
# binding or an action's help: make update-man-keys.

. "$top_srcdir/tests/lib/tap.sh"

page=$top_srcdir/man/guichet.1
keys=$(guichet -F /dev/null --keys)
ok "guichet --keys lists the bindings without a database" test -n "$keys"
like "$keys" "$(printf '^index\tc\tclaim\tclaim the ticket')" "…one a line: map, key, action, help"
made=$(sh "$top_srcdir/tests/console/man-keys.sh" guichet) || bail_out "man-keys.sh failed"
paged=$(sed -n '/^\.\\" BEGIN KEY TABLES$/,/^\.\\" END KEY TABLES$/p' "$page" | sed '1d;$d')
if [ "$made" = "$paged" ]; then
	pass "guichet(1)'s key tables match the compiled bindings"
else
	fail "guichet(1)'s key tables match the compiled bindings (make update-man-keys)"
	printf '%s\n' "$paged" > "${TMPDIR:-/tmp}/keys-page.$$"
	printf '%s\n' "$made" > "${TMPDIR:-/tmp}/keys-made.$$"
	diff -u "${TMPDIR:-/tmp}/keys-page.$$" "${TMPDIR:-/tmp}/keys-made.$$" |
	    sed 's/^/# /'
	rm -f "${TMPDIR:-/tmp}/keys-page.$$" "${TMPDIR:-/tmp}/keys-made.$$"
fi
actions=$(printf '%s\n' "$keys" | cut -f3 | sort -u | wc -l)
ok "every bound action has its help ($actions actions)" \
    test -z "$(printf '%s\n' "$keys" | awk -F '\t' '$4 == ""')"
done_testing
