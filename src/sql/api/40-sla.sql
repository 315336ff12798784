-- 40-sla.sql — SLA clocks: due times in business hours, the pending pause,
-- and which support level used the clock.
--
-- A policy without business_hours counts every minute. With business_hours,
-- time counts only between day_start and day_end (wall clock in the policy's
-- timezone, so daylight-saving changes need no care) on the policy's workdays,
-- except holidays (those of every organisation and the ticket's own). In such
-- a policy a span's days are working days: '5 days' is five working days,
-- '4 hours' four working hours, '1 day 2 hours' one working day and two hours.
--
-- A ticket's policy is its service's, else its queue's; its targets are the
-- policy's, or those of the policy's row in sla_target for the ticket's
-- priority. Its due times are set when it is created (any insert that leaves
-- both NULL: create_ticket, the mail gateway, an import), and computed again
-- when its policy or its priority's targets change (sla_due_again). While it
-- is pending the clock stops: leaving pending pushes each due time not yet met
-- forward by the time spent pending, counted in business time when the policy
-- has business hours. The next response is due after each follow-up of the
-- requester once she has had a first answer (article_next_response).

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- Is this day a working day for the policy (and organisation)?
CREATE FUNCTION sla_workday(p sla_policy, p_day date, p_org integer)
    RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT extract(isodow FROM p_day)::smallint = ANY (p.workdays)
	    AND NOT EXISTS (SELECT 1 FROM holiday h WHERE h.day = p_day
	        AND (h.organisation_id IS NULL OR h.organisation_id = p_org))
$$;

-- The business-time arithmetic below is closed-form: whole weeks are counted
-- with a division, at most a week of single days is stepped through, and the
-- holidays of a range are counted with one query on holiday's (day, …)
-- index. Walking the calendar day by day with a query per day cost a
-- millisecond per due time, and every new ticket computes two.
--
-- The helpers below have no SET search_path (calling a function with one
-- costs more than their whole body) and name every table with its schema.

-- The policy's workdays as a bit mask: bit d set for ISO weekday d.
CREATE FUNCTION sla_workday_mask(p_workdays smallint[])
    RETURNS integer
    LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	x smallint;
	m integer := 0;
BEGIN
	FOREACH x IN ARRAY coalesce(p_workdays, '{}') LOOP
		IF x BETWEEN 1 AND 7 THEN
			m := m | (1 << x);
		END IF;
	END LOOP;
	RETURN m;
END
$$;

-- ISO weekday (1 = Monday) with integer arithmetic: 2001-01-01 was a Monday.
CREATE FUNCTION sla_isodow(p_day date)
    RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ((p_day - date '2001-01-01') % 7 + 7) % 7 + 1;

-- How many days of [p_from, p_to] fall on the mask's weekdays (holidays aside).
CREATE FUNCTION sla_weekdays(p_mask integer, p_from date, p_to date)
    RETURNS integer
    LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	n integer := p_to - p_from + 1;
	w integer := 0;
	k integer;
	d date;
BEGIN
	IF n <= 0 THEN
		RETURN 0;
	END IF;
	FOR i IN 1..7 LOOP
		IF p_mask & (1 << i) <> 0 THEN
			w := w + 1;
		END IF;
	END LOOP;
	k := (n / 7) * w;
	d := p_from + (n / 7) * 7;
	WHILE d <= p_to LOOP
		IF p_mask & (1 << guichet.sla_isodow(d)) <> 0 THEN
			k := k + 1;
		END IF;
		d := d + 1;
	END LOOP;
	RETURN k;
END
$$;

-- The p_n-th day after p_after (p_n >= 1) on the mask's weekdays (holidays
-- aside); the mask has p_w weekdays (p_w >= 1).
CREATE FUNCTION sla_nth_weekday(p_mask integer, p_w integer, p_after date, p_n integer)
    RETURNS date
    LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	weeks integer := (p_n - 1) / p_w;
	left_ integer := p_n - weeks * p_w;
	d date := p_after + weeks * 7;
BEGIN
	LOOP
		d := d + 1;
		IF p_mask & (1 << guichet.sla_isodow(d)) <> 0 THEN
			left_ := left_ - 1;
			EXIT WHEN left_ = 0;
		END IF;
	END LOOP;
	RETURN d;
