#!/bin/sh
# tests/mail/gen-maildir.sh DIR NEW FOLLOWUPS [PREFIX [CROSS]] — a maildir of
# NEW requests from a few hundred senders, FOLLOWUPS replies (In-Reply-To an
# earlier request of the same sender) and CROSS replies from a neighbour
# (another sender: In-Reply-To and References the request, delivered just
# after it), named so that delivery order puts every reply after what it
# answers. About 1 KB each, 1 in 10 with a small attachment. Run (sh) by the
# mail tests; awk only, fast enough for 10,000.
dir=$1 new=$2 followups=$3 prefix=${4:-g} cross=${5:-0}
mkdir -p "$dir/new" "$dir/cur" "$dir/tmp"
awk -v dir="$dir" -v n="$new" -v f="$followups" -v p="$prefix" -v x="$cross" 'BEGIN {
	total = n + f + x
	for (i = 1; i <= total; i++) {
		file = sprintf("%s/new/%010d.%s%06d.host", dir, 1700000000 + i, p, i)
		if (i > n + f) {
			# Delivered right after the request it answers.
			k = (i - n - f - 1) % n + 1
			file = sprintf("%s/new/%010d.%s%06dx.host", dir, 1700000000 + k, p, k)
			sender = (k + 1) % 300
			printf "From: Voisin %d <habitant%d@example.org>\n", sender, sender > file
			printf "To: voirie@ville.example\n" > file
			printf "Subject: Re: Demande %s %d (le voisin)\n", p, k > file
			printf "Message-ID: <%s.x%d.%d@example.org>\n", p, k, i > file
			printf "In-Reply-To: <%s.%d@example.org>\n", p, k > file
			printf "References: <%s.%d@example.org>\n", p, k > file
		} else if (i <= n || (i - n) > n) {
			k = i
			sender = k % 300
			printf "From: Habitant %d <habitant%d@example.org>\n", sender, sender > file
			printf "To: voirie@ville.example\n" > file
			printf "Subject: Demande %s %d : éclairage rue %d\n", p, k, k % 97 > file
			printf "Message-ID: <%s.%d@example.org>\n", p, k > file
		} else {
			k = i - n
			sender = k % 300
			printf "From: Habitant %d <habitant%d@example.org>\n", sender, sender > file
			printf "To: voirie@ville.example\n" > file
			printf "Subject: Re: Demande %s %d\n", p, k > file
			printf "Message-ID: <%s.r%d@example.org>\n", p, k > file
			printf "In-Reply-To: <%s.%d@example.org>\n", p, k > file
		}
		printf "Date: Mon, 2 Mar 2026 10:00:00 +0100\nMIME-Version: 1.0\n" > file
		if (i % 10 == 0) {
			printf "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i > file
			printf "Content-Type: text/plain; charset=utf-8\n\n" > file
		} else
			printf "Content-Type: text/plain; charset=utf-8\n\n" > file
		for (l = 0; l < 12; l++)
			printf "Ligne %d du message %d : le lampadaire clignote, merci d'\''intervenir.\n", l, i > file
		if (i % 10 == 0) {
			printf "--b%d\nContent-Type: application/pdf; name=\"plan-%d.pdf\"\n", i, i > file
			printf "Content-Transfer-Encoding: base64\n\n" > file
			for (l = 0; l < 20; l++)
				printf "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmlsdGVyIC9GbGF0ZURlY29kZT4+%04d\n", i % 10000 > file
			printf "--b%d--\n", i > file
		}
		close(file)
	}
}'
