-- 37-contact.sql — one citizen's record: what the desk holds on her, exported
-- whole (GDPR art. 15), and the audit of what was done to her data as a whole
-- (exports, erasures, retention runs: contact_audit, one hash chain for the
-- desk).
--
-- Per-ticket changes stay in each ticket's history chain (10-history.sql);
-- what concerns a person across her tickets (she asked for her data, she was
-- erased) is one row of contact_audit. Those are rare (a handful a week), so
-- one chain serialised by an advisory lock costs nothing, and one chain is
-- simpler to check than one per contact.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- The canonical text of an audit row, as history's: a JSON array.
CREATE FUNCTION contact_audit_hash(p_prev bytea, p_seq integer, p_at timestamptz,
    p_actor name, p_action text, p_contact bigint, p_org integer, p_tickets integer,
    p_reason text)
    RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN sha256(coalesce(p_prev, '\x'::bytea) || convert_to(json_build_array(p_seq,
    history_time(p_at), p_actor::text, p_action, p_contact, p_org, p_tickets,
    p_reason)::text, 'UTF8'));

-- Append one audit row (called by contact_export, contact_erase,
-- retention_run, which run as the API's owner).
CREATE FUNCTION contact_audit_append(p_action text, p_contact bigint, p_org integer,
    p_tickets integer, p_reason text)
    RETURNS integer
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	s integer;
	h bytea;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('guichet.contact_audit'));
	SELECT a.seq, a.hash INTO s, h FROM contact_audit a ORDER BY a.seq DESC LIMIT 1;
	s := coalesce(s, 0) + 1;
	INSERT INTO contact_audit (seq, at, actor, action, contact_id, organisation_id, tickets,
	    reason, prev_hash, hash)
	VALUES (s, now(), session_user, p_action, p_contact, p_org, p_tickets, p_reason, h,
	    contact_audit_hash(h, s, now(), session_user, p_action, p_contact, p_org, p_tickets,
	        p_reason));
	RETURN s;
END
$$;

