-- 03-api.sql — every ticket API function: what it does, who may call it, and
-- every legal and illegal status transition.
BEGIN;
SELECT plan(151);
SET LOCAL search_path = guichet, public;

-- The error a statement raises, as 'SQLSTATE|detail' (pgTAP checks no DETAIL).
CREATE FUNCTION public.t_error(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
	d text;
BEGIN
	EXECUTE p_sql;
	RETURN 'no error';
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, d = PG_EXCEPTION_DETAIL;
	RETURN st || '|' || d;
END
$$;

--
-- create_ticket
--
SET SESSION AUTHORIZATION alice;
SELECT create_ticket(1, 'Trottoir défoncé', 'Appel : trottoir défoncé rue Basse.', 2, 'phone',
    NULL, 1, 3, '{"quartier": "Centre", "reference": "R-1", "montant": 12.5}') AS t \gset
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT queue_id, organisation_id, status, priority::int, level::int,
        owner_id, requester_id, channel, service_id, district_id FROM ticket WHERE id = %s', :t),
    $$VALUES (1, 1, 'new', 3, 1, NULL::int, 2::bigint, 'phone', 1, 3)$$,
    'create_ticket: queue, organisation, new, the queue''s default priority, level 1, unowned');
SELECT results_eq(format('SELECT kind, author_agent_id, body FROM article WHERE ticket_id = %s', :t),
    $$VALUES ('phone', 1, 'Appel : trottoir défoncé rue Basse.')$$,
    'create_ticket: the body is the first article (phone)');
SELECT results_eq(format('SELECT f.name, tf.value FROM ticket_field tf JOIN field f ON f.id = tf.field_id
        WHERE ticket_id = %s ORDER BY f.name', :t),
    $$VALUES ('montant', '12.5'), ('quartier', 'Centre'), ('reference', 'R-1')$$,
    'create_ticket: fields are validated and stored');
SELECT ok((SELECT first_response_due IS NOT NULL AND resolution_due > first_response_due
    FROM ticket WHERE id = :t), 'create_ticket: SLA due times are set');

SET SESSION AUTHORIZATION alice;
SELECT create_ticket(1, 'Urgent', '', NULL, 'desk', 5) AS u \gset
SELECT is((SELECT priority::int FROM ticket WHERE id = :u), 5, 'create_ticket: explicit priority');
SELECT is((SELECT count(*)::int FROM article a JOIN ticket t ON t.id = a.ticket_id
    WHERE t.subject = 'Urgent'), 0, 'create_ticket: an empty body makes no article');
SELECT throws_ok($$SELECT create_ticket(1, '  ', 'x')$$, 'GU005', NULL, 'create_ticket: empty subject');
SELECT throws_ok($$SELECT create_ticket(1, 's', 'x', NULL, 'pigeon')$$, 'GU005', NULL,
    'create_ticket: unknown channel');
SELECT throws_ok($$SELECT create_ticket(1, 's', 'x', NULL, 'phone', 9)$$, 'GU005', NULL,
    'create_ticket: priority out of range');
SELECT throws_ok($$SELECT create_ticket(1, 's', 'x', 999)$$, 'GU006', NULL,
    'create_ticket: unknown requester');
SELECT throws_ok($$SELECT create_ticket(1, 's', 'x', NULL, 'phone', NULL, 999)$$, 'GU006', NULL,
    'create_ticket: unknown service');
SELECT throws_ok($$SELECT create_ticket(1, 's', 'x', NULL, 'phone', NULL, NULL, NULL,
    '{"quartier": "Lune"}')$$, 'GU005', NULL, 'create_ticket: invalid field value');
SELECT throws_ok($$SELECT create_ticket(1, 's', 'x', NULL, 'phone', NULL, NULL, NULL, '[1]')$$,
    'GU005', NULL, 'create_ticket: fields must be an object');
SELECT throws_ok($$SELECT create_ticket(2, 's', 'x')$$, 'GU004', NULL,
    'create_ticket: a read-only member cannot create');
SELECT throws_ok($$SELECT create_ticket(3, 's', 'x')$$, 'GU006', NULL,
    'create_ticket: a queue one cannot see does not exist');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION mailer;
SELECT throws_ok($$SELECT guichet.create_ticket(1, 's', 'x')$$, '42501', NULL,
    'create_ticket: not for the gateway (it has ingest_message)');
RESET SESSION AUTHORIZATION;

--
-- find_or_create_contact
--
SET SESSION AUTHORIZATION alice;
SELECT is(find_or_create_contact('JEAN.Dupont@Example.org', 'Autre nom'), 1::bigint,
    'find_or_create_contact: finds by address, case-insensitively');
SELECT find_or_create_contact('nouveau@example.org', 'Nouveau Venu', '0600') AS c \gset
SELECT is(find_or_create_contact(' nouveau@example.org ', ''), :c::bigint,
    'find_or_create_contact: creates once');
SELECT is(find_or_create_contact(NULL, 'Mme Petit', '+33 4 11 22 33 44'), 4::bigint,
    'find_or_create_contact: finds a phone-only contact by number');
SELECT throws_ok($$SELECT find_or_create_contact('pas une adresse', 'x')$$, 'GU005', NULL,
    'find_or_create_contact: invalid address');
SELECT throws_ok($$SELECT find_or_create_contact(NULL, 'Anonyme')$$, 'GU005', NULL,
    'find_or_create_contact: needs an address or a phone');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT name FROM contact WHERE id = 1), 'Jean Dupont', 'a found contact keeps its name');