END
$$;

-- Holidays (of every organisation and of p_org) in (p_after, p_to] that fall
-- on the mask's weekdays, each day once.
CREATE FUNCTION sla_holidays(p_mask integer, p_after date, p_to date, p_org integer)
    RETURNS integer
    LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT count(DISTINCT h.day) FROM guichet.holiday h
	    WHERE h.day > p_after AND h.day <= p_to
	        AND (h.organisation_id IS NULL OR h.organisation_id = p_org)
	        AND p_mask & (1 << guichet.sla_isodow(h.day)) <> 0);
END
$$;

-- sla_due for a policy row already read (ticket_defaults, sla_resume). Same
-- rules as walking the calendar day by day from p_start: the rest of the
-- first day if it is a working day, then whole working days (each one
-- day_end - day_start of wall-clock time), the last one partly. Ten years of
-- calendar days is the limit, as a policy without working time must fail.
CREATE FUNCTION sla_due_policy(p sla_policy, p_start timestamptz, p_span interval,
    p_org integer)
    RETURNS timestamptz
    LANGUAGE plpgsql STABLE AS $$
DECLARE
	day_len numeric;
	remaining numeric;
	cursor_at timestamp;
	d date;
	window_start timestamp;
	window_end timestamp;
	avail numeric;
	mask integer;
	w integer := 0;
	n integer;
	lo date;
	hi date;
	h integer;
BEGIN
	IF p_span IS NULL OR p_start IS NULL THEN
		RETURN NULL;
	END IF;
	IF p.id IS NULL OR NOT p.business_hours THEN
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
	mask := guichet.sla_workday_mask(p.workdays);
	d := cursor_at::date;
	-- The first day: the part of its window after p_start.
	window_start := greatest(d + p.day_start, cursor_at);
	window_end := d + p.day_end;
	IF window_start < window_end AND mask & (1 << guichet.sla_isodow(d)) <> 0
	    AND guichet.sla_holidays(mask, d - 1, d, p_org) = 0 THEN
		avail := extract(epoch FROM window_end - window_start);
		IF remaining <= avail THEN
			RETURN (window_start + remaining * interval '1 second') AT TIME ZONE p.timezone;
		END IF;
		remaining := remaining - avail;
	END IF;
	FOR i IN 1..7 LOOP
		IF mask & (1 << i) <> 0 THEN
			w := w + 1;
		END IF;
	END LOOP;
	IF w = 0 THEN
		RAISE EXCEPTION 'SLA policy % has no working time', p.name USING ERRCODE = 'GU005';
	END IF;
	-- The end lies in the n-th working day after d: find it on weekdays,
	-- then step over the holidays met on the way (and those met then).
	n := ceil(remaining / day_len)::integer;
	remaining := remaining - (n - 1) * day_len;
	lo := d;
	LOOP
		hi := guichet.sla_nth_weekday(mask, w, lo, n);
		IF hi > d + 3659 THEN
			RAISE EXCEPTION 'SLA policy % has no working time', p.name USING ERRCODE = 'GU005';
		END IF;
		h := guichet.sla_holidays(mask, lo, hi, p_org);
		EXIT WHEN h = 0;
		lo := hi;
		n := h;
	END LOOP;
	RETURN (hi + p.day_start + remaining * interval '1 second') AT TIME ZONE p.timezone;
END
$$;

-- p_start + p_span, counting only business time when the policy has business
-- hours. NULL span (the policy sets no such target): NULL.
CREATE FUNCTION sla_due(p_policy integer, p_start timestamptz, p_span interval,
    p_org integer DEFAULT NULL)
    RETURNS timestamptz
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	p sla_policy;
BEGIN
	IF p_span IS NULL OR p_start IS NULL THEN
		RETURN NULL;
	END IF;
	SELECT * INTO p FROM sla_policy WHERE id = p_policy;
	RETURN sla_due_policy(p, p_start, p_span, p_org);
END
$$;

-- sla_elapsed for a policy row already read: the rest of the first day, the
-- start of the last one, and whole working days in between.
CREATE FUNCTION sla_elapsed_policy(p sla_policy, p_from timestamptz, p_to timestamptz,
    p_org integer)
    RETURNS interval
    LANGUAGE plpgsql STABLE AS $$
