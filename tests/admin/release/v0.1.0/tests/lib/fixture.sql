-- tests/lib/fixture.sql — a small, known world for every test suite.
--
-- Loaded by tests/lib/pg.sh (pg_fixture) as the superuser into a throwaway
-- cluster after `guichet-admin init`. Roles are cluster-wide, which is fine on a
-- throwaway cluster; the role creation is idempotent all the same. Row ids are
-- deterministic on a fresh database (rows are inserted in the order below), so
-- tests may use them, but looking rows up by code or login is kinder to readers.
--
-- Organisations
--   ville  (id 1)  "Ville de Sainte-Claire"   districts Nord (1), Sud (2), Centre (3), Gare (4)
--   agglo  (id 2)  "Agglomération du Val"     district  Est (5)
-- SLA policies
--   ouvre  (id 1)  business hours 08:30–17:30 Mon–Fri Europe/Paris; first response 4 h,
--                  resolution 5 (working) days
--   continu (id 2) no business hours; first response 1 h, resolution 1 day
-- Holidays: 2026-05-01 and 2026-07-14 for everyone, 2026-09-08 for ville only.
-- Queues (id, code, organisation, level, policy, claim timeout, address)
--   1 voirie      ville L1  ouvre    30 min  voirie@ville.example   escalates to voirie-n2
--   2 voirie-n2   ville L2  ouvre    —       voirie-n2@ville.example
--   3 etat-civil  ville L1  ouvre    —       etat-civil@ville.example
--   4 agglo-it    agglo L1  continu  —       support@agglo.example
-- Agents (login role = PostgreSQL role, id, group role, organisation, level, queues)
--   alice   1  guichet_agent       ville L1  writer on voirie, read-only on voirie-n2
--   bob     2  guichet_agent       ville L1  writer on etat-civil
--   carol   3  guichet_agent       ville L2  writer on voirie-n2
--   dave    4  guichet_agent       agglo L1  writer on agglo-it
--   sam     5  guichet_supervisor  ville L2  no membership: sees and writes all of ville
--   ada     6  guichet_admin       ville L2  sees everything, manages configuration
--   mailer  —  guichet_mail        the mail gateway's login (no agent row)
-- Services (id, code, organisation, default queue, policy)
--   1 voirie-nid-de-poule     ville "Voirie" / "Nid de poule"         voirie      ouvre
--   2 proprete-depot-sauvage  ville "Propreté" / "Dépôt sauvage"      voirie      continu
--   3 etat-civil-passeport    ville "État civil" / "Passeport"        etat-civil  (queue's)
--   4 it-mot-de-passe         agglo "IT support" / "Mot de passe"     agglo-it    (queue's)
-- Fields: quartier (enum Nord, Sud, Centre, Gare), reference (text), montant (number),
--   rendez_vous (date); none required.
-- Contacts (each belongs to one organisation): 1 jean.dupont@example.org,
--   2 marie.martin@example.net, 4 phone-only "Mme Petit" (ville);
--   3 paul.durand@agglo.example (agglo).
-- Tickets (id, queue, status, priority, owner, requester, subject), each with one
-- first article (mail_in with a Message-ID, or phone):
--   1 voirie      new   3  —      jean   "Nid de poule rue de la Gare"
--   2 voirie      open  4  alice  marie  "Dépôt sauvage avenue Foch"
--   3 etat-civil  new   3  —      marie  "Renouvellement de passeport"
--   4 voirie-n2   open  3  carol  jean   "Affaissement de chaussée" (level 2)
--   5 agglo-it    new   2  —      paul   "Mot de passe oublié"
--   6 voirie      new   5  —      Petit  "Arbre tombé sur la chaussée" (phone)

BEGIN;
SET LOCAL search_path = guichet, public;

DO $roles$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT * FROM (VALUES ('alice', 'guichet_agent'), ('bob', 'guichet_agent'),
	    ('carol', 'guichet_agent'), ('dave', 'guichet_agent'),
	    ('sam', 'guichet_supervisor'), ('ada', 'guichet_admin'),
	    ('mailer', 'guichet_mail')) AS v(login, grp) LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.login) THEN
			EXECUTE format('CREATE ROLE %I LOGIN IN ROLE %I', r.login, r.grp);
		ELSIF NOT pg_has_role(r.login, r.grp, 'MEMBER') THEN
			EXECUTE format('GRANT %I TO %I', r.grp, r.login);
		END IF;
	END LOOP;
END
$roles$;

INSERT INTO organisation (code, name) VALUES
	('ville', 'Ville de Sainte-Claire'),
	('agglo', 'Agglomération du Val');

INSERT INTO district (organisation_id, name) VALUES
	(1, 'Nord'), (1, 'Sud'), (1, 'Centre'), (1, 'Gare'), (2, 'Est');

INSERT INTO sla_policy (name, first_response, next_response, resolution, business_hours,
    day_start, day_end, workdays, timezone) VALUES
	('ouvre', '4 hours', '1 day', '5 days', true, '08:30', '17:30', '{1,2,3,4,5}',
	    'Europe/Paris'),
	('continu', '1 hour', '4 hours', '1 day', false, '08:30', '17:30', '{1,2,3,4,5}',
	    'Europe/Paris');

INSERT INTO holiday (day, organisation_id, name) VALUES
	('2026-05-01', NULL, 'Fête du travail'),
	('2026-07-14', NULL, 'Fête nationale'),
	('2026-09-08', 1, 'Fête de la ville');

INSERT INTO queue (organisation_id, code, name, level, sla_policy_id, default_priority,
    claim_timeout) VALUES
	(1, 'voirie', 'Voirie', 1, 1, 3, '30 minutes'),
	(1, 'voirie-n2', 'Voirie — niveau 2', 2, 1, 3, NULL),
	(1, 'etat-civil', 'État civil', 1, 1, 3, NULL),
	(2, 'agglo-it', 'Support informatique', 1, 2, 2, NULL);
UPDATE queue SET escalate_to = (SELECT id FROM queue WHERE code = 'voirie-n2')
    WHERE code = 'voirie';

INSERT INTO queue_address (address, queue_id) VALUES
	('voirie@ville.example', 1),
	('voirie-n2@ville.example', 2),
	('etat-civil@ville.example', 3),
	('support@agglo.example', 4);

INSERT INTO agent (login, display_name, email, organisation_id, level) VALUES
	('alice', 'Alice Martin', 'alice@ville.example', 1, 1),
	('bob', 'Bob Leroy', 'bob@ville.example', 1, 1),
	('carol', 'Carol Besson', 'carol@ville.example', 1, 2),
	('dave', 'Dave Morel', 'dave@agglo.example', 2, 1),
	('sam', 'Sam Girard', 'sam@ville.example', 1, 2),
	('ada', 'Ada Lefèvre', 'ada@ville.example', 1, 2);

INSERT INTO queue_member (agent_id, queue_id, may_write) VALUES
	(1, 1, true), (1, 2, false),
	(2, 3, true),
	(3, 2, true),
	(4, 4, true);

INSERT INTO service (organisation_id, code, category, name, default_queue_id, sla_policy_id)
    VALUES
	(1, 'voirie-nid-de-poule', 'Voirie', 'Nid de poule', 1, 1),
	(1, 'proprete-depot-sauvage', 'Propreté', 'Dépôt sauvage', 1, 2),
	(1, 'etat-civil-passeport', 'État civil', 'Passeport', 3, NULL),
	(2, 'it-mot-de-passe', 'IT support', 'Mot de passe', 4, NULL);

INSERT INTO field (name, label, kind, allowed, required, position) VALUES
	('quartier', 'Quartier', 'enum', '{Nord,Sud,Centre,Gare}', false, 1),
	('reference', 'Référence', 'text', NULL, false, 2),
	('montant', 'Montant', 'number', NULL, false, 3),
	('rendez_vous', 'Rendez-vous', 'date', NULL, false, 4);

INSERT INTO contact (email, name, phone, organisation_id, district_id) VALUES
	('jean.dupont@example.org', 'Jean Dupont', NULL, 1, 4),
	('marie.martin@example.net', 'Marie Martin', '+33 6 12 34 56 78', 1, 1),
	('paul.durand@agglo.example', 'Paul Durand', NULL, 2, 5),
	(NULL, 'Mme Petit', '+33 4 11 22 33 44', 1, 2);

INSERT INTO ticket (queue_id, organisation_id, service_id, subject, status, priority,
    level, owner_id, claimed_at, requester_id, channel, district_id) VALUES
	(1, 1, 1, 'Nid de poule rue de la Gare', 'new', 3, 1, NULL, NULL, 1, 'mail', 4),
	(1, 1, 2, 'Dépôt sauvage avenue Foch', 'open', 4, 1, 1, now(), 2, 'mail', 1),
	(3, 1, 3, 'Renouvellement de passeport', 'new', 3, 1, NULL, NULL, 2, 'mail', NULL),
	(2, 1, 1, 'Affaissement de chaussée', 'open', 3, 2, 3, now(), 1, 'mail', 4),
	(4, 2, 4, 'Mot de passe oublié', 'new', 2, 1, NULL, NULL, 3, 'mail', 5),
	(1, 1, NULL, 'Arbre tombé sur la chaussée', 'new', 5, 1, NULL, NULL, 4, 'phone', 2);

INSERT INTO article (ticket_id, kind, author_contact_id, author_agent_id, subject, body,
    body_format, message_id, mail_from, mail_to) VALUES
	(1, 'mail_in', 1, NULL, 'Nid de poule rue de la Gare',
	    'Bonjour, un nid de poule dangereux devant le 12 rue de la Gare.', 'text',
	    '<f1.jean@example.org>', 'Jean Dupont <jean.dupont@example.org>',
	    'voirie@ville.example'),
	(2, 'mail_in', 2, NULL, 'Dépôt sauvage avenue Foch',
	    'Des gravats sont déposés depuis une semaine avenue Foch.', 'text',
	    '<f2.marie@example.net>', 'marie.martin@example.net', 'voirie@ville.example'),
	(3, 'mail_in', 2, NULL, 'Renouvellement de passeport',
	    'Quels documents faut-il pour renouveler un passeport ?', 'text',
	    '<f3.marie@example.net>', 'marie.martin@example.net', 'etat-civil@ville.example'),
	(4, 'mail_in', 1, NULL, 'Affaissement de chaussée',
	    'La chaussée s''affaisse au carrefour de la gare.', 'text',
	    '<f4.jean@example.org>', 'jean.dupont@example.org', 'voirie@ville.example'),
	(5, 'mail_in', 3, NULL, 'Mot de passe oublié',
	    'Je n''arrive plus à me connecter à mon poste.', 'text',
	    '<f5.paul@agglo.example>', 'paul.durand@agglo.example', 'support@agglo.example'),
	(6, 'phone', 4, 1, NULL,
	    'Appel de Mme Petit : un arbre est tombé et bloque la rue.', 'markdown',
	    NULL, NULL, NULL);

INSERT INTO ticket_field (ticket_id, field_id, value) VALUES
	(1, 1, 'Gare'),
	(2, 1, 'Nord');

COMMIT;
