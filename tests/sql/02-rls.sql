-- 02-rls.sql — row-level security and privileges from each role's point of view.
-- Fixture: alice voirie (+ voirie-n2 read-only), bob etat-civil, carol voirie-n2,
-- dave agglo-it, sam supervisor of ville, ada admin, mailer the gateway.
BEGIN;
SELECT plan(69);
SET LOCAL search_path = guichet, public;

-- Something in every ticket-bound table: an attachment on ticket 3 (etat-civil),
-- a reply in the outbox of ticket 3, a raw message of ticket 3 and one in
-- quarantine, a link between 1 and 3.
INSERT INTO blob (sha256, size, content) VALUES (sha256('passeport'), 9, 'passeport');
INSERT INTO attachment (article_id, filename, content_type, size, sha256)
    VALUES (3, 'cerfa.pdf', 'application/pdf', 9, sha256('passeport'));
INSERT INTO raw_message (sha256, message_id, source, size, bytes, outcome, ticket_id)
    VALUES (sha256('m3'), '<f3.marie@example.net>', 'test', 2, 'm3', 'imported', 3),
        (sha256('q'), '<q@x>', 'test', 1, 'q', 'quarantined', NULL);
SET SESSION AUTHORIZATION bob;
SELECT reply(3, 'Voici la liste des pièces.') \g /dev/null
RESET SESSION AUTHORIZATION;
INSERT INTO link (a_id, b_id, kind) VALUES (1, 3, 'relates');

