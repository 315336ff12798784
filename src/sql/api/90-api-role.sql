-- 90-api-role.sql — guichet_api, the owner of every SECURITY DEFINER function:
-- what it may do to the tables, the policies through which it sees every
-- row, and the ownership of the functions (run last, after every file that
-- creates one).
--
-- A SECURITY DEFINER function runs with its owner's rights. Owned by
-- guichet_owner, which owns the tables, any of them could alter a table or
-- switch its triggers off, and so the audit trail. guichet_api owns no table
-- and holds only row privileges: SELECT everywhere, INSERT, UPDATE, DELETE
-- where the API writes, never UPDATE or DELETE of history, no TRUNCATE,
-- TRIGGER or REFERENCES (foreign keys are checked as the tables' owner).
-- tests/admin/rights.sh fails when one of these rules is broken.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

GRANT SELECT ON ALL TABLES IN SCHEMA guichet TO guichet_api;
GRANT INSERT ON history, article, attachment, blob, contact, link, outbox, presence,
    raw_message, ticket, ticket_field, history_checkpoint, history_anchor TO guichet_api;
GRANT UPDATE ON agent, article, contact, outbox, presence, raw_message, ticket,
    ticket_field TO guichet_api;
GRANT DELETE ON link, presence, ticket_field TO guichet_api;
-- Ids reserved before their row is written (create_ticket, reply, the gateway).
GRANT USAGE ON ALL SEQUENCES IN SCHEMA guichet TO guichet_api;
-- The API's functions call the helpers (history_hash, check_text …), which
-- run with the caller's rights, here guichet_api's.
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA guichet TO guichet_api;

-- The API checks the caller's rights itself and must see every row: one
-- policy on every table with row-level security (all of them, so that a table
-- given RLS later is not forgotten).
DO $policies$
DECLARE
	t regclass;
BEGIN
	FOR t IN SELECT c.oid FROM pg_class c
	    WHERE c.relnamespace = 'guichet'::regnamespace AND c.relkind = 'r'
	        AND c.relrowsecurity ORDER BY c.relname LOOP
		EXECUTE format('CREATE POLICY api_all ON %s FOR ALL TO guichet_api '
		    'USING (true) WITH CHECK (true)', t);
	END LOOP;
END
$policies$;

-- Every SECURITY DEFINER function of schema guichet to guichet_api. PostgreSQL
-- lets a new owner take a function only when it may create in its schema:
-- granted for this statement only. (guichet_owner is a member of guichet_api,
-- schema/0001_base.sql, so that the next re-creation may drop them.)
GRANT CREATE ON SCHEMA guichet TO guichet_api;
DO $owner$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN SELECT p.oid FROM pg_proc p
	    WHERE p.pronamespace = 'guichet'::regnamespace AND p.prosecdef LOOP
		EXECUTE format('ALTER FUNCTION %s OWNER TO guichet_api', f);
	END LOOP;
END
$owner$;
REVOKE CREATE ON SCHEMA guichet FROM guichet_api;

-- The three functions that create and grant login roles belong to
-- guichet_login, which has CREATEROLE and nothing else (80-admin.sql).
GRANT CREATE ON SCHEMA guichet TO guichet_login;
ALTER FUNCTION admin_create_login(text, text) OWNER TO guichet_login;
ALTER FUNCTION admin_set_login_role(text, text) OWNER TO guichet_login;
ALTER FUNCTION admin_set_login_enabled(text, boolean) OWNER TO guichet_login;
REVOKE CREATE ON SCHEMA guichet FROM guichet_login;

-- The two functions that erase personal data belong to guichet_eraser, the
-- only role history_guard lets redact a history row (38-retention.sql).
GRANT CREATE ON SCHEMA guichet TO guichet_eraser;
ALTER FUNCTION contact_erase(bigint, text) OWNER TO guichet_eraser;
ALTER FUNCTION retention_run() OWNER TO guichet_eraser;
REVOKE CREATE ON SCHEMA guichet FROM guichet_eraser;
