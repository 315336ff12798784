-- 08-desk.sql — a day at the desk (api/35-desk.sql): assign, move, return to
-- level 1, set_service and set_district (with the due times they recompute),
-- SLA targets per priority, the next response, required fields at creation
-- and before resolving, and absences handing tickets to the substitute.
-- Each rule is tried by the person it allows and by those it refuses, with
-- ids of another organisation.
BEGIN;
SELECT plan(100);
SET LOCAL search_path = guichet, public;

-- Who is told what: the notifications desk_tell wrote (api/36-notification.sql).
CREATE VIEW public.told AS SELECT n.agent_id AS agent, n.kind, n.ticket_id AS ticket, n.text
    FROM guichet.notification n;

-- bob writes in voirie too (a colleague alice can hand tickets to).
INSERT INTO queue_member (agent_id, queue_id, may_write) VALUES (2, 1, true);

--
-- assign
--
SET SESSION AUTHORIZATION alice;
SELECT lives_ok($$SELECT assign(2, 'bob', 'Il connaît le prestataire.')$$,
    'assign: alice hands her ticket #2 to bob, a writer of voirie');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT owner_id, owner_settled FROM ticket WHERE id = 2$$,
    $$VALUES (2, true)$$, 'assign: bob owns it, settled (the claim timeout does not apply)');
SELECT results_eq($$SELECT action, field, old_value, new_value FROM history WHERE ticket_id = 2
        AND action = 'assign' ORDER BY seq$$,
    $$VALUES ('assign', 'owner_id', '1', '2'),
        ('assign', 'note', NULL, 'Il connaît le prestataire.')$$,
    'assign: history has the owner change and the note');
SELECT is((SELECT body FROM article WHERE ticket_id = 2 AND subject = 'Assigned to bob'),
    'Il connaît le prestataire.', 'assign: the note is in the thread, as an internal note');
SELECT results_eq($$SELECT agent, kind, ticket FROM public.told$$,
    $$VALUES (2, 'assigned', 2::bigint)$$, 'assign: bob is told');
SET SESSION AUTHORIZATION alice;
SELECT throws_ok($$SELECT assign(2, 'alice')$$, 'GU004', NULL,
    'assign: alice may no longer give #2: it is bob''s');
SELECT throws_ok($$SELECT assign(1, 'bob')$$, 'GU004', 'ticket #1 is not yours to give',
    'assign: an agent may not give a ticket she does not own');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION bob;
SELECT lives_ok($$SELECT assign(2, 'alice')$$, 'assign: bob hands it back (no note)');
SELECT throws_ok($$SELECT assign(3, 'carol')$$, 'GU004', NULL,
    'assign: bob may not give an unowned ticket of his own queue either');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION alice;
SELECT throws_ok($$SELECT assign(2, 'carol')$$, 'GU005', 'carol may not write in queue voirie',
    'assign: only to a colleague who may write in the ticket''s queue');
SELECT throws_ok($$SELECT assign(2, 'dave')$$, 'GU006', 'no agent dave',
    'assign: an agent of another organisation does not exist for alice');
SELECT throws_ok($$SELECT assign(2, 'nobody')$$, 'GU006', 'no agent nobody',
    'assign: nor does an unknown login');
SELECT lives_ok($$SELECT assign(2, 'alice')$$, 'assign: to its owner changes nothing');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM history WHERE ticket_id = 2 AND action = 'assign'), 3,
    'assign: no row for a change that is none');
SET SESSION AUTHORIZATION sam;
SELECT lives_ok($$SELECT assign(1, 'alice')$$,
    'assign: a supervisor gives any ticket of her organisation');
SELECT throws_ok($$SELECT assign(5, 'dave')$$, 'GU006', NULL,
    'assign: not a ticket of another organisation');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT owner_id FROM ticket WHERE id = 1), 1, 'assign: #1 is alice''s');
SET SESSION AUTHORIZATION dave;
SELECT throws_ok($$SELECT assign(1, 'dave')$$, 'GU006', 'no ticket #1',
    'assign: dave (agglo) cannot even see #1');
RESET SESSION AUTHORIZATION;
UPDATE agent SET absent_from = now() - interval '1 hour', absent_until = '2099-01-01 12:00+00',
    substitute_id = 5 WHERE login = 'bob';
SET SESSION AUTHORIZATION alice;
SELECT throws_ok($$SELECT assign(2, 'bob')$$, 'GU005',
    'bob is away until 2099-01-01 12:00: her substitute is sam',
    'assign: not to a colleague who is away, and the error names the substitute');
