#!/usr/bin/perl
# tests/bench/genmail.pl — a maildir of typical citizen mail for the import
# benchmark: 2–8 KB messages in French, UTF-8 or latin-1, plain or with an
# HTML alternative; 10% carry an attachment (a small photo or PDF, 3–24 KB);
# 20% are follow-ups: by the subject tag of an existing ticket, by
# In-Reply-To onto a Message-ID the database holds, or onto an earlier
# message of the same maildir. The same --seed and --run give the same bytes;
# different runs give different Message-IDs, so that each measured import
# does real work instead of finding duplicates.
#
# Usage: genmail.pl --out DIR --count N [--seed S] [--run R] [--tag-prefix Guichet]
#                   [--tickets FILE] [--message-ids FILE] [--to FILE] [--from FILE]
# FILE arguments hold one value a line (ticket ids, Message-IDs, queue
# addresses, known requesters' addresses).
use strict;
use warnings;
use utf8;
use Getopt::Long;
use MIME::Base64 qw(encode_base64);
use MIME::QuotedPrint qw(encode_qp);
use Encode qw(encode);
use File::Path qw(make_path);

my %opt = (count => 10000, seed => 1, run => 0, 'tag-prefix' => 'Guichet');
GetOptions(\%opt, 'out=s', 'count=i', 'seed=i', 'run=i', 'tag-prefix=s', 'tickets=s',
    'message-ids=s', 'to=s', 'from=s') && $opt{out}
    or die "usage: genmail.pl --out DIR --count N [--seed S] [--run R] ...\n";

sub lines_of {
	my $path = shift;
	return () unless $path && -s $path;
	open my $fh, '<', $path or die "genmail.pl: $path: $!\n";
	chomp(my @l = grep { /\S/ } <$fh>);
	return @l;
}
my @tickets = lines_of($opt{tickets});
my @known_ids = lines_of($opt{'message-ids'});
my @to = lines_of($opt{to});
@to = ('guichet@ville.example') unless @to;
my @known_from = lines_of($opt{from});

srand($opt{seed} * 100003 + $opt{run});
sub pick { return $_[int rand @_] }

my @first = qw(Marie Jean Sophie Karim Nathalie Pierre Fatima Luc Élodie Thomas
    Chloé Mohamed Anne Julien Inès François Camille Hugo Léa Mathieu Aïcha Noël);
my @last = qw(Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau
    Simon Laurent Lefèbvre Michel Garcia Müller Faure Rousseau Blanc Guérin Mercier);
my @subjects = (
	'Dépôt sauvage rue %s', 'Nid de poule avenue %s', 'Éclairage en panne place %s',
	'Demande de passeport — rendez-vous', 'Inscription en crèche pour septembre',
	'Permis de construire : pièces manquantes', 'Mot de passe de l\'intranet bloqué',
	'Bruit de chantier le dimanche rue %s', 'Stationnement gênant devant le %d',
	'Encombrants à enlever au %d rue %s', 'Acte de naissance à demander',
	'Poubelles non ramassées quartier %s', 'Graffitis sur le mur de l\'école %s',
	'Arbre dangereux square %s', 'Fuite d\'eau sur la chaussée rue %s',
);
my @streets = qw(Lilas Pasteur Jaurès Hugo Gambetta Voltaire Mozart Curie Zola
    Molière Foch République Liberté Gare Port Écoles Tilleuls);
