#!/bin/sh
# tests/admin/upgrade.sh — an upgrade carries every fix: the schema of a
# release (tests/admin/release/TAG, filled by tests/admin/snapshot-release),
# loaded with that release's fixture and migrated by the current tree, is the
# schema a fresh init of the current tree makes: pg_dump --schema-only
# (normalised) and every table, index, constraint, trigger, policy, view,
# function body and grant (tests/admin/catalog.sql) identical. On a
# difference the diff is printed.
#
# GUICHET_UPGRADE_FROM=DIR tries another snapshot (a directory holding
# src/sql, and tests/lib/fixture.sql if the current one does not fit).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pg.sh"

release=v0.1.0
from=${GUICHET_UPGRADE_FROM:-$top_srcdir/tests/admin/release/$release}
if [ ! -d "$from/src/sql/schema" ]; then
	skip_all "no released schema in $from yet: after tagging $release, run tests/admin/snapshot-release $release and commit tests/admin/release/$release"
fi
fixture=$from/tests/lib/fixture.sql
[ -r "$fixture" ] || fixture=$top_srcdir/tests/lib/fixture.sql

pg_start
work=$PGDIR/upgrade
mkdir "$work"

psql -X -q -c 'CREATE DATABASE upgraded' -c 'CREATE DATABASE fresh'
ok "init with the released schema" guichet-admin -d dbname=upgraded --sqldir "$from/src/sql" init
ok "its fixture loads" psql -X -q -v ON_ERROR_STOP=1 -d upgraded -f "$fixture"
# Templates of the three dialects before the one language (0007 renames them).
psql -X -q -v ON_ERROR_STOP=1 -d upgraded -c "INSERT INTO guichet.template (name, subject, body)
VALUES ('ack', '{{subject}}', 'Bonjour {{name}}, n° {{ticket}} ({{queue}})'),
    ('console', NULL, 'Bonjour {{ requester }}, « {{subject}} » #{{id}} — {{agent}}'),
    ('admin', 'Re {{ticket.id}}', 'Bonjour {{contact.name}}, {{ticket.subject}} {{agent.name}}')" ||
    bail_out "cannot add the old templates"
# A checkpoint taken by the release, its digest kept outside: migration 0008
# rehashes every chain (digests of values) and re-anchors the checkpoints.
old_digest=$(psql -X -At -d upgraded -c 'SELECT digest FROM guichet.history_checkpoint()')
old_head=$(psql -X -At -d upgraded -c 'SELECT history_head FROM guichet.ticket WHERE id = 1')
ok "migrate with the current tree" guichet-admin -d dbname=upgraded migrate
is "$(psql -X -At -d upgraded -c "SELECT string_agg(name || ': ' || coalesce(subject, '-') || ' / ' || body,
    E'\n' ORDER BY name COLLATE \"C\") FROM guichet.template")" \
    "ack: {{ticket.subject}} / Bonjour {{requester.name}}, n° {{ticket.id}} ({{queue.name}})
admin: Re {{ticket.id}} / Bonjour {{requester.name}}, {{ticket.subject}} {{agent.name}}
console: - / Bonjour {{requester.name}}, « {{ticket.subject}} » #{{ticket.id}} — {{agent.name}}" \
    "0007: the placeholders of every older dialect get the language's names"
isnt "$(psql -X -At -d upgraded -c 'SELECT history_head FROM guichet.ticket WHERE id = 1')" \
    "$old_head" "the chains were rehashed"
ok "the digest kept before the upgrade still verifies" \
    guichet-admin -d dbname=upgraded verify-history --checkpoint "$old_digest"
ok "init of the current tree" guichet-admin -d dbname=fresh init
is "$(psql -X -At -d upgraded -c 'SELECT max(version) FROM guichet.schema_version')" \
    "$(psql -X -At -d fresh -c 'SELECT max(version) FROM guichet.schema_version')" \
    "both at the same version"
is "$(psql -X -At -d upgraded -c 'SELECT sha256 FROM guichet.schema_api')" \
    "$(psql -X -At -d fresh -c 'SELECT sha256 FROM guichet.schema_api')" \
    "both with the current API"

# pg_dump's text without what differs by nature: its comments (they name the
# dump's own order), SET lines, the random keys of \\restrict and blank lines. Objects are sorted as blocks
# so that the order they were created in does not show; each keeps its lines.
dump()
{
	pg_dump --schema-only -n guichet -d "$1" | perl -e '
		local $/;
		my @blocks = split /^-- Name: .*\n/m, <STDIN>;
		for (@blocks) {
			s/^(--|SET |SELECT pg_catalog\.set_config|\\(un)?restrict ).*\n//mg;
			s/^\s*\n//mg;
		}
		print join("\n", sort grep { length } @blocks);'
}

dump upgraded >"$work/upgraded.sql"
dump fresh >"$work/fresh.sql"
if diff -u "$work/fresh.sql" "$work/upgraded.sql" >"$work/dump.diff"; then
	pass "pg_dump --schema-only: the upgraded schema is the fresh one"
else
	fail "pg_dump --schema-only: the upgraded schema is the fresh one"
	sed 's/^/# /' "$work/dump.diff"
fi

psql -X -q -d upgraded -f "$top_srcdir/tests/admin/catalog.sql" >"$work/upgraded.cat"
psql -X -q -d fresh -f "$top_srcdir/tests/admin/catalog.sql" >"$work/fresh.cat"
ok "the catalog lists functions" grep -q '^function guichet.create_ticket' "$work/fresh.cat"
diag "compared: $(wc -l <"$work/fresh.sql") lines of pg_dump; in the catalog: $(grep -oE '^(function|aggregate|view|index|policy|trigger|table|constraint|sequence|owner|grant|default-acl) ' "$work/fresh.cat" | sort | uniq -c | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')"
if diff -u "$work/fresh.cat" "$work/upgraded.cat" >"$work/catalog.diff"; then
	pass "every function body, view, policy, index, trigger and grant is the fresh one"
else
	fail "every function body, view, policy, index, trigger and grant is the fresh one"
	sed 's/^/# /' "$work/catalog.diff"
fi

ok "verify-history passes on the upgraded fixture" \
    guichet-admin -d dbname=upgraded verify-history
ok "a contact of the release erased" \
    guichet-admin -d dbname=upgraded contact erase 1 --reason "request (test)"
ok "verify-history and the checkpoint still pass after the erasure" \
    guichet-admin -d dbname=upgraded verify-history --checkpoint "$old_digest"
run_status=$(guichet-admin -d dbname=upgraded status 2>&1)
like "$run_status" "^up to date\$" "status of the upgraded database: up to date"

done_testing
