-- 73-report-people.sql — who did what and where things recur: agents'
-- activity, the level-1 → level-2 flow, hot spots, engaged requesters. See
-- 70-report.sql for the rules every report function follows.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- agents: per agent, what she did in the period on the tickets the filters
-- select: tickets claimed (she became the owner, by claim, next or assignment),
-- resolved (she set the status to resolved), replies (outgoing mails and phone
-- articles she wrote), notes, escalations (she raised the level to 2), time
-- spent (minutes recorded on her articles, in seconds here), and the median
-- handling time of her resolutions: from her last claim of the ticket (or its
-- creation) to the resolution. The last row is the total.
--
-- One pass over the period's facts (74-report-facts.sql: a row per claim,
-- resolution, escalation and agent's article, with the ticket's queue and
-- service in the row, the handling time in the resolution's), in parallel
-- workers, grouped by agent; the medians as in report_sla (72-report-sla). A resolution or an escalation counts for an
-- agent this role sees (the one whose login made it); a claim or an article
-- for the agent it names, seen or not (her name is then empty).
CREATE FUNCTION report_agents(p_from date, p_to date, p_org text, p_queues text[],
    p_services text[])
    RETURNS TABLE (agent text, claimed bigint, resolved bigint, replies bigint,
        notes bigint, escalations bigint, time_spent numeric, handling_median numeric,
        total boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH f AS (
		SELECT (SELECT guichet.report_queue_ids(p_org, p_queues)) AS qids,
		    (SELECT guichet.report_service_ids(p_services)) AS sids,
		    (SELECT array_agg(a.id) FROM guichet.agent a) AS seen
	), x AS NOT MATERIALIZED (
		SELECT x.agent_id, x.kind, x.handling, x.minutes
		FROM f CROSS JOIN guichet.report_fact x
		WHERE x.at >= p_from::timestamptz AND x.at < (p_to + 1)::timestamptz
		  AND (x.kind NOT IN ('r', 'e') OR x.agent_id = ANY (f.seen))
		  AND (f.qids IS NULL OR x.queue_id = ANY (f.qids))
		  AND (f.sids IS NULL OR x.service_id = ANY (f.sids))
	), n AS MATERIALIZED (
		-- One pass, per agent in parallel workers (a hash, no sort): the
		-- counts and the handling times, gathered in an array (only these
		-- rows leave the workers).
		SELECT x.agent_id, count(*) FILTER (WHERE x.kind = 'c') AS claimed,
		    count(*) FILTER (WHERE x.kind = 'r') AS resolved,
		    count(*) FILTER (WHERE x.kind = 'm') AS replies,
		    count(*) FILTER (WHERE x.kind = 'n') AS notes,
		    count(*) FILTER (WHERE x.kind = 'e') AS escalations,
		    sum(x.minutes) AS minutes,
		    guichet.report_float8_collect(x.handling) FILTER (WHERE x.kind = 'r') AS hs
		FROM x WHERE x.kind IN ('c', 'r', 'e', 'm', 'n', 'o')
		GROUP BY x.agent_id
	), g AS (
		-- The medians from each agent's times sorted once (and all of them
		-- for the total), as percentile_cont computes them.
		SELECT n.agent_id, false AS total, n.claimed, n.resolved, n.replies, n.notes,
		    n.escalations, n.minutes, (guichet.report_sorted_percentiles(ARRAY(
		        SELECT u.v FROM unnest(n.hs) u(v) ORDER BY u.v)))[1] AS median
		FROM n
		UNION ALL
		SELECT NULL, true, sum(n.claimed), sum(n.resolved), sum(n.replies), sum(n.notes),
		    sum(n.escalations), sum(n.minutes), (guichet.report_sorted_percentiles(ARRAY(
		        SELECT u.v FROM n n2 CROSS JOIN unnest(n2.hs) u(v) ORDER BY u.v)))[1]
		FROM n HAVING count(*) > 0
	)
	SELECT (SELECT a.display_name FROM guichet.agent a WHERE a.id = g.agent_id),
	    g.claimed::bigint, g.resolved::bigint, g.replies::bigint, g.notes::bigint,
	    g.escalations::bigint, (coalesce(g.minutes, 0) * 60)::numeric,
	    round(g.median::numeric), g.total
	FROM g
	ORDER BY g.total, g.resolved DESC, g.replies DESC, g.claimed DESC, 1, g.agent_id;
END;

