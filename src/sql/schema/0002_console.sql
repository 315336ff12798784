-- 0002_console.sql — the terms of a search of the console's language as one
-- value, the type search_terms: the argument of ticket_search() and of the
-- index's functions (api/61-console-read.sql), so that the twenty terms are
-- declared once. Its attributes are the parameter slots of the search
-- language (src/common/query.c, enum query_slot), in their order; NULL is
-- "no constraint". A type, not an API object: the API's functions take it,
-- and it outlives their re-creation.

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

CREATE TYPE search_terms AS (
	queue         integer,     -- the queue of an index
	queues        text[],      -- queue codes
	owner         text,        -- the owner's login
	unowned       boolean,     -- unclaimed (true) or claimed (false)
	priority_min  integer,
	priority_max  integer,
	districts     text[],      -- lower-case names
	created_from  timestamptz,
	created_until timestamptz, -- excluded
	updated_from  timestamptz,
	updated_until timestamptz, -- excluded
	words         text,        -- websearch_to_tsquery's syntax
	subject       text,        -- an ILIKE pattern
	requester     text,        -- an ILIKE pattern
	ids           bigint[],    -- ticket numbers
	level         integer,
	channels      text[],
	field_names   text[],      -- fields, pairwise with…
	field_values  text[],      -- …their values
	services      text[]       -- service codes
);