SET SESSION AUTHORIZATION mailer;
SELECT lives_ok($$SELECT guichet.find_or_create_contact('x@example.com', 'X', NULL, 1)$$,
    'find_or_create_contact: the gateway may call it, naming the organisation');
SELECT throws_ok($$SELECT guichet.find_or_create_contact('y@example.com', 'Y')$$, 'GU006', NULL,
    'find_or_create_contact: the gateway has no organisation of its own');
RESET SESSION AUTHORIZATION;

--
-- claim, release
--
SET SESSION AUTHORIZATION alice;
SELECT lives_ok(format('SELECT claim(%s)', :t), 'claim: alice takes her queue''s ticket');
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT owner_id, status, claimed_at FROM ticket WHERE id = %s', :t),
    $$VALUES (1, 'open', now())$$, 'claim: owner set, new becomes open, lease started');
SET SESSION AUTHORIZATION sam;
SELECT is(t_error(format('SELECT guichet.claim(%s)', :t)), 'GU001|alice',
    'claim: someone else''s claim is GU001 with the owner''s login as DETAIL');
SELECT throws_ok(format('SELECT claim(%s)', :t), 'GU001', 'ticket #' || :t || ' is claimed by alice',
    'claim: the message names her');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION alice;
SELECT lives_ok(format('SELECT claim(%s)', :t), 'claim: claiming one''s own ticket again is fine');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION carol;
SELECT throws_ok(format('SELECT release(%s)', :t), 'GU006', NULL,
    'release: carol does not see voirie');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION sam;
SELECT lives_ok(format('SELECT release(%s)', :t), 'release: a supervisor releases anyone''s claim');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT owner_id FROM ticket WHERE id = :t), NULL, 'release: the ticket is unowned');
SELECT is((SELECT action FROM history WHERE ticket_id = :t ORDER BY seq DESC LIMIT 1), 'release',
    'release: history says release');
SET SESSION AUTHORIZATION alice;
SELECT claim(:t);
SELECT lives_ok(format('SELECT release(%s)', :t), 'release: the owner releases');
SELECT lives_ok(format('SELECT release(%s)', :t), 'release: releasing an unowned ticket is a no-op');
SELECT throws_ok('SELECT release(4)', 'GU004', NULL, 'release: not someone else''s (carol''s)');
RESET SESSION AUTHORIZATION;

--
-- p_seen: stale writes
--
SELECT updated_at AS seen FROM ticket WHERE id = :t \gset
SET SESSION AUTHORIZATION sam;
SELECT set_priority(:t, 4);
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION alice;
SELECT alike(t_error(format('SELECT guichet.set_status(%s, %L, %L)', :t, 'resolved', :'seen')),
    'GU002|sam|____-__-__T__:__:__.______Z', 'p_seen: a stale set_status is GU002 with login|time');
