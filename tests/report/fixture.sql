-- tests/report/fixture.sql — a small desk whose every report figure was
-- computed by hand (see tests/report/README for the working).
--
-- Loaded as the superuser after `guichet-admin init` on a fresh database (so
-- that identity columns start at 1), instead of tests/lib/fixture.sql: the
-- report figures must not move when the shared fixture grows.
--
-- Rows are written directly, with exact timestamps, and with
-- session_replication_role = replica so that no trigger runs: the history
-- triggers would stamp now() on every change and the SLA triggers would
-- recompute due times. The history rows the reports read (status, level,
-- queue_id, owner_id changes) are therefore written explicitly, as the
-- triggers of src/sql/api/10-history.sql write them (field = column name, old and new as
-- text); at the end their hash chain is computed with guichet.history_hash, so
-- that the fixture also passes verify_history. Due times are those the SLA
-- functions of src/sql/api/40-sla.sql would have set (pending pushes included).
--
-- The world (times are UTC; the test cluster runs in UTC):
--   nordville (1): districts Centre (1), Port (2), Gare (3)
--   sudbourg (2):  district Village (4)
--   policy bureau (1): business hours 09:00-17:00 Mon-Fri UTC, first response
--     4 h, resolution 16 h; holiday Wed 2025-03-05 for nordville
--   policy continu (2): every hour counts; first response 2 h, resolution 24 h
--   queues: accueil (1, nordville L1, bureau, escalates to 2),
--     technique (2, nordville L2, bureau), proprete (3, nordville L1, continu),
--     mairie-sud (4, sudbourg L1, continu)
--   services: voirie-trou (1, Voirie / Nid de poule, queue's policy),
--     proprete-depot (2, Propreté / Dépôt sauvage, continu),
--     etat-civil-acte (3, État civil / Acte de naissance, queue's policy),
--     sud-eau (4, Eau / Fuite, sudbourg)
--   agents: rp_anne (1, Anne Roy, L1), rp_bruno (2, Bruno Lenoir, L2),
--     rp_chef (3, Chloé Marchand, supervisor of nordville),
--     rp_sud (4, Sam Sudre, supervisor of sudbourg), rp_zoe (5, Zoé Dumas, L1 sudbourg)
--   contacts: Léa Martin (1), Marc Petit (2), Nina Roux (3, no_contact),
--     Omar Diallo (4, sudbourg)
--   tickets 1-15: see the comment above each.

BEGIN;
SET LOCAL session_replication_role = replica;
SET LOCAL search_path = guichet, public;
SET LOCAL TimeZone = 'UTC';

DO $roles$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT * FROM (VALUES ('rp_anne', 'guichet_agent'),
	    ('rp_bruno', 'guichet_agent'), ('rp_chef', 'guichet_supervisor'),
	    ('rp_sud', 'guichet_supervisor'), ('rp_zoe', 'guichet_agent')) AS v(login, grp) LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.login) THEN
			EXECUTE format('CREATE ROLE %I LOGIN IN ROLE %I', r.login, r.grp);
		END IF;
	END LOOP;
END
$roles$;

INSERT INTO organisation (code, name) VALUES
	('nordville', 'Ville de Nordville'), ('sudbourg', 'Commune de Sudbourg');
INSERT INTO district (organisation_id, name) VALUES
	(1, 'Centre'), (1, 'Port'), (1, 'Gare'), (2, 'Village');
INSERT INTO sla_policy (name, first_response, next_response, resolution, business_hours,
    day_start, day_end, workdays, timezone) VALUES
	('bureau', '4 hours', '8 hours', '16 hours', true, '09:00', '17:00', '{1,2,3,4,5}', 'UTC'),
	('continu', '2 hours', '4 hours', '24 hours', false, '09:00', '17:00', '{1,2,3,4,5}',
	    'UTC');
INSERT INTO holiday (day, organisation_id, name) VALUES ('2025-03-05', 1, 'Fête locale');

INSERT INTO queue (organisation_id, code, name, level, sla_policy_id) VALUES
	(1, 'accueil', 'Accueil', 1, 1),
	(1, 'technique', 'Technique (N2)', 2, 1),
	(1, 'proprete', 'Propreté', 1, 2),
	(2, 'mairie-sud', 'Mairie de Sudbourg', 1, 2);
UPDATE queue SET escalate_to = 2 WHERE code = 'accueil';

INSERT INTO service (organisation_id, code, category, name, default_queue_id, sla_policy_id)
VALUES
	(1, 'voirie-trou', 'Voirie', 'Nid de poule', 1, NULL),
	(1, 'proprete-depot', 'Propreté', 'Dépôt sauvage', 3, 2),
	(1, 'etat-civil-acte', 'État civil', 'Acte de naissance', 1, NULL),
	(2, 'sud-eau', 'Eau', 'Fuite', 4, NULL);

INSERT INTO field (name, label, kind, allowed) VALUES
	('secteur', 'Secteur', 'enum', '{Nord,Sud}');

INSERT INTO agent (login, display_name, email, organisation_id, level) VALUES
	('rp_anne', 'Anne Roy', 'anne@nordville.example', 1, 1),
	('rp_bruno', 'Bruno Lenoir', 'bruno@nordville.example', 1, 2),
	('rp_chef', 'Chloé Marchand', 'chloe@nordville.example', 1, 2),
	('rp_sud', 'Sam Sudre', 'sam@sudbourg.example', 2, 2),
	('rp_zoe', 'Zoé Dumas', 'zoe@sudbourg.example', 2, 1);
INSERT INTO queue_member (agent_id, queue_id) VALUES (1, 1), (1, 3), (2, 2), (5, 4);

INSERT INTO contact (email, name, organisation_id, district_id, no_contact) VALUES
	('lea@example.org', 'Léa Martin', 1, 1, false),
	('marc@example.org', 'Marc Petit', 1, 2, false),
	('nina@example.org', 'Nina Roux', 1, 2, true),
	('omar@example.net', 'Omar Diallo', 2, 4, false);

INSERT INTO template (name, body) VALUES ('accuse', 'Bonjour, …'), ('rdv', 'Rendez-vous …');
INSERT INTO kb_article (slug, title, body) VALUES ('nids', 'Nids de poule', 'Nous …');

-- Tickets, in id order. Columns: queue, org, service, subject, status, priority,
-- level, owner, requester, channel, district, created, updated, first response,
-- resolved, first response due, resolution due, pending since/until, merged into.
INSERT INTO ticket (queue_id, organisation_id, service_id, subject, status, priority, level,
    owner_id, claimed_at, requester_id, channel, district_id, created_at, updated_at,
    updated_by, first_response_at, resolved_at, first_response_due, resolution_due,
    pending_since, pending_until, merged_into) VALUES
-- 1: bureau; created Mon 03-03 08:00 before hours, answered 10:00, resolved 15:00.
	(1, 1, 1, 'Nid de poule rue Haute', 'resolved', 3, 1, 1, '2025-03-03 09:30', 1, 'mail', 1,
	 '2025-03-03 08:00', '2025-03-03 15:00', 'rp_anne', '2025-03-03 10:00',
	 '2025-03-03 15:00', '2025-03-03 13:00', '2025-03-04 17:00', NULL, NULL, NULL),
-- 2: bureau; Tue 03-04 16:00, Wed is a holiday, answered Thu 10:00, pending Thu
--    10:00 → Mon 03-10 09:00, resolved Mon 11:00.
	(1, 1, 1, 'Trou devant l''école', 'resolved', 3, 1, 1, '2025-03-04 16:30', 1, 'phone', 1,
	 '2025-03-04 16:00', '2025-03-10 11:00', 'rp_anne', '2025-03-06 10:00',
	 '2025-03-10 11:00', '2025-03-06 12:00', '2025-03-11 15:00', NULL, NULL, NULL),
-- 3: created on the holiday Wed 03-05 10:00, answered Thu 09:30, escalated Thu
--    11:00 to technique, resolved by Bruno Fri 03-07 12:00.
	(2, 1, 1, 'Chaussée effondrée quai Sud', 'resolved', 4, 2, 2, '2025-03-06 14:00', 2, 'mail',
	 2, '2025-03-05 10:00', '2025-03-07 12:00', 'rp_bruno', '2025-03-06 09:30',
	 '2025-03-07 12:00', '2025-03-06 13:00', '2025-03-07 17:00', NULL, NULL, NULL),
-- 4: Mon 03-10 09:00, escalated 10:00, returned to accueil by Bruno 14:00
--    (return_to_level1, with its reason), answered and resolved 15:00 (first
--    response late), reopened Tue 09:00, resolved 10:00.
	(1, 1, 3, 'Acte de naissance introuvable', 'resolved', 3, 1, 1, '2025-03-10 14:30', 2,
	 'desk', 3, '2025-03-10 09:00', '2025-03-11 10:00', 'rp_anne', '2025-03-10 15:00',
	 '2025-03-11 10:00', '2025-03-10 13:00', '2025-03-11 17:00', NULL, NULL, NULL),
-- 5: continu; Sat 03-08 10:00, answered Mon 03-10 08:30, resolved 12:00: both late.
	(3, 1, 2, 'Dépôt sauvage parking du port', 'resolved', 3, 1, 1, '2025-03-10 08:00', 1,
	 'web', 2, '2025-03-08 10:00', '2025-03-10 12:00', 'rp_anne', '2025-03-10 08:30',
	 '2025-03-10 12:00', '2025-03-08 12:00', '2025-03-09 10:00', NULL, NULL, NULL),
-- 6: continu; Tue 03-11 07:00, answered 07:30, pending 07:30 → 12:30, resolved 13:00.
	(3, 1, 2, 'Encombrants quai Nord', 'resolved', 2, 1, 1, '2025-03-11 07:10', 2, 'mail', 2,
	 '2025-03-11 07:00', '2025-03-11 13:00', 'rp_anne', '2025-03-11 07:30',
	 '2025-03-11 13:00', '2025-03-11 09:00', '2025-03-12 12:00', NULL, NULL, NULL),
-- 7: continu; Wed 03-12 09:00, claimed 09:30, never answered: open.
	(3, 1, 2, 'Sacs abandonnés rue du Port', 'open', 3, 1, 1, '2025-03-12 09:30', 3, 'mail', 2,
	 '2025-03-12 09:00', '2025-03-12 09:30', 'rp_anne', NULL, NULL,
	 '2025-03-12 11:00', '2025-03-13 09:00', NULL, NULL, NULL),
-- 8: continu; Mon 03-17 10:00, new, unclaimed; a hostile subject.
	(3, 1, 2, E'Dépôt \x1b[31m<script>alert(1)</script> | rue *Haute*', 'new', 5, 1, NULL, NULL,
	 3, 'phone', 1, '2025-03-17 10:00', '2025-03-17 10:00', 'rp_anne', NULL, NULL,
	 '2025-03-17 12:00', '2025-03-18 10:00', NULL, NULL, NULL),
-- 9: bureau; Thu 03-20 14:00, answered 15:00 and pending since: waiting on Léa.
	(1, 1, 1, 'Ornière chemin de la Gare', 'pending', 3, 1, 1, '2025-03-20 15:00', 1, 'mail', 3,
	 '2025-03-20 14:00', '2025-03-20 15:00', 'rp_anne', '2025-03-20 15:00', NULL,
	 '2025-03-21 10:00', '2025-03-24 14:00', '2025-03-20 15:00', '2025-04-20 00:00', NULL),
-- 10: created at level 2 by Bruno Mon 03-24 09:00, internal, resolved 17:00.
	(2, 1, 1, 'Inspection pont Centre', 'resolved', 3, 2, 2, '2025-03-24 09:00', NULL,
	 'internal', 1, '2025-03-24 09:00', '2025-03-24 17:00', 'rp_bruno', NULL,
	 '2025-03-24 17:00', NULL, '2025-03-25 17:00', NULL, NULL, NULL),
-- 11: Fri 02-14 10:00 (before the period), claimed and resolved Mon 03-03.
	(1, 1, 3, 'Copie d''acte de mariage', 'resolved', 3, 1, 1, '2025-03-03 09:00', 1, 'mail',
	 NULL, '2025-02-14 10:00', '2025-03-03 09:30', 'rp_anne', '2025-03-03 09:30',
	 '2025-03-03 09:30', '2025-02-14 14:00', '2025-02-18 10:00', NULL, NULL, NULL),
-- 12: Mon 02-10 10:00, resolved at 12:00 (the previous period of hot spots).
	(3, 1, 2, 'Gravats quai Est', 'resolved', 3, 1, 1, '2025-02-10 10:00', 2, 'mail', 2,
	 '2025-02-10 10:00', '2025-02-10 12:00', 'rp_anne', '2025-02-10 11:00',
	 '2025-02-10 12:00', '2025-02-10 12:00', '2025-02-11 10:00', NULL, NULL, NULL),
-- 13: sudbourg; Tue 03-04 10:00, answered 10:30, resolved 11:00 by Zoé.
	(4, 2, 4, 'Fuite place du Village', 'resolved', 3, 1, 5, '2025-03-04 10:05', 4, 'mail', 4,
	 '2025-03-04 10:00', '2025-03-04 11:00', 'rp_zoe', '2025-03-04 10:30',
	 '2025-03-04 11:00', '2025-03-04 12:00', '2025-03-05 10:00', NULL, NULL, NULL),
-- 14: sudbourg; Tue 03-18 10:00, new.
	(4, 2, 4, 'Compteur qui fuit', 'new', 3, 1, NULL, NULL, 4, 'mail', 4,
	 '2025-03-18 10:00', '2025-03-18 10:00', 'rp_zoe', NULL, NULL,
	 '2025-03-18 12:00', '2025-03-19 10:00', NULL, NULL, NULL),
-- 15: Nina's duplicate of 7, merged into it at 09:10: counted nowhere.
	(3, 1, 2, 'Sacs rue du Port (bis)', 'merged', 3, 1, NULL, NULL, 3, 'mail', 2,
	 '2025-03-12 09:05', '2025-03-12 09:10', 'rp_anne', NULL, NULL,
	 '2025-03-12 11:05', '2025-03-13 09:05', NULL, NULL, 7);

INSERT INTO ticket_field (ticket_id, field_id, value) VALUES
	(1, 1, 'Nord'), (2, 1, 'Nord'), (3, 1, 'Sud'), (5, 1, 'Sud'), (6, 1, 'Sud');

-- Articles: kind, author agent, author contact, time, minutes spent, template, kb.
INSERT INTO article (ticket_id, kind, author_agent_id, author_contact_id, created_at,
    created_by, body, time_spent, template_id, kb_article_id) VALUES
	(1, 'mail_in', NULL, 1, '2025-03-03 08:00', 'mailer', 'Un trou.', 0, NULL, NULL),
	(1, 'mail_out', 1, NULL, '2025-03-03 10:00', 'rp_anne', 'Bien reçu.', 10, 1, NULL),
	(2, 'phone', NULL, 1, '2025-03-04 16:00', 'rp_anne', 'Appel.', 0, NULL, NULL),
	(2, 'mail_out', 1, NULL, '2025-03-06 10:00', 'rp_anne', 'Où exactement ?', 15, NULL, 1),
	(2, 'mail_out', 1, NULL, '2025-03-10 11:00', 'rp_anne', 'Réparé.', 5, NULL, NULL),
	(3, 'mail_in', NULL, 2, '2025-03-05 10:00', 'mailer', 'Effondrement.', 0, NULL, NULL),
	(3, 'mail_out', 1, NULL, '2025-03-06 09:30', 'rp_anne', 'Nous regardons.', 10, NULL, NULL),
	(3, 'note', 1, NULL, '2025-03-06 11:00', 'rp_anne', 'Pour la technique.', 5, NULL, NULL),
	(3, 'note', 2, NULL, '2025-03-06 14:30', 'rp_bruno', 'Équipe envoyée.', 20, NULL, NULL),
	(3, 'mail_out', 2, NULL, '2025-03-07 12:00', 'rp_bruno', 'Sécurisé.', 30, NULL, NULL),
	(4, 'phone', NULL, 2, '2025-03-10 09:00', 'rp_anne', 'Au guichet.', 0, NULL, NULL),
	(4, 'note', 1, NULL, '2025-03-10 10:00', 'rp_anne', 'Archives ?', 0, NULL, NULL),
	(4, 'note', 2, NULL, '2025-03-10 14:00', 'rp_bruno', 'Pas pour nous.', 10, NULL, NULL),
	(4, 'mail_out', 1, NULL, '2025-03-10 15:00', 'rp_anne', 'Voici la copie.', 10, 2, NULL),
	(4, 'mail_in', NULL, 2, '2025-03-11 09:00', 'mailer', 'Mauvais acte.', 0, NULL, NULL),
	(4, 'mail_out', 1, NULL, '2025-03-11 10:00', 'rp_anne', 'Corrigé.', 5, NULL, NULL),
	(5, 'mail_in', NULL, 1, '2025-03-08 10:00', 'mailer', 'Formulaire.', 0, NULL, NULL),
	(5, 'mail_out', 1, NULL, '2025-03-10 08:30', 'rp_anne', 'Enlèvement prévu.', 5, NULL, NULL),
	(6, 'mail_in', NULL, 2, '2025-03-11 07:00', 'mailer', 'Encombrants.', 0, NULL, NULL),
	(6, 'mail_out', 1, NULL, '2025-03-11 07:30', 'rp_anne', 'Quelle adresse ?', 5, 1, NULL),
	(6, 'mail_in', NULL, 2, '2025-03-11 12:30', 'mailer', 'Au 3.', 0, NULL, NULL),
	(7, 'mail_in', NULL, 3, '2025-03-12 09:00', 'mailer', 'Des sacs.', 0, NULL, NULL),
	(8, 'phone', NULL, 3, '2025-03-17 10:00', 'rp_anne', 'Encore.', 0, NULL, NULL),
	(9, 'mail_in', NULL, 1, '2025-03-20 14:00', 'mailer', 'Ornière.', 0, NULL, NULL),
	(9, 'mail_out', 1, NULL, '2025-03-20 15:00', 'rp_anne', 'Une photo ?', 10, NULL, NULL),
	(10, 'note', 2, NULL, '2025-03-24 09:00', 'rp_bruno', 'Inspection.', 60, NULL, NULL),
	(10, 'note', 2, NULL, '2025-03-24 17:00', 'rp_bruno', 'RAS.', 120, NULL, NULL),
	(11, 'mail_in', NULL, 1, '2025-02-14 10:00', 'mailer', 'Copie.', 0, NULL, NULL),
	(11, 'mail_out', 1, NULL, '2025-03-03 09:30', 'rp_anne', 'Envoyée.', 5, NULL, NULL),
	(12, 'mail_in', NULL, 2, '2025-02-10 10:00', 'mailer', 'Gravats.', 0, NULL, NULL),
	(12, 'mail_out', 1, NULL, '2025-02-10 11:00', 'rp_anne', 'Enlevés.', 5, NULL, NULL),
	(13, 'mail_in', NULL, 4, '2025-03-04 10:00', 'mailer', 'Fuite.', 0, NULL, NULL),
	(13, 'mail_out', 5, NULL, '2025-03-04 10:30', 'rp_zoe', 'On arrive.', 15, NULL, NULL),
	(14, 'mail_in', NULL, 4, '2025-03-18 10:00', 'mailer', 'Compteur.', 0, NULL, NULL),
	(15, 'mail_in', NULL, 3, '2025-03-12 09:05', 'mailer', 'Des sacs (bis).', 0, NULL, NULL);

-- History: the changes the reports read, in order (seq follows the order of
-- insertion within a ticket; the hash chain is computed below).
CREATE TEMPORARY TABLE h (
	n serial, ticket_id bigint, at timestamptz, actor name, action text, field text,
	old_value text, new_value text);
INSERT INTO h (ticket_id, at, actor, action, field, old_value, new_value) VALUES
	(1, '2025-03-03 08:00', 'mailer', 'create', NULL, NULL, 'Nid de poule rue Haute'),
	(1, '2025-03-03 09:30', 'rp_anne', 'claim', 'status', 'new', 'open'),
	(1, '2025-03-03 09:30', 'rp_anne', 'claim', 'owner_id', NULL, '1'),
	(1, '2025-03-03 15:00', 'rp_anne', 'set', 'status', 'open', 'resolved'),
	(2, '2025-03-04 16:00', 'rp_anne', 'create', NULL, NULL, 'Trou devant l''école'),
	(2, '2025-03-04 16:30', 'rp_anne', 'claim', 'status', 'new', 'open'),
	(2, '2025-03-04 16:30', 'rp_anne', 'claim', 'owner_id', NULL, '1'),
	(2, '2025-03-06 10:00', 'rp_anne', 'set', 'status', 'open', 'pending'),
	(2, '2025-03-10 09:00', 'rp_anne', 'set', 'status', 'pending', 'open'),
	(2, '2025-03-10 11:00', 'rp_anne', 'set', 'status', 'open', 'resolved'),
	(3, '2025-03-05 10:00', 'mailer', 'create', NULL, NULL, 'Chaussée effondrée quai Sud'),
	(3, '2025-03-06 09:00', 'rp_anne', 'claim', 'status', 'new', 'open'),
	(3, '2025-03-06 09:00', 'rp_anne', 'claim', 'owner_id', NULL, '1'),
	(3, '2025-03-06 11:00', 'rp_anne', 'escalate', 'queue_id', '1', '2'),
	(3, '2025-03-06 11:00', 'rp_anne', 'escalate', 'level', '1', '2'),
	(3, '2025-03-06 11:00', 'rp_anne', 'escalate', 'owner_id', '1', NULL),
	(3, '2025-03-06 14:00', 'rp_bruno', 'claim', 'owner_id', NULL, '2'),
	(3, '2025-03-07 12:00', 'rp_bruno', 'set', 'status', 'open', 'resolved'),
	(4, '2025-03-10 09:00', 'rp_anne', 'create', NULL, NULL, 'Acte de naissance introuvable'),
	(4, '2025-03-10 09:15', 'rp_anne', 'claim', 'status', 'new', 'open'),
	(4, '2025-03-10 09:15', 'rp_anne', 'claim', 'owner_id', NULL, '1'),
	(4, '2025-03-10 10:00', 'rp_anne', 'escalate', 'queue_id', '1', '2'),
	(4, '2025-03-10 10:00', 'rp_anne', 'escalate', 'level', '1', '2'),
	(4, '2025-03-10 10:00', 'rp_anne', 'escalate', 'owner_id', '1', NULL),
	(4, '2025-03-10 13:00', 'rp_bruno', 'claim', 'owner_id', NULL, '2'),
	(4, '2025-03-10 14:00', 'rp_bruno', 'return', 'queue_id', '2', '1'),
	(4, '2025-03-10 14:00', 'rp_bruno', 'return', 'level', '2', '1'),
	(4, '2025-03-10 14:00', 'rp_bruno', 'return', 'owner_id', '2', NULL),
	(4, '2025-03-10 14:00', 'rp_bruno', 'return', 'reason', NULL,
	    'Pas une panne : l''acte est au registre papier.'),
	(4, '2025-03-10 14:30', 'rp_anne', 'claim', 'owner_id', NULL, '1'),
	(4, '2025-03-10 15:00', 'rp_anne', 'set', 'status', 'open', 'resolved'),
	(4, '2025-03-11 09:00', 'mailer', 'set', 'status', 'resolved', 'open'),
	(4, '2025-03-11 10:00', 'rp_anne', 'set', 'status', 'open', 'resolved'),
	(5, '2025-03-08 10:00', 'mailer', 'create', NULL, NULL, 'Dépôt sauvage parking du port'),
	(5, '2025-03-10 08:00', 'rp_anne', 'claim', 'status', 'new', 'open'),
	(5, '2025-03-10 08:00', 'rp_anne', 'claim', 'owner_id', NULL, '1'),
	(5, '2025-03-10 12:00', 'rp_anne', 'set', 'status', 'open', 'resolved'),
	(6, '2025-03-11 07:00', 'mailer', 'create', NULL, NULL, 'Encombrants quai Nord'),
	(6, '2025-03-11 07:10', 'rp_anne', 'claim', 'status', 'new', 'open'),
	(6, '2025-03-11 07:10', 'rp_anne', 'claim', 'owner_id', NULL, '1'),
	(6, '2025-03-11 07:30', 'rp_anne', 'set', 'status', 'open', 'pending'),
	(6, '2025-03-11 12:30', 'mailer', 'set', 'status', 'pending', 'open'),
	(6, '2025-03-11 13:00', 'rp_anne', 'set', 'status', 'open', 'resolved'),
	(7, '2025-03-12 09:00', 'mailer', 'create', NULL, NULL, 'Sacs abandonnés rue du Port'),
	(7, '2025-03-12 09:30', 'rp_anne', 'claim', 'status', 'new', 'open'),
	(7, '2025-03-12 09:30', 'rp_anne', 'claim', 'owner_id', NULL, '1'),
	(8, '2025-03-17 10:00', 'rp_anne', 'create', NULL, NULL, 'Dépôt'),
	(9, '2025-03-20 14:00', 'mailer', 'create', NULL, NULL, 'Ornière chemin de la Gare'),
	(9, '2025-03-20 14:30', 'rp_anne', 'claim', 'status', 'new', 'open'),
	(9, '2025-03-20 14:30', 'rp_anne', 'claim', 'owner_id', NULL, '1'),
	(9, '2025-03-20 15:00', 'rp_anne', 'set', 'status', 'open', 'pending'),
	(10, '2025-03-24 09:00', 'rp_bruno', 'create', NULL, NULL, 'Inspection pont Centre'),
	(10, '2025-03-24 09:00', 'rp_bruno', 'claim', 'status', 'new', 'open'),
	(10, '2025-03-24 09:00', 'rp_bruno', 'claim', 'owner_id', NULL, '2'),
	(10, '2025-03-24 17:00', 'rp_bruno', 'set', 'status', 'open', 'resolved'),
	(11, '2025-02-14 10:00', 'mailer', 'create', NULL, NULL, 'Copie d''acte de mariage'),
	(11, '2025-03-03 09:00', 'rp_anne', 'claim', 'status', 'new', 'open'),
	(11, '2025-03-03 09:00', 'rp_anne', 'claim', 'owner_id', NULL, '1'),
	(11, '2025-03-03 09:30', 'rp_anne', 'set', 'status', 'open', 'resolved'),
	(12, '2025-02-10 10:00', 'mailer', 'create', NULL, NULL, 'Gravats quai Est'),
	(12, '2025-02-10 10:00', 'rp_anne', 'claim', 'owner_id', NULL, '1'),
	(12, '2025-02-10 12:00', 'rp_anne', 'set', 'status', 'new', 'resolved'),
	(13, '2025-03-04 10:00', 'mailer', 'create', NULL, NULL, 'Fuite place du Village'),
	(13, '2025-03-04 10:05', 'rp_zoe', 'claim', 'status', 'new', 'open'),
	(13, '2025-03-04 10:05', 'rp_zoe', 'claim', 'owner_id', NULL, '5'),
	(13, '2025-03-04 11:00', 'rp_zoe', 'set', 'status', 'open', 'resolved'),
	(14, '2025-03-18 10:00', 'mailer', 'create', NULL, NULL, 'Compteur qui fuit'),
	(15, '2025-03-12 09:05', 'mailer', 'create', NULL, NULL, 'Sacs rue du Port (bis)'),
	(15, '2025-03-12 09:10', 'rp_anne', 'merge', 'status', 'new', 'merged'),
	(15, '2025-03-12 09:10', 'rp_anne', 'merge', 'merged_into', NULL, '7');
UPDATE h SET new_value = (SELECT subject FROM ticket WHERE id = 8) WHERE ticket_id = 8;

-- The hash chain, as src/sql/api/10-history.sql computes it, so that verify_history passes.
DO $chain$
DECLARE
	r record;
	s integer;
	prev bytea;
	last bigint := 0;
BEGIN
	FOR r IN SELECT * FROM h ORDER BY ticket_id, n LOOP
		IF r.ticket_id <> last THEN
			IF last <> 0 THEN
				UPDATE ticket SET history_seq = s, history_head = prev WHERE id = last;
			END IF;
			last := r.ticket_id;
			s := 0;
			prev := NULL;
		END IF;
		s := s + 1;
		INSERT INTO history (ticket_id, seq, at, actor, action, field, old_value, new_value,
		    prev_hash, hash)
		VALUES (r.ticket_id, s, r.at, r.actor, r.action, r.field, r.old_value, r.new_value,
		    prev, history_hash(prev, r.ticket_id, s, r.at, r.actor, r.action, r.field,
		        r.old_value, r.new_value))
		RETURNING hash INTO prev;
	END LOOP;
	UPDATE ticket SET history_seq = s, history_head = prev WHERE id = last;
END
$chain$;

-- The SLA clocks kept in each ticket row (0005's ticket_sla_clock, which did
-- not run), rebuilt from the history above as a migration would.
SELECT sla_clock_rebuild();

COMMIT;
