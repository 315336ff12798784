#!/bin/sh
# tests/lib/sections.sh — each program is installed where its man page's
# section says (Debian policy): section 1, user commands, in bin; section 8,
# system administration (guichet-mail under the MTA and cron, guichet-admin),
# in sbin. Read from the generated Makefile's bin_PROGRAMS and sbin_PROGRAMS.

. "$top_srcdir/tests/lib/tap.sh"

mk=$(mktemp "${TMPDIR:-/tmp}/sections.XXXXXX") || bail_out "mktemp failed"
atexit 'rm -f "$mk"'
printf 'print-programs:\n\t@echo bin $(bin_PROGRAMS)\n\t@echo sbin $(sbin_PROGRAMS)\n' >"$mk"
progs=$(env MAKEFLAGS= MAKELEVEL= make -s --no-print-directory -C "$top_builddir" \
    -f Makefile -f "$mk" print-programs) || bail_out "cannot read the programs from the Makefile"
bin=$(printf '%s\n' "$progs" | sed -n 's/^bin //p')
sbin=$(printf '%s\n' "$progs" | sed -n 's/^sbin //p')
is "$(echo $bin $sbin | tr ' ' '\n' | sort | tr '\n' ' ')" \
    "guichet guichet-admin guichet-mail guichet-report " "four programs are installed"
for p in $bin; do
	ok "$p is in bin and documented in section 1" test -f "$top_srcdir/man/$p.1"
done
for p in $sbin; do
	ok "$p is in sbin and documented in section 8" test -f "$top_srcdir/man/$p.8"
done
# Every cross reference names the page's real section.
for page in "$top_srcdir"/man/*.[1-8]; do
	wrong=$(grep -Eo '^\.Xr guichet[a-z.-]* [0-9]' "$page" | while read -r _ name sec; do
		[ -f "$top_srcdir/man/$name.$sec" ] || echo "$name($sec)"
	done)
	is "$wrong" "" "${page##*/}: every .Xr guichet… names an existing page"
done
done_testing
