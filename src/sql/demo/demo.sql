-- demo.sql — the generator of guichet-admin demo: a realistic municipal desk
-- for demonstrations and benchmarks, generated server-side.
--
-- Never part of a production database: not a migration, not the API.
-- guichet-admin demo loads this file for its run only into the temporary
-- schema of its own session (every function is pg_temp.demo_…, called by that
-- name), and the server drops it with the session, also when the demo fails.
-- The functions run as the caller, who must own the tables (guichet-admin
-- demo holds guichet_owner for the run, as init does), create roles
-- (CREATEROLE, for the demo's logins) and temporary tables (the database's
-- owner or a superuser): the role that installed the schema.
--
-- Everything is set-based (INSERT … SELECT over generate_series) and
-- deterministic: every "random" choice is a hash of (seed, row number, purpose)
-- rather than random(), so the same seed and end date give the same rows
-- whatever plan the server picks. The phases are separate calls so that the
-- client can show progress; they run in one transaction:
--   demo_logins()            needs the caller's CREATEROLE
--   demo_begin(force)        suspend user triggers, drop secondary indexes and
--                            foreign keys when the desk is empty
--   demo_config(seed, until) organisations, districts, SLAs, queues, services,
--                            fields, agents, memberships, templates, articles
--   demo_contacts(seed, n)
--   demo_tickets(seed, n, until), demo_articles(seed), demo_history()
--   demo_load(), demo_finish() load, re-enable triggers
-- then, after the commit, what demo_begin dropped is rebuilt by two
-- connections at once (demo_rebuild_run), from the list guichet-admin read
-- from pg_temp.demo_rebuild before the commit.
-- History rows are computed here, not by the triggers, with the same hash as
-- api/10-history.sql (each row's hash is guichet.history_hash of the
-- previous), so that verify_history() accepts the demo data.

-- A uniform number in [0, 1) from (seed, key, purpose): plan-independent randomness.
CREATE FUNCTION pg_temp.demo_u(p_seed integer, p_key bigint, p_salt integer) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (hashint8extended(p_key, p_seed::bigint * 1000003 + p_salt) & 2147483647)::float8
    / 2147483648.0;

-- An element of an array, chosen by a number in [0, 1).
CREATE FUNCTION pg_temp.demo_pick(p_items anyarray, p_u float8) RETURNS anyelement
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT p_items[1 + floor(p_u * cardinality(p_items))::integer]
$$;

-- The running hash of a ticket's chain, as a window aggregate over its rows in
-- seq order: the state is the previous row's hash.
CREATE FUNCTION pg_temp.demo_chain_step(p_prev bytea, p_ticket bigint, p_seq integer,
    p_at timestamptz, p_actor name, p_action text, p_field text, p_old text, p_new text)
RETURNS bytea
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	RETURN history_hash(p_prev, p_ticket, p_seq, p_at, p_actor, p_action, p_field,
	    p_old, p_new);
END
$$;
CREATE AGGREGATE pg_temp.demo_chain(bigint, integer, timestamptz, name, text, text, text, text) (
	SFUNC = pg_temp.demo_chain_step,
	STYPE = bytea
);

-- The demo's logins: twenty agents and the mail gateway's. Run as the caller,
-- who must be able to create roles (as for guichet-admin agent add).
CREATE FUNCTION pg_temp.demo_logins() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	i integer;
	login text;
BEGIN
	FOR i IN 1..20 LOOP
		login := format('agent%s', to_char(i, 'FM00'));
		PERFORM admin_create_login(login);
		PERFORM admin_set_login_role(login, CASE
		    WHEN i = 1 THEN 'admin'
		    WHEN i IN (2, 11, 17) THEN 'supervisor'
		    ELSE 'agent' END);
	END LOOP;
	PERFORM admin_create_login('demo_mail');
	GRANT guichet_mail TO demo_mail;
END
$$;

-- Start: refuse a desk with tickets unless forced; suspend the user triggers
-- (history is written by the generator itself) and, on an empty desk, drop the
-- secondary indexes and foreign keys of the big tables, to be rebuilt once by
-- pg_temp.demo_finish(). Returns whether the desk was empty.
CREATE FUNCTION pg_temp.demo_begin(p_force boolean) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_count bigint;
	r record;
	empty boolean;
BEGIN
	IF NOT pg_has_role(current_user, 'guichet_owner', 'USAGE') THEN
		RAISE EXCEPTION 'the demo runs as the owner of the tables: run it as the role '
		    'that installed the schema, or a superuser' USING ERRCODE = 'GU004';
	END IF;
	SELECT count(*) INTO v_count FROM (SELECT 1 FROM ticket LIMIT 1) x;
	empty := v_count = 0;
	IF NOT empty AND NOT p_force THEN
		SELECT count(*) INTO v_count FROM ticket;
		RAISE EXCEPTION USING ERRCODE = 'GU005',
		    MESSAGE = format('the database already has %s tickets: use --force to add '
		        'the demo to them', v_count);
	END IF;
	-- One bulk load: generous memory for its sorts, index builds and the staging
	-- tables (temp_buffers can only be set before the session's first temporary
	-- table, hence for the session).
	IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relpersistence = 't'
	    AND relnamespace = pg_my_temp_schema()) THEN
		PERFORM set_config('temp_buffers', '2GB', false);
	END IF;
	PERFORM set_config('work_mem', '512MB', true);
	PERFORM set_config('maintenance_work_mem', '1GB', true);
	PERFORM set_config('guichet.notify', 'off', true);
	-- The staging tables have no statistics: estimates are wild, and JIT would
	-- spend seconds compiling plans that run in milliseconds.
	PERFORM set_config('jit', 'off', true);

	-- What is dropped here and must be rebuilt after the load's commit
	-- (indexes, then foreign keys): guichet-admin reads it before the commit
	-- and has two connections build the indexes at once.
	CREATE TEMP TABLE demo_rebuild (
		n    integer PRIMARY KEY,
		kind text NOT NULL CHECK (kind IN ('index', 'constraint')),
		tbl  regclass NOT NULL,
		name text NOT NULL,
		ddl  text NOT NULL
	) ON COMMIT DROP;
	IF empty THEN
		-- The biggest builds first, so that two builders finish together.
		INSERT INTO demo_rebuild (n, kind, tbl, name, ddl)
		SELECT row_number() OVER (ORDER BY x.prio, x.name), 'index', x.tbl, x.name, x.ddl
		FROM (SELECT i.indrelid AS tbl, c.relname AS name, pg_get_indexdef(i.indexrelid) AS ddl,
		    CASE WHEN i.indrelid = 'article'::regclass AND m.amname = 'gin' THEN 0
		        WHEN i.indrelid = 'history'::regclass THEN 1
		        WHEN m.amname = 'gin' THEN 2 ELSE 3 END AS prio
		    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		    JOIN pg_am m ON m.oid = c.relam
		    WHERE i.indrelid IN ('ticket'::regclass, 'article'::regclass,
		        'history'::regclass, 'ticket_field'::regclass, 'link'::regclass,
		        'contact'::regclass)
		        AND NOT EXISTS (SELECT 1 FROM pg_constraint k
		            WHERE k.conindid = i.indexrelid)
		        AND c.relnamespace = 'guichet'::regnamespace) x;
		-- Primary keys and unique constraints that no foreign key needs (the
		-- history's) are rebuilt with the indexes.
		INSERT INTO demo_rebuild (n, kind, tbl, name, ddl)
		SELECT 500 + row_number() OVER (ORDER BY c.conname), 'index', c.conrelid,
		    c.conname, format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass,
		        c.conname, pg_get_constraintdef(c.oid))
		FROM pg_constraint c
		WHERE c.contype IN ('p', 'u') AND c.conrelid = 'history'::regclass
		    AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f'
		        AND f.conindid = c.conindid);
		INSERT INTO demo_rebuild (n, kind, tbl, name, ddl)
		SELECT 1000 + row_number() OVER (ORDER BY c.conname), 'constraint', c.conrelid,
		    c.conname,
		    format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass,
		        c.conname, pg_get_constraintdef(c.oid))
		FROM pg_constraint c
		WHERE c.contype = 'f' AND c.conrelid IN ('ticket'::regclass,
		    'article'::regclass, 'history'::regclass, 'ticket_field'::regclass,
		    'link'::regclass, 'contact'::regclass);
		FOR r IN SELECT * FROM demo_rebuild WHERE kind = 'constraint' OR n > 500 LOOP
			EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.name);
		END LOOP;
		FOR r IN SELECT * FROM demo_rebuild WHERE kind = 'index' AND n < 500 LOOP
			EXECUTE format('DROP INDEX guichet.%I', r.name);
		END LOOP;
	END IF;
	ALTER TABLE ticket DISABLE TRIGGER USER;
	ALTER TABLE article DISABLE TRIGGER USER;
	ALTER TABLE ticket_field DISABLE TRIGGER USER;
	ALTER TABLE link DISABLE TRIGGER USER;
	ALTER TABLE history DISABLE TRIGGER USER;
	ALTER TABLE contact DISABLE TRIGGER USER;
	RETURN empty;
END
$$;

