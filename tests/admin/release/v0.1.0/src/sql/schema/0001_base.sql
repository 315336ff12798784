-- 0001_base.sql — roles, schema, tables, indexes and the first data rows of
-- guichet: the baseline of release 0.1.0, each table in its final shape.
--
-- A schema migration: applied once by guichet-admin (init/migrate), frozen once
-- released; a later change to a table is a new file with a higher number. The
-- functions, triggers, views, policies and grants are not here: they are the
-- API (src/sql/api), re-created from source on every init and migrate.
--
-- Run as a role that may create roles (a superuser or CREATEROLE), which
-- guichet-admin makes a member of guichet_owner for the transaction only.
-- Tables belong to the NOLOGIN role guichet_owner; logins never own anything.

DO $roles$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['guichet_owner', 'guichet_api', 'guichet_agent',
	    'guichet_supervisor', 'guichet_admin', 'guichet_mail'] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
END
$roles$;

-- A supervisor is also an agent; an admin may do what a supervisor does.
GRANT guichet_agent TO guichet_supervisor;
GRANT guichet_supervisor TO guichet_admin;
-- guichet_api owns the SECURITY DEFINER functions: it owns no table and holds
-- only row privileges (api/90-api-role.sql), so that no function can alter a
-- table or its triggers. The owner role may act as it to re-create the API.
GRANT guichet_api TO guichet_owner;
-- guichet_login owns the three functions that create agents' login roles and
-- give them their group role (api/80-admin.sql): it holds CREATEROLE, which
-- admins then need not have (a login with CREATEROLE could make itself a
-- member of guichet_owner and rewrite history). No login is ever its member.
DO $login$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'guichet_login') THEN
		CREATE ROLE guichet_login NOLOGIN CREATEROLE;
	END IF;
END
$login$;
GRANT guichet_login TO guichet_owner;

-- pg_trgm is a trusted extension: substring search on subjects uses it.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE SCHEMA guichet AUTHORIZATION guichet_owner;
GRANT USAGE ON SCHEMA guichet TO guichet_agent, guichet_mail, guichet_api, guichet_login;
SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- Functions are not callable by PUBLIC: each API file grants EXECUTE to the
-- group roles that may call. (A per-schema default cannot take away what the
-- global default gives, hence no IN SCHEMA.)
ALTER DEFAULT PRIVILEGES FOR ROLE guichet_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- The applied migrations, each with the sha256 of its file as applied
-- (guichet-admin migrate refuses a file changed since).
CREATE TABLE schema_version (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now(),
	applied_by text NOT NULL DEFAULT session_user,
	sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$')
);

-- The API's checksum as last re-created (one row): the programs compare it
-- with the one they were built with.
CREATE TABLE schema_api (
	one        boolean PRIMARY KEY DEFAULT true CHECK (one),
	sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	created_at timestamptz NOT NULL DEFAULT now(),
	created_by text NOT NULL DEFAULT session_user
);

-- Settings the server-side rules read (one row per key).
CREATE TABLE setting (
	key   text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]*$'),
	value text NOT NULL
);
INSERT INTO setting (key, value) VALUES
	('tag_prefix', 'Guichet'),  -- subject tag: [Guichet #123]
	('mail_domain', '');        -- right-hand side of Message-IDs ('' = the queue address's)

-- Secrets the server keeps to itself: readable only by guichet_api (the
-- API's owner) and the tables' owner, never by a login. 'notify' makes the
-- names of the live-update channels (api/15-notify.sql).
CREATE TABLE secret (
	name  text PRIMARY KEY,
	value bytea NOT NULL CHECK (length(value) >= 32)
);
INSERT INTO secret (name, value)
VALUES ('notify', sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text
    || clock_timestamp()::text, 'UTF8')));

CREATE TABLE organisation (
	id   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_.-]*$'),
	name text NOT NULL CHECK (name <> '')
);

