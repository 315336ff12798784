-- 30-ticket.sql — the ticket API: the only way logins change tickets.
--
-- Every function is SECURITY DEFINER with a fixed search_path, identifies the
-- caller by session_user and checks her rights itself:
--   reader  the ticket's queue is in visible_queues() (otherwise GU006: a ticket
--           one may not see does not exist, so ids cannot be probed)
--   writer  may_write(queue): a member with may_write, a supervisor of the
--           queue's organisation, an admin (otherwise GU004)
-- A function locks the ticket row (FOR UPDATE) before it reads what it checks,
-- so two agents acting at once are serialised on the ticket and the second one
-- sees the first one's change (claim conflicts: GU001; p_seen: GU002).
-- History rows, updated_at/updated_by, the settling of the owner's claim and
-- NOTIFY come from the triggers of 10-history; the functions name the action of their
-- ticket changes (claim, release, escalate, merge …) in the row's history_intent.
--
-- Status transitions (anything else: GU003):
--   new      → open | pending | resolved | closed
--   open     → pending | resolved | closed
--   pending  → open | resolved | closed
--   resolved → open | closed
--   closed   → open (a supervisor of the organisation, or an admin: GU004 else)
--   merged   final; only merge() sets it
-- Setting the status a ticket already has changes nothing (pending → pending
-- with another p_pending_until moves the wake-up time).

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

--
-- Internal helpers (not granted to anyone: only the API calls them).
--

-- Lock a ticket the caller may see (with p_write: may change); GU006 when
-- she may not see it, GU004 when she may see but not change it; GU002 when
-- p_seen is given and the ticket changed since. A writer can always see, so
-- the common case costs one rights lookup.
CREATE FUNCTION ticket_lock(p_ticket bigint, p_seen timestamptz DEFAULT NULL,
    p_write boolean DEFAULT false)
    RETURNS ticket
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t ticket;
BEGIN
	SELECT * INTO t FROM ticket WHERE id = p_ticket FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no ticket #%', p_ticket USING ERRCODE = 'GU006';
	END IF;
	IF NOT (p_write AND may_write(t.queue_id)) THEN
		IF NOT t.queue_id = ANY (visible_queues()) THEN
			RAISE EXCEPTION 'no ticket #%', p_ticket USING ERRCODE = 'GU006';
		END IF;
		IF p_write THEN
			RAISE EXCEPTION 'you may not change tickets of queue %',
			    (SELECT code FROM queue WHERE id = t.queue_id) USING ERRCODE = 'GU004';
		END IF;
	END IF;
	IF p_seen IS NOT NULL AND t.updated_at <> p_seen THEN
		RAISE EXCEPTION 'ticket #% was changed by % since you read it', t.id, t.updated_by
		    USING ERRCODE = 'GU002', DETAIL = t.updated_by || '|'
		    || to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
	END IF;
	RETURN t;
END
$$;

-- ticket_lock for a writer, and GU003 when the ticket is merged (a merged
-- ticket is final: its thread lives in the ticket it was merged into).
CREATE FUNCTION ticket_write(p_ticket bigint, p_seen timestamptz DEFAULT NULL)
    RETURNS ticket
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t ticket := ticket_lock(p_ticket, p_seen, true);
BEGIN
	IF t.status = 'merged' THEN
		RAISE EXCEPTION 'ticket #% is merged into #%', t.id, t.merged_into
		    USING ERRCODE = 'GU003';
	END IF;
	RETURN t;
END
$$;

-- The caller's agent id; GU004 for a login that is not an active agent.
-- (current_agent()'s query, without two function calls that each set a
-- search_path: every API function starts here.)
CREATE FUNCTION agent_self()
    RETURNS integer
    LANGUAGE plpgsql STABLE AS $$
DECLARE
	me integer := (SELECT a.id FROM guichet.agent a WHERE a.login = session_user AND a.active);
BEGIN
	IF me IS NULL THEN
		RAISE EXCEPTION '% is not an active agent', session_user USING ERRCODE = 'GU004';
	END IF;
	RETURN me;
END
$$;

-- Has the owner's claim lapsed: the queue has a claim_timeout, the ticket is
-- new or open, and its owner has done nothing on it (the claim is not
-- settled, 45-claims.sql) for that long since she took it?
CREATE FUNCTION lease_expired(t ticket)
    RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT t.owner_id IS NOT NULL AND NOT t.owner_settled AND t.status IN ('new', 'open')
	    AND t.claimed_at < now() - (SELECT claim_timeout FROM queue WHERE id = t.queue_id)
$$;

CREATE FUNCTION check_text(p_what text, p_value text, p_max integer)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_value IS NULL OR btrim(p_value, E' \t\r\n') = '' THEN
		RAISE EXCEPTION '% must not be empty', p_what USING ERRCODE = 'GU005';
	END IF;
	IF length(p_value) > p_max THEN
		RAISE EXCEPTION '% is longer than % characters', p_what, p_max
		    USING ERRCODE = 'GU005';
	END IF;
	RETURN p_value;