DECLARE
	a timestamp;
	b timestamp;
	da date;
	db date;
	mask integer;
	total numeric := 0;
	hol_a boolean;
	hol_b boolean;
	hol_mid integer;
BEGIN
	IF p_from IS NULL OR p_to IS NULL OR p_to <= p_from THEN
		RETURN interval '0';
	END IF;
	IF p.id IS NULL OR NOT p.business_hours THEN
		RETURN make_interval(secs => extract(epoch FROM p_to - p_from));
	END IF;
	a := p_from AT TIME ZONE p.timezone;
	b := p_to AT TIME ZONE p.timezone;
	da := a::date;
	db := b::date;
	IF db < da THEN
		RETURN make_interval(secs => 0);
	END IF;
	mask := guichet.sla_workday_mask(p.workdays);
	SELECT coalesce(bool_or(h.day = da), false), coalesce(bool_or(h.day = db), false),
	    count(DISTINCT h.day) FILTER (WHERE h.day > da AND h.day < db)
	INTO hol_a, hol_b, hol_mid
	FROM guichet.holiday h
	WHERE h.day >= da AND h.day <= db
	    AND (h.organisation_id IS NULL OR h.organisation_id = p_org)
	    AND mask & (1 << guichet.sla_isodow(h.day)) <> 0;
	IF mask & (1 << guichet.sla_isodow(da)) <> 0 AND NOT hol_a THEN
		total := greatest(0, extract(epoch FROM
		    least(b, da + p.day_end) - greatest(a, da + p.day_start)));
	END IF;
	IF db > da THEN
		IF mask & (1 << guichet.sla_isodow(db)) <> 0 AND NOT hol_b THEN
			total := total + greatest(0, extract(epoch FROM
			    least(b, db + p.day_end) - greatest(a, db + p.day_start)));
		END IF;
		total := total + (guichet.sla_weekdays(mask, da + 1, db - 1) - hol_mid)
		    * extract(epoch FROM p.day_end - p.day_start);
	END IF;
	RETURN make_interval(secs => total);
END
$$;

-- The time between two instants that counts for the policy, as an interval
-- of seconds (no day part, so that sla_due reads it as business time).
CREATE FUNCTION sla_elapsed(p_policy integer, p_from timestamptz, p_to timestamptz,
    p_org integer DEFAULT NULL)
    RETURNS interval
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	p sla_policy;
BEGIN
	IF p_from IS NULL OR p_to IS NULL OR p_to <= p_from THEN
		RETURN interval '0';
	END IF;
	SELECT * INTO p FROM sla_policy WHERE id = p_policy;
	RETURN sla_elapsed_policy(p, p_from, p_to, p_org);
END
$$;

-- A policy's targets for a priority: the policy's own, each one overridden
-- by the policy's sla_target row for that priority when the row gives it.
-- (No SET search_path: the triggers call it on every new ticket.)
CREATE FUNCTION sla_targets(p sla_policy, p_priority integer,
    OUT first_response interval, OUT next_response interval, OUT resolution interval)
    LANGUAGE plpgsql STABLE AS $$
DECLARE
	x guichet.sla_target;
BEGIN
	first_response := p.first_response;
	next_response := p.next_response;
	resolution := p.resolution;
	IF p.id IS NULL THEN
		RETURN;
	END IF;
	SELECT * INTO x FROM guichet.sla_target st
	WHERE st.sla_policy_id = p.id AND st.priority = p_priority;
	IF FOUND THEN
		first_response := coalesce(x.first_response, first_response);
		next_response := coalesce(x.next_response, next_response);
		resolution := coalesce(x.resolution, resolution);
	END IF;
END
$$;

-- A span as the seconds of clock it stands for: in a policy with business
-- hours a day is a working day (day_end - day_start), as sla_due_policy
-- reads it; otherwise wall-clock seconds.
CREATE FUNCTION sla_span_seconds(p sla_policy, p_span interval)
    RETURNS float8
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_span IS NULL THEN
		RETURN NULL;
	END IF;
	IF p.id IS NULL OR NOT p.business_hours THEN
		RETURN extract(epoch FROM p_span);
	END IF;
	RETURN (extract(day FROM p_span)
	    + 30 * (extract(month FROM p_span) + 12 * extract(year FROM p_span)))
	    * extract(epoch FROM p.day_end - p.day_start)
	    + extract(hour FROM p_span) * 3600 + extract(minute FROM p_span) * 60
	    + extract(second FROM p_span);
