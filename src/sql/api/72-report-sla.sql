-- 72-report-sla.sql — SLA and quality figures: how long the clock ran until
-- the first response and until resolution, which tier used it, breaches,
-- reopenings, first-contact resolution. See 70-report.sql for the rules every
-- report function follows.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- The business clock of a local time (an instant AT TIME ZONE the policy's
-- zone): the seconds of business time from Monday 1970-01-05 to it under
-- business hours [p_start, p_end) on p_workdays (ISO days), less the holidays
-- (p_holidays: sorted, distinct, workdays only). The business time between
-- two instants is the difference of their clocks. Closed form and no table
-- read, so that the planner inlines it: the SLA report computes it for
-- millions of clock segments, and converts each instant to local time once.
CREATE FUNCTION report_business_clock(p_local timestamp, p_start time, p_end time,
    p_workdays smallint[], p_holidays date[])
    RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ((
    -- whole workdays before the day: full weeks, then the days of this week
    (p_local::date - date '1970-01-05') / 7 * cardinality(p_workdays)
    + ((p_local::date - date '1970-01-05') % 7 >= 1 AND 1 = ANY (p_workdays))::integer
    + ((p_local::date - date '1970-01-05') % 7 >= 2 AND 2 = ANY (p_workdays))::integer
    + ((p_local::date - date '1970-01-05') % 7 >= 3 AND 3 = ANY (p_workdays))::integer
    + ((p_local::date - date '1970-01-05') % 7 >= 4 AND 4 = ANY (p_workdays))::integer
    + ((p_local::date - date '1970-01-05') % 7 >= 5 AND 5 = ANY (p_workdays))::integer
    + ((p_local::date - date '1970-01-05') % 7 >= 6 AND 6 = ANY (p_workdays))::integer
    -- less the holidays before the day (width_bucket: how many are <= it)
    - CASE WHEN cardinality(p_holidays) > 0
        THEN width_bucket(p_local::date - 1, p_holidays) ELSE 0 END
    )::numeric * extract(epoch FROM p_end - p_start)
    -- and the part of the day itself
    + CASE WHEN extract(isodow FROM p_local)::smallint = ANY (p_workdays)
        AND NOT coalesce(p_local::date = ANY (p_holidays), false)
        THEN least(greatest(extract(epoch FROM p_local::time)
            - extract(epoch FROM p_start), 0), extract(epoch FROM p_end - p_start))
        ELSE 0 END);

-- What the business clock needs, per policy and organisation.
CREATE FUNCTION report_policy_calendar()
    RETURNS TABLE (policy integer, org integer, business_hours boolean, tz text,
        day_start time, day_end time, workdays smallint[], holidays date[])
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT p.id, o.id, p.business_hours, p.timezone, p.day_start, p.day_end, p.workdays,
	    coalesce((SELECT array_agg(DISTINCT h.day ORDER BY h.day) FROM guichet.holiday h
	        WHERE (h.organisation_id IS NULL OR h.organisation_id = o.id)
	          AND extract(isodow FROM h.day)::smallint = ANY (p.workdays)), '{}')
	FROM guichet.sla_policy p CROSS JOIN guichet.organisation o;
END;

