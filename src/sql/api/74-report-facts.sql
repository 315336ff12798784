-- 74-report-facts.sql — the facts the agents and escalations reports count
-- (table report_fact, schema/0009_scale.sql): one narrow row per claim,
-- resolution, level change and agent's article, written by triggers in the
-- writer's own transaction, carrying the ticket's queue and service of now.
--
-- Why: history's row-level security probes the ticket of each row (its
-- visibility follows the ticket), so a year of history at a million tickets
-- cost a probe per row and a serial plan. A fact's visibility is its own
-- queue_id, the same condition as ticket's policy, so a report reads a
-- period's facts with one condition per row and in parallel workers.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- The facts of one history row (none for a row no report counts), for the
-- trigger (report_fact_rebuild does all rows at once, the same way). The
-- handling time of a resolution: from the resolving agent's latest claim of
-- the ticket at or before it, else from the ticket's creation. The queue move
-- of an escalation or a return is the one made at the same instant (the same
-- statement); its level is read by the report, as its caller.
CREATE FUNCTION report_fact_of_history(p_ticket bigint, p_seq integer, p_at timestamptz,
    p_actor name, p_field text, p_old text, p_new text)
    RETURNS SETOF guichet.report_fact
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT t.id, t.queue_id, t.service_id, p_at, k.kind,
	    CASE WHEN k.kind = 'c' THEN p_new::integer
	        ELSE (SELECT a.id FROM guichet.agent a WHERE a.login = p_actor) END,
	    p_seq, NULL::bigint,
	    -- float8, as percentile_cont reads it.
	    CASE WHEN k.kind = 'r' THEN extract(epoch FROM p_at - coalesce((
	        SELECT max(c.at) FROM guichet.history c
	        WHERE c.ticket_id = p_ticket AND c.field = 'owner_id' AND c.at <= p_at
	          AND c.new_value = (SELECT a.id FROM guichet.agent a
	              WHERE a.login = p_actor)::text), t.created_at))::float8 END,
	    NULL::integer,
	    CASE WHEN k.kind = 'e' THEN p_old::smallint END,
	    m.from_queue, m.to_queue,
	    CASE WHEN k.kind = 'e' THEN t.created_at END,
	    CASE WHEN k.kind = 'e' AND t.status IN ('resolved', 'closed') THEN t.resolved_at END
	FROM guichet.ticket t
	CROSS JOIN LATERAL (SELECT CASE
	    WHEN p_field = 'owner_id' AND p_new IS NOT NULL THEN 'c'
	    WHEN p_field = 'status' AND p_new = 'resolved' THEN 'r'
	    WHEN p_field = 'level' AND p_new = '2' THEN 'e'
	    WHEN p_field = 'level' AND p_old = '2' AND p_new = '1' THEN 'b' END::"char" AS kind) k
	LEFT JOIN LATERAL (SELECT q.old_value::integer AS from_queue,
	        q.new_value::integer AS to_queue
	    FROM guichet.history q
	    WHERE k.kind IN ('e', 'b') AND q.ticket_id = p_ticket AND q.at = p_at
	      AND q.field = 'queue_id'
	    ORDER BY q.seq DESC LIMIT 1) m ON true
	WHERE t.id = p_ticket AND k.kind IS NOT NULL;
END;

-- The fact of one article (none unless an agent wrote it).
CREATE FUNCTION report_fact_of_article(p_article bigint, p_ticket bigint, p_at timestamptz,
    p_kind text, p_agent integer, p_minutes integer)
    RETURNS SETOF guichet.report_fact
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT t.id, t.queue_id, t.service_id, p_at,
	    CASE WHEN p_kind IN ('mail_out', 'phone') THEN 'm'
	        WHEN p_kind = 'note' THEN 'n' ELSE 'o' END::"char",
	    p_agent, NULL::integer, p_article, NULL::float8, p_minutes, NULL::smallint,
	    NULL::integer, NULL::integer, NULL::timestamptz, NULL::timestamptz
	FROM guichet.ticket t
	WHERE t.id = p_ticket AND p_agent IS NOT NULL;