SELECT throws_ok(format('SELECT claim(%s, %L)', :t, :'seen'), 'GU002', NULL, 'p_seen: claim too');
SELECT throws_ok(format('SELECT reply(%s, %L, 0, %L)', :t, 'x', :'seen'), 'GU002', NULL,
    'p_seen: reply too');
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT status, owner_id, (SELECT count(*)::int FROM article
        WHERE ticket_id = %1$s AND kind = ''mail_out'') FROM ticket WHERE id = %1$s', :t),
    $$VALUES ('open', NULL::int, 0)$$, 'p_seen: nothing was changed');
SELECT updated_at AS seen FROM ticket WHERE id = :t \gset
SET SESSION AUTHORIZATION alice;
SELECT lives_ok(format('SELECT claim(%s, %L)', :t, :'seen'), 'p_seen: a fresh one passes');
RESET SESSION AUTHORIZATION;

--
-- add_note
--
SET SESSION AUTHORIZATION alice;
SELECT add_note(:t, 'Le **prestataire** passe jeudi.', 15) AS n \gset
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT kind, author_agent_id, body, time_spent FROM article WHERE id = %s', :n),
    $$VALUES ('note', 1, 'Le **prestataire** passe jeudi.', 15)$$, 'add_note: a note by alice');
SELECT is((SELECT time_spent FROM ticket WHERE id = :t), 15, 'add_note: time spent is added');
SET SESSION AUTHORIZATION alice;
SELECT throws_ok(format('SELECT add_note(%s, %L)', :t, E' \n '), 'GU005', NULL, 'add_note: empty');
SELECT throws_ok(format('SELECT add_note(%s, %L, -3)', :t, 'x'), 'GU005', NULL,
    'add_note: negative time');
SELECT throws_ok('SELECT add_note(4, ''x'')', 'GU004', NULL, 'add_note: read-only queue');
RESET SESSION AUTHORIZATION;

--
-- reply
--
INSERT INTO article (ticket_id, kind, author_contact_id, body, message_id, in_reply_to, refs)
    VALUES (:t, 'mail_in', 2, 'Des nouvelles ?', '<m2@example.net>', '<m1@example.net>',
        '{<m0@example.net>,<m1@example.net>}');
SET SESSION AUTHORIZATION alice;
SELECT reply(:t, 'Bonjour, c''est **prévu** jeudi.', 5, NULL, NULL, E'chef@ville.example\r\nBcc: x@evil')
    AS r \gset
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT kind, mail_from, mail_to, mail_cc, subject, in_reply_to, refs, time_spent
        FROM article WHERE id = %s', :r),
    format($$VALUES ('mail_out', 'voirie@ville.example', 'marie.martin@example.net',
        'chef@ville.example Bcc: x@evil', '[Guichet #%s] Trottoir défoncé', '<m2@example.net>',
        '{<m0@example.net>,<m1@example.net>,<m2@example.net>}'::text[], 5)$$, :t),
    'reply: mail_out from the queue address to the requester, tagged, threaded, no header injection');
SELECT matches((SELECT message_id FROM article WHERE id = :r),
    format('^<guichet\.%s\.%s\.[0-9a-f]{16}@ville\.example>$', :t, :r),
    'reply: Message-ID <guichet.TICKET.ARTICLE.RANDOM@domain>');
SELECT results_eq(format('SELECT ticket_id, mail_from, mail_to, subject, body, message_id, in_reply_to,
        status FROM outbox WHERE article_id = %s', :r),
    format($$SELECT ticket_id, mail_from, mail_to, subject, body, message_id, in_reply_to, 'queued'
        FROM article WHERE id = %s$$, :r),
    'reply: the outbox row matches the article');
SELECT results_eq(format('SELECT first_response_at, time_spent FROM ticket WHERE id = %s', :t),
    $$VALUES (now(), 20)$$, 'reply: first_response_at set, time spent added');
UPDATE setting SET value = 'Mairie' WHERE key = 'tag_prefix';
UPDATE setting SET value = 'desk.example' WHERE key = 'mail_domain';
SET SESSION AUTHORIZATION alice;
SELECT reply(:t, 'Autre réponse', 0, NULL, 'autre@example.org') AS r2 \gset
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT mail_to, subject, message_id LIKE ''%%@desk.example>'' FROM article
        WHERE id = %s', :r2),
    format($$VALUES ('autre@example.org', '[Mairie #%s] Trottoir défoncé', true)$$, :t),
    'reply: explicit To, tag prefix and mail domain from settings');
