-- 0008_citizen.sql — personal data that can be erased without breaking the
-- audit chain (GDPR art. 17), retention periods, and the audit of erasures and
-- exports.
--
-- History rows now hash a digest of each value instead of the value
-- (api/10-history.sql): hash = sha256(prev_hash || canonical), canonical =
-- the JSON array [ticket_id, seq, at, actor, action, field, hex(sha256(old)),
-- hex(sha256(new))]. An erased value is set to NULL and its digest is kept in
-- old_digest/new_digest, so the row's hash, and every hash after it, stay
-- what they were. Every existing chain is rehashed in the new form here, the
-- tickets' tails follow, and the checkpoints are re-anchored: each anchor
-- takes its row's new hash and each checkpoint's digest is recomputed in
-- order; the digest a checkpoint had before keeps in digest_before, which
-- verify_checkpoints still accepts as the digest kept outside (take a new
-- checkpoint after upgrading and keep its digest instead).

-- The role of the erasure functions alone (api/38-retention.sql): the API's
-- row privileges and policies (member of guichet_api), and, beyond them,
-- UPDATE of history's value and digest columns, which history_guard accepts
-- from it only as a redaction (value to NULL, digest of that value kept).
-- No login is ever its member.
DO $eraser$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'guichet_eraser') THEN
		CREATE ROLE guichet_eraser NOLOGIN;
	END IF;
END
$eraser$;
GRANT guichet_api TO guichet_eraser;
GRANT guichet_eraser TO guichet_owner;
GRANT USAGE ON SCHEMA guichet TO guichet_eraser;

SET LOCAL ROLE guichet_owner;
SET LOCAL search_path = guichet, pg_catalog, pg_temp;

ALTER TABLE history ADD COLUMN old_digest bytea, ADD COLUMN new_digest bytea,
    -- a digest is kept only for a value erased
    ADD CONSTRAINT history_erased_value CHECK ((old_digest IS NULL OR old_value IS NULL)
        AND (new_digest IS NULL OR new_value IS NULL));

-- Rehash every chain. A window aggregate carries the chain along each
-- ticket's rows in seq order (one sorted pass); it and its work table live
-- for this migration only (the installer's role may create no temporary
-- object once init has revoked TEMPORARY).
CREATE FUNCTION migrate_0008_step(s bytea, c text)
    RETURNS bytea
    LANGUAGE sql IMMUTABLE
RETURN sha256(coalesce(s, '\x'::bytea) || convert_to(c, 'UTF8'));
CREATE AGGREGATE migrate_0008_chain(text) (SFUNC = migrate_0008_step, STYPE = bytea);

CREATE UNLOGGED TABLE migrate_0008_rehash AS
SELECT y.id, y.ticket_id, y.seq, y.old_hash, y.hash,
    lag(y.hash) OVER (PARTITION BY y.ticket_id ORDER BY y.seq) AS prev
FROM (SELECT x.id, x.ticket_id, x.seq, x.hash AS old_hash,
        migrate_0008_chain(json_build_array(x.ticket_id, x.seq,
            to_char(x.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), x.actor::text,
            x.action, x.field, encode(sha256(convert_to(x.old_value, 'UTF8')), 'hex'),
            encode(sha256(convert_to(x.new_value, 'UTF8')), 'hex'))::text)
            OVER (PARTITION BY x.ticket_id ORDER BY x.seq) AS hash
    FROM history x) y;
UPDATE history h SET prev_hash = r.prev, hash = r.hash
FROM migrate_0008_rehash r
WHERE h.id = r.id;
-- Only chains whose tail matched their last row move their tail: one that
-- did not match before does not now either (verify_history says so).
UPDATE ticket t SET history_head = r.hash
FROM migrate_0008_rehash r
WHERE r.ticket_id = t.id AND r.seq = t.history_seq AND t.history_head = r.old_hash;

-- Re-anchor the checkpoints: each anchor takes its row's new hash (an anchor
-- whose row is gone or was altered since keeps its hash, and
-- verify_checkpoints still reports it), each digest is recomputed in order.
ALTER TABLE history_checkpoint ADD COLUMN digest_before bytea;
UPDATE history_anchor a SET hash = r.hash
FROM migrate_0008_rehash r
WHERE r.ticket_id = a.ticket_id AND r.seq = a.seq AND a.hash = r.old_hash;
DO $anchors$
DECLARE
	c record;
	prev bytea;
	d bytea;
BEGIN
	FOR c IN SELECT id FROM guichet.history_checkpoint ORDER BY id LOOP
		SELECT sha256(coalesce(prev, '\x'::bytea)
		    || coalesce(string_agg(g.h, '\x'::bytea ORDER BY g.k), '\x'::bytea))
		INTO d
		FROM (SELECT a.ticket_id / 4096 AS k,
		        sha256(convert_to(string_agg(a.ticket_id || ':' || a.seq || ':'
		            || encode(a.hash, 'hex'), ',' ORDER BY a.ticket_id), 'UTF8')) AS h
		    FROM guichet.history_anchor a WHERE a.checkpoint_id = c.id
		    GROUP BY 1) g;
		UPDATE guichet.history_checkpoint SET digest_before = digest, digest = d
		WHERE id = c.id;
		prev := d;
	END LOOP;
