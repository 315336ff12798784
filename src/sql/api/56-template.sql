-- 56-template.sql — the one template language of replies, acknowledgements
-- and closing notices, and the closing notice itself.
--
-- A placeholder is {{name}} or {{name|default}}, blanks inside the braces
-- allowed: {{ requester.name | Madame, Monsieur }}. The names:
--   requester.name  requester.email  ticket.id  ticket.subject
--   ticket.tag ("[Guichet #12]")  queue.name  agent.name (the caller when she
--   is an agent, else the ticket's owner)  service.name  district.name
--   organisation.name  due (the resolution due time, in the desk's time zone,
--   YYYY-MM-DD HH:MM)
-- A value that is empty or missing renders as the default, else as nothing.
-- No conditionals, no nesting: one pass over the text, values copied as they
-- are (a requester named "{{x}}" comes out literally). A name outside this
-- list, or a "{{" without its "}}", is refused when a template is saved
-- (GU005, naming it) and when one is rendered.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

CREATE FUNCTION template_names()
    RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY['requester.name', 'requester.email', 'ticket.id', 'ticket.subject', 'ticket.tag',
    'queue.name', 'agent.name', 'service.name', 'district.name', 'organisation.name', 'due'];

-- The placeholders of a text in order: name, default (NULL: none), and
-- whether the name is known. A "{{" left once every placeholder is taken out
-- has no "}}": it comes last, named "{{". (PL/pgSQL, as the functions below:
-- their statements are planned once per session, where an SQL function that
-- is not inlined is planned at every call; an acknowledgement calls them a
-- dozen times.)
CREATE FUNCTION template_placeholders(p_text text)
    RETURNS TABLE (n bigint, name text, fallback text, known boolean)
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF strpos(coalesce(p_text, ''), '{{') = 0 THEN
		RETURN;
	END IF;
	RETURN QUERY
	SELECT r.n, x.name, x.fallback, x.name = ANY (template_names())
	FROM regexp_matches(p_text, '\{\{([^{}]*)\}\}', 'g') WITH ORDINALITY AS r(m, n)
	CROSS JOIN LATERAL (SELECT btrim(split_part(r.m[1], '|', 1), E' \t\r\n') AS name,
	    CASE WHEN strpos(r.m[1], '|') > 0
	        THEN btrim(substr(r.m[1], strpos(r.m[1], '|') + 1), E' \t\r\n') END AS fallback) x
	UNION ALL
	SELECT 2147483647, '{{', NULL, false
	WHERE strpos(regexp_replace(p_text, '\{\{([^{}]*)\}\}', '', 'g'), '{{') > 0
	ORDER BY 1;
END
$$;

-- The unknown placeholders of a text, each once, in order of appearance
-- (empty: the text is a valid template).
CREATE FUNCTION template_check(p_text text)
    RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF strpos(coalesce(p_text, ''), '{{') = 0 THEN
		RETURN '{}';
	END IF;
	RETURN (SELECT coalesce(array_agg(u.name ORDER BY u.n), '{}')
	    FROM (SELECT p.name, min(p.n) AS n FROM template_placeholders(p_text) p
	        WHERE NOT p.known GROUP BY p.name) u);
END
$$;

-- GU005 naming the first unknown placeholder of a template's text.
CREATE FUNCTION template_require(p_text text, p_what text)
    RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	bad text := (template_check(p_text))[1];
BEGIN
	IF bad = '{{' THEN
		RAISE EXCEPTION '%: a "{{" without its "}}"', p_what USING ERRCODE = 'GU005';
	ELSIF bad IS NOT NULL THEN
		RAISE EXCEPTION '%: unknown placeholder {{%}}', p_what, bad USING ERRCODE = 'GU005',
		    HINT = 'known: ' || array_to_string(template_names(), ', ');
	END IF;
END
$$;

-- GU005 when a text still holds a known placeholder: a template sent without
-- being rendered. Other braces are someone's own text.
CREATE FUNCTION template_unrendered(p_text text)
    RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	bad text := (SELECT p.name FROM template_placeholders(p_text) p WHERE p.known
	    ORDER BY p.n LIMIT 1);
BEGIN
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'the text still holds the placeholder {{%}}: render it first', bad
		    USING ERRCODE = 'GU005';
	END IF;
END
$$;

-- The values of a ticket's placeholders, as the caller sees them (row-level
-- security: an agent renders only tickets she sees).
CREATE FUNCTION template_values(p_ticket bigint)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	RETURN (SELECT jsonb_build_object(
	    'requester.name', c.name, 'requester.email', c.email,
	    'ticket.id', t.id::text, 'ticket.subject', t.subject,
	    'ticket.tag', '[' || coalesce(nullif(setting('tag_prefix'), ''), 'Guichet') || ' #'
	        || t.id || ']',
	    'queue.name', q.name,
	    'agent.name', coalesce((SELECT a.display_name FROM agent a
	        WHERE a.login = session_user AND a.active),
	        (SELECT a.display_name FROM agent a WHERE a.id = t.owner_id)),
	    'service.name', (SELECT s.name FROM service s WHERE s.id = t.service_id),
	    'district.name', (SELECT d.name FROM district d WHERE d.id = t.district_id),
	    'organisation.name', (SELECT o.name FROM organisation o WHERE o.id = t.organisation_id),
	    'due', to_char(t.resolution_due AT TIME ZONE desk_time_zone(), 'YYYY-MM-DD HH24:MI'))
	FROM ticket t
	LEFT JOIN queue q ON q.id = t.queue_id
	LEFT JOIN contact c ON c.id = t.requester_id
	WHERE t.id = p_ticket);
