-- 0005_sla.sql — SLA clocks: due times in business hours, the pending pause,
-- and which support level used the clock.
--
-- A policy without business_hours counts every minute. With business_hours,
-- time counts only between day_start and day_end (wall clock in the policy's
-- timezone, so daylight-saving changes need no care) on the policy's workdays,
-- except holidays (those of every organisation and the ticket's own). In such
-- a policy a span's days are working days: '5 days' is five working days,
-- '4 hours' four working hours, '1 day 2 hours' one working day and two hours.
--
-- A ticket's policy is its service's, else its queue's. Its due times are set
-- when it is created (any insert that leaves both NULL: create_ticket, the
-- mail gateway, an import). While it is pending the clock stops: leaving
-- pending pushes each due time not yet met forward by the time spent pending,
-- counted in business time when the policy has business hours.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, public;

-- Is this day a working day for the policy (and organisation)?
CREATE FUNCTION sla_workday(p sla_policy, p_day date, p_org integer)
    RETURNS boolean
    LANGUAGE sql STABLE SET search_path = guichet, pg_catalog, public AS $$
	SELECT extract(isodow FROM p_day)::smallint = ANY (p.workdays)
	    AND NOT EXISTS (SELECT 1 FROM holiday h WHERE h.day = p_day
	        AND (h.organisation_id IS NULL OR h.organisation_id = p_org))
$$;

-- p_start + p_span, counting only business time when the policy has business
-- hours. NULL span (the policy sets no such target): NULL.
CREATE FUNCTION sla_due(p_policy integer, p_start timestamptz, p_span interval,
    p_org integer DEFAULT NULL)
    RETURNS timestamptz
    LANGUAGE plpgsql STABLE SET search_path = guichet, pg_catalog, public AS $$
DECLARE
	p sla_policy;
	day_len numeric;
	remaining numeric;
	cursor_at timestamp;
	d date;
	window_start timestamp;
	window_end timestamp;
	avail numeric;
BEGIN
	IF p_span IS NULL OR p_start IS NULL THEN
		RETURN NULL;
	END IF;
	SELECT * INTO p FROM sla_policy WHERE id = p_policy;
	IF NOT FOUND OR NOT p.business_hours THEN
		RETURN p_start + p_span;
	END IF;
	day_len := extract(epoch FROM p.day_end - p.day_start);
	remaining := (extract(day FROM p_span)
	    + 30 * (extract(month FROM p_span) + 12 * extract(year FROM p_span))) * day_len
	    + extract(hour FROM p_span) * 3600 + extract(minute FROM p_span) * 60
	    + extract(second FROM p_span);
	cursor_at := p_start AT TIME ZONE p.timezone;
	IF remaining <= 0 THEN
		RETURN p_start;
	END IF;
	d := cursor_at::date;
	-- Ten years of days is more than any span; a policy without a single
	-- workday would loop for ever otherwise.
	FOR i IN 1..3660 LOOP
		IF sla_workday(p, d, p_org) THEN
			window_start := greatest(d + p.day_start, cursor_at);
			window_end := d + p.day_end;
			IF window_start < window_end THEN
				avail := extract(epoch FROM window_end - window_start);
				IF remaining <= avail THEN
					RETURN (window_start + remaining * interval '1 second')
					    AT TIME ZONE p.timezone;
				END IF;
				remaining := remaining - avail;
			END IF;
		END IF;
		d := d + 1;
	END LOOP;
	RAISE EXCEPTION 'SLA policy % has no working time', p.name USING ERRCODE = 'GU005';
END
$$;

-- The time between two instants that counts for the policy, as an interval
-- of seconds (no day part, so that sla_due reads it as business time).
CREATE FUNCTION sla_elapsed(p_policy integer, p_from timestamptz, p_to timestamptz,
    p_org integer DEFAULT NULL)
    RETURNS interval
    LANGUAGE plpgsql STABLE SET search_path = guichet, pg_catalog, public AS $$
DECLARE
	p sla_policy;
	a timestamp;
	b timestamp;
	total numeric := 0;
	d date;
BEGIN
	IF p_from IS NULL OR p_to IS NULL OR p_to <= p_from THEN
		RETURN interval '0';
	END IF;
	SELECT * INTO p FROM sla_policy WHERE id = p_policy;
	IF NOT FOUND OR NOT p.business_hours THEN
		RETURN make_interval(secs => extract(epoch FROM p_to - p_from));
	END IF;
	a := p_from AT TIME ZONE p.timezone;
	b := p_to AT TIME ZONE p.timezone;
	d := a::date;
	WHILE d <= b::date LOOP
		IF sla_workday(p, d, p_org) THEN
			total := total + greatest(0, extract(epoch FROM
			    least(b, d + p.day_end) - greatest(a, d + p.day_start)));
		END IF;
		d := d + 1;
	END LOOP;
	RETURN make_interval(secs => total);
END
$$;

-- The ticket's policy: its service's, else its queue's.
CREATE FUNCTION ticket_policy(p_service integer, p_queue integer)
    RETURNS integer
    LANGUAGE sql STABLE SET search_path = guichet, pg_catalog, public AS $$
	SELECT coalesce((SELECT sla_policy_id FROM service WHERE id = p_service),
	    (SELECT sla_policy_id FROM queue WHERE id = p_queue))
$$;

-- New due times when a ticket leaves pending at p_at: those not yet met move
-- forward by the (business) time spent pending.
CREATE FUNCTION sla_resume(t ticket, p_at timestamptz,
    OUT first_response_due timestamptz, OUT resolution_due timestamptz)
    LANGUAGE plpgsql STABLE SET search_path = guichet, pg_catalog, public AS $$
DECLARE
	pol integer := ticket_policy(t.service_id, t.queue_id);
	paused interval := sla_elapsed(pol, t.pending_since, p_at, t.organisation_id);
BEGIN
	first_response_due := t.first_response_due;
	resolution_due := t.resolution_due;
	IF t.pending_since IS NULL OR paused = interval '0' THEN
		RETURN;
	END IF;
	IF t.first_response_at IS NULL THEN
		first_response_due := sla_due(pol, t.first_response_due, paused, t.organisation_id);
	END IF;
	IF t.resolved_at IS NULL THEN
		resolution_due := sla_due(pol, t.resolution_due, paused, t.organisation_id);
	END IF;
END
$$;

-- Every new ticket: the organisation and level follow the queue, and the due
-- times come from the policy unless the insert gave some.
CREATE FUNCTION ticket_defaults()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = guichet, pg_catalog, public AS $$
DECLARE
	q queue;
	p sla_policy;
BEGIN
	SELECT * INTO q FROM queue WHERE id = NEW.queue_id;
	IF FOUND THEN
		NEW.organisation_id := q.organisation_id;
		NEW.level := greatest(NEW.level, q.level);
	END IF;
	IF NEW.first_response_due IS NULL AND NEW.resolution_due IS NULL THEN
		SELECT * INTO p FROM sla_policy
		WHERE id = ticket_policy(NEW.service_id, NEW.queue_id);
		IF FOUND THEN
			NEW.first_response_due := sla_due(p.id, NEW.created_at, p.first_response,
			    NEW.organisation_id);
			NEW.resolution_due := sla_due(p.id, NEW.created_at, p.resolution,
			    NEW.organisation_id);
		END IF;
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER ticket_defaults BEFORE INSERT ON ticket
    FOR EACH ROW EXECUTE FUNCTION ticket_defaults();

-- A ticket moved to another queue belongs to that queue's organisation.
CREATE FUNCTION ticket_queue_moved()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = guichet, pg_catalog, public AS $$
BEGIN
	NEW.organisation_id := (SELECT organisation_id FROM queue WHERE id = NEW.queue_id);
	RETURN NEW;
END
$$;
CREATE TRIGGER ticket_queue_moved BEFORE UPDATE OF queue_id ON ticket
    FOR EACH ROW WHEN (OLD.queue_id IS DISTINCT FROM NEW.queue_id)
    EXECUTE FUNCTION ticket_queue_moved();

-- Which level held the ticket, in what state, from when until when: one row
-- per stretch between two level or status changes, from creation to now.
-- Rebuilt from history (the first change of each tells what the ticket was
-- created with). security_invoker: the caller sees the tickets she may see.
CREATE VIEW ticket_level_segment WITH (security_invoker = true) AS
WITH ev AS (
	SELECT t.id AS ticket_id, 0 AS seq, t.created_at AS at,
	    coalesce((SELECT h.old_value FROM history h WHERE h.ticket_id = t.id
	        AND h.field = 'level' ORDER BY h.seq LIMIT 1), t.level::text) AS level,
	    coalesce((SELECT h.old_value FROM history h WHERE h.ticket_id = t.id
	        AND h.field = 'status' ORDER BY h.seq LIMIT 1), t.status) AS status
	FROM ticket t
	UNION ALL
	SELECT h.ticket_id, h.seq, h.at,
	    CASE h.field WHEN 'level' THEN h.new_value END,
	    CASE h.field WHEN 'status' THEN h.new_value END
	FROM history h
	WHERE h.field IN ('level', 'status')
), filled AS (
	-- Carry the last known level and status forward.
	SELECT ev.ticket_id, ev.seq, ev.at,
	    (array_agg(ev.level) FILTER (WHERE ev.level IS NOT NULL) OVER w) AS levels,
	    (array_agg(ev.status) FILTER (WHERE ev.status IS NOT NULL) OVER w) AS statuses,
	    lead(ev.at) OVER w AS next_at
	FROM ev
	WINDOW w AS (PARTITION BY ev.ticket_id ORDER BY ev.seq)
)
SELECT f.ticket_id, f.levels[cardinality(f.levels)]::smallint AS level,
    f.statuses[cardinality(f.statuses)] AS status,
    f.at AS since, coalesce(f.next_at, greatest(now(), f.at)) AS until
FROM filled f;

-- How long a ticket's clock ran at level 1 and at level 2 (new or open), and
-- how long it waited pending, in the business time of its policy.
CREATE FUNCTION ticket_level_time(p_ticket bigint,
    OUT level1 interval, OUT level2 interval, OUT pending interval)
    LANGUAGE sql STABLE SET search_path = guichet, pg_catalog, public AS $$
	SELECT coalesce(sum(e.d) FILTER (WHERE s.status IN ('new', 'open') AND s.level = 1),
	        interval '0'),
	    coalesce(sum(e.d) FILTER (WHERE s.status IN ('new', 'open') AND s.level = 2),
	        interval '0'),
	    coalesce(sum(e.d) FILTER (WHERE s.status = 'pending'), interval '0')
	FROM ticket t
	JOIN ticket_level_segment s ON s.ticket_id = t.id
	CROSS JOIN LATERAL (SELECT sla_elapsed(ticket_policy(t.service_id, t.queue_id),
	    s.since, s.until, t.organisation_id) AS d) e
	WHERE t.id = p_ticket
$$;

CREATE INDEX ticket_pending_until ON ticket (pending_until) WHERE status = 'pending';

GRANT SELECT ON ticket_level_segment TO guichet_agent, guichet_mail;
GRANT EXECUTE ON FUNCTION sla_workday(sla_policy, date, integer),
    sla_due(integer, timestamptz, interval, integer),
    sla_elapsed(integer, timestamptz, timestamptz, integer),
    ticket_policy(integer, integer), ticket_level_time(bigint)
    TO guichet_agent, guichet_mail;
