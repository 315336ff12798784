-- 15-contact.sql — one citizen record (api/37-contact.sql): the contact view's
-- reads (her tickets the caller may see, a count of the others), corrections
-- recorded in the contact audit, other addresses found by the gateway's
-- lookup, likely duplicates, merging two records (supervisors), and an
-- erasure that takes the merged record along (api/38-retention.sql). Each
-- rule tried by whom it allows and by whom it refuses.
BEGIN;
SELECT plan(37);
SET LOCAL search_path = guichet, public;

--
-- The contact view
--
SET SESSION AUTHORIZATION alice;
SELECT results_eq($$SELECT name, email, district, hidden FROM contact_card(1)$$,
    $$VALUES ('Jean Dupont', 'jean.dupont@example.org', 'Gare', 0::bigint)$$,
    'card: alice sees Jean Dupont, his district, and every ticket of his');
SELECT results_eq($$SELECT id, queue FROM contact_tickets(1)$$,
    $$VALUES (4::bigint, 'voirie-n2'), (1::bigint, 'voirie')$$,
    'card: his tickets across queues, newest first');
SELECT results_eq($$SELECT id FROM contact_tickets(2)$$, $$VALUES (2::bigint)$$,
    'card: of Marie Martin, alice sees her voirie ticket');
SELECT is((SELECT hidden FROM contact_card(2)), 1::bigint,
    'card: …and is told of the one in etat-civil she may not see');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION dave;
SELECT throws_ok($$SELECT contact_hidden_tickets(1)$$, 'GU006', NULL,
    'card: a contact of another organisation does not exist for dave');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ada;
SELECT is((SELECT hidden FROM contact_card(2)), 0::bigint, 'card: an admin sees all');
RESET SESSION AUTHORIZATION;

--
-- Corrections (art. 16)
--
SET SESSION AUTHORIZATION alice;
SELECT lives_ok($$SELECT contact_update(2, 'phone', '+33 6 00 00 00 01')$$,
    'update: alice corrects Marie''s phone');
SELECT lives_ok($$SELECT contact_update(2, 'district', 'sud')$$,
    'update: and her district, by name');
SELECT throws_ok($$SELECT contact_update(2, 'district', 'Est')$$, 'GU006', NULL,
    'update: a district of another organisation is not hers');
SELECT throws_ok($$SELECT contact_update(2, 'colour', 'blue')$$, 'GU005', NULL,
    'update: a field a contact does not have');
SELECT throws_ok($$SELECT contact_update(3, 'name', 'X')$$, 'GU006', NULL,
    'update: a contact of another organisation');
SELECT throws_ok($$SELECT contact_update(2, 'email', 'jean.dupont@example.org')$$, 'GU005',
    NULL, 'update: an address that is Jean''s');
SELECT lives_ok($$SELECT contact_add_address(1, 'email', 'j.dupont@mairie.example')$$,
    'address: Jean has another mail address');
SELECT throws_ok($$SELECT contact_add_address(2, 'email', 'J.Dupont@mairie.example')$$,
    'GU005', NULL, 'address: which cannot be Marie''s too');
SELECT throws_ok($$SELECT contact_add_address(2, 'phone', 'call me')$$, 'GU005', NULL,
    'address: a phone is digits');
SELECT is(find_or_create_contact('J.DUPONT@mairie.example', 'Jean'), 1::bigint,
    'address: find_or_create_contact (the gateway''s lookup) finds Jean by it');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT phone, district_id FROM contact WHERE id = 2$$,
    $$VALUES ('+33 6 00 00 00 01', 2)$$, 'update: done');
SELECT results_eq($$SELECT action, contact_id, field, old_value, new_value, actor = 'alice'
        FROM contact_audit ORDER BY seq$$,
    $$VALUES ('update', 2::bigint, 'phone', '+33 6 12 34 56 78', '+33 6 00 00 00 01', true),
        ('update', 2::bigint, 'district', 'Nord', 'Sud', true),
        ('address', 1::bigint, 'email', NULL, 'j.dupont@mairie.example', true)$$,
    'update: each change is a row of the contact audit: who, what, from, to');

