#!/bin/sh
# tests/report/reports.sh — every report in every format against the expected
# outputs in tests/report/expected, computed by hand from tests/report/fixture.sql
# (see tests/report/README for the working). Also: csv parsed back, json
# decoded, html well-formed and free of external references, identical output
# on a second run.
#
# REPORT_REGEN=1 writes the outputs into expected/ instead of comparing: for
# a deliberate change of layout, whose diff is then read line by line.

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

cases=$top_srcdir/tests/report/cases
expected=$top_srcdir/tests/report/expected

pg_start
pg_install
psql -X -q -v ON_ERROR_STOP=1 -f "$top_srcdir/tests/report/fixture.sql" >&2 ||
    bail_out "loading tests/report/fixture.sql failed"

out=$PGDIR/out
mkdir "$out"

# An RFC 4180 reader: every record has as many fields as the header, every
# line ends with CRLF, quotes are balanced. Prints the number of records.
csv_check()
{
	perl -e '
		local $/; my $s = <STDIN>;
		die "no CRLF at the end\n" unless $s =~ /\r\n\z/;
		my ($n, @rec, $width) = (0);
		while (length $s) {
			my @f;
			while (1) {
				if ($s =~ s/\A"((?:[^"]|"")*)"//) { (my $v = $1) =~ s/""/"/g; push @f, $v }
				elsif ($s =~ s/\A([^,"\r\n]*)//) { push @f, $1 }
				if ($s =~ s/\A,//) { next }
				last if $s =~ s/\A\r\n//;
				die "bad field at: " . substr($s, 0, 20) . "\n";
			}
			$width //= @f;
			die "record $n has " . @f . " fields, the header $width\n" if @f != $width;
			$n++;
		}
		print $n - 1, "\n";
	'
}

json_check()
{
	perl -MJSON::PP -e '
		local $/; my $d = JSON::PP->new->utf8->decode(<STDIN>);
		die "no tables\n" unless ref $d->{tables} eq "ARRAY";
		for my $t (@{$d->{tables}}) {
			for my $c (@{$t->{columns}}) {
				next if $c->{type} =~ /^(text|date)$/;
				for my $r (@{$t->{rows}}, @{$t->{totals}}) {
					my $v = $r->{$c->{key}};
					next unless defined $v;
					# A number must be a JSON number, not a string.
					die "$c->{key}: \"$v\" is not a number\n"
					    if (B::svref_2object(\$v)->FLAGS & B::SVp_POK());
				}
			}
		}
		print "ok\n";
	' -MB
}

html_check()
{
	if grep -Eiq '<(script|link|img|iframe|object)[ >]|(src|href)=|url\(|@import' "$1"; then
		echo "external reference or script"
		return 1
	fi
	if command -v xmllint >/dev/null 2>&1; then
		xmllint --noout "$1" 2>&1 || return 1
	fi
	echo ok
}

while IFS='	' read -r name args; do
	case $name in
	'#'*|'') continue ;;
	esac
	# shellcheck disable=SC2086 # the arguments are words
	guichet-report $args >"$out/$name" 2>"$out/$name.err"
	rc=$?
	is "$rc" 0 "$name: exit status" || diag "$(cat "$out/$name.err")"
	if [ -n "${REPORT_REGEN:-}" ]; then
		cp "$out/$name" "$expected/$name"
	fi
	if cmp -s "$out/$name" "$expected/$name"; then
		pass "$name: as expected"
	else
		fail "$name: as expected"
		diff -u "$expected/$name" "$out/$name" | sed 's/^/# /' | head -60
	fi
	case $name in
	*.csv)
		n=$(csv_check <"$out/$name" 2>&1)
		like "$n" '^[0-9]+$' "$name: parsed back as RFC 4180" ;;
	*.json)
		is "$(json_check <"$out/$name" 2>&1)" ok "$name: valid json, numbers as numbers" ;;
	*.html)
		is "$(html_check "$out/$name")" ok "$name: well-formed, self-contained" ;;
	esac
done <"$cases"

# The same database and arguments give byte-identical output.
for f in html json txt; do
	name=sla.$f
	args=$(grep "^$name	" "$cases" | cut -f2)
	# shellcheck disable=SC2086
	guichet-report $args >"$out/again" 2>&1
	ok "$name: a second run is byte-identical" cmp "$out/again" "$out/$name"
done

# -o writes the file, quietly.
guichet-report volume --org nordville --from 2025-03-01 --to 2025-03-31 \
    --format csv -o "$out/o.csv" >"$out/o.stdout" 2>&1
is "$?:$(cat "$out/o.stdout")" "0:" "-o FILE: exit 0, nothing on stdout"
ok "-o FILE: the report is in the file" cmp "$out/o.csv" "$expected/volume.csv"

# --stamp adds the time of generation, and only then.
like "$(guichet-report volume --org nordville --from 2025-03-01 --to 2025-03-31 --stamp)" \
    '^Generated: [0-9]{4}-[0-9]{2}-[0-9]{2}T' "--stamp: the header says when"
unlike "$(cat "$out/volume.txt")" '^Generated' "without --stamp, no time in the output"

# Untrusted text never reaches a terminal raw: the escape of ticket 8's subject.
esc=$(printf '\033')
unlike "$(guichet-report backlog --org nordville --table oldest)" "$esc" \
    "text: no raw ESC from a subject"
like "$(guichet-report backlog --org nordville --table oldest)" '\^\[\[31m' \
    "text: the ESC shown as ^["
like "$(guichet-report backlog --org nordville --table oldest --format html)" \
    '&lt;script&gt;alert' "html: a subject's markup escaped"

done_testing
