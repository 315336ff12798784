-- 61-console-read.sql — what the agents' console reads, one function per
-- screen: who the agent is, the ticket index (its search, pages, count and
-- tags), the ticket card with its fields, articles, attachments and links,
-- the history, the knowledge base and the pickers of its actions. The console
-- sends only `SELECT … FROM guichet.<function>($1 …)`; guichet-sql(7) lists
-- them with who may call each.
--
-- Every function here is SECURITY INVOKER: the caller's row-level security
-- gives the right rows, so the policies of 20-rights.sql stay the one rule of
-- who sees what. They are LANGUAGE sql STABLE with an SQL-standard body and
-- no SET clause, so that the planner inlines them into the caller's statement:
-- it plans the body with the arguments' values (a statement sent with
-- PQexecParams is planned for its parameters), "p_x IS NULL OR …" terms
-- vanish, and a keyset page stays an index scan at any depth. The bodies are
-- bound when created (a caller's temporary table named like ours changes
-- nothing) and name guichet's objects with their schema. Where a screen needs
-- rows that the caller's policies would make slow, it calls the SECURITY
-- DEFINER helpers of 60-console.sql (ticket_requesters, search_*), which say
-- why they are definers.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- The caller's agent row (none: she is not an agent) and the server's clock,
-- in seconds since the epoch, which the console's countdowns use.
CREATE FUNCTION console_agent()
    RETURNS TABLE (id integer, display_name text, now bigint)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT a.id, a.display_name, extract(epoch FROM pg_catalog.now())::bigint
	FROM guichet.agent a WHERE a.login = session_user;
END;

-- The agents the caller may see, id → login: the owner column of the index.
CREATE FUNCTION agent_logins()
    RETURNS TABLE (id integer, login name)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT a.id, a.login FROM guichet.agent a ORDER BY a.id;
END;

--
-- The ticket index. The console's search language (src/common/query.c)
-- compiles to a search_terms value (its slots, in order), passed as
-- ROW($1 … $20)::guichet.search_terms. Statuses are apart: a page walks them
-- one at a time along its keyset index.
--

-- The tickets of a search, with what the index shows of them (due:
-- ticket_due()). p_terms holds the search's terms (search_terms,
-- schema/0002_console.sql; a NULL term is no constraint). Words, subjects
-- and requesters go through the search_* helpers (60-console.sql), which can
-- use their indexes under row-level security; every other term is a
-- condition on the ticket row. Statuses are the caller's to test (a page
-- takes them one at a time: a test of all of them here would lead the
-- planner to the partial indexes of the live tickets, out of the page's
-- order); p_word_statuses only narrows the words' search. Only the columns
-- the index needs: the planner reads this body back at every call, and a
-- whole ticket row would make it half as large again.
CREATE FUNCTION ticket_search(p_word_statuses text[], p_terms search_terms DEFAULT NULL)
    RETURNS TABLE (id bigint, queue_id integer, status text, priority smallint,
        owner_id integer, subject text, created_at timestamptz, updated_at timestamptz,
        due timestamptz)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT t.id, t.queue_id, t.status, t.priority, t.owner_id, t.subject, t.created_at,
	    t.updated_at, guichet.ticket_due(t)
	FROM guichet.ticket t
	WHERE ((p_terms).queue IS NULL OR t.queue_id = (p_terms).queue)
	    AND ((p_terms).queues IS NULL OR t.queue_id = ANY (ARRAY(SELECT qq.id
	        FROM guichet.queue qq WHERE qq.code = ANY ((p_terms).queues))))
	    AND ((p_terms).owner IS NULL OR t.owner_id = (SELECT ag.id FROM guichet.agent ag
	        WHERE ag.login = (p_terms).owner))
	    AND ((p_terms).unowned IS NULL OR (t.owner_id IS NULL) = (p_terms).unowned)
	    AND ((p_terms).priority_min IS NULL OR t.priority >= (p_terms).priority_min)
	    AND ((p_terms).priority_max IS NULL OR t.priority <= (p_terms).priority_max)
	    AND ((p_terms).districts IS NULL OR t.district_id = ANY (ARRAY(SELECT di.id
	        FROM guichet.district di WHERE lower(di.name) = ANY ((p_terms).districts))))
	    AND ((p_terms).created_from IS NULL OR t.created_at >= (p_terms).created_from)
	    AND ((p_terms).created_until IS NULL OR t.created_at < (p_terms).created_until)
	    AND ((p_terms).updated_from IS NULL OR t.updated_at >= (p_terms).updated_from)
	    AND ((p_terms).updated_until IS NULL OR t.updated_at < (p_terms).updated_until)
	    AND ((p_terms).words IS NULL OR t.id IN (SELECT guichet.search_text((p_terms).words,
	        NULL, p_word_statuses, (p_terms).queue, (p_terms).queues)))
	    AND ((p_terms).subject IS NULL OR t.id IN (SELECT guichet.search_subject(
	        (p_terms).subject)))
	    AND ((p_terms).requester IS NULL OR t.requester_id IN (SELECT
	        guichet.search_requester((p_terms).requester)))
	    AND ((p_terms).ids IS NULL OR t.id = ANY ((p_terms).ids))
	    AND ((p_terms).level IS NULL OR t.level = (p_terms).level)
	    AND ((p_terms).channels IS NULL OR t.channel = ANY ((p_terms).channels))
	    AND ((p_terms).field_names IS NULL OR NOT EXISTS (SELECT 1
	        FROM unnest((p_terms).field_names, (p_terms).field_values) AS fu(name, value)
	        WHERE NOT EXISTS (SELECT 1 FROM guichet.ticket_field tf
	            JOIN guichet.field fd ON fd.id = tf.field_id WHERE tf.ticket_id = t.id
	                AND fd.name = fu.name AND lower(tf.value) = lower(fu.value))))
	    AND ((p_terms).services IS NULL OR t.service_id = ANY (ARRAY(SELECT sv.id
	        FROM guichet.service sv WHERE sv.code = ANY ((p_terms).services))));
