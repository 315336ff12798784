#!/usr/bin/perl
# tests/mail/gen-hostile.pl DIR — the hostile messages that once stopped the
# gateway, written into DIR: each is what a stranger can send in one mail.
#   depth.eml     multipart nested 50,000 deep (libetpan's recursive parser
#                 overflows the stack at ~27,000)
#   parts.eml     5,000 parts in one multipart
#   forwards.eml  message/rfc822 forwarded inside itself 800 times
#   chain.eml     3,000 forwards in about 160 KB (each used to restart at depth 0)
#   subject.eml   a 4 MB subject of unterminated encoded words ("=?")
#   big.eml       30 MB: a 22 MB attachment in base64
# Used by tests/mail/hostile.sh and to measure (README of tests/bench).
use strict;
use warnings;

my $dir = shift or die "usage: gen-hostile.pl DIR\n";
-d $dir or mkdir $dir or die "$dir: $!\n";

sub head {
	my ($id, $subject) = @_;
	return "From: Hostile <hostile\@example.org>\nTo: voirie\@ville.example\n"
	    . "Subject: $subject\nMessage-ID: <$id\@example.org>\nMIME-Version: 1.0\n";
}

sub out {
	my ($name, $text) = @_;
	open(my $f, '>', "$dir/$name") or die "$dir/$name: $!\n";
	print $f $text;
	close($f) or die "$dir/$name: $!\n";
}

# Nested multiparts: each level opens a boundary of its own.
sub depth {
	my ($n) = @_;
	my @s = (head("depth$n", "Profondeur $n"));
	for my $i (1 .. $n) {
		push @s, "Content-Type: multipart/mixed; boundary=\"b$i\"\n\n--b$i\n";
	}
	push @s, "Content-Type: text/plain\n\nTout au fond.\n";
	for my $i (reverse 1 .. $n) {
		push @s, "--b$i--\n";
	}
	return join('', @s);
}

sub parts {
	my ($n) = @_;
	my @s = (head("parts$n", "Parties $n"),
	    "Content-Type: multipart/mixed; boundary=\"p\"\n\n");
	for my $i (1 .. $n) {
		push @s, "--p\nContent-Type: text/plain\n\nPartie $i.\n";
	}
	push @s, "--p--\n";
	return join('', @s);
}

# Each level is a message whose body is the next one, as message/rfc822.
# The compact chain keeps only what a level needs.
sub forwards {
	my ($n, $id, $compact) = @_;
	my $inner = "From: a\@example.org\nSubject: fond\n\nLe message d'origine.\n";
	for my $i (1 .. $n) {
		$inner = ($compact ? "Subject: $i\n" :
		    "From: f$i\@example.org\nSubject: Fwd $i\nMIME-Version: 1.0\n")
		    . "Content-Type: message/rfc822\n\n$inner";
	}
	return head($id, "Transferts $n") . "Content-Type: message/rfc822\n\n$inner";
}

sub subject {
	my ($bytes) = @_;
	# No "?=" anywhere: every "=?" starts a word that never ends.
	my $word = '=?utf-8?q?a ';
	my $s = $word x int($bytes / length($word));
	return "From: Hostile <hostile\@example.org>\nTo: voirie\@ville.example\n"
	    . "Subject: $s\nMessage-ID: <subject\@example.org>\n\nCorps.\n";
}

sub big {
	my @s = (head("big", "Plans du quartier"),
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nVoir plans.\n",
	    "--b\nContent-Type: application/pdf; name=plans.pdf\nContent-Transfer-Encoding: base64\n\n");
	my $line = ('A' x 76) . "\n";
	push @s, $line x int(22500000 * 4 / 3 / 76);
	push @s, "--b--\n";
	return join('', @s);
}

out('depth.eml', depth(50000));
out('parts.eml', parts(5000));
out('forwards.eml', forwards(800, 'forwards'));
out('chain.eml', forwards(3000, 'chain', 1));
out('subject.eml', subject(4 * 1024 * 1024));
out('big.eml', big());
