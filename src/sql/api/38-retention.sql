-- 38-retention.sql — erasing personal data (GDPR art. 17) when an
-- organisation's retention period ends (retention_run) or when a person asks
-- (contact_erase), without breaking the audit chain and without changing the
-- statistics.
--
-- What goes: the requester's identity (name, addresses, phone, attributes),
-- subjects, locations, free-text fields, article bodies and mail headers,
-- attachment names and bytes, raw messages, queued mail, notification texts,
-- and the personal values of history rows (redacted: the value becomes NULL,
-- its digest, which the chain covers, stays; 10-history.sql). What stays:
-- every id, time, status, level, priority, queue, service, district, channel,
-- owner, the SLA clocks, sizes and counts, so that the reports of a past year
-- give the same figures before and after.
--
-- These functions belong to guichet_eraser (90-api-role.sql), the only role
-- history_guard lets redact history rows; it holds the API's row privileges
-- and, beyond them, UPDATE of history's value columns, UPDATE of
-- notification.text and DELETE of blob. No login is its member.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- History fields whose values are ids, statuses, times or counts: kept. Any
-- other value (the subject at 'create', subject, location, field values,
-- reasons, notes) is personal and redacted: an unknown field is redacted.
CREATE FUNCTION history_value_kept(p_action text, p_field text)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN p_action IN ('link', 'linked', 'unlink', 'unlinked')
    OR coalesce(p_field, '') IN ('queue_id', 'level', 'status', 'owner_id', 'priority', 'service_id',
        'requester_id', 'channel', 'district_id', 'merged_into', 'pending_until',
        'first_response_due', 'resolution_due', 'next_response_due', 'article', 'articles');

-- Articles: bodies, subjects, mail headers, attachments (names; bytes no
-- other attachment shares), their raw messages. Returns how many.
CREATE FUNCTION anonymise_articles(p_articles bigint[])
    RETURNS integer
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	n integer;
	shas bytea[];
	empty bytea := sha256('\x'::bytea);
BEGIN
	UPDATE article SET subject = NULL, body = '', mail_from = NULL, mail_to = NULL,
	    mail_cc = NULL, message_id = NULL, in_reply_to = NULL, refs = NULL
	WHERE id = ANY (p_articles);
	GET DIAGNOSTICS n = ROW_COUNT;
	UPDATE raw_message SET bytes = '\x', message_id = NULL, mail_from = NULL, subject = NULL,
	    error = NULL
	WHERE id IN (SELECT a.raw_message_id FROM article a
	    WHERE a.id = ANY (p_articles) AND a.raw_message_id IS NOT NULL)
	    OR article_id = ANY (p_articles);
	INSERT INTO blob (sha256, size, content) VALUES (empty, 0, '\x') ON CONFLICT DO NOTHING;
	WITH f AS (
		UPDATE attachment x SET filename = '[erased]', sha256 = empty
		FROM attachment o
		WHERE o.id = x.id AND x.article_id = ANY (p_articles) AND x.sha256 <> empty
		RETURNING o.sha256
	)
	SELECT array_agg(DISTINCT f.sha256) INTO shas FROM f;
	DELETE FROM blob b WHERE b.sha256 = ANY (shas)
	    AND NOT EXISTS (SELECT 1 FROM attachment x WHERE x.sha256 = b.sha256);
	UPDATE outbox SET mail_to = '[erased]', mail_cc = NULL, subject = '[erased]', body = '',
	    in_reply_to = NULL, refs = NULL,
	    status = CASE WHEN status IN ('queued', 'sending') THEN 'failed' ELSE status END,
	    last_error = CASE WHEN status IN ('queued', 'sending') THEN 'erased' ELSE NULL END
	WHERE article_id = ANY (p_articles);
	RETURN n;
END
$$;

-- Whole tickets: their articles, subject, location, free-text fields,
-- notifications and history values; one 'erase' row on each with the reason
-- (which names no one). Returns how many.
CREATE FUNCTION anonymise_tickets(p_tickets bigint[], p_reason text)
    RETURNS integer
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	n integer;
	t bigint;