END
$$;

-- When a target is due for a clock that has used p_used seconds of it and
-- goes on from p_base: p_base plus what is left, in the policy's time. A
-- target already passed was due before p_base, by the overrun counted in
-- wall-clock seconds (exact without business hours, an earlier instant
-- with them: the ticket shows as breached either way, which is what a due
-- time in the past says).
CREATE FUNCTION sla_due_left(p sla_policy, p_base timestamptz, p_used float8,
    p_span interval, p_org integer)
    RETURNS timestamptz
    LANGUAGE plpgsql STABLE AS $$
DECLARE
	target float8 := guichet.sla_span_seconds(p, p_span);
BEGIN
	IF target IS NULL OR p_base IS NULL THEN
		RETURN NULL;
	END IF;
	IF p_used < target THEN
		RETURN guichet.sla_due_policy(p, p_base, make_interval(secs => target - p_used),
		    p_org);
	END IF;
	RETURN p_base - make_interval(secs => p_used - target);
END
$$;

-- The due times a ticket's policy (p) and priority give it now, for the
-- targets not yet met (a met one keeps its due time). The first response and
-- the resolution run on the ticket's SLA clock (clock_l1 + clock_l2 and the
-- running stretch: the time it was new or open, pauses left out), so what is
-- left of the target is counted from now, or from pending_since while the
-- ticket is pending (leaving pending then pushes it on as usual). The next
-- response runs from the follow-up that waits for an answer: the first
-- message of the requester since the last reply (a pause since that
-- follow-up is not deducted here). Used when the service, the queue, the
-- organisation or the priority change the targets (ticket_sla_clock).
CREATE FUNCTION sla_due_again(t ticket, p sla_policy,
    OUT first_response_due timestamptz, OUT resolution_due timestamptz,
    OUT next_response_due timestamptz)
    LANGUAGE plpgsql STABLE AS $$
DECLARE
	g record := guichet.sla_targets(p, t.priority);
	used float8 := t.clock_l1 + t.clock_l2;
	base timestamptz := now();
	f timestamptz;
BEGIN
	first_response_due := t.first_response_due;
	resolution_due := t.resolution_due;
	next_response_due := t.next_response_due;
	IF t.clock_since IS NOT NULL AND now() > t.clock_since THEN
		used := used + extract(epoch FROM guichet.sla_elapsed_policy(p, t.clock_since,
		    now(), t.organisation_id));
	ELSIF t.status = 'pending' AND t.pending_since IS NOT NULL THEN
		base := t.pending_since;
	END IF;
	IF t.first_response_at IS NULL THEN
		first_response_due := guichet.sla_due_left(p, base, used, g.first_response,
		    t.organisation_id);
	END IF;
	IF t.resolved_at IS NULL THEN
		resolution_due := guichet.sla_due_left(p, base, used, g.resolution,
		    t.organisation_id);
	END IF;
	IF t.next_response_due IS NOT NULL THEN
		-- (Articles in the order they were written: their ids.)
		SELECT a.created_at INTO f FROM guichet.article a
		WHERE a.ticket_id = t.id AND a.kind = 'mail_in' AND a.author_contact_id IS NOT NULL
		    AND a.id > coalesce((SELECT max(r.id) FROM guichet.article r
		        WHERE r.ticket_id = t.id AND r.kind IN ('mail_out', 'phone')
		            AND r.author_agent_id IS NOT NULL), 0)
		ORDER BY a.id LIMIT 1;
		next_response_due := guichet.sla_due_policy(p, coalesce(f, base), g.next_response,
		    t.organisation_id);
	END IF;
END
$$;

-- The ticket's policy: its service's, else its queue's. (PL/pgSQL: an SQL
-- function with sub-selects is never inlined and would be planned again at
-- every call.)
CREATE FUNCTION ticket_policy(p_service integer, p_queue integer)
    RETURNS integer
    LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN coalesce((SELECT s.sla_policy_id FROM guichet.service s WHERE s.id = p_service),
	    (SELECT q.sla_policy_id FROM guichet.queue q WHERE q.id = p_queue));