CREATE TABLE district (
	id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	organisation_id integer NOT NULL REFERENCES organisation,
	name            text NOT NULL CHECK (name <> ''),
	UNIQUE (organisation_id, name)
);

-- Business hours and holidays used to compute due times. A policy without
-- business_hours counts every minute.
CREATE TABLE sla_policy (
	id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name           text NOT NULL UNIQUE CHECK (name <> ''),
	first_response interval,
	next_response  interval,
	resolution     interval,
	business_hours boolean NOT NULL DEFAULT false,
	day_start      time NOT NULL DEFAULT '08:30',
	day_end        time NOT NULL DEFAULT '17:30',
	workdays       smallint[] NOT NULL DEFAULT '{1,2,3,4,5}', -- ISO: 1 = Monday
	timezone       text NOT NULL DEFAULT 'Europe/Paris',
	CHECK (day_start < day_end)
);

CREATE TABLE holiday (
	day             date NOT NULL,
	organisation_id integer REFERENCES organisation, -- NULL: every organisation
	name            text NOT NULL DEFAULT '',
	UNIQUE NULLS NOT DISTINCT (day, organisation_id)
);

CREATE TABLE queue (
	id               integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	organisation_id  integer NOT NULL REFERENCES organisation,
	code             text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_.-]*$'),
	name             text NOT NULL CHECK (name <> ''),
	level            smallint NOT NULL DEFAULT 1 CHECK (level IN (1, 2)),
	escalate_to      integer REFERENCES queue,
	sla_policy_id    integer REFERENCES sla_policy,
	default_priority smallint NOT NULL DEFAULT 3 CHECK (default_priority BETWEEN 1 AND 5),
	claim_timeout    interval CHECK (claim_timeout > interval '0'), -- NULL: claims never expire
	active           boolean NOT NULL DEFAULT true
);

-- Mail addresses that route new tickets to a queue (stored lower-case).
CREATE TABLE queue_address (
	address  text PRIMARY KEY CHECK (address = lower(address) AND address LIKE '%_@_%'),
	queue_id integer NOT NULL REFERENCES queue ON DELETE CASCADE
);

-- One row per person who logs in: login is her PostgreSQL role.
CREATE TABLE agent (
	id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	login           name NOT NULL UNIQUE,
	display_name    text NOT NULL CHECK (display_name <> ''),
	email           text,
	organisation_id integer NOT NULL REFERENCES organisation,
	level           smallint NOT NULL DEFAULT 1 CHECK (level IN (1, 2)),
	absent_from     timestamptz,
	absent_until    timestamptz,
	substitute_id   integer REFERENCES agent,
	active          boolean NOT NULL DEFAULT true,
	CHECK (absent_until IS NULL OR absent_from IS NULL OR absent_from < absent_until),
	CHECK (substitute_id IS DISTINCT FROM id)
);

CREATE TABLE queue_member (
	agent_id  integer NOT NULL REFERENCES agent ON DELETE CASCADE,
	queue_id  integer NOT NULL REFERENCES queue ON DELETE CASCADE,
	may_write boolean NOT NULL DEFAULT true,
	PRIMARY KEY (agent_id, queue_id)
);
CREATE INDEX queue_member_queue ON queue_member (queue_id);