BEGIN
	PERFORM anonymise_articles(ARRAY(SELECT a.id FROM article a
	    WHERE a.ticket_id = ANY (p_tickets)));
	UPDATE history SET old_digest = history_value_digest(old_value), old_value = NULL,
	    new_digest = history_value_digest(new_value), new_value = NULL
	WHERE ticket_id = ANY (p_tickets) AND (old_value IS NOT NULL OR new_value IS NOT NULL)
	    AND NOT history_value_kept(action, field);
	UPDATE ticket_field tf SET value = '[erased]'
	FROM field f
	WHERE f.id = tf.field_id AND f.kind = 'text' AND tf.ticket_id = ANY (p_tickets)
	    AND tf.value <> '[erased]';
	UPDATE notification SET text = '[erased]' WHERE ticket_id = ANY (p_tickets);
	-- The subject and location go with an 'erase' row that keeps no value
	-- (10-history.sql); then the reason.
	UPDATE ticket SET subject = '[erased]', location = NULL, anonymised_at = now(),
	    history_intent = 'erase'
	WHERE id = ANY (p_tickets);
	GET DIAGNOSTICS n = ROW_COUNT;
	FOR t IN SELECT unnest(p_tickets) ORDER BY 1 LOOP
		PERFORM history_append(t, 'erase', 'reason', NULL, p_reason);
	END LOOP;
	RETURN n;
END
$$;

-- The person herself: her record keeps its id (her tickets still count as
-- one requester's), nothing else; her other addresses go, and the values of
-- her record's audit rows (name, addresses … as changed) are redacted.
CREATE FUNCTION anonymise_contacts(p_contacts bigint[])
    RETURNS integer
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	n integer;
BEGIN
	UPDATE contact SET email = NULL, name = '', phone = NULL, attributes = '{}',
	    erased_at = now()
	WHERE id = ANY (p_contacts) AND erased_at IS NULL;
	GET DIAGNOSTICS n = ROW_COUNT;
	DELETE FROM contact_address WHERE contact_id = ANY (p_contacts);
	UPDATE contact_audit SET old_digest = history_value_digest(old_value), old_value = NULL,
	    new_digest = history_value_digest(new_value), new_value = NULL
	WHERE contact_id = ANY (p_contacts) AND (old_value IS NOT NULL OR new_value IS NOT NULL);
	RETURN n;
END
$$;

-- Erase everything of one person (admins, supervisors of her organisation):
-- the tickets she asked, whole; the articles she wrote in other tickets;
-- her record. p_reason says why (a request of date, a court order …) and
-- must not itself hold her name, address or phone. Returns the number of
-- tickets anonymised; the erasure is one row of contact_audit and an
-- 'erase' row on each ticket.
CREATE FUNCTION contact_erase(p_contact bigint, p_reason text)
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	c contact := contact_check_supervisor(p_contact);
	why text := btrim(coalesce(p_reason, ''));
	ids bigint[];
	t bigint[];
	n integer;
BEGIN
	IF why = '' OR length(why) > 500 THEN
		RAISE EXCEPTION 'an erasure needs a reason (at most 500 characters)'
		    USING ERRCODE = 'GU005';
	END IF;
	IF c.erased_at IS NOT NULL THEN
		RAISE EXCEPTION 'contact % was erased on %', c.id, history_time(c.erased_at)
		    USING ERRCODE = 'GU005';
	END IF;
	IF contact_named_in(c, why) THEN
		RAISE EXCEPTION 'the reason must not hold the person''s name, address or phone'
		    USING ERRCODE = 'GU005';
	END IF;
	-- She, and the records merged into hers (contact_merge).
	SELECT array_agg(x.id) INTO ids FROM contact x WHERE x.id = c.id OR x.merged_into = c.id;
	SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO t
	FROM ticket WHERE requester_id = ANY (ids);
	-- Lock her tickets in id order, as every writer does.
	PERFORM 1 FROM ticket WHERE id = ANY (t) ORDER BY id FOR NO KEY UPDATE;
	n := anonymise_tickets(t, why);
	PERFORM anonymise_articles(ARRAY(SELECT a.id FROM article a
	    WHERE a.author_contact_id = ANY (ids) AND a.ticket_id <> ALL (t)));
	PERFORM anonymise_contacts(ids);
	PERFORM contact_audit_append('erase', c.id, c.organisation_id, n, why);
	RETURN n;
END
$$;

-- Does a text hold one of the contact's identifying values (name, address,
-- its local part, phone digits)?
CREATE FUNCTION contact_named_in(c contact, p text)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE
RETURN (length(c.name) >= 3 AND strpos(lower(p), lower(c.name)) > 0)
    OR (c.email IS NOT NULL AND strpos(lower(p), lower(split_part(c.email, '@', 1))) > 0)
    OR (length(regexp_replace(coalesce(c.phone, ''), '\D', '', 'g')) >= 6
        AND strpos(regexp_replace(p, '\D', '', 'g'),
            regexp_replace(c.phone, '\D', '', 'g')) > 0);

