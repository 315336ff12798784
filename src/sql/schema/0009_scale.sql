-- 0009_scale.sql — reports at a million tickets (issue 16): the facts the
-- agents and escalations reports count.
--
-- A schema migration (see 0001_base.sql): applied once, frozen once
-- released. The triggers that keep the facts and the function that rebuilds
-- them (which fills this table on the first migrate after this one) are in
-- the API (api/74-report-facts.sql).

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- One narrow row per event a report counts: from history, a claim ('c': the
-- owner became agent_id), a resolution by agent_id ('r', with the handling
-- time in seconds from her last claim of the ticket, or its creation), a
-- level change to 2 ('e', old_level the level it left) and a return to
-- level 1 ('b'), with the queue move made at the same instant (from_queue,
-- to_queue) and, for 'e', when the ticket was created and resolved; from article, one written by agent_id: a reply ('m': an
-- outgoing mail or a phone article), a note ('n') or another kind ('o'),
-- with its minutes. queue_id and service_id are the ticket's queue and
-- service NOW, as the ticket row has them (the triggers move them along):
-- row-level security reads queue_id in the row itself, where history's
-- policy probes the ticket of every row, and the reports' filters too.
-- Derived rows, rebuilt at will (report_fact_rebuild): no foreign key, whose
-- check per row would double the time of a rebuild (tickets are never
-- deleted).
CREATE TABLE report_fact (
	ticket_id  bigint NOT NULL,
	queue_id   integer NOT NULL,
	service_id integer,
	at         timestamptz NOT NULL,
	kind       "char" NOT NULL CHECK (kind IN ('c', 'r', 'e', 'b', 'm', 'n', 'o')),
	agent_id   integer,
	seq        integer,  -- the history row (c r e b)
	article_id bigint,   -- the article (m n o)
	handling   float8,   -- r
	minutes    integer,  -- m n o
	old_level  smallint, -- e
	from_queue integer,  -- e b
	to_queue   integer,  -- e b
	ticket_created  timestamptz, -- e: the ticket's creation
	ticket_resolved timestamptz  -- e: its resolution, while it is resolved or closed
);
-- A period's facts; a ticket's, when it moves; an article's, when it moves.
CREATE INDEX report_fact_at ON report_fact (at);
CREATE INDEX report_fact_ticket ON report_fact (ticket_id);
CREATE INDEX report_fact_article ON report_fact (article_id) WHERE article_id IS NOT NULL;
-- The agents report sorts only the resolutions for its medians.
CREATE INDEX report_fact_resolved ON report_fact (at)
    INCLUDE (agent_id, handling, queue_id, service_id) WHERE kind = 'r';
-- The escalations report: the level changes, a few.
CREATE INDEX report_fact_level ON report_fact (at)
    INCLUDE (ticket_id, seq, old_level, from_queue, to_queue, queue_id, service_id,
        ticket_created, ticket_resolved)
    WHERE kind IN ('e', 'b');
ALTER TABLE report_fact ENABLE ROW LEVEL SECURITY;

-- The backlog at the end of a day (report_backlog_tickets): the tickets
-- closed since then are found by when they last changed, not by a scan of
-- every ticket created before it.
CREATE INDEX ticket_closed_changed ON ticket (updated_at)
    WHERE status IN ('resolved', 'closed', 'merged');
