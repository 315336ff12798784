-- 06-notification.sql — agents who are told (36-notification.sql): a
-- follow-up on my ticket, a handover while I stand in, my claim expired, my
-- ticket about to breach, a colleague's @mention; read or unread, mine alone;
-- the digest guichet-mail send mails.
BEGIN;
SELECT plan(33);
SET LOCAL search_path = guichet, public;

-- A follow-up from the gateway, on ticket p_ticket (its tag).
CREATE FUNCTION public.t_followup(p_ticket bigint, p_id text) RETURNS text
LANGUAGE sql AS $$
	SELECT o_outcome FROM guichet.ingest_message(convert_to('raw ' || p_id, 'UTF8'), 'test',
	    jsonb_build_object('message_id', '<' || p_id || '@example.net>', 'tag', p_ticket,
	        'from_addr', 'marie.martin@example.net', 'from_name', 'Marie Martin',
	        'subject', 'Re: suite', 'body', 'Merci, toujours là.',
	        'to', jsonb_build_array('voirie@ville.example')))
$$;

-- 1. A follow-up on alice's ticket 2.
SET SESSION AUTHORIZATION mailer;
SELECT is(public.t_followup(2, 'f1'), 'imported', 'the follow-up is imported');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION alice;
SELECT is(notification_unread(), 1::bigint, 'followup: alice has one unread notification');
SELECT results_eq($$SELECT kind, ticket_id, text FROM notification$$,
    $$VALUES ('followup', 2::bigint, '#2 Dépôt sauvage avenue Foch — Marie Martin')$$,
    'followup: on her ticket, naming the ticket and who wrote');
RESET SESSION AUTHORIZATION;

-- 2. Hers alone.
SET SESSION AUTHORIZATION bob;
SELECT is((SELECT count(*) FROM notification), 0::bigint, 'bob sees none of alice''s notifications');
SELECT is(notification_read(NULL), 0, 'bob marks nothing of hers read');
SELECT throws_ok('SELECT agent_notify(1, ''mention'', 2, ''x'')', '42501', NULL,
    'agent_notify is not for logins');
SELECT throws_ok($$INSERT INTO notification (agent_id, kind, text) VALUES (1, 'mention', 'x')$$,
    '42501', NULL, 'nor is writing notifications directly');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION sam;
SELECT is((SELECT count(*) FROM notification), 0::bigint, 'a supervisor does not read her agents''');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ada;
SELECT is((SELECT count(*) FROM notification), 0::bigint, 'nor does an admin');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION alice;
SELECT throws_ok('UPDATE notification SET read_at = now()', '42501', NULL,
    'alice changes them only through notification_read');
SELECT is(notification_read((SELECT array_agg(id) FROM notification)), 1, 'notification_read marks hers');
SELECT is(notification_unread(), 0::bigint, 'nothing unread any more');
SELECT is(notification_read(NULL, false), 1, 'and unread again');
SELECT is(notification_read(NULL), 1, 'read again');
RESET SESSION AUTHORIZATION;

-- 3. A loop (an auto-reply) tells nobody.
SET SESSION AUTHORIZATION mailer;
SELECT ok(o_outcome IS NOT NULL, 'an auto-reply is attached') FROM ingest_message(
    convert_to('raw loop', 'UTF8'), 'test', jsonb_build_object('message_id', '<loop@example.net>',
    'tag', 2, 'from_addr', 'marie.martin@example.net', 'subject', 'Absent', 'body', 'absent',
    'loop', 'autoreply', 'to', jsonb_build_array('voirie@ville.example')));
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM notification WHERE agent_id = 1 AND read_at IS NULL), 0::bigint,
    'an automatic message tells nobody');

-- 4. Handover: alice away, sam stands in: her absence gives him ticket 2 at
-- once (absence_handover, 45-claims.sql), and the follow-up is his.
SET SESSION AUTHORIZATION alice;
SELECT set_absence(now() - interval '1 minute', now() + interval '1 day', 'sam');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION mailer;
SELECT is(public.t_followup(2, 'f2'), 'imported', 'a follow-up while alice is away');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT login::text FROM ticket t JOIN agent a ON a.id = t.owner_id WHERE t.id = 2), 'sam',
    'the ticket went to her substitute');
SET SESSION AUTHORIZATION sam;
SELECT results_eq($$SELECT kind, text FROM notification ORDER BY id$$,
    $$VALUES ('handover', '#2 Dépôt sauvage avenue Foch — while alice is away'),
        ('followup', '#2 Dépôt sauvage avenue Foch — Marie Martin')$$,
    'handover: sam is told, and from whom it came; then of the follow-up');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM notification WHERE agent_id = 1 AND read_at IS NULL), 0::bigint,
    'alice, away, is not told');