-- A requester belongs to one organisation: each organisation keeps its own
-- record of a citizen (it is the controller of what it holds on her, and a
-- contact of one organisation is never revealed to another). The same address
-- may so be a contact of two organisations, once in each.
CREATE TABLE contact (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email           text CHECK (email IS NULL OR email LIKE '%_@_%'),
	name            text NOT NULL DEFAULT '',
	phone           text,
	organisation_id integer NOT NULL REFERENCES organisation,
	district_id     integer REFERENCES district,
	attributes      jsonb NOT NULL DEFAULT '{}',
	undeliverable   boolean NOT NULL DEFAULT false, -- a permanent bounce was seen
	no_contact      boolean NOT NULL DEFAULT false, -- must not be approached (reports)
	created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX contact_email ON contact (organisation_id, lower(email));
-- A bounce marks the address undeliverable in every organisation.
CREATE INDEX contact_email_any ON contact (lower(email)) WHERE email IS NOT NULL;
CREATE INDEX contact_name_trgm ON contact USING gin (name public.gin_trgm_ops);
CREATE INDEX contact_email_trgm ON contact USING gin (email public.gin_trgm_ops);
-- Phone-only contacts are found by their number.
CREATE INDEX contact_phone ON contact (organisation_id, phone)
    WHERE phone IS NOT NULL AND email IS NULL;
-- The contacts report counts those flagged no_contact from this small index.
CREATE INDEX contact_no_contact ON contact (id) WHERE no_contact;

-- The catalogue of what citizens ask for ("Voirie / Dépôt sauvage").
CREATE TABLE service (
	id               integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	organisation_id  integer NOT NULL REFERENCES organisation,
	code             text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_.-]*$'),
	category         text NOT NULL CHECK (category <> ''),
	name             text NOT NULL CHECK (name <> ''),
	default_queue_id integer REFERENCES queue,
	sla_policy_id    integer REFERENCES sla_policy,
	active           boolean NOT NULL DEFAULT true
);

-- Dynamic fields: definitions, validated by set_field.
CREATE TABLE field (
	id       integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name     text NOT NULL UNIQUE CHECK (name ~ '^[a-z][a-z0-9_]*$'),
	label    text NOT NULL CHECK (label <> ''),
	kind     text NOT NULL CHECK (kind IN ('text', 'number', 'date', 'enum')),
	allowed  text[] CHECK ((kind = 'enum') = (allowed IS NOT NULL)),
	required boolean NOT NULL DEFAULT false,
	position integer NOT NULL DEFAULT 0
);

CREATE TABLE ticket (
	id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	queue_id           integer NOT NULL REFERENCES queue,
	organisation_id    integer NOT NULL REFERENCES organisation, -- the queue's, kept for RLS and reports
	service_id         integer REFERENCES service,
	subject            text NOT NULL,
	status             text NOT NULL DEFAULT 'new'
	    CHECK (status IN ('new', 'open', 'pending', 'resolved', 'closed', 'merged')),
	priority           smallint NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5), -- 5 is most urgent
	level              smallint NOT NULL DEFAULT 1 CHECK (level IN (1, 2)),
	owner_id           integer REFERENCES agent,
	claimed_at         timestamptz, -- the lease: renewed by the owner's every action
	requester_id       bigint REFERENCES contact,
	channel            text NOT NULL DEFAULT 'mail'
	    CHECK (channel IN ('mail', 'phone', 'desk', 'web', 'internal')),
	district_id        integer REFERENCES district,
	location           text,
	created_at         timestamptz NOT NULL DEFAULT now(),
	updated_at         timestamptz NOT NULL DEFAULT now(),
	updated_by         name NOT NULL DEFAULT session_user,
	first_response_at  timestamptz,
	resolved_at        timestamptz,
	closed_at          timestamptz,
	first_response_due timestamptz,
	resolution_due     timestamptz,
	pending_since      timestamptz, -- SLA clock stopped since then
	pending_until      timestamptz, -- back to open at that time
	time_spent         integer NOT NULL DEFAULT 0 CHECK (time_spent >= 0), -- minutes
	merged_into        bigint REFERENCES ticket,
	history_seq        integer NOT NULL DEFAULT 0, -- rows in this ticket's history chain
	history_head       bytea, -- hash of the last history row
	-- The SLA clock, kept in the row as it runs (api/40-sla.sql), so that the
	-- reports read it instead of rebuilding it from history. It runs while the
	-- ticket is new or open, in the business time of its policy; seconds.
	clock_l1           float8 NOT NULL DEFAULT 0, -- used at level 1, finished stretches
	clock_l2           float8 NOT NULL DEFAULT 0, -- used at level 2, finished stretches
	clock_since        timestamptz, -- running since (NULL: stopped)
	clock_fr           float8, -- the clock at the first response
	clock_res          float8, -- the clock at resolution (resolved, closed)
	reopened           integer NOT NULL DEFAULT 0, -- resolved or closed, then back
	escalated          boolean NOT NULL DEFAULT false, -- ever moved to level 2
	replies            integer NOT NULL DEFAULT 0, -- see article_reply_count
	assisted           boolean NOT NULL DEFAULT false,
	-- What the API is doing, for the history triggers only (10-history.sql):
	-- written with a change, consumed and cleared by the trigger, so NULL in
	-- every stored row. It is a column, not a session setting, because a
	-- caller cannot write it: only the API writes tickets.
	history_intent     text CHECK (history_intent IS NULL),
	CHECK ((status = 'merged') = (merged_into IS NOT NULL))
);
-- Keyset lists: the index order matches the sort of the console's lists.
CREATE INDEX ticket_queue_list ON ticket (queue_id, status, updated_at DESC, id DESC);
CREATE INDEX ticket_owner_list ON ticket (owner_id, status, updated_at DESC, id DESC)
    WHERE owner_id IS NOT NULL;
