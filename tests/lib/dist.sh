#!/bin/sh
# tests/lib/dist.sh — make dist ships every file of the project that git
# knows: sources, man pages, the tests (tests/bench included, which the README
# points to) and contrib's examples. A file missing from EXTRA_DIST would
# otherwise only be noticed by whoever builds the tarball. Checked against
# DISTFILES of the generated Makefile (an entry may be a directory); po/ ships
# through its own Makefile. Skipped outside a git checkout (in a tarball,
# every file came from the distribution anyway).

. "$top_srcdir/tests/lib/tap.sh"

command -v git >/dev/null 2>&1 || skip_all "git is not installed"
top=$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null)
# make distcheck unpacks the tarball inside the build tree, which may be
# inside a checkout: that copy is not the checkout.
[ -n "$top" ] && [ "$top" = "$(cd "$top_srcdir" && pwd -P)" ] ||
    skip_all "not the top of a git checkout: $top_srcdir"

mk=$(mktemp "${TMPDIR:-/tmp}/dist.XXXXXX") || bail_out "mktemp failed"
atexit 'rm -f "$mk"'
printf 'print-distfiles:\n\t@printf "%%s\\n" "$(srcdir)" $(DISTFILES)\n' >"$mk"
dist=$(env MAKEFLAGS= MAKELEVEL= make -s --no-print-directory -C "$top_builddir" \
    -f Makefile -f "$mk" print-distfiles) ||
    bail_out "cannot read DISTFILES from $top_builddir/Makefile"
srcdir=$(printf '%s\n' "$dist" | head -1)
# One shipped path per line, relative to the top of the sources.
shipped=$(printf '%s\n' "$dist" | sed 1d | sed "s|^$srcdir/||; s|^\./||; s|/$||" | sort -u)

missing=
for f in $(git -C "$top_srcdir" ls-files | grep -v '^po/' | grep -v '^\.' | grep -v '/\.keep$'); do
	p=$f
	found=
	while :; do
		if printf '%s\n' "$shipped" | grep -Fqx -- "$p"; then
			found=1
			break
		fi
		case $p in */*) p=${p%/*} ;; *) break ;; esac
	done
	[ -n "$found" ] || missing="$missing$f
"
done
is "$missing" "" "every file git knows is in the distribution (EXTRA_DIST)"
for f in tests/bench/README tests/bench/run contrib/cron/expire-claims; do
	like "$shipped" "^$f\$" "$f is shipped"
done
done_testing