-- What each person sees: tickets, articles, history, contacts, agents, queues.
CREATE FUNCTION public.t_seen(p_login name, p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	EXECUTE format('SET SESSION AUTHORIZATION %I', p_login);
	EXECUTE p_sql INTO r;
	RESET SESSION AUTHORIZATION;
	RETURN r;
END
$$;

SELECT is(t_seen(v.login, 'SELECT string_agg(id::text, '','' ORDER BY id) FROM guichet.ticket'),
    v.tickets, v.login || ' sees tickets ' || v.tickets)
FROM (VALUES ('alice', '1,2,4,6'), ('bob', '3'), ('carol', '4'), ('dave', '5'),
    ('sam', '1,2,3,4,6'), ('ada', '1,2,3,4,5,6'), ('mailer', '1,2,3,4,5,6')) AS v(login, tickets);

SELECT is(t_seen(v.login, 'SELECT string_agg(DISTINCT ticket_id::text, '','' ORDER BY ticket_id::text)
        FROM guichet.article'), v.tickets, v.login || ' sees the articles of tickets ' || v.tickets)
FROM (VALUES ('alice', '1,2,4,6'), ('bob', '3'), ('dave', '5'), ('sam', '1,2,3,4,6'),
    ('ada', '1,2,3,4,5,6')) AS v(login, tickets);

SELECT is(t_seen(v.login, 'SELECT string_agg(DISTINCT ticket_id::text, '','' ORDER BY ticket_id::text)
        FROM guichet.history'), v.tickets, v.login || ' sees the history of tickets ' || v.tickets)
FROM (VALUES ('alice', '1,2,4,6'), ('bob', '3'), ('dave', '5'), ('sam', '1,2,3,4,6'),
    ('ada', '1,2,3,4,5,6')) AS v(login, tickets);

SELECT is(t_seen(v.login, 'SELECT count(*)::text FROM guichet.attachment'), v.n,
    v.login || ' sees ' || v.n || ' attachment(s) of etat-civil')
FROM (VALUES ('alice', '0'), ('bob', '1'), ('sam', '1'), ('dave', '0')) AS v(login, n);
SELECT is(t_seen(v.login, 'SELECT count(*)::text FROM guichet.blob'), v.n,
    v.login || ' sees ' || v.n || ' blob(s) of etat-civil')
FROM (VALUES ('alice', '0'), ('bob', '1')) AS v(login, n);
SELECT is(t_seen(v.login, 'SELECT count(*)::text FROM guichet.outbox'), v.n,
    v.login || ' sees ' || v.n || ' outbox row(s) of etat-civil')
FROM (VALUES ('alice', '0'), ('bob', '1'), ('mailer', '1')) AS v(login, n);
SELECT is(t_seen(v.login, 'SELECT count(*)::text FROM guichet.raw_message'), v.n,
    v.login || ' sees ' || v.n || ' raw message(s)')
FROM (VALUES ('alice', '0'), ('bob', '1'), ('mailer', '2'), ('ada', '2')) AS v(login, n);
SELECT is(t_seen(v.login, 'SELECT count(*)::text FROM guichet.ticket_field'), v.n,
    v.login || ' sees ' || v.n || ' ticket field(s)')
FROM (VALUES ('alice', '2'), ('bob', '0'), ('dave', '0')) AS v(login, n);
SELECT is(t_seen(v.login, 'SELECT count(*)::text FROM guichet.link'), v.n,
    v.login || ' sees a link when she sees one end')
FROM (VALUES ('alice', '1'), ('bob', '1'), ('dave', '0')) AS v(login, n);

SELECT is(t_seen(v.login, 'SELECT string_agg(id::text, '','' ORDER BY id) FROM guichet.contact'),
    v.contacts, v.login || ' sees contacts ' || v.contacts)
FROM (VALUES ('alice', '1,2,4'), ('bob', '1,2,4'), ('dave', '3'), ('ada', '1,2,3,4'),
    ('mailer', '1,2,3,4')) AS v(login, contacts);
SELECT is(t_seen(v.login, 'SELECT string_agg(login::text, '','' ORDER BY id) FROM guichet.agent'),
    v.agents, v.login || ' sees agents ' || v.agents)
FROM (VALUES ('alice', 'alice,bob,carol,sam,ada'), ('dave', 'dave'),
    ('ada', 'alice,bob,carol,dave,sam,ada')) AS v(login, agents);
SELECT is(t_seen(v.login, 'SELECT string_agg(code, '','' ORDER BY id) FROM guichet.queue'),
    v.queues, v.login || ' sees queues ' || v.queues)
FROM (VALUES ('alice', 'voirie,voirie-n2,etat-civil'), ('dave', 'agglo-it'),
    ('ada', 'voirie,voirie-n2,etat-civil,agglo-it')) AS v(login, queues);

-- Direct writes: nobody but the owner writes ticket data.
SET SESSION AUTHORIZATION alice;
SELECT throws_ok('UPDATE guichet.ticket SET priority = 5 WHERE id = 1', '42501', NULL,
    'alice cannot UPDATE ticket');
SELECT throws_ok('DELETE FROM guichet.ticket WHERE id = 1', '42501', NULL,
    'alice cannot DELETE ticket');
SELECT throws_ok($$INSERT INTO guichet.ticket (queue_id, organisation_id, subject)
    VALUES (1, 1, 'x')$$, '42501', NULL, 'alice cannot INSERT ticket');
SELECT throws_ok($$INSERT INTO guichet.article (ticket_id, kind, body) VALUES (1, 'note', 'x')$$,
    '42501', NULL, 'alice cannot INSERT article');
SELECT throws_ok('UPDATE guichet.article SET body = ''x''', '42501', NULL,
    'alice cannot UPDATE article');
SELECT throws_ok($$INSERT INTO guichet.queue (organisation_id, code, name) VALUES (1, 'x', 'x')$$,
    '42501', NULL, 'alice cannot change configuration');
SELECT throws_ok('UPDATE guichet.agent SET level = 2', '42501', NULL,
    'alice cannot promote herself');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ada;
SELECT throws_ok('UPDATE guichet.ticket SET priority = 5 WHERE id = 1', '42501', NULL,
    'even an admin cannot UPDATE ticket directly');
SELECT throws_ok('DELETE FROM guichet.article', '42501', NULL,
    'even an admin cannot DELETE articles');
SELECT lives_ok($$INSERT INTO guichet.queue (organisation_id, code, name) VALUES (2, 'agglo-n2', 'N2')$$,
    'an admin manages queues');
SELECT lives_ok($$UPDATE guichet.setting SET value = 'Mairie' WHERE key = 'tag_prefix'$$,
    'an admin changes settings');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION mailer;
SELECT throws_ok('UPDATE guichet.ticket SET priority = 5 WHERE id = 1', '42501', NULL,
    'the gateway cannot UPDATE ticket directly');
RESET SESSION AUTHORIZATION;

-- The API respects the same visibility: a ticket one cannot see does not exist.
SET SESSION AUTHORIZATION alice;
SELECT throws_ok('SELECT guichet.claim(3)', 'GU006', NULL, 'alice cannot claim in etat-civil');
SELECT throws_ok('SELECT guichet.claim(4)', 'GU004', NULL,
    'alice sees voirie-n2 but may not write there');
SELECT throws_ok('SELECT guichet.next_ticket(3)', 'GU006', NULL,
    'alice cannot take from etat-civil');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION dave;
SELECT throws_ok('SELECT guichet.add_note(1, ''x'')', 'GU006', NULL,
    'dave (agglo) cannot write in ville');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION sam;
SELECT lives_ok('SELECT guichet.add_note(3, ''vu'')', 'sam writes anywhere in ville');
SELECT throws_ok('SELECT guichet.add_note(5, ''x'')', 'GU006', NULL, 'but not in agglo');
RESET SESSION AUTHORIZATION;

-- Helpers.
SET SESSION AUTHORIZATION alice;
SELECT is(guichet.current_agent(), 1, 'current_agent() is alice''s row');
SELECT ok(NOT guichet.is_admin() AND NOT guichet.is_supervisor(), 'alice is neither admin nor supervisor');
SELECT ok(guichet.may_write(1) AND NOT guichet.may_write(2) AND NOT guichet.may_write(3),
    'may_write: voirie yes, voirie-n2 (read-only) no, etat-civil no');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION sam;
SELECT ok(guichet.is_supervisor() AND NOT guichet.is_admin(), 'sam is a supervisor');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
