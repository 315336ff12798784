-- 36-notification.sql — agents who are told: a follow-up on one of my
-- tickets, a ticket given or handed over to me, my claim expired, my ticket's
-- SLA about to breach, a colleague's @mention. One row per thing told
-- (schema 0005_told.sql), seen only by its agent (row-level security), read
-- or unread; each change says 'n<unread count>' on the agent's channel
-- (15-notify.sql), so that her consoles update their count at once.
--
-- agent_notify() is the one entry point of the server's code (the gateway,
-- the ticket API, the claim and SLA jobs, assign): it is not granted to any
-- login, so that nobody can tell a colleague anything the rules did not.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- An agent sees her own notifications, and nobody else's: not a supervisor,
-- not an admin (they are told of their own tickets like everyone).
CREATE POLICY notification_own ON notification FOR SELECT TO guichet_agent
    USING (agent_id = (SELECT guichet.current_agent()));
GRANT SELECT ON notification TO guichet_agent;
GRANT INSERT, UPDATE ON notification TO guichet_api;

-- Say the agent's unread count on her channel (her consoles listen there).
CREATE FUNCTION notification_signal(p_agent integer)
    RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	PERFORM pg_notify(agent_channel(p_agent), 'n' || (SELECT count(*) FROM notification
	    WHERE agent_id = p_agent AND read_at IS NULL));
END
$$;

-- Can this agent see tickets of this queue (visible_queues() for her, not for
-- the caller)? A mention or a handover must not show a subject to someone
-- who may not read the ticket.
CREATE FUNCTION agent_sees_queue(p_agent integer, p_queue integer)
    RETURNS boolean
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	a agent;
	r oid;
BEGIN
	SELECT * INTO a FROM agent WHERE id = p_agent AND active;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	-- An agent row whose login role is gone sees through her memberships only.
	SELECT oid INTO r FROM pg_roles WHERE rolname = a.login;
	RETURN (r IS NOT NULL AND pg_has_role(r, 'guichet_admin', 'MEMBER'))
	    OR EXISTS (SELECT 1 FROM queue_member m WHERE m.agent_id = a.id AND m.queue_id = p_queue)
	    OR (r IS NOT NULL AND pg_has_role(r, 'guichet_supervisor', 'MEMBER')
	        AND EXISTS (SELECT 1 FROM queue q WHERE q.id = p_queue
	            AND q.organisation_id = a.organisation_id));
END
$$;