-- The configuration of the desk: three organisations of one town and what they
-- need. Existing rows with the same codes are kept (a second demo reuses them).
CREATE FUNCTION pg_temp.demo_config(p_seed integer, p_until date) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	y integer;
BEGIN
	-- French desks: words are stemmed in French (schema 0005_told.sql).
	INSERT INTO organisation (code, name, text_search_config) VALUES
	    ('ville', 'Ville de Port-Sainte-Marie', 'french'),
	    ('agglo', 'Port-Sainte-Marie Agglomération', 'french'),
	    ('ccas', 'CCAS de Port-Sainte-Marie', 'french')
	ON CONFLICT (code) DO NOTHING;
	-- The desk's time zone for the consoles.
	UPDATE setting SET value = 'Europe/Paris' WHERE key = 'time_zone' AND value = '';

	INSERT INTO district (organisation_id, name)
	SELECT o.id, d.name
	FROM (VALUES ('ville', 'Nord'), ('ville', 'Sud'), ('ville', 'Centre'),
	    ('ville', 'Gare'), ('ville', 'Port'), ('ville', 'Vieux-Bourg'),
	    ('ville', 'Les Tilleuls'), ('ville', 'La Colline'),
	    ('agglo', 'Saint-Aubin'), ('agglo', 'Les Marais'), ('agglo', 'Beauval'),
	    ('agglo', 'Val-Joli')) AS d(org, name)
	JOIN organisation o ON o.code = d.org
	ON CONFLICT DO NOTHING;

	INSERT INTO sla_policy (name, first_response, resolution, business_hours)
	VALUES ('standard', '4 hours', '5 days', true),
	    ('urgent', '1 hour', '1 day', false),
	    ('social', '1 day', '10 days', true),
	    ('informatique', '2 hours', '2 days', true)
	ON CONFLICT (name) DO NOTHING;

	FOR y IN extract(year FROM p_until)::integer - 1 .. extract(year FROM p_until)::integer
	LOOP
		INSERT INTO holiday (day, name)
		SELECT make_date(y, h.m, h.d), h.name
		FROM (VALUES (1, 1, 'Jour de l''an'), (5, 1, 'Fête du travail'),
		    (5, 8, 'Victoire 1945'), (7, 14, 'Fête nationale'), (8, 15, 'Assomption'),
		    (11, 1, 'Toussaint'), (11, 11, 'Armistice'), (12, 25, 'Noël'))
		    AS h(m, d, name)
		ON CONFLICT DO NOTHING;
	END LOOP;

	-- Level-2 queues first: level-1 queues escalate to them.
	INSERT INTO queue (organisation_id, code, name, level, escalate_to, sla_policy_id,
	    default_priority, claim_timeout)
	SELECT o.id, q.code, q.name, q.level, e.id, s.id, 3,
	    CASE WHEN q.level = 1 THEN interval '30 minutes' END
	FROM (VALUES
	    (1, 'ville', 'ville-technique', 'Services techniques (N2)', 2, NULL, 'standard'),
	    (2, 'ville', 'ville-instruction', 'Instructeurs (N2)', 2, NULL, 'standard'),
	    (3, 'agglo', 'agglo-systemes', 'Systèmes et réseaux (N2)', 2, NULL, 'informatique'),
	    (4, 'agglo', 'agglo-exploitation', 'Exploitation (N2)', 2, NULL, 'standard'),
	    (5, 'ccas', 'ccas-instruction', 'Instruction des aides (N2)', 2, NULL, 'social'),
	    (6, 'ville', 'ville-accueil', 'Accueil', 1, 'ville-instruction', 'standard'),
	    (7, 'ville', 'ville-etat-civil', 'État civil', 1, 'ville-instruction', 'standard'),
	    (8, 'ville', 'ville-voirie', 'Voirie et propreté', 1, 'ville-technique', 'urgent'),
	    (9, 'ville', 'ville-urbanisme', 'Urbanisme', 1, 'ville-instruction', 'standard'),
	    (10, 'ville', 'ville-famille', 'Petite enfance et écoles', 1, 'ville-instruction',
	        'standard'),
	    (11, 'agglo', 'agglo-support', 'Support informatique', 1, 'agglo-systemes',
	        'informatique'),
	    (12, 'agglo', 'agglo-dechets', 'Déchets et collecte', 1, 'agglo-exploitation',
	        'standard'),
	    (13, 'agglo', 'agglo-eau', 'Eau et assainissement', 1, 'agglo-exploitation',
	        'urgent'),
	    (14, 'ccas', 'ccas-accueil', 'Accueil social', 1, 'ccas-instruction', 'social'))
	    AS q(ord, org, code, name, level, escalate, sla)
	JOIN organisation o ON o.code = q.org
	JOIN sla_policy s ON s.name = q.sla
	LEFT JOIN queue e ON e.code = q.escalate
	ORDER BY q.ord
	ON CONFLICT (code) DO NOTHING;
	-- (the escalation targets inserted by this same statement are not visible to
	-- its join: link them now)
	UPDATE queue q SET escalate_to = e.id
	FROM (VALUES ('ville-accueil', 'ville-instruction'),
	    ('ville-etat-civil', 'ville-instruction'), ('ville-voirie', 'ville-technique'),
	    ('ville-urbanisme', 'ville-instruction'), ('ville-famille', 'ville-instruction'),
	    ('agglo-support', 'agglo-systemes'), ('agglo-dechets', 'agglo-exploitation'),
	    ('agglo-eau', 'agglo-exploitation'), ('ccas-accueil', 'ccas-instruction'))
	    AS v(code, target)
	JOIN queue e ON e.code = v.target
	WHERE q.code = v.code AND q.escalate_to IS NULL;

	INSERT INTO queue_address (address, queue_id)
	SELECT v.address, q.id
	FROM (VALUES ('accueil@ville-psm.example', 'ville-accueil'),
	    ('mairie@ville-psm.example', 'ville-accueil'),
	    ('etat-civil@ville-psm.example', 'ville-etat-civil'),
	    ('voirie@ville-psm.example', 'ville-voirie'),
	    ('proprete@ville-psm.example', 'ville-voirie'),
	    ('urbanisme@ville-psm.example', 'ville-urbanisme'),
	    ('famille@ville-psm.example', 'ville-famille'),
	    ('support@agglo-psm.example', 'agglo-support'),
	    ('dechets@agglo-psm.example', 'agglo-dechets'),
	    ('eau@agglo-psm.example', 'agglo-eau'),
	    ('accueil@ccas-psm.example', 'ccas-accueil')) AS v(address, code)
	JOIN queue q ON q.code = v.code
	ON CONFLICT (address) DO NOTHING;

	INSERT INTO service (organisation_id, code, category, name, default_queue_id,
	    sla_policy_id)
	SELECT o.id, s.code, s.category, s.name, q.id, p.id
	FROM pg_temp.demo_services() s
	JOIN organisation o ON o.code = s.org
	JOIN queue q ON q.code = s.queue
	LEFT JOIN sla_policy p ON p.name = s.sla
	ORDER BY s.ord
	ON CONFLICT (code) DO NOTHING;

	INSERT INTO field (name, label, kind, allowed, required, position) VALUES
	    ('quartier', 'Quartier', 'enum', ARRAY['Nord', 'Sud', 'Centre', 'Gare', 'Port',
	        'Vieux-Bourg', 'Les Tilleuls', 'La Colline'], false, 10),
	    ('dossier', 'N° de dossier', 'text', NULL, false, 20),
	    ('rendez_vous', 'Rendez-vous', 'date', NULL, false, 30)
	ON CONFLICT (name) DO NOTHING;

	INSERT INTO agent (login, display_name, email, organisation_id, level)
	SELECT a.login, a.name, a.email, o.id, a.level
	FROM pg_temp.demo_agents() a JOIN organisation o ON o.code = a.org
	ORDER BY a.login
	ON CONFLICT (login) DO NOTHING;

	INSERT INTO queue_member (agent_id, queue_id, may_write)
	SELECT g.id, q.id, m.may_write
	FROM pg_temp.demo_agents() a
	CROSS JOIN LATERAL (
	    SELECT unnest(a.queues) AS code, true AS may_write
	    UNION ALL
	    SELECT unnest(a.read_only), false) m
	JOIN agent g ON g.login = a.login
	JOIN queue q ON q.code = m.code
	ON CONFLICT DO NOTHING;

	INSERT INTO template (name, subject, body, updated_at) VALUES
	    ('accuse-reception', 'Votre demande a bien été reçue',
	     E'Bonjour {{ requester.name | Madame, Monsieur }},\n\nNous avons bien reçu votre '
	     'demande « {{ticket.subject}} », enregistrée sous le numéro **{{ticket.id}}**.\n'
	     'Un agent la traite et revient vers vous rapidement.\n\n'
	     'Cordialement,\n{{queue.name}} — {{organisation.name}}\n', p_until - 200),
	    ('pieces-manquantes', 'Pièces manquantes',
	     E'Bonjour {{ requester.name | Madame, Monsieur }},\n\nPour instruire votre demande, '
	     'il nous manque :\n\n'
	     '- un justificatif de domicile de moins de trois mois ;\n'
	     '- une pièce d''identité en cours de validité.\n\n'
	     'Vous pouvez répondre à ce message en joignant ces documents.\n\n'
	     'Cordialement,\n{{agent.name}}\n', p_until - 150),
	    ('cloture', 'Votre demande est traitée',
	     E'Bonjour {{ requester.name | Madame, Monsieur }},\n\nVotre demande n° {{ticket.id}} '
	     'est traitée. Si le problème persiste, répondez simplement à ce message.\n\n'
	     'Cordialement,\n{{agent.name}}\n{{queue.name}} — {{organisation.name}}\n',
	     p_until - 100)
	ON CONFLICT (name) DO NOTHING;
	-- The citizens of the level-1 queues are told when their request is resolved.
	UPDATE queue SET closing_template_id = (SELECT id FROM template WHERE name = 'cloture')
	WHERE level = 1 AND closing_template_id IS NULL
	    AND organisation_id IN (SELECT id FROM organisation WHERE code IN ('ville', 'agglo', 'ccas'));

	INSERT INTO kb_article (slug, title, body, tags, updated_at) VALUES
	    ('horaires-mairie', 'Horaires d''ouverture de la mairie',
	     E'# Horaires d''ouverture\n\nLa mairie est ouverte du **lundi au vendredi** '
	     'de 8 h 30 à 17 h 30, le samedi de 9 h à 12 h (état civil seulement).\n',
	     '{accueil,horaires}', p_until - 300),
	    ('passeport-pieces', 'Passeport : les pièces à fournir',
	     E'# Passeport\n\nSur rendez-vous uniquement. Apporter :\n\n'
	     '1. la pré-demande en ligne (numéro ANTS) ;\n2. une photo d''identité récente ;\n'
	     '3. un justificatif de domicile ;\n4. un timbre fiscal.\n\n'
	     'Délai actuel : environ **six semaines**.\n', '{etat-civil,passeport}',
	     p_until - 250),
	    ('encombrants', 'Collecte des encombrants',
	     E'# Encombrants\n\nLa collecte se fait sur rendez-vous, une fois par mois et '
	     'par foyer, dans la limite de 2 m³.\n', '{dechets}', p_until - 180),
	    ('mot-de-passe', 'Réinitialiser son mot de passe',
	     E'# Mot de passe oublié\n\n1. Aller sur le portail `https://moncompte.agglo-psm.example`.\n'
	     '2. Cliquer sur « Mot de passe oublié ».\n3. Suivre le lien reçu par SMS.\n',
	     '{informatique}', p_until - 90),
	    ('inscription-creche', 'Inscription en crèche',
	     E'# Crèches municipales\n\nLes demandes sont examinées en commission en '
	     '**mars** et en **septembre**. Le dossier complet doit parvenir un mois avant.\n',
	     '{famille}', p_until - 60)
	ON CONFLICT (slug) DO NOTHING;