SELECT is((SELECT first_response_at FROM ticket WHERE id = :t), now(),
    'reply: first_response_at is kept from the first reply');
SET SESSION AUTHORIZATION alice;
SELECT throws_ok(format('SELECT reply(%s, %L)', 6, 'x'), 'GU005', NULL,
    'reply: no address for a phone-only requester');
SELECT lives_ok(format('SELECT reply(%s, %L, 0, NULL, %L)', 6, 'x', 'petit@example.org'),
    'reply: unless one is given');
SELECT throws_ok(format('SELECT reply(%s, %L, 0, NULL, NULL, NULL, 999)', :t, 'x'), 'GU006', NULL,
    'reply: unknown template');
RESET SESSION AUTHORIZATION;
UPDATE contact SET undeliverable = true WHERE id = 2;
SET SESSION AUTHORIZATION alice;
SELECT throws_ok(format('SELECT reply(%s, %L)', :t, 'x'), 'GU005', NULL,
    'reply: the requester''s address is known undeliverable');
RESET SESSION AUTHORIZATION;
UPDATE contact SET undeliverable = false WHERE id = 2;

--
-- set_priority, set_field
--
SET SESSION AUTHORIZATION alice;
SELECT lives_ok(format('SELECT set_priority(%s, 1)', :t), 'set_priority');
SELECT throws_ok(format('SELECT set_priority(%s, 0)', :t), 'GU005', NULL, 'set_priority: 0');
SELECT throws_ok(format('SELECT set_priority(%s, 6)', :t), 'GU005', NULL, 'set_priority: 6');
SELECT lives_ok(format('SELECT set_field(%s, %L, %L)', :t, 'montant', ' -1,25 '), 'set_field: number');
SELECT lives_ok(format('SELECT set_field(%s, %L, %L)', :t, 'rendez_vous', '2026-02-28'), 'set_field: date');
SELECT lives_ok(format('SELECT set_field(%s, %L, %L)', :t, 'quartier', 'Gare'), 'set_field: enum');
SELECT lives_ok(format('SELECT set_field(%s, %L, NULL)', :t, 'reference'), 'set_field: clear');
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT f.name, tf.value FROM ticket_field tf JOIN field f ON f.id = tf.field_id
        WHERE ticket_id = %s ORDER BY f.name', :t),
    $$VALUES ('montant', '-1.25'), ('quartier', 'Gare'), ('rendez_vous', '2026-02-28')$$,
    'set_field: values normalised, cleared field gone');
SET SESSION AUTHORIZATION alice;
SELECT throws_ok(format('SELECT set_field(%s, %L, %L)', :t, 'montant', '12 euros'), 'GU005', NULL,
    'set_field: not a number');
SELECT throws_ok(format('SELECT set_field(%s, %L, %L)', :t, 'rendez_vous', '2026-02-30'), 'GU005', NULL,
    'set_field: not a date');
SELECT throws_ok(format('SELECT set_field(%s, %L, %L)', :t, 'rendez_vous', '28/02/2026'), 'GU005', NULL,
    'set_field: dates are ISO');
SELECT throws_ok(format('SELECT set_field(%s, %L, %L)', :t, 'quartier', 'gare'), 'GU005', NULL,
    'set_field: enum values are exact');
SELECT throws_ok(format('SELECT set_field(%s, %L, %L)', :t, 'couleur', 'bleu'), 'GU006', NULL,
    'set_field: unknown field');
RESET SESSION AUTHORIZATION;
UPDATE field SET required = true WHERE name = 'quartier';
SET SESSION AUTHORIZATION alice;
SELECT throws_ok(format('SELECT set_field(%s, %L, %L)', :t, 'quartier', ''), 'GU005', NULL,
    'set_field: a required field cannot be cleared');