--
-- Likely duplicates
--
SET SESSION AUTHORIZATION alice;
SELECT results_eq($$SELECT id, reason FROM contact_duplicates('04 11 22 33 44', NULL, NULL, NULL)$$,
    $$VALUES (4::bigint, 'phone')$$, 'duplicates: the same phone written otherwise');
SELECT results_eq($$SELECT id, reason FROM contact_duplicates(NULL, '  jean   DUPONT ', 4, NULL)$$,
    $$VALUES (1::bigint, 'name')$$, 'duplicates: the same name, any case, in the same district');
SELECT is_empty($$SELECT id FROM contact_duplicates(NULL, 'Jean Dupont', 1, NULL)$$,
    'duplicates: not in another district');
SELECT results_eq($$SELECT id, reason FROM contact_duplicates(NULL, NULL, NULL, 'Jean.Dupont@other.example')$$,
    $$VALUES (1::bigint, 'address')$$, 'duplicates: the same local part of an address');
SELECT is_empty($$SELECT id FROM contact_duplicates(NULL, NULL, NULL, 'paul.durand@x.example')$$,
    'duplicates: never of another organisation');
RESET SESSION AUTHORIZATION;

--
-- Merge (supervisors)
--
SET SESSION AUTHORIZATION alice;
SELECT throws_ok($$SELECT contact_merge(4, 2)$$, '42501', NULL,
    'merge: an agent may not merge contacts');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION sam;
SELECT throws_ok($$SELECT contact_merge(2, 3)$$, 'GU006', NULL,
    'merge: not with a contact of another organisation');
SELECT throws_ok($$SELECT contact_merge(2, 2)$$, 'GU005', NULL, 'merge: not with herself');
SELECT is(contact_merge(4, 2), 1, 'merge: sam merges Mme Petit into Marie Martin: one ticket moves');
SELECT throws_ok($$SELECT contact_update(4, 'name', 'X')$$, 'GU005', NULL,
    'merge: the merged record is final');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT requester_id FROM ticket WHERE id = 6$$, $$VALUES (2::bigint)$$,
    'merge: her ticket is Marie''s');
SELECT results_eq($$SELECT action, field, old_value, new_value FROM history
        WHERE ticket_id = 6 AND action = 'contact_merge'$$,
    $$VALUES ('contact_merge', 'requester_id', '4', '2')$$,
    'merge: the ticket''s history says so');
SELECT results_eq($$SELECT kind, value FROM contact_address WHERE contact_id = 2 ORDER BY 1, 2$$,
    $$VALUES ('phone', '+33 4 11 22 33 44')$$, 'merge: her phone is Marie''s other phone');
SELECT results_eq($$SELECT merged_into, phone FROM contact WHERE id = 4$$,
    $$VALUES (2::bigint, NULL::text)$$, 'merge: the merged record points at the survivor');
SELECT is((SELECT new_value::jsonb->'tickets' FROM contact_audit
        WHERE contact_id = 4 AND action = 'merge'),
    '[6]'::jsonb, 'merge: the audit row holds what moved, to undo it');

--
-- Erasure takes the merged record along; the chains still verify.
--
SET SESSION AUTHORIZATION ada;
SELECT is(contact_erase(2, 'request by letter'), 3, 'erase: Marie''s three tickets');
SELECT results_eq($$SELECT count(*) FROM contact WHERE id IN (2, 4) AND erased_at IS NOT NULL
        AND name = '' AND phone IS NULL$$, $$VALUES (2::bigint)$$,
    'erase: her record and the one merged into it are empty');
SELECT is_empty($$SELECT * FROM contact_audit WHERE contact_id IN (2, 4)
        AND (old_value IS NOT NULL OR new_value IS NOT NULL)$$,
    'erase: the values of her audit rows are redacted');
SELECT is_empty($$SELECT * FROM verify_history() UNION ALL
        SELECT NULL, seq, problem FROM verify_contact_audit()$$,
    'erase: every history chain and the audit chain verify');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