-- Tell an agent something about a ticket (p_ticket NULL: about none). Called
-- by the server's own code only. Nothing happens for an unknown or inactive
-- agent, for one who may not see the ticket, or when an agent would be told of
-- her own deed (she mentioned or assigned herself). Returns the row's id, or
-- NULL when nothing was told.
CREATE FUNCTION agent_notify(p_agent integer, p_kind text, p_ticket bigint, p_text text,
    p_due timestamptz DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_queue integer;
	v_id bigint;
BEGIN
	IF p_agent IS NULL OR (p_kind IN ('mention', 'assigned')
	    AND p_agent IS NOT DISTINCT FROM current_agent()) THEN
		RETURN NULL;
	END IF;
	IF p_ticket IS NOT NULL THEN
		SELECT queue_id INTO v_queue FROM ticket WHERE id = p_ticket;
		IF NOT FOUND OR NOT agent_sees_queue(p_agent, v_queue) THEN
			RETURN NULL;
		END IF;
	ELSIF NOT EXISTS (SELECT 1 FROM agent WHERE id = p_agent AND active) THEN
		RETURN NULL;
	END IF;
	INSERT INTO notification (agent_id, kind, ticket_id, text, due_at)
	VALUES (p_agent, p_kind, p_ticket, left(coalesce(p_text, ''), 500), p_due)
	ON CONFLICT (agent_id, ticket_id, due_at) WHERE kind = 'sla_soon' DO NOTHING
	RETURNING id INTO v_id;
	IF v_id IS NOT NULL THEN
		PERFORM notification_signal(p_agent);
	END IF;
	RETURN v_id;
END
$$;

-- "#12 Subject", the start of every notification's text.
CREATE FUNCTION notification_ticket_text(p_ticket bigint)
    RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT '#' || t.id || ' ' || left(t.subject, 200) FROM ticket t WHERE t.id = p_ticket
$$;

-- A follow-up arrived (mail_followup, 50-mail.sql, before it wakes the
-- ticket): its owner is told; when she is away, her substitute, who gets the
-- ticket, is told it was handed over. Loops (p_wake false) tell nobody.
CREATE FUNCTION notify_followup(p_ticket bigint, p_article bigint, p_wake boolean)
    RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t ticket := (SELECT x FROM ticket x WHERE x.id = p_ticket);
	v_from text := (SELECT coalesce(nullif(c.name, ''), c.email, a.mail_from, '?')
	    FROM article a LEFT JOIN contact c ON c.id = a.author_contact_id
	    WHERE a.id = p_article);
	v_sub integer;
BEGIN
	IF NOT p_wake OR t.owner_id IS NULL THEN
		RETURN;
	END IF;
	IF NOT mail_agent_absent(t.owner_id) THEN
		PERFORM agent_notify(t.owner_id, 'followup', t.id,
		    notification_ticket_text(t.id) || ' — ' || v_from);
		RETURN;
	END IF;
	SELECT substitute_id INTO v_sub FROM agent WHERE id = t.owner_id;
	IF v_sub IS NOT NULL AND NOT mail_agent_absent(v_sub) THEN
		PERFORM agent_notify(v_sub, 'handover', t.id,
		    notification_ticket_text(t.id) || ' — ' || v_from || ' ('
		    || (SELECT login FROM agent WHERE id = t.owner_id) || ')');
	END IF;
END
$$;

-- The logins a note names: @login, not inside a word or an address
-- (jean@example.org names nobody), a trailing dot or dash left out.
CREATE FUNCTION mentioned_logins(p_body text)
    RETURNS text[]
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT coalesce(array_agg(DISTINCT lower(m[1])), '{}')
	FROM regexp_matches(p_body, '(?:^|[^[:alnum:]_.@-])@([[:alpha:]_][[:alnum:]_]*(?:[.-][[:alnum:]_]+)*)', 'g') AS m
$$;

-- add_note (30-ticket.sql): every active agent the note names who may see the
-- ticket is told, with the note's first line.
CREATE FUNCTION notify_mentions(p_ticket bigint, p_body text)
    RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_agent integer;
	v_text text;
BEGIN
	IF position('@' IN p_body) = 0 THEN
		RETURN;
	END IF;
	v_text := notification_ticket_text(p_ticket) || ' — ' || session_user || ': '
	    || left(split_part(btrim(p_body), E'\n', 1), 200);
	FOR v_agent IN SELECT a.id FROM agent a
	    WHERE lower(a.login) = ANY (mentioned_logins(p_body)) AND a.active LOOP
		PERFORM agent_notify(v_agent, 'mention', p_ticket, v_text);
	END LOOP;
END
$$;

-- The owners of new or open tickets whose next due time (first response while
-- none was given, else resolution) comes within the setting notify_sla_soon
-- (minutes) are told, once per due time. Called with expire_claims() by the
-- same cron line, never on a read. Reads the live tickets' small index.
-- Returns how many were told.
CREATE FUNCTION notify_sla_soon()
    RETURNS integer
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_soon interval := make_interval(mins => coalesce(nullif(setting('notify_sla_soon'), '')::integer, 60));
	r record;
	n integer := 0;
BEGIN
	IF v_soon <= interval '0' THEN
		RETURN 0;
	END IF;
	FOR r IN SELECT t.id, t.owner_id, d.due FROM ticket t
	    CROSS JOIN LATERAL (SELECT CASE WHEN t.first_response_at IS NULL
	        THEN least(t.first_response_due, t.resolution_due)
	        ELSE t.resolution_due END AS due) d
	    WHERE t.status IN ('new', 'open') AND t.owner_id IS NOT NULL
	        AND d.due > now() AND d.due <= now() + v_soon
	        AND NOT EXISTS (SELECT 1 FROM notification nt WHERE nt.agent_id = t.owner_id
	            AND nt.ticket_id = t.id AND nt.kind = 'sla_soon' AND nt.due_at = d.due) LOOP
		IF agent_notify(r.owner_id, 'sla_soon', r.id,
		    notification_ticket_text(r.id), r.due) IS NOT NULL THEN
			n := n + 1;
		END IF;
	END LOOP;
	RETURN n;
END
$$;

-- The caller's unread count (the console's status line).
CREATE FUNCTION notification_unread()
    RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT count(*) FROM notification
	WHERE agent_id = (SELECT current_agent()) AND read_at IS NULL
$$;

-- Mark the caller's notifications read (p_read false: unread again); p_ids
-- NULL: all of hers. Others' ids are silently none of hers. Returns how many
-- changed.
CREATE FUNCTION notification_read(p_ids bigint[], p_read boolean DEFAULT true)
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	me integer := agent_self();
	n integer;