END;

-- A page of the index: p_limit rows of the search, in the order p_sort
-- (updated: last change first; oldest: oldest first; priority: most urgent
-- first), p_backward for the page above. The list is a chain of status
-- segments in the order of p_statuses; within one, rows follow the index
-- ticket (queue_id, status, <sort key>, id) — ticket_queue_list,
-- ticket_queue_created, ticket_queue_priority. Paging is a keyset walk,
-- never OFFSET: the page continues after the row (p_after_key, p_after_id)
-- of segment p_from_ord (the key as the column k gave it), and every later
-- segment from its start; p_from_ord 0 starts every segment at its start.
-- For each status in order (unnest … WITH ORDINALITY) a LATERAL index scan
-- reads on from the anchor, LIMIT p_limit. Only the page's rows are then
-- joined to their queue and, at once for the page, to their requesters'
-- names (ticket_requesters: through contact's policy each name would cost a
-- look for a visible ticket of that requester, 4 of the 6 ms of a page at
-- 100,000 tickets).
--
-- Why PL/pgSQL and EXECUTE: each order needs its own statement, whose ORDER
-- BY and keyset condition name the columns of its index. One inlinable SQL
-- function for the six (three orders, two directions) took 1.3 ms a page
-- where this takes 1.0, as the console's own statements did: the planner
-- reads the whole body back and folds five orders away at every call. So
-- the statement of the order asked for is made from one template with
-- fixed words (never the caller's text) and run with the arguments as
-- parameters, planned for their values as a statement sent with
-- PQexecParams is: a keyset page stays an index scan at any depth.
CREATE FUNCTION ticket_index_page(p_sort text, p_backward boolean, p_statuses text[],
    p_from_ord integer, p_after_key text, p_after_id bigint, p_limit integer,
    p_terms search_terms DEFAULT NULL)
    RETURNS TABLE (id bigint, priority smallint, status text, ord bigint, k text,
        created bigint, due bigint, owner_id integer, requester text, subject text,
        queue text)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	key text; -- the sort key's column and type
	ktype text;
	descending boolean;
	before_first text; -- the bound the key is compared with in a segment's start
BEGIN
	CASE p_sort
	WHEN 'updated' THEN
		key := 't.updated_at'; ktype := 'timestamptz'; descending := true;
	WHEN 'oldest' THEN
		key := 't.created_at'; ktype := 'timestamptz'; descending := false;
	WHEN 'priority' THEN
		key := 't.priority'; ktype := 'integer'; descending := true;
	ELSE
		RAISE EXCEPTION 'no sort order %', p_sort USING ERRCODE = 'GU005';
	END CASE;
	descending := descending <> coalesce(p_backward, false);
	before_first := CASE WHEN ktype = 'integer' THEN
	        CASE WHEN descending THEN '32767' ELSE '-32768' END
	    ELSE CASE WHEN descending THEN '''infinity''' ELSE '''-infinity''' END END;
	-- %1$s the key, %2$s its type, %3$s < or >, %4$s the key's and %5$s the
	-- id's bound before the first row, %6$s DESC or ASC.
	RETURN QUERY EXECUTE format($q$
	WITH p AS (
		SELECT t.id, t.priority, t.status, st.ord, (%1$s)::text AS k, %1$s AS sk,
		    extract(epoch FROM t.created_at)::bigint AS created,
		    extract(epoch FROM t.due)::bigint AS due, t.owner_id, t.queue_id, t.subject
		FROM unnest($1) WITH ORDINALITY AS st(status, ord)
		CROSS JOIN LATERAL (SELECT t.* FROM guichet.ticket_search($1, $6) t
		    WHERE t.status = st.status AND (%1$s, t.id) %3$s (CASE WHEN st.ord = $2
		        THEN $3::%2$s ELSE %4$s END, CASE WHEN st.ord = $2 THEN $4 ELSE %5$s END)
		    ORDER BY %1$s %6$s, t.id %6$s LIMIT $5) t
		WHERE st.ord >= $2
		ORDER BY st.ord, %1$s %6$s, t.id %6$s LIMIT $5)
	SELECT p.id, p.priority, p.status, p.ord, p.k, p.created, p.due, p.owner_id,
	    coalesce(r.requester, ''), p.subject, q.code
	FROM p JOIN guichet.queue q ON q.id = p.queue_id
	    LEFT JOIN guichet.ticket_requesters(ARRAY(SELECT p.id FROM p)) r ON r.id = p.id
	ORDER BY p.ord, p.sk %6$s, p.id %6$s
	$q$, key, ktype, CASE WHEN descending THEN '<' ELSE '>' END, before_first,
	    CASE WHEN descending THEN '9223372036854775807' ELSE '-1' END,
	    CASE WHEN descending THEN 'DESC' ELSE 'ASC' END)
	USING p_statuses, p_from_ord, p_after_key, p_after_id, p_limit, p_terms;
END
$$;

-- How many tickets the search finds among p_statuses, counted up to
-- p_cap + 1 only: the index's title says "5000+" rather than pay for a
-- precise 52,817.
CREATE FUNCTION ticket_index_count(p_statuses text[], p_cap integer,
    p_terms search_terms DEFAULT NULL)
    RETURNS TABLE (n bigint)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT count(*) FROM (SELECT 1 FROM guichet.ticket_search(p_statuses, p_terms) t
	    WHERE t.status = ANY (p_statuses) LIMIT p_cap + 1) x;
END;

-- The numbers of the search's tickets (at most p_limit): "tag them all".
CREATE FUNCTION ticket_index_ids(p_statuses text[], p_limit integer,
    p_terms search_terms DEFAULT NULL)
    RETURNS TABLE (id bigint)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT t.id FROM guichet.ticket_search(p_statuses, p_terms) t
	WHERE t.status = ANY (p_statuses) LIMIT p_limit;
END;

-- Words first: how many tickets of p_statuses (and of the queue, or queues)
-- have the words, up to p_limit, and their numbers. When they are few the
-- console searches on with the numbers (an index lookup each) rather than
-- testing every ticket of the statuses against the matches.
CREATE FUNCTION search_words(p_words text, p_statuses text[], p_queue integer,
    p_queues text[], p_limit integer)
    RETURNS TABLE (n bigint, ids bigint[])
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT count(*), array_agg(w.id)
	FROM guichet.search_text(p_words, p_limit, p_statuses, p_queue, p_queues) AS w(id);
END;

--
-- The ticket card and what it shows below its head. Times are text as the
-- card shows them; `seen` is updated_at as the stale-write checks (p_seen)
-- take it back; `due` is ticket_due() in seconds since the epoch.
--
CREATE FUNCTION ticket_card(p_ticket bigint)
    RETURNS TABLE (id bigint, subject text, status text, priority smallint, level smallint,
        channel text, seen text, updated_by name, queue_id integer, queue text,
        queue_name text, service text, owner name, owner_name text, requester_name text,
        requester_email text, requester_phone text, district text, location text,
        created text, updated text, first_response_due text, first_response_at text,
        resolution_due text, pending_until text, next_response_due text,
        claim_lapses text, claim_lapsed boolean, due bigint, time_spent integer,
        merged_into bigint)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT t.id, t.subject, t.status, t.priority, t.level, t.channel, t.updated_at::text,
	    t.updated_by, q.id, q.code, q.name, sv.category || ' / ' || sv.name, a.login,
	    a.display_name, c.name, c.email, c.phone, d.name, t.location,
	    to_char(t.created_at, 'YYYY-MM-DD HH24:MI'), to_char(t.updated_at, 'YYYY-MM-DD HH24:MI'),
	    to_char(t.first_response_due, 'YYYY-MM-DD HH24:MI'),
	    to_char(t.first_response_at, 'YYYY-MM-DD HH24:MI'),
	    to_char(t.resolution_due, 'YYYY-MM-DD HH24:MI'),
	    to_char(t.pending_until, 'YYYY-MM-DD HH24:MI'),
	    to_char(t.next_response_due, 'YYYY-MM-DD HH24:MI'),
	    -- A claim nobody has acted on yet: when the queue takes it back
	    -- (45-claims.sql).
	    CASE WHEN t.owner_id IS NOT NULL AND NOT t.owner_settled
	        AND t.status IN ('new', 'open')
	        THEN to_char(t.claimed_at + q.claim_timeout, 'YYYY-MM-DD HH24:MI') END,
	    t.claimed_at + q.claim_timeout < now(),
	    extract(epoch FROM guichet.ticket_due(t))::bigint, t.time_spent, t.merged_into
	FROM guichet.ticket t JOIN guichet.queue q ON q.id = t.queue_id
	    LEFT JOIN guichet.service sv ON sv.id = t.service_id
	    LEFT JOIN guichet.agent a ON a.id = t.owner_id
	    LEFT JOIN guichet.contact c ON c.id = t.requester_id
	    LEFT JOIN guichet.district d ON d.id = t.district_id
	WHERE t.id = p_ticket;
END;

-- Its dynamic fields, in the fields' order.
CREATE FUNCTION ticket_fields(p_ticket bigint)
    RETURNS TABLE (label text, value text)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT f.label, tf.value FROM guichet.ticket_field tf
	    JOIN guichet.field f ON f.id = tf.field_id
	WHERE tf.ticket_id = p_ticket ORDER BY f.position, f.name;
END;

-- Its thread, oldest first; the author is the agent, else the contact's name
-- or address, else the From of the mail, else the login that wrote it.
CREATE FUNCTION ticket_articles(p_ticket bigint)
    RETURNS TABLE (id bigint, kind text, at text, subject text, body text, body_format text,
        mail_to text, time_spent integer, author text, author_email text,
        sender_unknown boolean, duplicate_message_id boolean)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT ar.id, ar.kind, to_char(ar.created_at, 'YYYY-MM-DD HH24:MI'), ar.subject, ar.body,
	    ar.body_format, ar.mail_to, ar.time_spent,
	    coalesce(ag.display_name, nullif(co.name, ''), co.email, ar.mail_from,
	        ar.created_by::text), co.email, ar.sender_unknown, ar.duplicate_message_id
	FROM guichet.article ar LEFT JOIN guichet.agent ag ON ag.id = ar.author_agent_id
	    LEFT JOIN guichet.contact co ON co.id = ar.author_contact_id
	WHERE ar.ticket_id = p_ticket ORDER BY ar.created_at, ar.id;
END;

-- The attachments of its articles (their content: attachment_content).
CREATE FUNCTION ticket_attachments(p_ticket bigint)
    RETURNS TABLE (id bigint, article_id bigint, filename text, content_type text,
        size bigint)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT x.id, x.article_id, x.filename, x.content_type, x.size
	FROM guichet.attachment x JOIN guichet.article ar ON ar.id = x.article_id
	WHERE ar.ticket_id = p_ticket ORDER BY x.article_id, x.id;
END;

-- Its links, each seen from this ticket: outgoing when it is the link's a_id.
CREATE FUNCTION ticket_links(p_ticket bigint)
    RETURNS TABLE (kind text, outgoing boolean, other bigint, status text, subject text)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT l.kind, l.a_id = p_ticket, o.id, o.status, o.subject
	FROM guichet.link l JOIN guichet.ticket o
	    ON o.id = CASE WHEN l.a_id = p_ticket THEN l.b_id ELSE l.a_id END
	WHERE l.a_id = p_ticket OR l.b_id = p_ticket ORDER BY o.id;
END;

-- Its audit trail, in the order of the hash chain.
CREATE FUNCTION ticket_history(p_ticket bigint)
    RETURNS TABLE (seq integer, at text, actor text, action text, field text,
        old_value text, new_value text)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT h.seq, to_char(h.at, 'YYYY-MM-DD HH24:MI:SS'), h.actor::text, h.action,
	    CASE h.field WHEN 'queue_id' THEN 'queue' WHEN 'owner_id' THEN 'owner'
	        WHEN 'service_id' THEN 'service' WHEN 'district_id' THEN 'district'
	        WHEN 'requester_id' THEN 'requester' ELSE h.field END,
	    guichet.history_value_name(h.field, h.old_value),
	    guichet.history_value_name(h.field, h.new_value)
	FROM guichet.history h WHERE h.ticket_id = p_ticket ORDER BY h.seq;
END;

-- One attachment's bytes.
CREATE FUNCTION attachment_content(p_attachment bigint)
    RETURNS TABLE (content bytea)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT b.content FROM guichet.attachment x JOIN guichet.blob b ON b.sha256 = x.sha256
	WHERE x.id = p_attachment;
END;

-- The knowledge base: the articles with the words in their title or body
-- (websearch syntax; '' for all), last changed first, at most p_limit.
CREATE FUNCTION kb_search(p_words text, p_limit integer DEFAULT 200)
    RETURNS TABLE (id integer, slug text, title text, body text, updated text)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT k.id, k.slug, k.title, k.body, to_char(k.updated_at, 'YYYY-MM-DD')
	FROM guichet.kb_article k
	WHERE p_words = '' OR to_tsvector('simple', k.title || ' ' || k.body)
	    @@ websearch_to_tsquery('simple', p_words)
	ORDER BY k.updated_at DESC, k.id DESC LIMIT p_limit;
END;

--
-- The pickers of the console's actions.
--

-- Escalate: the active level-2 queues, the ticket's queue's escalate_to first.
CREATE FUNCTION escalation_queues(p_ticket bigint)
    RETURNS TABLE (id integer, code text, name text, preferred boolean)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT q.id, q.code, q.name, q.id = (SELECT s.escalate_to FROM guichet.ticket t
	    JOIN guichet.queue s ON s.id = t.queue_id WHERE t.id = p_ticket) AS preferred
	FROM guichet.queue q WHERE q.level = 2 AND q.active
	ORDER BY preferred DESC, q.code;
END;

-- Set a field: the definitions, an enum's values joined by U+001F.
CREATE FUNCTION field_definitions()
    RETURNS TABLE (name text, label text, kind text, allowed text)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT f.name, f.label, f.kind, array_to_string(f.allowed, E'\x1f')
	FROM guichet.field f ORDER BY f.position, f.name;
END;

-- New ticket: the active queues the caller may write in.
CREATE FUNCTION writable_queues()
    RETURNS TABLE (id integer, code text, name text, default_priority smallint)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT q.id, q.code, q.name, q.default_priority FROM guichet.queue q
	WHERE q.active AND q.id = ANY ((SELECT guichet.visible_queues())::integer[])
	    AND guichet.may_write(q.id)
	ORDER BY q.code;
END;

-- Reply: the templates (render_template, 56-template.sql, fills one in for a ticket).
CREATE FUNCTION reply_templates()
    RETURNS TABLE (id integer, name text, body text)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT tp.id, tp.name, tp.body FROM guichet.template tp ORDER BY tp.name;
END;

-- New ticket: the requester, by part of a name, address or phone number
-- (an ILIKE pattern, % and _ escaped by the caller), among the contacts the
-- caller sees.
CREATE FUNCTION contact_search(p_pattern text, p_limit integer DEFAULT 50)
    RETURNS TABLE (id bigint, name text, email text, phone text)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT c.id, c.name, c.email, c.phone FROM guichet.contact c
	WHERE c.name ILIKE p_pattern OR c.email ILIKE p_pattern OR c.phone ILIKE p_pattern
	ORDER BY c.name, c.email LIMIT p_limit;
END;

-- EXECUTE is not PUBLIC's (the default privileges of guichet_owner): agents
-- (supervisors and admins are agents too) may call them.
-- console_agent() for the gateway too: its login has no agent row, and the
-- console says so rather than "permission denied".
GRANT EXECUTE ON FUNCTION console_agent() TO guichet_agent, guichet_mail;
GRANT EXECUTE ON FUNCTION agent_logins(), ticket_search(text[], search_terms),
    ticket_index_page(text, boolean, text[], integer, text, bigint, integer, search_terms),
    ticket_index_count(text[], integer, search_terms),
    ticket_index_ids(text[], integer, search_terms),
    search_words(text, text[], integer, text[], integer), ticket_card(bigint),
    ticket_fields(bigint), ticket_articles(bigint), ticket_attachments(bigint),
    ticket_links(bigint), ticket_history(bigint), attachment_content(bigint),
    kb_search(text, integer), escalation_queues(bigint), field_definitions(),
    writable_queues(), reply_templates(), contact_search(text, integer)
    TO guichet_agent;