-- next_ticket: the most urgent unclaimed ticket of a queue.
CREATE INDEX ticket_claimable ON ticket (queue_id, priority DESC, created_at, id)
    WHERE owner_id IS NULL AND status IN ('new', 'open');
CREATE INDEX ticket_created ON ticket (created_at, queue_id);
CREATE INDEX ticket_requester ON ticket (requester_id, created_at);
CREATE INDEX ticket_due ON ticket (resolution_due)
    WHERE status IN ('new', 'open');
CREATE INDEX ticket_subject_fts ON ticket USING gin (to_tsvector('simple', subject));
CREATE INDEX ticket_subject_trgm ON ticket USING gin (subject public.gin_trgm_ops);
-- The index pages "oldest first" and "most urgent first" walk these in order,
-- one status at a time, as ticket_queue_list serves "last change first".
CREATE INDEX ticket_queue_created ON ticket (queue_id, status, created_at, id);
CREATE INDEX ticket_queue_priority ON ticket (queue_id, status, priority DESC, id DESC);
-- The console's overview counts the live tickets (new, open, pending: a few
-- percent of a desk's tickets) of the visible queues in one grouped pass over
-- this small partial index, which holds every column the counts test: an
-- index-only scan.
CREATE INDEX ticket_live ON ticket (queue_id, status, owner_id)
    INCLUDE (first_response_at, first_response_due, resolution_due)
    WHERE status IN ('new', 'open', 'pending');
-- wake_pending() and expire_claims() (api/45-claims.sql).
CREATE INDEX ticket_pending_until ON ticket (pending_until) WHERE status = 'pending';
CREATE INDEX ticket_claim_lease ON ticket (queue_id, claimed_at)
    WHERE owner_id IS NOT NULL AND status IN ('new', 'open');
-- Reports read tickets by the time they were resolved and the open ones by age.
CREATE INDEX ticket_resolved ON ticket (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX ticket_open_age ON ticket (created_at)
    WHERE status IN ('new', 'open', 'pending');
-- The contacts report reads the period's tickets in requester order from this
-- index, which holds every column its aggregation needs (api/73-report-people.sql).
CREATE INDEX ticket_requester_activity ON ticket (requester_id)
    INCLUDE (created_at, queue_id, service_id, district_id)
    WHERE requester_id IS NOT NULL AND status <> 'merged';

CREATE TABLE ticket_field (
	ticket_id bigint NOT NULL REFERENCES ticket ON DELETE CASCADE,
	field_id  integer NOT NULL REFERENCES field,
	value     text NOT NULL,
	PRIMARY KEY (ticket_id, field_id)
);
CREATE INDEX ticket_field_value ON ticket_field (field_id, value);

-- Every message the importer saw, stored before it is parsed.
CREATE TABLE raw_message (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	sha256      bytea NOT NULL UNIQUE,
	message_id  text,
	source      text NOT NULL,
	received_at timestamptz NOT NULL DEFAULT now(),
	size        integer NOT NULL,
	bytes       bytea NOT NULL,
	outcome     text NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'imported',
	    'quarantined', 'ignored_loop', 'duplicate', 'held', 'oversized')),
	error       text,
	ticket_id   bigint REFERENCES ticket,
	article_id  bigint,
	retries     integer NOT NULL DEFAULT 0, -- retries an admin asked for: they skip the rate cap
	mail_from   text, -- the sender, for the rate cap's review list and for admins
	subject     text
);
CREATE INDEX raw_message_message_id ON raw_message (message_id);
CREATE INDEX raw_message_outcome ON raw_message (outcome, received_at)
    WHERE outcome IN ('quarantined', 'held', 'pending');