-- The SLA clock of each ticket rebuilt from history, as the columns clock_*,
-- reopened and escalated of ticket (40-sla) keep it: one row per ticket (all
-- of them when p_ticket is NULL, each under its own policy and organisation;
-- else that one under p_policy and p_org). The clock runs while the ticket is
-- new or open: it stops while it is pending (waiting on the requester) and
-- while it is resolved before a reopening. It counts business time when the
-- policy has business hours, every second otherwise. The segments come from
-- the status and level changes in history: each change starts one that lasts
-- until the next, the last runs on (clock_since). clock_fr is the clock at
-- the first response, clock_res at resolution (tickets now resolved or
-- closed). Used by sla_clock_rebuild and by ticket_sla_clock when a ticket's
-- policy changes; ticket_level_time (40-sla) is an independent check of it.
CREATE FUNCTION sla_clock_compute(p_ticket bigint, p_policy integer, p_org integer)
    RETURNS TABLE (id bigint, clock_l1 float8, clock_l2 float8, clock_since timestamptz,
        clock_fr float8, clock_res float8, reopened integer, escalated boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	-- The clock of an instant: business seconds since an origin
	-- (report_business_clock), or epoch seconds without business hours. It
	-- never goes back, so the clock used between a and b is c(b) - c(a) and
	-- the clock at min(b, x) is min(c(b), c(x)): one clock per event and two
	-- per ticket, none per segment.
	WITH pop AS (
		SELECT t.id, t.created_at, t.status, t.level, cal.tz,
		    coalesce(cal.business_hours, false) AS bh, cal.day_start, cal.day_end,
		    cal.workdays, cal.holidays, t.first_response_at,
		    CASE WHEN t.status IN ('resolved', 'closed') THEN t.resolved_at END
		        AS resolved_at,
		    t.created_at AT TIME ZONE cal.tz AS created_local,
		    t.first_response_at AT TIME ZONE cal.tz AS fr_local,
		    t.resolved_at AT TIME ZONE cal.tz AS res_local
		FROM guichet.ticket t
		JOIN guichet.queue q ON q.id = t.queue_id
		LEFT JOIN guichet.service s ON s.id = t.service_id
		LEFT JOIN guichet.report_policy_calendar() cal
		    ON cal.policy = CASE WHEN p_ticket IS NULL
		        THEN coalesce(s.sla_policy_id, q.sla_policy_id) ELSE p_policy END
		    AND cal.org = CASE WHEN p_ticket IS NULL THEN t.organisation_id ELSE p_org END
		WHERE p_ticket IS NULL OR t.id = p_ticket
		-- A fence: report_business_clock is inlined only when its first
		-- argument is a plain column (it is used many times in the body).
		OFFSET 0
	), pc AS (
		-- The clocks at creation, first response and resolution.
		SELECT pop.*,
		    CASE WHEN pop.bh THEN guichet.report_business_clock(pop.created_local,
		        pop.day_start, pop.day_end, pop.workdays, pop.holidays)
		        ELSE extract(epoch FROM pop.created_at) END AS c0,
		    CASE WHEN pop.first_response_at IS NULL THEN NULL
		        WHEN pop.bh THEN guichet.report_business_clock(pop.fr_local,
		            pop.day_start, pop.day_end, pop.workdays, pop.holidays)
		        ELSE extract(epoch FROM pop.first_response_at) END AS c_fr,
		    CASE WHEN pop.resolved_at IS NULL THEN NULL
		        WHEN pop.bh THEN guichet.report_business_clock(pop.res_local,
		            pop.day_start, pop.day_end, pop.workdays, pop.holidays)
		        ELSE extract(epoch FROM pop.resolved_at) END AS c_res
		FROM pop
	), ev AS (
		-- The creation and every status or level change, one row each,
		-- with the clock then. A plain join (not IN) keeps the plan a hash
		-- join at any size.
		SELECT pc.id, 0 AS seq, pc.created_at AS at, NULL::text AS field,
		    NULL::text AS old_value, NULL::text AS new_value, pc.status, pc.level,
		    pc.c0 AS c, pc.c_fr, pc.c_res
		FROM pc
		UNION ALL
		SELECT x.id, x.seq, x.at, x.field, x.old_value, x.new_value, x.status, x.level,
		    CASE WHEN x.bh THEN guichet.report_business_clock(x.at_local, x.day_start,
		        x.day_end, x.workdays, x.holidays)
		        ELSE extract(epoch FROM x.at) END,
		    x.c_fr, x.c_res
		FROM (
			SELECT pc.*, h.seq, h.at, h.field, h.old_value, h.new_value,
			    h.at AT TIME ZONE pc.tz AS at_local
			FROM pc JOIN guichet.history h ON h.ticket_id = pc.id
			WHERE h.field IN ('status', 'level')
			OFFSET 0
		) x
	), st AS (
		-- Each row starts a segment that lasts until the next one; its state
		-- is the last change so far, else the old value of the first change
		-- (the state at creation), else the ticket's state now. The last
		-- change is the greatest of seq || value (seq padded to sort).
		SELECT ev.*, lead(ev.at) OVER w AS next_at, lead(ev.c) OVER w AS next_c,
		    max(lpad(ev.seq::text, 10, '0') || ev.new_value)
		        FILTER (WHERE ev.field = 'status') OVER w AS st_last,
		    max(lpad(ev.seq::text, 10, '0') || ev.new_value)
		        FILTER (WHERE ev.field = 'level') OVER w AS lv_last,
		    min(lpad(ev.seq::text, 10, '0') || ev.old_value)
		        FILTER (WHERE ev.field = 'status') OVER whole AS st_first,
		    min(lpad(ev.seq::text, 10, '0') || ev.old_value)
		        FILTER (WHERE ev.field = 'level') OVER whole AS lv_first
		FROM ev
		WINDOW w AS (PARTITION BY ev.id ORDER BY ev.seq ROWS UNBOUNDED PRECEDING),
		    whole AS (PARTITION BY ev.id ORDER BY ev.seq
		        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
	), seg AS (
		SELECT st.id, st.at, st.field, st.old_value, st.new_value, st.next_at,
		    st.c, st.next_c, st.c_fr, st.c_res,
		    coalesce(substr(st.st_last, 11), substr(st.st_first, 11), st.status)
		        IN ('new', 'open') AS running,
		    coalesce(substr(st.lv_last, 11), substr(st.lv_first, 11),
		        st.level::text)::integer AS seg_level
		FROM st
	)
	SELECT seg.id,
	    coalesce(sum(greatest(seg.next_c - seg.c, 0))
	        FILTER (WHERE seg.running AND seg.seg_level = 1), 0)::float8,
	    coalesce(sum(greatest(seg.next_c - seg.c, 0))
	        FILTER (WHERE seg.running AND seg.seg_level = 2), 0)::float8,
	    max(seg.at) FILTER (WHERE seg.next_at IS NULL AND seg.running),
	    CASE WHEN bool_or(seg.c_fr IS NOT NULL)
	        THEN coalesce(sum(greatest(least(seg.next_c, seg.c_fr) - seg.c, 0))
	            FILTER (WHERE seg.running), 0)::float8 END,
	    CASE WHEN bool_or(seg.c_res IS NOT NULL)
	        THEN coalesce(sum(greatest(least(seg.next_c, seg.c_res) - seg.c, 0))
	            FILTER (WHERE seg.running), 0)::float8 END,
	    (count(*) FILTER (WHERE seg.field = 'status'
	        AND seg.old_value IN ('resolved', 'closed')
	        AND seg.new_value IN ('new', 'open', 'pending')))::integer,
	    coalesce(bool_or(seg.field = 'level' AND seg.new_value = '2'), false)
	FROM seg
	GROUP BY seg.id;
END;

-- Rebuild the SLA clock columns of every ticket from history, and its reply
-- counts from article, in one statement (the demo generator, a desk
-- loaded with triggers off): returns how many tickets changed. The reports'
-- facts (74-report-facts.sql), also kept by triggers, are rebuilt too.
CREATE FUNCTION sla_clock_rebuild()
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	n bigint;
BEGIN
	PERFORM set_config('work_mem', '256MB', true);
	UPDATE ticket t SET clock_l1 = c.clock_l1, clock_l2 = c.clock_l2,
	    clock_since = c.clock_since, clock_fr = c.clock_fr, clock_res = c.clock_res,
	    reopened = c.reopened, escalated = c.escalated,
	    replies = coalesce(r.n, 0), assisted = coalesce(r.assisted, false)
	FROM sla_clock_compute(NULL, NULL, NULL) c
	LEFT JOIN (
		-- The replies (article_reply_count, 40-sla).
		SELECT a.ticket_id, count(*)::integer AS n,
		    bool_or(a.template_id IS NOT NULL OR a.kb_article_id IS NOT NULL) AS assisted
		FROM article a
		WHERE a.kind IN ('mail_out', 'phone') AND a.author_agent_id IS NOT NULL
		GROUP BY a.ticket_id
	) r ON r.ticket_id = c.id
	WHERE c.id = t.id
	  AND (t.clock_l1, t.clock_l2, t.clock_since, t.clock_fr, t.clock_res, t.reopened,
	      t.escalated, t.replies, t.assisted)
	      IS DISTINCT FROM (c.clock_l1, c.clock_l2, c.clock_since, c.clock_fr,
	      c.clock_res, c.reopened, c.escalated, coalesce(r.n, 0),
	      coalesce(r.assisted, false));
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM report_fact_rebuild();
	RETURN n;
END
$$;
REVOKE ALL ON FUNCTION sla_clock_rebuild() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sla_clock_rebuild() TO guichet_admin;

-- The SLA clock of each ticket created in the period, as its row keeps it
-- (ticket_sla_clock, 40-sla): fr is the clock at the first response, resolution
-- at resolution (tickets now resolved or closed), split into level1 and
-- level2 by the level the ticket was at while it ran.
-- A ticket still unanswered (unresolved) is breached when its due time is
-- past at the end of the period, or now when the period is not over: a
-- report of a past period gives the same figures when run again.
CREATE FUNCTION report_sla_tickets(p_from date, p_to date, p_org text, p_queues text[],
    p_services text[])
    RETURNS TABLE (id bigint, queue_id integer, service_id integer, fr float8,
        resolution float8, level1 float8, level2 float8, fr_due boolean,
        fr_breached boolean, res_due boolean, res_breached boolean, is_resolved boolean,
        escalated boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT t.id, t.queue_id, t.service_id,
	    CASE WHEN t.first_response_at IS NOT NULL THEN t.clock_fr END,
	    CASE WHEN r.resolved THEN t.clock_res END,
	    CASE WHEN r.resolved THEN t.clock_l1 END,
	    CASE WHEN r.resolved THEN t.clock_l2 END,
	    t.first_response_due IS NOT NULL,
	    t.first_response_due IS NOT NULL
	        AND coalesce(t.first_response_at,
	            CASE WHEN t.status = 'pending' THEN t.pending_since END, least(now(), f.t1))
	            > t.first_response_due,
	    t.resolution_due IS NOT NULL,
	    t.resolution_due IS NOT NULL
	        AND coalesce(CASE WHEN r.resolved THEN t.resolved_at END,
	            CASE WHEN t.status = 'pending' THEN t.pending_since END, least(now(), f.t1))
	            > t.resolution_due,
	    r.resolved,
	    -- It ran at level 2, or is there now.
	    t.level = 2 OR t.clock_l2 > 0
	FROM (
		SELECT (SELECT guichet.report_queue_ids(p_org, p_queues)) AS qids,
		    (SELECT guichet.report_service_ids(p_services)) AS sids,
		    p_from::timestamptz AS t0, (p_to + 1)::timestamptz AS t1
	) f
	CROSS JOIN guichet.ticket t
	CROSS JOIN LATERAL (SELECT t.status IN ('resolved', 'closed')
	    AND t.resolved_at IS NOT NULL AS resolved) r
	WHERE t.status <> 'merged'
	  AND t.created_at >= f.t0 AND t.created_at < f.t1
	  AND (f.qids IS NULL OR t.queue_id = ANY (f.qids))
	  AND (f.sids IS NULL OR t.service_id = ANY (f.sids));
END;

-- The clocks of a group, gathered in an array (array_agg, but with a combine
-- function: before PostgreSQL 16 array_agg has none, so it cannot run in
-- parallel workers and every ticket row travelled through Gather to one
-- process). array_append extends the array in place in the aggregate's
-- memory; each worker's arrays are concatenated at the end.
CREATE AGGREGATE report_float8_collect(float8) (SFUNC = array_append, STYPE = float8[],
    COMBINEFUNC = array_cat, PARALLEL = SAFE);

-- The median, 90th and 95th percentiles of a sorted array, exactly as
-- percentile_cont('{0.5,0.9,0.95}') computes them (the same float8
-- operations: r = p (n - 1), the values at floor(r) and ceil(r), and
-- lo + (r - floor(r)) (hi - lo)); NULL for an empty array.
CREATE FUNCTION report_sorted_percentiles(p_sorted float8[])
    RETURNS float8[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (SELECT array_agg(p_sorted[x.lo::integer + 1]
        + (x.r - x.lo) * (p_sorted[x.hi::integer + 1] - p_sorted[x.lo::integer + 1])
        ORDER BY x.i)
    FROM (SELECT p.i, p.p * (cardinality(p_sorted) - 1)::float8 AS r,
            floor(p.p * (cardinality(p_sorted) - 1)::float8) AS lo,
            ceil(p.p * (cardinality(p_sorted) - 1)::float8) AS hi
        FROM unnest('{0.5,0.9,0.95}'::float8[]) WITH ORDINALITY p(p, i)) x
    WHERE cardinality(p_sorted) > 0);

-- sla: per queue (p_by 'queue') or service: tickets created in the period,
-- first-response and resolution clocks (median, 90th and 95th percentile,
-- interpolated, in seconds), breaches of the due times the server set (a
-- ticket still unanswered or unresolved past its due time is a breach, unless
-- its clock stopped in time: pending on the requester since before it), and
-- the average clock used at level 1 and level 2 by the resolved tickets.
--
-- One parallel pass over the tickets (report_sla_tickets) counts per group
-- and gathers each group's clocks in an array; only these per-group rows
-- leave the workers. Each group's arrays are sorted once and give its
-- percentiles. The total's percentiles are not sorted again from all the
-- clocks: the value at position t (0-based) of all the groups' clocks
-- lies between two thresholds taken from a sample of the sorted arrays
-- (every 64th value, sorted): lo at sample rank (t - 63 g) / 64, hi at
-- (t + 1) / 64 rounded up, g the number of groups. width_bucket counts, by
-- binary search in each sorted array, the c_lo clocks <= lo and the c_hi
-- clocks <= hi; when c_lo <= t < c_hi the value is the (t - c_lo)-th of the
-- few clocks in (lo, hi] (array slices), else (ties in the sample: never
-- seen) of all of them. So every figure is exact.
CREATE FUNCTION report_sla(p_from date, p_to date, p_org text, p_queues text[],
    p_services text[], p_by text)
    RETURNS TABLE (grp text, tickets bigint, answered bigint, fr_median numeric,
        fr_p90 numeric, fr_p95 numeric, fr_breaches bigint, fr_breach_rate numeric,
        resolved bigint, res_median numeric, res_p90 numeric, res_p95 numeric,
        res_breaches bigint, res_breach_rate numeric, escalated bigint,
        level1_avg numeric, level2_avg numeric, level2_share numeric, total boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH g AS MATERIALIZED (
		-- Per group: the counts, the sums for the averages, the clocks.
		SELECT g.k,
		    count(*) AS tickets,
		    count(*) FILTER (WHERE g.fr_breached) AS fr_breaches,
		    count(*) FILTER (WHERE g.fr_due) AS fr_due,
		    count(*) FILTER (WHERE g.res_breached) AS res_breaches,
		    count(*) FILTER (WHERE g.res_due) AS res_due,
		    count(*) FILTER (WHERE g.escalated) AS escalated,
		    count(g.level1) AS n1, sum(g.level1) AS s1,
		    count(g.level2) AS n2, sum(g.level2) AS s2,
		    guichet.report_float8_collect(g.fr) FILTER (WHERE g.fr IS NOT NULL) AS frs,
		    guichet.report_float8_collect(g.resolution)
		        FILTER (WHERE g.resolution IS NOT NULL) AS ress
		FROM (
			SELECT CASE WHEN p_by = 'service' THEN s.service_id ELSE s.queue_id END
			    AS k, s.*
			FROM guichet.report_sla_tickets(p_from, p_to, p_org, p_queues,
			    p_services) s
		) g
		GROUP BY g.k
	), c AS MATERIALIZED (
		-- Each group's clocks sorted once (w 0: first response, 1: resolution).
		SELECT g.k, x.w, ARRAY(SELECT u.v FROM unnest(x.a) u(v) ORDER BY u.v) AS a
		FROM g CROSS JOIN LATERAL (VALUES (0, g.frs), (1, g.ress)) x(w, a)
		WHERE x.a IS NOT NULL
	), cw AS MATERIALIZED (
		-- Per clock: how many values in all, in how many groups, and the
		-- sample (every 64th value of each group, sorted).
		SELECT c.w, sum(cardinality(c.a)) AS n, count(*) AS ng,
		    ARRAY(SELECT c2.a[j] FROM c c2
		        CROSS JOIN LATERAL generate_series(64, cardinality(c2.a), 64) j
		        WHERE c2.w = c.w ORDER BY 1) AS z
		FROM c
		GROUP BY c.w
	), th AS MATERIALIZED (
		-- The total's positions (floor(r) and ceil(r) of each percentile, as
		-- in percentile_cont) and their thresholds (NULL: no bound).
		SELECT tp.w, tp.i, tp.end_, tp.at, tp.r, tp.z[(tp.at - 63 * tp.ng) / 64] AS lo_x,
		    tp.z[(tp.at + 64) / 64] AS hi_x
		FROM (
			SELECT cw.w, cw.ng, cw.z, p.i, p.p * (cw.n - 1)::float8 AS r, e.end_, e.at
			FROM cw
			CROSS JOIN unnest('{0.5,0.9,0.95}'::float8[]) WITH ORDINALITY p(p, i)
			CROSS JOIN LATERAL (VALUES (0, floor(p.p * (cw.n - 1)::float8)::bigint),
			    (1, ceil(p.p * (cw.n - 1)::float8)::bigint)) e(end_, at)
		) tp
	), chk AS MATERIALIZED (
		SELECT th.*, (lohi.c_lo <= th.at AND th.at < lohi.c_hi) AS ok, lohi.c_lo
		FROM th CROSS JOIN LATERAL (
			SELECT coalesce(sum(width_bucket(th.lo_x, c.a)), 0) AS c_lo,
			    sum(CASE WHEN th.hi_x IS NULL THEN cardinality(c.a)
			        ELSE width_bucket(th.hi_x, c.a) END) AS c_hi
			FROM c WHERE c.w = th.w
		) lohi
	), tv AS (
		-- The value at each position: among the clocks in (lo, hi].
		SELECT chk.w, chk.i, chk.end_, chk.r, (
			SELECT u.v
			FROM c CROSS JOIN LATERAL unnest(c.a[
			    CASE WHEN chk.ok AND chk.lo_x IS NOT NULL
			        THEN width_bucket(chk.lo_x, c.a) + 1 ELSE 1 END
			    : CASE WHEN chk.ok AND chk.hi_x IS NOT NULL
			        THEN width_bucket(chk.hi_x, c.a) ELSE cardinality(c.a) END]) u(v)
			WHERE c.w = chk.w
			ORDER BY u.v
			OFFSET chk.at - CASE WHEN chk.ok THEN chk.c_lo ELSE 0 END LIMIT 1) AS v
		FROM chk
	), tot AS (
		-- percentile_cont's interpolation, in the same float8 operations.
		SELECT tv.w, array_agg(tv.lo + (tv.r - floor(tv.r)) * (tv.hi - tv.lo) ORDER BY tv.i)
		    AS ps
		FROM (SELECT tv.w, tv.i, tv.r, max(tv.v) FILTER (WHERE tv.end_ = 0) AS lo,
		        max(tv.v) FILTER (WHERE tv.end_ = 1) AS hi
		    FROM tv GROUP BY tv.w, tv.i, tv.r) tv
		GROUP BY tv.w
	), a AS (
		SELECT g.k, false AS total, g.tickets, g.fr_breaches, g.fr_due, g.res_breaches,
		    g.res_due, g.escalated, g.n1, g.s1, g.n2, g.s2,
		    coalesce(cardinality(g.frs), 0)::bigint AS answered,
		    coalesce(cardinality(g.ress), 0)::bigint AS resolved,
		    (SELECT guichet.report_sorted_percentiles(c.a) FROM c
		        WHERE c.k IS NOT DISTINCT FROM g.k AND c.w = 0) AS frp,
		    (SELECT guichet.report_sorted_percentiles(c.a) FROM c
		        WHERE c.k IS NOT DISTINCT FROM g.k AND c.w = 1) AS resp
		FROM g
		UNION ALL
		SELECT NULL, true, sum(g.tickets)::bigint, sum(g.fr_breaches)::bigint,
		    sum(g.fr_due)::bigint, sum(g.res_breaches)::bigint, sum(g.res_due)::bigint,
		    sum(g.escalated)::bigint, sum(g.n1)::bigint, sum(g.s1), sum(g.n2)::bigint,
		    sum(g.s2), coalesce(sum(cardinality(g.frs)), 0)::bigint,
		    coalesce(sum(cardinality(g.ress)), 0)::bigint,
		    (SELECT tot.ps FROM tot WHERE tot.w = 0), (SELECT tot.ps FROM tot WHERE tot.w = 1)
		FROM g
		HAVING count(*) > 0
	)
	SELECT guichet.report_dim_label(p_by, a.k::text), a.tickets, a.answered,
	    round(a.frp[1]::numeric), round(a.frp[2]::numeric), round(a.frp[3]::numeric),
	    a.fr_breaches, round(a.fr_breaches::numeric / nullif(a.fr_due, 0), 4),
	    a.resolved,
	    round(a.resp[1]::numeric), round(a.resp[2]::numeric), round(a.resp[3]::numeric),
	    a.res_breaches, round(a.res_breaches::numeric / nullif(a.res_due, 0), 4),
	    a.escalated,
	    -- avg(float8) is sum / count in float8
	    round((a.s1 / a.n1)::numeric), round((a.s2 / a.n2)::numeric),
	    round(a.s2::numeric / nullif(a.s1::numeric + a.s2::numeric, 0), 4),
	    a.total
	FROM a
	ORDER BY a.total, a.tickets DESC, 1, a.k;
END;
REVOKE ALL ON FUNCTION report_float8_collect(float8), report_sorted_percentiles(float8[])
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_float8_collect(float8), report_sorted_percentiles(float8[])
    TO guichet_agent;

-- quality: per queue or service, the tickets resolved in the period (resolved_at
-- in it): how many were ever reopened (a status change from resolved or closed
-- back to new, open or pending), how many were resolved at first contact (never
-- at level 2, exactly one reply, never reopened), how many got a reply and how
-- many of those a reply started from a template or a knowledge-base article.
-- A reply is an outgoing mail, or a phone article written by an agent. One
-- scan of the tickets: reopened, escalated, replies and assisted are kept in
-- the ticket row as they change (40-sla), nothing walks history or articles.
CREATE FUNCTION report_quality(p_from date, p_to date, p_org text, p_queues text[],
    p_services text[], p_by text)
    RETURNS TABLE (grp text, resolved bigint, reopened bigint, reopen_rate numeric,
        fcr bigint, fcr_rate numeric, answered bigint, assisted bigint,
        assisted_rate numeric, total boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH f AS (
		SELECT (SELECT guichet.report_queue_ids(p_org, p_queues)) AS qids,
		    (SELECT guichet.report_service_ids(p_services)) AS sids,
		    p_from::timestamptz AS t0, (p_to + 1)::timestamptz AS t1
	), pop AS (
		SELECT t.id, t.level, t.reopened > 0 AS reopened, t.escalated, t.replies,
		    t.assisted,
		    CASE WHEN p_by = 'service' THEN t.service_id ELSE t.queue_id END AS k
		FROM f CROSS JOIN guichet.ticket t
		WHERE t.status <> 'merged'
		  AND t.resolved_at >= f.t0 AND t.resolved_at < f.t1
		  AND (f.qids IS NULL OR t.queue_id = ANY (f.qids))
		  AND (f.sids IS NULL OR t.service_id = ANY (f.sids))
	), t AS (
		SELECT pop.k, pop.reopened,
		    pop.level = 1 AND NOT pop.escalated AND pop.replies = 1
		        AND NOT pop.reopened AS fcr,
		    pop.replies > 0 AS answered, pop.assisted
		FROM pop
	), g AS MATERIALIZED (
		-- Counted per group in parallel workers (grouping sets are not):
		-- the total is the sum of the groups.
		SELECT t.k, count(*) AS resolved,
		    count(*) FILTER (WHERE t.reopened) AS reopened,
		    count(*) FILTER (WHERE t.fcr) AS fcr,
		    count(*) FILTER (WHERE t.answered) AS answered,
		    count(*) FILTER (WHERE t.assisted) AS assisted
		FROM t
		GROUP BY t.k
	), x AS (
		SELECT g.k, false AS total, g.resolved, g.reopened, g.fcr, g.answered, g.assisted
		FROM g
		UNION ALL
		SELECT NULL, true, sum(g.resolved)::bigint, sum(g.reopened)::bigint,
		    sum(g.fcr)::bigint, sum(g.answered)::bigint, sum(g.assisted)::bigint
		FROM g
		HAVING count(*) > 0
	)
	SELECT guichet.report_dim_label(p_by, x.k::text) AS grp, x.resolved, x.reopened,
	    round(x.reopened::numeric / x.resolved, 4), x.fcr,
	    round(x.fcr::numeric / x.resolved, 4), x.answered, x.assisted,
	    round(x.assisted::numeric / nullif(x.answered, 0), 4), x.total
	FROM x
	ORDER BY x.total, x.resolved DESC, 1, x.k;
END;
