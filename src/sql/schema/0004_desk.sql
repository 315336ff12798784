-- 0004_desk.sql — a day at the desk (issue 14): ownership that lasts, fields
-- asked where they matter, SLA targets per priority and the next-response
-- clock.
--
-- A schema migration (see 0001_base.sql): applied once, frozen once
-- released. The functions that use these columns are in the API
-- (api/35-desk.sql, 30-ticket.sql, 40-sla.sql, 45-claims.sql).

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- Ownership is not a lease. claimed_at is when the owner took the ticket;
-- owner_settled says the ownership no longer depends on it: the owner has
-- acted on the ticket since (a note, a reply, a status or field change), or
-- someone else gave it to her (an assignment, a handover). A queue's
-- claim_timeout only undoes a claim that is not settled, as OTRS's unlock
-- timeout does (api/45-claims.sql). Existing claims count as settled: they
-- were renewed by their owners' actions until now, and none should vanish
-- from under its owner on the day of the upgrade. (Added with the default
-- true, which rewrites no row, then given its default for new rows: claim()
-- and the history trigger set it whenever the owner changes.)
ALTER TABLE ticket ADD COLUMN owner_settled boolean NOT NULL DEFAULT true;
ALTER TABLE ticket ALTER COLUMN owner_settled SET DEFAULT false;
-- expire_claims() reads only the unsettled claims of live tickets: a few.
DROP INDEX ticket_claim_lease;
CREATE INDEX ticket_claim_unsettled ON ticket (queue_id, claimed_at)
    WHERE owner_id IS NOT NULL AND NOT owner_settled AND status IN ('new', 'open');

-- The next response: due after each follow-up of the requester once she has
-- had a first answer, met by the next reply (api/40-sla.sql). NULL: no
-- follow-up waits for an answer.
ALTER TABLE ticket ADD COLUMN next_response_due timestamptz;
-- The overview counts overdue live tickets from this index alone: it holds
-- the next-response due time too.
DROP INDEX ticket_live;
CREATE INDEX ticket_live ON ticket (queue_id, status, owner_id)
    INCLUDE (first_response_at, first_response_due, resolution_due, next_response_due)
    WHERE status IN ('new', 'open', 'pending');

-- SLA targets per priority: a policy may answer priority 5 within the hour
-- and priority 1 within the week. A row overrides, for tickets of that
-- priority, each target it gives (NULL: the policy's own).
CREATE TABLE sla_target (
	sla_policy_id  integer NOT NULL REFERENCES sla_policy ON DELETE CASCADE,
	priority       smallint NOT NULL CHECK (priority BETWEEN 1 AND 5),
	first_response interval CHECK (first_response > interval '0'),
	next_response  interval CHECK (next_response > interval '0'),
	resolution     interval CHECK (resolution > interval '0'),
	PRIMARY KEY (sla_policy_id, priority)
);
-- Read by everyone who reads policies (api/20-rights.sql grants SELECT on
-- every table); not per organisation, as policies are not.

-- When a required field is demanded: 'create' (an agent cannot create a
-- ticket in its queues without it, and it is demanded before resolving too)
-- or 'resolve' (before the ticket is resolved or closed). The mail gateway
-- cannot know values: its tickets get them from the agent before resolving.
ALTER TABLE field ADD COLUMN required_at text NOT NULL DEFAULT 'resolve'
    CHECK (required_at IN ('create', 'resolve'));

-- The queues a field belongs to: a field with rows here is asked, shown and
-- required in those queues only; a field without, in every queue. Read by
-- everyone, as field is: hiding another organisation's rows would make a
-- field of its queues look like one of every queue (queue ids tell nothing
-- more: queue rows are under row-level security).
CREATE TABLE field_queue (
	field_id integer NOT NULL REFERENCES field ON DELETE CASCADE,
	queue_id integer NOT NULL REFERENCES queue ON DELETE CASCADE,
	PRIMARY KEY (field_id, queue_id)
);
CREATE INDEX field_queue_queue ON field_queue (queue_id);
