#!/bin/sh
# tests/console/graph.sh — which file of src/console calls (or reads) what another
# file defines, from the symbols of the compiled objects (nm), and whether those
# calls go round in a circle.
#
#   graph.sh [-c] [OBJDIR]    OBJDIR: the build's src/console (default: ./src/console)
#
# Prints one line per edge, "caller.c -> callee.c  symbol symbol …", sorted.
# With -c it checks instead: every circle must go through the view registry
# (view.c, which opens the views and whose views come back to it), so the edges
# from view.c to a view-*.c are set aside and what is left must sort
# topologically (tsort); the loop tsort finds is printed and the exit is 1.
# Run by make check as tests/console/graph-test.sh.

check=false
if [ "${1:-}" = -c ]; then
	check=true
	shift
fi
objdir=${1:-src/console}
command -v nm >/dev/null 2>&1 || { echo "graph.sh: nm is not installed" >&2; exit 69; }
ls "$objdir"/guichet-*.o >/dev/null 2>&1 ||
    { echo "graph.sh: no objects in $objdir (build first)" >&2; exit 66; }

edges=$(for o in "$objdir"/guichet-*.o; do
	f=$(basename "$o" .o)
	f=${f#guichet-}.c
	nm -g --defined-only "$o" | awk -v f="$f" 'NF == 3 { print "D", $3, f }'
	nm -u "$o" | awk -v f="$f" '{ print "U", $2, f }'
done | awk '
	$1 == "D" { def[$2] = $3; next }
	{ use[NR] = $3 " " $2 }
	END {
		for (i in use) {
			split(use[i], p, " ")
			if ((p[2] in def) && def[p[2]] != p[1])
				e[p[1] " -> " def[p[2]]] = e[p[1] " -> " def[p[2]]] " " p[2]
		}
		for (k in e) {
			n = split(substr(e[k], 2), s, " ")
			# the symbols of an edge, sorted, for a stable listing
			for (a = 1; a <= n; a++)
				for (b = a + 1; b <= n; b++)
					if (s[b] < s[a]) { t = s[a]; s[a] = s[b]; s[b] = t }
			line = k " "
			for (a = 1; a <= n; a++)
				line = line " " s[a]
			print line
		}
	}' | LC_ALL=C sort)

if ! $check; then
	printf '%s\n' "$edges"
	exit 0
fi
loops=$(printf '%s\n' "$edges" |
    awk '!($1 == "view.c" && $3 ~ /^view-/) { print $1, $3 }' | tsort 2>&1 >/dev/null)
if [ -n "$loops" ]; then
	printf '%s\n' "$loops"
	exit 1
fi
exit 0
