-- 0032_report_sla.sql — SLA and quality figures: how long the clock ran until
-- the first response and until resolution, which tier used it, breaches,
-- reopenings, first-contact resolution. See 0030_report.sql for the rules every
-- report function follows.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, public;

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

-- The SLA clock of each ticket created in the period. The clock runs while the
-- ticket is new or open: it stops while it is pending (waiting on the
-- requester) and while it is resolved before a reopening. It counts business
-- time when the ticket's policy (its service's, else its queue's) has business
-- hours, every second otherwise. fr is the clock at the first response,
-- resolution the clock at resolution (tickets now resolved or closed), split
-- into level1 and level2 by the level the ticket was at while it ran. The
-- segments come from the status and level changes in history.
CREATE FUNCTION report_sla_tickets(p_from date, p_to date, p_org text, p_queues text[],
    p_services text[])
    RETURNS TABLE (id bigint, queue_id integer, service_id integer, fr numeric,
        resolution numeric, level1 numeric, level2 numeric, fr_due boolean,
        fr_breached boolean, res_due boolean, res_breached boolean, is_resolved boolean,
        escalated boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH f AS (
		SELECT (SELECT guichet.report_queue_ids(p_org, p_queues)) AS qids,
		    (SELECT guichet.report_service_ids(p_services)) AS sids,
		    p_from::timestamptz AS t0, (p_to + 1)::timestamptz AS t1
	), pop AS (
		SELECT t.id, t.queue_id, t.service_id, t.organisation_id AS org, t.created_at,
		    t.first_response_at, t.status, t.level,
		    CASE WHEN t.status IN ('resolved', 'closed') THEN t.resolved_at END
		        AS resolved_at,
		    t.first_response_due, t.resolution_due,
		    CASE WHEN t.status = 'pending' THEN t.pending_since END AS pending_since,
		    coalesce(cal.business_hours, false) AS bh, cal.tz, cal.day_start, cal.day_end,
		    cal.workdays, cal.holidays,
		    t.first_response_at AT TIME ZONE cal.tz AS fr_local,
		    CASE WHEN t.status IN ('resolved', 'closed')
		        THEN t.resolved_at AT TIME ZONE cal.tz END AS res_local
		FROM f CROSS JOIN guichet.ticket t
		JOIN guichet.queue q ON q.id = t.queue_id
		LEFT JOIN guichet.service s ON s.id = t.service_id
		LEFT JOIN guichet.report_policy_calendar() cal
		    ON cal.policy = coalesce(s.sla_policy_id, q.sla_policy_id)
		    AND cal.org = t.organisation_id
		WHERE t.status <> 'merged'
		  AND t.created_at >= f.t0 AND t.created_at < f.t1
		  AND (f.qids IS NULL OR t.queue_id = ANY (f.qids))
		  AND (f.sids IS NULL OR t.service_id = ANY (f.sids))
	), ev AS (
		-- The creation and every status or level change, one row each. A
		-- plain join (not IN) keeps the plan a hash join at any size.
		SELECT pop.id, pop.created_at AS at, pop.tz, 0 AS seq, NULL::text AS field,
		    NULL::text AS old_value, NULL::text AS new_value
		FROM pop
		UNION ALL
		SELECT h.ticket_id, h.at, pop.tz, h.seq, h.field, h.old_value, h.new_value
		FROM pop JOIN guichet.history h ON h.ticket_id = pop.id
		WHERE h.field IN ('status', 'level')
	), st AS (
		-- Each row starts a segment that lasts until the next one; its state
		-- is the last change so far, else the old value of the first change
		-- (the state at creation), else the ticket's state now.
		-- (A window's outputs are computed once: the local times are here.)
		SELECT ev.id, ev.at,
		    lead(ev.at) OVER w AS next_at,
		    ev.at AT TIME ZONE ev.tz AS a_local,
		    lead(ev.at AT TIME ZONE ev.tz) OVER w AS b_local,
		    array_agg(ev.new_value) FILTER (WHERE ev.field = 'status') OVER w AS sts,
		    array_agg(ev.new_value) FILTER (WHERE ev.field = 'level') OVER w AS lvs,
		    (array_agg(ev.old_value) FILTER (WHERE ev.field = 'status') OVER whole)[1]
		        AS status0,
		    (array_agg(ev.old_value) FILTER (WHERE ev.field = 'level') OVER whole)[1]
		        AS level0
		FROM ev
		WINDOW w AS (PARTITION BY ev.id ORDER BY ev.seq ROWS UNBOUNDED PRECEDING),
		    whole AS (PARTITION BY ev.id ORDER BY ev.seq
		        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
	), seg AS (
		SELECT pop.*, st.at AS a, coalesce(st.next_at, 'infinity') AS b, st.a_local,
		    coalesce(st.b_local, 'infinity') AS b_local,
		    coalesce(st.sts[cardinality(st.sts)], st.status0, pop.status) IN ('new', 'open')
		        AS running,
		    coalesce(st.lvs[cardinality(st.lvs)], st.level0, pop.level::text)::integer
		        AS seg_level
		FROM st JOIN pop ON pop.id = st.id
	), part AS (
		SELECT seg.*,
		    CASE WHEN NOT seg.running OR seg.first_response_at IS NULL THEN 0
		        WHEN least(seg.b, seg.first_response_at) <= seg.a THEN 0
		        WHEN seg.bh THEN guichet.report_business_clock(least(seg.b_local,
		            seg.fr_local), seg.day_start, seg.day_end, seg.workdays, seg.holidays)
		            - guichet.report_business_clock(seg.a_local, seg.day_start,
		            seg.day_end, seg.workdays, seg.holidays)
		        ELSE extract(epoch FROM least(seg.b, seg.first_response_at) - seg.a)
		        END AS fr_part,
		    CASE WHEN NOT seg.running OR seg.resolved_at IS NULL THEN 0
		        WHEN least(seg.b, seg.resolved_at) <= seg.a THEN 0
		        WHEN seg.bh THEN guichet.report_business_clock(least(seg.b_local,
		            seg.res_local), seg.day_start, seg.day_end, seg.workdays, seg.holidays)
		            - guichet.report_business_clock(seg.a_local, seg.day_start,
		            seg.day_end, seg.workdays, seg.holidays)
		        ELSE extract(epoch FROM least(seg.b, seg.resolved_at) - seg.a)
		        END AS res_part
		FROM seg
	)
	-- One row per ticket, straight from its segments (no join back).
	SELECT part.id, min(part.queue_id), min(part.service_id),
	    CASE WHEN bool_or(part.first_response_at IS NOT NULL) THEN sum(part.fr_part) END,
	    CASE WHEN bool_or(part.resolved_at IS NOT NULL) THEN sum(part.res_part) END,
	    CASE WHEN bool_or(part.resolved_at IS NOT NULL)
	        THEN coalesce(sum(part.res_part) FILTER (WHERE part.seg_level = 1), 0) END,
	    CASE WHEN bool_or(part.resolved_at IS NOT NULL)
	        THEN coalesce(sum(part.res_part) FILTER (WHERE part.seg_level = 2), 0) END,
	    bool_or(part.first_response_due IS NOT NULL),
	    bool_or(part.first_response_due IS NOT NULL
	        AND coalesce(part.first_response_at, part.pending_since, now())
	            > part.first_response_due),
	    bool_or(part.resolution_due IS NOT NULL),
	    bool_or(part.resolution_due IS NOT NULL
	        AND coalesce(part.resolved_at, part.pending_since, now()) > part.resolution_due),
	    bool_or(part.resolved_at IS NOT NULL),
	    bool_or(part.running AND part.seg_level = 2) OR bool_or(part.level = 2)
	FROM part
	GROUP BY part.id;
END;

-- sla: per queue (p_by 'queue') or service: tickets created in the period,
-- first-response and resolution clocks (median, 90th and 95th percentile,
-- interpolated, in seconds), breaches of the due times the server set (a
-- ticket still unanswered or unresolved past its due time is a breach, unless
-- its clock stopped in time: pending on the requester since before it), and
-- the average clock used at level 1 and level 2 by the resolved tickets.
CREATE FUNCTION report_sla(p_from date, p_to date, p_org text, p_queues text[],
    p_services text[], p_by text)
    RETURNS TABLE (grp text, tickets bigint, answered bigint, fr_median numeric,
        fr_p90 numeric, fr_p95 numeric, fr_breaches bigint, fr_breach_rate numeric,
        resolved bigint, res_median numeric, res_p90 numeric, res_p95 numeric,
        res_breaches bigint, res_breach_rate numeric, escalated bigint,
        level1_avg numeric, level2_avg numeric, level2_share numeric, total boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT x.grp, x.tickets, x.answered, x.fr_median, x.fr_p90, x.fr_p95, x.fr_breaches,
	    x.fr_breach_rate, x.resolved, x.res_median, x.res_p90, x.res_p95, x.res_breaches,
	    x.res_breach_rate, x.escalated, x.level1_avg, x.level2_avg, x.level2_share,
	    x.total
	FROM (
		SELECT guichet.report_dim_label(p_by, g.k::text) AS grp, g.k,
		    count(*) AS tickets,
		    count(g.fr) AS answered,
		    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY g.fr)::numeric) AS fr_median,
		    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY g.fr)::numeric) AS fr_p90,
		    round(percentile_cont(0.95) WITHIN GROUP (ORDER BY g.fr)::numeric) AS fr_p95,
		    count(*) FILTER (WHERE g.fr_breached) AS fr_breaches,
		    round(count(*) FILTER (WHERE g.fr_breached)::numeric
		        / nullif(count(*) FILTER (WHERE g.fr_due), 0), 4) AS fr_breach_rate,
		    count(g.resolution) AS resolved,
		    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY g.resolution)::numeric)
		        AS res_median,
		    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY g.resolution)::numeric)
		        AS res_p90,
		    round(percentile_cont(0.95) WITHIN GROUP (ORDER BY g.resolution)::numeric)
		        AS res_p95,
		    count(*) FILTER (WHERE g.res_breached) AS res_breaches,
		    round(count(*) FILTER (WHERE g.res_breached)::numeric
		        / nullif(count(*) FILTER (WHERE g.res_due), 0), 4) AS res_breach_rate,
		    count(*) FILTER (WHERE g.escalated) AS escalated,
		    round(avg(g.level1)) AS level1_avg,
		    round(avg(g.level2)) AS level2_avg,
		    round(sum(g.level2) / nullif(sum(g.level1) + sum(g.level2), 0), 4)
		        AS level2_share,
		    GROUPING(g.k) <> 0 AS total
		FROM (
			SELECT CASE WHEN p_by = 'service' THEN s.service_id ELSE s.queue_id END AS k,
			    s.*
			FROM guichet.report_sla_tickets(p_from, p_to, p_org, p_queues, p_services) s
		) g
		GROUP BY GROUPING SETS ((g.k), ())
		HAVING count(*) > 0
	) x
	ORDER BY x.total, x.tickets DESC, x.grp, x.k;
