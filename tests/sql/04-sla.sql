-- 04-sla.sql — due times in business hours, holidays, DST, the pending pause,
-- the pending wake-up and the level-1/level-2 clock.
-- Policy 1 "ouvre": 08:30–17:30 Mon–Fri Europe/Paris; policy 2 "continu": every minute.
-- Holidays: 2026-05-01 and 2026-07-14 for all, 2026-09-08 for ville (organisation 1).
BEGIN;
SELECT plan(37);
SET LOCAL search_path = guichet, public;

SELECT is(sla_due(1, v.start, v.span::interval, v.org), v.due, v.what)
FROM (VALUES
    ('2026-06-01 16:00+02'::timestamptz, '4 hours', NULL::int, '2026-06-02 11:00+02'::timestamptz,
        'Monday 16:00 + 4 h → Tuesday 11:00'),
    ('2026-06-05 16:00+02', '4 hours', NULL, '2026-06-08 11:00+02', 'Friday 16:00 + 4 h → Monday 11:00'),
    ('2026-06-01 07:00+02', '4 hours', NULL, '2026-06-01 12:30+02', 'before opening: the clock starts at 08:30'),
    ('2026-06-06 10:00+02', '4 hours', NULL, '2026-06-08 12:30+02', 'on a Saturday: from Monday 08:30'),
    ('2026-06-01 19:00+02', '30 minutes', NULL, '2026-06-02 09:00+02', 'after closing: from the next morning'),
    ('2026-06-01 13:30+02', '4 hours', NULL, '2026-06-01 17:30+02', 'ending exactly at closing time'),
    ('2026-04-30 16:00+02', '4 hours', NULL, '2026-05-04 11:00+02', 'a holiday for everyone is skipped'),
    ('2026-09-07 16:00+02', '4 hours', 1, '2026-09-09 11:00+02', 'the organisation''s own holiday is skipped'),
    ('2026-09-07 16:00+02', '4 hours', 2, '2026-09-08 11:00+02', 'another organisation''s holiday is not'),
    ('2026-06-01 10:00+02', '5 days', NULL, '2026-06-08 10:00+02', '5 days are five working days'),
    ('2026-06-01 08:30+02', '1 day 2 hours', NULL, '2026-06-02 10:30+02', 'a day is a working day (9 h)'),
    ('2026-03-27 16:00+01', '4 hours', NULL, '2026-03-30 11:00+02', 'across the change to summer time'),
    ('2026-10-23 16:00+02', '4 hours', NULL, '2026-10-26 11:00+01', 'across the change to winter time'),
    ('2026-06-01 10:00+02', '0', NULL, '2026-06-01 10:00+02', 'a zero span is the start')
) AS v(start, span, org, due, what);

SELECT is(sla_due(2, '2026-06-06 10:00+02', '4 hours'), '2026-06-06 14:00+02'::timestamptz,
    'without business hours: plain addition');
SELECT is(sla_due(NULL, '2026-06-06 10:00+02', '1 day'), '2026-06-07 10:00+02'::timestamptz,
    'without a policy: plain addition');
SELECT is(sla_due(1, '2026-06-06 10:00+02', NULL), NULL, 'no target: no due time');

SELECT is(sla_elapsed(1, v.a, v.b), v.d::interval, v.what)
FROM (VALUES
    ('2026-06-05 17:00+02'::timestamptz, '2026-06-08 09:00+02'::timestamptz, '1 hour',
        'business time from Friday 17:00 to Monday 09:00'),
    ('2026-06-01 10:00+02', '2026-06-01 12:00+02', '2 hours', 'within a day'),
    ('2026-06-01 12:00+02', '2026-06-01 10:00+02', '0', 'backwards is nothing'),
    ('2026-04-30 17:00+02', '2026-05-04 09:30+02', '1 hour 30 minutes', 'a holiday counts nothing')
) AS v(a, b, d, what);
SELECT is(sla_elapsed(2, '2026-06-05 17:00+02', '2026-06-08 09:00+02'), interval '64 hours',
    'without business hours: wall time');

-- create_ticket: the service's policy, else the queue's.
SET SESSION AUTHORIZATION alice;
SELECT create_ticket(1, 'Dépôt sauvage', 'x', 2, 'phone', NULL, 2) AS s \gset
SELECT create_ticket(1, 'Nid de poule', 'x', 2, 'phone') AS q \gset
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT first_response_due, resolution_due FROM ticket WHERE id = %s', :s),
    $$VALUES (now() + interval '1 hour', now() + interval '1 day')$$,
    'create_ticket: the service''s policy (continu) wins');
SELECT results_eq(format('SELECT first_response_due, resolution_due FROM ticket WHERE id = %s', :q),
    $$VALUES (sla_due(1, now(), '4 hours', 1), sla_due(1, now(), '5 days', 1))$$,
    'create_ticket: else the queue''s policy (ouvre)');
SET SESSION AUTHORIZATION dave;
SELECT create_ticket(4, 'Imprimante', 'x') AS a \gset
RESET SESSION AUTHORIZATION;
SELECT is((SELECT first_response_due FROM ticket WHERE id = :a), now() + interval '1 hour',
    'create_ticket: agglo-it''s policy');
INSERT INTO ticket (queue_id, organisation_id, subject, first_response_due)
    VALUES (4, 2, 'import', '2030-01-01') RETURNING id AS imp \gset
SELECT results_eq(format('SELECT first_response_due, resolution_due FROM ticket WHERE id = %s', :imp),
    $$VALUES ('2030-01-01'::timestamptz, NULL::timestamptz)$$,
    'an insert that gives due times keeps them');