RESET SESSION AUTHORIZATION;
-- (Required fields before resolving are 08-desk.sql's: not required below.)
UPDATE field SET required = false WHERE name = 'quartier';

--
-- link, unlink
--
SET SESSION AUTHORIZATION alice;
SELECT lives_ok(format('SELECT link(%s, 1, %L)', :t, 'parent'), 'link');
SELECT lives_ok(format('SELECT link(%s, 1, %L)', :t, 'parent'), 'link: twice is harmless');
SELECT throws_ok(format('SELECT link(%s, %s, %L)', :t, :t, 'relates'), 'GU005', NULL, 'link: to itself');
SELECT throws_ok(format('SELECT link(%s, 1, %L)', :t, 'cousin'), 'GU005', NULL, 'link: unknown kind');
SELECT throws_ok(format('SELECT link(%s, 3, %L)', :t, 'relates'), 'GU006', NULL,
    'link: to a ticket one cannot see');
SELECT throws_ok(format('SELECT link(%s, 4, %L)', :t, 'relates'), 'GU004', NULL,
    'link: both tickets must be writable');
SELECT lives_ok(format('SELECT unlink(%s, 1, %L)', :t, 'parent'), 'unlink');
SELECT throws_ok(format('SELECT unlink(%s, 1, %L)', :t, 'parent'), 'GU006', NULL, 'unlink: no such link');
RESET SESSION AUTHORIZATION;

--
-- escalate
--
SET SESSION AUTHORIZATION alice;
SELECT claim(:t);
SELECT throws_ok(format('SELECT escalate(%s, 2, %L)', :t, '   '), 'GU005', NULL,
    'escalate: a reason is required');
SELECT throws_ok(format('SELECT escalate(%s, 3, %L)', :t, 'x'), 'GU006', 'no queue 3',
    'escalate: a queue she cannot see does not exist for her (not named)');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION sam;
SELECT throws_ok(format('SELECT escalate(%s, 3, %L)', :t, 'x'), 'GU005', NULL,
    'escalate: the target must be a level-2 queue');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION alice;
SELECT throws_ok(format('SELECT escalate(%s, 999, %L)', :t, 'x'), 'GU006', NULL,
    'escalate: unknown queue');
SELECT lives_ok(format('SELECT escalate(%s, NULL, %L)', :t, 'Affaissement : besoin du N2'),
    'escalate: to the queue''s escalate_to');
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT queue_id, level::int, owner_id, claimed_at FROM ticket WHERE id = %s', :t),
    $$VALUES (2, 2, NULL::int, NULL::timestamptz)$$,
    'escalate: level-2 queue, level 2, owner released');
SELECT results_eq(format('SELECT kind, body FROM article WHERE ticket_id = %s ORDER BY id DESC LIMIT 1', :t),
    $$VALUES ('note', 'Affaissement : besoin du N2')$$, 'escalate: the reason is a note');
SELECT results_eq(format('SELECT action, field, old_value, new_value FROM history WHERE ticket_id = %s
        AND action = ''escalate'' ORDER BY seq', :t),
    $$VALUES ('escalate', 'queue_id', '1', '2'), ('escalate', 'level', '1', '2'),
        ('escalate', 'owner_id', '1', NULL), ('escalate', 'reason', NULL, 'Affaissement : besoin du N2')$$,
    'escalate: history names the action and keeps the reason');
SET SESSION AUTHORIZATION alice;
SELECT throws_ok(format('SELECT add_note(%s, %L)', :t, 'x'), 'GU004', NULL,
    'escalate: alice (read-only on voirie-n2) still sees it but no longer writes');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION carol;
SELECT is(next_ticket(2), :t::bigint, 'escalate: level 2 takes it with next_ticket');
SELECT throws_ok(format('SELECT escalate(%s, 2, %L)', :t, 'x'), 'GU005', NULL,
    'escalate: not to the queue it is in');
RESET SESSION AUTHORIZATION;

--
-- merge
--
SET SESSION AUTHORIZATION alice;
SELECT create_ticket(1, 'Doublon : nid de poule', 'Même chose que #1', 1, 'phone') AS d \gset
SELECT add_note(:d, 'note du doublon', 7) \g /dev/null
SELECT set_field(:d, 'reference', 'R-D');
SELECT link(:d, 6, 'relates');
SELECT lives_ok(format('SELECT merge(%s, 1)', :d), 'merge');
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT status, merged_into, owner_id FROM ticket WHERE id = %s', :d),
    $$VALUES ('merged', 1::bigint, NULL::int)$$, 'merge: the source is merged into the target');