END
$$;

-- The catalogue: what citizens and colleagues ask for, how often (weight), how
-- long it takes (mean resolution), and the phrases their messages are made of.
-- "{rue}" and "{n}" are replaced by a street and a number.
CREATE FUNCTION pg_temp.demo_services()
RETURNS TABLE (ord integer, org text, code text, category text, name text, queue text,
    sla text, weight integer, days float8, subjects text[], details text[])
LANGUAGE sql IMMUTABLE AS $$
VALUES
 (1, 'ville', 'etat-civil-passeport', 'État civil', 'Passeport', 'ville-etat-civil', NULL, 8, 3.0,
  ARRAY['Demande de rendez-vous pour un passeport', 'Passeport : délai d''obtention ?',
        'Renouvellement de passeport avant un voyage', 'Passeport perdu, que faire ?'],
  ARRAY['Je dois partir à l''étranger dans deux mois et mon passeport expire bientôt.',
        'J''ai fait la pré-demande en ligne mais je ne trouve pas de créneau de rendez-vous.']),
 (2, 'ville', 'etat-civil-cni', 'État civil', 'Carte d''identité', 'ville-etat-civil', NULL, 7, 3.0,
  ARRAY['Carte d''identité à renouveler', 'Rendez-vous carte d''identité pour mon fils',
        'Ma carte d''identité est-elle prête ?'],
  ARRAY['Ma carte d''identité a été volée, j''ai la déclaration de vol.',
        'Je voudrais savoir si ma nouvelle carte est arrivée en mairie.']),
 (3, 'ville', 'etat-civil-acte', 'État civil', 'Acte de naissance', 'ville-etat-civil', NULL, 5, 1.5,
  ARRAY['Demande d''acte de naissance intégral', 'Copie d''acte de naissance',
        'Extrait d''acte de naissance pour un dossier de retraite'],
  ARRAY['Je suis né à Port-Sainte-Marie et j''ai besoin d''une copie intégrale.',
        'La caisse de retraite me demande un extrait avec filiation.']),
 (4, 'ville', 'etat-civil-mariage', 'État civil', 'Mariage et PACS', 'ville-etat-civil', NULL, 2, 6.0,
  ARRAY['Dossier de mariage : pièces à fournir', 'Date de mariage disponible en juin ?',
        'Enregistrement d''un PACS'],
  ARRAY['Nous souhaitons nous marier l''été prochain en mairie.',
        'Nous voudrions enregistrer notre PACS et savoir quels documents apporter.']),
 (5, 'ville', 'etat-civil-deces', 'État civil', 'Déclaration de décès', 'ville-etat-civil', NULL, 1, 1.0,
  ARRAY['Déclaration de décès', 'Acte de décès pour la succession'],
  ARRAY['Mon père est décédé la semaine dernière, le notaire demande plusieurs actes.']),
 (6, 'ville', 'enfance-creche', 'Petite enfance', 'Inscription crèche', 'ville-famille', NULL, 4, 12.0,
  ARRAY['Inscription en crèche pour septembre', 'Place en crèche : où en est mon dossier ?',
        'Demande de place en multi-accueil'],
  ARRAY['Notre enfant naîtra en mars et nous reprenons le travail en septembre.',
        'Nous avons déposé le dossier il y a trois mois sans réponse.']),
 (7, 'ville', 'enfance-scolaire', 'Écoles', 'Inscription scolaire', 'ville-famille', NULL, 4, 8.0,
  ARRAY['Inscription à l''école maternelle', 'Dérogation de secteur scolaire',
        'Changement d''école après un déménagement'],
  ARRAY['Nous venons d''emménager rue {rue} et notre fille entre en CP.',
        'Nous demandons une dérogation pour rapprocher les deux enfants.']),
 (8, 'ville', 'enfance-cantine', 'Écoles', 'Cantine et périscolaire', 'ville-famille', NULL, 4, 4.0,
  ARRAY['Facture de cantine incorrecte', 'Inscription à l''accueil du soir',
        'Régime alimentaire à la cantine'],
  ARRAY['La facture du mois dernier compte des repas pendant les vacances.',
        'Mon fils est allergique à l''arachide, comment le signaler ?']),
 (9, 'ville', 'voirie-nid-de-poule', 'Voirie', 'Nid de poule', 'ville-voirie', NULL, 6, 9.0,
  ARRAY['Nid de poule dangereux rue {rue}', 'Trou dans la chaussée au {n} rue {rue}',
        'Chaussée dégradée rue {rue}', 'Nid de poule devant l''école rue {rue}'],
  ARRAY['Un trou d''environ trente centimètres s''est formé devant le {n} rue {rue}.',
        'Deux cyclistes sont déjà tombés à cet endroit, c''est dangereux.']),
 (10, 'ville', 'voirie-eclairage', 'Voirie', 'Éclairage public', 'ville-voirie', NULL, 4, 6.0,
  ARRAY['Lampadaire éteint rue {rue}', 'Éclairage public en panne rue {rue}',
        'Lampadaire qui clignote au {n} rue {rue}'],
  ARRAY['Le lampadaire devant le {n} rue {rue} ne s''allume plus depuis une semaine.',
        'Toute la rue {rue} est dans le noir le soir.']),
 (11, 'ville', 'voirie-signalisation', 'Voirie', 'Signalisation', 'ville-voirie', NULL, 2, 10.0,
  ARRAY['Panneau stop arraché rue {rue}', 'Marquage au sol effacé rue {rue}'],
  ARRAY['Le panneau au croisement de la rue {rue} est tombé.']),
 (12, 'ville', 'proprete-depot-sauvage', 'Propreté', 'Dépôt sauvage', 'ville-voirie', 'urgent', 6, 2.0,
  ARRAY['Dépôt sauvage rue {rue}', 'Encombrants abandonnés au {n} rue {rue}',
        'Sacs poubelle sur le trottoir rue {rue}', 'Gravats déposés rue {rue}'],
  ARRAY['Un matelas et des meubles sont abandonnés sur le trottoir rue {rue}.',
        'Depuis trois jours des sacs s''accumulent devant le {n} rue {rue}.']),
 (13, 'ville', 'proprete-tags', 'Propreté', 'Tags et graffitis', 'ville-voirie', NULL, 2, 7.0,
  ARRAY['Tags sur la façade au {n} rue {rue}', 'Graffitis sur l''abribus rue {rue}'],
  ARRAY['Des tags ont été peints cette nuit sur notre façade, {n} rue {rue}.']),
 (14, 'ville', 'espaces-verts-arbre', 'Espaces verts', 'Arbre dangereux', 'ville-voirie', 'urgent', 2, 5.0,
  ARRAY['Branche menaçant de tomber rue {rue}', 'Arbre penché au square rue {rue}'],
  ARRAY['Une grosse branche pend au-dessus du trottoir rue {rue} depuis la tempête.']),
 (15, 'ville', 'urbanisme-permis', 'Urbanisme', 'Permis de construire', 'ville-urbanisme', NULL, 3, 30.0,
  ARRAY['Dépôt d''un permis de construire', 'Où en est mon permis de construire ?',
        'Pièce complémentaire pour le permis'],
  ARRAY['Nous avons déposé un permis pour une extension au {n} rue {rue}.',
        'Le service instructeur nous a demandé une pièce complémentaire.']),
 (16, 'ville', 'urbanisme-declaration', 'Urbanisme', 'Déclaration préalable', 'ville-urbanisme', NULL, 3, 20.0,
  ARRAY['Déclaration préalable pour une clôture', 'Ravalement de façade : faut-il une déclaration ?',
        'Pose de panneaux solaires'],
  ARRAY['Je souhaite remplacer la clôture de mon jardin au {n} rue {rue}.',
        'Nous voulons installer des panneaux solaires sur le toit.']),
 (17, 'ville', 'stationnement-carte', 'Stationnement', 'Carte résident', 'ville-accueil', NULL, 3, 4.0,
  ARRAY['Renouvellement de la carte résident', 'Carte de stationnement résident rue {rue}'],
  ARRAY['J''habite rue {rue} et ma carte résident expire à la fin du mois.']),
 (18, 'ville', 'elections-inscription', 'Élections', 'Inscription sur les listes', 'ville-accueil', NULL, 2, 3.0,
  ARRAY['Inscription sur les listes électorales', 'Changement d''adresse sur la carte électorale'],
  ARRAY['Je viens d''emménager rue {rue} et je voudrais voter ici.']),
 (19, 'ville', 'salles-reservation', 'Vie associative', 'Réservation de salle', 'ville-accueil', NULL, 2, 6.0,
  ARRAY['Réservation de la salle des fêtes', 'Salle pour l''assemblée générale de notre association'],
  ARRAY['Notre association souhaite réserver une salle un samedi du mois prochain.']),
 (20, 'ville', 'bruit-nuisance', 'Tranquillité', 'Nuisances sonores', 'ville-accueil', NULL, 3, 8.0,
  ARRAY['Nuisances sonores rue {rue}', 'Bruit de chantier très tôt rue {rue}',
        'Bar bruyant la nuit rue {rue}'],
  ARRAY['Depuis plusieurs semaines le bruit commence avant sept heures rue {rue}.']),
 (21, 'agglo', 'it-mot-de-passe', 'IT support', 'Mot de passe', 'agglo-support', NULL, 5, 0.3,
  ARRAY['Mot de passe expiré', 'Compte bloqué après trois essais', 'Réinitialisation du mot de passe'],
  ARRAY['Je n''arrive plus à me connecter à ma session depuis ce matin.',
        'Mon compte est bloqué et je dois rendre un dossier aujourd''hui.']),
 (22, 'agglo', 'it-poste', 'IT support', 'Poste de travail', 'agglo-support', NULL, 4, 2.0,
  ARRAY['Ordinateur très lent', 'Écran qui ne s''allume plus', 'Installation d''un logiciel'],
  ARRAY['Mon poste met dix minutes à démarrer et se fige régulièrement.',
        'J''ai besoin du logiciel de cartographie pour un nouveau dossier.']),
 (23, 'agglo', 'it-imprimante', 'IT support', 'Imprimante', 'agglo-support', NULL, 3, 1.0,
  ARRAY['Imprimante du deuxième étage en panne', 'Bourrage papier récurrent', 'Impossible d''imprimer en couleur'],
  ARRAY['L''imprimante affiche une erreur et plus personne ne peut imprimer.']),
 (24, 'agglo', 'it-messagerie', 'IT support', 'Messagerie', 'agglo-support', NULL, 2, 1.0,
  ARRAY['Boîte aux lettres pleine', 'Accès à la boîte partagée du service'],
  ARRAY['Ma boîte est pleine et je ne reçois plus les messages des usagers.']),
 (25, 'agglo', 'dechets-collecte', 'Déchets', 'Collecte non effectuée', 'agglo-dechets', NULL, 5, 2.0,
  ARRAY['Poubelles non ramassées rue {rue}', 'Collecte oubliée au {n} rue {rue}',
        'Bac jaune non collecté rue {rue}'],
  ARRAY['Le camion n''est pas passé mardi rue {rue}, les bacs débordent.']),
 (26, 'agglo', 'dechets-bac', 'Déchets', 'Bac cassé ou volé', 'agglo-dechets', NULL, 3, 7.0,
  ARRAY['Bac à ordures cassé', 'Bac volé, demande de remplacement', 'Demande d''un bac plus grand'],
  ARRAY['Le couvercle de notre bac s''est cassé lors de la dernière collecte.']),
 (27, 'agglo', 'dechets-encombrants', 'Déchets', 'Encombrants', 'agglo-dechets', NULL, 3, 10.0,
  ARRAY['Rendez-vous pour les encombrants', 'Enlèvement d''un canapé'],
  ARRAY['Je voudrais faire enlever un canapé et une armoire au {n} rue {rue}.']),
 (28, 'agglo', 'eau-fuite', 'Eau', 'Fuite sur la voie publique', 'agglo-eau', 'urgent', 2, 1.0,
  ARRAY['Fuite d''eau sur le trottoir rue {rue}', 'Eau qui jaillit de la chaussée rue {rue}'],
  ARRAY['De l''eau coule en permanence devant le {n} rue {rue}.']),
 (29, 'agglo', 'eau-facture', 'Eau', 'Facture d''eau', 'agglo-eau', NULL, 3, 6.0,
  ARRAY['Facture d''eau anormalement élevée', 'Relevé de compteur contesté', 'Échéancier de paiement'],
  ARRAY['Ma dernière facture est trois fois plus élevée que d''habitude.']),
 (30, 'ccas', 'ccas-aide', 'Action sociale', 'Aide d''urgence', 'ccas-accueil', NULL, 2, 5.0,
  ARRAY['Demande d''aide alimentaire', 'Aide pour payer une facture d''énergie'],
  ARRAY['Je suis seule avec deux enfants et je ne peux pas payer la facture ce mois-ci.']),
 (31, 'ccas', 'ccas-domicile', 'Seniors', 'Portage de repas', 'ccas-accueil', NULL, 2, 6.0,
  ARRAY['Portage de repas pour ma mère', 'Inscription au plan canicule'],
  ARRAY['Ma mère de 87 ans vit seule rue {rue} et ne peut plus faire ses courses.']),
 (32, 'ccas', 'ccas-logement', 'Logement', 'Demande de logement social', 'ccas-accueil', NULL, 2, 20.0,
  ARRAY['Demande de logement social', 'Où en est ma demande de logement ?'],
  ARRAY['Nous vivons à cinq dans un deux-pièces et notre demande date de 2023.'])