END
$$;

-- The ticket's next due time while its clock runs (new or open): the first
-- response's, or the resolution's if that comes sooner, until the first
-- response; then the resolution's. NULL while the clock is stopped (pending,
-- resolved, closed, merged) or without a policy. "Overdue" is
-- ticket_due(t) < now(): the console's overview, index and ticket card read
-- this one rule. Plain SQL without SET, so that it is inlined: the planner
-- reads the row's columns (an index-only scan of ticket_live stays one), and
-- `t.ticket_due` works as a column in psql.
CREATE FUNCTION ticket_due(t ticket)
    RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN t.status IN ('new', 'open') THEN
    least(CASE WHEN t.first_response_at IS NULL THEN t.first_response_due END,
        t.resolution_due, t.next_response_due) END;

-- New due times when a ticket leaves pending at p_at: those not yet met move
-- forward by the (business) time spent pending.
CREATE FUNCTION sla_resume(t ticket, p_at timestamptz,
    OUT first_response_due timestamptz, OUT resolution_due timestamptz,
    OUT next_response_due timestamptz)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	p sla_policy;
	paused interval;
BEGIN
	first_response_due := t.first_response_due;
	resolution_due := t.resolution_due;
	next_response_due := t.next_response_due;
	IF t.pending_since IS NULL OR p_at IS NULL OR p_at <= t.pending_since THEN
		RETURN;
	END IF;
	SELECT * INTO p FROM sla_policy WHERE id = ticket_policy(t.service_id, t.queue_id);
	paused := sla_elapsed_policy(p, t.pending_since, p_at, t.organisation_id);
	IF paused = interval '0' THEN
		RETURN;
	END IF;
	IF t.first_response_at IS NULL THEN
		first_response_due := sla_due_policy(p, t.first_response_due, paused,
		    t.organisation_id);
	END IF;
	IF t.resolved_at IS NULL THEN
		resolution_due := sla_due_policy(p, t.resolution_due, paused, t.organisation_id);
	END IF;
	next_response_due := sla_due_policy(p, t.next_response_due, paused, t.organisation_id);
END
$$;

-- Every new ticket: the organisation and level follow the queue, and the due
-- times come from the policy unless the insert gave some.
CREATE FUNCTION ticket_defaults()
    RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
	q guichet.queue;
	p guichet.sla_policy;
	g record;
	pol integer;
