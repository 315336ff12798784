#!/bin/sh
# tests/lib/hardening.sh — the four programs are built as configure promised
# (configure.ac, "Hardened by default"): position-independent executables
# (PIE), full RELRO (a read-only GOT, every symbol bound at start: BIND_NOW),
# stack protector, _FORTIFY_SOURCE. Read from the binaries with readelf, as
# devscripts' hardening-check does (which also runs when it is installed).
# guichet-mail is the one to watch: Debian 12's libetpan.pc brings
# -specs=…/no-pie-link.specs, which configure filters out.
#
# GUICHET_HARDENING (from configure, through AM_TESTS_ENVIRONMENT) says which
# protections the compiler accepted: "pie=yes relro=yes stack=yes fortify=yes";
# one configure did not enable (--disable-hardening, or _FORTIFY_SOURCE
# without optimisation) is skipped, not failed.

. "$top_srcdir/tests/lib/tap.sh"

command -v readelf >/dev/null 2>&1 || skip_all "readelf is not installed (apt-get install binutils)"
[ -n "${GUICHET_HARDENING:-}" ] || skip_all "GUICHET_HARDENING is not set: run through make check"

# What configure enabled for one protection: yes, given (by the packager) or no.
enabled()
{
	for _kv in $GUICHET_HARDENING; do
		case $_kv in
		"$1"=*) echo "${_kv#*=}"; return ;;
		esac
	done
	echo no
}

# check PROTECTION DESCRIPTION COMMAND...: an assertion when it is enabled.
check()
{
	_what=$1
	_desc=$2
	shift 2
	case $(enabled "$_what") in
	yes|given) ok "$_desc" "$@" ;;
	*) skip "$_desc: not enabled by configure ($GUICHET_HARDENING)" ;;
	esac
}

# Each helper prints what it read, so that a failure shows the evidence.
is_pie()
{
	readelf -h "$1" | grep -E '^ *Type:' &&
	readelf -h "$1" | grep -Eq '^ *Type: *DYN' &&
	readelf -d "$1" | grep -E 'FLAGS_1' | grep -q 'PIE'
}
has_relro()
{
	readelf -lW "$1" | grep -E 'GNU_RELRO|^Elf file type'
	readelf -lW "$1" | grep -q 'GNU_RELRO'
}
binds_now()
{
	readelf -d "$1" | grep -E '\((FLAGS|FLAGS_1|BIND_NOW)\)'
	readelf -d "$1" | grep -Eq '\(BIND_NOW\)|\(FLAGS\).*BIND_NOW|\(FLAGS_1\).* NOW'
}
has_stack_protector()
{
	readelf --dyn-syms -W "$1" | grep -c '__stack_chk_fail' | sed 's/^/__stack_chk_fail: /'
	readelf --dyn-syms -W "$1" | grep -q '__stack_chk_fail'
}
is_fortified()
{
	readelf --dyn-syms -W "$1" | grep -Eo '__[a-z_]+_chk' | grep -v '^__stack_chk' |
	    sort -u | tr '\n' ' '
	echo
	readelf --dyn-syms -W "$1" | grep -Eo '__[a-z_]+_chk' | grep -vq '^__stack_chk'
}

for p in guichet guichet-mail guichet-report guichet-admin; do
	bin=$top_builddir/$p
	[ -x "$bin" ] || bail_out "$bin is not built"
	check pie "$p is a position-independent executable (PIE)" is_pie "$bin"
	check relro "$p has a RELRO segment" has_relro "$bin"
	check relro "$p binds every symbol at start (BIND_NOW: full RELRO)" binds_now "$bin"
	check stack "$p calls the stack protector" has_stack_protector "$bin"
	check fortify "$p uses glibc's fortified functions (_FORTIFY_SOURCE)" is_fortified "$bin"
	if ! command -v hardening-check >/dev/null 2>&1; then
		skip "$p: hardening-check (devscripts) is not installed"
	elif case " $GUICHET_HARDENING " in *=no\ *) true ;; *) false ;; esac; then
		skip "$p: hardening-check needs every protection ($GUICHET_HARDENING)"
	else
		# Control-flow integrity needs every object linked to carry the IBT
		# note; Debian 12's glibc start files (Scrt1.o, crti.o) do not, so
		# no program of Debian 12 passes it (/usr/bin/ls neither), whatever
		# -fcf-protection gave ours.
		ok "$p passes hardening-check" hardening-check --nocfprotection "$bin"
	fi
done
done_testing