END;

-- Every fact again, from history and article: after a load with triggers
-- off (sla_clock_rebuild calls it), and on the first migrate that creates
-- the table. Returns how many facts there are. One pass over each table
-- (report_fact_of_history would probe a ticket's history for each
-- resolution): a resolution's latest claim by the same agent comes from a
-- window over the ticket's claims and resolutions per agent, in time order
-- (RANGE: the claims at the same instant count, as c.at <= r.at does).
CREATE FUNCTION report_fact_rebuild()
    RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	n bigint;
BEGIN
	DELETE FROM report_fact;
	INSERT INTO report_fact
	SELECT w.ticket_id, t.queue_id, t.service_id, w.at, w.kind, w.agent_id, w.seq, NULL,
	    CASE WHEN w.kind = 'r' THEN extract(epoch FROM w.at
	        - coalesce(w.claimed_at, t.created_at))::float8 END,
	    NULL, CASE WHEN w.kind = 'e' THEN w.old_value::smallint END,
	    m.from_queue, m.to_queue, CASE WHEN w.kind = 'e' THEN t.created_at END,
	    CASE WHEN w.kind = 'e' AND t.status IN ('resolved', 'closed') THEN t.resolved_at END
	FROM (
		SELECT x.*, max(x.at) FILTER (WHERE x.kind = 'c') OVER (PARTITION BY x.ticket_id,
		    x.agent_id ORDER BY x.at RANGE UNBOUNDED PRECEDING) AS claimed_at
		FROM (
			SELECT h.ticket_id, h.seq, h.at, h.old_value,
			    CASE WHEN h.field = 'owner_id' THEN 'c'
			        WHEN h.field = 'status' THEN 'r'
			        WHEN h.new_value = '2' THEN 'e' ELSE 'b' END::"char" AS kind,
			    CASE WHEN h.field = 'owner_id' THEN h.new_value::integer
			        ELSE (SELECT a.id FROM agent a WHERE a.login = h.actor) END AS agent_id
			FROM history h
			WHERE (h.field = 'owner_id' AND h.new_value IS NOT NULL)
			   OR (h.field = 'status' AND h.new_value = 'resolved')
			   OR (h.field = 'level' AND (h.new_value = '2' OR h.old_value = '2'))
		) x
	) w
	JOIN ticket t ON t.id = w.ticket_id
	-- The queue move of the same instant (the last one), joined by hash: a
	-- probe of history per fact would need an index the demo generator has
	-- not built yet when it calls this, and was quadratic without it.
	LEFT JOIN (SELECT DISTINCT ON (q.ticket_id, q.at) q.ticket_id, q.at,
	        q.old_value::integer AS from_queue, q.new_value::integer AS to_queue
	    FROM history q
	    WHERE q.field = 'queue_id'
	    ORDER BY q.ticket_id, q.at, q.seq DESC) m
	    ON w.kind IN ('e', 'b') AND m.ticket_id = w.ticket_id AND m.at = w.at;
	INSERT INTO report_fact
	SELECT f.*
	FROM article a
	CROSS JOIN LATERAL report_fact_of_article(a.id, a.ticket_id, a.created_at, a.kind,
	    a.author_agent_id, a.time_spent) f
	WHERE a.author_agent_id IS NOT NULL;
	SELECT count(*) INTO n FROM report_fact;
	RETURN n;
END
$$;

-- History's facts, as each row is written (by the API, as guichet_api). A
-- statement writes a queue move before the level change it goes with. A
-- claim written after a resolution by the same agent at the same instant
-- (one transaction) is her latest claim for it: its handling time is 0.
CREATE FUNCTION report_fact_history()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF NEW.field = 'owner_id' THEN
		UPDATE report_fact SET handling = 0
		WHERE ticket_id = NEW.ticket_id AND kind = 'r' AND at = NEW.at
		  AND agent_id = NEW.new_value::integer AND handling <> 0;
	END IF;
	INSERT INTO report_fact
	SELECT * FROM report_fact_of_history(NEW.ticket_id, NEW.seq, NEW.at, NEW.actor,
	    NEW.field, NEW.old_value, NEW.new_value);
	RETURN NULL;
