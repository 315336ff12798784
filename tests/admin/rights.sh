#!/bin/sh
# tests/admin/rights.sh — the structural rights of the API: no SECURITY
# DEFINER function can alter a table, its triggers or the history (they are
# owned by guichet_api, which owns no table and holds row privileges only),
# every function's search_path ends with pg_temp, no function's source holds
# the tools of trigger control, and a caller's temporary tables shadow nothing.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

q()
{
	psql -X -At -v ON_ERROR_STOP=1 -c "$1"
}

pg_start
pg_install
pg_fixture

is "$(q "SELECT coalesce(string_agg(DISTINCT p.proowner::regrole::text, ', '), 'none')
    FROM pg_proc p WHERE p.pronamespace = 'guichet'::regnamespace AND p.prosecdef
        AND p.proname NOT IN ('admin_create_login', 'admin_set_login_role',
            'admin_set_login_enabled', 'contact_erase', 'retention_run')")" \
    "guichet_api" "every SECURITY DEFINER function belongs to guichet_api…"
is "$(q "SELECT string_agg(p.proname || '=' || p.proowner::regrole::text, ' ' ORDER BY p.proname)
    FROM pg_proc p WHERE p.pronamespace = 'guichet'::regnamespace AND p.prosecdef
        AND p.proowner = 'guichet_eraser'::regrole")" \
    "contact_erase=guichet_eraser retention_run=guichet_eraser" \
    "…but the two that erase personal data, which belong to guichet_eraser"
is "$(q "SELECT coalesce(string_agg(r.rolname, ' '), 'none') FROM pg_auth_members m
    JOIN pg_roles r ON r.oid = m.member WHERE m.roleid = 'guichet_eraser'::regrole
        AND r.rolname <> 'guichet_owner'")" "none" \
    "no role but the owner is a member of guichet_eraser"
is "$(q "SELECT string_agg(a.attname, ' ' ORDER BY a.attname) FROM pg_attribute a
    WHERE a.attrelid = 'guichet.history'::regclass AND a.attnum > 0
        AND has_column_privilege('guichet_eraser', a.attrelid, a.attnum, 'UPDATE')")" \
    "new_digest new_value old_digest old_value" \
    "guichet_eraser may update history's value and digest columns only"
is "$(q "SELECT string_agg(p.proname || '=' || p.proowner::regrole::text, ' ' ORDER BY p.proname)
    FROM pg_proc p WHERE p.pronamespace = 'guichet'::regnamespace AND p.prosecdef
        AND p.proname LIKE 'admin\_%'")" \
    "admin_create_login=guichet_login admin_set_login_enabled=guichet_login admin_set_login_role=guichet_login" \
    "…but the three that manage login roles, which belong to guichet_login"
is "$(q "SELECT coalesce(string_agg(c.relname, ' '), 'none') FROM pg_class c
    WHERE c.relnamespace = 'guichet'::regnamespace AND c.relkind IN ('r', 'v')
        AND has_table_privilege('guichet_login', c.oid,
            'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')")" "none" \
    "guichet_login (CREATEROLE) may touch no table of guichet"

is "$(q "SELECT coalesce(string_agg(DISTINCT format('%s: %s', p.oid::regprocedure,
        c.oid::regclass), '; '), 'none')
    FROM pg_proc p CROSS JOIN pg_class c
    WHERE p.pronamespace = 'guichet'::regnamespace AND p.prosecdef
        AND c.relnamespace = 'guichet'::regnamespace AND c.relkind IN ('r', 'p', 'v')
        AND (pg_has_role(p.proowner, c.relowner, 'USAGE')
            OR has_table_privilege(p.proowner, c.oid, 'TRUNCATE')
            OR has_table_privilege(p.proowner, c.oid, 'TRIGGER')
            OR has_table_privilege(p.proowner, c.oid, 'REFERENCES'))")" "none" \
    "no SECURITY DEFINER function's owner owns a table or may truncate, trigger or reference one"

is "$(q "SELECT coalesce(string_agg(format('%s %s', c.oid::regclass, x.p), ', '), 'none')
    FROM pg_class c CROSS JOIN (VALUES ('UPDATE'), ('DELETE'), ('TRUNCATE')) x(p)
    WHERE c.oid = 'guichet.history'::regclass
        AND has_table_privilege('guichet_api', c.oid, x.p)")" "none" \
    "guichet_api may not update, delete or truncate history"

# What the owner of the API could try, tried as it by the superuser.
as_api()
{
	psql -X -q -v ON_ERROR_STOP=1 -c 'SET ROLE guichet_api' -c "$1" 2>&1
}
like "$(as_api 'ALTER TABLE guichet.ticket DISABLE TRIGGER ALL')" "must be owner of table ticket" \
    "guichet_api cannot switch the triggers of ticket off"
like "$(as_api 'ALTER TABLE guichet.history DISABLE TRIGGER USER')" \
    "must be owner of table history" "nor those of history"
like "$(as_api "UPDATE guichet.history SET actor = 'mallory' WHERE ticket_id = 1")" \
    "permission denied for table history" "guichet_api cannot update history"
like "$(as_api 'DELETE FROM guichet.history WHERE ticket_id = 1')" \
    "permission denied for table history" "nor delete from it"
like "$(as_api 'SET session_replication_role = replica')" \
    "permission denied to set parameter" "nor turn triggers off for its session"
is "$(q "SELECT count(*) FROM guichet.history h JOIN guichet.ticket t ON t.id = h.ticket_id")" \
    "$(q 'SELECT sum(history_seq) FROM guichet.ticket')" "history is whole after all that"