-- Check the audit chain (admins): a row per problem, as verify_history.
CREATE FUNCTION verify_contact_audit()
    RETURNS TABLE (seq integer, problem text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF NOT pg_has_role(session_user, 'guichet_admin', 'MEMBER') THEN
		RAISE EXCEPTION 'verify_contact_audit is for administrators' USING ERRCODE = 'GU004';
	END IF;
	RETURN QUERY
	SELECT x.seq, p.problem
	FROM (SELECT a.*, lag(a.seq) OVER w AS prev_seq, lag(a.hash) OVER w AS prev_row_hash
	    FROM contact_audit a WINDOW w AS (ORDER BY a.seq)) x
	CROSS JOIN LATERAL (VALUES
	    (CASE WHEN x.hash <> contact_audit_hash(x.prev_hash, x.seq, x.at, x.actor, x.action,
	        x.contact_id, x.organisation_id, x.tickets, x.reason) THEN 'altered row' END),
	    (CASE WHEN x.seq <> coalesce(x.prev_seq, 0) + 1 THEN
	        format('missing seq %s..%s', coalesce(x.prev_seq, 0) + 1, x.seq - 1) END),
	    (CASE WHEN x.prev_hash IS DISTINCT FROM x.prev_row_hash THEN 'broken link' END))
	    AS p(problem)
	WHERE p.problem IS NOT NULL
	ORDER BY 1, 2;
END
$$;

-- May the caller act on this contact's data as a whole? Admins, and the
-- supervisors of her organisation. Raises GU006 for a contact that does
-- not exist, GU004 for one the caller may not handle.
CREATE FUNCTION contact_check_supervisor(p_contact bigint)
    RETURNS contact
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	c contact;
BEGIN
	SELECT * INTO c FROM contact WHERE id = p_contact;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no contact %', p_contact USING ERRCODE = 'GU006';
	END IF;
	IF NOT (is_admin() OR (is_supervisor() AND current_organisation() = c.organisation_id))
	THEN
		RAISE EXCEPTION 'only an administrator or a supervisor of her organisation may do that'
		    USING ERRCODE = 'GU004';
	END IF;
	RETURN c;
END
$$;

-- Everything the desk holds on a person (art. 15), as one JSON document: her
-- record, the tickets she asked, each with its fields, articles (bodies and
-- mail headers), the list of attachments (names, types, sizes, sha256; the
-- bytes are the files themselves) and history; the articles she wrote in
-- other people's tickets; the audit rows about her. The export is audited.
CREATE FUNCTION contact_export(p_contact bigint)
    RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	c contact := contact_check_supervisor(p_contact);
	t bigint[];
	doc jsonb;
BEGIN
	SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO t
	FROM ticket WHERE requester_id = c.id;
	doc := jsonb_build_object(
	    'contact', to_jsonb(c),
	    'tickets', (SELECT coalesce(jsonb_agg(contact_export_ticket(x) ORDER BY x), '[]')
	        FROM unnest(t) x),
	    'articles_elsewhere', (SELECT coalesce(jsonb_agg(contact_export_article(a.id)
	        ORDER BY a.id), '[]')
	        FROM article a WHERE a.author_contact_id = c.id AND a.ticket_id <> ALL (t)),
	    'audit', (SELECT coalesce(jsonb_agg(jsonb_build_object('seq', a.seq, 'at', a.at,
	        'actor', a.actor, 'action', a.action, 'reason', a.reason) ORDER BY a.seq), '[]')
	        FROM contact_audit a WHERE a.contact_id = c.id));
	PERFORM contact_audit_append('export', c.id, c.organisation_id, cardinality(t),
	    'access request (art. 15)');
	RETURN doc;
END
$$;

CREATE FUNCTION contact_export_article(p_article bigint)
    RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp
RETURN (SELECT jsonb_build_object('id', a.id, 'ticket', a.ticket_id, 'kind', a.kind,
        'created_at', a.created_at, 'subject', a.subject, 'body', a.body,
        'from', a.mail_from, 'to', a.mail_to, 'cc', a.mail_cc, 'message_id', a.message_id,
        'attachments', (SELECT coalesce(jsonb_agg(jsonb_build_object('filename', f.filename,
            'content_type', f.content_type, 'size', f.size,
            'sha256', encode(f.sha256, 'hex')) ORDER BY f.id), '[]')
            FROM attachment f WHERE f.article_id = a.id))
    FROM article a WHERE a.id = p_article);

CREATE FUNCTION contact_export_ticket(p_ticket bigint)
    RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp
RETURN (SELECT jsonb_build_object('id', t.id, 'subject', t.subject, 'status', t.status,
        'channel', t.channel, 'queue', q.code, 'location', t.location,
        'district', d.name, 'created_at', t.created_at, 'closed_at', t.closed_at,
        'fields', (SELECT coalesce(jsonb_object_agg(f.name, tf.value), '{}')
            FROM ticket_field tf JOIN field f ON f.id = tf.field_id
            WHERE tf.ticket_id = t.id),
        'articles', (SELECT coalesce(jsonb_agg(contact_export_article(a.id)
            ORDER BY a.created_at, a.id), '[]') FROM article a WHERE a.ticket_id = t.id),
        'history', (SELECT coalesce(jsonb_agg(jsonb_build_object('seq', h.seq, 'at', h.at,
            'actor', h.actor, 'action', h.action, 'field', h.field, 'old', h.old_value,
            'new', h.new_value) ORDER BY h.seq), '[]')
            FROM history h WHERE h.ticket_id = t.id))
    FROM ticket t JOIN queue q ON q.id = t.queue_id
    LEFT JOIN district d ON d.id = t.district_id
    WHERE t.id = p_ticket);

GRANT EXECUTE ON FUNCTION contact_export(bigint) TO guichet_supervisor;
GRANT SELECT ON contact_audit TO guichet_supervisor;
CREATE POLICY contact_audit_read ON contact_audit FOR SELECT TO guichet_supervisor
    USING (is_admin() OR organisation_id = current_organisation());
GRANT INSERT ON contact_audit TO guichet_api;
GRANT EXECUTE ON FUNCTION verify_contact_audit() TO guichet_admin;
GRANT EXECUTE ON FUNCTION contact_audit_hash(bytea, integer, timestamptz, name, text,
    bigint, integer, integer, text) TO guichet_agent, guichet_mail;
