-- 05-claims.sql — next_ticket's order, and ownership that lasts: the claim
-- timeout undoes only a claim its owner has done nothing on (OTRS's unlock
-- timeout), and the owner is told.
-- voirie (1) has a 30-minute claim timeout; etat-civil (3) has none.
BEGIN;
SELECT plan(29);
SET LOCAL search_path = guichet, public;

-- Who is told what: the notifications (api/36-notification.sql) about
-- claims (expire_claims also warns of due times: 06-notification.sql).
CREATE VIEW public.told AS SELECT n.agent_id AS agent, n.kind, n.ticket_id AS ticket, n.text
    FROM guichet.notification n WHERE n.kind <> 'sla_soon';

-- A clean voirie: the fixture's unclaimed tickets are closed first.
UPDATE ticket SET status = 'closed' WHERE queue_id = 1 AND owner_id IS NULL;
INSERT INTO ticket (queue_id, organisation_id, subject, priority, created_at) VALUES
    (1, 1, 'p3 old', 3, now() - interval '3 days'),
    (1, 1, 'p5 new', 5, now() - interval '1 hour'),
    (1, 1, 'p3 older', 3, now() - interval '4 days'),
    (1, 1, 'p5 old', 5, now() - interval '2 days'),
    (1, 1, 'p1 oldest', 1, now() - interval '9 days');
UPDATE ticket SET status = 'pending' WHERE subject = 'p1 oldest';

SET SESSION AUTHORIZATION alice;
SELECT next_ticket(1) AS n1 \gset
SELECT next_ticket(1) AS n2 \gset
SELECT next_ticket(1) AS n3 \gset
SELECT next_ticket(1) AS n4 \gset
SELECT coalesce(next_ticket(1)::text, 'none') AS n5 \gset
RESET SESSION AUTHORIZATION;
SELECT is(ARRAY[(SELECT subject FROM ticket WHERE id = :n1), (SELECT subject FROM ticket WHERE id = :n2),
    (SELECT subject FROM ticket WHERE id = :n3), (SELECT subject FROM ticket WHERE id = :n4)],
    ARRAY['p5 old', 'p5 new', 'p3 older', 'p3 old'],
    'next_ticket: highest priority first, then oldest');
SELECT is(:'n5'::text, 'none', 'next_ticket: NULL when nothing is left (pending tickets are not taken)');
SELECT results_eq(format('SELECT owner_id, status, claimed_at FROM ticket WHERE id = %s', :n1),
    $$VALUES (1, 'open', now())$$, 'next_ticket: claimed by alice, opened, lease started');
SELECT is((SELECT string_agg(field, ',' ORDER BY seq) FROM history WHERE ticket_id = :n1
    AND action = 'claim'), 'status,owner_id', 'next_ticket: history says claim');

SET SESSION AUTHORIZATION bob;
SELECT throws_ok('SELECT next_ticket(1)', 'GU006', NULL, 'next_ticket: not in a queue one cannot see');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION alice;
SELECT throws_ok('SELECT next_ticket(2)', 'GU004', NULL, 'next_ticket: not in a read-only queue');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION mailer;
SELECT throws_ok('SELECT guichet.next_ticket(1)', '42501', NULL, 'next_ticket: not for the gateway');
RESET SESSION AUTHORIZATION;

-- n1 claimed 31 minutes ago and untouched, n2 29 minutes ago, n3 pending
-- for a day; n4 claimed two hours ago but worked on: its owner wrote a note.
UPDATE ticket SET claimed_at = now() - interval '31 minutes' WHERE id = :n1;
UPDATE ticket SET claimed_at = now() - interval '29 minutes' WHERE id = :n2;
UPDATE ticket SET claimed_at = now() - interval '1 day', status = 'pending' WHERE id = :n3;
SET SESSION AUTHORIZATION alice;
SELECT add_note(:n4, 'Appelé le demandeur, rappel demain.') \g /dev/null
RESET SESSION AUTHORIZATION;
SELECT is((SELECT owner_settled FROM ticket WHERE id = :n4), true,
    'the owner''s note settles her claim');
UPDATE ticket SET claimed_at = now() - interval '2 hours' WHERE id = :n4;
-- In etat-civil (no timeout) a claim never lapses.
UPDATE ticket SET owner_id = 2, claimed_at = now() - interval '1 year', status = 'open' WHERE id = 3;

SET SESSION AUTHORIZATION bob;
SELECT is(expire_claims(), 1, 'expire_claims: one claim lapsed');
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT id, owner_id FROM ticket WHERE id IN (%s, %s, %s, %s, 3)
        ORDER BY id', :n1, :n2, :n3, :n4),
    format('SELECT * FROM (VALUES (3::bigint, 2), (%s::bigint, NULL::int), (%s, 1), (%s, 1),
        (%s, 1)) v ORDER BY 1', :n1, :n2, :n3, :n4),
    'expire_claims: only the untouched open claim older than the timeout is released; '
    'a claim its owner worked on lasts');