END
$$;

CREATE FUNCTION check_time_spent(p_minutes integer)
    RETURNS integer
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_minutes IS NULL THEN
		RETURN 0;
	END IF;
	IF p_minutes < 0 OR p_minutes > 100000 THEN
		RAISE EXCEPTION 'time spent must be between 0 and 100000 minutes'
		    USING ERRCODE = 'GU005';
	END IF;
	RETURN p_minutes;
END
$$;

-- A header value written into outgoing mail: no CR or LF can survive (header
-- injection), surrounding blanks go.
CREATE FUNCTION header_value(p text)
    RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
	SELECT nullif(pg_catalog.btrim(pg_catalog.regexp_replace(p, '[\r\n]+[ \t]*', ' ', 'g')), '')
$$;

-- Validate and normalise a dynamic field's value: the stored text, or NULL to
-- clear it. number: decimal with '.' or ',' (stored with '.'); date: ISO
-- YYYY-MM-DD; enum: one of the allowed values; text: as given (at most 10,000
-- characters).
CREATE FUNCTION field_value(f field, p_value text)
    RETURNS text
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v text := btrim(p_value, E' \t\r\n');
	d date;
BEGIN
	IF v IS NULL OR v = '' THEN
		IF f.required THEN
			RAISE EXCEPTION 'field % is required', f.name USING ERRCODE = 'GU005';
		END IF;
		RETURN NULL;
	END IF;
	CASE f.kind
	WHEN 'number' THEN
		IF v !~ '^[-+]?[0-9]{1,15}([.,][0-9]{1,10})?$' THEN
			RAISE EXCEPTION 'field %: "%" is not a number', f.name, v
			    USING ERRCODE = 'GU005';
		END IF;
		RETURN replace(ltrim(v, '+'), ',', '.');
	WHEN 'date' THEN
		IF v !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
			RAISE EXCEPTION 'field %: "%" is not a date (YYYY-MM-DD)', f.name, v
			    USING ERRCODE = 'GU005';
		END IF;
		BEGIN
			d := v::date;
		EXCEPTION WHEN others THEN
			RAISE EXCEPTION 'field %: "%" is not a date', f.name, v
			    USING ERRCODE = 'GU005';
		END;
		RETURN to_char(d, 'YYYY-MM-DD');
	WHEN 'enum' THEN
		IF NOT v = ANY (f.allowed) THEN
			RAISE EXCEPTION 'field %: "%" is not one of %', f.name, v,
			    array_to_string(f.allowed, ', ') USING ERRCODE = 'GU005';
		END IF;
		RETURN v;
	ELSE
		IF length(p_value) > 10000 THEN
			RAISE EXCEPTION 'field %: longer than 10000 characters', f.name
			    USING ERRCODE = 'GU005';
		END IF;
		RETURN p_value;
	END CASE;
END
$$;

-- Store (or clear) one field of a locked ticket.
CREATE FUNCTION field_store(p_ticket bigint, p_field text, p_value text)
    RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	f field;
	v text;
BEGIN
	SELECT * INTO f FROM field WHERE name = p_field;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no field %', p_field USING ERRCODE = 'GU006';
	END IF;
	v := field_value(f, p_value);
	IF v IS NULL THEN
		DELETE FROM ticket_field WHERE ticket_id = p_ticket AND field_id = f.id;
	ELSE
		INSERT INTO ticket_field (ticket_id, field_id, value) VALUES (p_ticket, f.id, v)
		ON CONFLICT (ticket_id, field_id) DO UPDATE SET value = EXCLUDED.value
		    WHERE ticket_field.value IS DISTINCT FROM EXCLUDED.value;
	END IF;
END
$$;

--
-- The API.
--

