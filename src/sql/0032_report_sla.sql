-- 0032_report_sla.sql — SLA and quality figures: how long the clock ran until
-- the first response and until resolution, which tier used it, breaches,
-- reopenings, first-contact resolution. See 0030_report.sql for the rules every
-- report function follows.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, public;

-- Seconds of business time between two instants under a policy with business
-- hours: the parts of [p_from, p_to) that fall on a workday, between day_start
-- and day_end in the policy's time zone, and not on a holiday of the ticket's
-- organisation (or of everyone).
CREATE FUNCTION report_business_seconds(p_policy integer, p_org integer,
    p_from timestamptz, p_to timestamptz)
    RETURNS numeric
    LANGUAGE sql STABLE
RETURN (SELECT coalesce(sum(extract(epoch FROM
        least(p_to, (g.d + pol.day_end) AT TIME ZONE pol.timezone)
        - greatest(p_from, (g.d + pol.day_start) AT TIME ZONE pol.timezone))), 0)
    FROM guichet.sla_policy pol
    CROSS JOIN LATERAL (SELECT s::date AS d
        FROM generate_series((p_from AT TIME ZONE pol.timezone)::date,
            (p_to AT TIME ZONE pol.timezone)::date, interval '1 day') AS s) g
    WHERE pol.id = p_policy AND p_to > p_from
      AND extract(isodow FROM g.d)::smallint = ANY (pol.workdays)
      AND NOT EXISTS (SELECT 1 FROM guichet.holiday h WHERE h.day = g.d
          AND (h.organisation_id IS NULL OR h.organisation_id = p_org))
      AND least(p_to, (g.d + pol.day_end) AT TIME ZONE pol.timezone)
          > greatest(p_from, (g.d + pol.day_start) AT TIME ZONE pol.timezone));

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
    LANGUAGE sql STABLE
