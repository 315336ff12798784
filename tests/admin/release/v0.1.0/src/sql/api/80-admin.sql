-- 80-admin.sql — helpers for guichet-admin: login roles for agents.
--
-- Role names are identifiers that cannot be $n parameters, so they are quoted
-- here with format('%I'); the C client never splices a name into SQL.
--
-- Creating a login, giving it a group role and a password need CREATEROLE. An
-- admin who held it herself could do anything a CREATEROLE role may (on
-- PostgreSQL 15, grant herself guichet_owner and rewrite history), so these
-- three functions are SECURITY DEFINER, owned by guichet_login (NOLOGIN
-- CREATEROLE; 90-api-role.sql), and do exactly this: create or adopt a plain
-- login, grant or revoke guichet_agent, guichet_supervisor, guichet_admin,
-- enable or disable it, set its password. A role with powers of its own
-- (superuser, CREATEROLE, CREATEDB, REPLICATION, BYPASSRLS), a member of any
-- other role, or a group, is not guichet's to manage; nor is the password of a
-- role that existed before guichet adopted it.

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
	    'guichet_login',
	    'guichet_agent', 'guichet_supervisor', 'guichet_admin', 'guichet_mail') THEN
		RAISE EXCEPTION USING ERRCODE = 'GU005',
		    MESSAGE = format('%L is a reserved role name', p_login);
	END IF;
END
$$;

-- May guichet manage this existing role? Not when it has powers of its own,
-- belongs to another role than ours, or is a group; nothing when it does not
-- exist yet.
CREATE FUNCTION admin_check_adopt(p_login text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	r pg_roles;
BEGIN
	SELECT * INTO r FROM pg_roles WHERE rolname = p_login;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	IF r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls
	THEN
		RAISE EXCEPTION USING ERRCODE = 'GU004', MESSAGE = format('role %s has powers of '
		    'its own (superuser, createrole, createdb, replication or bypassrls): guichet '
		    'does not manage it', p_login);
	END IF;
	IF EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid
	    AND m.roleid NOT IN ('guichet_agent'::regrole, 'guichet_supervisor'::regrole,
	        'guichet_admin'::regrole, 'guichet_mail'::regrole)) THEN
		RAISE EXCEPTION USING ERRCODE = 'GU004', MESSAGE = format('role %s belongs to roles '
		    'that are not guichet''s: guichet does not manage it', p_login);
	END IF;
	IF EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.roleid = r.oid) THEN
		RAISE EXCEPTION USING ERRCODE = 'GU004', MESSAGE = format('role %s has members: '
		    'guichet does not manage it', p_login);
	END IF;
END
$$;

-- Create the login role, or adopt an existing one (giving it LOGIN). p_password is
-- a verifier computed by the client (PQencryptPasswordConn), never clear text, so
-- that the password does not appear in the server's logs; it is set only on a
-- role guichet made or already manages. Returns true when created.
CREATE FUNCTION admin_create_login(p_login text, p_password text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
DECLARE
	r pg_roles;
	created boolean := false;
BEGIN
	PERFORM admin_check_login(p_login);
	PERFORM admin_check_adopt(p_login);
	IF p_password IS NOT NULL AND p_password !~ '^(SCRAM-SHA-256\$|md5)' THEN
		RAISE EXCEPTION USING ERRCODE = 'GU005',
		    MESSAGE = 'the password must be sent encrypted (SCRAM or md5 verifier)';
	END IF;
	SELECT * INTO r FROM pg_roles WHERE rolname = p_login;
	IF NOT FOUND THEN
		EXECUTE format('CREATE ROLE %I LOGIN', p_login);
		created := true;
	ELSE
		IF p_password IS NOT NULL AND NOT pg_has_role(p_login, 'guichet_agent', 'MEMBER') THEN
			RAISE EXCEPTION USING ERRCODE = 'GU004', MESSAGE = format('role %s existed '
			    'before guichet: its password is not guichet''s to set', p_login);
		END IF;
		IF NOT r.rolcanlogin THEN
			EXECUTE format('ALTER ROLE %I LOGIN', p_login);
		END IF;
	END IF;
	IF p_password IS NOT NULL THEN
		EXECUTE format('ALTER ROLE %I PASSWORD %L', p_login, p_password);
	END IF;
	RETURN created;
END
$$;

-- The group roles of a login: agent, supervisor (also an agent) or admin (also both).
CREATE FUNCTION admin_set_login_role(p_login text, p_role text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	PERFORM admin_check_login(p_login);
	PERFORM admin_check_adopt(p_login);
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
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, guichet, pg_temp AS $$
BEGIN
	PERFORM admin_check_login(p_login);
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
		RETURN;
	END IF;
	PERFORM admin_check_adopt(p_login);
	IF p_enabled THEN
		EXECUTE format('ALTER ROLE %I LOGIN', p_login);
	ELSE
		EXECUTE format('ALTER ROLE %I NOLOGIN', p_login);
	END IF;
END
$$;

REVOKE ALL ON FUNCTION admin_check_login(text), admin_check_adopt(text),
    admin_create_login(text, text),
    admin_set_login_role(text, text), admin_login_role(name),
    admin_set_login_enabled(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION admin_check_login(text), admin_create_login(text, text),
    admin_set_login_role(text, text), admin_set_login_enabled(text, boolean)
    TO guichet_admin;
GRANT EXECUTE ON FUNCTION admin_check_login(text), admin_check_adopt(text) TO guichet_login;
GRANT EXECUTE ON FUNCTION admin_login_role(name) TO guichet_supervisor;