END;

-- quality: per queue or service, the tickets resolved in the period (resolved_at
-- in it): how many were ever reopened (a status change from resolved or closed
-- back to new, open or pending), how many were resolved at first contact (never
-- at level 2, exactly one reply, never reopened), how many got a reply and how
-- many of those a reply started from a template or a knowledge-base article.
-- A reply is an outgoing mail, or a phone article written by an agent.
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
		SELECT t.id, t.level,
		    CASE WHEN p_by = 'service' THEN t.service_id ELSE t.queue_id END AS k
		FROM f CROSS JOIN guichet.ticket t
		WHERE t.status <> 'merged'
		  AND t.resolved_at >= f.t0 AND t.resolved_at < f.t1
		  AND (f.qids IS NULL OR t.queue_id = ANY (f.qids))
		  AND (f.sids IS NULL OR t.service_id = ANY (f.sids))
	), h AS (
		SELECT h.ticket_id,
		    bool_or(h.field = 'status' AND h.old_value IN ('resolved', 'closed')
		        AND h.new_value IN ('new', 'open', 'pending')) AS reopened,
		    bool_or(h.field = 'level' AND h.new_value = '2') AS escalated
		FROM guichet.history h
		WHERE h.ticket_id IN (SELECT pop.id FROM pop) AND h.field IN ('status', 'level')
		GROUP BY h.ticket_id
	), a AS (
		SELECT a.ticket_id, count(*) AS replies,
		    bool_or(a.template_id IS NOT NULL OR a.kb_article_id IS NOT NULL) AS assisted
		FROM guichet.article a
		WHERE a.ticket_id IN (SELECT pop.id FROM pop)
		  AND (a.kind = 'mail_out' OR (a.kind = 'phone' AND a.author_agent_id IS NOT NULL))
		GROUP BY a.ticket_id
	), t AS (
		SELECT pop.k, coalesce(h.reopened, false) AS reopened,
		    pop.level = 1 AND NOT coalesce(h.escalated, false)
		        AND coalesce(a.replies, 0) = 1 AND NOT coalesce(h.reopened, false) AS fcr,
		    a.replies IS NOT NULL AS answered,
		    coalesce(a.assisted, false) AS assisted
		FROM pop LEFT JOIN h ON h.ticket_id = pop.id LEFT JOIN a ON a.ticket_id = pop.id
	)
	SELECT x.grp, x.resolved, x.reopened, x.reopen_rate, x.fcr, x.fcr_rate, x.answered,
	    x.assisted, x.assisted_rate, x.total
	FROM (
		SELECT guichet.report_dim_label(p_by, t.k::text) AS grp, t.k,
		    count(*) AS resolved,
		    count(*) FILTER (WHERE t.reopened) AS reopened,
		    round(count(*) FILTER (WHERE t.reopened)::numeric / count(*), 4) AS reopen_rate,
		    count(*) FILTER (WHERE t.fcr) AS fcr,
		    round(count(*) FILTER (WHERE t.fcr)::numeric / count(*), 4) AS fcr_rate,
		    count(*) FILTER (WHERE t.answered) AS answered,
		    count(*) FILTER (WHERE t.assisted) AS assisted,
		    round(count(*) FILTER (WHERE t.assisted)::numeric
		        / nullif(count(*) FILTER (WHERE t.answered), 0), 4) AS assisted_rate,
		    GROUPING(t.k) <> 0 AS total
		FROM t
		GROUP BY GROUPING SETS ((t.k), ())
		HAVING count(*) > 0
	) x
	ORDER BY x.total, x.resolved DESC, x.grp, x.k;
END;