$$;

-- The twenty agents: login, name, organisation, level, writable and read-only queues.
CREATE FUNCTION pg_temp.demo_agents()
RETURNS TABLE (login text, name text, email text, org text, level smallint, queues text[],
    read_only text[])
LANGUAGE sql IMMUTABLE AS $$
SELECT v.login, v.name, lower(translate(replace(v.name, ' ', '.'), 'éèëçï', 'eeeci'))
    || '@' || v.org || '-psm.example', v.org, v.level::smallint, v.queues, v.read_only
FROM (VALUES
 ('agent01', 'Claire Dubois', 'ville', 2, '{}'::text[], '{}'::text[]),
 ('agent02', 'Marc Lefèvre', 'ville', 2, '{ville-accueil,ville-etat-civil,ville-voirie,ville-urbanisme,ville-famille,ville-technique,ville-instruction}', '{}'),
 ('agent03', 'Sophie Martin', 'ville', 1, '{ville-accueil,ville-etat-civil}', '{ville-instruction}'),
 ('agent04', 'Karim Benali', 'ville', 1, '{ville-etat-civil,ville-famille}', '{ville-instruction}'),
 ('agent05', 'Julie Moreau', 'ville', 1, '{ville-voirie,ville-accueil}', '{ville-technique}'),
 ('agent06', 'Thomas Petit', 'ville', 1, '{ville-voirie,ville-urbanisme}', '{ville-technique}'),
 ('agent07', 'Nadia Haddad', 'ville', 1, '{ville-famille,ville-urbanisme,ville-accueil}', '{}'),
 ('agent08', 'Pierre Girard', 'ville', 2, '{ville-technique}', '{ville-voirie}'),
 ('agent09', 'Émilie Roux', 'ville', 2, '{ville-instruction}', '{}'),
 ('agent10', 'Antoine Fournier', 'ville', 2, '{ville-technique,ville-instruction}', '{}'),
 ('agent11', 'Isabelle Mercier', 'agglo', 2, '{agglo-support,agglo-dechets,agglo-eau,agglo-systemes,agglo-exploitation}', '{}'),
 ('agent12', 'Lucas Bernard', 'agglo', 1, '{agglo-support}', '{agglo-systemes}'),
 ('agent13', 'Camille Lambert', 'agglo', 1, '{agglo-dechets,agglo-eau}', '{}'),
 ('agent14', 'Hugo Garnier', 'agglo', 1, '{agglo-support,agglo-dechets}', '{}'),
 ('agent15', 'Sarah Chevalier', 'agglo', 2, '{agglo-systemes}', '{}'),
 ('agent16', 'Nicolas Faure', 'agglo', 2, '{agglo-exploitation}', '{}'),
 ('agent17', 'Martine Blanc', 'ccas', 2, '{ccas-accueil,ccas-instruction}', '{}'),
 ('agent18', 'Yasmine Diallo', 'ccas', 1, '{ccas-accueil}', '{ccas-instruction}'),
 ('agent19', 'Olivier Perrin', 'ccas', 1, '{ccas-accueil}', '{}'),
 ('agent20', 'Hélène Robin', 'ccas', 2, '{ccas-instruction}', '{}'))
 AS v(login, name, org, level, queues, read_only)
$$;

-- Words the generated messages are made of.
CREATE FUNCTION pg_temp.demo_words(OUT streets text[], OUT firsts text[], OUT lasts text[],
    OUT domains text[], OUT greetings text[], OUT contexts text[], OUT closings text[],
    OUT replies text[], OUT notes text[], OUT followups text[])