CREATE FUNCTION create_ticket(p_queue integer, p_subject text, p_body text,
    p_requester bigint DEFAULT NULL, p_channel text DEFAULT 'phone',
    p_priority integer DEFAULT NULL, p_service integer DEFAULT NULL,
    p_district integer DEFAULT NULL, p_fields jsonb DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	q queue;
	me integer := agent_self();
	tid bigint;
	aid bigint;
	kind text;
	k text;
	v jsonb;
BEGIN
	SELECT * INTO q FROM queue WHERE id = p_queue AND active;
	IF NOT FOUND OR NOT (may_write(q.id) OR q.id = ANY (visible_queues())) THEN
		RAISE EXCEPTION 'no queue %', p_queue USING ERRCODE = 'GU006';
	END IF;
	IF NOT may_write(q.id) THEN
		RAISE EXCEPTION 'you may not create tickets in queue %', q.code
		    USING ERRCODE = 'GU004';
	END IF;
	PERFORM check_text('the subject', p_subject, 1000);
	IF length(p_body) > 1000000 THEN
		RAISE EXCEPTION 'the text is longer than 1,000,000 characters'
		    USING ERRCODE = 'GU005';
	END IF;
	IF coalesce(p_channel, '') NOT IN ('mail', 'phone', 'desk', 'web', 'internal') THEN
		RAISE EXCEPTION 'unknown channel "%"', p_channel USING ERRCODE = 'GU005';
	END IF;
	IF p_priority IS NOT NULL AND p_priority NOT BETWEEN 1 AND 5 THEN
		RAISE EXCEPTION 'priority must be between 1 and 5' USING ERRCODE = 'GU005';
	END IF;
	-- A requester is a contact of the queue's organisation (find_or_create_contact).
	IF p_requester IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contact
	    WHERE id = p_requester AND organisation_id = q.organisation_id) THEN
		RAISE EXCEPTION 'no contact %', p_requester USING ERRCODE = 'GU006';
	END IF;
	IF p_service IS NOT NULL AND NOT EXISTS (SELECT 1 FROM service
	    WHERE id = p_service AND active) THEN
		RAISE EXCEPTION 'no service %', p_service USING ERRCODE = 'GU006';
	END IF;
	IF p_district IS NOT NULL AND NOT EXISTS (SELECT 1 FROM district WHERE id = p_district)
	THEN
		RAISE EXCEPTION 'no district %', p_district USING ERRCODE = 'GU006';
	END IF;
	IF p_fields IS NOT NULL AND jsonb_typeof(p_fields) <> 'object' THEN
		RAISE EXCEPTION 'fields must be a JSON object' USING ERRCODE = 'GU005';
	END IF;

	-- The first article's history row is chained with the ticket's own
	-- (history_intent, 10-history): its id is reserved first.
	IF btrim(coalesce(p_body, ''), E' \t\r\n') <> '' THEN
		kind := CASE p_channel WHEN 'phone' THEN 'phone' ELSE 'note' END;
		aid := nextval('guichet.article_id_seq');
	END IF;
	-- organisation_id, level and the SLA due times are filled by the
	-- ticket_defaults trigger (40-sla) from the queue and the policy.
	INSERT INTO ticket (queue_id, organisation_id, service_id, subject, priority,
	    requester_id, channel, district_id, history_intent)
	VALUES (q.id, q.organisation_id, p_service, p_subject,
	    coalesce(p_priority, q.default_priority), p_requester, p_channel, p_district,
	    CASE WHEN aid IS NOT NULL THEN aid || ' ' || kind END || '|')
	RETURNING id INTO tid;

	IF aid IS NOT NULL THEN
		INSERT INTO article (id, ticket_id, kind, author_agent_id, subject, body)
		OVERRIDING SYSTEM VALUE
		VALUES (aid, tid, kind, me, p_subject, p_body);
	END IF;
	FOR k, v IN SELECT * FROM jsonb_each(coalesce(p_fields, '{}')) LOOP
		PERFORM field_store(tid, k, CASE jsonb_typeof(v)
		    WHEN 'null' THEN NULL WHEN 'string' THEN v #>> '{}' ELSE v::text END);
	END LOOP;
	-- The queue's fields required at creation (35-desk.sql): GU005 naming
	-- them, and nothing is created.
	PERFORM fields_require(tid, q.id, 'create');
	RETURN tid;
END
$$;

-- The contact of an organisation with this e-mail address (case-insensitive),
-- else with this phone number when there is no address, created when missing.
-- A contact found keeps its data; an empty name or phone is filled in.
-- p_organisation: whose contact (default: the caller's organisation); an agent
-- may name her own or one where she may write in a queue, the gateway and
-- admins any. Contacts of other organisations are never found (nor filled in):
-- each organisation keeps its own record of a person.
CREATE FUNCTION find_or_create_contact(p_email text, p_name text, p_phone text DEFAULT NULL,
    p_organisation integer DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	e text := nullif(btrim(p_email), '');
	n text := coalesce(btrim(p_name), '');
	ph text := nullif(btrim(p_phone), '');
	org integer := coalesce(p_organisation, current_organisation());
	cid bigint;
BEGIN
	IF current_agent() IS NULL AND NOT is_mail() AND NOT is_admin() THEN
		RAISE EXCEPTION 'only agents and the mail gateway may add contacts'
		    USING ERRCODE = 'GU004';
	END IF;
	IF org IS NULL OR NOT EXISTS (SELECT 1 FROM organisation o WHERE o.id = org)
	    OR NOT (is_mail() OR is_admin() OR org = current_organisation()
	        OR EXISTS (SELECT 1 FROM queue q WHERE q.organisation_id = org
	            AND may_write(q.id))) THEN
		RAISE EXCEPTION 'no organisation %', coalesce(p_organisation::text, '(none)')
		    USING ERRCODE = 'GU006';
	END IF;
	IF length(e) > 320 OR length(n) > 500 OR length(ph) > 100 THEN
		RAISE EXCEPTION 'contact data too long' USING ERRCODE = 'GU005';
	END IF;
	IF e IS NOT NULL THEN
		IF e !~ '^[^@[:space:]<>]+@[^@[:space:]<>]+$' THEN
			RAISE EXCEPTION '"%" is not a mail address', e USING ERRCODE = 'GU005';
		END IF;
		-- One of her other addresses (37-contact.sql)?
		SELECT a.contact_id INTO cid FROM contact_address a
		WHERE a.organisation_id = org AND a.kind = 'email' AND lower(a.value) = lower(e);
		IF cid IS NOT NULL THEN
			RETURN cid;
		END IF;
		INSERT INTO contact (email, name, phone, organisation_id) VALUES (e, n, ph, org)
		ON CONFLICT (organisation_id, (lower(email))) DO NOTHING
		RETURNING id INTO cid;
		IF cid IS NULL THEN
			UPDATE contact SET name = CASE WHEN name = '' THEN n ELSE name END,
			    phone = coalesce(phone, ph)
			WHERE organisation_id = org AND lower(email) = lower(e)
			RETURNING id INTO cid;
		END IF;
		RETURN cid;
	END IF;
	IF ph IS NULL THEN
		RAISE EXCEPTION 'a contact needs a mail address or a phone number'
		    USING ERRCODE = 'GU005';
	END IF;
	SELECT id INTO cid FROM contact
	WHERE organisation_id = org AND phone = ph AND email IS NULL ORDER BY id LIMIT 1;
	IF cid IS NULL THEN
		INSERT INTO contact (name, phone, organisation_id) VALUES (n, ph, org)
		RETURNING id INTO cid;
	ELSIF n <> '' THEN
		UPDATE contact SET name = n WHERE id = cid AND name = '';
	END IF;
	RETURN cid;
END
$$;

-- A transaction that notifies holds a database-wide lock from its commit
-- until its WAL is on disk, so claims (each sends NOTIFY) would commit one
-- after the other at the disk's flush rate, whatever the number of agents
-- (measured: 630 claims/s at 32 agents, the bare claim plus NOTIFY 698/s). A
-- fresh claim, on which its owner has done nothing yet, is not a record the
-- desk must keep: a claim made in a transaction of its own (the console's)
-- commits without waiting for the flush, and a server crash may forget the
-- last claims (up to three wal_writer_delay), whose tickets come back
-- unclaimed as a lapsed claim would; the claim and its history rows are kept or forgotten together, so
-- the chain stays whole. A transaction that has written anything before the
-- claim keeps synchronous commit. The setting claim_commit = 'sync' turns
-- this off.
CREATE FUNCTION claim_commit()
    RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF pg_current_xact_id_if_assigned() IS NULL
	    AND (SELECT s.value FROM setting s WHERE s.key = 'claim_commit')
	        IS DISTINCT FROM 'sync' THEN
		PERFORM set_config('synchronous_commit', 'off', true);
	END IF;
END
$$;

-- Take a ticket: a new ticket becomes open (someone works on it). Claiming
-- one's own ticket again settles the claim (she means to keep it: the claim
-- timeout no longer applies); another agent's claim is GU001 (DETAIL: her
-- login); a lapsed claim (lease_expired) is taken over, and its owner told.
CREATE FUNCTION claim(p_ticket bigint, p_seen timestamptz DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t ticket;
	me integer := agent_self();
	who name;
BEGIN
	PERFORM claim_commit();
	t := ticket_write(p_ticket, p_seen);
	IF t.status = 'closed' THEN
		RAISE EXCEPTION 'ticket #% is closed', t.id USING ERRCODE = 'GU003';
	END IF;
	IF t.owner_id = me THEN
		IF NOT t.owner_settled THEN
			UPDATE ticket SET owner_settled = true WHERE id = t.id;
		END IF;
		RETURN;
	END IF;
	IF t.owner_id IS NOT NULL AND NOT lease_expired(t) THEN
		SELECT login INTO who FROM agent WHERE id = t.owner_id;
		RAISE EXCEPTION 'ticket #% is claimed by %', t.id, who
		    USING ERRCODE = 'GU001', DETAIL = who;
	END IF;
	UPDATE ticket SET owner_id = me, claimed_at = now(),
	    status = CASE status WHEN 'new' THEN 'open' ELSE status END,
	    history_intent = 'claim'
	WHERE id = t.id;
	IF t.owner_id IS NOT NULL THEN
		PERFORM desk_tell(t.owner_id, 'claim_expired', t.id,
		    format('taken over by %s', session_user));
	END IF;
END
$$;

-- Claim the most urgent unclaimed ticket of a queue (highest priority, then
-- oldest): the ticket_claimable index order, FOR UPDATE SKIP LOCKED so that
-- agents asking at once get different tickets without waiting. Lapsed claims
-- of the queue are released first, so their tickets are claimable too.
-- NULL when there is nothing to take.
CREATE FUNCTION next_ticket(p_queue integer)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	me integer := agent_self();
	timeout interval;
	tid bigint;
BEGIN
	SELECT claim_timeout INTO timeout FROM queue WHERE id = p_queue;
	IF NOT FOUND OR NOT may_write(p_queue) THEN
		IF NOT FOUND OR NOT p_queue = ANY (visible_queues()) THEN
			RAISE EXCEPTION 'no queue %', p_queue USING ERRCODE = 'GU006';
		END IF;
		RAISE EXCEPTION 'you may not take tickets of queue %',
		    (SELECT code FROM queue WHERE id = p_queue) USING ERRCODE = 'GU004';
	END IF;
	IF timeout IS NOT NULL THEN
		PERFORM expire_queue_claims(p_queue, timeout);
	END IF;
	PERFORM claim_commit();
	-- One statement: the sub-select takes the row (SKIP LOCKED), the UPDATE
	-- claims it.
	UPDATE ticket SET owner_id = me, claimed_at = now(),
	    status = CASE status WHEN 'new' THEN 'open' ELSE status END,
	    history_intent = 'claim'
	WHERE id = (SELECT c.id FROM ticket c
	    WHERE c.queue_id = p_queue AND c.owner_id IS NULL AND c.status IN ('new', 'open')
	    ORDER BY c.priority DESC, c.created_at, c.id
	    LIMIT 1
	    FOR UPDATE SKIP LOCKED)
	RETURNING id INTO tid;
	RETURN tid;
END
$$;

-- Give a ticket back to its queue: its owner, or a supervisor of its
-- organisation. Releasing an unowned ticket changes nothing.
CREATE FUNCTION release(p_ticket bigint)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t ticket := ticket_lock(p_ticket);
BEGIN
	IF t.owner_id IS NULL THEN
		RETURN;
	END IF;
	IF t.owner_id IS DISTINCT FROM current_agent() AND NOT may_supervise(t.queue_id) THEN
		RAISE EXCEPTION 'ticket #% is claimed by %', t.id,
		    (SELECT login FROM agent WHERE id = t.owner_id) USING ERRCODE = 'GU004';
	END IF;
	UPDATE ticket SET owner_id = NULL, claimed_at = NULL, history_intent = 'release'
	WHERE id = t.id;
END
$$;

-- An internal note (Markdown), with the minutes spent.
CREATE FUNCTION add_note(p_ticket bigint, p_body text, p_time_spent integer DEFAULT 0)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t ticket := ticket_write(p_ticket);
	minutes integer := check_time_spent(p_time_spent);
	aid bigint;
BEGIN
	PERFORM check_text('the note', p_body, 1000000);
	INSERT INTO article (ticket_id, kind, author_agent_id, body, time_spent)
	VALUES (t.id, 'note', current_agent(), p_body, minutes)
	RETURNING id INTO aid;
	PERFORM notify_mentions(t.id, p_body); -- @login: 36-notification.sql
	IF minutes > 0 THEN
		UPDATE ticket SET time_spent = time_spent + minutes WHERE id = t.id;
	END IF;
	RETURN aid;
END
$$;

-- A reply to the requester: a mail_out article and its outbox row in one
-- transaction (mail_out, 50-mail.sql: From is the address of the queue the
-- requester wrote to, never one the desk does not own; GU005 when there is
-- none). To: p_to, else the requester's address. p_attachments: the files
-- attached (reply_attachments: a JSON array of {name, type, data in base64}).
-- The first reply sets first_response_at; a new ticket becomes open.
CREATE FUNCTION reply(p_ticket bigint, p_body text, p_time_spent integer DEFAULT 0,
    p_seen timestamptz DEFAULT NULL, p_to text DEFAULT NULL, p_cc text DEFAULT NULL,
    p_template integer DEFAULT NULL, p_kb integer DEFAULT NULL,
    p_attachments jsonb DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t ticket := ticket_write(p_ticket, p_seen);
	minutes integer := check_time_spent(p_time_spent);
	mail_to text := header_value(p_to);
	mail_cc text := header_value(p_cc);
	aid bigint;
BEGIN
	PERFORM check_text('the reply', p_body, 1000000);
	IF mail_to IS NULL THEN
		SELECT c.email INTO mail_to FROM contact c WHERE c.id = t.requester_id;
		IF mail_to IS NULL THEN
			RAISE EXCEPTION 'ticket #% has no requester address: give one', t.id
			    USING ERRCODE = 'GU005';
		END IF;
		IF (SELECT undeliverable FROM contact WHERE id = t.requester_id) THEN
			RAISE EXCEPTION 'the requester''s address % is undeliverable', mail_to
			    USING ERRCODE = 'GU005';
		END IF;
	END IF;
	IF length(mail_to) > 2000 OR length(mail_cc) > 2000 THEN
		RAISE EXCEPTION 'too many recipients' USING ERRCODE = 'GU005';
	END IF;
	IF p_template IS NOT NULL AND NOT EXISTS (SELECT 1 FROM template WHERE id = p_template)
	THEN
		RAISE EXCEPTION 'no template %', p_template USING ERRCODE = 'GU006';
	END IF;
	IF p_kb IS NOT NULL AND NOT EXISTS (SELECT 1 FROM kb_article WHERE id = p_kb) THEN
		RAISE EXCEPTION 'no knowledge-base article %', p_kb USING ERRCODE = 'GU006';
	END IF;
	-- No placeholder of a template reaches the citizen: the console shows
	-- the rendered template in the editor; a client that sends one unrendered
	-- is told (other braces are the agent's own text).
	PERFORM template_unrendered(p_body);
	aid := mail_out(t, 'reply', NULL, p_body, mail_to, mail_cc, current_agent(), minutes,
	    p_template, p_kb);
	PERFORM reply_attachments(aid, p_attachments);
	UPDATE ticket SET first_response_at = coalesce(first_response_at, now()),
	    status = CASE status WHEN 'new' THEN 'open' ELSE status END,
	    time_spent = time_spent + minutes
	WHERE id = t.id;
	RETURN aid;
END
$$;

-- Hand a ticket to a level-2 queue (p_queue NULL: the queue's escalate_to).
-- The reason is required: it is stored as a note and in history. The ticket
-- goes to level 2 and its owner is released: the level-2 queue picks it up
-- with next_ticket, and the level-1 agent keeps following it only if she is a
-- member of that queue. The SLA clock goes on (the requester still waits).
CREATE FUNCTION escalate(p_ticket bigint, p_queue integer, p_reason text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t ticket := ticket_write(p_ticket);
	target queue;
	why text := btrim(p_reason, E' \t\r\n');
BEGIN
	PERFORM check_text('the reason', p_reason, 10000);
	IF t.status IN ('resolved', 'closed') THEN
		RAISE EXCEPTION 'ticket #% is %: reopen it first', t.id, t.status
		    USING ERRCODE = 'GU003';
	END IF;
	-- The target: the queue's configured escalate_to (an admin's choice, which
	-- may cross organisations), or a queue the caller names, which must be of
	-- the ticket's organisation and one she may see. Any other queue does not
	-- exist for her: the error names nothing she could not see.
	SELECT * INTO target FROM queue
	WHERE id = coalesce(p_queue, (SELECT escalate_to FROM queue WHERE id = t.queue_id))
	    AND active;
	IF NOT FOUND AND p_queue IS NULL THEN
		RAISE EXCEPTION 'no level-2 queue to escalate to' USING ERRCODE = 'GU006';
	END IF;
	IF NOT FOUND OR (target.id IS DISTINCT FROM
	        (SELECT escalate_to FROM queue WHERE id = t.queue_id)
	    AND (target.organisation_id <> t.organisation_id
	        OR NOT target.id = ANY (visible_queues()))) THEN
		RAISE EXCEPTION 'no queue %', p_queue USING ERRCODE = 'GU006';
	END IF;
	IF target.level <> 2 THEN
		RAISE EXCEPTION 'queue % is not a level-2 queue', target.code USING ERRCODE = 'GU005';
	END IF;
	IF target.id = t.queue_id THEN
		RAISE EXCEPTION 'ticket #% is already in queue %', t.id, target.code
		    USING ERRCODE = 'GU005';
	END IF;
	INSERT INTO article (ticket_id, kind, author_agent_id, subject, body)
	VALUES (t.id, 'note', current_agent(), 'Escalated to ' || target.code, why);
	UPDATE ticket SET queue_id = target.id, organisation_id = target.organisation_id,
	    level = 2, owner_id = NULL, claimed_at = NULL, history_intent = 'escalate'
	WHERE id = t.id;
	PERFORM history_append(t.id, 'escalate', 'reason', NULL, why);
END
$$;

-- Apply a legal status change to a locked ticket (shared by set_status and
-- the pending wake-up): the resolution and closing times, the pending clock,
-- and, when leaving pending, the due times not yet met pushed forward by the
-- time spent pending (sla_resume, 40-sla).
CREATE FUNCTION status_apply(t ticket, p_status text, p_until timestamptz,
    p_intent text DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	fr_due timestamptz := t.first_response_due;
	res_due timestamptz := t.resolution_due;
	next_due timestamptz := t.next_response_due;
BEGIN
	IF t.status = 'pending' AND p_status <> 'pending' THEN
		SELECT s.first_response_due, s.resolution_due, s.next_response_due
		INTO fr_due, res_due, next_due
		FROM sla_resume(t, now()) s;
	END IF;
	-- A resolved or closed ticket owes no next response (40-sla.sql).
	IF p_status IN ('resolved', 'closed') THEN
		next_due := NULL;
	END IF;
	UPDATE ticket SET status = p_status,
	    resolved_at = CASE p_status WHEN 'resolved' THEN now()
	        WHEN 'closed' THEN coalesce(resolved_at, now())
	        WHEN 'open' THEN NULL ELSE resolved_at END,
	    closed_at = CASE p_status WHEN 'closed' THEN now()
	        WHEN 'open' THEN NULL ELSE closed_at END,
	    pending_since = CASE WHEN p_status = 'pending'
	        THEN coalesce(pending_since, now()) END,
	    pending_until = CASE WHEN p_status = 'pending' THEN p_until END,
	    first_response_due = fr_due,
	    resolution_due = res_due,
	    next_response_due = next_due,
	    history_intent = p_intent
	WHERE id = t.id;
END
$$;

CREATE FUNCTION set_status(p_ticket bigint, p_status text, p_seen timestamptz DEFAULT NULL,
    p_pending_until timestamptz DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t ticket := ticket_write(p_ticket, p_seen);
BEGIN
	IF p_status IS NULL OR p_status NOT IN ('new', 'open', 'pending', 'resolved', 'closed',
	    'merged') THEN
		RAISE EXCEPTION 'unknown status "%"', p_status USING ERRCODE = 'GU005';
	END IF;
	IF p_pending_until IS NOT NULL AND p_status <> 'pending' THEN
		RAISE EXCEPTION 'a wake-up time goes only with pending' USING ERRCODE = 'GU005';
	END IF;
	IF p_pending_until <= now() THEN
		RAISE EXCEPTION 'the wake-up time is in the past' USING ERRCODE = 'GU005';
	END IF;
	IF p_status = t.status THEN
		IF p_status = 'pending' AND p_pending_until IS DISTINCT FROM t.pending_until THEN
			UPDATE ticket SET pending_until = p_pending_until WHERE id = t.id;
		END IF;
		RETURN;
	END IF;
	IF NOT (t.status, p_status) IN (('new', 'open'), ('new', 'pending'),
	    ('new', 'resolved'), ('new', 'closed'), ('open', 'pending'), ('open', 'resolved'),
	    ('open', 'closed'), ('pending', 'open'), ('pending', 'resolved'),
	    ('pending', 'closed'), ('resolved', 'open'), ('resolved', 'closed'),
	    ('closed', 'open')) THEN
		RAISE EXCEPTION 'ticket #% cannot go from % to %', t.id, t.status, p_status
		    USING ERRCODE = 'GU003';
	END IF;
	IF t.status = 'closed' AND NOT may_supervise(t.queue_id) THEN
		RAISE EXCEPTION 'only a supervisor may reopen a closed ticket'
		    USING ERRCODE = 'GU004';
	END IF;
	-- Required fields are filled before a ticket is resolved (35-desk.sql).
	IF p_status IN ('resolved', 'closed') AND t.status <> 'resolved' THEN
		PERFORM fields_require(t.id, t.queue_id, 'resolve');
	END IF;
	PERFORM status_apply(t, p_status, p_pending_until);
	-- Resolved now (or closed without being resolved first): the requester
	-- is told, when the queue sends closing notices (56-template.sql).
	IF p_status IN ('resolved', 'closed') AND t.status NOT IN ('resolved', 'closed') THEN
		PERFORM closing_notice(t);
	END IF;
END
$$;

CREATE FUNCTION set_priority(p_ticket bigint, p_priority integer)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t ticket := ticket_write(p_ticket);
BEGIN
	IF p_priority IS NULL OR p_priority NOT BETWEEN 1 AND 5 THEN
		RAISE EXCEPTION 'priority must be between 1 and 5' USING ERRCODE = 'GU005';
	END IF;
	UPDATE ticket SET priority = p_priority WHERE id = t.id AND priority <> p_priority;
END
$$;

-- Set a dynamic field (validated, see field_value); NULL or '' clears it,
-- unless the field is required (GU005).
CREATE FUNCTION set_field(p_ticket bigint, p_field text, p_value text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t ticket := ticket_write(p_ticket);
BEGIN
	PERFORM field_store(t.id, p_field, p_value);
END
$$;

-- Lock two tickets in id order (no deadlock between link(a, b) and link(b, a)),
-- each one written by the caller.
CREATE FUNCTION ticket_write_pair(p_a bigint, p_b bigint)
    RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF p_a IS NULL OR p_b IS NULL OR p_a = p_b THEN
		RAISE EXCEPTION 'two different tickets are needed' USING ERRCODE = 'GU005';
	END IF;
	PERFORM ticket_write(least(p_a, p_b));
	PERFORM ticket_write(greatest(p_a, p_b));
END
$$;

CREATE FUNCTION link(p_a bigint, p_b bigint, p_kind text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF p_kind IS NULL OR p_kind NOT IN ('parent', 'relates', 'duplicate', 'depends') THEN
		RAISE EXCEPTION 'unknown link kind "%"', p_kind USING ERRCODE = 'GU005';
	END IF;
	PERFORM ticket_write_pair(p_a, p_b);
	INSERT INTO link (a_id, b_id, kind) VALUES (p_a, p_b, p_kind) ON CONFLICT DO NOTHING;
END
$$;

CREATE FUNCTION unlink(p_a bigint, p_b bigint, p_kind text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	PERFORM ticket_write_pair(p_a, p_b);
	DELETE FROM link WHERE a_id = p_a AND b_id = p_b AND kind = p_kind;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no % link from #% to #%', p_kind, p_a, p_b USING ERRCODE = 'GU006';
	END IF;
END
$$;

-- Merge p_from into p_into: its articles (and their raw messages and outbox
-- rows) move to p_into, fields p_into lacks are copied, its links stay, a
-- 'duplicate' link p_from → p_into is added, tickets merged into p_from now
-- point at p_into, its time spent is added to p_into's, and p_from becomes
-- merged (final, unowned). History on both tickets.
CREATE FUNCTION merge(p_from bigint, p_into bigint)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	f ticket;
	moved integer;
BEGIN
	PERFORM ticket_write_pair(p_from, p_into);
	SELECT * INTO f FROM ticket WHERE id = p_from;
	UPDATE article SET ticket_id = p_into WHERE ticket_id = p_from;
	GET DIAGNOSTICS moved = ROW_COUNT;
	UPDATE raw_message SET ticket_id = p_into WHERE ticket_id = p_from;
	UPDATE outbox SET ticket_id = p_into WHERE ticket_id = p_from;
	INSERT INTO ticket_field (ticket_id, field_id, value)
	SELECT p_into, field_id, value FROM ticket_field WHERE ticket_id = p_from
	ON CONFLICT DO NOTHING;
	INSERT INTO link (a_id, b_id, kind) VALUES (p_from, p_into, 'duplicate')
	ON CONFLICT DO NOTHING;
	PERFORM history_append(p_into, 'merge', 'articles', p_from::text, moved::text);
	UPDATE ticket SET merged_into = p_into, history_intent = 'merge'
	WHERE merged_into = p_from;
	UPDATE ticket SET status = 'merged', merged_into = p_into, owner_id = NULL,
	    claimed_at = NULL, pending_since = NULL, pending_until = NULL, history_intent = 'merge'
	WHERE id = p_from;
	IF f.time_spent > 0 THEN
		UPDATE ticket SET time_spent = time_spent + f.time_spent WHERE id = p_into;
	END IF;
END
$$;

-- The caller's own absence: from p_from (NULL: now) until p_until (NULL: until
-- further notice), with a substitute (an active agent's login) who receives
-- her tickets and her follow-ups (absence_handover, 45-claims.sql). Both NULL:
-- present again, substitute cleared.
CREATE FUNCTION set_absence(p_from timestamptz, p_until timestamptz,
    p_substitute name DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	me integer := agent_self();
	sub integer;
BEGIN
	IF p_from IS NULL AND p_until IS NULL THEN
		UPDATE agent SET absent_from = NULL, absent_until = NULL, substitute_id = NULL
		WHERE id = me;
		RETURN;
	END IF;
	IF p_until IS NOT NULL AND p_until <= coalesce(p_from, now()) THEN
		RAISE EXCEPTION 'the absence must end after it starts' USING ERRCODE = 'GU005';
	END IF;
	IF p_substitute IS NOT NULL THEN
		-- A colleague of her organisation: follow-ups go to someone who
		-- may see them (and logins of other organisations are not probed).
		SELECT id INTO sub FROM agent WHERE login = p_substitute AND active
		    AND organisation_id = (SELECT organisation_id FROM agent WHERE id = me);
		IF NOT FOUND THEN
			RAISE EXCEPTION 'no agent %', p_substitute USING ERRCODE = 'GU006';
		END IF;
		IF sub = me THEN
			RAISE EXCEPTION 'one cannot be one''s own substitute' USING ERRCODE = 'GU005';
		END IF;
	END IF;
	UPDATE agent SET absent_from = coalesce(p_from, now()), absent_until = p_until,
	    substitute_id = sub
	WHERE id = me;
	-- Her tickets go to the substitute now; a later absence is handed over by
	-- expire_claims() once it begins (45-claims.sql).
	IF coalesce(p_from, now()) <= now() THEN
		PERFORM absence_handover(me);
	END IF;
END
$$;

GRANT EXECUTE ON FUNCTION
    create_ticket(integer, text, text, bigint, text, integer, integer, integer, jsonb),
    claim(bigint, timestamptz), next_ticket(integer), release(bigint),
    add_note(bigint, text, integer),
    reply(bigint, text, integer, timestamptz, text, text, integer, integer, jsonb),
    escalate(bigint, integer, text),
    set_status(bigint, text, timestamptz, timestamptz), set_priority(bigint, integer),
    set_field(bigint, text, text), link(bigint, bigint, text), unlink(bigint, bigint, text),
    merge(bigint, bigint), set_absence(timestamptz, timestamptz, name)
    TO guichet_agent;
GRANT EXECUTE ON FUNCTION find_or_create_contact(text, text, text, integer)
    TO guichet_agent, guichet_mail;
-- Pure helpers others may reuse (the gateway writes headers too).
GRANT EXECUTE ON FUNCTION header_value(text), field_value(field, text)
    TO guichet_agent, guichet_mail;
