-- 0006_mailin.sql — mail a city really receives (issue 13).
--
-- An article whose Message-ID the same sender used before for other content
-- (a broken client, a web form that numbers nothing) is imported, flagged.
-- A queue whose mail comes through a web form or a relay takes the requester
-- from Reply-To. Automatic mail that matches no ticket is listed by
-- guichet-admin quarantine list --outcome ignored: an index keeps that cheap
-- on a raw_message table of millions of rows.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

ALTER TABLE article ADD COLUMN duplicate_message_id boolean NOT NULL DEFAULT false;
ALTER TABLE queue ADD COLUMN reply_to_is_requester boolean NOT NULL DEFAULT false;
CREATE INDEX raw_message_ignored ON raw_message (id)
    WHERE outcome = 'ignored_loop' AND ticket_id IS NULL;