my @phrases = (
	'Bonjour, je me permets de vous écrire au sujet d\'un problème constaté ce matin.',
	'Depuis plusieurs jours, la situation ne s\'améliore pas et les riverains s\'inquiètent.',
	'Pourriez-vous m\'indiquer le délai d\'intervention prévu par vos services ?',
	'Je joins une photo prise hier soir vers 19 h pour que vous puissiez juger.',
	'Les enfants passent par là pour aller à l\'école, c\'est dangereux.',
	'J\'ai déjà appelé la mairie la semaine dernière sans obtenir de réponse.',
	'Merci de bien vouloir me tenir informé(e) de la suite donnée à ma demande.',
	'Mon numéro de téléphone est le 06 12 34 56 78 si besoin.',
	'Vous trouverez ci-dessous les informations demandées par votre collègue.',
	'Le dossier a été déposé en ligne mais je n\'ai reçu aucun accusé de réception.',
	'Il s\'agit d\'un tas de gravats, de meubles et de sacs plastiques éventrés.',
	'La lampe clignote puis s\'éteint complètement à la tombée de la nuit.',
	'Je reste disponible pour tout complément d\'information, même le samedi.',
	'Ce n\'est pas la première fois que cela se produit dans notre quartier.',
);
my @follow = (
	'Bonjour, je reviens vers vous car rien n\'a bougé depuis ma dernière demande.',
	'Merci pour votre réponse rapide, voici les précisions demandées.',
	'Le problème est réapparu ce matin, pouvez-vous rouvrir le dossier ?',
	'Je vous confirme que l\'intervention a bien eu lieu, merci beaucoup.',
);

sub paragraph {
	my $n = 2 + int rand 4;
	return join ' ', map { pick(@phrases) } 1 .. $n;
}

sub wrap {
	my $text = shift;
	my (@out, $line);
	$line = '';
	for my $w (split / /, $text) {
		if (length($line) + length($w) + 1 > 72 && $line ne '') {
			push @out, $line;
			$line = $w;
		} else {
			$line = $line eq '' ? $w : "$line $w";
		}
	}
	push @out, $line if $line ne '';
	return join "\n", @out;
}

sub rfc2047 {
	my ($text, $charset) = @_;
	return $text if $text !~ /[^\x20-\x7e]/;
	my $b = encode_base64(encode($charset, $text), '');
	return "=?$charset?B?$b?=";
}

sub person {
	if (@known_from && rand() < 0.6) {
		my $a = pick(@known_from);
		return ($a, '');
	}
	my ($f, $l) = (pick(@first), pick(@last));
	(my $local = lc "$f.$l") =~ tr/éèëêàâäîïôöùûüçœ/eeeeaaaiioouuuco/;
	$local =~ s/[^a-z.]//g;
	return ($local . int(rand 500) . '@' . pick(qw(laposte.example orange.example
	    free.example gmail.example mairie.example)), "$f $l");
}

sub body_text {
	my $target = shift;
	my $text = '';
	$text .= wrap(paragraph()) . "\n\n" while length($text) < $target;
	return $text . "--\n" . pick(@first) . ' ' . pick(@last) . "\n";
}

my ($count, $dir) = ($opt{count}, $opt{out});
make_path("$dir/new", "$dir/cur", "$dir/tmp");
my $pool = pack('L*', map { int rand 4294967296 } 1 .. 16384);
my @ours; # Message-IDs of this maildir, for follow-ups onto them
my $epoch = 1780000000 + $opt{run} * 100000;