-- escalations: the level 1 → level 2 changes made in the period, per source
-- queue (the queue the ticket left; p_by 'service': per service) and target
-- queue: how many, the median time from the ticket's creation to the
-- escalation, the median time from the escalation to the resolution (tickets
-- now resolved or closed), and how many came back to level 1 afterwards.
--
-- The escalations and returns are facts (74-report-facts.sql) with the queue
-- move of the same statement in the row (when it went into a level-2 queue,
-- it names the queues left and reached; else the ticket's queue is both) and
-- the ticket's creation and resolution: the ticket is not read. The returns
-- are few, grouped per ticket and hashed.
CREATE FUNCTION report_escalations(p_from date, p_to date, p_org text, p_queues text[],
    p_services text[], p_by text)
    RETURNS TABLE (source text, target text, escalations bigint, to_escalate numeric,
        to_resolve numeric, returned bigint, return_rate numeric, total boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH f AS (
		SELECT (SELECT guichet.report_queue_ids(p_org, p_queues)) AS qids,
		    (SELECT guichet.report_service_ids(p_services)) AS sids
	), h AS (
		SELECT h.ticket_id, h.seq, h.at, h.from_queue, h.to_queue, h.queue_id, h.service_id,
		    h.ticket_created, h.ticket_resolved, coalesce(q2.level = 2, false) AS moved
		FROM guichet.report_fact h
		-- (a join, hashed: the queue's level as this role sees it)
		LEFT JOIN guichet.queue q2 ON q2.id = h.to_queue
		WHERE h.kind = 'e' AND h.old_level = 1
		  AND h.at >= p_from::timestamptz AND h.at < (p_to + 1)::timestamptz
	), b AS (
		SELECT b.ticket_id, max(b.seq) AS last_seq
		FROM guichet.report_fact b WHERE b.kind = 'b'
		GROUP BY b.ticket_id
	), e AS (
		SELECT h.ticket_id, h.at, h.ticket_created AS created_at, h.service_id,
		    CASE WHEN h.ticket_resolved > h.at THEN h.ticket_resolved END AS resolved_at,
		    CASE WHEN h.moved THEN h.from_queue ELSE h.queue_id END AS from_queue,
		    CASE WHEN h.moved THEN h.to_queue ELSE h.queue_id END AS to_queue,
		    coalesce(b.last_seq > h.seq, false) AS returned,
		    f.qids
		FROM f CROSS JOIN h
		LEFT JOIN b ON b.ticket_id = h.ticket_id
		WHERE (f.sids IS NULL OR h.service_id = ANY (f.sids))
	), g AS (
		SELECT CASE WHEN p_by = 'service' THEN e.service_id ELSE e.from_queue END AS k,
		    e.to_queue, extract(epoch FROM e.at - e.created_at) AS to_escalate,
		    extract(epoch FROM e.resolved_at - e.at) AS to_resolve, e.returned
		FROM e
		WHERE e.qids IS NULL OR e.from_queue = ANY (e.qids) OR e.to_queue = ANY (e.qids)
	)
	SELECT x.source, x.target, x.escalations, x.to_escalate, x.to_resolve, x.returned,
	    x.return_rate, x.total
	FROM (
		SELECT guichet.report_dim_label(CASE WHEN p_by = 'service' THEN 'service'
		        ELSE 'queue' END, g.k::text) AS source,
		    guichet.report_dim_label('queue', g.to_queue::text) AS target, g.k, g.to_queue,
		    count(*) AS escalations,
		    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY g.to_escalate)::numeric)
		        AS to_escalate,
		    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY g.to_resolve)::numeric)
		        AS to_resolve,
		    count(*) FILTER (WHERE g.returned) AS returned,
		    round(count(*) FILTER (WHERE g.returned)::numeric / count(*), 4) AS return_rate,
		    GROUPING(g.k, g.to_queue) <> 0 AS total
		FROM g
		GROUP BY GROUPING SETS ((g.k, g.to_queue), ())
		HAVING count(*) > 0
	) x
	ORDER BY x.total, x.escalations DESC, x.source, x.target, x.k, x.to_queue;
END;

