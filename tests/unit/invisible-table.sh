#!/bin/sh
# tests/unit/invisible-table.sh — src/common/invisible.h, the sanitiser's table
# of invisible characters, is exactly what src/common/invisible.pl writes from
# Perl's Unicode database: nobody edited it by hand, and it is not older than
# the Unicode this machine knows (a newer Perl adds characters: regenerate).

. "$top_srcdir/tests/lib/tap.sh"

plan 1
got=$(perl "$top_srcdir/src/common/invisible.pl" 2>&1)
ok "invisible.h is what invisible.pl writes (perl src/common/invisible.pl >src/common/invisible.h)" \
    sh -c 'printf "%s\n" "$1" | diff -u "$2" -' sh "$got" "$top_srcdir/src/common/invisible.h"
