#!/bin/sh
# tests/mail/console-flags.sh — what the gateway could not vouch for is shown
# in the console, under the article's header: mail from someone who is not
# among the ticket's people, and other content under a Message-ID the same
# sender used before. Real mail imported by guichet-mail, the real console in
# tmux.
. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture
conf=$PGDIR/guichet.conf
printf 'set mail.default_queue voirie\nset mail.rate_cap 0\n' > "$conf"
imp() { guichet-mail -F "$conf" -d "$(pg_conninfo mailer)" import --stdin >/dev/null 2>&1; }

printf 'From: Paul Morel <paul.morel@example.org>\nTo: voirie@ville.example\nSubject: Arbre tombé\nMessage-ID: <arbre@example.org>\n\nUn arbre est tombé avenue Foch.\n' | imp
printf 'From: Paul Morel <paul.morel@example.org>\nTo: voirie@ville.example\nSubject: Re: Arbre tombé\nMessage-ID: <arbre2@example.org>\nIn-Reply-To: <arbre@example.org>\n\nPremière version.\n' | imp
printf 'From: Paul Morel <paul.morel@example.org>\nTo: voirie@ville.example\nSubject: Re: Arbre tombé\nMessage-ID: <arbre2@example.org>\nIn-Reply-To: <arbre@example.org>\n\nSeconde version, autre texte.\n' | imp
printf 'From: Un passant <passant@example.com>\nTo: voirie@ville.example\nSubject: Re: Arbre tombé\nMessage-ID: <passant@example.com>\nIn-Reply-To: <arbre@example.org>\n\nJe confirme.\n' | imp
id=$(sql "SELECT ticket_id FROM guichet.article WHERE message_id = '<arbre@example.org>'")
is "$(sql "SELECT count(*) FROM guichet.article WHERE ticket_id = $id AND kind = 'mail_in'")" 4 \
    "four messages on one ticket"

console_start main alice
ok "the console starts" wait_for main "voirie-n2"
keys main '#'
type_text main "$id"
keys main Enter
ok "the ticket opens" wait_for main "Arbre tombé"
keys main G
ok "a stranger's mail is marked" \
    wait_for main "(!) Unverified sender: not among this ticket's people"
ok "other content under a Message-ID seen before is marked" \
    wait_for main "(!) Message-ID seen before from this sender, with other content"
is "$(screen main | grep -c '(!) ')" 2 "only those two articles are marked"

done_testing
