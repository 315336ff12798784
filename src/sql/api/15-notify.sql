-- 15-notify.sql — live updates that only those who may see a ticket hear of.
--
-- PostgreSQL lets any login LISTEN on any channel, and channel names are not
-- secret by themselves: a shared channel ('guichet') told every console of the
-- desk, whatever its organisation, which tickets changed and when. Each queue
-- has instead a channel of its own whose name is derived from a server secret
-- (secret 'notify', readable by guichet_api only), so that a console can
-- listen only where guichet.listen() puts it: on the queues the caller may
-- see. Knowing the name is the only way to hear, or to send, on a channel.
--
-- Payloads: '<ticket id>' (the ticket changed), 'p<ticket id>' (someone opened
-- or left it: presence, 60-console.sql). Consoles refresh what they show.
-- Each agent has a channel of her own too, named the same way, on which she
-- hears 'n<unread count>' when her notifications change (36-notification.sql).

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- The channel of a queue: 'guichet_' and 32 hex digits of sha256(secret, id).
-- Called by the triggers and the API, which run as guichet_api (or as the
-- tables' owner); a login may not read the secret, so may not call it either.
CREATE FUNCTION queue_channel(p_queue integer)
    RETURNS text
    LANGUAGE sql STABLE
RETURN (SELECT 'guichet_' || left(pg_catalog.encode(pg_catalog.sha256(s.value
        || pg_catalog.int4send(p_queue)), 'hex'), 32)
    FROM guichet.secret s WHERE s.name = 'notify');

-- The channel of an agent's notifications: as a queue's, from the same secret
-- with 'agent' before the id, so that no queue's channel is an agent's.
CREATE FUNCTION agent_channel(p_agent integer)
    RETURNS text
    LANGUAGE sql STABLE
RETURN (SELECT 'guichet_' || left(pg_catalog.encode(pg_catalog.sha256(s.value
        || pg_catalog.convert_to('agent', 'UTF8') || pg_catalog.int4send(p_agent)), 'hex'), 32)
    FROM guichet.secret s WHERE s.name = 'notify');

-- Listen on the channels of every queue the caller may see (and only those),
-- and on her own agent channel, forgetting any other: the console calls it on connecting and reconnecting.
-- Returns the number of channels. LISTEN belongs to the session, so it holds
-- after the call.
CREATE FUNCTION listen()
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	q integer;
	n integer := 0;
BEGIN
	UNLISTEN *;
	FOREACH q IN ARRAY visible_queues() LOOP
		EXECUTE format('LISTEN %I', queue_channel(q));
		n := n + 1;
	END LOOP;
	IF current_agent() IS NOT NULL THEN
		EXECUTE format('LISTEN %I', agent_channel(current_agent()));
		n := n + 1;
	END IF;
	RETURN n;
END
$$;

REVOKE ALL ON FUNCTION queue_channel(integer), agent_channel(integer), listen() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION listen() TO guichet_agent;
