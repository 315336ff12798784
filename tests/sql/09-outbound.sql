-- 09-outbound.sql — mail that leaves the desk: the one template language
-- (render_template, template_check, templates refused when saved), where a
-- reply comes from (never an address the desk does not own), attachments of
-- replies, acknowledgements and closing notices that are not replies.
BEGIN;
SELECT plan(46);
SET LOCAL search_path = guichet, public;

CREATE FUNCTION public.t_error(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE p_sql;
	RETURN 'no error';
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ' ' || SQLERRM;
END
$$;

--
-- The language
--
SELECT is(template_check('Bonjour {{requester.name}}, {{ ticket.tag }} {{due}} '
    '{{ requester.name | Madame, Monsieur }} {{organisation.name}}'), '{}',
    'template_check: known names, blanks inside the braces, a default');
SELECT is(template_check('{{name}} {{contact.name}} {{ticket}} {{name}} {{ x | y }}'),
    '{name,contact.name,ticket,x}',
    'template_check: the unknown names, each once, in order');
SELECT is(template_check('Bonjour {{requester.name'), '{"{{"}',
    'template_check: a "{{" without its "}}"');
SELECT is(template_check('a } b {single} }} {'), '{}', 'template_check: other braces are text');

UPDATE ticket SET resolution_due = '2026-03-02 16:30+00' WHERE id = 1;
UPDATE setting SET value = 'Europe/Paris' WHERE key = 'time_zone';
SET SESSION AUTHORIZATION alice;
SELECT is(render_template(1, '{{requester.name}}|{{requester.email}}|{{ticket.id}}|'
    '{{ticket.subject}}|{{ticket.tag}}|{{queue.name}}|{{agent.name}}|{{service.name}}|'
    '{{district.name}}|{{organisation.name}}|{{due}}'),
    'Jean Dupont|jean.dupont@example.org|1|Nid de poule rue de la Gare|[Guichet #1]|Voirie|'
    'Alice Martin|Nid de poule|Gare|Ville de Sainte-Claire|2026-03-02 17:30',
    'render_template: every placeholder, the due time in the desk''s time zone');
SELECT is(render_template(6, 'Bonjour {{ requester.email | Madame, Monsieur }},{{ service.name }}.'),
    'Bonjour Madame, Monsieur,.',
    'render_template: an empty value is the default, else nothing');
SELECT is(t_error('SELECT render_template(1, ''{{requester.nom}}'')'),
    'GU005 the template: unknown placeholder {{requester.nom}}',
    'render_template: an unknown placeholder is refused, by name');
SELECT is(t_error('SELECT render_template(5, ''{{ticket.id}}'')'),
    'GU006 no ticket #5', 'render_template: a ticket she does not see does not exist');
RESET SESSION AUTHORIZATION;
UPDATE contact SET name = '{{ticket.id}} {{agent.name}} {{' WHERE id = 1;
SELECT is(render_template(1, 'Bonjour {{requester.name}} ({{ticket.id}})'),
    'Bonjour {{ticket.id}} {{agent.name}} {{ (1)',
    'render_template: one pass, a value is never read as a template');
SELECT is(render_template(1, repeat('{{ticket.id}}-', 20000)), repeat('1-', 20000),
    'render_template: 20,000 placeholders');
UPDATE contact SET name = 'Jean Dupont' WHERE id = 1;

--
-- Templates are refused when saved, whoever saves them
--
SELECT is(t_error($$INSERT INTO template (name, body) VALUES ('vieux', 'Bonjour {{name}}')$$),
    'GU005 template "vieux": unknown placeholder {{name}}',
    'a template with an unknown placeholder cannot be saved');
SELECT is(t_error($$INSERT INTO template (name, subject, body)
    VALUES ('sujet', 'Re: {{subject}}', 'x')$$),
    'GU005 template "sujet", subject: unknown placeholder {{subject}}',
    'nor one whose subject has one');
INSERT INTO template (name, subject, body) VALUES ('merci', 'Merci {{requester.name|}}',
    'Bonjour {{ requester.name | Madame, Monsieur }}, demande {{ticket.tag}} reçue.');
SELECT is(t_error($$UPDATE template SET body = body || '{{ticket.id' WHERE name = 'merci'$$),
    'GU005 template "merci": a "{{" without its "}}"', 'nor changed into one');

--
-- From: the queue address written to; never one the desk does not own
--
INSERT INTO queue_address (address, queue_id) VALUES ('mairie@ville.example', 3);
UPDATE queue SET from_name = 'Mairie — état civil' WHERE id = 3;
INSERT INTO article (ticket_id, kind, author_contact_id, body, body_format, message_id,
    mail_from, mail_to, mail_cc)
VALUES (3, 'mail_in', 2, 'Et pour un enfant ?', 'text', '<f3b.marie@example.net>',
    'marie.martin@example.net', 'Marie <marie.martin@example.net>',
    '"Mairie, accueil" <MAIRIE@ville.example>');
SET SESSION AUTHORIZATION bob;
SELECT reply(3, 'Les mêmes pièces.') AS r3 \gset
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT mail_from, from_name, in_reply_to FROM outbox WHERE article_id = %s', :r3),
    $$VALUES ('mairie@ville.example', 'Mairie — état civil', '<f3b.marie@example.net>')$$,
    'reply: from the queue address the requester wrote to, with the queue''s name');
