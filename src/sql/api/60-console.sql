-- 60-console.sql — what the agents' console needs on the server: the queue
-- overview's counts, presence
-- (who has a ticket open, who is writing in it), splitting an article into a
-- new linked ticket, and the indexes behind the console's other list orders and
-- its overdue counts.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- The queue overview: every queue the caller may see, with the counts of its
-- new, open, pending, mine and overdue tickets (ticket_due(), 40-sla.sql: the
-- first response until it is given, a next response a follow-up waits for,
-- the resolution). Counts stop at p_cap + 1: the console shows "5000+". Runs as
-- the owner (no per-row policy) over visible_queues() only, called once: in a
-- sub-select it is an InitPlan, while a bare call in WHERE runs at every row.
-- (Five capped index scans per queue took 756 ms on a cold 1,000,000-ticket
-- desk; the one pass reads the live tickets' few hundred index pages.)
CREATE FUNCTION queue_overview(p_cap integer DEFAULT 5000)
    RETURNS TABLE (organisation text, id integer, code text, name text, level smallint,
        new bigint, open bigint, pending bigint, mine bigint, overdue bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT o.name, q.id, q.code, q.name, q.level,
	    least(coalesce(c.new, 0), p_cap + 1), least(coalesce(c.open, 0), p_cap + 1),
	    least(coalesce(c.pending, 0), p_cap + 1), least(coalesce(c.mine, 0), p_cap + 1),
	    least(coalesce(c.overdue, 0), p_cap + 1)
	FROM queue q JOIN organisation o ON o.id = q.organisation_id
	    LEFT JOIN (SELECT t.queue_id,
	        count(*) FILTER (WHERE t.status = 'new') AS new,
	        count(*) FILTER (WHERE t.status = 'open') AS open,
	        count(*) FILTER (WHERE t.status = 'pending') AS pending,
	        count(*) FILTER (WHERE t.owner_id = (SELECT current_agent())) AS mine,
	        count(*) FILTER (WHERE ticket_due(t) < now()) AS overdue
	        FROM ticket t
	        WHERE t.status IN ('new', 'open', 'pending')
	            AND t.queue_id = ANY ((SELECT visible_queues())::integer[])
	        GROUP BY t.queue_id) c ON c.queue_id = q.id
	WHERE q.active AND q.id = ANY ((SELECT visible_queues())::integer[])
	ORDER BY o.name, q.level, q.code
$$;

-- Search helpers for the console's search language (src/common/query.c).
-- Under row-level security PostgreSQL evaluates the policy before any
-- condition whose operators are not leakproof, and neither @@ nor ILIKE is:
-- the full-text and trigram indexes could not serve an agent's search, every
-- subject and body would be parsed. These functions run as the owner, use the
-- indexes, and return only tickets of the caller's visible queues (computed
-- once: a sub-select is an InitPlan, a bare call in WHERE would run per row).
-- Words are 55-search.sql's (search_text).

-- p_pattern is an ILIKE pattern ('%words%', with % and _ escaped by the caller).
CREATE FUNCTION search_subject(p_pattern text)
    RETURNS SETOF bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp
    ROWS 100 AS $$
	SELECT t.id FROM ticket t
	WHERE t.subject ILIKE p_pattern
	    AND t.queue_id = ANY ((SELECT visible_queues())::integer[])
$$;

-- Requesters by part of their name or address, among those of visible tickets.
CREATE FUNCTION search_requester(p_pattern text)
    RETURNS SETOF bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp
    ROWS 100 AS $$
	SELECT c.id FROM contact c
	WHERE (c.name ILIKE p_pattern OR c.email ILIKE p_pattern)
	    AND EXISTS (SELECT 1 FROM ticket t WHERE t.requester_id = c.id
	        AND t.queue_id = ANY ((SELECT visible_queues())::integer[]))
$$;

-- The requesters' names of a page of the index. Through contact's policy each
-- name would cost a look for a visible ticket of that requester (her every
-- ticket: 20 µs to 0.3 ms a row, growing with the desk); a requester of a
-- visible ticket is visible by that policy, so this looks up the tickets'
-- queues instead, once for the page.
CREATE FUNCTION ticket_requesters(p_ids bigint[])
    RETURNS TABLE (id bigint, requester text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp
    ROWS 100 AS $$
DECLARE
	vis integer[] := visible_queues();
BEGIN
	RETURN QUERY
	SELECT t.id, coalesce(nullif(c.name, ''), c.email, c.phone, '')
	FROM ticket t JOIN contact c ON c.id = t.requester_id
	WHERE t.id = ANY (p_ids) AND t.queue_id = ANY (vis);
END
$$;
REVOKE ALL ON presence FROM PUBLIC, guichet_agent, guichet_mail;

-- Check that the caller is an agent who may see the ticket; her agent id.
CREATE FUNCTION presence_check(p_ticket bigint)
    RETURNS integer
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	me integer := current_agent();
BEGIN
	IF me IS NULL THEN
		RAISE EXCEPTION 'only agents show their presence' USING ERRCODE = 'GU004';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM ticket WHERE id = p_ticket
	    AND queue_id = ANY (visible_queues())) THEN
		RAISE EXCEPTION 'no ticket #%', p_ticket USING ERRCODE = 'GU006';
	END IF;
	RETURN me;
END
$$;

-- "I have this ticket open" (p_writing: "and I am writing a note or a reply").
-- Other consoles are told (NOTIFY 'p<ticket id>' on the ticket's queue channel,
-- 15-notify.sql) only when something changes, not at every heartbeat.
CREATE FUNCTION presence_set(p_ticket bigint, p_writing boolean DEFAULT false)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	me integer := presence_check(p_ticket);
	was boolean;
BEGIN
	SELECT writing INTO was FROM presence
	WHERE agent_id = me AND ticket_id = p_ticket AND seen_at > now() - interval '2 minutes';
	INSERT INTO presence (agent_id, ticket_id, writing, seen_at)
	VALUES (me, p_ticket, coalesce(p_writing, false), now())
	ON CONFLICT (agent_id, ticket_id)
	DO UPDATE SET writing = EXCLUDED.writing, seen_at = EXCLUDED.seen_at;
	IF was IS DISTINCT FROM coalesce(p_writing, false) THEN
		PERFORM pg_notify(queue_channel((SELECT queue_id FROM ticket WHERE id = p_ticket)),
		    'p' || p_ticket);
	END IF;
	-- Forget consoles that went away without a word (a handful of rows).
	DELETE FROM presence WHERE ticket_id = p_ticket AND seen_at < now() - interval '10 minutes';
END
$$;

CREATE FUNCTION presence_leave(p_ticket bigint)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	DELETE FROM presence WHERE agent_id = current_agent() AND ticket_id = p_ticket;
	IF FOUND THEN
		PERFORM pg_notify(queue_channel((SELECT queue_id FROM ticket WHERE id = p_ticket)),
		    'p' || p_ticket);
	END IF;
END
$$;

-- The colleagues (not the caller) who have the ticket open now.
CREATE FUNCTION presence_list(p_ticket bigint)
    RETURNS TABLE (login name, display_name text, writing boolean, seen_at timestamptz)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	me integer := presence_check(p_ticket);
BEGIN
	RETURN QUERY
	SELECT a.login, a.display_name, p.writing, p.seen_at
	FROM presence p JOIN agent a ON a.id = p.agent_id
	WHERE p.ticket_id = p_ticket AND p.agent_id <> me
	    AND p.seen_at > now() - interval '2 minutes'
	ORDER BY p.writing DESC, a.login;
END
$$;

-- Split one article into a new ticket of the same queue: the article is copied
-- (same kind, author, headers and attachments), the new ticket takes the
-- requester, priority, service and district, and becomes a child of the old one.
-- The original article stays where it was: the thread keeps its history.
CREATE FUNCTION split_article(p_article bigint, p_subject text)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	a article;
	t ticket;
	nid bigint;
	aid bigint;
BEGIN
	-- An article of a ticket the caller may not see does not exist for her:
	-- the error must not name its ticket.
	SELECT a0.* INTO a FROM article a0 JOIN ticket t0 ON t0.id = a0.ticket_id
	WHERE a0.id = p_article AND t0.queue_id = ANY (visible_queues());
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no article %', p_article USING ERRCODE = 'GU006';
	END IF;
	t := ticket_write(a.ticket_id);
	nid := create_ticket(t.queue_id, p_subject, NULL,
	    coalesce(a.author_contact_id, t.requester_id),
	    CASE a.kind WHEN 'mail_in' THEN 'mail' WHEN 'phone' THEN 'phone' ELSE t.channel END,
	    t.priority, t.service_id, t.district_id);
	INSERT INTO article (ticket_id, kind, author_agent_id, author_contact_id, created_at,
	    subject, body, body_format, message_id, in_reply_to, refs, mail_from, mail_to,
	    mail_cc, sender_unknown, decode_lossy)
	VALUES (nid, a.kind, a.author_agent_id, a.author_contact_id, a.created_at, a.subject,
	    a.body, a.body_format, NULL, a.in_reply_to, a.refs, a.mail_from, a.mail_to,
	    a.mail_cc, a.sender_unknown, a.decode_lossy)
	RETURNING id INTO aid;
	INSERT INTO attachment (article_id, filename, content_type, size, sha256, inline)
	SELECT aid, filename, content_type, size, sha256, inline
	FROM attachment WHERE article_id = a.id;
	PERFORM link(t.id, nid, 'parent');
	RETURN nid;
END
$$;

REVOKE ALL ON FUNCTION search_subject(text), search_requester(text), ticket_requesters(bigint[]),
    queue_overview(integer), presence_check(bigint), presence_set(bigint, boolean),
    presence_leave(bigint), presence_list(bigint), split_article(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search_subject(text), search_requester(text), ticket_requesters(bigint[]),
    queue_overview(integer), presence_set(bigint, boolean), presence_leave(bigint),
    presence_list(bigint), split_article(bigint, text) TO guichet_agent;
