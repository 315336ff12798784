-- 0002_history.sql — the append-only, hash-chained audit trail and live NOTIFY.
--
-- Every change to a ticket, its articles, fields or links writes history rows
-- from triggers, in the same transaction, whoever makes it (API functions, the
-- mail gateway, a superuser with psql). Each ticket has its own chain:
--   hash = sha256(prev_hash || canonical text of the row)
-- and ticket.history_seq/history_head hold the tail, so that removing the last
-- rows is detected as well as altering or removing rows in the middle. A single
-- global chain would serialise every writer of the desk on one row; per ticket,
-- the writer already holds the ticket's row lock, so seq needs no other lock.
--
-- Every history row also means pg_notify('guichet', ticket id) (through the
-- ticket's AFTER UPDATE/INSERT trigger), so that consoles refresh live. A bulk
-- loader may turn the notifications off for its transaction with
-- SET LOCAL guichet.notify = 'off'; history is never optional.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, public;

-- Times in history values are ISO 8601 in UTC, whatever the writer's TimeZone
-- and DateStyle.
CREATE FUNCTION history_time(p timestamptz)
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN to_char(p AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

-- The canonical text is a JSON array: unambiguous (no separator can be forged
-- inside a value), independent of DateStyle and TimeZone (the time is printed
-- in UTC with microseconds).
CREATE FUNCTION history_hash(p_prev bytea, p_ticket bigint, p_seq integer,
    p_at timestamptz, p_actor name, p_action text, p_field text, p_old text, p_new text)
    RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN sha256(coalesce(p_prev, '\x'::bytea) || convert_to(json_build_array(p_ticket, p_seq,
    history_time(p_at), p_actor::text,
    p_action, p_field, p_old, p_new)::text, 'UTF8'));

-- Append one row to a ticket's chain. Called by the triggers of article,
-- ticket_field and link (the ticket's own changes are chained by its BEFORE
-- UPDATE trigger, which cannot update its own row). Locks the ticket row.
CREATE FUNCTION history_append(p_ticket bigint, p_action text, p_field text,
    p_old text, p_new text)
    RETURNS void
    LANGUAGE plpgsql SET search_path = guichet, pg_catalog, public AS $$
DECLARE
	s integer;
	h bytea;
BEGIN
	SELECT history_seq, history_head INTO s, h FROM ticket WHERE id = p_ticket FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no ticket %', p_ticket USING ERRCODE = 'GU006';
	END IF;
	s := s + 1;
	INSERT INTO history (ticket_id, seq, at, actor, action, field, old_value, new_value,
	    prev_hash, hash)
	VALUES (p_ticket, s, now(), session_user, p_action, p_field, p_old, p_new, h,
	    history_hash(h, p_ticket, s, now(), session_user, p_action, p_field, p_old, p_new))
	RETURNING hash INTO h;
	UPDATE ticket SET history_seq = s, history_head = h, updated_at = clock_timestamp(),
	    updated_by = session_user
	WHERE id = p_ticket;
END
$$;

-- The ticket's first row. The BEFORE trigger stamps the tail into the new row;
-- the AFTER trigger writes the history row itself (it cannot exist before the
-- ticket, which it references). Its time is the ticket's created_at, so that a
-- back-dated import keeps a truthful timeline.
CREATE FUNCTION ticket_history_insert_before()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = guichet, pg_catalog, public AS $$
BEGIN
	NEW.history_seq := 1;
	NEW.history_head := history_hash(NULL, NEW.id, 1, NEW.created_at, session_user,
	    'create', NULL, NULL, NEW.subject);
	RETURN NEW;
END
$$;

CREATE FUNCTION ticket_history_insert_after()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = guichet, pg_catalog, public AS $$
BEGIN
	INSERT INTO history (ticket_id, seq, at, actor, action, field, old_value, new_value,
	    prev_hash, hash)
	VALUES (NEW.id, 1, NEW.created_at, session_user, 'create', NULL, NULL, NEW.subject,
	    NULL, NEW.history_head);
	RETURN NULL;
END
$$;

-- One row per changed column that matters. The action is 'set' unless the API
-- function making the change named it (claim, release, escalate, merge,
-- claim_expired …) with SET LOCAL guichet.action. A real change also stamps
-- updated_at/updated_by and renews the owner's claim lease when the owner is
-- the one acting.
CREATE FUNCTION ticket_history_update()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = guichet, pg_catalog, public AS $$
DECLARE
	act text := coalesce(nullif(current_setting('guichet.action', true), ''), 'set');
	s integer := NEW.history_seq;
	h bytea := NEW.history_head;
	c record;
BEGIN
	FOR c IN
		SELECT v.f, v.o, v.n FROM (VALUES
		    (1, 'queue_id', OLD.queue_id::text, NEW.queue_id::text),
		    (2, 'level', OLD.level::text, NEW.level::text),
		    (3, 'status', OLD.status, NEW.status),
		    (4, 'owner_id', OLD.owner_id::text, NEW.owner_id::text),
		    (5, 'priority', OLD.priority::text, NEW.priority::text),
		    (6, 'service_id', OLD.service_id::text, NEW.service_id::text),
		    (7, 'subject', OLD.subject, NEW.subject),
		    (8, 'requester_id', OLD.requester_id::text, NEW.requester_id::text),
		    (9, 'channel', OLD.channel, NEW.channel),
		    (10, 'district_id', OLD.district_id::text, NEW.district_id::text),
		    (11, 'location', OLD.location, NEW.location),
		    (12, 'merged_into', OLD.merged_into::text, NEW.merged_into::text),
		    (13, 'pending_until', history_time(OLD.pending_until), history_time(NEW.pending_until)),
		    (14, 'first_response_due', history_time(OLD.first_response_due),
		        history_time(NEW.first_response_due)),
		    (15, 'resolution_due', history_time(OLD.resolution_due),
		        history_time(NEW.resolution_due)))
		    AS v(i, f, o, n)
		WHERE v.o IS DISTINCT FROM v.n
		ORDER BY v.i
	LOOP
		s := s + 1;
		INSERT INTO history (ticket_id, seq, at, actor, action, field, old_value,
		    new_value, prev_hash, hash)
		VALUES (NEW.id, s, now(), session_user, act, c.f, c.o, c.n, h,
		    history_hash(h, NEW.id, s, now(), session_user, act, c.f, c.o, c.n))
		RETURNING hash INTO h;
	END LOOP;
	IF s <> NEW.history_seq THEN
		NEW.history_seq := s;
		NEW.history_head := h;
		NEW.updated_at := clock_timestamp();
		NEW.updated_by := session_user;
	END IF;
	-- Rows appended here or by history_append (articles, fields, links).
	IF NEW.history_seq <> OLD.history_seq AND NEW.owner_id = OLD.owner_id
	    AND EXISTS (SELECT 1 FROM agent a
	        WHERE a.id = NEW.owner_id AND a.login = session_user) THEN
		NEW.claimed_at := now();
	END IF;
	RETURN NEW;
END
$$;

CREATE FUNCTION ticket_notify()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = guichet, pg_catalog, public AS $$
BEGIN
	IF coalesce(current_setting('guichet.notify', true), '') <> 'off' THEN
		PERFORM pg_notify('guichet', NEW.id::text);
	END IF;
	RETURN NULL;
END
$$;

-- Trigger names sort so that the history triggers run after any other BEFORE
-- trigger that may still change the row (SLA, organisation).
CREATE TRIGGER ticket_zz_history_insert BEFORE INSERT ON ticket
    FOR EACH ROW EXECUTE FUNCTION ticket_history_insert_before();
CREATE TRIGGER ticket_history_insert AFTER INSERT ON ticket
    FOR EACH ROW EXECUTE FUNCTION ticket_history_insert_after();
CREATE TRIGGER ticket_zz_history_update BEFORE UPDATE ON ticket
    FOR EACH ROW EXECUTE FUNCTION ticket_history_update();
CREATE TRIGGER ticket_notify_insert AFTER INSERT ON ticket
    FOR EACH ROW EXECUTE FUNCTION ticket_notify();
CREATE TRIGGER ticket_notify_update AFTER UPDATE ON ticket
    FOR EACH ROW WHEN (OLD.history_seq IS DISTINCT FROM NEW.history_seq)
    EXECUTE FUNCTION ticket_notify();

-- Articles: 'reply' for mail_out, the kind itself otherwise; the value is the
-- article id.
CREATE FUNCTION article_history()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = guichet, pg_catalog, public AS $$
BEGIN
	PERFORM history_append(NEW.ticket_id,
	    CASE NEW.kind WHEN 'mail_out' THEN 'reply' ELSE NEW.kind END,
	    'article', NULL, NEW.id::text);
	RETURN NULL;
END
$$;
CREATE TRIGGER article_history AFTER INSERT ON article
    FOR EACH ROW EXECUTE FUNCTION article_history();

CREATE FUNCTION ticket_field_history()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = guichet, pg_catalog, public AS $$
DECLARE
	t bigint := CASE TG_OP WHEN 'DELETE' THEN OLD.ticket_id ELSE NEW.ticket_id END;
	f integer := CASE TG_OP WHEN 'DELETE' THEN OLD.field_id ELSE NEW.field_id END;
	o text := CASE TG_OP WHEN 'INSERT' THEN NULL ELSE OLD.value END;
	n text := CASE TG_OP WHEN 'DELETE' THEN NULL ELSE NEW.value END;
BEGIN
	IF o IS DISTINCT FROM n THEN
		PERFORM history_append(t, 'field', (SELECT name FROM field WHERE id = f), o, n);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER ticket_field_history AFTER INSERT OR UPDATE OR DELETE ON ticket_field
    FOR EACH ROW EXECUTE FUNCTION ticket_field_history();

-- A link is recorded on both tickets: 'link' on a (value: b), 'linked' on b
-- (value: a); 'unlink'/'unlinked' when it goes. Both rows are locked in id order
-- so that link(1, 2) and link(2, 1) at once cannot deadlock.
CREATE FUNCTION link_history()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = guichet, pg_catalog, public AS $$
DECLARE
	r link;
	verb text := CASE TG_OP WHEN 'DELETE' THEN 'unlink' ELSE 'link' END;
BEGIN
	IF TG_OP = 'DELETE' THEN
		r := OLD;
	ELSE
		r := NEW;
	END IF;
	PERFORM 1 FROM ticket WHERE id IN (r.a_id, r.b_id) ORDER BY id FOR UPDATE;
	IF TG_OP = 'DELETE' THEN
		PERFORM history_append(r.a_id, verb, r.kind, r.b_id::text, NULL);
		PERFORM history_append(r.b_id, verb || 'ed', r.kind, r.a_id::text, NULL);
	ELSE
		PERFORM history_append(r.a_id, verb, r.kind, NULL, r.b_id::text);
		PERFORM history_append(r.b_id, verb || 'ed', r.kind, NULL, r.a_id::text);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER link_history AFTER INSERT OR DELETE ON link
    FOR EACH ROW EXECUTE FUNCTION link_history();

-- History is append-only. Only the owner role, acting on purpose (SET ROLE
-- guichet_owner by a login that is a member of it: the installer), may change
-- it. SECURITY DEFINER functions also run as guichet_owner, but their session
-- user (an agent, the gateway) is not a member of it, so no API function can
-- rewrite history even through a bug.
CREATE FUNCTION history_guard()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = guichet, pg_catalog, public AS $$
BEGIN
	IF current_user = 'guichet_owner'
	    AND pg_has_role(session_user, 'guichet_owner', 'MEMBER') THEN
		IF TG_OP = 'DELETE' THEN
			RETURN OLD;
		END IF;
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'history is append-only: % refused', lower(TG_OP)
	    USING ERRCODE = 'GU004';
END
$$;
CREATE TRIGGER history_guard BEFORE UPDATE OR DELETE ON history
    FOR EACH ROW EXECUTE FUNCTION history_guard();
CREATE TRIGGER history_guard_truncate BEFORE TRUNCATE ON history
    FOR EACH STATEMENT EXECUTE FUNCTION history_guard();

-- Checks every chain (or one ticket's) in one pass ordered by (ticket_id, seq)
-- through the table's unique index: a row per problem found.
--   altered row      the row's hash does not match its content
--   missing seq a..b rows were removed before this one
--   broken link      prev_hash is not the previous row's hash
--   tail mismatch    ticket.history_seq/history_head do not point at the last row
-- Admin only: it reads every ticket whatever the caller may see.
CREATE FUNCTION verify_history(p_ticket bigint DEFAULT NULL)
    RETURNS TABLE (ticket_id bigint, seq integer, problem text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = guichet, pg_catalog, public AS $$
BEGIN
	IF NOT pg_has_role(session_user, 'guichet_admin', 'MEMBER') THEN
		RAISE EXCEPTION 'verify_history is for administrators' USING ERRCODE = 'GU004';
	END IF;
	RETURN QUERY
	WITH h AS (
		SELECT x.ticket_id, x.seq, x.prev_hash, x.hash,
		    x.hash = history_hash(x.prev_hash, x.ticket_id, x.seq, x.at, x.actor,
		        x.action, x.field, x.old_value, x.new_value) AS intact,
		    lag(x.seq) OVER w AS prev_seq,
		    lag(x.hash) OVER w AS prev_row_hash,
		    lead(x.seq) OVER w IS NULL AS last
		FROM history x
		WHERE p_ticket IS NULL OR x.ticket_id = p_ticket
		WINDOW w AS (PARTITION BY x.ticket_id ORDER BY x.seq)
	)
	SELECT h.ticket_id, h.seq, p.problem
	FROM h
	LEFT JOIN ticket t ON h.last AND t.id = h.ticket_id
	CROSS JOIN LATERAL (VALUES
	    (1, CASE WHEN NOT h.intact THEN 'altered row' END),
	    (2, CASE WHEN h.seq <> coalesce(h.prev_seq, 0) + 1 THEN
	        format('missing seq %s..%s', coalesce(h.prev_seq, 0) + 1, h.seq - 1) END),
	    (3, CASE WHEN h.prev_hash IS DISTINCT FROM h.prev_row_hash THEN 'broken link' END),
	    (4, CASE WHEN h.last AND (t.history_seq IS DISTINCT FROM h.seq
	        OR t.history_head IS DISTINCT FROM h.hash) THEN
	        format('tail mismatch: ticket ends at seq %s', t.history_seq) END))
	    AS p(n, problem)
	WHERE p.problem IS NOT NULL
	UNION ALL
	SELECT t.id, t.history_seq, 'tail mismatch: no history rows'
	FROM ticket t
	WHERE (p_ticket IS NULL OR t.id = p_ticket) AND t.history_seq > 0
	    AND NOT EXISTS (SELECT 1 FROM history x WHERE x.ticket_id = t.id)
	ORDER BY 1, 2, 3;
END
$$;