is "$(q "SELECT coalesce(string_agg(p.oid::regprocedure::text || ' ' || c, ', '), 'none')
    FROM pg_proc p CROSS JOIN unnest(p.proconfig) c
    WHERE p.pronamespace = 'guichet'::regnamespace AND c LIKE 'search\_path=%'
        AND c NOT LIKE '%, pg\_temp'")" "none" \
    "every search_path set by a function of guichet ends with pg_temp"

is "$(q "SELECT coalesce(string_agg(p.oid::regprocedure::text, ', '), 'none')
    FROM pg_proc p WHERE p.pronamespace = 'guichet'::regnamespace AND p.prosecdef
        AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')")" \
    "none" "every SECURITY DEFINER function sets its search_path"

is "$(q "SELECT coalesce(string_agg(p.oid::regprocedure::text, ', '), 'none')
    FROM pg_proc p WHERE p.pronamespace = 'guichet'::regnamespace AND p.prokind <> 'a'
        AND pg_get_functiondef(p.oid) ~* '(session_replication_role|alter\s+table|disable\s+trigger|set\s+(local\s+|session\s+)?role)'")" \
    "none" "no function's source mentions session_replication_role, ALTER TABLE, DISABLE TRIGGER or SET ROLE"

# guichet-sql(7) lists every SECURITY DEFINER function, and only those.
listed=$(sed -n '/^\.Sh SECURITY DEFINER FUNCTIONS/,/^\.Sh /s/^\.It Fn \([a-z0-9_]*\) .*/\1/p' \
    "$top_srcdir/man/guichet-sql.7" | sort -u | tr '\n' ' ')
is "$listed" "$(q "SELECT string_agg(DISTINCT proname, ' ' ORDER BY proname) || ' ' FROM pg_proc
    WHERE pronamespace = 'guichet'::regnamespace AND prosecdef")" \
    "guichet-sql(7) lists exactly the SECURITY DEFINER functions"

# The demo generator runs as its caller, who must be the installer: an
# admin who is not gets nothing of it (it would switch triggers off).
out=$(guichet-admin -d "$(pg_conninfo ada)" demo --tickets 10 2>&1)
is "$?" 77 "demo as an admin who did not install the schema exits EX_NOPERM"
like "$out" "run it as the role that installed the schema" "and says who may"
is "$(q "SELECT count(*) FROM pg_proc WHERE proname LIKE 'demo\_%'")" "0" \
    "no demo function is left in the database"
is "$(q "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'")" "0" \
    "no trigger is disabled"

# guichet_api is no login: guichet-admin will not adopt it as an agent's.
out=$(guichet-admin agent add guichet_api --name Api --org ville --level 1 2>&1)
like "$out" "reserved role name" "agent add refuses the login guichet_api"
is "$(q "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'guichet_api'")" "f" \
    "which stays NOLOGIN"

# The temporary-schema hijack: an agent's temporary tables named like ours
# change nothing the API decides. (init revoked TEMPORARY from PUBLIC; given
# back to alice here, as a careless database owner might.)
q "GRANT TEMPORARY ON DATABASE guichet TO alice" >/dev/null
own=$(psql_as alice -c "SELECT guichet.visible_queues()")
shadowed=$(psql_as alice <<'SQL'
CREATE TEMP TABLE agent AS SELECT * FROM guichet.agent WHERE false;
INSERT INTO agent SELECT * FROM guichet.agent WHERE login = 'alice';
UPDATE agent SET organisation_id = 2;
CREATE TEMP TABLE queue_member (agent_id integer, queue_id integer, may_write boolean);
INSERT INTO queue_member SELECT a.id, q, true FROM agent a, generate_series(1, 4) q;
CREATE TEMP TABLE queue AS SELECT * FROM guichet.queue WHERE false;
CREATE TEMP TABLE ticket AS SELECT * FROM guichet.ticket WHERE false;
SELECT guichet.visible_queues();
SQL
)
is "$shadowed" "$own" "temporary tables named agent, queue_member, queue do not widen visible_queues()"
is "$(psql_as alice <<'SQL'
CREATE TEMP TABLE queue_member (agent_id integer, queue_id integer, may_write boolean);
INSERT INTO queue_member SELECT 1, q, true FROM generate_series(1, 4) q;
SELECT count(DISTINCT queue_id) FROM guichet.ticket;
SQL
)" "$(psql_as alice -c 'SELECT count(DISTINCT queue_id) FROM guichet.ticket')" \
    "nor the tickets her policies show"
is "$(psql_as alice <<'SQL'
CREATE TEMP TABLE agent AS SELECT * FROM guichet.agent WHERE false;
SELECT guichet.may_write(4);
SQL
)" "f" "nor may_write() for another organisation's queue"

page="SELECT string_agg(id::text, ',') FROM guichet.ticket_index_page('updated', false,
    '{new,open,pending}', 0, NULL, NULL, 50, ROW(1, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::guichet.search_terms)"
is "$(psql_as alice <<SQL
CREATE TEMP TABLE ticket AS SELECT * FROM guichet.ticket WHERE false;
CREATE TEMP TABLE queue AS SELECT * FROM guichet.queue WHERE false;
$page;
SELECT subject FROM guichet.ticket_card(2);
SQL
)" "$(psql_as alice -c "$page" -c "SELECT subject FROM guichet.ticket_card(2)")" \
    "nor the console's index page and ticket card (functions run as their caller)"

done_testing
