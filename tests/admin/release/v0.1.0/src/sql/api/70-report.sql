-- 70-report.sql — what guichet-report computes, as SQL functions anyone with
-- psql or a BI tool can call and get the same figures.
--
-- Every function here is SECURITY INVOKER, LANGUAGE sql, STABLE and has no SET
-- clause, so that the planner inlines it into the caller's query: the report's
-- arguments then become constants (a CASE on the dimension folds away) and the
-- row-level security of the caller's own role applies to every table read — a
-- supervisor's report counts only what she may see. Without a SET clause the
-- search_path is the caller's, so every name is qualified with guichet.
--
-- Common arguments: p_from and p_to are dates, both included, read in the
-- session's time zone (the period is [p_from 00:00, p_to + 1 00:00)); p_org an
-- organisation code; p_queues and p_services lists of codes (empty: all). Merged
-- tickets are duplicates of another one and never counted.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- The queues a report is limited to, or NULL for no limit (RLS still applies).
CREATE FUNCTION report_queue_ids(p_org text, p_queues text[])
    RETURNS integer[]
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN p_org IS NULL AND coalesce(cardinality(p_queues), 0) = 0 THEN NULL
    ELSE coalesce((SELECT array_agg(q.id ORDER BY q.id)
        FROM guichet.queue q JOIN guichet.organisation o ON o.id = q.organisation_id
        WHERE (p_org IS NULL OR o.code = p_org)
          AND (coalesce(cardinality(p_queues), 0) = 0 OR q.code = ANY (p_queues))),
        '{}') END;

CREATE FUNCTION report_service_ids(p_services text[])
    RETURNS integer[]
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN coalesce(cardinality(p_services), 0) = 0 THEN NULL
    ELSE coalesce((SELECT array_agg(s.id ORDER BY s.id) FROM guichet.service s
        WHERE s.code = ANY (p_services)), '{}') END;

-- The first filter argument that names nothing this role can see, as
-- 'org:CODE', 'queue:CODE' or 'service:CODE'; no row when all exist.
CREATE FUNCTION report_check_filters(p_org text, p_queues text[], p_services text[])
    RETURNS TABLE (problem text)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT x.problem FROM (
		SELECT 0 AS k, 0::bigint AS i, 'org:' || p_org AS problem
		WHERE p_org IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM guichet.organisation o WHERE o.code = p_org)
		UNION ALL
		SELECT 1, u.i, 'queue:' || u.c FROM unnest(p_queues) WITH ORDINALITY AS u(c, i)
		WHERE NOT EXISTS (SELECT 1 FROM guichet.queue q WHERE q.code = u.c)
		UNION ALL
		SELECT 2, u.i, 'service:' || u.c FROM unnest(p_services) WITH ORDINALITY AS u(c, i)
		WHERE NOT EXISTS (SELECT 1 FROM guichet.service s WHERE s.code = u.c)
	) x ORDER BY x.k, x.i LIMIT 1;
END;

-- The name a person reads for the key of a dimension (a queue id, a service id…).
CREATE FUNCTION report_dim_label(p_dim text, p_key text)
    RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE
    WHEN p_key IS NULL THEN NULL
    WHEN p_dim = 'queue' THEN (SELECT q.name FROM guichet.queue q WHERE q.id = p_key::integer)
    WHEN p_dim = 'service' THEN (SELECT s.category || ' / ' || s.name
        FROM guichet.service s WHERE s.id = p_key::integer)
    WHEN p_dim = 'district' THEN (SELECT d.name FROM guichet.district d
        WHERE d.id = p_key::integer)
    ELSE p_key END;

-- The field a 'field:NAME' dimension reads, NULL for the other dimensions.
CREATE FUNCTION report_dim_field(p_dim text)
    RETURNS integer
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT f.id FROM guichet.field f
    WHERE p_dim LIKE 'field:%' AND f.name = substr(p_dim, 7));