SELECT results_eq(format('SELECT actor::text COLLATE "default", action, field, old_value, new_value
        FROM history WHERE ticket_id = %s ORDER BY seq DESC LIMIT 1', :n1),
    $$VALUES ('bob', 'claim_expired', 'owner_id', '1', NULL)$$,
    'expire_claims: history says claim_expired');
SELECT results_eq('SELECT agent, kind, ticket FROM public.told',
    format('VALUES (1, %L, %s::bigint)', 'claim_expired', :n1),
    'expire_claims: the owner is told, and only she');
SELECT is_empty('SELECT * FROM verify_history()', 'the chains stay intact');

-- next_ticket treats a lapsed claim as claimable, not a settled one.
UPDATE ticket SET claimed_at = now() - interval '2 hours' WHERE id = :n2;
SET SESSION AUTHORIZATION sam;
SELECT is(next_ticket(1), :n1::bigint, 'next_ticket: the released ticket first (priority 5, oldest)');
SELECT is(next_ticket(1), :n2::bigint, 'next_ticket: then a lapsed claim, released on the way');
SELECT is(next_ticket(1), NULL, 'next_ticket: then nothing (the claim worked on stays)');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM history WHERE ticket_id = :n2 AND action = 'claim_expired'), 1,
    'next_ticket: the expiry is in history');

-- claim() takes over a lapsed claim, not a fresh one, nor one worked on.
UPDATE ticket SET claimed_at = now() - interval '10 minutes' WHERE id = :n2;
SET SESSION AUTHORIZATION alice;
SELECT throws_ok(format('SELECT claim(%s)', :n2), 'GU001', NULL, 'claim: a fresh claim is respected');
RESET SESSION AUTHORIZATION;
UPDATE ticket SET claimed_at = now() - interval '45 minutes' WHERE id = :n2;
DELETE FROM guichet.notification;
SET SESSION AUTHORIZATION alice;
SELECT lives_ok(format('SELECT claim(%s)', :n2), 'claim: a lapsed claim is taken over');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT owner_id FROM ticket WHERE id = :n2), 1, 'claim: alice owns it now');
SELECT results_eq('SELECT agent, kind, ticket FROM public.told',
    format('VALUES (5, %L, %s::bigint)', 'claim_expired', :n2),
    'claim: the owner of the lapsed claim (sam) is told');
UPDATE ticket SET owner_id = 5, owner_settled = true, claimed_at = now() - interval '3 hours'
    WHERE id = :n4;
SET SESSION AUTHORIZATION alice;
SELECT throws_ok(format('SELECT claim(%s)', :n4), 'GU001', NULL,
    'claim: a claim worked on is never taken over, however old');
RESET SESSION AUTHORIZATION;

-- Her actions settle the claim; a supervisor's do not; claiming again does.
UPDATE ticket SET claimed_at = now() - interval '20 minutes', owner_settled = false WHERE id = :n2;
SET SESSION AUTHORIZATION sam;
SELECT set_priority(:n2, 3);
RESET SESSION AUTHORIZATION;
SELECT is((SELECT owner_settled FROM ticket WHERE id = :n2), false,
    'a supervisor''s change does not settle alice''s claim');
SET SESSION AUTHORIZATION alice;
SELECT set_priority(:n2, 2);
RESET SESSION AUTHORIZATION;
SELECT is((SELECT owner_settled FROM ticket WHERE id = :n2), true,
    'the owner''s change (a field, the priority…) settles it');
UPDATE ticket SET owner_settled = false WHERE id = :n2;
SET SESSION AUTHORIZATION alice;
SELECT claim(:n2);
RESET SESSION AUTHORIZATION;
SELECT is((SELECT owner_settled FROM ticket WHERE id = :n2), true, 'claiming again settles it');
SELECT is((SELECT claimed_at FROM ticket WHERE id = :n2), now() - interval '20 minutes',
    'claimed_at stays when the claim was taken');

-- A claim starts unsettled; a release forgets it; a ticket given by someone
-- else is settled at once (35-desk.sql: assign).
SET SESSION AUTHORIZATION alice;
SELECT release(:n2);
SELECT claim(:n2);
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT owner_id, owner_settled, claimed_at FROM ticket WHERE id = %s',
        :n2), $$VALUES (1, false, now())$$, 'a new claim starts unsettled, from now');
SET SESSION AUTHORIZATION sam;
SELECT release(:n2);
SELECT assign(:n2, 'alice');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT owner_settled FROM ticket WHERE id = :n2), true,
    'a ticket assigned by a supervisor is settled: the timeout does not apply');
UPDATE ticket SET claimed_at = now() - interval '5 hours' WHERE id = :n2;
SELECT is(expire_claims(), 0, 'expire_claims leaves it with her');

SELECT * FROM finish();
ROLLBACK;
