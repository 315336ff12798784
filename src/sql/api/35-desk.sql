-- 35-desk.sql — a day at the desk: moving work between people and queues,
-- classifying tickets, the fields a queue requires, and what the console's
-- pickers list for these actions.
--
--   assign(ticket, login, note)       give a ticket to a colleague who may write
--                                     in its queue: a supervisor of its
--                                     organisation, or its owner handing it over
--   move(ticket, queue, reason)       to another queue of the same level that
--                                     the caller writes in (misrouted mail)
--   return_to_level1(ticket, reason)  level 2 hands a ticket back to level 1:
--                                     the queue it was escalated from (or one
--                                     named), to the agent who escalated it
--   set_service, set_district         classify; a new service (a new policy)
--                                     computes the due times again (40-sla.sql)
--
-- The rules of 30-ticket.sql apply: a ticket the caller may not see raises
-- GU006, one she may see but not change GU004, a merged one GU003; every
-- change is a history row through the triggers (the action named in
-- history_intent: assign, move, return), reasons and notes are also kept as
-- an internal note of the thread, as escalate() keeps its reason.
--
-- Whoever is given a ticket is told through desk_tell() (see there).

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

--
-- Internal helpers (not granted to anyone: the API and its triggers call them).
--

-- Tell an agent that something happened to her about a ticket (kinds of
-- the notifications, api/36-notification.sql: assigned — given to her by
-- assign() or return_to_level1() —, handover — her absent colleague's —,
-- claim_expired). Every call site of the desk (assign, return_to_level1,
-- claim()'s takeover of a lapsed claim, the claim timeout and the absence
-- handover of 45-claims.sql) goes through here, to agent_notify()
-- (36-notification.sql), which tells nobody of a ticket she may not see.
-- The text is the ticket's line, as for every notification, and what
-- happened when the kind does not say it all (who gave it, the reason).
CREATE FUNCTION desk_tell(p_agent integer, p_kind text, p_ticket bigint, p_detail text)
    RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF p_agent IS NOT NULL THEN
		PERFORM agent_notify(p_agent, p_kind, p_ticket,
		    left(notification_ticket_text(p_ticket) || coalesce(' — ' || p_detail, ''), 500));
	END IF;
END
$$;

-- Is the agent away now (her absence has begun and not ended)?
CREATE FUNCTION agent_absent(p_agent integer)
    RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT coalesce((SELECT a.absent_from <= now()
	    AND (a.absent_until IS NULL OR a.absent_until > now())
	    FROM agent a WHERE a.id = p_agent), false)
$$;

-- Is the login a member of a group role? (false for a login that has no
-- role: pg_has_role would raise.)
CREATE FUNCTION login_has_role(p_login name, p_group name)
    RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT coalesce((SELECT pg_has_role(r.oid, p_group, 'MEMBER') FROM pg_roles r
	    WHERE r.rolname = p_login), false)
$$;

-- may_write() for another agent than the caller: an active member of the
-- queue with may_write, a supervisor of the queue's organisation, an admin.
CREATE FUNCTION agent_may_write(p_agent integer, p_queue integer)
    RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT EXISTS (SELECT 1 FROM agent a WHERE a.id = p_agent AND a.active
	    AND (EXISTS (SELECT 1 FROM queue_member m WHERE m.agent_id = a.id
	            AND m.queue_id = p_queue AND m.may_write)
	        OR login_has_role(a.login, 'guichet_admin')
	        OR (a.organisation_id = (SELECT q.organisation_id FROM queue q WHERE q.id = p_queue)
	            AND login_has_role(a.login, 'guichet_supervisor'))))
$$;

-- Does the field belong to the queue (no field_queue row: every queue)?
CREATE FUNCTION field_in_queue(p_field integer, p_queue integer)
    RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT NOT EXISTS (SELECT 1 FROM field_queue fq WHERE fq.field_id = p_field)
	    OR EXISTS (SELECT 1 FROM field_queue fq WHERE fq.field_id = p_field
	        AND fq.queue_id = p_queue)
