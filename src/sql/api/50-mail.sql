-- 50-mail.sql — the mail gateway's server side: raw storage, ingest_message
-- (threading, routing, loops, bounces, rate cap, acknowledgement), quarantine.
--
-- guichet-mail parses MIME in C (libetpan) and calls ingest_message() once per
-- message, many per transaction, pipelined. Everything else is decided here so
-- that the rules are the same whoever feeds mail in.
--
-- Nothing is lost: the message runs in a sub-block whose failure rolls back
-- only itself, after which the raw bytes are stored 'quarantined' with the
-- error, findable by admins (quarantine_list …). When the message goes
-- through, its raw row is written once, with its outcome, ticket and article,
-- just before the article that references it (mail_article): no UPDATE of a
-- freshly inserted row, whose five indexes and foreign key would all be
-- written and checked again.
-- Idempotent: identical bytes are a duplicate (raw_message.sha256 is unique);
-- the same Message-ID from the same sender with the same subject and text is
-- a duplicate too (a copy that took another route: only Received and
-- Delivered-To differ). The same Message-ID and sender with other content is
-- imported as an article of its own, flagged duplicate_message_id; a
-- Message-ID reused by a different sender is nothing special.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- Store raw bytes (or find them); p_error quarantines them. Returns the row id.
CREATE FUNCTION store_raw(p_bytes bytea, p_source text, p_message_id text,
    p_error text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_id bigint;
BEGIN
	IF NOT (is_mail() OR is_admin()) THEN
		RAISE EXCEPTION 'only the mail gateway stores raw messages' USING ERRCODE = 'GU004';
	END IF;
	SELECT id INTO v_id FROM raw_message WHERE sha256 = sha256(p_bytes);
	IF v_id IS NULL THEN
		INSERT INTO raw_message (sha256, message_id, source, size, bytes, outcome, error)
		VALUES (sha256(p_bytes), p_message_id, p_source, length(p_bytes), p_bytes,
		    CASE WHEN p_error IS NULL THEN 'pending' ELSE 'quarantined' END, p_error)
		RETURNING id INTO v_id;
	ELSIF p_error IS NOT NULL THEN
		UPDATE raw_message SET outcome = 'quarantined', error = p_error
		WHERE id = v_id AND outcome IN ('pending', 'quarantined');
	END IF;
	RETURN v_id;
END
$$;

-- The ticket a tag or Message-ID points at, following merges.
CREATE FUNCTION mail_live_ticket(p_ticket bigint)
    RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_id bigint := p_ticket;
	v_into bigint;
	i integer;
BEGIN
	FOR i IN 1..20 LOOP
		SELECT merged_into INTO v_into FROM ticket WHERE id = v_id;
		IF NOT FOUND THEN
			RETURN NULL;
		END IF;
		IF v_into IS NULL THEN
			RETURN v_id;
		END IF;
		v_id := v_into;
	END LOOP;
	RETURN v_id;
END
$$;

-- The ticket holding a message: an article's or an outgoing mail's Message-ID.
CREATE FUNCTION mail_ticket_of(p_message_id text)
    RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_ticket bigint;
BEGIN
	SELECT ticket_id INTO v_ticket FROM outbox WHERE message_id = p_message_id;
	IF v_ticket IS NULL THEN
		SELECT ticket_id INTO v_ticket FROM article WHERE message_id = p_message_id
		ORDER BY id LIMIT 1;
	END IF;
	RETURN CASE WHEN v_ticket IS NULL THEN NULL ELSE mail_live_ticket(v_ticket) END;
END
$$;

-- The sender as a contact of the organisation (find_or_create_contact,
-- 30-ticket), or NULL when the address is not one a reply could go to: such
-- mail is still imported.
CREATE FUNCTION mail_contact(p_email text, p_name text, p_organisation integer)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_id bigint;
BEGIN
	IF p_email IS NULL OR length(p_email) > 320
	    OR p_email !~ '^[^@[:space:]<>]+@[^@[:space:]<>]+$' THEN
		RETURN NULL;
	END IF;
	-- Most senders are known: a lookup, no insert attempt.
	SELECT id INTO v_id FROM contact
	WHERE organisation_id = p_organisation AND lower(email) = lower(p_email);
	IF v_id IS NOT NULL THEN
		RETURN v_id;
	END IF;
	RETURN find_or_create_contact(p_email, left(coalesce(p_name, ''), 500), NULL,
	    p_organisation);
END
$$;

-- Is the agent away now?
CREATE FUNCTION mail_agent_absent(p_agent integer)
    RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	a record;
BEGIN
	SELECT * INTO a FROM agent WHERE id = p_agent;
	RETURN NOT FOUND OR NOT a.active OR (a.absent_from IS NOT NULL
	    AND a.absent_from <= now() AND (a.absent_until IS NULL OR a.absent_until > now()));
END
$$;

-- Route a new ticket: the queue owning a recipient address, else the rule's
-- queue, else the configured default, else the first active level-1 queue.
CREATE FUNCTION mail_route_queue(p_recipients text[], p_rule_queue text, p_default text)
    RETURNS integer
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_queue integer;
BEGIN
	-- The first recipient, in the message's order, that a queue owns: one
	-- query for all of them (a message often has ten).
	SELECT qa.queue_id INTO v_queue
	FROM unnest(p_recipients) WITH ORDINALITY AS r(address, n)
	JOIN queue_address qa ON qa.address = lower(r.address)
	JOIN queue q ON q.id = qa.queue_id AND q.active
	ORDER BY r.n LIMIT 1;
	IF v_queue IS NOT NULL THEN
		RETURN v_queue;
	END IF;
	IF p_rule_queue IS NOT NULL THEN
		SELECT id INTO v_queue FROM queue WHERE code = p_rule_queue AND active;
	END IF;
	IF v_queue IS NULL AND p_default IS NOT NULL THEN
		SELECT id INTO v_queue FROM queue WHERE code = p_default AND active;
	END IF;
	IF v_queue IS NULL THEN
		SELECT id INTO v_queue FROM queue WHERE active ORDER BY level, id LIMIT 1;
	END IF;
	RETURN v_queue;
END
$$;

-- Attachments: metadata in JSON, bytes concatenated in p_data.
CREATE FUNCTION mail_attachments(p_article bigint, p_meta jsonb, p_data bytea)
    RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	a jsonb;
	v_bytes bytea;
	v_sha bytea;
	n integer := 0;
BEGIN
	FOR a IN SELECT * FROM jsonb_array_elements(coalesce(p_meta, '[]')) LOOP
		IF coalesce((a->>'oversized')::boolean, false) OR p_data IS NULL THEN
			CONTINUE;
		END IF;
		v_bytes := substring(p_data FROM (a->>'offset')::integer + 1 FOR (a->>'size')::integer);
		v_sha := sha256(v_bytes);
		INSERT INTO blob (sha256, size, content) VALUES (v_sha, length(v_bytes), v_bytes)
		ON CONFLICT (sha256) DO NOTHING;
		INSERT INTO attachment (article_id, filename, content_type, size, sha256, inline)
		VALUES (p_article, coalesce(nullif(a->>'name', ''), 'attachment'),
		    coalesce(nullif(a->>'type', ''), 'application/octet-stream'),
		    length(v_bytes), v_sha, coalesce((a->>'inline')::boolean, false));
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;

-- The acknowledgement of a new ticket: the template rendered
-- (render_template, 56-template.sql), an outgoing article and an outbox row
-- (kind 'ack') threaded on the request. None for a message that asks for none
-- (no_ack: its subject reads like an automatic reply) or a template that is
-- gone; see template_mail (56-template.sql) for the others: the request is
-- imported all the same.
CREATE FUNCTION mail_acknowledge(p_ticket bigint, p_template text, p_mail jsonb)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t ticket;
	tpl template;
BEGIN
	IF coalesce((p_mail->>'no_ack')::boolean, false) THEN
		RETURN;
	END IF;
	SELECT * INTO tpl FROM template WHERE name = p_template;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	SELECT * INTO t FROM ticket WHERE id = p_ticket;
	PERFORM template_mail(t, tpl, 'ack');
END
$$;

-- A bounce: filed on the ticket whose mail bounced. A permanent failure marks
-- the address undeliverable only when the report is about mail the desk sent
-- (its Message-ID is an outbox row's or an outgoing article's; the desk uses
-- no VERP return path) and names one of that mail's addressees: a report
-- forged about an arbitrary address changes no contact (it is still stored,
-- and listed when it belongs to no ticket). Returns the ticket or NULL.
CREATE FUNCTION mail_bounce(p_mail jsonb)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_ticket bigint;
	v_msgid text := p_mail#>>'{bounce,msgid}';
	v_rcpt text := lower(p_mail#>>'{bounce,recipient}');
	v_sent text; -- the addressees of the mail that bounced, lower-case
BEGIN
	IF v_msgid IS NOT NULL THEN
		v_ticket := mail_ticket_of(v_msgid);
		SELECT lower(concat_ws(',', mail_to, mail_cc)) INTO v_sent
		FROM outbox WHERE message_id = v_msgid;
		IF v_sent IS NULL THEN
			SELECT lower(concat_ws(',', mail_to, mail_cc)) INTO v_sent
			FROM article WHERE message_id = v_msgid AND kind = 'mail_out'
			ORDER BY id LIMIT 1;
		END IF;
		IF v_rcpt IS NULL THEN
			v_rcpt := substring(v_sent FROM '[^<>\s,"]+@[^<>\s,"]+');
		END IF;
	END IF;
	IF v_ticket IS NULL AND coalesce((p_mail->>'tag')::bigint, 0) > 0 THEN
		v_ticket := mail_live_ticket((p_mail->>'tag')::bigint);
	END IF;
	IF coalesce((p_mail#>>'{bounce,permanent}')::boolean, false) AND v_rcpt IN (
	    SELECT m[1] FROM regexp_matches(v_sent, '([^<>\s,"]+@[^<>\s,"]+)', 'g') m) THEN
		UPDATE contact SET undeliverable = true
		WHERE lower(email) = v_rcpt AND NOT undeliverable;
	END IF;
	RETURN v_ticket;
END
$$;

-- Mail from a web form or a relay: the requester is whoever Reply-To names,
-- never the form. A form is known by its From (mail.form_senders: LIKE
-- patterns, sent in the options) or, when the message has a Reply-To of
-- another address, by the queue it is routed to (queue.reply_to_is_requester).
-- Returns p_mail with from_addr and from_name taken from Reply-To (NULL
-- without one: the message has no requester, rather than the form, which
-- would gather every citizen's tickets and their rate cap) and "form" the
-- form's address; p_mail as it was for any other message.
CREATE FUNCTION mail_form_sender(p_mail jsonb)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_from text := lower(p_mail->>'from_addr');
	v_reply text := lower(p_mail->>'reply_to_addr');
	v_form boolean;
BEGIN
	IF v_from IS NULL THEN
		RETURN p_mail;
	END IF;
	IF v_reply = v_from THEN
		v_reply := NULL; -- a form that names itself names nobody
	END IF;
	v_form := EXISTS (SELECT 1 FROM jsonb_array_elements_text(
	    coalesce(p_mail#>'{options,form_senders}', '[]')) f WHERE v_from LIKE lower(f));
	IF NOT v_form AND v_reply IS NOT NULL AND v_reply <> v_from THEN
		v_form := coalesce((SELECT reply_to_is_requester FROM queue WHERE id = mail_route_queue(
		    ARRAY(SELECT jsonb_array_elements_text(coalesce(p_mail->'recipients', '[]'))),
		    p_mail#>>'{route,queue}', p_mail#>>'{options,default_queue}')), false);
	END IF;
	IF NOT v_form THEN
		RETURN p_mail;
	END IF;
	RETURN p_mail || jsonb_build_object('form', v_from, 'from_addr', v_reply,
	    'from_name', CASE WHEN v_reply IS NULL THEN NULL ELSE p_mail->'reply_to_name' END);
END
$$;

-- The thread a message joins: (ticket, rule) or (NULL, NULL).
CREATE FUNCTION mail_thread(p_mail jsonb, OUT o_ticket bigint, OUT o_rule text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_ref text;
BEGIN
	IF coalesce((p_mail->>'tag')::bigint, 0) > 0 THEN
		o_ticket := mail_live_ticket((p_mail->>'tag')::bigint);
		IF o_ticket IS NOT NULL THEN
			o_rule := 'tag';
			RETURN;
		END IF;
	END IF;
	IF p_mail->>'in_reply_to' IS NOT NULL THEN
		o_ticket := mail_ticket_of(p_mail->>'in_reply_to');
		IF o_ticket IS NOT NULL THEN
			o_rule := 'in_reply_to';
			RETURN;
		END IF;
	END IF;
	-- The newest reference first: it is the closest ancestor.
	FOR v_ref IN SELECT r FROM jsonb_array_elements_text(coalesce(p_mail->'refs', '[]'))
	    WITH ORDINALITY AS x(r, n) ORDER BY n DESC LOOP
		o_ticket := mail_ticket_of(v_ref);
		IF o_ticket IS NOT NULL THEN
			o_rule := 'references';
			RETURN;
		END IF;
	END LOOP;
END
$$;

-- Is the sender one of the ticket's people (requester, earlier correspondents,
-- addressees of our replies, agents)? A stranger's own mail, filed and
-- flagged, does not make her one: a reply of ours to her does.
CREATE FUNCTION mail_sender_known(p_ticket bigint, p_contact bigint, p_email text)
    RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	RETURN EXISTS (SELECT 1 FROM ticket WHERE id = p_ticket AND requester_id = p_contact)
	    OR EXISTS (SELECT 1 FROM article WHERE ticket_id = p_ticket
	        AND author_contact_id = p_contact AND NOT sender_unknown)
	    OR EXISTS (SELECT 1 FROM article WHERE ticket_id = p_ticket
	        AND kind = 'mail_out' AND (lower(mail_to) LIKE '%' || lower(p_email) || '%'
	            OR lower(mail_cc) LIKE '%' || lower(p_email) || '%'))
	    OR EXISTS (SELECT 1 FROM agent WHERE lower(email) = lower(p_email));
END
$$;

-- The article of an incoming message; p_id is its id when the caller reserved
-- one (a new ticket chains the article's history row with its own, 10-history).
-- p_rawrow: the raw message, not stored yet (see ingest_message), written
-- here with the ticket and article it became.
CREATE FUNCTION mail_article(p_ticket bigint, p_contact bigint, p_mail jsonb, p_raw bigint,
    p_rule text, p_unknown boolean, p_id bigint DEFAULT NULL,
    p_rawrow raw_message DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_id bigint := coalesce(p_id, nextval('guichet.article_id_seq'));
	v_refs text[];
BEGIN
	IF p_rawrow.id IS NOT NULL THEN
		p_rawrow.ticket_id := p_ticket;
		p_rawrow.article_id := v_id;
		INSERT INTO raw_message OVERRIDING SYSTEM VALUE SELECT p_rawrow.*;
	END IF;
	IF jsonb_array_length(coalesce(p_mail->'refs', '[]')) > 0 THEN
		v_refs := ARRAY(SELECT jsonb_array_elements_text(p_mail->'refs'));
	END IF;
	INSERT INTO article (id, ticket_id, kind, author_contact_id, subject, body, body_format,
	    message_id, in_reply_to, refs, mail_from, mail_to, mail_cc, raw_message_id,
	    thread_rule, sender_unknown, decode_lossy, duplicate_message_id)
	OVERRIDING SYSTEM VALUE
	VALUES (v_id, p_ticket, 'mail_in', p_contact,
	    p_mail->>'subject', coalesce(p_mail->>'body', ''),
	    'text', p_mail->>'message_id', p_mail->>'in_reply_to', v_refs,
	    p_mail->>'from', p_mail->>'to', p_mail->>'cc', p_raw, p_rule, p_unknown,
	    coalesce((p_mail->>'lossy')::boolean, false),
	    coalesce((p_mail->>'duplicate_message_id')::boolean, false))
	RETURNING id INTO v_id;
	IF coalesce(p_mail->>'notes', '') <> '' THEN
		-- What the importer noted (oversized parts, cut text) becomes a system note.
		INSERT INTO article (ticket_id, kind, body, body_format, raw_message_id)
		VALUES (p_ticket, 'system', (p_mail->>'notes') || format('(raw message #%s)', p_raw),
		    'text', p_raw);
	END IF;
	RETURN v_id;
END
$$;

-- A follow-up on an existing ticket: the article, then the ticket wakes up
-- (resolved or pending → open) and goes back to the queue, or to the
-- substitute, when its owner is away. Loops are attached without waking it.
CREATE FUNCTION mail_followup(p_ticket bigint, p_mail jsonb, p_raw bigint, p_rule text,
    p_wake boolean, p_rawrow raw_message DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t record;
	v_contact bigint;
	v_article bigint;
	v_owner integer;
BEGIN
	SELECT * INTO t FROM ticket WHERE id = p_ticket FOR NO KEY UPDATE;
	IF p_mail->>'loop' = 'bounce' THEN
		v_contact := NULL;
	ELSE
		v_contact := mail_contact(p_mail->>'from_addr', p_mail->>'from_name',
		    t.organisation_id);
	END IF;
	v_article := mail_article(p_ticket, v_contact, p_mail, p_raw, p_rule,
	    v_contact IS NOT NULL AND NOT mail_sender_known(p_ticket, v_contact,
	        p_mail->>'from_addr'), NULL, p_rawrow);
	PERFORM notify_followup(p_ticket, v_article, p_wake); -- 36-notification.sql
	IF p_wake THEN
		v_owner := t.owner_id;
		IF v_owner IS NOT NULL AND mail_agent_absent(v_owner) THEN
			SELECT substitute_id INTO v_owner FROM agent WHERE id = t.owner_id;
			IF v_owner IS NOT NULL AND mail_agent_absent(v_owner) THEN
				v_owner := NULL;
			END IF;
		END IF;
		-- Nothing to wake (an open ticket whose owner is here): the
		-- article's history row has just stamped updated_at and
		-- updated_by, and a second UPDATE would only write every index
		-- of ticket again.
		IF t.status NOT IN ('resolved', 'pending')
		    AND v_owner IS NOT DISTINCT FROM t.owner_id THEN
			RETURN v_article;
		END IF;
		UPDATE ticket SET history_intent = 'mail_followup',
		    status = CASE WHEN status IN ('resolved', 'pending') THEN 'open' ELSE status END,
		    resolved_at = CASE WHEN status = 'resolved' THEN NULL ELSE resolved_at END,
		    pending_until = CASE WHEN status = 'pending' THEN NULL ELSE pending_until END,
		    owner_id = v_owner,
		    claimed_at = CASE WHEN v_owner IS DISTINCT FROM owner_id THEN
		        (CASE WHEN v_owner IS NULL THEN NULL ELSE now() END) ELSE claimed_at END,
		    updated_at = clock_timestamp(), updated_by = session_user
		WHERE id = p_ticket;
	END IF;
	RETURN v_article;
END
$$;

-- A new ticket from a message. Returns (ticket, article), or NULLs when the
-- sender is over the rate cap. p_link: the closed ticket the message
-- follows up, which the caller links to the new one ('relates') right after.
CREATE FUNCTION mail_new_ticket(p_mail jsonb, p_raw bigint, p_capped boolean,
    p_link bigint DEFAULT NULL, p_rawrow raw_message DEFAULT NULL,
    OUT o_ticket bigint, OUT o_article bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_contact bigint;
	v_queue record;
	v_queue_id integer;
	v_service integer;
	v_priority smallint;
	v_cap integer := coalesce((p_mail#>>'{options,rate_cap}')::integer, 0);
	v_article bigint;
	f record;
BEGIN
	-- The queue id first: in "WHERE id = mail_route_queue(…)" the planner
	-- scans the small queue table and calls the function for every row.
	v_queue_id := mail_route_queue(
	    ARRAY(SELECT jsonb_array_elements_text(coalesce(p_mail->'recipients', '[]'))),
	    p_mail#>>'{route,queue}', p_mail#>>'{options,default_queue}');
	SELECT * INTO v_queue FROM queue WHERE id = v_queue_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no queue to route this message to' USING ERRCODE = 'GU006';
	END IF;
	-- The sender is a contact of the organisation the message was routed to.
	v_contact := mail_contact(p_mail->>'from_addr', p_mail->>'from_name',
	    v_queue.organisation_id);
	IF p_capped AND v_cap > 0 AND v_contact IS NOT NULL AND (SELECT count(*) FROM ticket
	    WHERE requester_id = v_contact AND channel = 'mail'
	        AND created_at > now() - interval '1 day') >= v_cap THEN
		RETURN;
	END IF;
	SELECT id INTO v_service FROM service WHERE code = p_mail#>>'{route,service}' AND active;
	v_priority := coalesce((p_mail#>>'{route,priority}')::smallint, v_queue.default_priority);
	-- The article's history row, and the link's, are chained with the
	-- ticket's (history_intent, 10-history).
	v_article := nextval('guichet.article_id_seq');
	INSERT INTO ticket (queue_id, organisation_id, service_id, subject, priority, level,
	    requester_id, channel, history_intent)
	VALUES (v_queue.id, v_queue.organisation_id, v_service,
	    coalesce(nullif(btrim(p_mail->>'subject'), ''), '(no subject)'), v_priority,
	    v_queue.level, v_contact, 'mail',
	    v_article || ' mail_in|' || coalesce(p_link || ' relates', ''))
	RETURNING id INTO o_ticket;
	o_article := mail_article(o_ticket, v_contact, p_mail, p_raw, 'new', false, v_article,
	    p_rawrow);
	FOR f IN SELECT fd.id, r.value FROM jsonb_each_text(coalesce(p_mail#>'{route,fields}', '{}'))
	    AS r(key, value) JOIN field fd ON fd.name = r.key
	    WHERE fd.kind <> 'enum' OR r.value = ANY (fd.allowed) LOOP
		INSERT INTO ticket_field (ticket_id, field_id, value) VALUES (o_ticket, f.id, f.value)
		ON CONFLICT DO NOTHING;
	END LOOP;
END
$$;

-- One message, parsed by guichet-mail. p_mail holds the parsed headers and
-- text (see guichet-mail(8)), p_attach the attachment bytes end to end, and
-- p_raw_id the raw_message row when an admin asked for a retry.
-- Outcomes: imported, duplicate, quarantined, ignored_loop, held, oversized.
-- An automatic message (loop) that belongs to no ticket is stored with its
-- reason in raw_message.error, for guichet-admin quarantine list --outcome
-- ignored. A stranger (mail_sender_known) writing on a resolved or closed
-- ticket is filed on it, flagged, with a system note, and does not reopen it.
CREATE FUNCTION ingest_message(p_raw bytea, p_source text, p_mail jsonb,
    p_attach bytea DEFAULT NULL, p_raw_id bigint DEFAULT NULL)
    RETURNS TABLE (o_outcome text, o_raw bigint, o_ticket bigint, o_article bigint,
        o_rule text, o_new boolean, o_detail text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_msgid text := p_mail->>'message_id';
	v_loop text := p_mail->>'loop';
	v_retry boolean := p_raw_id IS NOT NULL;
	v_raw bigint;
	v_sha bytea := sha256(p_raw);
	v_row raw_message; -- the raw row still to write; its id is reserved
	v_ticket bigint;
	v_article bigint;
	v_rule text;
	v_status text;
	v_old bigint;
	v_same boolean; -- an earlier message of this Message-ID and sender says the same
	v_reason text;	-- why a loop is stored apart (raw_message.error)
BEGIN
	IF NOT (is_mail() OR is_admin()) THEN
		RAISE EXCEPTION 'only the mail gateway ingests mail' USING ERRCODE = 'GU004';
	END IF;
	o_new := false;
	IF v_retry THEN
		-- Two importers may both have seen the request: the first one wins.
		v_raw := p_raw_id;
		UPDATE raw_message SET error = NULL WHERE id = v_raw AND outcome = 'pending';
		IF NOT FOUND THEN
			o_outcome := 'duplicate';
			o_raw := v_raw;
			o_detail := 'retried already';
			RETURN NEXT;
			RETURN;
		END IF;
	ELSE
		SELECT id INTO v_raw FROM raw_message WHERE sha256 = v_sha;
		IF FOUND THEN
			o_outcome := 'duplicate';
			o_raw := v_raw;
			SELECT r.ticket_id, r.article_id INTO o_ticket, o_article
			FROM raw_message r WHERE r.id = v_raw;
			o_detail := 'same bytes';
			RETURN NEXT;
			RETURN;
		END IF;
		-- Inserted whole (SELECT v_row.*): the columns' defaults are set here.
		v_raw := nextval('guichet.raw_message_id_seq');
		v_row.id := v_raw;
		v_row.sha256 := v_sha;
		v_row.message_id := v_msgid;
		v_row.source := p_source;
		v_row.received_at := now();
		v_row.size := length(p_raw);
		v_row.bytes := p_raw;
		v_row.outcome := CASE WHEN coalesce((p_mail->>'oversized')::boolean, false)
		    THEN 'oversized' ELSE 'imported' END;
		v_row.retries := 0;
		v_row.mail_from := p_mail->>'from_addr';
		v_row.subject := left(p_mail->>'subject', 500);
	END IF;
	o_raw := v_raw;
	-- From here on, the sender is the citizen behind a web form.
	p_mail := mail_form_sender(p_mail);

	BEGIN
		IF p_mail->>'error' IS NOT NULL THEN
			RAISE EXCEPTION '%', p_mail->>'error' USING ERRCODE = 'GU005';
		END IF;

		-- A copy of a message already imported (sent to two of our addresses).
		IF v_msgid IS NOT NULL AND NOT v_retry THEN
			SELECT a.ticket_id, a.id, a.subject IS NOT DISTINCT FROM p_mail->>'subject'
			    AND a.body = coalesce(p_mail->>'body', '')
			INTO v_ticket, v_article, v_same
			FROM article a LEFT JOIN contact c ON c.id = a.author_contact_id
			WHERE a.message_id = v_msgid AND a.kind = 'mail_in'
			    AND (c.email IS NULL OR lower(c.email) = lower(p_mail->>'from_addr'))
			ORDER BY 3 DESC, a.id LIMIT 1;
			IF v_article IS NULL THEN
				-- Stored without an article (held, a loop of no ticket):
				-- the raw row keeps the sender and subject only.
				SELECT r.ticket_id, r.article_id,
				    r.subject IS NOT DISTINCT FROM left(p_mail->>'subject', 500)
				INTO v_ticket, v_article, v_same
				FROM raw_message r WHERE r.message_id = v_msgid
				    AND r.outcome IN ('held', 'ignored_loop', 'imported', 'oversized')
				    AND lower(r.mail_from) IS NOT DISTINCT FROM lower(v_row.mail_from)
				ORDER BY 3 DESC, r.id LIMIT 1;
				IF FOUND THEN
					v_article := coalesce(v_article, -1);
				END IF;
			END IF;
			IF v_article IS NOT NULL AND NOT v_same THEN
				-- Other content under a Message-ID seen before: never
				-- dropped, an article of its own, flagged.
				p_mail := p_mail || '{"duplicate_message_id": true}';
				v_ticket := NULL;
				v_article := NULL;
			END IF;
			IF v_article IS NOT NULL THEN
				o_outcome := 'duplicate';
				o_detail := 'same Message-ID and sender';
				v_row.outcome := 'duplicate';
				v_row.ticket_id := v_ticket;
				v_row.article_id := nullif(v_article, -1);
				INSERT INTO raw_message OVERRIDING SYSTEM VALUE SELECT v_row.*;
				o_ticket := v_ticket;
				o_article := nullif(v_article, -1);
				RETURN NEXT;
				RETURN;
			END IF;
			-- Our own outgoing mail coming back (a Bcc to a queue address).
			IF EXISTS (SELECT 1 FROM outbox WHERE message_id = v_msgid) THEN
				v_loop := 'own';
			END IF;
		END IF;
		IF v_loop IS NULL AND (EXISTS (SELECT 1 FROM queue_address
		    WHERE address = lower(p_mail->>'from_addr'))
		    OR lower(p_mail->>'from_addr') IN (SELECT lower(jsonb_array_elements_text(
		        coalesce(p_mail#>'{options,own_addresses}', '[]'))))) THEN
			v_loop := 'own';
		END IF;

		IF v_loop = 'bounce' THEN
			v_ticket := mail_bounce(p_mail);
			v_rule := CASE WHEN v_ticket IS NULL THEN NULL ELSE 'in_reply_to' END;
		ELSE
			SELECT t.o_ticket, t.o_rule INTO v_ticket, v_rule FROM mail_thread(p_mail) t;
		END IF;
		IF v_ticket IS NOT NULL THEN
			SELECT status INTO v_status FROM ticket WHERE id = v_ticket;
		END IF;

		IF v_loop IN ('autoreply', 'bounce', 'own') THEN
			-- Stored, attached where it belongs, never answered or reopening.
			IF v_ticket IS NOT NULL THEN
				v_row.outcome := 'ignored_loop';
				v_article := mail_followup(v_ticket, p_mail, v_raw, v_rule, false, v_row);
			ELSE
				v_reason := format('automatic (%s: %s), matches no ticket', v_loop,
				    coalesce(p_mail->>'loop_reason', CASE v_loop WHEN 'own'
				        THEN 'from one of our addresses' ELSE 'headers' END));
			END IF;
			o_outcome := 'ignored_loop';
			o_detail := v_loop;
		ELSIF v_ticket IS NOT NULL AND v_status IN ('resolved', 'closed')
		    AND NOT mail_sender_known(v_ticket, mail_contact(p_mail->>'from_addr',
		        p_mail->>'from_name', (SELECT organisation_id FROM ticket WHERE id = v_ticket)),
		        p_mail->>'from_addr') THEN
			-- A stranger on a finished ticket (its tag or a reference
			-- forwarded to her): filed, flagged, and the agent decides.
			v_article := mail_followup(v_ticket, p_mail, v_raw, v_rule, false, v_row);
			INSERT INTO article (ticket_id, kind, body, body_format, raw_message_id)
			VALUES (v_ticket, 'system', format('Mail from %s, who is not among the people of '
			    'this %s ticket, filed without reopening it: decide whether it calls for an '
			    'answer (raw message #%s).', coalesce(p_mail->>'from_addr', 'an unknown sender'),
			    v_status, v_raw), 'text', v_raw);
			o_outcome := 'imported';
			o_detail := 'unverified sender: not reopened';
		ELSIF v_ticket IS NOT NULL AND v_status <> 'closed' THEN
			v_article := mail_followup(v_ticket, p_mail, v_raw, v_rule, true, v_row);
			o_outcome := 'imported';
		ELSE
			-- New, or a follow-up to a closed ticket: a new ticket (linked).
			v_old := v_ticket;
			SELECT t.o_ticket, t.o_article INTO v_ticket, v_article
			FROM mail_new_ticket(p_mail, v_raw, NOT v_retry, v_old, v_row) t;
			IF v_ticket IS NULL THEN
				o_outcome := 'held';
				o_detail := 'rate cap';
				IF v_retry THEN
					UPDATE raw_message SET outcome = 'held',
					    error = 'sender over the rate cap: held for review'
					WHERE id = v_raw;
				ELSE
					v_row.outcome := 'held';
					v_row.error := 'sender over the rate cap: held for review';
					INSERT INTO raw_message OVERRIDING SYSTEM VALUE SELECT v_row.*;
				END IF;
				RETURN NEXT;
				RETURN;
			END IF;
			IF v_old IS NOT NULL THEN
				INSERT INTO link (a_id, b_id, kind) VALUES (v_ticket, v_old, 'relates')
				ON CONFLICT DO NOTHING;
			END IF;
			v_rule := 'new';
			o_new := true;
			o_outcome := 'imported';
			-- Never to loops or bulk mail (nor no_ack: mail_acknowledge).
			IF coalesce(v_loop, '') = '' AND p_mail#>>'{options,ack_template}' IS NOT NULL THEN
				PERFORM mail_acknowledge(v_ticket, p_mail#>>'{options,ack_template}', p_mail);
			END IF;
		END IF;
		IF v_article IS NOT NULL AND p_attach IS NOT NULL THEN
			PERFORM mail_attachments(v_article, p_mail->'attachments', p_attach);
		END IF;
		IF coalesce((p_mail->>'oversized')::boolean, false) AND o_outcome = 'imported' THEN
			o_outcome := 'oversized';
		END IF;
		IF v_retry THEN
			UPDATE raw_message SET outcome = o_outcome, ticket_id = v_ticket,
			    article_id = v_article, error = v_reason
			WHERE id = v_raw;
		ELSIF v_article IS NULL THEN
			-- No article wrote it (a loop that belongs nowhere).
			v_row.outcome := o_outcome;
			v_row.ticket_id := v_ticket;
			v_row.error := v_reason;
			INSERT INTO raw_message OVERRIDING SYSTEM VALUE SELECT v_row.*;
		END IF;
		IF coalesce((p_mail->>'duplicate_message_id')::boolean, false) THEN
			o_detail := 'Message-ID seen before with other content';
		END IF;
		o_ticket := v_ticket;
		o_article := v_article;
		o_rule := v_rule;
	EXCEPTION WHEN deadlock_detected OR serialization_failure OR lock_not_available THEN
		-- Transient: the whole call fails, the importer tries again.
		RAISE;
	WHEN OTHERS THEN
		o_outcome := 'quarantined';
		o_detail := SQLERRM;
		o_ticket := NULL;
		o_article := NULL;
		o_rule := NULL;
		o_new := false;
		IF v_retry THEN
			UPDATE raw_message SET outcome = 'quarantined', error = SQLERRM WHERE id = v_raw;
		ELSE
			v_row.outcome := 'quarantined';
			v_row.error := SQLERRM;
			v_row.ticket_id := NULL;
			v_row.article_id := NULL;
			INSERT INTO raw_message OVERRIDING SYSTEM VALUE SELECT v_row.*;
		END IF;
	END;
	RETURN NEXT;
END
$$;

-- Raw messages an admin asked to retry, for guichet-mail import.
CREATE FUNCTION mail_pending(p_limit integer DEFAULT 100)
    RETURNS TABLE (id bigint, source text, bytes bytea)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT r.id, r.source, r.bytes FROM raw_message r
	WHERE r.outcome = 'pending' AND (is_mail() OR is_admin())
	ORDER BY r.received_at, r.id LIMIT p_limit
$$;

--
-- Quarantine, for admins (guichet-admin quarantine list|show|retry). The list
-- shows quarantined, held and pending mail; automatic mail that belongs to
-- no ticket (ignored_loop) when asked for by that outcome.
--
CREATE FUNCTION quarantine_list(p_limit integer DEFAULT 100, p_before bigint DEFAULT NULL,
    p_outcome text DEFAULT NULL)
    RETURNS TABLE (id bigint, received_at timestamptz, outcome text, source text, size integer,
        message_id text, mail_from text, subject text, error text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF NOT (is_admin() OR is_mail()) THEN
		RAISE EXCEPTION 'only admins see the quarantine' USING ERRCODE = 'GU004';
	END IF;
	RETURN QUERY SELECT r.id, r.received_at, r.outcome, r.source, r.size, r.message_id,
	    r.mail_from, r.subject, r.error
	FROM raw_message r
	WHERE r.outcome IN ('quarantined', 'held', 'pending')
	    AND (p_outcome IS NULL OR r.outcome = p_outcome)
	    AND (p_before IS NULL OR r.id < p_before)
	UNION ALL
	-- Automatic mail that belongs to no ticket, with its reason: on demand.
	SELECT r.id, r.received_at, r.outcome, r.source, r.size, r.message_id,
	    r.mail_from, r.subject, r.error
	FROM raw_message r
	WHERE p_outcome = 'ignored_loop' AND r.outcome = 'ignored_loop' AND r.ticket_id IS NULL
	    AND (p_before IS NULL OR r.id < p_before)
	ORDER BY 1 DESC LIMIT p_limit;
END
$$;

CREATE FUNCTION quarantine_show(p_id bigint)
    RETURNS TABLE (id bigint, received_at timestamptz, outcome text, source text, size integer,
        message_id text, error text, retries integer, bytes bytea)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF NOT (is_admin() OR is_mail()) THEN
		RAISE EXCEPTION 'only admins see the quarantine' USING ERRCODE = 'GU004';
	END IF;
	RETURN QUERY SELECT r.id, r.received_at, r.outcome, r.source, r.size, r.message_id,
	    r.error, r.retries, r.bytes FROM raw_message r WHERE r.id = p_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no raw message %', p_id USING ERRCODE = 'GU006';
	END IF;
END
$$;

-- Mark a quarantined or held message for another import attempt; the next
-- guichet-mail import (any source) parses it again. A retried message is
-- not subject to the rate cap: someone looked at it.
CREATE FUNCTION quarantine_retry(p_id bigint)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF NOT (is_admin() OR is_mail()) THEN
		RAISE EXCEPTION 'only admins retry quarantined mail' USING ERRCODE = 'GU004';
	END IF;
	UPDATE raw_message SET outcome = 'pending', retries = retries + 1,
	    error = 'retry requested by ' || session_user
	WHERE id = p_id AND outcome IN ('quarantined', 'held');
	IF NOT FOUND THEN
		RAISE EXCEPTION 'raw message % is not quarantined or held', p_id
		    USING ERRCODE = 'GU006';
	END IF;
END
$$;

--
-- The outbox, for guichet-mail send.
--

-- Where the desk's mail to a ticket's requester comes from: the queue address
-- of the ticket's organisation the requester wrote to (the latest of the last
-- 20 incoming mails that names one among its recipients), else the address of
-- the ticket's queue (the first, alphabetically), else, for a queue without one (a level-2 queue), the
-- address of the queue the ticket came from (history), or of a level-1 queue
-- of the organisation that escalates to it. Never an address the desk does not
-- own: with none of these, both NULL (mail_out raises GU005 naming the queue).
-- The display name is the address's queue's from_name, else its
-- organisation's name.
CREATE FUNCTION reply_sender(t ticket, OUT o_address text, OUT o_name text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_queue integer;
BEGIN
	-- The last few incoming mails, through the index replies thread on
	-- (article_ticket_mail_in): a long ticket is not read whole.
	SELECT qa.address, qa.queue_id INTO o_address, v_queue
	FROM (SELECT x.created_at, x.id, x.mail_to, x.mail_cc FROM article x
	    WHERE x.ticket_id = t.id AND x.kind = 'mail_in' AND x.message_id IS NOT NULL
	    ORDER BY x.created_at DESC, x.id DESC LIMIT 20) a
	CROSS JOIN LATERAL regexp_matches(lower(concat_ws(',', a.mail_to, a.mail_cc)),
	    '[^][[:space:]<>,;:"()]+@[^][[:space:]<>,;:"()]+', 'g') m
	JOIN queue_address qa ON qa.address = m[1]
	-- only her organisation's: a sender who writes to another one's address
	-- must not make the desk sign with that organisation's name
	JOIN queue q ON q.id = qa.queue_id AND q.organisation_id = t.organisation_id
	ORDER BY a.created_at DESC, a.id DESC LIMIT 1;
	IF o_address IS NULL THEN
		SELECT qa.address, qa.queue_id INTO o_address, v_queue
		FROM queue_address qa WHERE qa.queue_id = t.queue_id
		ORDER BY qa.address LIMIT 1;
	END IF;
	IF o_address IS NULL THEN
		SELECT qa.address, qa.queue_id INTO o_address, v_queue
		FROM history h
		CROSS JOIN LATERAL (SELECT x.address, x.queue_id FROM queue_address x
		    JOIN queue q ON q.id = x.queue_id AND q.organisation_id = t.organisation_id
		    WHERE x.queue_id = h.old_value::integer ORDER BY x.address LIMIT 1) qa
		WHERE h.ticket_id = t.id AND h.field = 'queue_id' AND h.old_value ~ '^[0-9]+$'
		ORDER BY h.seq DESC LIMIT 1;
	END IF;
	IF o_address IS NULL THEN
		SELECT qa.address, qa.queue_id INTO o_address, v_queue
		FROM queue q JOIN queue_address qa ON qa.queue_id = q.id
		WHERE q.escalate_to = t.queue_id AND q.level = 1
		    AND q.organisation_id = t.organisation_id
		ORDER BY q.code, qa.address LIMIT 1;
	END IF;
	IF o_address IS NULL THEN
		RETURN;
	END IF;
	SELECT coalesce(q.from_name, o.name) INTO o_name
	FROM queue q JOIN organisation o ON o.id = q.organisation_id WHERE q.id = v_queue;
END
$$;

-- The queues whose tickets would have no address to write from (neither
-- their own nor one of a level-1 queue escalating to them), for
-- guichet-admin status: active queues, by code.
CREATE FUNCTION queue_sender_missing()
    RETURNS TABLE (code text, level smallint)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT q.code, q.level FROM queue q
	WHERE q.active
	    AND NOT EXISTS (SELECT 1 FROM queue_address qa WHERE qa.queue_id = q.id)
	    AND NOT EXISTS (SELECT 1 FROM queue p JOIN queue_address qa ON qa.queue_id = p.id
	        WHERE p.escalate_to = q.id AND p.level = 1
	            AND p.organisation_id = q.organisation_id)
	ORDER BY q.code
$$;

-- One message of the desk to a ticket's requester: an outgoing article and
-- its outbox row, in the caller's transaction. Shared by reply() (kind
-- 'reply'), the acknowledgement ('ack') and the closing notice ('closing').
-- From: reply_sender; Subject: p_subject (NULL: the ticket's), tagged
-- "[<tag_prefix> #ID]" unless it carries the tag already; Message-ID
-- <guichet.ID.ARTICLE.RANDOM@mail_domain> (the From address's domain when the
-- setting is empty); In-Reply-To/References continue the last incoming mail.
-- CR and LF in header values become spaces. p_author NULL: the desk wrote it
-- (not an agent's reply: it neither counts in the reports nor answers).
CREATE FUNCTION mail_out(t ticket, p_kind text, p_subject text, p_body text, p_to text,
    p_cc text DEFAULT NULL, p_author integer DEFAULT NULL, p_time_spent integer DEFAULT 0,
    p_template integer DEFAULT NULL, p_kb integer DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	sender record;
	domain text;
	tag text := '[' || coalesce(nullif(setting('tag_prefix'), ''), 'Guichet') || ' #'
	    || t.id || ']';
	subj text := coalesce(header_value(p_subject), header_value(t.subject), '');
	prev_in article;
	r text[];
	aid bigint;
	mid text;
BEGIN
	SELECT * INTO sender FROM reply_sender(t);
	IF sender.o_address IS NULL THEN
		RAISE EXCEPTION 'queue % has no mail address to write from: give it one (guichet-admin queue set % --address …)',
		    (SELECT code FROM queue WHERE id = t.queue_id),
		    (SELECT code FROM queue WHERE id = t.queue_id)
		    USING ERRCODE = 'GU005';
	END IF;
	domain := coalesce(nullif(setting('mail_domain'), ''), split_part(sender.o_address, '@', 2));
	IF position(tag IN subj) = 0 THEN
		subj := tag || ' ' || subj;
	END IF;
	SELECT * INTO prev_in FROM article
	WHERE ticket_id = t.id AND kind = 'mail_in' AND message_id IS NOT NULL
	ORDER BY created_at DESC, id DESC LIMIT 1;
	IF prev_in.message_id IS NOT NULL THEN
		r := coalesce(prev_in.refs, CASE WHEN prev_in.in_reply_to IS NOT NULL
		    THEN ARRAY[prev_in.in_reply_to] END, '{}') || prev_in.message_id;
		-- Keep the first and the last references, as RFC 5322 suggests.
		IF cardinality(r) > 20 THEN
			r := r[1:1] || r[cardinality(r) - 18:cardinality(r)];
		END IF;
	END IF;
	-- The Message-ID names the article: its id is reserved first, so that the
	-- row is written once (an UPDATE would index its body again).
	aid := nextval('guichet.article_id_seq');
	mid := '<guichet.' || t.id || '.' || aid || '.'
	    || substr(replace(gen_random_uuid()::text, '-', ''), 1, 16) || '@' || domain || '>';
	INSERT INTO article (id, ticket_id, kind, author_agent_id, subject, body, mail_from,
	    mail_to, mail_cc, in_reply_to, refs, time_spent, template_id, kb_article_id,
	    message_id)
	OVERRIDING SYSTEM VALUE
	VALUES (aid, t.id, 'mail_out', p_author, subj, p_body, sender.o_address, p_to, p_cc,
	    prev_in.message_id, r, coalesce(p_time_spent, 0), p_template, p_kb, mid);
	INSERT INTO outbox (ticket_id, article_id, mail_from, from_name, mail_to, mail_cc,
	    subject, body, message_id, in_reply_to, refs, kind)
	VALUES (t.id, aid, sender.o_address, header_value(sender.o_name), p_to, p_cc, subj,
	    p_body, mid, prev_in.message_id, r, p_kind);
	RETURN aid;
END
$$;

-- The files an agent attaches to her reply: a JSON array of objects with
-- name, type and data (base64). At most 50 files of at most 25 MB each (the
-- console holds them to mail.max_attachment first); names lose their
-- directories and control characters.
CREATE FUNCTION reply_attachments(p_article bigint, p_files jsonb)
    RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	f jsonb;
	v_bytes bytea;
	v_sha bytea;
	v_name text;
	n integer := 0;
BEGIN
	IF p_files IS NULL OR p_files = 'null' THEN
		RETURN 0;
	END IF;
	IF jsonb_typeof(p_files) <> 'array' OR jsonb_array_length(p_files) > 50 THEN
		RAISE EXCEPTION 'attachments: an array of at most 50 files' USING ERRCODE = 'GU005';
	END IF;
	FOR f IN SELECT * FROM jsonb_array_elements(p_files) LOOP
		IF jsonb_typeof(f) <> 'object' OR jsonb_typeof(f->'data') IS DISTINCT FROM 'string' THEN
			RAISE EXCEPTION 'attachments: each file needs its data in base64'
			    USING ERRCODE = 'GU005';
		END IF;
		BEGIN
			v_bytes := decode(f->>'data', 'base64');
		EXCEPTION WHEN invalid_parameter_value OR data_exception THEN
			RAISE EXCEPTION 'attachment "%": the data is not base64', f->>'name'
			    USING ERRCODE = 'GU005';
		END;
		IF length(v_bytes) > 25 * 1024 * 1024 THEN
			RAISE EXCEPTION 'attachment "%" is larger than 25 MB', f->>'name'
			    USING ERRCODE = 'GU005';
		END IF;
		-- Controls, and the invisible characters that can make a name read
		-- other than it is (a bidi override, U+202E, shows "exe.jpg" for "gpj.exe";
		-- zero-width ones).
		v_name := regexp_replace(regexp_replace(coalesce(f->>'name', ''), '^.*[/\\]', ''),
		    '[[:cntrl:]\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]',
		    '', 'g');
		v_sha := sha256(v_bytes);
		INSERT INTO blob (sha256, size, content) VALUES (v_sha, length(v_bytes), v_bytes)
		ON CONFLICT (sha256) DO NOTHING;
		INSERT INTO attachment (article_id, filename, content_type, size, sha256)
		VALUES (p_article, left(coalesce(nullif(v_name, ''), 'attachment'), 255),
		    CASE WHEN f->>'type' ~ '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$'
		        THEN lower(f->>'type') ELSE 'application/octet-stream' END,
		    length(v_bytes), v_sha);
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;

-- Claim due rows. A row still 'sending' past its lease was being delivered
-- when the sender died: whether it left is unknown, so it is marked failed
-- rather than sent twice (outbox_requeue sends it again on purpose).
CREATE FUNCTION outbox_claim(p_limit integer DEFAULT 50, p_lease interval DEFAULT '10 minutes')
    RETURNS TABLE (id bigint, ticket_id bigint, article_id bigint, mail_from text,
        mail_to text, mail_cc text, subject text, body text, message_id text,
        in_reply_to text, refs text[], kind text, attempts integer, created_at timestamptz,
        from_name text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF NOT (is_mail() OR is_admin()) THEN
		RAISE EXCEPTION 'only the mail gateway sends mail' USING ERRCODE = 'GU004';
	END IF;
	UPDATE outbox o SET status = 'failed',
	    last_error = 'interrupted during delivery: not resent to avoid a duplicate'
	WHERE o.status = 'sending' AND o.next_attempt_at <= now();
	RETURN QUERY
	UPDATE outbox o SET status = 'sending', attempts = o.attempts + 1,
	    next_attempt_at = now() + p_lease
	FROM (SELECT x.id FROM outbox x WHERE x.status = 'queued' AND x.next_attempt_at <= now()
	    ORDER BY x.next_attempt_at, x.id LIMIT p_limit FOR UPDATE SKIP LOCKED) due
	WHERE o.id = due.id
	RETURNING o.id, o.ticket_id, o.article_id, o.mail_from, o.mail_to, o.mail_cc, o.subject,
	    o.body, o.message_id, o.in_reply_to, o.refs, o.kind, o.attempts, o.created_at,
	    o.from_name;
END
$$;

-- Delivery result: sent, or failed (retried with backoff: 1, 2, 4 … minutes,
-- at most 6 hours apart, until p_max attempts or a permanent failure).
CREATE FUNCTION outbox_done(p_id bigint, p_ok boolean, p_error text DEFAULT NULL,
    p_permanent boolean DEFAULT false, p_max integer DEFAULT 10)
    RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_status text;
BEGIN
	IF NOT (is_mail() OR is_admin()) THEN
		RAISE EXCEPTION 'only the mail gateway sends mail' USING ERRCODE = 'GU004';
	END IF;
	UPDATE outbox SET
	    status = CASE WHEN p_ok THEN 'sent'
	        WHEN p_permanent OR attempts >= p_max THEN 'failed' ELSE 'queued' END,
	    sent_at = CASE WHEN p_ok THEN now() ELSE sent_at END,
	    last_error = CASE WHEN p_ok THEN NULL ELSE p_error END,
	    next_attempt_at = CASE WHEN p_ok THEN next_attempt_at
	        ELSE now() + least(interval '6 hours', interval '1 minute' * power(2, attempts - 1))
	        END
	WHERE id = p_id AND status = 'sending'
	RETURNING status INTO v_status;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'outbox row % is not being sent', p_id USING ERRCODE = 'GU006';
	END IF;
	RETURN v_status;
END
$$;

CREATE FUNCTION outbox_requeue(p_id bigint)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF NOT is_admin() THEN
		RAISE EXCEPTION 'only admins requeue mail' USING ERRCODE = 'GU004';
	END IF;
	UPDATE outbox SET status = 'queued', next_attempt_at = now(), last_error = NULL
	WHERE id = p_id AND status = 'failed';
	IF NOT FOUND THEN
		RAISE EXCEPTION 'outbox row % has not failed', p_id USING ERRCODE = 'GU006';
	END IF;
END
$$;

REVOKE ALL ON FUNCTION store_raw(bytea, text, text, text), mail_live_ticket(bigint),
    mail_ticket_of(text), mail_contact(text, text, integer), mail_agent_absent(integer),
    mail_route_queue(text[], text, text), mail_attachments(bigint, jsonb, bytea),
    mail_acknowledge(bigint, text, jsonb), mail_bounce(jsonb), mail_form_sender(jsonb),
    mail_thread(jsonb),
    reply_sender(ticket), mail_out(ticket, text, text, text, text, text, integer, integer,
        integer, integer), reply_attachments(bigint, jsonb), queue_sender_missing(),
    mail_sender_known(bigint, bigint, text),
    mail_article(bigint, bigint, jsonb, bigint, text, boolean, bigint, raw_message),
    mail_followup(bigint, jsonb, bigint, text, boolean, raw_message),
    mail_new_ticket(jsonb, bigint, boolean, bigint, raw_message),
    ingest_message(bytea, text, jsonb, bytea, bigint), mail_pending(integer),
    quarantine_list(integer, bigint, text), quarantine_show(bigint), quarantine_retry(bigint),
    outbox_claim(integer, interval), outbox_done(bigint, boolean, text, boolean, integer),
    outbox_requeue(bigint)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION store_raw(bytea, text, text, text),
    ingest_message(bytea, text, jsonb, bytea, bigint), mail_pending(integer),
    outbox_claim(integer, interval), outbox_done(bigint, boolean, text, boolean, integer)
    TO guichet_mail, guichet_admin;
GRANT EXECUTE ON FUNCTION quarantine_list(integer, bigint, text), quarantine_show(bigint),
    quarantine_retry(bigint) TO guichet_admin, guichet_mail;
GRANT EXECUTE ON FUNCTION outbox_requeue(bigint), queue_sender_missing() TO guichet_admin;
