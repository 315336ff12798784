-- 06-console.sql — what the console reads: the SLA due rule (ticket_due) and
-- the overview's overdue counts that use it.
-- Fixture: tickets 1 (voirie, new), 2 (voirie, open, alice's), 6 (voirie, new);
-- alice writes in voirie.
BEGIN;
SELECT plan(8);
SET LOCAL search_path = guichet, public;

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