for my $i (1 .. $count) {
	my $run = $opt{run};
	my $msgid = sprintf '<%d.%d.%06d@%s>', $opt{seed}, $run, $i, 'bench.mail.example';
	my ($from, $name) = person();
	my $charset = rand() < 0.8 ? 'UTF-8' : 'ISO-8859-1';
	my $subject = pick(@subjects);
	$subject =~ s{%s}{pick(@streets)}e;
	$subject =~ s{%d}{1 + int rand 120}e;
	my @extra;
	my $r = rand();
	my $intro = '';
	if ($r < 0.20) {
		# A follow-up: half by tag, the rest by In-Reply-To.
		my $how = rand();
		if ($how < 0.5 && @tickets) {
			$subject = "Re: [$opt{'tag-prefix'} #" . pick(@tickets) . "] $subject";
		} elsif ($how < 0.75 && @known_ids) {
			my $parent = pick(@known_ids);
			$parent = "<$parent>" unless $parent =~ /^</;
			push @extra, "In-Reply-To: $parent", "References: $parent";
			$subject = "Re: $subject";
		} elsif (@ours) {
			my $parent = pick(@ours);
			push @extra, "In-Reply-To: $parent", "References: $parent";
			$subject = "Re: $subject";
		} elsif (@tickets) {
			$subject = "Re: [$opt{'tag-prefix'} #" . pick(@tickets) . "] $subject";
		}
		$intro = pick(@follow) . "\n\n";
	}
	push @ours, $msgid;
	my $size = 800 + int rand 4500; # headers and MIME bring it to 2–8 KB
	my $text = $intro . body_text($size);
	my $date = $epoch + $i * 7;
	my @head = (
		'Return-Path: <' . $from . '>',
		'Received: from mx.' . ($from =~ s/.*@//r) . ' (mx [192.0.2.' . (1 + $i % 250)
		    . ']) by mail.ville.example (Postfix) with ESMTPS id ' . sprintf('%X', $i * 7919)
		    . '; ' . scalar(gmtime $date),
		'From: ' . ($name ne '' ? rfc2047($name, $charset) . " <$from>" : $from),
		'To: ' . pick(@to),
		'Subject: ' . rfc2047($subject, $charset),
		'Date: ' . POSIX_date($date),
		"Message-ID: $msgid",
		@extra,
		'MIME-Version: 1.0',
	);
	my $part_text = "Content-Type: text/plain; charset=$charset\n" . transfer($charset, $text);
	my $mime;
	my $boundary = "=_bench_${run}_$i";
	if (rand() < 0.10) {
		# Slices of one random pool, made unique so each is its own blob.
		my $len = 3000 + int rand 21000;
		my $bytes = pack('NN', $run, $i) . substr($pool, int rand(length($pool) - $len), $len);
		my ($fname, $ctype) = rand() < 0.6 ? ('photo_' . $i . '.jpg', 'image/jpeg')
		    : ('Pièce jointe ' . $i . '.pdf', 'application/pdf');
		$mime = "Content-Type: multipart/mixed; boundary=\"$boundary\"\n\n"
		    . "This is a multi-part message in MIME format.\n\n--$boundary\n$part_text\n"
		    . "--$boundary\nContent-Type: $ctype; name=\"" . rfc2047($fname, 'UTF-8')
		    . "\"\nContent-Disposition: attachment; filename*=UTF-8''"
		    . join('', map { /[A-Za-z0-9._-]/ ? $_ : sprintf('%%%02X', ord) }
		    split //, encode('UTF-8', $fname))
		    . "\nContent-Transfer-Encoding: base64\n\n" . encode_base64($bytes)
		    . "--$boundary--\n";
	} elsif (rand() < 0.15) {
		my $html = "<html><body><p>" . join('</p><p>', split /\n\n/, $text)
		    . "</p></body></html>\n";
		$mime = "Content-Type: multipart/alternative; boundary=\"$boundary\"\n\n"
		    . "--$boundary\n$part_text\n--$boundary\n"
		    . "Content-Type: text/html; charset=$charset\n"
		    . "Content-Transfer-Encoding: quoted-printable\n\n"
		    . encode_qp(encode($charset, $html)) . "--$boundary--\n";
	} else {
		$mime = $part_text;
	}
	my $msg = join("\n", @head) . "\n" . $mime;
	$msg =~ s/\n/\r\n/g if $i % 5 == 0; # some MTAs deliver CRLF
	my $file = sprintf '%s/new/%d.M%06dP%d.bench', $dir, $date, $i, $run;
	open my $out, '>:raw', $file or die "genmail.pl: $file: $!\n";
	print $out $msg;
	close $out or die "genmail.pl: $file: $!\n";
}

sub POSIX_date {
	my @t = gmtime shift;
	my @d = qw(Sun Mon Tue Wed Thu Fri Sat);
	my @m = qw(Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec);
	return sprintf '%s, %02d %s %04d %02d:%02d:%02d +0000', $d[$t[6]], $t[3], $m[$t[4]],
	    $t[5] + 1900, $t[2], $t[1], $t[0];
}

# Transfer encodings in the proportions a desk sees: mostly 8bit, then
# quoted-printable, some base64.
sub transfer {
	my ($charset, $text) = @_;
	my $r = rand();
	my $bytes = encode($charset, $text);
	return "Content-Transfer-Encoding: 8bit\n\n$bytes" if $r < 0.6;
	return "Content-Transfer-Encoding: quoted-printable\n\n" . encode_qp($bytes) if $r < 0.9;
	return "Content-Transfer-Encoding: base64\n\n" . encode_base64($bytes);
}