END
$anchors$;
DROP TABLE migrate_0008_rehash;
DROP AGGREGATE migrate_0008_chain(text);
DROP FUNCTION migrate_0008_step(bytea, text);

-- An erased contact keeps her row (her tickets still count as one person's
-- in the reports) without anything that identifies her. A contact merged
-- into another keeps her row too, pointing at the survivor, so that the
-- merge can be read and undone (api/37-contact.sql).
ALTER TABLE contact ADD COLUMN erased_at timestamptz,
    ADD COLUMN merged_into bigint REFERENCES contact;

-- A person's other mail addresses and phones. contact.email stays her
-- primary address (the gateway and find_or_create_contact look it up
-- first); an address here is hers too: find_or_create_contact finds her by
-- it, and contact_add_address refuses one that is another contact's.
CREATE TABLE contact_address (
	contact_id      bigint NOT NULL REFERENCES contact,
	organisation_id integer NOT NULL REFERENCES organisation,
	kind            text NOT NULL CHECK (kind IN ('email', 'phone')),
	value           text NOT NULL CHECK (value <> '' AND length(value) <= 320
	    AND (kind <> 'email' OR value ~ '^[^@[:space:]<>]+@[^@[:space:]<>]+$')),
	created_at      timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (contact_id, kind, value)
);
CREATE UNIQUE INDEX contact_address_email ON contact_address (organisation_id, lower(value))
    WHERE kind = 'email';
ALTER TABLE contact_address ENABLE ROW LEVEL SECURITY;
-- Likely duplicates, proposed when a phone ticket is created: the same
-- phone (its last nine digits: 04 11 22 33 44 is +33 4 11 22 33 44), the
-- same address local part, the same name (lower case, accents ignored,
-- single spaces) in the same district.
CREATE FUNCTION contact_phone_key(p text)
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN pg_catalog.right(pg_catalog.regexp_replace(p, '[^0-9]', '', 'g'), 9);
CREATE INDEX contact_phone_digits ON contact (organisation_id, contact_phone_key(phone))
    WHERE phone IS NOT NULL;
CREATE INDEX contact_address_phone ON contact_address (organisation_id, contact_phone_key(value))
    WHERE kind = 'phone';
CREATE INDEX contact_local_part ON contact (organisation_id, lower(split_part(email, '@', 1)))
    WHERE email IS NOT NULL;
CREATE FUNCTION contact_name_key(p text)
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN pg_catalog.regexp_replace(pg_catalog.lower(public.unaccent(
    'public.unaccent'::pg_catalog.regdictionary, pg_catalog.btrim(p))), '\s+', ' ', 'g');
CREATE INDEX contact_name_district ON contact (organisation_id, contact_name_key(name),
    district_id) WHERE name <> '';

-- How long an organisation keeps the personal data of tickets resolved or
-- closed (NULL: no limit). guichet-admin retention run anonymises the tickets
-- closed longer ago than that.
ALTER TABLE organisation ADD COLUMN retention_closed interval
    CHECK (retention_closed IS NULL OR retention_closed >= interval '1 day');
-- The last ticket a retention run has seen anonymised per organisation is
-- not needed: a ticket anonymised carries anonymised_at.
ALTER TABLE ticket ADD COLUMN anonymised_at timestamptz;
CREATE INDEX ticket_retention ON ticket (organisation_id, closed_at)
    WHERE anonymised_at IS NULL AND status IN ('resolved', 'closed');

-- The audit of what was done to a person's record and to her data as a
-- whole: every change of her record (field, old and new value), address
-- added or removed, merge, erasure (with its reason, which must not itself
-- name her), export and retention run. One chain for the desk, hashed like
-- history: digests of the values, so that an erasure can redact them.
CREATE TABLE contact_audit (
	seq             integer PRIMARY KEY,
	at              timestamptz NOT NULL DEFAULT now(),
	actor           name NOT NULL DEFAULT session_user,
	action          text NOT NULL CHECK (action IN ('update', 'address', 'merge', 'unmerge',
	    'erase', 'export', 'retention')),
	contact_id      bigint REFERENCES contact,
	organisation_id integer REFERENCES organisation,
	tickets         integer NOT NULL DEFAULT 0,
	field           text,
	old_value       text,
	new_value       text,
	old_digest      bytea,
	new_digest      bytea,
	reason          text,
	prev_hash       bytea,
	hash            bytea NOT NULL,
	CHECK ((old_digest IS NULL OR old_value IS NULL) AND (new_digest IS NULL OR new_value IS NULL))
);
CREATE INDEX contact_audit_contact ON contact_audit (contact_id) WHERE contact_id IS NOT NULL;
-- Admins read it all, supervisors their organisation's rows (api/37-contact.sql).
ALTER TABLE contact_audit ENABLE ROW LEVEL SECURITY;
