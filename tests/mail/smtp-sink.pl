#!/usr/bin/perl
# tests/mail/smtp-sink.pl DIR — a tiny SMTP listener for the tests: binds
# 127.0.0.1 on a free port (written to DIR/port), accepts every message and
# stores it as DIR/N.eml with its envelope in DIR/N.env. A recipient whose
# address contains "refuse" gets 550. Stops when DIR/stop exists.
use strict;
use warnings;
use IO::Socket::INET;

my $dir = shift or die "usage: smtp-sink.pl DIR\n";
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 5,
    Proto => 'tcp', ReuseAddr => 1) or die "listen: $!\n";
open(my $pf, '>', "$dir/port.tmp") or die; print $pf $srv->sockport, "\n"; close $pf;
rename "$dir/port.tmp", "$dir/port";
my $n = 0;
$srv->timeout(1);
while (!-e "$dir/stop") {
	my $c = $srv->accept or next;
	$c->autoflush(1);
	print $c "220 sink.test ESMTP\r\n";
	my ($from, @rcpt);
	while (defined(my $l = <$c>)) {
		$l =~ s/\r?\n$//;
		if ($l =~ /^(EHLO|HELO)/i) { print $c "250-sink.test\r\n250 8BITMIME\r\n"; }
		elsif ($l =~ /^MAIL FROM:\s*<?([^>]*)>?/i) { $from = $1; @rcpt = (); print $c "250 ok\r\n"; }
		elsif ($l =~ /^RCPT TO:\s*<?([^>]*)>?/i) {
			if ($1 =~ /refuse/) { print $c "550 5.1.1 no such user\r\n"; }
			else { push @rcpt, $1; print $c "250 ok\r\n"; }
		}
		elsif ($l =~ /^DATA/i) {
			print $c "354 go ahead\r\n";
			my $data = '';
			while (defined(my $d = <$c>)) { last if $d =~ /^\.\r?\n$/; $d =~ s/^\.\././; $data .= $d; }
			$n++;
			open(my $f, '>', "$dir/$n.eml"); print $f $data; close $f;
			open(my $e, '>', "$dir/$n.env"); print $e "from $from\n", map { "rcpt $_\n" } @rcpt; close $e;
			print $c "250 queued as $n\r\n";
		}
		elsif ($l =~ /^RSET/i) { print $c "250 ok\r\n"; }
		elsif ($l =~ /^NOOP/i) { print $c "250 ok\r\n"; }
		elsif ($l =~ /^QUIT/i) { print $c "221 bye\r\n"; last; }
		else { print $c "502 not implemented\r\n"; }
	}
	close $c;
}
