-- 55-search.sql — finding things: words in each organisation's language
-- (stemming by its text search configuration, accents ignored), -word that
-- excludes a ticket whose subject or any article has the word, saved searches
-- per agent, and the history with names and times the desk reads.
--
-- Each ticket and article carries its organisation's configuration
-- (search_config, schema 0005_told.sql): the triggers below keep it when a
-- ticket is created or moves to another organisation, an article is written or
-- moved (merge), or an admin changes an organisation's language.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- A new ticket, or one moved to a queue of another organisation, takes that
-- organisation's configuration (after ticket_defaults and ticket_queue_moved,
-- which fill organisation_id: triggers fire in name order).
CREATE FUNCTION ticket_search_config()
    RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
	NEW.search_config := coalesce((SELECT o.text_search_config FROM guichet.organisation o
	    WHERE o.id = NEW.organisation_id), 'simple');
	RETURN NEW;
END
$$;
CREATE TRIGGER ticket_search_config BEFORE INSERT ON ticket
    FOR EACH ROW EXECUTE FUNCTION ticket_search_config();
CREATE TRIGGER ticket_search_config_moved BEFORE UPDATE ON ticket
    FOR EACH ROW WHEN (OLD.organisation_id IS DISTINCT FROM NEW.organisation_id)
    EXECUTE FUNCTION ticket_search_config();

-- Its articles follow a ticket's configuration.
CREATE FUNCTION ticket_search_config_articles()
    RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
	UPDATE guichet.article SET search_config = NEW.search_config
	WHERE ticket_id = NEW.id AND search_config <> NEW.search_config;
	RETURN NULL;
END
$$;
CREATE TRIGGER ticket_search_config_articles AFTER UPDATE ON ticket
    FOR EACH ROW WHEN (OLD.search_config IS DISTINCT FROM NEW.search_config)
    EXECUTE FUNCTION ticket_search_config_articles();

CREATE FUNCTION article_search_config()
    RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
	NEW.search_config := coalesce((SELECT t.search_config FROM guichet.ticket t
	    WHERE t.id = NEW.ticket_id), 'simple');
	RETURN NEW;
END
$$;
CREATE TRIGGER article_search_config BEFORE INSERT ON article
    FOR EACH ROW EXECUTE FUNCTION article_search_config();
CREATE TRIGGER article_search_config_moved BEFORE UPDATE ON article
    FOR EACH ROW WHEN (OLD.ticket_id IS DISTINCT FROM NEW.ticket_id)
    EXECUTE FUNCTION article_search_config();

-- An admin changes an organisation's language (UPDATE organisation SET
-- text_search_config = 'german'): its tickets and their articles are indexed
-- again with it. SECURITY DEFINER: admins may not write tickets themselves.
CREATE FUNCTION organisation_search_config()
    RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	UPDATE ticket SET search_config = NEW.text_search_config
	WHERE organisation_id = NEW.id AND search_config <> NEW.text_search_config;
	RETURN NULL;
END
$$;
CREATE TRIGGER organisation_search_config AFTER UPDATE OF text_search_config ON organisation
    FOR EACH ROW WHEN (OLD.text_search_config IS DISTINCT FROM NEW.text_search_config)
    EXECUTE FUNCTION organisation_search_config();

-- The words of a search (websearch_to_tsquery's syntax) as a query in one
-- configuration, accents removed as the indexes have them.
CREATE FUNCTION search_query(p_config text, p_words text)
    RETURNS tsquery
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp
    SET client_min_messages = warning AS $$
	SELECT websearch_to_tsquery(p_config::regconfig,
	    public.unaccent('public.unaccent'::regdictionary, p_words))
$$;

-- Does the ticket's subject or any of its articles match p_query?
CREATE FUNCTION search_ticket_has(p_ticket bigint, p_query tsquery)
    RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT EXISTS (SELECT 1 FROM ticket t WHERE t.id = p_ticket
	        AND search_vector(t.search_config, t.subject) @@ p_query)
	    OR EXISTS (SELECT 1 FROM article a WHERE a.ticket_id = p_ticket
	        AND search_vector(a.search_config, a.body) @@ p_query)
$$;

-- The tickets whose subject or an article's body has the words, in each
-- configuration of the caller's visible organisations (one pass per
-- configuration over the same indexes), minus the tickets whose subject or any
-- article has a -word, among p_statuses and the queue p_queue or the queues
-- coded p_queue_codes. As before (60-console.sql, in the 'simple'
-- configuration): with those terms, when they leave at most 30,000 tickets,
-- the bodies' index is read for those tickets only; with p_limit it stops at
-- that many tickets, the subjects' matches first. Only -words: every ticket of
-- those statuses and queues without them. Numbered before the console's
-- files, whose SQL-standard bodies bind to it when they are created.
CREATE FUNCTION search_text(p_query text, p_limit integer DEFAULT NULL,
    p_statuses text[] DEFAULT NULL, p_queue integer DEFAULT NULL,
    p_queue_codes text[] DEFAULT NULL)
    RETURNS SETOF bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp
    ROWS 100 AS $$