SET SESSION AUTHORIZATION alice;
SELECT reply(1, 'Nous intervenons.') AS r1 \gset
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT mail_from, from_name FROM outbox WHERE article_id = %s', :r1),
    $$VALUES ('voirie@ville.example', 'Ville de Sainte-Claire')$$,
    'reply: a queue without a name of its own signs with its organisation''s');

-- A level-2 queue without an address answers from the queue the ticket came from.
DELETE FROM queue_address WHERE queue_id = 2;
SET SESSION AUTHORIZATION alice;
SELECT create_ticket(1, 'Candélabre penché', 'Au téléphone.', 1, 'phone') AS t7 \gset
SELECT escalate(:t7, NULL, 'Structure à vérifier') \g /dev/null
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION carol;
SELECT reply(:t7, 'Nous passons lundi.') AS r7 \gset
RESET SESSION AUTHORIZATION;
SELECT is((SELECT mail_from FROM outbox WHERE article_id = :r7), 'voirie@ville.example',
    'reply: a level-2 queue without an address answers from the level-1 queue of the ticket''s history');
-- Created at level 2: the level-1 queue that escalates to it.
SET SESSION AUTHORIZATION carol;
SELECT create_ticket(2, 'Pont fissuré', 'Signalé par un agent.', 1, 'phone') AS t8 \gset
SELECT reply(:t8, 'Inspection prévue.') AS r8 \gset
RESET SESSION AUTHORIZATION;
SELECT is((SELECT mail_from FROM outbox WHERE article_id = :r8), 'voirie@ville.example',
    'reply: or from the level-1 queue that escalates to it');
-- No address at all: an error, never guichet@.
DELETE FROM queue_address WHERE queue_id = 3;
SET SESSION AUTHORIZATION bob;
SELECT is(t_error('SELECT reply(3, ''Encore une chose.'')'),
    'GU005 queue etat-civil has no mail address to write from: give it one (guichet-admin queue set etat-civil --address …)',
    'reply: a queue with no address to write from is an error that names it');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM outbox WHERE mail_from NOT IN (SELECT address FROM queue_address)
        AND mail_from NOT IN ('mairie@ville.example', 'etat-civil@ville.example',
            'voirie-n2@ville.example')), 0::bigint,
    'no outbox row leaves from an address the desk does not own');
SELECT is((SELECT array_agg(code ORDER BY code) FROM queue_sender_missing()), '{etat-civil}',
    'queue_sender_missing: the queue with no address (voirie-n2 has voirie''s)');