LANGUAGE sql IMMUTABLE AS $$
SELECT
 ARRAY['de la République', 'Victor Hugo', 'Jean Jaurès', 'des Lilas', 'du Port',
  'de la Gare', 'Pasteur', 'des Écoles', 'du Moulin', 'Gambetta', 'de l''Église',
  'des Tilleuls', 'Émile Zola', 'du Marché', 'des Remparts', 'Jules Ferry',
  'de la Liberté', 'des Pêcheurs', 'du Château', 'Anatole France', 'des Acacias',
  'du Stade', 'Louise Michel', 'des Mouettes', 'de Verdun', 'Carnot', 'du Phare',
  'des Vignes', 'Sainte-Marie', 'du Général de Gaulle'],
 ARRAY['Marie', 'Jean', 'Nathalie', 'Pierre', 'Isabelle', 'Michel', 'Sylvie', 'Philippe',
  'Catherine', 'Alain', 'Sandrine', 'Patrick', 'Valérie', 'Nicolas', 'Céline', 'Christophe',
  'Aurélie', 'Stéphane', 'Laura', 'Mohamed', 'Fatima', 'Kevin', 'Manon', 'Julien', 'Chloé',
  'David', 'Léa', 'Sébastien', 'Inès', 'Mathieu', 'Emma', 'Thierry', 'Sarah', 'Bruno',
  'Camille', 'Yannick', 'Amandine', 'Rachid', 'Océane', 'Gérard'],
 ARRAY['Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard', 'Durand', 'Dubois',
  'Moreau', 'Laurent', 'Simon', 'Michel', 'Lefebvre', 'Leroy', 'Roux', 'David', 'Bertrand',
  'Morel', 'Fournier', 'Girard', 'Bonnet', 'Dupont', 'Lambert', 'Fontaine', 'Rousseau',
  'Vincent', 'Muller', 'Lefèvre', 'Faure', 'André', 'Mercier', 'Blanc', 'Guérin', 'Boyer',
  'Garnier', 'Chevalier', 'François', 'Legrand', 'Gauthier', 'Garcia', 'Perrin', 'Robin',
  'Clément', 'Morin', 'Nicolas', 'Henry', 'Roussel', 'Mathieu', 'Gautier', 'Masson'],
 ARRAY['orange.fr', 'free.fr', 'laposte.net', 'gmail.com', 'sfr.fr', 'wanadoo.fr',
  'hotmail.fr', 'yahoo.fr', 'outlook.fr', 'example.org'],
 ARRAY['Bonjour,', 'Madame, Monsieur,', 'Bonjour Madame, Monsieur,', 'Bonsoir,',
  'Bonjour à vous,'],
 ARRAY['Pouvez-vous me dire quelles sont les démarches ?', 'Merci de me tenir informé.',
  'C''est assez urgent pour nous.', 'J''ai déjà appelé la semaine dernière sans réponse.',
  'Je reste joignable par téléphone en journée.', 'Je joins une photo si besoin.',
  'Je vous remercie par avance de votre retour.'],
 ARRAY['Cordialement,', 'Bien cordialement,', 'Merci d''avance,', 'Salutations,',
  'Bien à vous,', 'Respectueusement,'],
 ARRAY['Bonjour,\n\nMerci pour votre message. Votre demande est enregistrée et un agent s''en occupe.\n\nCordialement,',
  'Bonjour,\n\nNous avons transmis votre signalement au service concerné. Une intervention est prévue **dans la semaine**.\n\nCordialement,',
  'Bonjour,\n\nPourriez-vous nous préciser l''adresse exacte et, si possible, joindre une photo ?\n\nCordialement,',
  'Bonjour,\n\nVotre dossier est complet. Vous recevrez une réponse par courrier.\n\nCordialement,',
  'Bonjour,\n\nL''intervention a été réalisée ce matin. N''hésitez pas à nous recontacter si le problème persiste.\n\nCordialement,',
  'Bonjour,\n\nIl manque un justificatif de domicile de moins de trois mois pour instruire la demande.\n\nCordialement,',
  'Bonjour,\n\nUn rendez-vous vous est proposé mardi à 10 h. Merci de confirmer en répondant à ce message.\n\nCordialement,'],
 ARRAY['Appelé l''usager : il confirme le problème.', 'Transmis à l''équipe terrain, bon n° {n}.',
  'Pièces reçues, dossier complet.', 'Doublon probable d''une demande précédente, vérifier.',
  'Usager mécontent du délai, **à traiter en priorité**.', 'Intervention planifiée avec le prestataire.',
  'Voir la procédure dans la base de connaissances.', 'En attente du retour du service instructeur.'],
 ARRAY['Bonjour,\n\nMerci pour votre réponse. Je vous envoie les documents demandés.\n\nCordialement,',
  'Bonjour,\n\nLe problème n''est toujours pas réglé, pouvez-vous relancer ?\n\nMerci,',
  'Bonjour,\n\nParfait, merci beaucoup pour votre rapidité !',
  'Bonjour,\n\nJe confirme le rendez-vous. Bonne journée.']
$$;

-- Contacts: colleagues of the agglomeration first (they write to IT support),
-- then citizens. Contact k's name, address and district are functions of
-- (seed, k), so that tickets can name their requester without a join.
CREATE FUNCTION pg_temp.demo_contact_base() RETURNS bigint
LANGUAGE sql STABLE AS $$
SELECT coalesce(max(id), 0) FROM guichet.contact
$$;

CREATE FUNCTION pg_temp.demo_contacts(p_seed integer, p_n integer, p_until date) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_base bigint := pg_temp.demo_contact_base();
	v_colleagues integer := greatest(p_n / 20, 1);
	v_agglo integer := (SELECT id FROM organisation WHERE code = 'agglo');
BEGIN
	CREATE TEMP TABLE demo_c ON COMMIT DROP AS
	SELECT v_base AS base, p_n AS n, v_colleagues AS colleagues,
	    (SELECT array_agg(d.id ORDER BY d.id) FROM district d JOIN organisation o
	        ON o.id = d.organisation_id WHERE o.code = 'ville') AS ville_d,
	    (SELECT array_agg(d.id ORDER BY d.id) FROM district d JOIN organisation o
	        ON o.id = d.organisation_id WHERE o.code = 'agglo') AS agglo_d;

	INSERT INTO contact (id, email, name, phone, organisation_id, district_id,
	    created_at)
	OVERRIDING SYSTEM VALUE
	SELECT v_base + k, CASE
	        WHEN k <= v_colleagues THEN lower(translate(f || '.' || l, 'éèëêçïîôÉ ', 'eeeeciioe-'))
	            || '.' || k || '@agglo-psm.example'
	        WHEN pg_temp.demo_u(p_seed, k, 3) < 0.08 THEN NULL -- phone and desk only
	        ELSE lower(translate(f || '.' || l, 'éèëêçïîôÉ ', 'eeeeciioe-')) || k || '@'
	            || pg_temp.demo_pick(w.domains, pg_temp.demo_u(p_seed, k, 4)) END,
	    f || ' ' || l,
	    CASE WHEN pg_temp.demo_u(p_seed, k, 5) < 0.6 THEN format('0%s %s %s %s %s',
	        6 + (k % 2), lpad((k % 100)::text, 2, '0'),
	        lpad(((k / 100) % 100)::text, 2, '0'), lpad(((k * 7) % 100)::text, 2, '0'),
	        lpad(((k * 13) % 100)::text, 2, '0')) END,
	    -- Colleagues are agglo's; citizens ville's (each organisation keeps
	    -- its own record of a person).
	    CASE WHEN k <= v_colleagues THEN v_agglo
	        ELSE (SELECT id FROM organisation WHERE code = 'ville') END,
	    CASE WHEN k <= v_colleagues THEN NULL
	        WHEN pg_temp.demo_u(p_seed, k, 6) < 0.72 THEN pg_temp.demo_pick(c.ville_d, pg_temp.demo_u(p_seed, k, 7))
	        WHEN pg_temp.demo_u(p_seed, k, 6) < 0.95 THEN pg_temp.demo_pick(c.agglo_d, pg_temp.demo_u(p_seed, k, 7))
	    END,
	    ((p_until - 1095)::timestamp AT TIME ZONE 'Europe/Paris')
	        + pg_temp.demo_u(p_seed, k, 8) * interval '1 year'
	FROM demo_c c CROSS JOIN pg_temp.demo_words() w
	CROSS JOIN generate_series(1, p_n) AS k
	CROSS JOIN LATERAL (SELECT pg_temp.demo_pick(w.firsts, pg_temp.demo_u(p_seed, k, 1)) AS f,
	    pg_temp.demo_pick(w.lasts, pg_temp.demo_u(p_seed, k, 2)) AS l) n;
	PERFORM setval(pg_get_serial_sequence('guichet.contact', 'id'),
	    (SELECT max(id) FROM contact));
END
$$;

-- The tickets of the last 365 days before p_until, staged in demo_t with every
-- time of their life: more on weekdays, a bump at the school year's start and
-- in spring (passports), a dip in August and at Christmas, slow growth; ids in
-- the order of creation. Statuses follow age: old tickets are closed, recent
-- ones form the backlog.
CREATE FUNCTION pg_temp.demo_tickets(p_seed integer, p_n integer, p_until date) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_end timestamptz := p_until::timestamp AT TIME ZONE 'Europe/Paris';
	v_base bigint := (SELECT coalesce(max(id), 0) FROM ticket);
	v_abase bigint := (SELECT coalesce(max(id), 0) FROM article);
	v_agglo integer := (SELECT id FROM organisation WHERE code = 'agglo');