DECLARE
	vis integer[] := visible_queues();
	st text[] := coalesce(p_statuses,
	    '{new,open,pending,resolved,closed,merged}'::text[]);
	pos text;
	neg text;
	cfg text;
	q tsquery;
	nq tsquery;
	cand bigint[]; -- the tickets of those statuses and queues, when few
	seen bigint[] := '{}';
	tid bigint;
BEGIN
	IF p_queue IS NOT NULL THEN
		vis := ARRAY(SELECT unnest(vis) INTERSECT SELECT p_queue);
	END IF;
	IF p_queue_codes IS NOT NULL THEN
		vis := ARRAY(SELECT unnest(vis) INTERSECT
		    SELECT id FROM queue WHERE code = ANY (p_queue_codes));
	END IF;
	-- "-word" and -"a phrase" exclude; the rest is looked for.
	SELECT string_agg(m[2], ' ') FILTER (WHERE m[1] = ''),
	    string_agg(m[2], ' or ') FILTER (WHERE m[1] = '-')
	INTO pos, neg
	FROM regexp_matches(coalesce(p_query, ''), '(-?)("[^"]*"?|[^[:space:]"]+)', 'g') AS m;
	IF p_statuses IS NOT NULL OR p_queue IS NOT NULL OR p_queue_codes IS NOT NULL THEN
		-- SEARCH_CANDIDATES: 30,000
		cand := ARRAY(SELECT t.id FROM ticket t
		    WHERE t.queue_id = ANY (vis) AND t.status = ANY (st) LIMIT 30001);
		IF cardinality(cand) > 30000 THEN
			cand := NULL;
		END IF;
	END IF;
	FOR cfg IN SELECT DISTINCT o.text_search_config FROM queue qu
	    JOIN organisation o ON o.id = qu.organisation_id WHERE qu.id = ANY (vis) LOOP
		q := search_query(cfg, pos);
		IF numnode(q) = 0 THEN
			q := NULL;
		END IF;
		nq := search_query(cfg, neg);
		IF numnode(nq) = 0 THEN
			nq := NULL;
		END IF;
		CONTINUE WHEN q IS NULL AND nq IS NULL;
		IF p_limit IS NULL THEN
			RETURN QUERY SELECT x.id FROM (
			    SELECT t.id FROM ticket t
			    WHERE q IS NOT NULL AND search_vector(t.search_config, t.subject) @@ q
			        AND t.search_config = cfg AND t.queue_id = ANY (vis) AND t.status = ANY (st)
			    UNION
			    SELECT a.ticket_id FROM article a
			    WHERE q IS NOT NULL AND cand IS NOT NULL AND a.ticket_id = ANY (cand)
			        AND search_vector(a.search_config, a.body) @@ q AND a.search_config = cfg
			    UNION
			    SELECT a.ticket_id FROM article a JOIN ticket t ON t.id = a.ticket_id
			    WHERE q IS NOT NULL AND cand IS NULL
			        AND search_vector(a.search_config, a.body) @@ q AND a.search_config = cfg
			        AND t.queue_id = ANY (vis) AND t.status = ANY (st)
			    UNION
			    SELECT t.id FROM ticket t
			    WHERE q IS NULL AND t.search_config = cfg AND t.queue_id = ANY (vis)
			        AND t.status = ANY (st)) x
			WHERE nq IS NULL OR NOT search_ticket_has(x.id, nq);
			CONTINUE;
		END IF;
		-- A loop reads its query a few rows at a time: leaving it stops the scan.
		IF q IS NULL THEN
			FOR tid IN SELECT t.id FROM ticket t WHERE t.search_config = cfg
			    AND t.queue_id = ANY (vis) AND t.status = ANY (st) LOOP
				CONTINUE WHEN search_ticket_has(tid, nq);
				IF cardinality(seen) >= p_limit THEN
					RETURN;
				END IF;
				seen := seen || tid;
				RETURN NEXT tid;
			END LOOP;
			CONTINUE;
		END IF;
		FOR tid IN SELECT t.id FROM ticket t
		    WHERE search_vector(t.search_config, t.subject) @@ q
		        AND t.search_config = cfg AND t.queue_id = ANY (vis) AND t.status = ANY (st) LOOP
			CONTINUE WHEN nq IS NOT NULL AND search_ticket_has(tid, nq);
			IF cardinality(seen) >= p_limit THEN
				RETURN;
			END IF;
			seen := seen || tid;
			RETURN NEXT tid;
		END LOOP;
		FOR tid IN SELECT a.ticket_id FROM article a
		    WHERE cand IS NOT NULL AND a.ticket_id = ANY (cand)
		        AND search_vector(a.search_config, a.body) @@ q AND a.search_config = cfg
		    UNION ALL
		    SELECT a.ticket_id FROM article a
		    WHERE cand IS NULL AND search_vector(a.search_config, a.body) @@ q
		        AND a.search_config = cfg
		        AND EXISTS (SELECT 1 FROM ticket t WHERE t.id = a.ticket_id
		            AND t.queue_id = ANY (vis) AND t.status = ANY (st)) LOOP
			CONTINUE WHEN tid = ANY (seen);
			CONTINUE WHEN nq IS NOT NULL AND search_ticket_has(tid, nq);
			IF cardinality(seen) >= p_limit THEN
				RETURN;
			END IF;
			seen := seen || tid;
			RETURN NEXT tid;
		END LOOP;
	END LOOP;
