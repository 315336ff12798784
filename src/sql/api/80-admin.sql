-- 80-admin.sql — helpers for guichet-admin: login roles for agents.
--
-- Role names are identifiers that cannot be $n parameters, so they are quoted
-- here with format('%I'); the C client never splices a name into SQL. These
-- functions are SECURITY INVOKER on purpose: creating roles and granting the
-- group roles needs the caller's own CREATEROLE, which the owner does not have.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

-- A login a person can be given: what peer authentication maps Unix users to,
-- and never one of our group roles or a reserved name.
CREATE FUNCTION admin_check_login(p_login text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	IF p_login IS NULL OR p_login !~ '^[a-z_][a-z0-9_.-]*$' OR length(p_login) > 63 THEN
		RAISE EXCEPTION USING ERRCODE = 'GU005',
		    MESSAGE = format('invalid login %L: lower-case letters, digits, "_", "." or "-", '
		        'starting with a letter or "_", at most 63 characters', p_login);
	END IF;
	IF p_login LIKE 'pg\_%' OR p_login IN ('public', 'guichet_owner', 'guichet_api',
	    'guichet_agent', 'guichet_supervisor', 'guichet_admin', 'guichet_mail') THEN
		RAISE EXCEPTION USING ERRCODE = 'GU005',
		    MESSAGE = format('%L is a reserved role name', p_login);
	END IF;
END
$$;

-- Create the login role, or adopt an existing one (giving it LOGIN). p_password is
-- a verifier computed by the client (PQencryptPasswordConn), never clear text, so
-- that the password does not appear in the server's logs. Returns true when created.
CREATE FUNCTION admin_create_login(p_login text, p_password text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	r pg_roles;
	created boolean := false;
BEGIN
	PERFORM admin_check_login(p_login);
	IF p_password IS NOT NULL AND p_password !~ '^(SCRAM-SHA-256\$|md5)' THEN
		RAISE EXCEPTION USING ERRCODE = 'GU005',
		    MESSAGE = 'the password must be sent encrypted (SCRAM or md5 verifier)';
	END IF;
	SELECT * INTO r FROM pg_roles WHERE rolname = p_login;
	IF NOT FOUND THEN
		EXECUTE format('CREATE ROLE %I LOGIN', p_login);
		created := true;
	ELSIF NOT r.rolcanlogin THEN
		EXECUTE format('ALTER ROLE %I LOGIN', p_login);
	END IF;
	IF p_password IS NOT NULL THEN
		EXECUTE format('ALTER ROLE %I PASSWORD %L', p_login, p_password);
	END IF;
	RETURN created;
END
$$;

-- The group roles of a login: agent, supervisor (also an agent) or admin (also both).
CREATE FUNCTION admin_set_login_role(p_login text, p_role text) RETURNS void
LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	PERFORM admin_check_login(p_login);
	IF p_role NOT IN ('agent', 'supervisor', 'admin') THEN
		RAISE EXCEPTION USING ERRCODE = 'GU005',
		    MESSAGE = format('unknown role %L: agent, supervisor or admin', p_role);
	END IF;
	EXECUTE format('GRANT guichet_agent TO %I', p_login);
	IF p_role IN ('supervisor', 'admin') THEN
		EXECUTE format('GRANT guichet_supervisor TO %I', p_login);
	ELSIF pg_has_role(p_login, 'guichet_supervisor', 'MEMBER') THEN
		EXECUTE format('REVOKE guichet_supervisor FROM %I', p_login);
	END IF;
	IF p_role = 'admin' THEN
		EXECUTE format('GRANT guichet_admin TO %I', p_login);
	ELSIF pg_has_role(p_login, 'guichet_admin', 'MEMBER') THEN
		EXECUTE format('REVOKE guichet_admin FROM %I', p_login);
	END IF;
END
$$;

-- The highest group role a login holds directly: what agent list shows.
CREATE FUNCTION admin_login_role(p_login name) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
	SELECT CASE
	    WHEN NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN NULL
	    WHEN pg_has_role(p_login, 'guichet_admin', 'MEMBER') THEN 'admin'
	    WHEN pg_has_role(p_login, 'guichet_supervisor', 'MEMBER') THEN 'supervisor'
	    WHEN pg_has_role(p_login, 'guichet_agent', 'MEMBER') THEN 'agent'
	    ELSE 'none' END
$$;

-- Enable or disable a login (agent remove / agent set --active). Group
-- memberships stay, so that reactivating an agent gives her rights back.
CREATE FUNCTION admin_set_login_enabled(p_login text, p_enabled boolean) RETURNS void
LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	PERFORM admin_check_login(p_login);
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
		RETURN;
	END IF;
	IF p_enabled THEN
		EXECUTE format('ALTER ROLE %I LOGIN', p_login);
	ELSE
		EXECUTE format('ALTER ROLE %I NOLOGIN', p_login);
	END IF;
END
$$;

REVOKE ALL ON FUNCTION admin_check_login(text), admin_create_login(text, text),
    admin_set_login_role(text, text), admin_login_role(name),
    admin_set_login_enabled(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION admin_check_login(text), admin_create_login(text, text),
    admin_set_login_role(text, text), admin_set_login_enabled(text, boolean)
    TO guichet_admin;
GRANT EXECUTE ON FUNCTION admin_login_role(name) TO guichet_supervisor;