BEGIN
	CREATE TEMP TABLE demo_q ON COMMIT DROP AS
	SELECT q.id, q.code, q.organisation_id AS org_id, q.escalate_to, q.sla_policy_id,
	    (SELECT min(a.address) FROM queue_address a WHERE a.queue_id = q.id) AS address,
	    array_agg(g.id ORDER BY g.login) AS writers,
	    array_agg(g.login::text ORDER BY g.login) AS logins
	FROM queue q
	JOIN queue_member m ON m.queue_id = q.id AND m.may_write
	JOIN agent g ON g.id = m.agent_id
	    AND g.login IN (SELECT login FROM pg_temp.demo_agents()
	        WHERE login NOT IN ('agent01', 'agent02', 'agent11', 'agent17'))
	GROUP BY q.id;

	-- SLA targets as calendar time: business hours stretch a target (9 working
	-- hours a day, 5 days a week): a close approximation, good for a demo.
	CREATE TEMP TABLE demo_s ON COMMIT DROP AS
	SELECT s.id, s.organisation_id AS org_id, s.category, ds.weight, ds.days,
	    ds.subjects, ds.details, q.id AS l1, q.escalate_to AS l2,
	    CASE WHEN p.business_hours THEN CASE WHEN p.first_response < interval '1 day'
	        THEN p.first_response * 2.6 ELSE p.first_response * 1.4 END
	        ELSE p.first_response END AS fr_cal,
	    CASE WHEN p.business_hours THEN CASE WHEN p.resolution < interval '1 day'
	        THEN p.resolution * 2.6 ELSE p.resolution * 1.4 END
	        ELSE p.resolution END AS res_cal,
	    ds.category = 'IT support' AS it
	FROM pg_temp.demo_services() ds
	JOIN service s ON s.code = ds.code
	JOIN demo_q q ON q.id = s.default_queue_id
	LEFT JOIN sla_policy p ON p.id = coalesce(s.sla_policy_id, q.sla_policy_id);

	CREATE TEMP TABLE demo_slots ON COMMIT DROP AS
	SELECT array_agg(s.id ORDER BY s.id, g) AS services
	FROM demo_s s CROSS JOIN LATERAL generate_series(1, s.weight) g;

	-- Each step is MATERIALIZED: inlined, every reference to a computed time
	-- would recompute the whole expression behind it, and they nest deeply.
	CREATE TEMP TABLE demo_t ON COMMIT DROP AS
	WITH day AS (
		SELECT i, x.d, round((CASE extract(isodow FROM x.d)
		        WHEN 1 THEN 1.25 WHEN 2 THEN 1.1 WHEN 3 THEN 1.0 WHEN 4 THEN 1.0
		        WHEN 5 THEN 0.9 WHEN 6 THEN 0.2 ELSE 0.08 END
		    * (1 + 0.45 * exp(greatest(-(((x.doy - 255) / 18.0) ^ 2), -50))
		         + 0.30 * exp(greatest(-(((x.doy - 105) / 25.0) ^ 2), -50))
		         - 0.35 * exp(greatest(-(((x.doy - 222) / 14.0) ^ 2), -50))
		         - 0.50 * exp(greatest(-(((x.doy - 359) / 5.0) ^ 2), -50)))
		    * CASE WHEN EXISTS (SELECT 1 FROM holiday h WHERE h.day = x.d
		        AND h.organisation_id IS NULL) THEN 0.1 ELSE 1 END
		    * (0.9 + 0.2 * i / 365.0))::numeric, 6) AS w
		FROM generate_series(0, 364) i
		CROSS JOIN LATERAL (SELECT p_until - 365 + i AS d,
		    extract(doy FROM p_until - 365 + i)::float8 AS doy) x
	), cum AS (
		SELECT i, d, sum(w) OVER (ORDER BY i) AS c, sum(w) OVER () AS total, w FROM day
	), per_day AS (
		SELECT i, d, (floor(p_n * c / total) - floor(p_n * (c - w) / total))::integer AS cnt
		FROM cum
	), raw AS (
		SELECT i, k, (d::timestamp + CASE WHEN pg_temp.demo_u(p_seed, i * 1000000 + k, 1) < 0.85
		        THEN interval '510 minutes' + pg_temp.demo_u(p_seed, i * 1000000 + k, 2)
		            * interval '540 minutes'
		        ELSE pg_temp.demo_u(p_seed, i * 1000000 + k, 2) * interval '1440 minutes' END)
		    AT TIME ZONE 'Europe/Paris' AS created_at
		FROM per_day CROSS JOIN LATERAL generate_series(1, cnt) k
	), num AS (
		SELECT row_number() OVER (ORDER BY created_at, i, k) AS n, created_at FROM raw
	), pick AS MATERIALIZED (
		SELECT n.n, n.created_at, s.id AS service_id, s.org_id, s.days, s.it, s.l1, s.l2,
		    s.fr_cal, s.res_cal,
		    CASE WHEN s.it THEN 1 + floor(c.colleagues * pg_temp.demo_u(p_seed, n.n, 20) ^ 2)
		    ELSE c.colleagues + 1 + floor((c.n - c.colleagues) * pg_temp.demo_u(p_seed, n.n, 20) ^ 2.5)
		    END::bigint + c.base AS requester_id,
		    extract(epoch FROM v_end - n.created_at) / 86400.0 AS age,
		    pg_temp.demo_u(p_seed, n.n, 13) AS u_status,
		    pg_temp.demo_u(p_seed, n.n, 30) AS u_channel,
		    pg_temp.demo_u(p_seed, n.n, 31) AS u_priority
		FROM num n CROSS JOIN demo_slots sl CROSS JOIN demo_c c
		JOIN demo_s s ON s.id = pg_temp.demo_pick(sl.services, pg_temp.demo_u(p_seed, n.n, 10))
	), st AS MATERIALIZED (
		SELECT p.*, CASE
		    WHEN p.age < 2 THEN CASE WHEN u_status < 0.35 THEN 'new' WHEN u_status < 0.7
		        THEN 'open' WHEN u_status < 0.8 THEN 'pending' ELSE 'resolved' END
		    WHEN p.age < 14 THEN CASE WHEN u_status < 0.05 THEN 'new' WHEN u_status < 0.3
		        THEN 'open' WHEN u_status < 0.45 THEN 'pending' WHEN u_status < 0.85
		        THEN 'resolved' ELSE 'closed' END
		    WHEN p.age < 60 THEN CASE WHEN u_status < 0.04 THEN 'open' WHEN u_status < 0.08
		        THEN 'pending' WHEN u_status < 0.15 THEN 'resolved' ELSE 'closed' END
		    ELSE CASE WHEN u_status < 0.01 THEN 'open' WHEN u_status < 0.02 THEN 'pending'
		        ELSE 'closed' END END AS status,
		    CASE WHEN p.it THEN CASE WHEN u_channel < 0.6 THEN 'mail'
		        WHEN u_channel < 0.85 THEN 'web' ELSE 'phone' END
		    ELSE CASE WHEN u_channel < 0.5 THEN 'mail' WHEN u_channel < 0.72 THEN 'phone'
		        WHEN u_channel < 0.87 THEN 'desk' WHEN u_channel < 0.97 THEN 'web'
		        ELSE 'internal' END END AS channel,
		    (CASE WHEN u_priority < 0.05 THEN 1 WHEN u_priority < 0.2 THEN 2
		        WHEN u_priority < 0.8 THEN 3 WHEN u_priority < 0.95 THEN 4 ELSE 5 END)::smallint
		        AS priority
		FROM pick p
	), times AS MATERIALIZED (
		SELECT st.*,
		    st.status <> 'new' AND pg_temp.demo_u(p_seed, st.n, 14)
		        < CASE WHEN st.days > 10 THEN 0.25 WHEN st.it THEN 0.12 ELSE 0.15 END
		        AS escalated,
		    CASE WHEN st.status IN ('resolved', 'closed') THEN st.created_at + least(
		        greatest(-ln(1 - pg_temp.demo_u(p_seed, st.n, 15)) * st.days
		            * CASE WHEN st.priority >= 4 THEN 0.5 ELSE 1 END, 0.01),
		        st.age * 0.9) * interval '1 day' END AS resolved_at
		FROM st
	), ends AS MATERIALIZED (
		SELECT t.*, coalesce(t.resolved_at, v_end) AS end_at,
		    CASE WHEN t.status <> 'new' THEN t.created_at + least(greatest(
		        -ln(1 - pg_temp.demo_u(p_seed, t.n, 16)) * CASE WHEN t.it THEN 1 ELSE 3 END, 0.05)
		        * interval '1 hour', (coalesce(t.resolved_at, v_end) - t.created_at) * 0.5)
		        END AS fr_at,
		    CASE WHEN t.status = 'new' THEN 0
		        ELSE 1 + CASE WHEN pg_temp.demo_u(p_seed, t.n, 22) < 0.5 THEN 0
		            WHEN pg_temp.demo_u(p_seed, t.n, 22) < 0.85 THEN 1 ELSE 2 END END AS n_extra,
		    t.resolved_at IS NOT NULL AND pg_temp.demo_u(p_seed, t.n, 21) < 0.2 AS via_pending
		FROM times t
	), life AS MATERIALIZED (
		SELECT e.*,
		    e.created_at + (e.fr_at - e.created_at) * (0.2 + 0.6 * pg_temp.demo_u(p_seed, e.n, 17))
		        AS claim_at,
		    CASE WHEN e.escalated THEN e.fr_at + (e.end_at - e.fr_at)
		        * (0.2 + 0.3 * pg_temp.demo_u(p_seed, e.n, 18)) END AS escalate_at
		FROM ends e
	)
	SELECT v_base + t.n AS id, t.n, t.created_at, t.service_id, t.org_id, t.it, t.status,
	    t.channel, t.priority, t.requester_id, t.escalated, t.resolved_at, t.end_at,
	    t.fr_at, t.claim_at, t.escalate_at,
	    CASE WHEN t.escalated AND (t.resolved_at IS NOT NULL
	        OR pg_temp.demo_u(p_seed, t.n, 19) < 0.6)
	        THEN t.escalate_at + (t.end_at - t.escalate_at) * 0.3
	            * pg_temp.demo_u(p_seed, t.n, 20) + interval '1 minute' END AS l2_claim_at,
	    CASE WHEN t.status = 'pending' THEN t.fr_at + (v_end - t.fr_at)
	            * (0.3 + 0.5 * pg_temp.demo_u(p_seed, t.n, 21))
	        WHEN t.via_pending THEN t.fr_at + (t.end_at - t.fr_at) * 0.5 END AS pending_at,
	    CASE WHEN t.via_pending THEN t.fr_at + (t.end_at - t.fr_at) * 0.75 END
	        AS reopen_at,
	    CASE WHEN t.status = 'pending' THEN v_end
	        + (1 + floor(pg_temp.demo_u(p_seed, t.n, 23) * 10)) * interval '1 day' END
	        AS pending_until,
	    CASE WHEN t.status = 'closed' THEN t.resolved_at
	        + least(interval '7 days', (v_end - t.resolved_at) * 0.8) END AS closed_at,
	    t.n_extra,
	    -- Four article ids per ticket, used or not: ids need no running sum.
	    v_abase + (t.n - 1) * 4 + 1 AS a_first,
	    q1.address, t.l1, t.l2,
	    pg_temp.demo_pick(q1.writers, pg_temp.demo_u(p_seed, t.n, 24)) AS l1_owner,
	    pg_temp.demo_pick(q1.logins, pg_temp.demo_u(p_seed, t.n, 24)) AS l1_login,
	    pg_temp.demo_pick(q2.writers, pg_temp.demo_u(p_seed, t.n, 25)) AS l2_owner,
	    pg_temp.demo_pick(q2.logins, pg_temp.demo_u(p_seed, t.n, 25)) AS l2_login,
	    t.created_at + t.fr_cal AS first_response_due,
	    t.created_at + t.res_cal AS resolution_due,
	    c.name AS requester_name, c.email AS requester_email,
	    CASE WHEN t.it THEN NULL
	        WHEN c.district_id IS NOT NULL AND pg_temp.demo_u(p_seed, t.n, 11) < 0.8
	        THEN c.district_id
	        WHEN t.org_id = v_agglo THEN pg_temp.demo_pick(dc.agglo_d, pg_temp.demo_u(p_seed, t.n, 12))
	        ELSE pg_temp.demo_pick(dc.ville_d, pg_temp.demo_u(p_seed, t.n, 12)) END AS district_id,
	    sn.street, sn.number,
	    replace(replace(pg_temp.demo_pick(s.subjects, pg_temp.demo_u(p_seed, t.n, 28)), '{rue}',
	        sn.street), '{n}', sn.number) AS subject
	FROM life t
	CROSS JOIN demo_c dc CROSS JOIN pg_temp.demo_words() w
	CROSS JOIN LATERAL (SELECT pg_temp.demo_pick(w.streets, pg_temp.demo_u(p_seed, t.n, 26)) AS street,
	    (1 + floor(pg_temp.demo_u(p_seed, t.n, 27) * 120))::integer::text AS number) sn
	JOIN demo_s s ON s.id = t.service_id
	JOIN demo_q q1 ON q1.id = t.l1
	LEFT JOIN demo_q q2 ON q2.id = t.l2
	JOIN contact c ON c.id = t.requester_id;
