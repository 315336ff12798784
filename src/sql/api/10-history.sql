-- 10-history.sql — the append-only, hash-chained audit trail and live NOTIFY.
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
-- Every history row also means a NOTIFY with the ticket's id on its queue's
-- channel (through the ticket's AFTER UPDATE/INSERT trigger; 15-notify.sql),
-- so that consoles refresh live. A bulk loader may turn the notifications off
-- for its transaction with SET LOCAL guichet.notify = 'off'; history is never
-- optional.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- Times in history values are ISO 8601 in UTC, whatever the writer's TimeZone
-- and DateStyle.
-- (STABLE like to_char, so that it is inlined.)
CREATE FUNCTION history_time(p timestamptz)
    RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN to_char(p AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

-- The canonical text is a JSON array: unambiguous (no separator can be forged
-- inside a value), independent of DateStyle and TimeZone (the time is printed
-- in UTC with microseconds). It holds the digests of the old and new values,
-- not the values: a value erased (retention, GDPR art. 17; 38-retention.sql)
-- keeps its digest in old_digest/new_digest, and the row's hash, with every
-- hash after it, stays what it was (schema/0008_citizen.sql rehashed the
-- chains written before in this form).
CREATE FUNCTION history_hash_digest(p_prev bytea, p_ticket bigint, p_seq integer,
    p_at timestamptz, p_actor name, p_action text, p_field text, p_old bytea, p_new bytea)
    RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN sha256(coalesce(p_prev, '\x'::bytea) || convert_to(json_build_array(p_ticket, p_seq,
    history_time(p_at), p_actor::text,
    p_action, p_field, encode(p_old, 'hex'), encode(p_new, 'hex'))::text, 'UTF8'));

-- The digest of a value as the chain covers it (NULL stays NULL).
CREATE FUNCTION history_value_digest(p text)
    RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN sha256(convert_to(p, 'UTF8'));

CREATE FUNCTION history_hash(p_prev bytea, p_ticket bigint, p_seq integer,
    p_at timestamptz, p_actor name, p_action text, p_field text, p_old text, p_new text)
    RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN history_hash_digest(p_prev, p_ticket, p_seq, p_at, p_actor, p_action, p_field,
    history_value_digest(p_old), history_value_digest(p_new));

-- Append one row to a ticket's chain. Called by the triggers of article,
-- ticket_field and link (the ticket's own changes are chained by its BEFORE
-- UPDATE trigger, which cannot update its own row). Locks the ticket row
-- FOR NO KEY UPDATE, the lock its UPDATE takes anyway: writers of the same
-- ticket queue up, but the foreign-key checks of rows that merely reference
-- it (FOR KEY SHARE: another transaction's new article, link or history
-- row) do not wait for this transaction to end.
CREATE FUNCTION history_append(p_ticket bigint, p_action text, p_field text,
    p_old text, p_new text)
    RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	s integer;
	h bytea;
BEGIN
	SELECT history_seq, history_head INTO s, h FROM ticket WHERE id = p_ticket
	FOR NO KEY UPDATE;
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
--
-- A function creating a ticket together with its first article (the mail
-- gateway, create_ticket) reserves the article's id beforehand and names it in
-- the new row's history_intent ('<article id> <action>|'): the article's row
-- is then chained here too, as row 2, exactly as history_append would have
-- chained it (same time, actor, action and value), and article_history skips
-- it (guichet.chained_article tells it which). Likewise a link the function
-- will insert from the new ticket (the gateway's follow-up to a closed
-- ticket) is named after the bar ('…|<other ticket id> <kind>'): its 'link'
-- row comes next, and link_history appends only the other ticket's 'linked'
-- row (guichet.chained_link). This saves an UPDATE of the fresh ticket per
-- row, which costs as much as the INSERT: every one of ticket's indexes, the
-- two GIN ones included, gets an entry for the new row version, and every
-- foreign key of a row inserted by the same transaction is checked again.
--
-- The intent is a column of the row the API writes, not a session setting: a
-- caller may SET any guichet.* setting she likes, but only the API writes
-- tickets. The BEFORE trigger clears it (a CHECK keeps it NULL in every stored
-- row) and hands it to the AFTER trigger of the same row in
-- guichet.ticket_intent, prefixed with the ticket's id and always written
-- before it is read, so that nothing set beforehand is ever read. The
-- settings guichet.chained_* only name a row to skip: article_history and
-- link_history skip a row only when it exists, written by this transaction,
-- so setting them by hand cannot remove an article or a link from history.
--
-- These trigger functions run on every insert: no SET search_path (see below).
CREATE FUNCTION ticket_history_insert_before()
    RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
	pre text := split_part(coalesce(NEW.history_intent, ''), '|', 1);
	lnk text := split_part(coalesce(NEW.history_intent, ''), '|', 2);
	s integer := 1;
	h bytea;
BEGIN
	NEW.history_intent := NULL;
	h := guichet.history_hash(NULL, NEW.id, 1, NEW.created_at, session_user,
	    'create', NULL, NULL, NEW.subject);
	IF coalesce(pre, '') <> '' THEN
		s := s + 1;
		h := guichet.history_hash(h, NEW.id, s, now(), session_user,
		    split_part(pre, ' ', 2), 'article', NULL, split_part(pre, ' ', 1));
	END IF;
	IF coalesce(lnk, '') <> '' THEN
		s := s + 1;
		h := guichet.history_hash(h, NEW.id, s, now(), session_user,
		    'link', split_part(lnk, ' ', 2), NULL, split_part(lnk, ' ', 1));
	END IF;
	NEW.history_seq := s;
	NEW.history_head := h;
	IF s > 1 THEN
		NEW.updated_at := clock_timestamp();
		NEW.updated_by := session_user;
		PERFORM set_config('guichet.ticket_intent', NEW.id || '|' || pre || '|' || lnk, true);
	END IF;
	RETURN NEW;
END
$$;

CREATE FUNCTION ticket_history_insert_after()
    RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
	pre text;
	lnk text;
	h bytea;
	a text[] := '{create}';
	f text[] := '{NULL}';
	n text[] := ARRAY[NEW.subject];
	t timestamptz[] := ARRAY[NEW.created_at];
	ps bytea[] := '{NULL}';
	hs bytea[];
BEGIN
	IF NEW.history_seq = 1 THEN
		INSERT INTO guichet.history (ticket_id, seq, at, actor, action, field, old_value,
		    new_value, prev_hash, hash)
		VALUES (NEW.id, 1, NEW.created_at, session_user, 'create', NULL, NULL, NEW.subject,
		    NULL, NEW.history_head);
		RETURN NULL;
	END IF;
	h := guichet.history_hash(NULL, NEW.id, 1, NEW.created_at, session_user,
	    'create', NULL, NULL, NEW.subject);
	-- What the BEFORE trigger found in this row's history_intent; it wrote
	-- it for this very row (a row with more than one history row), so a
	-- value for another id is a bug, not something to chain.
	pre := current_setting('guichet.ticket_intent', true);
	IF split_part(pre, '|', 1) IS DISTINCT FROM NEW.id::text THEN
		RAISE EXCEPTION 'ticket %: its first history rows were not handed over', NEW.id;
	END IF;
	lnk := split_part(pre, '|', 3);
	pre := split_part(pre, '|', 2);
	-- article_history and link_history learn which rows to skip.
	hs := ARRAY[h];
	IF coalesce(pre, '') <> '' THEN
		PERFORM set_config('guichet.chained_article', pre, true);
		a := a || split_part(pre, ' ', 2);
		f := f || 'article'::text;
		n := n || split_part(pre, ' ', 1);
		t := t || now();
		ps := ps || h;
		h := guichet.history_hash(h, NEW.id, cardinality(a), now(), session_user,
		    split_part(pre, ' ', 2), 'article', NULL, split_part(pre, ' ', 1));
		hs := hs || h;
	END IF;
	IF coalesce(lnk, '') <> '' THEN
		PERFORM set_config('guichet.chained_link', NEW.id || ' ' || lnk, true);
		a := a || 'link'::text;
		f := f || split_part(lnk, ' ', 2);
		n := n || split_part(lnk, ' ', 1);
		t := t || now();
		ps := ps || h;
		h := guichet.history_hash(h, NEW.id, cardinality(a), now(), session_user,
		    'link', split_part(lnk, ' ', 2), NULL, split_part(lnk, ' ', 1));
		hs := hs || h;
	END IF;
	INSERT INTO guichet.history (ticket_id, seq, at, actor, action, field, old_value,
	    new_value, prev_hash, hash)
	SELECT NEW.id, x.i, x.t, session_user, x.a, x.f, NULL, x.n, x.p, x.h
	FROM unnest(a, f, n, t, ps, hs) WITH ORDINALITY AS x(a, f, n, t, p, h, i);
	RETURN NULL;
END
$$;

-- The two trigger functions that run on every ticket update have no SET
-- search_path (setting it costs a third of their time) and name every object
-- with its schema instead.
--
-- One row per changed column that matters. The action is 'set' unless the API
-- function making the change named it (claim, release, escalate, merge,
-- claim_expired …) in the row's history_intent, cleared here. A real change also stamps
-- updated_at/updated_by and settles the owner's claim when the owner is the
-- one acting.
CREATE FUNCTION ticket_history_update()
    RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
	act text;
	s integer := NEW.history_seq;
	h bytea := NEW.history_head;
	f text[] := '{}';
	o text[] := '{}';
	n text[] := '{}';
	hs bytea[] := '{}';
	ps bytea[] := '{}';
BEGIN
	-- Plain expressions, not a query per column: this runs on every update.
	IF OLD.queue_id <> NEW.queue_id THEN
		f := f || 'queue_id'::text; o := o || OLD.queue_id::text; n := n || NEW.queue_id::text;
	END IF;
	IF OLD.level <> NEW.level THEN
		f := f || 'level'::text; o := o || OLD.level::text; n := n || NEW.level::text;
	END IF;
	IF OLD.status <> NEW.status THEN
		f := f || 'status'::text; o := o || OLD.status; n := n || NEW.status;
	END IF;
	IF OLD.owner_id IS DISTINCT FROM NEW.owner_id THEN
		f := f || 'owner_id'::text; o := o || OLD.owner_id::text; n := n || NEW.owner_id::text;
	END IF;
	IF OLD.priority <> NEW.priority THEN
		f := f || 'priority'::text; o := o || OLD.priority::text; n := n || NEW.priority::text;
	END IF;
	IF OLD.service_id IS DISTINCT FROM NEW.service_id THEN
		f := f || 'service_id'::text; o := o || OLD.service_id::text;
		n := n || NEW.service_id::text;
	END IF;
	IF OLD.subject <> NEW.subject THEN
		f := f || 'subject'::text; o := o || OLD.subject; n := n || NEW.subject;
	END IF;
	IF OLD.requester_id IS DISTINCT FROM NEW.requester_id THEN
		f := f || 'requester_id'::text; o := o || OLD.requester_id::text;
		n := n || NEW.requester_id::text;
	END IF;
	IF OLD.channel <> NEW.channel THEN
		f := f || 'channel'::text; o := o || OLD.channel; n := n || NEW.channel;
	END IF;
	IF OLD.district_id IS DISTINCT FROM NEW.district_id THEN
		f := f || 'district_id'::text; o := o || OLD.district_id::text;
		n := n || NEW.district_id::text;
	END IF;
	IF OLD.location IS DISTINCT FROM NEW.location THEN
		f := f || 'location'::text; o := o || OLD.location; n := n || NEW.location;
	END IF;
	IF OLD.merged_into IS DISTINCT FROM NEW.merged_into THEN
		f := f || 'merged_into'::text; o := o || OLD.merged_into::text;
		n := n || NEW.merged_into::text;
	END IF;
	IF OLD.pending_until IS DISTINCT FROM NEW.pending_until THEN
		f := f || 'pending_until'::text; o := o || guichet.history_time(OLD.pending_until);
		n := n || guichet.history_time(NEW.pending_until);
	END IF;
	IF OLD.first_response_due IS DISTINCT FROM NEW.first_response_due THEN
		f := f || 'first_response_due'::text; o := o || guichet.history_time(OLD.first_response_due);
		n := n || guichet.history_time(NEW.first_response_due);
	END IF;
	IF OLD.resolution_due IS DISTINCT FROM NEW.resolution_due THEN
		f := f || 'resolution_due'::text; o := o || guichet.history_time(OLD.resolution_due);
		n := n || guichet.history_time(NEW.resolution_due);
	END IF;

	act := coalesce(NEW.history_intent, 'set');
	NEW.history_intent := NULL;
	-- An erasure (38-retention.sql) records that subject and location
	-- changed, not what they held.
	IF act = 'erase' THEN
		o := array_fill(NULL::text, ARRAY[cardinality(f)]);
		n := o;
	END IF;
	IF cardinality(f) > 0 THEN
		FOR i IN 1..cardinality(f) LOOP
			ps := ps || h;
			h := guichet.history_hash(h, NEW.id, s + i, now(), session_user, act, f[i], o[i], n[i]);
			hs := hs || h;
		END LOOP;
		-- One statement for all the rows of this change.
		INSERT INTO guichet.history (ticket_id, seq, at, actor, action, field, old_value, new_value,
		    prev_hash, hash)
		SELECT NEW.id, s + x.i, now(), session_user, act, x.f, x.o, x.n, x.p, x.h
		FROM unnest(f, o, n, ps, hs) WITH ORDINALITY AS x(f, o, n, p, h, i);
		NEW.history_seq := s + cardinality(f);
		NEW.history_head := h;
		NEW.updated_at := clock_timestamp();
		NEW.updated_by := session_user;
	END IF;
	-- Ownership (45-claims.sql): a claim is settled once its owner acts on
	-- the ticket (rows appended here or by history_append: articles, fields,
	-- links, status …); an owner given by anyone but a claim (assign, a
	-- handover, the gateway's substitute) is settled at once. Nested tests:
	-- one IF with the sub-query would start an executor for it on every
	-- update, even when the first test is false.
	IF NEW.owner_id IS DISTINCT FROM OLD.owner_id THEN
		NEW.owner_settled := NEW.owner_id IS NOT NULL AND act <> 'claim';
	ELSIF NEW.history_seq <> OLD.history_seq AND NOT NEW.owner_settled THEN
		IF EXISTS (SELECT 1 FROM guichet.agent a
		    WHERE a.id = NEW.owner_id AND a.login = session_user) THEN
			NEW.owner_settled := true;
		END IF;
	END IF;
	RETURN NEW;
END
$$;

-- The ticket's queue hears of the change; so does the queue it left.
CREATE FUNCTION ticket_notify()
    RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
	IF coalesce(current_setting('guichet.notify', true), '') <> 'off' THEN
		PERFORM pg_notify(guichet.queue_channel(NEW.queue_id), NEW.id::text);
		IF TG_OP = 'UPDATE' AND OLD.queue_id <> NEW.queue_id THEN
			PERFORM pg_notify(guichet.queue_channel(OLD.queue_id), NEW.id::text);
		END IF;
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
-- The WHEN clause (evaluated in C) skips the function for updates that
-- change nothing it records and append no row (claimed_at, time_spent …):
-- for those it would do nothing.
CREATE TRIGGER ticket_zz_history_update BEFORE UPDATE ON ticket
    FOR EACH ROW WHEN (OLD.queue_id IS DISTINCT FROM NEW.queue_id
        OR OLD.level IS DISTINCT FROM NEW.level
        OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.owner_id IS DISTINCT FROM NEW.owner_id
        OR OLD.priority IS DISTINCT FROM NEW.priority
        OR OLD.service_id IS DISTINCT FROM NEW.service_id
        OR OLD.subject IS DISTINCT FROM NEW.subject
        OR OLD.requester_id IS DISTINCT FROM NEW.requester_id
        OR OLD.channel IS DISTINCT FROM NEW.channel
        OR OLD.district_id IS DISTINCT FROM NEW.district_id
        OR OLD.location IS DISTINCT FROM NEW.location
        OR OLD.merged_into IS DISTINCT FROM NEW.merged_into
        OR OLD.pending_until IS DISTINCT FROM NEW.pending_until
        OR OLD.first_response_due IS DISTINCT FROM NEW.first_response_due
        OR OLD.resolution_due IS DISTINCT FROM NEW.resolution_due
        OR OLD.history_seq IS DISTINCT FROM NEW.history_seq
        OR NEW.history_intent IS NOT NULL)
    EXECUTE FUNCTION ticket_history_update();
CREATE TRIGGER ticket_notify_insert AFTER INSERT ON ticket
    FOR EACH ROW EXECUTE FUNCTION ticket_notify();
CREATE TRIGGER ticket_notify_update AFTER UPDATE ON ticket
    FOR EACH ROW WHEN (OLD.history_seq IS DISTINCT FROM NEW.history_seq)
    EXECUTE FUNCTION ticket_notify();

-- Articles: 'reply' for mail_out, the kind itself otherwise; the value is the
-- article id. An article already chained with its new ticket (see
-- ticket_history_insert_before) is not chained twice.
CREATE FUNCTION article_history()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	act text := CASE NEW.kind WHEN 'mail_out' THEN 'reply' ELSE NEW.kind END;
BEGIN
	IF current_setting('guichet.chained_article', true) = NEW.id || ' ' || act THEN
		PERFORM set_config('guichet.chained_article', '', true);
		IF EXISTS (SELECT 1 FROM history h WHERE h.ticket_id = NEW.ticket_id AND h.seq = 2
		    AND h.action = act AND h.field = 'article' AND h.new_value = NEW.id::text
		    AND h.at = now()) THEN
			RETURN NULL;
		END IF;
	END IF;
	PERFORM history_append(NEW.ticket_id, act, 'article', NULL, NEW.id::text);
	RETURN NULL;
END
$$;
CREATE TRIGGER article_history AFTER INSERT ON article
    FOR EACH ROW EXECUTE FUNCTION article_history();

CREATE FUNCTION ticket_field_history()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t bigint := CASE TG_OP WHEN 'DELETE' THEN OLD.ticket_id ELSE NEW.ticket_id END;
	f integer := CASE TG_OP WHEN 'DELETE' THEN OLD.field_id ELSE NEW.field_id END;
	o text := CASE TG_OP WHEN 'INSERT' THEN NULL ELSE OLD.value END;
	n text := CASE TG_OP WHEN 'DELETE' THEN NULL ELSE NEW.value END;
BEGIN
	IF o IS DISTINCT FROM n AND current_user = 'guichet_eraser' THEN
		-- An erasure (38-retention.sql): that the value went, not what it was.
		PERFORM history_append(t, 'erase', (SELECT name FROM field WHERE id = f), NULL, NULL);
	ELSIF o IS DISTINCT FROM n THEN
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
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	r link;
	verb text := CASE TG_OP WHEN 'DELETE' THEN 'unlink' ELSE 'link' END;
BEGIN
	IF TG_OP = 'DELETE' THEN
		r := OLD;
	ELSE
		r := NEW;
	END IF;
	IF TG_OP = 'INSERT' AND current_setting('guichet.chained_link', true)
	    = r.a_id || ' ' || r.b_id || ' ' || r.kind THEN
		-- a was created with this link's row (ticket_history_insert_before):
		-- only b is left to chain, and only b needs a lock.
		PERFORM set_config('guichet.chained_link', '', true);
		IF EXISTS (SELECT 1 FROM history h WHERE h.ticket_id = r.a_id AND h.seq IN (2, 3)
		    AND h.action = 'link' AND h.field = r.kind AND h.new_value = r.b_id::text
		    AND h.at = now()) THEN
			PERFORM history_append(r.b_id, 'linked', r.kind, NULL, r.a_id::text);
			RETURN NULL;
		END IF;
	END IF;
	PERFORM 1 FROM ticket WHERE id IN (r.a_id, r.b_id) ORDER BY id FOR NO KEY UPDATE;
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
-- guichet_owner by a login that is a member of it: the installer during
-- init and migrate, a superuser), may change it. SECURITY DEFINER functions
-- run as guichet_api, which may only INSERT into history (90-api-role.sql),
-- so no API function can rewrite history even through a bug.
--
-- One exception, for erasure (38-retention.sql): the functions owned by
-- guichet_eraser (no login is its member) may UPDATE the value and digest
-- columns, and only to redact: a value becomes NULL and its digest, the one
-- the row's hash covers, is kept in the digest column; nothing else of the
-- row changes. So a redacted row still verifies, and nothing can be written
-- through this door but NULLs.
CREATE FUNCTION history_redaction_ok(o history, n history)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE
RETURN (o.id, o.ticket_id, o.seq, o.at, o.actor, o.action, o.field, o.prev_hash, o.hash)
        IS NOT DISTINCT FROM (n.id, n.ticket_id, n.seq, n.at, n.actor, n.action, n.field,
            n.prev_hash, n.hash)
    AND ((n.old_value IS NOT DISTINCT FROM o.old_value
            AND n.old_digest IS NOT DISTINCT FROM o.old_digest)
        OR (o.old_value IS NOT NULL AND n.old_value IS NULL AND o.old_digest IS NULL
            AND n.old_digest = guichet.history_value_digest(o.old_value)))
    AND ((n.new_value IS NOT DISTINCT FROM o.new_value
            AND n.new_digest IS NOT DISTINCT FROM o.new_digest)
        OR (o.new_value IS NOT NULL AND n.new_value IS NULL AND o.new_digest IS NULL
            AND n.new_digest = guichet.history_value_digest(o.new_value)));

CREATE FUNCTION history_guard()
    RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF current_user = 'guichet_owner'
	    AND pg_has_role(session_user, 'guichet_owner', 'MEMBER') THEN
		IF TG_OP = 'DELETE' THEN
			RETURN OLD;
		END IF;
		RETURN NEW;
	END IF;
	IF TG_OP = 'UPDATE' AND current_user = 'guichet_eraser'
	    AND history_redaction_ok(OLD, NEW) THEN
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
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF NOT pg_has_role(session_user, 'guichet_admin', 'MEMBER') THEN
		RAISE EXCEPTION 'verify_history is for administrators' USING ERRCODE = 'GU004';
	END IF;
	RETURN QUERY
	WITH h AS (
		SELECT x.ticket_id, x.seq, x.prev_hash, x.hash,
		    x.hash = history_hash_digest(x.prev_hash, x.ticket_id, x.seq, x.at, x.actor,
		        x.action, x.field, coalesce(x.old_digest, history_value_digest(x.old_value)),
		        coalesce(x.new_digest, history_value_digest(x.new_value))) AS intact,
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

-- Checkpoints. verify_history sees a row altered, removed from the middle of a
-- chain or from its tail, because the ticket row keeps the tail (history_seq,
-- history_head). Someone who may write every table (a superuser) can still
-- remove the last rows and set the tail back to match: the chains then prove
-- nothing. A checkpoint anchors the tails of the chains that grew since the
-- previous one and chains a digest over those anchors; an administrator keeps
-- the digest where the database's superuser cannot reach it (guichet-admin
-- history-checkpoint prints it and sends it to syslog: a log host, a printed
-- register, a mail to the data-protection officer). verify_checkpoints, given
-- that digest, finds every anchored row that was removed or changed since,
-- and checkpoints rewritten to hide it.

-- The digest of one checkpoint: sha256 of the previous digest and of the
-- anchors (ticket:seq:hash, in ticket order), hashed by blocks of 4,096 ticket
-- ids so that no aggregate holds a million anchors in one string.
CREATE FUNCTION history_anchor_digest(p_prev bytea, p_checkpoint integer)
    RETURNS bytea
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT sha256(coalesce(p_prev, '\x'::bytea)
	    || coalesce(string_agg(g.h, '\x'::bytea ORDER BY g.k), '\x'::bytea))
	FROM (SELECT a.ticket_id / 4096 AS k,
	        sha256(convert_to(string_agg(a.ticket_id || ':' || a.seq || ':'
	            || encode(a.hash, 'hex'), ',' ORDER BY a.ticket_id), 'UTF8')) AS h
	    FROM history_anchor a WHERE a.checkpoint_id = p_checkpoint
	    GROUP BY 1) g
$$;

-- A new checkpoint (admins; serialised): the anchors of every chain whose
-- tail moved since it was last anchored, and the digest to keep elsewhere.
CREATE FUNCTION history_checkpoint()
    RETURNS TABLE (checkpoint integer, made_at timestamptz, tickets integer, digest text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	prev bytea;
	cp integer;
	n integer;
	d bytea;
BEGIN
	IF NOT pg_has_role(session_user, 'guichet_admin', 'MEMBER') THEN
		RAISE EXCEPTION 'checkpoints are for administrators' USING ERRCODE = 'GU004';
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('guichet.history_checkpoint'));
	SELECT c.digest INTO prev FROM history_checkpoint c ORDER BY c.id DESC LIMIT 1;
	cp := nextval(pg_get_serial_sequence('guichet.history_checkpoint', 'id'));
	-- Each chain's last anchor, read once, in one pass: a probe of
	-- history_anchor per ticket, planned as a scan while the table was still
	-- empty (the first checkpoint), read again every row this very statement
	-- had inserted (64 s at 100,000 tickets; over 10 minutes at 1,000,000).
	WITH last AS MATERIALIZED (
		SELECT DISTINCT ON (a.ticket_id) a.ticket_id, a.seq
		FROM history_anchor a
		ORDER BY a.ticket_id, a.checkpoint_id DESC)
	INSERT INTO history_anchor (checkpoint_id, ticket_id, seq, hash)
	SELECT cp, t.id, t.history_seq, t.history_head
	FROM ticket t LEFT JOIN last l ON l.ticket_id = t.id
	WHERE t.history_seq > 0 AND t.history_seq IS DISTINCT FROM l.seq;
	GET DIAGNOSTICS n = ROW_COUNT;
	d := history_anchor_digest(prev, cp);
	INSERT INTO history_checkpoint (id, tickets, digest) OVERRIDING SYSTEM VALUE
	VALUES (cp, n, d);
	RETURN QUERY SELECT c.id, c.at, c.tickets, encode(c.digest, 'hex')
	FROM history_checkpoint c WHERE c.id = cp;
END
$$;

-- Check the checkpoints (admins): each one's digest recomputed from its anchors
-- and the previous digest; the digest kept outside (p_digest, hex), which
-- some checkpoint must give; and every anchored history row, which must still
-- be there with the hash it had. A row per problem.
CREATE FUNCTION verify_checkpoints(p_digest text DEFAULT NULL)
    RETURNS TABLE (ticket_id bigint, seq integer, problem text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	c history_checkpoint;
	prev bytea;
	d bytea;
	want bytea;
	seen boolean := p_digest IS NULL;
BEGIN
	IF NOT pg_has_role(session_user, 'guichet_admin', 'MEMBER') THEN
		RAISE EXCEPTION 'checkpoints are for administrators' USING ERRCODE = 'GU004';
	END IF;
	IF p_digest IS NOT NULL THEN
		IF p_digest !~ '^[0-9a-fA-F]{64}$' THEN
			RAISE EXCEPTION 'a checkpoint digest is 64 hexadecimal digits'
			    USING ERRCODE = 'GU005';
		END IF;
		want := decode(p_digest, 'hex');
	END IF;
	FOR c IN SELECT * FROM history_checkpoint ORDER BY id LOOP
		d := history_anchor_digest(prev, c.id);
		IF d <> c.digest THEN
			RETURN QUERY SELECT NULL::bigint, NULL::integer,
			    format('checkpoint %s of %s: its anchors do not give its digest', c.id,
			        history_time(c.at));
		END IF;
		-- schema/0008_citizen.sql re-anchored the checkpoints made before it
		-- and kept the digest each had then: a digest kept outside before
		-- the upgrade still names its checkpoint.
		seen := seen OR d = want OR coalesce(c.digest_before = want, false);
		prev := d;
	END LOOP;
	IF NOT seen THEN
		RETURN QUERY SELECT NULL::bigint, NULL::integer,
		    'no checkpoint gives the digest kept outside: checkpoints were removed or rewritten'::text;
	END IF;
	RETURN QUERY
	SELECT a.ticket_id, a.seq, format('anchored row %s (checkpoint %s)',
	    CASE WHEN h.hash IS NULL THEN 'missing' ELSE 'changed' END, a.checkpoint_id)
	FROM history_anchor a
	LEFT JOIN history h ON h.ticket_id = a.ticket_id AND h.seq = a.seq
	WHERE h.hash IS DISTINCT FROM a.hash
	ORDER BY 1, 2;
END
$$;
