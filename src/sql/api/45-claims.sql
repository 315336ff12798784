-- 45-claims.sql — claim leases and the pending wake-up.
--
-- A claim is a lease: in a queue with a claim_timeout, a new or open ticket
-- whose owner has not acted on it (claimed_at, renewed by each of her changes)
-- for that long goes back to the queue. expire_claims() does it for every
-- queue (cron: guichet-admin expire-claims); next_ticket() does it lazily for
-- its queue, and claim() takes over an expired lease. Pending, resolved and
-- closed tickets keep their owner: nobody can act while waiting on a citizen.
-- Released tickets get a history row with action 'claim_expired'.
--
-- Tickets rows are taken with SKIP LOCKED: a ticket being changed right now is
-- by definition not abandoned, and expiry never waits on an agent.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

CREATE FUNCTION expire_queue_claims(p_queue integer, p_timeout interval)
    RETURNS integer
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	r record;
	n integer := 0;
BEGIN
	-- Each owner is told (36-notification.sql).
	FOR r IN WITH x AS (SELECT id, owner_id FROM ticket
	    WHERE queue_id = p_queue AND owner_id IS NOT NULL AND status IN ('new', 'open')
	        AND claimed_at < now() - p_timeout
	    FOR UPDATE SKIP LOCKED)
	    UPDATE ticket t SET owner_id = NULL, claimed_at = NULL, history_intent = 'claim_expired'
	    FROM x WHERE t.id = x.id RETURNING t.id, x.owner_id LOOP
		PERFORM notify_claim_expired(r.owner_id, r.id);
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;

-- Pending tickets whose wake-up time has come go back to open (their SLA due
-- times pushed forward as when an agent reopens them). Returns how many.
CREATE FUNCTION wake_pending()
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	t ticket;
	n integer := 0;
BEGIN
	FOR t IN SELECT * FROM ticket WHERE status = 'pending' AND pending_until <= now()
	    ORDER BY pending_until FOR UPDATE SKIP LOCKED LOOP
		PERFORM status_apply(t, 'open', NULL, 'wake');
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;

-- Release every expired claim of every queue, and wake pending tickets whose
-- time has come. Returns the number of claims released. Anyone may call it: it
-- only does what the rules say must happen anyway.
CREATE FUNCTION expire_claims()
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	q record;
	n integer := 0;
BEGIN
	FOR q IN SELECT id, claim_timeout FROM queue WHERE claim_timeout IS NOT NULL LOOP
		n := n + expire_queue_claims(q.id, q.claim_timeout);
	END LOOP;
	PERFORM wake_pending();
	PERFORM notify_sla_soon(); -- the same cron line tells owners of breaches to come
	RETURN n;
END
$$;

GRANT EXECUTE ON FUNCTION expire_claims(), wake_pending()
    TO guichet_agent, guichet_mail;