END
$$;

-- Articles (demo_a: the first message, then replies, notes and follow-ups
-- spread between the first response and the resolution), dynamic field values
-- (demo_f) and links between tickets (demo_l), all staged.
CREATE FUNCTION pg_temp.demo_articles(p_seed integer) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	CREATE TEMP TABLE demo_a ON COMMIT DROP AS
	SELECT t.a_first + j AS id, t.id AS ticket_id, j, k.kind, x.at,
	    CASE WHEN k.kind = 'mail_in' THEN NULL
	        WHEN t.l2_claim_at IS NOT NULL AND x.at >= t.l2_claim_at THEN t.l2_owner
	        ELSE t.l1_owner END AS author_agent_id,
	    CASE WHEN k.kind = 'mail_in' THEN 'demo_mail'
	        WHEN t.l2_claim_at IS NOT NULL AND x.at >= t.l2_claim_at THEN t.l2_login
	        ELSE t.l1_login END AS actor,
	    CASE WHEN k.kind = 'mail_in' OR j = 0 THEN t.requester_id END AS author_contact_id,
	    CASE WHEN k.kind IN ('mail_in', 'mail_out') THEN
	        CASE WHEN j = 0 THEN t.subject ELSE 'Re: ' || t.subject END END AS subject,
	    CASE
	        WHEN j = 0 AND k.kind = 'mail_in' THEN pg_temp.demo_pick(w.greetings, x.u) || E'\n\n'
	            || x.detail || ' ' || pg_temp.demo_pick(w.contexts, x.u2) || E'\n\n'
	            || pg_temp.demo_pick(w.closings, x.u3) || E'\n' || t.requester_name || E'\n'
	        WHEN j = 0 AND k.kind = 'phone' THEN 'Appel de ' || t.requester_name
	            || E'.\n\n' || x.detail
	        WHEN j = 0 THEN 'Reçu à l''accueil : ' || t.requester_name || E'.\n\n'
	            || x.detail
	        WHEN k.kind = 'mail_out' THEN replace(pg_temp.demo_pick(w.replies, x.u), '\n', E'\n')
	        WHEN k.kind = 'mail_in' THEN replace(pg_temp.demo_pick(w.followups, x.u), '\n', E'\n')
	        WHEN k.kind = 'phone' THEN 'Rappelé l''usager. '
	            || replace(pg_temp.demo_pick(w.notes, x.u), '{n}', t.number)
	        ELSE replace(pg_temp.demo_pick(w.notes, x.u), '{n}', t.number) END AS body,
	    CASE WHEN k.kind = 'mail_in' THEN 'text' ELSE 'markdown' END AS body_format,
	    CASE WHEN k.kind = 'mail_in'
	        THEN format('<%s.%s.%s@mail.example>', t.id, j, t.n % 977)
	        WHEN k.kind = 'mail_out'
	        THEN format('<guichet.%s.%s@ville-psm.example>', t.id, j) END AS message_id,
	    CASE WHEN j > 0 AND k.kind IN ('mail_in', 'mail_out') AND t.channel = 'mail'
	        THEN format('<%s.%s.%s@mail.example>', t.id, 0, t.n % 977) END AS in_reply_to,
	    CASE WHEN k.kind = 'mail_in' THEN t.requester_name || ' <' || t.requester_email || '>'
	        WHEN k.kind = 'mail_out' THEN t.address END AS mail_from,
	    CASE WHEN k.kind = 'mail_in' THEN t.address
	        WHEN k.kind = 'mail_out' THEN t.requester_email END AS mail_to,
	    CASE WHEN k.kind = 'mail_in' THEN CASE WHEN j = 0 THEN 'new' ELSE 'in_reply_to' END
	        END AS thread_rule,
	    CASE WHEN j > 0 AND k.kind <> 'mail_in'
	        THEN 5 + floor(pg_temp.demo_u(p_seed, t.a_first + j, 42) * 26)::integer ELSE 0 END
	        AS time_spent
	FROM demo_t t
	JOIN demo_s ds ON ds.id = t.service_id
	CROSS JOIN pg_temp.demo_words() w
	CROSS JOIN LATERAL generate_series(0, t.n_extra) j
	CROSS JOIN LATERAL (SELECT
	    CASE WHEN j = 0 THEN t.created_at WHEN j = 1 THEN t.fr_at
	        ELSE t.fr_at + (t.end_at - t.fr_at) * ((j - 1)::float8 / t.n_extra) END AS at,
	    pg_temp.demo_u(p_seed, t.a_first + j, 40) AS u,
	    pg_temp.demo_u(p_seed, t.a_first + j, 43) AS u2,
	    pg_temp.demo_u(p_seed, t.a_first + j, 44) AS u3,
	    replace(replace(pg_temp.demo_pick(ds.details, pg_temp.demo_u(p_seed, t.n, 41)), '{rue}', t.street),
	        '{n}', t.number) AS detail) x
	CROSS JOIN LATERAL (SELECT CASE
	    WHEN j = 0 THEN CASE WHEN t.channel IN ('mail', 'web')
	        AND t.requester_email IS NOT NULL THEN 'mail_in'
	        WHEN t.channel = 'phone' THEN 'phone' ELSE 'note' END
	    WHEN j = 1 THEN CASE WHEN t.channel IN ('mail', 'web')
	        AND t.requester_email IS NOT NULL THEN 'mail_out' ELSE 'phone' END
	    WHEN x.u < 0.4 THEN 'note'
	    WHEN t.requester_email IS NULL THEN 'phone'
	    WHEN x.u < 0.85 THEN 'mail_out'
	    ELSE 'mail_in' END AS kind) k;

	CREATE TEMP TABLE demo_f ON COMMIT DROP AS
	SELECT t.id AS ticket_id, f.id AS field_id, f.name, v.value, t.created_at AS at,
	    CASE WHEN t.channel IN ('mail', 'web') THEN 'demo_mail' ELSE t.l1_login END AS actor
	FROM demo_t t
	JOIN service s ON s.id = t.service_id
	JOIN demo_s ds ON ds.id = t.service_id
	LEFT JOIN district d ON d.id = t.district_id
	CROSS JOIN LATERAL (VALUES
	    ('quartier', CASE WHEN d.name = ANY (coalesce((SELECT allowed FROM field
	        WHERE name = 'quartier'), '{}')) THEN d.name END),
	    ('dossier', CASE WHEN ds.category = 'Urbanisme'
	        THEN format('PC 083 126 %s %s', to_char(t.created_at, 'YY'),
	            lpad((t.n % 100000)::text, 5, '0'))
	        WHEN ds.category = 'Logement' THEN format('DLS-%s-%s', to_char(t.created_at, 'YYYY'),
	            lpad((t.n % 100000)::text, 5, '0')) END),
	    ('rendez_vous', CASE WHEN s.code IN ('etat-civil-passeport', 'etat-civil-cni')
	        AND t.status <> 'new' THEN (t.created_at
	        + (7 + floor(pg_temp.demo_u(p_seed, t.n, 45) * 30)) * interval '1 day')::date::text END))
	    AS v(name, value)
	JOIN field f ON f.name = v.name
	WHERE v.value IS NOT NULL;

	-- A few tickets relate to, or duplicate, a recent one.
	CREATE TEMP TABLE demo_l ON COMMIT DROP AS
	SELECT t.id AS a_id, t.id - 1 - floor(pg_temp.demo_u(p_seed, t.n, 51) * 40)::integer AS b_id,
	    CASE WHEN pg_temp.demo_u(p_seed, t.n, 52) < 0.7 THEN 'relates' ELSE 'duplicate' END AS kind,
	    coalesce(t.fr_at, t.created_at + interval '5 minutes') AS at,
	    coalesce(t.l1_login, 'demo_mail') AS actor
	FROM demo_t t
	WHERE t.n > 50 AND pg_temp.demo_u(p_seed, t.n, 50) < 0.03;
END
$$;

