-- 0005_told.sql — agents who are told, and searches that find (issue 14).
--
-- Notifications: one row per thing an agent is told (a follow-up on her
-- ticket, a ticket given to her, her claim expired, her ticket's SLA about to
-- breach, a colleague's @mention), read or unread, under row-level security
-- (api/36-notification.sql). Saved searches: named queries of the console's
-- search language, per agent. Search by language: each organisation chooses
-- a PostgreSQL text search configuration (french, german …: stemming), every
-- ticket and article carries its organisation's, and the full-text indexes
-- read unaccented text with it (api/55-search.sql).

-- unaccent is a trusted extension (PostgreSQL 13 and later), in contrib, which
-- Debian's postgresql-15 ships: the installer may create it as pg_trgm.
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

INSERT INTO setting (key, value) VALUES
	('notify_sla_soon', '60'), -- minutes before a due time that an owner is told
	('time_zone', '');         -- the desk's time zone for the console ('' = the server's TimeZone)

-- The text search configuration of an organisation's tickets: a name, not a
-- regconfig (pg_upgrade refuses reg* columns other than regclass and regtype).
-- 'simple' (no stemming) keeps what the desk did before.
ALTER TABLE organisation ADD COLUMN text_search_config text NOT NULL DEFAULT 'simple'
    CHECK (text_search_config ~ '^[a-z_]+$' AND text_search_config::regconfig IS NOT NULL);

-- Each ticket and article keeps its organisation's configuration, so that the
-- full-text indexes can name it per row (a function of organisation_id
-- would not be immutable). Triggers of api/55-search.sql keep it.
ALTER TABLE ticket ADD COLUMN search_config text NOT NULL DEFAULT 'simple';
ALTER TABLE article ADD COLUMN search_config text NOT NULL DEFAULT 'simple';

-- What the full-text indexes hold: the words of unaccented text, stemmed by
-- the configuration. IMMUTABLE because an index needs it: unaccent() is only
-- STABLE since its rules file could change (it does not, between releases of
-- a site), and a configuration name means the same configuration while the
-- index lives. An index needs it, so it lives here and not in the API.
CREATE FUNCTION search_vector(p_config text, p_text text)
    RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN pg_catalog.to_tsvector(p_config::pg_catalog.regconfig,
    public.unaccent('public.unaccent'::pg_catalog.regdictionary, p_text));
GRANT EXECUTE ON FUNCTION search_vector(text, text) TO guichet_agent, guichet_mail;

DROP INDEX ticket_subject_fts;
DROP INDEX article_body_fts;
CREATE INDEX ticket_search ON ticket USING gin (search_vector(search_config, subject));
CREATE INDEX article_search ON article USING gin (search_vector(search_config, body));

-- Notifications. kind: followup (a message arrived on her ticket), assigned
-- (a ticket given to her), handover (her absent colleague's ticket came to
-- her), claim_expired, sla_soon (her ticket's due time is near: due_at),
-- mention (@login in a colleague's note). mailed_at: sent in a digest.
CREATE TABLE notification (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	agent_id   integer NOT NULL REFERENCES agent,
	kind       text NOT NULL CHECK (kind IN ('followup', 'assigned', 'handover',
	    'claim_expired', 'sla_soon', 'mention')),
	ticket_id  bigint REFERENCES ticket,
	text       text NOT NULL CHECK (length(text) <= 500),
	created_at timestamptz NOT NULL DEFAULT now(),
	created_by text NOT NULL DEFAULT session_user,
	due_at     timestamptz,
	read_at    timestamptz,
	mailed_at  timestamptz
);
-- The list, newest first, and the unread count (a few rows per agent).
CREATE INDEX notification_agent ON notification (agent_id, id DESC);
CREATE INDEX notification_unread ON notification (agent_id, created_at)
    WHERE read_at IS NULL;
-- An owner is told once per due time of a ticket.
CREATE UNIQUE INDEX notification_sla_once ON notification (agent_id, ticket_id, due_at)
    WHERE kind = 'sla_soon';
ALTER TABLE notification ENABLE ROW LEVEL SECURITY;

-- Per agent: a mail digest of the notifications left unread that long
-- (minutes; NULL: none), sent by guichet-mail send.
ALTER TABLE agent ADD COLUMN notify_digest integer
    CHECK (notify_digest BETWEEN 1 AND 10080);

-- Saved searches: a name and a query of the console's search language.
CREATE TABLE saved_search (
	id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	agent_id   integer NOT NULL REFERENCES agent,
	name       text NOT NULL CHECK (name <> '' AND length(name) <= 60),
	query      text NOT NULL CHECK (query <> '' AND length(query) <= 1000),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX saved_search_name ON saved_search (agent_id, lower(name));
ALTER TABLE saved_search ENABLE ROW LEVEL SECURITY;
