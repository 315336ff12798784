-- 0007_outbound.sql — mail that leaves the desk (issues 13 and 14): the name
-- a queue signs with, the closing notice, and one template language.
--
-- A schema migration (see 0001_base.sql): applied once, frozen once
-- released. The functions that use these columns are in the API
-- (api/56-template.sql, 30-ticket.sql, 50-mail.sql).

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- The display name of the queue's mail ("Mairie — état civil"
-- <etat-civil@ville.example>); NULL: the organisation's name. It becomes a
-- header value: no line breaks.
ALTER TABLE queue ADD COLUMN from_name text
    CHECK (from_name <> '' AND length(from_name) <= 200 AND from_name !~ '[\r\n]');

-- The closing notice: when a ticket of the queue is resolved, its requester
-- gets this template (NULL: no notice). Removing the template removes the
-- notice, not the queue.
ALTER TABLE queue ADD COLUMN closing_template_id integer
    REFERENCES template ON DELETE SET NULL;

-- The From display name as the reply was queued (outbox_claim returns it).
ALTER TABLE outbox ADD COLUMN from_name text;

-- Outgoing mail of a third kind: the closing notice.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
    CHECK (kind IN ('reply', 'ack', 'closing'));

-- One template language (api/56-template.sql): the placeholders of the three
-- dialects before it get their new names. {{name}}, {{contact.name}} and
-- {{requester}} were the requester's name, {{ticket}} and {{id}} the number,
-- {{subject}} the subject, {{queue}} the queue's name, {{agent}} the agent's.
-- Blanks inside the braces were tolerated by the console: so here.
UPDATE template SET
    subject = regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        subject,
        '\{\{\s*(name|contact\.name|requester)\s*\}\}', '{{requester.name}}', 'g'),
        '\{\{\s*(ticket|id)\s*\}\}', '{{ticket.id}}', 'g'),
        '\{\{\s*subject\s*\}\}', '{{ticket.subject}}', 'g'),
        '\{\{\s*queue\s*\}\}', '{{queue.name}}', 'g'),
        '\{\{\s*agent\s*\}\}', '{{agent.name}}', 'g'),
    body = regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        body,
        '\{\{\s*(name|contact\.name|requester)\s*\}\}', '{{requester.name}}', 'g'),
        '\{\{\s*(ticket|id)\s*\}\}', '{{ticket.id}}', 'g'),
        '\{\{\s*subject\s*\}\}', '{{ticket.subject}}', 'g'),
        '\{\{\s*queue\s*\}\}', '{{queue.name}}', 'g'),
        '\{\{\s*agent\s*\}\}', '{{agent.name}}', 'g')
WHERE body ~ '\{\{' OR subject ~ '\{\{';