SELECT is((SELECT count(*)::int FROM article WHERE ticket_id = :d), 0, 'merge: no article left');
SELECT is((SELECT count(*)::int FROM article WHERE ticket_id = 1), 3, 'merge: articles moved');
SELECT is((SELECT value FROM ticket_field WHERE ticket_id = 1
    AND field_id = (SELECT id FROM field WHERE name = 'reference')), 'R-D', 'merge: missing fields copied');
SELECT is((SELECT value FROM ticket_field WHERE ticket_id = 1
    AND field_id = (SELECT id FROM field WHERE name = 'quartier')), 'Gare', 'merge: existing fields kept');
SELECT results_eq(format('SELECT a_id, b_id, kind FROM link WHERE %s IN (a_id, b_id) ORDER BY kind', :d),
    format($$VALUES (%1$s::bigint, 1::bigint, 'duplicate'), (%1$s::bigint, 6::bigint, 'relates')$$, :d),
    'merge: links kept, a duplicate link added');
SELECT is((SELECT time_spent FROM ticket WHERE id = 1), 7, 'merge: time spent added');
SELECT is((SELECT action || '/' || old_value || '/' || new_value FROM history WHERE ticket_id = 1
    AND action = 'merge'), 'merge/' || :d || '/2', 'merge: history on the target');
SELECT is((SELECT count(*)::int FROM history WHERE ticket_id = :d AND action = 'merge'), 2,
    'merge: history on the source (status, merged_into)');
SET SESSION AUTHORIZATION alice;
SELECT throws_ok(format('SELECT merge(%s, 2)', :d), 'GU003', NULL, 'merge: a merged ticket is final');
SELECT throws_ok(format('SELECT add_note(%s, %L)', :d, 'x'), 'GU003', NULL,
    'merge: no note on a merged ticket');
SELECT throws_ok('SELECT merge(1, 1)', 'GU005', NULL, 'merge: into itself');
SELECT throws_ok('SELECT merge(1, 3)', 'GU006', NULL, 'merge: into a ticket one cannot see');
RESET SESSION AUTHORIZATION;

--
-- set_absence
--
SET SESSION AUTHORIZATION alice;
SELECT lives_ok($$SELECT set_absence(now(), now() + interval '3 days', 'bob')$$, 'set_absence');
RESET SESSION AUTHORIZATION;
SELECT results_eq('SELECT absent_from, absent_until, substitute_id FROM agent WHERE login = ''alice''',
    $$VALUES (now(), now() + interval '3 days', 2)$$, 'set_absence: her own row, with a substitute');
SET SESSION AUTHORIZATION alice;
SELECT throws_ok($$SELECT set_absence(now(), now() - interval '1 day')$$, 'GU005', NULL,
    'set_absence: ends before it starts');
SELECT throws_ok($$SELECT set_absence(now(), NULL, 'nobody')$$, 'GU006', NULL,
    'set_absence: the substitute must be an agent');
SELECT throws_ok($$SELECT set_absence(now(), NULL, 'alice')$$, 'GU005', NULL,
    'set_absence: not oneself');
SELECT lives_ok('SELECT set_absence(NULL, NULL)', 'set_absence: back');
RESET SESSION AUTHORIZATION;
SELECT results_eq('SELECT absent_from, absent_until, substitute_id FROM agent WHERE login = ''alice''',
    $$VALUES (NULL::timestamptz, NULL::timestamptz, NULL::int)$$, 'set_absence: present again');
SET SESSION AUTHORIZATION mailer;
SELECT throws_ok($$SELECT guichet.set_absence(now(), NULL)$$, '42501', NULL,
    'set_absence: only agents');
RESET SESSION AUTHORIZATION;

--
-- Status transitions: every pair of statuses, from a ticket of voirie set
-- directly into the first one, by alice (writer) and, for closed, by sam.
--
CREATE TEMP TABLE tr (from_status text, to_status text, legal boolean, ticket bigint);
GRANT ALL ON tr TO PUBLIC;
INSERT INTO tr (from_status, to_status, legal)
SELECT f, t, (f, t) IN (('new', 'open'), ('new', 'pending'), ('new', 'resolved'), ('new', 'closed'),
    ('open', 'pending'), ('open', 'resolved'), ('open', 'closed'), ('pending', 'open'),
    ('pending', 'resolved'), ('pending', 'closed'), ('resolved', 'open'), ('resolved', 'closed'),
    ('closed', 'open'))
