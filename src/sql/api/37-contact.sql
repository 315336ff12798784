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

-- The canonical text of an audit row, as history's: a JSON array holding
-- the digests of the old and new values, not the values, so that an erasure
-- can redact them (38-retention.sql) and the chain stays whole.
CREATE FUNCTION contact_audit_hash(p_prev bytea, p_seq integer, p_at timestamptz,
    p_actor name, p_action text, p_contact bigint, p_org integer, p_tickets integer,
    p_field text, p_old bytea, p_new bytea, p_reason text)
    RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN sha256(coalesce(p_prev, '\x'::bytea) || convert_to(json_build_array(p_seq,
    history_time(p_at), p_actor::text, p_action, p_contact, p_org, p_tickets, p_field,
    encode(p_old, 'hex'), encode(p_new, 'hex'), p_reason)::text, 'UTF8'));

-- Append one audit row (called by the API's functions, as their owner).
CREATE FUNCTION contact_audit_append(p_action text, p_contact bigint, p_org integer,
    p_tickets integer, p_reason text, p_field text DEFAULT NULL, p_old text DEFAULT NULL,
    p_new text DEFAULT NULL)
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
	    field, old_value, new_value, reason, prev_hash, hash)
	VALUES (s, now(), session_user, p_action, p_contact, p_org, p_tickets, p_field, p_old,
	    p_new, p_reason, h,
	    contact_audit_hash(h, s, now(), session_user, p_action, p_contact, p_org, p_tickets,
	        p_field, history_value_digest(p_old), history_value_digest(p_new), p_reason));
	RETURN s;
END
$$;

-- Append-only, as history, with the same one door: the erasers' role may
-- set a value to NULL while keeping its digest (10-history.sql).
CREATE FUNCTION contact_audit_guard()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v text[] := '{old_value,new_value,old_digest,new_digest}';
BEGIN
	IF current_user = 'guichet_owner'
	    AND pg_has_role(session_user, 'guichet_owner', 'MEMBER') THEN
		RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
	END IF;
	IF TG_OP = 'UPDATE' AND current_user = 'guichet_eraser'
	    AND to_jsonb(OLD) - v = to_jsonb(NEW) - v
	    AND ((NEW.old_value IS NOT DISTINCT FROM OLD.old_value
	            AND NEW.old_digest IS NOT DISTINCT FROM OLD.old_digest)
	        OR (NEW.old_value IS NULL AND OLD.old_digest IS NULL
	            AND NEW.old_digest = history_value_digest(OLD.old_value)))
	    AND ((NEW.new_value IS NOT DISTINCT FROM OLD.new_value
	            AND NEW.new_digest IS NOT DISTINCT FROM OLD.new_digest)
	        OR (NEW.new_value IS NULL AND OLD.new_digest IS NULL
	            AND NEW.new_digest = history_value_digest(OLD.new_value))) THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'the contact audit is append-only: % refused', lower(TG_OP)
	    USING ERRCODE = 'GU004';
END
$$;
CREATE TRIGGER contact_audit_guard BEFORE UPDATE OR DELETE ON contact_audit
    FOR EACH ROW EXECUTE FUNCTION contact_audit_guard();
