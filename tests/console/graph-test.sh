# tests/console/graph-test.sh — the console's files call each other in layers:
# no circle except through the view registry (view.c ↔ view-*.c), and no file
# but view.c (or the view's own other file) calls into a view-*.c. The graph comes from the
# compiled objects (tests/console/graph.sh); on failure the loop is printed.

. "$top_srcdir/tests/lib/tap.sh"

command -v nm >/dev/null 2>&1 || skip_all "nm is not installed (apt-get install binutils)"
command -v tsort >/dev/null 2>&1 || skip_all "tsort is not installed (coreutils)"
objdir=$top_builddir/src/console
graph=$top_srcdir/tests/console/graph.sh

edges=$(sh "$graph" "$objdir") || bail_out "graph.sh failed"
like "$edges" '^view\.c -> view-ticket\.c ' "the graph is read from the objects (view.c opens the ticket view)"
ok "no circle among src/console's files but through the view registry" sh "$graph" -c "$objdir"
# A view split over files (view-index.c and view-index-page.c) is one view.
others=$(printf '%s\n' "$edges" | awk '
	function view(f, p) { sub(/\.c$/, "", f); split(f, p, "-"); return p[1] "-" p[2] }
	$3 ~ /^view-/ && $1 != "view.c" && view($1) != view($3)')
is "$others" "" "only view.c calls into a view-*.c (views are opened through the registry)"
for low in console.c conn.c loop.c ui-draw.c; do
	up=$(printf '%s\n' "$edges" | awk -v f="$low" '$1 == f && $3 ~ /^(view|actions|ui-prompt)/')
	is "$up" "" "$low calls no view, action or prompt (its users register callbacks)"
done
done_testing