-- escalations, its second table: each return to level 1 made in the period
-- (a level change 2 → 1), the queues it left and reached, who made it and the
-- reason given (return_to_level1 keeps it in history in the same transaction,
-- at the same time, right after the change). Returns are few: the level rows
-- come from history_field_at, the rest by (ticket_id, seq).
CREATE FUNCTION report_escalation_returns(p_from date, p_to date, p_org text,
    p_queues text[], p_services text[])
    RETURNS TABLE (ticket bigint, returned_at timestamptz, from_queue text, to_queue text,
        agent text, reason text)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH f AS (
		SELECT (SELECT guichet.report_queue_ids(p_org, p_queues)) AS qids,
		    (SELECT guichet.report_service_ids(p_services)) AS sids
	), b AS (
		SELECT h.ticket_id, h.seq, h.at, h.actor
		FROM guichet.history h
		WHERE h.field = 'level' AND h.old_value = '2' AND h.new_value = '1'
		  AND h.at >= p_from::timestamptz AND h.at < (p_to + 1)::timestamptz
	), r AS (
		SELECT b.ticket_id, b.at, b.actor, t.service_id,
		    -- The queue change of the same statement: just before the
		    -- level's row, at the same instant.
		    coalesce((SELECT qh.old_value::integer FROM guichet.history qh
		        WHERE qh.ticket_id = b.ticket_id AND qh.seq < b.seq AND qh.at = b.at
		          AND qh.field = 'queue_id'
		        ORDER BY qh.seq DESC LIMIT 1), t.queue_id) AS from_queue,
		    coalesce((SELECT qh.new_value::integer FROM guichet.history qh
		        WHERE qh.ticket_id = b.ticket_id AND qh.seq < b.seq AND qh.at = b.at
		          AND qh.field = 'queue_id'
		        ORDER BY qh.seq DESC LIMIT 1), t.queue_id) AS to_queue,
		    (SELECT x.new_value FROM guichet.history x
		        WHERE x.ticket_id = b.ticket_id AND x.seq > b.seq AND x.at = b.at
		          AND x.action = 'return' AND x.field = 'reason'
		        ORDER BY x.seq LIMIT 1) AS reason
		FROM b JOIN guichet.ticket t ON t.id = b.ticket_id
	)
	SELECT r.ticket_id, r.at, guichet.report_dim_label('queue', r.from_queue::text),
	    guichet.report_dim_label('queue', r.to_queue::text),
	    coalesce((SELECT a.display_name FROM guichet.agent a WHERE a.login = r.actor),
	        r.actor::text),
	    r.reason
	FROM r CROSS JOIN f
	WHERE (f.sids IS NULL OR r.service_id = ANY (f.sids))
	  AND (f.qids IS NULL OR r.from_queue = ANY (f.qids) OR r.to_queue = ANY (f.qids))
	ORDER BY r.at, r.ticket_id;
END;

-- hotspots: per place (district, or the value of a field) and service, the
-- tickets created in the period against the previous period of the same
-- length. ratio compares the place with the usual: the service's tickets in
-- the period divided by the number of places that had any ticket in it. A
-- hot spot has at least p_min tickets and more than usual (ratio above 1);
-- the p_limit hottest are returned, by ratio then count.
CREATE FUNCTION report_hotspots(p_from date, p_to date, p_org text, p_queues text[],
    p_services text[], p_by text, p_min integer, p_limit integer)
    RETURNS TABLE (place text, service text, tickets bigint, previous bigint,
        change numeric, ratio numeric)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH f AS (
		SELECT (SELECT guichet.report_queue_ids(p_org, p_queues)) AS qids,
		    (SELECT guichet.report_service_ids(p_services)) AS sids,
		    (SELECT guichet.report_dim_field(p_by)) AS fid
	), base AS NOT MATERIALIZED (
		SELECT CASE WHEN p_by = 'district' THEN t.district_id::text ELSE v.value END
		        AS place,
		    t.service_id, t.created_at >= p_from::timestamptz AS cur
		FROM f CROSS JOIN guichet.ticket t
		LEFT JOIN guichet.ticket_field v ON v.ticket_id = t.id AND v.field_id = f.fid
		WHERE t.status <> 'merged'
		  AND t.created_at >= (p_from - (p_to - p_from + 1))::timestamptz
		  AND t.created_at < (p_to + 1)::timestamptz
		  AND (f.qids IS NULL OR t.queue_id = ANY (f.qids))
		  AND (f.sids IS NULL OR t.service_id = ANY (f.sids))
	), pc AS (
		-- One (parallel) pass: the tickets of both periods per place and
		-- service; the rows without a service still count the places.
		SELECT base.place, base.service_id, count(*) FILTER (WHERE base.cur) AS n,
		    count(*) FILTER (WHERE NOT base.cur) AS prev
		FROM base
		WHERE base.place IS NOT NULL
		GROUP BY base.place, base.service_id
	), cnt AS (
		SELECT pc.place, pc.service_id, pc.n, pc.prev FROM pc
		WHERE pc.service_id IS NOT NULL
	), places AS (
		SELECT count(DISTINCT pc.place) AS np FROM pc WHERE pc.n > 0
	), svc AS (
		SELECT cnt.service_id, sum(cnt.n) AS sn FROM cnt GROUP BY cnt.service_id
	)
	SELECT CASE WHEN p_by = 'district'
	        THEN guichet.report_dim_label('district', cnt.place) ELSE cnt.place END,
	    guichet.report_dim_label('service', cnt.service_id::text),
	    cnt.n, cnt.prev,
	    round((cnt.n - cnt.prev)::numeric / nullif(cnt.prev, 0), 4),
	    round(cnt.n * places.np / svc.sn, 2)
	FROM cnt JOIN svc ON svc.service_id = cnt.service_id CROSS JOIN places
	WHERE cnt.n >= p_min AND cnt.n * places.np > svc.sn
	ORDER BY cnt.n * places.np / svc.sn DESC, cnt.n DESC, 1, 2, cnt.place, cnt.service_id
	LIMIT p_limit;