END
$$;

-- Saved searches: the caller's own, named (case does not matter), seen by her
-- alone. The console lists them in the overview with their counts.
CREATE POLICY saved_search_own ON saved_search FOR SELECT TO guichet_agent
    USING (agent_id = (SELECT guichet.current_agent()));
GRANT SELECT ON saved_search TO guichet_agent;
GRANT INSERT, UPDATE, DELETE ON saved_search TO guichet_api;

-- Save (or replace) a search under a name; returns its id.
CREATE FUNCTION search_save(p_name text, p_query text)
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	me integer := agent_self();
	v_id integer;
BEGIN
	p_name := btrim(p_name);
	p_query := btrim(p_query);
	IF coalesce(p_name, '') = '' OR length(p_name) > 60 THEN
		RAISE EXCEPTION 'a search is named in 1 to 60 characters' USING ERRCODE = 'GU005';
	END IF;
	IF coalesce(p_query, '') = '' OR length(p_query) > 1000 THEN
		RAISE EXCEPTION 'a saved search is 1 to 1000 characters' USING ERRCODE = 'GU005';
	END IF;
	IF (SELECT count(*) FROM saved_search WHERE agent_id = me) >= 50
	    AND NOT EXISTS (SELECT 1 FROM saved_search WHERE agent_id = me
	        AND lower(name) = lower(p_name)) THEN
		RAISE EXCEPTION 'at most 50 saved searches' USING ERRCODE = 'GU005';
	END IF;
	INSERT INTO saved_search (agent_id, name, query) VALUES (me, p_name, p_query)
	ON CONFLICT (agent_id, lower(name)) DO UPDATE SET query = EXCLUDED.query, name = EXCLUDED.name
	RETURNING id INTO v_id;
	RETURN v_id;
END
$$;

CREATE FUNCTION search_forget(p_name text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	DELETE FROM saved_search WHERE agent_id = agent_self() AND lower(name) = lower(btrim(p_name));
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no saved search "%"', p_name USING ERRCODE = 'GU006';
	END IF;
END
$$;

-- The desk's time zone: the setting time_zone, else the server's TimeZone.
-- The console sets its session's TimeZone to it, so that every time it shows
-- is the desk's.
CREATE FUNCTION desk_time_zone()
    RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT coalesce(nullif(setting('time_zone'), ''), current_setting('TimeZone'))
$$;

-- A history value as a person reads it: a queue's code, an agent's login, a
-- service's or district's name, a requester's name, a time in the session's
-- time zone. Runs with the caller's rights: what she may not see stays an id.
CREATE FUNCTION history_value_name(p_field text, p_value text)
    RETURNS text
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF p_value IS NULL OR p_value !~ '^[0-9]' THEN
		RETURN p_value;
	END IF;
	CASE p_field
	WHEN 'queue_id' THEN
		RETURN coalesce((SELECT code FROM queue WHERE id = p_value::integer), p_value);
	WHEN 'owner_id' THEN
		RETURN coalesce((SELECT login::text FROM agent WHERE id = p_value::integer), p_value);
	WHEN 'service_id' THEN
		RETURN coalesce((SELECT name FROM service WHERE id = p_value::integer), p_value);
	WHEN 'district_id' THEN
		RETURN coalesce((SELECT name FROM district WHERE id = p_value::integer), p_value);
	WHEN 'requester_id' THEN
		RETURN coalesce((SELECT coalesce(nullif(name, ''), email, phone) FROM contact
		    WHERE id = p_value::bigint), p_value);
	WHEN 'merged_into' THEN
		RETURN '#' || p_value;
	WHEN 'pending_until', 'first_response_due', 'resolution_due' THEN
		RETURN to_char(p_value::timestamptz, 'YYYY-MM-DD HH24:MI');
	ELSE
		RETURN p_value;
	END CASE;
EXCEPTION WHEN invalid_text_representation OR invalid_datetime_format
    OR datetime_field_overflow OR numeric_value_out_of_range THEN
	RETURN p_value;
END
$$;

REVOKE ALL ON FUNCTION search_query(text, text), search_ticket_has(bigint, tsquery),
    search_text(text, integer, text[], integer, text[]), search_save(text, text),
    search_forget(text), desk_time_zone(), history_value_name(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search_text(text, integer, text[], integer, text[]),
    search_save(text, text), search_forget(text), desk_time_zone(),
    history_value_name(text, text)
    TO guichet_agent, guichet_mail;