BEGIN ATOMIC
	WITH f AS (
		SELECT guichet.report_queue_ids(p_org, p_queues) AS qids,
		    guichet.report_service_ids(p_services) AS sids,
		    p_from::timestamptz AS t0, (p_to + 1)::timestamptz AS t1
	), pop AS (
		SELECT t.id, t.queue_id, t.service_id, t.organisation_id AS org, t.created_at,
		    t.first_response_at, t.status, t.level,
		    CASE WHEN t.status IN ('resolved', 'closed') THEN t.resolved_at END
		        AS resolved_at,
		    t.first_response_due, t.resolution_due,
		    CASE WHEN t.status = 'pending' THEN t.pending_since END AS pending_since,
		    pol.id AS policy, coalesce(pol.business_hours, false) AS bh
		FROM f CROSS JOIN guichet.ticket t
		JOIN guichet.queue q ON q.id = t.queue_id
		LEFT JOIN guichet.service s ON s.id = t.service_id
		LEFT JOIN guichet.sla_policy pol ON pol.id = coalesce(s.sla_policy_id, q.sla_policy_id)
		WHERE t.status <> 'merged'
		  AND t.created_at >= f.t0 AND t.created_at < f.t1
		  AND (f.qids IS NULL OR t.queue_id = ANY (f.qids))
		  AND (f.sids IS NULL OR t.service_id = ANY (f.sids))
	), chg AS (
		SELECT h.ticket_id, h.seq, h.at, h.field, h.old_value, h.new_value
		FROM guichet.history h
		WHERE h.ticket_id IN (SELECT pop.id FROM pop)
		  AND h.field IN ('status', 'level')
	), init AS (
		SELECT DISTINCT ON (chg.ticket_id, chg.field) chg.ticket_id, chg.field,
		    chg.old_value
		FROM chg ORDER BY chg.ticket_id, chg.field, chg.seq
	), ev AS (
		SELECT pop.id, pop.created_at AS at, 0 AS seq, NULL::text AS field,
		    NULL::text AS value
		FROM pop
		UNION ALL
		SELECT chg.ticket_id, chg.at, chg.seq, chg.field, chg.new_value FROM chg
	), st AS (
		SELECT ev.id, ev.at,
		    lead(ev.at) OVER (PARTITION BY ev.id ORDER BY ev.seq) AS next_at,
		    array_agg(ev.value) FILTER (WHERE ev.field = 'status') OVER w AS sts,
		    array_agg(ev.value) FILTER (WHERE ev.field = 'level') OVER w AS lvs
		FROM ev
		WINDOW w AS (PARTITION BY ev.id ORDER BY ev.seq ROWS UNBOUNDED PRECEDING)
	), seg AS (
		SELECT pop.id, pop.policy, pop.org, pop.bh, pop.first_response_at,
		    pop.resolved_at, st.at AS a, coalesce(st.next_at, 'infinity') AS b,
		    coalesce(st.sts[cardinality(st.sts)], i_s.old_value, pop.status) AS status,
		    coalesce(st.lvs[cardinality(st.lvs)], i_l.old_value,
		        pop.level::text)::integer AS level
		FROM st JOIN pop ON pop.id = st.id
		LEFT JOIN init i_s ON i_s.ticket_id = st.id AND i_s.field = 'status'
		LEFT JOIN init i_l ON i_l.ticket_id = st.id AND i_l.field = 'level'
	), part AS (
		SELECT seg.id, seg.level,
		    CASE WHEN seg.first_response_at IS NULL THEN NULL
		        WHEN least(seg.b, seg.first_response_at) <= seg.a THEN 0
		        WHEN seg.bh THEN guichet.report_business_seconds(seg.policy, seg.org,
		            seg.a, least(seg.b, seg.first_response_at))
		        ELSE extract(epoch FROM least(seg.b, seg.first_response_at) - seg.a)
		        END AS fr,
		    CASE WHEN seg.resolved_at IS NULL THEN NULL
		        WHEN least(seg.b, seg.resolved_at) <= seg.a THEN 0
		        WHEN seg.bh THEN guichet.report_business_seconds(seg.policy, seg.org,
		            seg.a, least(seg.b, seg.resolved_at))
		        ELSE extract(epoch FROM least(seg.b, seg.resolved_at) - seg.a)
		        END AS res
		FROM seg
		WHERE seg.status IN ('new', 'open')
	), clock AS (
		SELECT part.id, sum(part.fr) AS fr, sum(part.res) AS res,
		    sum(part.res) FILTER (WHERE part.level = 1) AS l1,
		    sum(part.res) FILTER (WHERE part.level = 2) AS l2,
		    bool_or(part.level = 2) AS at_level2
		FROM part GROUP BY part.id
	)
	SELECT pop.id, pop.queue_id, pop.service_id,
	    CASE WHEN pop.first_response_at IS NOT NULL THEN coalesce(clock.fr, 0) END,
	    CASE WHEN pop.resolved_at IS NOT NULL THEN coalesce(clock.res, 0) END,
	    CASE WHEN pop.resolved_at IS NOT NULL THEN coalesce(clock.l1, 0) END,
	    CASE WHEN pop.resolved_at IS NOT NULL THEN coalesce(clock.l2, 0) END,
	    pop.first_response_due IS NOT NULL,
	    pop.first_response_due IS NOT NULL
	        AND coalesce(pop.first_response_at, pop.pending_since, now())
	            > pop.first_response_due,
	    pop.resolution_due IS NOT NULL,
	    pop.resolution_due IS NOT NULL
	        AND coalesce(pop.resolved_at, pop.pending_since, now()) > pop.resolution_due,
	    pop.resolved_at IS NOT NULL,
	    coalesce(clock.at_level2, false) OR pop.level = 2
	FROM pop LEFT JOIN clock ON clock.id = pop.id;
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
    LANGUAGE sql STABLE
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
    LANGUAGE sql STABLE
BEGIN ATOMIC
	WITH f AS (
		SELECT guichet.report_queue_ids(p_org, p_queues) AS qids,
		    guichet.report_service_ids(p_services) AS sids,
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