END;

-- The requesters of the tickets created in the period, with how many tickets,
-- services and districts, whether they may be approached. Contacts are joined
-- after the aggregation: one lookup per requester, not per ticket.
CREATE FUNCTION report_contact_activity(p_from date, p_to date, p_org text,
    p_queues text[], p_services text[])
    RETURNS TABLE (contact_id bigint, tickets bigint, services bigint, districts bigint,
        last_at timestamptz, no_contact boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH f AS (
		SELECT (SELECT guichet.report_queue_ids(p_org, p_queues)) AS qids,
		    (SELECT guichet.report_service_ids(p_services)) AS sids,
		    p_from::timestamptz AS t0, (p_to + 1)::timestamptz AS t1
	), a AS (
		SELECT t.requester_id, count(*) AS tickets, count(DISTINCT t.service_id) AS services,
		    count(DISTINCT t.district_id) AS districts, max(t.created_at) AS last_at
		FROM f CROSS JOIN guichet.ticket t
		WHERE t.status <> 'merged' AND t.requester_id IS NOT NULL
		  AND t.created_at >= f.t0 AND t.created_at < f.t1
		  AND (f.qids IS NULL OR t.queue_id = ANY (f.qids))
		  AND (f.sids IS NULL OR t.service_id = ANY (f.sids))
		GROUP BY t.requester_id
	)
	SELECT a.requester_id, a.tickets, a.services, a.districts, a.last_at, c.no_contact
	FROM a JOIN guichet.contact c ON c.id = a.requester_id;
END;

-- contacts: the requesters active across at least p_min services or p_min
-- districts in the period, most varied first; those flagged no_contact are
-- left out, and every row says how many were (withheld). The requesters are
-- aggregated from the tickets first, in parallel: the services and districts
-- as bits of a mask (ids 0 to 63; a count(DISTINCT) would sort every
-- requester's tickets, serially). Only the first of them in order are joined
-- to their contact (the contact's RLS check is per row), and the withheld are
-- counted from the few contacts flagged no_contact (an index of their own).
-- The period's tickets are read in requester order from an index that holds
-- all the columns the aggregation needs (ticket_requester_activity): each
-- worker's groups come out (nearly) complete, without a hash table of every
-- requester.
CREATE FUNCTION report_contacts(p_from date, p_to date, p_org text, p_queues text[],
    p_services text[], p_min integer, p_limit integer)
    RETURNS TABLE (contact text, email text, tickets bigint, services bigint,
        districts bigint, last_date date, withheld bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH f AS (
		SELECT (SELECT guichet.report_queue_ids(p_org, p_queues)) AS qids,
		    (SELECT guichet.report_service_ids(p_services)) AS sids,
		    (SELECT coalesce(min(s.id) >= 0 AND max(s.id) < 64, true)
		        FROM guichet.service s)
		    AND (SELECT coalesce(min(d.id) >= 0 AND max(d.id) < 64, true)
		        FROM guichet.district d) AS bits
	), t AS NOT MATERIALIZED (
		SELECT t.requester_id, t.service_id, t.district_id, t.created_at, f.bits
		FROM f CROSS JOIN guichet.ticket t
		WHERE t.status <> 'merged' AND t.requester_id IS NOT NULL
		  AND t.created_at >= p_from::timestamptz AND t.created_at < (p_to + 1)::timestamptz
		  AND (f.qids IS NULL OR t.queue_id = ANY (f.qids))
		  AND (f.sids IS NULL OR t.service_id = ANY (f.sids))
	), a AS (
		-- Services and districts as bits of a mask, counted at the end
		-- (a hash aggregation: no sort of the period's tickets) ...
		SELECT t.requester_id, count(*) AS tickets,
		    coalesce(bit_count(bit_or(1::bigint << t.service_id)::bit(64)), 0) AS services,
		    coalesce(bit_count(bit_or(1::bigint << t.district_id)::bit(64)), 0)
		        AS districts,
		    max(t.created_at) AS last_at
		FROM t
		WHERE t.bits
		GROUP BY t.requester_id
		HAVING coalesce(bit_count(bit_or(1::bigint << t.service_id)::bit(64)), 0) >= p_min
		    OR coalesce(bit_count(bit_or(1::bigint << t.district_id)::bit(64)), 0) >= p_min
		UNION ALL
		-- ... unless an id does not fit in 64 bits (the branch not taken
		-- reads nothing).
		SELECT t.requester_id, count(*), count(DISTINCT t.service_id),
		    count(DISTINCT t.district_id), max(t.created_at)
		FROM t
		WHERE NOT t.bits
		GROUP BY t.requester_id
		HAVING count(DISTINCT t.service_id) >= p_min
		    OR count(DISTINCT t.district_id) >= p_min
	), w AS (
		-- The withheld: only the contacts flagged no_contact are read.
		SELECT count(*) AS withheld
		FROM a JOIN guichet.contact c ON c.id = a.requester_id
		WHERE c.no_contact
	)
	-- The requesters in order of their figures, each joined to its
	-- contact until p_limit rows are found (and the ties of the last).
	SELECT c.name, c.email, a.tickets, a.services, a.districts, a.last_at::date,
	    (SELECT w.withheld FROM w)
	FROM (SELECT a.requester_id, a.tickets, a.services, a.districts, a.last_at FROM a
	    ORDER BY a.services DESC, a.districts DESC, a.tickets DESC) a
	JOIN guichet.contact c ON c.id = a.requester_id
	WHERE NOT c.no_contact
	ORDER BY a.services DESC, a.districts DESC, a.tickets DESC, c.name, c.id
	LIMIT p_limit;
END;

CREATE FUNCTION report_contacts_withheld(p_from date, p_to date, p_org text,
    p_queues text[], p_services text[], p_min integer)
    RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT count(*)
	FROM guichet.report_contact_activity(p_from, p_to, p_org, p_queues, p_services) x
	WHERE x.no_contact AND (x.services >= p_min OR x.districts >= p_min);
END;

DO $grant$
DECLARE
	fns text := $fns$ report_queue_ids(text, text[]), report_service_ids(text[]),
    report_check_filters(text, text[], text[]), report_dim_label(text, text),
    report_dim_field(text),
    report_volume(date, date, text, text[], text[], text[], text),
    report_trend(date, date, text, text[], text[], text, text),
    report_value_at(bigint, text, timestamptz, text),
    report_backlog_tickets(date, text, text[], text[]),
    report_backlog(date, text, text[], text[]),
    report_backlog_oldest(date, text, text[], text[], integer),
    report_business_clock(timestamp, time, time, smallint[], date[]),
    report_policy_calendar(),
    report_sla_tickets(date, date, text, text[], text[]),
    report_sla(date, date, text, text[], text[], text),
    report_quality(date, date, text, text[], text[], text),
    report_agents(date, date, text, text[], text[]),
    report_escalations(date, date, text, text[], text[], text),
    report_escalation_returns(date, date, text, text[], text[]),
    report_hotspots(date, date, text, text[], text[], text, integer, integer),
    report_contact_activity(date, date, text, text[], text[]),
    report_contacts(date, date, text, text[], text[], integer, integer),
    report_contacts_withheld(date, date, text, text[], text[], integer)$fns$;
BEGIN
	-- Functions are executable by PUBLIC when created: these are for the desk's roles.
	EXECUTE 'REVOKE EXECUTE ON FUNCTION ' || fns || ' FROM PUBLIC';
	EXECUTE 'GRANT EXECUTE ON FUNCTION ' || fns || ' TO guichet_agent';
END
$grant$;
