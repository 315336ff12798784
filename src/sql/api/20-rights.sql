-- 20-rights.sql — who may do what: privileges, row-level security, helpers.
--
-- Principle: logins read tables directly (SELECT, filtered row by row by RLS)
-- and change tickets only through the SECURITY DEFINER API (30-ticket.sql and
-- after), owned by guichet_api. Nobody but guichet_owner and guichet_api may
-- INSERT/UPDATE/DELETE ticket, article, attachment, history, link, outbox,
-- raw_message, ticket_field or blob (guichet_api: only what the API writes,
-- never UPDATE or DELETE of history); guichet_admin manages the configuration
-- tables directly (that is what guichet-admin does).
--
-- Visibility:
--   an agent        tickets of the queues she is a member of (read-only or not)
--   a supervisor    and every ticket of her organisation
--   an admin        everything
--   guichet_mail    everything: the gateway threads follow-ups to any ticket
-- Articles, attachments, fields, history, outbox and raw messages follow their
-- ticket; blobs follow their attachments; a link is visible when either end is.
-- Contacts: those of the caller's own organisation (colleagues, the directory)
-- and the requesters of tickets she can see. Each contact belongs to one
-- organisation: citizens are not a shared directory across organisations
-- (find_or_create_contact finds and creates them within one).
-- Agents and queues: those of the caller's organisation, plus the queues she
-- is a member of and their members. The organisations she sees are hers and
-- those of the queues she sees (visible_organisations()); what belongs to one
-- organisation (districts, services, holidays, templates, knowledge-base
-- articles, queue addresses and memberships) is read only by them, and rows
-- shared by everyone (organisation_id NULL) by all.
--
-- The ticket policy is `queue_id = ANY ((SELECT visible_queues())::integer[])`: the
-- function is STABLE SECURITY DEFINER and the sub-select makes it an InitPlan
-- evaluated once per query, so the condition is an index condition on
-- ticket_queue_list and a keyset page stays an index scan under RLS.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

--
-- Who is calling. Every helper identifies the caller by session_user: inside
-- SECURITY DEFINER functions current_user is guichet_api.
--
CREATE FUNCTION current_agent()
    RETURNS integer
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	RETURN (SELECT id FROM agent WHERE login = session_user AND active);
END
$$;

-- Role tests are plain SQL without a SET clause so that they are inlined; their
-- bodies are bound when they are created, every name schema-qualified.
CREATE FUNCTION is_admin()
    RETURNS boolean
    LANGUAGE sql STABLE
RETURN pg_catalog.pg_has_role(session_user, 'guichet_admin', 'MEMBER');

-- Supervisors (and admins, who are supervisors too).
CREATE FUNCTION is_supervisor()
    RETURNS boolean
    LANGUAGE sql STABLE
RETURN pg_catalog.pg_has_role(session_user, 'guichet_supervisor', 'MEMBER');

CREATE FUNCTION is_mail()
    RETURNS boolean
    LANGUAGE sql STABLE
RETURN pg_catalog.pg_has_role(session_user, 'guichet_mail', 'MEMBER');

-- The helpers below are PL/pgSQL, not SQL: a SECURITY DEFINER SQL function
-- cannot be inlined and would be planned again at every call, while PL/pgSQL
-- keeps its plans for the session (next_ticket calls several of them).
CREATE FUNCTION current_organisation()
    RETURNS integer
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	RETURN (SELECT organisation_id FROM agent WHERE login = session_user AND active);
END
$$;

