#!/usr/bin/perl
# tests/bench/summarise.pl — the results file of tests/bench/run as a table
# (stdout) and, with --json FILE, as one JSON document.
#
# Input: one TSV line per benchmark, written by bench_record (lib.sh):
#   name  unit  what  samples  floor-samples  target  note
# Units ending in "/s" are rates (higher is better); every other unit is a
# cost (lower is better). The ratio is always our cost over the floor's cost
# (for a rate: floor rate / our rate), so 1.0 means "as fast as the database
# alone" and 5.0 "five times its cost", whichever way the unit reads.
use strict;
use utf8;
use open qw(:std :encoding(UTF-8));
use warnings;
use Getopt::Long;
use JSON::PP;
use POSIX qw(strftime);

my ($tickets, $seed, $runs, $json) = (0, 0, 0, undef);
GetOptions('tickets=i' => \$tickets, 'seed=i' => \$seed, 'runs=i' => \$runs,
    'json=s' => \$json) or die "summarise: bad arguments\n";

sub median {
	my @v = sort { $a <=> $b } @_;
	return undef unless @v;
	return $v[$#v / 2] if @v % 2;
	return ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
}

sub stats {
	my @v = grep { /^-?[0-9.]+(e[-+]?[0-9]+)?$/i } split ' ', shift // '';
	return undef unless @v;
	my @s = sort { $a <=> $b } @v;
	return { median => median(@v) + 0, min => $s[0] + 0, max => $s[-1] + 0,
	    samples => [map { $_ + 0 } @v] };
}

sub is_rate { return $_[0] =~ m{/s$} }

# "<100", "<=5", ">=1000", ">1000": does the median meet it?
sub meets {
	my ($target, $value) = @_;
	return undef unless defined $value && $target =~ /^\s*([<>]=?)\s*([0-9.]+)\s*$/;
	my ($op, $bound) = ($1, $2);
	return $op eq '<' ? $value < $bound : $op eq '<=' ? $value <= $bound
	    : $op eq '>' ? $value > $bound : $value >= $bound;
}

# Figures with 3 significant digits, thousands grouped: 0.0712, 12.3, 1,234.
sub fmt {
	my $v = shift;
	return '—' unless defined $v;
	my $a = abs $v;
	my $s = $a >= 100 ? sprintf('%.0f', $v) : $a >= 10 ? sprintf('%.1f', $v)
	    : $a >= 1 ? sprintf('%.2f', $v) : $a == 0 ? '0' : sprintf('%.3g', $v);
	1 while $s =~ s/^(-?\d+)(\d{3})/$1,$2/;
	return $s;
}

my @rows;
while (my $line = <>) {
	chomp $line;
	next if $line eq '';
	my ($name, $unit, $what, $samples, $floor, $target, $note) = split /\t/, $line, -1;
	my $r = { name => $name, unit => $unit, what => $what,
	    target => ($target // '') eq '' ? undef : $target,
	    note => ($note // '') eq '' ? undef : $note };
	my $s = stats($samples);
	my $f = stats($floor);
	if ($s) {
		$r->{$_} = $s->{$_} for qw(median min max samples);
	}
	if ($f) {
		$r->{floor} = $f;
		if ($s && $s->{median} > 0 && $f->{median} > 0) {
			$r->{ratio} = is_rate($unit) ? $f->{median} / $s->{median}
			    : $s->{median} / $f->{median};
		}
	}
	if ($r->{target} && defined $r->{median}) {
		$r->{met} = meets($r->{target}, $r->{median}) ? JSON::PP::true : JSON::PP::false;
	}
	push @rows, $r;
}

my $pgversion = `psql -X -At -c 'SHOW server_version' 2>/dev/null` // '';
chomp $pgversion;
my $cpus = `nproc 2>/dev/null` // '';
chomp $cpus;
my $load_start = $ENV{BENCH_LOAD_START} // '?';
my $load_end = '?';
if (open my $fh, '<', '/proc/loadavg') { ($load_end) = (<$fh> =~ /^(\S+ \S+ \S+)/) }
my $mem = 0;
if (open my $fh, '<', '/proc/meminfo') {
	while (<$fh>) { $mem = int($1 / 1024 / 1024 + 0.5) if /^MemTotal:\s+(\d+)/ }
}

printf "\nguichet benchmarks: %s tickets (seed %d), median of %d runs after a warm-up\n",
    fmt($tickets), $seed, $runs;
printf "PostgreSQL %s, %s cores, %d GB; ratio = our cost / the database's alone\n",
    $pgversion || '?', $cpus || '?', $mem;
my $settings = `psql -X -At -c "SELECT string_agg(name || ' ' || current_setting(name), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'effective_cache_size', 'max_parallel_workers_per_gather')" 2>/dev/null` // '';
chomp $settings;
printf "server settings (%s): %s\n", $ENV{BENCH_SETTINGS} // 'tuned', $settings || '?';
printf "load average at the start %s, at the end %s (other work on the machine skews every figure)\n\n",
    $load_start, $load_end;

my @head = ('name', 'median', 'min', 'max', 'unit', 'floor', 'ratio', 'target', 'what');
my @table = (\@head);
my @notes;
for my $r (@rows) {
	my $target = $r->{target} // '';
	$target .= defined $r->{met} ? ($r->{met} ? ' ok' : ' MISSED') : '' if $target ne '';
	push @table, [$r->{name}, fmt($r->{median}), fmt($r->{min}), fmt($r->{max}),
	    $r->{unit}, $r->{floor} ? fmt($r->{floor}{median}) : '—',
	    defined $r->{ratio} ? sprintf('%.2f×', $r->{ratio}) : '—', $target || '—',
	    $r->{what}];
	push @notes, "$r->{name}: $r->{note}" if $r->{note};
}
my @width;
for my $row (@table) {
	for my $i (0 .. $#$row) {
		my $l = length $row->[$i];
		$width[$i] = $l if !defined $width[$i] || $l > $width[$i];
	}
}
for my $row (@table) {
	my @cells;
	for my $i (0 .. $#$row) {
		my $fmtc = ($i == 0 || $i == 4 || $i >= 7) ? "%-*s" : "%*s";
		push @cells, $i == $#$row ? $row->[$i] : sprintf($fmtc, $width[$i], $row->[$i]);
	}
	print join('  ', @cells), "\n";
}
print "\n", map({ "  $_\n" } @notes) if @notes;

if (defined $json) {
	my $doc = {
		tickets => $tickets + 0, seed => $seed + 0, runs => $runs + 0,
		date => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime),
		postgresql => $pgversion, cpus => $cpus + 0, memory_gb => $mem,
		load_average_start => $load_start, load_average_end => $load_end,
		ratio => 'our cost / floor cost (rates: floor / ours)',
		results => \@rows,
	};
	open my $out, '>', $json or die "summarise: $json: $!\n";
	print $out JSON::PP->new->canonical->pretty->encode($doc);
	close $out or die "summarise: $json: $!\n";
	print "JSON written to $json\n";
}