END
$$;

-- A template's text with the ticket's values: GU005 for an unknown
-- placeholder, GU006 for a ticket the caller does not see. NULL stays NULL.
-- The text is cut at its placeholders and put together again with their
-- values in one pass, so that no value is read as a template.
CREATE FUNCTION render_template(p_ticket bigint, p_text text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v jsonb := template_values(p_ticket);
	out text;
BEGIN
	IF v IS NULL THEN
		RAISE EXCEPTION 'no ticket #%', p_ticket USING ERRCODE = 'GU006';
	END IF;
	IF p_text IS NULL THEN
		RETURN NULL;
	END IF;
	PERFORM template_require(p_text, 'the template');
	SELECT string_agg(s.part || coalesce(coalesce(nullif(btrim(v->>p.name), ''), p.fallback),
	    ''), '' ORDER BY s.n)
	INTO out
	FROM unnest(regexp_split_to_array(p_text, '\{\{[^{}]*\}\}')) WITH ORDINALITY AS s(part, n)
	LEFT JOIN template_placeholders(p_text) p ON p.n = s.n;
	RETURN out;
END
$$;

-- Templates are checked when saved, whoever saves them (guichet-admin, psql).
CREATE FUNCTION template_validate()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	PERFORM template_require(NEW.subject, format('template "%s", subject', NEW.name));
	PERFORM template_require(NEW.body, format('template "%s"', NEW.name));
	RETURN NEW;
END
$$;
CREATE TRIGGER template_validate BEFORE INSERT OR UPDATE OF subject, body ON template
    FOR EACH ROW EXECUTE FUNCTION template_validate();

-- Automatic mail of the desk to a ticket's requester (p_kind 'ack' or
-- 'closing'): the template rendered and queued by mail_out (50-mail.sql).
-- None for a requester without a deliverable address; none, with a warning
-- in the server's log, when the ticket has no address to write from or the
-- template is one the language does not read (saved before 0007 with a name
-- it could not rename). Checked first rather than caught: no subtransaction
-- per message, and the mail that caused it (a request being imported, a
-- ticket being resolved) goes through all the same; guichet-admin status
-- names the queue to mend.
CREATE FUNCTION template_mail(t ticket, tpl template, p_kind text)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	v_to text := (SELECT c.email FROM contact c
	    WHERE c.id = t.requester_id AND NOT c.undeliverable);
BEGIN
	IF v_to IS NULL THEN
		RETURN NULL;
	END IF;
	IF (SELECT s.o_address FROM reply_sender(t) s) IS NULL
	    OR template_check(concat(tpl.subject, ' ', tpl.body)) <> '{}' THEN
		RAISE WARNING 'ticket #%: no % mail: no address to write from, or template "%" is invalid',
		    t.id, p_kind, tpl.name;
		RETURN NULL;
	END IF;
	RETURN mail_out(t, p_kind, render_template(t.id, tpl.subject),
	    render_template(t.id, tpl.body), v_to, p_template => tpl.id);
END
$$;

-- The closing notice of a ticket just resolved (set_status, 30-ticket.sql):
-- its queue's closing template (none: no notice), as outgoing mail of kind
-- 'closing', threaded like a reply. Written by the desk, not by an agent: no
-- first response, no reply in the reports.
CREATE FUNCTION closing_notice(t ticket)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	tpl template;
BEGIN
	SELECT p.* INTO tpl FROM queue q JOIN template p ON p.id = q.closing_template_id
	WHERE q.id = t.queue_id;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	RETURN template_mail(t, tpl, 'closing');
END
$$;

REVOKE ALL ON FUNCTION template_names(), template_placeholders(text), template_check(text),
    template_require(text, text), template_unrendered(text), template_values(bigint),
    render_template(bigint, text), template_validate(), template_mail(ticket, template, text),
    closing_notice(ticket)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION template_names(), template_placeholders(text), template_check(text),
    template_require(text, text), template_values(bigint), render_template(bigint, text)
    TO guichet_agent, guichet_mail, guichet_admin;
-- An admin saving a template runs its trigger.
GRANT EXECUTE ON FUNCTION template_validate() TO guichet_admin;