-- Every ticket's history in time order, chained: seq numbered per ticket, each
-- hash computed from the previous one by guichet.history_hash, as the triggers
-- of api/10-history.sql would have. Staged in demo_hc with the chain's tail.
CREATE FUNCTION pg_temp.demo_history() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	-- One sort of every history row (ten per ticket): in memory rather than on
	-- disk when it fits.
	PERFORM set_config('work_mem', '2GB', true);
	CREATE TEMP TABLE demo_hc ON COMMIT DROP AS
	SELECT c.ticket_id, c.seq, c.at, c.actor, c.action, c.field, c.old, c.new,
	    lag(c.hash) OVER w AS prev_hash, c.hash, lead(c.seq) OVER w IS NULL AS last
	FROM (
		SELECT s.*, pg_temp.demo_chain(s.ticket_id, s.seq, s.at, s.actor, s.action, s.field,
		    s.old, s.new) OVER (PARTITION BY s.ticket_id ORDER BY s.at, s.ord, s.sub
		    ROWS UNBOUNDED PRECEDING) AS hash
		FROM (
			SELECT e.*, (row_number() OVER (PARTITION BY e.ticket_id
			    ORDER BY e.at, e.ord, e.sub))::integer AS seq
			FROM (
				SELECT t.id AS ticket_id, t.created_at AS at, 0 AS ord, 0::bigint AS sub,
				    (CASE WHEN t.channel IN ('mail', 'web') THEN 'demo_mail'
				        ELSE t.l1_login END)::name AS actor,
				    'create' AS action, NULL::text AS field, NULL::text AS old,
				    t.subject AS new
				FROM demo_t t
				UNION ALL
				SELECT a.ticket_id, a.at, CASE WHEN a.j = 0 THEN 10 ELSE 40 END, a.id,
				    a.actor::name,
				    CASE a.kind WHEN 'mail_out' THEN 'reply' ELSE a.kind END,
				    'article', NULL, a.id::text
				FROM demo_a a
				UNION ALL
				SELECT f.ticket_id, f.at, 20, f.field_id, f.actor::name, 'field', f.name,
				    NULL, f.value
				FROM demo_f f
				UNION ALL
				SELECT t.id, t.claim_at, 30 + v.i, 0, t.l1_login::name, 'claim', v.f,
				    v.o, v.n
				FROM demo_t t CROSS JOIN LATERAL (VALUES
				    (0, 'status', 'new', 'open'),
				    (1, 'owner_id', NULL, t.l1_owner::text)) AS v(i, f, o, n)
				WHERE t.status <> 'new'
				UNION ALL
				SELECT t.id, t.escalate_at, 50 + v.i, 0, t.l1_login::name, 'escalate',
				    v.f, v.o, v.n
				FROM demo_t t CROSS JOIN LATERAL (VALUES
				    (0, 'queue_id', t.l1::text, t.l2::text),
				    (1, 'level', '1', '2'),
				    (2, 'owner_id', t.l1_owner::text, NULL)) AS v(i, f, o, n)
				WHERE t.escalated
				UNION ALL
				SELECT t.id, t.l2_claim_at, 60, 0, t.l2_login::name, 'claim', 'owner_id',
				    NULL, t.l2_owner::text
				FROM demo_t t
				WHERE t.l2_claim_at IS NOT NULL
				UNION ALL
				SELECT t.id, v.at, v.ord, 0, (CASE WHEN t.l2_claim_at <= v.at
				    THEN t.l2_login ELSE t.l1_login END)::name, 'set', v.f, v.o, v.n
				FROM demo_t t CROSS JOIN LATERAL (VALUES
				    (t.pending_at, 70, 'status', 'open', 'pending'),
				    (t.pending_at, 71, 'pending_until', NULL,
				        coalesce(t.pending_until, t.reopen_at)::text),
				    (t.reopen_at, 75, 'status', 'pending', 'open'),
				    (t.reopen_at, 76, 'pending_until', t.reopen_at::text, NULL),
				    (t.resolved_at, 80, 'status', 'open', 'resolved'),
				    (t.closed_at, 90, 'status', 'resolved', 'closed'))
				    AS v(at, ord, f, o, n)
				WHERE v.at IS NOT NULL
				UNION ALL
				SELECT l.a_id, l.at, 95, l.b_id, l.actor::name, 'link', l.kind, NULL,
				    l.b_id::text
				FROM demo_l l
				UNION ALL
				SELECT l.b_id, l.at, 96, l.a_id, l.actor::name, 'linked', l.kind, NULL,
				    l.a_id::text
				FROM demo_l l
			) e
		) s
	) c
	WINDOW w AS (PARTITION BY c.ticket_id ORDER BY c.at, c.ord, c.sub);
END
$$;

-- Write the staged desk into the real tables, in the order the foreign keys need.
CREATE FUNCTION pg_temp.demo_load() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	INSERT INTO ticket (id, queue_id, organisation_id, service_id, subject, status,
	    priority, level, owner_id, claimed_at, requester_id, channel, district_id,
	    location, created_at, updated_at, updated_by, first_response_at, resolved_at,
	    closed_at, first_response_due, resolution_due, pending_since, pending_until,
	    time_spent, history_seq, history_head, search_config, owner_settled)
	OVERRIDING SYSTEM VALUE
	SELECT t.id, CASE WHEN t.escalated THEN t.l2 ELSE t.l1 END, t.org_id, t.service_id,
	    t.subject, t.status, t.priority, CASE WHEN t.escalated THEN 2 ELSE 1 END,
	    o.owner_id,
	    CASE WHEN o.owner_id IS NOT NULL AND t.status IN ('open', 'pending')
	        THEN h.at END,
	    t.requester_id, t.channel, t.district_id,
	    CASE WHEN NOT t.it THEN t.number || ' rue ' || t.street END,
	    t.created_at, h.at, h.actor, t.fr_at, t.resolved_at, t.closed_at,
	    t.first_response_due, t.resolution_due,
	    CASE WHEN t.status = 'pending' THEN t.pending_at END, t.pending_until,
	    coalesce(sp.minutes, 0), h.seq, h.hash, tsc.text_search_config,
	    -- Their owners have worked on them (notes, replies): the claim
	    -- timeout does not apply (api/45-claims.sql).
	    o.owner_id IS NOT NULL
	FROM demo_t t
	JOIN organisation tsc ON tsc.id = t.org_id
	JOIN demo_hc h ON h.ticket_id = t.id AND h.last
	LEFT JOIN (SELECT a.ticket_id, sum(a.time_spent)::integer AS minutes FROM demo_a a
	    GROUP BY a.ticket_id) sp ON sp.ticket_id = t.id
	CROSS JOIN LATERAL (SELECT CASE WHEN t.status = 'new' THEN NULL
	    WHEN NOT t.escalated THEN t.l1_owner
	    WHEN t.l2_claim_at IS NOT NULL THEN t.l2_owner END AS owner_id) o
	ORDER BY t.id;
	PERFORM setval(pg_get_serial_sequence('guichet.ticket', 'id'),
	    (SELECT max(id) FROM ticket));

	INSERT INTO article (id, ticket_id, kind, author_agent_id, author_contact_id,
	    created_at, created_by, subject, body, body_format, message_id, in_reply_to,
	    refs, mail_from, mail_to, thread_rule, time_spent, search_config)
	OVERRIDING SYSTEM VALUE
	SELECT a.id, a.ticket_id, a.kind, a.author_agent_id, a.author_contact_id, a.at,
	    a.actor, a.subject, a.body, a.body_format, a.message_id, a.in_reply_to,
	    CASE WHEN a.in_reply_to IS NOT NULL THEN ARRAY[a.in_reply_to] END,
	    a.mail_from, a.mail_to, a.thread_rule, a.time_spent, c.text_search_config
	FROM demo_a a
	JOIN (SELECT t.id, o.text_search_config FROM demo_t t
	    JOIN organisation o ON o.id = t.org_id) c ON c.id = a.ticket_id
	ORDER BY a.id;
	PERFORM setval(pg_get_serial_sequence('guichet.article', 'id'),
	    (SELECT max(id) FROM article));

	INSERT INTO ticket_field (ticket_id, field_id, value)
	SELECT f.ticket_id, f.field_id, f.value FROM demo_f f;
	INSERT INTO link (a_id, b_id, kind, created_at, created_by)
	SELECT l.a_id, l.b_id, l.kind, l.at, l.actor FROM demo_l l
	ON CONFLICT DO NOTHING;
	INSERT INTO history (ticket_id, seq, at, actor, action, field, old_value, new_value,
	    prev_hash, hash)
	SELECT h.ticket_id, h.seq, h.at, h.actor, h.action, h.field, h.old, h.new,
	    h.prev_hash, h.hash
	FROM demo_hc h;
END
$$;

-- The triggers back on, at the end of the load's transaction.
CREATE FUNCTION pg_temp.demo_finish() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	-- The SLA clocks from the history written above (sla_clock_rebuild), before the
	-- triggers are back: the update changes nothing they watch anyway. It
	-- rewrote every row at the end of the table, so the rebuild compacts it
	-- first (in its own transaction: here CLUSTER would keep the old rows).
	IF sla_clock_rebuild() > 0 THEN
		INSERT INTO demo_rebuild (n, kind, tbl, name, ddl)
		VALUES (0, 'index', 'ticket', 'ticket', 'CLUSTER guichet.ticket USING ticket_pkey')
		ON CONFLICT DO NOTHING;
	END IF;
	ALTER TABLE ticket ENABLE TRIGGER USER;
	ALTER TABLE article ENABLE TRIGGER USER;
	ALTER TABLE ticket_field ENABLE TRIGGER USER;
	ALTER TABLE link ENABLE TRIGGER USER;
	ALTER TABLE history ENABLE TRIGGER USER;
	ALTER TABLE contact ENABLE TRIGGER USER;
END
$$;

-- Rebuild one dropped index (or foreign key), in the caller's transaction:
-- guichet-admin hands the statements read from demo_rebuild to two
-- connections in turn, each of which loaded this file.
CREATE FUNCTION pg_temp.demo_rebuild_run(p_ddl text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	PERFORM set_config('maintenance_work_mem', '1GB', true);
	EXECUTE p_ddl;
END
$$;

-- Only this session's caller runs them.
REVOKE ALL ON FUNCTION pg_temp.demo_u(integer, bigint, integer), pg_temp.demo_logins(),
    pg_temp.demo_begin(boolean), pg_temp.demo_config(integer, date), pg_temp.demo_services(),
    pg_temp.demo_agents(), pg_temp.demo_words(), pg_temp.demo_contact_base(),
    pg_temp.demo_contacts(integer, integer, date), pg_temp.demo_tickets(integer, integer, date),
    pg_temp.demo_articles(integer), pg_temp.demo_history(), pg_temp.demo_load(),
    pg_temp.demo_finish(), pg_temp.demo_rebuild_run(text),
    pg_temp.demo_chain_step(bytea, bigint, integer, timestamptz, name, text, text, text, text)
    FROM PUBLIC;