$$;

-- The queue's required fields the ticket has no value for, at a stage:
-- 'create' (those required at creation) or 'resolve' (every required one).
-- GU005 naming each missing field by its label and name.
CREATE FUNCTION fields_require(p_ticket bigint, p_queue integer, p_stage text)
    RETURNS void
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	missing text;
	n integer;
BEGIN
	SELECT string_agg(format('"%s" (%s)', f.label, f.name), ', '
	        ORDER BY f.position, f.name), count(*)
	INTO missing, n
	FROM field f
	WHERE f.required AND (p_stage = 'resolve' OR f.required_at = 'create')
	    AND field_in_queue(f.id, p_queue)
	    AND NOT EXISTS (SELECT 1 FROM ticket_field tf
	        WHERE tf.ticket_id = p_ticket AND tf.field_id = f.id);
	IF n = 0 THEN
		RETURN;
	END IF;
	IF p_stage = 'create' THEN
		RAISE EXCEPTION '% % required to create a ticket in queue %',
		    CASE WHEN n = 1 THEN 'field' ELSE 'fields' END, missing,
		    (SELECT code FROM queue WHERE id = p_queue)
		    USING ERRCODE = 'GU005', HINT = 'give it in the fields (p_fields)';
	END IF;
	RAISE EXCEPTION 'ticket #% cannot be resolved without % %', p_ticket,
	    CASE WHEN n = 1 THEN 'field' ELSE 'fields' END, missing
	    USING ERRCODE = 'GU005', HINT = 'set it first (set_field)';
END
$$;

-- The level-1 queue a level-2 ticket came from: the old queue of its last
-- move out of a level-1 queue (an escalation). NULL when it was created at
-- level 2.
CREATE FUNCTION ticket_level1_origin(p_ticket bigint)
    RETURNS integer
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT q.id FROM history h JOIN queue q ON q.id = h.old_value::integer AND q.level = 1
	WHERE h.ticket_id = p_ticket AND h.field = 'queue_id'
	ORDER BY h.seq DESC LIMIT 1
$$;

-- The agent who moved the ticket out of that queue (the escalation's
-- actor), when she is an agent.
CREATE FUNCTION ticket_escalated_by(p_ticket bigint, p_queue integer)
    RETURNS integer
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT a.id FROM history h JOIN agent a ON a.login = h.actor
	WHERE h.ticket_id = p_ticket AND h.field = 'queue_id' AND h.old_value = p_queue::text
	ORDER BY h.seq DESC LIMIT 1
$$;

-- The reason or note of a change, checked: NULL for an optional one left empty.
CREATE FUNCTION desk_text(p_what text, p_value text, p_required boolean)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF NOT p_required AND btrim(coalesce(p_value, ''), E' \t\r\n') = '' THEN
		RETURN NULL;
	END IF;
	RETURN btrim(check_text(p_what, p_value, 10000), E' \t\r\n');
END
$$;

--
-- The API.
--