BEGIN
	-- No SET search_path: this runs on every insert (see 10-history).
	SELECT * INTO q FROM guichet.queue WHERE id = NEW.queue_id;
	IF FOUND THEN
		NEW.organisation_id := q.organisation_id;
		NEW.level := greatest(NEW.level, q.level);
	END IF;
	-- The SLA clock (see ticket_sla_clock below) starts with the ticket.
	NEW.clock_since := CASE WHEN NEW.status IN ('new', 'open') THEN NEW.created_at END;
	IF NEW.first_response_due IS NULL AND NEW.resolution_due IS NULL THEN
		-- ticket_policy(), with the queue row already at hand.
		IF NEW.service_id IS NOT NULL THEN
			pol := (SELECT s.sla_policy_id FROM guichet.service s WHERE s.id = NEW.service_id);
		END IF;
		pol := coalesce(pol, q.sla_policy_id);
		IF pol IS NOT NULL THEN
			SELECT * INTO p FROM guichet.sla_policy WHERE id = pol;
			IF FOUND THEN
				g := guichet.sla_targets(p, NEW.priority);
				NEW.first_response_due := guichet.sla_due_policy(p, NEW.created_at,
				    g.first_response, NEW.organisation_id);
				NEW.resolution_due := guichet.sla_due_policy(p, NEW.created_at,
				    g.resolution, NEW.organisation_id);
			END IF;
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
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
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
CREATE VIEW guichet.ticket_level_segment WITH (security_invoker = true) AS
WITH ev AS (
	SELECT t.id AS ticket_id, 0 AS seq, t.created_at AS at,
	    coalesce((SELECT h.old_value FROM guichet.history h WHERE h.ticket_id = t.id
	        AND h.field = 'level' ORDER BY h.seq LIMIT 1), t.level::text) AS level,
	    coalesce((SELECT h.old_value FROM guichet.history h WHERE h.ticket_id = t.id
	        AND h.field = 'status' ORDER BY h.seq LIMIT 1), t.status) AS status
	FROM guichet.ticket t
	UNION ALL
	SELECT h.ticket_id, h.seq, h.at,
	    CASE h.field WHEN 'level' THEN h.new_value END,
	    CASE h.field WHEN 'status' THEN h.new_value END
	FROM guichet.history h
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
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
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

-- The SLA clock of a ticket, kept as it changes (the columns clock_*, added
-- at the top of this file). Every status or level change ends the stretch the
-- clock ran since clock_since (its business time goes to the level the ticket
-- was at) and starts the next one when the new status is new or open; the
-- first response and the resolution read the clock then. A reopened ticket
-- goes on from where it stopped. The rule is the one report_sla_tickets
-- (72-report-sla) applied to history, and sla_clock_compute (72-report-sla) rebuilds the same
-- columns from history: the ticket's policy now (its service's, else its
-- queue's) counts for every stretch, so a change of policy or organisation
-- (escalating to a queue with another policy) recomputes the clock from
-- history. The API stamps first_response_at and resolved_at with now().
-- The row is being rewritten anyway: no other row is touched.
CREATE FUNCTION ticket_sla_clock()
    RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
	at_ timestamptz := now();
	pol integer;
	p guichet.sla_policy;
	have_p boolean := false;
	targets_changed boolean := false;
	d float8;
BEGIN
	-- No SET search_path: this runs on every status change (see 10-history).
	IF NEW.queue_id <> OLD.queue_id OR NEW.service_id IS DISTINCT FROM OLD.service_id
	    OR NEW.organisation_id <> OLD.organisation_id THEN
		pol := guichet.ticket_policy(NEW.service_id, NEW.queue_id);
		IF pol IS DISTINCT FROM guichet.ticket_policy(OLD.service_id, OLD.queue_id)
		    OR NEW.organisation_id <> OLD.organisation_id THEN
			-- The clock until now under the new policy (history and the
			-- table still hold the state before this change).
			SELECT c.clock_l1, c.clock_l2, c.clock_since, c.clock_fr, c.clock_res
			INTO NEW.clock_l1, NEW.clock_l2, NEW.clock_since, NEW.clock_fr, NEW.clock_res
			FROM guichet.sla_clock_compute(NEW.id, pol, NEW.organisation_id) c;
			targets_changed := true;
		END IF;
	END IF;
	IF NEW.priority <> OLD.priority AND NOT targets_changed THEN
		-- Only a policy with targets per priority changes anything.
		pol := guichet.ticket_policy(NEW.service_id, NEW.queue_id);
		targets_changed := EXISTS (SELECT 1 FROM guichet.sla_target st
		    WHERE st.sla_policy_id = pol AND st.priority IN (OLD.priority, NEW.priority));
	END IF;
	IF NEW.status <> OLD.status OR NEW.level <> OLD.level THEN
		IF NEW.clock_since IS NOT NULL AND at_ > NEW.clock_since THEN
			-- ticket_policy() and the policy row in one query.
			SELECT * INTO p FROM guichet.sla_policy
			WHERE id = coalesce((SELECT s.sla_policy_id FROM guichet.service s
			    WHERE s.id = NEW.service_id),
			    (SELECT q.sla_policy_id FROM guichet.queue q WHERE q.id = NEW.queue_id));
			have_p := true;
			d := extract(epoch FROM guichet.sla_elapsed_policy(p, NEW.clock_since, at_,
			    NEW.organisation_id));
			IF OLD.level = 2 THEN
				NEW.clock_l2 := NEW.clock_l2 + d;
			ELSE
				NEW.clock_l1 := NEW.clock_l1 + d;
			END IF;
		END IF;
		NEW.clock_since := CASE WHEN NEW.status IN ('new', 'open') THEN at_ END;
		IF OLD.status IN ('resolved', 'closed')
		    AND NEW.status IN ('new', 'open', 'pending') THEN
			NEW.reopened := NEW.reopened + 1;
		END IF;
		IF NEW.level = 2 AND OLD.level <> 2 THEN
			NEW.escalated := true;
		END IF;
	END IF;
	-- The clock at the first response: the finished stretches and the part
	-- of the running one until then (none when the change above started it).
	IF NEW.first_response_at IS NULL THEN
		NEW.clock_fr := NULL;
	ELSIF OLD.first_response_at IS NULL OR NEW.first_response_at <> OLD.first_response_at
	THEN
		NEW.clock_fr := NEW.clock_l1 + NEW.clock_l2;
		IF NEW.clock_since IS NOT NULL AND NEW.first_response_at > NEW.clock_since THEN
			IF NOT have_p THEN
				SELECT * INTO p FROM guichet.sla_policy
				WHERE id = coalesce((SELECT s.sla_policy_id FROM guichet.service s
				    WHERE s.id = NEW.service_id),
				    (SELECT q.sla_policy_id FROM guichet.queue q
				    WHERE q.id = NEW.queue_id));
			END IF;
			NEW.clock_fr := NEW.clock_fr + extract(epoch FROM guichet.sla_elapsed_policy(p,
			    NEW.clock_since, NEW.first_response_at, NEW.organisation_id));
		END IF;
	END IF;
	-- Resolving is a status change: the clock has just stopped.
	IF NEW.status NOT IN ('resolved', 'closed') OR NEW.resolved_at IS NULL THEN
		NEW.clock_res := NULL;
	ELSIF OLD.status NOT IN ('resolved', 'closed')
	    OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at THEN
		NEW.clock_res := NEW.clock_l1 + NEW.clock_l2;
	END IF;
	-- The due times follow the policy and the priority in force: a new
	-- service, queue or organisation that changes the policy, or a new
	-- priority with targets of its own, computes those not yet met again
	-- (the history trigger records them with the change that caused it).
	IF targets_changed THEN
		SELECT * INTO p FROM guichet.sla_policy WHERE id = pol;
		SELECT a.first_response_due, a.resolution_due, a.next_response_due
		INTO NEW.first_response_due, NEW.resolution_due, NEW.next_response_due
		FROM guichet.sla_due_again(NEW, p) a;
	END IF;
	RETURN NEW;
END
$$;
-- After ticket_queue_moved (the organisation follows the queue), before the
-- history trigger (names sort).
CREATE TRIGGER ticket_sla_clock BEFORE UPDATE ON ticket
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
        OR OLD.level IS DISTINCT FROM NEW.level
        OR OLD.first_response_at IS DISTINCT FROM NEW.first_response_at
        OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at
        OR OLD.queue_id IS DISTINCT FROM NEW.queue_id
        OR OLD.service_id IS DISTINCT FROM NEW.service_id
        OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id
        OR OLD.priority IS DISTINCT FROM NEW.priority)
    EXECUTE FUNCTION ticket_sla_clock();

