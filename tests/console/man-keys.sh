#!/bin/sh
# tests/console/man-keys.sh — the key tables of guichet(1), in mdoc, made from the
# bindings the console compiles in (guichet --keys, one "map key action help"
# line per binding): the help screen and the man page read the same tables.
#
#   man-keys.sh GUICHET            print the tables
#   man-keys.sh GUICHET MANPAGE    replace the tables between the page's markers
#
# keys.sh (make check) compares the page with the first form;
# make update-man-keys runs the second.
set -u
guichet=$1

begin='.\" BEGIN KEY TABLES'
end='.\" END KEY TABLES'

tables()
{
	"$guichet" -F /dev/null --keys | awk -F '\t' '
	function heading(map) {
		if (map == "generic") return "Every view"
		if (map == "kb") return "Knowledge base"
		return toupper(substr(map, 1, 1)) substr(map, 2)
	}
	function mdoc_key(k) {
		if (k ~ /^<.*>$/) k = substr(k, 2, length(k) - 2)
		if (k == "-") return "\\-"
		if (k ~ /^[?:.\x27]$/) return "\\&" k
		return k
	}
	function flush(   i) {
		if (nact == 0) return
		print ".Ss " heading(map)
		print ".Bl -tag -width \"PageDown, Space\" -compact"
		for (i = 1; i <= nact; i++) {
			print ".It " keys[act[i]]
			print help[act[i]]
		}
		print ".El"
		nact = 0
		split("", keys)
	}
	$1 != map { flush(); map = $1 }
	{
		if (!($3 in keys)) { act[++nact] = $3; keys[$3] = "Cm " mdoc_key($2) }
		else keys[$3] = keys[$3] " , Cm " mdoc_key($2)
		help[$3] = $4
	}
	END { flush() }'
}

if [ $# -eq 1 ]; then
	tables
	exit
fi
page=$2
grep -qxF "$begin" "$page" && grep -qxF "$end" "$page" ||
    { echo "man-keys.sh: $page has no $begin … $end markers" >&2; exit 65; }
new=$(tables) || exit 70
# ENVIRON, not -v: awk would read the backslashes of the mdoc as escapes.
export begin end new
awk '
	$0 == ENVIRON["begin"] { print; print ENVIRON["new"]; skip = 1; next }
	$0 == ENVIRON["end"] { skip = 0 }
	!skip' "$page" > "$page.tmp" && mv "$page.tmp" "$page"
