-- 71-report-backlog.sql — the open tickets now, or at the end of a past day
-- rebuilt from history, by age and queue. See 70-report.sql for the rules
-- every report function follows (SECURITY INVOKER, inlinable, RLS applies).

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- The value one of a ticket's columns had at a time, from the history rows
-- 10-history.sql writes (field = the column's name, old and new as text):
-- the newest change at or before that time, else the old value of the first
-- change after it, else the value it has now.
CREATE FUNCTION report_value_at(p_ticket bigint, p_field text, p_at timestamptz,
    p_current text)
    RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v text;
BEGIN
	SELECT h.new_value INTO v FROM history h
	WHERE h.ticket_id = p_ticket AND h.field = p_field AND h.at <= p_at
	ORDER BY h.seq DESC LIMIT 1;
	IF FOUND THEN
		RETURN v;
	END IF;
	SELECT h.old_value INTO v FROM history h
	WHERE h.ticket_id = p_ticket AND h.field = p_field AND h.at > p_at
	ORDER BY h.seq LIMIT 1;
	IF FOUND THEN
		RETURN v;
	END IF;
	RETURN p_current;
END
$$;

-- The tickets open (new, open or pending) at the end of day p_at, or now when
-- p_at is NULL, with their queue, owner and priority at that time. Only the
-- tickets that changed after p_at need their history read: the others are as
-- they are now.
CREATE FUNCTION report_backlog_tickets(p_at date, p_org text, p_queues text[],
    p_services text[])
    RETURNS TABLE (id bigint, queue_id integer, status text, owner_id integer,
        priority smallint, created_at timestamptz, age numeric, subject text)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH f AS (
		SELECT (SELECT guichet.report_queue_ids(p_org, p_queues)) AS qids,
		    (SELECT guichet.report_service_ids(p_services)) AS sids,
		    coalesce((p_at + 1)::timestamptz, now()) AS at
	), c AS (
		-- The open tickets now, and those closed since p_at (each branch
		-- reads its own index: one condition with OR read every ticket).
		SELECT t.id, t.created_at, t.subject, f.at, f.qids,
		    p_at IS NULL OR t.updated_at <= f.at AS unchanged,
		    t.status, t.queue_id, t.owner_id, t.priority
		FROM f CROSS JOIN guichet.ticket t
		WHERE t.created_at < f.at
		  AND (f.sids IS NULL OR t.service_id = ANY (f.sids))
		  AND t.status IN ('new', 'open', 'pending')
		UNION ALL
		SELECT t.id, t.created_at, t.subject, f.at, f.qids, false, t.status, t.queue_id,
		    t.owner_id, t.priority
		FROM f CROSS JOIN guichet.ticket t
		WHERE p_at IS NOT NULL AND t.created_at < f.at
		  AND (f.sids IS NULL OR t.service_id = ANY (f.sids))
		  AND t.status IN ('resolved', 'closed', 'merged') AND t.updated_at > f.at
	), s AS (
		SELECT c.id, c.created_at, c.subject, c.at, c.qids,
		    CASE WHEN c.unchanged THEN c.status
		        ELSE guichet.report_value_at(c.id, 'status', c.at, c.status) END AS status,
		    CASE WHEN c.unchanged THEN c.queue_id
		        ELSE guichet.report_value_at(c.id, 'queue_id', c.at,
		            c.queue_id::text)::integer END AS queue_id,
		    CASE WHEN c.unchanged THEN c.owner_id
		        ELSE guichet.report_value_at(c.id, 'owner_id', c.at,
		            c.owner_id::text)::integer END AS owner_id,
		    CASE WHEN c.unchanged THEN c.priority
		        ELSE guichet.report_value_at(c.id, 'priority', c.at,
		            c.priority::text)::smallint END AS priority
		FROM c
	)
	SELECT s.id, s.queue_id, s.status, s.owner_id, s.priority, s.created_at,
	    extract(epoch FROM s.at - s.created_at) AS age, s.subject
	FROM s
	WHERE s.status IN ('new', 'open', 'pending')
	  AND (s.qids IS NULL OR s.queue_id = ANY (s.qids));
END;

-- Open tickets per queue by age: under a day, 1–3 days, 3–7 days, 1–4 weeks,
-- over 4 weeks; the last row is the total.
CREATE FUNCTION report_backlog(p_at date, p_org text, p_queues text[], p_services text[])
    RETURNS TABLE (queue text, age_1d bigint, age_3d bigint, age_7d bigint,
        age_4w bigint, age_older bigint, open bigint, total boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT x.queue, x.age_1d, x.age_3d, x.age_7d, x.age_4w, x.age_older, x.open, x.total
	FROM (
		SELECT guichet.report_dim_label('queue', b.queue_id::text) AS queue, b.queue_id,
		    count(*) FILTER (WHERE b.age < 86400) AS age_1d,
		    count(*) FILTER (WHERE b.age >= 86400 AND b.age < 3 * 86400) AS age_3d,
		    count(*) FILTER (WHERE b.age >= 3 * 86400 AND b.age < 7 * 86400) AS age_7d,
		    count(*) FILTER (WHERE b.age >= 7 * 86400 AND b.age < 28 * 86400) AS age_4w,
		    count(*) FILTER (WHERE b.age >= 28 * 86400) AS age_older,
		    count(*) AS open,
		    GROUPING(b.queue_id) <> 0 AS total
		FROM guichet.report_backlog_tickets(p_at, p_org, p_queues, p_services) b
		GROUP BY GROUPING SETS ((b.queue_id), ())
		HAVING count(*) > 0
	) x
	ORDER BY x.total, x.open DESC, x.queue, x.queue_id;
END;

-- The oldest open tickets (p_limit of them), oldest first.
CREATE FUNCTION report_backlog_oldest(p_at date, p_org text, p_queues text[],
    p_services text[], p_limit integer)
    RETURNS TABLE (id bigint, queue text, status text, priority smallint, owner text,
        age numeric, subject text)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT b.id, guichet.report_dim_label('queue', b.queue_id::text), b.status, b.priority,
	    (SELECT a.display_name FROM guichet.agent a WHERE a.id = b.owner_id), round(b.age),
	    b.subject
	FROM guichet.report_backlog_tickets(p_at, p_org, p_queues, p_services) b
	ORDER BY b.created_at, b.id
	LIMIT p_limit;
END;