SELECT ok(NOT has_function_privilege('alice', 'queue_sender_missing()', 'EXECUTE'),
    'queue_sender_missing is not for agents');

SELECT results_eq($$SELECT mail_from, from_name FROM outbox_claim(10) WHERE article_id = $$ || :r3,
    $$VALUES ('mairie@ville.example', 'Mairie — état civil')$$,
    'outbox_claim returns from_name');

--
-- Replies hold no placeholder; attachments
--
SET SESSION AUTHORIZATION alice;
SELECT is(t_error('SELECT reply(1, ''Bonjour {{ requester.name }}'')'),
    'GU005 the text still holds the placeholder {{requester.name}}: render it first',
    'reply: a template sent without being rendered is refused');
SELECT lives_ok('SELECT reply(1, ''Le code est {{x}} ou {y}.'')',
    'reply: other braces are the agent''s own text');
SELECT reply(1, 'Voici le plan.', 0, NULL, NULL, NULL, NULL, NULL,
    jsonb_build_array(
        jsonb_build_object('name', '../../etc/plan été.pdf', 'type', 'application/PDF',
            'data', encode(convert_to('%PDF-1.4 plan', 'UTF8'), 'base64')),
        jsonb_build_object('name', E'note\x01.txt', 'type', 'text/plain; x=1',
            'data', encode('\x00ff'::bytea, 'base64')))) AS ra \gset
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT a.filename, a.content_type, a.size::int, b.content
        FROM attachment a JOIN blob b ON b.sha256 = a.sha256 WHERE a.article_id = %s
        ORDER BY a.id', :ra),
    $$VALUES ('plan été.pdf', 'application/pdf', 13, convert_to('%PDF-1.4 plan', 'UTF8')),
        ('note.txt', 'application/octet-stream', 2, '\x00ff'::bytea)$$,
    'reply: attachments stored with the reply''s article: names without directories or controls');
SET SESSION AUTHORIZATION alice;
SELECT is(t_error($$SELECT reply(1, 'x', p_attachments => '[{"name": "a", "data": "@@@"}]')$$),
    'GU005 attachment "a": the data is not base64', 'reply: data that is not base64');
SELECT is(t_error($$SELECT reply(1, 'x', p_attachments => '{"name": "a"}')$$),
    'GU005 attachments: an array of at most 50 files', 'reply: attachments are an array');
SELECT is(t_error($$SELECT reply(1, 'x', p_attachments => '[{"name": "a"}]')$$),
    'GU005 attachments: each file needs its data in base64', 'reply: a file without data');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM attachment a JOIN article r ON r.id = a.article_id
    WHERE r.ticket_id = 1 AND r.body = 'x'), 0::bigint, 'a refused reply stores nothing');

--
-- Closing notices
--
UPDATE queue SET closing_template_id = (SELECT id FROM template WHERE name = 'merci')
WHERE code = 'voirie';
SELECT replies AS replies_before, first_response_at IS NULL AS no_fr FROM ticket WHERE id = 1 \gset
UPDATE ticket SET first_response_at = NULL WHERE id = 1;
SET SESSION AUTHORIZATION alice;
SELECT set_status(1, 'resolved') \g /dev/null
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT kind, mail_from, mail_to, subject, body, in_reply_to
        FROM outbox WHERE ticket_id = 1 AND kind = 'closing'$$,
    $$VALUES ('closing', 'voirie@ville.example', 'jean.dupont@example.org',
        '[Guichet #1] Merci Jean Dupont',
        'Bonjour Jean Dupont, demande [Guichet #1] reçue.', '<f1.jean@example.org>')$$,
    'resolved: the closing notice, rendered, from the queue, threaded like a reply');
SELECT results_eq($$SELECT a.author_agent_id, t.first_response_at, t.replies
        FROM article a JOIN ticket t ON t.id = a.ticket_id
        WHERE a.id = (SELECT article_id FROM outbox WHERE ticket_id = 1 AND kind = 'closing')$$,
    format($$VALUES (NULL::int, NULL::timestamptz, %s)$$, :replies_before),
    'the closing notice is not an agent''s reply: no author, no first response, not counted');
