# tests/lib/manlint.sh — every man page in man/ passes mandoc -Tlint at level
# warning (one assertion per page); mandoc's complaints are shown on failure.

. "$top_srcdir/tests/lib/tap.sh"

command -v mandoc >/dev/null 2>&1 ||
    skip_all "mandoc is not installed (apt-get install mandoc)"
set -- "$top_srcdir"/man/*.[1-8]
[ -e "$1" ] || skip_all "no man page in man/ yet"
for page in "$@"; do
	ok "${page##*/} passes mandoc -Tlint -Wwarning" \
	    mandoc -Tlint -Wwarning "$page"
done
done_testing
