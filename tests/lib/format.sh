# tests/lib/format.sh — every C file under src/ and tests/ (but the benchmarks'
# cache) is formatted as .clang-format says (clang-format --dry-run -Werror; one
# assertion per file, the first differences shown on failure). Run "make
# format" to fix a tree.
#
# The style is clang-format 14's (Debian 12): another major version may wrap
# a few lines differently, so the check is skipped there rather than failing
# on the tool instead of the code.

. "$top_srcdir/tests/lib/tap.sh"

command -v clang-format >/dev/null 2>&1 ||
    skip_all "clang-format is not installed (apt-get install clang-format)"
case $(clang-format --version) in
*" version 14."*) ;;
*) skip_all "clang-format is not version 14: $(clang-format --version)" ;;
esac
cd "$top_srcdir" || bail_out "cannot enter $top_srcdir"
# tests/.cache holds the benchmarks' copies and builds (config.h is generated).
for f in $(find src tests -path tests/.cache -prune -o -name '*.[ch]' -print | LC_ALL=C sort); do
	ok "$f is formatted (clang-format)" clang-format --dry-run -Werror "$f"
done
done_testing