FROM unnest(ARRAY['new', 'open', 'pending', 'resolved', 'closed', 'merged']) f,
    unnest(ARRAY['new', 'open', 'pending', 'resolved', 'closed', 'merged']) t
WHERE f <> t;
WITH n AS (
	INSERT INTO ticket (queue_id, organisation_id, subject, status, merged_into)
	SELECT 1, 1, 'transition ' || from_status || ' → ' || to_status, from_status,
	    CASE from_status WHEN 'merged' THEN 1 END
	FROM tr RETURNING id, subject)
UPDATE tr SET ticket = n.id FROM n WHERE n.subject = 'transition ' || from_status || ' → ' || to_status;

SET SESSION AUTHORIZATION alice;
SELECT lives_ok(format('SELECT guichet.set_status(%s, %L)', ticket, to_status),
    from_status || ' → ' || to_status || ' is legal')
FROM tr WHERE legal AND from_status <> 'closed' ORDER BY from_status, to_status;
SELECT throws_ok(format('SELECT guichet.set_status(%s, %L)', ticket, to_status), 'GU003', NULL,
    from_status || ' → ' || to_status || ' is illegal')
FROM tr WHERE NOT legal ORDER BY from_status, to_status;
SELECT throws_ok(format('SELECT guichet.set_status(%s, %L)', ticket, to_status), 'GU004', NULL,
    'closed → open needs a supervisor')
FROM tr WHERE legal AND from_status = 'closed';
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION sam;
SELECT lives_ok(format('SELECT guichet.set_status(%s, %L)', ticket, to_status),
    'closed → open by a supervisor')
FROM tr WHERE legal AND from_status = 'closed';
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM tr JOIN ticket t ON t.id = tr.ticket
    WHERE t.status <> CASE WHEN tr.legal THEN tr.to_status ELSE tr.from_status END), 0,
    'every ticket ends in the status the rules say');

-- Side effects of transitions.
SELECT results_eq($$SELECT t.resolved_at, t.closed_at FROM tr JOIN ticket t ON t.id = tr.ticket
        WHERE tr.from_status = 'open' AND tr.to_status = 'resolved'$$,
    $$VALUES (now(), NULL::timestamptz)$$, 'resolved sets resolved_at');
SELECT results_eq($$SELECT t.resolved_at, t.closed_at FROM tr JOIN ticket t ON t.id = tr.ticket
        WHERE tr.from_status = 'open' AND tr.to_status = 'closed'$$,
    $$VALUES (now(), now())$$, 'closed sets closed_at (and resolved_at)');
SELECT results_eq($$SELECT t.resolved_at, t.closed_at FROM tr JOIN ticket t ON t.id = tr.ticket
        WHERE tr.from_status = 'closed' AND tr.to_status = 'open'$$,
    $$VALUES (NULL::timestamptz, NULL::timestamptz)$$, 'reopening clears them');
SELECT results_eq($$SELECT t.pending_since FROM tr JOIN ticket t ON t.id = tr.ticket
        WHERE tr.from_status = 'open' AND tr.to_status = 'pending'$$,
    $$VALUES (now())$$, 'pending starts the pause');
SET SESSION AUTHORIZATION alice;
SELECT throws_ok(format('SELECT set_status(%s, %L, NULL, now() - interval ''1 hour'')', 1, 'pending'),
    'GU005', NULL, 'set_status: a wake-up time in the past');
SELECT throws_ok(format('SELECT set_status(%s, %L, NULL, now() + interval ''1 hour'')', 1, 'open'),
    'GU005', NULL, 'set_status: a wake-up time only with pending');
SELECT throws_ok(format('SELECT set_status(%s, %L)', 1, 'fermé'), 'GU005', NULL,
    'set_status: unknown status');
SELECT lives_ok(format('SELECT set_status(%s, %L)', 1, 'new'), 'set_status: the same status is a no-op');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
