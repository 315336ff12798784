-- 45-claims.sql — ownership that lasts, the claim timeout, absences and the
-- pending wake-up.
--
-- A claim is ownership, not a lease: the owner keeps the ticket until she
-- releases it, hands it over (assign, 35-desk.sql), resolves it, or is absent
-- (her tickets go to her substitute). A queue's claim_timeout only undoes a
-- claim on which the owner has done nothing yet (no note, reply, status or
-- field change: ticket.owner_settled is false), as OTRS's unlock timeout
-- does: a ticket taken and forgotten goes back to its queue after that long,
-- one being worked on never does. expire_claims() does it for every queue
-- (cron: guichet-admin expire-claims); next_ticket() does it lazily for its
-- queue, and claim() takes over a lapsed claim. Pending, resolved and closed
-- tickets keep their owner: nobody can act while waiting on a citizen. A
-- released ticket gets a history row with action 'claim_expired' and its
-- owner is told (desk_tell, 35-desk.sql).
--
-- Absence: when an agent's absence begins (set_absence for now, or
-- expire_claims() once a planned absence has started), her new, open and
-- pending tickets go to her substitute where the substitute may write (action
-- 'handover'; the substitute is told), and otherwise her new and open ones
-- back to their queue (someone must answer them; pending ones wait on the
-- citizen, and a follow-up puts them back in the queue: 50-mail.sql).
--
-- Tickets rows are taken with SKIP LOCKED: a ticket being changed right now is
-- by definition not abandoned, and expiry never waits on an agent.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- The unsettled claims of a queue older than its timeout go back to it
-- (the ticket_claim_unsettled index: only claims nobody has acted on).
CREATE FUNCTION expire_queue_claims(p_queue integer, p_timeout interval)
    RETURNS integer
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	r record;
	n integer := 0;
BEGIN
	FOR r IN WITH x AS (SELECT id, owner_id FROM ticket
	        WHERE queue_id = p_queue AND owner_id IS NOT NULL AND NOT owner_settled
	            AND status IN ('new', 'open') AND claimed_at < now() - p_timeout
	        FOR UPDATE SKIP LOCKED)
	    UPDATE ticket t SET owner_id = NULL, claimed_at = NULL,
	        history_intent = 'claim_expired'
	    FROM x WHERE t.id = x.id
	    RETURNING t.id, x.owner_id LOOP
		PERFORM desk_tell(r.owner_id, 'claim_expired', r.id, NULL);
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;

-- An agent's absence has begun: her tickets go to her substitute, where the
-- substitute (active, present) may write; otherwise her new and open tickets
-- go back to their queue. Returns how many tickets changed hands.
CREATE FUNCTION absence_handover(p_agent integer)
    RETURNS integer
    LANGUAGE plpgsql SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	sub agent;
	t record;
	n integer := 0;
BEGIN
	SELECT s.* INTO sub FROM agent a JOIN agent s ON s.id = a.substitute_id
	WHERE a.id = p_agent AND s.active AND NOT agent_absent(s.id);
	FOR t IN SELECT id, queue_id, status FROM ticket
	    WHERE owner_id = p_agent AND status IN ('new', 'open', 'pending')
	    ORDER BY id FOR UPDATE SKIP LOCKED LOOP
		IF sub.id IS NOT NULL AND agent_may_write(sub.id, t.queue_id) THEN
			UPDATE ticket SET owner_id = sub.id, claimed_at = now(),
			    history_intent = 'handover'
			WHERE id = t.id;
			PERFORM desk_tell(sub.id, 'handover', t.id,
			    format('while %s is away', (SELECT login FROM agent WHERE id = p_agent)));
		ELSIF t.status <> 'pending' THEN
			UPDATE ticket SET owner_id = NULL, claimed_at = NULL,
			    history_intent = 'handover'
			WHERE id = t.id;
		ELSE
			CONTINUE;
		END IF;
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

-- Release every lapsed claim of every queue, hand the tickets of agents whose
-- absence has begun to their substitutes, and wake pending tickets whose time
-- has come. Returns the number of claims released. Anyone may call it: it
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
	-- Absences that have begun since (set for later): the absent owners'
	-- live tickets are few, found from ticket_owner_list.
	FOR q IN SELECT a.id FROM agent a WHERE a.absent_from <= now()
	    AND (a.absent_until IS NULL OR a.absent_until > now())
	    AND EXISTS (SELECT 1 FROM ticket t WHERE t.owner_id = a.id
	        AND t.status IN ('new', 'open', 'pending')) LOOP
		PERFORM absence_handover(q.id);
	END LOOP;
	PERFORM wake_pending();
	PERFORM notify_sla_soon(); -- the same cron line tells owners of breaches to come
	RETURN n;
END
$$;

GRANT EXECUTE ON FUNCTION expire_claims(), wake_pending()
    TO guichet_agent, guichet_mail;