-- Anonymise what each organisation's retention period lets go (admins; run
-- it from cron): the tickets resolved or closed longer ago than the period
-- (merged ones with the ticket they went into), then the requesters left
-- with no ticket that is not anonymised. One contact_audit row per
-- organisation that had something to anonymise. Returns a row per
-- organisation with a period.
CREATE FUNCTION retention_run()
    RETURNS TABLE (org text, period interval, tickets integer, contacts integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	o guichet.organisation;
	t bigint[];
	c bigint[];
BEGIN
	IF NOT is_admin() THEN
		RAISE EXCEPTION 'retention runs are for administrators' USING ERRCODE = 'GU004';
	END IF;
	FOR o IN SELECT * FROM guichet.organisation x WHERE x.retention_closed IS NOT NULL
	    ORDER BY x.code LOOP
		SELECT coalesce(array_agg(x.id ORDER BY x.id), '{}') INTO t
		FROM ticket x
		WHERE x.organisation_id = o.id AND x.anonymised_at IS NULL
		    AND x.status IN ('resolved', 'closed', 'merged')
		    AND coalesce(x.closed_at, x.resolved_at, x.updated_at) < now() - o.retention_closed;
		PERFORM 1 FROM ticket WHERE id = ANY (t) ORDER BY id FOR NO KEY UPDATE;
		tickets := anonymise_tickets(t, format('retention: closed more than %s ago',
		    o.retention_closed));
		SELECT coalesce(array_agg(DISTINCT x.requester_id), '{}') INTO c
		FROM ticket x WHERE x.id = ANY (t) AND x.requester_id IS NOT NULL
		    AND NOT EXISTS (SELECT 1 FROM ticket y WHERE y.requester_id = x.requester_id
		        AND y.anonymised_at IS NULL);
		contacts := anonymise_contacts(c);
		IF tickets > 0 OR contacts > 0 THEN
			PERFORM contact_audit_append('retention', NULL, o.id, tickets,
			    format('retention: closed more than %s ago', o.retention_closed));
		END IF;
		org := o.code;
		period := o.retention_closed;
		RETURN NEXT;
	END LOOP;
END
$$;

GRANT EXECUTE ON FUNCTION contact_erase(bigint, text) TO guichet_supervisor;
GRANT EXECUTE ON FUNCTION retention_run() TO guichet_admin;
-- The redaction itself: the one door through history_guard (10-history.sql).
GRANT UPDATE (old_value, new_value, old_digest, new_digest) ON history TO guichet_eraser;
GRANT UPDATE (text) ON notification TO guichet_eraser;
GRANT DELETE ON blob TO guichet_eraser;
GRANT UPDATE (filename, sha256) ON attachment TO guichet_eraser;
GRANT UPDATE (old_value, new_value, old_digest, new_digest) ON contact_audit TO guichet_eraser;
GRANT EXECUTE ON FUNCTION history_value_kept(text, text), anonymise_articles(bigint[]),
    anonymise_tickets(bigint[], text), anonymise_contacts(bigint[]),
    contact_named_in(contact, text) TO guichet_eraser;