RESET SESSION AUTHORIZATION;
UPDATE agent SET absent_from = NULL, absent_until = NULL, substitute_id = NULL
    WHERE login = 'bob';

--
-- move
--
SET SESSION AUTHORIZATION alice;
SELECT throws_ok($$SELECT move(6, 3, 'Demande d''état civil')$$, 'GU004',
    'you may not write in queue etat-civil',
    'move: not to a queue alice may not write in (she sees it: GU004)');
SELECT throws_ok($$SELECT move(6, 4, 'Pour l''agglo')$$, 'GU006', 'no queue 4',
    'move: a queue of another organisation does not exist for her');
SELECT throws_ok($$SELECT move(6, 1, 'Ici')$$, 'GU005', NULL, 'move: not to its own queue');
RESET SESSION AUTHORIZATION;
INSERT INTO queue_member (agent_id, queue_id, may_write) VALUES (1, 3, true);
SET SESSION AUTHORIZATION alice;
SELECT throws_ok($$SELECT move(6, 3, '  ')$$, 'GU005', 'the reason must not be empty',
    'move: a reason is required');
SELECT lives_ok($$SELECT move(6, 3, 'Mal orienté : concerne l''état civil.')$$,
    'move: alice moves a misrouted ticket to another queue she writes in');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT queue_id, level, organisation_id FROM ticket WHERE id = 6$$,
    $$VALUES (3, 1::smallint, 1)$$, 'move: the ticket is in etat-civil, still level 1');
SELECT results_eq($$SELECT action, field, old_value, new_value FROM history WHERE ticket_id = 6
        AND action = 'move' ORDER BY seq$$,
    $$VALUES ('move', 'queue_id', '1', '3'),
        ('move', 'reason', NULL, 'Mal orienté : concerne l''état civil.')$$,
    'move: history has the queue change and the reason');
SELECT is((SELECT subject FROM article WHERE ticket_id = 6 ORDER BY id DESC LIMIT 1),
    'Moved from voirie to etat-civil', 'move: the reason is a note of the thread');
SET SESSION AUTHORIZATION sam;
SELECT throws_ok($$SELECT move(6, 2, 'Au niveau 2')$$, 'GU005',
    'queue voirie-n2 is a level-2 queue and ticket #6 is at level 1: escalate it',
    'move: never across levels (escalate does that)');
-- sam moves alice's #2 to etat-civil, where alice writes now: she keeps it.
SELECT lives_ok($$SELECT move(2, 3, 'Relève de l''état civil')$$, 'move: by a supervisor');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT owner_id FROM ticket WHERE id = 2), 1,
    'move: the owner keeps a ticket she may write in the new queue');
DELETE FROM queue_member WHERE agent_id = 1 AND queue_id = 3;
SET SESSION AUTHORIZATION sam;
SELECT lives_ok($$SELECT move(2, 1, 'Finalement la voirie')$$, 'move: back to voirie');
SELECT lives_ok($$SELECT move(2, 3, 'Et retour')$$, 'move: to etat-civil, where alice no longer writes');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT owner_id, claimed_at FROM ticket WHERE id = 2$$,
    $$VALUES (NULL::integer, NULL::timestamptz)$$,
    'move: an owner who may not write in the new queue loses the ticket');
SET SESSION AUTHORIZATION sam;
SELECT lives_ok($$SELECT move(2, 1, 'Voirie')$$, 'move: back to voirie');
RESET SESSION AUTHORIZATION;
-- Across organisations (an admin): the due times follow the new queue's
-- policy (#6 has no service), the district goes with the organisation.
UPDATE ticket SET district_id = 2 WHERE id = 6;
SET SESSION AUTHORIZATION ada;
SELECT lives_ok($$SELECT move(6, 4, 'Concerne le réseau de l''agglomération')$$,
    'move: an admin moves a ticket to another organisation''s queue');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT organisation_id, district_id FROM ticket WHERE id = 6$$,
    $$VALUES (2, NULL::integer)$$, 'move: the organisation follows, the district is cleared');
SELECT ok((SELECT abs(extract(epoch FROM first_response_due - (created_at + interval '1 hour')))
        < 0.01 FROM ticket WHERE id = 6),
    'move: the first response is due by the new policy (continu: 1 hour from creation)');