-- Give a ticket to a colleague (p_login), who may write in its queue and is
-- not away. A supervisor of the ticket's organisation may give any of its
-- tickets; an agent, a ticket she owns. The owner changes (action 'assign'),
-- the note, when given, is kept as an internal note and in history, and the
-- colleague is told. Her ownership is settled: the claim timeout does not
-- apply to what someone chose to give her. Giving it to its owner changes
-- nothing.
CREATE FUNCTION assign(p_ticket bigint, p_login name, p_note text DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	me integer := agent_self();
	t ticket := ticket_lock(p_ticket);
	target agent;
	note text := desk_text('the note', p_note, false);
BEGIN
	IF t.status = 'merged' THEN
		RAISE EXCEPTION 'ticket #% is merged into #%', t.id, t.merged_into
		    USING ERRCODE = 'GU003';
	END IF;
	IF t.status = 'closed' THEN
		RAISE EXCEPTION 'ticket #% is closed', t.id USING ERRCODE = 'GU003';
	END IF;
	IF t.owner_id IS DISTINCT FROM me AND NOT may_supervise(t.queue_id) THEN
		-- (Only its owner or a supervisor may give it; short: the console
		-- shows it on one line after its own words.)
		RAISE EXCEPTION 'ticket #% is not yours to give', t.id USING ERRCODE = 'GU004';
	END IF;
	-- A colleague the caller may see (as agent_read, 20-rights.sql); anyone
	-- else does not exist for her.
	SELECT * INTO target FROM agent a WHERE a.login = p_login AND a.active
	    AND (is_admin() OR a.organisation_id = current_organisation()
	        OR EXISTS (SELECT 1 FROM queue_member m WHERE m.agent_id = a.id
	            AND m.queue_id = ANY (visible_queues())));
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no agent %', p_login USING ERRCODE = 'GU006';
	END IF;
	IF target.id = t.owner_id THEN
		RETURN;
	END IF;
	IF NOT agent_may_write(target.id, t.queue_id) THEN
		RAISE EXCEPTION '% may not write in queue %', target.login,
		    (SELECT code FROM queue WHERE id = t.queue_id) USING ERRCODE = 'GU005';
	END IF;
	IF agent_absent(target.id) THEN
		RAISE EXCEPTION USING ERRCODE = 'GU005', MESSAGE = target.login || ' is away'
		    || coalesce(' until ' || to_char(target.absent_until, 'YYYY-MM-DD HH24:MI'), '')
		    || coalesce(': her substitute is '
		        || (SELECT s.login FROM agent s WHERE s.id = target.substitute_id), '');
	END IF;
	UPDATE ticket SET owner_id = target.id, claimed_at = now(), history_intent = 'assign'
	WHERE id = t.id;
	IF note IS NOT NULL THEN
		INSERT INTO article (ticket_id, kind, author_agent_id, subject, body)
		VALUES (t.id, 'note', me, 'Assigned to ' || target.login, note);
		PERFORM history_append(t.id, 'assign', 'note', NULL, note);
	END IF;
	PERFORM desk_tell(target.id, 'assigned', t.id,
	    format('from %s%s', session_user, coalesce(': ' || note, '')));
END
$$;

-- Move a ticket to another queue of the same level that the caller writes in:
-- misrouted mail, a request for another department. Not an escalation (the
-- level stays; escalate() and return_to_level1() change levels). The reason
-- is required, kept as an internal note and in history (action 'move'). The
-- owner keeps the ticket when she may write in the new queue; otherwise it is
-- released there. A queue of another organisation takes the ticket into that
-- organisation, without the service and district, which were the other's.
-- The due times follow the new queue's policy when the ticket has no service
-- (40-sla.sql).
CREATE FUNCTION move(p_ticket bigint, p_queue integer, p_reason text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	me integer := agent_self();
	t ticket := ticket_write(p_ticket);
	target queue;
	why text := desk_text('the reason', p_reason, true);
	keep integer;
BEGIN
	IF t.status = 'closed' THEN
		RAISE EXCEPTION 'ticket #% is closed: reopen it first', t.id USING ERRCODE = 'GU003';
	END IF;
	-- A queue the caller may see (queue_read, 20-rights.sql): her
	-- organisation's and those she is a member of. Any other does not exist.
	SELECT * INTO target FROM queue WHERE id = p_queue AND active;
	IF NOT FOUND OR NOT (is_admin() OR target.organisation_id = current_organisation()
	    OR target.id = ANY (visible_queues())) THEN
		RAISE EXCEPTION 'no queue %', p_queue USING ERRCODE = 'GU006';
	END IF;
	IF NOT may_write(target.id) THEN
		RAISE EXCEPTION 'you may not write in queue %', target.code USING ERRCODE = 'GU004';
	END IF;
	IF target.id = t.queue_id THEN
		RAISE EXCEPTION 'ticket #% is already in queue %', t.id, target.code
		    USING ERRCODE = 'GU005';
	END IF;
	IF target.level <> t.level THEN
		RAISE EXCEPTION 'queue % is a level-% queue and ticket #% is at level %: %',
		    target.code, target.level, t.id, t.level,
		    CASE WHEN target.level = 2 THEN 'escalate it' ELSE 'return it to level 1' END
		    USING ERRCODE = 'GU005';
	END IF;
	IF t.owner_id IS NOT NULL AND agent_may_write(t.owner_id, target.id) THEN
		keep := t.owner_id;
	END IF;
	INSERT INTO article (ticket_id, kind, author_agent_id, subject, body)
	VALUES (t.id, 'note', me, format('Moved from %s to %s',
	    (SELECT code FROM queue WHERE id = t.queue_id), target.code), why);
	UPDATE ticket SET queue_id = target.id, organisation_id = target.organisation_id,
	    owner_id = keep, claimed_at = CASE WHEN keep IS NULL THEN NULL ELSE claimed_at END,
	    service_id = CASE WHEN target.organisation_id = t.organisation_id THEN service_id END,
	    district_id = CASE WHEN target.organisation_id = t.organisation_id THEN district_id END,
	    history_intent = 'move'
	WHERE id = t.id;
	PERFORM history_append(t.id, 'move', 'reason', NULL, why);
END
$$;

-- Level 2 hands a ticket back to level 1, with a reason (required; kept as an
-- internal note and in history, action 'return'): to p_queue, a level-1
-- queue of the ticket's organisation the caller may see, or by default the
-- level-1 queue it was escalated from. It goes to the agent who escalated it
-- when she may still write there and is not away (she knows the case; she is
-- told), else unowned to the queue. The SLA clock goes on. The escalations
-- report counts these returns and lists their reasons.
CREATE FUNCTION return_to_level1(p_ticket bigint, p_reason text, p_queue integer DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	me integer := agent_self();
	t ticket := ticket_write(p_ticket);
	why text := desk_text('the reason', p_reason, true);
	origin integer;
	target queue;
	back_to integer;
BEGIN
	IF t.status IN ('resolved', 'closed') THEN
		RAISE EXCEPTION 'ticket #% is %: reopen it first', t.id, t.status
		    USING ERRCODE = 'GU003';
	END IF;
	IF t.level <> 2 THEN
		RAISE EXCEPTION 'ticket #% is not at level 2', t.id USING ERRCODE = 'GU005';
	END IF;
	origin := ticket_level1_origin(t.id);
	-- The origin (which may be another organisation's, as escalate_to
	-- may), or a queue the caller names of the ticket's organisation that
	-- she may see (queue_read: her organisation's, those she is a member
	-- of); any other does not exist for her.
	SELECT * INTO target FROM queue WHERE id = coalesce(p_queue, origin) AND active;
	IF NOT FOUND AND p_queue IS NULL THEN
		RAISE EXCEPTION 'ticket #% came from no level-1 queue: name one', t.id
		    USING ERRCODE = 'GU006';
	END IF;
	IF NOT FOUND OR (target.id IS DISTINCT FROM origin
	    AND (target.organisation_id <> t.organisation_id
	        OR NOT (is_admin() OR target.organisation_id = current_organisation()
	            OR target.id = ANY (visible_queues())))) THEN
		RAISE EXCEPTION 'no queue %', p_queue USING ERRCODE = 'GU006';
	END IF;
	IF target.level <> 1 THEN
		RAISE EXCEPTION 'queue % is not a level-1 queue', target.code USING ERRCODE = 'GU005';
	END IF;
	back_to := ticket_escalated_by(t.id, target.id);
	IF back_to IS NOT NULL AND (agent_absent(back_to)
	    OR NOT agent_may_write(back_to, target.id)) THEN
		back_to := NULL;
	END IF;
	INSERT INTO article (ticket_id, kind, author_agent_id, subject, body)
	VALUES (t.id, 'note', me, 'Returned to level 1: ' || target.code, why);
	UPDATE ticket SET queue_id = target.id, organisation_id = target.organisation_id,
	    level = 1, owner_id = back_to,
	    claimed_at = CASE WHEN back_to IS NULL THEN NULL ELSE now() END,
	    history_intent = 'return'
	WHERE id = t.id;
	PERFORM history_append(t.id, 'return', 'reason', NULL, why);
	PERFORM desk_tell(back_to, 'assigned', t.id,
	    format('back from level 2 (%s): %s', session_user, why));
END
$$;

-- Classify: the service of the catalogue (an active one of the ticket's
-- organisation; NULL: none). A service with another SLA policy computes the
-- due times not yet met again (40-sla.sql); both are in history.
CREATE FUNCTION set_service(p_ticket bigint, p_service integer)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t ticket := ticket_write(p_ticket);
BEGIN
	IF p_service IS NOT NULL AND NOT EXISTS (SELECT 1 FROM service
	    WHERE id = p_service AND active AND organisation_id = t.organisation_id) THEN
		RAISE EXCEPTION 'no service %', p_service USING ERRCODE = 'GU006';
	END IF;
	UPDATE ticket SET service_id = p_service
	WHERE id = t.id AND service_id IS DISTINCT FROM p_service;
END
$$;

-- Where: a district of the ticket's organisation (NULL: none) and, when
-- p_location is given, the place within it (a street, a building; '' clears).
CREATE FUNCTION set_district(p_ticket bigint, p_district integer, p_location text DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t ticket := ticket_write(p_ticket);
	loc text := CASE WHEN p_location IS NULL THEN t.location
	    ELSE nullif(btrim(p_location, E' \t\r\n'), '') END;
BEGIN
	IF p_district IS NOT NULL AND NOT EXISTS (SELECT 1 FROM district
	    WHERE id = p_district AND organisation_id = t.organisation_id) THEN
		RAISE EXCEPTION 'no district %', p_district USING ERRCODE = 'GU006';
	END IF;
	IF length(loc) > 500 THEN
		RAISE EXCEPTION 'the location is longer than 500 characters' USING ERRCODE = 'GU005';
	END IF;
	UPDATE ticket SET district_id = p_district, location = loc
	WHERE id = t.id
	    AND (district_id IS DISTINCT FROM p_district OR location IS DISTINCT FROM loc);
END
$$;

--
-- What the console's pickers list (SECURITY INVOKER: the caller's row-level
-- security gives the rows; plain SQL, inlined into the caller's statement).
--

-- The colleagues a ticket may be given to: active agents who may write in its
-- queue (members with may_write, supervisors of its organisation), the owner
-- aside; those who are away last, said so.
CREATE FUNCTION assignable_agents(p_ticket bigint)
    RETURNS TABLE (login name, display_name text, away boolean)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT a.login, a.display_name,
	    coalesce(a.absent_from <= now() AND (a.absent_until IS NULL OR a.absent_until > now()),
	        false) AS away
	FROM guichet.ticket t
	JOIN guichet.queue q ON q.id = t.queue_id
	JOIN guichet.agent a ON a.active AND a.id IS DISTINCT FROM t.owner_id
	WHERE t.id = p_ticket
	    AND (EXISTS (SELECT 1 FROM guichet.queue_member m WHERE m.agent_id = a.id
	            AND m.queue_id = t.queue_id AND m.may_write)
	        OR (a.organisation_id = q.organisation_id
	            AND guichet.login_has_role(a.login, 'guichet_supervisor')))
	ORDER BY 3, 1;
END;

-- The queues a ticket may be moved to: active, at its level, the caller
-- writes in them; those of its organisation first.
CREATE FUNCTION move_queues(p_ticket bigint)
    RETURNS TABLE (id integer, code text, name text)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT q.id, q.code, q.name
	FROM guichet.ticket t
	JOIN guichet.queue q ON q.active AND q.level = t.level AND q.id <> t.queue_id
	WHERE t.id = p_ticket AND guichet.may_write(q.id)
	ORDER BY q.organisation_id <> t.organisation_id, q.code;
END;

-- The level-1 queues a ticket may be returned to: the one it came from
-- first (preferred), then those of its organisation.
CREATE FUNCTION return_queues(p_ticket bigint)
    RETURNS TABLE (id integer, code text, name text, preferred boolean)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT q.id, q.code, q.name, q.id = o.origin AS preferred
	FROM guichet.ticket t
	CROSS JOIN LATERAL (SELECT (SELECT h.old_value::integer FROM guichet.history h
	    JOIN guichet.queue hq ON hq.id = h.old_value::integer AND hq.level = 1
	    WHERE h.ticket_id = t.id AND h.field = 'queue_id'
	    ORDER BY h.seq DESC LIMIT 1) AS origin) o
	JOIN guichet.queue q ON q.active AND q.level = 1
	    AND (q.organisation_id = t.organisation_id OR q.id = o.origin)
	WHERE t.id = p_ticket
	ORDER BY 4 DESC, 2;
END;

-- The service catalogue of a queue's organisation, for a picker that filters
-- as one types: the services the queue receives by default first.
CREATE FUNCTION service_catalogue(p_queue integer)
    RETURNS TABLE (id integer, code text, category text, name text, preferred boolean)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT s.id, s.code, s.category, s.name,
	    coalesce(s.default_queue_id = p_queue, false) AS preferred
	FROM guichet.queue q
	JOIN guichet.service s ON s.organisation_id = q.organisation_id AND s.active
	WHERE q.id = p_queue
	ORDER BY 5 DESC, 3, 4;
END;

-- The districts of a queue's organisation; the requester's (p_contact) first.
CREATE FUNCTION district_choices(p_queue integer, p_contact bigint DEFAULT NULL)
    RETURNS TABLE (id integer, name text, preferred boolean)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT d.id, d.name,
	    coalesce(d.id = (SELECT c.district_id FROM guichet.contact c WHERE c.id = p_contact),
	        false) AS preferred
	FROM guichet.queue q
	JOIN guichet.district d ON d.organisation_id = q.organisation_id
	WHERE q.id = p_queue
	ORDER BY 3 DESC, 2;
END;

-- The fields of a queue, in their order: what a new ticket asks, with when
-- each is required ('create', 'resolve', or NULL: optional) and, for an
-- enum, its values separated by U+001F.
CREATE FUNCTION queue_fields(p_queue integer)
    RETURNS TABLE (name text, label text, kind text, allowed text, required_at text)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT f.name, f.label, f.kind, array_to_string(f.allowed, E'\x1f'),
	    CASE WHEN f.required THEN f.required_at END
	FROM guichet.field f
	WHERE NOT EXISTS (SELECT 1 FROM guichet.field_queue fq WHERE fq.field_id = f.id)
	    OR EXISTS (SELECT 1 FROM guichet.field_queue fq WHERE fq.field_id = f.id
	        AND fq.queue_id = p_queue)
	ORDER BY f.position, f.name;
END;

--
-- Rights.
--

-- sla_target and field_queue are read by all (20-rights.sql grants SELECT on
-- every table), written by admins (guichet-admin sla set, field set).
GRANT INSERT, UPDATE, DELETE ON sla_target, field_queue TO guichet_admin;

GRANT EXECUTE ON FUNCTION assign(bigint, name, text), move(bigint, integer, text),
    return_to_level1(bigint, text, integer), set_service(bigint, integer),
    set_district(bigint, integer, text),
    assignable_agents(bigint), move_queues(bigint), return_queues(bigint),
    service_catalogue(integer), district_choices(integer, bigint), queue_fields(integer),
    login_has_role(name, name)
    TO guichet_agent;