SET SESSION AUTHORIZATION alice;
SELECT set_absence(NULL, NULL);
RESET SESSION AUTHORIZATION;

-- 5. Mentions: carol writes on ticket 4 (voirie-n2, which alice reads).
SET SESSION AUTHORIZATION carol;
SELECT ok(add_note(4, E'@alice, @bob et @carol : voir jean@alice.example.\nsuite') > 0, 'a note with mentions');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT a.login::text COLLATE "default", n.kind, n.text FROM notification n JOIN agent a ON a.id = n.agent_id
    WHERE n.kind = 'mention'$$,
    $$VALUES ('alice', 'mention', '#4 Affaissement de chaussée — carol: @alice, @bob et @carol : voir jean@alice.example.')$$,
    'mention: alice is told; bob, who may not see the ticket, is not; nor is carol of herself');
SELECT is(mentioned_logins('mail jean@alice.org, @Dave. (@sam) x@y'), '{dave,sam}',
    'mentions: @login at a word''s start; an address names nobody');

-- 6. Claim expired: alice's claim on ticket 1 (voirie: 30 minutes) runs out.
SET SESSION AUTHORIZATION alice;
SELECT claim(1);
RESET SESSION AUTHORIZATION;
UPDATE ticket SET claimed_at = now() - interval '31 minutes' WHERE id = 1;
SET SESSION AUTHORIZATION bob;
SELECT is(expire_claims(), 1, 'expire_claims releases it');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT text FROM notification WHERE agent_id = 1 AND kind = 'claim_expired'),
    '#1 Nid de poule rue de la Gare', 'claim_expired: alice is told');
-- A colleague takes over an expired lease with claim().
SET SESSION AUTHORIZATION alice;
SELECT claim(1);
RESET SESSION AUTHORIZATION;
UPDATE ticket SET claimed_at = now() - interval '31 minutes' WHERE id = 1;
SET SESSION AUTHORIZATION sam;
SELECT claim(1);
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM notification WHERE agent_id = 1 AND kind = 'claim_expired'),
    2::bigint, 'claim_expired: also when a colleague takes an expired lease over');

-- 7. SLA soon: carol's ticket 4 is due in 20 minutes (the setting: 60).
UPDATE ticket SET first_response_at = now() - interval '1 hour',
    resolution_due = now() + interval '20 minutes' WHERE id = 4;
SET SESSION AUTHORIZATION bob;
SELECT expire_claims();
SELECT expire_claims();
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT ticket_id, due_at FROM notification WHERE agent_id = 3 AND kind = 'sla_soon'$$,
    $$SELECT 4::bigint, resolution_due FROM ticket WHERE id = 4$$,
    'sla_soon: the owner is told once per due time, by the claims'' cron line');
UPDATE setting SET value = '10' WHERE key = 'notify_sla_soon';
UPDATE ticket SET resolution_due = now() + interval '15 minutes' WHERE id = 4;
SELECT is(notify_sla_soon(), 0, 'sla_soon: not before the configured minutes');

-- 8. The digest: alice wants one after 5 minutes.
SET SESSION AUTHORIZATION alice;
SELECT set_notify_digest(5);
SELECT throws_ok('SELECT set_notify_digest(0)', 'GU005', NULL, 'a digest delay is 1 minute or more');
SELECT throws_ok('SELECT * FROM notification_digest()', '42501', NULL, 'agents do not take digests');
RESET SESSION AUTHORIZATION;
UPDATE agent SET email = 'alice@ville.example' WHERE login = 'alice';
SET SESSION AUTHORIZATION mailer;
SELECT is((SELECT count(*) FROM notification_digest()), 0::bigint, 'digest: nothing younger than 5 minutes');
RESET SESSION AUTHORIZATION;
UPDATE notification SET created_at = created_at - interval '10 minutes' WHERE agent_id = 1;
SET SESSION AUTHORIZATION mailer;
SELECT results_eq($$SELECT email, mail_from, subject, body ~ '#4 Affaissement' FROM notification_digest()$$,
    $$VALUES ('alice@ville.example', 'etat-civil@ville.example', '[Guichet] 3 unread notifications', true)$$,
    'digest: one mail with her unread notifications');
SELECT is((SELECT count(*) FROM notification_digest()), 0::bigint, 'digest: each is mailed once');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