-- The pending pause pushes the due times not yet met.
SET SESSION AUTHORIZATION alice;
SELECT set_status(:s, 'pending');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT pending_since FROM ticket WHERE id = :s), now(), 'pending stops the clock');
UPDATE ticket SET pending_since = now() - interval '2 hours' WHERE id = :s;
SET SESSION AUTHORIZATION alice;
SELECT set_status(:s, 'open');
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT first_response_due, resolution_due, pending_since FROM ticket
        WHERE id = %s', :s),
    $$VALUES (now() + interval '3 hours', now() + interval '1 day 2 hours', NULL::timestamptz)$$,
    'leaving pending pushes both due times by the 2 hours spent pending');
SET SESSION AUTHORIZATION alice;
SELECT reply(:s, 'Nous regardons.') \g /dev/null
SELECT set_status(:s, 'pending');
RESET SESSION AUTHORIZATION;
UPDATE ticket SET pending_since = now() - interval '1 hour' WHERE id = :s;
SET SESSION AUTHORIZATION alice;
SELECT set_status(:s, 'resolved');
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT first_response_due, resolution_due FROM ticket WHERE id = %s', :s),
    $$VALUES (now() + interval '3 hours', now() + interval '1 day 3 hours')$$,
    'a first response already given is not pushed; the resolution is');

-- In business time: pending from Monday 16:00 to Tuesday 10:00 is 3 working hours.
INSERT INTO ticket (queue_id, organisation_id, service_id, subject, status, first_response_due,
    resolution_due, pending_since)
VALUES (1, 1, 1, 'business pause', 'pending', '2026-06-01 17:00+02', '2026-06-05 12:00+02',
    '2026-06-01 16:00+02') RETURNING id AS b \gset
SELECT results_eq(format($$SELECT first_response_due, resolution_due
        FROM sla_resume((SELECT t FROM ticket t WHERE id = %s), '2026-06-02 10:00+02')$$, :b),
    $$VALUES ('2026-06-02 11:00+02'::timestamptz, '2026-06-05 15:00+02'::timestamptz)$$,
    'the pause is counted and added in business time');

-- pending_until: the ticket wakes up (expire_claims does it too). A week's
-- pause holds working hours whatever the time of day and the weekday the
-- test runs at (an hour's pause at 18:00 or on a Sunday holds none).
UPDATE ticket SET status = 'pending', pending_since = now() - interval '7 days',
    pending_until = now() - interval '1 minute' WHERE id = :q;
SET SESSION AUTHORIZATION bob;
SELECT is(expire_claims(), 0, 'expire_claims released no claim');
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT status, pending_since, pending_until FROM ticket WHERE id = %s', :q),
    $$VALUES ('open', NULL::timestamptz, NULL::timestamptz)$$, 'a pending ticket wakes up at pending_until');
SELECT is((SELECT action FROM history WHERE ticket_id = :q AND field = 'status' ORDER BY seq DESC LIMIT 1),
    'wake', 'history says wake');
SELECT is((SELECT resolution_due FROM ticket WHERE id = :q),
    sla_due(1, sla_due(1, now(), '5 days', 1), sla_elapsed(1, now() - interval '7 days', now(), 1), 1),
    'and its due time moved by the working time of the pause');

-- Which level used the clock: created 09:00 at level 1, open at 10:00, pending
-- 11:00–13:00, level 2 at 14:00, resolved at 17:00, in agglo-it (wall time).
INSERT INTO ticket (queue_id, organisation_id, subject, created_at)
    VALUES (4, 2, 'levels', '2026-06-01 09:00+00') RETURNING id AS l \gset
UPDATE ticket SET status = 'open' WHERE id = :l;
UPDATE ticket SET status = 'pending' WHERE id = :l;
UPDATE ticket SET status = 'open' WHERE id = :l;
UPDATE ticket SET level = 2 WHERE id = :l;
UPDATE ticket SET status = 'resolved' WHERE id = :l;
SET LOCAL ROLE guichet_owner;
UPDATE history SET at = '2026-06-01 00:00+00'::timestamptz + CASE seq WHEN 2 THEN interval '10 hours'
    WHEN 3 THEN interval '11 hours' WHEN 4 THEN interval '13 hours' WHEN 5 THEN interval '14 hours'
    ELSE interval '17 hours' END
WHERE ticket_id = :l AND seq > 1;
RESET ROLE;
SELECT results_eq(format('SELECT level, status, since, until FROM ticket_level_segment
        WHERE ticket_id = %s ORDER BY since', :l),
    $$VALUES (1::smallint, 'new', '2026-06-01 09:00+00'::timestamptz, '2026-06-01 10:00+00'::timestamptz),
        (1::smallint, 'open', '2026-06-01 10:00+00', '2026-06-01 11:00+00'),
        (1::smallint, 'pending', '2026-06-01 11:00+00', '2026-06-01 13:00+00'),
        (1::smallint, 'open', '2026-06-01 13:00+00', '2026-06-01 14:00+00'),
        (2::smallint, 'open', '2026-06-01 14:00+00', '2026-06-01 17:00+00'),
        (2::smallint, 'resolved', '2026-06-01 17:00+00', greatest(now(), '2026-06-01 17:00+00'))$$,
    'ticket_level_segment rebuilds the timeline from history');
SELECT results_eq(format('SELECT * FROM ticket_level_time(%s)', :l),
    $$VALUES (interval '3 hours', interval '3 hours', interval '2 hours')$$,
    'ticket_level_time: 3 h at level 1, 3 h at level 2, 2 h pending');
SET SESSION AUTHORIZATION alice;
SELECT is((SELECT count(*)::int FROM ticket_level_segment WHERE ticket_id = :l), 0,
    'ticket_level_segment follows RLS (alice does not see agglo)');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
