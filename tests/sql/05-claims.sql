-- 05-claims.sql — next_ticket's order, claim leases and their expiry.
-- voirie (1) has a 30-minute claim timeout; etat-civil (3) has none.
BEGIN;
SELECT plan(21);
SET LOCAL search_path = guichet, public;

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

-- Leases: n1 untouched for 31 minutes, n2 for 29, n3 pending for a day.
UPDATE ticket SET claimed_at = now() - interval '31 minutes' WHERE id = :n1;
UPDATE ticket SET claimed_at = now() - interval '29 minutes' WHERE id = :n2;
UPDATE ticket SET claimed_at = now() - interval '1 day', status = 'pending' WHERE id = :n3;
-- In etat-civil (no timeout) a claim never expires.
UPDATE ticket SET owner_id = 2, claimed_at = now() - interval '1 year', status = 'open' WHERE id = 3;

SET SESSION AUTHORIZATION bob;
SELECT is(expire_claims(), 1, 'expire_claims: one lease ran out');
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT id, owner_id FROM ticket WHERE id IN (%s, %s, %s, 3) ORDER BY id',
        :n1, :n2, :n3),
    format('SELECT * FROM (VALUES (3::bigint, 2), (%s::bigint, NULL::int), (%s, 1), (%s, 1)) v
        ORDER BY 1', :n1, :n2, :n3),
    'expire_claims: only the expired open claim in a queue with a timeout is released');
SELECT results_eq(format('SELECT actor::text COLLATE "default", action, field, old_value, new_value
        FROM history WHERE ticket_id = %s ORDER BY seq DESC LIMIT 1', :n1),
    $$VALUES ('bob', 'claim_expired', 'owner_id', '1', NULL)$$,
    'expire_claims: history says claim_expired');
SELECT is_empty('SELECT * FROM verify_history()', 'the chains stay intact');

-- next_ticket treats an expired lease as claimable.
UPDATE ticket SET claimed_at = now() - interval '2 hours' WHERE id = :n2;
SET SESSION AUTHORIZATION sam;
SELECT is(next_ticket(1), :n1::bigint, 'next_ticket: the released ticket first (priority 5, oldest)');
SELECT is(next_ticket(1), :n2::bigint, 'next_ticket: then an expired lease, released on the way');
SELECT is(next_ticket(1), NULL, 'next_ticket: then nothing');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM history WHERE ticket_id = :n2 AND action = 'claim_expired'), 1,
    'next_ticket: the expiry is in history');

-- claim() takes over an expired lease, not a live one.
UPDATE ticket SET claimed_at = now() - interval '10 minutes' WHERE id = :n2;
SET SESSION AUTHORIZATION alice;
SELECT throws_ok(format('SELECT claim(%s)', :n2), 'GU001', NULL, 'claim: a live lease is respected');
RESET SESSION AUTHORIZATION;
UPDATE ticket SET claimed_at = now() - interval '45 minutes' WHERE id = :n2;
SET SESSION AUTHORIZATION alice;
SELECT lives_ok(format('SELECT claim(%s)', :n2), 'claim: an expired lease is taken over');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT owner_id FROM ticket WHERE id = :n2), 1, 'claim: alice owns it now');

-- Her actions renew the lease; a supervisor's do not.
UPDATE ticket SET claimed_at = now() - interval '20 minutes' WHERE id = :n2;
SET SESSION AUTHORIZATION alice;
SELECT set_priority(:n2, 2);
RESET SESSION AUTHORIZATION;
SELECT is((SELECT claimed_at FROM ticket WHERE id = :n2), now(), 'the owner''s change renews the lease');
UPDATE ticket SET claimed_at = now() - interval '20 minutes' WHERE id = :n2;
SET SESSION AUTHORIZATION sam;
SELECT set_priority(:n2, 3);
RESET SESSION AUTHORIZATION;
SELECT is((SELECT claimed_at FROM ticket WHERE id = :n2), now() - interval '20 minutes',
    'a supervisor''s change does not');
SET SESSION AUTHORIZATION alice;
SELECT claim(:n2);
RESET SESSION AUTHORIZATION;
SELECT is((SELECT claimed_at FROM ticket WHERE id = :n2), now(), 'claiming again renews it');

SELECT * FROM finish();
ROLLBACK;