CREATE TRIGGER contact_audit_guard_truncate BEFORE TRUNCATE ON contact_audit
    FOR EACH STATEMENT EXECUTE FUNCTION contact_audit_guard();

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
	        x.contact_id, x.organisation_id, x.tickets, x.field,
	        coalesce(x.old_digest, history_value_digest(x.old_value)),
	        coalesce(x.new_digest, history_value_digest(x.new_value)), x.reason)
	        THEN 'altered row' END),
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
-- not exist or is another organisation's (as contact_check_writer: the
-- message must not tell which), GU004 for one the caller may not handle.
CREATE FUNCTION contact_check_supervisor(p_contact bigint)
    RETURNS contact
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	c contact;
BEGIN
	SELECT * INTO c FROM contact WHERE id = p_contact;
	IF NOT FOUND OR NOT (is_admin() OR current_organisation() = c.organisation_id) THEN
		RAISE EXCEPTION 'no contact %', p_contact USING ERRCODE = 'GU006';
	END IF;
	IF NOT (is_admin() OR is_supervisor()) THEN
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
	    'addresses', (SELECT coalesce(jsonb_agg(jsonb_build_object('kind', x.kind,
	        'value', x.value) ORDER BY x.kind, x.value), '[]')
	        FROM contact_address x WHERE x.contact_id = c.id),
	    'merged_from', (SELECT coalesce(jsonb_agg(m.id ORDER BY m.id), '[]')
	        FROM contact m WHERE m.merged_into = c.id),
	    'tickets', (SELECT coalesce(jsonb_agg(contact_export_ticket(x) ORDER BY x), '[]')
	        FROM unnest(t) x),
	    'articles_elsewhere', (SELECT coalesce(jsonb_agg(contact_export_article(a.id)
	        ORDER BY a.id), '[]')
	        FROM article a WHERE a.author_contact_id = c.id AND a.ticket_id <> ALL (t)),
	    'audit', (SELECT coalesce(jsonb_agg(jsonb_build_object('seq', a.seq, 'at', a.at,
	        'actor', a.actor, 'action', a.action, 'field', a.field, 'old', a.old_value,
	        'new', a.new_value, 'reason', a.reason) ORDER BY a.seq), '[]')
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

-- May the caller change this contact? Agents of her organisation, admins.
-- A contact the caller may not see is GU006; an erased or merged one GU005.
CREATE FUNCTION contact_check_writer(p_contact bigint)
    RETURNS contact
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	c contact;
BEGIN
	SELECT * INTO c FROM contact WHERE id = p_contact;
	IF NOT FOUND OR NOT (is_admin() OR current_organisation() = c.organisation_id) THEN
		RAISE EXCEPTION 'no contact %', p_contact USING ERRCODE = 'GU006';
	END IF;
	IF c.erased_at IS NOT NULL THEN
		RAISE EXCEPTION 'contact % was erased', c.id USING ERRCODE = 'GU005';
	END IF;
	IF c.merged_into IS NOT NULL THEN
		RAISE EXCEPTION 'contact % was merged into %', c.id, c.merged_into
		    USING ERRCODE = 'GU005';
	END IF;
	RETURN c;
END
$$;

-- Is this mail address someone's in the organisation (primary or other)?
-- Returns that contact's id.
CREATE FUNCTION contact_by_address(p_org integer, p_email text)
    RETURNS bigint
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp
RETURN coalesce((SELECT c.id FROM contact c
        WHERE c.organisation_id = p_org AND lower(c.email) = lower(p_email)),
    (SELECT a.contact_id FROM contact_address a WHERE a.organisation_id = p_org
        AND a.kind = 'email' AND lower(a.value) = lower(p_email)));

-- Correct one field of a contact (GDPR art. 16): name, email (her primary
-- address), phone, district (a district's name in her organisation). '' clears
-- (but a name). The change is a row of contact_audit: field, old, new.
CREATE FUNCTION contact_update(p_contact bigint, p_field text, p_value text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	c contact := contact_check_writer(p_contact);
	v text := nullif(btrim(coalesce(p_value, '')), '');
	old text;
	other bigint;
	d integer;
BEGIN
	IF length(v) > 500 OR v ~ '[[:cntrl:]]' THEN
		RAISE EXCEPTION 'invalid %', p_field USING ERRCODE = 'GU005';
	END IF;
	PERFORM 1 FROM contact WHERE id = c.id FOR UPDATE;
	CASE p_field
	WHEN 'name' THEN
		old := c.name;
		UPDATE contact SET name = coalesce(v, '') WHERE id = c.id;
	WHEN 'phone' THEN
		old := c.phone;
		UPDATE contact SET phone = v WHERE id = c.id;
	WHEN 'email' THEN
		IF v IS NOT NULL AND v !~ '^[^@[:space:]<>]+@[^@[:space:]<>]+$' THEN
			RAISE EXCEPTION '"%" is not a mail address', v USING ERRCODE = 'GU005';
		END IF;
		other := contact_by_address(c.organisation_id, v);
		IF other IS NOT NULL AND other <> c.id THEN
			RAISE EXCEPTION '% is the address of contact %', v, other USING ERRCODE = 'GU005';
		END IF;
		old := c.email;
		DELETE FROM contact_address WHERE contact_id = c.id AND kind = 'email'
		    AND lower(value) = lower(v);
		UPDATE contact SET email = v WHERE id = c.id;
	WHEN 'district' THEN
		IF v IS NOT NULL THEN
			SELECT x.id, x.name INTO d, v FROM district x
			WHERE x.organisation_id = c.organisation_id AND lower(x.name) = lower(v);
			IF d IS NULL THEN
				RAISE EXCEPTION 'no district %', p_value USING ERRCODE = 'GU006';
			END IF;
		END IF;
		old := (SELECT x.name FROM district x WHERE x.id = c.district_id);
		UPDATE contact SET district_id = d WHERE id = c.id;
	ELSE
		RAISE EXCEPTION 'a contact has no field %', p_field USING ERRCODE = 'GU005';
	END CASE;
	IF old IS DISTINCT FROM v THEN
		PERFORM contact_audit_append('update', c.id, c.organisation_id, 0, NULL, p_field,
		    old, v);
	END IF;
END
$$;

-- Another mail address or phone of hers. An address that is another
-- contact's is refused (GU005, naming that contact: merge them instead).
CREATE FUNCTION contact_add_address(p_contact bigint, p_kind text, p_value text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	c contact := contact_check_writer(p_contact);
	v text := btrim(coalesce(p_value, ''));
	other bigint;
BEGIN
	IF p_kind NOT IN ('email', 'phone') OR v = '' OR length(v) > 320
	    OR (p_kind = 'email' AND v !~ '^[^@[:space:]<>]+@[^@[:space:]<>]+$')
	    OR (p_kind = 'phone' AND v !~ '^[0-9 +().-]+$') THEN
		RAISE EXCEPTION 'invalid % "%"', p_kind, v USING ERRCODE = 'GU005';
	END IF;
	IF p_kind = 'email' THEN
		other := contact_by_address(c.organisation_id, v);
		IF other IS NOT NULL THEN
			RAISE EXCEPTION '% is the address of contact %', v, other USING ERRCODE = 'GU005';
		END IF;
	END IF;
	INSERT INTO contact_address (contact_id, organisation_id, kind, value)
	VALUES (c.id, c.organisation_id, p_kind, v) ON CONFLICT DO NOTHING;
	IF FOUND THEN
		PERFORM contact_audit_append('address', c.id, c.organisation_id, 0, NULL, p_kind,
		    NULL, v);
	END IF;
END
$$;

CREATE FUNCTION contact_remove_address(p_contact bigint, p_kind text, p_value text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	c contact := contact_check_writer(p_contact);
BEGIN
	DELETE FROM contact_address WHERE contact_id = c.id AND kind = p_kind
	    AND lower(value) = lower(btrim(p_value));
	IF NOT FOUND THEN
		RAISE EXCEPTION 'contact % has no % %', c.id, p_kind, p_value USING ERRCODE = 'GU006';
	END IF;
	PERFORM contact_audit_append('address', c.id, c.organisation_id, 0, NULL, p_kind,
	    btrim(p_value), NULL);
END
$$;

-- Two records of one person become one (supervisors of her organisation,
-- admins): p_from's tickets (requester) and articles (author), addresses and
-- phone move to p_into, which takes p_from's name and district when it has
-- none; p_from stays, empty, with merged_into = p_into. The audit row
-- (action merge, on p_from) holds what moved as JSON (tickets, articles,
-- addresses, name, district): enough to read the merge and to undo it by
-- hand. Returns the number of tickets moved.
CREATE FUNCTION contact_merge(p_from bigint, p_into bigint)
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	f contact := contact_check_writer(p_from);
	i contact := contact_check_writer(p_into);
	t bigint[];
	a bigint[];
	moved jsonb;
BEGIN
	PERFORM contact_check_supervisor(p_from);
	IF f.id = i.id OR f.organisation_id <> i.organisation_id THEN
		RAISE EXCEPTION 'contacts % and % cannot be merged: %', f.id, i.id,
		    CASE WHEN f.id = i.id THEN 'the same' ELSE 'two organisations' END
		    USING ERRCODE = 'GU005';
	END IF;
	PERFORM 1 FROM contact WHERE id IN (f.id, i.id) ORDER BY id FOR UPDATE;
	moved := jsonb_build_object('into', i.id, 'name', f.name, 'email', f.email,
	    'phone', f.phone, 'district_id', f.district_id,
	    'addresses', (SELECT coalesce(jsonb_agg(jsonb_build_array(x.kind, x.value)
	        ORDER BY x.kind, x.value), '[]') FROM contact_address x WHERE x.contact_id = f.id));
	-- Her tickets, locked in id order as every writer does; each records
	-- the change of requester in its history.
	PERFORM 1 FROM ticket WHERE requester_id = f.id ORDER BY id FOR NO KEY UPDATE;
	WITH u AS (UPDATE ticket SET requester_id = i.id, history_intent = 'contact_merge'
	    WHERE requester_id = f.id RETURNING id)
	SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO t FROM u;
	WITH u AS (UPDATE article SET author_contact_id = i.id WHERE author_contact_id = f.id
	    RETURNING id)
	SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO a FROM u;
	moved := moved || jsonb_build_object('tickets', to_jsonb(t), 'articles', to_jsonb(a));
	UPDATE contact SET email = NULL, phone = NULL, merged_into = i.id WHERE id = f.id;
	DELETE FROM contact_address WHERE contact_id = f.id;
	INSERT INTO contact_address (contact_id, organisation_id, kind, value)
	SELECT i.id, i.organisation_id, x.kind, x.value
	FROM (SELECT 'email' AS kind, f.email AS value
	    UNION ALL SELECT 'phone', f.phone
	    UNION ALL SELECT e->>0, e->>1 FROM jsonb_array_elements(moved->'addresses') e) x
	WHERE x.value IS NOT NULL
	    AND x.value IS DISTINCT FROM CASE x.kind WHEN 'email' THEN i.email ELSE i.phone END
	ON CONFLICT DO NOTHING;
	UPDATE contact SET name = CASE WHEN name = '' THEN f.name ELSE name END,
	    district_id = coalesce(district_id, f.district_id),
	    phone = coalesce(phone, f.phone)
	WHERE id = i.id;
	DELETE FROM contact_address WHERE contact_id = i.id AND kind = 'phone'
	    AND value = (SELECT phone FROM contact WHERE id = i.id);
	PERFORM contact_audit_append('merge', f.id, f.organisation_id, cardinality(t), NULL,
	    'merged_into', NULL, moved::text);
	PERFORM contact_audit_append('merge', i.id, i.organisation_id, cardinality(t), NULL,
	    'merged_from', NULL, f.id::text);
	RETURN cardinality(t);
END
$$;

-- Likely duplicates of a person about to be recorded (the console's new
-- phone ticket asks these first), in the caller's organisation: the same
-- phone (its last nine digits, six at least), the same address local part, the same name
-- (lower case, accents ignored) in the same district. Through row-level
-- security: contacts the caller may see.
CREATE FUNCTION contact_duplicates(p_phone text, p_name text, p_district integer,
    p_email text, p_limit integer DEFAULT 10)
    RETURNS TABLE (id bigint, name text, email text, phone text, district text, reason text)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	WITH k AS (SELECT guichet.current_organisation() AS org,
	        guichet.contact_phone_key(nullif(p_phone, '')) AS digits,
	        guichet.contact_name_key(nullif(p_name, '')) AS name_key,
	        nullif(lower(split_part(coalesce(p_email, ''), '@', 1)), '') AS local),
	m AS (
		SELECT c.id, 'phone' AS reason FROM guichet.contact c, k
		WHERE length(k.digits) >= 6 AND c.organisation_id = k.org AND c.phone IS NOT NULL
		    AND guichet.contact_phone_key(c.phone) = k.digits
		UNION
		SELECT x.contact_id, 'phone' FROM guichet.contact_address x, k
		WHERE length(k.digits) >= 6 AND x.organisation_id = k.org AND x.kind = 'phone'
		    AND guichet.contact_phone_key(x.value) = k.digits
		UNION
		SELECT c.id, 'name' FROM guichet.contact c, k
		WHERE c.organisation_id = k.org AND c.name <> '' AND p_district IS NOT NULL
		    AND guichet.contact_name_key(c.name) = k.name_key AND c.district_id = p_district
		UNION
		SELECT c.id, 'address' FROM guichet.contact c, k
		WHERE c.organisation_id = k.org AND c.email IS NOT NULL
		    AND lower(split_part(c.email, '@', 1)) = k.local)
	SELECT c.id, c.name, c.email, c.phone, d.name,
	    string_agg(m.reason, ',' ORDER BY m.reason)
	FROM m JOIN guichet.contact c ON c.id = m.id
	LEFT JOIN guichet.district d ON d.id = c.district_id
	WHERE c.merged_into IS NULL AND c.erased_at IS NULL
	GROUP BY c.id, c.name, c.email, c.phone, d.name
	ORDER BY count(*) DESC, c.id
	LIMIT p_limit;
END;

-- How many of her tickets the caller may not see (the contact view says
-- so): counted as the API's owner, for a contact the caller may see.
CREATE FUNCTION contact_hidden_tickets(p_contact bigint)
    RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	q integer[] := visible_queues();
	n bigint;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM contact c WHERE c.id = p_contact AND (is_admin()
	    OR c.organisation_id = current_organisation()
	    OR EXISTS (SELECT 1 FROM ticket t WHERE t.requester_id = c.id
	        AND t.queue_id = ANY (q)))) THEN
		RAISE EXCEPTION 'no contact %', p_contact USING ERRCODE = 'GU006';
	END IF;
	IF is_admin() OR is_mail() THEN
		RETURN 0;
	END IF;
	SELECT count(*) INTO n FROM ticket t
	WHERE t.requester_id = p_contact AND t.queue_id <> ALL (q);
	RETURN n;
END
$$;

-- The console's contact view (view-contact.c): her record, and her tickets
-- the caller may see (row-level security), across channels and queues,
-- newest first.
CREATE FUNCTION contact_card(p_contact bigint)
    RETURNS TABLE (id bigint, name text, email text, phone text, district text,
        addresses text, merged_into bigint, erased boolean, hidden bigint)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT c.id, c.name, c.email, c.phone, d.name,
	    (SELECT string_agg(x.value, ', ' ORDER BY x.kind, x.value)
	        FROM guichet.contact_address x WHERE x.contact_id = c.id),
	    c.merged_into, c.erased_at IS NOT NULL, guichet.contact_hidden_tickets(c.id)
	FROM guichet.contact c LEFT JOIN guichet.district d ON d.id = c.district_id
	WHERE c.id = p_contact;
END;

CREATE FUNCTION contact_tickets(p_contact bigint, p_limit integer DEFAULT 500)
    RETURNS TABLE (id bigint, created_at timestamptz, status text, channel text,
        queue text, subject text)
    LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT t.id, t.created_at, t.status, t.channel, q.code, t.subject
	FROM guichet.ticket t JOIN guichet.queue q ON q.id = t.queue_id
	WHERE t.requester_id = p_contact
	ORDER BY t.created_at DESC, t.id DESC
	LIMIT p_limit;
END;

-- The requester of a ticket (the console opens her view from a ticket).
CREATE FUNCTION ticket_requester(p_ticket bigint)
    RETURNS bigint
    LANGUAGE sql STABLE
RETURN (SELECT t.requester_id FROM guichet.ticket t WHERE t.id = p_ticket);

CREATE POLICY contact_address_read ON contact_address FOR SELECT TO guichet_agent
    USING (EXISTS (SELECT 1 FROM guichet.contact c WHERE c.id = contact_address.contact_id));
CREATE POLICY contact_address_all ON contact_address FOR ALL TO guichet_mail, guichet_admin
    USING (true) WITH CHECK (true);
GRANT SELECT ON contact_address TO guichet_agent, guichet_mail;
-- The API writes addresses and the audit (90-api-role.sql holds the rest of
-- its row privileges).
GRANT INSERT, DELETE ON contact_address TO guichet_api;
GRANT EXECUTE ON FUNCTION contact_update(bigint, text, text),
    contact_add_address(bigint, text, text), contact_remove_address(bigint, text, text),
    contact_duplicates(text, text, integer, text, integer), contact_hidden_tickets(bigint),
    contact_card(bigint), contact_tickets(bigint, integer), ticket_requester(bigint)
    TO guichet_agent;
GRANT EXECUTE ON FUNCTION contact_merge(bigint, bigint) TO guichet_supervisor;
-- The keys of the duplicate search (schema/0008_citizen.sql: indexes need them).
GRANT EXECUTE ON FUNCTION contact_phone_key(text), contact_name_key(text) TO guichet_agent;

GRANT EXECUTE ON FUNCTION contact_export(bigint) TO guichet_supervisor;
GRANT SELECT ON contact_audit TO guichet_supervisor;
CREATE POLICY contact_audit_read ON contact_audit FOR SELECT TO guichet_supervisor
    USING (is_admin() OR organisation_id = current_organisation());
GRANT INSERT ON contact_audit TO guichet_api;
GRANT EXECUTE ON FUNCTION verify_contact_audit() TO guichet_admin;
GRANT EXECUTE ON FUNCTION contact_audit_hash(bytea, integer, timestamptz, name, text,
    bigint, integer, integer, text, bytea, bytea, text) TO guichet_agent, guichet_mail;