SET SESSION AUTHORIZATION alice;
SELECT set_status(1, 'closed') \g /dev/null
SELECT set_status(2, 'pending') \g /dev/null
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM outbox WHERE kind = 'closing'), 1::bigint,
    'no notice when a resolved ticket is closed, or for other statuses');
SET SESSION AUTHORIZATION alice;
SELECT set_status(2, 'closed') \g /dev/null
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM outbox WHERE kind = 'closing' AND ticket_id = 2), 1::bigint,
    'closed without being resolved first: a notice');
-- A queue without closing notices; a queue with no address does not keep a ticket open.
SET SESSION AUTHORIZATION dave;
SELECT set_status(5, 'resolved') \g /dev/null
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM outbox WHERE ticket_id = 5), 0::bigint,
    'no notice from a queue without a closing template');
UPDATE queue SET closing_template_id = (SELECT id FROM template WHERE name = 'merci')
WHERE code = 'etat-civil';
SET SESSION AUTHORIZATION bob;
SELECT lives_ok('SELECT set_status(3, ''resolved'')',
    'a queue with no address to write from: the ticket is resolved, without a notice');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT status FROM ticket WHERE id = 3), 'resolved', '(resolved)');
SELECT is((SELECT count(*) FROM outbox WHERE ticket_id = 3 AND kind = 'closing'), 0::bigint,
    '(no notice)');

--
-- Acknowledgements: rendered, and not replies
--
SELECT replies AS r6 FROM ticket WHERE id = 6 \gset
SELECT mail_acknowledge(6, 'merci', '{}') \g /dev/null
SELECT is((SELECT count(*) FROM outbox WHERE ticket_id = 6), 0::bigint,
    'no acknowledgement for a requester without an address');
UPDATE contact SET email = 'petit@example.org' WHERE id = 4;
SELECT mail_acknowledge(6, 'merci', '{"no_ack": true}') \g /dev/null
SELECT is((SELECT count(*) FROM outbox WHERE ticket_id = 6), 0::bigint,
    'no acknowledgement for a message that asks for none (no_ack)');
SELECT mail_acknowledge(6, 'merci', '{}') \g /dev/null
SELECT results_eq($$SELECT kind, subject, body FROM outbox WHERE ticket_id = 6$$,
    $$VALUES ('ack', '[Guichet #6] Merci Mme Petit',
        'Bonjour Mme Petit, demande [Guichet #6] reçue.')$$,
    'acknowledgement: the template rendered');
SELECT is((SELECT replies FROM ticket WHERE id = 6), :r6, 'an acknowledgement is not a reply');
-- A template saved before 0007 with a name it could not rename: no
-- acknowledgement, and no error (the request would be quarantined).
ALTER TABLE template DISABLE TRIGGER template_validate;
INSERT INTO template (name, body) VALUES ('ancien', 'Bonjour {{prenom}}');
ALTER TABLE template ENABLE TRIGGER template_validate;
SELECT lives_ok($$SELECT mail_acknowledge(6, 'ancien', '{}')$$,
    'acknowledgement with an invalid template: no error');
SELECT is((SELECT count(*) FROM outbox WHERE ticket_id = 6), 1::bigint, '…and no acknowledgement');
SELECT is((SELECT count(*) FROM outbox WHERE (body ~ '\{\{' OR subject ~ '\{\{')
    AND body !~ 'Le code est'), 0::bigint, 'no placeholder in any outbox row');
SELECT is((SELECT count(*) FROM outbox WHERE mail_from ~ '^guichet@'), 0::bigint,
    'nothing leaves from guichet@');

SELECT is_empty('SELECT * FROM verify_history()', 'every chain is intact');
SELECT * FROM finish();
ROLLBACK;