SELECT is((SELECT count(*)::int FROM history WHERE ticket_id = 6 AND action = 'move'
        AND field IN ('first_response_due', 'resolution_due')), 2,
    'move: the new due times are in history with the move');

--
-- return_to_level1
--
SET SESSION AUTHORIZATION alice;
SELECT escalate(1, NULL, 'Affaissement : à voir par le niveau 2');
RESET SESSION AUTHORIZATION;
DELETE FROM guichet.notification;
SET SESSION AUTHORIZATION carol;
SELECT claim(1);
SELECT throws_ok($$SELECT return_to_level1(1, '')$$, 'GU005', 'the reason must not be empty',
    'return: a reason is required');
SELECT throws_ok($$SELECT return_to_level1(1, 'Là-bas', 2)$$, 'GU005',
    'queue voirie-n2 is not a level-1 queue', 'return: to a level-1 queue');
SELECT throws_ok($$SELECT return_to_level1(1, 'Là-bas', 4)$$, 'GU006', 'no queue 4',
    'return: a queue of another organisation does not exist for carol');
SELECT lives_ok($$SELECT return_to_level1(1, 'Simple nid de poule : pas un affaissement.')$$,
    'return: carol (level 2) hands #1 back');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT queue_id, level, owner_id, owner_settled FROM ticket WHERE id = 1$$,
    $$VALUES (1, 1::smallint, 1, true)$$,
    'return: to voirie, where it came from, level 1, to alice who escalated it');
SELECT results_eq($$SELECT action, field, old_value, new_value FROM history WHERE ticket_id = 1
        AND action = 'return' ORDER BY seq$$,
    $$VALUES ('return', 'queue_id', '2', '1'), ('return', 'level', '2', '1'),
        ('return', 'owner_id', '3', '1'),
        ('return', 'reason', NULL, 'Simple nid de poule : pas un affaissement.')$$,
    'return: history has the queue, the level, the owner and the reason');
SELECT is((SELECT body FROM article WHERE ticket_id = 1
        AND subject = 'Returned to level 1: voirie'),
    'Simple nid de poule : pas un affaissement.', 'return: the reason is a note of the thread');
SELECT results_eq($$SELECT agent, kind, ticket FROM public.told$$,
    $$VALUES (1, 'assigned', 1::bigint)$$, 'return: alice is told (it is given back to her)');
SELECT is((SELECT returned FROM report_escalations(current_date, current_date, 'ville', NULL,
        NULL, 'queue') WHERE NOT total), 1::bigint,
    'return: the escalations report counts it as back at level 1');
SELECT results_eq($$SELECT ticket, from_queue, to_queue, reason
        FROM report_escalation_returns(current_date, current_date, 'ville', NULL, NULL)$$,
    $$VALUES (1::bigint, 'Voirie — niveau 2', 'Voirie',
        'Simple nid de poule : pas un affaissement.')$$,
    'return: the report lists it with its reason');
SET SESSION AUTHORIZATION carol;
SELECT throws_ok($$SELECT return_to_level1(1, 'Encore')$$, 'GU006', 'no ticket #1',
    'return: carol no longer sees it (not a member of voirie)');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION alice;
SELECT throws_ok($$SELECT return_to_level1(1, 'Encore')$$, 'GU005',
    'ticket #1 is not at level 2', 'return: only a level-2 ticket');
SELECT throws_ok($$SELECT return_to_level1(4, 'Pas pour nous')$$, 'GU004', NULL,
    'return: alice reads voirie-n2 but may not write in it');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION carol;
SELECT throws_ok($$SELECT return_to_level1(4, 'Pas pour nous')$$, 'GU006',
    'ticket #4 came from no level-1 queue: name one',
    'return: a ticket created at level 2 needs a queue named');
SELECT lives_ok($$SELECT return_to_level1(4, 'Pas pour nous', 1)$$,
    'return: to a queue named');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT queue_id, level, owner_id FROM ticket WHERE id = 4$$,
    $$VALUES (1, 1::smallint, NULL::integer)$$, 'return: nobody escalated it: unowned');

--
-- set_service, set_district, targets per priority
--
SELECT created_at AS c1 FROM ticket WHERE id = 1 \gset
SET SESSION AUTHORIZATION alice;
SELECT throws_ok($$SELECT set_service(1, 4)$$, 'GU006', 'no service 4',
    'set_service: not a service of another organisation');
SELECT lives_ok($$SELECT set_service(1, 2)$$, 'set_service: Propreté / Dépôt sauvage');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT service_id FROM ticket WHERE id = 1$$, $$VALUES (2)$$,
    'set_service: the service is set');
