-- 01-history.sql — history rows are written for every change, chained per
-- ticket, append-only, and verify_history finds every kind of tampering.
BEGIN;
SELECT plan(42);
SET LOCAL search_path = guichet, public;

-- A ticket of our own: voirie (1), created by alice through the API.
SET SESSION AUTHORIZATION alice;
SELECT create_ticket(1, 'Lampadaire éteint', 'Le lampadaire du 3 rue Haute ne s''allume plus.',
    1, 'phone', 2, NULL, 1) AS t \gset
RESET SESSION AUTHORIZATION;

SELECT results_eq(
    format('SELECT seq, actor::text COLLATE "default", action, field, new_value FROM history
        WHERE ticket_id = %s ORDER BY seq', :t),
    $$VALUES (1, 'alice', 'create', NULL::text, 'Lampadaire éteint'),
        (2, 'alice', 'phone', 'article', (SELECT max(id)::text FROM article))$$,
    'create_ticket writes create then the first article, as alice');

SELECT is((SELECT history_seq FROM ticket WHERE id = :t), 2, 'ticket.history_seq is the tail');
SELECT is((SELECT history_head FROM ticket WHERE id = :t),
    (SELECT hash FROM history WHERE ticket_id = :t AND seq = 2), 'ticket.history_head is the tail hash');
SELECT is((SELECT prev_hash FROM history WHERE ticket_id = :t AND seq = 1), NULL,
    'the first row has no previous hash');
SELECT is((SELECT prev_hash FROM history WHERE ticket_id = :t AND seq = 2),
    (SELECT hash FROM history WHERE ticket_id = :t AND seq = 1), 'each row links to the one before');
SELECT is((SELECT hash FROM history WHERE ticket_id = :t AND seq = 2),
    (SELECT history_hash(prev_hash, ticket_id, seq, at, actor, action, field, old_value, new_value)
        FROM history WHERE ticket_id = :t AND seq = 2),
    'the hash is sha256 of prev_hash and the canonical row');

-- Updates: one row per changed column, old and new as text, action named.
UPDATE ticket SET priority = 4, subject = 'Lampadaire éteint (rue Haute)', location = '3 rue Haute'
    WHERE id = :t;
SELECT results_eq(
    format('SELECT action, field, old_value, new_value FROM history
        WHERE ticket_id = %s AND seq > 2 ORDER BY seq', :t),
    $$VALUES ('set', 'priority', '2', '4'),
        ('set', 'subject', 'Lampadaire éteint', 'Lampadaire éteint (rue Haute)'),
        ('set', 'location', NULL, '3 rue Haute')$$,
    'an UPDATE writes one row per changed column');
SELECT is((SELECT updated_by::text FROM ticket WHERE id = :t), 'postgres',
    'updated_by is stamped by the trigger (here the superuser)');
UPDATE ticket SET time_spent = 7 WHERE id = :t;
SELECT is((SELECT history_seq FROM ticket WHERE id = :t), 5, 'a column that does not matter writes nothing');

SET SESSION AUTHORIZATION alice;
SELECT claim(:t);
SELECT add_note(:t, 'Vu avec le prestataire.', 10) AS note \gset
SELECT reply(:t, 'Nous intervenons demain.') AS rep \gset
SELECT set_field(:t, 'quartier', 'Sud');
SELECT set_field(:t, 'quartier', 'Centre');
SELECT set_field(:t, 'quartier', NULL);
SELECT link(:t, 1, 'relates');
SELECT unlink(:t, 1, 'relates');
RESET SESSION AUTHORIZATION;

SELECT results_eq(
    format('SELECT actor::text COLLATE "default", action, field, old_value, new_value FROM history
        WHERE ticket_id = %s AND seq > 5 ORDER BY seq', :t),
    format($$VALUES ('alice', 'claim', 'status', 'new', 'open'),
        ('alice', 'claim', 'owner_id', NULL, '1'),
        ('alice', 'note', 'article', NULL, '%s'),
        ('alice', 'reply', 'article', NULL, '%s'),
        ('alice', 'field', 'quartier', NULL, 'Sud'),
        ('alice', 'field', 'quartier', 'Sud', 'Centre'),
        ('alice', 'field', 'quartier', 'Centre', NULL),
        ('alice', 'link', 'relates', NULL, '1'),
        ('alice', 'unlink', 'relates', '1', NULL)$$, :note, :rep),
    'claim, note, reply, fields and links are in the ticket''s history');
SELECT results_eq(
    'SELECT action, field, old_value, new_value FROM history
        WHERE ticket_id = 1 AND actor = ''alice'' ORDER BY seq',
    format($$VALUES ('linked', 'relates', NULL, '%1$s'),
        ('unlinked', 'relates', '%1$s', NULL)$$, :t),
    'a link is recorded on the other ticket too');

SELECT is((SELECT array_agg(seq ORDER BY seq) FROM history WHERE ticket_id = :t),
    (SELECT array_agg(s) FROM generate_series(1, 14) s), 'seq is contiguous per ticket');
SELECT is((SELECT count(*)::int FROM (SELECT h.seq FROM history h
    LEFT JOIN history p ON p.ticket_id = h.ticket_id AND p.seq = h.seq - 1
    WHERE h.ticket_id = :t AND h.prev_hash IS DISTINCT FROM p.hash) x), 0,
    'every row is chained to the previous one');
SELECT is_empty('SELECT * FROM verify_history()', 'verify_history finds nothing on an intact database');

-- Append-only: refused for logins, for the superuser acting as itself, and
-- inside API functions.
SET SESSION AUTHORIZATION alice;
SELECT throws_ok(format('UPDATE history SET new_value = %L WHERE ticket_id = %s', 'x', :t),
    '42501', NULL, 'alice cannot UPDATE history');
SELECT throws_ok(format('DELETE FROM history WHERE ticket_id = %s', :t),
    '42501', NULL, 'alice cannot DELETE history');
SELECT throws_ok(format('INSERT INTO history (ticket_id, seq, action, hash) VALUES (%s, 99, %L, %L)',
    :t, 'forged', '\x00'), '42501', NULL, 'alice cannot INSERT history');
SELECT throws_ok('SELECT * FROM verify_history()', '42501', NULL,
    'verify_history is for admins (not even executable by agents)');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ada;
SELECT throws_ok(format('UPDATE history SET new_value = %L WHERE ticket_id = %s', 'x', :t),
    '42501', NULL, 'an admin cannot UPDATE history either');
SELECT lives_ok('SELECT * FROM verify_history()', 'an admin may verify history');
RESET SESSION AUTHORIZATION;
SELECT throws_ok(format('UPDATE history SET new_value = %L WHERE ticket_id = %s', 'x', :t),
    'GU004', NULL, 'the superuser acting as itself is refused by the trigger');
SELECT throws_ok(format('DELETE FROM history WHERE ticket_id = %s', :t),
    'GU004', NULL, 'DELETE by the superuser acting as itself is refused');
SELECT throws_ok('TRUNCATE history', 'GU004', NULL, 'TRUNCATE is refused');
SELECT is((SELECT count(*)::int FROM history WHERE ticket_id = :t), 14, 'history is unchanged');

-- Tampering done as the owner (who can do anything) is detected.
-- Ticket 1: alter a row's content.
SET LOCAL ROLE guichet_owner;
UPDATE history SET new_value = 'Sud' WHERE ticket_id = 1 AND field = 'quartier';
RESET ROLE;
SELECT results_eq('SELECT ticket_id, seq, problem FROM verify_history(1)',
    $$VALUES (1::bigint, 3, 'altered row')$$, 'an UPDATE of a row is detected');

-- Ticket 2: remove a row in the middle.
SET LOCAL ROLE guichet_owner;
DELETE FROM history WHERE ticket_id = 2 AND seq = 2;
RESET ROLE;
SELECT results_eq('SELECT ticket_id, seq, problem FROM verify_history(2)',
    $$VALUES (2::bigint, 3, 'broken link'), (2::bigint, 3, 'missing seq 2..2')$$,
    'a DELETE in the middle is detected');

-- Ticket 3: remove the last row (the chain itself stays consistent).
SET LOCAL ROLE guichet_owner;
DELETE FROM history WHERE ticket_id = 3 AND seq = (SELECT max(seq) FROM history WHERE ticket_id = 3);
RESET ROLE;
SELECT results_eq('SELECT ticket_id, seq, problem FROM verify_history(3)',
    $$VALUES (3::bigint, 1, 'tail mismatch: ticket ends at seq 2')$$,
    'a DELETE of the tail is detected through ticket.history_seq');

-- Ticket 5: remove every row.
SET LOCAL ROLE guichet_owner;
DELETE FROM history WHERE ticket_id = 5;
RESET ROLE;
SELECT results_eq('SELECT ticket_id, seq, problem FROM verify_history(5)',
    $$VALUES (5::bigint, 2, 'tail mismatch: no history rows')$$,
    'a ticket whose whole history is gone is detected');

-- Ticket 4: rewrite a row and recompute its hash: the next row's link breaks.
SET LOCAL ROLE guichet_owner;
UPDATE history SET actor = 'mallory', hash = history_hash(prev_hash, ticket_id, seq, at, 'mallory',
    action, field, old_value, new_value) WHERE ticket_id = 4 AND seq = 1;
RESET ROLE;
SELECT results_eq('SELECT ticket_id, seq, problem FROM verify_history(4)',
    $$VALUES (4::bigint, 2, 'broken link')$$,
    'a rewritten row with a recomputed hash breaks the next link');

SELECT results_eq('SELECT DISTINCT ticket_id FROM verify_history() ORDER BY 1',
    $$VALUES (1::bigint), (2::bigint), (3::bigint), (4::bigint), (5::bigint)$$,
    'verify_history() without argument checks every ticket');
SELECT is_empty(format('SELECT * FROM verify_history(%s)', :t), 'other tickets stay intact');

-- The canonical text does not depend on the session's time zone or date style.
SET LOCAL TimeZone = 'Pacific/Auckland';
SET LOCAL DateStyle = 'SQL, DMY';
SELECT is_empty(format('SELECT * FROM verify_history(%s)', :t),
    'verification does not depend on TimeZone or DateStyle');
SET SESSION AUTHORIZATION alice;
SELECT set_status(:t, 'pending', NULL, '2030-01-02 03:04:05+00');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT new_value FROM history WHERE ticket_id = :t AND field = 'pending_until'),
    '2030-01-02T03:04:05.000000Z', 'times in history values are ISO 8601 UTC');
RESET TimeZone;
RESET DateStyle;
SELECT is_empty(format('SELECT * FROM verify_history(%s)', :t), 'and verify in another time zone');

-- Articles, fields and links written directly (the mail gateway's way) are
-- chained as well.
INSERT INTO article (ticket_id, kind, body) VALUES (:t, 'mail_in', 'Merci !');
INSERT INTO ticket_field (ticket_id, field_id, value)
    VALUES (:t, (SELECT id FROM field WHERE name = 'reference'), 'R-42');
SELECT is((SELECT action || ' ' || field FROM history WHERE ticket_id = :t ORDER BY seq DESC LIMIT 1
    OFFSET 1), 'mail_in article', 'a direct article insert is chained');
SELECT is((SELECT new_value FROM history WHERE ticket_id = :t ORDER BY seq DESC LIMIT 1), 'R-42',
    'a direct field insert is chained');
SELECT is_empty(format('SELECT * FROM verify_history(%s)', :t), 'and the chain stays intact');

-- The owner's claim is settled by her own changes (45-claims.sql).
UPDATE ticket SET claimed_at = now() - interval '1 hour', owner_settled = false WHERE id = 2;
SET SESSION AUTHORIZATION alice;
SELECT add_note(2, 'Relance du prestataire.') \g /dev/null
RESET SESSION AUTHORIZATION;
SELECT is((SELECT owner_settled FROM ticket WHERE id = 2), true,
    'the owner''s note settles her claim');
UPDATE ticket SET claimed_at = now() - interval '1 hour' WHERE id = 2;
SET SESSION AUTHORIZATION sam;
SELECT add_note(2, 'Note du superviseur.') \g /dev/null
RESET SESSION AUTHORIZATION;
SELECT is((SELECT claimed_at FROM ticket WHERE id = 2), now() - interval '1 hour',
    'someone else''s note does not');
SELECT isnt((SELECT updated_at FROM ticket WHERE id = 2), NULL, 'updated_at is set');
SELECT is((SELECT updated_by::text FROM ticket WHERE id = 2), 'sam', 'updated_by names the last writer');

-- History rows cannot be forged through a SECURITY DEFINER function either:
-- the guard checks the session user, not the current user.
CREATE FUNCTION public.t_forge(p bigint) RETURNS void LANGUAGE sql SECURITY DEFINER AS
    $$ UPDATE guichet.history SET new_value = 'forged' WHERE ticket_id = p $$;
ALTER FUNCTION public.t_forge(bigint) OWNER TO guichet_owner;
SET SESSION AUTHORIZATION alice;
SELECT throws_ok(format('SELECT public.t_forge(%s)', :t), 'GU004', NULL,
    'a SECURITY DEFINER function called by alice cannot change history');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