BEGIN
	UPDATE notification SET read_at = CASE WHEN p_read THEN now() END
	WHERE agent_id = me AND (p_ids IS NULL OR id = ANY (p_ids))
	    AND (read_at IS NULL) = p_read;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		PERFORM notification_signal(me);
	END IF;
	RETURN n;
END
$$;

-- The caller's mail digest: unread notifications older than p_minutes are
-- mailed to her by guichet-mail send (NULL: no digest).
CREATE FUNCTION set_notify_digest(p_minutes integer)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	me integer := agent_self();
BEGIN
	IF p_minutes IS NOT NULL AND p_minutes NOT BETWEEN 1 AND 10080 THEN
		RAISE EXCEPTION 'a digest delay is 1 to 10080 minutes' USING ERRCODE = 'GU005';
	END IF;
	UPDATE agent SET notify_digest = p_minutes WHERE id = me;
END
$$;

-- For guichet-mail send: one digest per agent who asked for one, has an
-- address, and has unread notifications older than her delay not mailed yet;
-- they are marked mailed at once (a digest lost to a failed delivery is not
-- sent again: the notifications stay unread in the console). Times in the
-- desk's time zone. From: the first address (alphabetical) of her
-- organisation's queues, which the desk owns; none: no digest for her.
CREATE FUNCTION notification_digest(p_limit integer DEFAULT 100)
    RETURNS TABLE (agent_id integer, email text, display_name text, mail_from text,
        message_id text, subject text, body text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	a record;
	v_tz text := coalesce(nullif(setting('time_zone'), ''), current_setting('TimeZone'));
BEGIN
	IF NOT is_mail() AND NOT is_admin() THEN
		RAISE EXCEPTION 'only the mail gateway sends digests' USING ERRCODE = 'GU004';
	END IF;
	FOR a IN SELECT ag.id, ag.email, ag.display_name, ag.notify_digest, f.address
	    FROM agent ag
	    CROSS JOIN LATERAL (SELECT min(qa.address) AS address FROM queue_address qa
	        JOIN queue q ON q.id = qa.queue_id WHERE q.organisation_id = ag.organisation_id) f
	    WHERE ag.notify_digest IS NOT NULL AND ag.active AND coalesce(ag.email, '') <> ''
	        AND f.address IS NOT NULL
	        AND EXISTS (SELECT 1 FROM notification n WHERE n.agent_id = ag.id
	            AND n.read_at IS NULL AND n.mailed_at IS NULL
	            AND n.created_at < now() - make_interval(mins => ag.notify_digest))
	    ORDER BY ag.id LIMIT p_limit LOOP
		WITH m AS (UPDATE notification n SET mailed_at = now()
		    WHERE n.agent_id = a.id AND n.read_at IS NULL AND n.mailed_at IS NULL
		        AND n.created_at < now() - make_interval(mins => a.notify_digest)
		    RETURNING n.id, n.created_at, n.text)
		SELECT count(*)::text || ' unread notification' || CASE WHEN count(*) > 1 THEN 's' ELSE '' END,
		    string_agg(to_char(m.created_at AT TIME ZONE v_tz, 'YYYY-MM-DD HH24:MI') || '  '
		        || translate(m.text, E'\r\n', '  '), E'\n' ORDER BY m.id) || E'\n'
		INTO subject, body FROM m;
		agent_id := a.id;
		email := a.email;
		display_name := a.display_name;
		mail_from := a.address;
		message_id := '<guichet.digest.' || a.id || '.'
		    || left(md5(random()::text || clock_timestamp()::text), 16) || '@'
		    || coalesce(nullif(setting('mail_domain'), ''), split_part(a.address, '@', 2)) || '>';
		subject := '[' || setting('tag_prefix') || '] ' || subject;
		RETURN NEXT;
	END LOOP;
END
$$;

REVOKE ALL ON FUNCTION notification_signal(integer), agent_sees_queue(integer, integer),
    agent_notify(integer, text, bigint, text, timestamptz), notification_ticket_text(bigint),
    notify_followup(bigint, bigint, boolean), 
    mentioned_logins(text), notify_mentions(bigint, text), notify_sla_soon(),
    notification_unread(), notification_read(bigint[], boolean), set_notify_digest(integer),
    notification_digest(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notification_unread(), notification_read(bigint[], boolean),
    set_notify_digest(integer) TO guichet_agent;
GRANT EXECUTE ON FUNCTION notification_digest(integer) TO guichet_mail, guichet_admin;