SELECT ok((SELECT abs(extract(epoch FROM first_response_due - (:'c1'::timestamptz
        + interval '1 hour'))) < 0.01
        AND abs(extract(epoch FROM resolution_due - (:'c1'::timestamptz + interval '1 day')))
        < 0.01 FROM ticket WHERE id = 1),
    'set_service: the due times are those of its policy (continu: 1 h, 1 day from creation)');
SELECT is((SELECT string_agg(field, ',' ORDER BY seq) FROM history WHERE ticket_id = 1
        AND seq > (SELECT max(seq) FROM history WHERE ticket_id = 1 AND action = 'return')),
    'service_id,first_response_due,resolution_due',
    'set_service: history has the service and the new due times');
INSERT INTO sla_target (sla_policy_id, priority, first_response, resolution)
VALUES (2, 5, '15 minutes', '4 hours');
SET SESSION AUTHORIZATION alice;
SELECT set_priority(1, 5);
RESET SESSION AUTHORIZATION;
SELECT ok((SELECT abs(extract(epoch FROM first_response_due - (:'c1'::timestamptz
        + interval '15 minutes'))) < 0.01
        AND abs(extract(epoch FROM resolution_due - (:'c1'::timestamptz + interval '4 hours')))
        < 0.01 FROM ticket WHERE id = 1),
    'targets per priority: priority 5 of continu is due in 15 minutes, resolved in 4 hours');
SET SESSION AUTHORIZATION alice;
SELECT set_priority(1, 4);
RESET SESSION AUTHORIZATION;
SELECT ok((SELECT abs(extract(epoch FROM first_response_due - (:'c1'::timestamptz
        + interval '1 hour'))) < 0.01 FROM ticket WHERE id = 1),
    'targets per priority: back to the policy''s own for priority 4');
SET SESSION AUTHORIZATION alice;
SELECT create_ticket(1, 'Dépôt urgent', 'Appel', NULL, 'phone', 5, 2) AS urgent \gset
RESET SESSION AUTHORIZATION;
SELECT is((SELECT first_response_due - created_at FROM ticket WHERE id = :urgent),
    interval '15 minutes', 'targets per priority: a new ticket gets them');
SET SESSION AUTHORIZATION alice;
SELECT lives_ok($$SELECT set_service(1, NULL)$$, 'set_service: NULL clears');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT first_response_due, resolution_due FROM ticket WHERE id = 1$$,
    format('VALUES (sla_due(1, %L, %L, 1), sla_due(1, %L, %L, 1))', :'c1', '4 hours',
        :'c1', '5 days'),
    'set_service: without a service the queue''s policy (ouvre, business hours) counts again');
SET SESSION AUTHORIZATION alice;
SELECT throws_ok($$SELECT set_district(1, 5)$$, 'GU006', 'no district 5',
    'set_district: not a district of another organisation');
SELECT lives_ok($$SELECT set_district(1, 3, '12 rue de la Gare')$$, 'set_district');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT district_id, location FROM ticket WHERE id = 1$$,
    $$VALUES (3, '12 rue de la Gare')$$, 'set_district: district and location');
SET SESSION AUTHORIZATION alice;
SELECT set_district(1, 2);
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT district_id, location FROM ticket WHERE id = 1$$,
    $$VALUES (2, '12 rue de la Gare')$$, 'set_district: NULL location keeps it');
