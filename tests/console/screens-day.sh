# tests/console/screens-day.sh — the end of a day at the desk, whole screens at
# 80×24 (screens-desk.sh is its morning): a follow-up of the citizen arrives
# by mail on alice's ticket and she is told at once; she opens it from her
# notifications, answers with a template that the server renders (the
# citizen's name, the ticket's tag, her own name), resolves the ticket, and
# the queue's closing notice goes out. Then the mail as it leaves: every row
# of the outbox is free of "{{", comes from the queue's address, and the
# closing notice threads on the citizen's mail and is no agent's reply.

. "$top_srcdir/tests/console/lib.sh"

pg_start
pg_install
pg_fixture
sql "INSERT INTO guichet.template (name, subject, body) VALUES
    ('prise-en-charge', NULL, E'Bonjour {{requester.name|Madame, Monsieur}},\n\n'
        'votre demande {{ticket.tag}} est prise en charge par {{queue.name}}.\n\n{{agent.name}}'),
    ('cloture', 'Votre demande {{ticket.tag}} est traitée',
        E'Bonjour {{requester.name|Madame, Monsieur}},\n\nnous avons traité votre demande n° '
        '{{ticket.id}} « {{ticket.subject}} ».\n\n{{organisation.name}}');
UPDATE guichet.queue SET closing_template_id =
    (SELECT id FROM guichet.template WHERE name = 'cloture') WHERE code = 'voirie'" >/dev/null ||
    bail_out "templates"

console_start main alice
wait_for main "voirie-n2" >/dev/null || bail_out "the console did not start"

# 7. Marie writes again about her ticket #2 (alice's): the gateway files it.
is "$(sql "SELECT o_outcome FROM guichet.ingest_message(convert_to('raw day-1', 'UTF8'), 'test',
    jsonb_build_object('message_id', '<day-1@example.net>', 'tag', 2,
        'from_addr', 'marie.martin@example.net', 'from_name', 'Marie Martin',
        'subject', 'Re: Dépôt sauvage avenue Foch',
        'body', 'Les sacs sont toujours là ce matin, et il pleut.',
        'to', 'voirie@ville.example', 'recipients', jsonb_build_array('voirie@ville.example')))")" imported \
    "a follow-up of the requester arrives on alice's ticket #2"
await main "N: 1 notification"
screen_is main day-told "alice is told: the count in the status line, without a key"

keys main N
await main "follow-up"
keys main Enter
await main "Dépôt sauvage avenue Foch"
keys main G
await main "il pleut"
screen_is main day-followup "Enter on the notification: the ticket, its follow-up at the end"

# 8. The answer, from a template rendered by the server.
keys main r
await main "reply with which template?"
type_text main prise
keys main Enter
await main "the reply is ready"
is "$(cat "$XDG_STATE_HOME/guichet/drafts/2-reply.md")" "Bonjour Marie Martin,

votre demande [Guichet #2] est prise en charge par Voirie.

Alice Martin" \
    "the editor had the template rendered: her name, the tag, the queue, the agent"
keys main Enter
await main "time spent"
keys main Enter
await main "reply by Alice Martin"
screen_is main day-replied "the rendered reply in the thread"

# 9. Resolved: the closing notice leaves by itself.
keys main s
await main "new status"
type_text main resol
keys main Enter
await main "Status:    resolved"
keys main G
await main "est traitée"
screen_is main day-resolved "resolved: the queue's closing notice in the thread"

# The mail as it leaves the desk.
is "$(sql "SELECT string_agg(kind || ' ' || mail_from || ' ' || from_name, ',' ORDER BY id)
    FROM guichet.outbox WHERE ticket_id = 2")" \
    "reply voirie@ville.example Ville de Sainte-Claire,closing voirie@ville.example Ville de Sainte-Claire" \
    "a reply and a closing notice, both from the queue written to, with the organisation's name"
is "$(sql "SELECT count(*) FROM guichet.outbox
    WHERE subject LIKE '%{{%' OR body LIKE '%{{%' OR coalesce(from_name, '') LIKE '%{{%'")" 0 \
    "no outbox row holds a {{"
is "$(sql "SELECT in_reply_to FROM guichet.outbox WHERE ticket_id = 2 AND kind = 'closing'")" \
    "<day-1@example.net>" \
"the closing notice threads on the citizen's last mail, as a reply does"
is "$(sql "SELECT replies FROM guichet.ticket WHERE id = 2")" \
    "$(sql "SELECT count(*) FROM guichet.article WHERE ticket_id = 2 AND kind = 'mail_out'
        AND author_agent_id IS NOT NULL")" \
    "the closing notice is no agent's reply: the ticket counts the agents' replies only"
done_testing