-- volume: tickets created and tickets resolved in the period, grouped by up to
-- three dimensions (queue, service, district, channel, status, priority or
-- field:NAME) and, with p_per (day, week, month), by period. A ticket created
-- in the period counts as created in the period of its created_at; one resolved
-- in the period counts as resolved in the period of its resolved_at. share is
-- the row's part of the created tickets of its period. The last row is the total.
CREATE FUNCTION report_volume(p_from date, p_to date, p_org text, p_queues text[],
    p_services text[], p_by text[], p_per text)
    RETURNS TABLE (period date, dim1 text, dim2 text, dim3 text, created bigint,
        resolved bigint, share numeric, total boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH f AS (
		SELECT (SELECT guichet.report_queue_ids(p_org, p_queues)) AS qids,
		    (SELECT guichet.report_service_ids(p_services)) AS sids,
		    (SELECT guichet.report_dim_field(p_by[1])) AS f1,
		    (SELECT guichet.report_dim_field(p_by[2])) AS f2,
		    (SELECT guichet.report_dim_field(p_by[3])) AS f3
	), t AS NOT MATERIALIZED (
		-- The tickets the filters select, with their keys. The dimension's
		-- CASE folds to one column once the arguments are known; a field is
		-- read only when a dimension names one.
		SELECT t.created_at, t.resolved_at,
		    CASE WHEN p_by[1] IS NULL THEN NULL
		        WHEN p_by[1] = 'queue' THEN t.queue_id::text
		        WHEN p_by[1] = 'service' THEN t.service_id::text
		        WHEN p_by[1] = 'district' THEN t.district_id::text
		        WHEN p_by[1] = 'channel' THEN t.channel
		        WHEN p_by[1] = 'status' THEN t.status
		        WHEN p_by[1] = 'priority' THEN t.priority::text
		        ELSE (SELECT v.value FROM guichet.ticket_field v
		            WHERE v.ticket_id = t.id AND v.field_id = f.f1) END AS k1,
		    CASE WHEN p_by[2] IS NULL THEN NULL
		        WHEN p_by[2] = 'queue' THEN t.queue_id::text
		        WHEN p_by[2] = 'service' THEN t.service_id::text
		        WHEN p_by[2] = 'district' THEN t.district_id::text
		        WHEN p_by[2] = 'channel' THEN t.channel
		        WHEN p_by[2] = 'status' THEN t.status
		        WHEN p_by[2] = 'priority' THEN t.priority::text
		        ELSE (SELECT v.value FROM guichet.ticket_field v
		            WHERE v.ticket_id = t.id AND v.field_id = f.f2) END AS k2,
		    CASE WHEN p_by[3] IS NULL THEN NULL
		        WHEN p_by[3] = 'queue' THEN t.queue_id::text
		        WHEN p_by[3] = 'service' THEN t.service_id::text
		        WHEN p_by[3] = 'district' THEN t.district_id::text
		        WHEN p_by[3] = 'channel' THEN t.channel
		        WHEN p_by[3] = 'status' THEN t.status
		        WHEN p_by[3] = 'priority' THEN t.priority::text
		        ELSE (SELECT v.value FROM guichet.ticket_field v
		            WHERE v.ticket_id = t.id AND v.field_id = f.f3) END AS k3
		FROM f CROSS JOIN guichet.ticket t
		WHERE t.status <> 'merged'
		  AND (f.qids IS NULL OR t.queue_id = ANY (f.qids))
		  AND (f.sids IS NULL OR t.service_id = ANY (f.sids))
	), ev AS (
		-- One pass over the tickets of the period (a parallel scan, no
		-- row per event), counted per period of creation, period of
		-- resolution and keys: a few thousand groups at most. Each group
		-- then gives its created count to its creation period and its
		-- resolved count to its resolution period.
		SELECT CASE WHEN p_per IS NOT NULL THEN date_trunc(p_per, t.created_at)::date END
		        AS cp,
		    CASE WHEN p_per IS NOT NULL THEN date_trunc(p_per, t.resolved_at)::date END
		        AS rp,
		    t.k1, t.k2, t.k3,
		    count(*) FILTER (WHERE t.created_at >= p_from::timestamptz
		        AND t.created_at < (p_to + 1)::timestamptz) AS c,
		    count(*) FILTER (WHERE t.resolved_at >= p_from::timestamptz
		        AND t.resolved_at < (p_to + 1)::timestamptz) AS r
		FROM t
		WHERE (t.created_at >= p_from::timestamptz AND t.created_at < (p_to + 1)::timestamptz)
		   OR (t.resolved_at >= p_from::timestamptz AND t.resolved_at < (p_to + 1)::timestamptz)
		GROUP BY 1, 2, 3, 4, 5
	), e AS (
		SELECT ev.cp AS period, ev.k1, ev.k2, ev.k3, ev.c, 0 AS r FROM ev WHERE ev.c > 0
		UNION ALL
		SELECT ev.rp, ev.k1, ev.k2, ev.k3, 0, ev.r FROM ev WHERE ev.r > 0
	), g AS (
		SELECT e.period, e.k1, e.k2, e.k3, sum(e.c) AS created, sum(e.r) AS resolved,
		    GROUPING(e.period, e.k1, e.k2, e.k3) <> 0 AS total
		FROM e GROUP BY GROUPING SETS ((e.period, e.k1, e.k2, e.k3), ())
		HAVING count(*) > 0
	), l AS (
		SELECT g.period, guichet.report_dim_label(p_by[1], g.k1) AS dim1,
		    guichet.report_dim_label(p_by[2], g.k2) AS dim2,
		    guichet.report_dim_label(p_by[3], g.k3) AS dim3,
		    g.k1, g.k2, g.k3, g.created::bigint AS created, g.resolved::bigint AS resolved,
		    g.total
		FROM g
	)
	SELECT l.period, l.dim1, l.dim2, l.dim3, l.created, l.resolved,
	    round(l.created::numeric / nullif(sum(l.created) OVER (PARTITION BY l.total,
	        l.period), 0), 4) AS share,
	    l.total
	FROM l
	ORDER BY l.total, l.period, l.created DESC, l.resolved DESC, l.dim1, l.dim2, l.dim3,
	    l.k1, l.k2, l.k3;
END;

-- trend: the volume of each period from p_from to p_to (p_per: week or month,
-- or day), with the periods without tickets as zeros, for all tickets or per
-- value of one dimension; change is the created count against the previous
-- period of the same value (NULL when that was zero).
CREATE FUNCTION report_trend(p_from date, p_to date, p_org text, p_queues text[],
    p_services text[], p_by text, p_per text)
    RETURNS TABLE (period date, dim1 text, created bigint, resolved bigint, change numeric,
        total boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH v AS (
		SELECT v.period, v.dim1, v.created, v.resolved
		FROM guichet.report_volume(p_from, p_to, p_org, p_queues, p_services,
		    CASE WHEN p_by IS NULL THEN '{}'::text[] ELSE ARRAY[p_by] END, p_per) v
		WHERE NOT v.total
	), periods AS (
		SELECT s::date AS period
		FROM generate_series(date_trunc(p_per, p_from::timestamp), p_to::timestamp,
		    ('1 ' || p_per)::interval) AS s
	), dims AS (
		SELECT DISTINCT v.dim1 FROM v
	), grid AS (
		SELECT p.period, d.dim1, coalesce(v.created, 0)::bigint AS created,
		    coalesce(v.resolved, 0)::bigint AS resolved
		FROM periods p CROSS JOIN dims d
		LEFT JOIN v ON v.period = p.period AND v.dim1 IS NOT DISTINCT FROM d.dim1
	)
	SELECT x.period, x.dim1, x.created, x.resolved, x.change, x.total FROM (
		SELECT grid.period, grid.dim1, grid.created, grid.resolved,
		    round((grid.created - lag(grid.created) OVER w)::numeric
		        / nullif(lag(grid.created) OVER w, 0), 4) AS change,
		    false AS total
		FROM grid
		WINDOW w AS (PARTITION BY grid.dim1 ORDER BY grid.period)
		UNION ALL
		SELECT NULL, NULL, sum(grid.created)::bigint, sum(grid.resolved)::bigint, NULL, true
		FROM grid HAVING count(*) > 0
	) x
	ORDER BY x.total, x.dim1, x.period;
END;
