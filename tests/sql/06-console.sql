-- 06-console.sql — what the console reads (61-console-read.sql): each
-- screen's function gives the caller's rows, as row-level security does, in
-- the screen's order, and the index's pages walk on from their anchor; the
-- SLA due rule (ticket_due) and the overview's overdue counts that use it.
-- Fixture: tickets 1 (voirie, new), 2 (voirie, open, alice's), 3 (etat-civil),
-- 4 (voirie-n2, which alice reads), 6 (voirie, new); alice writes in voirie,
-- bob in etat-civil, dave in agglo-it.
BEGIN;
SELECT plan(73);
SET LOCAL search_path = guichet, public;

-- The plan of a statement, as one text.
CREATE FUNCTION public.t_plan(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text := '';
	l text;
BEGIN
	FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || p_sql LOOP
		r := r || l || E'\n';
	END LOOP;
	RETURN r;
END
$$;

-- A search's terms from JSON: t_terms('{"queue": 1}').
CREATE FUNCTION public.t_terms(p jsonb) RETURNS guichet.search_terms LANGUAGE sql
RETURN jsonb_populate_record(NULL::guichet.search_terms, p);

-- Every read function of the console runs as its caller.
SELECT is((SELECT string_agg(p.proname, ', ' ORDER BY p.proname) FROM pg_proc p
    WHERE p.pronamespace = 'guichet'::regnamespace AND p.prosecdef AND p.proname IN (
        'console_agent', 'agent_logins', 'ticket_search', 'ticket_index_page',
        'ticket_index_count', 'ticket_index_ids', 'search_words', 'ticket_card',
        'ticket_fields', 'ticket_articles', 'ticket_attachments', 'ticket_links',
        'ticket_history', 'attachment_content', 'kb_search', 'escalation_queues',
        'field_definitions', 'writable_queues', 'reply_templates',
        'contact_search', 'ticket_due')), NULL,
    'the console''s read functions are SECURITY INVOKER: row-level security decides');
-- Those in plain SQL without SET are inlined: the caller's plan reads the tables.
SELECT doesnt_match(t_plan('SELECT * FROM guichet.' || f),
    'Function Scan on ' || split_part(f, '(', 1), f || ' is inlined into the statement that calls it')
FROM (VALUES ('ticket_card(2)'), ('ticket_fields(2)'), ('ticket_articles(2)'),
    ('ticket_attachments(2)'), ('ticket_links(2)'), ('ticket_history(2)'),
    ('attachment_content(1)'), ('kb_search('''')'), ('escalation_queues(2)'),
    ('field_definitions()'), ('writable_queues()'), ('reply_templates()'),
    ('contact_search(''%x%'')'), ('console_agent()'), ('agent_logins()'),
    ('ticket_index_count(''{new}'', 10, NULL)'), ('ticket_index_ids(''{new}'', 10, NULL)'),
    ('ticket_search(NULL, NULL)')) v(f);

-- Some rows the screens show: a link, a field, an attachment on ticket 3's
-- article (etat-civil), a template, two knowledge-base articles.
INSERT INTO link (a_id, b_id, kind) VALUES (1, 6, 'relates');
INSERT INTO ticket_field (ticket_id, field_id, value) VALUES (1, 2, 'REF-12');
INSERT INTO blob (sha256, size, content) VALUES (sha256('cerfa'), 5, 'cerfa');
INSERT INTO attachment (article_id, filename, content_type, size, sha256)
    VALUES (3, 'cerfa.pdf', 'application/pdf', 5, sha256('cerfa'));
INSERT INTO template (name, body) VALUES ('accuse', 'Bonjour {{requester.name}}');
INSERT INTO kb_article (slug, title, body, updated_at) VALUES
    ('passeport', 'Renouveler un passeport', 'Pièces à fournir', now() - interval '1 day'),
    ('voirie', 'Signaler un nid de poule', 'Adresse précise', now());

-- The agent herself; a login that is no agent has no row.
SET SESSION AUTHORIZATION alice;
SELECT is((SELECT id || ' ' || display_name FROM console_agent()), '1 Alice Martin',
    'console_agent: alice''s id and name');
SELECT ok((SELECT abs(now - extract(epoch FROM now())) < 5 FROM console_agent()),
    'console_agent: the server''s clock');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION mailer;
SELECT is((SELECT count(*) FROM console_agent()), 0::bigint, 'console_agent: none for the gateway');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION dave;
SELECT is((SELECT string_agg(login, ',' ORDER BY id) FROM agent_logins()), 'dave',
    'agent_logins: dave (agglo) sees his organisation''s agents only');
RESET SESSION AUTHORIZATION;

-- The index: pages in the order of the statuses, then of the sort key.
SET SESSION AUTHORIZATION alice;
SELECT is((SELECT string_agg(id::text, ',') FROM ticket_index_page('updated', false,
        '{new,open,pending}', 0, NULL, NULL, 50, t_terms('{"queue": 1}'))),
    (SELECT string_agg(id::text, ',' ORDER BY array_position('{new,open,pending}', status),
        updated_at DESC, id DESC) FROM ticket WHERE queue_id = 1),
    'ticket_index_page: voirie by status, last change first');
SELECT is((SELECT string_agg(id::text, ',') FROM ticket_index_page('priority', false,
        '{new,open,pending}', 0, NULL, NULL, 50, t_terms('{"queue": 1}'))), '6,1,2',
    'ticket_index_page: most urgent first within each status');
SELECT is((SELECT string_agg(id::text, ',') FROM ticket_index_page('oldest', false,
        '{new,open,pending}', 0, NULL, NULL, 50, t_terms('{"queue": 1}'))), '1,6,2',
    'ticket_index_page: oldest first (at the same time, by number)');
-- Keyset: after the anchor its segment goes on, then the later ones.
SELECT is((SELECT string_agg(p.id::text, ',') FROM (SELECT * FROM ticket_index_page('priority',
        false, '{new,open,pending}', 0, NULL, NULL, 1, t_terms('{"queue": 1}'))) a
    CROSS JOIN LATERAL ticket_index_page('priority', false, '{new,open,pending}', a.ord::int,
        a.k, a.id, 50, t_terms('{"queue": 1}')) p), '1,2',
    'ticket_index_page: the next page starts after its anchor');
SELECT is((SELECT string_agg(p.id::text, ',') FROM (SELECT * FROM ticket_index_page('priority',
        false, '{new,open,pending}', 0, NULL, NULL, 50, t_terms('{"queue": 1}')) WHERE id = 2) a
    CROSS JOIN LATERAL ticket_index_page('priority', true, '{pending,open,new}', 4 - a.ord::int,
        a.k, a.id, 50, t_terms('{"queue": 1}')) p), '1,6',
    'ticket_index_page: backwards, the page above comes nearest first');
SELECT is((SELECT count(*) FROM ticket_index_page('updated', false, '{new,open,pending}', 0, NULL,
        NULL, 50, t_terms('{"queue": 3}'))), 0::bigint,
    'ticket_index_page: none of etat-civil for alice');
SELECT is((SELECT string_agg(concat_ws(':', id, queue, requester, owner_id), ',')
        FROM ticket_index_page('updated', false, '{open}', 0, NULL, NULL, 50,
            t_terms('{"queue": 1}'))),
    '2:voirie:Marie Martin:1', 'ticket_index_page: the queue''s code, the requester, the owner');
SELECT throws_ok($$SELECT * FROM guichet.ticket_index_page('subject', false, '{new}', 0, NULL,
    NULL, 50)$$, 'GU005', NULL, 'ticket_index_page: an unknown order is refused');
SELECT is((SELECT string_agg(id::text, ',') FROM ticket_index_page('priority', false,
        '{new,open,pending,resolved,closed}', 0, NULL, NULL, 50,
        t_terms('{"words": "chaussée"}'))), '6,4',
    'ticket_index_page: a search by words, across alice''s queues');
SELECT is((SELECT n FROM ticket_index_count('{new,open,pending}', 5000, t_terms('{"queue": 1}'))),
    3::bigint, 'ticket_index_count: voirie''s three live tickets');
SELECT is((SELECT n FROM ticket_index_count('{new,open,pending}', 1, t_terms('{"queue": 1}'))),
    2::bigint, 'ticket_index_count: stops at the cap + 1');
SELECT is((SELECT n FROM ticket_index_count('{new}', 5000,
        t_terms('{"queue": 1, "priority_min": 4}'))),
    1::bigint, 'ticket_index_count: with the search''s terms');
SELECT is((SELECT string_agg(id::text, ',' ORDER BY id) FROM ticket_index_ids('{new,open}', 10,
        t_terms('{"queues": ["voirie","etat-civil"]}'))), '1,2,6',
    'ticket_index_ids: the numbers of the search, none that alice may not see');
SELECT is((SELECT n || ' ' || array_to_string(ARRAY(SELECT unnest(ids) ORDER BY 1), ',')
        FROM search_words('chaussée', '{new,open,pending,resolved,closed}', NULL, NULL, 10)),
    '2 4,6',
    'search_words: how many tickets have the words, and which');
SELECT is((SELECT n || ' ' || coalesce(array_to_string(ids, ','), '-') FROM search_words(
        'chaussée', '{new}', NULL, '{voirie-n2}', 10)), '0 -',
    'search_words: among the statuses and queues asked only');
RESET SESSION AUTHORIZATION;

-- The ticket card and its parts, for whoever may see the ticket only.
SET SESSION AUTHORIZATION alice;
SELECT is((SELECT concat_ws('|', queue, owner, requester_name, requester_email, service)
        FROM ticket_card(2)),
    'voirie|alice|Marie Martin|marie.martin@example.net|Propreté / Dépôt sauvage',
    'ticket_card: queue, owner, requester, service');
SELECT is((SELECT due FROM ticket_card(2)),
    (SELECT extract(epoch FROM ticket_due(t))::bigint FROM ticket t WHERE t.id = 2),
    'ticket_card: the due time is ticket_due''s');
SELECT is((SELECT seen FROM ticket_card(2)), (SELECT updated_at::text FROM ticket WHERE id = 2),
    'ticket_card: seen is the updated_at that stale-write checks take back');
SELECT is((SELECT count(*) FROM ticket_card(3)), 0::bigint,
    'ticket_card: none of etat-civil for alice');
SELECT is((SELECT string_agg(label || '=' || value, ',') FROM ticket_fields(1)),
    'Quartier=Gare,Référence=REF-12', 'ticket_fields: in the fields'' order');
SELECT is((SELECT string_agg(kind || ':' || author, ',') FROM ticket_articles(6)),
    'phone:Alice Martin', 'ticket_articles: the agent who wrote it');
SELECT is((SELECT author FROM ticket_articles(1)), 'Jean Dupont',
    'ticket_articles: the requester who wrote it');
SELECT is((SELECT count(*) FROM ticket_articles(3)), 0::bigint,
    'ticket_articles: none of etat-civil for alice');
SELECT is((SELECT concat_ws(':', kind, outgoing, other) FROM ticket_links(1)), 'relates:t:6',
    'ticket_links: a link seen from its first ticket');
SELECT is((SELECT concat_ws(':', kind, outgoing, other) FROM ticket_links(6)), 'relates:f:1',
    'ticket_links: and from its other end');
SELECT is((SELECT string_agg(seq::text, ',') FROM ticket_history(1)),
    (SELECT string_agg(seq::text, ',' ORDER BY seq) FROM history WHERE ticket_id = 1),
    'ticket_history: ticket 1''s, in the order of the chain');
SELECT is((SELECT count(*) FROM ticket_history(3)), 0::bigint,
    'ticket_history: none of etat-civil for alice');
SELECT is((SELECT count(*) FROM ticket_attachments(3)), 0::bigint,
    'ticket_attachments: none of etat-civil for alice');
SELECT is((SELECT count(*) FROM attachment_content((SELECT id FROM attachment))), 0::bigint,
    'attachment_content: nor their bytes');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION bob;
SELECT is((SELECT subject FROM ticket_card(3)), 'Renouvellement de passeport',
    'ticket_card: bob sees his ticket');
SELECT is((SELECT filename || ' ' || size FROM ticket_attachments(3)), 'cerfa.pdf 5',
    'ticket_attachments: its attachment');
SELECT is((SELECT content FROM attachment_content((SELECT id FROM attachment))), 'cerfa'::bytea,
    'attachment_content: and its bytes');
RESET SESSION AUTHORIZATION;

-- The knowledge base and the pickers.
SET SESSION AUTHORIZATION alice;
SELECT is((SELECT string_agg(slug, ',') FROM kb_search('')), 'voirie,passeport',
    'kb_search: every article, last changed first');
SELECT is((SELECT string_agg(slug, ',') FROM kb_search('passeport')), 'passeport',
    'kb_search: by words of the title or body');
SELECT is((SELECT string_agg(code || ':' || preferred, ',') FROM escalation_queues(1)),
    'voirie-n2:true', 'escalation_queues: the level-2 queues, voirie''s escalate_to first');
SELECT is((SELECT string_agg(name || ':' || coalesce(allowed, ''), ',') FROM field_definitions()),
    E'quartier:Nord\x1fSud\x1fCentre\x1fGare,reference:,montant:,rendez_vous:',
    'field_definitions: in order, an enum''s values joined by U+001F');
SELECT is((SELECT string_agg(code, ',') FROM writable_queues()), 'voirie',
    'writable_queues: alice writes in voirie and only reads voirie-n2');
SELECT is((SELECT string_agg(name, ',') FROM reply_templates()), 'accuse',
    'reply_templates: by name');
SELECT is(render_template(2, '{{ticket.subject}}|{{queue.name}}|{{requester.name}}|{{agent.name}}'),
    'Dépôt sauvage avenue Foch|Voirie|Marie Martin|Alice Martin',
    'render_template: the values of the placeholders, for the caller');
SELECT is((SELECT string_agg(name, ',') FROM contact_search('%dupont%')), 'Jean Dupont',
    'contact_search: by part of a name');
SELECT is((SELECT string_agg(name, ',') FROM contact_search('%+33 4%')), 'Mme Petit',
    'contact_search: by part of a phone number');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION dave;
SELECT is((SELECT count(*) FROM contact_search('%dupont%')), 0::bigint,
    'contact_search: not a requester of tickets dave does not see');
RESET SESSION AUTHORIZATION;

-- Known due times, all past: ticket 1 unanswered, its first response due
-- before its resolution; ticket 2 answered; ticket 6 unanswered, its
-- resolution due first.
UPDATE ticket SET first_response_due = now() - interval '3 hours',
    resolution_due = now() - interval '1 hour', first_response_at = NULL WHERE id = 1;
UPDATE ticket SET first_response_due = now() - interval '3 hours',
    resolution_due = now() - interval '1 hour', first_response_at = now() - interval '4 hours'
    WHERE id = 2;
UPDATE ticket SET first_response_due = now() - interval '1 hour',
    resolution_due = now() - interval '2 hours', first_response_at = NULL WHERE id = 6;

SELECT is(ticket_due(t), now() - interval '3 hours',
    'ticket_due: unanswered, the first response is due')
FROM ticket t WHERE t.id = 1;
SELECT is(ticket_due(t), now() - interval '1 hour', 'ticket_due: answered, the resolution is due')
FROM ticket t WHERE t.id = 2;
SELECT is(ticket_due(t), now() - interval '2 hours',
    'ticket_due: unanswered, but the resolution is due sooner')
FROM ticket t WHERE t.id = 6;
SELECT is(ticket_due(jsonb_populate_record(t, jsonb_build_object('status', s))), NULL,
    'ticket_due: no due time while ' || s || ' (the clock is stopped)')
FROM ticket t CROSS JOIN unnest('{pending,resolved,closed}'::text[]) s WHERE t.id = 2;

-- The overview counts a ticket overdue by that rule, as alice sees it.
SET SESSION AUTHORIZATION alice;
SELECT is((SELECT overdue FROM queue_overview() WHERE code = 'voirie'), 3::bigint,
    'the overview: three voirie tickets past their due time');
RESET SESSION AUTHORIZATION;
UPDATE ticket SET first_response_due = now() + interval '1 hour',
    resolution_due = now() + interval '2 hours' WHERE id = 1;
SET SESSION AUTHORIZATION alice;
SELECT set_status(2, 'pending') \g /dev/null
SELECT is((SELECT overdue FROM queue_overview() WHERE code = 'voirie'), 1::bigint,
    'the overview: answered in time or pending, they are no longer overdue');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
