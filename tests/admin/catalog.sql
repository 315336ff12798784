-- tests/admin/catalog.sql — every object of schema guichet as text, one block
-- per object, sorted, so that two databases can be compared with diff: the
-- tables (columns, defaults, owner, grants, RLS), indexes, constraints,
-- triggers, policies, views, functions (their whole definition, owner and
-- grants), sequences and the schema's own grants. Oids and the order objects
-- were created in do not show. Used by tests/admin/upgrade.sh and schema.sh.
\pset format unaligned
\pset tuples_only on
\pset fieldsep ' '

SELECT kind || ' ' || name || E'\n' || detail || E'\n'
FROM (
	SELECT 'schema' AS kind, n.nspname AS name,
	    'owner ' || n.nspowner::regrole || ' acl ' || coalesce(n.nspacl::text, '-') AS detail
	FROM pg_namespace n WHERE n.nspname = 'guichet'
	UNION ALL
	SELECT 'table', c.relname,
	    'owner ' || c.relowner::regrole || ' rls ' || c.relrowsecurity
	    || ' force ' || c.relforcerowsecurity || ' acl ' || coalesce(c.relacl::text, '-')
	    || E'\n' || (SELECT string_agg(format('  %s %s%s%s%s', a.attname,
	        format_type(a.atttypid, a.atttypmod),
	        CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
	        coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''),
	        CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
	        || CASE WHEN a.attcompression <> '' THEN ' compression ' || a.attcompression::text
	            ELSE '' END), E'\n' ORDER BY a.attnum)
	        FROM pg_attribute a LEFT JOIN pg_attrdef d
	            ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
	FROM pg_class c WHERE c.relnamespace = 'guichet'::regnamespace AND c.relkind IN ('r', 'p')
	UNION ALL
	SELECT 'index', c.relname, pg_get_indexdef(c.oid)
	FROM pg_class c WHERE c.relnamespace = 'guichet'::regnamespace AND c.relkind = 'i'
	UNION ALL
	SELECT 'sequence', c.relname,
	    'owner ' || c.relowner::regrole || ' acl ' || coalesce(c.relacl::text, '-')
	FROM pg_class c WHERE c.relnamespace = 'guichet'::regnamespace AND c.relkind = 'S'
	UNION ALL
	SELECT 'constraint', k.conrelid::regclass || '.' || k.conname, pg_get_constraintdef(k.oid)
	FROM pg_constraint k WHERE k.connamespace = 'guichet'::regnamespace
	UNION ALL
	SELECT 'trigger', t.tgrelid::regclass || '.' || t.tgname,
	    pg_get_triggerdef(t.oid) || ' enabled ' || t.tgenabled::text
	FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	WHERE c.relnamespace = 'guichet'::regnamespace AND NOT t.tgisinternal
	UNION ALL
	SELECT 'policy', p.tablename || '.' || p.policyname,
	    format('%s %s to %s using (%s) check (%s)', p.permissive, p.cmd, p.roles, p.qual,
	        p.with_check)
	FROM pg_policies p WHERE p.schemaname = 'guichet'
	UNION ALL
	SELECT 'view', c.relname,
	    'owner ' || c.relowner::regrole || ' acl ' || coalesce(c.relacl::text, '-')
	    || ' options ' || coalesce(c.reloptions::text, '-') || E'\n'
	    || pg_get_viewdef(c.oid)
	FROM pg_class c WHERE c.relnamespace = 'guichet'::regnamespace AND c.relkind IN ('v', 'm')
	UNION ALL
	SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'function' END,
	    p.oid::regprocedure::text,
	    'owner ' || p.proowner::regrole || ' acl ' || coalesce(p.proacl::text, '-')
	    || E'\n' || CASE WHEN p.prokind = 'a' THEN
	        (SELECT format('sfunc %s stype %s combine %s final %s parallel %s',
	            g.aggtransfn, format_type(g.aggtranstype, NULL), g.aggcombinefn,
	            g.aggfinalfn, p.proparallel)
	         FROM pg_aggregate g WHERE g.aggfnoid = p.oid)
	        ELSE pg_get_functiondef(p.oid) END
	FROM pg_proc p WHERE p.pronamespace = 'guichet'::regnamespace
	UNION ALL
	SELECT 'default-acl', d.defaclrole::regrole || ' ' || d.defaclobjtype::text,
	    coalesce(d.defaclnamespace::regnamespace::text, '-') || ' ' || d.defaclacl::text
	FROM pg_default_acl d
	WHERE d.defaclrole IN (SELECT oid FROM pg_roles WHERE rolname LIKE 'guichet\_%')
) o
ORDER BY kind, name;