END
$$;
CREATE TRIGGER report_fact_history AFTER INSERT ON history
    FOR EACH ROW WHEN ((NEW.field = 'owner_id' AND NEW.new_value IS NOT NULL)
        OR (NEW.field = 'status' AND NEW.new_value = 'resolved')
        OR (NEW.field = 'level' AND (NEW.new_value = '2' OR NEW.old_value = '2')))
    EXECUTE FUNCTION report_fact_history();

-- An article's fact follows it: written with it, moved with it (merge).
CREATE FUNCTION report_fact_article()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF TG_OP = 'UPDATE' THEN
		DELETE FROM report_fact WHERE article_id = OLD.id;
	END IF;
	INSERT INTO report_fact
	SELECT * FROM report_fact_of_article(NEW.id, NEW.ticket_id, NEW.created_at, NEW.kind,
	    NEW.author_agent_id, NEW.time_spent);
	RETURN NULL;
END
$$;
CREATE TRIGGER report_fact_article AFTER INSERT ON article
    FOR EACH ROW WHEN (NEW.author_agent_id IS NOT NULL)
    EXECUTE FUNCTION report_fact_article();
CREATE TRIGGER report_fact_article_moved AFTER UPDATE ON article
    FOR EACH ROW WHEN ((OLD.ticket_id, OLD.kind, OLD.author_agent_id, OLD.created_at,
        OLD.time_spent) IS DISTINCT FROM (NEW.ticket_id, NEW.kind, NEW.author_agent_id,
        NEW.created_at, NEW.time_spent))
    EXECUTE FUNCTION report_fact_article();

-- A ticket's facts carry its queue and service of now; its escalations,
-- its resolution while it is resolved or closed.
CREATE FUNCTION report_fact_ticket()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF (OLD.queue_id, OLD.service_id) IS DISTINCT FROM (NEW.queue_id, NEW.service_id) THEN
		UPDATE report_fact SET queue_id = NEW.queue_id, service_id = NEW.service_id
		WHERE ticket_id = NEW.id;
	END IF;
	UPDATE report_fact SET ticket_resolved = CASE WHEN NEW.status IN ('resolved', 'closed')
	    THEN NEW.resolved_at END
	WHERE ticket_id = NEW.id AND kind = 'e'
	  AND ticket_resolved IS DISTINCT FROM CASE WHEN NEW.status IN ('resolved', 'closed')
	      THEN NEW.resolved_at END;
	RETURN NULL;
END
$$;
CREATE TRIGGER report_fact_ticket AFTER UPDATE ON ticket
    FOR EACH ROW WHEN (OLD.queue_id IS DISTINCT FROM NEW.queue_id
        OR OLD.service_id IS DISTINCT FROM NEW.service_id
        OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at)
    EXECUTE FUNCTION report_fact_ticket();

-- The facts are read like the tickets: those of the queues the caller sees.
CREATE POLICY report_fact_read ON report_fact FOR SELECT TO guichet_agent, guichet_mail
    USING (queue_id = ANY ((SELECT guichet.visible_queues())::integer[]));

-- Only the triggers write the facts, as the writer (the API's owner).
GRANT INSERT, UPDATE, DELETE ON report_fact TO guichet_api;
REVOKE ALL ON FUNCTION report_fact_of_history(bigint, integer, timestamptz, name, text, text,
    text), report_fact_of_article(bigint, bigint, timestamptz, text, integer, integer),
    report_fact_rebuild() FROM PUBLIC;

-- A desk from before the facts (or loaded with its triggers off): its
-- history has claims, resolutions or level changes and there is no fact.
DO $rebuild$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM report_fact)
	    AND EXISTS (SELECT 1 FROM history WHERE field IN ('owner_id', 'status', 'level')) THEN
		PERFORM report_fact_rebuild();
	END IF;
END
$rebuild$;