-- The replies a ticket got (an outgoing mail, or a phone article written by
-- an agent) and whether one of them started from a template or a
-- knowledge-base article, for the quality report (first-contact resolution):
-- counted as they are written, and counted again on both tickets when a
-- reply moves (merge). sla_clock_rebuild (72-report-sla) counts them from article.
CREATE FUNCTION article_reply_count()
    RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
	-- No SET search_path: this runs on every reply (see 10-history).
	IF TG_OP = 'INSERT' THEN
		UPDATE guichet.ticket SET replies = replies + 1,
		    assisted = assisted OR NEW.template_id IS NOT NULL
		        OR NEW.kb_article_id IS NOT NULL
		WHERE id = NEW.ticket_id;
	ELSE
		UPDATE guichet.ticket t SET replies = r.n, assisted = r.assisted
		FROM (SELECT x.id, count(a.id)::integer AS n,
		        coalesce(bool_or(a.template_id IS NOT NULL OR a.kb_article_id IS NOT NULL),
		            false) AS assisted
		    FROM (VALUES (OLD.ticket_id), (NEW.ticket_id)) x(id)
		    LEFT JOIN guichet.article a ON a.ticket_id = x.id
		        AND a.kind IN ('mail_out', 'phone') AND a.author_agent_id IS NOT NULL
		    GROUP BY x.id) r
		WHERE t.id = r.id AND (t.replies, t.assisted) IS DISTINCT FROM (r.n, r.assisted);
	END IF;
	RETURN NULL;