CREATE INDEX raw_message_ticket ON raw_message (ticket_id) WHERE ticket_id IS NOT NULL;

CREATE TABLE article (
	id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	ticket_id         bigint NOT NULL REFERENCES ticket,
	kind              text NOT NULL CHECK (kind IN ('mail_in', 'mail_out', 'note', 'phone', 'system')),
	author_agent_id   integer REFERENCES agent,
	author_contact_id bigint REFERENCES contact,
	created_at        timestamptz NOT NULL DEFAULT now(),
	created_by        name NOT NULL DEFAULT session_user,
	subject           text,
	body              text NOT NULL DEFAULT '',
	body_format       text NOT NULL DEFAULT 'markdown' CHECK (body_format IN ('markdown', 'text')),
	message_id        text,
	in_reply_to       text,
	refs              text[],
	mail_from         text,
	mail_to           text,
	mail_cc           text,
	raw_message_id    bigint REFERENCES raw_message,
	thread_rule       text CHECK (thread_rule IN ('new', 'tag', 'in_reply_to', 'references')),
	sender_unknown    boolean NOT NULL DEFAULT false, -- follow-up from outside the ticket's contacts
	decode_lossy      boolean NOT NULL DEFAULT false, -- some bytes could not be decoded
	time_spent        integer NOT NULL DEFAULT 0 CHECK (time_spent >= 0), -- minutes
	template_id       integer, -- the reply started from this template
	kb_article_id     integer  -- the reply quoted this knowledge-base article
);
CREATE INDEX article_ticket ON article (ticket_id, created_at, id);
CREATE INDEX article_message_id ON article (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX article_body_fts ON article USING gin (to_tsvector('simple', body));
-- reply threads on the ticket's last incoming mail: found at once, instead of
-- walking back through every note and reply of a long ticket.
CREATE INDEX article_ticket_mail_in ON article (ticket_id, created_at, id)
    WHERE kind = 'mail_in' AND message_id IS NOT NULL;
CREATE INDEX article_ticket_contact ON article (ticket_id, author_contact_id);
-- The agents report: each agent's articles of a period, index-only.
CREATE INDEX article_agent_act ON article (created_at)
    INCLUDE (author_agent_id, kind, time_spent, ticket_id)
    WHERE author_agent_id IS NOT NULL;

-- Attachment content is stored once per sha256.
CREATE TABLE blob (
	sha256  bytea PRIMARY KEY,
	size    bigint NOT NULL,
	content bytea NOT NULL
);
CREATE TABLE attachment (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	article_id   bigint NOT NULL REFERENCES article ON DELETE CASCADE,
	filename     text NOT NULL,
	content_type text NOT NULL DEFAULT 'application/octet-stream',
	size         bigint NOT NULL,
	sha256       bytea NOT NULL REFERENCES blob,
	inline       boolean NOT NULL DEFAULT false
);
CREATE INDEX attachment_article ON attachment (article_id);
-- Blobs are reached from attachments by sha256 (RLS on blob, garbage collection).
CREATE INDEX attachment_sha256 ON attachment (sha256);

-- a_id → b_id: 'parent' (a is b's parent), 'relates', 'duplicate' (a duplicates b), 'depends' (a depends on b).
CREATE TABLE link (
	a_id       bigint NOT NULL REFERENCES ticket,
	b_id       bigint NOT NULL REFERENCES ticket,
	kind       text NOT NULL CHECK (kind IN ('parent', 'relates', 'duplicate', 'depends')),
	created_at timestamptz NOT NULL DEFAULT now(),
	created_by name NOT NULL DEFAULT session_user,
	PRIMARY KEY (a_id, b_id, kind),
	CHECK (a_id <> b_id)
);
CREATE INDEX link_b ON link (b_id);

-- Append-only audit, one hash chain per ticket (see 0002_history.sql).
CREATE TABLE history (
	id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	ticket_id bigint NOT NULL REFERENCES ticket,
	seq       integer NOT NULL,
	at        timestamptz NOT NULL DEFAULT now(),
	actor     name NOT NULL DEFAULT session_user,
	action    text NOT NULL,
	field     text,
	old_value text,
	new_value text,
	prev_hash bytea,
	hash      bytea NOT NULL,
	UNIQUE (ticket_id, seq)
);
CREATE INDEX history_at ON history (at);

-- Checkpoints of the chains (api/10-history.sql): each anchors the tail
-- (seq, hash) of every ticket whose chain grew since the previous one, and
-- chains a digest over those anchors and the previous digest. The digest,
-- kept outside the database, lets verify_checkpoints see what no chain can
-- show by itself: a tail rewound by someone who may write every table.
CREATE TABLE history_checkpoint (
	id      integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at      timestamptz NOT NULL DEFAULT now(),
	by      name NOT NULL DEFAULT session_user,
	tickets integer NOT NULL,
	digest  bytea NOT NULL
);
CREATE TABLE history_anchor (
	-- The checkpoint's row is written after its anchors, with their digest.
	checkpoint_id integer NOT NULL REFERENCES history_checkpoint
	    DEFERRABLE INITIALLY DEFERRED,
	ticket_id     bigint NOT NULL,
	seq           integer NOT NULL,
	hash          bytea NOT NULL,
	PRIMARY KEY (checkpoint_id, ticket_id)
);
-- A ticket's latest anchor, found per ticket by the next checkpoint.
CREATE INDEX history_anchor_ticket ON history_anchor (ticket_id, checkpoint_id DESC)
    INCLUDE (seq);
-- Escalations and agents' activity read history by kind of change and time;
-- the SLA clock and the quality report read each ticket's status and level
-- changes in order. Both indexes cover what those reports read, so that they
-- are index-only scans: the history table itself (hash chain, articles, every
-- field) is many times larger than these few columns.
CREATE INDEX history_field_at ON history (field, at)
    INCLUDE (ticket_id, seq, actor, old_value, new_value)
    WHERE field IN ('level', 'status', 'owner_id');
CREATE INDEX history_clock ON history (ticket_id, seq)
    INCLUDE (at, field, old_value, new_value)
    WHERE field IN ('status', 'level');
-- The agents report: claims, resolutions and escalations of a period.
CREATE INDEX history_agent_act ON history (at)
    INCLUDE (ticket_id, seq, field, actor, new_value)
    WHERE (field = 'owner_id' AND new_value IS NOT NULL)
       OR (field = 'status' AND new_value = 'resolved')
       OR (field = 'level' AND new_value = '2');
-- The escalations report: queue changes (an escalation moves the ticket in the
-- same statement) and returns to level 1 are few, each has a small index.
CREATE INDEX history_queue_change ON history (at)
    INCLUDE (ticket_id, old_value, new_value) WHERE field = 'queue_id';
CREATE INDEX history_level_return ON history (ticket_id, seq)
    WHERE field = 'level' AND old_value = '2' AND new_value = '1';

CREATE TABLE template (
	id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name            text NOT NULL UNIQUE CHECK (name <> ''),
	organisation_id integer REFERENCES organisation, -- NULL: everyone's
	subject         text,
	body            text NOT NULL, -- Markdown with {{placeholders}}
	updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE kb_article (
	id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9_.-]*$'),
	title           text NOT NULL CHECK (title <> ''),
	body            text NOT NULL, -- Markdown
	tags            text[] NOT NULL DEFAULT '{}',
	organisation_id integer REFERENCES organisation,
	updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kb_article_fts ON kb_article
    USING gin (to_tsvector('simple', title || ' ' || body));

-- Replies waiting for guichet-mail send.
CREATE TABLE outbox (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	ticket_id       bigint NOT NULL REFERENCES ticket,
	article_id      bigint NOT NULL REFERENCES article,
	mail_from       text NOT NULL,
	mail_to         text NOT NULL,
	mail_cc         text,
	subject         text NOT NULL,
	body            text NOT NULL, -- Markdown as the agent wrote it
	message_id      text NOT NULL UNIQUE,
	in_reply_to     text,
	refs            text[],
	kind            text NOT NULL DEFAULT 'reply' CHECK (kind IN ('reply', 'ack')),
	status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
	attempts        integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	last_error      text,
	created_at      timestamptz NOT NULL DEFAULT now(),
	sent_at         timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('queued', 'sending');
CREATE INDEX outbox_message_id_lower ON outbox (message_id);

-- One row per agent and ticket open in a console; refreshed every 30 s by the
-- console, forgotten after two minutes without news (a console that crashed).
-- Only through the console's functions (api/60-console.sql).
CREATE TABLE presence (
	agent_id  integer NOT NULL REFERENCES agent ON DELETE CASCADE,
	ticket_id bigint NOT NULL REFERENCES ticket,
	writing   boolean NOT NULL DEFAULT false,
	seen_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (agent_id, ticket_id)
);
CREATE INDEX presence_ticket ON presence (ticket_id, seen_at);

-- The import compresses every raw message and body it stores (2-8 KB each):
-- lz4 does it about four times faster than the default pglz, and as small.
-- Only new values are affected; a server built without lz4 keeps pglz.
DO $lz4$
BEGIN
	ALTER TABLE raw_message ALTER COLUMN bytes SET COMPRESSION lz4;
	ALTER TABLE article ALTER COLUMN body SET COMPRESSION lz4;
	ALTER TABLE blob ALTER COLUMN content SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
	RAISE NOTICE 'lz4 is not available: raw messages stay compressed with pglz';
END
$lz4$;

-- Row-level security: the policies (who sees which rows) are the API's
-- (api/20-rights.sql); a table with RLS and no policy for a role shows it
-- nothing.
ALTER TABLE ticket ENABLE ROW LEVEL SECURITY;
ALTER TABLE article ENABLE ROW LEVEL SECURITY;
ALTER TABLE attachment ENABLE ROW LEVEL SECURITY;
ALTER TABLE blob ENABLE ROW LEVEL SECURITY;
ALTER TABLE ticket_field ENABLE ROW LEVEL SECURITY;
ALTER TABLE history ENABLE ROW LEVEL SECURITY;
ALTER TABLE link ENABLE ROW LEVEL SECURITY;
ALTER TABLE raw_message ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE contact ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent ENABLE ROW LEVEL SECURITY;
ALTER TABLE queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE presence ENABLE ROW LEVEL SECURITY;
-- What belongs to one organisation is read only by those who work for it.
ALTER TABLE organisation ENABLE ROW LEVEL SECURITY;
ALTER TABLE district ENABLE ROW LEVEL SECURITY;
ALTER TABLE holiday ENABLE ROW LEVEL SECURITY;
ALTER TABLE queue_address ENABLE ROW LEVEL SECURITY;
ALTER TABLE queue_member ENABLE ROW LEVEL SECURITY;
ALTER TABLE service ENABLE ROW LEVEL SECURITY;
ALTER TABLE template ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_article ENABLE ROW LEVEL SECURITY;
