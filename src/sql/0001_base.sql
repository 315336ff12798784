-- 0001_base.sql — roles, schema and tables of guichet.
--
-- Applied by guichet-admin (init/migrate) in one transaction, as a role that may
-- create roles (a superuser or CREATEROLE). Tables belong to the NOLOGIN role
-- guichet_owner; logins never own anything. Rights, RLS, history and the API
-- functions come in the following migrations.

DO $roles$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['guichet_owner', 'guichet_agent', 'guichet_supervisor',
	    'guichet_admin', 'guichet_mail'] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
END
$roles$;

-- A supervisor is also an agent; an admin may do what a supervisor does.
GRANT guichet_agent TO guichet_supervisor;
GRANT guichet_supervisor TO guichet_admin;

-- pg_trgm is a trusted extension: substring search on subjects uses it.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

-- The installer acts as the owner to create and later migrate its objects.
GRANT guichet_owner TO CURRENT_USER;
CREATE SCHEMA guichet AUTHORIZATION guichet_owner;
GRANT USAGE ON SCHEMA guichet TO guichet_agent, guichet_mail;
SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, public;

CREATE TABLE schema_version (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now(),
	applied_by text NOT NULL DEFAULT session_user
);

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

CREATE TABLE contact (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email           text CHECK (email IS NULL OR email LIKE '%_@_%'),
	name            text NOT NULL DEFAULT '',
	phone           text,
	organisation_id integer REFERENCES organisation,
	district_id     integer REFERENCES district,
	attributes      jsonb NOT NULL DEFAULT '{}',
	undeliverable   boolean NOT NULL DEFAULT false, -- a permanent bounce was seen
	no_contact      boolean NOT NULL DEFAULT false, -- must not be approached (reports)
	created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX contact_email ON contact (lower(email));
CREATE INDEX contact_name_trgm ON contact USING gin (name gin_trgm_ops);

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
CREATE INDEX ticket_subject_trgm ON ticket USING gin (subject gin_trgm_ops);

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
	article_id  bigint
);
CREATE INDEX raw_message_message_id ON raw_message (message_id);
CREATE INDEX raw_message_outcome ON raw_message (outcome, received_at)
    WHERE outcome IN ('quarantined', 'held', 'pending');

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