END
$$;
-- (Acknowledgements and closing notices are written by the desk, without an
-- agent: they are not replies.)
CREATE TRIGGER article_reply_count AFTER INSERT ON article
    FOR EACH ROW WHEN (NEW.kind IN ('mail_out', 'phone') AND NEW.author_agent_id IS NOT NULL)
    EXECUTE FUNCTION article_reply_count();
CREATE TRIGGER article_reply_moved AFTER UPDATE ON article
    FOR EACH ROW WHEN (OLD.ticket_id IS DISTINCT FROM NEW.ticket_id
        OR OLD.kind IS DISTINCT FROM NEW.kind
        OR OLD.author_agent_id IS DISTINCT FROM NEW.author_agent_id
        OR OLD.template_id IS DISTINCT FROM NEW.template_id
        OR OLD.kb_article_id IS DISTINCT FROM NEW.kb_article_id)
    EXECUTE FUNCTION article_reply_count();

-- The next response (the policy's next_response target, for the ticket's
-- priority): a message from the requester on a ticket that has had its first
-- answer starts it, unless an earlier one already waits; the next reply of an
-- agent (an outgoing mail or a phone article she wrote; not an automatic
-- acknowledgement, which has no agent) meets it; resolving
-- or closing the ticket ends it (status_apply, 30-ticket). The due time is not
-- in history: the messages that set and meet it are. An UPDATE that finds
-- nothing to change writes nothing, so a reply to a ticket with no follow-up
-- waiting costs an index lookup.
CREATE FUNCTION article_next_response()
    RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
	-- No SET search_path: this runs on every message (see 10-history). One
	-- statement each way: a follow-up costs one UPDATE of a ticket that
	-- waits for it, a reply one index lookup when none waits.
	IF NEW.kind = 'mail_in' THEN
		UPDATE guichet.ticket t
		SET next_response_due = guichet.sla_due_policy(p, NEW.created_at,
		    (guichet.sla_targets(p, t.priority)).next_response, t.organisation_id)
		FROM guichet.sla_policy p
		WHERE t.id = NEW.ticket_id AND t.first_response_at IS NOT NULL
		    AND t.next_response_due IS NULL AND t.status <> 'merged'
		    AND p.id = coalesce((SELECT s.sla_policy_id FROM guichet.service s
		        WHERE s.id = t.service_id),
		        (SELECT q.sla_policy_id FROM guichet.queue q WHERE q.id = t.queue_id))
		    AND (p.next_response IS NOT NULL OR EXISTS (SELECT 1 FROM guichet.sla_target st
		        WHERE st.sla_policy_id = p.id AND st.priority = t.priority
		            AND st.next_response IS NOT NULL));
	ELSE
		UPDATE guichet.ticket SET next_response_due = NULL
		WHERE id = NEW.ticket_id AND next_response_due IS NOT NULL;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER article_next_response AFTER INSERT ON article
    FOR EACH ROW WHEN ((NEW.kind = 'mail_in' AND NEW.author_contact_id IS NOT NULL)
        OR (NEW.kind IN ('mail_out', 'phone') AND NEW.author_agent_id IS NOT NULL))
    EXECUTE FUNCTION article_next_response();

GRANT SELECT ON ticket_level_segment TO guichet_agent, guichet_mail;
GRANT EXECUTE ON FUNCTION sla_workday(sla_policy, date, integer),
    sla_due(integer, timestamptz, interval, integer),
    sla_elapsed(integer, timestamptz, timestamptz, integer),
    ticket_policy(integer, integer), ticket_level_time(bigint), ticket_due(ticket),
    sla_workday_mask(smallint[]), sla_isodow(date), sla_weekdays(integer, date, date),
    sla_nth_weekday(integer, integer, date, integer),
    sla_holidays(integer, date, date, integer),
    sla_due_policy(sla_policy, timestamptz, interval, integer),
    sla_elapsed_policy(sla_policy, timestamptz, timestamptz, integer),
    sla_targets(sla_policy, integer), sla_span_seconds(sla_policy, interval),
    sla_due_left(sla_policy, timestamptz, float8, interval, integer),
    sla_due_again(ticket, sla_policy)
    TO guichet_agent, guichet_mail;