-- The queues whose tickets the caller may see, sorted. PARALLEL SAFE (it
-- only reads): the policies call it, and a query that calls a parallel
-- unsafe function never runs in parallel workers.
CREATE FUNCTION visible_queues()
    RETURNS integer[]
    LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF pg_has_role(session_user, 'guichet_admin', 'MEMBER')
	    OR pg_has_role(session_user, 'guichet_mail', 'MEMBER') THEN
		RETURN (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM queue);
	END IF;
	RETURN (SELECT coalesce(array_agg(DISTINCT v.id ORDER BY v.id), '{}') FROM (
		SELECT m.queue_id AS id
		FROM agent a JOIN queue_member m ON m.agent_id = a.id
		WHERE a.login = session_user AND a.active
		UNION ALL
		SELECT q.id
		FROM agent a JOIN queue q ON q.organisation_id = a.organisation_id
		WHERE a.login = session_user AND a.active
		    AND pg_has_role(session_user, 'guichet_supervisor', 'MEMBER')) v);
END
$$;

-- The organisations the caller works for: hers and those of the queues she
-- sees (a member of another organisation's queue), sorted; all for admins and
-- the gateway.
CREATE FUNCTION visible_organisations()
    RETURNS integer[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF pg_has_role(session_user, 'guichet_admin', 'MEMBER')
	    OR pg_has_role(session_user, 'guichet_mail', 'MEMBER') THEN
		RETURN (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM organisation);
	END IF;
	RETURN (SELECT coalesce(array_agg(DISTINCT v.id ORDER BY v.id), '{}') FROM (
		SELECT a.organisation_id AS id FROM agent a
		WHERE a.login = session_user AND a.active
		UNION ALL
		SELECT q.organisation_id FROM queue q WHERE q.id = ANY (visible_queues())) v);
END
$$;

-- May the caller change tickets of this queue? A member with may_write, a
-- supervisor of the queue's organisation, an admin.
CREATE FUNCTION may_write(p_queue integer)
    RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	RETURN pg_catalog.pg_has_role(session_user, 'guichet_admin', 'MEMBER')
	    OR EXISTS (SELECT 1 FROM agent a JOIN queue_member m ON m.agent_id = a.id
	        WHERE a.login = session_user AND a.active AND m.queue_id = p_queue
	            AND m.may_write)
	    OR (pg_has_role(session_user, 'guichet_supervisor', 'MEMBER')
	        AND EXISTS (SELECT 1 FROM agent a JOIN queue q
	            ON q.organisation_id = a.organisation_id
	            WHERE a.login = session_user AND a.active AND q.id = p_queue));
END
$$;

-- May the caller act as a supervisor for this queue (release someone else's
-- claim, reopen a closed ticket)? A supervisor of its organisation, an admin.
CREATE FUNCTION may_supervise(p_queue integer)
    RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	RETURN pg_catalog.pg_has_role(session_user, 'guichet_admin', 'MEMBER')
	    OR (pg_has_role(session_user, 'guichet_supervisor', 'MEMBER')
	        AND EXISTS (SELECT 1 FROM agent a JOIN queue q
	            ON q.organisation_id = a.organisation_id
	            WHERE a.login = session_user AND a.active AND q.id = p_queue));
END
$$;

-- A setting's value ('' when unset).
CREATE FUNCTION setting(p_key text)
    RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	RETURN coalesce((SELECT value FROM setting WHERE key = p_key), '');
END
$$;

--
-- Privileges.
--
REVOKE ALL ON ALL TABLES IN SCHEMA guichet FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA guichet FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA guichet FROM PUBLIC;

GRANT SELECT ON ALL TABLES IN SCHEMA guichet TO guichet_agent, guichet_mail;
-- The server's secrets are nobody's to read (15-notify.sql); checkpoints name
-- every ticket of the desk, for admins only (10-history.sql).
REVOKE SELECT ON secret, history_checkpoint, history_anchor FROM guichet_agent, guichet_mail;
GRANT SELECT ON history_checkpoint, history_anchor TO guichet_admin;
GRANT INSERT, UPDATE, DELETE ON organisation, district, sla_policy, holiday, queue,
    queue_address, agent, queue_member, service, field, template, kb_article, setting
    TO guichet_admin;
-- Admins correct contacts (a typo in a name, the no_contact flag).
GRANT INSERT, UPDATE ON contact TO guichet_admin;

GRANT EXECUTE ON FUNCTION current_agent(), is_admin(), is_supervisor(), is_mail(),
    current_organisation(), visible_queues(), visible_organisations(), may_write(integer),
    may_supervise(integer), setting(text)
    TO guichet_agent, guichet_mail;
GRANT EXECUTE ON FUNCTION verify_history(bigint), history_checkpoint(),
    verify_checkpoints(text) TO guichet_admin;
-- history_hash is pure: anyone may recompute a chain to check it.
GRANT EXECUTE ON FUNCTION history_hash(bytea, bigint, integer, timestamptz, name, text,
    text, text, text), history_hash_digest(bytea, bigint, integer, timestamptz, name, text,
    text, bytea, bytea), history_value_digest(text) TO guichet_agent, guichet_mail;
--
-- Row-level security, enabled on the tables by schema/0001_base.sql. The
-- table owner (RI checks) is not subject to it; guichet_api, which owns the
-- SECURITY DEFINER functions, sees every row through its own policies
-- (90-api-role.sql). Names are schema-qualified, though a policy is bound
-- when it is created.
--
CREATE POLICY ticket_read ON guichet.ticket FOR SELECT TO guichet_agent, guichet_mail
    USING (queue_id = ANY ((SELECT guichet.visible_queues())::integer[]));
CREATE POLICY article_read ON guichet.article FOR SELECT TO guichet_agent, guichet_mail
    USING (EXISTS (SELECT 1 FROM guichet.ticket t WHERE t.id = article.ticket_id
        AND t.queue_id = ANY ((SELECT guichet.visible_queues())::integer[])));
CREATE POLICY attachment_read ON guichet.attachment FOR SELECT TO guichet_agent, guichet_mail
    USING (EXISTS (SELECT 1 FROM guichet.article a JOIN guichet.ticket t ON t.id = a.ticket_id
        WHERE a.id = attachment.article_id
            AND t.queue_id = ANY ((SELECT guichet.visible_queues())::integer[])));
CREATE POLICY blob_read ON guichet.blob FOR SELECT TO guichet_agent, guichet_mail
    USING (EXISTS (SELECT 1 FROM guichet.attachment x JOIN guichet.article a ON a.id = x.article_id
        JOIN guichet.ticket t ON t.id = a.ticket_id
        WHERE x.sha256 = blob.sha256 AND t.queue_id = ANY ((SELECT guichet.visible_queues())::integer[])));
CREATE POLICY ticket_field_read ON guichet.ticket_field FOR SELECT TO guichet_agent, guichet_mail
    USING (EXISTS (SELECT 1 FROM guichet.ticket t WHERE t.id = ticket_field.ticket_id
        AND t.queue_id = ANY ((SELECT guichet.visible_queues())::integer[])));
CREATE POLICY history_read ON guichet.history FOR SELECT TO guichet_agent, guichet_mail
    USING (EXISTS (SELECT 1 FROM guichet.ticket t WHERE t.id = history.ticket_id
        AND t.queue_id = ANY ((SELECT guichet.visible_queues())::integer[])));
CREATE POLICY link_read ON guichet.link FOR SELECT TO guichet_agent, guichet_mail
    USING (EXISTS (SELECT 1 FROM guichet.ticket t WHERE t.id IN (link.a_id, link.b_id)
        AND t.queue_id = ANY ((SELECT guichet.visible_queues())::integer[])));
CREATE POLICY raw_message_read ON guichet.raw_message FOR SELECT TO guichet_agent
    USING (EXISTS (SELECT 1 FROM guichet.ticket t WHERE t.id = raw_message.ticket_id
        AND t.queue_id = ANY ((SELECT guichet.visible_queues())::integer[])));
CREATE POLICY raw_message_all ON guichet.raw_message FOR SELECT TO guichet_mail, guichet_admin
    USING (true);
CREATE POLICY outbox_read ON guichet.outbox FOR SELECT TO guichet_agent, guichet_mail
    USING (EXISTS (SELECT 1 FROM guichet.ticket t WHERE t.id = outbox.ticket_id
        AND t.queue_id = ANY ((SELECT guichet.visible_queues())::integer[])));
CREATE POLICY contact_read ON guichet.contact FOR SELECT TO guichet_agent
    USING (organisation_id = (SELECT guichet.current_organisation())
        OR EXISTS (SELECT 1 FROM guichet.ticket t WHERE t.requester_id = contact.id
            AND t.queue_id = ANY ((SELECT guichet.visible_queues())::integer[])));
CREATE POLICY contact_all ON guichet.contact FOR ALL TO guichet_mail, guichet_admin
    USING (true) WITH CHECK (true);
CREATE POLICY agent_read ON guichet.agent FOR SELECT TO guichet_agent
    USING (organisation_id = (SELECT guichet.current_organisation())
        OR login = session_user
        OR EXISTS (SELECT 1 FROM guichet.queue_member m WHERE m.agent_id = agent.id
            AND m.queue_id = ANY ((SELECT guichet.visible_queues())::integer[])));
CREATE POLICY agent_all ON guichet.agent FOR ALL TO guichet_mail, guichet_admin
    USING (true) WITH CHECK (true);
CREATE POLICY queue_read ON guichet.queue FOR SELECT TO guichet_agent, guichet_mail
    USING (organisation_id = (SELECT guichet.current_organisation())
        OR id = ANY ((SELECT guichet.visible_queues())::integer[]));
CREATE POLICY queue_admin ON guichet.queue FOR ALL TO guichet_admin
    USING (true) WITH CHECK (true);

-- Organisation-scoped configuration: read by whoever works for the
-- organisation (rows of no organisation by everyone), written by admins (who
-- see all), read whole by the gateway (routing, holidays of every queue).
CREATE POLICY organisation_read ON guichet.organisation FOR SELECT TO guichet_agent
    USING (id = ANY ((SELECT guichet.visible_organisations())::integer[]));
CREATE POLICY district_read ON guichet.district FOR SELECT TO guichet_agent
    USING (organisation_id = ANY ((SELECT guichet.visible_organisations())::integer[]));
CREATE POLICY service_read ON guichet.service FOR SELECT TO guichet_agent
    USING (organisation_id = ANY ((SELECT guichet.visible_organisations())::integer[]));
CREATE POLICY holiday_read ON guichet.holiday FOR SELECT TO guichet_agent
    USING (organisation_id IS NULL
        OR organisation_id = ANY ((SELECT guichet.visible_organisations())::integer[]));
CREATE POLICY template_read ON guichet.template FOR SELECT TO guichet_agent
    USING (organisation_id IS NULL
        OR organisation_id = ANY ((SELECT guichet.visible_organisations())::integer[]));
CREATE POLICY kb_article_read ON guichet.kb_article FOR SELECT TO guichet_agent
    USING (organisation_id IS NULL
        OR organisation_id = ANY ((SELECT guichet.visible_organisations())::integer[]));
CREATE POLICY queue_address_read ON guichet.queue_address FOR SELECT TO guichet_agent
    USING (queue_id = ANY ((SELECT guichet.visible_queues())::integer[]));
CREATE POLICY queue_member_read ON guichet.queue_member FOR SELECT TO guichet_agent
    USING (queue_id = ANY ((SELECT guichet.visible_queues())::integer[])
        OR agent_id = (SELECT guichet.current_agent()));
DO $config$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['organisation', 'district', 'service', 'holiday', 'template',
	    'kb_article', 'queue_address', 'queue_member'] LOOP
		EXECUTE format('CREATE POLICY %I ON guichet.%I FOR ALL TO guichet_admin '
		    'USING (true) WITH CHECK (true)', t || '_admin', t);
		EXECUTE format('CREATE POLICY %I ON guichet.%I FOR SELECT TO guichet_mail '
		    'USING (true)', t || '_mail', t);
	END LOOP;
END
$config$;