SET SESSION AUTHORIZATION alice;
SELECT set_district(1, NULL, '');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT district_id, location FROM ticket WHERE id = 1$$,
    $$VALUES (NULL::integer, NULL::text)$$, 'set_district: NULL and '''' clear');
SET SESSION AUTHORIZATION bob;
SELECT throws_ok($$SELECT set_service(5, NULL)$$, 'GU006', NULL,
    'set_service: not on a ticket of another organisation');
SELECT throws_ok($$SELECT set_district(5, NULL)$$, 'GU006', NULL,
    'set_district: nor set_district');
RESET SESSION AUTHORIZATION;

--
-- Required fields
--
UPDATE field SET required = true, required_at = 'create' WHERE name = 'quartier';
UPDATE field SET required = true, required_at = 'resolve' WHERE name = 'reference';
INSERT INTO field_queue (field_id, queue_id)
SELECT id, 1 FROM field WHERE name = 'quartier';
SET SESSION AUTHORIZATION alice;
SELECT throws_ok($$SELECT create_ticket(1, 'Trottoir', 'Appel')$$, 'GU005',
    'field "Quartier" (quartier) required to create a ticket in queue voirie',
    'required at creation: create_ticket names the missing field');
SELECT lives_ok($$SELECT create_ticket(1, 'Trottoir', 'Appel', p_fields => '{"quartier": "Sud"}')$$,
    'required at creation: given, the ticket is created');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION bob;
SELECT lives_ok($$SELECT create_ticket(3, 'Acte de naissance', 'Appel')$$,
    'required at creation: only in the field''s queues (quartier is voirie''s)');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION alice;
SELECT create_ticket(1, 'Trottoir 2', 'Appel', p_fields => '{"quartier": "Nord"}') AS rq \gset
SELECT throws_ok(format('SELECT set_status(%s, %L)', :rq, 'resolved'), 'GU005',
    format('ticket #%s cannot be resolved without field "Référence" (reference)', :rq),
    'required before resolving: set_status names the missing field');
SELECT throws_ok(format('SELECT set_status(%s, %L)', :rq, 'closed'), 'GU005', NULL,
    'required before resolving: closing is resolving too');
SELECT set_field(:rq, 'reference', 'R-7');
SELECT lives_ok(format('SELECT set_status(%s, %L)', :rq, 'resolved'),
    'required before resolving: once filled, the ticket is resolved');
SELECT lives_ok(format('SELECT set_status(%s, %L)', :rq, 'open'),
    'required before resolving: other statuses never ask');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT name, required_at FROM queue_fields(3) ORDER BY name$$,
    $$VALUES ('montant', NULL), ('reference', 'resolve'), ('rendez_vous', NULL)$$,
    'queue_fields: a queue''s fields with when each is required');
SET SESSION AUTHORIZATION dave;
SELECT is_empty('SELECT * FROM assignable_agents(1)',
    'pickers: nothing of a ticket of another organisation (assignable_agents)');
SELECT is_empty('SELECT * FROM service_catalogue(1)',
    'pickers: nor of its queue''s catalogue (service_catalogue)');
SELECT is_empty('SELECT * FROM district_choices(1)', 'pickers: nor of its districts');
SELECT is((SELECT count(*)::int FROM queue_fields(4) WHERE name = 'quartier'), 0,
    'queue_fields: a field of another organisation''s queue is not one of his queue''s');
RESET SESSION AUTHORIZATION;
UPDATE field SET required = false WHERE name IN ('quartier', 'reference');

--
-- The next response (continu: 4 hours)
--
SET SESSION AUTHORIZATION alice;
SELECT create_ticket(1, 'Sacs abandonnés', 'Appel', 1, 'phone', 3, 2) AS nr \gset
RESET SESSION AUTHORIZATION;
INSERT INTO article (ticket_id, kind, author_contact_id, body)
VALUES (:nr, 'mail_in', 1, 'Avant toute réponse.');
SELECT is((SELECT next_response_due FROM ticket WHERE id = :nr), NULL,
    'next response: nothing before the first answer');
SET SESSION AUTHORIZATION alice;
SELECT reply(:nr, 'Nous passons demain.') \g /dev/null
RESET SESSION AUTHORIZATION;
INSERT INTO article (ticket_id, kind, author_contact_id, body)
VALUES (:nr, 'mail_in', 1, 'Et quand exactement ?');
SELECT is((SELECT next_response_due FROM ticket WHERE id = :nr), now() + interval '4 hours',
    'next response: a follow-up after the first answer is due within next_response');
INSERT INTO article (ticket_id, kind, author_contact_id, body, created_at)
VALUES (:nr, 'mail_in', 1, 'Relance.', now() + interval '1 hour');
SELECT is((SELECT next_response_due FROM ticket WHERE id = :nr), now() + interval '4 hours',
    'next response: a second follow-up does not push it');
INSERT INTO sla_target (sla_policy_id, priority, next_response) VALUES (2, 4, '1 hour');
SET SESSION AUTHORIZATION alice;
SELECT set_priority(:nr, 4);
RESET SESSION AUTHORIZATION;
SELECT is((SELECT next_response_due FROM ticket WHERE id = :nr), now() + interval '1 hour',
    'next response: a priority with its own target counts from the waiting follow-up');
SET SESSION AUTHORIZATION alice;
SELECT add_note(:nr, 'Vu.') \g /dev/null
RESET SESSION AUTHORIZATION;
SELECT isnt((SELECT next_response_due FROM ticket WHERE id = :nr), NULL,
    'next response: an internal note does not meet it');
SET SESSION AUTHORIZATION alice;
SELECT reply(:nr, 'Demain matin.') \g /dev/null
RESET SESSION AUTHORIZATION;
SELECT is((SELECT next_response_due FROM ticket WHERE id = :nr), NULL,
    'next response: the agent''s reply meets it');
INSERT INTO article (ticket_id, kind, author_contact_id, body)
VALUES (:nr, 'mail_in', 1, 'Merci.');
SET SESSION AUTHORIZATION alice;
SELECT set_status(:nr, 'resolved');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT next_response_due FROM ticket WHERE id = :nr), NULL,
    'next response: resolving ends it');
INSERT INTO article (ticket_id, kind, author_contact_id, body)
VALUES (:nr, 'mail_in', 1, 'Toujours là.');
SET SESSION AUTHORIZATION alice;
SELECT set_status(:nr, 'open');
SELECT set_status(:nr, 'pending', NULL, now() + interval '1 day');
RESET SESSION AUTHORIZATION;
UPDATE ticket SET pending_since = now() - interval '2 hours' WHERE id = :nr;
SELECT next_response_due AS nrd FROM ticket WHERE id = :nr \gset
SET SESSION AUTHORIZATION alice;
SELECT set_status(:nr, 'open');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT next_response_due FROM ticket WHERE id = :nr),
    :'nrd'::timestamptz + interval '2 hours',
    'next response: a pause pushes it as it pushes the others');

--
-- Absence: the tickets go to the substitute
--
DELETE FROM guichet.notification;
UPDATE ticket SET owner_id = 1, owner_settled = true, status = 'open' WHERE id IN (2, 6);
UPDATE ticket SET owner_id = 1, owner_settled = true, status = 'pending' WHERE id = 3;
SET SESSION AUTHORIZATION alice;
SELECT set_absence(now(), now() + interval '3 days', 'bob');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT id, owner_id FROM ticket WHERE id IN (1, 2, 3, 6) ORDER BY id$$,
    $$VALUES (1::bigint, 2), (2, 2), (3, 2), (6, NULL)$$,
    'absence: her tickets where bob writes (voirie, etat-civil; pending too) go to bob; '
    'the open one in agglo-it, where he may not write, goes back to its queue');
SELECT is((SELECT action FROM history WHERE ticket_id = 2 ORDER BY seq DESC LIMIT 1),
    'handover', 'absence: history says handover');
SELECT results_eq($$SELECT agent, kind FROM public.told ORDER BY ticket$$,
    $$VALUES (2, 'handover'), (2, 'handover'), (2, 'handover')$$,
    'absence: bob is told of each');
SET SESSION AUTHORIZATION alice;
SELECT set_absence(NULL, NULL);
RESET SESSION AUTHORIZATION;
-- A planned absence without a substitute: nothing before it starts; then
-- her new and open tickets go back to their queues, pending ones stay hers.
UPDATE ticket SET owner_id = 1, status = 'open' WHERE id = 1;
UPDATE ticket SET owner_id = 1 WHERE id = 3;
SET SESSION AUTHORIZATION alice;
SELECT set_absence(now() + interval '1 hour', now() + interval '1 day');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT owner_id FROM ticket WHERE id = 1), 1, 'absence: nothing before it begins');
UPDATE agent SET absent_from = now() - interval '1 minute' WHERE login = 'alice';
SELECT expire_claims();
SELECT results_eq($$SELECT id, owner_id FROM ticket WHERE id IN (1, 3) ORDER BY id$$,
    $$VALUES (1::bigint, NULL::integer), (3, 1)$$,
    'absence: once begun (expire_claims), open tickets go back to the queue, pending ones stay');

--
-- Rights of the helpers, the chains
--
SET SESSION AUTHORIZATION alice;
SELECT throws_ok($$SELECT guichet.desk_tell(1, 'x', 1, 'x')$$, '42501', NULL,
    'desk_tell is not for logins');
SELECT throws_ok($$SELECT guichet.fields_require(1, 1, 'resolve')$$, '42501', NULL,
    'fields_require is not for logins');
SELECT throws_ok($$SELECT guichet.absence_handover(2)$$, '42501', NULL,
    'absence_handover is not for logins');
RESET SESSION AUTHORIZATION;
SELECT is_empty('SELECT * FROM verify_history()', 'every chain is intact');

SELECT * FROM finish();
ROLLBACK;
